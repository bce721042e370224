/*
 * uidlstate.h: the UIDLs of the messages a mailbox has delivered (mpop's
 * "uidls file"), one state per user@host:port.
 *
 * Where: $XDG_STATE_HOME/mkit/uidls/USER@HOST:PORT (XDG default
 * ~/.local/state), or the account's uidls_file with mpop's %U (user) and
 * %H (host) substituted. Missing directories are created (mode 0700).
 *
 * The file: a first line "mkit-uidls 1", then one UIDL per line (mpop's
 * own format is refused with ERR_CONFIG; uidlstate_import_mpop() reads
 * it).
 * It is
 * only ever replaced whole (temp file, fsync, rename, directory fsync), so
 * a crash leaves the old state or the new one, never a mix. A lock
 * (flock on "STATE.lock", held until uidlstate_close) keeps a second
 * process off the same mailbox. A child forked while the state is open
 * shares the lock until it execs or exits (the descriptor is close-on-exec). "STATE.journal" is the delivery journal
 * (deliver.h) that goes with it.
 *
 * Per window of messages the caller does: deliver them, deliver_sync(),
 * uidlstate_add() each, uidlstate_commit(), then delete them on the
 * server: nothing is deleted before it is durable and recorded. With a
 * delivery journal (which records the UIDLs at deliver_sync) the commit
 * may wait for many windows, then deliver_checkpoint().
 */
#ifndef MKIT_UIDLSTATE_H
#define MKIT_UIDLSTATE_H

#include <stddef.h>

#include "base/err.h"

/* A UIDL is 1 to 70 characters from 0x21 to 0x7E (RFC 1939); the state
 * takes any of at most this many bytes without NUL, CR or LF. */
#define UIDLSTATE_UIDL_MAX 512

/*
 * The state file for user (may be NULL: "") on host:port. uidls_file: the
 * account's (mpop's %U and %H substituted; "%%" is a '%'), or NULL for the
 * default above (the user's '/' and '%' written as %2F and %25). When
 * uidls_file names a file in mpop's format (an ~/.mpoprc read as it is),
 * the state is "FILE.mkit" beside it, mpop's file left alone. Returns a
 * new string, or NULL with ERR_CONFIG (no $HOME and no absolute
 * $XDG_STATE_HOME).
 */
char *uidlstate_path(const char *uidls_file, const char *user,
	const char *host, unsigned port, struct err *e);

enum uidlstate_flags {
	UIDLSTATE_WAIT = 1 << 0,	/* wait for another process's lock */
};

struct uidlstate;

/*
 * Lock and load the state at path (a missing file is an empty state).
 * Errors: ERR_TEMPFAIL (locked by another process, without
 * UIDLSTATE_WAIT: "STATE: in use by another process"), ERR_CANTCREAT (the
 * directories or the lock file cannot be created), ERR_IO, ERR_DATA (not a
 * state file, or a line longer than UIDLSTATE_UIDL_MAX), ERR_CONFIG
 * (the file is mpop's: uidls_file names it). Returns a state
 * for uidlstate_close(), or NULL.
 */
struct uidlstate *uidlstate_open(const char *path, unsigned flags,
	struct err *e);

/* The state's file, and its delivery journal's (STATE.journal); owned by
 * s. */
const char *uidlstate_file(const struct uidlstate *s);
const char *uidlstate_journal(const struct uidlstate *s);

/* 1 when uidl (NUL-terminated) was recorded, else 0. */
int uidlstate_has(const struct uidlstate *s, const char *uidl);

/* Record uidl (a copy is kept; recording it again is no change).
 * ERR_USAGE for an empty one, or one with CR, LF or too long; ERR_DATA
 * when the state would pass 1 GiB. */
int uidlstate_add(struct uidlstate *s, const char *uidl, struct err *e);

/* Forget every UIDL that is not among the n in list (the server's whole
 * UIDL list: messages gone from the server need no memory). */
void uidlstate_retain(struct uidlstate *s, const char *const *list,
	size_t n);

/* Make room for n more UIDLs of bytes in all (their lengths plus one
 * each), so that recording them neither grows nor copies the tables: a
 * caller that knows what may come (the server's new messages) asks once. */
void uidlstate_reserve(struct uidlstate *s, size_t n, size_t bytes);

/* Number of UIDLs recorded. */
size_t uidlstate_count(const struct uidlstate *s);

/*
 * Write the state durably as described above, if it changed since it was
 * loaded or last committed. Errors: ERR_IO (ENOSPC included), with the
 * file on disk unchanged.
 */
int uidlstate_commit(struct uidlstate *s, struct err *e);

/*
 * For a user moving from mpop: add the UIDLs mpop recorded for user on
 * host from its uidls file at path (NULL: mpop's default,
 * ~/.mpop_uidls/USER_at_HOST). mpop's file is only read. Returns how many
 * were added (0 when the file does not exist or has no list for user and
 * host), or -1 with ERR_DATA (not mpop's format, "FILE:LINE: ...") or
 * ERR_IO. The caller commits.
 */
long uidlstate_import_mpop(struct uidlstate *s, const char *path,
	const char *user, const char *host, struct err *e);

/* Unlock and free, dropping changes not committed. NULL is allowed. */
void uidlstate_close(struct uidlstate *s);

#endif
