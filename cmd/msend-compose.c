/*
 * msend-compose.c: msend's composer (--to, --subject, --attach...): its
 * options, and the message built by mime/build.h, printed or sent.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "codec/addrsplit.h"
#include "common.h"
#include "mime/mimetypes.h"
#include "msend.h"

static const char **
strs_add(const char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = s;
	return v;
}

static struct mbuild_file *
file_add(struct mbuild_file *v, size_t *n, const char *opt, char *arg)
{
	struct err e;

	v = xrealloc(v, (*n + 1) * sizeof(*v));
	if (mbuild_file_parse(&v[*n], opt, arg, strcmp(opt, "--inline") == 0,
		&e) < 0)
		diex(EX_USAGE, "%s", e.msg);
	++*n;
	return v;
}

/* The composer's options; 1 when name was one. */
int
parse_compose(struct opts *o, struct longopt *lo)
{
	static const char *const names[] = { "to", "cc", "bcc", "subject",
		"reply-to", "header", "body-file", "html", "attach", "inline",
		"print" };
	struct compose *c = &o->c;
	const char *val;
	char opt[32];
	struct err e;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (longopt_is(lo, names[k]))
			break;
	if (k == ARRAY_SIZE(names))
		return 0;
	c->on = 1;
	if (k == ARRAY_SIZE(names) - 1) {
		c->print = 1;
		return 1;
	}
	snprintf(opt, sizeof opt, "--%s", names[k]);
	val = longopt_value(lo);
	if (mbuild_check_value(opt, val, &e) < 0)
		diex(EX_USAGE, "%s", e.msg);
	switch (k) {
	case 0: c->to = strs_add(c->to, &c->nto, val); break;
	case 1: c->cc = strs_add(c->cc, &c->ncc, val); break;
	case 2: c->bcc = strs_add(c->bcc, &c->nbcc, val); break;
	case 3: c->subject = val; break;
	case 4: c->reply_to = val; break;
	case 5: c->headers = strs_add(c->headers, &c->nheaders, val); break;
	case 6: c->body_file = val; break;
	case 7: c->html_file = val; break;
	case 8: c->attach = file_add(c->attach, &c->nattach, opt,
			(char *)val); break;
	default: c->inl = file_add(c->inl, &c->ninl, opt, (char *)val);
	}
	return 1;
}

static int
open_input(const char *opt, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		diex(EX_NOINPUT, "%s: %s: %s", opt, path, strerror(errno));
	return fd;
}

/*
 * Build the message; with --print write it to stdout (LF line ends),
 * else spool its body to a temporary file (SMTP's SIZE and BDAT need the
 * size first; memory stays bounded) and send it: envelope from the
 * account or --from, recipients To + Cc + Bcc, no Bcc in the header.
 */
