/*
 * fuzz_reply: the line/reply layer (src/pp.c) on hostile server input, and
 * the DATA writer on hostile message bytes.
 *
 * The first input byte picks the mode and how many bytes each simulated
 * read hands over; the rest is what the server (or the message) sends.
 * Besides memory safety, it checks the contracts callers rely on: every
 * SMTP reply read has a 3-digit code and raw lines ended by CRLF; the DATA
 * writer's output never holds a bare LF nor a line that is a lone dot, and
 * ends with CRLF.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"
#include "proto/imap_reply.h"
#include "proto/pop3_reply.h"
#include "proto/smtp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
smtp(struct pp *p)
{
	struct smtp_reply r;
	struct err e;
	size_t pos;
	const char *line;
	size_t len;
	int n = 0;

	smtp_reply_init(&r);
	while (n++ < 10000 && smtp_reply_read(p, &r, &e) == 0) {
		check(r.code >= 100 && r.code <= 599);
		check(r.raw.len >= 2 && r.raw.data[r.raw.len - 1] == '\n' &&
		      r.raw.data[r.raw.len - 2] == '\r');
		pos = 0;
		while (smtp_reply_line(&r, &pos, &line, &len))
			check(memchr(line, '\n', len) == NULL);
	}
	smtp_reply_release(&r);
}

static void
pop3(struct pp *p)
{
	struct pop3_reply r;
	struct err e;
	const char *line;
	size_t len;
	int end = 0, n = 0;

	pop3_reply_init(&r);
	while (n++ < 10000 && pop3_reply_read(p, &r, &e) == 0) {
		if (r.status != POP3_REPLY_OK)
			continue;
		while (pop3_reply_body_line(p, &line, &len, &end, &e) == 0 &&
		       !end)
			;
	}
	pop3_reply_release(&r);
}

static void
crlf(const uint8_t *in, size_t size, size_t split)
{
	struct pp_crlf st;
	struct buf out = BUF_INIT;
	size_t i;

	if (split > size)
		split = size;
	pp_crlf_init(&st, 1);
	pp_crlf_add(&st, &out, in, split);
	pp_crlf_add(&st, &out, in + split, size - split);
	pp_crlf_finish(&st, &out);
	if (size > 0)
		check(out.len >= 2 && out.data[out.len - 2] == '\r' &&
		      out.data[out.len - 1] == '\n');
	for (i = 0; i < out.len; i++) {
		if (out.data[i] != '\n')
			continue;
		check(i > 0 && out.data[i - 1] == '\r');
		/* A line that is a lone dot would end the message early. */
		if (i + 2 < out.len)
			check(!(out.data[i + 1] == '.' &&
				out.data[i + 2] == '\r'));
	}
	if (out.len >= 1)
		check(!(out.data[0] == '.' && (out.len == 1 ||
			out.data[1] == '\r')));
	buf_release(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct pp p;
	unsigned long long n;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
	case 1:
		pp_init_mem(&p, data + 1, size - 1, &out, NULL);
		p.mem_step = data[0] >> 2;
		p.max_line = 512;
		if (data[0] & 1)
			pop3(&p);
		else
			smtp(&p);
		pp_release(&p);
		break;
	case 2:
		crlf(data + 1, size - 1, data[0] >> 2);
		break;
	case 3:
		imap_reply_literal((const char *)data + 1, size - 1, &n);
		break;
	}
	buf_release(&out);
	return 0;
}
