/*
 * t_pop3: the POP3 engine (pop3_start, pop3_scan, pop3_retr, pop3_dele,
 * pop3_quit) against scripted servers on a socketpair (peer.h), no
 * network. A server without PIPELINING runs strict: it fails the test if a
 * command arrives before it answered the one before. A server with it
 * checks that the window came in one write.
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
#include "proto/pop3.h"
#include "proto/sasl.h"
#include "peer.h"
#include "tap.h"

#define GREET "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"
#define CAPA_PIPE "+OK\r\nUSER\r\nUIDL\r\nTOP\r\nPIPELINING\r\n" \
	"RESP-CODES\r\nSASL PLAIN XOAUTH2\r\n.\r\n"
#define CAPA_PLAIN "+OK\r\nUSER\r\nUIDL\r\n.\r\n"

static struct peer pe;

/* What the sink saw. */
struct sink_log {
	struct buf data[4];
	int begun[4], ended[4], aborted[4];
	int fail_begin;		/* fail begin of this index + 1 */
};

static int
s_begin(void *ctx, size_t i, struct err *e)
{
	struct sink_log *s = ctx;

	if (s->fail_begin == (int)i + 1)
		return err_set(e, ERR_CANTCREAT, "disk full at %zu", i);
	s->begun[i]++;
	return 0;
}

static int
s_write(void *ctx, size_t i, const char *d, size_t n, struct err *e)
{
	struct sink_log *s = ctx;

	(void)e;
	buf_add(&s->data[i], d, n);
	return 0;
}

static int
s_end(void *ctx, size_t i, struct err *e)
{
	struct sink_log *s = ctx;

	(void)e;
	s->ended[i]++;
	return 0;
}

static void
s_abort(void *ctx, size_t i)
{
	struct sink_log *s = ctx;

	s->aborted[i]++;
}

static const struct pop3_sink sink = { s_begin, s_write, s_end, s_abort };

static void
log_init(struct sink_log *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 4; i++)
		buf_init(&s->data[i], 0);
}

static void
log_release(struct sink_log *s)
{
	size_t i;

	for (i = 0; i < 4; i++)
		buf_release(&s->data[i]);
}

/* An account logging in with USER/PASS over plain text. */
static void
acc_user(struct account *acc)
{
	memset(acc, 0, sizeof(*acc));
	acc->auth = 1;
	acc->auth_method = "USER";
	acc->user = "alice";
}

static struct pop3 *
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
	memset(&pe, 0, sizeof pe);
	pe.strict = strict;
	pe.arg = arg;
	fd = peer_start(&pe, script);
	c = conn_from_fd(fd, "peer:110", NULL, e);
	if (!c)
		return NULL;
	conn_set_timeout(c, 10);
	return pop3_start(c, acc, password, flags, e);
}

static const char *
used(const struct pop3 *s)
{
	struct pop3_info in;

	pop3_info(s, &in);
	return in.auth_used ? in.auth_used : "";
}

static unsigned
caps(const struct pop3 *s)
{
	struct pop3_info in;

	pop3_info(s, &in);
	return in.caps;
}

/* Greeting, CAPA, USER/PASS. */
static void
hello(struct peer *p, const char *capa)
{
	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, capa);
	peer_expect(p, "USER alice");
	peer_reply(p, "+OK\r\n");
	peer_expect(p, "PASS secret");
	peer_reply(p, "+OK logged in\r\n");
}

static void
bye(struct peer *p)
{
	peer_expect(p, "QUIT");
	peer_reply(p, "+OK bye\r\n");
	peer_eof(p);
}

/* Check that the client sent want in one write (pipelined). */
static void
whole(struct peer *p, const char *want)
{
	size_t n = strlen(want);

	while (p->len < n && peer_fill(p, PEER_WAIT_MS) > 0)
		;
	if (p->len < n || memcmp(p->in, want, n) != 0)
		peer_fail(p, "wanted '%s' at once, have '%.*s'", want,
			(int)p->len, p->in);
	else
		peer_take(p, n);
}

/* ---- greeting, CAPA, login ---- */

static void
s_capa(struct peer *p)
{
	hello(p, CAPA_PIPE);
	bye(p);
}

