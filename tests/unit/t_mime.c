/*
 * t_mime: the streaming MIME parser. Structure tables (message, expected
 * event trace), the same messages fed one byte at a time and in random
 * chunks, hostile inputs under limits, bounded memory on a large body, the
 * header helpers, the mboxrd reader and DSN parsing.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "mime/dsn.h"
#include "mime/mime.h"
#include "store/mboxrd.h"
#include "store/mdir.h"
#include "tap.h"
#include "base/util.h"

/* Trace: "SECTION kind type" per begin, "=data" per leaf body, "." per end,
 * entries separated by '|'. */
struct trace {
	struct buf b;
	struct buf body;
	size_t defects;
	size_t begins;
	int in_leaf;
};

static void
t_begin(void *ctx, const struct mime_part *p)
{
	struct trace *t = ctx;
	static const char k[] = "lmM";

	t->begins++;
	buf_addf(&t->b, "%s %c %s", p->section, k[p->kind], p->type);
	if (p->filename) {
		size_t i;

		/* The whole name, control characters (NUL too) as \xNN. */
		buf_addstr(&t->b, " [");
		for (i = 0; i < p->filename_len; i++) {
			unsigned char c = (unsigned char)p->filename[i];

			if (c < 0x20)
				buf_addf(&t->b, "\\x%02x", c);
			else
				buf_addch(&t->b, c);
		}
		buf_addch(&t->b, ']');
	}
	buf_addch(&t->b, '|');
	buf_reset(&t->body);
	t->in_leaf = p->kind == MIME_LEAF;
}

static void
t_data(void *ctx, const struct mime_part *p, const void *d, size_t n)
{
	struct trace *t = ctx;

	buf_add(&t->body, d, n);
}

static void
t_end(void *ctx, const struct mime_part *p)
{
	struct trace *t = ctx;

	if (p->kind == MIME_LEAF) {
		buf_addch(&t->b, '=');
		buf_add(&t->b, t->body.data, t->body.len);
		buf_addch(&t->b, '|');
	}
}

static void
t_defect(void *ctx, const char *sec, const char *what)
{
	struct trace *t = ctx;

	t->defects++;
}

/* Parse msg in chunks of size step (0: whole; -1: random sizes). */
static char *
parse(const char *msg, size_t len, long step, const struct mime_limits *lim,
	size_t *defects)
{
	struct trace t;
	struct mime_sink s = { &t, NULL, t_begin, t_data, t_end, t_defect };
	struct mime_parser *p;
	size_t off = 0;

	memset(&t, 0, sizeof t);
	buf_init(&t.b, 0);
	buf_init(&t.body, 0);
	p = mime_parser_new(&s, lim);
	while (off < len) {
		size_t n = len - off;

		if (step > 0 && (size_t)step < n)
			n = (size_t)step;
		else if (step < 0)
			n = 1 + (size_t)rand() % (n < 97 ? n : 97);
		mime_parser_feed(p, msg + off, n);
		off += n;
	}
	mime_parser_finish(p);
	mime_parser_free(p);
	buf_release(&t.body);
	if (defects)
		*defects = t.defects;
	return buf_detach(&t.b, NULL);
}

