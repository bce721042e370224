/* t_build.c: the MIME builder (build.h) and media types (mimetypes.h):
 * every header, body and attachment rule, and each injection refusal. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "codec/base64.h"
#include "codec/qp.h"
#include "codec/rfc2047.h"
#include "mime/build.h"
#include "mime/mimetypes.h"
#include "tap.h"

static char dir[] = "/tmp/t_build.XXXXXX";
static const char *types_files[2];

/* A file under dir holding len bytes of p; its path (static ring). */
static const char *
file(const char *name, const void *p, size_t len)
{
	static char paths[8][256];
	static int k;
	char *path = paths[k++ % 8];
	FILE *f;

	snprintf(path, 256, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0)
		abort();
	return path;
}

static int
fd_of(const char *s)
{
	int fd = mbuild_tmpfile(NULL);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) ||
		lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static int
to_buf(void *arg, const void *p, size_t len, struct err *e)
{
	(void)e;
	return buf_add(arg, p, len);
}

/* Build o into out (head and body); the result of the first failing
 * step, with e. */
static int
build(struct mbuild_opts *o, struct buf *out, struct err *e)
{
	struct mbuild b;
	int r;

	err_clear(e);
	o->mime_types = types_files;
	r = mbuild_init(&b, o, e);
	if (r == 0)
		r = mbuild_head(&b, out, e);
	if (r == 0)
		r = mbuild_body(&b, to_buf, out, e);
	mbuild_release(&b);
	return r;
}

static void
opts_init(struct mbuild_opts *o, const char *const *to, const char *body)
{
	memset(o, 0, sizeof *o);
	o->to = to;
	o->nto = 1;
	o->body_fd = body ? fd_of(body) : -1;
	o->html_fd = -1;
	o->now = 1700000000;
}

static int
has(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s) != NULL;
}

/* The content of the part whose headers hold marker, up to the next
 * boundary (or the end), as a new buffer. */
static void
part_body(const struct buf *b, const char *marker, struct buf *out)
{
	const char *p = strstr(b->data, marker), *q;

	buf_reset(out);
	if (!p || !(p = strstr(p, "\r\n\r\n")))
		return;
	p += 4;
	q = strstr(p, "\r\n--=_mkit_");
	buf_add(out, p, q ? (size_t)(q - p) : strlen(p));
}

/* Every line of the header section within 78 columns. */
static int
head_folded(const struct buf *b)
{
	const char *p = b->data, *end = strstr(p, "\r\n\r\n");

	while (p < end) {
		const char *nl = strstr(p, "\r\n");

		if (nl - p > 78)
			return 0;
		p = nl + 2;
	}
	return 1;
}