static void
test_capa(void)
{
	struct pop3_info in;
	struct account acc;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	acc.allow_plaintext_auth = 1;
	s = start(s_capa, 0, NULL, &acc, "secret", 0, &e);
	tap_ok(s != NULL, "greeting, CAPA, USER/PASS (%s)", s ? "" : e.msg);
	if (!s)
		return;
	pop3_info(s, &in);
	tap_int(in.caps, POP3_CAP_CAPA | POP3_CAP_USER | POP3_CAP_UIDL |
		POP3_CAP_TOP | POP3_CAP_PIPELINING | POP3_CAP_RESP_CODES |
		POP3_CAP_SASL | POP3_CAP_APOP, "CAPA capabilities");
	tap_str(in.sasl_mechs, "PLAIN XOAUTH2", "SASL mechanisms");
	tap_str(in.auth_used, "USER", "USER/PASS used");
	tap_str(in.greeting, "+OK POP3 ready "
		"<1896.697170952@dbc.mtview.ca.us>", "greeting kept");
	tap_ok(pop3_quit(s, &e) == 0, "QUIT +OK");
	peer_join(&pe);
	tap_str(pe.fail, "", "CAPA: the server saw what it wanted");
}

static void
s_refuse(struct peer *p)
{
	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, CAPA_PLAIN);
	peer_expect(p, "USER alice");
	peer_reply(p, "+OK\r\n");
	peer_expect(p, "PASS secret");
	peer_reply(p, p->arg);
	bye(p);
}

static void
s_noplain(struct peer *p)
{
	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, CAPA_PLAIN);
	bye(p);
}

