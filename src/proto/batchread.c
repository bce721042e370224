/* batchread.c: the --batch stream reader (see batch.h). Apart from the
 * sender so that it links with msgprep and base alone (fuzz_batch). */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "proto/batch.h"

#define BATCH_READ_CHUNK 65536

/* "\nFrom ": a line starting with "From " (msgprep_mbox_next's rule). */
static const char sep[] = "\nFrom ";
#define SEP_LEN (sizeof(sep) - 1)

void
batch_reader_init(struct batch_reader *r, int fd, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max;
	buf_init(&r->in, 0);
}

void
batch_reader_release(struct batch_reader *r)
{
	buf_release(&r->in);
}

/* The uncut input: from r->off (a message's first byte) to the end. */
static const char *
pending(const struct batch_reader *r, size_t *len)
{
	*len = r->in.len - r->off;
	return r->in.data ? r->in.data + r->off : "";
}

/* Drop n bytes at the front of the uncut input. */
static void
drop(struct batch_reader *r, size_t n)
{
	r->off += n;
	r->scan = 0;
	if (r->off == r->in.len) {
		buf_reset(&r->in);
		r->off = 0;
	}
}

/*
 * Read one chunk. 1: read something (or reached the end), 0: nothing
 * ready (wait 0), -1 on error. Compacts first, so a chunk costs at most one
 * move of the uncut rest, whatever the number of messages in it.
 */
static int
fill(struct batch_reader *r, int wait, struct err *e)
{
	ssize_t n;

	if (r->off) {
		buf_consume(&r->in, r->off);
		r->off = 0;
	}
	/* A big message read earlier does not pin its memory. */
	if (r->in.alloc > BATCH_KEEP_BYTES &&
		r->in.len < BATCH_KEEP_BYTES / 2) {
		struct buf rest;

		buf_init(&rest, 0);
		buf_add(&rest, r->in.data, r->in.len);
		buf_release(&r->in);
		r->in = rest;
	}
	for (;;) {
		if (!wait) {
			struct pollfd p = { .fd = r->fd, .events = POLLIN };
			int pr = poll(&p, 1, 0);

			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0)
				return 0;
			/* ready, hung up or an error: read() tells */
		}
		buf_grow(&r->in, BATCH_READ_CHUNK);
		n = read(r->fd, r->in.data + r->in.len, BATCH_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, ERR_IO, errno, "reading %s",
				r->fd == 0 ? "standard input" : "the input");
		if (n == 0)
			r->eof = 1;
		r->in.len += (size_t)n;
		r->in.data[r->in.len] = '\0';
		return 1;
	}
}

/* Offset of the first "\nFrom " in d[from..len), or len. */
static size_t
find_sep(const char *d, size_t len, size_t from)
{
	const char *p = len > from ? memmem(d + from, len - from, sep,
		SEP_LEN) : NULL;

	return p ? (size_t)(p - d) : len;
}

static int
too_big(struct batch_reader *r, struct err *e)
{
	err_set(e, ERR_DATA, "message larger than %zu bytes", r->max);
	return BATCH_TOOBIG;
}

/* Skip the rest of an oversized message. 1 when done, 0 for more input. */
static int
skip(struct batch_reader *r)
{
	size_t len, k;
	const char *d = pending(r, &len);

	k = find_sep(d, len, 0);
	if (k < len) {
		drop(r, k + 1);
		r->skipping = 0;
		return 1;
	}
	if (r->eof) {
		drop(r, len);
		r->skipping = 0;
		return 1;
	}
	/* keep what could be the start of a separator */
	if (len > SEP_LEN - 1)
		drop(r, len - (SEP_LEN - 1));
	return 0;
}

/*
 * Cut the next message if the input holds all of it: BATCH_MSG, BATCH_END
 * (end of input, nothing left), BATCH_TOOBIG, -1, or BATCH_AGAIN for "read
 * more".
 */
static int
cut(struct batch_reader *r, struct buf *out, struct err *e)
{
	size_t len, k, pos = 0;
	const char *d;
	int ret;

	if (r->skipping && !skip(r))
		return BATCH_AGAIN;
	d = pending(r, &len);
	if (!r->started) {
		/* Blank lines before the first separator are tolerated. */
		for (k = 0; k < len && (d[k] == '\n' || d[k] == '\r'); k++)
			;
		drop(r, k);
		d = pending(r, &len);
		if (len < 5 && !r->eof && !memchr(d, '\n', len))
			return BATCH_AGAIN;
		if (len == 0)
			return BATCH_END;
		if (len < 5 || memcmp(d, "From ", 5) != 0)
			/* msgprep_mbox_next says what is wrong */
			return msgprep_mbox_next(d, len, &pos, out, e) < 0 ?
				-1 : BATCH_END;
		r->started = 1;
	}
	if (len == 0)
		return r->eof ? BATCH_END : BATCH_AGAIN;
	/* d starts with a separator line (no '\n' before it, so the search
	 * cannot match it): the message ends at the next one. */
	k = find_sep(d, len, r->scan);
	if (k == len && !r->eof) {
		r->scan = len > SEP_LEN - 1 ? len - (SEP_LEN - 1) : 0;
		if (r->max && len > r->max) {
			r->skipping = 1;
			skip(r);
			return too_big(r, e);
		}
		return BATCH_AGAIN;
	}
	if (k < len)
		k++;		/* the separator line's first byte */
	if (r->max && k > r->max) {
		drop(r, k);
		return too_big(r, e);
	}
	ret = msgprep_mbox_next(d, k, &pos, out, e);
	drop(r, k);
	if (ret < 0)
		return -1;
	return ret == 1 ? BATCH_MSG : BATCH_END;
}

int
batch_reader_next(struct batch_reader *r, struct buf *out, int wait,
	struct err *err)
{
	for (;;) {
		int got;

		buf_reset(out);
		got = cut(r, out, err);
		if (got != BATCH_AGAIN)
			return got;
		if (r->eof)
			return BATCH_END;
		got = fill(r, wait, err);
		if (got <= 0)
			return got < 0 ? -1 : BATCH_AGAIN;
	}
}
