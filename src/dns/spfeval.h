/*
 * spfeval.h: RFC 7208 check_host(): may this IP address send mail for this
 * domain? The result (pass, fail, softfail, neutral, none, permerror,
 * temperror), the terms that decided it, from the top record down through
 * include and redirect, and the explanation of a fail (exp=).
 *
 * The records are evaluated in the order the RFC gives (4.6.2: left to
 * right, stopping at the first match), so the lookups of one record go one
 * after another; the independent lookups of one term (the addresses of each
 * MX or PTR name) are asked together. Each lookup is bounded by the dns
 * handle's timeout.
 */
#ifndef MKIT_SPFEVAL_H
#define MKIT_SPFEVAL_H

#include <stddef.h>

#include "dns/dns.h"

enum spf_result {
	SPF_NONE,
	SPF_NEUTRAL,
	SPF_PASS,
	SPF_FAIL,
	SPF_SOFTFAIL,
	SPF_TEMPERROR,
	SPF_PERMERROR,
};

/* The question (RFC 7208 4.1). */
struct spf_query {
	const char *ip;		/* IPv4 or IPv6, numeric */
	const char *domain;	/* <domain> */
	const char *sender;	/* <sender>; "" or NULL: postmaster@helo;
				 * no local part: postmaster */
	const char *helo;	/* %{h}; NULL: "unknown" */
	const char *receiver;	/* %{r}; NULL: "unknown" */
	long long now;		/* %{t} */
};

/* One record on the way to the result: the term of it that decided (as
 * written; NULL when none matched), the record and its domain. */
struct spf_step {
	char *domain;
	char *record;		/* NULL when none was found */
	char *term;
};

struct spf_verdict {
	enum spf_result result;
	/* The top record first; an include or redirect that decided is
	 * followed by the step inside its target. */
	struct spf_step *steps;
	size_t nsteps;
	char *explanation;	/* fail with a usable exp= only */
	/* none, permerror, temperror: why, naming the term or domain */
	char why[256];
	/* the top TXT lookup failed: nothing of the policy was seen */
	int unjudged;
	unsigned lookups;	/* terms that cost a lookup (limit 10) */
	unsigned voids;		/* ... that found nothing (limit 2) */
};

/* Evaluate q on d into v (which the caller zeroes and releases). Returns
 * -1 only for a query that cannot be asked (ip not an address): why says
 * so; every DNS or record problem is a result, as the RFC gives it. */
int spf_check_host(struct dns *d, const struct spf_query *q,
	struct spf_verdict *v);
void spf_verdict_release(struct spf_verdict *v);

/* "pass", "fail", ... */
const char *spf_result_name(enum spf_result r);

#endif
