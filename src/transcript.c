/* transcript.c: see transcript.h. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "transcript.h"

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

/* Append s to the scratch line with control bytes shown as \xNN. */
static void
add_escaped(struct transcript *t, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			buf_add(&t->line, esc, sizeof(esc));
		} else
			buf_addch(&t->line, c);
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
