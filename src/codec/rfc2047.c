/*
 * rfc2047.c: see rfc2047.h.
 *
 * RFC 2047 (encoded words), RFC 2231 section 5 (charset*language), RFC 5322
 * section 3.2.2 (folding), RFC 6532 (raw UTF-8 in headers).
 */
#include <config.h>

#include <string.h>

#include "base/util.h"
#include "codec/base64.h"
#include "codec/charset.h"
#include "codec/rfc2047.h"

static int
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct word {
	const char *cs;		/* charset, without *lang */
	size_t cslen;
	int enc;		/* 'B' or 'Q' */
	const char *text;
	size_t textlen;
	size_t len;		/* whole word, "=?" to "?=" */
	const char *dead;	/* on failure: no word starts before this */
};

/* Recognise an encoded word at p (which starts with "=?"). */
static int
parse_word(const char *p, const char *end, struct word *w)
{
	const char *q = p + 2, *cs = q, *star = NULL, *t;

	w->dead = NULL;
	while (q < end && *q != '?') {
		unsigned char c = (unsigned char)*q;

		if (c <= ' ' || c >= 127 || c == '=' || c == '"' ||
		    c == '(' || c == ')')
			return -1;
		if (c == '*' && !star)
			star = q;
		q++;
	}
	if (q == cs || q + 3 > end || q[2] != '?')
		return -1;
	w->cs = cs;
	w->cslen = (size_t)((star ? star : q) - cs);
	if (w->cslen == 0)
		return -1;
	w->enc = q[1] == 'b' || q[1] == 'B' ? 'B' :
		q[1] == 'q' || q[1] == 'Q' ? 'Q' : 0;
	if (!w->enc)
		return -1;
	t = q + 3;
	for (q = t; q + 1 < end; q++) {
		unsigned char c = (unsigned char)*q;

		if (c == '?' && q[1] == '=') {
			w->text = t;
			w->textlen = (size_t)(q - t);
			w->len = (size_t)(q + 2 - p);
			return 0;
		}
		if (c <= ' ' || c >= 127)
			break;
	}
	/* No "?=" from t to q: a word starting anywhere before q would
	 * have to end in that stretch, so none can (this keeps decoding
	 * linear on "=?a?q?=?a?q?..." ). */
	w->dead = q;
	return -1;
}

/* parse_word, skipping starts known to fail. */
static int
find_word(const char *p, const char *end, struct word *w, const char **dead)
{
	if (p < *dead)
		return -1;
	if (parse_word(p, end, w) == 0)
		return 0;
	if (w->dead)
		*dead = w->dead;
	return -1;
}

/* Append the octets of an encoded word's text to raw. */
static int
word_octets(const struct word *w, struct buf *raw)
{
	size_t i;

	if (w->enc == 'B')
		return b64_decode(w->text, w->textlen, raw);
	for (i = 0; i < w->textlen; i++) {
		unsigned char c = (unsigned char)w->text[i];
		int h, l;

		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < w->textlen &&
		    (h = hex_value((unsigned char)w->text[i + 1])) >= 0 &&
		    (l = hex_value((unsigned char)w->text[i + 2])) >= 0) {
			c = (unsigned char)(h << 4 | l);
			i += 2;
		}
		if (buf_addch(raw, c) < 0)
			return -1;
	}
	return 0;
}

struct pending {
	char cs[64];		/* charset of the octets held, "" if none */
	struct buf raw;		/* octets of adjacent words, not converted */
	unsigned int flags;	/* RFC2047_KEEP_CTL */
};

static int
flush_words(struct pending *pw, struct buf *out)
{
	size_t start = out->len, i;
	struct err e;
	int r = 0;

	if (!pw->cs[0] && !pw->raw.len)
		return 0;
	if (charset_to_utf8(pw->cs, pw->raw.data ? pw->raw.data : "",
	    pw->raw.len, 0, out, NULL, &e) < 0) {
		if (e.code != ERR_DATA)
			r = -1;
		else
			r = charset_raw_to_utf8(pw->raw.data, pw->raw.len,
				out);
	}
	/* Decoded text never carries a line break or a NUL, unless the
	 * caller takes the octets as they are. */
	for (i = start; i < out->len && !(pw->flags & RFC2047_KEEP_CTL); i++)
		if (out->data[i] == '\r' || out->data[i] == '\n' ||
		    out->data[i] == '\0')
			out->data[i] = ' ';
	pw->cs[0] = '\0';
	buf_reset(&pw->raw);
	return r;
}