static const struct {
	const char *name;
	const char *msg;
	const char *want;
	int defects;		/* at least one expected */
} cases[] = {
	{ "single part",
	  "Subject: x\n\nhello\n",
	  "1 l text/plain|=hello\n|", 0 },
	{ "no body",
	  "Subject: x\n",
	  "1 l text/plain|=|", 0 },
	{ "mbox From line skipped",
	  "From joe Mon Nov 23 12:00:00 2026\nSubject: x\n\nb\n",
	  "1 l text/plain|=b\n|", 0 },
	{ "crlf multipart",
	  "Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n"
	  "\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\ntwo\r\n"
	  "--b--\r\nepi\r\n",
	  "TEXT m multipart/mixed|1 l text/plain|=one|2 l text/html|=two|", 0 },
	{ "delimiter first line, trailing blanks, no preamble",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\na\n--b--\n",
	  "TEXT m multipart/mixed|1 l text/plain|=a|", 0 },
	{ "mixed line ends",
	  "Content-Type: multipart/mixed; boundary=b\r\n\n--b\n\r\na\r\n"
	  "b\n--b--\r\n",
	  "TEXT m multipart/mixed|1 l text/plain|=a\r\nb|", 0 },
	{ "prefix boundaries",
	  "Content-Type: multipart/mixed; boundary=ab\n\n--ab\n"
	  "Content-Type: multipart/alternative; boundary=abc\n\n--abc\n\n"
	  "x\n--abcd\ny\n--abc--\n--ab\n\nz\n--ab--\n",
	  "TEXT m multipart/mixed|1 m multipart/alternative|1.1 l text/plain"
	  "|=x\n--abcd\ny|2 l text/plain|=z|", 0 },
	{ "outer delimiter ends inner parts",
	  "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	  "Content-Type: multipart/mixed; boundary=i\n\n--i\n\nin\n--o\n\nz\n"
	  "--o--\n",
	  "TEXT m multipart/mixed|1 m multipart/mixed|1.1 l text/plain|=in|"
	  "2 l text/plain|=z|", 1 },
	{ "missing close delimiter",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nlast\n",
	  "TEXT m multipart/mixed|1 l text/plain|=last\n|", 1 },
	{ "close with junk is not a delimiter",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--bx\n"
	  "--b--x\n--b--\n",
	  "TEXT m multipart/mixed|1 l text/plain|=x\n--bx\n--b--x|", 0 },
	{ "multipart without delimiter is a leaf",
	  "Content-Type: multipart/mixed; boundary=b\n\njust text\n",
	  "1 l multipart/mixed|=just text\n|", 1 },
	{ "close delimiter before any part: preamble is the leaf body",
	  "Content-Type: multipart/mixed; boundary=b\n\npre\n--b--\nepi\n"
	  "--b\n\nlate\n",
	  "1 l multipart/mixed|=pre|", 1 },
	{ "multipart without boundary is a leaf",
	  "Content-Type: multipart/mixed\n\n--b\n",
	  "1 l multipart/mixed|=--b\n|", 1 },
	{ "message/rfc822",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	  "Content-Type: message/rfc822\n\nSubject: in\n\nbody\n--b--\n",
	  "TEXT m multipart/mixed|1 M message/rfc822|1.1 l text/plain|=body|",
	  0 },
	{ "message/rfc822 with multipart body",
	  "Content-Type: message/rfc822\n\nContent-Type: multipart/mixed;"
	  " boundary=q\n\n--q\n\na\n--q\n\nb\n--q--\n",
	  "1 M message/rfc822|1.TEXT m multipart/mixed|1.1 l text/plain|=a|"
	  "1.2 l text/plain|=b|", 0 },
	{ "nested messages",
	  "Content-Type: message/global\n\nContent-Type: message/rfc822\n\n"
	  "Subject: deep\n\nd\n",
	  "1 M message/global|1.1 M message/rfc822|1.1.1 l text/plain|=d\n|",
	  0 },
	{ "base64 message/rfc822 is a leaf",
	  "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n"
	  "\nU3ViamVjdDogeAoKeQo=\n",
	  "1 l message/rfc822|=Subject: x\n\ny\n|", 0 },
	{ "digest default type",
	  "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: a\n"
	  "\nA\n--d\nContent-Type: text/plain\n\nB\n--d--\n",
	  "TEXT m multipart/digest|1 M message/rfc822|1.1 l text/plain|=A|"
	  "2 l text/plain|=B|", 0 },
	{ "base64 and qp decoded",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
	  "Content-Transfer-Encoding: base64\n\naGVs\nbG8=\n--b\n"
	  "Content-Transfer-Encoding: Quoted-Printable\n\na=3Db=\nc\n--b--\n",
	  "TEXT m multipart/mixed|1 l text/plain|=hello|2 l text/plain|=a=bc|",
	  0 },
	{ "no blank line after headers",
	  "Subject: x\nthis is body\nmore\n",
	  "1 l text/plain|=this is body\nmore\n|", 1 },
	{ "headers cut by a delimiter",
	  "Content-Type: multipart/mixed; boundary=b\n\n--b\nX-A: 1\n--b\n\n"
	  "y\n--b--\n",
	  "TEXT m multipart/mixed|1 l text/plain|=|2 l text/plain|=y|", 1 },
	{ "filename from disposition over name",
	  "Content-Type: application/pdf; name=a.pdf\n"
	  "Content-Disposition: attachment; filename=\"b.pdf\"\n\nx",
	  "1 l application/pdf [b.pdf]|=x|", 0 },
	{ "filename with an encoded NUL, RFC 2231",
	  "Content-Disposition: attachment; filename*=UTF-8''x.txt%00.jpg"
	  "\n\nx",
	  "1 l text/plain [x.txt\\x00.jpg]|=x|", 0 },
	{ "name with encoded control characters, RFC 2047",
	  "Content-Type: application/octet-stream;\n"
	  " name=\"=?utf-8?q?a=00b=01=0D=0A.exe?=\"\n\nx",
	  "1 l application/octet-stream [a\\x00b\\x01\\x0d\\x0a.exe]|=x|",
	  0 },
	{ "unusable type is text/plain",
	  "Content-Type: garbage\n\nx",
	  "1 l text/plain|=x|", 0 },
	{ "NUL bytes are data",
	  "Subject: a\n\nx\0y",
	  "1 l text/plain|=x\0y|", 0 },
	{ "epilogue with outer delimiter",
	  "Content-Type: multipart/mixed; boundary=o\n\n--o\n"
	  "Content-Type: multipart/mixed; boundary=i\n\n--i\n\na\n--i--\n"
	  "epilogue\n--o\n\nb\n--o--\n",
	  "TEXT m multipart/mixed|1 m multipart/mixed|1.1 l text/plain|=a|"
	  "2 l text/plain|=b|", 0 },
};

