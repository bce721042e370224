/* t_pp: the line/reply layer fed from memory (SMTP replies, DATA writer,
 * command writer, data lines, literals). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"
#include "tap.h"
#include "base/util.h"
#include "net/transcript.h"

static const struct reply_case {
	const char *name;
	const char *in;
	int rc;
	int code;
	const char *esc;
	const char *text;	/* lines joined by '\n', each ended by '\n' */
	enum err_code err;
} reply_cases[] = {
	{ "one line", "250 ok\r\n", 0, 250, "", "ok\n", 0 },
	{ "multi-line", "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n",
	  0, 250, "", "mx.example\nPIPELINING\nSIZE 10\n", 0 },
	{ "bare LF line ends", "250-a\n250 b\n", 0, 250, "", "a\nb\n", 0 },
	{ "code alone", "250\r\n", 0, 250, "", "\n", 0 },
	{ "enhanced code", "535 5.7.8 authentication failed\r\n", 0, 535,
	  "5.7.8", "authentication failed\n", 0 },
	{ "enhanced code on every line",
	  "250-2.1.0 first\r\n250 2.1.0 second\r\n", 0, 250, "2.1.0",
	  "first\nsecond\n", 0 },
	{ "enhanced code alone", "550 5.1.1\r\n", 0, 550, "5.1.1", "\n", 0 },
	{ "3-digit enhanced parts", "452 4.123.456 busy\r\n", 0, 452,
	  "4.123.456", "busy\n", 0 },
	{ "not an enhanced code: class differs", "250 5.0.0 ok\r\n", 0, 250,
	  "", "5.0.0 ok\n", 0 },
	{ "not an enhanced code: glued text", "250 2.0.0x ok\r\n", 0, 250, "",
	  "2.0.0x ok\n", 0 },
	{ "not an enhanced code: 4 digits", "250 2.1234.0 ok\r\n", 0, 250,
	  "", "2.1234.0 ok\n", 0 },
	{ "greeting text kept", "220 mx ESMTP ready\r\n", 0, 220, "",
	  "mx ESMTP ready\n", 0 },
	{ "two digits", "25 ok\r\n", -1, 0, "", "", ERR_PROTOCOL },
	{ "no code", "hello\r\n", -1, 0, "", "", ERR_PROTOCOL },
	{ "code 650", "650 what\r\n", -1, 0, "", "", ERR_PROTOCOL },
	{ "bad separator", "250xok\r\n", -1, 0, "", "", ERR_PROTOCOL },
	{ "code changes", "250-a\r\n251 b\r\n", -1, 0, "", "", ERR_PROTOCOL },
	{ "closed mid-reply", "250-a\r\n", -1, 0, "", "", ERR_IO },
	{ "closed mid-line", "250 o", -1, 0, "", "", ERR_IO },
	{ "nothing at all", "", -1, 0, "", "", ERR_IO },
};

static void
test_replies(void)
{
	static const size_t steps[] = { 0, 1, 3 };
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(reply_cases); i++) {
		const struct reply_case *t = &reply_cases[i];

		for (k = 0; k < ARRAY_SIZE(steps); k++) {
			struct pp p;
			struct pp_smtp_reply r;
			struct buf out = BUF_INIT;
			struct err e;
			char name[160];
			int rc;

			err_clear(&e);
			pp_init_mem(&p, t->in, strlen(t->in), &out, NULL);
			p.mem_step = steps[k];
			pp_smtp_reply_init(&r);
			rc = pp_smtp_read_reply(&p, &r, &e);
			snprintf(name, sizeof(name), "reply: %s (step %zu)",
				t->name, steps[k]);
			if (t->rc == 0) {
				tap_ok(rc == 0 && r.code == t->code &&
					!strcmp(r.esc, t->esc), "%s: code %d "
					"esc '%s'", name, r.code, r.esc);
				tap_str(r.text.data ? r.text.data : "",
					t->text, name);
			} else {
				tap_ok(rc == -1 && e.code == t->err,
					"%s: fails with %s (%s)", name,
					err_code_name(t->err), e.msg);
			}
			pp_smtp_reply_release(&r);
			pp_release(&p);
			buf_release(&out);
		}
	}
}

