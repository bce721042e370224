/* t_charset: conversion to UTF-8, aliases, unknown charsets, UTF-8 checks,
 * NFC, RFC 6532 raw header bytes, streaming conversion. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"
#include "tap.h"
#include "base/util.h"

static const struct {
	const char *charset;
	const char *in;
	size_t len;	/* 0: strlen */
	const char *out;
	size_t nbad;
} conv[] = {
	{ "utf-8", "caf\xc3\xa9", 0, "caf\xc3\xa9", 0 },
	{ "UTF8", "caf\xc3\xa9", 0, "caf\xc3\xa9", 0 },
	{ "\"utf-8\"", "x", 0, "x", 0 },
	{ "utf-8", "a\xff" "b", 0, "a\xef\xbf\xbd" "b", 1 },
	{ "utf-8", "\xc3", 0, "\xef\xbf\xbd", 1 },
	{ "ISO-8859-1", "caf\xe9", 0, "caf\xc3\xa9", 0 },
	{ "latin1", "\x80", 0, "\xe2\x82\xac", 0 },
	{ "windows-1252", "\x93hi\x94", 0,
	  "\xe2\x80\x9chi\xe2\x80\x9d", 0 },
	{ "iso-8859-15", "\xa4", 0, "\xe2\x82\xac", 0 },
	{ "koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", 0,
	  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0 },
	{ "Shift_JIS", "\x82\xa0", 0, "\xe3\x81\x82", 0 },
	{ "iso-2022-jp", "\x1b$B$\"\x1b(B", 0, "\xe3\x81\x82", 0 },
	{ "gb2312", "\xc4\xe3\xba\xc3", 0, "\xe4\xbd\xa0\xe5\xa5\xbd", 0 },
	{ "utf-16be", "\0A\0B", 4, "AB", 0 },
	{ "utf-7", "+AOk-", 0, "\xc3\xa9", 0 },
	{ "us-ascii", "caf\xc3\xa9", 0, "caf\xc3\xa9", 0 },
	{ "us-ascii", "caf\xe9", 0, "caf\xc3\xa9", 0 },
	{ "x-unknown", "\xe9\x80", 0, "\xc3\xa9\xe2\x82\xac", 0 },
	{ "", "plain", 0, "plain", 0 },
	{ "koi8-r", "", 0, "", 0 },
};

static const struct {
	const char *s;
	size_t len;
	int valid;
	const char *name;
} valid[] = {
	{ "plain", 0, 1, "ascii" },
	{ "\xf0\x9f\x98\x80", 0, 1, "4-byte emoji" },
	{ "\xc0\xaf", 0, 0, "overlong" },
	{ "\xed\xa0\x80", 0, 0, "surrogate" },
	{ "\xf4\x90\x80\x80", 0, 0, "above U+10FFFF" },
	{ "\xe2\x82", 0, 0, "truncated" },
	{ "a\0b", 3, 1, "NUL is valid UTF-8" },
};

static const struct {
	const char *in;
	const char *out;
	const char *name;
} raw[] = {
	{ "caf\xc3\xa9", "caf\xc3\xa9", "valid UTF-8 kept" },
	{ "caf\xe9", "caf\xc3\xa9", "latin1 byte" },
	{ "\x80\x9f", "\xe2\x82\xac\xc5\xb8", "1252 specials" },
	{ "\x81", "\xc2\x81", "1252 hole as latin1" },
	{ "\xc3\xa9\xe9", "\xc3\xa9\xc3\xa9", "mixed UTF-8 and latin1" },
	{ "\xe2\x82", "\xc3\xa2\xe2\x80\x9a", "truncated UTF-8 as 1252" },
};

