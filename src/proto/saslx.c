/*
 * saslx.c: the SASL exchange driver (see saslx.h).
 *
 * RFC 4422 3 (SASL exchange), RFC 4954 4 (SMTP AUTH: initial response,
 * "=", "*"), RFC 5034 4 (POP3 AUTH), RFC 9051 6.2.2 and RFC 4959 (IMAP
 * AUTHENTICATE, SASL-IR), RFC 5929 and RFC 9266 (channel bindings).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/password.h"
#include "base/util.h"
#include "net/conn.h"
#include "net/pp.h"
#include "proto/sasl.h"
#include "proto/saslx.h"

/*
 * The channel binding of the connection (tls-exporter for TLS 1.3,
 * tls-unique below) into cr and cb; returns the sasl_choose() flags.
 */
static unsigned
bind_channel(struct conn *c, struct sasl_creds *cr, unsigned char *cb,
	size_t size)
{
	struct err tmp;
	long n;
	int v13;

	if (!c || !conn_is_tls(c))
		return 0;
	v13 = conn_tls_version(c) >= 0x0304;
	cr->cb_type = v13 ? SASL_CB_TLS_EXPORTER : SASL_CB_TLS_UNIQUE;
	n = conn_channel_binding(c, v13 ? CONN_CB_TLS_EXPORTER :
		CONN_CB_TLS_UNIQUE, cb, size, &tmp);
	if (n <= 0) {
		cr->cb_type = SASL_CB_NONE;
		return SASL_ENCRYPTED;
	}
	cr->cb_data = cb;
	cr->cb_len = (size_t)n;
	return SASL_ENCRYPTED | SASL_CHANNEL_BINDING;
}

/* Flush, then read and judge the next reply. */
static int
next_reply(const struct saslx_proto *pr, void *ctx, struct pp *p,
	enum saslx_verdict *v, const char **text, size_t *len, struct err *e)
{
	if (pp_flush(p, e) < 0)
		return -1;
	*text = NULL;
	*len = 0;
	return pr->reply(ctx, v, text, len, e);
}

/* After our side failed a step: cancel, read the server's answer (a
 * refusal, which changes nothing) and report our own error. */
static void
cancel(const struct saslx_proto *pr, void *ctx, struct pp *p)
{
	enum saslx_verdict v;
	const char *text;
	size_t len;
	struct err tmp;

	if (pp_cmd(p, &tmp, "%s", pr->cancel) == 0)
		next_reply(pr, ctx, p, &v, &text, &len, &tmp);
}

/* The server refused: its reply, and the OAuth error detail if any. */
static void
refused(const struct saslx_proto *pr, void *ctx, const struct sasl *sa,
	const struct saslx_login *in, struct err *e)
{
	char what[128];
	const char *detail = sasl_failure_detail(sa);

	snprintf(what, sizeof what, "%s %s (user \"%s\")", pr->verb,
		sasl_mech(sa), in->user ? in->user : "");
	pr->failed(ctx, what, e);
	if (detail && *detail) {
		size_t n = strlen(e->msg);

		snprintf(e->msg + n, sizeof(e->msg) - n, " (%s)", detail);
	}
}

void
saslx_login_init(struct saslx_login *in, const struct account *acc,
	const char *password, const char *offered)
{
	memset(in, 0, sizeof(*in));
	in->offered = offered;
	in->wanted = acc->auth_method;
	in->user = acc->user;
	in->password = password;
	in->host = acc->host;
	in->port = (unsigned)acc->port;
	in->allow_plaintext = acc->allow_plaintext_auth;
}

int
saslx_run(const struct saslx_proto *pr, void *ctx, struct pp *p,
	const struct saslx_login *in, struct saslx_result *res,
	struct err *e)
{
	struct sasl_creds cr;
	struct sasl *sa = NULL;
	struct saslx_result dummy;
	struct buf cmd = BUF_INIT;
	unsigned char cb[64];
	unsigned flags;
	enum saslx_verdict v;
	const char *mech, *text;
	char *ir = NULL, *resp = NULL, *chal = NULL;
	size_t len;
	int ir_later = 0;
	int ret = -1, rounds = 0;

	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	memset(&cr, 0, sizeof cr);
	flags = bind_channel(p->conn, &cr, cb, sizeof cb);
	if (in->allow_plaintext)
		flags |= SASL_ALLOW_PLAINTEXT;
	mech = sasl_choose(in->offered, in->wanted, flags, e);
	if (!mech) {
		err_prefix(e, "%s", p->peer);
		goto out;
	}
	cr.user = in->user;
	cr.password = in->password;
	cr.service = pr->service;
	cr.host = in->host;
	cr.port = in->port;
	sa = sasl_new(mech, &cr, e);
	if (!sa)
		goto out;
	res->mech = mech;
	if (sasl_start(sa, pr->can_ir, &ir, e) < 0)
		/* e.g. GSSAPI without a Kerberos ticket: nothing was sent */
		goto fail;
	pr->command(ctx, mech, &cmd);
	if (ir && pr->max_ir && cmd.len + 1 + strlen(*ir ? ir : pr->empty_ir) >
		pr->max_ir)
		ir_later = 1;
	if (ir && !ir_later) {
		buf_addch(&cmd, ' ');
		if (pp_cmd_secret(p, cmd.data, *ir ? ir : pr->empty_ir, e) < 0)
			goto out;
	} else if (pp_cmd(p, e, "%s", cmd.data) < 0)
		goto out;
	for (;;) {
		if (next_reply(pr, ctx, p, &v, &text, &len, e) < 0)
			goto out;
		if (v != SASLX_CONTINUE)
			break;
		if (++rounds > SASLX_MAX_ROUNDS) {
			err_set(e, ERR_PROTOCOL, "%s: %s %s: too many "
				"challenges", p->peer, pr->verb, mech);
			goto out;
		}
		if (ir_later) {
			/* the initial response, after the empty challenge */
			ir_later = 0;
			if (pp_cmd_secret(p, "", ir, e) < 0)
				goto out;
			continue;
		}
		free(chal);
		chal = xmemdup(text ? text : "", len);
		if (resp)
			password_free(resp);
		resp = NULL;
		if (sasl_step(sa, chal, &resp, e) < 0) {
			cancel(pr, ctx, p);
			goto fail;
		}
		if (pp_cmd_secret(p, "", resp, e) < 0)
			goto out;
	}
	if (v == SASLX_FAILURE) {
		refused(pr, ctx, sa, in, e);
		goto out;
	}
	free(chal);
	chal = len ? xmemdup(text, len) : NULL;
	if (sasl_success(sa, chal, e) < 0)
		goto fail;
	res->server_verified = sasl_server_verified(sa);
	ret = 0;
	goto out;
fail:
	err_prefix(e, "%s: %s %s", p->peer, pr->verb, mech);
out:
	if (ir)
		password_free(ir);
	if (resp)
		password_free(resp);
	free(chal);
	buf_release(&cmd);
	sasl_free(sa);
	return ret;
}
