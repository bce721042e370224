/*
 * t_mimedoc: the mparse/1 document of a message (mimedoc), its header
 * lines, the choice of its text body (mimetext), the delivery status of a
 * bounce (dsn_capture), fed through the streaming parser whole and one
 * byte at a time; saving parts and copying raw bytes (mimesave).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "mime/dsn.h"
#include "mime/mime.h"
#include "mime/mimedoc.h"
#include "mime/mimesave.h"
#include "mime/mimetext.h"
#include "tap.h"

/* Feed msg to a parser reporting to s, whole (step 0) or in steps. */
static void
feed(const struct mime_sink *s, const char *msg, size_t step)
{
	struct mime_parser *p = mime_parser_new(s, NULL);
	size_t off = 0, len = strlen(msg);

	while (off < len) {
		size_t n = step && step < len - off ? step : len - off;

		mime_parser_feed(p, msg + off, n);
		off += n;
	}
	mime_parser_finish(p);
	mime_parser_free(p);
}

/* The JSON of msg's document, as a string the caller frees. */
static char *
doc_json(const char *msg, unsigned int flags, size_t step)
{
	struct mime_doc d;
	struct mime_sink s;
	struct buf out = BUF_INIT;
	struct json j;

	mime_doc_init(&d, flags);
	mime_doc_sink(&d, &s);
	feed(&s, msg, step);
	json_init(&j, &out);
	mime_doc_json(&j, &d);
	mime_doc_release(&d);
	return buf_detach(&out, NULL);
}

static const char doc_msg[] =
	"From: \"A  B\" <a@x>\nSubject: =?utf-8?q?caf=C3=A9?=\n"
	"Content-Type: multipart/mixed; boundary=Z\n\n"
	"--Z\nContent-Type: text/plain; charset=iso-8859-1\n"
	"Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\n"
	"--Z\nContent-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: base64\n"
	"Content-Disposition: attachment; filename*=UTF-8''x.txt%00.jpg\n\n"
	"aGVsbG8gd29ybGQK\n"
	"--Z\nContent-Type: message/rfc822\n\nSubject: in\n\nbody\n--Z--\n";

static const char doc_want[] =
	"{\"schema\":\"mparse/1\",\"headers\":{\"subject\":\"caf\xc3\xa9\","
	"\"from\":[{\"name\":\"A  B\",\"addr\":\"a@x\"}],\"to\":null,"
	"\"cc\":null,\"date\":null,\"date_utc\":null,\"message_id\":null},"
	"\"parts\":["
	"{\"part\":\"TEXT\",\"kind\":\"multipart\",\"type\":\"multipart/mixed\","
	"\"charset\":null,\"encoding\":null,\"disposition\":null,"
	"\"filename\":null,\"boundary\":\"Z\",\"size\":null,\"sha256\":null,"
	"\"text\":null,\"headers\":null},"
	"{\"part\":\"1\",\"kind\":\"leaf\",\"type\":\"text/plain\","
	"\"charset\":\"iso-8859-1\",\"encoding\":\"quoted-printable\","
	"\"disposition\":null,\"filename\":null,\"boundary\":null,\"size\":4,"
	"\"sha256\":"
	"\"dafd66c0b98965e688be1fc12942c09f0350e6be0685017c3f234e97d0adc92e\","
	"\"text\":\"caf\xc3\xa9\",\"headers\":null},"
	"{\"part\":\"2\",\"kind\":\"leaf\",\"type\":\"application/octet-stream\","
	"\"charset\":null,\"encoding\":\"base64\",\"disposition\":\"attachment\","
	"\"filename\":\"x.txt\\u0000.jpg\",\"boundary\":null,\"size\":12,"
	"\"sha256\":"
	"\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447\","
	"\"text\":null,\"headers\":null},"
	"{\"part\":\"3\",\"kind\":\"message\",\"type\":\"message/rfc822\","
	"\"charset\":null,\"encoding\":null,\"disposition\":null,"
	"\"filename\":null,\"boundary\":null,\"size\":null,\"sha256\":null,"
	"\"text\":null,\"headers\":{\"subject\":\"in\",\"from\":null,"
	"\"to\":null,\"cc\":null,\"date\":null,\"date_utc\":null,"
	"\"message_id\":null}},"
	"{\"part\":\"3.1\",\"kind\":\"leaf\",\"type\":\"text/plain\","
	"\"charset\":null,\"encoding\":null,\"disposition\":null,"
	"\"filename\":null,\"boundary\":null,\"size\":4,\"sha256\":"
	"\"230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5\","
	"\"text\":\"body\",\"headers\":null}]}";

