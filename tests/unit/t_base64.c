/* t_base64: base64 decoding (strict and tolerant), encoding, streaming. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/base64.h"
#include "tap.h"

/* RFC 4648 section 10 test vectors, as encoded by us (no line breaks). */
static const struct {
	const char *plain;
	const char *enc;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Tolerant decoding of what mail really carries. */
static const struct {
	const char *in;
	const char *out;
	size_t invalid;
	const char *name;
} tolerant[] = {
	{ "Zm9v\r\nYmFy\r\n", "foobar", 0, "CRLF line breaks skipped" },
	{ "Zm 9v\tYm\nFy", "foobar", 0, "blanks anywhere skipped" },
	{ "Zg", "f", 0, "missing padding, 2 chars" },
	{ "Zm8", "fo", 0, "missing padding, 3 chars" },
	{ "Zm9vY", "foo", 0, "lone trailing char dropped" },
	{ "Zg==Zm8=", "ffo", 0, "concatenated padded blobs" },
	{ "Zm9v!YmFy", "foobar", 1, "invalid char skipped and counted" },
	{ "Zm9v\x80\xffYmFy", "foobar", 2, "8-bit bytes skipped" },
	{ "Zg=", "f", 0, "short padding" },
	{ "Zg===", "f", 0, "extra padding" },
	{ "====", "", 0, "padding only" },
	{ "Z===", "", 0, "one char then padding" },
	{ "-_Zm9v", "foo", 2, "url-safe alphabet is not base64" },
};

static void
check_stream(const unsigned char *in, size_t len, const char *name)
{
	struct buf one = BUF_INIT, s1 = BUF_INIT, sr = BUF_INIT;
	struct b64_dec d;
	size_t i, n;

	b64_decode(in, len, &one);
	b64_dec_init(&d);
	for (i = 0; i < len; i++)
		b64_dec_buf(&d, in + i, 1, &s1);
	b64_dec_finish_buf(&d, &s1);
	tap_mem(s1.data, s1.len, one.data, one.len, name);
	b64_dec_init(&d);
	for (i = 0; i < len; i += n) {
		n = (size_t)rand() % 9 + 1;
		if (n > len - i)
			n = len - i;
		b64_dec_buf(&d, in + i, n, &sr);
	}
	b64_dec_finish_buf(&d, &sr);
	tap_mem(sr.data, sr.len, one.data, one.len, name);
	buf_release(&one);
	buf_release(&s1);
	buf_release(&sr);
}

int
main(void)
{
	struct buf b = BUF_INIT, e = BUF_INIT;
	unsigned char bin[1000], mem[B64_DEC_MAX(16)];
	struct b64_dec d;
	struct b64_enc enc;
	size_t i, n, j;

	srand(2045);
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		buf_reset(&b);
		b64_encode(vectors[i].plain, strlen(vectors[i].plain), 0, 0,
			&b);
		tap_str(b.data ? b.data : "", vectors[i].enc, vectors[i].enc);
		buf_reset(&b);
		b64_decode(vectors[i].enc, strlen(vectors[i].enc), &b);
		tap_str(b.data ? b.data : "", vectors[i].plain,
			vectors[i].plain);
	}
	for (i = 0; i < ARRAY_SIZE(tolerant); i++) {
		buf_reset(&b);
		b64_dec_init(&d);
		b64_dec_buf(&d, tolerant[i].in, strlen(tolerant[i].in), &b);
		b64_dec_finish_buf(&d, &b);
		tap_str(b.data ? b.data : "", tolerant[i].out,
			tolerant[i].name);
		tap_int((long long)d.invalid, (long long)tolerant[i].invalid,
			tolerant[i].name);
	}

	/* MIME body encoding: 76-character lines, CRLF, final break. */
	for (i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7 + i / 256);
	buf_reset(&b);
	b64_encode(bin, 57 * 3, B64_LINE_LEN, 0, &b);
	tap_int((long long)b.len, 3 * 78, "3 full lines of 76 + CRLF");
	for (i = 0, n = 0; i < b.len; i++)
		if (b.data[i] == '\r' && b.data[i + 1] == '\n')
			n++;
	tap_int((long long)n, 3, "three CRLFs");
	tap_ok(b.data[76] == '\r' && b.data[77] == '\n', "break at 76");
	buf_reset(&b);
	b64_encode("x", 1, B64_LINE_LEN, B64_ENC_LF, &b);
	tap_str(b.data, "eA==\n", "LF flag, final break after short line");
	buf_reset(&b);
	b64_encode("", 0, B64_LINE_LEN, 0, &b);
	tap_int((long long)b.len, 0, "empty input, no line break");

	buf_reset(&b);
	b64_encode("abcdefghijklmnopqrstuvwxyz", 26, 10, B64_ENC_LF, &b);
	tap_str(b.data, "YWJjZGVm\nZ2hpamts\nbW5vcHFy\nc3R1dnd4\neXo=\n",
		"line length rounded down to a multiple of 4");

	/* Round trip of binary data, encoder fed in odd chunks. */
	for (j = 0; j < 3; j++) {
		buf_reset(&b);
		buf_reset(&e);
		b64_enc_init(&enc, j == 0 ? 0 : j == 1 ? 76 : 10, 0);
		for (i = 0; i < sizeof bin; i += n) {
			n = (size_t)rand() % 13;
			if (n > sizeof bin - i)
				n = sizeof bin - i;
			b64_enc_buf(&enc, bin + i, n, &e);
		}
		b64_enc_finish_buf(&enc, &e);
		b64_encode(bin, sizeof bin, j == 0 ? 0 : j == 1 ? 76 : 10, 0,
			&b);
		tap_mem(e.data, e.len, b.data, b.len,
			"chunked encoding = one-shot");
		buf_reset(&b);
		b64_decode(e.data, e.len, &b);
		tap_mem(b.data, b.len, bin, sizeof bin, "binary round trip");
		check_stream((unsigned char *)e.data, e.len,
			"decoding: streamed = one-shot");
	}
	for (i = 0; i < ARRAY_SIZE(tolerant); i++)
		check_stream((const unsigned char *)tolerant[i].in,
			strlen(tolerant[i].in), tolerant[i].name);

	/* Caller-buffer interface. */
	b64_dec_init(&d);
	n = b64_dec_mem(&d, "Zm9vYm", 6, mem);
	n += b64_dec_finish_mem(&d, mem + n);
	tap_mem(mem, n, "foob", 4, "b64_dec_mem + finish");

	/* A cap stops the output. */
	buf_release(&b);
	buf_init(&b, 4);
	tap_int(b64_decode("Zm9vYmFy", 8, &b), -1, "cap reached is -1");
	buf_release(&b);
	buf_release(&e);
	return tap_done();
}
