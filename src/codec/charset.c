/*
 * charset.c: see charset.h.
 *
 * Three fast paths avoid iconv for the charsets most mail uses: UTF-8
 * (validated with libunistring, bad sequences replaced), windows-1252 and
 * its latin1 alias (a table), and raw 8-bit (UTF-8 where valid, else 1252).
 * Everything else goes through iconv, with descriptors cached by name.
 */
#include <config.h>

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <uninorm.h>

#include "base/util.h"
#include "codec/charset.h"

enum kind { K_ICONV, K_UTF8, K_1252, K_RAW };

static const char repl[] = "\xef\xbf\xbd";	/* U+FFFD */

/* windows-1252 0x80..0x9f; holes are read as latin1 C1 controls. */
static const unsigned short cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static const struct {
	const char *alias;
	const char *name;	/* NULL: a fast path */
	enum kind kind;
} aliases[] = {
	{ "utf-8", NULL, K_UTF8 },
	{ "utf8", NULL, K_UTF8 },
	{ "unicode-1-1-utf-8", NULL, K_UTF8 },
	{ "x-unicode20utf8", NULL, K_UTF8 },
	{ "windows-1252", NULL, K_1252 },
	{ "cp1252", NULL, K_1252 },
	{ "x-cp1252", NULL, K_1252 },
	{ "iso-8859-1", NULL, K_1252 },
	{ "iso8859-1", NULL, K_1252 },
	{ "iso_8859-1", NULL, K_1252 },
	{ "iso_8859-1:1987", NULL, K_1252 },
	{ "latin1", NULL, K_1252 },
	{ "latin-1", NULL, K_1252 },
	{ "l1", NULL, K_1252 },
	{ "cp819", NULL, K_1252 },
	{ "ibm819", NULL, K_1252 },
	{ "us-ascii", NULL, K_RAW },
	{ "ascii", NULL, K_RAW },
	{ "ansi_x3.4-1968", NULL, K_RAW },
	{ "iso646-us", NULL, K_RAW },
	{ "us", NULL, K_RAW },
	{ "", NULL, K_RAW },
	{ "x-unknown", NULL, K_RAW },
	{ "unknown", NULL, K_RAW },
	{ "unknown-8bit", NULL, K_RAW },
	{ "x-user-defined", NULL, K_RAW },
	{ "8bit", NULL, K_RAW },
	{ "default", NULL, K_RAW },
	{ "ks_c_5601-1987", "CP949", K_ICONV },
	{ "ks_c_5601", "CP949", K_ICONV },
	{ "euc-kr", "CP949", K_ICONV },
	{ "gb2312", "GB18030", K_ICONV },
	{ "gbk", "GB18030", K_ICONV },
	{ "x-gbk", "GB18030", K_ICONV },
	{ "cn-gb", "GB18030", K_ICONV },
	{ "shift_jis", "CP932", K_ICONV },
	{ "shift-jis", "CP932", K_ICONV },
	{ "x-sjis", "CP932", K_ICONV },
	{ "sjis", "CP932", K_ICONV },
	{ "iso-8859-8-i", "ISO-8859-8", K_ICONV },
	{ "iso-8859-6-i", "ISO-8859-6", K_ICONV },
	{ "x-mac-roman", "MACINTOSH", K_ICONV },
	{ "macintosh", "MACINTOSH", K_ICONV },
	{ "tis-620", "CP874", K_ICONV },
	{ "iso-8859-11", "CP874", K_ICONV },
	{ "windows-874", "CP874", K_ICONV },
	{ "big5", "BIG5-HKSCS", K_ICONV },
	{ "x-big5", "BIG5-HKSCS", K_ICONV },
};

/* Lowercase, unquoted, trimmed copy of a charset name in a fixed buffer;
 * 0, or -1 if it does not fit or holds bytes no charset name has. */
