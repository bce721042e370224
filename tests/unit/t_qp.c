/* t_qp: quoted-printable decoding (RFC 2045 6.7 and the wild), encoding,
 * streaming. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/qp.h"
#include "tap.h"

static const struct {
	const char *in;
	const char *out;
	const char *name;
} dec[] = {
	{ "plain text", "plain text", "plain" },
	{ "caf=C3=A9", "caf\xc3\xa9", "hex escapes" },
	{ "caf=c3=a9", "caf\xc3\xa9", "lowercase hex accepted" },
	{ "a=3Db", "a=b", "escaped equals" },
	{ "soft=\r\nbreak", "softbreak", "soft line break CRLF" },
	{ "soft=\nbreak", "softbreak", "soft line break LF" },
	{ "soft= \t\r\nbreak", "softbreak", "soft break with padding" },
	{ "end=", "end", "final '=' is a soft break" },
	{ "line  \r\nnext", "line\r\nnext", "trailing blanks dropped CRLF" },
	{ "line\t \nnext", "line\nnext", "trailing blanks dropped LF" },
	{ "tail   ", "tail", "trailing blanks at end dropped" },
	{ "a  b", "a  b", "inner blanks kept" },
	{ "a=20\r\n", "a \r\n", "encoded trailing blank kept" },
	{ "=G1x", "=G1x", "bad escape kept" },
	{ "=4", "=4", "half escape at end kept" },
	{ "=4x", "=4x", "half escape kept" },
	{ "= x", "= x", "'=' blank text kept" },
	{ "==41", "=A", "'=' before escape" },
	{ "a\rb", "a\rb", "lone CR kept" },
	{ "a=\rb", "a=\rb", "'=' lone CR kept" },
	{ "\xe9t\xe9", "\xe9t\xe9", "8-bit passed through" },
	{ "=\r\n=\r\n", "", "soft breaks only" },
	/* RFC 2045 6.7 rule 5 example shape. */
	{ "Now's the time =\r\nfor all folk to come=\r\n to the aid of "
	  "their country.",
	  "Now's the time for all folk to come to the aid of their country.",
	  "RFC 2045 soft break example" },
};

static const struct {
	const char *in;
	unsigned int flags;
	const char *out;
	const char *name;
} enc[] = {
	{ "hello", 0, "hello", "plain" },
	{ "a=b", 0, "a=3Db", "equals" },
	{ "caf\xc3\xa9", 0, "caf=C3=A9", "8-bit" },
	{ "tail \nx", 0, "tail=20\r\nx", "trailing space before LF" },
	{ "tail\t\r\nx", 0, "tail=09\r\nx", "trailing tab before CRLF" },
	{ "end ", 0, "end=20", "trailing space at end" },
	{ "a b", 0, "a b", "inner space literal" },
	{ "a\r\nb", QP_ENC_BINARY, "a=0D=0Ab", "binary CR LF" },
	{ "a\nb", QP_ENC_LF, "a\nb", "LF output" },
	{ "a\rb", 0, "a=0Db", "lone CR in text" },
	{ "From x\n.\n", QP_ENC_SAFE, "=46rom x\r\n=2E\r\n", "safe mode" },
	{ "\x01\x7f", 0, "=01=7F", "controls" },
};

static void
check_stream(const char *in, size_t len, const char *name)
{
	struct buf one = BUF_INIT, s1 = BUF_INIT, sr = BUF_INIT;
	struct qp_dec d;
	size_t i, n;

	qp_decode(in, len, &one);
	qp_dec_init(&d);
	for (i = 0; i < len; i++)
		qp_dec_buf(&d, in + i, 1, &s1);
	qp_dec_finish_buf(&d, &s1);
	tap_mem(s1.data, s1.len, one.data, one.len, name);
	qp_dec_init(&d);
	for (i = 0; i < len; i += n) {
		n = (size_t)rand() % 7 + 1;
		if (n > len - i)
			n = len - i;
		qp_dec_buf(&d, in + i, n, &sr);
	}
	qp_dec_finish_buf(&d, &sr);
	tap_mem(sr.data, sr.len, one.data, one.len, name);
	buf_release(&one);
	buf_release(&s1);
	buf_release(&sr);
}