static void
test_doc(void)
{
	struct mime_doc d;
	struct mime_sink s;
	struct buf tree = BUF_INIT;
	char *got;
	size_t step;

	for (step = 0; step < 2; step++) {
		got = doc_json(doc_msg, MIME_DOC_DIGEST, step);
		tap_str(got, doc_want, step ? "document, byte at a time" :
			"document");
		free(got);
	}
	/* Without MIME_DOC_DIGEST: sizes, no text. */
	mime_doc_init(&d, 0);
	mime_doc_sink(&d, &s);
	feed(&s, doc_msg, 0);
	tap_int((long long)d.n, 5, "five records");
	tap_int((long long)d.parts[2].size, 12, "size without digest");
	tap_int(d.parts[1].have_text, 0, "no text without digest");
	tap_int((long long)d.parts[2].filename_len, 10, "name with its NUL");
	mime_doc_tree(&d, &tree);
	tap_str(tree.data, "TEXT multipart/mixed\n"
		"  1 text/plain charset=iso-8859-1 size=4\n"
		"  2 application/octet-stream filename=\"x.txt?.jpg\" size=12\n"
		"  3 message/rfc822\n"
		"    3.1 text/plain size=4\n", "tree");
	buf_release(&tree);
	mime_doc_release(&d);
	/* No header block: every HEADERS field null. */
	got = doc_json("", MIME_DOC_DIGEST, 0);
	tap_ok(strstr(got, "\"headers\":{\"subject\":null,\"from\":null,") !=
		NULL, "no header block");
	free(got);
}

/* ---- text ---- */

struct tctx {
	struct mime_text t;
	struct buf out;
	int errors;
};

static void
t_begin(void *ctx, const struct mime_part *p)
{
	struct tctx *c = ctx;
	struct err e;

	if (mime_text_begin(&c->t, p, &e) < 0)
		c->errors++;
}

static void
t_data(void *ctx, const struct mime_part *p, const void *d, size_t n)
{
	struct tctx *c = ctx;

	mime_text_data(&c->t, d, n, &c->out);
}

static void
t_end(void *ctx, const struct mime_part *p)
{
	struct tctx *c = ctx;

	mime_text_end(&c->t, p, &c->out);
}

static const struct {
	const char *name;
	unsigned int flags;
	const char *msg;
	const char *want;	/* NULL: no text */
	int errors;
} texts[] = {
	{ "plain preferred", 0,
	  "Content-Type: multipart/alternative; boundary=A\n\n"
	  "--A\nContent-Type: text/html\n\n<b>h</b>\n"
	  "--A\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n"
	  "--A--\n", "caf\xc3\xa9", 0 },
	{ "html asked for", MIME_TEXT_HTML,
	  "Content-Type: multipart/alternative; boundary=A\n\n"
	  "--A\nContent-Type: text/plain\n\np\n"
	  "--A\nContent-Type: text/html\n\n<b>h</b>\n--A--\n", "<b>h</b>", 0 },
	{ "html when there is no plain", 0,
	  "Content-Type: multipart/mixed; boundary=A\n\n"
	  "--A\nContent-Type: text/html\n\n<i>1</i>\n"
	  "--A\nContent-Type: text/html\n\n<i>2</i>\n--A--\n", "<i>1</i>", 0 },
	{ "attachments and attached messages are not the body", 0,
	  "Content-Type: multipart/mixed; boundary=A\n\n"
	  "--A\nContent-Type: text/plain\nContent-Disposition: attachment\n\n"
	  "att\n--A\nContent-Type: message/rfc822\n\nSubject: s\n\ntheirs\n"
	  "--A\nContent-Type: text/plain\n\nmine\n--A--\n", "mine", 0 },
	{ "unknown charset: as it is", 0,
	  "Content-Type: text/plain; charset=x-nothing\n\nraw\xe9\n",
	  "raw\xe9\n", 1 },
	{ "no text", 0,
	  "Content-Type: image/png\n\nxx\n", NULL, 0 },
};