static void
test_headers(void)
{
	static const char *const to[] = { "\"Doe, John\" <j@example.org>, "
		"b@example.org" };
	static const char *const to_utf8[] = { "J\xc3\xb6rg <j@b\xc3\xbc"
		"cher.de>" };
	static const char *const bcc[] = { "hidden@example.org" };
	static const char *const hdrs[] = { "X-Alert: disk full",
		"Date: Tue, 14 Nov 2023 22:13:20 +0000",
		"X-Note: caf\xc3\xa9" };
	struct mbuild_opts o;
	struct buf out = BUF_INIT, dec = BUF_INIT;
	struct err e;
	const char *s;

	opts_init(&o, to, "hi\n");
	o.from = "Ops Team <ops@example.org>";
	o.subject = "Hello world";
	o.reply_to = "noreply@example.org";
	tap_int(build(&o, &out, &e), 0, "plain message builds");
	tap_ok(has(&out, "From: Ops Team <ops@example.org>\r\n"), "From");
	tap_ok(has(&out, "To: \"Doe, John\" <j@example.org>, b@example.org"
		"\r\n"), "display name with a comma quoted");
	tap_ok(has(&out, "Reply-To: noreply@example.org\r\n"), "Reply-To");
	tap_ok(has(&out, "Subject: Hello world\r\n"), "ASCII subject as is");
	tap_ok(has(&out, "\r\nDate: "), "Date added");
	tap_ok(has(&out, "Message-ID: <") && has(&out, "@example.org>\r\n"),
		"Message-ID in From's domain");
	tap_ok(has(&out, "MIME-Version: 1.0\r\n"), "MIME-Version");
	tap_ok(has(&out, "Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 7bit\r\n\r\nhi\r\n"),
		"ASCII text is 7bit, LF made CRLF");
	close(o.body_fd);

	buf_reset(&out);
	opts_init(&o, to_utf8, "x");
	o.subject = "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen: the report "
		"for the whole week that ends today, with all the figures";
	o.bcc = bcc;
	o.nbcc = 1;
	tap_int(build(&o, &out, &e), 0, "UTF-8 message builds");
	s = strstr(out.data, "Subject: ");
	tap_ok(s && strncmp(s + 9, "=?UTF-8?", 8) == 0,
		"non-ASCII subject as encoded words");
	{
		const char *end = strstr(s, "\r\nDate:");

		buf_reset(&dec);
		rfc2047_decode(s + 9, (size_t)(end - s - 9), &dec);
		tap_mem(dec.data, dec.len, o.subject, strlen(o.subject),
			"subject decodes back");
	}
	tap_ok(strstr(s, "aus") && !has(&out, "=?UTF-8?B?YXVz"),
		"ASCII words left plain");
	tap_ok(head_folded(&out), "header folded at 78");
	tap_ok(has(&out, "To: =?UTF-8?") && has(&out, "<j@b\xc3\xbc"
		"cher.de>"), "non-ASCII name encoded, IDN domain as given");
	tap_ok(!has(&out, "Bcc:"), "no Bcc without MBUILD_BCC");
	tap_ok(has(&out, "\r\n\r\nx\r\n"), "a last line gets its line break");
	close(o.body_fd);

	buf_reset(&out);
	opts_init(&o, to, "x\n");
	o.bcc = bcc;
	o.nbcc = 1;
	o.flags = MBUILD_BCC;
	o.headers = hdrs;
	o.nheaders = ARRAY_SIZE(hdrs);
	tap_int(build(&o, &out, &e), 0, "with headers builds");
	tap_ok(has(&out, "Bcc: hidden@example.org\r\n"), "Bcc with the flag");
	tap_ok(has(&out, "X-Alert: disk full\r\n"), "--header written");
	tap_ok(has(&out, "X-Note: =?UTF-8?"), "--header value encoded");
	tap_ok(has(&out, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n") &&
		!strstr(strstr(out.data, "Date:") + 1, "\r\nDate:"),
		"--header Date replaces the added one");
	close(o.body_fd);
	buf_release(&out);
	buf_release(&dec);
}

static void
test_refusals(void)
{
	static const char *const to[] = { "a@example.org" };
	static const char *const to_crlf[] = { "a@example.org\r\nBcc: x@y" };
	static const char *const to_empty[] = { " , " };
	static const char *const h_inj[] = { "X-A: b\nBcc: x@y" };
	static const char *const h_bad[] = { "no colon here" };
	static const char *const h_own[] = { "Content-Type: text/html" };
	static const char *const h_to[] = { "to: x@y" };
	static struct mbuild_file f_name = { NULL, NULL, "a\nb.txt", NULL };
	static struct mbuild_file f_type = { NULL, "text", NULL, NULL };
	static struct mbuild_file f_none = { "/nonexistent/file", NULL, NULL, NULL };
	static struct mbuild_file f_dir = { "/", NULL, NULL, NULL };
	static struct mbuild_file f_cid = { NULL, NULL, NULL, "a b" };
	static const struct {
		const char *what;
		int field;	/* 0 subject 1 to 2 header 3 attach 4 inline
				   5 from 6 reply-to */
		const void *v;
		enum err_code code;
		const char *msg;
	} t[] = {
		{ "CR in Subject", 0, "a\rb", ERR_USAGE, "Subject: the value "
			"holds a line break (CR or LF)" },
		{ "LF in Subject", 0, "a\nBcc: x@y", ERR_USAGE, "Subject:" },
		{ "CRLF in To", 1, to_crlf, ERR_USAGE, "To: the value holds" },
		{ "To without an address", 1, to_empty, ERR_USAGE,
			"To: no address in \" , \"" },
		{ "LF in --header", 2, h_inj, ERR_USAGE, "header: the value" },
		{ "--header not Name: value", 2, h_bad, ERR_USAGE,
			"header \"no colon here\": not \"Name: value\"" },
		{ "--header Content-Type", 2, h_own, ERR_USAGE,
			"header \"Content-Type\" is written by the composer" },
		{ "--header To (any case)", 2, h_to, ERR_USAGE,
			"header \"to\" is written" },
		{ "LF in a file name", 3, &f_name, ERR_USAGE,
			"file name: the value holds a line break" },
		{ "a type without '/'", 3, &f_type, ERR_USAGE,
			"invalid media type \"text\"" },
		{ "a missing file", 3, &f_none, ERR_NOINPUT,
			"/nonexistent/file: No such file" },
		{ "a directory", 3, &f_dir, ERR_NOINPUT, "/: not a regular" },
		{ "a Content-ID with a blank", 4, &f_cid, ERR_USAGE,
			"Content-ID \"a b\" must be" },
		{ "LF in From", 5, "a@b\nX: y", ERR_USAGE, "From: the value" },
		{ "CR in Reply-To", 6, "a@b\rX: y", ERR_USAGE, "Reply-To:" },
	};
	const char *path = file("r.txt", "x", 1);
	size_t i;

	f_name.path = f_type.path = f_cid.path = path;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mbuild_opts o;
		struct buf out = BUF_INIT;
		struct err e;
		int r;

		opts_init(&o, to, NULL);
		switch (t[i].field) {
		case 0: o.subject = t[i].v; break;
		case 1: o.to = t[i].v; break;
		case 2: o.headers = t[i].v; o.nheaders = 1; break;
		case 3: o.attach = t[i].v; o.nattach = 1; break;
		case 4: o.inl = t[i].v; o.ninl = 1; break;
		case 5: o.from = t[i].v; break;
		default: o.reply_to = t[i].v;
		}
		r = build(&o, &out, &e);
		tap_ok(r == -1 && e.code == t[i].code &&
			strstr(e.msg, t[i].msg) && out.len == 0,
			"refused: %s (%s)", t[i].what, e.msg);
		buf_release(&out);
	}
	{
		struct err e;

		tap_ok(mbuild_check_value("--subject", "a\nb", &e) < 0 &&
			strcmp(e.msg, "--subject: the value holds a line break "
			"(CR or LF)") == 0, "the option is named");
		tap_int(mbuild_check_value("--subject", "ok", &e), 0,
			"a clean value passes");
	}
}

