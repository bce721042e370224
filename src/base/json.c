/* json.c: see json.h. */
#include <config.h>

#include <assert.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"

void
json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
}

/* Separator before a value or key at the current depth. */
static void
sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		buf_addch(j->out, ',');
	j->first[j->depth] = 0;
}

static void
nest_begin(struct json *j, int c)
{
	sep(j);
	buf_addch(j->out, c);
	assert(j->depth + 1 < JSON_MAX_DEPTH);
	j->first[++j->depth] = 1;
}

static void
nest_end(struct json *j, int c)
{
	assert(j->depth > 0);
	j->depth--;
	buf_addch(j->out, c);
}

void json_obj_begin(struct json *j) { nest_begin(j, '{'); }
void json_obj_end(struct json *j) { nest_end(j, '}'); }
void json_arr_begin(struct json *j) { nest_begin(j, '['); }
void json_arr_end(struct json *j) { nest_end(j, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* The bytes copied as they are: printable ASCII but '"' and '\\'. A table
 * because JSON output (mdig-mx --batch, mparse --json) spends its time in
 * this loop. */
#define P4(c) c, c, c, c
#define P16(c) P4(c), P4(c), P4(c), P4(c)
static const unsigned char plain[256] = {
	P16(0), P16(0),				/* 0x00: controls */
	1, 1, 0, 1, P4(1), P4(1), P4(1),	/* 0x20: '"' */
	P16(1), P16(1),				/* 0x30: digits, 'A' */
	P4(1), P4(1), P4(1), 0, 1, 1, 1,	/* 0x50: '\\' */
	P16(1), P16(1),				/* 0x60: 'a' to DEL */
	/* 0x80 and up: 0, checked as UTF-8 */
};

void
json_quote(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	buf_addch(out, '"');
	while (i < len) {
		unsigned char c = p[i];

		/* Copy the longest run of bytes that need no escaping. */
		run = i;
		while (run < len && plain[p[run]])
			run++;
		if (run > i) {
			buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_len(p + i, len - i);

			if (l) {
				buf_add(out, p + i, l);
				i += l;
			} else {
				buf_addstr(out, "\xef\xbf\xbd");
				i++;
			}
			continue;
		}
		switch (c) {
		case '"': buf_addstr(out, "\\\""); break;
		case '\\': buf_addstr(out, "\\\\"); break;
		case '\n': buf_addstr(out, "\\n"); break;
		case '\r': buf_addstr(out, "\\r"); break;
		case '\t': buf_addstr(out, "\\t"); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0' };

			hex_byte(esc + 4, c, 0);
			buf_add(out, esc, sizeof(esc));
		}
		}
		i++;
	}
	buf_addch(out, '"');
}

void
json_key(struct json *j, const char *key)
{
	sep(j);
	json_quote(j->out, key, strlen(key));
	buf_addch(j->out, ':');
	j->after_key = 1;
}

void
json_str(struct json *j, const char *s, size_t len)
{
	sep(j);
	json_quote(j->out, s, len);
}

void
json_cstr(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_str(j, s, strlen(s));
}

void
json_int(struct json *j, long long v)
{
	char d[24], *e = d + sizeof d, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
		(unsigned long long)v;

	sep(j);
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	buf_add(j->out, p, (size_t)(e - p));
}

void
json_bool(struct json *j, int v)
{
	sep(j);
	buf_addstr(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	sep(j);
	buf_addstr(j->out, "null");
}