/* Append text outside encoded words: unfold, read 8-bit as RFC 6532. */
static int
add_text(const char *p, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && p[j] != '\r' && p[j] != '\n' &&
		    !(p[j] & 0x80))
			j++;
		if (j > i && buf_add(out, p + i, j - i) < 0)
			return -1;
		if (j == n)
			break;
		if (p[j] == '\r' || p[j] == '\n') {
			j++;
		} else {
			size_t k = j;

			while (k < n && (p[k] & 0x80))
				k++;
			if (charset_raw_to_utf8(p + j, k - j, out) < 0)
				return -1;
			j = k;
		}
		i = j;
	}
	return 0;
}

int
rfc2047_has_words(const char *in, size_t len)
{
	const char *p = in ? in : "", *end = p + len, *dead = p;
	struct word w;

	while ((p = memchr(p, '=', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == '?' &&
		    find_word(p, end, &w, &dead) == 0)
			return 1;
		p++;
	}
	return 0;
}

int
rfc2047_decode(const char *in, size_t len, struct buf *out)
{
	return rfc2047_decode_flags(in, len, 0, out);
}

int
rfc2047_decode_flags(const char *in, size_t len, unsigned int flags,
	struct buf *out)
{
	const char *p = in ? in : "", *end = p + len;
	const char *ws = NULL;	/* blanks after a word, held */
	const char *dead = p;
	struct pending pw;
	struct word w;
	int r = -1;

	pw.cs[0] = '\0';
	pw.flags = flags;
	buf_init(&pw.raw, out->cap);
	while (p < end) {
		const char *q;

		if (*p == '=' && p + 1 < end && p[1] == '?' &&
		    find_word(p, end, &w, &dead) == 0) {
			size_t n = w.cslen < sizeof pw.cs ? w.cslen :
				sizeof pw.cs - 1;

			/* Blanks between adjacent words are dropped. */
			ws = NULL;
			if (!pw.cs[0] || mem_casecmp(pw.cs, w.cs, n) != 0 ||
			    pw.cs[n] != '\0') {
				if (flush_words(&pw, out) < 0)
					goto out;
				memcpy(pw.cs, w.cs, n);
				pw.cs[n] = '\0';
			}
			if (word_octets(&w, &pw.raw) < 0)
				goto out;
			p += w.len;
			continue;
		}
		if (is_wsp((unsigned char)*p) && pw.cs[0]) {
			/* Hold blanks after a word until we see what's next. */
			ws = p;
			while (p < end && is_wsp((unsigned char)*p))
				p++;
			continue;
		}
		if (flush_words(&pw, out) < 0)
			goto out;
		if (ws && add_text(ws, (size_t)(p - ws), out) < 0)
			goto out;
		ws = NULL;
		/* Plain text up to the next possible word start. */
		q = p + 1;
		while (q < end && *q != '=')
			q++;
		if (add_text(p, (size_t)(q - p), out) < 0)
			goto out;
		p = q;
	}
	if (flush_words(&pw, out) < 0)
		goto out;
	if (ws && add_text(ws, (size_t)(end - ws), out) < 0)
		goto out;
	r = 0;
out:
	buf_release(&pw.raw);
	return r;
}

/* ---- encoding ---- */

/* RFC 5322 atext. */
static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~",
		c) != NULL);
}

/* May c stand for itself in Q text? */
static int
q_plain(unsigned char c, int phrase)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	if (phrase)
		return c && strchr("!*+-/", c) != NULL;
	return c > ' ' && c < 127 && c != '=' && c != '?' && c != '_';
}

