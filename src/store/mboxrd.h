/*
 * mboxrd.h: read an mboxrd stream (several messages in one byte stream).
 *
 * A line that starts with "From " at the start of the stream or after an
 * empty line separates messages (elsewhere it is text an mboxo writer
 * forgot to quote); the line break before it (the writer's blank line)
 * belongs to it. In
 * message lines, ">From ", ">>From "... lose one '>' (mboxrd unquoting).
 * Text before the first "From " line, if any, is a message of its own (with
 * an empty From line). Chunks may split lines anywhere; memory stays
 * bounded by a few kilobytes whatever the line lengths.
 */
#ifndef MKIT_MBOXRD_H
#define MKIT_MBOXRD_H

#include <stddef.h>

#include "base/buf.h"

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

struct mboxrd {
	struct mboxrd_sink sink;
	struct buf win;		/* undecided tail */
	struct buf from;	/* the From line being read */
	char held[2];		/* line break not yet given out */
	size_t nheld;
	int bol;		/* at the start of a line */
	int prev_empty;		/* the last complete line was empty */
	int line_bytes;		/* the current line has content */
	int in_from;		/* reading a From line */
	int in_msg;
	size_t count;		/* messages begun */
};

void mboxrd_init(struct mboxrd *r, const struct mboxrd_sink *sink);
void mboxrd_feed(struct mboxrd *r, const void *data, size_t len);
/* End of input: ends the last message (its final line break is dropped,
 * as the writer's separating blank line). */
void mboxrd_finish(struct mboxrd *r);
void mboxrd_release(struct mboxrd *r);

#endif
