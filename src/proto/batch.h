/*
 * batch.h: msend --batch, an mboxrd stream sent as it arrives (msend).
 *
 * The stream is read in chunks; a message is cut as soon as it is complete
 * (the next "From " separator line, or end of input, has been seen), split
 * and unquoted by the store's one mboxrd reader (store/mboxrd.h, through
 * store/msgsrc.h). Prepared messages
 * (sendmail_prepare) gather in a window that is sent with one smtp_send()
 * call when it holds BATCH_WINDOW_MSGS messages or BATCH_WINDOW_BYTES bytes,
 * when the input has nothing more ready for now, or at the end of input;
 * every window goes over the same connection, opened when the first message
 * is ready. Each window's results are handed out in stream order before
 * the window is freed and more input is read, so memory is bounded by one
 * window (and one message being read), not by the stream.
 *
 * Connection loss: the messages of the window then get smtp_send()'s
 * verdict (not sent, or in doubt); there is no reconnection after that
 * (every later message is read, cut and reported failed with the same
 * error, never sent), so no message is ever sent twice. The one exception
 * is a server that hung up (or said 421) while the connection was idle,
 * waiting for input between two windows: nothing was in flight, so the next
 * window opens a new connection.
 *
 * Nothing here prints.
 */
#ifndef MKIT_BATCH_H
#define MKIT_BATCH_H

#include <stddef.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "mime/msgprep.h"
#include "proto/sendmail.h"
#include "proto/smtp.h"
#include "store/msgsrc.h"

/* A window: at most this many messages, or about this many bytes of
 * prepared messages (a single larger message makes a window alone). */
#define BATCH_WINDOW_MSGS 64
#define BATCH_WINDOW_BYTES ((size_t)8 << 20)
/* Buffers grown past this by one big message are freed after it. */
#define BATCH_KEEP_BYTES ((size_t)1 << 20)

/* ---- the reader (batchread.c): complete messages from a descriptor ---- */

enum batch_next {
	BATCH_END = 0,		/* end of input */
	BATCH_MSG,		/* a message, unquoted, in out */
	BATCH_AGAIN,		/* no complete message and no input ready */
	BATCH_TOOBIG,		/* a message over the cap, skipped (err) */
};

struct batch_ready {
	struct buf msg;
	int toobig;		/* only its verdict: over the cap */
};

struct batch_reader {
	struct msgsrc src;	/* the stream, mboxrd only */
	size_t max;		/* per message, in stream bytes; 0: none */
	struct buf cur;		/* the message being read */
	size_t cur_bytes;	/* its From line and bytes so far */
	int skipping;		/* it is over the cap: dropped */
	struct batch_ready *q;	/* messages complete and not taken */
	size_t qn, qhead, qalloc;
	int eof;
};

void batch_reader_init(struct batch_reader *r, int fd, size_t max);
void batch_reader_release(struct batch_reader *r);

/*
 * The next complete message into out (reset first). With wait 0 it never
 * blocks: BATCH_AGAIN when more input is needed and none is ready. A
 * message of more than max bytes (its From line included) gives
 * BATCH_TOOBIG with err (ERR_DATA "message larger than N bytes") in its
 * place; its bytes are dropped as they come. Errors (-1): ERR_IO (read
 * failed; the message being read is lost), ERR_DATA (the stream is not an
 * mboxrd stream: its first line does not start with "From ", the rule of
 * store/msgsrc.h; nothing is cut from it).
 */
int batch_reader_next(struct batch_reader *r, struct buf *out, int wait,
	struct err *err);

/* ---- the sender ---- */

struct batch_opts {
	const struct sendmail_env *env;	/* for every message */
	const struct account *acc;
	const struct aliases *al;	/* may be NULL */
	unsigned send_flags;		/* SMTP_PARTIAL */
	size_t max_msg_bytes;		/* per message; 0: no cap */
	/* Open the session (called when a window is ready to go and no
	 * session is open); NULL with err filled when that fails. */
	struct smtp *(*open)(void *arg, struct err *err);
	/* One message's result, in stream order, index counting from 1.
	 * size is its size on the wire, 0 when it was not prepared (then
	 * m->from is NULL). m is valid for the call only. */
	void (*result)(void *arg, size_t index, const struct smtp_msg *m,
		size_t size);
	/* After each window's results (to flush output); may be NULL. */
	void (*window_done)(void *arg);
	void *arg;
};

/*
 * Send the mboxrd stream on fd as described above, until its end. Every
 * message cut from the stream gets exactly one result. Returns 0, or -1
 * with err when the stream could not be read to its end (batch_reader_next
 * errors); the messages cut before that were sent and reported.
 */
int batch_run(int fd, const struct batch_opts *o, struct err *err);

#endif
