/* fuzz_batch: the one mboxrd reader (store/mboxrd.h) against itself. Any
 * bytes, fed in steps set by the first byte, directly and through the
 * --batch reader over a pipe (batchread.c, store/msgsrc.h), must be cut
 * into exactly the messages the reader cuts from the whole input at once,
 * in order and byte for byte; the --batch reader refuses exactly the
 * streams whose first line does not start with "From ". Written back with
 * the mboxrd writer and read again, the messages come back unchanged (with
 * the line break the writer adds to a last line without one). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "proto/batch.h"
#include "store/mboxrd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Below a pipe's capacity: the writes never block. */
#define MAX_INPUT 60000

/* Append one message as its length and its bytes. */
static void
add_msg(struct buf *all, const struct buf *one)
{
	buf_addf(all, "%zu:", one->len);
	buf_add(all, one->data ? one->data : "", one->len);
}

/* The reader's messages as "length:bytes" into all (from: "From line:"
 * before each, for the round trip). */
struct cuts {
	struct buf *all;
	struct buf one;
	struct buf *froms;	/* NULL, or each From line, NUL-ended */
};

static void
c_begin(void *ctx, const char *from, size_t len)
{
	struct cuts *c = ctx;

	buf_reset(&c->one);
	if (c->froms) {
		buf_add(c->froms, from, len);
		buf_addch(c->froms, '\0');
	}
}

static void
c_data(void *ctx, const void *d, size_t n)
{
	buf_add(&((struct cuts *)ctx)->one, d, n);
}

static void
c_end(void *ctx)
{
	struct cuts *c = ctx;

	add_msg(c->all, &c->one);
}

/* Feed p in steps of step bytes (0: at once). */
static void
cut(const char *p, size_t n, size_t step, struct buf *all,
	struct buf *froms)
{
	struct cuts c = { all, BUF_INIT, froms };
	struct mboxrd_sink s = { &c, c_begin, c_data, c_end };
	struct mboxrd r;
	size_t off = 0;

	mboxrd_init(&r, &s);
	while (off < n) {
		size_t k = step && step < n - off ? step : n - off;

		mboxrd_feed(&r, p + off, k);
		off += k;
	}
	mboxrd_finish(&r);
	mboxrd_release(&r);
	buf_release(&c.one);
}

/* Write the messages of all ("length:bytes", From lines in froms) as an
 * mboxrd stream into out, and what reading it must give into want. */
static void
rewrite(const struct buf *all, const struct buf *froms, struct buf *out,
	struct buf *want)
{
	const char *a = all->data ? all->data : "", *ae = a + all->len;
	const char *f = froms->data ? froms->data : "";

	while (a < ae) {
		char *colon;
		size_t len = strtoul(a, &colon, 10);
		struct buf one = BUF_INIT;
		char line[MBOXRD_FROM_MAX + 8];

		/* a message of text before any From line has none */
		snprintf(line, sizeof line, "%s", *f ? f : "From x");
		if (strpbrk(line, "\r\n") || strncmp(line, "From ", 5))
			snprintf(line, sizeof line, "From x");
		buf_add(&one, colon + 1, len);
		if (mboxrd_write(out, line, colon + 1, len, NULL) < 0)
			abort();
		if (len && colon[len] != '\n')
			buf_addch(&one, '\n');
		add_msg(want, &one);
		buf_release(&one);
		a = colon + 1 + len;
		f += strlen(f) + 1;
	}
}

static int
streamed(const char *p, size_t n, size_t step, struct buf *all)
{
	struct batch_reader r;
	struct buf one = BUF_INIT;
	struct err e;
	size_t off = 0;
	int fds[2], got;

	if (pipe(fds) < 0)
		abort();
	batch_reader_init(&r, fds[0], 0);
	if (n == 0)
		close(fds[1]);
	for (;;) {
		if (off < n) {
			size_t k = n - off < step ? n - off : step;

			if (write(fds[1], p + off, k) != (ssize_t)k)
				abort();
			off += k;
			if (off == n)
				close(fds[1]);
		}
		while ((got = batch_reader_next(&r, &one, off == n, &e)) ==
			BATCH_MSG)
			add_msg(all, &one);
		if (got == BATCH_END || got < 0)
			break;
		/* BATCH_TOOBIG cannot happen without a cap */
		if (got != BATCH_AGAIN)
			abort();
	}
	if (off < n)		/* stopped early: the write end is still open */
		close(fds[1]);
	close(fds[0]);
	batch_reader_release(&r);
	buf_release(&one);
	return got;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf want = BUF_INIT, got = BUF_INIT, froms = BUF_INIT;
	struct buf w = BUF_INIT, wwant = BUF_INIT;
	const char *p = (const char *)data + 1;
	size_t step, n = size - 1;
	int rg, refused;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	step = 1 + data[0] % 97;
	cut(p, n, 0, &want, &froms);
	cut(p, n, step, &got, NULL);
	if (want.len != got.len || (want.len &&
		memcmp(want.data, got.data, want.len) != 0))
		abort();
	/* --batch: the same cuts, or refused as not an mbox stream */
	buf_reset(&got);
	rg = streamed(p, n, step, &got);
	refused = n && (n < 5 || memcmp(p, "From ", 5) != 0);
	if (refused ? rg >= 0 || got.len : rg < 0 || want.len != got.len ||
		(want.len && memcmp(want.data, got.data, want.len) != 0))
		abort();
	/* written back and read again: the same messages */
	rewrite(&want, &froms, &w, &wwant);
	buf_reset(&got);
	cut(w.data ? w.data : "", w.len, step, &got, NULL);
	if (wwant.len != got.len || (got.len &&
		memcmp(wwant.data, got.data, got.len) != 0))
		abort();
	buf_release(&want);
	buf_release(&got);
	buf_release(&froms);
	buf_release(&w);
	buf_release(&wwant);
	return 0;
}
