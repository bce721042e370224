/* t_pp: the line layer fed from memory (CRLF conversion, command writer,
 * data lines, literals, transcript), the queue of replies owed, and work
 * done while a connection waits for its peer (conn_set_idle). */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/conn.h"
#include "net/pp.h"
#include "tap.h"
#include "base/util.h"
#include "net/transcript.h"

static void
test_crlf(void)
{
	struct pp_crlf st;
	struct buf b = BUF_INIT;

	/* BDAT conversion: CRLF, no dot-stuffing */
	pp_crlf_init(&st, 0);
	pp_crlf_add(&st, &b, ".a\n.", 4);
	pp_crlf_add(&st, &b, "b", 1);
	pp_crlf_finish(&st, &b);
	tap_str(b.data, ".a\r\n.b\r\n", "crlf without dot-stuffing");
	tap_int((long long)st.out, 8, "crlf counts bytes out");
	/* a capped output reports the overflow */
	buf_release(&b);
	buf_init(&b, 3);
	pp_crlf_init(&st, 1);
	tap_int(pp_crlf_add(&st, &b, "abcdef", 6), -1, "crlf: cap hit is -1");
	buf_release(&b);
}

static const struct cmd_case {
	const char *arg;
	int rc;
} cmd_cases[] = {
	{ "user@example.org", 0 },
	{ "a@b>\r\nRCPT TO:<evil@x", -1 },
	{ "a@b\n", -1 },
	{ "a@b\rx", -1 },
};

static void
test_cmd(void)
{
	struct buf out = BUF_INIT;
	struct pp p;
	struct err e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmd_cases); i++) {
		buf_reset(&out);
		pp_init_mem(&p, "", 0, &out, NULL);
		err_clear(&e);
		tap_int(pp_cmd(&p, &e, "MAIL FROM:<%s>", cmd_cases[i].arg),
			cmd_cases[i].rc, "pp_cmd line-break check");
		if (cmd_cases[i].rc == 0)
			tap_ok(out.len > 2 && !memcmp(out.data + out.len - 2,
				"\r\n", 2), "command ended by CRLF");
		else
			tap_ok(out.len == 0 && e.code == ERR_DATA,
				"nothing queued, ERR_DATA");
		pp_release(&p);
	}
	buf_reset(&out);
	pp_init_mem(&p, "", 0, &out, NULL);
	tap_int(pp_cmd(&p, &e, "X%cY", 0), -1, "NUL in command refused");
	tap_int(pp_cmd_secret(&p, "AUTH PLAIN ", "ab\r\ncd", &e), -1,
		"line break in secret refused");
	tap_int((long long)out.len, 0, "nothing queued");
	pp_cmd(&p, &e, "EHLO a");
	pp_cmd(&p, &e, "MAIL FROM:<b>");
	tap_str(out.data, "EHLO a\r\nMAIL FROM:<b>\r\n",
		"commands queue in order");
	pp_release(&p);
	buf_release(&out);
}

static void
test_data_lines(void)
{
	struct buf out = BUF_INIT, lit;
	struct pp p;
	struct err e;
	const char *line;
	size_t len;
	const char *in = "+OK\r\nabcdefghij\r\nxy\n* 1 FETCH {5}\r\n12345)\r\n";

	pp_init_mem(&p, in, strlen(in), &out, NULL);
	p.mem_step = 3;
	p.max_line = 4;
	tap_ok(pp_read_data_line(&p, &line, &len, &e) == 0 && len == 5,
		"data line keeps its CRLF");
	/* a long data line comes in max_line pieces */
	pp_read_data_line(&p, &line, &len, &e);
	tap_mem(line, len, "abcd", 4, "long data line: first piece");
	pp_read_data_line(&p, &line, &len, &e);
	tap_mem(line, len, "efgh", 4, "long data line: second piece");
	pp_read_data_line(&p, &line, &len, &e);
	tap_mem(line, len, "ij\r\n", 4, "long data line: last piece");
	pp_read_data_line(&p, &line, &len, &e);
	tap_mem(line, len, "xy\n", 3, "LF data line");
	p.max_line = 100;
	pp_read_line(&p, &line, &len, &e);
	tap_mem(line, len, "* 1 FETCH {5}", 13, "line before a literal");
	buf_init(&lit, 5);
	tap_ok(pp_read_bytes(&p, 5, &lit, &e) == 0, "literal read");
	tap_str(lit.data, "12345", "literal bytes");
	pp_read_line(&p, &line, &len, &e);
	tap_mem(line, len, ")", 1, "line after the literal");
	buf_release(&lit);
	pp_release(&p);

	/* a literal larger than the caller's cap */
	in = "0123456789";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	buf_init(&lit, 4);
	tap_ok(pp_read_bytes(&p, 10, &lit, &e) == -1 &&
		e.code == ERR_PROTOCOL, "literal over the cap refused");
	buf_release(&lit);
	pp_release(&p);
	buf_release(&out);
}

