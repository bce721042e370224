/*
 * t_imap: the IMAP engine (imap_start, imap_fetch's window, imap_wait)
 * against scripted servers on a socketpair (peer.h), no network: tags
 * matched in order, a window of UID FETCH sent in one write, message
 * literals split across reads streamed whole to the sink, untagged
 * EXISTS, EXPUNGE and BYE in the middle of a command, a wrong tag.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "net/conn.h"
#include "proto/imap.h"
#include "proto/imap_ops.h"
#include "peer.h"
#include "tap.h"

#define GREET "* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] ready\r\n"
#define MSG1 "Subject: one\r\n\r\nfirst body\r\n"
#define MSG2 "Subject: two\r\n\r\n" \
	"a second body, long enough to be cut in several pieces\r\n"

static struct peer pe;

/* What the sink saw: the messages, one buffer each. */
struct sink_log {
	struct buf msg[4];
	int n, open, aborted;
};

static int
s_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct sink_log *s = ctx;

	(void)r;
	(void)item;
	(void)size;
	(void)e;
	if (s->n >= 4)
		return 0;
	s->open = 1;
	return 1;
}

static int
s_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct sink_log *s = ctx;

	(void)e;
	buf_add(&s->msg[s->n], d, n);
	return 0;
}

static int
s_end(void *ctx, struct err *e)
{
	struct sink_log *s = ctx;

	(void)e;
	s->open = 0;
	s->n++;
	return 0;
}

static void
s_abort(void *ctx)
{
	struct sink_log *s = ctx;

	s->aborted++;
}

static void
log_init(struct sink_log *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 4; i++)
		buf_init(&s->msg[i], 0);
}

static void
log_release(struct sink_log *s)
{
	int i;

	for (i = 0; i < 4; i++)
		buf_release(&s->msg[i]);
}

static struct imap *
start(void (*script)(struct peer *), struct err *e)
{
	struct account acc;
	struct conn *c;
	int fd;

	memset(&acc, 0, sizeof acc);
	memset(&pe, 0, sizeof pe);
	fd = peer_start(&pe, script);
	c = conn_from_fd(fd, "peer:143", NULL, e);
	if (!c)
		return NULL;
	conn_set_timeout(c, 10);
	return imap_start(c, &acc, NULL, IMAP_NO_AUTH, e);
}

/* Read a command line "TAG rest": check rest, copy the tag. */
static void
cmd(struct peer *p, const char *want, char *tag, size_t size)
{
	char line[4096];
	const char *sp;

	tag[0] = '\0';
	if (peer_line(p, line, sizeof line) < 0) {
		peer_fail(p, "wanted '%s', got EOF", want);
		return;
	}
	sp = strchr(line, ' ');
	if (!sp || strcmp(sp + 1, want) != 0) {
		peer_fail(p, "wanted 'TAG %s', got '%s'", want, line);
		return;
	}
	snprintf(tag, size, "%.*s", (int)(sp - line), line);
}

/* Send text in pieces of n bytes, pausing between them, so the client
 * reads it across several receives. */
static void
send_split(struct peer *p, const char *text, size_t n)
{
	char piece[64];
	size_t off, len = strlen(text);

	for (off = 0; off < len; off += n) {
		size_t k = len - off < n ? len - off : n;

		memcpy(piece, text + off, k);
		piece[k] = '\0';
		peer_send(p, piece);
		usleep(2000);
	}
}

static void
logout(struct peer *p)
{
	char tag[32], out[64];

	cmd(p, "LOGOUT", tag, sizeof tag);
	snprintf(out, sizeof out, "* BYE bye\r\n%s OK done\r\n", tag);
	peer_send(p, out);
	peer_eof(p);
}

/* ---- a window of two UID FETCH, literals split, untagged between ---- */

