/*
 * t_sasl.c: the SASL client against libgsasl's server side, in process.
 *
 * Mechanism choice is a table (server list x wanted x connection flags ->
 * mechanism or error). Every mechanism runs full exchanges against
 * libgsasl's server with the right and the wrong password, with and without
 * an initial response; SCRAM and DIGEST-MD5 also against a server whose
 * proof is forged or missing; -PLUS with matching and mismatching channel
 * bindings. XOAUTH2 and OAUTHBEARER are compared byte for byte with the
 * published examples (Google's XOAUTH2 page, RFC 7628 section 4).
 */
#include "config.h"

#include <gsasl.h>
#include <stdlib.h>
#include <string.h>

#include "proto/sasl.h"
#include "tap.h"
#include "base/util.h"

/* ---- choice ----------------------------------------------------------- */

#define ENC SASL_ENCRYPTED
#define ALLOW SASL_ALLOW_PLAINTEXT
#define CB SASL_CHANNEL_BINDING

static const struct choose_case {
	const char *offered;
	const char *wanted;
	unsigned flags;
	const char *mech;	/* expected choice, or NULL for an error */
	enum err_code code;
	const char *msg_has;	/* a phrase the error must hold */
} choose_cases[] = {
	/* automatic: strongest first */
	{ "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256", NULL,
		ENC, "SCRAM-SHA-256", 0, NULL },
	{ "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1", "on", ENC,
		"SCRAM-SHA-1", 0, NULL },
	{ "plain login cram-md5 digest-md5", "", ENC, "DIGEST-MD5", 0, NULL },
	{ "PLAIN LOGIN CRAM-MD5", NULL, ENC, "CRAM-MD5", 0, NULL },
	{ "LOGIN PLAIN", NULL, ENC, "PLAIN", 0, NULL },
	{ "LOGIN", NULL, ENC, "LOGIN", 0, NULL },
	{ "SCRAM-SHA-256 SCRAM-SHA-256-PLUS SCRAM-SHA-1-PLUS", NULL, ENC | CB,
		"SCRAM-SHA-256-PLUS", 0, NULL },
	{ "SCRAM-SHA-256 SCRAM-SHA-1-PLUS", NULL, ENC | CB,
		"SCRAM-SHA-1-PLUS", 0, NULL },
	{ "SCRAM-SHA-256 SCRAM-SHA-256-PLUS", NULL, ENC, "SCRAM-SHA-256", 0,
		NULL },
	/* IMAP AUTH= joined by the engine; commas and tabs tolerated */
	{ "PLAIN,\tCRAM-MD5", NULL, ENC, "CRAM-MD5", 0, NULL },
	/* names only when asked */
	{ "GSSAPI XOAUTH2 OAUTHBEARER PLAIN", NULL, ENC, "PLAIN", 0, NULL },
	{ "GSSAPI XOAUTH2 OAUTHBEARER", NULL, ENC, NULL, ERR_UNAVAILABLE,
		"no authentication mechanism in common (server offers: "
		"GSSAPI XOAUTH2 OAUTHBEARER; mkit chooses from: SCRAM-SHA-256 "
		"SCRAM-SHA-1 DIGEST-MD5 CRAM-MD5 PLAIN LOGIN" },
	{ "GSSAPI XOAUTH2", "xoauth2", ENC, "XOAUTH2", 0, NULL },
	{ "OAUTHBEARER XOAUTH2", "OAUTHBEARER", ENC, "OAUTHBEARER", 0, NULL },
	{ "GSSAPI PLAIN", "gssapi", 0, "GSSAPI", 0, NULL },
	{ "EXTERNAL PLAIN", "EXTERNAL", ENC, "EXTERNAL", 0, NULL },
	/* unencrypted: no plaintext unless allowed */
	{ "PLAIN LOGIN CRAM-MD5", NULL, 0, "CRAM-MD5", 0, NULL },
	{ "PLAIN LOGIN", NULL, 0, NULL, ERR_NOPERM, "allow_plaintext_auth" },
	{ "PLAIN LOGIN", NULL, 0, NULL, ERR_NOPERM, "in the clear" },
	{ "PLAIN LOGIN", NULL, ALLOW, "PLAIN", 0, NULL },
	{ "PLAIN", "plain", 0, NULL, ERR_NOPERM,
		"refusing AUTH PLAIN on an unencrypted connection" },
	{ "LOGIN", "LOGIN", 0, NULL, ERR_NOPERM, "allow_plaintext_auth" },
	{ "LOGIN", "LOGIN", ALLOW, "LOGIN", 0, NULL },
	{ "XOAUTH2", "XOAUTH2", 0, NULL, ERR_NOPERM, "send the token" },
	{ "SCRAM-SHA-1", "scram-sha-1", 0, "SCRAM-SHA-1", 0, NULL },
	/* named but not offered */
	{ "PLAIN LOGIN", "CRAM-MD5", ENC, NULL, ERR_UNAVAILABLE,
		"server does not offer AUTH CRAM-MD5 (offers: PLAIN LOGIN)" },
	{ "", "SCRAM-SHA-256", ENC, NULL, ERR_UNAVAILABLE,
		"server does not offer AUTH SCRAM-SHA-256 (offers: none)" },
	{ NULL, "PLAIN", ENC, NULL, ERR_UNAVAILABLE, "(offers: none)" },
	{ "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256-PLUS", ENC, NULL,
		ERR_UNAVAILABLE, "channel binding" },
	{ "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", ENC | CB, NULL,
		ERR_UNAVAILABLE, "does not offer AUTH SCRAM-SHA-256-PLUS" },
	{ "PLAIN", "NTLMv9", ENC, NULL, ERR_CONFIG,
		"unknown authentication mechanism \"NTLMv9\"" },
	/* nothing usable */
	{ "", NULL, ENC, NULL, ERR_UNAVAILABLE,
		"server offers no authentication mechanism" },
	{ NULL, NULL, ENC, NULL, ERR_UNAVAILABLE, "offers no" },
	{ "NTLM SRP", NULL, ENC, NULL, ERR_UNAVAILABLE,
		"(server offers: NTLM SRP;" },
	/* server text in a message is made printable */
	{ "X\177Y", NULL, ENC, NULL, ERR_UNAVAILABLE,
		"(server offers: X?Y;" },
};

