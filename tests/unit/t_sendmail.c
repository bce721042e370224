/* t_sendmail.c: the sendmail -bs server (sendmail_serve) with a fake
 * relay, sendmail_prepare's envelope rules, sendmail's short options
 * (sendmail_args_short, _check) and the report of one message. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "proto/sendmail.h"
#include "tap.h"
#include "base/util.h"

/* What the fake relay saw, and what it answers. */
struct fake {
	int calls;
	char from[64];
	char rcpts[256];
	char body[256];		/* the last message's body */
	size_t body_len;	/* its whole length */
	enum err_code fail;	/* ERR_NONE: sent */
};

static void
fake_relay(void *arg, struct sendmail_msg *sm)
{
	struct fake *f = arg;
	size_t i, blen;
	const char *body = msgprep_body(&sm->mp, &blen);
	ssize_t got;

	f->calls++;
	snprintf(f->from, sizeof f->from, "%s", sm->msg.from);
	f->rcpts[0] = '\0';
	for (i = 0; i < sm->msg.nrcpt; i++) {
		if (i)
			strcat(f->rcpts, ",");
		strncat(f->rcpts, sm->msg.rcpt[i].addr,
			sizeof(f->rcpts) - strlen(f->rcpts) - 2);
	}
	snprintf(f->body, sizeof f->body, "%.*s", (int)blen, body);
	f->body_len = blen;
	if (sm->msg.flags & SMTP_MSG_BODY_FD) {
		/* the body streamed to the spool: read it back */
		got = pread(sm->msg.body_fd, f->body, sizeof(f->body) - 1,
			sm->msg.body_off);
		f->body[got > 0 ? got : 0] = '\0';
		f->body_len = sm->msg.body_len;
	}
	if (f->fail == ERR_NONE) {
		sm->msg.status = SMTP_SENT;
		snprintf(sm->msg.reply, sizeof sm->msg.reply,
			"250 2.0.0 Ok: queued as X1");
	} else
		err_set(&sm->msg.err, f->fail, "relay said no");
}

/* Run a session on the len bytes of in with the fake relay f: the result
 * of sendmail_serve(), its output in *out (the caller frees it). */
static int
serve(const char *in, size_t len, size_t max, struct fake *f, char **out,
	struct err *e)
{
	struct account *acc = account_new("t");
	struct sendmail_env env;
	struct sendmail_server sv;
	size_t outlen = 0;
	FILE *fi = tmpfile();
	FILE *fo = open_memstream(out, &outlen);
	int r;

	fwrite(in, 1, len, fi);
	rewind(fi);

	account_set(acc, "set_date_header", "off", e);
	account_set(acc, "set_msgid_header", "off", e);
	memset(&env, 0, sizeof env);
	memset(&sv, 0, sizeof sv);
	sv.in = fileno(fi);
	sv.out = fo;
	sv.hostname = "h";
	sv.env = &env;
	sv.acc = acc;
	sv.max_bytes = max;
	sv.relay = fake_relay;
	sv.arg = f;
	r = sendmail_serve(&sv, e);
	fclose(fo);
	fclose(fi);
	account_free(acc);
	return r;
}

