/*
 * addr.c: see addr.h.
 *
 * RFC 5322 section 3.4 (address lists) and 4.4 (obsolete addressing),
 * RFC 2047 section 5 (encoded words in phrases and comments), RFC 6532.
 * The input is cut into tokens first (atoms, quoted strings, comments,
 * domain literals, specials), each remembering whether blanks preceded it;
 * the parser then walks the tokens one list element at a time.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/addr.h"
#include "codec/charset.h"
#include "codec/rfc2047.h"

enum { T_ATOM, T_QS, T_COMMENT, T_DLIT, T_SPECIAL };

struct tok {
	int type;
	const char *p;	/* raw text, quotes/parens included */
	size_t n;
	int ws;		/* blanks before it */
};

struct toks {
	struct tok *v;
	size_t n, alloc;
};

static int
is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
is_special(char c)
{
	return c && strchr("()<>[]:;@,.\"", c) != NULL;
}

static void
lex(const char *p, const char *end, struct toks *t)
{
	int ws = 0;

	while (p < end) {
		struct tok k;
		const char *s = p;

		if (is_wsp(*p)) {
			ws = 1;
			p++;
			continue;
		}
		if (*p == '"') {
			k.type = T_QS;
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p < end)
				p++;
		} else if (*p == '(') {
			int depth = 0;

			k.type = T_COMMENT;
			for (; p < end; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					break;
			}
			if (p < end)
				p++;
		} else if (*p == '[') {
			k.type = T_DLIT;
			for (p++; p < end && *p != ']'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p < end)
				p++;
		} else if (is_special(*p)) {
			k.type = T_SPECIAL;
			p++;
		} else {
			k.type = T_ATOM;
			while (p < end && !is_wsp(*p) && !is_special(*p))
				p++;
		}
		k.p = s;
		k.n = (size_t)(p - s);
		k.ws = ws;
		ws = 0;
		if (t->n == t->alloc) {
			t->alloc = t->alloc ? t->alloc * 2 : 32;
			t->v = xrealloc(t->v, t->alloc * sizeof *t->v);
		}
		t->v[t->n++] = k;
	}
}

static int
is_sp(const struct tok *t, char c)
{
	return t->type == T_SPECIAL && t->p[0] == c;
}

/* Append the content of a quoted string or comment, unescaped. */
static void
add_unescaped(struct buf *b, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		if (p[i] != '\r' && p[i] != '\n')
			buf_addch(b, p[i]);
	}
}

/* Decode RFC 2047; a NUL becomes a blank. With collapse, runs of blanks
 * become one space and the ends are trimmed; without, blanks stay as they
 * are (a display name's quoted string, RFC 5322 3.2.4). NULL if empty. */
static char *
finish_text(struct buf *raw, int collapse)
{
	struct buf d = BUF_INIT;
	size_t i, j;

	rfc2047_decode(raw->data ? raw->data : "", raw->len, &d);
	for (i = j = 0; i < d.len; i++) {
		char c = d.data[i] == '\0' || (collapse && d.data[i] == '\t') ?
			' ' : d.data[i];

		if (collapse && c == ' ' && (j == 0 || d.data[j - 1] == ' '))
			continue;
		d.data[j++] = c;
	}
	while (collapse && j && d.data[j - 1] == ' ')
		j--;
	if (!j) {
		buf_release(&d);
		return NULL;
	}
	buf_truncate(&d, j);
	return buf_detach(&d, NULL);
}

/* The display name made of tokens [a, b): words and dots, no comments.
 * Blanks between tokens count as one space; a quoted string keeps its
 * own, less the CRLF of a fold. */