static void
test_choose(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(choose_cases); i++) {
		const struct choose_case *t = &choose_cases[i];
		struct err e;
		const char *got;

		err_clear(&e);
		got = sasl_choose(t->offered, t->wanted, t->flags, &e);
		if (t->mech) {
			tap_ok(got && !strcmp(got, t->mech),
				"[%s] wanted %s flags %u: %s", t->offered,
				t->wanted ? t->wanted : "(null)", t->flags,
				t->mech);
			if (!got || strcmp(got, t->mech))
				printf("#   got %s: %s\n", got ? got : "(null)",
					e.msg);
			continue;
		}
		tap_ok(got == NULL && e.code == t->code &&
			strstr(e.msg, t->msg_has) != NULL,
			"refuse [%s] wanted %s flags %u: %s",
			t->offered ? t->offered : "(null)",
			t->wanted ? t->wanted : "(null)", t->flags,
			err_code_name(t->code));
		if (got || e.code != t->code || !strstr(e.msg, t->msg_has))
			printf("#   got %s, code %s, msg \"%s\"\n",
				got ? got : "(null)", err_code_name(e.code),
				e.msg);
	}
}

/* ---- a libgsasl server ------------------------------------------------ */

#define USER "alice@example.org"
#define PASS "c0rrect h\xc3\xb6rse battery"
#define WRONG "incorrect horse"

static Gsasl *srv_ctx;

/* What the server side knows, reached through the session hook. */
struct srv {
	const char *password;
	Gsasl_property cb_prop;	/* which binding the server has */
	const char *cb64;	/* its value, base64 */
};

static int
srv_callback(Gsasl *ctx, Gsasl_session *sctx, Gsasl_property prop)
{
	struct srv *sv = gsasl_session_hook_get(sctx);
	const char *id, *pw;

	switch (prop) {
	case GSASL_PASSWORD:
		id = gsasl_property_fast(sctx, GSASL_AUTHID);
		if (!id || strcmp(id, USER) != 0)
			return GSASL_NO_CALLBACK;
		return gsasl_property_set(sctx, GSASL_PASSWORD, sv->password);
	case GSASL_VALIDATE_SIMPLE:
		id = gsasl_property_fast(sctx, GSASL_AUTHID);
		pw = gsasl_property_fast(sctx, GSASL_PASSWORD);
		return id && pw && !strcmp(id, USER) &&
			!strcmp(pw, sv->password) ? GSASL_OK :
			GSASL_AUTHENTICATION_ERROR;
	case GSASL_CB_TLS_UNIQUE:
	case GSASL_CB_TLS_EXPORTER:
		if (prop != sv->cb_prop || !sv->cb64)
			return GSASL_NO_CALLBACK;
		return gsasl_property_set(sctx, prop, sv->cb64);
	case GSASL_REALM:
		return gsasl_property_set(sctx, GSASL_REALM, "example.org");
	default:
		return GSASL_NO_CALLBACK;
	}
}

static char *
b64(const void *p, size_t n)
{
	char *out = NULL;
	size_t len;

	if (gsasl_base64_to(p, n, &out, &len) != GSASL_OK)
		abort();
	return out;
}

/* Decoded, NUL-terminated (libgsasl's output is not). */
static char *
unb64(const char *s, size_t *n)
{
	char *out = NULL, *r;

	if (gsasl_base64_from(s, strlen(s), &out, n) != GSASL_OK)
		return NULL;
	r = xmemdup(out ? out : "", *n);
	gsasl_free(out);
	return r;
}

/* How to tamper with the server's last message. */
enum tamper {
	T_NONE,
	T_FORGE_FINAL,	/* flip a byte of the server's proof */
	T_DROP_FINAL,	/* say success without sending the proof */
	T_FINAL_WITH_SUCCESS,	/* the proof as data with the success */
	T_SERVER_ERROR,	/* SCRAM server-final "e=invalid-proof" */
};

enum outcome {
	O_OK,		/* server accepted, client believed it */
	O_SRV_REFUSED,	/* server said no */
	O_CLI_ERROR,	/* client stopped (err code in *code) */
};

static const char *
outcome_name(enum outcome o)
{
	return o == O_OK ? "ok" : o == O_SRV_REFUSED ? "server refused" :
		"client error";
}

/* Flip one character of the value after "v=" (SCRAM) or "rspauth="
 * (DIGEST-MD5) and return the new base64. */
static char *
forge(const char *chal64)
{
	size_t n;
	char *raw = unb64(chal64, &n), *p, *r;

	if (!raw)
		return strdup("!");
	p = strstr(raw, "rspauth=");
	p = p ? p + 8 : strstr(raw, "v=") ? strstr(raw, "v=") + 2 : raw;
	*p = *p == 'A' ? 'B' : 'A';
	r = b64(raw, n);
	free(raw);
	return r;
}

struct run {
	const char *mech;
	int can_ir;
	const char *client_pw;
	const char *server_pw;
	enum sasl_cb_type cb_type;
	const unsigned char *cb;
	size_t cb_len;
	Gsasl_property srv_cb_prop;
	const unsigned char *srv_cb;
	size_t srv_cb_len;
	enum tamper tamper;
};

/*
 * One exchange, framed as SMTP frames it: the client's initial response
 * (or an empty first challenge), challenges and responses in turn; a
 * server that finishes with data sends it as a last challenge, answered
 * with an empty line, and then says success.
 */
