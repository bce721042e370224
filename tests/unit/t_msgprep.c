/* t_msgprep.c: message preparation for msend (msgprep.h, addrsplit.h);
 * header fields split as the MIME parser splits them (mime.h). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "codec/addrsplit.h"
#include "mime/build.h"
#include "mime/mime.h"
#include "mime/msgprep.h"
#include "tap.h"
#include "base/util.h"

/* Join an addrvec with ',' into a static buffer. */
static const char *
joined(const struct addrvec *av)
{
	static char out[1024];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < av->n; i++) {
		if (i)
			strcat(out, ",");
		strncat(out, av->v[i], sizeof(out) - strlen(out) - 2);
	}
	return out;
}

static void
test_addrsplit(void)
{
	static const struct {
		const char *in, *want;
		int ret;
	} t[] = {
		{ "a@x", "a@x", 1 },
		{ "a@x, b@y", "a@x,b@y", 2 },
		{ "\"Doe, John\" <j@x>", "j@x", 1 },
		{ "John (the boss, really) Doe <j@x>, c@z", "j@x,c@z", 2 },
		{ "undisclosed-recipients:;", "", 0 },
		{ "team: a@x, \"B\" <b@y>;, c@z", "a@x,b@y,c@z", 3 },
		{ "<@relay.x,@r2:u@h>", "u@h", 1 },
		{ "a@x (comment) ,\r\n\t b@y", "a@x,b@y", 2 },
		{ "\"odd local\"@x", "\"odd local\"@x", 1 },
		{ "u@[127.0.0.1]", "u@[127.0.0.1]", 1 },
		{ "j\xc3\xb6rg@b\xc3\xbc.de", "j\xc3\xb6rg@b\xc3\xbc.de", 1 },
		{ "", "", 0 },
		{ ",,", "", 0 },
		{ "Name <a@x", "a@x", 1 },
		{ "a@x (open comment, b@y", "a@x", 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct addrvec av = ADDRVEC_INIT;
		struct err e;
		int r = addrsplit(t[i].in, strlen(t[i].in), &av, &e);
		char name[64];

		snprintf(name, sizeof name, "addrsplit row %zu", i);
		tap_int(r, t[i].ret, name);
		tap_str(joined(&av), t[i].want, name);
		addrvec_release(&av);
	}
}

/* Read through a pipe as msend reads stdin. */
static int
read_via_pipe(struct msgprep *m, const char *in, unsigned flags, size_t max,
	struct err *e)
{
	int fd[2], r;

	if (pipe(fd) < 0)
		return -2;
	if (write(fd[1], in, strlen(in)) != (ssize_t)strlen(in))
		return -2;
	close(fd[1]);
	r = msgprep_read_fd(m, fd[0], flags, max, e);
	close(fd[0]);
	return r;
}


/*
 * Through a pipe written by a child in uneven pieces (step bytes, then
 * step * 7 + 1...), read with msgprep_read_spool() (spool: 1) or
 * msgprep_read_fd() (0); whole gets the message as msend sends it (raw
 * from start, then the spool).
 */
static int
read_pieces(struct msgprep *m, const char *in, size_t len, size_t step,
	int spool, unsigned flags, size_t max, struct buf *whole,
	struct err *e)
{
	int fd[2], r, sfd = -1, st;
	pid_t pid;

	if (pipe(fd) < 0 || (pid = fork()) < 0)
		return -2;
	if (pid == 0) {
		size_t off = 0, n = step;

		close(fd[0]);
		while (off < len) {
			ssize_t w = write(fd[1], in + off, n < len - off ? n :
				len - off);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
			n = n * 7 % 70001 + 1;
		}
		_exit(0);
	}
	close(fd[1]);
	if (spool) {
		sfd = mbuild_tmpfile(e);
		r = msgprep_read_spool(m, fd[0], sfd, flags, max, e);
	} else {
		r = msgprep_read_fd(m, fd[0], flags, max, e);
	}
	close(fd[0]);
	waitpid(pid, &st, 0);
	buf_add(whole, m->raw.data + m->start, m->raw.len - m->start);
	if (sfd >= 0) {
		char slice[4096];
		ssize_t n;

		lseek(sfd, 0, SEEK_SET);
		while ((n = read(sfd, slice, sizeof slice)) > 0)
			buf_add(whole, slice, (size_t)n);
		close(sfd);
	}
	return r;
}

static void
test_read(void)
{
	static const struct {
		const char *name, *in;
		unsigned flags;
		const char *raw;	/* from m->start */
		size_t body;		/* body offset from start */
	} t[] = {
		{ "LF becomes CRLF", "A: 1\n\nbody\n", 0,
			"A: 1\r\n\r\nbody\r\n", 8 },
		{ "CRLF kept", "A: 1\r\n\r\nbody\r\n", 0,
			"A: 1\r\n\r\nbody\r\n", 8 },
		{ "last line terminated", "A: 1\n\nno newline", 0,
			"A: 1\r\n\r\nno newline\r\n", 8 },
		{ "dot line ends input without -i",
			"A: 1\n\nx\n.\nnot read\n", MSGPREP_DOT_ENDS,
			"A: 1\r\n\r\nx\r\n", 8 },
		{ "dot CRLF line ends input",
			"A: 1\r\n\r\nx\r\n.\r\nafter\r\n", MSGPREP_DOT_ENDS,
			"A: 1\r\n\r\nx\r\n", 8 },
		{ "dot at EOF ends input", "A: 1\n\nx\n.", MSGPREP_DOT_ENDS,
			"A: 1\r\n\r\nx\r\n", 8 },
		{ "-i: a dot line is data", "A: 1\n\nx\n.\ny\n", 0,
			"A: 1\r\n\r\nx\r\n.\r\ny\r\n", 8 },
		{ "dot with more text is data", "A: 1\n\n..\n.x\n",
			MSGPREP_DOT_ENDS, "A: 1\r\n\r\n..\r\n.x\r\n", 8 },
		{ "leading From line dropped",
			"From a@b Mon Jan  1 00:00:00 2024\nA: 1\n\nb\n", 0,
			"A: 1\r\n\r\nb\r\n", 8 },
		{ "folded field", "A: 1\n  more\nB: 2\n\nb\n", 0,
			"A: 1\r\n  more\r\nB: 2\r\n\r\nb\r\n", 22 },
		{ "no blank line: body at first non-field",
			"A: 1\nnot a header\n", 0,
			"A: 1\r\nnot a header\r\n", 6 },
		{ "headers only", "A: 1\n", 0, "A: 1\r\n", 6 },
		{ "empty input", "", 0, "", 0 },
		{ "bare CR kept inside a line", "A: 1\n\na\rb\n", 0,
			"A: 1\r\n\r\na\rb\r\n", 8 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct msgprep m;
		struct err e;
		int r;

		msgprep_init(&m);
		r = read_via_pipe(&m, t[i].in, t[i].flags, 0, &e);
		tap_int(r, 0, t[i].name);
		tap_mem(m.raw.data + m.start, m.raw.len - m.start, t[i].raw,
			strlen(t[i].raw), t[i].name);
		tap_int((long long)(m.body_off - m.start), (long long)t[i].body,
			t[i].name);
		msgprep_release(&m);
	}

	/* the spooling reader: the same bytes, the same split; only the
	 * header stays in memory */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct buf whole = BUF_INIT;
		struct msgprep m;
		struct err e;
		char name[96];
		int r;

		snprintf(name, sizeof name, "spooled: %s", t[i].name);
		msgprep_init(&m);
		r = read_pieces(&m, t[i].in, strlen(t[i].in), 1, 1, t[i].flags,
			0, &whole, &e);
		tap_int(r, 0, name);
		tap_mem(whole.data, whole.len, t[i].raw, strlen(t[i].raw),
			name);
		tap_int((long long)(m.body_off - m.start),
			(long long)t[i].body, name);
		tap_int((long long)m.raw.len, (long long)m.body_off, name);
		buf_release(&whole);
		msgprep_release(&m);
	}

	{
		struct msgprep m;
		struct err e;

		msgprep_init(&m);
		tap_int(read_via_pipe(&m, "A: 1\n\n0123456789\n", 0, 10, &e),
			-1, "size cap refuses a larger message");
		tap_int(e.code, ERR_DATA, "size cap is ERR_DATA");
		msgprep_release(&m);
	}
}

/* A large message of every kind of line (LF, CRLF, bare CR, dots, lines
 * longer than the spooler's slice, CR at piece boundaries): the spooling
 * reader gives exactly what the reader in memory gives, whatever the
 * pieces the pipe delivers, with -i and without. */
static void
test_read_spool_big(void)
{
	static const char *const lines[] = { "plain text", ".", "..dots",
		"a\rb", "", "\r", ". ", "\xc3\xa9t\xc3\xa9", "From x" };
	struct buf in = BUF_INIT;
	unsigned seed = 12345, flags;
	size_t k, step;

	buf_addstr(&in, "From a@b Mon Jan  1 00:00:00 2024\nSubject: big\n"
		"X-Long: 1\n 2\n\n");
	for (k = 0; k < 20000; k++) {
		seed = seed * 1103515245 + 12345;
		if (seed % 997 == 0) {
			size_t n = 70000 + seed % 150000;

			while (n--)
				buf_addch(&in, (char)('a' + n % 26));
		} else {
			buf_addstr(&in, lines[(seed >> 8) % ARRAY_SIZE(lines)]);
		}
		buf_addstr(&in, seed & 0x10000 ? "\r\n" : "\n");
	}
	buf_addstr(&in, "no newline at the end\r");
	for (flags = 0; flags <= MSGPREP_DOT_ENDS; flags += MSGPREP_DOT_ENDS)
		for (step = 1; step < 100000; step = step * 13 + 5) {
			struct buf a = BUF_INIT, b = BUF_INIT;
			struct msgprep ma, mb;
			struct err e;
			char name[96];

			snprintf(name, sizeof name, "big message, flags %u, "
				"pieces from %zu", flags, step);
			msgprep_init(&ma);
			msgprep_init(&mb);
			tap_int(read_pieces(&ma, in.data, in.len, step, 0,
				flags, 0, &a, &e), 0, name);
			tap_int(read_pieces(&mb, in.data, in.len, step, 1,
				flags, 0, &b, &e), 0, name);
			tap_mem(b.data, b.len, a.data, a.len, name);
			tap_int((long long)mb.body_off,
				(long long)ma.body_off, name);
			tap_int((long long)msgprep_is_8bit(&mb),
				(long long)msgprep_is_8bit(&ma), name);
			tap_ok(mb.raw.len < 200, "%s: only the header in "
				"memory", name);
			msgprep_release(&ma);
			msgprep_release(&mb);
			buf_release(&a);
			buf_release(&b);
		}
	{
		struct buf w = BUF_INIT;
		struct msgprep m;
		struct err e;

		msgprep_init(&m);
		tap_int(read_pieces(&m, in.data, in.len, 4096, 1, 0, 100000,
			&w, &e), -1, "spooled: the size cap holds");
		tap_int(e.code, ERR_DATA, "spooled: the cap is ERR_DATA");
		msgprep_release(&m);
		buf_release(&w);
	}
	buf_release(&in);
}

static void
test_recipients(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "To: a@x\nCc: b@y, \"C\" <c@z>\nBcc: d@w\nSubject: s\n\nb\n",
			"a@x,b@y,c@z,d@w" },
		{ "to: a@x\nTO: b@y\n\nb\n", "a@x,b@y" },
		{ "To: a@x,\n b@y\n\nb\n", "a@x,b@y" },
		{ "To: a@x\nResent-To: r@x\nResent-Bcc: rb@x\n"
			"Resent-Date: now\n\nb\n", "r@x,rb@x" },
		{ "To: a@x\nResent-From: f@x\n\nb\n", "" },
		{ "Subject: none\n\nTo: body@x\n", "" },
		{ "To: undisclosed-recipients:;\nBcc: hidden@x\n\nb\n",
			"hidden@x" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct msgprep m;
		struct addrvec av = ADDRVEC_INIT;
		struct err e;

		msgprep_init(&m);
		msgprep_set(&m, t[i].in, strlen(t[i].in), 0, &e);
		tap_ok(msgprep_recipients(&m, &av, &e) >= 0, "-t parses %zu",
			i);
		tap_str(joined(&av), t[i].want, "-t recipients");
		addrvec_release(&av);
		msgprep_release(&m);
	}
}