static void
test_serve(void)
{
	static const struct {
		const char *name, *in;
		enum err_code fail;
		const char *want;	/* the whole output */
		int calls;
		const char *from, *rcpts, *body;
		int ret;		/* of sendmail_serve */
	} t[] = {
		{ "a message relayed, dots unstuffed",
			"EHLO c\r\nMAIL FROM:<a@x> SIZE=10\r\n"
			"RCPT TO:<b@y>\r\nRCPT TO:<c@z>\r\nDATA\r\n"
			"Subject: s\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n250-h\r\n250-PIPELINING\r\n"
			"250-SIZE 1048576\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
			"250 ENHANCEDSTATUSCODES\r\n250 2.1.0 ok\r\n"
			"250 2.1.5 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n"
			"221 2.0.0 bye\r\n",
			1, "a@x", "b@y,c@z", ".dot\r\nbody\r\n", 0 },
		{ "LF input, null sender",
			"HELO c\nMAIL FROM:<>\nRCPT TO:<b@y>\nDATA\n"
			"S: 1\n\nx\n.\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n250 h\r\n250 2.1.0 ok\r\n"
			"250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n",
			1, "", "b@y", "x\r\n", 0 },
		{ "temporary failure is 451",
			"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nx\r\n"
			".\r\n",
			ERR_TEMPFAIL,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"451 4.3.0 relay said no\r\n",
			1, "a@x", "b@y", NULL, 0 },
		{ "refused recipient is 550",
			"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nx\r\n"
			".\r\n",
			ERR_NOUSER,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"550 5.1.1 relay said no\r\n",
			1, "a@x", "b@y", NULL, 0 },
		{ "other failure is 554",
			"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nx\r\n"
			".\r\n",
			ERR_NOPERM,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"554 5.3.0 relay said no\r\n",
			1, "a@x", "b@y", NULL, 0 },
		{ "order enforced, RSET, unknown verbs",
			"RCPT TO:<b@y>\r\nDATA\r\nMAIL FROM:<a@x>\r\n"
			"MAIL FROM:<a@x>\r\nRSET\r\nMAIL FROM:bad\r\n"
			"RCPT TO:<b@y>\r\nTURN\r\nNOOP\r\nVRFY b\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n503 5.5.1 need MAIL first\r\n"
			"503 5.5.1 need MAIL and RCPT first\r\n"
			"250 2.1.0 ok\r\n503 5.5.1 nested MAIL command\r\n"
			"250 2.0.0 ok\r\n"
			"501 5.5.4 syntax: MAIL FROM:<address>\r\n"
			"503 5.5.1 need MAIL first\r\n"
			"502 5.5.2 command not implemented\r\n"
			"250 2.0.0 ok\r\n"
			"252 2.5.2 cannot verify, send some mail\r\n",
			0, NULL, NULL, NULL, 0 },
		{ "end of input inside DATA relays nothing",
			"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"
			"partial\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n",
			0, NULL, NULL, NULL, -1 },
		{ "SIZE= checked at MAIL: beyond the limit, malformed, fine",
			"MAIL FROM:<a@x> SIZE=2000000\r\n"
			"MAIL FROM:<a@x> SIZE=12x\r\n"
			"MAIL FROM:<a@x> SIZE=123456789012345678901\r\n"
			"MAIL FROM:<a@x> BODY=8BITMIME size=100\r\n"
			"RCPT TO:<b@y>\r\nDATA\r\nx\r\n.\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n"
			"552 5.3.4 message size 2000000 exceeds the limit of "
			"1048576 bytes\r\n"
			"501 5.5.4 syntax: SIZE=<number of bytes>\r\n"
			"501 5.5.4 syntax: SIZE=<number of bytes>\r\n"
			"250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n",
			1, "a@x", "b@y", "x\r\n", 0 },
		{ "RSET, then two messages on one session",
			"MAIL FROM:<a1@x>\r\nRCPT TO:<b@y>\r\nRSET\r\n"
			"MAIL FROM:<a2@x>\r\nRCPT TO:<c@y>\r\nDATA\r\n"
			"S: 1\r\n\r\none\r\n.\r\n"
			"MAIL FROM:<a3@x>\r\nRCPT TO:<d@y>\r\nDATA\r\n"
			"S: 2\r\n\r\ntwo\r\n..\r\n.\r\nQUIT\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"250 2.0.0 ok\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n"
			"250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n"
			"221 2.0.0 bye\r\n",
			2, "a3@x", "d@y", "two\r\n.\r\n", 0 },
		{ "too big: 552, nothing relayed",
			"MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"
			"0123456789012345678901234567890123456789\r\n.\r\n",
			ERR_NONE,
			"220 h ESMTP msend\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
			"354 end data with <CR><LF>.<CR><LF>\r\n"
			"552 5.3.4 message larger than 32 bytes\r\n",
			0, NULL, NULL, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct fake f;
		struct err e;
		char *out = NULL;

		memset(&f, 0, sizeof f);
		f.fail = t[i].fail;
		tap_int(serve(t[i].in, strlen(t[i].in), strstr(t[i].name,
			"too big") ? 32 : 1 << 20, &f, &out, &e), t[i].ret,
			t[i].name);
		if (t[i].ret)
			tap_int(e.code, ERR_PROTOCOL, "input ended in DATA");
		tap_str(out, t[i].want, t[i].name);
		tap_int(f.calls, t[i].calls, "relay calls");
		if (t[i].from)
			tap_str(f.from, t[i].from, "envelope sender");
		if (t[i].rcpts)
			tap_str(f.rcpts, t[i].rcpts, "recipients");
		if (t[i].body)
			tap_str(f.body, t[i].body, "body as relayed");
		free(out);
	}
}

/* Lines longer than the reader's pieces: a command line is refused with
 * 500 and the session goes on; a body line of 200,000 bytes arrives whole,
 * unstuffed only at its start (a '.' where a piece begins in mid-line is
 * data). */
static void
test_serve_long(void)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	struct fake f;
	struct err e;
	char *out = NULL;
	size_t k;

	buf_addstr(&in, "NOOP ");
	for (k = 0; k < 3000; k++)
		buf_addch(&in, 'n');
	buf_addstr(&in, "\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"
		"S: 1\r\n\r\n..");
	for (k = 0; k < 200000; k++)
		buf_addch(&in, k % 65536 == 65534 ? '.' : 'x');
	buf_addstr(&in, "\r\n.\r\nQUIT\r\n");
	memset(&f, 0, sizeof f);
	tap_int(serve(in.data, in.len, 1 << 20, &f, &out, &e), 0,
		"long lines: session");
	buf_addstr(&want, "220 h ESMTP msend\r\n500 5.5.2 line longer than "
		"2048 bytes\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
		"354 end data with <CR><LF>.<CR><LF>\r\n"
		"250 2.0.0 250 2.0.0 Ok: queued as X1\r\n221 2.0.0 bye\r\n");
	tap_str(out, want.data, "long lines: replies");
	tap_int(f.calls, 1, "long lines: relayed once");
	tap_int((long long)f.body_len, 1 + 200000 + 2, "long lines: the whole "
		"body line, one dot unstuffed");
	tap_int(strncmp(f.body, ".xxx", 4), 0, "long lines: body start");
	free(out);
	buf_release(&in);
	buf_release(&want);
}