/* Length in bytes of the UTF-8 character at p (valid input). */
static size_t
u8len(const unsigned char *p, size_t n)
{
	size_t k = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

	return k > n ? n : k;
}

/* Remove n bytes at offset at. */
static void
buf_consume_at(struct buf *b, size_t at, size_t n)
{
	memmove(b->data + at, b->data + at + n, b->len - at - n + 1);
	b->len -= n;
}

#define EW_MAX 75
#define EW_OVERHEAD 12	/* "=?UTF-8?Q?" "?=" */
#define LINE_MAX_COL 78

struct enc {
	struct buf *out;
	size_t col;
	unsigned int flags;
	int first;		/* nothing written yet */
};

static int
put_eol(struct enc *e)
{
	e->col = 0;
	return e->flags & RFC2047_LF ? buf_addch(e->out, '\n') :
		buf_add(e->out, "\r\n", 2);
}

/* Write a token, preceded by the blanks sep (or a fold if it would pass
 * the line limit). A fold needs at least one blank before the token. */
static int
put_token(struct enc *e, const char *sep, size_t seplen, const char *tok,
	size_t toklen)
{
	if (!e->first && seplen && !(e->flags & RFC2047_NOFOLD) &&
	    e->col + seplen + toklen > LINE_MAX_COL && e->col > 1) {
		if (put_eol(e) < 0)
			return -1;
	}
	if (buf_add(e->out, sep, seplen) < 0 ||
	    buf_add(e->out, tok, toklen) < 0)
		return -1;
	e->col += seplen + toklen;
	e->first = 0;
	return 0;
}

static size_t
q_cost(const unsigned char *p, size_t n, int phrase)
{
	size_t i, cost = 0;

	for (i = 0; i < n; i++)
		cost += p[i] == ' ' || q_plain(p[i], phrase) ? 1 : 3;
	return cost;
}

/* Encode the UTF-8 text p[0..n) as one or more encoded words, the first
 * preceded by sep. */
static int
put_encoded(struct enc *e, const char *sep, size_t seplen,
	const unsigned char *p, size_t n)
{
	int phrase = e->flags & RFC2047_PHRASE;
	int useb = (n + 2) / 3 * 4 < q_cost(p, n, phrase);
	char word[EW_MAX + 1];
	size_t i = 0;

	while (i < n) {
		size_t wl, start = i, avail = EW_MAX - EW_OVERHEAD;
		struct buf tmp = BUF_INIT;

		if (!(e->flags & RFC2047_NOFOLD)) {
			/* Fold first if little room is left on the line,
			 * else size the word to fit what is left. */
			size_t used = e->col + seplen + EW_OVERHEAD;

			if (!e->first && used + 16 > LINE_MAX_COL) {
				if (put_eol(e) < 0)
					return -1;
				used = e->col + seplen + EW_OVERHEAD;
			}
			if (used + avail > LINE_MAX_COL)
				avail = used + 16 > LINE_MAX_COL ? 16 :
					LINE_MAX_COL - used;
		}

		memcpy(word, useb ? "=?UTF-8?B?" : "=?UTF-8?Q?", 10);
		wl = 10;
		if (useb) {
			/* 63 characters of base64 carry 45 octets. */
			size_t lim = avail / 4 * 3;

			while (i < n) {
				size_t k = u8len(p + i, n - i);

				if (i - start + k > lim)
					break;
				i += k;
			}
			if (i == start)
				i += u8len(p + i, n - i);
			b64_encode(p + start, i - start, 0, 0, &tmp);
			memcpy(word + wl, tmp.data, tmp.len);
			wl += tmp.len;
			buf_release(&tmp);
		} else {
			size_t used = 0;

			while (i < n) {
				size_t k = u8len(p + i, n - i), c, j;

				c = k == 1 && (p[i] == ' ' ||
					q_plain(p[i], phrase)) ? 1 : 3 * k;
				if (used + c > avail && used)
					break;
				for (j = 0; j < k; j++) {
					unsigned char ch = p[i + j];

					if (c == 1) {
						word[wl++] = ch == ' ' ? '_' :
							(char)ch;
					} else {
						word[wl++] = '=';
						hex_byte(word + wl, ch,
							HEX_UPPER);
						wl += 2;
					}
				}
				used += c;
				i += k;
			}
		}
		word[wl++] = '?';
		word[wl++] = '=';
		if (buf_add(e->out, sep, seplen) < 0 ||
		    buf_add(e->out, word, wl) < 0)
			return -1;
		e->col += seplen + wl;
		e->first = 0;
		sep = " ";
		seplen = 1;
	}
	return 0;
}

