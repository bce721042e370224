/*
 * sasl.h: the SASL client, shared by the SMTP, POP3 and IMAP engines.
 *
 * RFC 4422 (SASL), RFC 4616 (PLAIN), RFC 4752 (GSSAPI), RFC 2195
 * (CRAM-MD5), RFC 2831 (DIGEST-MD5), RFC 5802 and RFC 7677 (SCRAM-SHA-1,
 * SCRAM-SHA-256 and their -PLUS forms), RFC 5929 and RFC 9266 (tls-unique,
 * tls-exporter channel bindings), RFC 7628 (OAUTHBEARER),
 * draft-murchison-sasl-login (LOGIN), Google/Microsoft XOAUTH2.
 *
 * The layer knows no transport and no protocol: it takes and returns the
 * base64 text that travels after "AUTH"/"334" (SMTP), "AUTH"/"+" (POP3) or
 * "AUTHENTICATE"/"+" (IMAP). The engine owns the connection and the framing;
 * this layer owns the mechanism: which one to use, what to answer, and
 * whether a success reply from the server may be believed.
 *
 * Most mechanisms run on GNU libgsasl (2.x). XOAUTH2, OAUTHBEARER and LOGIN
 * are written here: libgsasl 2.2 has no OAuth mechanism, and its LOGIN
 * ignores the server's prompts.
 *
 * A typical engine loop (SMTP):
 *
 *	mech = sasl_choose(ehlo_auth_list, acct->auth_method, flags, &e);
 *	s = sasl_new(mech, &creds, &e);
 *	sasl_start(s, 1, &ir, &e);          // "AUTH mech ir" ("=" if ir is "")
 *	while (reply is 334) {
 *		sasl_step(s, reply_text, &resp, &e);    // send resp line
 *	}
 *	if (reply is 235) sasl_success(s, NULL, &e); // may still fail
 *	else sasl_failure_detail(s) adds the server's OAuth error, if any
 *	sasl_free(s);
 *
 * Error messages: those of sasl_choose() and sasl_new() are whole
 * sentences that name the mechanism; those of sasl_start(), sasl_step() and
 * sasl_success() name neither host nor mechanism, so the engine prefixes
 * them ("smtp.example.org:587: AUTH SCRAM-SHA-256: " + "server did not
 * prove it knows the password").
 *
 * Secrets: no error message this layer writes ever holds a password, a
 * token or a response; every client response is secret for a transcript
 * (see sasl_transcript_text). The session wipes its copies when freed.
 */
#ifndef MKIT_SASL_H
#define MKIT_SASL_H

#include <stddef.h>

#include "base/err.h"

/* Flags for sasl_choose(). */
enum sasl_choose_flags {
	/* The connection is protected by TLS (implicit TLS or STARTTLS). */
	SASL_ENCRYPTED = 1 << 0,
	/* The account allows mechanisms that send the password in the clear
	 * (PLAIN, LOGIN) on an unencrypted connection
	 * ("allow_plaintext_auth on"). Ignored when SASL_ENCRYPTED is set. */
	SASL_ALLOW_PLAINTEXT = 1 << 1,
	/* Channel binding data is available (a TLS session the net layer can
	 * export): -PLUS variants of SCRAM may be chosen. */
	SASL_CHANNEL_BINDING = 1 << 2,
};

/*
 * Choose the mechanism.
 *
 * offered: the server's list, names separated by spaces (also tabs, commas:
 * the engine may pass "PLAIN LOGIN" from EHLO "AUTH PLAIN LOGIN", POP3 CAPA
 * "SASL ...", or the IMAP AUTH= names joined with spaces); case does not
 * matter; NULL means the server announced nothing.
 * wanted: the account's mechanism name ("scram-sha-256", any case), or NULL,
 * "" or "on" to let this function choose.
 *
 * Automatic choice takes the first of SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS
 * (both only with SASL_CHANNEL_BINDING), SCRAM-SHA-256, SCRAM-SHA-1,
 * DIGEST-MD5, CRAM-MD5, PLAIN, LOGIN that the server offers, leaving out
 * PLAIN and LOGIN on an unencrypted connection unless SASL_ALLOW_PLAINTEXT
 * (a named XOAUTH2 or OAUTHBEARER likewise: a bearer token is as good as a
 * password to whoever reads it).
 * GSSAPI, EXTERNAL, XOAUTH2 and OAUTHBEARER are used only when named.
 *
 * Returns a static upper-case mechanism name, or NULL with e set:
 *  ERR_NOPERM      a plaintext mechanism (named, or the only ones the server
 *                  offers) refused on an unencrypted connection; the message
 *                  says so and names the setting "allow_plaintext_auth"
 *  ERR_UNAVAILABLE the named mechanism is not offered by the server
 *                  ("server does not offer AUTH X (offers: ...)"), a -PLUS
 *                  mechanism named without channel binding data, or nothing
 *                  both sides support (the message lists both sides)
 *  ERR_CONFIG      wanted names a mechanism mkit does not implement
 */
