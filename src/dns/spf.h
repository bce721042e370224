/*
 * spf.h: a domain's SPF policy read and judged (RFC 7208), without an IP
 * address to check: the record, its syntax, the DNS-lookup count against
 * the limit of 10 and the void lookups against 2 (4.6.4), following
 * include and redirect (5.2, 6.1), several records (4.5), +all, the
 * deprecated ptr (5.5).
 *
 * spf_start asks for the TXT records; as each answer comes in (during
 * dns_run) the includes, the redirect and the lookups of a, mx and exists
 * are asked at once, so the whole tree costs its depth in round trips.
 */
#ifndef MKIT_SPF_H
#define MKIT_SPF_H

#include <stddef.h>

#include "dns/dns.h"
#include "dns/finding.h"

/* One term of a record: a mechanism ([qual] name [":" arg | "/" cidr]) or
 * a modifier (name "=" arg). */
struct spf_term {
	char qual;		/* '+', '-', '~', '?'; 0 for a modifier */
	char name[16];		/* lower case; "" for an unknown modifier */
	char *arg;		/* domain-spec, address or value; NULL: none */
	int macro;		/* arg holds a macro (%{...}) */
	int cidr4, cidr6;	/* a, mx: the prefix lengths (32, 128 unless
				 * given) */
	struct spf_rec *child;	/* include, redirect: the record fetched */
	struct dnsmsg *look;	/* a, mx, exists: the lookup made */
};

struct spf_rec {
	char *domain;
	const char *via;	/* "include", "redirect", NULL at the top */
	struct spf_rec *parent;
	struct spf *spf;
	struct dnsmsg *txt;	/* the TXT answer */
	int nrecords;		/* records starting "v=spf1" */
	char *record;		/* the one record, when there is one */
	char syntax[160];	/* the first syntax error, or "" */
	struct spf_term *terms;
	size_t nterms;
	int loop;		/* not fetched: the domain is an ancestor */
};

struct spf {
	struct dns *dns;
	struct spf_rec top;
	unsigned fetched;	/* records asked for, to bound hostile trees */
	unsigned lookups;	/* set by spf_check: terms that cost a lookup */
	unsigned voids;		/* ... and lookups that found nothing */
};

/* Start reading domain's SPF policy on d into s (initialised here); s must
 * stay in place until dns_run returns. */
void spf_start(struct spf *s, struct dns *d, const char *domain);
/* Judge into f (check "spf") and count the lookups into s. Returns the
 * status of the top TXT answer. */
enum dnsmsg_status spf_check(struct spf *s, struct findings *f);
void spf_release(struct spf *s);

/* Parse one record ("v=spf1 ..."), which must start with the version, into
 * a new array of terms (*terms, *n; free with spf_terms_free). 0, or -1
 * with why filled (the terms parsed so far are kept). */
int spf_parse(const char *record, struct spf_term **terms, size_t *n,
	char *why, size_t whysize);
void spf_terms_free(struct spf_term *terms, size_t n);
/* Does a TXT string start an SPF record ("v=spf1" then a space or end)? */
int spf_is_record(const char *txt, size_t len);

#endif
