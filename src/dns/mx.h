/*
 * mx.h: where a domain's mail goes (RFC 5321 5.1) and what is wrong with it.
 *
 * mx_start asks for the domain's MX records on a resolver; as the answer
 * comes in (during dns_run) it asks for each host's A and AAAA, all at
 * once, so the whole set costs two round trips. With no MX the domain
 * itself is the host (implicit MX); a lone "MX 0 ." is a null MX (RFC 7505):
 * the domain takes no mail. mx_check then judges the set.
 */
#ifndef MKIT_MX_H
#define MKIT_MX_H

#include "dns/dns.h"
#include "dns/finding.h"

struct mx_host {
	char *name;		/* the exchange, no final dot */
	unsigned pref;
	int ip_literal;		/* the exchange is an address, not a name */
	struct dnsmsg *a;	/* answers; NULL when not asked */
	struct dnsmsg *aaaa;
};

struct mx_set {
	char *domain;
	struct dnsmsg *mx;	/* the MX answer, once in */
	int implicit;		/* no MX: the domain is its own host */
	int null_mx;		/* a null MX is among the records */
	struct mx_host *hosts;	/* by preference, then as listed */
	size_t nhosts;
	struct dns *dns;
	/* Called (from dns_run) once hosts are known, so that a check on
	 * each host (DANE) asks its questions in the same round trip as the
	 * addresses. Set after mx_start, before dns_run; may be NULL. */
	void (*on_hosts)(void *arg, struct mx_set *s);
	void *on_hosts_arg;
};

/* Start resolving domain's mail hosts on d into s (which it initialises);
 * s must stay in place until dns_run returns. */
void mx_start(struct mx_set *s, struct dns *d, const char *domain);
/* Judge the resolved set into f (check "mx"). Every finding says what to
 * fix. Returns the MX answer's status: DNSMSG_NXDOMAIN (the domain does not
 * exist), a temporary one (nothing could be judged: one error finding
 * "mx.dns"), or DNSMSG_OK/DNSMSG_NODATA. */
enum dnsmsg_status mx_check(const struct mx_set *s, struct findings *f);
void mx_release(struct mx_set *s);
/* Is s an IPv4 or IPv6 address (possibly in brackets)? */
int mx_is_ip_literal(const char *s);
/* Is this status one that says nothing about the name (timeout, SERVFAIL,
 * refused, malformed)? */
int mx_status_temporary(enum dnsmsg_status st);

#endif