static void
test_bodies(void)
{
	static const char *const to[] = { "a@example.org" };
	static const struct {
		const char *what, *body, *cte;
	} t[] = {
		{ "ASCII", "line one\nline two\n", "7bit" },
		{ "CRLF kept", "a\r\nb\r\n", "7bit" },
		{ "8-bit", "caf\xc3\xa9\n", "quoted-printable" },
		{ "NUL", "a\0b", "7bit" },	/* strlen: "a" */
		{ "a bare CR", "a\rb\n", "quoted-printable" },
		{ "a line like a boundary", "x\n--=_mkit_123\ny\n",
			"quoted-printable" },
		{ "a line like a boundary, not at its start",
			"x --=_mkit_123\n", "7bit" },
		{ "empty", "", "7bit" },
	};
	char longline[1200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mbuild_opts o;
		struct buf out = BUF_INIT, body = BUF_INIT, dec = BUF_INIT;
		struct err e;
		char want[64];
		const char *p;

		opts_init(&o, to, t[i].body);
		build(&o, &out, &e);
		snprintf(want, sizeof want, "Content-Transfer-Encoding: %s\r\n",
			t[i].cte);
		tap_ok(has(&out, want), "body %s: %s", t[i].what, t[i].cte);
		p = strstr(out.data, "\r\n\r\n") + 4;
		buf_add(&body, p, strlen(p));
		if (strcmp(t[i].cte, "quoted-printable") == 0)
			qp_decode(body.data, body.len, &dec);
		else
			buf_add(&dec, body.data, body.len);
		/* LF was made CRLF, and a last line break added. */
		{
			struct buf w = BUF_INIT;
			const char *s = t[i].body;

			for (; *s; s++) {
				if (*s == '\n' && (s == t[i].body ||
					s[-1] != '\r'))
					buf_addch(&w, '\r');
				buf_addch(&w, *s);
			}
			if (w.len && w.data[w.len - 1] != '\n')
				buf_addstr(&w, "\r\n");
			tap_ok(dec.len == w.len && (!w.len || memcmp(dec.data,
				w.data, w.len) == 0), "body %s: content back",
				t[i].what);
			buf_release(&w);
		}
		close(o.body_fd);
		buf_release(&out);
		buf_release(&body);
		buf_release(&dec);
	}
	{
		struct mbuild_opts o;
		struct buf out = BUF_INIT;
		struct err e;

		memset(longline, 'x', sizeof longline - 2);
		longline[sizeof longline - 2] = '\n';
		longline[sizeof longline - 1] = '\0';
		opts_init(&o, to, longline);
		build(&o, &out, &e);
		tap_ok(has(&out, "quoted-printable"),
			"a line over 998 bytes: quoted-printable");
		close(o.body_fd);
		buf_release(&out);
	}
	{	/* A body on a pipe is spooled first. */
		struct mbuild_opts o;
		struct buf out = BUF_INIT;
		struct err e;
		int p[2];

		if (pipe(p) < 0 || write(p[1], "piped\n", 6) != 6)
			abort();
		close(p[1]);
		opts_init(&o, to, NULL);
		o.body_fd = p[0];
		tap_int(build(&o, &out, &e), 0, "body on a pipe");
		tap_ok(has(&out, "7bit\r\n\r\npiped\r\n"),
			"body on a pipe: content");
		close(p[0]);
		buf_release(&out);
	}
}