static void
test_login(void)
{
	struct account acc;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	s = start(s_refuse, 1, "-ERR [AUTH] bad password\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_NOPERM && strstr(e.msg, "peer:110: PASS "
		"(user \"alice\"): -ERR [AUTH] bad password"),
		"-ERR [AUTH] to PASS: ERR_NOPERM (%s)", e.msg);
	tap_str(pe.fail, "", "refused login: QUIT follows");

	s = start(s_refuse, 1, "-ERR [IN-USE] mailbox locked\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_TEMPFAIL, "-ERR [IN-USE]: ERR_TEMPFAIL");
	s = start(s_refuse, 1, "-ERR [SYS/TEMP] try later\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_TEMPFAIL, "-ERR [SYS/TEMP]: ERR_TEMPFAIL");
	s = start(s_refuse, 1, "-ERR [LOGIN-DELAY] wait\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_TEMPFAIL, "-ERR [LOGIN-DELAY]: "
		"ERR_TEMPFAIL");
	s = start(s_refuse, 1, "-ERR [SYS/PERM] gone\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_UNAVAILABLE, "-ERR [SYS/PERM]: "
		"ERR_UNAVAILABLE");

	/* tls on (STLS not asked) and no method named: no password in
	 * clear */
	acc.auth_method = NULL;
	acc.tls = 1;
	s = start(s_noplain, 1, NULL, &acc, "secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_NOPERM && strstr(e.msg, "in the clear"),
		"USER/PASS in clear refused by default (%s)", e.msg);
	tap_str(pe.fail, "", "plaintext refused: nothing but QUIT sent");
	/* tls off with auth user named: allowed (the test above, strict) */
}

static void
s_apop(struct peer *p)
{
	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, "-ERR no CAPA\r\n");
	peer_expect(p, "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
	peer_reply(p, "+OK maildrop has 1 message (369 octets)\r\n");
	bye(p);
}

static void
test_apop(void)
{
	struct account acc;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	acc.user = "mrose";
	acc.auth_method = "APOP";
	s = start(s_apop, 1, NULL, &acc, "tanstaaf", 0, &e);
	tap_ok(s && !strcmp(used(s), "APOP"), "APOP with RFC "
		"1939's example digest (%s)", s ? "" : e.msg);
	tap_int(s ? caps(s) : 0, POP3_CAP_APOP, "no CAPA: no "
		"capabilities but APOP");
	pop3_quit(s, &e);
	peer_join(&pe);
	tap_str(pe.fail, "", "APOP: the server saw what it wanted");
}

static void
s_sasl(struct peer *p)
{
	const char *l;

	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, CAPA_PIPE);
	if (p->arg) {	/* two-step XOAUTH2: the token after "+ " */
		peer_expect(p, "AUTH XOAUTH2");
		peer_reply(p, "+ \r\n");
		l = peer_expect(p, NULL);
		if (strlen(l) < 256)
			peer_fail(p, "wanted a long token, got '%s'", l);
	} else {
		l = peer_expect(p, NULL);
		if (strcmp(l, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="))
			peer_fail(p, "wanted AUTH PLAIN ir, got '%s'", l);
	}
	peer_reply(p, "+OK\r\n");
	bye(p);
}

static void
test_sasl(void)
{
	struct account acc;
	struct err e;
	struct pop3 *s;
	char token[400];

	memset(&acc, 0, sizeof acc);
	acc.auth = 1;
	acc.user = "alice";
	acc.auth_method = "PLAIN";
	s = start(s_sasl, 1, NULL, &acc, "secret", 0, &e);
	tap_ok(s && !strcmp(used(s), "PLAIN"), "AUTH PLAIN with "
		"an initial response, tls off and the method named (%s)",
		s ? "" : e.msg);
	pop3_quit(s, &e);
	peer_join(&pe);
	tap_str(pe.fail, "", "AUTH PLAIN: the server saw what it wanted");

	memset(token, 'x', sizeof token - 1);
	token[sizeof token - 1] = '\0';
	acc.auth_method = "XOAUTH2";
	acc.allow_plaintext_auth = 1;
	s = start(s_sasl, 1, "two-step", &acc, token, 0, &e);
	tap_ok(s && !strcmp(used(s), "XOAUTH2"), "XOAUTH2 with a "
		"token over 255 octets: two steps (%s)", s ? "" : e.msg);
	pop3_quit(s, &e);
	peer_join(&pe);
	tap_str(pe.fail, "", "XOAUTH2: AUTH alone, then the token");
}

/* ---- STLS ---- */

static void
s_stls(struct peer *p)
{
	peer_send(p, GREET);
	peer_expect(p, "CAPA");
	peer_reply(p, p->arg ? "+OK\r\nSTLS\r\n.\r\n" : CAPA_PLAIN);
	if (p->arg) {
		peer_expect(p, "STLS");
		peer_send(p, p->arg);
	}
	peer_eof(p);
}

static void
test_stls(void)
{
	struct account acc;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	acc.tls = 1;
	acc.tls_starttls = 1;
	s = start(s_stls, 1, NULL, &acc, "secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_UNAVAILABLE && strstr(e.msg, "does not "
		"offer STLS"), "STLS missing: ERR_UNAVAILABLE (%s)", e.msg);
	s = start(s_stls, 1, "-ERR not now\r\n", &acc, "secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_UNAVAILABLE && strstr(e.msg, "STLS "
		"(required by the account; nothing was sent): -ERR not now"),
		"STLS refused: ERR_UNAVAILABLE (%s)", e.msg);
	s = start(s_stls, 0, "+OK begin\r\n+OK injected\r\n", &acc,
		"secret", 0, &e);
	peer_join(&pe);
	tap_ok(!s && e.code == ERR_PROTOCOL && strstr(e.msg, "before TLS"),
		"bytes after the STLS go-ahead: ERR_PROTOCOL (%s)", e.msg);
}

/* ---- bounds ---- */

static void
s_huge(struct peer *p)
{
	static char big[1024 * 1024];
	int i;

	memset(big, 'x', sizeof big);
	peer_send(p, "+OK ");
	for (i = 0; i < 10; i++)
		if (send(p->fd, big, sizeof big, MSG_NOSIGNAL) < 0)
			break;
	peer_send(p, "\r\n");
	peer_eof(p);
}

static void
test_huge(void)
{
	struct err e;
	struct pop3 *s = start(s_huge, 0, NULL, NULL, NULL, 0, &e);

	peer_join(&pe);
	tap_ok(!s && e.code == ERR_PROTOCOL && strstr(e.msg, "too long"),
		"a 10 MB greeting: ERR_PROTOCOL (%s)", e.msg);
}