static int
clean_name(const char *name, char *out, size_t size)
{
	size_t n = strlen(name), i, j;

	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t' ||
	    name[n - 1] == '"' || name[n - 1] == '\''))
		n--;
	while (n && (*name == ' ' || *name == '\t' || *name == '"' ||
	    *name == '\'')) {
		name++;
		n--;
	}
	if (n >= size)
		return -1;
	for (i = j = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c >= 127 || c == '/' || c == '?')
			return -1;
		out[j++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[j] = '\0';
	return 0;
}

/* Resolve a name to a kind and, for iconv, the name to open. */
static int
resolve(const char *name, enum kind *kind, const char **iname, char *tmp,
	size_t size)
{
	size_t i;

	if (clean_name(name, tmp, size) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (strcmp(tmp, aliases[i].alias) == 0) {
			*kind = aliases[i].kind;
			*iname = aliases[i].name;
			return 0;
		}
	}
	*kind = K_ICONV;
	*iname = tmp;
	return 0;
}

/* A small cache of iconv descriptors to UTF-8, by cleaned name. A user
 * takes a descriptor out and puts it back when done, so two users never
 * share one. */
#define CACHE_SIZE 8
static struct {
	char name[64];
	iconv_t cd;
} cache[CACHE_SIZE];
static unsigned int cache_next;

static iconv_t
cd_get(const char *iname)
{
	size_t i;

	for (i = 0; i < CACHE_SIZE; i++) {
		if (cache[i].name[0] && strcmp(cache[i].name, iname) == 0) {
			iconv_t cd = cache[i].cd;

			cache[i].name[0] = '\0';
			return cd;
		}
	}
	return iconv_open("UTF-8", iname);
}

static void
cd_put(const char *iname, iconv_t cd)
{
	unsigned int i = cache_next++ % CACHE_SIZE;

	if (strlen(iname) >= sizeof cache[i].name) {
		iconv_close(cd);
		return;
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	if (cache[i].name[0])
		iconv_close(cache[i].cd);
	strcpy(cache[i].name, iname);
	cache[i].cd = cd;
}

void
charset_cache_clear(void)
{
	size_t i;

	for (i = 0; i < CACHE_SIZE; i++) {
		if (cache[i].name[0])
			iconv_close(cache[i].cd);
		cache[i].name[0] = '\0';
	}
}

int
charset_known(const char *name)
{
	char tmp[64];
	const char *iname;
	enum kind kind;
	iconv_t cd;

	if (resolve(name, &kind, &iname, tmp, sizeof tmp) < 0)
		return 0;
	if (kind != K_ICONV)
		return 1;
	cd = cd_get(iname);
	if (cd == (iconv_t)-1)
		return 0;
	cd_put(iname, cd);
	return 1;
}

int
charset_is_utf8(const char *name)
{
	char tmp[64];
	const char *iname;
	enum kind kind;

	return resolve(name, &kind, &iname, tmp, sizeof tmp) == 0 &&
		kind == K_UTF8;
}

int
charset_is_ascii(const char *name)
{
	char tmp[64];

	if (clean_name(name, tmp, sizeof tmp) < 0)
		return 0;
	return strcmp(tmp, "us-ascii") == 0 || strcmp(tmp, "ascii") == 0 ||
		strcmp(tmp, "ansi_x3.4-1968") == 0 ||
		strcmp(tmp, "iso646-us") == 0 || strcmp(tmp, "us") == 0;
}

int
charset_is_7bit(const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] & 0x80)
			return 0;
	return 1;
}

int
charset_utf8_valid(const void *s, size_t len)
{
	return u8_check(s, len) == NULL;
}

/* Append the UTF-8 form of a code point below 0x10000. */
static int
add_ucs(struct buf *out, unsigned int u)
{
	char t[3];

	if (u < 0x80)
		return buf_addch(out, (int)u);
	if (u < 0x800) {
		t[0] = (char)(0xc0 | u >> 6);
		t[1] = (char)(0x80 | (u & 63));
		return buf_add(out, t, 2);
	}
	t[0] = (char)(0xe0 | u >> 12);
	t[1] = (char)(0x80 | ((u >> 6) & 63));
	t[2] = (char)(0x80 | (u & 63));
	return buf_add(out, t, 3);
}

