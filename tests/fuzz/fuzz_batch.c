/* fuzz_batch: the --batch stream reader (batchread.c) against
 * msgprep_mbox_next on the whole input. Any bytes, fed through a pipe in
 * steps set by the first byte, must be cut into exactly the messages
 * msgprep_mbox_next finds, in order and byte for byte, and end the same
 * way (the end of the stream, or an error for both). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "mime/msgprep.h"
#include "proto/batch.h"

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

static int
reference(const char *p, size_t n, struct buf *all)
{
	struct buf one = BUF_INIT;
	struct err e;
	size_t pos = 0;
	int r;

	while ((r = msgprep_mbox_next(p, n, &pos, &one, &e)) == 1)
		add_msg(all, &one);
	buf_release(&one);
	return r;
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
	struct buf want = BUF_INIT, got = BUF_INIT;
	size_t step;
	int rw, rg;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	step = 1 + data[0] % 97;
	rw = reference((const char *)data + 1, size - 1, &want);
	rg = streamed((const char *)data + 1, size - 1, step, &got);
	/* the same messages, and both at the end or both failed */
	if (want.len != got.len || (want.len &&
		memcmp(want.data, got.data, want.len) != 0) ||
		(rw < 0) != (rg < 0))
		abort();
	buf_release(&want);
	buf_release(&got);
	return 0;
}