static void
script_window(struct peer *p)
{
	char t1[32], t2[32], out[512];

	peer_send(p, GREET);
	/* both commands before any reply (a client that waited would time
	 * out here): the window is pipelined */
	cmd(p, "UID FETCH 1 (UID BODY.PEEK[])", t1, sizeof t1);
	cmd(p, "UID FETCH 2 (UID BODY.PEEK[])", t2, sizeof t2);
	snprintf(out, sizeof out, "* 1 FETCH (UID 1 BODY[] {%zu}\r\n%s)\r\n"
		"* 3 EXISTS\r\n", strlen(MSG1), MSG1);
	send_split(p, out, 7);
	snprintf(out, sizeof out, "%s OK fetched\r\n* 1 EXPUNGE\r\n"
		"* 1 FETCH (UID 2 BODY[] {%zu}\r\n%s)\r\n%s OK fetched\r\n", t1,
		strlen(MSG2), MSG2, t2);
	send_split(p, out, 5);
	logout(p);
}

static void
test_window(void)
{
	struct sink_log s;
	struct imap_sink sink = { &s, s_begin, s_data, s_end, s_abort };
	struct imap_handler h = { NULL, NULL, NULL, &sink };
	struct imap *im;
	struct err e;

	log_init(&s);
	err_clear(&e);
	im = start(script_window, &e);
	tap_ok(im != NULL, "window: session started (%s)", e.msg);
	if (!im)
		return;
	tap_ok(imap_caps(im) & IMAP_CAP_LITERALPLUS,
		"window: capabilities from the greeting");
	tap_int(imap_fetch(im, "1\n2", "(UID BODY.PEEK[])", &h, &e), 0,
		"window: both UID FETCH completed");
	tap_int(s.n, 2, "window: two messages streamed");
	tap_mem(s.msg[0].data, s.msg[0].len, MSG1, strlen(MSG1),
		"window: first literal whole across split reads");
	tap_mem(s.msg[1].data, s.msg[1].len, MSG2, strlen(MSG2),
		"window: second literal whole across split reads");
	tap_int(s.aborted, 0, "window: nothing aborted");
	tap_int((long long)imap_folder(im)->exists, 2,
		"window: EXISTS then EXPUNGE in mid-command counted");
	tap_int((long long)imap_folder(im)->expunged, 1,
		"window: the EXPUNGE seen");
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "window: the server saw what it wanted");
	log_release(&s);
}

/* ---- a tagged reply to a tag not owed ---- */

static void
script_wrong_tag(struct peer *p)
{
	char t[32];

	peer_send(p, GREET);
	cmd(p, "NOOP", t, sizeof t);
	peer_send(p, "Z99 OK not yours\r\n");
	peer_eof(p);
}

static void
test_wrong_tag(void)
{
	struct imap *im;
	struct err e;

	err_clear(&e);
	im = start(script_wrong_tag, &e);
	tap_ok(im != NULL, "wrong tag: session started");
	if (!im)
		return;
	tap_int(imap_simple(im, NULL, &e, "NOOP"), -1, "wrong tag: fails");
	tap_int(e.code, ERR_PROTOCOL, "wrong tag: a protocol error");
	imap_free(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "wrong tag: the server saw what it wanted");
}

/* ---- BYE in the middle of a literal's command ---- */

static void
script_bye(struct peer *p)
{
	char t[32];

	peer_send(p, GREET);
	cmd(p, "UID FETCH 1 (UID BODY.PEEK[])", t, sizeof t);
	peer_send(p, "* 1 FETCH (UID 1 BODY[] {100}\r\nonly part");
	usleep(20000);
	shutdown(p->fd, SHUT_WR);
	peer_eof(p);
}

static void
script_bye_line(struct peer *p)
{
	char t[32];

	peer_send(p, GREET);
	cmd(p, "NOOP", t, sizeof t);
	peer_send(p, "* 4 EXISTS\r\n* BYE server shutting down\r\n");
	usleep(20000);
	shutdown(p->fd, SHUT_WR);
	peer_eof(p);
}

