/* sendmail.c: see sendmail.h. */
#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "mime/build.h"
#include "proto/sendmail.h"

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
	struct passwd *pw;
	const char *user = getenv("USER");
	char host[256] = "localhost";

	if (acc->from && !strpbrk(acc->from, "*?["))
		return xstrdup(acc->from);
	pw = getpwuid(getuid());
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
			/* up to a line break: one line on stderr */
			return err_set(e, ERR_USAGE, "invalid recipient "
				"\"%.*s\"", (int)strcspn(p->rcpts.v[i],
				"\r\n"), p->rcpts.v[i]);
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
	if (p->mp.spool_fd >= 0) {
		/* a spooled body: read from its file as it is sent */
		p->msg.body_fd = p->mp.spool_fd;
		p->msg.body_len = p->mp.spool_len;
		p->msg.flags |= SMTP_MSG_BODY_FD;
	}
	p->msg.dsn_notify = acc->dsn_notify;
	p->msg.dsn_return = acc->dsn_return;
	p->msg.envid = o->envid;
	return 0;
}

/* ---- sendmail -bs ---- */

/* A command line's bound (RFC 5321 4.5.3.1.4: 512 octets, more with the
 * parameters of extensions), and the piece DATA is read in: a longer line
 * goes to the spool in pieces, never whole. */
#define BS_CMD_MAX 2048
#define BS_PIECE ((size_t)64 << 10)

struct session {
	const struct sendmail_server *sv;
	char *rbuf;		/* what read(2) got: BS_PIECE bytes */
	size_t rpos, rlen;	/* the part not yet taken */
	char *buf;		/* BS_PIECE + 1 bytes */
	size_t len;		/* the piece in buf */
	int eol;		/* it ends its line (with the LF) */
	int failed;		/* a reply could not be written */
};

static void reply(struct session *ss, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
reply(struct session *ss, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(ss->sv->out, fmt, ap) < 0 ||
		fputs("\r\n", ss->sv->out) < 0 || fflush(ss->sv->out) != 0)
		ss->failed = 1;
	va_end(ap);
}

/* The address between < and > after "FROM:" / "TO:", or NULL. */
static char *
path_arg(const char *arg)
{
	const char *lt = strchr(arg, '<'), *gt;

	if (!lt)
		return NULL;
	gt = strchr(lt, '>');
	if (!gt)
		return NULL;
	return xmemdup(lt + 1, (size_t)(gt - lt - 1));
}

/*
 * MAIL's SIZE=N parameter (RFC 1870: 1 to 20 digits) after the path in
 * arg: 0 with *size (0 when there is none), -1 when it is malformed. A
 * number beyond SIZE_MAX is SIZE_MAX.
 */
static int
size_param(const char *arg, size_t *size)
{
	const char *p = strchr(arg, '>');

	*size = 0;
	while (p && (p = strchr(p, ' '))) {
		size_t k = 0, v = 0;

		while (*p == ' ')
			p++;
		if (!has_prefix_ci(p, strlen(p), "SIZE="))
			continue;
		for (p += 5; p[k] >= '0' && p[k] <= '9'; k++)
			v = v > (SIZE_MAX - 9) / 10 ? SIZE_MAX :
				v * 10 + (size_t)(p[k] - '0');
		if (k == 0 || k > 20 || (p[k] && p[k] != ' '))
			return -1;
		*size = v;
	}
	return 0;
}

/* More input into rbuf when it is used up: 0 at the end of input (or a
 * read error: the input is over either way). read(2) returns what the
 * client has sent, so one that waits for a reply is never waited for. */
static size_t
fill(struct session *ss)
{
	ssize_t got;

	if (ss->rpos < ss->rlen)
		return ss->rlen - ss->rpos;
	do
		got = read(ss->sv->in, ss->rbuf, BS_PIECE);
	while (got < 0 && errno == EINTR);
	ss->rpos = 0;
	ss->rlen = got > 0 ? (size_t)got : 0;
	return ss->rlen;
}

/*
 * The next piece of input into buf: up to and with its LF, or max bytes of
 * a longer line; NUL-terminated (it may hold NULs). Its length, 0 at the
 * end of input.
 */
