/* t_pop3_reply: POP3 status lines and multi-line bodies read from memory. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/pop3_reply.h"
#include "tap.h"

/* A transcript sink: each line into a buf. */
static void
collect(void *arg, const char *text, size_t len)
{
	struct buf *b = arg;

	buf_add(b, text, len);
	buf_addch(b, '\n');
}

static const struct pop3_case {
	const char *in;
	int rc;
	enum pop3_reply_status status;
	const char *code;
	const char *text;
} pop3_cases[] = {
	{ "+OK ready <1.2@x>\r\n", 0, POP3_REPLY_OK, "", "ready <1.2@x>" },
	{ "+OK\r\n", 0, POP3_REPLY_OK, "", "" },
	{ "+ok lower case\n", 0, POP3_REPLY_OK, "", "lower case" },
	{ "-ERR [IN-USE] mailbox locked\r\n", 0, POP3_REPLY_ERR, "IN-USE",
	  "mailbox locked" },
	{ "-ERR [SYS/TEMP] try later\r\n", 0, POP3_REPLY_ERR, "SYS/TEMP",
	  "try later" },
	{ "-ERR [AUTH]\r\n", 0, POP3_REPLY_ERR, "AUTH", "" },
	{ "-ERR [not closed\r\n", 0, POP3_REPLY_ERR, "", "[not closed" },
	{ "-ERR\r\n", 0, POP3_REPLY_ERR, "", "" },
	{ "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n", 0, POP3_REPLY_CONT, "",
	  "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+" },
	{ "+\r\n", 0, POP3_REPLY_CONT, "", "" },
	{ "+OKAY\r\n", -1, 0, "", "" },
	{ "* OK imap\r\n", -1, 0, "", "" },
	{ "220 smtp\r\n", -1, 0, "", "" },
};

static void
test_pop3(void)
{
	struct buf out = BUF_INIT, body = BUF_INIT;
	struct pop3_reply r;
	struct pp p;
	struct err e;
	size_t i;
	const char *line;
	size_t len;
	int end, rc;
	const char *in;

	pop3_reply_init(&r);
	for (i = 0; i < ARRAY_SIZE(pop3_cases); i++) {
		const struct pop3_case *t = &pop3_cases[i];

		pp_init_mem(&p, t->in, strlen(t->in), &out, NULL);
		err_clear(&e);
		rc = pop3_reply_read(&p, &r, &e);
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
		pop3_reply_read(&p, &r, &e);
		p.max_line = 4;
		while ((rc = pop3_reply_body_line(&p, &line, &len, &end,
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
		tap_ok(pop3_reply_read(&p, &r, &e) == 0 &&
			r.status == POP3_REPLY_ERR,
			"next reply after the body");
		pp_release(&p);
	}
	/* the "." line is unstuffed as ".\r\n" only when stuffed */
	in = "..\r\n.\r\n";
	pp_init_mem(&p, in, strlen(in), &out, NULL);
	pop3_reply_body_line(&p, &line, &len, &end, &e);
	tap_ok(!end && len == 3 && !memcmp(line, ".\r\n", 3),
		"stuffed dot line is data");
	pop3_reply_body_line(&p, &line, &len, &end, &e);
	tap_ok(end == 1, "then the end");
	pp_release(&p);
	/* the transcript of a RETR */
	{
		struct transcript ts;
		struct buf log = BUF_INIT;

		in = "+OK\r\nSubject: x\r\n\r\n..body\r\n.\r\n";
		transcript_init_fn(&ts, collect, &log, 0);
		pp_init_mem(&p, in, strlen(in), &out, &ts);
		pop3_reply_read(&p, &r, &e);
		while (pop3_reply_body_line(&p, &line, &len, &end, &e) == 0
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
	pop3_reply_body_line(&p, &line, &len, &end, &e);
	tap_ok(pop3_reply_body_line(&p, &line, &len, &end, &e) == -1 &&
		e.code == ERR_IO, "EOF inside a multi-line body is ERR_IO");
	pp_release(&p);
	pop3_reply_release(&r);
	buf_release(&body);
	buf_release(&out);
}

int
main(void)
{
	test_pop3();
	return tap_done();
}
