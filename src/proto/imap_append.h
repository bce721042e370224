/*
 * imap_append.h: APPEND of a stream of messages (RFC 9051 6.3.12), in
 * bounded memory, with MULTIAPPEND (RFC 3502) and LITERAL+ (RFC 7888)
 * when offered and APPENDUID (RFC 4315) reported for each message.
 *
 * A literal announces its size before its bytes, so each message is
 * spooled first (line ends made CRLF) to an unlinked temporary file in
 * $TMPDIR (else /tmp), then sent from there in pieces: a message of any
 * size never sits whole in memory. With MULTIAPPEND the messages go as
 * one APPEND command per batch of up to IMAP_APPEND_BATCH (the server
 * appends all of a batch or none); without, one APPEND per message, a
 * window of them in flight with LITERAL+, one at a time without.
 *
 * Errors: imap.h's; ERR_CANTCREAT and ERR_IO for the spool; ERR_DATA for
 * a message the server refused (NO or BAD to its APPEND).
 */
#ifndef MKIT_IMAP_APPEND_H
#define MKIT_IMAP_APPEND_H

#include <stddef.h>

#include "base/err.h"
#include "proto/imap.h"

/* Messages in one MULTIAPPEND command. */
#define IMAP_APPEND_BATCH	64

/* What the server said of one appended message; uid 0: no APPENDUID. */
struct imap_appended {
	size_t index;			/* 1 for the first message */
	unsigned long long uidvalidity, uid;
};

typedef void imap_appended_fn(void *ctx, const struct imap_appended *a);

struct imap_append_opts {
	const char *folder;		/* UTF-8 */
	const char *flags;		/* "(\Seen)" or NULL */
	const char *date;		/* "01-Nov-2026 10:00:00 +0000" or NULL */
	imap_appended_fn *fn;		/* each message, in order, once the
					   server has it (may be NULL) */
	void *ctx;
};

struct imap_appender;

/* Start appending to o->folder on im (borrowed; o is copied, its strings
 * borrowed). NULL with e (ERR_CANTCREAT) when no spool can be made. */
struct imap_appender *imap_append_new(struct imap *im,
	const struct imap_append_opts *o, struct err *e);

/*
 * One message: begin, its bytes in any pieces (any line ends), end. At
 * end it is sent (or added to the open MULTIAPPEND command). Each returns
 * 0, or -1 with e; after a failure only imap_append_free() is useful.
 */
int imap_append_begin(struct imap_appender *a, struct err *e);
int imap_append_data(struct imap_appender *a, const void *d, size_t n,
	struct err *e);
int imap_append_end(struct imap_appender *a, struct err *e);

/* Send what is open and wait for every reply. 0, or -1 with e. */
int imap_append_finish(struct imap_appender *a, struct err *e);

/* Messages ended so far, and those the server confirmed. */
size_t imap_append_count(const struct imap_appender *a);
size_t imap_append_done(const struct imap_appender *a);
/* Commands sent and not answered (the session is then unusable after a
 * failure: the caller frees it rather than logging out). */
size_t imap_append_pending(const struct imap_appender *a);

/* Free (the session stays the caller's). NULL allowed. */
void imap_append_free(struct imap_appender *a);

#endif