/* Length of a case message: they are C strings except where a NUL is
 * data, which only the NUL case has (its length is fixed here). */
static size_t
case_len(size_t i)
{
	if (!strcmp(cases[i].name, "NUL bytes are data"))
		return 15;
	return strlen(cases[i].msg);
}

static size_t
want_len(size_t i)
{
	if (!strcmp(cases[i].name, "NUL bytes are data"))
		return 20;
	return strlen(cases[i].want);
}

static void
test_tables(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = case_len(i), d = 0, d1;
		char *whole = parse(cases[i].msg, len, 0, NULL, &d);
		char *one = parse(cases[i].msg, len, 1, NULL, &d1);
		char *rnd = parse(cases[i].msg, len, -1, NULL, NULL);
		size_t wl = want_len(i);

		tap_mem(whole, wl == strlen(cases[i].want) ? strlen(whole) :
			wl, cases[i].want, wl, cases[i].name);
		tap_ok(!strcmp(whole, one) && d == d1,
			"%s: byte at a time", cases[i].name);
		tap_ok(!strcmp(whole, rnd), "%s: random chunks",
			cases[i].name);
		tap_ok(cases[i].defects ? d > 0 : d == 0, "%s: defects %zu",
			cases[i].name, d);
		free(whole);
		free(one);
		free(rnd);
	}
}

