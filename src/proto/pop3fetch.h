/*
 * pop3fetch.h: one mailbox fetched exactly once (mpop's job), on the POP3
 * engine (pop3.h), the delivery (store/deliver.h) and the UIDL state
 * (store/uidlstate.h).
 *
 * The order that makes it exactly once, per window of messages: RETR the
 * window (pipelined when the server allows it) into the delivery, then
 * deliver_sync() (every message of the window durable at once), then the
 * UIDLs recorded, and only then DELE the window (pipelined). A message is
 * never deleted on the server before it is durable and recorded. With
 * PIPELINING the next window's RETRs go out before this window is read to
 * its end, the window is made durable (deliver_sync_start(): a maildir in
 * a thread) while the next one is read, and its DELEs go out once it is
 * (RETR w0, RETR w1, RETR w2, DELE w0, RETR w3, DELE w1...): the server
 * streams and the disk syncs while we read. With a maildir or an mbox the
 * delivery journal records the UIDLs durably at each sync, and the state
 * file is written every 1,024 messages and at the end of each session
 * (then the journal is cut back); through an MDA or to a stream the state
 * is written at every window. A kill -9 anywhere leaves the journal that the
 * next run's deliver_recover() reads, so a maildir or mbox gets each
 * message once; through an MDA it is at least once. A refused DELE, or a
 * connection cut before QUIT committed the deletions, leaves the message
 * recorded: the next run deletes it without delivering it again.
 */
#ifndef MKIT_POP3FETCH_H
#define MKIT_POP3FETCH_H

#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"

struct transcript;

enum pop3_fetch_mode {
	POP3_FETCH_MAIL = 0,	/* fetch (the default) */
	POP3_FETCH_STATUS,	/* -s: count, fetch nothing */
	POP3_FETCH_INIT_STATE,	/* --init-state: record every message as
				   seen, fetch nothing */
	POP3_FETCH_SERVERINFO,	/* -S: connect, CAPA, no login */
};

/* What became of one message (for --json and the progress line). */
enum pop3_fetch_action {
	POP3_FETCH_DELIVERED,	/* fetched, durable and recorded */
	POP3_FETCH_SKIPPED,	/* over skipsize (or killsize with keep) */
	POP3_FETCH_KILLED,	/* over killsize: deleted without fetching */
	POP3_FETCH_OLD,		/* delivered by an earlier run, deleted now */
	POP3_FETCH_FAILED,	/* not delivered (the call's error says why) */
};

struct pop3_fetch_event {
	unsigned long num;	/* message number in this session */
	const char *uidl;	/* NULL without UIDL */
	unsigned long long size;
	enum pop3_fetch_action action;
	int deleted;		/* DELE was answered +OK */
	const char *dele_refused;	/* the -ERR to DELE, or NULL */
	size_t done, total;	/* progress: messages to fetch so far */
};

typedef void pop3_fetch_fn(void *arg, const struct pop3_fetch_event *ev);

struct pop3_fetch_opts {
	enum pop3_fetch_mode mode;
	const char *password;	/* borrowed; NULL when no login needs one */
	struct transcript *ts;	/* may be NULL */
	int stdout_fd;		/* >= 0: deliver to this stream (--stdout),
				   not to the account's delivery */
	size_t session_limit;	/* messages per session, then QUIT and
				   reconnect; 0: no limit */
	size_t window;		/* messages per RETR/sync/DELE round; 0:
				   POP3_FETCH_WINDOW */
	unsigned pop3_flags;	/* enum pop3_open_flags */
	int wait_lock;		/* wait for another process's lock */
	pop3_fetch_fn *fn;	/* may be NULL */
	void *arg;
};

#define POP3_FETCH_WINDOW	64

struct pop3_fetch_report {
	unsigned long count;	/* messages on the server (first session) */
	unsigned long long size;
	unsigned long new_count;	/* not yet delivered (-s) */
	unsigned long long new_size;
	unsigned long delivered, deleted, skipped, killed, sessions;
	int exit_status;	/* the MDA's exit status when it failed, else
				   0 (deliver_exit_status()) */
	char *state_path;	/* the UIDL state file (owned; free) */
	char *serverinfo;	/* -S: what the server said (owned; free) */
};

/*
 * Fetch acc's mailbox as o says, filling r (initialised here; release
 * with pop3_fetch_report_release(), also on failure). Returns 0, or -1
 * with e: the errors of pop3.h, deliver.h and uidlstate.h (ERR_TEMPFAIL
 * for a mailbox locked by another mpop), ERR_CONFIG for an account
 * without delivery (and without --stdout), or only_new on a server
 * without UIDL, ERR_PROTOCOL for only_new on a server that lists a UIDL
 * twice. A delivery failure names the message: "message 3 (UIDL
 * \"x\"): ...".
 */
int pop3_fetch(const struct account *acc, const struct pop3_fetch_opts *o,
	struct pop3_fetch_report *r, struct err *e);

void pop3_fetch_report_release(struct pop3_fetch_report *r);

#endif