static void
test_reply_misc(void)
{
	struct pp p;
	struct pp_smtp_reply r;
	struct buf out = BUF_INIT, big = BUF_INIT;
	struct err e;
	const char *line;
	size_t len, pos = 0, n;
	const char *in = "250-a\r\n250 b\r\n354 go\r\n";
	int i;

	/* pipelined replies come out one by one, in order */
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	pp_smtp_reply_init(&r);
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == 0 && r.code == 250 &&
		r.nlines == 2, "pipelined: first reply");
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == 0 && r.code == 354 &&
		r.nlines == 1, "pipelined: second reply");
	tap_int((long long)pp_pending(&p), 0, "nothing left after both");
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == -1 && e.code == ERR_IO,
		"then EOF is ERR_IO");
	pp_release(&p);

	/* the line walker */
	in = "250-one\r\n250-\r\n250 three\r\n";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	pp_smtp_read_reply(&p, &r, &e);
	n = 0;
	while (pp_smtp_reply_line(&r, &pos, &line, &len)) {
		static const char *want[] = { "one", "", "three" };

		if (n < 3)
			tap_mem(line, len, want[n], strlen(want[n]),
				"reply line walker");
		n++;
	}
	tap_int((long long)n, 3, "reply line walker: 3 lines");
	tap_str(r.raw.data, in, "raw reply kept verbatim");
	pp_release(&p);

	/* too many lines */
	for (i = 0; i < PP_SMTP_MAX_LINES + 1; i++)
		buf_addstr(&big, "250-x\r\n");
	buf_addstr(&big, "250 end\r\n");
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == -1 &&
		e.code == ERR_PROTOCOL, "too many reply lines: %s", e.msg);
	pp_release(&p);

	/* line too long, and the limit exactly */
	buf_reset(&big);
	buf_addstr(&big, "250 ");
	for (i = 0; i < 96; i++)
		buf_addch(&big, 'y');
	buf_addstr(&big, "\r\n");
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	p.max_line = 100;
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == 0, "line of max_line ok");
	pp_release(&p);
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	p.max_line = 99;
	p.mem_step = 7;
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == -1 &&
		e.code == ERR_PROTOCOL && strstr(e.msg, "too long"),
		"line over max_line: %s", e.msg);
	pp_release(&p);
	/* an endless line without LF stops at the limit, not at EOF */
	buf_reset(&big);
	for (i = 0; i < 5000; i++)
		buf_addch(&big, '2');
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	p.max_line = 1000;
	p.mem_step = 100;
	tap_ok(pp_smtp_read_reply(&p, &r, &e) == -1 &&
		e.code == ERR_PROTOCOL, "endless line refused at the limit");
	tap_ok(p.mem_pos < 2000, "... having read only %zu bytes",
		p.mem_pos);
	pp_release(&p);

	/* many pipelined replies in one buffer: consumed without shifting
	 * the buffer once per line (this would take minutes if it did) */
	buf_reset(&big);
	for (i = 0; i < 200000; i++)
		buf_addstr(&big, "250-2.1.5 ok\r\n250 2.1.5 ok\r\n");
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	for (i = 0; i < 200000; i++)
		if (pp_smtp_read_reply(&p, &r, &e) < 0 || r.nlines != 2)
			break;
	tap_int(i, 200000, "200000 pipelined replies from one buffer");
	pp_release(&p);

	pp_smtp_reply_release(&r);
	buf_release(&big);
	buf_release(&out);
}

