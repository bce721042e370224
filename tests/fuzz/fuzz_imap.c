/*
 * fuzz_imap: the IMAP response reader (proto/imap_reply.h) on hostile
 * server input.
 *
 * The first input byte picks how many bytes each simulated read hands
 * over, whether a sink takes message literals, and a small or default
 * literal cap; the rest is what the server sends. Besides memory safety it
 * checks what the engine relies on: list tokens close inside the data,
 * strings stay in the arena, every streamed literal was fully delivered
 * (begin, its bytes, end) and a failed one aborted.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"
#include "proto/imap_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

struct st {
	unsigned long long want, got;
	int open;
};

static int
s_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct st *s = ctx;

	(void)e;
	check(!s->open && item < r->ntok);
	s->open = 1;
	s->want = size;
	s->got = 0;
	imap_fetch_item(r, "UID");
	return 1;
}

static int
s_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct st *s = ctx;

	(void)d;
	(void)e;
	check(s->open);
	s->got += n;
	check(s->got <= s->want);
	return 0;
}

static int
s_end(void *ctx, struct err *e)
{
	struct st *s = ctx;

	(void)e;
	check(s->open && s->got == s->want);
	s->open = 0;
	return 0;
}

static void
s_abort(void *ctx)
{
	struct st *s = ctx;

	check(s->open);
	s->open = 0;
}

static void
walk(const struct imap_resp *r)
{
	size_t i, len;
	char tmp[16];

	check(r->code <= r->code_end && r->code_end <= r->ntok);
	check(r->text_off + r->text_len <= r->arena.len);
	for (i = 0; i < r->ntok; i++) {
		const struct imap_tok *t = &r->tok[i];

		check(t->end > i && t->end <= r->ntok);
		if (t->type == IMAP_TOK_ATOM || t->type == IMAP_TOK_STRING)
			check(t->off + t->len <= r->arena.len);
		imap_tok_str(r, i, &len);
		imap_tok_copy(r, i, tmp, sizeof tmp);
	}
	imap_fetch_item(r, "BODY[]");
	imap_resp_code(r, tmp, sizeof tmp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct imap_resp r;
	struct imap_sink sink = { NULL, s_begin, s_data, s_end, s_abort };
	struct st s;
	struct pp p;
	struct err e;
	int n = 0;

	if (size < 1)
		return 0;
	memset(&s, 0, sizeof s);
	sink.ctx = &s;
	pp_init_mem(&p, data + 1, size - 1, &out, NULL);
	p.mem_step = data[0] >> 3;
	p.max_line = 1024;
	imap_resp_init(&r);
	if (data[0] & 2)
		r.max_literal = 64;
	while (n++ < 10000 &&
	       imap_resp_read(&p, &r, (data[0] & 1) ? &sink : NULL, &e) == 0)
		walk(&r);
	check(!s.open);
	imap_resp_release(&r);
	pp_release(&p);
	buf_release(&out);
	return 0;
}
