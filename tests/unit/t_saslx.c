/*
 * t_saslx: the SASL exchange driver over a socketpair, described as two
 * fake protocols (SMTP-style: "AUTH", 334, 235; IMAP-style: "A1
 * AUTHENTICATE", "+ ", "A1 OK", without SASL-IR) against a scripted peer
 * running libgsasl's server side. Table-driven: mechanism, initial
 * response or not, what the server does, and what must come of it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/sasl.h"
#include "proto/saslx.h"
#include "proto/smtp_reply.h"
#include "peer.h"
#include "tap.h"

#define USER "alice@example.org"
#define PASS "c0rrect h\xc3\xb6rse"

/* ---- the two fake protocols ---- */

struct fake {
	struct pp *p;
	struct smtp_reply r;	/* SMTP-style */
	char line[1024];	/* IMAP-style: the last reply line */
};

static void
smtp_command(void *ctx, const char *mech, struct buf *out)
{
	(void)ctx;
	buf_addf(out, "AUTH %s", mech);
}

static int
smtp_reply(void *ctx, enum saslx_verdict *v, const char **text, size_t *len,
	struct err *e)
{
	struct fake *f = ctx;
	size_t pos = 0;

	if (smtp_reply_read(f->p, &f->r, e) < 0)
		return -1;
	*v = f->r.code == 334 ? SASLX_CONTINUE : f->r.code == 235 ?
		SASLX_SUCCESS : SASLX_FAILURE;
	if (*v == SASLX_CONTINUE)
		smtp_reply_line(&f->r, &pos, text, len);
	return 0;
}

static void
smtp_failed(void *ctx, const char *what, struct err *e)
{
	struct fake *f = ctx;

	err_set(e, f->r.code < 500 ? ERR_TEMPFAIL : ERR_NOPERM, "%s: %s: %d",
		f->p->peer, what, f->r.code);
}

static const struct saslx_proto smtp_style = {
	.service = "smtp", .verb = "AUTH", .can_ir = 1, .empty_ir = "=",
	.cancel = "*", .command = smtp_command, .reply = smtp_reply,
	.failed = smtp_failed,
};

static void
imap_command(void *ctx, const char *mech, struct buf *out)
{
	(void)ctx;
	buf_addf(out, "A1 AUTHENTICATE %s", mech);
}

static int
imap_reply(void *ctx, enum saslx_verdict *v, const char **text, size_t *len,
	struct err *e)
{
	struct fake *f = ctx;
	const char *l;
	size_t n;

	do {	/* untagged responses do not end the exchange */
		if (pp_read_line(f->p, &l, &n, e) < 0)
			return -1;
	} while (n && l[0] == '*');
	snprintf(f->line, sizeof f->line, "%.*s", (int)n, l);
	if (f->line[0] == '+') {
		*v = SASLX_CONTINUE;
		*text = f->line[1] ? f->line + 2 : "";
		*len = strlen(*text);
	} else
		*v = !strncmp(f->line, "A1 OK", 5) ? SASLX_SUCCESS :
			SASLX_FAILURE;
	return 0;
}

static void
imap_failed(void *ctx, const char *what, struct err *e)
{
	struct fake *f = ctx;

	err_set(e, ERR_NOPERM, "%s: %s: %s", f->p->peer, what, f->line);
}

static const struct saslx_proto imap_style = {
	.service = "imap", .verb = "AUTHENTICATE", .can_ir = 0,
	.empty_ir = "=", .cancel = "*", .command = imap_command,
	.reply = imap_reply, .failed = imap_failed,
};

/* ---- the server ---- */

enum srv_mode {
	M_NORMAL,	/* libgsasl decides */
	M_FORGE,	/* flip a byte of SCRAM's server-final proof */
	M_BADCHAL,	/* a challenge that is not base64 */
	M_ENDLESS,	/* challenge forever */
	M_TEMP,		/* 454 at once */
};

struct srv {
	int imap;
	enum srv_mode mode;
	const char *password;	/* the server's idea of it */
	char mech[64];		/* what the client asked for */
	int had_ir;
	int responses;		/* client lines after the first */
	int cancelled;		/* "*" seen */
	struct buf sent;	/* the initial response and every later
				   client line: the secrets */
};