static enum outcome
exchange(const struct run *r, enum err_code *code, int *verified,
	char *msg, size_t msgsz)
{
	struct sasl_creds c = {
		.user = USER, .password = r->client_pw, .service = "imap",
		.host = "localhost", .port = 143, .cb_type = r->cb_type,
		.cb_data = r->cb, .cb_len = r->cb_len,
	};
	struct srv sv = { r->server_pw, r->srv_cb_prop, NULL };
	Gsasl_session *ss = NULL;
	struct sasl *s = NULL;
	struct err e;
	char *ir = NULL, *chal = NULL, *resp = NULL;
	enum outcome o = O_CLI_ERROR;
	int rc;

	err_clear(&e);
	*code = ERR_NONE;
	*verified = 0;
	msg[0] = '\0';
	if (r->srv_cb)
		sv.cb64 = b64(r->srv_cb, r->srv_cb_len);
	if (gsasl_server_start(srv_ctx, r->mech, &ss) != GSASL_OK) {
		snprintf(msg, msgsz, "server start failed");
		goto out;
	}
	gsasl_session_hook_set(ss, &sv);
	gsasl_property_set(ss, GSASL_SERVICE, "imap");
	gsasl_property_set(ss, GSASL_HOSTNAME, "localhost");

	if (!(s = sasl_new(r->mech, &c, &e)) ||
		sasl_start(s, r->can_ir, &ir, &e) < 0)
		goto cli_err;
	rc = gsasl_step64(ss, ir ? ir : "", &chal);
	for (;;) {
		if (rc == GSASL_OK) {
			if (chal && *chal) {
				if (r->tamper == T_DROP_FINAL)
					goto success;
				if (r->tamper == T_FINAL_WITH_SUCCESS) {
					if (sasl_success(s, chal, &e) < 0)
						goto cli_err;
					*verified = sasl_server_verified(s);
					o = O_OK;
					goto out;
				}
				if (r->tamper == T_SERVER_ERROR) {
					gsasl_free(chal);
					chal = b64("e=invalid-proof", 15);
				}
				if (r->tamper == T_FORGE_FINAL) {
					char *f = forge(chal);

					gsasl_free(chal);
					chal = f;
				}
				free(resp);
				resp = NULL;
				if (sasl_step(s, chal, &resp, &e) < 0)
					goto cli_err;
				if (*resp) {
					snprintf(msg, msgsz, "non-empty last "
						"response");
					goto out;
				}
			}
		success:
			if (sasl_success(s, NULL, &e) < 0)
				goto cli_err;
			*verified = sasl_server_verified(s);
			o = O_OK;
			goto out;
		}
		if (rc != GSASL_NEEDS_MORE) {
			o = O_SRV_REFUSED;
			snprintf(msg, msgsz, "%s", gsasl_strerror(rc));
			goto out;
		}
		/* DIGEST-MD5's rspauth is the last challenge; the server
		 * only says OK after the client's empty answer. */
		if (r->tamper == T_FORGE_FINAL && chal && !strcmp(r->mech,
			"DIGEST-MD5") && s && sasl_server_verified(s) == 0) {
			size_t n;
			char *raw = unb64(chal, &n);

			if (raw && strstr(raw, "rspauth=")) {
				char *f = forge(chal);

				gsasl_free(chal);
				chal = f;
			}
			free(raw);
		}
		if (r->tamper == T_DROP_FINAL && chal && !strcmp(r->mech,
			"DIGEST-MD5")) {
			size_t n;
			char *raw = unb64(chal, &n);
			int last = raw && strstr(raw, "rspauth=");

			free(raw);
			if (last)
				goto success;
		}
		free(resp);
		resp = NULL;
		if (sasl_step(s, chal, &resp, &e) < 0)
			goto cli_err;
		gsasl_free(chal);
		chal = NULL;
		rc = gsasl_step64(ss, resp, &chal);
	}
cli_err:
	o = O_CLI_ERROR;
	*code = e.code;
	snprintf(msg, msgsz, "%s", e.msg);
out:
	free(ir);
	free(resp);
	gsasl_free(chal);
	gsasl_free((char *)sv.cb64);
	if (ss)
		gsasl_finish(ss);
	sasl_free(s);
	return o;
}

static const unsigned char cb_unique[12] = {	/* a TLS Finished */
	0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5,
};
static const unsigned char cb_unique2[12] = {
	0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc6,
};
static const unsigned char cb_export[32] = {	/* RFC 9266: 32 bytes */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0xff,
};
static const unsigned char cb_export2[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0xfe,
};

#define U SASL_CB_TLS_UNIQUE
#define X SASL_CB_TLS_EXPORTER
#define SU GSASL_CB_TLS_UNIQUE
#define SX GSASL_CB_TLS_EXPORTER
#define CBU cb_unique, sizeof cb_unique
#define CBU2 cb_unique2, sizeof cb_unique2
#define CBX cb_export, sizeof cb_export
#define CBX2 cb_export2, sizeof cb_export2

