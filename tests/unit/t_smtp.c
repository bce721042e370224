/*
 * t_smtp: the SMTP engine (smtp_start, smtp_send) against scripted servers
 * on a socketpair (peer.h), no network. What each server sees is checked
 * by the server itself: the pipelined writes arrive whole, and a server
 * without PIPELINING (strict) never receives a command before it answered
 * the one before (QUIT after the final dot, RSET before the next MAIL,
 * BDAT chunks one at a time: the fix of commit dd9d40e).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/conn.h"
#include "proto/sasl.h"
#include "proto/smtp.h"
#include "peer.h"
#include "tap.h"

#define HEAD "Subject: t\r\n\r\n"
#define BODY "hello\r\n.dot\r\n"
#define WIRE HEAD "hello\r\n..dot\r\n"	/* DATA dot-stuffs */

#define EHLO_PIPE "250-peer\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
#define EHLO_PLAIN "250-peer\r\n250 8BITMIME\r\n"
#define EHLO_CHUNK "250-peer\r\n250 CHUNKING\r\n"
#define EHLO_CHUNK_PIPE "250-peer\r\n250-PIPELINING\r\n250 CHUNKING\r\n"

static struct peer pe;
static char got[4096];	/* the message as the server received it */

/* Greeting and EHLO, the EHLO reply given. */
static void
hello(struct peer *p, const char *ehlo)
{
	peer_send(p, "220 peer ESMTP\r\n");
	peer_expect(p, "EHLO client.example");
	peer_reply(p, ehlo);
}

/* The lines of DATA up to the ".", rebuilt with CRLF, into got. */
static void
read_data(struct peer *p)
{
	char line[1024];
	size_t n = 0;

	got[0] = '\0';
	while (peer_line(p, line, sizeof line) == 0 && strcmp(line, ".")) {
		n += (size_t)snprintf(got + n, sizeof got - n, "%s\r\n",
			line);
		if (n >= sizeof got)
			break;
	}
}

/* "BDAT n[ LAST]" and its n bytes, appended to got. Returns last. */
static int
read_bdat(struct peer *p)
{
	const char *l = peer_expect(p, NULL);
	char chunk[4096];
	unsigned long n;
	int last;

	if (strncmp(l, "BDAT ", 5) != 0) {
		peer_fail(p, "wanted BDAT, got '%s'", l);
		return 1;
	}
	n = strtoul(l + 5, NULL, 10);
	last = strstr(l, " LAST") != NULL;
	if (n >= sizeof chunk || peer_bytes(p, n, chunk, sizeof chunk) < 0) {
		peer_fail(p, "BDAT chunk of %lu bytes", n);
		return 1;
	}
	strncat(got, chunk, sizeof got - strlen(got) - 1);
	return last;
}

/* Are these lines already received (one pipelined write)? */
static void
arrived_together(struct peer *p, const char *want)
{
	peer_fill(p, PEER_QUIET_MS);
	if (p->len < strlen(want) || memcmp(p->in, want, strlen(want)))
		peer_fail(p, "not in one write: '%s' (have '%.*s')", want,
			(int)p->len, p->in);
}

/* The session under test, against script (pe.arg: arg). */
static struct smtp *
start(void (*script)(struct peer *), int strict, void *arg,
	struct account *acc, const char *password, unsigned flags,
	struct err *e)
{
	struct account def;
	struct conn *c;
	int fd;

	if (!acc) {
		memset(&def, 0, sizeof def);
		acc = &def;
	}
	acc->domain = "client.example";
	memset(&pe, 0, sizeof pe);
	pe.strict = strict;
	pe.arg = arg;
	got[0] = '\0';
	fd = peer_start(&pe, script);
	c = conn_from_fd(fd, "peer:25", NULL, e);
	if (!c)
		return NULL;
	conn_set_timeout(c, 10);
	return smtp_start(c, acc, password, flags, e);
}

static void
msg_init(struct smtp_msg *m, struct smtp_rcpt *rc, size_t n)
{
	memset(m, 0, sizeof *m);
	m->from = "a@x";
	m->rcpt = rc;
	m->nrcpt = n;
	m->head = HEAD;
	m->head_len = strlen(HEAD);
	m->body = BODY;
	m->body_len = strlen(BODY);
}

static void
rcpt_init(struct smtp_rcpt *rc, size_t n)
{
	static const char *addr[] = { "b@x", "c@x", "d@x" };
	size_t i;

	memset(rc, 0, n * sizeof *rc);
	for (i = 0; i < n; i++)
		rc[i].addr = addr[i];
}