static void
test_parts(void)
{
	static const char *const to[] = { "a@example.org" };
	unsigned char bin[5000];
	struct mbuild_file att[5], inl[1];
	struct mbuild_opts o;
	struct buf out = BUF_INIT, part = BUF_INIT, dec = BUF_INIT;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7 + (i >> 8));
	memset(att, 0, sizeof att);
	memset(inl, 0, sizeof inl);
	att[0].path = file("blob.bin", bin, sizeof bin);
	att[1].path = file("noext", "\x89PNG\r\n\x1a\nrest", 12);
	att[1].name = "Bericht f\xc3\xbcr M\xc3\xa4rz.png";
	att[2].path = file("notes.txt", "one\ntwo caf\xc3\xa9\n", 14);
	att[3].path = file("data.tst", "zz", 2);
	att[4].path = file("mail.eml", "Subject: x\n\nbody\n", 17);
	att[4].type = "Message/RFC822";
	inl[0].path = file("logo.gif", "GIF89a....", 10);
	opts_init(&o, to, "text\n");
	o.html_fd = fd_of("<p>html <img src=\"cid:logo.gif\"></p>\n");
	o.attach = att;
	o.nattach = ARRAY_SIZE(att);
	o.inl = inl;
	o.ninl = 1;
	tap_int(build(&o, &out, &e), 0, "all kinds of parts build");
	tap_ok(has(&out, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;"),
		"attachments: multipart/mixed on top");
	tap_ok(has(&out, "Content-Type: multipart/alternative;"),
		"text + html: multipart/alternative");
	tap_ok(has(&out, "Content-Type: multipart/related;") &&
		has(&out, "; type=\"text/html\""),
		"inline: multipart/related with the root's type");
	tap_ok(strstr(out.data, "text/plain; charset=utf-8") <
		strstr(out.data, "text/html"), "text before html");
	tap_ok(has(&out, "Content-Type: image/gif; name=logo.gif\r\n") &&
		has(&out, "Content-Disposition: inline; filename=logo.gif\r\n")
		&& has(&out, "Content-ID: <logo.gif>\r\n"),
		"inline part: Content-ID from the file name");
	tap_ok(has(&out, "Content-Type: application/octet-stream; "
		"name=blob.bin\r\nContent-Transfer-Encoding: base64\r\n"),
		"binary: octet-stream, base64");
	part_body(&out, "filename=blob.bin", &part);
	buf_reset(&dec);
	b64_decode(part.data, part.len, &dec);
	tap_mem(dec.data, dec.len, bin, sizeof bin, "base64 content back");
	tap_ok(has(&out, "Content-Type: image/png;\r\n\tname=\"Bericht =?UTF-8?"),
		"sniffed PNG; name= as RFC 2047 for old clients");
	tap_ok(has(&out, "filename*=utf-8''Bericht%20f%C3%BCr%20M%C3%A4rz.png"),
		"filename as RFC 2231");
	tap_ok(has(&out, "Content-Type: text/plain; charset=utf-8; "
		"name=notes.txt\r\nContent-Transfer-Encoding: quoted-printable"),
		"text attachment: quoted-printable, UTF-8 seen");
	part_body(&out, "filename=notes.txt", &part);
	buf_reset(&dec);
	qp_decode(part.data, part.len, &dec);
	tap_mem(dec.data, dec.len, "one\r\ntwo caf\xc3\xa9\r\n", 16,
		"quoted-printable content back (CRLF)");
	tap_ok(has(&out, "Content-Type: application/x-mkit-test; name=data.tst"),
		"type from mime.types");
	tap_ok(has(&out, "Content-Type: application/octet-stream; "
		"name=mail.eml"), "message/rfc822 goes as octet-stream");
	tap_ok(has(&out, "--=_mkit_") && !has(&out, "\r\n--=_mkit_x"),
		"boundaries");
	{
		const char *end = out.data + out.len - 2;

		while (end > out.data && end[-1] != '\n')
			end--;
		tap_ok(strncmp(end, "--=_mkit_", 9) == 0 &&
			strcmp(out.data + out.len - 4, "--\r\n") == 0,
			"ends with the closing delimiter");
	}
	close(o.body_fd);
	close(o.html_fd);
	buf_release(&out);
	buf_release(&part);
	buf_release(&dec);
}

