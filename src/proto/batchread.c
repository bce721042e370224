/* batchread.c: the --batch stream reader (see batch.h): the store's
 * message source (store/msgsrc.h, mboxrd streams only) with a size cap,
 * complete messages queued until taken. Apart from the sender so that it
 * links with the store and base alone (fuzz_batch). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/batch.h"

/* ---- the sink: messages into the queue ---- */

/* A queue entry for the message in r->cur (toobig: only its verdict). */
static void
push(struct batch_reader *r, int toobig)
{
	struct batch_ready *q;

	if (r->qn == r->qalloc) {
		r->qalloc = r->qalloc ? r->qalloc * 2 : 16;
		r->q = xrealloc(r->q, r->qalloc * sizeof(*r->q));
	}
	q = &r->q[r->qn++];
	q->toobig = toobig;
	buf_init(&q->msg, 0);
	if (!toobig) {
		struct buf t = q->msg;

		q->msg = r->cur;
		r->cur = t;
	}
}

/* Count n more stream bytes of the current message against the cap: 0
 * when they fit, else the message is reported too big and skipped. */
static int
over_cap(struct batch_reader *r, size_t n)
{
	if (r->skipping)
		return 1;
	r->cur_bytes += n;
	if (!r->max || r->cur_bytes <= r->max)
		return 0;
	r->skipping = 1;
	buf_reset(&r->cur);
	push(r, 1);
	return 1;
}

static void
rd_begin(void *ctx, const struct msgsrc_msg *m)
{
	struct batch_reader *r = ctx;

	buf_reset(&r->cur);
	r->cur_bytes = 0;
	r->skipping = 0;
	over_cap(r, m->from_len + 1);
}

static void
rd_data(void *ctx, const void *d, size_t n)
{
	struct batch_reader *r = ctx;

	if (!over_cap(r, n))
		buf_add(&r->cur, d, n);
}

static void
rd_end(void *ctx, int complete)
{
	struct batch_reader *r = ctx;

	if (complete && !r->skipping)
		push(r, 0);
	buf_reset(&r->cur);
	/* A big message read earlier does not pin its memory. */
	if (r->cur.alloc > BATCH_KEEP_BYTES)
		buf_release(&r->cur);
}

/* ---- the reader ---- */

void
batch_reader_init(struct batch_reader *r, int fd, size_t max)
{
	static const struct msgsrc_sink sink = { NULL, rd_begin, rd_data,
		rd_end, NULL };
	struct msgsrc_sink s = sink;

	memset(r, 0, sizeof(*r));
	s.ctx = r;
	r->max = max;
	buf_init(&r->cur, 0);
	msgsrc_init(&r->src, &s, MSGSRC_MBOX_ONLY);
	msgsrc_open(&r->src, fd, fd == 0 ? "standard input" : "the input");
}

void
batch_reader_release(struct batch_reader *r)
{
	size_t i;

	msgsrc_release(&r->src);
	for (i = 0; i < r->qn; i++)
		buf_release(&r->q[i].msg);
	free(r->q);
	buf_release(&r->cur);
}

int
batch_reader_next(struct batch_reader *r, struct buf *out, int wait,
	struct err *err)
{
	for (;;) {
		int got;

		buf_reset(out);
		if (r->qhead < r->qn) {
			struct batch_ready *q = &r->q[r->qhead++];
			struct buf t = *out;

			if (q->toobig) {
				err_set(err, ERR_DATA, "message larger than "
					"%zu bytes", r->max);
				return BATCH_TOOBIG;
			}
			*out = q->msg;
			q->msg = t;
			return BATCH_MSG;
		}
		for (; r->qn; r->qn--)
			buf_release(&r->q[r->qn - 1].msg);
		r->qhead = 0;
		if (r->eof)
			return BATCH_END;
		got = msgsrc_step(&r->src, wait, err);
		if (got < 0)
			return -1;
		if (got == MSGSRC_AGAIN)
			return BATCH_AGAIN;
		if (got == MSGSRC_END)
			r->eof = 1;
	}
}
