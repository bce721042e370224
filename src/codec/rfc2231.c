/*
 * rfc2231.c: see rfc2231.h.
 *
 * RFC 2045 section 5.1 (syntax), RFC 2183 (Content-Disposition), RFC 2231
 * (parameter value continuations, charset and language).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/charset.h"
#include "codec/rfc2047.h"
#include "codec/rfc2231.h"

/* Sections beyond this are dropped, and parameters beyond MAX_PARAMS
 * ignored: no real header has so many, and it bounds the work. */
#define MAX_SECTION 999
#define MAX_PARAMS 1024

struct raw {
	char *name;		/* lowercased base name */
	long section;		/* -1: none */
	int ext;		/* value is charset'lang'%XX or %XX */
	char *value;		/* unquoted */
	size_t len;
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip blanks and comments. */
static const char *
skip_cfws(const char *p, const char *end)
{
	while (p < end) {
		if (is_wsp(*p)) {
			p++;
		} else if (*p == '(') {
			int depth = 0;

			while (p < end) {
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					break;
				p++;
			}
			if (p < end)
				p++;
		} else {
			break;
		}
	}
	return p;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static void
add_raw(struct raw **v, size_t *n, size_t *alloc, struct raw *r)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		*v = xrealloc(*v, *alloc * sizeof **v);
	}
	(*v)[(*n)++] = *r;
}

/* Split "name*3*" into base name, section and the extended flag. */
static void
split_name(const char *p, size_t n, struct raw *r)
{
	size_t i, base = n;

	r->section = -1;
	r->ext = 0;
	if (n && p[n - 1] == '*') {
		r->ext = 1;
		n--;
		base = n;
	}
	for (i = n; i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9'; i--)
		;
	if (i < n && i > 0 && p[i - 1] == '*') {
		long sec = 0;
		size_t j;

		for (j = i; j < n; j++)
			sec = sec > MAX_SECTION ? sec : sec * 10 + (p[j] - '0');
		r->section = sec;
		base = i - 1;
	}
	r->name = xmemdup(p, base);
	for (i = 0; i < base; i++)
		r->name[i] = lower(r->name[i]);
	if (!charset_utf8_valid(r->name, base)) {
		struct buf u = BUF_INIT;

		charset_raw_to_utf8(r->name, base, &u);
		free(r->name);
		r->name = buf_detach(&u, NULL);
	}
}

/* Detach b's text as UTF-8 (raw 8-bit read as RFC 6532 says). */
static char *
utf8_detach(struct buf *b)
{
	struct buf u = BUF_INIT;

	if (charset_utf8_valid(b->data, b->len))
		return buf_detach(b, NULL);
	charset_raw_to_utf8(b->data, b->len, &u);
	buf_reset(b);
	return buf_detach(&u, NULL);
}

/* Drop trailing blanks and a trailing comment "value (comment)". */
static void
trim_value(struct buf *v)
{
	for (;;) {
		size_t n = v->len, i;
		int depth = 0;

		while (n && (v->data[n - 1] == ' ' || v->data[n - 1] == '\t'))
			n--;
		v->len = n;
		if (!n || v->data[n - 1] != ')')
			break;
		for (i = n; i > 0; i--) {
			if (v->data[i - 1] == ')')
				depth++;
			else if (v->data[i - 1] == '(' && --depth == 0)
				break;
		}
		if (i < 2 || (v->data[i - 2] != ' ' && v->data[i - 2] != '\t'))
			break;
		v->len = i - 1;
	}
	if (v->data)
		v->data[v->len] = '\0';
}

/* Read a value at p: quoted string or everything to ';'. */
static const char *
read_value(const char *p, const char *end, struct buf *v)
{
	if (p < end && *p == '"') {
		p++;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (*p != '\r' && *p != '\n')
				buf_addch(v, *p);
			p++;
		}
		if (p < end)
			p++;
		/* Junk after the quoted string. */
		while (p < end && *p != ';')
			p++;
		return p;
	}
	/* Unquoted: to ';' or a line break (RFC 2231's own examples leave
	 * the ';' out between folded parameters). */
	while (p < end && *p != ';' && *p != '\r' && *p != '\n')
		buf_addch(v, *p++);
	trim_value(v);
	return p;
}

static void
add_pct(struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int h, l;

		if (p[i] == '%' && i + 2 < n && (h = hex_value((unsigned char)p[i + 1])) >= 0 &&
		    (l = hex_value((unsigned char)p[i + 2])) >= 0) {
			buf_addch(out, h << 4 | l);
			i += 2;
		} else {
			buf_addch(out, p[i]);
		}
	}
}

static int
by_section(const void *a, const void *b)
{
	const struct raw *x = *(const struct raw *const *)a;
	const struct raw *y = *(const struct raw *const *)b;

	return x->section < y->section ? -1 : x->section > y->section;
}