static void
test_prepare(void)
{
	static const struct {
		const char *name, *in;
		struct msgprep_opts o;
		const char *head;
	} t[] = {
		{ "Bcc removed, Date added",
			"From: a@x\nTo: b@y\nBcc: c@z,\n d@w\n\nbody\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 0, 1700000000 },
			"From: a@x\r\nTo: b@y\r\n"
			"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\n" },
		{ "Bcc kept when remove_bcc_headers off",
			"From: a@x\nDate: d\nBcc: c@z\n\nbody\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_AUTO,
				MSGPREP_OFF, 0, 0, 1700000000 },
			"From: a@x\r\nDate: d\r\nBcc: c@z\r\n\r\n" },
		{ "Resent-Bcc removed",
			"From: a@x\nDate: d\nResent-Bcc: c@z\nResent-To: e@f\n"
			"\nbody\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 0, 1700000000 },
			"From: a@x\r\nDate: d\r\nResent-To: e@f\r\n\r\n" },
		{ "From added with full name",
			"Date: d\n\nbody\n",
			{ "me@x", "Jane Doe", NULL, MSGPREP_AUTO, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 0, 1700000000 },
			"Date: d\r\nFrom: Jane Doe <me@x>\r\n\r\n" },
		{ "full name with specials is quoted",
			"Date: d\n\nbody\n",
			{ "me@x", "Doe, \"J\"", NULL, MSGPREP_AUTO,
				MSGPREP_AUTO, MSGPREP_OFF, 1, 0, 1 },
			"Date: d\r\nFrom: \"Doe, \\\"J\\\"\" <me@x>\r\n\r\n" },
		{ "non-ASCII full name is an encoded word",
			"Date: d\n\nbody\n",
			{ "me@x", "J\xc3\xb6rg", NULL, MSGPREP_AUTO,
				MSGPREP_AUTO, MSGPREP_OFF, 1, 0, 1 },
			"Date: d\r\n"
			"From: =?UTF-8?B?SsO2cmc=?= <me@x>\r\n\r\n" },
		{ "set_from_header on replaces From",
			"From: other@x\nDate: d\n\nbody\n",
			{ "me@x", NULL, NULL, MSGPREP_ON, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 0, 1 },
			"Date: d\r\nFrom: me@x\r\n\r\n" },
		{ "set_from_header off leaves it missing",
			"Date: d\n\nbody\n",
			{ "me@x", NULL, NULL, MSGPREP_OFF, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 0, 1 },
			"Date: d\r\n\r\n" },
		{ "set_date_header off",
			"From: a@x\n\nbody\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_OFF,
				MSGPREP_OFF, 1, 0, 1 },
			"From: a@x\r\n\r\n" },
		{ "undisclosed_recipients",
			"From: a@x\nDate: d\nTo: b@y\nCc: c@z\nBcc: d@w\n\nb\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_AUTO,
				MSGPREP_OFF, 1, 1, 1 },
			"From: a@x\r\nDate: d\r\n"
			"To: undisclosed-recipients:;\r\n\r\n" },
		{ "no header at all",
			"just a body line\n",
			{ "a@x", NULL, NULL, MSGPREP_AUTO, MSGPREP_OFF,
				MSGPREP_OFF, 1, 0, 1 },
			"From: a@x\r\n\r\n" },
	};
	size_t i;

	setenv("TZ", "UTC", 1);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct msgprep m;
		struct err e;
		size_t blen;
		const char *body;

		msgprep_init(&m);
		msgprep_set(&m, t[i].in, strlen(t[i].in), 0, &e);
		tap_int(msgprep_prepare(&m, &t[i].o, &e), 0, t[i].name);
		tap_mem(m.head.data, m.head.len, t[i].head,
			strlen(t[i].head), t[i].name);
		body = msgprep_body(&m, &blen);
		tap_int((long long)msgprep_size(&m),
			(long long)(m.head.len + blen), "size is head + body");
		(void)body;
		msgprep_release(&m);
	}

	{
		struct msgprep m;
		struct msgprep_opts o = { "a@example.org", NULL, NULL,
			MSGPREP_AUTO, MSGPREP_OFF, MSGPREP_AUTO, 1, 0, 5 };
		struct err e;
		char *id;

		msgprep_init(&m);
		msgprep_set(&m, "From: a@x\n\nb\n", 13, 0, &e);
		msgprep_prepare(&m, &o, &e);
		id = strstr(m.head.data, "Message-ID: <5.");
		tap_ok(id != NULL, "Message-ID added");
		tap_ok(id && strstr(id, "@example.org>\r\n") != NULL,
			"Message-ID domain from the envelope sender");
		o.domain = "host.test";
		msgprep_prepare(&m, &o, &e);
		tap_ok(strstr(m.head.data, "@host.test>\r\n") != NULL,
			"Message-ID domain from the account domain");
		o.full_name = "Evil\r\nBcc: x@y";
		tap_int(msgprep_prepare(&m, &o, &e), -1,
			"line break in a full name refused");
		tap_int(e.code, ERR_USAGE, "... as a usage error");
		msgprep_release(&m);
	}
}

