/* batch.c: the --batch sender (see batch.h); the reader is batchread.c. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/batch.h"

/* ---- the sender ---- */

struct window {
	struct sendmail_msg v[BATCH_WINDOW_MSGS];
	struct smtp_msg send[BATCH_WINDOW_MSGS];
	size_t map[BATCH_WINDOW_MSGS];
	size_t n;
	size_t bytes;
};

struct run {
	const struct batch_opts *o;
	struct window *w;
	struct smtp *s;
	int dead;		/* the connection failed: nothing more goes */
	struct err dead_err;
	size_t index;		/* messages reported */
};

/* The session for the next window, or NULL (dead) with dead_err. */
static struct smtp *
session(struct run *b)
{
	struct err e;

	if (b->dead)
		return NULL;
	/* A server that hung up on an idle connection: nothing was in
	 * flight, a new connection cannot send anything twice. */
	if (b->s && smtp_idle_check(b->s, &e) < 0) {
		smtp_free(b->s);
		b->s = NULL;
	}
	if (!b->s) {
		err_clear(&e);
		b->s = b->o->open(b->o->arg, &e);
		if (!b->s) {
			b->dead = 1;
			b->dead_err = e;
		}
	}
	return b->s;
}

/* Send the window (QUIT behind it when last), report and free it. */
static void
flush_window(struct run *b, int last)
{
	const struct batch_opts *o = b->o;
	struct window *w = b->w;
	size_t i, nm = 0;
	struct err e;

	for (i = 0; i < w->n; i++)
		if (w->v[i].msg.err.code == ERR_NONE) {
			w->send[nm] = w->v[i].msg;
			w->map[nm++] = i;
		}
	if (nm && session(b) && smtp_send(b->s, w->send, nm, o->send_flags |
		(last ? SMTP_QUIT_AFTER : 0), &e) < 0) {
		smtp_free(b->s);
		b->s = NULL;
		b->dead = 1;
		b->dead_err = e;
		/* Later messages never left: not in doubt. */
		if (e.code == ERR_IO)
			b->dead_err.code = ERR_TEMPFAIL;
	} else if (nm && b->dead) {
		for (i = 0; i < nm; i++)
			w->send[i].err = b->dead_err;
	}
	for (i = 0; i < nm; i++)
		w->v[w->map[i]].msg = w->send[i];
	for (i = 0; i < w->n; i++) {
		struct sendmail_msg *sm = &w->v[i];

		o->result(o->arg, ++b->index, &sm->msg, sm->msg.head ?
			msgprep_size(&sm->mp) : 0);
		sendmail_msg_release(sm);
	}
	if (w->n && o->window_done)
		o->window_done(o->arg);
	w->n = 0;
	w->bytes = 0;
}

/* Prepare the message in one (or record why not) as the window's next. */
static void
add(struct run *b, const struct buf *one, const struct err *toobig)
{
	const struct batch_opts *o = b->o;
	struct window *w = b->w;
	struct sendmail_msg *sm = &w->v[w->n++];

	sendmail_msg_init(sm);
	if (toobig)
		sm->msg.err = *toobig;
	else if (msgprep_set(&sm->mp, one->data ? one->data : "", one->len,
		MSGPREP_KEEP_FROM_LINE, &sm->msg.err) == 0 &&
		sendmail_prepare(sm, o->env, o->acc, o->al,
		&sm->msg.err) < 0) {
		/* kept with its error; not sent */
	}
	w->bytes += sm->mp.raw.alloc + sm->mp.head.alloc;
	if (w->n == BATCH_WINDOW_MSGS || w->bytes >= BATCH_WINDOW_BYTES)
		flush_window(b, 0);
}

int
batch_run(int fd, const struct batch_opts *o, struct err *err)
{
	struct batch_reader rd;
	struct buf one = BUF_INIT;
	struct run b;
	struct err e;
	int r, ret = 0;

	memset(&b, 0, sizeof b);
	b.o = o;
	b.w = xcalloc(1, sizeof(*b.w));
	batch_reader_init(&rd, fd, o->max_msg_bytes);
	for (;;) {
		err_clear(&e);
		/* Block for input only when nothing waits to be sent. */
		r = batch_reader_next(&rd, &one, b.w->n == 0, &e);
		if (r == BATCH_AGAIN)
			flush_window(&b, 0);
		else if (r == BATCH_MSG) {
			add(&b, &one, NULL);
			if (one.alloc > BATCH_KEEP_BYTES)
				buf_release(&one);
		} else if (r == BATCH_TOOBIG)
			add(&b, &one, &e);
		else
			break;
	}
	flush_window(&b, 1);
	if (r < 0) {
		*err = e;
		ret = -1;
	}
	smtp_quit(b.s);
	batch_reader_release(&rd);
	buf_release(&one);
	free(b.w);
	return ret;
}