/*
 * One message to n recipients (b@x, c@x...) against script; returns what
 * smtp_send() did (-1 also when the session did not start: m->err says
 * why). The session ends with smtp_quit().
 */
static int
send_one(void (*script)(struct peer *), int strict, size_t n,
	unsigned flags, struct smtp_msg *m, struct smtp_rcpt *rc)
{
	struct err e;
	struct smtp *s = start(script, strict, NULL, NULL, NULL,
		SMTP_NO_AUTH, &e);
	int r = -1;

	rcpt_init(rc, n);
	msg_init(m, rc, n);
	if (s)
		r = smtp_send(s, m, 1, flags, &e);
	else
		m->err = e;
	smtp_quit(s);
	peer_join(&pe);
	return r;
}

/* ---- greeting and EHLO ---- */

static void
s_ehlo(struct peer *p)
{
	hello(p, "250-peer greets client.example\r\n250-PIPELINING\r\n"
		"250-SIZE 1000\r\n250-CHUNKING\r\n250-DSN\r\n"
		"250 AUTH PLAIN LOGIN\r\n");
	peer_expect(p, "QUIT");
	peer_eof(p);
}

static void
test_ehlo(void)
{
	struct err e;
	struct smtp *s = start(s_ehlo, 0, NULL, NULL, NULL, SMTP_NO_AUTH,
		&e);

	tap_ok(s != NULL, "greeting and EHLO over a socketpair");
	if (!s)
		return;
	tap_str(smtp_greeting(s), "220 peer ESMTP\r\n", "greeting kept");
	tap_int(smtp_caps(s), SMTP_CAP_EHLO | SMTP_CAP_PIPELINING |
		SMTP_CAP_SIZE | SMTP_CAP_CHUNKING | SMTP_CAP_DSN |
		SMTP_CAP_AUTH, "EHLO capabilities");
	tap_int((long long)smtp_size_limit(s), 1000, "SIZE limit");
	tap_str(smtp_auth_mechs(s), "PLAIN LOGIN", "AUTH mechanisms");
	tap_str(smtp_peer(s), "peer:25", "the peer is the conn's");
	smtp_quit(s);
	peer_join(&pe);
	tap_str(pe.fail, "", "EHLO: the server saw what it wanted");
}

/* ---- DATA with and without PIPELINING ---- */

static void
s_data_pipe(struct peer *p)
{
	hello(p, EHLO_PIPE);
	peer_expect(p, "MAIL FROM:<a@x>");
	arrived_together(p, "RCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\n");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_expect(p, "RCPT TO:<c@x>");
	peer_send(p, "250 ok\r\n250 ok\r\n250 ok\r\n");
	peer_expect(p, "DATA");
	peer_send(p, "354 go\r\n");
	read_data(p);
	peer_send(p, "250 2.0.0 queued as X\r\n");
	peer_expect(p, "QUIT");
	peer_send(p, "221 bye\r\n");
	peer_eof(p);
}

static void
test_data_pipelined(void)
{
	struct smtp_rcpt rc[2];
	struct smtp_msg m;
	int r = send_one(s_data_pipe, 0, 2, SMTP_QUIT_AFTER, &m, rc);

	tap_ok(r == 0 && m.status == SMTP_SENT && m.accepted == 2,
		"PIPELINING: sent to 2 (%s)", r ? m.err.msg : m.reply);
	tap_str(m.reply, "250 2.0.0 queued as X", "final reply kept");
	tap_str(got, WIRE, "DATA: dot-stuffed on the wire");
	tap_str(pe.fail, "", "PIPELINING: envelope in one write");
}

/* Without PIPELINING, strict: a refused message, RSET, then a message
 * ended by QUIT. */
static void
s_data_strict(struct peer *p)
{
	hello(p, EHLO_PLAIN);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_reply(p, "250 ok\r\n");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_reply(p, "550 5.1.1 no such user\r\n");
	peer_expect(p, "RSET");
	peer_reply(p, "250 reset\r\n");
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_reply(p, "250 ok\r\n");
	peer_expect(p, "RCPT TO:<c@x>");
	peer_reply(p, "250 ok\r\n");
	peer_expect(p, "DATA");
	peer_reply(p, "354 go\r\n");
	read_data(p);
	peer_reply(p, "250 queued\r\n");
	peer_expect(p, "QUIT");
	peer_reply(p, "221 bye\r\n");
	peer_eof(p);
}

