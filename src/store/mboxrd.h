/*
 * mboxrd.h: the one mboxrd reader and writer (several messages in one
 * byte stream). mparse and msend --batch read with it (through msgsrc.h);
 * mpop and mimap write with it.
 *
 * The format, as both sides read and write it:
 *  - A separator is a line that starts with "From " at the start of the
 *    stream or after an empty line ("\n" or "\r\n"). A "From " line
 *    anywhere else is message text (an mboxo writer forgot to quote it).
 *  - The empty line before a separator belongs to the separator: the
 *    message before it loses that line's line break. At the end of the
 *    stream, the same holds for a last line that is empty (the writer's
 *    separating blank line); otherwise every byte of the last message is
 *    kept, its final line break included. Python's mailbox.mbox reads
 *    well-formed streams the same way.
 *  - In message lines, ">From ", ">>From "... lose one '>' (mboxrd
 *    unquoting); the writer adds one to every line matching ^>*From .
 *  - Text before the first separator, if any, is a message of its own
 *    with an empty From line (msgsrc.h never hands such a stream here).
 */
#ifndef MKIT_MBOXRD_H
#define MKIT_MBOXRD_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* ---- reading ---- */

struct mboxrd_sink {
	void *ctx;
	/* A message starts; from is its "From " line without the line
	 * break (possibly cut to MBOXRD_FROM_MAX bytes), len its length. */
	void (*begin)(void *ctx, const char *from, size_t len);
	/* The message's bytes, unquoted, in order. */
	void (*data)(void *ctx, const void *d, size_t len);
	void (*end)(void *ctx);
};

#define MBOXRD_FROM_MAX 4096

/* A push reader: chunks may split lines anywhere; every callback for a
 * message comes from the mboxrd_feed (or mboxrd_finish) call that saw its
 * bytes, so a message is ended as soon as the next separator line's
 * "From " is seen. Memory stays bounded by MBOXRD_FROM_MAX whatever the
 * line lengths. */
struct mboxrd {
	struct mboxrd_sink sink;
	struct buf from;	/* the From line being read */
	char held[2];		/* line break not yet given out */
	size_t nheld;
	int cr;			/* a '\r' ended the last chunk */
	int bol;		/* at the start of a line, matching */
	size_t gt;		/* '>' matched there */
	size_t fk;		/* bytes of "From " matched after them */
	int prev_empty;		/* the last complete line was empty */
	int line_bytes;		/* the current line has content */
	int in_from;		/* reading a From line */
	int in_msg;
	size_t count;		/* messages begun */
};

void mboxrd_init(struct mboxrd *r, const struct mboxrd_sink *sink);
/* The next len bytes of the stream. */
void mboxrd_feed(struct mboxrd *r, const void *data, size_t len);
/* End of input: ends the last message (see above for its last line). The
 * reader can then only be released. */
void mboxrd_finish(struct mboxrd *r);
void mboxrd_release(struct mboxrd *r);

/* ---- writing ---- */

/* A writer appends one message at a time to out (the caller's buffer,
 * which it may write out and reset between calls). */
struct mboxrd_writer {
	struct buf *out;
	size_t gt;		/* '>' seen at the start of this line */
	size_t fk;		/* bytes of "From " matched after them */
	int bol;		/* at the start of a line (matching) */
	int any;		/* the message has bytes */
	int last_lf;		/* its last byte was '\n' */
	int crlf;		/* set by the caller after _begin: CRLF
				   line ends in the input become LF */
	int cr;			/* crlf: a CR ended the last chunk */
};

/*
 * Start a message: append its separator line. from_line is the whole
 * line without a line break ("From sender date"); it must start with
 * "From " and hold no CR, LF or NUL: ERR_USAGE otherwise (nothing
 * appended).
 */
int mboxrd_write_begin(struct mboxrd_writer *w, struct buf *out,
	const char *from_line, struct err *err);
/* The message's next bytes, quoted; chunks may split lines anywhere.
 * With w->crlf, each CRLF (one split between chunks too) is made LF in the
 * same pass, as tolf.h does: the wire form in, one copy out. */
void mboxrd_write_data(struct mboxrd_writer *w, const void *d, size_t n);
/* End the message: a line break when it has bytes and does not end with
 * one (the one byte mboxrd cannot keep), then the separating empty line.
 * Reading the result gives back the message's bytes. */
void mboxrd_write_end(struct mboxrd_writer *w);
/* The three above for a message in memory. */
int mboxrd_write(struct buf *out, const char *from_line, const void *msg,
	size_t len, struct err *err);

#endif