static char *
phrase(const struct tok *t, size_t a, size_t b)
{
	struct buf raw = BUF_INIT;
	char *s;
	size_t i;

	for (i = a; i < b; i++) {
		if (t[i].type == T_COMMENT)
			continue;
		if ((t[i].ws || (i > a && t[i - 1].type == T_COMMENT)) &&
		    raw.len)
			buf_addch(&raw, ' ');
		if (t[i].type == T_QS)
			add_unescaped(&raw, t[i].p + 1, t[i].n - 1 -
				(t[i].n > 1 && t[i].p[t[i].n - 1] == '"'));
		else
			buf_add(&raw, t[i].p, t[i].n);
	}
	s = finish_text(&raw, 0);
	buf_release(&raw);
	return s;
}

/* The first comment in [a, b) as text, or NULL. */
static char *
comment_name(const struct tok *t, size_t a, size_t b)
{
	struct buf raw = BUF_INIT;
	char *s = NULL;
	size_t i;

	for (i = a; i < b && !s; i++) {
		if (t[i].type != T_COMMENT)
			continue;
		buf_reset(&raw);
		add_unescaped(&raw, t[i].p + 1, t[i].n - 1 -
			(t[i].n > 1 && t[i].p[t[i].n - 1] == ')'));
		s = finish_text(&raw, 1);
	}
	buf_release(&raw);
	return s;
}

/* The addr-spec made of tokens [a, b), comments and blanks removed. */
static char *
spec(const struct tok *t, size_t a, size_t b)
{
	struct buf s = BUF_INIT;
	size_t i, j;

	for (i = a; i < b; i++) {
		if (t[i].type == T_COMMENT)
			continue;
		if (t[i].type == T_SPECIAL && !is_sp(&t[i], '.') &&
		    !is_sp(&t[i], '@'))
			continue;
		for (j = 0; j < t[i].n; j++) {
			/* A folded quoted local part: never keep CR, LF or
			 * NUL in an address. */
			char c = t[i].p[j];

			if (c != '\r' && c != '\n' && c != '\0')
				buf_addch(&s, c);
		}
	}
	if (!s.len) {
		buf_release(&s);
		return NULL;
	}
	/* Raw 8-bit in an address: keep valid UTF-8, repair the rest. */
	if (!charset_utf8_valid(s.data, s.len)) {
		struct buf u = BUF_INIT;

		charset_raw_to_utf8(s.data, s.len, &u);
		buf_release(&s);
		return buf_detach(&u, NULL);
	}
	return buf_detach(&s, NULL);
}

static void
add(struct addr_list *l, char *name, char *sp, const char *group)
{
	struct addr *a;

	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof *l->v);
	}
	a = &l->v[l->n++];
	a->name = name;
	a->spec = sp;
	a->group = group ? xstrdup(group) : NULL;
}

/* Does a word boundary (blanks between two words) start at token i? */
static int
word_start(const struct tok *t, size_t i)
{
	return t[i].ws && !is_sp(&t[i], '.') && !is_sp(&t[i], '@') &&
		!is_sp(&t[i - 1], '.') && !is_sp(&t[i - 1], '@');
}

/* A bare element [a, b): "a@b", "a@b (Name)", or "John Smith j@x". */
static void
bare(struct addr_list *l, const struct tok *t, size_t a, size_t b,
	const char *group)
{
	size_t i, last = a, ats_before = 0, ats_last = 0;
	char *sp;

	for (i = a; i < b; i++) {
		if (t[i].type == T_COMMENT)
			continue;
		if (i > a && word_start(t, i)) {
			ats_before += ats_last;
			ats_last = 0;
			last = i;
		}
		if (is_sp(&t[i], '@'))
			ats_last++;
	}
	if (last > a && ats_last && !ats_before) {
		sp = spec(t, last, b);
		if (sp) {
			add(l, phrase(t, a, last), sp, group);
			return;
		}
	}
	sp = spec(t, a, b);
	if (sp)
		add(l, comment_name(t, a, b), sp, group);
}

size_t
addr_parse(const char *in, size_t len, unsigned int flags,
	struct addr_list *l)
{
	struct toks tk = { NULL, 0, 0 };
	const struct tok *t;
	char *group = NULL;
	size_t members = 0, n0 = l->n, i = 0, n;