static void
test_data_strict(void)
{
	struct smtp_rcpt rc1[1], rc2[1];
	struct smtp_msg m[2];
	struct err e;
	struct smtp *s = start(s_data_strict, 1, NULL, NULL, NULL, SMTP_NO_AUTH,
		&e);
	int r;

	rcpt_init(rc1, 1);
	rcpt_init(rc2, 1);
	rc2[0].addr = "c@x";
	msg_init(&m[0], rc1, 1);
	msg_init(&m[1], rc2, 1);
	r = s ? smtp_send(s, m, 2, SMTP_QUIT_AFTER, &e) : -1;
	smtp_free(s);
	peer_join(&pe);
	tap_ok(r == 0 && m[0].status == SMTP_NOT_SENT &&
		m[0].err.code == ERR_NOUSER, "no PIPELINING: refused "
		"recipient, not sent (%s)", m[0].err.msg);
	tap_int(rc1[0].code, 550, "the refusal kept per recipient");
	tap_ok(m[1].status == SMTP_SENT, "no PIPELINING: second message "
		"sent after RSET");
	tap_str(got, WIRE, "no PIPELINING: the data");
	tap_str(pe.fail, "", "no PIPELINING: no command before its reply "
		"(RSET, QUIT after the dot)");
}

/* ---- BDAT ---- */

static void
s_bdat_strict(struct peer *p)
{
	hello(p, EHLO_CHUNK);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_reply(p, "250 ok\r\n");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_reply(p, "250 ok\r\n");
	while (!read_bdat(p))
		peer_reply(p, "250 chunk\r\n");
	peer_reply(p, "250 queued\r\n");
	peer_expect(p, "QUIT");
	peer_reply(p, "221 bye\r\n");
	peer_eof(p);
}

static void
s_bdat_pipe(struct peer *p)
{
	char all[256];

	hello(p, EHLO_CHUNK_PIPE);
	snprintf(all, sizeof all, "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"
		"BDAT %zu\r\n%sBDAT %zu LAST\r\n%s", strlen(HEAD), HEAD,
		strlen(BODY), BODY);
	arrived_together(p, all);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_expect(p, "RCPT TO:<b@x>");
	read_bdat(p);
	read_bdat(p);
	peer_send(p, "250 ok\r\n250 ok\r\n250 chunk\r\n250 queued\r\n");
	peer_expect(p, "QUIT");
	peer_send(p, "221 bye\r\n");
	peer_eof(p);
}

