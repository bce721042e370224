/* sendmail.c: see sendmail.h. */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sendmail.h"
#include "util.h"

void
sendmail_msg_init(struct sendmail_msg *sm)
{
	memset(sm, 0, sizeof(*sm));
	msgprep_init(&sm->mp);
}

void
sendmail_msg_release(struct sendmail_msg *sm)
{
	msgprep_release(&sm->mp);
	free(sm->from);
	addrvec_release(&sm->rcpts);
	free(sm->rc);
	sendmail_msg_init(sm);
}

char *
sendmail_norm_from(const char *f)
{
	size_t n = strlen(f);

	if (n >= 2 && f[0] == '<' && f[n - 1] == '>')
		return xmemdup(f + 1, n - 2);
	return xstrdup(f);
}

char *
sendmail_default_from(const struct account *acc)
{
	struct passwd *pw = getpwuid(getuid());
	const char *user = getenv("USER");
	char host[256] = "localhost";

	if (acc->from && !strpbrk(acc->from, "*?["))
		return xstrdup(acc->from);
	if (pw && pw->pw_name)
		user = pw->pw_name;
	if (acc->domain && *acc->domain)
		snprintf(host, sizeof host, "%s", acc->domain);
	else
		gethostname(host, sizeof host - 1);
	{
		size_t n = strlen(user ? user : "root") + strlen(host) + 2;
		char *s = xmalloc(n);

		snprintf(s, n, "%s@%s", user ? user : "root", host);
		return s;
	}
}

static enum msgprep_mode
hdr_mode(enum account_header_mode m)
{
	return m == ACCOUNT_HEADER_ON ? MSGPREP_ON : m == ACCOUNT_HEADER_OFF ?
		MSGPREP_OFF : MSGPREP_AUTO;
}

int
sendmail_prepare(struct sendmail_msg *p, const struct sendmail_env *o,
	const struct account *acc, const struct aliases *al, struct err *e)
{
	struct msgprep_opts mo;
	size_t i;

	if (o->envfrom)
		p->from = sendmail_norm_from(o->envfrom);
	else if (o->from_header) {
		char *rp = msgprep_header(&p->mp, "Return-Path", 0);

		if (rp) {
			struct addrvec av = ADDRVEC_INIT;

			if (addrsplit(rp, strlen(rp), &av, NULL) > 0)
				p->from = xstrdup(av.v[0]);
			else if (strstr(rp, "<>"))
				p->from = xstrdup("");
			addrvec_release(&av);
			free(rp);
		}
		if (!p->from)
			p->from = msgprep_from_address(&p->mp);
	}
	if (!p->from)
		p->from = sendmail_default_from(acc);
	if (msgprep_check_addr(p->from, e) < 0)
		return -1;
	for (i = 0; i < o->nrcpts; i++)
		addrvec_push(&p->rcpts, o->rcpts[i], strlen(o->rcpts[i]));
	if (o->read_rcpts &&
		msgprep_recipients(&p->mp, &p->rcpts, e) < 0)
		return -1;
	aliases_expand(al, &p->rcpts);
	for (i = 0; i < p->rcpts.n; i++)
		if (msgprep_check_addr(p->rcpts.v[i], e) < 0 ||
			!*p->rcpts.v[i])
			return err_set(e, ERR_USAGE, "invalid recipient "
				"\"%s\"", p->rcpts.v[i]);
	if (p->rcpts.n == 0)
		return err_set(e, ERR_USAGE, "no recipients (give them as "
			"arguments or use -t)");
	memset(&mo, 0, sizeof mo);
	mo.envelope_from = p->from;
	mo.full_name = o->full_name;
	mo.domain = acc->domain;
	mo.set_from = hdr_mode(acc->set_from_header);
	mo.set_date = hdr_mode(acc->set_date_header);
	mo.set_msgid = hdr_mode(acc->set_msgid_header);
	mo.remove_bcc = acc->remove_bcc_headers;
	mo.undisclosed = acc->undisclosed_recipients;
	if (msgprep_prepare(&p->mp, &mo, e) < 0)
		return -1;
	p->rc = xcalloc(p->rcpts.n, sizeof(*p->rc));
	for (i = 0; i < p->rcpts.n; i++)
		p->rc[i].addr = p->rcpts.v[i];
	memset(&p->msg, 0, sizeof p->msg);
	p->msg.from = p->from;
	p->msg.rcpt = p->rc;
	p->msg.nrcpt = p->rcpts.n;
	p->msg.head = p->mp.head.data;
	p->msg.head_len = p->mp.head.len;
	p->msg.body = msgprep_body(&p->mp, &p->msg.body_len);
	p->msg.flags = (msgprep_is_8bit(&p->mp) ? SMTP_MSG_8BIT : 0) |
		(msgprep_header_utf8(&p->mp) ? SMTP_MSG_UTF8 : 0);
	p->msg.dsn_notify = acc->dsn_notify;
	p->msg.dsn_return = acc->dsn_return;
	p->msg.envid = o->envid;
	return 0;
}