static int
add_1252(struct buf *out, unsigned char c)
{
	return add_ucs(out, c >= 0x80 && c < 0xa0 ? cp1252[c - 0x80] : c);
}

/* Length of the run of ASCII bytes at p. */
static size_t
ascii_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/*
 * Convert UTF-8-ish bytes: valid sequences are kept; an invalid byte
 * becomes U+FFFD (strict) or its windows-1252 reading (raw). If final is
 * 0, an incomplete sequence at the end is left unconsumed. Returns the
 * number of bytes consumed, or -1 on out's cap.
 */
static long
conv_utf8(const unsigned char *p, size_t n, int raw, int final,
	struct buf *out, size_t *nbad)
{
	size_t i = 0;

	while (i < n) {
		size_t a = ascii_run(p + i, n - i);
		ucs4_t uc;
		int k;

		if (a) {
			if (buf_add(out, p + i, a) < 0)
				return -1;
			i += a;
			continue;
		}
		k = u8_mbtoucr(&uc, p + i, n - i);
		if (k > 0) {
			if (buf_add(out, p + i, (size_t)k) < 0)
				return -1;
			i += (size_t)k;
			continue;
		}
		if (k == -2 && !final)
			break;
		if (raw) {
			if (add_1252(out, p[i]) < 0)
				return -1;
		} else {
			if (nbad)
				(*nbad)++;
			if (buf_add(out, repl, 3) < 0)
				return -1;
		}
		i++;
	}
	return (long)i;
}

static int
conv_1252(const unsigned char *p, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		size_t a = ascii_run(p + i, n - i);

		if (a) {
			if (buf_add(out, p + i, a) < 0)
				return -1;
			i += a;
			continue;
		}
		if (add_1252(out, p[i++]) < 0)
			return -1;
	}
	return 0;
}

int
charset_raw_to_utf8(const void *s, size_t len, struct buf *out)
{
	return conv_utf8(s, len, 1, 1, out, NULL) < 0 ? -1 : 0;
}

/*
 * Run iconv over p; stops at an incomplete sequence at the end unless
 * final. Returns bytes consumed or -1 on out's cap.
 */
static long
conv_iconv(iconv_t cd, const unsigned char *p, size_t n, int final,
	struct buf *out, size_t *nbad)
{
	char *ip = (char *)(uintptr_t)p;
	size_t il = n, start = out->len;

	while (il) {
		size_t room = il * 4 + 16, ol, r;
		char *op;

		if (room > 65536)
			room = 65536;
		if (buf_grow(out, room) < 0) {
			room = out->cap - out->len;
			if (room == 0 || buf_grow(out, room) < 0)
				return -1;
		}
		op = out->data + out->len;
		ol = room;
		r = iconv(cd, &ip, &il, &op, &ol);
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			if (ol == room && out->len == out->cap)
				return -1;
			if (out->len + 16 > out->cap && ol == room)
				return -1;
			continue;
		}
		if (errno == EINVAL && !final)
			break;
		/* EILSEQ, or a truncated sequence at the very end. */
		if (nbad)
			(*nbad)++;
		if (buf_add(out, repl, 3) < 0)
			return -1;
		ip++;
		il--;
		if (errno == EINVAL)
			break;
	}
	if (final) {
		/* Let stateful encodings write their reset sequence. */
		char tail[32], *op = tail;
		size_t ol = sizeof tail;

		if (il) {
			if (nbad)
				(*nbad)++;
			if (buf_add(out, repl, 3) < 0)
				return -1;
			ip += il;
			il = 0;
		}
		iconv(cd, NULL, NULL, &op, &ol);
		if (buf_add(out, tail, (size_t)(op - tail)) < 0)
			return -1;
	}
	/* glibc passes some invalid sequences through (5- and 6-byte forms
	 * when a name iconv reads as UTF-8 slips past our aliases): the
	 * output must be valid UTF-8 all the same. */
	if (out->len > start &&
	    !charset_utf8_valid(out->data + start, out->len - start)) {
		char *bad = xmemdup(out->data + start, out->len - start);
		size_t blen = out->len - start;
		long r;

		buf_truncate(out, start);
		r = conv_utf8((const unsigned char *)bad, blen, 0, 1, out,
			nbad);
		free(bad);
		if (r < 0)
			return -1;
	}
	return (long)(ip - (char *)(uintptr_t)p);
}

