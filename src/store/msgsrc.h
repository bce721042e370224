/*
 * msgsrc.h: where the programs' messages come from (mparse, msend --batch;
 * next mpop's and mimap's inputs).
 *
 * A source is a byte stream (standard input, a file) or a maildir folder.
 * The rule for a stream, the same for every program: a stream whose first
 * line starts with "From " is an mboxrd stream (mboxrd.h), any number of
 * messages, unquoted; any other stream is one message, its bytes as they
 * are (an empty stream too). A source opened with MSGSRC_MBOX_ONLY refuses
 * the second kind instead (ERR_DATA, before any message is begun), except
 * an empty stream, which is then an mbox without messages. Each file of a
 * maildir is one message, never split.
 *
 * Messages go to the sink as they are read, in chunks: memory stays
 * bounded whatever their sizes. Nothing here prints.
 */
#ifndef MKIT_MSGSRC_H
#define MKIT_MSGSRC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/mboxrd.h"

enum msgsrc_flags {
	/* Only mboxrd streams (msend --batch: a stream that is not one
	 * would go out as one message holding many). */
	MSGSRC_MBOX_ONLY = 1 << 0,
};

struct msgsrc_msg {
	/* For messages about it: the stream's or file's name, or
	 * "NAME: message N" for the N-th message of an mbox stream. */
	const char *name;
	size_t index;		/* N, counting from 1 within its stream */
	const char *from;	/* its mbox From line (no line break), or
				 * NULL when it did not come from an mbox */
	size_t from_len;
	/* >= 0: the message is this regular file from offset 0 to its end
	 * and can be read again (pread); -1 otherwise. */
	int fd;
};

struct msgsrc_sink {
	void *ctx;
	/* A message starts; m is valid until its end. */
	void (*begin)(void *ctx, const struct msgsrc_msg *m);
	/* Its bytes (unquoted), in order. */
	void (*data)(void *ctx, const void *d, size_t n);
	/* It ends; complete is 0 when reading broke off inside it (the
	 * caller's error follows): what came is not the message. */
	void (*end)(void *ctx, int complete);
	/* A maildir file that could not be opened or read was skipped (e
	 * says why); the walk goes on. May be NULL. */
	void (*skip)(void *ctx, const struct err *e);
};

enum msgsrc_step {
	MSGSRC_END = 0,		/* end of the stream, every message ended */
	MSGSRC_MORE,		/* read something: call again */
	MSGSRC_AGAIN,		/* nothing ready to read (wait 0) */
};

struct msgsrc {
	struct msgsrc_sink sink;
	unsigned flags;
	char *chunk;		/* read buffer */
	/* the stream being read */
	int fd;
	int fd_regular;		/* fd is a regular file */
	struct buf name;
	struct buf head;	/* its first bytes, while its kind is open */
	int kind;		/* 0 not known yet, or a KIND_ in msgsrc.c */
	int in_msg;		/* a message was begun and not ended */
	size_t count;		/* messages begun in it */
	struct buf where;	/* the current message's name */
	struct msgsrc_msg cur;
	struct mboxrd mb;
};

void msgsrc_init(struct msgsrc *s, const struct msgsrc_sink *sink,
	unsigned flags);
void msgsrc_release(struct msgsrc *s);

/*
 * Read path to its end: "-" is standard input (named "stdin"), a
 * directory a maildir, anything else a file. Errors: ERR_NOINPUT (path
 * cannot be opened, or is a directory that is not a maildir), ERR_IO (a
 * read failed: the message being read ends incomplete), ERR_DATA (not an
 * mbox stream with MSGSRC_MBOX_ONLY). Messages ended before an error were
 * whole.
 */
int msgsrc_read_path(struct msgsrc *s, const char *path, struct err *err);

/*
 * For a caller that works as input arrives (msend --batch): read the
 * stream on fd (the caller's; not closed), called name in messages, with
 * msgsrc_step until it returns MSGSRC_END or -1. Each step reads once
 * (with wait 0 only when input is ready: MSGSRC_AGAIN otherwise) and hands
 * out what that completes: a message ends as soon as the next separator
 * line is read. Errors (-1) as msgsrc_read_path.
 */
void msgsrc_open(struct msgsrc *s, int fd, const char *name);
int msgsrc_step(struct msgsrc *s, int wait, struct err *err);

#endif