static void
collect(void *arg, const char *text, size_t len)
{
	struct buf *b = arg;

	buf_add(b, text, len);
	buf_addch(b, '\n');
}

static void
test_transcript(void)
{
	struct transcript ts;
	struct buf log = BUF_INIT, out = BUF_INIT;
	struct pp p;
	struct err e;
	const char *line;
	size_t len;
	const char *in = "334 \r\n235 2.7.0 ok\x1b[31m\r\n";

	transcript_init_fn(&ts, collect, &log, 0);
	pp_init_mem(&p, in, strlen(in), &out, &ts);
	pp_cmd_secret(&p, "AUTH PLAIN ", "AGpvZQBzM2NyM3Q=", &e);
	pp_read_line(&p, &line, &len, &e);
	pp_cmd_secret(&p, "", "c2VjcmV0", &e);
	pp_read_line(&p, &line, &len, &e);
	pp_write_data_part(&p, "a\r\n..b\r\n", 8, &e);
	pp_write_data_end(&p);
	pp_cmd(&p, &e, ".");
	tap_str(log.data,
		"> AUTH PLAIN <redacted>\n"
		"< 334 \n"
		"> <redacted>\n"
		"< 235 2.7.0 ok\\x1b[31m\n"
		"> [message data: 8 bytes]\n"
		"> .\n", "transcript: secrets redacted, data summarised, "
		"controls escaped");
	tap_ok(strstr(out.data, "AUTH PLAIN AGpvZQBzM2NyM3Q=\r\n") &&
		strstr(out.data, "\r\nc2VjcmV0\r\n"),
		"the secrets do go on the wire");
	tap_ok(!strstr(log.data, "AGpvZQ") && !strstr(log.data, "c2Vj"),
		"and never into the transcript");
	pp_release(&p);
	transcript_release(&ts);

	buf_reset(&log);
	buf_reset(&out);
	transcript_init_fn(&ts, collect, &log, TRANSCRIPT_FULL_DATA);
	pp_init_mem(&p, "", 0, &out, &ts);
	pp_write_data_part(&p, "Subject: x\r\n\r\nbo", 16, &e);
	pp_write_data_part(&p, "dy\r\n", 4, &e);
	pp_write_data_end(&p);
	pp_cmd(&p, &e, ".");
	transcript_sent_secret(&ts, "PASS hunter2", 12, 5);
	tap_str(log.data, "> Subject: x\n> \n> body\n> .\n> PASS <redacted>\n",
		"full-data transcript shows the lines");
	pp_release(&p);
	transcript_release(&ts);

	/* escaping: C0, DEL, C1, bad UTF-8 escaped; good UTF-8 kept */
	{
		static const struct {
			const char *in, *want;
		} esc[] = {
			{ "plain\ttab", "< plain\ttab" },
			{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
			  "< caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
			{ "\x1b[2J\x7f", "< \\x1b[2J\\x7f" },
			{ "csi \xc2\x9b and \x9b",
			  "< csi \\xc2\\x9b and \\x9b" },
			{ "cut \xe2\x82", "< cut \\xe2\\x82" },
			{ "overlong \xc0\xaf", "< overlong \\xc0\\xaf" },
			{ "surrogate \xed\xa0\x80",
			  "< surrogate \\xed\\xa0\\x80" },
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(esc); i++) {
			buf_reset(&log);
			transcript_init_fn(&ts, collect, &log, 0);
			transcript_recv(&ts, esc[i].in, strlen(esc[i].in));
			tap_ok(log.len > 0 && !strncmp(log.data, esc[i].want,
				strlen(esc[i].want)) &&
				log.len == strlen(esc[i].want) + 1,
				"transcript escaping %zu", i);
			if (log.len != strlen(esc[i].want) + 1 ||
			    strncmp(log.data, esc[i].want,
			    strlen(esc[i].want)))
				printf("#   got '%s'\n", log.data);
			transcript_release(&ts);
		}
	}

	/* NULL transcript is a no-op */
	transcript_sent(NULL, "x", 1);
	transcript_data_end(NULL, TRANSCRIPT_SENT);
	tap_ok(1, "NULL transcript accepted");
	buf_release(&log);
	buf_release(&out);
}

static void
test_queue(void)
{
	struct pp_queue q = PP_QUEUE_INIT;
	size_t i;

	for (i = 0; i < 40; i++)	/* past the first allocation */
		pp_queue_push(&q, (int)(i % 3), i, 100 + i);
	tap_int((long long)q.n, 40, "queue: 40 items pushed");
	tap_int(q.v[39].kind, 0, "queue: kind kept");
	tap_int((long long)q.v[39].b, 139, "queue: indexes kept");
	pp_queue_drop(&q, 25);
	tap_int((long long)q.n, 15, "queue: 25 answered, 15 left");
	tap_int((long long)q.v[0].a, 25, "queue: the oldest unanswered first");
	tap_int((long long)q.v[14].a, 39, "queue: order kept");
	pp_queue_drop(&q, 99);
	tap_int((long long)q.n, 0, "queue: dropping more than held empties it");
	pp_queue_push(&q, 7, 1, 2);
	tap_int((long long)(q.n == 1 && q.v[0].kind == 7), 1,
		"queue: usable after emptying");
	pp_queue_release(&q);
	tap_int((long long)(q.v == NULL && q.n == 0), 1, "queue: released");
}

/* The idle work of test_idle: one piece a call; at the third the peer's
 * reply arrives (written here); none left after that in "finished". */
struct idle_run {
	int calls, peer, finished;
};

static int
idle_piece(void *arg)
{
	struct idle_run *r = arg;

	if (r->finished) {
		r->calls++;
		return 0;
	}
	if (++r->calls == 3 && write(r->peer, "250 ok\r\n", 8) != 8)
		return 0;
	return 1;
}

static void
test_idle(void)
{
	struct idle_run r = { 0, -1, 0 };
	struct conn *c;
	struct pp p;
	struct err e;
	const char *line;
	size_t len;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    !(c = conn_from_fd(sv[0], "peer", NULL, &e))) {
		tap_ok(0, "idle: a connection");
		return;
	}
	r.peer = sv[1];
	conn_set_idle(c, idle_piece, &r);
	pp_init(&p, c);
	tap_ok(pp_read_line(&p, &line, &len, &e) == 0 &&
		len == 6 && !memcmp(line, "250 ok", 6) && r.calls == 3,
		"idle: work done while the reply is owed, the reply read once "
		"it came");
	/* a reply already there is read first: no work */
	if (write(sv[1], "251 x\r\n", 7) != 7)
		tap_ok(0, "idle: write");
	tap_ok(pp_read_line(&p, &line, &len, &e) == 0 && len == 5 &&
		r.calls == 3, "idle: no work when the reply is there");
	/* no work left: it waits for the reply */
	r.finished = 1;
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(write(sv[1], "252 y\r\n", 7) == 7 ? 0 : 1);
	}
	tap_ok(pp_read_line(&p, &line, &len, &e) == 0 && len == 5 &&
		!memcmp(line, "252 y", 5) && r.calls == 4,
		"idle: nothing left, so it waits (asked once)");
	waitpid(pid, NULL, 0);
	pp_release(&p);
	conn_close(c);
	close(sv[1]);
}

int
main(void)
{
	test_queue();
	test_crlf();
	test_cmd();
	test_data_lines();
	test_transcript();
	test_idle();
	return tap_done();
}
