/*
 * pop3.h: the POP3 client engine (mpop).
 *
 * One session: pop3_open() connects, reads the greeting (keeping its APOP
 * timestamp), asks CAPA, upgrades with STLS when the account asks for it
 * (required: no credential is sent when it is missing or refused; the
 * capabilities seen before TLS are thrown away and asked again), and logs
 * in: SASL AUTH through saslx.h, USER/PASS, or APOP when the account names
 * it. Then pop3_scan() lists the messages (LIST and UIDL), pop3_retr()
 * streams messages to a sink (dot-unstuffed, CRLF made LF, never a whole
 * message in memory), pop3_dele() marks them deleted, and pop3_quit()
 * commits the deletions (RFC 1939 6: only QUIT's +OK does).
 *
 * With PIPELINING in CAPA (RFC 2449 6.6) the commands of one call go out
 * in one write and the replies are matched in order; without it every
 * command waits for the reply to the one before.
 *
 * Plaintext credentials (USER/PASS, PLAIN, LOGIN) go over an unencrypted
 * connection only when the account says "tls off" and names the method
 * itself ("auth user"), or says "allow_plaintext_auth on".
 *
 * Error codes (struct err; messages start with "host:port: "):
 *   ERR_TEMPFAIL    -ERR [IN-USE], [LOGIN-DELAY] or [SYS/TEMP]; timeout;
 *                   connection refused or lost
 *   ERR_UNAVAILABLE another -ERR to a command the session needs (STAT,
 *                   LIST, UIDL when required, QUIT); STLS required but not
 *                   offered or refused; [SYS/PERM]; no login method in
 *                   common; APOP asked but the greeting has no timestamp
 *   ERR_NOPERM      login refused, TLS verification failed, plaintext
 *                   credentials refused, the server failed to prove its
 *                   identity (SCRAM)
 *   ERR_PROTOCOL    malformed reply or listing, a status line or greeting
 *                   over the line cap (64 KiB), bytes before TLS
 *   ERR_CONFIG      port 995 (implicit TLS) with STLS configured; unknown
 *                   method
 *   ERR_NOHOST, ERR_IO as in conn.h
 */
#ifndef MKIT_POP3_H
#define MKIT_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"

struct conn;
struct transcript;

/* What CAPA announced (RFC 2449 6). */
enum pop3_cap {
	POP3_CAP_CAPA = 1 << 0,		/* CAPA worked */
	POP3_CAP_TOP = 1 << 1,
	POP3_CAP_USER = 1 << 2,
	POP3_CAP_SASL = 1 << 3,
	POP3_CAP_RESP_CODES = 1 << 4,
	POP3_CAP_PIPELINING = 1 << 5,
	POP3_CAP_UIDL = 1 << 6,
	POP3_CAP_STLS = 1 << 7,		/* RFC 2595 4 */
	POP3_CAP_APOP = 1 << 8,		/* the greeting has a timestamp */
};

enum pop3_open_flags {
	POP3_NO_AUTH = 1 << 0,		/* stop before login (-S) */
	POP3_NO_PIPELINING = 1 << 1,	/* one command per round trip */
};

struct pop3;

/*
 * Open a session for acc (host required) and log in. password is the
 * secret (borrowed for the call; NULL when no login needs one). ts (may be
 * NULL) receives the transcript, secrets redacted, and must outlive the
 * session. The login method: acc->auth_method "USER" (USER/PASS), "APOP",
 * a SASL name, or NULL: SASL when CAPA offers it (the strongest
 * mechanism), else USER/PASS. No login at all with acc->auth off (a
 * server that lets anyone in is rare; the caller decides). Returns a
 * session to end with pop3_quit() or pop3_free(), or NULL with err.
 */
struct pop3 *pop3_open(const struct account *acc, const char *password,
	unsigned flags, struct transcript *ts, struct err *err);

/*
 * As pop3_open(), on a connection the caller has made (conn_from_fd() in a
 * test): the session takes c over (closed by pop3_quit()/pop3_free(), and
 * here on failure) and starts from the greeting.
 */
struct pop3 *pop3_start(struct conn *c, const struct account *acc,
	const char *password, unsigned flags, struct err *err);

/* One message on the server, from LIST and UIDL: 16 bytes, no pointer,
 * so that a mailbox of 10,000 costs little more than its UIDLs. */
struct pop3_msg {
	unsigned long long size;	/* octets, as LIST says */
	uint32_t num;		/* message number (RFC 1939 msg) */
	uint32_t uidl;		/* 1 + its offset in pop3_list.ids, or 0
				   when the server has no UIDL */
};

struct pop3_list {
	struct pop3_msg *v;	/* in the server's order */
	size_t n;
	int have_uidl;		/* UIDL worked */
	int dup_uidl;		/* some UIDL listed twice */
	unsigned long long total;	/* sum of the sizes */
	struct buf ids;		/* the UIDLs, each NUL-terminated */
};

void pop3_list_release(struct pop3_list *l);

/* The UIDL of l->v[k] (unique id, 1..70 printable bytes; owned by l and
 * valid until it is released), or NULL when the server has no UIDL. */
const char *pop3_uidl(const struct pop3_list *l, size_t k);

/*
 * LIST and (with want_uidl) UIDL, pipelined when the server allows it.
 * A -ERR to UIDL is no error: have_uidl stays 0. Listing lines that do not
 * parse, numbers that do not match between LIST and UIDL, and a UIDL that
 * is not 1..70 bytes from 0x21..0x7E are ERR_PROTOCOL. l is initialised
 * here; release it with pop3_list_release() (also on failure).
 */
