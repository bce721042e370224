/*
 * imap_reply.c: IMAP response pieces (see imap_reply.h).
 *
 * RFC 9051 4 and 7 (data formats, responses), RFC 3501 9 (formal
 * syntax), RFC 7888 (LITERAL+), RFC 3516 (literal8).
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap_reply.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
imap_reply_literal(const char *line, size_t len, unsigned long long *n)
{
	size_t i, digits_end;
	unsigned long long v = 0;

	if (len < 3 || line[len - 1] != '}')
		return 0;
	i = len - 1;
	if (line[i - 1] == '+')
		i--;
	digits_end = i;
	while (i > 0 && is_digit(line[i - 1]))
		i--;
	if (i == 0 || line[i - 1] != '{')
		return 0;
	if (i == digits_end || digits_end - i > 20)
		return -1;
	for (; i < digits_end; i++) {
		unsigned d = (unsigned)(line[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*n = v;
	return 1;
}

/* ---- the response reader ---- */

#define NO_SIZE		(~0ull)

void
imap_resp_init(struct imap_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->arena, IMAP_ARENA_CAP);
	r->max_literal = IMAP_MAX_LITERAL_DEFAULT;
}

void
imap_resp_release(struct imap_resp *r)
{
	free(r->tok);
	r->tok = NULL;
	r->ntok = r->atok = 0;
	buf_release(&r->arena);
}

static void
reset(struct imap_resp *r)
{
	r->kind = IMAP_UNTAGGED;
	r->tag[0] = r->name[0] = '\0';
	r->has_num = 0;
	r->num = 0;
	r->status = IMAP_ST_NONE;
	r->code = r->code_end = r->data = 0;
	r->text_off = r->text_len = 0;
	r->ntok = 0;
	r->depth = 0;
	r->in_code = 0;
	r->fetch_size = NO_SIZE;
	buf_reset(&r->arena);
}

static int
bad(struct pp *p, const char *line, size_t len, const char *why,
	struct err *e)
{
	return pp_malformed(p, line, len, why, e);
}

static int
arena_add(struct imap_resp *r, const void *d, size_t n)
{
	return buf_add(&r->arena, d, n);
}

/* Append a token; -1 past IMAP_MAX_TOKENS. */
static int
tok_add(struct imap_resp *r, int type, size_t off, size_t len)
{
	struct imap_tok *t;

	if (r->ntok >= IMAP_MAX_TOKENS)
		return -1;
	if (r->ntok == r->atok) {
		r->atok = r->atok ? r->atok * 2 : 64;
		r->tok = xrealloc(r->tok, r->atok * sizeof(*r->tok));
	}
	t = &r->tok[r->ntok];
	t->type = (unsigned char)type;
	t->depth = (unsigned char)r->depth;
	t->off = off;
	t->len = len;
	t->end = r->ntok + 1;
	t->size = 0;
	r->ntok++;
	return 0;
}

static int
is_atom_end(const struct imap_resp *r, char c)
{
	return c == ' ' || c == '(' || c == ')' || c == '"' ||
		(c == ']' && r->in_code && r->depth == 0);
}

/* The message-bytes FETCH items whose literal may stream. */
static int
streamable(const struct imap_resp *r)
{
	const struct imap_tok *t;
	const char *s;

	if (!r->has_num || strcmp(r->name, "FETCH") != 0 || r->depth != 1 ||
	    r->ntok < 2)
		return 0;
	t = &r->tok[r->ntok - 1];
	if (t->type != IMAP_TOK_ATOM || t->depth != 1)
		return 0;
	s = r->arena.data + t->off;
	return has_prefix_ci(s, t->len, "BODY[") ||
		has_prefix_ci(s, t->len, "BINARY[") ||
		(t->len == 6 && mem_casecmp(s, "RFC822", 6) == 0) ||
		(t->len == 13 && mem_casecmp(s, "RFC822.HEADER", 13) == 0) ||
		(t->len == 11 && mem_casecmp(s, "RFC822.TEXT", 11) == 0);
}

/* After an atom token: remember "RFC822.SIZE n" of a FETCH. */
static void
note_size(struct imap_resp *r)
{
	size_t n = r->ntok;
	unsigned long long v;

	if (n < 3 || r->depth != 1 || strcmp(r->name, "FETCH") != 0)
		return;
	if (imap_tok_is(r, n - 2, "RFC822.SIZE") &&
	    r->tok[n - 2].depth == 1 && imap_tok_num(r, n - 1, &v) == 0)
		r->fetch_size = v;
}

/*
 * Tokenize line[i..len) into r. Returns 0 at the end of the line (*lit
 * 0), 0 with *lit 1 and *n when the line ends with a literal
 * announcement, -1 with e. With stop_code, returns at the ']' ending a
 * response code with *i just after it.
 */