static void
test_port995(void)
{
	struct account *acc = account_new("t");
	struct err e;
	struct pop3 *s;

	account_set(acc, "host", "127.0.0.1", &e);
	account_set(acc, "port", "995", &e);
	s = pop3_open(acc, NULL, 0, NULL, &e);
	tap_ok(!s && e.code == ERR_CONFIG && strstr(e.msg, "port 995 is for implicit TLS"),
		"port 995 with STLS: ERR_CONFIG before connecting (%s)",
		e.msg);
	account_free(acc);
}

/* ---- LIST, UIDL, RETR, DELE ---- */

#define LIST "+OK 3 messages\r\n1 10\r\n2 20\r\n3 30\r\n.\r\n"
#define UIDL "+OK\r\n1 aaa\r\n2 bbb\r\n3 ccc\r\n.\r\n"
#define M1 "+OK\r\nSubject: 1\r\n\r\n..dot\r\nbare\nend\r\n.\r\n"
#define M1_LF "Subject: 1\n\n.dot\nbare\nend\n"
#define M2 "+OK\r\nSubject: 2\r\n\r\nx\r\n.\r\n"
#define M2_LF "Subject: 2\n\nx\n"

static void
s_fetch(struct peer *p)
{
	int piped = !p->strict;

	hello(p, piped ? CAPA_PIPE : CAPA_PLAIN);
	if (piped) {
		whole(p, "LIST\r\nUIDL\r\n");
		peer_send(p, LIST UIDL);
		whole(p, "RETR 1\r\nRETR 2\r\nRETR 3\r\n");
		peer_send(p, M1 M2 "-ERR [SYS/TEMP] gone\r\n");
		whole(p, "DELE 1\r\nDELE 2\r\n");
		peer_send(p, "+OK\r\n-ERR no\r\n");
	} else {
		peer_expect(p, "LIST");
		peer_reply(p, LIST);
		peer_expect(p, "UIDL");
		peer_reply(p, UIDL);
		peer_expect(p, "RETR 1");
		peer_reply(p, M1);
		peer_expect(p, "RETR 2");
		peer_reply(p, M2);
		peer_expect(p, "RETR 3");
		peer_reply(p, "-ERR [SYS/TEMP] gone\r\n");
		peer_expect(p, "DELE 1");
		peer_reply(p, "+OK\r\n");
		peer_expect(p, "DELE 2");
		peer_reply(p, "-ERR no\r\n");
	}
	bye(p);
}

static void
fetch(int strict)
{
	const char *how = strict ? "one at a time" : "pipelined";
	struct account acc;
	struct sink_log lg;
	struct pop3_list l;
	struct pop3_result res[3];
	unsigned long nums[3] = { 1, 2, 3 };
	struct err e;
	struct pop3 *s;
	int r;

	acc_user(&acc);
	log_init(&lg);
	s = start(s_fetch, strict, NULL, &acc, "secret", 0, &e);
	if (!s) {
		tap_ok(0, "%s: session (%s)", how, e.msg);
		peer_join(&pe);
		return;
	}
	r = pop3_scan(s, 1, &l, &e);
	tap_ok(r == 0 && l.n == 3 && l.have_uidl && !l.dup_uidl &&
		l.total == 60 && l.v[2].num == 3 && l.v[2].size == 30 &&
		!strcmp(pop3_uidl(&l, 1), "bbb"), "%s: LIST and UIDL (%s)", how,
		r ? e.msg : "");
	pop3_list_release(&l);
	r = pop3_retr(s, nums, 3, -1, &sink, &lg, res, &e);
	tap_ok(r == 0, "%s: RETR (%s)", how, r ? e.msg : "");
	tap_mem(lg.data[0].data, lg.data[0].len, M1_LF, strlen(M1_LF),
		"RETR: unstuffed, CRLF made LF, a bare LF kept");
	tap_mem(lg.data[1].data, lg.data[1].len, M2_LF, strlen(M2_LF),
		"RETR: second message");
	tap_ok(res[0].status == POP3_DONE && res[1].status == POP3_DONE &&
		lg.ended[0] == 1 && lg.ended[1] == 1, "%s: two ended", how);
	tap_ok(res[2].status == POP3_REFUSED && !lg.begun[2] &&
		strstr(res[2].reply, "[SYS/TEMP] gone"), "%s: -ERR to one "
		"RETR is that message's (%s)", how, res[2].reply);
	r = pop3_dele(s, nums, 2, res, &e);
	tap_ok(r == 0 && res[0].status == POP3_DONE &&
		res[1].status == POP3_REFUSED, "%s: DELE, one refused", how);
	tap_ok(pop3_quit(s, &e) == 0, "%s: QUIT", how);
	peer_join(&pe);
	tap_str(pe.fail, "", strict ? "strict server: never a command ahead "
		"of its reply" : "pipelined: each window in one write");
	log_release(&lg);
}