static const struct exchange_case {
	const char *name;
	struct run r;
	enum outcome want;
	enum err_code code;	/* for O_CLI_ERROR */
	int verified;		/* for O_OK */
} exchange_cases[] = {
	{ "PLAIN right", { "PLAIN", 1, PASS, PASS, 0, NULL, 0, 0, NULL, 0,
		T_NONE }, O_OK, 0, 0 },
	{ "PLAIN right, no initial response", { "PLAIN", 0, PASS, PASS, 0,
		NULL, 0, 0, NULL, 0, T_NONE }, O_OK, 0, 0 },
	{ "PLAIN wrong", { "PLAIN", 1, WRONG, PASS, 0, NULL, 0, 0, NULL, 0,
		T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "LOGIN right", { "LOGIN", 1, PASS, PASS, 0, NULL, 0, 0, NULL, 0,
		T_NONE }, O_OK, 0, 0 },
	{ "LOGIN wrong", { "LOGIN", 0, WRONG, PASS, 0, NULL, 0, 0, NULL, 0,
		T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "CRAM-MD5 right", { "CRAM-MD5", 1, PASS, PASS, 0, NULL, 0, 0, NULL,
		0, T_NONE }, O_OK, 0, 0 },
	{ "CRAM-MD5 wrong", { "CRAM-MD5", 1, WRONG, PASS, 0, NULL, 0, 0, NULL,
		0, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "DIGEST-MD5 right", { "DIGEST-MD5", 1, PASS, PASS, 0, NULL, 0, 0,
		NULL, 0, T_NONE }, O_OK, 0, 1 },
	{ "DIGEST-MD5 wrong", { "DIGEST-MD5", 1, WRONG, PASS, 0, NULL, 0, 0,
		NULL, 0, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "DIGEST-MD5 forged rspauth", { "DIGEST-MD5", 1, PASS, PASS, 0, NULL,
		0, 0, NULL, 0, T_FORGE_FINAL }, O_CLI_ERROR, ERR_NOPERM, 0 },
	{ "DIGEST-MD5 success without rspauth", { "DIGEST-MD5", 1, PASS, PASS,
		0, NULL, 0, 0, NULL, 0, T_DROP_FINAL }, O_CLI_ERROR,
		ERR_NOPERM, 0 },
	{ "SCRAM-SHA-1 right", { "SCRAM-SHA-1", 1, PASS, PASS, 0, NULL, 0, 0,
		NULL, 0, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-1 right, no initial response", { "SCRAM-SHA-1", 0, PASS,
		PASS, 0, NULL, 0, 0, NULL, 0, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-1 wrong", { "SCRAM-SHA-1", 1, WRONG, PASS, 0, NULL, 0, 0,
		NULL, 0, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-256 right", { "SCRAM-SHA-256", 1, PASS, PASS, 0, NULL, 0,
		0, NULL, 0, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-256 right, no initial response", { "SCRAM-SHA-256", 0,
		PASS, PASS, 0, NULL, 0, 0, NULL, 0, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-256 wrong", { "SCRAM-SHA-256", 1, WRONG, PASS, 0, NULL,
		0, 0, NULL, 0, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-1 forged server signature", { "SCRAM-SHA-1", 1, PASS,
		PASS, 0, NULL, 0, 0, NULL, 0, T_FORGE_FINAL }, O_CLI_ERROR,
		ERR_NOPERM, 0 },
	{ "SCRAM-SHA-256 forged server signature", { "SCRAM-SHA-256", 1, PASS,
		PASS, 0, NULL, 0, 0, NULL, 0, T_FORGE_FINAL }, O_CLI_ERROR,
		ERR_NOPERM, 0 },
	{ "SCRAM-SHA-256 server signature with the success", {
		"SCRAM-SHA-256", 1, PASS, PASS, 0, NULL, 0, 0, NULL, 0,
		T_FINAL_WITH_SUCCESS }, O_OK, 0, 1 },
	{ "SCRAM-SHA-1 server-final e=invalid-proof", { "SCRAM-SHA-1", 1,
		PASS, PASS, 0, NULL, 0, 0, NULL, 0, T_SERVER_ERROR },
		O_CLI_ERROR, ERR_NOPERM, 0 },
	{ "SCRAM-SHA-256 success without server signature", { "SCRAM-SHA-256",
		1, PASS, PASS, 0, NULL, 0, 0, NULL, 0, T_DROP_FINAL },
		O_CLI_ERROR, ERR_NOPERM, 0 },
	{ "SCRAM-SHA-1-PLUS tls-unique right", { "SCRAM-SHA-1-PLUS", 1, PASS,
		PASS, U, CBU, SU, CBU, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-1-PLUS tls-exporter right", { "SCRAM-SHA-1-PLUS", 1,
		PASS, PASS, X, CBX, SX, CBX, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-256-PLUS tls-unique right", { "SCRAM-SHA-256-PLUS", 1,
		PASS, PASS, U, CBU, SU, CBU, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-256-PLUS tls-exporter right", { "SCRAM-SHA-256-PLUS", 0,
		PASS, PASS, X, CBX, SX, CBX, T_NONE }, O_OK, 0, 1 },
	{ "SCRAM-SHA-256-PLUS tls-exporter wrong password",
		{ "SCRAM-SHA-256-PLUS", 1, WRONG, PASS, X, CBX, SX, CBX,
		T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-1-PLUS tls-unique mismatch", { "SCRAM-SHA-1-PLUS", 1,
		PASS, PASS, U, CBU, SU, CBU2, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-256-PLUS tls-unique mismatch", { "SCRAM-SHA-256-PLUS", 1,
		PASS, PASS, U, CBU2, SU, CBU, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-256-PLUS tls-exporter mismatch", { "SCRAM-SHA-256-PLUS",
		1, PASS, PASS, X, CBX, SX, CBX2, T_NONE }, O_SRV_REFUSED, 0,
		0 },
	{ "SCRAM-SHA-256-PLUS binding type mismatch", { "SCRAM-SHA-256-PLUS",
		1, PASS, PASS, X, CBX, SU, CBU, T_NONE }, O_SRV_REFUSED, 0, 0 },
	{ "SCRAM-SHA-256-PLUS forged server signature",
		{ "SCRAM-SHA-256-PLUS", 1, PASS, PASS, X, CBX, SX, CBX,
		T_FORGE_FINAL }, O_CLI_ERROR, ERR_NOPERM, 0 },
};

static void
test_exchanges(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exchange_cases); i++) {
		const struct exchange_case *t = &exchange_cases[i];
		enum err_code code;
		int verified;
		char msg[512], name[200];
		enum outcome o;

		o = exchange(&t->r, &code, &verified, msg, sizeof msg);
		tap_ok(o == t->want && (o != O_CLI_ERROR || code == t->code) &&
			(o != O_OK || verified == t->verified),
			"%s: %s%s", t->name, outcome_name(t->want),
			t->want == O_OK && t->verified ? ", server verified" :
			"");
		if (o != t->want || (o == O_CLI_ERROR && code != t->code) ||
			(o == O_OK && verified != t->verified))
			printf("#   got %s (%s) verified %d: %s\n",
				outcome_name(o), err_code_name(code), verified,
				msg);
		/* whatever happened, no message shows the password */
		tap_ok(!strstr(msg, PASS) && !strstr(msg, WRONG),
			"%s: no password in the message", t->name);
		snprintf(name, sizeof name, "%s: the message says why",
			t->name);
		if (t->want == O_CLI_ERROR && t->r.tamper == T_SERVER_ERROR)
			tap_str(msg, "authentication failed: server error "
				"\"invalid-proof\"", name);
		else if (t->want == O_CLI_ERROR && t->code == ERR_NOPERM)
			tap_str(msg, "server did not prove it knows the "
				"password", name);
	}
}

/* ---- LOGIN prompts, scripted ------------------------------------------- */

static const struct login_case {
	const char *prompts[3];	/* decoded challenges, in order */
	const char *want[3];	/* decoded answers */
} login_cases[] = {
	{ { "Username:", "Password:" }, { USER, PASS } },
	{ { "User Name", "Password" }, { USER, PASS } },
	{ { "username:", "password:" }, { USER, PASS } },
	{ { "", "" }, { USER, PASS } },			/* by order */
	{ { "Password:", "Username:" }, { PASS, USER } },	/* by prompt */
	{ { "Who?", "Secret?" }, { USER, PASS } },
};

static void
test_login(void)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(login_cases); i++) {
		const struct login_case *t = &login_cases[i];
		struct sasl_creds c = { .user = USER, .password = PASS };
		struct err e;
		struct sasl *s = sasl_new("LOGIN", &c, &e);
		char *ir = NULL, *resp = NULL, *chal, *raw;
		size_t n;
		int ok = s && sasl_start(s, 1, &ir, &e) == 0 && !ir;

		for (j = 0; ok && j < 2; j++) {
			chal = b64(t->prompts[j], strlen(t->prompts[j]));
			ok = sasl_step(s, chal, &resp, &e) == 0;
			gsasl_free(chal);
			raw = ok ? unb64(resp, &n) : NULL;
			ok = ok && raw && n == strlen(t->want[j]) &&
				!memcmp(raw, t->want[j], n);
			free(raw);
			free(resp);
			resp = NULL;
		}
		tap_ok(ok, "LOGIN prompts \"%s\", \"%s\"", t->prompts[0],
			t->prompts[1]);
		/* a third prompt after the password is a protocol error */
		chal = b64("Username:", 9);
		tap_ok(s && sasl_step(s, chal, &resp, &e) < 0 &&
			e.code == ERR_PROTOCOL, "LOGIN: no third answer");
		gsasl_free(chal);
		free(resp);
		sasl_free(s);
	}
}

