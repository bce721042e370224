/*
 * spfmacro.h: SPF macro expansion (RFC 7208 7): the letters s l o d i p h
 * v, and c r t in explanations; the transformers (a number of right-hand
 * parts, r for reversal), the delimiters ".-+,/_=", %% %_ %-, and URL
 * escaping for an upper-case letter. A domain-spec is cut from the left to
 * 253 octets after expansion (7.3).
 */
#ifndef MKIT_SPFMACRO_H
#define MKIT_SPFMACRO_H

#include <stddef.h>

#include "base/buf.h"

/* What the letters stand for. ip is the client address in network order;
 * an IPv4-mapped IPv6 address must come as AF_INET (RFC 7208 5). */
struct spf_macro_env {
	const char *sender;	/* s: <sender>, "local@domain" */
	const char *local;	/* l */
	const char *sdomain;	/* o */
	const char *domain;	/* d: the domain whose record is evaluated */
	const char *helo;	/* h */
	const char *receiver;	/* r; NULL: "unknown" */
	long long now;		/* t: seconds since the epoch */
	int family;		/* AF_INET or AF_INET6 */
	unsigned char ip[16];
	/* p: the validated name of ip for domain (RFC 7208 7.3, 5.5), asked
	 * for only when a %{p} is met; it returns a string it owns, or NULL
	 * for "unknown". NULL here: always "unknown". */
	const char *(*ptr)(void *arg, const char *domain);
	void *ptr_arg;
};

enum spf_macro_flags {
	/* an explain-string: c r t and spaces allowed */
	SPF_MACRO_EXP = 1 << 0,
	/* a domain-spec: cut to 253 octets, one final dot dropped */
	SPF_MACRO_DOMAIN = 1 << 1,
};

/* Expand the macro-string in into out (appended). 0, or -1 with why
 * filled: a '%' not followed by '{', '%', '_' or '-', an unknown letter
 * (c, r, t outside SPF_MACRO_EXP), a zero number of parts, a macro not
 * closed, a byte outside visible ASCII (space allowed in explanations). */
int spf_macro_expand(const char *in, const struct spf_macro_env *env,
	unsigned flags, struct buf *out, char *why, size_t whysize);

/* The address as %{i} gives it: dotted quad, or 32 dot-separated nibbles
 * for IPv6 (7.3), appended to out. */
void spf_macro_ip(int family, const unsigned char *ip, struct buf *out);

/* The reverse-lookup name of the address ("4.3.2.1.in-addr.arpa",
 * "...ip6.arpa"), appended to out. */
void spf_macro_reverse_name(int family, const unsigned char *ip,
	struct buf *out);

#endif