static void
test_bye(void)
{
	struct sink_log s;
	struct imap_sink sink = { &s, s_begin, s_data, s_end, s_abort };
	struct imap_handler h = { NULL, NULL, NULL, &sink };
	struct imap *im;
	struct err e;

	log_init(&s);
	err_clear(&e);
	im = start(script_bye, &e);
	tap_ok(im != NULL, "cut literal: session started");
	if (im) {
		tap_int(imap_fetch(im, "1", "(UID BODY.PEEK[])", &h, &e), -1,
			"cut literal: fails");
		tap_ok(e.code == ERR_IO || e.code == ERR_TEMPFAIL,
			"cut literal: a connection error (%s)", e.msg);
		tap_int(s.aborted, 1, "cut literal: the sink aborted");
		tap_int(s.n, 0, "cut literal: no message ended");
		imap_free(im);
		peer_join(&pe);
	}
	err_clear(&e);
	im = start(script_bye_line, &e);
	tap_ok(im != NULL, "BYE: session started");
	if (im) {
		tap_int(imap_simple(im, NULL, &e, "NOOP"), -1, "BYE: fails");
		tap_int(e.code, ERR_TEMPFAIL, "BYE: try again later");
		tap_ok(strstr(e.msg, "server shutting down") != NULL,
			"BYE: the server's text said (%s)", e.msg);
		tap_int((long long)imap_folder(im)->exists, 4,
			"BYE: the EXISTS before it counted");
		imap_free(im);
		peer_join(&pe);
	}
	log_release(&s);
}

/* ---- STATUS: every item by its name, in any case, any order ---- */

static void
script_status(struct peer *p)
{
	char t[32], out[256];

	peer_send(p, GREET);
	cmd(p, "STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT UIDVALIDITY)", t,
		sizeof t);
	/* HIGHESTMODSEQ not asked for but sent; an unknown item and one
	 * whose value is not a number skipped */
	snprintf(out, sizeof out, "* STATUS INBOX (uidnext 44 Messages 3 "
		"X-SIZE 9 UNSEEN x UIDVALIDITY 4294967295 RECENT 0 "
		"HIGHESTMODSEQ 12345678901)\r\n%s OK done\r\n", t);
	peer_send(p, out);
	logout(p);
}

static void
test_status(void)
{
	static const struct {
		const char *name;
		int have;
		unsigned long long v;
	} want[IMAP_STATUS_ITEMS] = {
		{ "messages", 1, 3 }, { "recent", 1, 0 }, { "unseen", 0, 0 },
		{ "uidnext", 1, 44 }, { "uidvalidity", 1, 4294967295ULL },
		{ "highestmodseq", 1, 12345678901ULL },
	};
	struct imap_status_info st;
	struct imap *im;
	struct err e;
	size_t i;

	err_clear(&e);
	im = start(script_status, &e);
	tap_ok(im != NULL, "status: session started");
	if (!im)
		return;
	tap_int(imap_status(im, "INBOX", &st, &e), 0, "status: done");
	for (i = 0; i < IMAP_STATUS_ITEMS; i++) {
		tap_str(imap_status_name(i), want[i].name, "status: the name");
		tap_int(!!(st.have & (1u << i)), want[i].have, want[i].name);
		tap_int((long long)imap_status_value(&st, i),
			(long long)want[i].v, want[i].name);
	}
	tap_ok(st.have == (IMAP_ST_MESSAGES | IMAP_ST_RECENT |
		IMAP_ST_UIDNEXT | IMAP_ST_UIDVALIDITY | IMAP_ST_HIGHESTMODSEQ),
		"status: the bits are enum imap_status_have's");
	tap_ok(st.messages == 3 && st.uidnext == 44 &&
		st.highestmodseq == 12345678901ULL,
		"status: the fields by name");
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "status: the server saw what it wanted");
}

/* ---- waiting for "+": a synchronizing literal, IDLE ---- */

#define GREET_PLAIN "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n"