const char *sasl_choose(const char *offered, const char *wanted,
	unsigned flags, struct err *e);

/* Is name (any case) a mechanism this layer implements? */
int sasl_mech_supported(const char *name);

/* Every mechanism this layer implements, upper case, separated by spaces,
 * strongest first (for help texts and messages). Static. */
const char *sasl_mech_names(void);

/* Does the account need a password or token for this mechanism? wanted as
 * for sasl_choose(): NULL, "" and "on" (automatic choice) and unknown
 * names need one; GSSAPI (a Kerberos ticket from kinit) and EXTERNAL (a
 * TLS client certificate) do not. */
int sasl_mech_needs_secret(const char *wanted);

/* Does the mechanism send the password in a form anyone reading the
 * connection can recover and reuse (PLAIN, LOGIN, and the bearer tokens of
 * XOAUTH2 and OAUTHBEARER)? 0 for unknown names. */
int sasl_mech_is_plaintext(const char *name);

/* Channel binding type (RFC 5929, RFC 9266). tls-exporter for TLS 1.3,
 * tls-unique for TLS 1.2 and below; the net layer knows which. */
enum sasl_cb_type {
	SASL_CB_NONE = 0,
	SASL_CB_TLS_UNIQUE,
	SASL_CB_TLS_EXPORTER,
};

/*
 * What a session needs. Only borrowed for the call to sasl_new(), which
 * copies what it keeps.
 */
struct sasl_creds {
	const char *user;	/* authentication identity (required,
				   except for EXTERNAL and GSSAPI; for
				   GSSAPI the authorization identity
				   unless authzid is set; NULL: log in
				   as the ticket's principal) */
	const char *password;	/* the password; for XOAUTH2 and OAUTHBEARER
				   the bearer token. May be NULL for EXTERNAL
				   and GSSAPI */
	const char *authzid;	/* authorization identity, or NULL */
	const char *service;	/* "smtp", "imap", "pop" (DIGEST-MD5
				   digest-uri; GSSAPI asks for the
				   principal service/host@REALM) */
	const char *host;	/* server host name as configured (DIGEST-MD5,
				   GSSAPI, OAUTHBEARER host=) */
	unsigned port;		/* server port for OAUTHBEARER port=; 0 omits
				   it */
	enum sasl_cb_type cb_type;	/* channel binding for SCRAM-*-PLUS */
	const unsigned char *cb_data;	/* raw binding bytes (not base64) */
	size_t cb_len;
};

struct sasl;

/*
 * Create a client session for mech (a name sasl_choose() returned, or any
 * name sasl_mech_supported() accepts). Initialises libgsasl on first use.
 * Returns a session the caller frees with sasl_free(), or NULL with e set:
 *  ERR_CONFIG      unknown mechanism; user or password/token missing where
 *                  the mechanism needs them
 *  ERR_UNAVAILABLE a -PLUS mechanism without channel binding data
 *  ERR_SOFTWARE    libgsasl failed to start (gsasl_strerror in the message)
 */
struct sasl *sasl_new(const char *mech, const struct sasl_creds *c,
	struct err *e);

/* Wipe the secrets and free. NULL is allowed. */
void sasl_free(struct sasl *s);

/* The mechanism's upper-case name. */
const char *sasl_mech(const struct sasl *s);

/*
 * Begin the exchange. For client-first mechanisms (PLAIN, SCRAM-*, XOAUTH2,
 * OAUTHBEARER, EXTERNAL) and when the protocol lets the engine send an
 * initial response (can_ir: SMTP yes, POP3 yes, IMAP only with SASL-IR),
 * *ir receives it in base64, malloc'd, owned by the caller; "" means an
 * empty initial response, which the protocol writes as "=". Otherwise *ir is
 * NULL: the engine sends the command without one and answers the first
 * challenge (usually empty) with sasl_step(), which then yields the initial
 * response. Errors: ERR_SOFTWARE (libgsasl), ERR_USAGE (called twice).
 */
int sasl_start(struct sasl *s, int can_ir, char **ir, struct err *e);