int
run_compose(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	const struct compose *c = &o->c;
	struct mbuild_opts mo;
	struct mbuild b;
	struct buf head = BUF_INIT;
	struct sendmail_msg p;
	struct sendmail_env env;
	struct addrvec rcpts = ADDRVEC_INIT;
	struct aliases *al = NULL;
	struct err e;
	int status = EX_OK, spool = -1;
	off_t size;

	memset(&mo, 0, sizeof mo);
	mo.from = c->from_header;
	mo.to = c->to;
	mo.nto = c->nto;
	mo.cc = c->cc;
	mo.ncc = c->ncc;
	mo.bcc = c->bcc;
	mo.nbcc = c->nbcc;
	mo.reply_to = c->reply_to;
	mo.subject = c->subject;
	mo.headers = c->headers;
	mo.nheaders = c->nheaders;
	mo.body_fd = c->body_file ? open_input("--body-file", c->body_file) :
		0;
	mo.html_fd = c->html_file ? open_input("--html", c->html_file) : -1;
	mo.attach = c->attach;
	mo.nattach = c->nattach;
	mo.inl = c->inl;
	mo.ninl = c->ninl;
	mo.mime_types = mimetypes_default_files();
	mo.domain = acc ? acc->domain : NULL;
	mo.flags = c->print ? MBUILD_BCC : 0;
	sendmail_msg_init(&p);
	err_clear(&e);
	if (mbuild_init(&b, &mo, &e) < 0 || mbuild_head(&b, &head, &e) < 0)
		goto fail;
	if (c->print) {
		struct mbuild_lf lf = { 1, 0 };

		if (mbuild_write_lf(&lf, head.data, head.len, &e) < 0 ||
			mbuild_body(&b, mbuild_write_lf, &lf, &e) < 0)
			goto fail;
		goto out;
	}
	spool = mbuild_tmpfile(&e);
	if (spool < 0 || mbuild_body(&b, mbuild_write_fd, &spool, &e) < 0)
		goto fail;
	size = lseek(spool, 0, SEEK_END);
	mbuild_recipients(&mo, &rcpts);
	memset(&env, 0, sizeof env);
	env.envfrom = c->from_addr;
	env.full_name = o->sa.full_name;
	env.rcpts = rcpts.v;
	env.nrcpts = rcpts.n;
	env.envid = o->sa.envid;
	al = load_aliases(acc);
	if (msgprep_set(&p.mp, head.data, head.len, 0, &e) < 0 ||
		sendmail_prepare(&p, &env, acc, al, &e) < 0)
		goto fail;
	p.msg.body = NULL;
	p.msg.body_len = (size_t)size;
	p.msg.body_fd = spool;
	p.msg.flags |= SMTP_MSG_BODY_FD;
	status = send_one(o, acc, ts, &p);
	goto out;
fail:
	print_err(&e);
	status = exit_code(e.code);
out:
	mbuild_release(&b);
	if (spool >= 0)
		close(spool);
	if (mo.body_fd > 0)
		close(mo.body_fd);
	if (mo.html_fd >= 0)
		close(mo.html_fd);
	buf_release(&head);
	addrvec_release(&rcpts);
	sendmail_msg_release(&p);
	aliases_free(al);
	return status;
}

/*
 * The composer's view of the other options: recipient arguments are more
 * To addresses (as mail(1) takes them); --from may carry a display name
 * ("Ops <ops@example.org>") for the From field, its address being the
 * envelope sender.
 */
void
compose_args(struct opts *o)
{
	struct compose *c = &o->c;
	struct addrvec av = ADDRVEC_INIT;
	size_t i;

	if (o->sa.mode != M_SEND || o->sa.read_rcpts)
		diex(EX_USAGE, "the composer options (--to, --attach...) go "
			"with no mode and no -t");
	for (i = 0; i < o->nrcpts; i++)
		c->to = strs_add(c->to, &c->nto, o->rcpts[i]);
	o->nrcpts = 0;
	if (!c->print && !c->nto && !c->ncc && !c->nbcc)
		diex(EX_USAGE, "no recipients (give --to, --cc or --bcc)");
	if (o->sa.envfrom) {
		struct err e;

		if (mbuild_check_value("--from", o->sa.envfrom, &e) < 0)
			diex(EX_USAGE, "%s", e.msg);
		if (addrsplit(o->sa.envfrom, strlen(o->sa.envfrom), &av,
			NULL) != 1)
			diex(EX_USAGE, "--from: not one address: \"%s\"",
				o->sa.envfrom);
		c->from_addr = xstrdup(av.v[0]);
		c->from_header = o->sa.envfrom;
		o->sa.envfrom = c->from_addr;
		addrvec_release(&av);
	}
}

void
compose_free(struct opts *o)
{
	free(o->c.to);
	free(o->c.cc);
	free(o->c.bcc);
	free(o->c.headers);
	free(o->c.attach);
	free(o->c.inl);
	free(o->c.from_addr);
	free(o->rcpts);
}
