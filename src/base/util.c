/* util.c: see util.h. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"

static void
oom(void)
{
	fputs("mkit: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xmemdup(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int
mem_casecmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++) {
		int d = lower(x[i]) - lower(y[i]);

		if (d)
			return d;
	}
	return 0;
}

int
has_prefix_ci(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && mem_casecmp(s, prefix, n) == 0;
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_byte(char *out, unsigned char c, unsigned flags)
{
	const char *digits = flags & HEX_UPPER ? "0123456789ABCDEF" :
		"0123456789abcdef";

	out[0] = digits[c >> 4];
	out[1] = digits[c & 15];
}

size_t
hex_encode(char *out, const void *p, size_t n, unsigned flags)
{
	const unsigned char *b = p;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (i && (flags & HEX_COLONS))
			out[o++] = ':';
		hex_byte(out + o, b[i], flags);
		o += 2;
	}
	out[o] = '\0';
	return o;
}

long
hex_decode(const char *s, int sep, unsigned char *out, size_t outsz)
{
	size_t n = 0;
	int hi, lo;

	if (!*s)
		return -1;
	while (*s) {
		if ((hi = hex_value((unsigned char)s[0])) < 0 ||
		    (lo = hex_value((unsigned char)s[1])) < 0 || n == outsz)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
		if (sep && *s == sep && s[1])
			s++;
	}
	return (long)n;
}

long
fingerprint_parse(const char *s, unsigned char out[FINGERPRINT_MAX])
{
	return hex_decode(s, ':', out, FINGERPRINT_MAX);
}

void
secure_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

int
state_dir(struct buf *b, const char *sub)
{
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (x && x[0] == '/')
		buf_addf(b, "%s/mkit/%s", x, sub);
	else if (h && *h)
		buf_addf(b, "%s/.local/state/mkit/%s", h, sub);
	else
		return -1;
	return 0;
}

char *
path_tilde(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	struct buf b = BUF_INIT;

	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
		buf_addf(&b, "~%s", path + n);
	else
		buf_addstr(&b, path);
	return buf_detach(&b, NULL);
}

void
strv_add_list(char ***v, size_t *n, const char *list, int lower)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok;
		tok = strtok_r(NULL, ",", &save)) {
		char *t;

		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		t = xstrdup(tok);
		if (lower) {
			char *c;

			for (c = t; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = t;
	}
	free(copy);
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

uint64_t
str_hash64(const char *s)
{
	return mem_hash64(s, strlen(s));
}

uint64_t
mem_hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;

	for (; n; n--, s++)
		h = (h ^ *s) * 1099511628211ull;
	return h;
}

/* bytes per pool block, its link included */
#define STRPOOL_BLOCK 8192

char *
strpool_add(struct strpool *sp, const char *s, size_t n)
{
	char *r;

	if (!sp->blk || sp->size - sp->used < n + 1) {
		size_t size = sizeof(char *) + n + 1 > STRPOOL_BLOCK ?
			sizeof(char *) + n + 1 : STRPOOL_BLOCK;
		char *b = xmalloc(size);

		memcpy(b, &sp->blk, sizeof(char *));
		sp->blk = b;
		sp->size = size;
		sp->used = sizeof(char *);
	}
	r = sp->blk + sp->used;
	memcpy(r, s, n);
	r[n] = '\0';
	sp->used += n + 1;
	return r;
}

void
strpool_release(struct strpool *sp)
{
	while (sp->blk) {
		char *up;

		memcpy(&up, sp->blk, sizeof(char *));
		free(sp->blk);
		sp->blk = up;
	}
	sp->used = sp->size = 0;
}

void
test_kill_point(const char *point)
{
	static const char *want;
	static size_t len;
	static long left;
	const char *colon;

	if (!want) {
		want = getenv("MKIT_TEST_KILL");
		if (!want)
			want = "";
		colon = strchr(want, ':');
		len = colon ? (size_t)(colon - want) : strlen(want);
		left = colon ? strtol(colon + 1, NULL, 10) : 0;
	}
	if (len == 0 || strncmp(point, want, len) != 0 || point[len] != '\0')
		return;
	if (left-- == 0)
		raise(SIGKILL);
}