int pop3_scan(struct pop3 *p, int want_uidl, struct pop3_list *l,
	struct err *err);

/* STAT: the count and size of the maildrop. */
int pop3_stat(struct pop3 *p, unsigned long *count,
	unsigned long long *size, struct err *err);

/*
 * Where retrieved messages go. Each hook returns 0 or -1 with e (a local
 * failure: the disk is full, the MDA failed). begin is called when the +OK
 * of message i (an index into the caller's array) arrives; write any number
 * of times with the message's bytes (dot-unstuffed, line ends LF); end when
 * its final "." came; abort when it did not come whole (connection cut,
 * a local failure in write) after begin succeeded.
 */
struct pop3_sink {
	int (*begin)(void *ctx, size_t i, struct err *e);
	int (*write)(void *ctx, size_t i, const char *data, size_t len,
		struct err *e);
	int (*end)(void *ctx, size_t i, struct err *e);
	void (*abort)(void *ctx, size_t i);
};

/* What became of one message of pop3_retr() or pop3_dele(). */
enum pop3_status {
	POP3_NOT_DONE = 0,	/* not reached (an earlier failure) */
	POP3_DONE,		/* retrieved whole and ended / deleted */
	POP3_REFUSED,		/* -ERR: reply holds it */
	POP3_LOCAL_FAILED,	/* the sink failed: see the call's error */
};

struct pop3_result {
	enum pop3_status status;
	char reply[256];	/* the -ERR line, printable, or "" */
};

/*
 * Retrieve messages nums[0..n) (RETR, or TOP num lines when lines >= 0)
 * into the sink, res[i] telling what became of each. With PIPELINING
 * every command goes out at once, else one after the other. A -ERR to one
 * message is not a failure of the call (res[i] says it). When a sink hook
 * fails, the rest of the data already asked for is read and dropped (so
 * the session stays usable), no other hook is called, and the call returns
 * -1 with the sink's error and pop3_usable() true. A connection or
 * protocol failure returns -1 with pop3_usable() false; abort is called
 * for a message begun and not ended.
 */
int pop3_retr(struct pop3 *p, const unsigned long *nums, size_t n,
	long lines, const struct pop3_sink *sink, void *ctx,
	struct pop3_result *res, struct err *err);

/*
 * DELE nums[0..n), pipelined when the server allows it; res[i] per
 * message (a refusal is not a failure of the call). -1 on a connection or
 * protocol failure.
 */
int pop3_dele(struct pop3 *p, const unsigned long *nums, size_t n,
	struct pop3_result *res, struct err *err);

/*
 * Sending ahead (PIPELINING only; ERR_SOFTWARE without it): queue RETR and
 * DELE commands without waiting for their replies, so that the server is
 * never idle while the caller works, then read the replies in the order
 * the commands went out: pop3_recv_retr() and pop3_recv_dele() read those
 * of the n oldest commands still owed, which must be of their kind
 * (ERR_SOFTWARE else). nums are copied; res[k] answers the k-th command
 * of its send call. Failures as pop3_retr() and pop3_dele().
 */
int pop3_pipelining(const struct pop3 *p);
int pop3_send_retr(struct pop3 *p, const unsigned long *nums, size_t n,
	long lines, struct err *err);
int pop3_send_dele(struct pop3 *p, const unsigned long *nums, size_t n,
	struct err *err);
int pop3_recv_retr(struct pop3 *p, size_t n, const struct pop3_sink *sink,
	void *ctx, struct pop3_result *res, struct err *err);
int pop3_recv_dele(struct pop3 *p, size_t n, struct pop3_result *res,
	struct err *err);
/*
 * Read and drop the replies to every command still owed (message data
 * included: nothing reaches a sink). pop3_quit() does it first. -1 on a
 * connection or protocol failure.
 */
int pop3_drain(struct pop3 *p, struct err *err);

/* RSET (undo the deletions of this session) and NOOP. */
int pop3_rset(struct pop3 *p, struct err *err);
int pop3_noop(struct pop3 *p, struct err *err);

/*
 * QUIT and wait for its reply: the server commits the deletions only with
 * +OK (RFC 1939 6). Then close and free (always). -1 with err when the
 * reply is -ERR (ERR_UNAVAILABLE: deletions not done, "[SYS/TEMP]" makes
 * it ERR_TEMPFAIL) or never comes (ERR_TEMPFAIL). NULL allowed (0).
 */
int pop3_quit(struct pop3 *p, struct err *err);
/* Close and free without QUIT (after an error: nothing is deleted). */
void pop3_free(struct pop3 *p);

/* Can more commands go on the session (no connection or protocol
 * failure)? */
int pop3_usable(const struct pop3 *p);

/* What -S shows and messages name; the strings are owned by the session. */
struct pop3_info {
	const char *peer;	/* "host:port" */
	const char *greeting;	/* the line */
	const char *capa;	/* CAPA lines, each ended by LF; "" */
	unsigned caps;		/* enum pop3_cap */
	const char *sasl_mechs;	/* "" if none */
	const char *auth_used;	/* "USER", "APOP", a SASL name; NULL */
};

void pop3_info(const struct pop3 *p, struct pop3_info *out);
struct conn *pop3_conn(struct pop3 *p);

#endif