static int
tokenize(struct pp *p, struct imap_resp *r, const char *line, size_t len,
	size_t *pos, int *lit, unsigned long long *n, struct err *e)
{
	size_t i = *pos;

	*lit = 0;
	while (i < len) {
		char c = line[i];

		if (c == ' ') {
			i++;
			continue;
		}
		if (c == '(') {
			if (r->depth >= IMAP_MAX_DEPTH)
				return bad(p, line, len, "lists nested too "
					"deeply", e);
			if (tok_add(r, IMAP_TOK_LIST, 0, 0) < 0)
				goto toomany;
			r->stack[r->depth++] = r->ntok - 1;
			i++;
			continue;
		}
		if (c == ')') {
			if (r->depth == 0)
				return bad(p, line, len, "unbalanced "
					"parentheses", e);
			r->depth--;
			r->tok[r->stack[r->depth]].end = r->ntok;
			i++;
			continue;
		}
		if (c == ']' && r->in_code && r->depth == 0) {
			r->in_code = 0;
			r->code_end = r->ntok;
			*pos = i + 1;
			return 0;
		}
		if (c == '"') {
			size_t off = r->arena.len, j = i + 1;

			for (;;) {
				size_t k = j;

				while (k < len && line[k] != '"' &&
				    line[k] != '\\')
					k++;
				if (arena_add(r, line + j, k - j) < 0)
					goto toolarge;
				if (k >= len)
					return bad(p, line, len, "unterminated "
						"quoted string", e);
				if (line[k] == '"') {
					j = k + 1;
					break;
				}
				if (k + 1 >= len)
					return bad(p, line, len, "unterminated "
						"quoted string", e);
				if (arena_add(r, line + k + 1, 1) < 0)
					goto toolarge;
				j = k + 2;
			}
			if (tok_add(r, IMAP_TOK_STRING, off,
			    r->arena.len - off) < 0)
				goto toomany;
			/* keep strings NUL-separated for imap_tok_copy */
			if (arena_add(r, "", 1) < 0)
				goto toolarge;
			i = j;
			continue;
		}
		if (c == '{' || (c == '~' && i + 1 < len &&
		    line[i + 1] == '{')) {
			unsigned long long v;
			size_t start = c == '~' ? i + 1 : i;
			int rc = imap_reply_literal(line + start, len - start,
				&v);

			/* the announcement must be the rest of the line */
			if (rc != 1 || line[start] != '{')
				return bad(p, line, len, "bad literal "
					"announcement", e);
			*n = v;
			*lit = 1;
			*pos = len;
			return 0;
		}
		{
			size_t off = r->arena.len, j = i;
			int br = 0;

			while (j < len) {
				char d = line[j];

				if (br) {
					if (d == '[')
						br++;
					else if (d == ']')
						br--;
					j++;
					continue;
				}
				if (is_atom_end(r, d))
					break;
				if (d == '[')
					br = 1;
				else if (d == ']' || d == '{')
					return bad(p, line, len, "unbalanced "
						"brackets", e);
				j++;
			}
			if (br)
				return bad(p, line, len, "unbalanced "
					"brackets", e);
			if (arena_add(r, line + i, j - i) < 0 ||
			    arena_add(r, "", 1) < 0)
				goto toolarge;
			if (j - i == 3 && mem_casecmp(line + i, "NIL", 3) == 0) {
				if (tok_add(r, IMAP_TOK_NIL, off, 0) < 0)
					goto toomany;
			} else {
				if (tok_add(r, IMAP_TOK_ATOM, off, j - i) < 0)
					goto toomany;
				note_size(r);
			}
			i = j;
		}
	}
	*pos = i;
	return 0;
toomany:
	return bad(p, line, len, "too many items", e);
toolarge:
	return bad(p, line, len, "response too large", e);
}

/* Read a literal of n bytes the sink takes. */
static int
stream_literal(struct pp *p, struct imap_resp *r, const struct imap_sink *s,
	unsigned long long n, struct err *e)
{
	unsigned long long left = n;

	/* views into the read buffer: the bytes are never copied here */
	while (left) {
		size_t max = left > SIZE_MAX ? SIZE_MAX : (size_t)left;
		const char *d;
		size_t k;

		if (pp_read_some(p, max, &d, &k, e) < 0 ||
		    s->data(s->ctx, d, k, e) < 0)
			goto fail;
		left -= k;
	}
	pp_read_data_end(p);
	if (s->end(s->ctx, e) < 0)
		goto fail;
	return 0;
fail:
	if (s->abort)
		s->abort(s->ctx);
	return -1;
}

