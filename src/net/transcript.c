/* transcript.c: see transcript.h. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "net/transcript.h"

/* A data line longer than this is shown in pieces. */
#define PART_MAX 4096

static void
init(struct transcript *t, FILE *fp, transcript_fn *fn, void *arg,
	unsigned flags)
{
	memset(t, 0, sizeof(*t));
	t->fp = fp;
	t->fn = fn;
	t->arg = arg;
	t->flags = flags;
	buf_init(&t->part[0], 0);
	buf_init(&t->part[1], 0);
	buf_init(&t->line, 0);
}

void
transcript_init_file(struct transcript *t, FILE *fp, unsigned flags)
{
	init(t, fp, NULL, NULL, flags);
}

void
transcript_init_fn(struct transcript *t, transcript_fn *fn, void *arg,
	unsigned flags)
{
	init(t, NULL, fn, arg, flags);
}

void
transcript_release(struct transcript *t)
{
	if (!t)
		return;
	buf_release(&t->part[0]);
	buf_release(&t->part[1]);
	buf_release(&t->line);
}

static void
emit(struct transcript *t)
{
	if (t->fn)
		t->fn(t->arg, t->line.data, t->line.len);
	else if (t->fp) {
		fwrite(t->line.data, 1, t->line.len, t->fp);
		fputc('\n', t->fp);
		fflush(t->fp);
	}
}

/*
 * Length of the valid UTF-8 sequence at s (at most len bytes) that is not
 * a C1 control (U+0080..U+009F), or 0.
 */
static size_t
utf8_ok(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

/*
 * Append s to the scratch line. Control characters (C0, DEL, C1) and
 * bytes that are not UTF-8 are shown as \xNN, so a server cannot drive
 * the terminal.
 */
static void
add_escaped(struct transcript *t, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = u[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f) {
			buf_addch(&t->line, c);
			i++;
		} else if (c == '\t') {
			buf_addch(&t->line, c);
			i++;
		} else if (c >= 0x80 && (n = utf8_ok(u + i, len - i)) > 0) {
			buf_add(&t->line, u + i, n);
			i += n;
		} else {
			char esc[4] = { '\\', 'x' };

			hex_byte(esc + 2, c, 0);
			buf_add(&t->line, esc, sizeof(esc));
			i++;
		}
	}
}

static void
show(struct transcript *t, const char *prefix, const char *s, size_t len,
	const char *suffix)
{
	buf_reset(&t->line);
	buf_addstr(&t->line, prefix);
	add_escaped(t, s, len);
	if (suffix)
		buf_addstr(&t->line, suffix);
	emit(t);
}

void
transcript_sent(struct transcript *t, const char *line, size_t len)
{
	if (t)
		show(t, "> ", line, len, NULL);
}

void
transcript_sent_secret(struct transcript *t, const char *line, size_t len,
	size_t publen)
{
	if (!t)
		return;
	if (publen > len)
		publen = len;
	show(t, "> ", line, publen, "<redacted>");
}

void
transcript_recv(struct transcript *t, const char *line, size_t len)
{
	if (t)
		show(t, "< ", line, len, NULL);
}

void
transcript_note(struct transcript *t, const char *fmt, ...)
{
	va_list ap;

	if (!t)
		return;
	buf_reset(&t->line);
	buf_addstr(&t->line, "* ");
	va_start(ap, fmt);
	buf_vaddf(&t->line, fmt, ap);
	va_end(ap);
	emit(t);
}

static const char *
dir_prefix(enum transcript_dir dir)
{
	return dir == TRANSCRIPT_SENT ? "> " : "< ";
}

/* Show the unfinished data line of dir, without its line end. */
static void
flush_part(struct transcript *t, enum transcript_dir dir)
{
	struct buf *p = &t->part[dir];
	size_t n = p->len;

	if (n && p->data[n - 1] == '\n')
		n--;
	if (n && p->data[n - 1] == '\r')
		n--;
	show(t, dir_prefix(dir), p->data ? p->data : "", n, NULL);
	buf_reset(p);
}

void
transcript_data(struct transcript *t, enum transcript_dir dir,
	const char *data, size_t len)
{
	struct buf *p;

	if (!t)
		return;
	t->data_bytes[dir] += len;
	if (!(t->flags & TRANSCRIPT_FULL_DATA))
		return;
	p = &t->part[dir];
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) + 1 : len;

		buf_add(p, data, n);
		if (nl || p->len >= PART_MAX)
			flush_part(t, dir);
		data += n;
		len -= n;
	}
}

void
transcript_data_end(struct transcript *t, enum transcript_dir dir)
{
	char sum[64];

	if (!t)
		return;
	if (t->flags & TRANSCRIPT_FULL_DATA) {
		if (t->part[dir].len)
			flush_part(t, dir);
	} else {
		snprintf(sum, sizeof(sum), "[message data: %llu bytes]",
			t->data_bytes[dir]);
		show(t, dir_prefix(dir), sum, strlen(sum), NULL);
	}
	t->data_bytes[dir] = 0;
}