/* ---- sending ahead: RETR w0, RETR w1, DELE w0, replies in order ---- */

static void
s_ahead(struct peer *p)
{
	hello(p, CAPA_PIPE);
	whole(p, "RETR 1\r\nRETR 2\r\n");
	peer_send(p, M1 M2);
	whole(p, "RETR 3\r\n");
	whole(p, "DELE 1\r\nDELE 2\r\n");
	peer_send(p, "-ERR [SYS/TEMP] gone\r\n+OK\r\n-ERR no\r\n");
	whole(p, "RETR 1\r\n");
	peer_send(p, M1);
	bye(p);
}

static void
test_ahead(void)
{
	unsigned long n12[2] = { 1, 2 }, n3[1] = { 3 };
	struct pop3_result res[2], dres[2];
	struct account acc;
	struct sink_log lg;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	log_init(&lg);
	s = start(s_ahead, 0, NULL, &acc, "secret", 0, &e);
	if (!s) {
		tap_ok(0, "ahead: session (%s)", e.msg);
		peer_join(&pe);
		return;
	}
	tap_ok(pop3_send_retr(s, n12, 2, -1, &e) == 0, "ahead: RETR 1 2 sent");
	tap_ok(pop3_recv_dele(s, 1, dres, &e) < 0 && e.code == ERR_SOFTWARE,
		"ahead: DELE replies asked while RETR's are owed: refused "
		"(%s)", e.msg);
	tap_ok(pop3_recv_retr(s, 2, &sink, &lg, res, &e) == 0 &&
		res[0].status == POP3_DONE && res[1].status == POP3_DONE,
		"ahead: both read");
	tap_mem(lg.data[1].data, lg.data[1].len, M2_LF, strlen(M2_LF),
		"ahead: the second message");
	tap_ok(pop3_send_retr(s, n3, 1, -1, &e) == 0 &&
		pop3_send_dele(s, n12, 2, &e) == 0,
		"ahead: RETR 3, then DELE 1 2, before any reply");
	tap_ok(pop3_recv_retr(s, 1, &sink, &lg, res, &e) == 0 &&
		res[0].status == POP3_REFUSED, "ahead: RETR 3 refused");
	tap_ok(pop3_recv_dele(s, 2, dres, &e) == 0 &&
		dres[0].status == POP3_DONE && dres[1].status ==
		POP3_REFUSED, "ahead: DELE replies in order, one refused");
	tap_ok(pop3_send_retr(s, n12, 1, -1, &e) == 0, "ahead: RETR 1 again");
	tap_ok(pop3_quit(s, &e) == 0 && lg.begun[0] == 1,
		"ahead: QUIT reads and drops the reply still owed");
	peer_join(&pe);
	tap_str(pe.fail, "", "ahead: each batch in one write");
	log_release(&lg);
}

/*
 * Start script (strict or not) with a USER/PASS login and RETR messages
 * 1..n into lg (fail_begin set as given): what pop3_retr() returned, or -2
 * when the session did not start. *sp is the session (NULL then).
 */
static int
retr_with(void (*script)(struct peer *), int strict, int fail_begin,
	struct sink_log *lg, size_t n, struct pop3_result *res,
	struct pop3 **sp, struct err *e)
{
	static const unsigned long nums[] = { 1, 2 };
	struct account acc;