int
charset_conv_init(struct charset_conv *c, const char *charset,
	struct err *e)
{
	char tmp[64];
	const char *iname;
	enum kind kind;

	memset(c, 0, sizeof *c);
	if (resolve(charset, &kind, &iname, tmp, sizeof tmp) < 0)
		return err_set(e, ERR_DATA, "unknown charset \"%.64s\"",
			charset);
	c->kind = kind;
	if (kind == K_ICONV) {
		iconv_t cd = cd_get(iname);

		if (cd == (iconv_t)-1)
			return err_set(e, ERR_DATA, "unknown charset \"%s\"",
				tmp);
		c->cd = cd;
		c->name = xstrdup(iname);
	}
	return 0;
}

static int
too_long(struct err *e)
{
	return err_set(e, ERR_PROTOCOL, "text too long");
}

/* Convert pend + in: the pending bytes first, completed by the head of in
 * as needed. */
static int
conv_feed(struct charset_conv *c, const unsigned char *in, size_t len,
	int final, struct buf *out, struct err *e)
{
	long used;

	if (c->kind == K_1252)
		return conv_1252(in, len, out) < 0 ? too_long(e) : 0;
	while (c->npend) {
		/* Complete the pending sequence with a few bytes of in. */
		unsigned char tmp[sizeof c->pend + 8];
		size_t take = len < 8 ? len : 8, have = c->npend;

		memcpy(tmp, c->pend, have);
		memcpy(tmp + have, in, take);
		if (c->kind == K_ICONV)
			used = conv_iconv(c->cd, tmp, have + take,
				final && take == len, out, &c->nbad);
		else
			used = conv_utf8(tmp, have + take, c->kind == K_RAW,
				final && take == len, out, &c->nbad);
		if (used < 0)
			return too_long(e);
		if ((size_t)used < have) {
			have -= (size_t)used;
			memmove(c->pend, c->pend + used, have);
			c->npend = have;
			if (take == len && have + take <= sizeof c->pend) {
				/* Still incomplete: wait for more input. */
				memcpy(c->pend + have, in, take);
				c->npend = have + take;
				return 0;
			}
			/* Incomplete despite more input: drop a byte. */
			c->nbad++;
			memmove(c->pend, c->pend + 1, --c->npend);
			if (buf_add(out, repl, 3) < 0)
				return too_long(e);
			continue;
		}
		c->npend = 0;
		in += (size_t)used - have;
		len -= (size_t)used - have;
	}
	if (c->kind == K_ICONV)
		used = conv_iconv(c->cd, in, len, final, out, &c->nbad);
	else
		used = conv_utf8(in, len, c->kind == K_RAW, final, out,
			&c->nbad);
	if (used < 0)
		return too_long(e);
	if ((size_t)used < len) {
		size_t rest = len - (size_t)used;

		if (rest > sizeof c->pend) {
			c->nbad++;
			return buf_add(out, repl, 3) < 0 ? too_long(e) : 0;
		}
		memcpy(c->pend, in + used, rest);
		c->npend = rest;
	}
	return 0;
}

int
charset_conv_feed(struct charset_conv *c, const void *in, size_t len,
	struct buf *out, struct err *e)
{
	return conv_feed(c, in ? in : "", len, 0, out, e);
}

int
charset_conv_finish(struct charset_conv *c, struct buf *out, struct err *e)
{
	int r = conv_feed(c, (const unsigned char *)"", 0, 1, out, e);

	c->npend = 0;
	return r;
}