/* ---- OAuth ------------------------------------------------------------- */

/* Google, "XOAUTH2 mechanism" (developers.google.com/gmail/imap/
 * xoauth2-protocol), also in Microsoft's Exchange Online documentation. */
#define G_USER "someuser@example.com"
#define G_TOKEN "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
#define G_IR "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5Ln" \
	"ZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
#define G_ERR "{\"status\":\"401\",\"schemes\":\"bearer mac\"," \
	"\"scope\":\"https://mail.google.com/\"}"

/* RFC 7628 4.1 and 4.3 (IMAP, port 143). */
#define R_USER "user@example.com"
#define R_HOST "server.example.com"
#define R_TOKEN "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
#define R_IR "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29t" \
	"AXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJo" \
	"ZG1semRHRXVZMjl0Q2c9PQEB"
#define R_ERR64 "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxl" \
	"X3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUu" \
	"Y29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="
#define R_ERR "{\"status\":\"invalid_token\",\"scope\":\"example_scope\"," \
	"\"openid-configuration\":\"https://example.com/.well-known/" \
	"openid-configuration\"}"

static void
test_oauth(void)
{
	struct sasl_creds g = { .user = G_USER, .password = G_TOKEN,
		.service = "imap", .host = "imap.gmail.com", .port = 993 };
	struct sasl_creds r = { .user = R_USER, .password = R_TOKEN,
		.service = "imap", .host = R_HOST, .port = 143 };
	struct sasl *s;
	struct err e;
	char *ir = NULL, *resp = NULL, *chal;
	const char raw_xo[] = "user=" G_USER "\001auth=Bearer " G_TOKEN
		"\001\001";
	const char raw_ob[] = "n,a=" R_USER ",\001host=" R_HOST
		"\001port=143\001auth=Bearer " R_TOKEN "\001\001";
	size_t n;
	char *dec;

	/* XOAUTH2: the documented bytes, and its success */
	s = sasl_new("XOAUTH2", &g, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0, "XOAUTH2 start");
	tap_str(ir, G_IR, "XOAUTH2 initial response = Google's example");
	dec = ir ? unb64(ir, &n) : NULL;
	tap_mem(dec, dec ? n : 0, raw_xo, sizeof raw_xo - 1,
		"XOAUTH2 decoded: user=U^Aauth=Bearer T^A^A");
	free(dec);
	tap_ok(s && sasl_success(s, NULL, &e) == 0, "XOAUTH2 success");
	tap_int(s ? sasl_server_verified(s) : -1, 0,
		"XOAUTH2 does not verify the server");
	free(ir);
	ir = NULL;
	sasl_free(s);

	/* XOAUTH2 failure: JSON challenge, empty answer, detail kept */
	s = sasl_new("XOAUTH2", &g, &e);
	chal = b64(G_ERR, strlen(G_ERR));
	tap_ok(s && sasl_start(s, 0, &ir, &e) == 0 && !ir,
		"XOAUTH2 without initial response");
	tap_ok(s && sasl_step(s, "", &resp, &e) == 0, "XOAUTH2 empty "
		"challenge");
	tap_str(resp, G_IR, "XOAUTH2 answers the empty challenge");
	free(resp);
	resp = NULL;
	tap_ok(s && sasl_step(s, chal, &resp, &e) == 0,
		"XOAUTH2 error challenge accepted");
	tap_str(resp, "", "XOAUTH2 answers the error with an empty line");
	tap_str(s ? sasl_failure_detail(s) : NULL, G_ERR,
		"XOAUTH2 keeps the server's error");
	tap_ok(s && sasl_success(s, NULL, &e) < 0 && e.code == ERR_NOPERM,
		"XOAUTH2 success after an error challenge is refused");
	gsasl_free(chal);
	free(resp);
	resp = NULL;
	sasl_free(s);

	/* OAUTHBEARER: RFC 7628 4.1 */
	s = sasl_new("OAUTHBEARER", &r, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0, "OAUTHBEARER start");
	tap_str(ir, R_IR, "OAUTHBEARER initial response = RFC 7628 4.1");
	dec = ir ? unb64(ir, &n) : NULL;
	tap_mem(dec, dec ? n : 0, raw_ob, sizeof raw_ob - 1,
		"OAUTHBEARER decoded: n,a=U,^Ahost=H^Aport=P^Aauth=Bearer "
		"T^A^A");
	free(dec);
	tap_ok(s && sasl_success(s, NULL, &e) == 0, "OAUTHBEARER success");
	free(ir);
	ir = NULL;
	sasl_free(s);

	/* OAUTHBEARER failure, RFC 7628 4.3: JSON challenge, ^A, failure */
	s = sasl_new("OAUTHBEARER", &r, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0 && ir &&
		!strcmp(ir, R_IR), "OAUTHBEARER 4.3 initial response");
	tap_ok(s && sasl_step(s, R_ERR64, &resp, &e) == 0,
		"OAUTHBEARER error challenge accepted");
	tap_str(resp, "AQ==", "OAUTHBEARER answers the error with ^A");
	tap_str(s ? sasl_failure_detail(s) : NULL, R_ERR,
		"OAUTHBEARER keeps the server's error");
	free(resp);
	resp = NULL;
	tap_ok(s && sasl_step(s, R_ERR64, &resp, &e) < 0 &&
		e.code == ERR_PROTOCOL,
		"OAUTHBEARER: one error challenge only");
	free(resp);
	resp = NULL;
	free(ir);
	ir = NULL;
	sasl_free(s);

	/* saslname escaping, no port, no host */
	{
		struct sasl_creds q = { .user = "a,b=c", .password = "T" };
		const char want[] = "n,a=a=2Cb=3Dc,\001auth=Bearer T\001\001";

		s = sasl_new("OAUTHBEARER", &q, &e);
		tap_ok(s && sasl_start(s, 1, &ir, &e) == 0,
			"OAUTHBEARER minimal start");
		dec = ir ? unb64(ir, &n) : NULL;
		tap_mem(dec, dec ? n : 0, want, sizeof want - 1,
			"OAUTHBEARER escapes , and = in the authzid");
		free(dec);
		free(ir);
		ir = NULL;
		sasl_free(s);
	}
}