static void
test_hostile(void)
{
	struct buf m = BUF_INIT;
	struct mime_limits lim = { 10, 50, 4096, 4096 };
	size_t i, d;
	char *r;

	/* 200 levels of nesting: depth limit turns the rest into a leaf */
	for (i = 0; i < 200; i++)
		buf_addf(&m, "Content-Type: multipart/mixed; boundary=b%zu\n\n"
			"--b%zu\n", i, i);
	buf_addstr(&m, "\ndeep\n");
	r = parse(m.data, m.len, 0, &lim, &d);
	tap_ok(strstr(r, "1.1.1.1.1.1.1.1.1 m") != NULL &&
		strstr(r, "1.1.1.1.1.1.1.1.1.1.1") == NULL, "depth limited");
	tap_ok(d > 0, "depth limit is a defect");
	free(r);
	r = parse(m.data, m.len, 0, NULL, &d);
	tap_ok(strstr(r, "=--b64\nContent-Type: multipart/mixed; boundary=b65")
		!= NULL && strstr(r, "deep\n|") != NULL,
		"200 levels: past the default depth, one leaf holds the rest");
	free(r);
	buf_reset(&m);
	for (i = 0; i < 60; i++)
		buf_addf(&m, "Content-Type: multipart/mixed; boundary=b%zu\n\n"
			"--b%zu\n", i, i);
	buf_addstr(&m, "\ndeep\n");
	r = parse(m.data, m.len, 0, NULL, &d);
	tap_ok(strstr(r, "|=deep\n|") != NULL, "60 levels parsed");
	free(r);

	/* thousands of parts: counted, the rest skipped */
	buf_reset(&m);
	buf_addstr(&m, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 5000; i++)
		buf_addf(&m, "--p\n\n%zu\n", i);
	buf_addstr(&m, "--p--\n");
	r = parse(m.data, m.len, 0, &lim, &d);
	tap_ok(strstr(r, "|49 l") != NULL && strstr(r, "|50 l") == NULL,
		"part count limited");
	tap_ok(d > 0, "part limit is a defect");
	free(r);
	r = parse(m.data, m.len, 0, NULL, NULL);
	tap_ok(strstr(r, "|5000 l text/plain|=4999|") != NULL,
		"5000 parts under default limit");
	free(r);

	/* a megabyte header line */
	buf_reset(&m);
	buf_addstr(&m, "X-Long: ");
	for (i = 0; i < 1024 * 1024; i++)
		buf_addch(&m, 'a');
	buf_addstr(&m, "\nSubject: s\n\nbody\n");
	r = parse(m.data, m.len, 0, &lim, &d);
	tap_str(r, "1 l text/plain|=body\n|", "megabyte header line");
	tap_ok(d > 0, "header limit is a defect");
	free(r);
	r = parse(m.data, m.len, 4096, &lim, NULL);
	tap_str(r, "1 l text/plain|=body\n|", "megabyte header line chunked");
	free(r);

	/* a 60 KB header line fed one byte at a time (linear work) */
	buf_reset(&m);
	buf_addstr(&m, "X-Long: ");
	for (i = 0; i < 60000; i++)
		buf_addch(&m, 'b');
	buf_addstr(&m, "\n\nbody\n");
	r = parse(m.data, m.len, 1, NULL, &d);
	tap_str(r, "1 l text/plain|=body\n|", "60 KB header line byte by byte");
	free(r);

	/* a boundary longer than 998 bytes is refused */
	buf_reset(&m);
	buf_addstr(&m, "Content-Type: multipart/mixed; boundary=");
	for (i = 0; i < 1000; i++)
		buf_addch(&m, 'q');
	buf_addstr(&m, "\n\nx\n");
	r = parse(m.data, m.len, 0, NULL, &d);
	tap_str(r, "1 l multipart/mixed|=x\n|", "overlong boundary: a leaf");
	tap_ok(d > 0, "overlong boundary is a defect");
	free(r);

	/* a long preamble with no delimiter */
	buf_reset(&m);
	buf_addstr(&m, "Content-Type: multipart/mixed; boundary=q\n\n");
	for (i = 0; i < 1000; i++)
		buf_addstr(&m, "0123456789\n");
	r = parse(m.data, m.len, 100, &lim, &d);
	tap_ok(!strncmp(r, "1 l multipart/mixed|=0123", 25) &&
		strlen(r) > 11000, "preamble limit: leaf with whole body");
	free(r);
	/* a delimiter after the limit is body text of that leaf */
	buf_addstr(&m, "--q\n\nlate\n--q--\n");
	for (i = 0; i < 3; i++) {
		char *w = parse(m.data, m.len, i == 0 ? 0 : i == 1 ? 1 : -1,
			&lim, NULL);

		tap_ok(!strncmp(w, "1 l multipart/mixed|=0123", 25) &&
			strstr(w, "--q\n\nlate\n--q--\n|") != NULL &&
			!strstr(w, "|1.1"), "preamble limit then delimiter, "
			"chunking %zu", i);
		free(w);
	}

	/* only dashes, only line breaks, empty */
	r = parse("", 0, 0, NULL, NULL);
	tap_str(r, "1 l text/plain|=|", "empty input");
	free(r);
	buf_reset(&m);
	buf_addstr(&m, "Content-Type: multipart/mixed; boundary=-\n\n");
	for (i = 0; i < 1000; i++)
		buf_addstr(&m, i % 3 ? "---\n" : "--\n--- \n");
	r = parse(m.data, m.len, 7, NULL, NULL);
	tap_ok(r != NULL && strstr(r, "TEXT m") == r, "dash storm");
	free(r);
	buf_release(&m);
}

static void
test_memory(void)
{
	/* 64 MiB of base64 body in 64 KiB chunks: the parser's own memory
	 * must not grow with it. */
	static char chunk[65536];
	struct trace t;
	struct mime_sink s = { &t, NULL, NULL, NULL, NULL, NULL };
	struct mime_parser *p;
	struct rusage r0, r1;
	const char *hdr = "Content-Type: multipart/mixed; boundary=z\n\n--z\n"
		"Content-Transfer-Encoding: base64\n\n";
	size_t i;

	memset(&t, 0, sizeof t);
	for (i = 0; i < sizeof chunk; i++)
		chunk[i] = (i % 77 == 76) ? '\n' : "QUJD"[i % 4];
	getrusage(RUSAGE_SELF, &r0);
	p = mime_parser_new(&s, NULL);
	mime_parser_feed(p, hdr, strlen(hdr));
	for (i = 0; i < 1024; i++)
		mime_parser_feed(p, chunk, sizeof chunk);
	mime_parser_feed(p, "\n--z--\n", 7);
	mime_parser_finish(p);
	getrusage(RUSAGE_SELF, &r1);
	tap_ok(mime_parser_bytes(p) > 64 * 1024 * 1024, "64 MiB fed");
	tap_ok(r1.ru_maxrss - r0.ru_maxrss < 16 * 1024,
		"memory bounded (grew %ld KiB)", r1.ru_maxrss - r0.ru_maxrss);
	mime_parser_free(p);
}