static size_t
next_piece(struct session *ss, size_t max)
{
	size_t n = 0, avail;

	ss->eol = 0;
	while (n < max && (avail = fill(ss)) > 0) {
		const char *p = ss->rbuf + ss->rpos;
		size_t take = avail < max - n ? avail : max - n;
		const char *lf = memchr(p, '\n', take);

		if (lf) {
			take = (size_t)(lf - p) + 1;
			ss->eol = 1;
		}
		memcpy(ss->buf + n, p, take);
		n += take;
		ss->rpos += take;
		if (lf)
			break;
	}
	ss->buf[n] = '\0';
	ss->len = n;
	return n;
}

/* One command line without its line end in buf: its length, -1 at the
 * end of input, -2 for a line longer than BS_CMD_MAX (read and dropped). */
static ssize_t
next_line(struct session *ss)
{
	size_t n = next_piece(ss, BS_CMD_MAX);

	if (n == 0)
		return -1;
	if (!ss->eol && n == BS_CMD_MAX) {
		while (!ss->eol && next_piece(ss, BS_PIECE) > 0)
			;
		return -2;
	}
	if (n > 0 && ss->buf[n - 1] == '\n')
		ss->buf[--n] = '\0';
	if (n > 0 && ss->buf[n - 1] == '\r')
		ss->buf[--n] = '\0';
	return (ssize_t)n;
}

/* Hand what acc holds to sp (after an error, drop it). */
static void
data_flush(struct buf *acc, struct msgprep_spool *sp, int *bad,
	struct err *e)
{
	if (!*bad && acc->len && msgprep_spool_add(sp, acc->data, acc->len,
		e) < 0)
		*bad = 1;
	buf_reset(acc);
}

/*
 * DATA's lines up to the lone ".", dot-unstuffed (RFC 5321 4.5.2), into
 * sp, gathered in slices of BS_PIECE (one spool write each, not one a
 * line). After an error (*bad set, e says which) the rest is read and
 * dropped. 1 at the ".", 0 when the input ended before it.
 */
static int
read_data(struct session *ss, struct msgprep_spool *sp, int *bad,
	struct err *e)
{
	struct buf acc = BUF_INIT;
	int bol = 1, ret = 0;
	size_t n;

	while ((n = next_piece(ss, BS_PIECE)) > 0) {
		const char *p = ss->buf;

		if (bol && p[0] == '.') {
			if (ss->eol && (n == 2 || (n == 3 && p[1] == '\r'))) {
				ret = 1;
				break;
			}
			p++;
			n--;
		}
		bol = ss->eol;
		if (acc.len + n > BS_PIECE)
			data_flush(&acc, sp, bad, e);
		buf_add(&acc, p, n);
	}
	if (ret)
		data_flush(&acc, sp, bad, e);
	buf_release(&acc);
	return ret;
}

/* Relay the message read into sm and answer its final dot. */
static void
relay_msg(struct session *ss, struct sendmail_msg *sm, const char *from,
	struct addrvec *rcpts)
{
	const struct sendmail_server *sv = ss->sv;
	struct sendmail_env env = *sv->env;
	struct err e;

	env.envfrom = from;
	env.from_header = 0;
	env.rcpts = rcpts->v;
	env.nrcpts = rcpts->n;
	env.read_rcpts = 0;
	err_clear(&e);
	if (sendmail_prepare(sm, &env, sv->acc, sv->al, &e) < 0) {
		reply(ss, "554 5.6.0 %s", e.msg);
		return;
	}
	sv->relay(sv->arg, sm);
	if (sm->msg.status == SMTP_SENT)
		reply(ss, "250 2.0.0 %s", sm->msg.reply);
	else if (sm->msg.err.code == ERR_TEMPFAIL)
		reply(ss, "451 4.3.0 %s", sm->msg.err.msg);
	else if (sm->msg.err.code == ERR_NOUSER)
		reply(ss, "550 5.1.1 %s", sm->msg.err.msg);
	else
		reply(ss, "554 5.3.0 %s", sm->msg.err.code ?
			sm->msg.err.msg : "not sent");
}

/*
 * DATA: the header into memory, the body into an unlinked spool file (the
 * relay reads it from there: SIZE and BDAT need its size first), up to
 * the dot; then relay and answer. 0, or -1 at the end of input (the client
 * went away mid-message: nothing is relayed).
 */
