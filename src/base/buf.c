/* buf.c: see buf.h. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"

void
buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : (size_t)-1;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

int
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > b->cap - b->len)
		return -1;
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	if (b->alloc > ((size_t)-1) / 2)
		b->alloc = want;
	else
		b->alloc = b->alloc * 2 > want ? b->alloc * 2 : want;
	if (b->alloc < 64)
		b->alloc = 64;
	b->data = xrealloc(b->data, b->alloc);
	b->data[b->len] = '\0';
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	if (n)
		memmove(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	/* room already (the common case: JSON writes a byte at a time) */
	if (b->len + 2 <= b->alloc && b->len < b->cap) {
		b->data[b->len++] = ch;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_add(b, &ch, 1);
}

int
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (buf_grow(b, 0) < 0)
		return -1;
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -1;
	if ((size_t)n >= b->alloc - b->len) {
		if (buf_grow(b, (size_t)n) < 0) {
			b->data[b->len] = '\0';
			return -1;
		}
		vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	} else if ((size_t)n > b->cap - b->len) {
		b->data[b->len] = '\0';
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void
buf_truncate(struct buf *b, size_t n)
{
	if (n > b->len)
		return;
	b->len = n;
	if (b->data)
		b->data[n] = '\0';
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	buf_truncate(b, b->len - n);
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (!b->data)
		buf_grow(b, 0);
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

int
buf_read_fd(struct buf *b, int fd)
{
	for (;;) {
		size_t room = b->cap - b->len;
		ssize_t n;
		char probe;

		if (room == 0) {
			/* At the cap: only end of file is still fine. */
			do
				n = read(fd, &probe, 1);
			while (n < 0 && errno == EINTR);
			if (n == 0)
				return 0;
			if (n > 0)
				errno = EFBIG;
			return -1;
		}
		if (room > 65536)
			room = 65536;
		buf_grow(b, room);
		n = read(fd, b->data + b->len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
}