/* Build the RFC 2231 value of name from its raw pieces. */
static void
assemble(struct raw *v, size_t n, const char *name, struct rfc2231_param *p)
{
	struct raw **seg = xmalloc(n * sizeof *seg);
	struct buf oct = BUF_INIT, txt = BUF_INIT;
	size_t ns = 0, i;
	long last = -2;
	struct err e;

	/* "name*" alone, or sections (the first of each number wins). */
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0 && v[i].section < 0 &&
		    v[i].ext) {
			seg[ns++] = &v[i];
			break;
		}
	if (!ns) {
		for (i = 0; i < n; i++)
			if (strcmp(v[i].name, name) == 0 &&
			    v[i].section >= 0)
				seg[ns++] = &v[i];
		qsort(seg, ns, sizeof *seg, by_section);
	}
	for (i = 0; i < ns; i++) {
		const char *s = seg[i]->value;
		size_t len = seg[i]->len;

		if (seg[i]->section == last)
			continue;
		last = seg[i]->section;
		if (i == 0 && seg[i]->ext) {
			const char *q1 = memchr(s, '\'', len), *q2;

			q2 = q1 ? memchr(q1 + 1, '\'', len -
				(size_t)(q1 + 1 - s)) : NULL;
			if (q2) {
				p->charset = xmemdup(s, (size_t)(q1 - s));
				p->lang = xmemdup(q1 + 1,
					(size_t)(q2 - q1 - 1));
				len -= (size_t)(q2 + 1 - s);
				s = q2 + 1;
			}
		}
		if (seg[i]->ext)
			add_pct(&oct, s, len);
		else
			buf_add(&oct, s, len);
	}
	if (p->charset && p->charset[0] &&
	    charset_to_utf8(p->charset, oct.data ? oct.data : "", oct.len, 0,
	    &txt, NULL, &e) == 0)
		;
	else if (p->charset)
		charset_raw_to_utf8(oct.data, oct.len, &txt);
	else
		rfc2047_decode_flags(oct.data ? oct.data : "", oct.len,
			RFC2047_KEEP_CTL, &txt);
	if (p->lang && !p->lang[0]) {
		free(p->lang);
		p->lang = NULL;
	}
	p->value = buf_detach(&txt, &p->value_len);
	buf_release(&oct);
	free(seg);
}

void
rfc2231_parse(const char *in, size_t len, struct rfc2231 *r)
{
	const char *p = in ? in : "", *end = p + len, *q;
	struct raw *v = NULL;
	size_t nv = 0, av = 0, i, j;
	struct buf val = BUF_INIT;

	memset(r, 0, sizeof *r);
	p = skip_cfws(p, end);
	/* The leading token, unless the value starts with a parameter. */
	for (q = p; q < end && !is_wsp(*q) && *q != ';' && *q != '(' &&
	    *q != '='; q++)
		;
	if (q > p && skip_cfws(q, end) < end && *skip_cfws(q, end) == '=')
		q = p;
	for (; p < q; p++)
		buf_addch(&val, lower(*p));
	r->value = utf8_detach(&val);

	while (p < end) {
		struct raw raw;
		const char *name;

		p = skip_cfws(p, end);
		if (p < end && *p == ';') {
			p++;
			continue;
		}
		name = p;
		while (p < end && *p != '=' && *p != ';' && !is_wsp(*p) &&
		    *p != '(' && *p != '"')
			p++;
		if (p == name) {
			/* Junk: skip to the next ';'. */
			while (p < end && *p != ';')
				p++;
			continue;
		}
		q = p;
		p = skip_cfws(p, end);
		if (p == end || *p != '=')
			continue;	/* a stray word */
		p = skip_cfws(p + 1, end);
		split_name(name, (size_t)(q - name), &raw);
		buf_reset(&val);
		p = read_value(p, end, &val);
		raw.len = val.len;
		raw.value = buf_detach(&val, NULL);
		if (raw.section > MAX_SECTION || !raw.name[0] ||
		    nv >= MAX_PARAMS) {
			free(raw.name);
			free(raw.value);
			continue;
		}
		add_raw(&v, &nv, &av, &raw);
	}

	/* One parameter per base name, in order of first appearance. */
	r->params = xcalloc(nv ? nv : 1, sizeof *r->params);
	for (i = 0; i < nv; i++) {
		struct rfc2231_param *pp;
		int is2231 = 0, seen = 0;

		for (j = 0; j < r->nparams; j++)
			if (strcmp(r->params[j].name, v[i].name) == 0)
				seen = 1;
		if (seen)
			continue;
		for (j = i; j < nv; j++)
			if (strcmp(v[j].name, v[i].name) == 0 &&
			    (v[j].section >= 0 || v[j].ext))
				is2231 = 1;
		pp = &r->params[r->nparams++];
		pp->name = xstrdup(v[i].name);
		if (is2231) {
			assemble(v + i, nv - i, v[i].name, pp);
		} else {
			struct buf t = BUF_INIT;

			rfc2047_decode_flags(v[i].value, v[i].len,
				RFC2047_KEEP_CTL, &t);
			pp->value = buf_detach(&t, &pp->value_len);
		}
	}
	for (i = 0; i < nv; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
	buf_release(&val);
}

const struct rfc2231_param *
rfc2231_find(const struct rfc2231 *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < r->nparams; i++)
		if (strlen(r->params[i].name) == n &&
		    mem_casecmp(r->params[i].name, name, n) == 0)
			return &r->params[i];
	return NULL;
}

