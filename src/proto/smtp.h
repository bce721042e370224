/*
 * smtp.h: the SMTP client engine (msend).
 *
 * One session: smtp_open() connects, reads the greeting, says EHLO (HELO
 * when EHLO is refused with 500/502), upgrades with STARTTLS when the
 * account asks for it (required: no credential is ever sent when it is
 * missing or refused) and authenticates through saslx.h. smtp_send() then
 * runs any number of transactions on the connection, pipelined when the
 * server offers PIPELINING, with CHUNKING (BDAT) when offered, and records
 * per message and per recipient what the server said. smtp_quit() ends it.
 *
 * Error codes (struct err; messages start with "host:port: "):
 *   ERR_TEMPFAIL    4xx reply; timeout; connection refused; connection lost
 *                   before a message's final reply was due
 *   ERR_NOUSER      5xx to RCPT TO (the message names the recipient)
 *   ERR_UNAVAILABLE other 5xx; STARTTLS required but not offered or
 *                   refused; AUTH required but not offered; message larger
 *                   than the server's SIZE; SMTPUTF8 needed but not offered
 *   ERR_NOPERM      authentication failed (535 and other 5xx to AUTH), TLS
 *                   verification failed, the server failed to prove its
 *                   identity (SCRAM)
 *   ERR_PROTOCOL    malformed reply, unexpected code, bytes before TLS
 *   ERR_IO          connection lost after a message's data was sent and
 *                   before its final reply: the message is "in doubt" (it
 *                   may have been delivered). Not ERR_TEMPFAIL on purpose:
 *                   a retry could deliver it twice
 *   ERR_NOHOST, ERR_CONFIG as in conn.h and sasl.h
 */
#ifndef MKIT_SMTP_H
#define MKIT_SMTP_H

#include <stddef.h>
#include <sys/types.h>

#include "base/conf.h"
#include "base/err.h"

struct transcript;
struct conn;

/* Server extensions seen in the last EHLO reply. */
enum smtp_cap {
	SMTP_CAP_PIPELINING = 1 << 0,	/* RFC 2920 */
	SMTP_CAP_SIZE = 1 << 1,		/* RFC 1870 */
	SMTP_CAP_8BITMIME = 1 << 2,	/* RFC 6152 */
	SMTP_CAP_SMTPUTF8 = 1 << 3,	/* RFC 6531 */
	SMTP_CAP_DSN = 1 << 4,		/* RFC 3461 */
	SMTP_CAP_CHUNKING = 1 << 5,	/* RFC 3030 */
	SMTP_CAP_ENHANCEDSTATUSCODES = 1 << 6,	/* RFC 2034 */
	SMTP_CAP_STARTTLS = 1 << 7,	/* RFC 3207 */
	SMTP_CAP_AUTH = 1 << 8,		/* RFC 4954 */
	SMTP_CAP_EHLO = 1 << 9,		/* EHLO worked (else HELO) */
};

enum smtp_open_flags {
	SMTP_NO_AUTH = 1 << 0,		/* skip AUTH (--probe) */
	SMTP_NO_CHUNKING = 1 << 1,	/* use DATA even when BDAT is offered */
	SMTP_NO_PIPELINING = 1 << 2,	/* one command per round trip */
};

struct smtp;

/*
 * Open a session for acc (host required). password is the secret for AUTH
 * (borrowed for the call; NULL when acc->auth is 0). ts (may be NULL)
 * receives the transcript with secrets redacted and must outlive the
 * session. Returns a session to end with smtp_quit() or smtp_free(), or
 * NULL with err filled.
 */
struct smtp *smtp_open(const struct account *acc, const char *password,
	unsigned flags, struct transcript *ts, struct err *err);

/*
 * As smtp_open(), on a connection the caller has made (conn_from_fd() for
 * a test over a socketpair, or conn_open() with options of its own): the
 * session takes c over (closed by smtp_quit()/smtp_free(), and here on
 * failure) and starts from the greeting. acc gives the EHLO domain, the
 * STARTTLS and AUTH settings and the credentials; its host and port are
 * not used to connect (messages name conn_peer(c)). The transcript is the
 * conn's.
 */
struct smtp *smtp_start(struct conn *c, const struct account *acc,
	const char *password, unsigned flags, struct err *err);

/*
 * As smtp_start() without AUTH: greeting, EHLO (HELO) and STARTTLS when acc
 * asks for it, and nothing else. In smtp.c, which links no SASL (AUTH is
 * smtp_auth.c's): what a program that only looks at servers needs
 * (mdig-mx --probe). Same ownership of c and errors as smtp_start().
 */
struct smtp *smtp_begin(struct conn *c, const struct account *acc,
	unsigned flags, struct err *err);