static Gsasl *srv_ctx;

static int
srv_callback(Gsasl *ctx, Gsasl_session *sctx, Gsasl_property prop)
{
	struct srv *sv = gsasl_session_hook_get(sctx);
	const char *id = gsasl_property_fast(sctx, GSASL_AUTHID);
	const char *pw;

	(void)ctx;
	if (!id || strcmp(id, USER) != 0)
		return GSASL_NO_CALLBACK;
	switch (prop) {
	case GSASL_PASSWORD:
		return gsasl_property_set(sctx, GSASL_PASSWORD, sv->password);
	case GSASL_VALIDATE_SIMPLE:
		pw = gsasl_property_fast(sctx, GSASL_PASSWORD);
		return pw && !strcmp(pw, sv->password) ? GSASL_OK :
			GSASL_AUTHENTICATION_ERROR;
	default:
		return GSASL_NO_CALLBACK;
	}
}

static void
challenge(struct peer *pe, const char *b64)
{
	struct srv *sv = pe->arg;
	char line[4096];

	snprintf(line, sizeof line, "%s %s\r\n", sv->imap ? "+" : "334", b64);
	peer_send(pe, line);
}

static void
verdict(struct peer *pe, int ok)
{
	struct srv *sv = pe->arg;

	if (sv->imap)
		peer_send(pe, ok ? "A1 OK done\r\n" :
			"A1 NO [AUTHENTICATIONFAILED] no\r\n");
	else
		peer_send(pe, ok ? "235 2.7.0 ok\r\n" :
			"535 5.7.8 credentials invalid\r\n");
}

/* The client's next line, kept in sv->sent; NULL at EOF. */
static const char *
response(struct peer *pe)
{
	struct srv *sv = pe->arg;
	static char line[4096];

	if (peer_line(pe, line, sizeof line) < 0)
		return NULL;
	buf_addf(&sv->sent, "%s\n", line);
	sv->responses++;
	if (!strcmp(line, "*"))
		sv->cancelled = 1;
	return line;
}

/* SCRAM's server-final "v=<proof>": change one byte of the proof. */
static char *
forge(const char *b64)
{
	char *raw = NULL, *out = NULL;
	size_t n, m;

	gsasl_base64_from(b64, strlen(b64), &raw, &n);
	raw[n - 2] = raw[n - 2] == 'A' ? 'B' : 'A';
	gsasl_base64_to(raw, n, &out, &m);
	gsasl_free(raw);
	return out;
}

static void
sasl_script(struct peer *pe)
{
	struct srv *sv = pe->arg;
	const char *first = peer_expect(pe, NULL), *in, *sp;
	const char *prefix = sv->imap ? "A1 AUTHENTICATE " : "AUTH ";
	Gsasl_session *ss = NULL;
	char *out = NULL;
	int rc, i;

	if (strncmp(first, prefix, strlen(prefix)) != 0) {
		peer_fail(pe, "first command '%s'", first);
		return;
	}
	first += strlen(prefix);
	sp = strchr(first, ' ');
	snprintf(sv->mech, sizeof sv->mech, "%.*s",
		(int)(sp ? (size_t)(sp - first) : strlen(first)), first);
	sv->had_ir = sp != NULL;
	if (sp)		/* the initial response: a secret */
		buf_addf(&sv->sent, "%s\n", sp + 1);
	switch (sv->mode) {
	case M_TEMP:
		peer_send(pe, "454 4.7.0 try later\r\n");
		return;
	case M_BADCHAL:
		if (!sp) {	/* the initial response first */
			challenge(pe, "");
			response(pe);
		}
		challenge(pe, "!!not base64!!");
		if (response(pe))
			verdict(pe, 0);
		return;
	case M_ENDLESS:
		for (i = 0; i < 100; i++) {
			challenge(pe, "");
			if (!response(pe) || sv->cancelled)
				break;
		}
		verdict(pe, 0);
		return;
	default:
		break;
	}
	if (gsasl_server_start(srv_ctx, sv->mech, &ss) != GSASL_OK) {
		peer_fail(pe, "server cannot start %s", sv->mech);
		return;
	}
	gsasl_session_hook_set(ss, sv);
	if (sp)
		in = strcmp(sp + 1, "=") ? sp + 1 : "";
	else {
		challenge(pe, "");
		in = response(pe);
	}
	for (;;) {
		if (!in) {
			peer_fail(pe, "EOF during the exchange");
			break;
		}
		rc = gsasl_step64(ss, in, &out);
		if (rc == GSASL_NEEDS_MORE) {
			challenge(pe, out);
			gsasl_free(out);
			out = NULL;
			in = response(pe);
			if (in && !strcmp(in, "*")) {
				verdict(pe, 0);
				break;
			}
			continue;
		}
		if (rc == GSASL_OK && out && *out) {
			/* server-final data: a last challenge */
			char *f = sv->mode == M_FORGE ? forge(out) : NULL;

			challenge(pe, f ? f : out);
			gsasl_free(f);
			in = response(pe);
			if (in && !strcmp(in, "*")) {
				verdict(pe, 0);
				break;
			}
		}
		verdict(pe, rc == GSASL_OK);
		break;
	}
	gsasl_free(out);
	gsasl_finish(ss);
}

