/*
 * smtp_auth.c: the SMTP session with AUTH (RFC 4954) through the SASL
 * exchange driver (saslx.h): smtp_open() and smtp_start() of smtp.h. Apart
 * from smtp.c so that smtp_begin() links without SASL.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/conn.h"
#include "net/connacc.h"
#include "proto/saslx.h"
#include "proto/smtp.h"
#include "proto/smtp_int.h"

/* SMTP to the SASL exchange driver (RFC 4954). */
static void
auth_command(void *ctx, const char *mech, struct buf *out)
{
	(void)ctx;
	buf_addf(out, "AUTH %s", mech);
}

static int
auth_reply(void *ctx, enum saslx_verdict *v, const char **text,
	size_t *len, struct err *e)
{
	struct smtp *s = ctx;
	size_t pos = 0;

	if (smtp_int_read(s, e) < 0)
		return -1;
	*v = s->r.code == 334 ? SASLX_CONTINUE : s->r.code == 235 ?
		SASLX_SUCCESS : SASLX_FAILURE;
	/* the challenge is the text of a 334; 235 carries no data */
	if (*v == SASLX_CONTINUE)
		smtp_reply_line(&s->r, &pos, text, len);
	return 0;
}

static void
auth_failed(void *ctx, const char *what, struct err *e)
{
	struct smtp *s = ctx;

	smtp_int_error(s, e, s->r.code >= 400 && s->r.code < 500 ?
		ERR_TEMPFAIL : ERR_NOPERM, what);
}

static const struct saslx_proto smtp_sasl = {
	.service = "smtp",
	.verb = "AUTH",
	.can_ir = 1,
	.empty_ir = "=",
	.cancel = "*",
	.command = auth_command,
	.reply = auth_reply,
	.failed = auth_failed,
};

static int
auth(struct smtp *s, const struct account *acc, const char *password,
	struct err *e)
{
	struct saslx_login in;
	struct saslx_result res;
	int r;

	if (!(s->caps & SMTP_CAP_AUTH))
		return err_set(e, ERR_UNAVAILABLE, "%s: the server does not "
			"offer authentication (AUTH), which the account "
			"requires", s->peer);
	saslx_login_init(&in, acc, password, s->mechs);
	r = saslx_run(&smtp_sasl, s, &s->pp, &in, &res, e);
	if (res.mech)
		s->auth_used = xstrdup(res.mech);
	return r;
}

struct smtp *
smtp_open(const struct account *acc, const char *password, unsigned flags,
	struct transcript *ts, struct err *err)
{
	struct conn *c = connacc_open(acc, CONNACC_SMTP, ts, err);

	return c ? smtp_start(c, acc, password, flags, err) : NULL;
}

struct smtp *
smtp_start(struct conn *c, const struct account *acc, const char *password,
	unsigned flags, struct err *err)
{
	struct smtp *s = smtp_begin(c, acc, flags, err);

	if (!s)
		return NULL;
	if (acc->auth && !(flags & SMTP_NO_AUTH) &&
		auth(s, acc, password, err) < 0) {
		/* A refused login leaves the session sound: say QUIT. */
		if (err->code != ERR_IO && err->code != ERR_PROTOCOL) {
			smtp_quit(s);
			return NULL;
		}
		/* Nothing of a message went out yet: a lost connection is
		 * worth a retry later. */
		if (err->code == ERR_IO)
			err->code = ERR_TEMPFAIL;
		smtp_free(s);
		return NULL;
	}
	return s;
}