static int
serve_data(struct session *ss, const char *from, struct addrvec *rcpts)
{
	const struct sendmail_server *sv = ss->sv;
	struct sendmail_msg sm;
	struct msgprep_spool sp;
	struct err e;
	int spool, bad = 0, ended;

	err_clear(&e);
	spool = mbuild_tmpfile(&e);
	if (spool < 0) {
		reply(ss, "451 4.3.0 %s", e.msg);
		return 0;
	}
	sendmail_msg_init(&sm);
	msgprep_spool_begin(&sp, &sm.mp, spool, MSGPREP_KEEP_FROM_LINE,
		sv->max_bytes);
	reply(ss, "354 end data with <CR><LF>.<CR><LF>");
	ended = read_data(ss, &sp, &bad, &e);
	if (ended && !bad && msgprep_spool_finish(&sp, &e) < 0)
		bad = 1;
	msgprep_spool_release(&sp);
	if (ended && bad)
		reply(ss, "%s %s", e.code == ERR_DATA ? "552 5.3.4" :
			"452 4.3.1", e.msg);
	else if (ended)
		relay_msg(ss, &sm, from, rcpts);
	sendmail_msg_release(&sm);
	close(spool);
	return ended ? 0 : -1;
}

/* MAIL FROM:<path> [SIZE=N]: the sender, or NULL after a refusal. */
static char *
serve_mail(struct session *ss, const char *line, size_t n)
{
	size_t max = ss->sv->max_bytes, size;
	char *p = has_prefix_ci(line, n, "MAIL FROM:") ? path_arg(line + 10) :
		NULL;

	if (!p)
		reply(ss, "501 5.5.4 syntax: MAIL FROM:<address>");
	else if (size_param(line + 10, &size) < 0)
		reply(ss, "501 5.5.4 syntax: SIZE=<number of bytes>");
	else if (max && size > max)
		reply(ss, "552 5.3.4 message size %zu exceeds the limit of "
			"%zu bytes", size, max);
	else {
		reply(ss, "250 2.1.0 ok");
		return p;
	}
	free(p);
	return NULL;
}

int
sendmail_serve(const struct sendmail_server *sv, struct err *err)
{
	struct session ss = { sv, xmalloc(BS_PIECE), 0, 0,
		xmalloc(BS_PIECE + 1), 0, 0, 0 };
	struct addrvec rcpts = ADDRVEC_INIT;
	char *from = NULL;
	int cut = 0;
	ssize_t n;

	reply(&ss, "220 %s ESMTP msend", sv->hostname);
	while (!ss.failed && (n = next_line(&ss)) != -1) {
		const char *line = ss.buf;
		char verb[16];
		size_t k = 0;

		if (n == -2) {
			reply(&ss, "500 5.5.2 line longer than %d bytes",
				BS_CMD_MAX);
			continue;
		}
		while (k < sizeof(verb) - 1 && line[k] && line[k] != ' ') {
			verb[k] = (char)(line[k] >= 'a' && line[k] <= 'z' ?
				line[k] - 32 : line[k]);
			k++;
		}
		verb[k] = '\0';
		if (strcmp(verb, "EHLO") == 0)
			reply(&ss, "250-%s\r\n250-PIPELINING\r\n"
				"250-SIZE %zu\r\n250-8BITMIME\r\n"
				"250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES",
				sv->hostname, sv->max_bytes);
		else if (strcmp(verb, "HELO") == 0)
			reply(&ss, "250 %s", sv->hostname);
		else if (strcmp(verb, "NOOP") == 0)
			reply(&ss, "250 2.0.0 ok");
		else if (strcmp(verb, "RSET") == 0) {
			free(from);
			from = NULL;
			addrvec_release(&rcpts);
			reply(&ss, "250 2.0.0 ok");
		} else if (strcmp(verb, "QUIT") == 0) {
			reply(&ss, "221 2.0.0 bye");
			break;
		} else if (strcmp(verb, "VRFY") == 0)
			reply(&ss, "252 2.5.2 cannot verify, send some mail");
		else if (strcmp(verb, "MAIL") == 0) {
			if (from)
				reply(&ss, "503 5.5.1 nested MAIL command");
			else
				from = serve_mail(&ss, line, (size_t)n);
		} else if (strcmp(verb, "RCPT") == 0) {
			char *p = has_prefix_ci(line, (size_t)n, "RCPT TO:") ?
				path_arg(line + 8) : NULL;

			if (!from)
				reply(&ss, "503 5.5.1 need MAIL first");
			else if (!p || !*p)
				reply(&ss, "501 5.5.4 syntax: RCPT "
					"TO:<address>");
			else {
				addrvec_push(&rcpts, p, strlen(p));
				reply(&ss, "250 2.1.5 ok");
			}
			free(p);
		} else if (strcmp(verb, "DATA") == 0) {
			if (!from || !rcpts.n) {
				reply(&ss, "503 5.5.1 need MAIL and RCPT "
					"first");
				continue;
			}
			if (serve_data(&ss, from, &rcpts) < 0) {
				cut = 1;
				break;
			}
			free(from);
			from = NULL;
			addrvec_release(&rcpts);
		} else
			reply(&ss, "502 5.5.2 command not implemented");
	}
	free(ss.rbuf);
	free(ss.buf);
	free(from);
	addrvec_release(&rcpts);
	if (ss.failed)
		return err_set(err, ERR_IO, "writing an SMTP reply failed");
	if (cut)
		return err_set(err, ERR_PROTOCOL, "the input ended inside a "
			"message (DATA without its final dot): that message "
			"was not sent");
	return 0;
}

