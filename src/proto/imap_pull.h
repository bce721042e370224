/*
 * imap_pull.h: mimap pull, a crash-safe incremental mirror of IMAP
 * folders into maildirs (issue 11).
 *
 * RFC 9051  IMAP4rev2 (SELECT, UID FETCH, UID STORE, UID SEARCH)
 * RFC 7162  CONDSTORE (CHANGEDSINCE, HIGHESTMODSEQ) and QRESYNC (ENABLE
 *           QRESYNC, SELECT (QRESYNC ...), VANISHED (EARLIER))
 * RFC 4315  UIDPLUS (UID EXPUNGE; imap_uid_expunge's fallback without)
 *
 * Per folder: the state (syncstate.h) and the maildir (mdirsync.h) are
 * read, the folder selected, and then, in this order:
 *  - UIDVALIDITY changed (or files of another UIDVALIDITY are in the
 *    maildir): the server's Message-IDs and sizes are fetched and each such
 *    file is given its new UID when one matches, or kept aside (its tag
 *    dropped: a file of the user's own), never removed;
 *  - what changed on the server since the state: with QRESYNC the SELECT
 *    alone tells (VANISHED (EARLIER) and FETCH FLAGS), with CONDSTORE a
 *    UID FETCH (FLAGS) (CHANGEDSINCE) and a UID SEARCH for expunges,
 *    without either a UID FETCH 1:* (FLAGS) compared with the state;
 *  - flags merged flag by flag against the state (syncstate_merge): a
 *    change on either side wins over no change; with CONDSTORE pushed
 *    with UNCHANGEDSINCE (imap_flagpush.h), so that a change made on the
 *    server meanwhile is merged in too, and wins over the local one;
 *  - messages expunged on the server removed locally (kept, untagged,
 *    with keep_local), files removed locally expunged on the server only
 *    with push_deletes (else remembered, so never fetched again);
 *  - new messages fetched in batches: written, fsync'd, renamed into
 *    place, directories fsync'd, then the state recorded.
 * A kill -9 at any moment and a rerun leave every message once.
 *
 * Errors are imap.h's and the store's; a folder's failure names it.
 */
#ifndef MKIT_IMAP_PULL_H
#define MKIT_IMAP_PULL_H

#include "base/buf.h"
#include "base/err.h"
#include "proto/imap.h"

enum imap_pull_layout {
	IMAP_PULL_MAILDIRPP,	/* INBOX is ROOT, a/b is ROOT/.a.b */
	IMAP_PULL_TREE,		/* ROOT/INBOX, ROOT/a/b */
};

struct imap_pull_opts {
	const char *root;	/* the maildir (root of the layout) */
	enum imap_pull_layout layout;
	const char *state_dir;	/* syncstate_dir() (locked by the caller) */
	int keep_local, push_deletes;
	/* a file of another UIDVALIDITY that matched no message */
	void (*aside)(void *ctx, const char *folder, const char *path);
	/* new messages: done of total in folder (may be NULL) */
	void (*progress)(void *ctx, const char *folder, unsigned long done,
		unsigned long total);
	void *ctx;
};

struct imap_pull_result {
	const char *mode;	/* "qresync", "condstore" or "full" */
	unsigned long fetched;	/* new messages down */
	unsigned long flags_local;	/* files given the server's flags */
	unsigned long flags_server;	/* messages given local flags */
	unsigned long conflicts;	/* a local change the server's
					 * undid meanwhile: the server's won */
	unsigned long removed;		/* server expunges removed locally */
	unsigned long kept;		/* ... kept (keep_local) */
	unsigned long expunged;		/* local deletes expunged */
	unsigned long aside;		/* files kept aside */
	int uidvalidity_changed;
	char maildir[4096];
};

/*
 * The maildir folder of IMAP folder (UTF-8) with hierarchy delimiter
 * delim (0: none) under root, into out (reset). ERR_DATA for a name that
 * cannot be a path ("", ".", ".." as a level).
 */
int imap_pull_path(const char *root, enum imap_pull_layout layout,
	const char *folder, char delim, struct buf *out, struct err *e);

/* A session pulling. */
struct imap_pull {
	struct imap *im;
	unsigned long enable_tag;	/* ENABLE QRESYNC not yet waited for */
};

/*
 * Start pulling on im: ENABLE QRESYNC is queued when offered, and sent
 * with the first SELECT (an unchanged folder costs one round trip).
 */
void imap_pull_start(struct imap_pull *p, struct imap *im);

/* Pull folder (UTF-8); delim its delimiter, or -1 when unknown (then the
 * state's, or a LIST asks). Fills r. */
int imap_pull_folder(struct imap_pull *p, const char *folder, int delim,
	const struct imap_pull_opts *o, struct imap_pull_result *r,
	struct err *e);

#endif