void
charset_conv_release(struct charset_conv *c)
{
	if (c->cd) {
		cd_put(c->name, (iconv_t)c->cd);
		c->cd = NULL;
	}
	free(c->name);
	c->name = NULL;
}

int
charset_to_utf8(const char *charset, const void *in, size_t len,
	unsigned int flags, struct buf *out, size_t *nbad, struct err *e)
{
	struct charset_conv c;
	size_t start = out->len;
	int r = -1;

	if (charset_conv_init(&c, charset, e) < 0)
		return -1;
	if (conv_feed(&c, in ? in : "", len, 1, out, e) < 0)
		goto out;
	if ((flags & CHARSET_NFC) && out->len > start) {
		struct buf tmp = BUF_INIT;

		if (charset_nfc(out->data + start, out->len - start, &tmp) < 0)
			goto out;
		buf_truncate(out, start);
		if (buf_add(out, tmp.data, tmp.len) < 0) {
			buf_release(&tmp);
			too_long(e);
			goto out;
		}
		buf_release(&tmp);
	}
	if (nbad)
		*nbad += c.nbad;
	r = 0;
out:
	charset_conv_release(&c);
	return r;
}

int
charset_nfc(const void *s, size_t len, struct buf *out)
{
	struct buf fixed = BUF_INIT;
	const uint8_t *p = s;
	uint8_t *n;
	size_t nlen = 0;
	int r;

	if (charset_is_7bit(s, len))
		return buf_add(out, s, len);
	if (u8_check(p, len)) {
		charset_raw_to_utf8(s, len, &fixed);
		p = (const uint8_t *)fixed.data;
		len = fixed.len;
	}
	n = u8_normalize(UNINORM_NFC, p, len, NULL, &nlen);
	if (!n)
		r = buf_add(out, p, len);
	else
		r = buf_add(out, n, nlen);
	free(n);
	buf_release(&fixed);
	return r;
}

int
charset_from_utf8(const char *charset, const void *in, size_t len,
	struct buf *out, struct err *e)
{
	char tmp[64];
	const char *iname;
	enum kind kind;
	iconv_t cd;
	char *ip = (char *)(uintptr_t)in;
	size_t il = len;
	int r = -1;

	if (!charset_utf8_valid(in, len))
		return err_set(e, ERR_DATA, "text is not valid UTF-8");
	if (resolve(charset, &kind, &iname, tmp, sizeof tmp) < 0)
		return err_set(e, ERR_DATA, "unknown charset \"%.64s\"",
			charset);
	if (kind == K_UTF8 || (kind == K_RAW && charset_is_7bit(in, len)))
		return buf_add(out, in, len) < 0 ? too_long(e) : 0;
	if (kind == K_1252)
		iname = strstr(tmp, "1252") ? "WINDOWS-1252" : "ISO-8859-1";
	else if (kind == K_RAW)
		iname = "US-ASCII";
	cd = iconv_open(iname, "UTF-8");
	if (cd == (iconv_t)-1)
		return err_set(e, ERR_DATA, "unknown charset \"%s\"", tmp);
	while (il) {
		size_t room = il * 4 + 16, ol;
		char *op;

		if (buf_grow(out, room) < 0) {
			too_long(e);
			goto out;
		}
		op = out->data + out->len;
		ol = room;
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != E2BIG) {
			err_set(e, ERR_DATA, "text cannot be written in %s",
				tmp);
			goto out;
		}
		out->len = (size_t)(op - out->data);
		out->data[out->len] = '\0';
	}
	{
		char tail[32], *op = tail;
		size_t ol = sizeof tail;

		iconv(cd, NULL, NULL, &op, &ol);
		if (buf_add(out, tail, (size_t)(op - tail)) < 0) {
			too_long(e);
			goto out;
		}
	}
	r = 0;
out:
	iconv_close(cd);
	return r;
}
