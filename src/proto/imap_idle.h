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

/*
 * Several folders on one session with NOTIFY (RFC 5465), for a server
 * that offers it: NOTIFY SET asks for every change of the selected
 * folder (EXISTS, EXPUNGE, FETCH, as above) and a STATUS for a change in
 * any other watched folder; a STATUS whose counts (MESSAGES, UIDNEXT,
 * UIDVALIDITY, HIGHESTMODSEQ) differ from what the watch knows makes the
 * group leave IDLE, EXAMINE that folder and catch it up as after a
 * reconnection (UID SEARCH, CHANGEDSINCE, UID FETCH LAST+1:*), which
 * then stays selected. Because a server may say nothing of some folders
 * (Dovecot 2.3 was seen silent about one with a non-ASCII name), the
 * check (imap_notify_check) also asks the STATUS of each folder not
 * selected, so such a change waits at most until the next check.
 * CONDSTORE is enabled when offered, so that flag changes in the other
 * folders are told too. The watches (w, n of them) stay the caller's;
 * while in the group their sessions are its.
 *
 * imap_notify_attach() takes the session over (closed on failure; after
 * a NO or BAD to NOTIFY itself imap_notify_refused() is 1: the caller may
 * fall back to one session per folder); _input, _check and _close are as
 * for one watch.
 */
struct imap_notify;

struct imap_notify *imap_notify_new(struct imap_watch **w, size_t n);
/* Close (no LOGOUT) and free; not the watches. NULL allowed. */
void imap_notify_free(struct imap_notify *g);
int imap_notify_attach(struct imap_notify *g, struct imap *im,
	struct err *e);
struct imap *imap_notify_session(struct imap_notify *g);
int imap_notify_refused(const struct imap_notify *g);
int imap_notify_input(struct imap_notify *g, struct err *e);
int imap_notify_check(struct imap_notify *g, struct err *e);
void imap_notify_close(struct imap_notify *g, int logout);

#endif