int
main(void)
{
	struct buf b = BUF_INIT, e = BUF_INIT;
	char text[3000];
	size_t i, n, maxline, col;
	struct qp_enc qe;
	int ok;

	srand(2045);
	for (i = 0; i < ARRAY_SIZE(dec); i++) {
		buf_reset(&b);
		qp_decode(dec[i].in, strlen(dec[i].in), &b);
		tap_str(b.data ? b.data : "", dec[i].out, dec[i].name);
		check_stream(dec[i].in, strlen(dec[i].in), dec[i].name);
	}
	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		buf_reset(&b);
		qp_encode(enc[i].in, strlen(enc[i].in), enc[i].flags, &b);
		tap_str(b.data ? b.data : "", enc[i].out, enc[i].name);
	}

	/* Soft breaks exactly where RFC 2045 rule 5 puts them. */
	memset(text, 'a', 100);
	buf_reset(&b);
	qp_encode(text, 100, 0, &b);
	buf_reset(&e);
	buf_add(&e, text, 75);
	buf_addstr(&e, "=\r\n");
	buf_add(&e, text, 25);
	tap_mem(b.data, b.len, e.data, e.len, "100 chars: 75, soft break, 25");
	memcpy(text + 74, "\xc3\xa9", 2);
	buf_reset(&b);
	qp_encode(text, 76, 0, &b);
	buf_reset(&e);
	buf_add(&e, text, 74);
	buf_addstr(&e, "=\r\n=C3=A9");
	tap_mem(b.data, b.len, e.data, e.len, "escape never split by a break");
	memset(text, 'a', 75);
	text[75] = '\n';
	buf_reset(&b);
	qp_encode(text, 76, 0, &b);
	tap_ok(b.len > 76 && memcmp(b.data + b.len - 2, "\r\n", 2) == 0,
		"hard break after a full line");

	/* Long lines: every line at most 76 characters, round trip exact. */
	for (i = 0; i < sizeof text - 1; i++) {
		static const char pick[] = "abc =\xc3\xa9\t. xyz\nF";

		text[i] = pick[(size_t)rand() % (sizeof pick - 1)];
	}
	text[sizeof text - 1] = '\0';
	for (i = 0; i < 200; i++)
		text[i] = 'x';
	buf_reset(&b);
	qp_encode(text, strlen(text), 0, &b);
	for (i = 0, col = 0, maxline = 0, ok = 1; i < b.len; i++) {
		if (b.data[i] == '\r' && b.data[i + 1] == '\n') {
			if (i > 0 && (b.data[i - 1] == ' ' ||
			    b.data[i - 1] == '\t'))
				ok = 0;
			col = 0;
			i++;
			continue;
		}
		if ((unsigned char)b.data[i] > 126 || b.data[i] == '\n')
			ok = 0;
		if (++col > maxline)
			maxline = col;
	}
	tap_ok(maxline <= 76, "lines at most 76 (longest %zu)", maxline);
	tap_ok(ok, "no trailing blank, no 8-bit, no bare LF");
	buf_reset(&e);
	qp_decode(b.data, b.len, &e);
	/* Text mode turns LF into CRLF: compare against that. */
	{
		struct buf want = BUF_INIT;

		for (i = 0; text[i]; i++) {
			if (text[i] == '\n')
				buf_addch(&want, '\r');
			buf_addch(&want, text[i]);
		}
		tap_mem(e.data, e.len, want.data, want.len,
			"text round trip (LF -> CRLF)");
		buf_release(&want);
	}
	/* Binary mode round trip, encoder fed byte by byte. */
	buf_reset(&b);
	qp_enc_init(&qe, QP_ENC_BINARY);
	for (i = 0; i < sizeof text; i++)
		qp_enc_buf(&qe, text + i, 1, &b);
	qp_enc_finish_buf(&qe, &b);
	buf_reset(&e);
	qp_encode(text, sizeof text, QP_ENC_BINARY, &e);
	tap_mem(b.data, b.len, e.data, e.len, "byte-fed encoder = one-shot");
	buf_reset(&e);
	qp_decode(b.data, b.len, &e);
	tap_mem(e.data, e.len, text, sizeof text, "binary round trip");
	check_stream(b.data, b.len, "encoded text streamed = one-shot");
	n = b.len;
	tap_ok(n > sizeof text, "encoding grows the text");
	buf_release(&b);
	buf_release(&e);
	return tap_done();
}