static const struct {
	const char *charset;
	const char *in;
	size_t len;
} streams[] = {
	{ "utf-8", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\xff", 0 },
	{ "shift_jis", "\x82\xa0\x82\xa2x\x82\xa4", 0 },
	{ "iso-2022-jp", "a\x1b$B$\"$$\x1b(Bb", 0 },
	{ "utf-16le", "A\0\x3d\xd8\x00\xde" "B\0", 8 },
	{ "x-unknown", "\xc3\xa9\xe9\xe2\x82\xac", 0 },
	{ "latin1", "\xe9t\xe9", 0 },
	{ "gb18030", "\xc4\xe3\x81\x30\x81\x30", 0 },
};

int
main(void)
{
	struct buf b = BUF_INIT, s = BUF_INIT;
	struct charset_conv c;
	struct err e;
	size_t i, j, n, nbad;
	int r;

	for (i = 0; i < ARRAY_SIZE(conv); i++) {
		n = conv[i].len ? conv[i].len : strlen(conv[i].in);
		buf_reset(&b);
		nbad = 0;
		err_clear(&e);
		r = charset_to_utf8(conv[i].charset, conv[i].in, n, 0, &b,
			&nbad, &e);
		tap_int(r, 0, conv[i].charset);
		tap_str(b.data ? b.data : "", conv[i].out, conv[i].charset);
		tap_int((long long)nbad, (long long)conv[i].nbad,
			"replaced count");
	}

	buf_reset(&b);
	err_clear(&e);
	r = charset_to_utf8("x-bogus-42", "abc", 3, 0, &b, NULL, &e);
	tap_int(r, -1, "unknown charset fails");
	tap_int(e.code, ERR_DATA, "unknown charset is ERR_DATA");
	tap_str(e.msg, "unknown charset \"x-bogus-42\"", "message");
	tap_int((long long)b.len, 0, "nothing written");
	tap_int(charset_to_utf8("utf-8?q", "a", 1, 0, &b, NULL, &e), -1,
		"name with '?' refused");
	tap_int(charset_known("x-bogus-42"), 0, "known: bogus");
	tap_int(charset_known("KOI8-U"), 1, "known: koi8-u");
	tap_int(charset_known("unknown-8bit"), 1, "known: unknown-8bit");
	tap_int(charset_is_utf8("Utf8"), 1, "is_utf8 utf8");
	tap_int(charset_is_utf8("latin1"), 0, "is_utf8 latin1");
	tap_int(charset_is_ascii("US-ASCII"), 1, "is_ascii");
	tap_int(charset_is_7bit("abc\x80", 4), 0, "7bit");

	for (i = 0; i < ARRAY_SIZE(valid); i++)
		tap_int(charset_utf8_valid(valid[i].s, valid[i].len ?
			valid[i].len : strlen(valid[i].s)), valid[i].valid,
			valid[i].name);
	for (i = 0; i < ARRAY_SIZE(raw); i++) {
		buf_reset(&b);
		charset_raw_to_utf8(raw[i].in, strlen(raw[i].in), &b);
		tap_str(b.data, raw[i].out, raw[i].name);
	}

	/* NFC: decomposed e + combining acute, Hangul jamo. */
	buf_reset(&b);
	charset_nfc("e\xcc\x81t\xc3\xa9", 6, &b);
	tap_str(b.data, "\xc3\xa9t\xc3\xa9", "NFC composes");
	buf_reset(&b);
	charset_nfc("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", 9, &b);
	tap_str(b.data, "\xed\x95\x9c", "NFC Hangul");
	buf_reset(&b);
	charset_to_utf8("iso-8859-1", "e\xcc\x81", 3, 0, &b, NULL, &e);
	buf_reset(&b);
	charset_to_utf8("utf-8", "e\xcc\x81", 3, CHARSET_NFC, &b, NULL, &e);
	tap_str(b.data, "\xc3\xa9", "to_utf8 with CHARSET_NFC");

	/* Streaming: byte by byte and in 3-byte chunks = one-shot. */
	for (i = 0; i < ARRAY_SIZE(streams); i++) {
		n = streams[i].len ? streams[i].len : strlen(streams[i].in);
		buf_reset(&b);
		charset_to_utf8(streams[i].charset, streams[i].in, n, 0, &b,
			NULL, &e);
		for (j = 1; j <= 3; j += 2) {
			size_t k;

			buf_reset(&s);
			r = charset_conv_init(&c, streams[i].charset, &e);
			for (k = 0; k < n; k += j)
				r |= charset_conv_feed(&c, streams[i].in + k,
					n - k < j ? n - k : j, &s, &e);
			r |= charset_conv_finish(&c, &s, &e);
			charset_conv_release(&c);
			tap_ok(r == 0, "stream %s by %zu ok",
				streams[i].charset, j);
			tap_mem(s.data, s.len, b.data, b.len,
				streams[i].charset);
		}
	}

	/* From UTF-8, for the composer. */
	buf_reset(&b);
	tap_int(charset_from_utf8("iso-8859-1", "caf\xc3\xa9", 5, &b, &e), 0,
		"from_utf8 latin1");
	tap_str(b.data, "caf\xe9", "from_utf8 latin1 bytes");
	buf_reset(&b);
	tap_int(charset_from_utf8("iso-8859-1", "\xe6\x97\xa5", 3, &b, &e),
		-1, "from_utf8 unmappable fails");
	tap_int(e.code, ERR_DATA, "unmappable is ERR_DATA");
	tap_int(charset_from_utf8("utf-8", "\xff", 1, &b, &e), -1,
		"from_utf8 invalid input fails");

	/* Cap. */
	buf_release(&b);
	buf_init(&b, 4);
	err_clear(&e);
	tap_int(charset_to_utf8("latin1", "\xe9\xe9\xe9", 3, 0, &b, NULL, &e),
		-1, "cap reached");
	tap_int(e.code, ERR_PROTOCOL, "cap is ERR_PROTOCOL");
	buf_reset(&b);
	tap_int(charset_to_utf8("koi8-r", "\xf0\xd2\xc9", 3, 0, &b, NULL, &e),
		-1, "cap reached through iconv");
	buf_release(&b);
	buf_release(&s);
	charset_cache_clear();
	return tap_done();
}