	if (!in)
		in = "";
	lex(in, in + len, &tk);
	t = tk.v;
	n = tk.n;
	while (i < n) {
		size_t j, angle = n, colon = n;
		int at = 0;

		for (j = i; j < n; j++) {
			/* ';' also separates outside groups (Outlook). */
			if (is_sp(&t[j], ',') || is_sp(&t[j], ';'))
				break;
			if (is_sp(&t[j], '<')) {
				angle = j;
				break;
			}
			if (is_sp(&t[j], '@'))
				at = 1;
			if (is_sp(&t[j], ':') && !group && !at) {
				colon = j;
				break;
			}
		}
		if (colon < n) {
			group = phrase(t, i, colon);
			if (!group)
				group = xstrdup("");
			members = 0;
			i = colon + 1;
			continue;
		}
		if (angle < n) {
			size_t k = angle + 1, m;
			char *name = phrase(t, i, angle), *sp;

			/* Obsolete route "@a,@b:" before the addr-spec. */
			if (k < n && is_sp(&t[k], '@')) {
				for (m = k; m < n && !is_sp(&t[m], ':') &&
				    !is_sp(&t[m], '>'); m++)
					;
				if (m < n && is_sp(&t[m], ':'))
					k = m + 1;
			}
			for (m = k; m < n && !is_sp(&t[m], '>') &&
			    !is_sp(&t[m], ',') && !is_sp(&t[m], '<') &&
			    !is_sp(&t[m], ';'); m++)
				;
			sp = spec(t, k, m);
			if (m < n && is_sp(&t[m], '>'))
				m++;
			/* Skip what follows up to the element's end. */
			for (j = m; j < n && !is_sp(&t[j], ',') &&
			    !is_sp(&t[j], ';'); j++)
				;
			if (!name)
				name = comment_name(t, m, j);
			if (sp) {
				add(l, name, sp, group);
				members++;
			} else {
				free(name);
			}
		} else {
			size_t before = l->n;

			bare(l, t, i, j, group);
			members += l->n - before;
		}
		i = j;
		if (i < n && is_sp(&t[i], ';') && group) {
			if (!members && (flags & ADDR_EMPTY_GROUPS))
				add(l, NULL, NULL, group);
			free(group);
			group = NULL;
		}
		if (i < n)
			i++;
	}
	if (group) {
		if (!members && (flags & ADDR_EMPTY_GROUPS))
			add(l, NULL, NULL, group);
		free(group);
	}
	free(tk.v);
	return l->n - n0;
}

void
addr_list_init(struct addr_list *l)
{
	l->v = NULL;
	l->n = 0;
	l->alloc = 0;
}

void
addr_list_release(struct addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].spec);
		free(l->v[i].group);
	}
	free(l->v);
	addr_list_init(l);
}

const char *
addr_domain(const char *s)
{
	const char *at = NULL;
	int q = 0;

	for (; *s; s++) {
		if (*s == '\\' && q && s[1])
			s++;
		else if (*s == '"')
			q = !q;
		else if (*s == '@' && !q)
			at = s;
	}
	return at ? at + 1 : NULL;
}

/* ---- formatting ---- */

