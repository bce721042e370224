/* fuzz_mime: the streaming MIME parser never crashes, and gives the same
 * events whatever the chunking (whole, one byte, input-chosen sizes), also
 * under small limits; the mboxrd reader and DSN parser on the same bytes. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "mime/dsn.h"
#include "mime/mime.h"
#include "store/mboxrd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
t_begin(void *ctx, const struct mime_part *p)
{
	struct buf *b = ctx;
	size_t i;

	buf_addf(b, "<%llu %s %d %d %s %s %s %s %s %s|", p->offset,
		p->section, p->depth,
		(int)p->kind, p->type, p->charset ? p->charset : "-",
		p->encoding ? p->encoding : "-",
		p->disposition ? p->disposition : "-",
		p->filename ? p->filename : "-",
		p->boundary ? p->boundary : "-");
	for (i = 0; i < p->headers->n; i++)
		buf_add(b, p->headers->v[i].name, p->headers->v[i].name_len);
	if (p->msg_headers)
		buf_addf(b, "+%zu", p->msg_headers->n);
}

static void
t_data(void *ctx, const struct mime_part *p, const void *d, size_t n)
{
	buf_add(ctx, d, n);
}

static size_t input_len;

static void
t_end(void *ctx, const struct mime_part *p)
{
	if (p->offset > p->end_offset || p->end_offset > input_len)
		abort();
	buf_addf(ctx, "%s %llu>", p->section, p->end_offset);
}

static void
t_defect(void *ctx, const char *sec, const char *what)
{
	buf_addf(ctx, "!%s", what);
}

static void
run(const uint8_t *d, size_t n, int mode, const struct mime_limits *lim,
	struct buf *out)
{
	struct mime_sink s = { out, NULL, t_begin, t_data, t_end, t_defect };
	struct mime_parser *p = mime_parser_new(&s, lim);
	size_t off = 0, k = 0;

	while (off < n) {
		size_t c = n - off;

		if (mode == 1)
			c = 1;
		else if (mode == 2)
			c = 1 + (d[k++ % n] % 61);
		if (c > n - off)
			c = n - off;
		mime_parser_feed(p, d + off, c);
		off += c;
	}
	mime_parser_finish(p);
	mime_parser_free(p);
}

static void
mb_noop(void *ctx)
{
}

static void
mb_begin(void *ctx, const char *f, size_t n)
{
}

static void
mb_data(void *ctx, const void *d, size_t n)
{
	*(size_t *)ctx += n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits small = { 4, 8, 256, 128 };
	const struct mime_limits *lim = NULL;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct mboxrd_sink ms;
	struct mboxrd mb;
	struct dsn dsn;
	size_t total = 0;
	int mode;

	if (size < 1)
		return 0;
	/* The first byte picks the limits and the second chunking. */
	if (data[0] & 1)
		lim = &small;
	mode = 1 + ((data[0] >> 1) & 1);
	data++;
	size--;
	input_len = size;
	run(data, size, 0, lim, &a);
	run(data, size, mode, lim, &b);
	if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len)))
		abort();
	buf_release(&a);
	buf_release(&b);

	ms.ctx = &total;
	ms.begin = mb_begin;
	ms.data = mb_data;
	ms.end = mb_noop;
	mboxrd_init(&mb, &ms);
	mboxrd_feed(&mb, data, size);
	mboxrd_finish(&mb);
	mboxrd_release(&mb);
	if (total > size)
		abort();

	dsn_parse((const char *)data, size, &dsn);
	dsn_release(&dsn);
	return 0;
}