const char *
rfc2231_get(const struct rfc2231 *r, const char *name)
{
	const struct rfc2231_param *p = rfc2231_find(r, name);

	return p ? p->value : NULL;
}

void
rfc2231_release(struct rfc2231 *r)
{
	size_t i;

	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
		free(r->params[i].charset);
		free(r->params[i].lang);
	}
	free(r->params);
	free(r->value);
	memset(r, 0, sizeof *r);
}

/* ---- encoding ---- */

#define LINE_MAX_COL 78

/* RFC 2045 token character. */
static int
is_tchar(unsigned char c)
{
	return c > ' ' && c < 127 && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* RFC 2231 attribute-char: may stand for itself in an extended value. */
static int
is_achar(unsigned char c)
{
	return is_tchar(c) && c != '*' && c != '\'' && c != '%';
}

/* c as "%XY" (RFC 2231 extended value). */
static void
add_pct_byte(struct buf *out, unsigned char c)
{
	char esc[3] = { '%' };

	hex_byte(esc + 1, c, HEX_UPPER);
	buf_add(out, esc, sizeof(esc));
}

/* Write "; piece" or ";" fold " piece". */
static int
put_piece(struct buf *out, size_t *col, const char *piece, size_t n,
	unsigned int flags)
{
	if (*col + 2 + n > LINE_MAX_COL) {
		if (buf_add(out, flags & RFC2231_LF ? ";\n " : ";\r\n ",
		    flags & RFC2231_LF ? 3 : 4) < 0)
			return -1;
		*col = 1;
	} else {
		if (buf_add(out, "; ", 2) < 0)
			return -1;
		*col += 2;
	}
	if (buf_add(out, piece, n) < 0)
		return -1;
	*col += n;
	return 0;
}

static size_t
u8len(const unsigned char *p, size_t n)
{
	size_t k = *p < 0xc0 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

	return k > n ? n : k;
}

int
rfc2231_add_param(struct buf *out, size_t *col, const char *name,
	const char *value, unsigned int flags)
{
	const unsigned char *v = (const unsigned char *)value;
	size_t n = strlen(value), nl = strlen(name), i, plain = 1, tok = 1;
	struct buf piece = BUF_INIT;
	int r = -1;

	for (i = 0; i < n; i++) {
		if (v[i] < ' ' || v[i] >= 127)
			plain = 0;
		if (!is_tchar(v[i]))
			tok = 0;
	}
	if (n == 0)
		tok = 0;
	/* Would read back as an RFC 2047 word: use the RFC 2231 form. */
	if (strstr(value, "=?"))
		plain = 0;
	if (plain) {
		buf_addf(&piece, "%s=", name);
		if (!tok)
			buf_addch(&piece, '"');
		for (i = 0; i < n; i++) {
			if (v[i] == '"' || v[i] == '\\')
				buf_addch(&piece, '\\');
			buf_addch(&piece, v[i]);
		}
		if (!tok)
			buf_addch(&piece, '"');
		if (piece.len + 1 <= LINE_MAX_COL) {
			r = put_piece(out, col, piece.data, piece.len, flags);
			goto out;
		}
	}
	/* RFC 2231: one extended value if it fits a line, else segments. */
	buf_reset(&piece);
	buf_addf(&piece, "%s*=utf-8''", name);
	for (i = 0; i < n; i++) {
		if (is_achar(v[i]))
			buf_addch(&piece, v[i]);
		else
			add_pct_byte(&piece, v[i]);
	}
	if (piece.len + 1 <= LINE_MAX_COL) {
		r = put_piece(out, col, piece.data, piece.len, flags);
		goto out;
	}
	i = 0;
	for (unsigned int sec = 0; i < n; sec++) {
		size_t start;

		buf_reset(&piece);
		buf_addf(&piece, "%s*%u*=%s", name, sec,
			sec == 0 ? "utf-8''" : "");
		start = piece.len;
		while (i < n) {
			size_t k = u8len(v + i, n - i), j, cost = 0;

			for (j = 0; j < k; j++)
				cost += is_achar(v[i + j]) ? 1 : 3;
			if (piece.len + cost > LINE_MAX_COL - 2 &&
			    piece.len > start)
				break;
			for (j = 0; j < k; j++, i++) {
				if (is_achar(v[i]))
					buf_addch(&piece, v[i]);
				else
					add_pct_byte(&piece, v[i]);
			}
		}
		if (put_piece(out, col, piece.data, piece.len, flags) < 0)
			goto out;
	}
	(void)nl;
	r = 0;
out:
	buf_release(&piece);
	return r;
}