static void
test_bdat(void)
{
	static const struct {
		const char *name;
		void (*script)(struct peer *);
		int strict;
	} t[] = {
		{ "BDAT without PIPELINING: one chunk at a time",
		  s_bdat_strict, 1 },
		{ "BDAT with PIPELINING: the message in one write",
		  s_bdat_pipe, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct smtp_rcpt rc[1];
		struct smtp_msg m;
		int r = send_one(t[i].script, t[i].strict, 1,
			SMTP_QUIT_AFTER, &m, rc);

		tap_ok(r == 0 && m.status == SMTP_SENT, "%s: sent (%s)",
			t[i].name, r ? m.err.msg : m.reply);
		tap_str(got, HEAD BODY, "BDAT: the data as is");
		tap_str(pe.fail, "", t[i].name);
	}
}

/* ---- a refused recipient, with and without --partial ---- */

static void
s_refused(struct peer *p)
{
	hello(p, EHLO_PIPE);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_expect(p, "RCPT TO:<c@x>");
	peer_send(p, "250 ok\r\n550 5.1.1 <b@x> unknown\r\n250 ok\r\n");
	peer_expect(p, "RSET");
	peer_send(p, "250 reset\r\n");
	peer_expect(p, "QUIT");
	peer_eof(p);
}

static void
s_partial(struct peer *p)
{
	hello(p, EHLO_PIPE);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_expect(p, "RCPT TO:<c@x>");
	peer_expect(p, "DATA");	/* pipelined with the envelope */
	peer_send(p, "250 ok\r\n550 5.1.1 <b@x> unknown\r\n250 ok\r\n"
		"354 go\r\n");
	read_data(p);
	peer_send(p, "250 queued\r\n");
	peer_expect(p, "QUIT");
	peer_eof(p);
}

static void
test_refused(void)
{
	struct smtp_rcpt rc[2];
	struct smtp_msg m;
	int r = send_one(s_refused, 0, 2, 0, &m, rc);

	tap_ok(r == 0 && m.status == SMTP_NOT_SENT && m.accepted == 1 &&
		m.err.code == ERR_NOUSER, "refused recipient: nothing sent "
		"(%s)", m.err.msg);
	tap_ok(strstr(m.err.msg, "RCPT TO:<b@x>: 550 5.1.1") != NULL,
		"refused recipient: named in the error");
	tap_ok(rc[0].code == 550 && !strcmp(rc[0].esc, "5.1.1") &&
		rc[1].code == 250, "refused recipient: per-recipient replies");
	tap_str(pe.fail, "", "refused recipient: RSET, no data");

	r = send_one(s_partial, 0, 2, SMTP_PARTIAL, &m, rc);
	tap_ok(r == 0 && m.status == SMTP_SENT && m.accepted == 1 &&
		m.err.code == ERR_NOUSER, "--partial: sent to the accepted, "
		"refusal reported (%s)", m.err.msg);
	tap_str(got, WIRE, "--partial: the data");
	tap_str(pe.fail, "", "--partial: DATA pipelined with the envelope");
}

/* ---- a lost connection ---- */

static void
s_lost_after_data(struct peer *p)
{
	hello(p, EHLO_PIPE);
	peer_expect(p, "MAIL FROM:<a@x>");
	peer_expect(p, "RCPT TO:<b@x>");
	peer_expect(p, "DATA");
	peer_send(p, "250 ok\r\n250 ok\r\n354 go\r\n");
	read_data(p);
	/* hang up instead of the final reply */
}

static void
s_lost_before_data(struct peer *p)
{
	hello(p, EHLO_PIPE);
	peer_expect(p, "MAIL FROM:<a@x>");
}

static void
test_lost(void)
{
	struct smtp_rcpt rc[1];
	struct smtp_msg m;
	int r = send_one(s_lost_after_data, 0, 1, 0, &m, rc);

	tap_ok(r == -1 && m.status == SMTP_IN_DOUBT && m.err.code == ERR_IO,
		"lost after the data: in doubt, ERR_IO (%s)", m.err.msg);
	tap_ok(strstr(m.err.msg, "may or may not have been delivered") !=
		NULL, "lost after the data: the message says so");
	tap_str(got, WIRE, "lost after the data: the data went out");

	r = send_one(s_lost_before_data, 0, 1, 0, &m, rc);
	tap_ok(r == -1 && m.status == SMTP_NOT_SENT &&
		m.err.code == ERR_TEMPFAIL, "lost before the data: not sent, "
		"ERR_TEMPFAIL (%s)", m.err.msg);
}

/* ---- STARTTLS and AUTH on a conn_from_fd connection ---- */

static void
s_starttls(struct peer *p)
{
	hello(p, "250-peer\r\n250 STARTTLS\r\n");
	peer_expect(p, "STARTTLS");
	peer_send(p, "220 go ahead\r\n");
	peer_eof(p);
}

static void
s_auth(struct peer *p)
{
	const char *ok = p->arg;
	const char *l;

	hello(p, "250-peer\r\n250 AUTH PLAIN\r\n");
	l = peer_expect(p, NULL);
	if (strncmp(l, "AUTH PLAIN ", 11) != 0)
		peer_fail(p, "wanted AUTH PLAIN ir, got '%s'", l);
	peer_send(p, ok ? "235 2.7.0 ok\r\n" : "535 5.7.8 bad\r\n");
	peer_expect(p, "QUIT");
	peer_eof(p);
}

static void
test_starttls_auth(void)
{
	struct account acc;
	struct err e;
	struct smtp *s;

	memset(&acc, 0, sizeof acc);
	acc.tls = 1;
	acc.tls_starttls = 1;
	s = start(s_starttls, 0, NULL, &acc, NULL, SMTP_NO_AUTH, &e);
	peer_join(&pe);
	tap_ok(s == NULL && e.code == ERR_USAGE &&
		strstr(e.msg, "STARTTLS is not possible"), "STARTTLS on a "
		"socketpair: a clear error (%s)", e.msg);
	smtp_free(s);

	memset(&acc, 0, sizeof acc);
	acc.auth = 1;
	acc.user = "alice";
	acc.allow_plaintext_auth = 1;
	s = start(s_auth, 0, "ok", &acc, "secret", 0, &e);
	tap_ok(s && !strcmp(smtp_auth_used(s), "PLAIN"), "AUTH PLAIN through "
		"the SASL driver");
	smtp_quit(s);
	peer_join(&pe);
	tap_str(pe.fail, "", "AUTH: the server saw what it wanted");

	s = start(s_auth, 0, NULL, &acc, "secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_NOPERM && strstr(e.msg,
		"peer:25: AUTH PLAIN (user \"alice\"): 535 5.7.8 bad"),
		"AUTH refused: ERR_NOPERM (%s)", e.msg);
}

int
main(void)
{
	test_ehlo();
	test_data_pipelined();
	test_data_strict();
	test_bdat();
	test_refused();
	test_lost();
	test_starttls_auth();
	sasl_global_done();
	return tap_done();
}