static void
test_8bit(void)
{
	static const struct {
		const char *in;
		int eightbit, utf8hdr;
	} t[] = {
		{ "Subject: plain\n\nascii body\n", 0, 0 },
		{ "Subject: plain\n\nbody caf\xc3\xa9\n", 1, 0 },
		{ "Subject: caf\xc3\xa9\n\nascii\n", 1, 1 },
		{ "Subject: x\n\n0123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789"
			"\xff\n", 1, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct msgprep m;
		struct msgprep_opts o = { "a@x", NULL, NULL, MSGPREP_OFF,
			MSGPREP_OFF, MSGPREP_OFF, 1, 0, 1 };
		struct err e;

		msgprep_init(&m);
		msgprep_set(&m, t[i].in, strlen(t[i].in), 0, &e);
		msgprep_prepare(&m, &o, &e);
		tap_int(msgprep_is_8bit(&m), t[i].eightbit, "8-bit detection");
		tap_int(msgprep_header_utf8(&m), t[i].utf8hdr,
			"UTF-8 header detection");
		msgprep_release(&m);
	}
	tap_int(msgprep_str_utf8("j\xc3\xb6rg@x"), 1, "UTF-8 address");
	tap_int(msgprep_str_utf8("joerg@x"), 0, "ASCII address");
}

static void
test_check_addr(void)
{
	static const struct {
		const char *in;
		int ok;
	} t[] = {
		{ "a@x", 1 }, { "", 1 }, { "root", 1 },
		{ "a@x\r\nRCPT TO:<b@y>", 0 }, { "a b@x", 0 }, { "<a@x>", 0 },
		{ "a@x\n", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct err e;

		tap_int(msgprep_check_addr(t[i].in, &e) == 0, t[i].ok,
			"address check");
	}
}

/* The parser's top-level field names, joined with ',' (t_split). */
static void
on_message(void *ctx, const struct mime_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		buf_addf(ctx, "%.*s,", (int)h->v[i].name_len, h->v[i].name);
}

/* msgprep's field names the same way (entries that name no field are
 * no field). */
static void
msgprep_names(const struct msgprep *m, struct buf *out)
{
	size_t i;

	for (i = 0; i < m->nfields; i++) {
		const struct msgprep_field *f = &m->fields[i];

		if (m->raw.data[f->off + f->name_len] == ':')
			buf_addf(out, "%.*s,", (int)f->name_len,
				m->raw.data + f->off);
	}
}

/*
 * Header and body split as the MIME parser splits them (issue 7): a line
 * without a colon ends the header in both; the same field names.
 */
static void
test_split(void)
{
	static const struct {
		const char *in, *names, *body;
	} t[] = {
		{ "Subject: a\nTo: b@x\n\nbody\n", "Subject,To,", "body\r\n" },
		{ "Subject: a\nNot a field\nTo: b@x\n\nbody\n", "Subject,",
		  "Not a field\r\nTo: b@x\r\n\r\nbody\r\n" },
		{ "Subject : a\nTo: b@x\n\nbody\n", "",
		  "Subject : a\r\nTo: b@x\r\n\r\nbody\r\n" },
		{ " folded first\nSubject: a\n\nbody\n", "Subject,",
		  "body\r\n" },
		{ "Subject: a\n b\nX-\xc3\xa9: 1\n\nbody\n", "Subject,",
		  "X-\xc3\xa9: 1\r\n\r\nbody\r\n" },
		{ ":empty\nTo: b@x\n\nbody\n", ",To,", "body\r\n" },
		{ "Subject: no body", "Subject,", "" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		static const struct mime_sink sink0 = { NULL, on_message,
			NULL, NULL, NULL, NULL };
		struct mime_sink sink = sink0;
		struct buf parser = BUF_INIT, ours = BUF_INIT;
		struct mime_parser *p;
		struct msgprep m;
		struct err e;
		size_t blen;
		const char *body;
		char name[64];

		sink.ctx = &parser;
		p = mime_parser_new(&sink, NULL);
		mime_parser_feed(p, t[i].in, strlen(t[i].in));
		mime_parser_finish(p);
		mime_parser_free(p);
		msgprep_init(&m);
		msgprep_set(&m, t[i].in, strlen(t[i].in), 0, &e);
		msgprep_names(&m, &ours);
		snprintf(name, sizeof name, "split %zu: the parser's fields",
			i);
		tap_str(parser.data ? parser.data : "", t[i].names, name);
		snprintf(name, sizeof name, "split %zu: msgprep's fields", i);
		tap_str(ours.data ? ours.data : "", t[i].names, name);
		body = msgprep_body(&m, &blen);
		snprintf(name, sizeof name, "split %zu: msgprep's body", i);
		tap_mem(body, blen, t[i].body, strlen(t[i].body), name);
		msgprep_release(&m);
		buf_release(&parser);
		buf_release(&ours);
	}
}

static void
test_aliases(void)
{
	char path[] = "/tmp/t_msgprep.XXXXXX";
	const char *text = "# comment\nroot: admin@x, ops@y\n"
		"bob : bob@z\ndefault: catchall@x\n";
	struct addrvec r = ADDRVEC_INIT;
	struct aliases *a;
	struct err e;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return;
	close(fd);
	a = aliases_load(path, &e);
	tap_ok(a != NULL, "aliases file loads");
	addrvec_push(&r, "root", 4);
	addrvec_push(&r, "far@away", 8);
	addrvec_push(&r, "BOB", 3);
	addrvec_push(&r, "nobody", 6);
	aliases_expand(a, &r);
	tap_str(joined(&r), "admin@x,ops@y,far@away,bob@z,catchall@x",
		"aliases expanded, default used");
	addrvec_release(&r);
	aliases_free(a);
	unlink(path);
	tap_ok(aliases_load("/nonexistent/aliases", &e) == NULL &&
		e.code == ERR_NOINPUT, "missing aliases file is ERR_NOINPUT");
}

int
main(void)
{
	test_addrsplit();
	test_read();
	test_read_spool_big();
	test_recipients();
	test_prepare();
	test_8bit();
	test_check_addr();
	test_split();
	test_aliases();
	return tap_done();
}