/* ---- hostile servers --------------------------------------------------- */

static unsigned long rnd_state = 20261123;

static unsigned
rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd_state >> 33);
}

/* A challenge a broken or hostile server might send. Caller frees. */
static char *
hostile_challenge(void)
{
	static const char *shapes[][2] = {	/* junk goes between */
		{ "r=", ",s=QSXCR+Q6sek8bf92,i=4096" }, { "r=,s=,i=", "" },
		{ "v=", "" }, { "e=", "" }, { "realm=\"", "\",nonce=\"x\","
		"qop=\"auth\",algorithm=md5-sess,charset=utf-8" },
		{ "rspauth=", "" }, { "{\"status\":\"", "\"}" },
	};
	char raw[700], junk[300];
	size_t i, n = rnd() % (sizeof junk - 1), k;

	for (i = 0; i < n; i++)
		junk[i] = (char)(rnd() % 4 ? ' ' + rnd() % 95 : rnd() % 256);
	junk[n] = '\0';
	switch (rnd() % 4) {
	case 0:		/* random text, likely not base64 */
		return xmemdup(junk, n);
	case 1:		/* base64 of random bytes */
		return b64(junk, n);
	case 2:		/* empty */
		return strdup("");
	default:	/* a plausible shape with junk in it */
		k = rnd() % ARRAY_SIZE(shapes);
		snprintf(raw, sizeof raw, "%s%.*s%s", shapes[k][0], (int)n,
			junk, shapes[k][1]);
		return b64(raw, strlen(raw));
	}
}

static void
test_hostile(void)
{
	static const char *names[] = {
		"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1",
		"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "XOAUTH2",
		"OAUTHBEARER",
	};
	struct sasl_creds c = { .user = USER, .password = PASS,
		.service = "smtp", .host = "localhost", .port = 25,
		.cb_type = SASL_CB_TLS_EXPORTER, .cb_data = cb_export,
		.cb_len = sizeof cb_export };
	size_t i;
	int round, step;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		int bad = 0, errors = 0;
		char why[600] = "";

		for (round = 0; round < 1000; round++) {
			struct err e;
			struct sasl *s = sasl_new(names[i], &c, &e);
			char *ir = NULL, *resp = NULL;

			if (!s || sasl_start(s, round & 1, &ir, &e) < 0) {
				bad++;
				snprintf(why, sizeof why, "start: %s", e.msg);
				sasl_free(s);
				continue;
			}
			for (step = 0; step < 4; step++) {
				char *chal = hostile_challenge();
				int rc = sasl_step(s, chal, &resp, &e);

				free(chal);
				if (rc == 0 && !resp) {
					bad++;
					snprintf(why, sizeof why, "no resp");
				}
				free(resp);
				resp = NULL;
				if (rc < 0) {
					errors++;
					if (e.code != ERR_PROTOCOL &&
						e.code != ERR_NOPERM) {
						bad++;
						snprintf(why, sizeof why,
							"%s: %s",
							err_code_name(e.code),
							e.msg);
					}
					if (strstr(e.msg, PASS)) {
						bad++;
						snprintf(why, sizeof why,
							"password in message");
					}
					break;
				}
			}
			/* a success claim after garbage is never believed
			 * from a mechanism that verifies the server */
			if (!sasl_server_verified(s) && sasl_success(s, NULL,
				&e) == 0 && (!strncmp(names[i], "SCRAM", 5) ||
				!strcmp(names[i], "DIGEST-MD5"))) {
				bad++;
				snprintf(why, sizeof why, "success believed");
			}
			free(ir);
			sasl_free(s);
		}
		printf("# %s: %d errors in 1000\n", names[i], errors);
		tap_ok(bad == 0 && errors > 0, "%s: 1000 hostile exchanges, "
			"only protocol or permission errors", names[i]);
		if (bad || !errors)
			printf("#   %d bad, %d errors; last: %s\n", bad, errors,
				why);
	}
}

/* ---- misuse and secrets ----------------------------------------------- */