static void
test_text(void)
{
	static const struct mime_sink tmpl = { NULL, NULL, t_begin, t_data,
		t_end, NULL };
	size_t i, step;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		for (step = 0; step < 2; step++) {
			struct tctx c;
			struct mime_sink s = tmpl;
			int found;

			s.ctx = &c;
			c.errors = 0;
			buf_init(&c.out, 0);
			mime_text_init(&c.t, texts[i].flags);
			feed(&s, texts[i].msg, step);
			found = mime_text_finish(&c.t, &c.out);
			tap_ok(found == (texts[i].want != NULL) &&
				c.errors == texts[i].errors &&
				(!texts[i].want || (c.out.len ==
				strlen(texts[i].want) && !memcmp(c.out.data,
				texts[i].want, c.out.len))), "%s%s",
				texts[i].name, step ? ", byte at a time" : "");
			mime_text_release(&c.t);
			buf_release(&c.out);
		}
	}
}

/* ---- saving ---- */

struct sctx {
	struct safefile_dir d;
	struct buf names;	/* created, '|'-separated */
};

static void
s_begin(void *ctx, const struct mime_part *p)
{
	struct sctx *c = ctx;
	struct err e;
	char *got = NULL;
	int fd;

	if (p->kind != MIME_LEAF || !mime_save_is_attachment(p))
		return;
	fd = mime_save_open(&c->d, p, 0, &got, &e);
	buf_addf(&c->names, "%s|", fd < 0 ? "-" : got);
	if (fd >= 0)
		close(fd);
	free(got);
}

