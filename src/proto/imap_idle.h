/*
 * imap_idle.h: watch one IMAP folder for changes (mimap idle), on a
 * session the caller opens (imap.h) and hands over, again after each
 * reconnection.
 *
 * The watch keeps the folder's messages (UID and flags, in sequence
 * order: 16 bytes a message) so that an EXPUNGE, which names a sequence
 * number, becomes a UID, and so that a flag change is told only when the
 * flags really changed. The first attach is the baseline: no events.
 * Every later attach (after a lost connection) catches up on what
 * happened meanwhile: UID SEARCH ALL against the known UIDs for
 * expunges, the flags of the known messages (only those changed since
 * the last HIGHESTMODSEQ with CONDSTORE, RFC 7162), and UID FETCH
 * LAST+1:* for the new ones, so no change is missed. A new UIDVALIDITY
 * is its own event, then a new baseline.
 *
 * The folder is opened with EXAMINE (read-only: watching changes
 * nothing). While attached with idle, the session is in IDLE (RFC 2177)
 * between commands; new messages (EXISTS) end it for one
 * UID FETCH LAST+1:* (UID FLAGS), then IDLE starts again.
 *
 * Errors are imap.h's; after one the caller closes the session with
 * imap_watch_close() and attaches a new one later.
 */
#ifndef MKIT_IMAP_IDLE_H
#define MKIT_IMAP_IDLE_H

#include <stddef.h>

#include "base/err.h"
#include "proto/imap.h"

/* UIDs in one event at most: more make several events. */
#define IMAP_EVENT_MAX_UIDS 1000

enum imap_event_kind {
	IMAP_EV_NEW,		/* messages arrived */
	IMAP_EV_EXPUNGE,	/* messages removed */
	IMAP_EV_FLAGS,		/* one message's flags changed */
	IMAP_EV_UIDVALIDITY,	/* the folder's UIDs start anew */
};

struct imap_event {
	enum imap_event_kind kind;
	const char *folder;		/* as given to imap_watch_new */
	const unsigned long long *uids;	/* ascending */
	size_t n;
	const char *flags;		/* FLAGS: its flags, by spaces
					   (\Recent left out) */
	unsigned long long uidvalidity;
};

/* Told each event, in the order the server told the changes. */
typedef void imap_event_fn(void *ctx, const struct imap_event *ev);

struct imap_watch;

/* A watch of folder (UTF-8; copied), not attached. */
struct imap_watch *imap_watch_new(const char *folder, imap_event_fn *fn,
	void *ctx);
/* Close the session (no LOGOUT) and free. NULL allowed. */
void imap_watch_free(struct imap_watch *w);

/*
 * Take the session im over: EXAMINE the folder, the baseline or the
 * catch-up (events), then IDLE when idle is 1 and the server offers it.
 * On failure the session is closed and -1 returned with e.
 */
int imap_watch_attach(struct imap_watch *w, struct imap *im, int idle,
	struct err *e);
/* The attached session, or NULL. */
struct imap *imap_watch_session(struct imap_watch *w);
/* Is the watch in IDLE (else it polls with imap_watch_check)? */
int imap_watch_idling(const struct imap_watch *w);

/*
 * The session has something to read: handle every response already
 * there (events), fetch new messages, IDLE again. 0, or -1 with e.
 */
int imap_watch_input(struct imap_watch *w, struct err *e);

/*
 * Prove the server is still there and ask for news: DONE (when idling),
 * NOOP, then as imap_watch_input. Renews an IDLE too.
 */
int imap_watch_check(struct imap_watch *w, struct err *e);

/* Detach: end the IDLE and LOGOUT when logout is 1 (a clean stop), else
 * just close (a dead connection). The folder's state stays for the next
 * attach. */
void imap_watch_close(struct imap_watch *w, int logout);

#endif
