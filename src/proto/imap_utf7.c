/*
 * imap_utf7.c: modified UTF-7 folder names (see imap_utf7.h).
 *
 * RFC 3501 5.1.3 (RFC 9051 keeps it for servers without UTF8=ACCEPT),
 * RFC 2152 (UTF-7), RFC 2781 (UTF-16 surrogates).
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "proto/imap_utf7.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* The next code point of UTF-8 s, or -1 (malformed, overlong, surrogate,
 * past U+10FFFF). */
static long
utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	long cp, min;
	size_t n, k;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1; cp = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2; cp = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3; cp = c & 0x07; min = 0x10000;
	} else {
		return -1;
	}
	for (k = 1; k <= n; k++) {
		if (*i + k >= len || (s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += n + 1;
	return cp;
}

static void
flush_bits(struct buf *out, uint32_t *bits, int *nbits, int final)
{
	while (*nbits >= 6) {
		*nbits -= 6;
		buf_addch(out, b64[(*bits >> *nbits) & 0x3f]);
	}
	if (final && *nbits > 0) {
		buf_addch(out, b64[(*bits << (6 - *nbits)) & 0x3f]);
		*nbits = 0;
	}
}

int
imap_utf7_encode(const char *s, size_t len, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = out->len;
	int shifted = 0, nbits = 0;
	uint32_t bits = 0;

	while (i < len) {
		long cp = utf8_next(u, len, &i);

		if (cp < 0) {
			buf_truncate(out, start);
			return -1;
		}
		if (cp >= 0x20 && cp <= 0x7e) {
			if (shifted) {
				flush_bits(out, &bits, &nbits, 1);
				buf_addch(out, '-');
				shifted = 0;
			}
			if (cp == '&')
				buf_addstr(out, "&-");
			else
				buf_addch(out, (int)cp);
			continue;
		}
		if (!shifted) {
			buf_addch(out, '&');
			shifted = 1;
		}
		if (cp >= 0x10000) {
			long v = cp - 0x10000;
			uint32_t hi = 0xd800 + (uint32_t)(v >> 10);
			uint32_t lo = 0xdc00 + (uint32_t)(v & 0x3ff);

			bits = (bits << 16) | hi;
			nbits += 16;
			flush_bits(out, &bits, &nbits, 0);
			bits = (bits << 16) | lo;
		} else {
			bits = (bits << 16) | (uint32_t)cp;
		}
		nbits += 16;
		flush_bits(out, &bits, &nbits, 0);
	}
	if (shifted) {
		flush_bits(out, &bits, &nbits, 1);
		buf_addch(out, '-');
	}
	return 0;
}

static int
b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

static void
put_utf8(struct buf *out, uint32_t cp)
{
	char t[4];

	if (cp < 0x80) {
		buf_addch(out, (int)cp);
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, t, 3);
	} else {
		t[0] = (char)(0xf0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, t, 4);
	}
}

int
imap_utf7_decode(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, start = out->len;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		uint32_t bits = 0, hi = 0;
		int nbits = 0, units = 0;

		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (c != '&') {
			buf_addch(out, c);
			i++;
			continue;
		}
		i++;
		if (i < len && s[i] == '-') {
			buf_addch(out, '&');
			i++;
			continue;
		}
		for (; i < len && s[i] != '-'; i++) {
			int v = b64_value(s[i]);

			if (v < 0)
				goto bad;
			bits = (bits << 6) | (uint32_t)v;
			nbits += 6;
			if (nbits < 16)
				continue;
			nbits -= 16;
			{
				uint32_t u16 = (bits >> nbits) & 0xffff;

				units++;
				if (hi) {
					if (u16 < 0xdc00 || u16 > 0xdfff)
						goto bad;
					put_utf8(out, 0x10000 + ((hi - 0xd800)
						<< 10) + (u16 - 0xdc00));
					hi = 0;
				} else if (u16 >= 0xd800 && u16 <= 0xdbff) {
					hi = u16;
				} else if (u16 >= 0xdc00 && u16 <= 0xdfff) {
					goto bad;
				} else if (u16 >= 0x20 && u16 <= 0x7e) {
					/* must have been written plain */
					goto bad;
				} else {
					put_utf8(out, u16);
				}
			}
		}
		/* closed by '-', whole units, zero padding, no half pair */
		if (i >= len || units == 0 || hi || nbits >= 6 ||
		    (bits & ((1u << nbits) - 1)))
			goto bad;
		i++;
	}
	return 0;
bad:
	buf_truncate(out, start);
	return -1;
}