/*
 * Answer one server challenge. challenge is the base64 text after "334 " /
 * "+ " (may be "" or NULL for an empty challenge; surrounding spaces and a
 * trailing CR LF are ignored). *resp receives the base64 response, malloc'd,
 * owned by the caller, possibly "" (send an empty line). The engine sends it
 * even after the mechanism has finished on the client side (SCRAM's and
 * DIGEST-MD5's last response is empty) and then waits for the server's final
 * verdict.
 *
 * LOGIN answers by the prompt ("Username:" gets the user, "Password:" the
 * password), falling back to the order user-then-password. XOAUTH2 and
 * OAUTHBEARER answer a challenge (the server's JSON error, kept for
 * sasl_failure_detail) with the empty response (XOAUTH2) or "AQ==", a
 * single ^A (OAUTHBEARER, RFC 7628 3.2.3), which the server needs before it
 * sends its failure reply.
 *
 * GSSAPI (Kerberos, RFC 4752) needs a ticket in the default credential
 * cache (kinit; KRB5CCNAME). Its errors, from sasl_start() or the first
 * sasl_step() when the protocol has no initial response, say what to do
 * (see sasl_gssapi_error): ERR_NOPERM "no Kerberos ticket: run kinit (...)",
 * "Kerberos ticket expired: run kinit (...)", "no Kerberos service
 * principal smtp/HOST: ..."; ERR_TEMPFAIL when no KDC answers; ERR_CONFIG
 * when GSS-API has no Kerberos mechanism at all. A later step whose server
 * token does not verify is ERR_NOPERM "server did not prove its Kerberos
 * identity". GSSAPI authenticates the server (sasl_server_verified() is 1
 * after success).
 *
 * Errors (the engine should then cancel with "*" and report):
 *  ERR_PROTOCOL    challenge is not base64, holds a NUL (text
 *                  mechanisms), is malformed, arrives when the mechanism
 *                  expects none (LOGIN asks a third time, a second OAuth
 *                  error), or too many rounds (16)
 *  ERR_NOPERM      the server's proof is wrong (SCRAM server signature,
 *                  DIGEST-MD5 rspauth): "server did not prove it knows the
 *                  password"; or SCRAM's server-final carries an error
 *                  ("authentication failed: server error \"invalid-proof\"")
 *  ERR_SOFTWARE    other libgsasl failures, with gsasl_strerror
 * Messages name neither host nor mechanism (see the top of this file).
 */
int sasl_step(struct sasl *s, const char *challenge, char **resp,
	struct err *e);

/*
 * The server said the authentication succeeded (235, +OK, OK). extra is
 * the optional base64 "additional data with success" some protocols allow
 * (NULL or "" if none); it is processed as a last challenge and must need
 * no response. Returns 0 when the success may be believed, or -1 with e:
 *  ERR_NOPERM      the mechanism authenticates the server (SCRAM-*,
 *                  DIGEST-MD5) and it has not: "server did not prove it knows
 *                  the password"; or an OAuth mechanism whose token the server
 *                  rejected in a challenge yet claims success
 *  ERR_PROTOCOL    extra is malformed or would need an answer
 */
int sasl_success(struct sasl *s, const char *extra, struct err *e);

/* After sasl_success() returned 0: 1 if the server proved its identity
 * (mutual authentication: SCRAM-*, DIGEST-MD5 rspauth), else 0. */
int sasl_server_verified(const struct sasl *s);

/* After a failed authentication: the server's error detail, when the
 * mechanism carried one (the OAuth JSON error, e.g.
 * {"status":"invalid_token",...}), sanitised to printable ASCII, or "" .
 * Owned by the session. */
const char *sasl_failure_detail(const struct sasl *s);

/*
 * The error for a GSSAPI login that could not start, from GSS-API's status:
 * major (RFC 2744 major status), minor (the mechanism's minor status; MIT
 * Kerberos codes for an expired ticket, an unknown service principal and an
 * unreachable KDC get their own message) and text (the minor status as
 * GSS-API displays it, quoted in the message). service and host name the
 * principal asked for. Always returns -1 with e set (see sasl_step for the
 * messages). Used by the session; public for the unit test.
 */
int sasl_gssapi_error(unsigned long major, unsigned long minor,
	const char *text, const char *service, const char *host,
	struct err *e);

/*
 * For the -v transcript: what to show instead of a client SASL response
 * (an initial response or a sasl_step() answer). Returns "" for "" (an empty
 * response reveals nothing), "*" for a cancel, "=" for "=", and
 * "<redacted>" for anything else. Every non-empty response is secret: PLAIN
 * and LOGIN carry the password, the others carry proofs or tokens.
 */
const char *sasl_transcript_text(const char *resp);

/*
 * Initialise libgsasl for the process (once; sasl_new() calls it). Returns
 * 0, or -1 with ERR_SOFTWARE. sasl_global_done() releases it (for leak
 * checkers); afterwards sasl_new() initialises again.
 */
int sasl_global_init(struct err *e);
void sasl_global_done(void);

#endif
