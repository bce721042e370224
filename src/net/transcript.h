/*
 * transcript.h: the protocol transcript shown by -v.
 *
 * Every line sent is written as "> line", every line received as
 * "< line", notes from the library as "* note", each ended by '\n', to a
 * FILE * or to a callback. Line ends (CRLF) are not part of the text passed
 * in. Secrets never reach the transcript: a command sent with
 * transcript_sent_secret() shows its public prefix followed by
 * "<redacted>" ("AUTH PLAIN <redacted>", or just "<redacted>" for a SASL
 * continuation line), so the output can be pasted into a bug report.
 * Message data (SMTP DATA/BDAT, an IMAP APPEND literal, a POP3 RETR or IMAP
 * FETCH body) is summarised as "> [message data: 1234 bytes]" (or "<") when
 * the data ends, unless TRANSCRIPT_FULL_DATA is set, in which case every
 * data line is shown as sent or received.
 *
 * Control characters (C0, DEL, C1) and bytes that are not UTF-8 are shown
 * as "\xNN", so a hostile server cannot drive the terminal. Every function accepts t == NULL and then does
 * nothing, so callers never need to test whether -v is on.
 * The transcript never fails: write errors on the FILE * are ignored.
 */
#ifndef MKIT_TRANSCRIPT_H
#define MKIT_TRANSCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

enum transcript_flags {
	TRANSCRIPT_FULL_DATA = 1 << 0,	/* show data lines, not a summary */
};

enum transcript_dir {
	TRANSCRIPT_SENT,	/* "> " */
	TRANSCRIPT_RECV,	/* "< " */
};

/*
 * Called once per transcript line with the complete text, prefix included
 * and without the final '\n' (for example "> EHLO host"). text is valid only
 * during the call.
 */
typedef void transcript_fn(void *arg, const char *text, size_t len);

struct transcript {
	FILE *fp;		/* used when fn is NULL */
	transcript_fn *fn;
	void *arg;
	unsigned flags;		/* enum transcript_flags */
	/* private: message data in progress, per direction */
	unsigned long long data_bytes[2];
	struct buf part[2];	/* unfinished data line (full mode) */
	struct buf line;	/* scratch for building one output line */
};

/* Write to fp (not owned, not closed). */
void transcript_init_file(struct transcript *t, FILE *fp, unsigned flags);
/* Call fn(arg, text, len) for each line. */
void transcript_init_fn(struct transcript *t, transcript_fn *fn, void *arg,
	unsigned flags);
/* Free the scratch storage; the transcript can be initialised again. */
void transcript_release(struct transcript *t);

/* One command line sent (without CRLF). */
void transcript_sent(struct transcript *t, const char *line, size_t len);
/*
 * A command line sent (without CRLF) whose bytes after the first publen
 * are secret: shows the first publen bytes then "<redacted>". publen 0
 * gives a bare "<redacted>" (a SASL continuation line). Use it for AUTH
 * with an initial response ("AUTH PLAIN " is public), every client SASL
 * continuation, POP3 "PASS ", APOP, IMAP "tag LOGIN ".
 */
void transcript_sent_secret(struct transcript *t, const char *line,
	size_t len, size_t publen);
/* One reply line received (without its line end). */
void transcript_recv(struct transcript *t, const char *line, size_t len);
/* A note from the library ("* connected to host:port (TLSv1.3)"). */
void transcript_note(struct transcript *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Message data, in any chunks, as it goes over the wire (line ends
 * included). Counted, and shown line by line only with
 * TRANSCRIPT_FULL_DATA. transcript_data_end() closes the data in that
 * direction: it prints the summary "> [message data: N bytes]" (N = the
 * bytes passed since the previous end) or, in full mode, flushes an
 * unfinished last line. The SMTP end-of-data "." line is a command line
 * (transcript_sent), not data.
 */
void transcript_data(struct transcript *t, enum transcript_dir dir,
	const char *data, size_t len);
void transcript_data_end(struct transcript *t, enum transcript_dir dir);

#endif
