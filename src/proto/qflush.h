/*
 * qflush.h: deliver msend's queue (store/queue.h) and open an SMTP session
 * with failover over an account's hosts.
 *
 * A flush locks each due entry, takes one account at a time (entries
 * oldest first within one), and sends each in windows on one connection,
 * pipelined as smtp_send() does, every message with its own envelope.
 * Then per message:
 *   delivered (2xx to its data)          removed, after the final reply
 *   4xx, or the connection failed first  kept; retried after a backoff
 *   5xx (refused recipient or message)   removed and reported
 *   in doubt (cut after the final dot)   kept, flagged, and sent again at
 *                                        the next flush (as Postfix does:
 *                                        it may arrive twice, and is
 *                                        reported so both times)
 *   older than the account's queue_lifetime   dropped and reported
 * An entry held by another flush is skipped: two flushes never send one
 * message at once.
 */
#ifndef MKIT_QFLUSH_H
#define MKIT_QFLUSH_H

#include <time.h>

#include "base/conf.h"
#include "base/err.h"
#include "proto/smtp.h"
#include "store/queue.h"

struct transcript;

/*
 * smtp_open() over acc's hosts (acc->host may hold several, separated by
 * blanks), in order: a connection failure, timeout or 4xx greeting
 * (ERR_TEMPFAIL, ERR_NOHOST) moves to the next; any other error ends it.
 * Returns the session (smtp_peer() names the server that answered) or
 * NULL with the last host's error. skipped (may be NULL) gets the error of
 * the last host passed over, or ERR_NONE when the first one answered.
 */
struct smtp *qflush_open(const struct account *acc, const char *password,
	unsigned flags, struct transcript *ts, struct err *skipped,
	struct err *e);

/* 1 when e says another server (or a later try) may do better. */
int qflush_retryable(const struct err *e);

enum qflush_outcome {
	QFLUSH_SENT,		/* delivered and removed */
	QFLUSH_DEFERRED,	/* kept for a later try */
	QFLUSH_IN_DOUBT,	/* kept, flagged; sent again next time */
	QFLUSH_FAILED,		/* refused for good, removed */
	QFLUSH_EXPIRED,		/* past queue_lifetime, removed */
};

struct qflush_ops {
	/* The account named by a queued entry ("" for the default), owned
	 * by the caller; NULL with e to keep that account's entries. */
	const struct account *(*account)(void *arg, const char *name,
		struct err *e);
	/* A session for acc (qflush_open() and a password, failover to a
	 * fallback account: the caller's), or NULL with e. */
	struct smtp *(*open)(void *arg, const struct account *acc,
		struct err *e);
	/* Each entry's outcome; m is NULL for EXPIRED and for entries whose
	 * connection could not be opened (why: e). peer: the server, or
	 * NULL. */
	void (*result)(void *arg, const struct queue_entry *qe,
		enum qflush_outcome out, const struct smtp_msg *m,
		const char *peer, const struct err *why);
	/* Before a FAILED or EXPIRED entry leaves the queue (m NULL for
	 * EXPIRED): replace it by its report to its sender (queue_replace())
	 * so that no kill loses or doubles the report. 1: replaced (the
	 * entry is that report now), 0: no report due (the entry is
	 * removed), -1: not queued (the entry is kept for another try). */
	int (*report)(void *arg, struct queue_entry *qe,
		enum qflush_outcome out, const struct smtp_msg *m,
		const struct err *why);
	void *arg;
};

/*
 * Flush the queue in dir at time now; force: ignore the backoff (every
 * entry is due). Returns the number of entries not delivered and still
 * queued (0: the queue is empty of due mail) or -1 with e (the spool
 * cannot be read, or the removals of delivered entries could not be made
 * durable, which leaves them to come back in doubt: ERR_IO).
 */
long qflush_run(const char *dir, time_t now, int force,
	const struct qflush_ops *ops, struct err *e);

#endif