static void
test_prepare(void)
{
	static const struct {
		const char *name, *msg, *envfrom;
		int from_header, read_rcpts;
		const char *want_from, *want_rcpts;
		int ok;
	} t[] = {
		{ "-f wins", "From: h@x\nTo: t@x\n\nb\n", "f@x", 1, 1,
			"f@x", "arg@x,t@x", 1 },
		{ "<> is the null sender", "To: t@x\n\nb\n", "<>", 0, 0,
			"", "arg@x", 1 },
		{ "Return-Path before From", "Return-Path: <rp@x>\nFrom: h@x\n"
			"\nb\n", NULL, 1, 0, "rp@x", "arg@x", 1 },
		{ "From when no Return-Path", "From: Name <h@x>\n\nb\n", NULL,
			1, 0, "h@x", "arg@x", 1 },
		{ "the account's from otherwise", "From: h@x\n\nb\n", NULL, 0,
			0, "acct@x", "arg@x", 1 },
		{ "a recipient with a line break is refused",
			"To: a@x\n\nb\n", "f@x", 0, 0, NULL, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct account *acc = account_new("t");
		struct sendmail_msg sm;
		struct sendmail_env env;
		struct err e;
		char *rc[2] = { "arg@x", NULL };
		char buf[256] = "";
		size_t k;

		account_set(acc, "from", "acct@x", &e);
		if (!t[i].ok)
			rc[0] = "bad@x\r\nRCPT TO:<evil@x>";
		memset(&env, 0, sizeof env);
		env.envfrom = t[i].envfrom;
		env.from_header = t[i].from_header;
		env.rcpts = rc;
		env.nrcpts = 1;
		env.read_rcpts = t[i].read_rcpts;
		sendmail_msg_init(&sm);
		msgprep_set(&sm.mp, t[i].msg, strlen(t[i].msg), 0, &e);
		tap_int(sendmail_prepare(&sm, &env, acc, NULL, &e) == 0,
			t[i].ok, t[i].name);
		if (t[i].ok) {
			tap_str(sm.msg.from, t[i].want_from, "sender");
			for (k = 0; k < sm.msg.nrcpt; k++) {
				if (k)
					strcat(buf, ",");
				strcat(buf, sm.msg.rcpt[k].addr);
			}
			tap_str(buf, t[i].want_rcpts, "recipients");
		} else
			tap_int(e.code, ERR_USAGE, "usage error");
		sendmail_msg_release(&sm);
		account_free(acc);
	}
}

/* sendmail_args_short over every argument of argv; what a shows after,
 * in one line: "mode t i v f F a C V ov... h unknown", "-" for unset,
 * or "error: MSG". */
static void
args_line(char **argv, int argc, char *out, size_t outsz)
{
	struct sendmail_args a;
	struct err e;
	int i, n;
	size_t k;
	char unk[8] = "";

	sendmail_args_init(&a);
	for (i = 1; i < argc; i++) {
		if (sendmail_args_short(&a, argc, argv, &i, &e) < 0) {
			snprintf(out, outsz, "error: %s", e.msg);
			return;
		}
		if (a.unknown[0] && !unk[0])
			strcpy(unk, a.unknown);
	}
#define S(x) ((x) ? (x) : "-")
	n = snprintf(out, outsz, "%d %d %d %d %s %s %s %s %s", a.mode,
		a.read_rcpts, a.dot_ends, a.verbose, S(a.envfrom),
		S(a.full_name), S(a.account), S(a.config), S(a.envid));
#undef S
	for (k = 0; k < a.nov; k++)
		n += snprintf(out + n, outsz - (size_t)n, " %s=%s", a.ov[k].key,
			a.ov[k].value);
	snprintf(out + n, outsz - (size_t)n, " %d %s", a.help,
		unk[0] ? unk : "-");
}

static void
test_args(void)
{
	static const struct {
		const char *args;	/* space-separated, after argv[0] */
		const char *want;
	} t[] = {
		{ "", "0 0 1 0 - - - - - 0 -" },
		{ "-t -i", "0 1 0 0 - - - - - 0 -" },
		{ "-ti", "0 1 0 0 - - - - - 0 -" },
		{ "-oi", "0 0 0 0 - - - - - 0 -" },
		{ "-oem -odi", "0 0 1 0 - - - - - 0 -" },
		{ "-vd -v", "0 0 1 3 - - - - - 0 -" },
		{ "-fa@b -F Joe", "0 0 1 0 a@b Joe - - - 0 -" },
		{ "-f a@b -r c@d", "0 0 1 0 c@d - - - - 0 -" },
		{ "-tfa@b", "0 1 1 0 a@b - - - - 0 -" },
		{ "-a work -C /c -V id1", "0 0 1 0 - - work /c id1 0 -" },
		{ "-X /log -N never -R hdrs -R full",
			"0 0 1 0 - - - - - logfile=/log dsn_notify=never "
			"dsn_return=headers dsn_return=full 0 -" },
		{ "-bs", "1 0 1 0 - - - - - 0 -" },
		{ "-bp", "2 0 1 0 - - - - - 0 -" },
		{ "-q", "2 0 1 0 - - - - - 0 -" },
		{ "-q1h", "2 0 1 0 - - - - - 0 -" },
		{ "-bs -bm", "0 0 1 0 - - - - - 0 -" },
		{ "-h 17", "0 0 1 0 - - - - - 1 -" },
		{ "-h", "0 0 1 0 - - - - - 0 -" },
		{ "-h17 -t", "0 1 1 0 - - - - - 0 -" },
		{ "-n -m -U -G -B8BITMIME -Lx -Ox=y -em -pp -Mx",
			"0 0 1 0 - - - - - 0 -" },
		{ "-Zt -Y", "0 1 1 0 - - - - - 0 -Z" },
		{ "-f", "error: option -f needs a value" },
		{ "-t -X", "error: option -X needs a value" },
		{ "-bd", "error: -bd is not supported (msend has -bm, -bs, "
			"-bp)" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char buf[256], got[512], *argv[16], *save = NULL, *tok;
		int argc = 0;

		snprintf(buf, sizeof buf, "%s", t[i].args);
		argv[argc++] = (char *)"sendmail";
		for (tok = strtok_r(buf, " ", &save); tok;
			tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
		args_line(argv, argc, got, sizeof got);
		tap_ok(strcmp(got, t[i].want) == 0, "sendmail %s: %s",
			t[i].args, got);
	}
}

static void
test_args_override(void)
{
	struct sendmail_args a;
	struct err e;
	size_t i;
	int r = 0;

	sendmail_args_init(&a);
	for (i = 0; i < SENDMAIL_MAX_OVERRIDES && r == 0; i++)
		r = sendmail_args_override(&a, "logfile", "x", &e);
	tap_ok(r == 0 && a.nov == SENDMAIL_MAX_OVERRIDES, "overrides up to "
		"the limit");
	r = sendmail_args_override(&a, "logfile", "x", &e);
	tap_ok(r < 0 && e.code == ERR_USAGE && a.nov ==
		SENDMAIL_MAX_OVERRIDES && strcmp(e.msg, "too many options") == 0,
		"one more: ERR_USAGE \"%s\"", e.msg);
}

static void
test_args_check(void)
{
	static const struct {
		const char *from, *name;
		const char *want;	/* "" for 0 */
	} t[] = {
		{ NULL, NULL, "" },
		{ "<a@b.example>", "Jane Doe", "" },
		{ "<>", NULL, "" },
		{ "", NULL, "" },
		{ "a b@c", NULL, "ERR_USAGE" },
		{ "a@b\r\nRCPT TO:<x@y>", NULL, "ERR_USAGE" },
		{ NULL, "Jane\nBcc: x@y", "-F: the full name holds a line "
			"break" },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct sendmail_args a;
		struct err e;
		int r;

		sendmail_args_init(&a);
		a.envfrom = t[i].from;
		a.full_name = t[i].name;
		err_clear(&e);
		r = sendmail_args_check(&a, &e);
		if (!*t[i].want)
			tap_ok(r == 0, "check %zu: sound", i);
		else
			tap_ok(r < 0 && e.code == ERR_USAGE &&
				(strcmp(t[i].want, "ERR_USAGE") == 0 ||
				strcmp(e.msg, t[i].want) == 0),
				"check %zu: ERR_USAGE \"%s\"", i, e.msg);
	}
}

static void
test_report(void)
{
	struct smtp_rcpt rc[3];
	struct smtp_msg m;
	struct buf out = BUF_INIT;

	memset(rc, 0, sizeof rc);
	rc[0].addr = "a@x";
	rc[0].code = 250;
	rc[1].addr = "b@x";
	rc[1].code = 550;
	strcpy(rc[1].reply, "550 5.1.1 no such user");
	rc[2].addr = "c@x";
	rc[2].code = 451;
	strcpy(rc[2].reply, "451 4.3.0 try later");
	memset(&m, 0, sizeof m);
	m.rcpt = rc;
	m.nrcpt = 3;
	m.accepted = 1;

	/* Sent to some (--partial). */
	m.status = SMTP_SENT;
	err_set(&m.err, ERR_NOUSER, "RCPT TO:<b@x>: 550");
	sendmail_report(&out, "p: ", &m, "mx:25", 1);
	tap_str(out.data, "p: mx:25: RCPT TO:<b@x>: 550 5.1.1 no such user\n"
		"p: mx:25: RCPT TO:<c@x>: 451 4.3.0 try later\n"
		"p: delivered to 1 of 3 recipients\n", "report: partly sent");

	/* Not sent because of the refusals: a hint at --partial. */
	buf_reset(&out);
	m.status = SMTP_NOT_SENT;
	sendmail_report(&out, "", &m, "mx", 0);
	tap_str(out.data, "mx: RCPT TO:<b@x>: 550 5.1.1 no such user\n"
		"mx: RCPT TO:<c@x>: 451 4.3.0 try later\n"
		"message not sent: 2 of 3 recipients refused (--partial "
		"delivers to the others)\n", "report: refused, with the hint");
	buf_reset(&out);
	m.accepted = 0;
	sendmail_report(&out, "", &m, "mx", 0);
	tap_ok(strstr(out.data, "refused\n") != NULL, "report: no hint when "
		"none was accepted");

	/* Another error: its message. */
	buf_reset(&out);
	rc[1].code = rc[2].code = 250;
	err_set(&m.err, ERR_TEMPFAIL, "mx: connection timed out");
	sendmail_report(&out, "p: ", &m, "mx", 0);
	tap_str(out.data, "p: mx: connection timed out\n", "report: error");

	/* Sent to all: nothing. */
	buf_reset(&out);
	m.status = SMTP_SENT;
	err_clear(&m.err);
	sendmail_report(&out, "p: ", &m, "mx", 0);
	tap_ok(out.len == 0, "report: nothing when sent to all");
	buf_release(&out);
}

int
main(void)
{
	test_serve();
	test_serve_long();
	test_prepare();
	test_args();
	test_args_override();
	test_args_check();
	test_report();
	return tap_done();
}
