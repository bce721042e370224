/*
 * imap_set.c: UID sets (see imap_set.h).
 *
 * RFC 9051 9 (sequence-set), RFC 7162 3.2.1 (command line length).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/imap_set.h"

#define UID_MAX 4294967295ull

/* A number or '*' at s[*i]: 1, or 0. */
static int
seq_number(const char *s, size_t *i)
{
	unsigned long long v = 0;
	size_t start = *i;

	if (s[*i] == '*') {
		(*i)++;
		return 1;
	}
	if (s[*i] == '0')
		return 0;
	while (s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (unsigned)(s[*i] - '0');
		if (v > UID_MAX)
			return 0;
		(*i)++;
	}
	return *i > start;
}

/* A number below 2^40 at s[*i] (of len): 0, or -1 when none. */
static int
range_number(const char *s, size_t len, size_t *i, unsigned long long *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9' && *v < 1ull << 40)
		*v = *v * 10 + (unsigned)(s[(*i)++] - '0');
	return *i > start ? 0 : -1;
}

int
imap_set_range(const char *s, size_t len, size_t *pos,
	unsigned long long *a, unsigned long long *b)
{
	size_t i = *pos;

	if (i >= len)
		return 0;
	if (range_number(s, len, &i, a) < 0)
		return -1;
	*b = *a;
	if (i < len && s[i] == ':') {
		i++;
		if (range_number(s, len, &i, b) < 0)
			return -1;
		if (*b < *a) {
			unsigned long long t = *a;

			*a = *b;
			*b = t;
		}
	}
	if (i < len && s[i] != ',')
		return -1;
	*pos = i < len ? i + 1 : i;
	return 1;
}

int
imap_set_valid(const char *s)
{
	size_t i = 0;

	for (;;) {
		if (!seq_number(s, &i))
			return 0;
		if (s[i] == ':') {
			i++;
			if (!seq_number(s, &i))
				return 0;
		}
		if (s[i] == '\0')
			return 1;
		if (s[i] != ',')
			return 0;
		i++;
	}
}

void
imap_uids_add(struct imap_uids *u, unsigned long long uid)
{
	if (u->n == u->alloc) {
		u->alloc = u->alloc ? u->alloc * 2 : 64;
		u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
	}
	u->v[u->n++] = uid;
}

void
imap_uids_release(struct imap_uids *u)
{
	free(u->v);
	memset(u, 0, sizeof(*u));
}

int
imap_uids_parse(struct imap_uids *u, const char *text, size_t len,
	const char *what, struct err *e)
{
	size_t i = 0, line = 0;

	while (i < len) {
		size_t j = i, k;
		unsigned long long v = 0;

		line++;
		while (j < len && text[j] != '\n')
			j++;
		k = j;
		while (k > i && (text[k - 1] == '\r' || text[k - 1] == ' ' ||
		    text[k - 1] == '\t'))
			k--;
		while (i < k && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i < k) {
			size_t m;

			for (m = i; m < k; m++) {
				if (text[m] < '0' || text[m] > '9' ||
				    (v = v * 10 + (unsigned)(text[m] - '0')) >
				    UID_MAX)
					break;
			}
			if (m < k || v == 0)
				return err_set(e, ERR_USAGE, "%s: line %zu: "
					"not a UID: \"%.*s\"", what, line,
					(int)(k - i > 40 ? 40 : k - i),
					text + i);
			imap_uids_add(u, v);
		}
		i = j + 1;
	}
	return 0;
}

static int
cmp_uid(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

size_t
imap_uids_sets(struct imap_uids *u, size_t max, struct buf *out)
{
	size_t i = 0, n = 0, sets = 0, setlen = 0;
	char item[48];

	if (u->n)
		qsort(u->v, u->n, sizeof(*u->v), cmp_uid);
	for (i = 0; i < u->n; i++)
		if (n == 0 || u->v[i] != u->v[n - 1])
			u->v[n++] = u->v[i];
	u->n = n;
	for (i = 0; i < n; ) {
		size_t j = i, len;

		while (j + 1 < n && u->v[j + 1] == u->v[j] + 1)
			j++;
		if (j > i)
			len = (size_t)snprintf(item, sizeof item, "%llu:%llu",
				u->v[i], u->v[j]);
		else
			len = (size_t)snprintf(item, sizeof item, "%llu",
				u->v[i]);
		if (setlen && setlen + 1 + len > max) {
			buf_addch(out, '\n');
			setlen = 0;
		}
		if (setlen) {
			buf_addch(out, ',');
			setlen++;
		} else {
			sets++;
		}
		buf_add(out, item, len);
		setlen += len;
		i = j + 1;
	}
	return sets;
}
