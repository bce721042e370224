/*
 * queue.h: msend's send queue, a maildir-like spool (DESIGN.md 7).
 *
 * Where: $XDG_STATE_HOME/mkit/queue/ (XDG default ~/.local/state), with
 *   tmp/ID     an entry being written (never read; stale ones removed)
 *   msg/ID     a queued message: its envelope, a blank line, its bytes.
 *              Written once to tmp/, fsynced, renamed here, msg/ fsynced:
 *              after kill -9 an entry is whole or absent, never half.
 *   state/ID   its retry state after a failed try in a flush (attempts,
 *              next attempt, in doubt, last error, "sending" after a
 *              recovery), replaced whole (durable_replace); missing = the
 *              envelope's. Losing it loses backoff, never mail.
 *   journal/P.N  the ids being sent by flush P (queue_mark_sending_all)
 *   free/ID    the file of a removed entry, kept for queue_add() to write
 *              the next entry over (queue_unlink_all()): never read
 *
 * The entry file (text up to the blank line, one "key value" per line):
 *   mkit-queue 1 / account NAME / from ADDR / rcpt ADDR (one per
 *   recipient) / flags N / dsn-notify N / dsn-return N / envid X /
 *   attempts N / next EPOCH / error TEXT (the try that failed before
 *   queueing, when there was one) / queued EPOCH
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

struct queue_entry;
struct queue_closer;
struct queue_ahead;

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

/*
 * Replace the locked entry qe by a new message under its name (a report of
 * its failure to its sender), atomically: its state goes (durably), then
 * the new entry is written and renamed over the old. Killed at any moment,
 * the queue holds the old entry (without retry state) or the new one:
 * never both, never neither. qe still holds the old file: release it.
 * Errors: as queue_add(); then the old entry is still there.
 */
int queue_replace(const char *dir, struct queue_entry *qe,
	const struct queue_env *env, const char *msg, size_t len,
	struct err *e);

/* The entries in msg/, oldest first: *ids (n strings, caller frees each
 * and the array). A missing spool is an empty one. Removes tmp/ files older
 * than an hour (left by a killed writer). Errors: ERR_IO. */
int queue_list(const char *dir, char ***ids, size_t *n, struct err *e);

/* One locked entry. */
struct queue_entry {
	char *id;
	int fd;			/* msg/ID, locked; -1 when not held */
	struct queue_env env;
	char *data;		/* the entry file's start: the envelope and
				   the message's header at least (the
				   whole of a small one) */
	size_t len;
	size_t msg_off;		/* where the message starts in data (and in
				   the file) */
	size_t size;		/* the message's bytes, in the file from
				   msg_off; data holds len - msg_off of them */
	int has_state;		/* state/ID exists */
	int replaced;		/* by queue_replace(): msg/ID is another */
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

/* Record a failed try of a locked entry: attempts + 1, next = now +
 * queue_backoff(attempts), in_doubt and the reason (may be NULL), written
 * durably. ERR_IO. */
int queue_defer(const char *dir, struct queue_entry *qe, time_t now,
	int in_doubt, const char *reason, struct err *e);

/*
 * The journal of a flush: the ids of every window it sends, durable before
 * any of their data goes out, locked while the flush lives. A journal that
 * nobody holds (its flush died, or the system crashed) is found by the
 * next queue_list() or queue_mark_sending_all(), which marks each of its
 * entries still queued and not settled in doubt. One journal serves many
 * windows: each adds its ids with one fdatasync, made in a thread while
 * the window is read when queue_journal_ahead() wrote them.
 */
struct queue_journal {
	int fd;			/* locked; -1: none */
	size_t removed;		/* entries unlinked since msg/ was synced */
	struct queue_closer *closer;	/* closes removed entries' files */
	struct queue_ahead *ahead;	/* ids being synced ahead */
	long nfree;		/* files in free/ (-1: not counted yet) */
	char path[4096];
};
#define QUEUE_JOURNAL_INIT { -1, 0, NULL, NULL, -1, "" }

/*
 * Before the data of the locked window qe[0..n) goes out: add their ids to
 * j (creating it when j->fd is -1), durably. A journal left by a flush
 * that died since the listing is recovered first, and qe's states read
 * again (such an entry is now in doubt). ERR_IO, ERR_CANTCREAT: then none
 * may be sent.
 */
int queue_mark_sending_all(const char *dir, struct queue_entry *qe,
	size_t n, struct queue_journal *j, struct err *e);

/*
 * Before the entries of the next window are locked and read: add the ids
 * of their candidates ids[0..n) to j (when it exists) and sync them in a
 * thread meanwhile, so that queue_mark_sending_all() waits for no sync of
 * its own when they are all among them (else it marks the others as
 * before). An id written so and not sent (held by another flush, not due,
 * another account's) comes back in doubt only after a crash.
 */
void queue_journal_ahead(char *const *ids, size_t n,
	struct queue_journal *j);

/* The outcome of qe (of j) is recorded and it stays queued (deferred, its
 * state written by queue_defer()): a recovery leaves it alone. Not synced:
 * after a crash of the system it may come back in doubt. */
void queue_journal_settle(struct queue_journal *j,
	const struct queue_entry *qe);

/*
 * Remove the locked entries qe[0..n) of j's windows (delivered or refused),
 * not yet durably: queue_journal_done() syncs them all at once, and until
 * then j (which names them) brings them back in doubt after a crash of the
 * system. A small entry's file moves to free/ (up to a bound) rather than
 * being freed, for queue_add() to reuse. Each entry removed has its fd
 * handed over (-1). ERR_IO: then the entries still holding their fd are
 * still queued.
 */
int queue_unlink_all(const char *dir, struct queue_entry **qe, size_t n,
	struct queue_journal *j, struct err *e);

/*
 * Wait for the files of j's removed entries to be closed (a thread closes
 * them: freeing an inode may wait for the filesystem's journal), make j's
 * removals durable (one sync of msg/), then remove j. ERR_IO:
 * the journal stays, unlocked, and its entries still queued come back in
 * doubt.
 */
int queue_journal_done(const char *dir, struct queue_journal *j,
	struct err *e);

/* Seconds to wait after the n-th failed try (n >= 1). */
long queue_backoff(unsigned n);

/* Unlock and free. */
void queue_entry_release(struct queue_entry *qe);
void queue_env_release(struct queue_env *env);

#endif
