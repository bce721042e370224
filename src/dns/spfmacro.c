/*
 * spfmacro.c: SPF macros, RFC 7208 7.1 (syntax), 7.3 (expansion), 7.4
 * (examples, in tests/unit/t_spfmacro.c).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/spfmacro.h"

#define DOMAIN_MAX 253
/* A transformer keeping more parts keeps them all: no name has as many. */
#define PARTS_MAX 128

struct part {
	const char *p;
	size_t n;
};

void
spf_macro_ip(int family, const unsigned char *ip, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";

	if (family == AF_INET) {
		buf_addf(out, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
		return;
	}
	for (int i = 0; i < 16; i++)
		buf_addf(out, "%s%c.%c", i ? "." : "", hex[ip[i] >> 4],
			hex[ip[i] & 15]);
}

void
spf_macro_reverse_name(int family, const unsigned char *ip, struct buf *out)
{
	static const char hex[] = "0123456789abcdef";

	if (family == AF_INET) {
		buf_addf(out, "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1],
			ip[0]);
		return;
	}
	for (int i = 15; i >= 0; i--)
		buf_addf(out, "%c.%c.", hex[ip[i] & 15], hex[ip[i] >> 4]);
	buf_addstr(out, "ip6.arpa");
}

/* RFC 3986 unreserved: what an upper-case macro leaves as it is. */
static int
unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void
put(struct buf *out, const char *p, size_t n, int url)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (!url || unreserved(c))
			buf_addch(out, c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

/* Split val on any of delims, reverse if asked, keep the keep right-hand
 * parts (0: all), join with '.' into out (7.3). */
static void
transform(const char *val, unsigned keep, int reverse, const char *delims,
	int url, struct buf *out)
{
	struct part *parts = NULL;
	size_t n = 0, first;
	const char *p = val;

	for (;;) {
		size_t len = strcspn(p, delims);

		parts = xrealloc(parts, (n + 1) * sizeof *parts);
		parts[n].p = p;
		parts[n++].n = len;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (reverse)
		for (size_t i = 0; i < n / 2; i++) {
			struct part t = parts[i];

			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = t;
		}
	first = keep && keep < n ? n - keep : 0;
	for (size_t i = first; i < n; i++) {
		if (i > first)
			buf_addch(out, '.');
		put(out, parts[i].p, parts[i].n, url);
	}
	free(parts);
}

/* The value of letter c (lower case) into v. */
static void
value(int c, const struct spf_macro_env *env, struct buf *v)
{
	char addr[INET6_ADDRSTRLEN];
	const char *s = NULL;

	switch (c) {
	case 's': s = env->sender; break;
	case 'l': s = env->local; break;
	case 'o': s = env->sdomain; break;
	case 'd': s = env->domain; break;
	case 'h': s = env->helo; break;
	case 'r': s = env->receiver ? env->receiver : "unknown"; break;
	case 'v': s = env->family == AF_INET ? "in-addr" : "ip6"; break;
	case 'i':
		spf_macro_ip(env->family, env->ip, v);
		return;
	case 'c':
		inet_ntop(env->family, env->ip, addr, sizeof addr);
		s = addr;
		break;
	case 't':
		buf_addf(v, "%lld", env->now);
		return;
	case 'p':
		s = env->ptr ? env->ptr(env->ptr_arg, env->domain) : NULL;
		if (!s)
			s = "unknown";
		break;
	}
	buf_addstr(v, s ? s : "");
}

/* Drop labels from the left of out[start..] until it fits in 253 octets;
 * first one final dot. */
static void
cut_domain(struct buf *out, size_t start)
{
	char *d = out->data + start;
	size_t n = out->len - start;

	if (n > 0 && d[n - 1] == '.')
		n--;
	while (n > DOMAIN_MAX) {
		char *dot = memchr(d, '.', n);

		if (!dot) {
			n = 0;
			break;
		}
		n -= (size_t)(dot + 1 - d);
		memmove(d, dot + 1, n);
	}
	buf_truncate(out, start + n);
}

int
spf_macro_expand(const char *in, const struct spf_macro_env *env,
	unsigned flags, struct buf *out, char *why, size_t whysize)
{
	const char *letters = flags & SPF_MACRO_EXP ? "slodiphcrtv" :
		"slodiphv";
	size_t start = out->len;
	struct buf v = BUF_INIT;
	const char *err = NULL;

	/* Each error leaves the loop at once: s may stand on the NUL. */
	for (const char *s = in; *s; s++) {
		unsigned long keep = 0;
		char delims[8] = "";
		int c, reverse = 0;

		if ((unsigned char)*s > 0x7e || (unsigned char)*s < 0x20 ||
		    (*s == ' ' && !(flags & SPF_MACRO_EXP))) {
			err = "a character outside visible ASCII";
			goto out;
		}
		if (*s != '%') {
			buf_addch(out, *s);
			continue;
		}
		s++;
		if (*s == '%' || *s == '_' || *s == '-') {
			buf_addstr(out, *s == '%' ? "%" : *s == '_' ? " " :
				"%20");
			continue;
		}
		if (*s != '{') {
			err = "a '%' not followed by '{', '%', '_' or '-'";
			goto out;
		}
		c = (unsigned char)*++s;
		if (!c || !strchr(letters, tolower(c))) {
			err = "an unknown macro letter";
			goto out;
		}
		s++;
		if (isdigit((unsigned char)*s)) {
			while (isdigit((unsigned char)*s)) {
				if (keep <= PARTS_MAX)
					keep = keep * 10 + (unsigned long)(*s -
						'0');
				s++;
			}
			if (keep == 0) {
				err = "a macro keeping zero parts";
				goto out;
			}
			if (keep > PARTS_MAX)
				keep = PARTS_MAX;
		}
		if (*s == 'r' || *s == 'R') {
			reverse = 1;
			s++;
		}
		while (*s && strchr(".-+,/_=", *s)) {
			if (!strchr(delims, *s))
				delims[strlen(delims)] = *s;
			s++;
		}
		if (*s != '}') {
			err = "a macro not closed by '}'";
			goto out;
		}
		buf_reset(&v);
		value(tolower(c), env, &v);
		transform(v.data ? v.data : "", (unsigned)keep, reverse,
			delims[0] ? delims : ".", isupper(c), out);
	}
out:
	buf_release(&v);
	if (err) {
		snprintf(why, whysize, "%s", err);
		buf_truncate(out, start);
		return -1;
	}
	if (flags & SPF_MACRO_DOMAIN)
		cut_domain(out, start);
	return 0;
}