/* ---- results ---- */

void
sendmail_log_line(struct buf *out, const struct account *acc,
	const struct smtp_msg *m, size_t size, const char *exit_name)
{
	size_t i;

	buf_addf(out, "host=%s tls=%s auth=%s", acc->host ? acc->host : "",
		acc->tls ? "on" : "off", acc->auth ? "on" : "off");
	if (acc->user)
		buf_addf(out, " user=%s", acc->user);
	buf_addf(out, " from=%s recipients=", m->from);
	for (i = 0; i < m->nrcpt; i++)
		buf_addf(out, "%s%s", i ? "," : "", m->rcpt[i].addr);
	buf_addf(out, " mailsize=%zu", size);
	if (m->code)
		buf_addf(out, " smtpstatus=%d smtpmsg='%s'", m->code,
			m->reply);
	if (m->err.code != ERR_NONE)
		buf_addf(out, " errormsg='%s'", m->err.msg);
	buf_addf(out, " exitcode=%s", exit_name);
}

void
sendmail_json(struct buf *out, const struct smtp_msg *m, size_t index,
	size_t size, int exit_status, const char *exit_name)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "index");
	json_int(&j, (long long)index);
	json_key(&j, "status");
	json_cstr(&j, m->status == SMTP_SENT ? "sent" :
		m->status == SMTP_IN_DOUBT ? "in-doubt" : "failed");
	json_key(&j, "from");
	json_cstr(&j, m->from);
	json_key(&j, "size");
	json_int(&j, (long long)size);
	json_key(&j, "recipients");
	json_arr_begin(&j);
	for (i = 0; i < m->nrcpt; i++) {
		json_obj_begin(&j);
		json_key(&j, "address");
		json_cstr(&j, m->rcpt[i].addr);
		json_key(&j, "code");
		if (m->rcpt[i].code)
			json_int(&j, m->rcpt[i].code);
		else
			json_null(&j);
		json_key(&j, "enhanced");
		json_cstr(&j, m->rcpt[i].esc[0] ? m->rcpt[i].esc : NULL);
		json_key(&j, "reply");
		json_cstr(&j, m->rcpt[i].reply);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "code");
	if (m->code)
		json_int(&j, m->code);
	else
		json_null(&j);
	json_key(&j, "reply");
	json_cstr(&j, m->code ? m->reply : NULL);
	json_key(&j, "error");
	json_cstr(&j, m->err.code != ERR_NONE ? m->err.msg : NULL);
	json_key(&j, "exit");
	json_int(&j, exit_status);
	json_key(&j, "exit_name");
	json_cstr(&j, exit_name);
	json_obj_end(&j);
}

void
sendmail_args_init(struct sendmail_args *a)
{
	memset(a, 0, sizeof(*a));
	a->mode = SENDMAIL_SEND;
	a->dot_ends = 1;
}

int
sendmail_args_override(struct sendmail_args *a, const char *key,
	const char *value, struct err *e)
{
	if (a->nov == SENDMAIL_MAX_OVERRIDES)
		return err_set(e, ERR_USAGE, "too many options");
	if (strcmp(key, "dsn_return") == 0 && strcmp(value, "hdrs") == 0)
		value = "headers";
	a->ov[a->nov].key = key;
	a->ov[a->nov].value = value;
	a->nov++;
	return 0;
}