static void
test_misc(void)
{
	struct sasl_creds nopw = { .user = USER };
	struct sasl_creds nocb = { .user = USER, .password = PASS };
	struct sasl_creds ok = { .user = USER, .password = PASS,
		.service = "smtp", .host = "localhost" };
	struct sasl *s;
	struct err e;
	char *ir = NULL, *resp = NULL;

	err_clear(&e);
	tap_ok(!sasl_new("PLAIN", &nopw, &e) && e.code == ERR_CONFIG,
		"PLAIN without a password: config error");
	tap_ok(!sasl_new("XOAUTH2", &nopw, &e) && e.code == ERR_CONFIG &&
		strstr(e.msg, "token"), "XOAUTH2 without a token: says token");
	tap_ok(!sasl_new("SCRAM-SHA-256-PLUS", &nocb, &e) &&
		e.code == ERR_UNAVAILABLE, "-PLUS without binding data");
	tap_ok(!sasl_new("KERBEROS_V4", &nocb, &e) && e.code == ERR_CONFIG,
		"unknown mechanism");
	{
		struct sasl_creds t = { .user = USER,
			.password = "sEcReT\001x" };

		tap_ok(!sasl_new("OAUTHBEARER", &t, &e) &&
			e.code == ERR_CONFIG && !strstr(e.msg, "sEcReT"),
			"OAUTHBEARER: a ^A in the token is refused, unquoted");
		t.password = "token";
		t.user = "a\001b";
		tap_ok(!sasl_new("XOAUTH2", &t, &e) && e.code == ERR_CONFIG,
			"XOAUTH2: a ^A in the user is refused");
	}
	tap_str(sasl_mech_names(), "SCRAM-SHA-256-PLUS SCRAM-SHA-1-PLUS "
		"SCRAM-SHA-256 SCRAM-SHA-1 GSSAPI DIGEST-MD5 CRAM-MD5 PLAIN "
		"LOGIN XOAUTH2 OAUTHBEARER EXTERNAL",
		"sasl_mech_names, strongest first");
	tap_ok(sasl_mech_supported("scram-sha-1") &&
		!sasl_mech_supported("SRP"), "sasl_mech_supported");
	tap_ok(sasl_mech_is_plaintext("login") &&
		sasl_mech_is_plaintext("PLAIN") &&
		!sasl_mech_is_plaintext("CRAM-MD5") &&
		!sasl_mech_is_plaintext("SCRAM-SHA-1"), "plaintext mechanisms");

	/* PLAIN's initial response is the RFC 4616 form */
	s = sasl_new("PLAIN", &ok, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0, "PLAIN start");
	{
		const char want[] = "\0" USER "\0" PASS;
		size_t n;
		char *dec = ir ? unb64(ir, &n) : NULL;

		tap_mem(dec, dec ? n : 0, want, sizeof want - 1,
			"PLAIN: NUL user NUL password");
		free(dec);
	}
	tap_str(sasl_transcript_text(ir), "<redacted>",
		"transcript hides a response");
	tap_ok(s && sasl_start(s, 1, &resp, &e) < 0 && e.code == ERR_USAGE,
		"start twice");
	tap_ok(s && sasl_step(s, "", &resp, &e) < 0 &&
		e.code == ERR_PROTOCOL, "challenge after PLAIN finished");
	sasl_free(s);
	free(ir);
	ir = NULL;

	/* a malformed challenge */
	s = sasl_new("CRAM-MD5", &ok, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0 && !ir,
		"CRAM-MD5 is server-first");
	tap_ok(s && sasl_step(s, "not base64!", &resp, &e) < 0 &&
		e.code == ERR_PROTOCOL, "bad base64 challenge");
	sasl_free(s);

	/* the gs2 header names the binding the net layer gave */
	{
		static const struct {
			const char *mech;
			enum sasl_cb_type type;
			const char *prefix;
		} g[] = {
			{ "SCRAM-SHA-256-PLUS", SASL_CB_TLS_EXPORTER,
				"p=tls-exporter,,n=" },
			{ "SCRAM-SHA-1-PLUS", SASL_CB_TLS_UNIQUE,
				"p=tls-unique,,n=" },
			{ "SCRAM-SHA-256", SASL_CB_TLS_EXPORTER, "n,,n=" },
		};
		size_t i, n;

		for (i = 0; i < ARRAY_SIZE(g); i++) {
			struct sasl_creds cb = ok;
			char *dec;

			cb.cb_type = g[i].type;
			cb.cb_data = cb_export;
			cb.cb_len = sizeof cb_export;
			s = sasl_new(g[i].mech, &cb, &e);
			ir = NULL;
			dec = s && sasl_start(s, 1, &ir, &e) == 0 && ir ?
				unb64(ir, &n) : NULL;
			tap_ok(dec && !strncmp(dec, g[i].prefix,
				strlen(g[i].prefix)), "%s client-first starts "
				"with %s", g[i].mech, g[i].prefix);
			free(dec);
			free(ir);
			sasl_free(s);
		}
		ir = NULL;
	}

	/* EXTERNAL without authzid: an empty initial response */
	s = sasl_new("EXTERNAL", &(struct sasl_creds){ .user = NULL }, &e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) == 0, "EXTERNAL start");
	tap_str(ir, "", "EXTERNAL: empty initial response (sent as \"=\")");
	free(ir);
	ir = NULL;
	tap_ok(s && sasl_success(s, NULL, &e) == 0, "EXTERNAL success");
	sasl_free(s);

	tap_str(sasl_transcript_text(""), "", "transcript: empty stays");
	tap_str(sasl_transcript_text("*"), "*", "transcript: cancel stays");
	tap_str(sasl_transcript_text("=") , "=", "transcript: = stays");
	tap_str(sasl_transcript_text("AQ=="), "<redacted>",
		"transcript: anything else hidden");
}

/* ---- GSSAPI ------------------------------------------------------------ */

/*
 * Under AddressSanitizer: libgssglue's gss_import_name() leaks the OID set
 * the Kerberos mechanism returns from gss_inquire_names_for_mech (16 bytes
 * a call; see tests/sasl/gssapi-lsan.supp). Suppress that leak alone; the
 * mechanism library has no frame pointers, so unwind the slow way to see
 * the frame.
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions(void)
{
	return "leak:gss_inquire_names_for_mech\n";
}

/* GSS-API status -> the error a user sees (RFC 2744 major status; MIT
 * Kerberos minor codes from the krb5 com_err table, base 2529638912). */
