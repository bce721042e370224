/* fuzz_charset: conversion from many charsets gives valid UTF-8, streaming
 * matches one-shot for the charsets with fast paths, raw and NFC. The
 * first byte picks the charset. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const charsets[] = {
	"utf-8", "us-ascii", "iso-8859-1", "windows-1252", "x-unknown",
	"koi8-r", "shift_jis", "iso-2022-jp", "gb2312", "big5", "euc-kr",
	"utf-16", "utf-16le", "utf-7", "iso-8859-15", "gb18030", "euc-jp",
	"utf-32", "cp1251", "bogus-charset",
};

static void
valid(const struct buf *b)
{
	if (!charset_utf8_valid(b->data, b->len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf one = BUF_INIT, st = BUF_INIT, t = BUF_INIT;
	struct charset_conv c;
	struct err e;
	const char *cs;
	size_t i, step;
	int r;

	if (size < 2)
		return 0;
	cs = charsets[data[0] % (sizeof charsets / sizeof *charsets)];
	step = data[1] % 7 + 1;
	data += 2;
	size -= 2;

	r = charset_to_utf8(cs, data, size, data[-1] & 0x80 ? CHARSET_NFC : 0,
		&one, NULL, &e);
	if (r == 0)
		valid(&one);
	if (charset_conv_init(&c, cs, &e) == 0) {
		for (i = 0; i < size; i += step)
			charset_conv_feed(&c, data + i, size - i < step ?
				size - i : step, &st, &e);
		charset_conv_finish(&c, &st, &e);
		charset_conv_release(&c);
		valid(&st);
		if (!(data[-1] & 0x80) && (charset_is_utf8(cs) ||
		    !strcmp(cs, "x-unknown") || !strcmp(cs, "us-ascii") ||
		    !strcmp(cs, "windows-1252")) &&
		    (st.len != one.len || (one.len && memcmp(st.data, one.data,
	    one.len))))
			abort();
	}
	charset_raw_to_utf8(data, size, &t);
	valid(&t);
	if (charset_utf8_valid(data, size) &&
	    (t.len != size || (size && memcmp(t.data, data, size))))
		abort();
	buf_reset(&t);
	charset_nfc(data, size, &t);
	valid(&t);
	buf_reset(&t);
	if (charset_utf8_valid(data, size))
		charset_from_utf8(cs, data, size, &t, &e);
	buf_release(&one);
	buf_release(&st);
	buf_release(&t);
	return 0;
}