static const struct data_case {
	const char *name;
	const char *chunks[4];
	const char *want;
} data_cases[] = {
	{ "LF to CRLF", { "hello\nworld\n" }, "hello\r\nworld\r\n.\r\n" },
	{ "CRLF kept", { "a\r\nb\r\n" }, "a\r\nb\r\n.\r\n" },
	{ "last line ended", { "no newline" }, "no newline\r\n.\r\n" },
	{ "empty message", { "" }, ".\r\n" },
	{ "blank lines", { "a\n\n\nb" }, "a\r\n\r\n\r\nb\r\n.\r\n" },
	{ "only a newline", { "\n" }, "\r\n.\r\n" },
	{ "leading dot stuffed", { ".x\n" }, "..x\r\n.\r\n" },
	{ "lone dot line stuffed", { "a\n.\nb\n" }, "a\r\n..\r\nb\r\n.\r\n" },
	{ "dot not at line start", { "x.y\n" }, "x.y\r\n.\r\n" },
	{ "dot after chunk-boundary LF", { "a\n", ".b\n" },
	  "a\r\n..b\r\n.\r\n" },
	{ "dot ending a chunk mid-line", { "a.", ".b" }, "a..b\r\n.\r\n" },
	{ "dot at chunk start mid-line", { "ab", ".c\n" },
	  "ab.c\r\n.\r\n" },
	{ "CRLF split across chunks", { "a\r", "\nb" }, "a\r\nb\r\n.\r\n" },
	{ "CRLF split, then dot", { "a\r", "\n.b" }, "a\r\n..b\r\n.\r\n" },
	{ "bare CR ends a line", { "a\rb\n" }, "a\r\nb\r\n.\r\n" },
	{ "bare CR then dot", { "a\r", ".b" }, "a\r\n..b\r\n.\r\n" },
	{ "trailing CR", { "a\r" }, "a\r\n.\r\n" },
	{ "CR CR LF", { "a\r\r\n" }, "a\r\n\r\n.\r\n" },
	{ "dot-CRLF in body is not the end", { "x\r\n.\r\ny" },
	  "x\r\n..\r\ny\r\n.\r\n" },
	{ "three chunks", { "Subject: x\n", "\n", ".." },
	  "Subject: x\r\n\r\n...\r\n.\r\n" },
};

static void
run_data(const struct data_case *t, int bytewise, struct buf *out,
	struct transcript *ts)
{
	struct pp p;
	struct err e;
	size_t i, k;

	buf_reset(out);
	pp_init_mem(&p, "", 0, out, ts);
	pp_data_begin(&p);
	for (i = 0; i < ARRAY_SIZE(t->chunks) && t->chunks[i]; i++) {
		const char *c = t->chunks[i];

		if (!bytewise)
			pp_data_write(&p, c, strlen(c), &e);
		else
			for (k = 0; c[k]; k++)
				pp_data_write(&p, c + k, 1, &e);
	}
	pp_data_end(&p, &e);
	pp_release(&p);
}

static void
test_data(void)
{
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(data_cases); i++) {
		char name[160];

		run_data(&data_cases[i], 0, &out, NULL);
		snprintf(name, sizeof(name), "DATA: %s", data_cases[i].name);
		tap_mem(out.data, out.len, data_cases[i].want,
			strlen(data_cases[i].want), name);
		run_data(&data_cases[i], 1, &out, NULL);
		snprintf(name, sizeof(name), "DATA: %s (byte by byte)",
			data_cases[i].name);
		tap_mem(out.data, out.len, data_cases[i].want,
			strlen(data_cases[i].want), name);
	}
	buf_release(&out);
}