static int
read_literal(struct pp *p, struct imap_resp *r, const struct imap_sink *s,
	const char *line, size_t len, unsigned long long n, struct err *e)
{
	char why[160];
	int take = 0;

	if (s && streamable(r)) {
		size_t item = r->ntok - 1;

		if (n > r->max_literal) {
			snprintf(why, sizeof why, "literal of %llu bytes over "
				"the limit of %llu", n, r->max_literal);
			return bad(p, line, len, why, e);
		}
		if (r->fetch_size != NO_SIZE && n > r->fetch_size) {
			snprintf(why, sizeof why, "literal of %llu bytes "
				"larger than the message (RFC822.SIZE %llu)",
				n, r->fetch_size);
			return bad(p, line, len, why, e);
		}
		/* the whole message must be exactly the size announced */
		if (r->fetch_size != NO_SIZE && n != r->fetch_size &&
		    (imap_tok_is(r, item, "BODY[]") ||
		    imap_tok_is(r, item, "RFC822"))) {
			snprintf(why, sizeof why, "literal of %llu bytes for "
				"a message of %llu (RFC822.SIZE)", n,
				r->fetch_size);
			return bad(p, line, len, why, e);
		}
		take = s->begin(s->ctx, r, item, n, e);
		if (take < 0)
			return -1;
	}
	if (take) {
		if (tok_add(r, IMAP_TOK_STREAMED, 0, 0) < 0)
			return bad(p, line, len, "too many items", e);
		r->tok[r->ntok - 1].size = n;
		return stream_literal(p, r, s, n, e);
	}
	if (n >= r->arena.cap - r->arena.len) {
		snprintf(why, sizeof why, "literal of %llu bytes too large", n);
		return bad(p, line, len, why, e);
	}
	{
		size_t off = r->arena.len;

		if (pp_read_bytes(p, (size_t)n, &r->arena, e) < 0)
			return -1;
		if (tok_add(r, IMAP_TOK_STRING, off, (size_t)n) < 0 ||
		    arena_add(r, "", 1) < 0)
			return bad(p, line, len, "too many items", e);
	}
	return 0;
}

static int
is_tag_char(char c)
{
	return c > ' ' && c < 127 && !strchr("(){%*\"\\]+", c);
}

static void
upper(char *out, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[n] = '\0';
}

static enum imap_status
status_of(const char *name)
{
	if (!strcmp(name, "OK"))
		return IMAP_ST_OK;
	if (!strcmp(name, "NO"))
		return IMAP_ST_NO;
	if (!strcmp(name, "BAD"))
		return IMAP_ST_BAD;
	if (!strcmp(name, "BYE"))
		return IMAP_ST_BYE;
	if (!strcmp(name, "PREAUTH"))
		return IMAP_ST_PREAUTH;
	return IMAP_ST_NONE;
}

/* The human text of a status response, from line[i]. */
static int
set_text(struct pp *p, struct imap_resp *r, const char *line, size_t len,
	size_t i, struct err *e)
{
	if (i < len && line[i] == ' ')
		i++;
	r->text_off = r->arena.len;
	r->text_len = len > i ? len - i : 0;
	if (arena_add(r, line + i, r->text_len) < 0 || arena_add(r, "", 1) < 0)
		return bad(p, line, len, "response too large", e);
	return 0;
}

/* The first line: tag, number, name; then the rest as data or status. */
static int
first_line(struct pp *p, struct imap_resp *r, const char *line, size_t len,
	size_t *pos, int *done, struct err *e)
{
	size_t i = 0, j;

	*done = 0;
	if (len >= 1 && line[0] == '+') {
		r->kind = IMAP_CONTINUE;
		*done = 1;
		return set_text(p, r, line, len, 1, e);
	}
	if (len >= 2 && line[0] == '*' && line[1] == ' ') {
		r->kind = IMAP_UNTAGGED;
		i = 2;
	} else {
		while (i < len && is_tag_char(line[i]))
			i++;
		if (i == 0 || i >= len || line[i] != ' ' ||
		    i >= sizeof r->tag)
			return bad(p, line, len, "bad tag", e);
		r->kind = IMAP_TAGGED;
		memcpy(r->tag, line, i);
		r->tag[i] = '\0';
		i++;
	}
	j = i;
	while (j < len && line[j] >= '0' && line[j] <= '9')
		j++;
	if (r->kind == IMAP_UNTAGGED && j > i && j < len && line[j] == ' ') {
		if (j - i > 19)
			return bad(p, line, len, "number too large", e);
		r->has_num = 1;
		r->num = strtoull(line + i, NULL, 10);
		i = j + 1;
		j = i;
	}
	while (j < len && line[j] != ' ' && line[j] != '[' && line[j] != '(')
		j++;
	if (j == i)
		return bad(p, line, len, "no response name", e);
	upper(r->name, sizeof r->name, line + i, j - i);
	r->status = status_of(r->name);
	if (r->kind == IMAP_TAGGED && r->status != IMAP_ST_OK &&
	    r->status != IMAP_ST_NO && r->status != IMAP_ST_BAD)
		return bad(p, line, len, "tagged response is not OK, NO or "
			"BAD", e);
	if (r->has_num && r->status != IMAP_ST_NONE)
		return bad(p, line, len, "number before a status", e);
	i = j;
	if (r->status == IMAP_ST_NONE) {
		r->data = r->ntok;
		*pos = i;
		return 0;
	}
	if (i < len && line[i] == ' ')
		i++;
	if (i < len && line[i] == '[') {
		r->in_code = 1;
		r->code = r->ntok;
		*pos = i + 1;
		return 0;
	}
	*done = 1;
	return set_text(p, r, line, len, i, e);
}