/*
 * STARTTLS now (RFC 3207), on a session opened without it, then EHLO again
 * with every pre-TLS capability forgotten. Errors as for smtp_start()'s
 * STARTTLS: ERR_UNAVAILABLE when not offered or refused (the reply is in
 * err), conn_starttls()'s for the handshake. After a failure the session
 * can only be freed; smtp_greeting() and smtp_ehlo() still answer.
 */
int smtp_starttls(struct smtp *s, struct err *err);

/* One recipient of a message; addr in, the rest filled by smtp_send(). */
struct smtp_rcpt {
	const char *addr;
	int code;		/* reply to RCPT TO; 0: not sent */
	char esc[16];		/* its enhanced status code, or "" */
	char reply[256];	/* the reply, one line, printable */
};

enum smtp_msg_flags {
	SMTP_MSG_8BIT = 1 << 0,		/* 8-bit bytes: BODY=8BITMIME */
	SMTP_MSG_UTF8 = 1 << 1,		/* UTF-8 in a header: SMTPUTF8 */
	/* The body is body_len bytes of body_fd (from offset body_off),
	 * read in slices as it is sent: a spooled message (msend's
	 * composer) or a queued one. */
	SMTP_MSG_BODY_FD = 1 << 2,
};

enum smtp_status {
	SMTP_NOT_SENT = 0,	/* not delivered (see err) */
	SMTP_SENT,		/* the server took responsibility (2xx) */
	SMTP_IN_DOUBT,		/* data sent, final reply never came */
};

/*
 * A message. The data is head followed by body, both with CRLF line ends
 * (msgprep.h gives exactly that); the engine dot-stuffs it for DATA and
 * sends it as it is with BDAT. Borrowed for the call.
 */
struct smtp_msg {
	const char *from;		/* envelope sender; "" = <> */
	struct smtp_rcpt *rcpt;
	size_t nrcpt;
	const char *head;
	size_t head_len;
	const char *body;
	size_t body_len;
	int body_fd;			/* with SMTP_MSG_BODY_FD */
	off_t body_off;			/* where in body_fd the body starts */
	unsigned flags;			/* enum smtp_msg_flags */
	unsigned dsn_notify;		/* account_dsn_notify bits; 0 off */
	enum account_dsn_return dsn_return;
	const char *envid;		/* DSN ENVID, or NULL */

	/* Results. */
	enum smtp_status status;
	int code;			/* final reply code, 0 if none */
	char reply[512];		/* final reply, one line ("250 2.0.0
					   Ok: queued as 4Xy") */
	size_t accepted;		/* recipients the server accepted */
	struct err err;			/* why not sent / refusals */
};

enum smtp_send_flags {
	/* Deliver to the accepted recipients when others are refused (the
	 * refusals are still reported, with ERR_NOUSER/ERR_TEMPFAIL in err
	 * and status SMTP_SENT). Default: nothing is sent (RSET). */
	SMTP_PARTIAL = 1 << 0,
	/* Queue QUIT behind the last message's data (saves a round trip);
	 * the session can then only be freed. */
	SMTP_QUIT_AFTER = 1 << 1,
};

/*
 * Send n messages on the session, in order, each its own transaction.
 * Each message gets its status, final reply, per-recipient replies and,
 * when not sent (or partly refused), err. Returns 0 when the session is
 * still usable, or -1 with err when the connection failed (every message
 * not finished then carries the error too: SMTP_NOT_SENT with
 * ERR_TEMPFAIL before its data went out, SMTP_IN_DOUBT with ERR_IO after).
 * A message refused by the server does not make it return -1.
 */
int smtp_send(struct smtp *s, struct smtp_msg *msgs, size_t n,
	unsigned flags, struct err *err);

/*
 * Between smtp_send() calls, without sending anything: has the server
 * spoken unasked (the 421 of an idle timeout) or hung up since its last
 * reply? Then -1 with err (ERR_TEMPFAIL, "host:port: while idle: 421 ...")
 * and the session can only be freed; no transaction was open, so no message
 * is in doubt. 0: nothing seen (the next send may still fail).
 */
int smtp_idle_check(struct smtp *s, struct err *err);

/* Send QUIT (without waiting for its reply), close and free. NULL allowed. */
void smtp_quit(struct smtp *s);
/* Close and free without QUIT (after an error). NULL allowed. */
void smtp_free(struct smtp *s);

/* For --probe and logs. Owned by the session. */
const char *smtp_peer(const struct smtp *s);
const char *smtp_greeting(const struct smtp *s);	/* raw lines, CRLF */
const char *smtp_ehlo(const struct smtp *s);		/* raw lines, CRLF */
unsigned smtp_caps(const struct smtp *s);
unsigned long long smtp_size_limit(const struct smtp *s);	/* 0: none */
const char *smtp_auth_mechs(const struct smtp *s);	/* "" if none */
const char *smtp_auth_used(const struct smtp *s);	/* NULL if none */
struct conn *smtp_conn(struct smtp *s);

#endif