static const struct gss_case {
	unsigned long major, minor;
	const char *text, *service, *host;
	enum err_code code;
	const char *msg;
} gss_cases[] = {
	{ 7UL << 16, 2529639053UL,
		"No Kerberos credentials available (default cache: FILE:/x)",
		"smtp", "mail.example.org", ERR_NOPERM,
		"no Kerberos ticket: run kinit (No Kerberos credentials "
		"available (default cache: FILE:/x))" },
	/* a calling error bit does not hide the routine error */
	{ (7UL << 16) | (1UL << 24), 0, "", "smtp", "h", ERR_NOPERM,
		"no Kerberos ticket: run kinit (GSS-API major status "
		"0x1070000)" },
	{ 11UL << 16, 0, "The referenced credential has expired", "imap",
		"h", ERR_NOPERM, "Kerberos ticket expired: run kinit (The "
		"referenced credential has expired)" },
	{ 13UL << 16, 2529638944UL, "Ticket expired", "smtp", "h",
		ERR_NOPERM, "Kerberos ticket expired: run kinit (Ticket "
		"expired)" },
	{ 13UL << 16, 2529638919UL, "Server smtp/10.0.0.1@EXAMPLE.ORG not "
		"found in Kerberos database", "smtp", "10.0.0.1", ERR_NOPERM,
		"no Kerberos service principal smtp/10.0.0.1: host must be "
		"the server's name in its principal (Server "
		"smtp/10.0.0.1@EXAMPLE.ORG not found in Kerberos database)" },
	{ 13UL << 16, 2529639068UL, "Cannot contact any KDC for realm "
		"'EXAMPLE.ORG'", "pop", "h", ERR_TEMPFAIL, "cannot reach the "
		"Kerberos KDC (Cannot contact any KDC for realm "
		"'EXAMPLE.ORG')" },
	{ 13UL << 16, 12345, "Clock skew too great", "smtp", "h", ERR_NOPERM,
		"Kerberos: Clock skew too great" },
	/* library text is sanitised: no control characters get through */
	{ 13UL << 16, 1, "bad\r\nline\x1b[31m", NULL, NULL, ERR_NOPERM,
		"Kerberos: bad  line [31m" },
	{ 1UL << 16, 0, NULL, NULL, NULL, ERR_CONFIG,
		"GSS-API has no Kerberos mechanism (libgssglue reads it from "
		"/etc/gssapi_mech.conf or $GSSAPI_MECH_CONF; Debian: "
		"libgssapi-krb5-2)" },
	{ 9UL << 16, 0, NULL, NULL, NULL, ERR_NOPERM,
		"Kerberos: GSS-API major status 0x90000" },
};

static void
test_gssapi(void)
{
	static const struct {
		const char *wanted;
		int needs;
	} secret[] = {
		{ NULL, 1 }, { "", 1 }, { "on", 1 }, { "ON", 1 },
		{ "plain", 1 }, { "SCRAM-SHA-256", 1 }, { "xoauth2", 1 },
		{ "OAUTHBEARER", 1 }, { "NTLM", 1 }, { "gssapi", 0 },
		{ "GSSAPI", 0 }, { "external", 0 },
	};
	struct sasl_creds k = { .user = "alice", .service = "smtp",
		.host = "localhost" };
	struct sasl *s;
	struct err e;
	char *ir = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gss_cases); i++) {
		const struct gss_case *c = &gss_cases[i];

		err_clear(&e);
		tap_int(sasl_gssapi_error(c->major, c->minor, c->text,
			c->service, c->host, &e), -1, "gssapi error: returns -1");
		tap_int(e.code, c->code, "gssapi error: code");
		tap_str(e.msg, c->msg, c->msg);
	}
	for (i = 0; i < ARRAY_SIZE(secret); i++)
		tap_int(sasl_mech_needs_secret(secret[i].wanted),
			secret[i].needs, secret[i].wanted ? secret[i].wanted :
			"needs secret: NULL");

	/* GSSAPI needs neither user nor password to start a session */
	s = sasl_new("GSSAPI", &(struct sasl_creds){ .service = "smtp",
		.host = "localhost" }, &e);
	tap_ok(s != NULL, "GSSAPI session without user or password");
	/* a success reply before the Kerberos exchange ran is not believed */
	tap_ok(s && sasl_start(s, 0, &ir, &e) == 0 && !ir,
		"GSSAPI without initial response: nothing yet");
	tap_ok(s && sasl_success(s, NULL, &e) < 0 && e.code == ERR_NOPERM &&
		strstr(e.msg, "before it proved its Kerberos identity"),
		"GSSAPI: early success refused");
	sasl_free(s);

	/* No credential cache: the client refuses before sending anything,
	 * from sasl_start (initial response) and from the first step. No
	 * KDC is asked: the cache is missing. */
	setenv("KRB5_CONFIG", "/dev/null", 1);
	setenv("KRB5CCNAME", "FILE:/nonexistent/mkit-t_sasl/ccache", 1);
	s = sasl_new("GSSAPI", &k, &e);
	err_clear(&e);
	tap_ok(s && sasl_start(s, 1, &ir, &e) < 0 && !ir,
		"GSSAPI without a ticket: start fails");
#ifdef HAVE_GSSAPI
	tap_ok(e.code == ERR_NOPERM && !strncmp(e.msg,
		"no Kerberos ticket: run kinit (", 31) &&
		strstr(e.msg, "/nonexistent/mkit-t_sasl/ccache"), "%s", e.msg);
#else
	tap_ok(e.code == ERR_NOPERM && strstr(e.msg, "run kinit"), "%s",
		e.msg);
#endif
	sasl_free(s);
	s = sasl_new("GSSAPI", &k, &e);
	err_clear(&e);
	tap_ok(s && sasl_start(s, 0, &ir, &e) == 0 &&
		sasl_step(s, "", &ir, &e) < 0 && !ir && e.code == ERR_NOPERM &&
		strstr(e.msg, "run kinit"),
		"GSSAPI without a ticket: first step fails, run kinit");
	sasl_free(s);
}

int
main(void)
{
	struct err e;

	if (gsasl_init(&srv_ctx) != GSASL_OK) {
		printf("Bail out! gsasl_init\n");
		return 1;
	}
	gsasl_callback_set(srv_ctx, srv_callback);
	tap_ok(sasl_global_init(&e) == 0, "sasl_global_init");

	test_choose();
	test_exchanges();
	test_login();
	test_oauth();
	test_hostile();
	test_misc();
	test_gssapi();

	sasl_global_done();
	gsasl_done(srv_ctx);
	return tap_done();
}