static int
is_atext_u8(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c >= 0x80 ||
		(c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Display name for ADDR_FMT_UTF8: raw UTF-8 atoms or a quoted string. */
static int
put_utf8_name(struct buf *out, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	struct buf fixed = BUF_INIT;
	int atoms = 1, r;
	size_t i, n;

	charset_raw_to_utf8(name, strlen(name), &fixed);
	p = (const unsigned char *)fixed.data;
	n = fixed.len;
	for (i = 0; i < n; i++)
		if (!is_atext_u8(p[i]) && !(p[i] == ' ' && i && i + 1 < n &&
		    p[i - 1] != ' '))
			atoms = 0;
	if (atoms) {
		r = buf_add(out, p, n);
		goto out;
	}
	r = buf_addch(out, '"');
	for (i = 0; i < n && r == 0; i++) {
		if (p[i] == '"' || p[i] == '\\')
			r = buf_addch(out, '\\');
		if (r == 0)
			r = buf_addch(out, p[i] < ' ' ? ' ' : p[i]);
	}
	if (r == 0)
		r = buf_addch(out, '"');
out:
	buf_release(&fixed);
	return r;
}

/* Display name for ADDR_FMT_TEXT: as it is, or quoted when it would not
 * read back the same as atoms (specials, blanks at an end or two in a
 * row, control characters). */
static int
put_text_name(struct buf *out, const char *name)
{
	size_t n = strlen(name), i;
	int quote = strpbrk(name, "()<>[]:;@\\,.\"") || name[0] == ' ' ||
		name[n - 1] == ' ', r;

	for (i = 0; i < n && !quote; i++)
		quote = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
			(name[i] == ' ' && name[i + 1] == ' ');
	if (!quote)
		return buf_add(out, name, n);
	r = buf_addch(out, '"');
	for (i = 0; i < n && r == 0; i++) {
		if (name[i] == '"' || name[i] == '\\')
			r = buf_addch(out, '\\');
		if (r == 0)
			r = buf_addch(out, name[i]);
	}
	return r ? r : buf_addch(out, '"');
}

int
addr_format(struct buf *out, const char *name, const char *sp,
	unsigned int flags)
{
	if (!name || !*name)
		return buf_addstr(out, sp);
	if (flags & ADDR_FMT_TEXT) {
		if (put_text_name(out, name) < 0)
			return -1;
	/* Raw UTF-8 unless it would read back as an encoded word. */
	} else if ((flags & ADDR_FMT_UTF8) && !charset_is_7bit(name, strlen(name)) &&
	    !strstr(name, "=?")) {
		if (put_utf8_name(out, name) < 0)
			return -1;
	} else if (rfc2047_encode(name, strlen(name), 0,
	    RFC2047_PHRASE | RFC2047_NOFOLD, out) < 0) {
		return -1;
	}
	return buf_addf(out, " <%s>", sp);
}

int
addr_format_list(struct buf *out, const struct addr_list *l, size_t col,
	unsigned int flags)
{
	struct buf item = BUF_INIT;
	size_t i;
	int r = -1, first = 1;

	for (i = 0; i < l->n; i++) {
		const struct addr *a = &l->v[i];
		int gstart = a->group && (i == 0 || !l->v[i - 1].group ||
			strcmp(l->v[i - 1].group, a->group) != 0);
		int gend = a->group && (i + 1 == l->n || !l->v[i + 1].group ||
			strcmp(l->v[i + 1].group, a->group) != 0);

		buf_reset(&item);
		if (gstart) {
			if (a->group[0])
				rfc2047_encode(a->group, strlen(a->group), 0,
					RFC2047_PHRASE | RFC2047_NOFOLD,
					&item);
			buf_addch(&item, ':');
			if (a->spec)
				buf_addch(&item, ' ');
		}
		if (a->spec)
			addr_format(&item, a->name, a->spec, flags);
		if (gend)
			buf_addch(&item, ';');
		if (!first) {
			if (buf_addch(out, ',') < 0)
				goto out;
			col++;
			if (col + 1 + item.len > 78) {
				if (buf_addstr(out, flags & ADDR_FMT_LF ?
				    "\n" : "\r\n") < 0)
					goto out;
				col = 0;
			}
			if (buf_addch(out, ' ') < 0)
				goto out;
			col++;
		}
		if (buf_add(out, item.data, item.len) < 0)
			goto out;
		col += item.len;
		first = 0;
	}
	r = 0;
out:
	buf_release(&item);
	return r;
}