static void
test_headers(void)
{
	const char *blk = "Subject: a\r\n b\r\nFROM : x@y\nto: 1\nTo: 2\n\n";
	struct mime_headers h = { NULL, 0, NULL, 0, 0 };
	const struct mime_field *f;
	struct buf b = BUF_INIT;
	size_t idx = 0;

	mime_headers_parse(&h, blk, strlen(blk));
	tap_int((long)h.n, 4, "four fields");
	f = mime_headers_get(&h, "subject");
	tap_ok(f && f->value_len == 6, "folded value view");
	mime_unfold(f->value, f->value_len, &b);
	tap_str(b.data, "a b", "unfold removes CR LF only, trims");
	f = mime_headers_get(&h, "from");
	tap_ok(f != NULL, "name with blank before colon");
	f = mime_headers_next(&h, "TO", &idx);
	tap_ok(f && f->value[1] == '1', "first To");
	f = mime_headers_next(&h, "to", &idx);
	tap_ok(f && f->value[1] == '2', "second To");
	tap_ok(mime_headers_next(&h, "to", &idx) == NULL, "no third To");
	buf_reset(&b);
	mime_header_text(" =?utf-8?q?caf=C3=A9?= \r\n x", 27, &b);
	tap_str(b.data, "caf\xc3\xa9  x", "header text decoded, fold kept as blanks");
	mime_headers_release(&h);
	buf_release(&b);
}

/* Offsets: each part's [offset, end_offset) slice of the input. */
struct offs {
	const char *msg;
	struct buf b;
};

static void
o_end(void *ctx, const struct mime_part *p)
{
	struct offs *o = ctx;

	buf_addf(&o->b, "%s=[%.*s]", p->section,
		(int)(p->end_offset - p->offset), o->msg + p->offset);
}

static void
test_offsets(void)
{
	const char *msg = "Subject: x\r\nContent-Type: multipart/mixed; "
		"boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\n"
		"Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\n"
		"body\r\n--b--\r\nepilogue\r\n";
	const char *want = "1=[hello]2.1=[body]2=[Subject: in\r\n\r\nbody]"
		"TEXT=[--b\r\n\r\nhello\r\n--b\r\nContent-Type: "
		"message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n--b--\r\n"
		"epilogue\r\n]";
	size_t step;

	for (step = 0; step < 3; step++) {
		struct offs o = { msg, BUF_INIT };
		struct mime_sink s = { &o, NULL, NULL, NULL, o_end, NULL };
		struct mime_parser *p = mime_parser_new(&s, NULL);
		size_t off = 0, len = strlen(msg);

		while (off < len) {
			size_t n = step == 0 ? len : step == 1 ? 1 : 7;

			if (n > len - off)
				n = len - off;
			mime_parser_feed(p, msg + off, n);
			off += n;
		}
		mime_parser_finish(p);
		mime_parser_free(p);
		tap_str(o.b.data, want, step == 0 ? "offsets" : step == 1 ?
			"offsets byte by byte" : "offsets in 7-byte chunks");
		buf_release(&o.b);
	}
}

struct mb {
	struct buf all;
	int n;
};

static void
mb_begin(void *ctx, const char *from, size_t len)
{
	struct mb *m = ctx;

	buf_addf(&m->all, "<%.*s>", (int)len, from);
	m->n++;
}

static void
mb_data(void *ctx, const void *d, size_t n)
{
	struct mb *m = ctx;

	buf_add(&m->all, d, n);
}

static void
mb_end(void *ctx)
{
	struct mb *m = ctx;

	buf_addstr(&m->all, "</>");
}