/* ---- the cases ---- */

static const struct saslx_case {
	const char *name;
	int imap;		/* the IMAP-style protocol (no SASL-IR) */
	const char *mech;
	enum srv_mode mode;
	const char *server_pw;
	int rc;
	enum err_code code;
	int verified;
	int had_ir;
	int cancelled;
	const char *msg;	/* in e.msg */
} cases[] = {
	{ "SMTP PLAIN with initial response", 0, "PLAIN", M_NORMAL, PASS,
	  0, ERR_NONE, 0, 1, 0, NULL },
	{ "IMAP PLAIN without initial response", 1, "PLAIN", M_NORMAL, PASS,
	  0, ERR_NONE, 0, 0, 0, NULL },
	{ "SMTP SCRAM-SHA-256, server proof verified", 0, "SCRAM-SHA-256",
	  M_NORMAL, PASS, 0, ERR_NONE, 1, 1, 0, NULL },
	{ "IMAP SCRAM-SHA-1, server proof verified", 1, "SCRAM-SHA-1",
	  M_NORMAL, PASS, 0, ERR_NONE, 1, 0, 0, NULL },
	{ "SMTP SCRAM forged server proof", 0, "SCRAM-SHA-256", M_FORGE,
	  PASS, -1, ERR_NOPERM, 0, 1, 1,
	  "peer:25: AUTH SCRAM-SHA-256: server did not prove" },
	{ "IMAP SCRAM forged server proof", 1, "SCRAM-SHA-256", M_FORGE,
	  PASS, -1, ERR_NOPERM, 0, 0, 1,
	  "peer:25: AUTHENTICATE SCRAM-SHA-256: server did not prove" },
	{ "SMTP bad challenge cancelled with *", 0, "PLAIN", M_BADCHAL,
	  PASS, -1, ERR_PROTOCOL, 0, 1, 1, "peer:25: AUTH PLAIN: " },
	{ "IMAP bad challenge cancelled with *", 1, "SCRAM-SHA-1", M_BADCHAL,
	  PASS, -1, ERR_PROTOCOL, 0, 0, 1, "peer:25: AUTHENTICATE SCRAM" },
	{ "SMTP 535 (wrong password)", 0, "PLAIN", M_NORMAL, "other", -1,
	  ERR_NOPERM, 0, 1, 0,
	  "peer:25: AUTH PLAIN (user \"" USER "\"): 535" },
	{ "SMTP SCRAM 535 (wrong password)", 0, "SCRAM-SHA-256", M_NORMAL,
	  "other", -1, ERR_NOPERM, 0, 1, 0, ": 535" },
	{ "IMAP NO (wrong password)", 1, "PLAIN", M_NORMAL, "other", -1,
	  ERR_NOPERM, 0, 0, 0, "A1 NO [AUTHENTICATIONFAILED]" },
	{ "SMTP 454 is temporary", 0, "PLAIN", M_TEMP, PASS, -1,
	  ERR_TEMPFAIL, 0, 1, 0, "AUTH PLAIN (user \"" USER "\"): 454" },
	{ "SMTP endless challenges stop", 0, "LOGIN", M_ENDLESS, PASS, -1,
	  ERR_PROTOCOL, 0, 0, 1, "peer:25: AUTH LOGIN" },
	{ "IMAP endless challenges stop", 1, "PLAIN", M_ENDLESS, PASS, -1,
	  ERR_PROTOCOL, 0, 0, 1, "peer:25: AUTHENTICATE PLAIN" },
};