/* Does this word of the text need encoding? */
static int
needs_encoding(const unsigned char *p, size_t n, int phrase)
{
	size_t i;

	if (n >= 2 && p[0] == '=' && p[1] == '?')
		return 1;
	for (i = 0; i < n; i++) {
		if (p[i] >= 0x80 || p[i] < ' ' || p[i] == 127)
			return 1;
		if (phrase && !is_atext(p[i]))
			return 1;
		if (i + 1 < n && p[i] == '=' && p[i + 1] == '?')
			return 1;
	}
	return 0;
}

/* Pure ASCII phrase that is not all atoms: a quoted string. */
static int
put_quoted(struct enc *e, const unsigned char *p, size_t n)
{
	struct buf q = BUF_INIT;
	size_t i;
	int r;

	buf_addch(&q, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			buf_addch(&q, '\\');
		buf_addch(&q, p[i]);
	}
	buf_addch(&q, '"');
	r = put_token(e, "", 0, q.data, q.len);
	buf_release(&q);
	return r;
}

int
rfc2047_encode(const char *utf8, size_t len, size_t col, unsigned int flags,
	struct buf *out)
{
	struct buf text = BUF_INIT;
	const unsigned char *p, *end;
	struct enc e = { out, col, flags, 1 };
	int phrase = flags & RFC2047_PHRASE;
	int r = -1;
	size_t i;

	/* Repair; unfold; other line breaks become spaces. */
	charset_raw_to_utf8(utf8, len, &text);
	for (i = 0; i < text.len; i++) {
		char c = text.data[i];

		if (c == '\r' && i + 1 < text.len && text.data[i + 1] == '\n')
			buf_consume_at(&text, i--, 1);
		else if (c == '\n' && i + 1 < text.len &&
		    (text.data[i + 1] == ' ' || text.data[i + 1] == '\t'))
			buf_consume_at(&text, i--, 1);
		else if (c == '\r' || c == '\n')
			text.data[i] = ' ';
	}
	p = (const unsigned char *)(text.data ? text.data : "");
	end = p + text.len;

	if (phrase && charset_is_7bit(p, text.len) &&
	    !memmem(p, text.len, "=?", 2)) {
		int atoms = 1;

		for (i = 0; i < text.len; i++)
			if (!is_atext(p[i]) && p[i] != ' ' && p[i] != '\t')
				atoms = 0;
		if (!atoms) {
			r = put_quoted(&e, p, text.len);
			goto out;
		}
	}
	while (p < end) {
		const unsigned char *sep = p, *w, *run_end, *q;
		size_t seplen;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		seplen = (size_t)(p - sep);
		if (p == end) {
			/* Trailing blanks are kept. */
			if (buf_add(out, sep, seplen) < 0)
				goto out;
			break;
		}
		w = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (!needs_encoding(w, (size_t)(p - w), phrase)) {
			if (put_token(&e, (const char *)sep, seplen,
			    (const char *)w, (size_t)(p - w)) < 0)
				goto out;
			continue;
		}
		/* A run of words needing encoding, blanks included. */
		run_end = p;
		for (;;) {
			const unsigned char *nw;

			q = run_end;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q == end)
				break;
			nw = q;
			while (q < end && *q != ' ' && *q != '\t')
				q++;
			if (!needs_encoding(nw, (size_t)(q - nw), phrase))
				break;
			run_end = q;
		}
		if (put_encoded(&e, (const char *)sep, seplen, w,
		    (size_t)(run_end - w)) < 0)
			goto out;
		p = run_end;
	}
	r = 0;
out:
	buf_release(&text);
	return r;
}