static void
test_save(void)
{
	static const char msg[] =
		"Content-Type: multipart/mixed; boundary=Z\n\n"
		"--Z\nContent-Type: text/plain\n\nbody\n"
		"--Z\nContent-Disposition: attachment;"
		" filename*=UTF-8''x.txt%00.jpg\n\na\n"
		"--Z\nContent-Disposition: attachment; filename=\"../..\"\n\nb\n"
		"--Z\nContent-Disposition: attachment\n\nc\n"
		"--Z\nContent-Type: application/x; name=\"x.txt\"\n\nd\n--Z--\n";
	char tmpl[] = "/tmp/t_mimedoc.XXXXXX", cmd[64];
	struct sctx c;
	struct mime_sink s = { &c, NULL, s_begin, NULL, NULL, NULL };
	struct err e;

	if (!mkdtemp(tmpl)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	buf_init(&c.names, 0);
	tap_int(safefile_open(&c.d, tmpl, &e), 0, "folder opened");
	feed(&s, msg, 0);
	tap_str(c.names.data, "x.txt.jpg|part-3|part-4|x.txt|",
		"attachments saved under safe whole names");
	safefile_close(&c.d);
	buf_release(&c.names);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	(void)!system(cmd);
}

/* ---- header lines ---- */

struct hctx {
	const char *names;	/* comma-separated, or "" */
	int raw;		/* or addr_only */
	int addrs;		/* mime_doc_addrs, not mime_doc_headers */
	size_t count;
	struct buf out;
};

static void
h_message(void *ctx, const struct mime_headers *h)
{
	struct hctx *c = ctx;
	char copy[64], *v[8], *tok, *save = NULL;
	size_t n = 0;

	snprintf(copy, sizeof copy, "%s", c->names);
	for (tok = strtok_r(copy, ",", &save); tok && n < 8;
		tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	c->count += c->addrs ? mime_doc_addrs(h, v, n, c->raw, &c->out) :
		mime_doc_headers(h, v, n, c->raw, &c->out);
}

/* One row of the tables below: names, the flag (raw or addr_only), how
 * many lines, which bytes. */
struct hrow {
	const char *names;
	int flag;
	size_t count;
	const char *want;
};

/* Check each row on msg, fed whole and a byte at a time. */
static void
check_lines(const char *msg, const struct hrow *t, size_t n, int addrs)
{
	size_t i, step;

	for (i = 0; i < n; i++)
		for (step = 0; step < 2; step++) {
			struct hctx c = { t[i].names, t[i].flag, addrs, 0,
				BUF_INIT };
			struct mime_sink s = { &c, h_message, NULL, NULL, NULL,
				NULL };

			feed(&s, msg, step);
			tap_ok(c.count == t[i].count, "%s \"%s\" flag %d: %zu",
				addrs ? "addrs" : "headers", t[i].names,
				t[i].flag, c.count);
			tap_mem(c.out.data, c.out.len, t[i].want,
				strlen(t[i].want), "... the lines");
			buf_release(&c.out);
		}
}

static void
test_headers(void)
{
	static const char msg[] =
		"From: =?UTF-8?Q?J=C3=B6rg?= <j@x.example>\n"
		"Subject: a\n long one\n"
		"X-Tag: 1\nx-tag: 2\n\nbody\n";
	static const struct hrow t[] = {
		{ "", 0, 4, "From: J\xc3\xb6rg <j@x.example>\n"
			"Subject: a long one\nX-Tag: 1\nx-tag: 2\n" },
		{ "", 1, 4, "From: =?UTF-8?Q?J=C3=B6rg?= <j@x.example>\n"
			"Subject: a\n long one\nX-Tag: 1\nx-tag: 2\n" },
		{ "x-tag", 0, 2, "1\n2\n" },
		{ "subject,from", 1, 2, " =?UTF-8?Q?J=C3=B6rg?= <j@x.example>\n"
			" a\n long one\n" },
		{ "x-ta,to", 0, 0, "" },
	};

	check_lines(msg, t, sizeof t / sizeof t[0], 0);
}

static void
test_addrs(void)
{
	static const char msg[] =
		"To: a@x.example, =?UTF-8?Q?J=C3=B6rg?= <j@x.example>\n"
		"From: \"Doe, Jane\" <jane@x.example>\n"
		"Cc: team: b@x.example, c@x.example;, undisclosed-recipients:;\n"
		"X-To: z@x.example\n"
		"To: d@x.example\n\nbody\n";
	static const struct hrow t[] = {
		{ "", 0, 6, "\"Doe, Jane\" <jane@x.example>\na@x.example\n"
			"J\xc3\xb6rg <j@x.example>\nd@x.example\n"
			"b@x.example\nc@x.example\n" },
		{ "", 1, 6, "jane@x.example\na@x.example\nj@x.example\n"
			"d@x.example\nb@x.example\nc@x.example\n" },
		{ "x-to,from", 1, 2, "z@x.example\njane@x.example\n" },
		{ "bcc", 0, 0, "" },
	};

	check_lines(msg, t, sizeof t / sizeof t[0], 1);
}

/* ---- bounces ---- */

static void
d_begin(void *ctx, const struct mime_part *p)
{
	dsn_capture_begin(ctx, p);
}

static void
d_data(void *ctx, const struct mime_part *p, const void *d, size_t n)
{
	dsn_capture_data(ctx, d, n);
}

static void
d_end(void *ctx, const struct mime_part *p)
{
	dsn_capture_end(ctx, p);
}

static void
test_dsn(void)
{
	static const char head[] =
		"Content-Type: multipart/report; report-type=delivery-status;"
		" boundary=B\n\n"
		"--B\nContent-Type: text/plain\n\nReporting-MTA: dns; no\n\n"
		"Final-Recipient: rfc822; not@this\nAction: failed\n";
	static const char status[] =
		"--B\nContent-Type: message/%s\n\n"
		"Reporting-MTA: dns; mx.example\n\n"
		"Final-Recipient: rfc822; a@x.example\nAction: failed\n"
		"Status: 5.1.1\nDiagnostic-Code: smtp; 550 no such user\n\n"
		"Original-Recipient: rfc822; b@x.example\nAction: Delayed\n\n";
	static const char second[] =
		"--B\nContent-Type: message/delivery-status\n\n"
		"Final-Recipient: rfc822; c@x.example\nAction: failed\n\n";
	static const char want[] =
		"failed\t5.1.1\ta@x.example\t550 no such user\n"
		"delayed\t-\tb@x.example\t-\n";
	static const char *const types[] = { "delivery-status",
		"global-delivery-status" };
	char msg[2048];
	size_t i, step, n;

	for (i = 0; i < 2; i++)
		for (step = 0; step < 2; step++) {
			struct dsn_capture c;
			struct mime_sink s = { &c, NULL, d_begin, d_data, d_end,
				NULL };
			struct buf out = BUF_INIT;

			n = (size_t)snprintf(msg, sizeof msg, "%s", head);
			n += (size_t)snprintf(msg + n, sizeof msg - n, status,
				types[i]);
			snprintf(msg + n, sizeof msg - n, "%s--B--\n", second);
			dsn_capture_init(&c);
			feed(&s, msg, step);
			tap_ok(dsn_capture_lines(&c, &out) == 2, "%s: two "
				"recipients", types[i]);
			tap_mem(out.data, out.len, want, strlen(want),
				"... of the first status part only");
			dsn_capture_release(&c);
			buf_release(&out);
		}
	{
		struct dsn_capture c;
		struct mime_sink s = { &c, NULL, d_begin, d_data, d_end, NULL };
		struct buf out = BUF_INIT;

		dsn_capture_init(&c);
		feed(&s, head, 0);
		tap_ok(dsn_capture_lines(&c, &out) == 0 && out.len == 0,
			"no status part: no lines");
		dsn_capture_release(&c);
	}
}

/* ---- raw bytes ---- */

static void
test_copy_range(void)
{
	char path[] = "/tmp/t_mimedoc.XXXXXX", *got = NULL;
	size_t len = 200000, glen = 0, i;
	char *data = xmalloc(len);
	int fd = mkstemp(path);
	FILE *out = open_memstream(&got, &glen);
	struct err e;

	for (i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	if (fd < 0 || !out || write(fd, data, len) != (ssize_t)len) {
		tap_ok(0, "temporary file");
		return;
	}
	tap_int(mime_save_copy_range(fd, 5, 150005, out, &e), 0,
		"a range longer than one read");
	fflush(out);
	tap_mem(got, glen, data + 5, 150000, "... copied as it is");
	tap_int(mime_save_copy_range(fd, 7, 7, out, &e), 0, "empty range");
	tap_ok(mime_save_copy_range(fd, len - 3, len + 10, out, &e) < 0 &&
		e.code == ERR_IO && strcmp(e.msg, "file shrank") == 0,
		"past the end: ERR_IO \"%s\"", e.msg);
	tap_ok(mime_save_copy_range(-1, 0, 1, out, &e) < 0 &&
		e.code == ERR_IO, "bad descriptor: ERR_IO \"%s\"", e.msg);
	fclose(out);
	free(got);
	free(data);
	close(fd);
	unlink(path);
}

int
main(void)
{
	test_doc();
	test_text();
	test_save();
	test_headers();
	test_addrs();
	test_dsn();
	test_copy_range();
	return tap_done();
}
