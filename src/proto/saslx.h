/*
 * saslx.h: the SASL exchange, one driver for the SMTP, POP3 and IMAP
 * engines (after curl's lib/curl_sasl.c).
 *
 * RFC 4422 3 (the exchange), RFC 4954 4 (SMTP AUTH), RFC 5034 4 (POP3
 * AUTH), RFC 9051 6.2.2 and RFC 4959 (IMAP AUTHENTICATE, SASL-IR).
 *
 * sasl.h knows mechanisms and no protocol; this driver runs the exchange
 * over the line layer: it chooses the mechanism, picks the channel binding
 * the connection offers (tls-exporter on TLS 1.3, tls-unique below), sends
 * the first command with or without an initial response, answers each
 * challenge, cancels a step it cannot answer, believes a success only when
 * the mechanism does (SCRAM's server proof), and keeps every response out
 * of the transcript. An engine only describes itself (struct saslx_proto):
 * how its command reads, and what its replies mean.
 */
#ifndef MKIT_SASLX_H
#define MKIT_SASLX_H

#include <stddef.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"

struct pp;

/* What a server reply means to the exchange. */
enum saslx_verdict {
	SASLX_CONTINUE,	/* a challenge to answer (SMTP 334, "+ ") */
	SASLX_SUCCESS,	/* authenticated (SMTP 235, +OK, tagged OK) */
	SASLX_FAILURE,	/* refused (anything else) */
};

/*
 * A protocol, as the driver needs to know it. ctx is the engine's own
 * state, passed back to each hook.
 */
struct saslx_proto {
	const char *service;	/* "smtp", "pop", "imap": GSSAPI and
				   DIGEST-MD5 service name */
	const char *verb;	/* "AUTH", "AUTHENTICATE": for messages */
	int can_ir;		/* the first command may carry an initial
				   response (IMAP: only with SASL-IR) */
	/*
	 * The longest first command with its initial response (CRLF not
	 * counted); a longer one goes without it, and the response follows
	 * the server's empty challenge (RFC 5034 4: 255). 0: no limit.
	 */
	size_t max_ir;
	const char *empty_ir;	/* an empty initial response: "=" */
	const char *cancel;	/* the line that cancels: "*" */
	/*
	 * Append the first command without its initial response to out:
	 * "AUTH PLAIN", "A1 AUTHENTICATE PLAIN". The driver adds " ir".
	 */
	void (*command)(void *ctx, const char *mech, struct buf *out);
	/*
	 * Read the server's next reply (the driver has flushed) and judge
	 * it. For SASLX_CONTINUE, text and len give the base64 challenge; for
	 * SASLX_SUCCESS, the additional data with success or len 0. The
	 * view is borrowed until the next call. -1 with e on a read error.
	 */
	int (*reply)(void *ctx, enum saslx_verdict *v, const char **text,
		size_t *len, struct err *e);
	/*
	 * Fill e from the last reply, a refusal: the error code (a
	 * temporary refusal is ERR_TEMPFAIL, else ERR_NOPERM) and a message
	 * naming what (e.g. "AUTH PLAIN (user \"u\")") and the reply.
	 */
	void (*failed)(void *ctx, const char *what, struct err *e);
};

/* Who logs in, and what the server and the account allow. Borrowed. */
struct saslx_login {
	const char *offered;	/* the server's mechanisms, by spaces */
	const char *wanted;	/* the account's auth method, or NULL */
	const char *user;
	const char *password;	/* or token; NULL for GSSAPI, EXTERNAL */
	const char *host;	/* as configured (DIGEST-MD5, GSSAPI, OAuth) */
	unsigned port;
	int allow_plaintext;	/* allow_plaintext_auth on */
};

/*
 * Fill in from acc (auth method, user, host, port, allow_plaintext_auth),
 * password and the server's mechanisms offered; everything borrowed.
 */
void saslx_login_init(struct saslx_login *in, const struct account *acc,
	const char *password, const char *offered);

/* What came of it. */
struct saslx_result {
	const char *mech;	/* the mechanism tried (static), or NULL
				   when none could be chosen */
	int server_verified;	/* the server proved its identity */
};

#define SASLX_MAX_ROUNDS	20

/*
 * Authenticate on p (a connection, or memory for tests: then there is no
 * TLS and no channel binding) as in says, speaking protocol pr. res (may
 * be NULL) is filled as far as the exchange went. Returns 0 when the
 * server accepted and the mechanism believes it, or -1 with e, the message
 * starting "host:port: ":
 *  the errors of sasl_choose() and sasl_new() (ERR_NOPERM plaintext
 *  refused, ERR_UNAVAILABLE nothing in common, ERR_CONFIG)
 *  ERR_TEMPFAIL, ERR_NOPERM  the server refused (pr->failed(), with the
 *                            OAuth error detail appended when there is one)
 *  ERR_NOPERM    the server did not prove it knows the password (SCRAM)
 *  ERR_PROTOCOL  a challenge the mechanism cannot answer (the exchange is
 *                cancelled with pr->cancel first), more than
 *                SASLX_MAX_ROUNDS challenges
 *  the errors of the line layer (ERR_IO, ERR_TEMPFAIL, ERR_PROTOCOL)
 */
int saslx_run(const struct saslx_proto *pr, void *ctx, struct pp *p,
	const struct saslx_login *in, struct saslx_result *res,
	struct err *e);

#endif
