/*
 * tolf.c: see tolf.h.
 */
#include <config.h>

#include <string.h>

#include "store/tolf.h"

void
tolf_init(struct tolf *t)
{
	t->cr = 0;
}

void
tolf_add(struct tolf *t, const void *p, size_t n, struct buf *out)
{
	const char *d = p, *cr;
	size_t i = 0, start = 0;

	if (!n)
		return;
	if (t->cr && d[0] != '\n')
		buf_addch(out, '\r');
	t->cr = 0;
	while ((cr = memchr(d + i, '\r', n - i)) != NULL) {
		i = (size_t)(cr - d);
		if (i + 1 == n) {
			buf_add(out, d + start, i - start);
			start = n;
			t->cr = 1;
		} else if (d[i + 1] == '\n') {
			buf_add(out, d + start, i - start);
			start = i + 1;
		}
		i++;
	}
	buf_add(out, d + start, n - start);
}

void
tolf_end(struct tolf *t, struct buf *out)
{
	if (t->cr)
		buf_addch(out, '\r');
	t->cr = 0;
}