static void
collect(void *arg, const char *text, size_t len)
{
	struct buf *b = arg;

	buf_add(b, text, len);
	buf_addch(b, '\n');
}

/* Is any secret the client sent (or the password) in the transcript? */
static int
leaked(const struct buf *log, const struct srv *sv)
{
	const char *l = sv->sent.data ? sv->sent.data : "";
	const char *t = log->data ? log->data : "";

	if (strstr(t, PASS))
		return 1;
	while (*l) {
		const char *nl = strchr(l, '\n');
		char tok[4096];

		snprintf(tok, sizeof tok, "%.*s", (int)(nl - l), l);
		/* "", "*" and "=" are no secret */
		if (strlen(tok) > 1 && strstr(t, tok))
			return 1;
		l = nl + 1;
	}
	return 0;
}

static void
run_case(const struct saslx_case *t)
{
	static struct peer pe;
	struct srv sv;
	struct transcript ts;
	struct buf log = BUF_INIT;
	struct saslx_login in;
	struct saslx_result res;
	struct fake f;
	struct conn *c;
	struct pp p;
	struct err e;
	int fd, rc;

	memset(&sv, 0, sizeof sv);
	sv.imap = t->imap;
	sv.mode = t->mode;
	sv.password = t->server_pw;
	buf_init(&sv.sent, 0);
	memset(&pe, 0, sizeof pe);
	pe.arg = &sv;
	fd = peer_start(&pe, sasl_script);
	transcript_init_fn(&ts, collect, &log, 0);
	c = conn_from_fd(fd, "peer:25", &ts, &e);
	conn_set_timeout(c, 10);
	pp_init(&p, c);
	memset(&f, 0, sizeof f);
	f.p = &p;
	smtp_reply_init(&f.r);
	memset(&in, 0, sizeof in);
	in.offered = "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN";
	in.wanted = t->mech;
	in.user = USER;
	in.password = PASS;
	in.host = "peer";
	in.port = 25;
	in.allow_plaintext = 1;
	err_clear(&e);
	rc = saslx_run(t->imap ? &imap_style : &smtp_style, &f, &p, &in, &res,
		&e);
	pp_release(&p);
	conn_close(c);
	peer_join(&pe);

	tap_ok(rc == t->rc && e.code == t->code, "%s: rc %d, %s", t->name,
		rc, rc ? e.msg : "ok");
	if (t->msg)
		tap_ok(strstr(e.msg, t->msg) != NULL, "%s: message has '%s'",
			t->name, t->msg);
	tap_str(res.mech, t->mech, "result names the mechanism");
	tap_int(res.server_verified, t->verified, "server verified or not");
	tap_str(sv.mech, t->mech, "the server was asked for it");
	tap_int(sv.had_ir, t->had_ir, "initial response sent or not");
	tap_int(sv.cancelled, t->cancelled, "cancelled with * or not");
	tap_ok(sv.responses <= SASLX_MAX_ROUNDS + 1, "at most %d responses "
		"(%d)", SASLX_MAX_ROUNDS + 1, sv.responses);
	tap_ok(!leaked(&log, &sv), "%s: no secret in the transcript",
		t->name);
	tap_ok(strstr(log.data ? log.data : "", "<redacted>") != NULL ||
		!t->had_ir, "the transcript shows <redacted>");
	tap_str(pe.fail, "", "the server script ran through");
	smtp_reply_release(&f.r);
	transcript_release(&ts);
	buf_release(&log);
	buf_release(&sv.sent);
}

int
main(void)
{
	size_t i;

	if (gsasl_init(&srv_ctx) != GSASL_OK)
		return 99;
	gsasl_callback_set(srv_ctx, srv_callback);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	gsasl_done(srv_ctx);
	sasl_global_done();
	return tap_done();
}