static void
test_recipients(void)
{
	static const char *const to[] = { "A <a@x>, b@y" };
	static const char *const cc[] = { "c@z" };
	static const char *const bcc[] = { "team: d@w;" };
	struct mbuild_opts o;
	struct addrvec av = ADDRVEC_INIT;

	opts_init(&o, to, NULL);
	o.cc = cc;
	o.ncc = 1;
	o.bcc = bcc;
	o.nbcc = 1;
	mbuild_recipients(&o, &av);
	tap_int((long long)av.n, 4, "envelope: To + Cc + Bcc");
	tap_ok(av.n == 4 && strcmp(av.v[0], "a@x") == 0 &&
		strcmp(av.v[3], "d@w") == 0, "envelope: addr-specs in order");
	addrvec_release(&av);
}

static void
test_sniff(void)
{
	static const struct {
		const char *data;
		size_t len;
		const char *type;
	} t[] = {
		{ "%PDF-1.7", 8, "application/pdf" },
		{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
		{ "\xff\xd8\xff\xe0", 4, "image/jpeg" },
		{ "GIF87a", 6, "image/gif" },
		{ "PK\x03\x04", 4, "application/zip" },
		{ "\x1f\x8b\x08", 3, "application/gzip" },
		{ "plain text\n", 11, "text/plain" },
		{ "caf\xc3\xa9 cut \xc3", 11, "text/plain" },
		{ "a\0b", 3, "application/octet-stream" },
		{ "\xff\xfe junk", 7, "application/octet-stream" },
		{ "", 0, "text/plain" },
	};
	size_t i;
	char *ty;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		tap_str(mimetypes_sniff(t[i].data, t[i].len), t[i].type,
			t[i].type);
	ty = mimetypes_by_name(types_files, "/x/report.PDF");
	tap_str(ty, "application/pdf", "mime.types: extension without case");
	free(ty);
	tap_ok(mimetypes_by_name(types_files, "README") == NULL,
		"mime.types: no extension");
	tap_ok(mimetypes_by_name(types_files, "x.unknownext") == NULL,
		"mime.types: unknown extension");
}

static void
test_file_parse(void)
{
	static const struct {
		const char *arg;
		int inl;
		const char *path, *type, *name, *cid, *err;
	} t[] = {
		{ "a.pdf", 0, "a.pdf", NULL, NULL, NULL, NULL },
		{ "a.pdf;type=application/pdf;name=b.pdf", 0, "a.pdf",
			"application/pdf", "b.pdf", NULL, NULL },
		{ "x;y.txt;name=z", 0, "x;y.txt", NULL, "z", NULL, NULL },
		{ "logo.png;cid=logo", 1, "logo.png", NULL, NULL, "logo", NULL },
		{ "logo.png;cid=logo", 0, NULL, NULL, NULL, NULL,
			"--attach: unknown parameter \"cid=logo\" (type=, name=)" },
		{ "a;type=t/x;size=3", 0, NULL, NULL, NULL, NULL,
			"--attach: unknown parameter \"size=3\" (type=, name=)" },
		{ ";name=x", 0, NULL, NULL, NULL, NULL, "--attach: no file" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct mbuild_file f;
		struct err e;
		char *arg = xstrdup(t[i].arg);
		int r = mbuild_file_parse(&f, "--attach", arg, t[i].inl, &e);

		if (t[i].err)
			tap_ok(r < 0 && strncmp(e.msg, t[i].err,
				strlen(t[i].err)) == 0, "file parse: %s: %s",
				t[i].arg, r < 0 ? e.msg : "accepted");
		else
			tap_ok(r == 0 && strcmp(f.path, t[i].path) == 0 &&
				!(f.type ? !t[i].type || strcmp(f.type,
				t[i].type) : !!t[i].type) &&
				!(f.name ? !t[i].name || strcmp(f.name,
				t[i].name) : !!t[i].name) &&
				!(f.cid ? !t[i].cid || strcmp(f.cid,
				t[i].cid) : !!t[i].cid), "file parse: %s",
				t[i].arg);
		free(arg);
	}
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 99;
	types_files[0] = file("mime.types", "# test\n"
		"application/pdf\t\t\tpdf\n"
		"application/x-mkit-test  tst tst2\n"
		"image/png png\n", 77);
	types_files[1] = NULL;
	test_headers();
	test_refusals();
	test_bodies();
	test_parts();
	test_recipients();
	test_sniff();
	test_file_parse();
	{
		char cmd[64];

		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 99;
	}
	return tap_done();
}