static void
script_continue(struct peer *p)
{
	char t[32], out[256];

	peer_send(p, GREET_PLAIN);
	/* a synchronizing literal refused; the untagged before it counted */
	cmd(p, "APPEND INBOX {5}", t, sizeof t);
	snprintf(out, sizeof out, "* 7 EXISTS\r\n%s NO [TOOBIG] too big\r\n",
		t);
	peer_send(p, out);
	/* a synchronizing literal answered OK: not what the protocol says */
	cmd(p, "APPEND INBOX {6}", t, sizeof t);
	snprintf(out, sizeof out, "%s OK appended what\r\n", t);
	peer_send(p, out);
	/* IDLE: untagged to the handler, then "+" */
	cmd(p, "IDLE", t, sizeof t);
	peer_send(p, "* 8 EXISTS\r\n+ idling\r\n");
	if (peer_line(p, out, sizeof out) < 0 || strcmp(out, "DONE") != 0)
		peer_fail(p, "wanted DONE, got '%s'", out);
	snprintf(out, sizeof out, "%s OK idle done\r\n", t);
	peer_send(p, out);
	/* IDLE refused; then ended before its "+" */
	cmd(p, "IDLE", t, sizeof t);
	snprintf(out, sizeof out, "%s NO [LIMIT] not now\r\n", t);
	peer_send(p, out);
	cmd(p, "IDLE", t, sizeof t);
	snprintf(out, sizeof out, "%s OK already over\r\n", t);
	peer_send(p, out);
	logout(p);
}

static int
count_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	int *n = ctx;

	(void)r;
	(void)e;
	(*n)++;
	return 0;
}

static void
test_continue(void)
{
	int seen = 0;
	struct imap_handler h = { &seen, count_untagged, NULL, NULL };
	struct imap *im;
	struct err e;

	err_clear(&e);
	im = start(script_continue, &e);
	tap_ok(im != NULL, "continue: session started");
	if (!im)
		return;
	imap_cmd_begin(im, "APPEND INBOX");
	tap_int(imap_cmd_literal(im, 5, 0, &e), -1,
		"literal refused: fails");
	tap_ok(e.code == ERR_UNAVAILABLE && strstr(e.msg, "too big"),
		"literal refused: the server's words (%s)", e.msg);
	tap_int((long long)imap_folder(im)->exists, 7,
		"literal refused: the EXISTS before it counted");
	imap_cmd_begin(im, "APPEND INBOX");
	tap_int(imap_cmd_literal(im, 6, 0, &e), -1, "literal OK: fails");
	tap_ok(e.code == ERR_PROTOCOL && strstr(e.msg, "OK before the "
		"literal"), "literal OK: a protocol error (%s)", e.msg);
	tap_int(imap_idle_start(im, &h, &e), 0, "IDLE: the + came");
	tap_int(seen, 1, "IDLE: the untagged before it to the handler");
	tap_int((long long)imap_folder(im)->exists, 8,
		"IDLE: ... and to the engine");
	tap_int(imap_idle_done(im, NULL, &e), 0, "IDLE: done");
	tap_int(imap_idle_start(im, &h, &e), -1, "IDLE refused: fails");
	tap_ok(e.code == ERR_TEMPFAIL && strstr(e.msg, "not now"),
		"IDLE refused: [LIMIT] is for later (%s)", e.msg);
	tap_ok(!imap_idling(im), "IDLE refused: not idling");
	tap_int(imap_idle_start(im, &h, &e), -1, "IDLE OK at once: fails");
	tap_ok(e.code == ERR_PROTOCOL && strstr(e.msg, "ended before"),
		"IDLE OK at once: a protocol error (%s)", e.msg);
	imap_logout(im);
	peer_join(&pe);
	tap_str(pe.fail, "", "continue: the server saw what it wanted");
}

int
main(void)
{
	(void)peer_expect;	/* commands carry tags: cmd() reads them */
	test_window();
	test_wrong_tag();
	test_bye();
	test_status();
	test_continue();
	return tap_done();
}