static void
test_mboxrd(void)
{
	const char *in = "From a@b Mon Nov 23\nS: 1\n\n>From x\n>>From y\n"
		">Fromage\nFrom unquoted\n\nFrom c@d Tue\r\nS: 2\r\n\r\n"
		"z\r\n\r\n";
	const char *want = "<From a@b Mon Nov 23>S: 1\n\nFrom x\n>From y\n"
		">Fromage\nFrom unquoted\n</><From c@d Tue>S: 2\r\n\r\nz\r\n"
		"</>";
	size_t step;

	for (step = 0; step < 4; step++) {
		struct mb m = { BUF_INIT, 0 };
		struct mboxrd_sink s = { &m, mb_begin, mb_data, mb_end };
		struct mboxrd r;
		size_t off = 0, len = strlen(in);

		mboxrd_init(&r, &s);
		while (off < len) {
			size_t n = step ? step : len;

			if (n > len - off)
				n = len - off;
			mboxrd_feed(&r, in + off, n);
			off += n;
		}
		mboxrd_finish(&r);
		tap_str(m.all.data, want, step ? "mboxrd in chunks" :
			"mboxrd whole");
		tap_int(m.n, 2, "two messages");
		mboxrd_release(&r);
		buf_release(&m.all);
	}
}

static void
test_dsn(void)
{
	const char *body = "Reporting-MTA: dns; mx.example.org\n"
		"Arrival-Date: Mon, 23 Nov 2026 12:00:00 +0000\n\n"
		"Final-Recipient: rfc822; gone@example.org\n"
		"Action: Failed\nStatus: 5.1.1 (user unknown)\n"
		"Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>:\n"
		" user unknown\n\n"
		"Original-Recipient: rfc822;late@example.org\n"
		"Final-Recipient: RFC822; late@example.org\n"
		"Action: delayed\nStatus: 4.4.1\n";
	struct dsn d;

	tap_int((long)dsn_parse(body, strlen(body), &d), 2, "two recipients");
	tap_str(d.reporting_mta, "mx.example.org", "reporting mta");
	tap_str(d.r[0].final_recipient, "gone@example.org", "recipient");
	tap_str(d.r[0].action, "failed", "action lowercased");
	tap_str(d.r[0].status, "5.1.1", "status without comment");
	tap_str(d.r[0].diagnostic, "550 5.1.1 <gone@example.org>: user unknown",
		"diagnostic unfolded");
	tap_str(d.r[0].diagnostic_type, "smtp", "diagnostic type");
	tap_str(d.r[1].original_recipient, "late@example.org", "original");
	tap_str(d.r[1].status, "4.4.1", "second status");
	dsn_release(&d);
}

static void
touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void
test_mdir(void)
{
	char tmpl[] = "/tmp/t_mime.XXXXXX", p[512];
	static const char *const sub[] = { "cur", "new", "tmp" };
	struct mdir_list l;
	struct err e;
	size_t i;

	if (!mkdtemp(tmpl)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	tap_int(mdir_is_maildir(tmpl), 0, "empty dir is not a maildir");
	tap_int(mdir_list(tmpl, &l, &e), -1, "listing a non-maildir fails");
	tap_int(e.code, ERR_NOINPUT, "with ERR_NOINPUT");
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", tmpl, sub[i]);
		mkdir(p, 0700);
	}
	snprintf(p, sizeof p, "%s/cur", tmpl);
	touch(p, "1002.b:2,S");
	touch(p, ".hidden");
	snprintf(p, sizeof p, "%s/new", tmpl);
	touch(p, "1001.a");
	touch(p, "1003.c");
	snprintf(p, sizeof p, "%s/tmp", tmpl);
	touch(p, "1000.tmp");
	tap_int(mdir_is_maildir(tmpl), 1, "maildir recognised");
	tap_int(mdir_list(tmpl, &l, &e), 0, "listed");
	tap_int((long)l.n, 3, "cur and new, no dot files, no tmp");
	if (l.n == 3) {
		tap_ok(strstr(l.path[0], "/new/1001.a") != NULL, "order 1");
		tap_ok(strstr(l.path[1], "/cur/1002.b:2,S") != NULL, "order 2");
		tap_ok(strstr(l.path[2], "/new/1003.c") != NULL, "order 3");
	}
	for (i = 0; i < l.n; i++)
		unlink(l.path[i]);
	mdir_list_release(&l);
	snprintf(p, sizeof p, "%s/cur/.hidden", tmpl);
	unlink(p);
	snprintf(p, sizeof p, "%s/tmp/1000.tmp", tmpl);
	unlink(p);
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", tmpl, sub[i]);
		rmdir(p);
	}
	rmdir(tmpl);
}

int
main(void)
{
	srand(42);
	test_tables();
	test_hostile();
	test_memory();
	test_headers();
	test_offsets();
	test_mboxrd();
	test_mdir();
	test_dsn();
	return tap_done();
}