int
sendmail_args_short(struct sendmail_args *a, int argc, char **argv, int *i,
	struct err *e)
{
	const char *arg = argv[*i];
	size_t j;

	a->unknown[0] = '\0';
	for (j = 1; arg[j]; j++) {
		char c = arg[j];
		const char *val = NULL;

		if (strchr("frFaCNRVXoBbhLOepqM", c)) {
			if (arg[j + 1])
				val = arg + j + 1;
			else if (c != 'q' && c != 'b' && *i + 1 < argc)
				val = argv[++*i];
			else if (strchr("frFaCNRVX", c))
				return err_set(e, ERR_USAGE,
					"option -%c needs a value", c);
			else
				val = "";
		}
		switch (c) {
		case 't': a->read_rcpts = 1; continue;
		case 'i': a->dot_ends = 0; continue;
		case 'v': case 'd': a->verbose++; continue;
		case 'h':
			if (!arg[j + 1] && val == argv[*i] && j == 1 &&
				strcmp(arg, "-h") == 0)
				a->help = 1;
			return 0;	/* -hN: hop count, ignored */
		case 'n': case 'm': case 'U': case 'G': continue;
		case 'f': case 'r': a->envfrom = val; return 0;
		case 'F': a->full_name = val; return 0;
		case 'a': a->account = val; return 0;
		case 'C': a->config = val; return 0;
		case 'X': return sendmail_args_override(a, "logfile", val, e);
		case 'N':
			return sendmail_args_override(a, "dsn_notify", val, e);
		case 'R':
			return sendmail_args_override(a, "dsn_return", val, e);
		case 'V': a->envid = val; return 0;
		case 'o':
			if (strcmp(val, "i") == 0)
				a->dot_ends = 0;
			return 0;	/* -oem, -odi, -om...: nothing to do */
		case 'B': case 'L': case 'O': case 'e': case 'p': case 'M':
			return 0;
		case 'q':
			a->mode = SENDMAIL_QUEUE;
			a->flush = 1;
			return 0;
		case 'b':
			switch (val[0]) {
			case 's': a->mode = SENDMAIL_SERVE; break;
			case 'p': a->mode = SENDMAIL_QUEUE; a->flush = 0;
				break;
			case 'm': a->mode = SENDMAIL_SEND; break;
			default:
				return err_set(e, ERR_USAGE, "-b%s is not "
					"supported (msend has -bm, -bs, -bp)",
					val);
			}
			return 0;
		default:
			if (!a->unknown[0]) {
				a->unknown[0] = '-';
				a->unknown[1] = c;
				a->unknown[2] = '\0';
			}
		}
	}
	return 0;
}

int
sendmail_args_check(const struct sendmail_args *a, struct err *e)
{
	if (a->envfrom) {
		char *f = sendmail_norm_from(a->envfrom);
		int bad = msgprep_check_addr(f, e) < 0;

		free(f);
		if (bad)
			return -1;
	}
	if (a->full_name && strpbrk(a->full_name, "\r\n"))
		return err_set(e, ERR_USAGE,
			"-F: the full name holds a line break");
	return 0;
}

void
sendmail_report(struct buf *out, const char *prefix,
	const struct smtp_msg *m, const char *peer, int partial)
{
	size_t i, refused = 0;

	for (i = 0; i < m->nrcpt; i++) {
		const struct smtp_rcpt *r = &m->rcpt[i];

		if (r->code >= 400) {
			refused++;
			buf_addf(out, "%s%s: RCPT TO:<%s>: %s\n", prefix, peer,
				r->addr, r->reply);
		}
	}
	if (m->status == SMTP_SENT) {
		if (refused)
			buf_addf(out, "%sdelivered to %zu of %zu recipients\n",
				prefix, m->accepted, m->nrcpt);
		return;
	}
	if (refused && (m->err.code == ERR_NOUSER ||
		m->err.code == ERR_TEMPFAIL) &&
		strstr(m->err.msg, "RCPT TO:")) {
		if (m->nrcpt > 1)
			buf_addf(out, "%smessage not sent: %zu of %zu "
				"recipients refused%s\n", prefix, refused,
				m->nrcpt, partial || !m->accepted ? "" :
				" (--partial delivers to the others)");
		return;
	}
	if (m->err.code != ERR_NONE)
		buf_addf(out, "%s%s\n", prefix, m->err.msg);
}