	acc_user(&acc);
	log_init(lg);
	lg->fail_begin = fail_begin;
	*sp = start(script, strict, NULL, &acc, "secret", 0, e);
	return *sp ? pop3_retr(*sp, nums, n, -1, &sink, lg, res, e) : -2;
}

static void
s_long(struct peer *p)
{
	static char line[200 * 1024];

	hello(p, CAPA_PLAIN);
	peer_expect(p, "RETR 1");
	memset(line, 'y', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	peer_send(p, "+OK\r\n.");
	peer_send(p, line);
	peer_send(p, "\r\n.\r\n");
	bye(p);
}

static void
test_long_line(void)
{
	struct sink_log lg;
	struct pop3_result res[1];
	struct err e;
	struct pop3 *s;
	int r;

	r = retr_with(s_long, 1, 0, &lg, 1, res, &s, &e);
	tap_ok(r == 0 && lg.data[0].len == 200 * 1024 &&
		lg.data[0].data[0] == 'y' &&
		lg.data[0].data[lg.data[0].len - 1] == '\n',
		"a 200 KiB line streams through (%zu bytes)", lg.data[0].len);
	pop3_quit(s, &e);
	peer_join(&pe);
	log_release(&lg);
}

static void
s_cut(struct peer *p)
{
	hello(p, CAPA_PLAIN);
	peer_expect(p, "RETR 1");
	peer_reply(p, "+OK\r\nSubject: cut\r\n\r\nhalf");
}

static void
test_cut(void)
{
	struct sink_log lg;
	struct pop3_result res[1];
	struct err e;
	struct pop3 *s;
	int r;

	r = retr_with(s_cut, 1, 0, &lg, 1, res, &s, &e);
	tap_ok(r == -1 && e.code == ERR_TEMPFAIL && lg.aborted[0] == 1 &&
		!lg.ended[0] && res[0].status == POP3_NOT_DONE,
		"cut before the dot: aborted, ERR_TEMPFAIL (%s)", e.msg);
	tap_ok(s && !pop3_usable(s), "cut: the session is done");
	pop3_free(s);
	peer_join(&pe);
	log_release(&lg);
}

static void
s_sinkfail(struct peer *p)
{
	hello(p, CAPA_PIPE);
	whole(p, "RETR 1\r\nRETR 2\r\n");
	peer_send(p, M1 M2);
	bye(p);
}

static void
test_sink_fails(void)
{
	struct sink_log lg;
	struct pop3_result res[2];
	struct err e;
	struct pop3 *s;
	int r;

	r = retr_with(s_sinkfail, 0, 1, &lg, 2, res, &s, &e);
	tap_ok(r == -1 && e.code == ERR_CANTCREAT &&
		res[0].status == POP3_LOCAL_FAILED &&
		res[1].status == POP3_NOT_DONE && !lg.begun[1],
		"the sink fails: the rest dropped (%s)", e.msg);
	tap_ok(s && pop3_usable(s), "the sink fails: the session goes on");
	tap_ok(pop3_quit(s, &e) == 0, "the sink fails: QUIT answered");
	peer_join(&pe);
	tap_str(pe.fail, "", "the sink fails: the server saw QUIT next");
	log_release(&lg);
}

static void
s_quit_err(struct peer *p)
{
	hello(p, CAPA_PLAIN);
	peer_expect(p, "QUIT");
	peer_reply(p, "-ERR [SYS/TEMP] could not remove messages\r\n");
	peer_eof(p);
}

static void
test_quit_err(void)
{
	struct account acc;
	struct err e;
	struct pop3 *s;

	acc_user(&acc);
	s = start(s_quit_err, 1, NULL, &acc, "secret", 0, &e);
	tap_ok(s && pop3_quit(s, &e) == -1 && e.code == ERR_TEMPFAIL,
		"-ERR to QUIT: deletions not committed (%s)", e.msg);
	peer_join(&pe);
}

int
main(void)
{
	test_capa();
	test_login();
	test_apop();
	test_sasl();
	test_stls();
	test_huge();
	test_port995();
	fetch(0);
	fetch(1);
	test_ahead();
	test_long_line();
	test_cut();
	test_sink_fails();
	test_quit_err();
	sasl_global_done();
	return tap_done();
}