static void
test_crlf_bdat(void)
{
	struct pp_crlf st;
	struct buf b = BUF_INIT, out = BUF_INIT;
	struct pp p;
	struct err e;

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

	pp_init_mem(&p, "", 0, &out, NULL);
	pp_bdat(&p, "hello\r\n", 7, 0, &e);
	pp_bdat(&p, "", 0, 1, &e);
	tap_str(out.data, "BDAT 7\r\nhello\r\nBDAT 0 LAST\r\n", "BDAT chunks");
	pp_release(&p);
	buf_release(&out);
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
	pp_data_begin(&p);
	pp_data_write(&p, "a\n.b\n", 5, &e);
	pp_data_end(&p, &e);
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
	pp_data_begin(&p);
	pp_data_write(&p, "Subject: x\n\nbo", 14, &e);
	pp_data_write(&p, "dy", 2, &e);
	pp_data_end(&p, &e);
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

static const struct pop3_case {
	const char *in;
	int rc;
	enum pp_pop3_status status;
	const char *code;
	const char *text;
} pop3_cases[] = {
	{ "+OK ready <1.2@x>\r\n", 0, PP_POP3_OK, "", "ready <1.2@x>" },
	{ "+OK\r\n", 0, PP_POP3_OK, "", "" },
	{ "+ok lower case\n", 0, PP_POP3_OK, "", "lower case" },
	{ "-ERR [IN-USE] mailbox locked\r\n", 0, PP_POP3_ERR, "IN-USE",
	  "mailbox locked" },
	{ "-ERR [SYS/TEMP] try later\r\n", 0, PP_POP3_ERR, "SYS/TEMP",
	  "try later" },
	{ "-ERR [AUTH]\r\n", 0, PP_POP3_ERR, "AUTH", "" },
	{ "-ERR [not closed\r\n", 0, PP_POP3_ERR, "", "[not closed" },
	{ "-ERR\r\n", 0, PP_POP3_ERR, "", "" },
	{ "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n", 0, PP_POP3_CONT, "",
	  "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+" },
	{ "+\r\n", 0, PP_POP3_CONT, "", "" },
	{ "+OKAY\r\n", -1, 0, "", "" },
	{ "* OK imap\r\n", -1, 0, "", "" },
	{ "220 smtp\r\n", -1, 0, "", "" },
};

static void
test_pop3(void)
{
	struct buf out = BUF_INIT, body = BUF_INIT;
	struct pp_pop3_reply r;
	struct pp p;
	struct err e;
	size_t i;
	const char *line;
	size_t len;
	int end, rc;
	const char *in;

	pp_pop3_reply_init(&r);
	for (i = 0; i < ARRAY_SIZE(pop3_cases); i++) {
		const struct pop3_case *t = &pop3_cases[i];

		pp_init_mem(&p, t->in, strlen(t->in), &out, NULL);
		err_clear(&e);
		rc = pp_pop3_read_reply(&p, &r, &e);
		if (t->rc < 0) {
			tap_ok(rc == -1 && e.code == ERR_PROTOCOL,
				"pop3 '%.*s' refused: %s",
				(int)strcspn(t->in, "\r\n"), t->in, e.msg);
		} else {
			tap_ok(rc == 0 && r.status == t->status &&
				!strcmp(r.code, t->code), "pop3 '%.*s' status "
				"%d code '%s'", (int)strcspn(t->in, "\r\n"),
				t->in, (int)r.status, r.code);
			tap_str(r.text.data ? r.text.data : "", t->text,
				"pop3 reply text");
		}
		pp_release(&p);
	}

	/* multi-line: byte-stuffing removed, "." ends, line ends kept */
	in = "+OK 3 octets\r\nline\r\n..dot\r\n\r\nmid.dle\n"
		"abcdefgh.ij\r\n.\r\n-ERR next\r\n";
	for (i = 0; i < 3; i++) {
		static const size_t steps[] = { 0, 1, 5 };

		buf_reset(&body);
		pp_init_mem(&p, in, strlen(in), &out, NULL);
		p.mem_step = steps[i];
		pp_pop3_read_reply(&p, &r, &e);
		p.max_line = 4;
		while ((rc = pp_pop3_read_body_line(&p, &line, &len, &end,
		    &e)) == 0 && !end) {
			buf_add(&body, line, len);
			buf_addch(&body, '|');
		}
		tap_ok(rc == 0 && end, "pop3 body ends at '.' (step %zu)",
			steps[i]);
		/* pieces of 4: "abcd" "efgh" ".ij\r\n" must keep its dot */
		tap_str(body.data, "line\r\n|.do|t\r\n|"
			"\r\n|mid.|dle\n|abcd|efgh|.ij\r\n|",
			"pop3 body lines unstuffed, pieces kept");
		p.max_line = PP_MAX_LINE_DEFAULT;
		tap_ok(pp_pop3_read_reply(&p, &r, &e) == 0 &&
			r.status == PP_POP3_ERR, "next reply after the body");
		pp_release(&p);
	}
	/* the "." line is unstuffed as ".\r\n" only when stuffed */
	in = "..\r\n.\r\n";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	pp_pop3_read_body_line(&p, &line, &len, &end, &e);
	tap_ok(!end && len == 3 && !memcmp(line, ".\r\n", 3),
		"stuffed dot line is data");
	pp_pop3_read_body_line(&p, &line, &len, &end, &e);
	tap_ok(end == 1, "then the end");
	pp_release(&p);
	/* the transcript of a RETR */
	{
		struct transcript ts;
		struct buf log = BUF_INIT;

		in = "+OK\r\nSubject: x\r\n\r\n..body\r\n.\r\n";
		transcript_init_fn(&ts, collect, &log, 0);
		pp_init_mem(&p, in, strlen(in), &out, &ts);
		pp_pop3_read_reply(&p, &r, &e);
		while (pp_pop3_read_body_line(&p, &line, &len, &end, &e) == 0
		    && !end)
			;
		tap_str(log.data, "< +OK\n< [message data: 22 bytes]\n< .\n",
			"pop3 body summarised in the transcript");
		pp_release(&p);
		transcript_release(&ts);
		buf_release(&log);
	}
	/* EOF before the end */
	in = "a\r\n";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	pp_pop3_read_body_line(&p, &line, &len, &end, &e);
	tap_ok(pp_pop3_read_body_line(&p, &line, &len, &end, &e) == -1 &&
		e.code == ERR_IO, "EOF inside a multi-line body is ERR_IO");
	pp_release(&p);
	pp_pop3_reply_release(&r);
	buf_release(&body);
	buf_release(&out);
}

static const struct lit_case {
	const char *line;
	int rc;
	unsigned long long n;
} lit_cases[] = {
	{ "* 1 FETCH (BODY[] {1234}", 1, 1234 },
	{ "A1 APPEND INBOX {5+}", 1, 5 },
	{ "* 1 FETCH (BINARY[] ~{0}", 1, 0 },
	{ "{18446744073709551615}", 1, 18446744073709551615ULL },
	{ "{18446744073709551616}", -1, 0 },
	{ "{123456789012345678901}", -1, 0 },
	{ "* 1 FETCH {}", -1, 0 },
	{ "* OK done", 0, 0 },
	{ "* 1 FETCH (FLAGS (\\Seen))", 0, 0 },
	{ "x {12a}", 0, 0 },
	{ "}", 0, 0 },
	{ "", 0, 0 },
};

static void
test_imap_literal(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lit_cases); i++) {
		unsigned long long n = 0;
		int rc = pp_imap_literal(lit_cases[i].line,
			strlen(lit_cases[i].line), &n);

		tap_ok(rc == lit_cases[i].rc && (rc != 1 ||
			n == lit_cases[i].n), "imap literal '%s': %d %llu",
			lit_cases[i].line, rc, n);
	}
}

int
main(void)
{
	test_replies();
	test_reply_misc();
	test_data();
	test_crlf_bdat();
	test_cmd();
	test_data_lines();
	test_transcript();
	test_pop3();
	test_imap_literal();
	return tap_done();
}