int
imap_resp_read(struct pp *p, struct imap_resp *r,
	const struct imap_sink *sink, struct err *e)
{
	const char *line;
	size_t len, pos;
	int first = 1, done, lit;
	unsigned long long n;

	reset(r);
	for (;;) {
		if (pp_read_line(p, &line, &len, e) < 0)
			return -1;
		pos = 0;
		if (first) {
			first = 0;
			if (first_line(p, r, line, len, &pos, &done, e) < 0)
				return -1;
			if (done)
				return 0;
		}
		if (tokenize(p, r, line, len, &pos, &lit, &n, e) < 0)
			return -1;
		if (!lit && r->status != IMAP_ST_NONE) {
			/* a status response: the code ended (or not) */
			if (r->in_code)
				return bad(p, line, len, "unterminated "
					"response code", e);
			if (r->depth)
				return bad(p, line, len, "unbalanced "
					"parentheses", e);
			return set_text(p, r, line, len, pos, e);
		}
		if (lit) {
			if (read_literal(p, r, sink, line, len, n, e) < 0)
				return -1;
			continue;
		}
		if (r->depth)
			return bad(p, line, len, "unbalanced parentheses", e);
		return 0;
	}
}

const char *
imap_tok_str(const struct imap_resp *r, size_t i, size_t *len)
{
	const struct imap_tok *t;

	if (i >= r->ntok) {
		*len = 0;
		return "";
	}
	t = &r->tok[i];
	if (t->type != IMAP_TOK_ATOM && t->type != IMAP_TOK_STRING) {
		*len = 0;
		return "";
	}
	*len = t->len;
	return r->arena.data + t->off;
}

int
imap_tok_is(const struct imap_resp *r, size_t i, const char *s)
{
	size_t n = strlen(s), len;
	const char *a;

	if (i >= r->ntok || r->tok[i].type != IMAP_TOK_ATOM)
		return 0;
	a = imap_tok_str(r, i, &len);
	return len == n && mem_casecmp(a, s, n) == 0;
}

int
imap_tok_num(const struct imap_resp *r, size_t i, unsigned long long *v)
{
	size_t len, k;
	const char *s;
	unsigned long long x = 0;

	if (i >= r->ntok || r->tok[i].type != IMAP_TOK_ATOM)
		return -1;
	s = imap_tok_str(r, i, &len);
	if (len == 0 || len > 20)
		return -1;
	for (k = 0; k < len; k++) {
		unsigned d;

		if (!is_digit(s[k]))
			return -1;
		d = (unsigned)(s[k] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
imap_tok_copy(const struct imap_resp *r, size_t i, char *out, size_t size)
{
	size_t len;
	const char *s;

	if (i >= r->ntok || r->tok[i].type == IMAP_TOK_LIST ||
	    r->tok[i].type == IMAP_TOK_STREAMED)
		return -1;
	s = imap_tok_str(r, i, &len);
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

size_t
imap_fetch_item(const struct imap_resp *r, const char *name)
{
	size_t i, v, end;

	if (r->data >= r->ntok || r->tok[r->data].type != IMAP_TOK_LIST)
		return 0;
	end = r->tok[r->data].end;
	/* called from a sink, the list is still open */
	if (r->depth > 0 && r->stack[0] == r->data)
		end = r->ntok;
	for (i = r->data + 1; i < end; i = r->tok[v].end) {
		v = r->tok[i].end;
		if (v >= end)
			break;
		if (imap_tok_is(r, i, name))
			return v;
	}
	return 0;
}

void
imap_resp_code(const struct imap_resp *r, char *out, size_t size)
{
	size_t len;
	const char *s;

	out[0] = '\0';
	if (r->code_end <= r->code)
		return;
	s = imap_tok_str(r, r->code, &len);
	upper(out, size, s, len);
}
