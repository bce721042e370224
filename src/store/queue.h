/*
 * queue.h: msend's send queue, a maildir-like spool (DESIGN.md 7).
 *
 * Where: $XDG_STATE_HOME/mkit/queue/ (XDG default ~/.local/state), with
 *   tmp/ID     an entry being written (never read; stale ones removed)
 *   msg/ID     a queued message: its envelope, a blank line, its bytes.
 *              Written once to tmp/, fsynced, renamed here, msg/ fsynced:
 *              after kill -9 an entry is whole or absent, never half.
 *   state/ID   its retry state (attempts, next attempt, in doubt, last
 *              error, "being sent"), replaced whole (durable_replace); missing = never
 *              tried. Losing it loses backoff, never mail.
 *   journal/P.N  the ids of a window being sent by flush P (queue_mark_sending_all)
 *
 * The entry file (text up to the blank line, one "key value" per line):
 *   mkit-queue 1 / account NAME / from ADDR / rcpt ADDR (one per
 *   recipient) / flags N / dsn-notify N / dsn-return N / envid X /
 *   queued EPOCH
 *
 * Locks: queue_lock() takes an fcntl write lock (an open file description
 * lock where the system has them) on msg/ID and checks the entry is still
 * linked, so two flushes never hold one message at once and a message
 * removed by one is skipped by the other.
 */
#ifndef MKIT_QUEUE_H
#define MKIT_QUEUE_H

#include <stddef.h>
#include <time.h>

#include "base/err.h"

/* The first retry after this many seconds, doubling, capped below. */
#define QUEUE_BACKOFF_FIRST 60
#define QUEUE_BACKOFF_MAX 3600

struct queue_env {
	char *account;		/* account name, "" for none */
	char *from;		/* envelope sender, "" = <> */
	char **rcpt;
	size_t nrcpt;
	unsigned flags;		/* smtp_msg flags (8BITMIME, SMTPUTF8) */
	unsigned dsn_notify;
	int dsn_return;
	char *envid;		/* or NULL */
	time_t queued;		/* first queued */

	/* The retry state (state/ID). */
	unsigned attempts;
	time_t next;		/* due at; 0 = now */
	int in_doubt;		/* the last try was cut after the final dot */
	char last_error[512];
};

/* The spool directory for this user: a new string, or NULL with ERR_CONFIG
 * (no $HOME and no absolute $XDG_STATE_HOME). */
char *queue_dir(struct err *e);

/*
 * Queue a message (head then body, CRLF line ends) with env (queued = now
 * when 0; its retry fields, when attempts is not 0, as the first state:
 * the try that failed before queueing; last_error must be one line) durably in dir, creating the
 * directories (0700). Sets *id to the new entry's name (caller frees; id
 * may be NULL). Errors: ERR_USAGE (a CR or LF in an envelope value, no
 * recipient), ERR_CANTCREAT, ERR_IO (ENOSPC included: nothing is left
 * behind).
 */
int queue_add(const char *dir, const struct queue_env *env,
	const char *head, size_t head_len, const char *body, size_t body_len,
	char **id, struct err *e);

/* The entries in msg/, oldest first: *ids (n strings, caller frees each
 * and the array). A missing spool is an empty one. Removes tmp/ files older
 * than an hour (left by a killed writer). Errors: ERR_IO. */
int queue_list(const char *dir, char ***ids, size_t *n, struct err *e);

/* One locked entry. */
struct queue_entry {
	char *id;
	int fd;			/* msg/ID, locked; -1 when not held */
	struct queue_env env;
	char *data;		/* the whole entry file */
	size_t len;
	size_t msg_off;		/* where the message starts in data */
};

/*
 * Lock entry id and read it into qe. Returns 1 (locked and read), 0 (gone,
 * or held by another process: skip it), or -1 with ERR_IO or ERR_DATA (not
 * an entry: named in the message). Release with queue_entry_release().
 */
int queue_lock(const char *dir, const char *id, struct queue_entry *qe,
	struct err *e);

/* Read entry id without locking it (for listing): 1, 0 (gone) or -1. */
int queue_peek(const char *dir, const char *id, struct queue_entry *qe,
	struct err *e);

/* Remove a locked entry (message, then its state) durably. ERR_IO. */
int queue_remove(const char *dir, struct queue_entry *qe, struct err *e);
/* The same for the n locked entries qe[0..n), the durability batched: every
 * message unlinked, then msg/ synced once, then the states unlinked.
 * ERR_IO: then some may be gone but none is known removed for good. */
int queue_remove_all(const char *dir, struct queue_entry **qe, size_t n,
	struct err *e);

/* Record a failed try of a locked entry: attempts + 1, next = now +
 * queue_backoff(attempts), in_doubt and the reason (may be NULL), written
 * durably. ERR_IO. */
int queue_defer(const char *dir, struct queue_entry *qe, time_t now,
	int in_doubt, const char *reason, struct err *e);

/* Before its data goes out: mark a locked entry "being sent", so that if
 * this process dies before queue_remove() or queue_defer(), the next
 * reader sees it in doubt (in_doubt 1, last_error saying why). ERR_IO. */
int queue_mark_sending(const char *dir, const struct queue_entry *qe,
	struct err *e);
/*
 * queue_mark_sending() for the window qe[0..n), with one durable write for
 * them all: their ids go to a journal, journal/PID.N, synced and held
 * locked by this process, then each entry's state says "being sent" (not
 * synced: that survives this process being killed). A journal that nobody
 * holds (its flush died, or the system crashed) is found by the next
 * queue_list(), which marks its entries still queued in doubt. Call
 * queue_journal_done() once every outcome of the window is recorded.
 * ERR_IO, ERR_CANTCREAT: then none may be sent (j holds nothing).
 */
struct queue_journal {
	int fd;			/* locked; -1: none */
	char path[4096];
};
int queue_mark_sending_all(const char *dir, const struct queue_entry *qe,
	size_t n, struct queue_journal *j, struct err *e);
/* Remove the window's journal (no sync: a journal that comes back after a
 * crash only flags its entries in doubt). */
void queue_journal_done(struct queue_journal *j);

/* Seconds to wait after the n-th failed try (n >= 1). */
long queue_backoff(unsigned n);

/* Unlock and free. */
void queue_entry_release(struct queue_entry *qe);
void queue_env_release(struct queue_env *env);

#endif
