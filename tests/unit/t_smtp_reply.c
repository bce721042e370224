/* t_smtp_reply: SMTP replies read from memory (and the line reader
 * under them: limits, pipelined input). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/smtp_reply.h"
#include "tap.h"

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
			struct smtp_reply r;
			struct buf out = BUF_INIT;
			struct err e;
			char name[160];
			int rc;

			err_clear(&e);
			pp_init_mem(&p, t->in, strlen(t->in), &out, NULL);
			p.mem_step = steps[k];
			smtp_reply_init(&r);
			rc = smtp_reply_read(&p, &r, &e);
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
			smtp_reply_release(&r);
			pp_release(&p);
			buf_release(&out);
		}
	}
}

static void
test_reply_misc(void)
{
	struct pp p;
	struct smtp_reply r;
	struct buf out = BUF_INIT, big = BUF_INIT;
	struct err e;
	const char *line;
	size_t len, pos = 0, n;
	const char *in = "250-a\r\n250 b\r\n354 go\r\n";
	int i;

	/* pipelined replies come out one by one, in order */
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	smtp_reply_init(&r);
	tap_ok(smtp_reply_read(&p, &r, &e) == 0 && r.code == 250 &&
		r.nlines == 2, "pipelined: first reply");
	tap_ok(smtp_reply_read(&p, &r, &e) == 0 && r.code == 354 &&
		r.nlines == 1, "pipelined: second reply");
	tap_int((long long)pp_pending(&p), 0, "nothing left after both");
	tap_ok(smtp_reply_read(&p, &r, &e) == -1 && e.code == ERR_IO,
		"then EOF is ERR_IO");
	pp_release(&p);

	/* the line walker */
	in = "250-one\r\n250-\r\n250 three\r\n";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	smtp_reply_read(&p, &r, &e);
	n = 0;
	while (smtp_reply_line(&r, &pos, &line, &len)) {
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
	for (i = 0; i < SMTP_REPLY_MAX_LINES + 1; i++)
		buf_addstr(&big, "250-x\r\n");
	buf_addstr(&big, "250 end\r\n");
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	tap_ok(smtp_reply_read(&p, &r, &e) == -1 &&
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
	tap_ok(smtp_reply_read(&p, &r, &e) == 0, "line of max_line ok");
	pp_release(&p);
	pp_init_mem(&p, big.data, big.len, &out, NULL);
	p.max_line = 99;
	p.mem_step = 7;
	tap_ok(smtp_reply_read(&p, &r, &e) == -1 &&
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
	tap_ok(smtp_reply_read(&p, &r, &e) == -1 &&
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
		if (smtp_reply_read(&p, &r, &e) < 0 || r.nlines != 2)
			break;
	tap_int(i, 200000, "200000 pipelined replies from one buffer");
	pp_release(&p);

	smtp_reply_release(&r);
	buf_release(&big);
	buf_release(&out);
}

int
main(void)
{
	test_replies();
	test_reply_misc();
	return tap_done();
}
