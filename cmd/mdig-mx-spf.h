/*
 * mdig-mx-spf.h: `mdig-mx spf DOMAIN --ip IP`, RFC 7208 check_host(), for
 * cmd/mdig-mx.c.
 */
#ifndef MKIT_MDIG_MX_SPF_H
#define MKIT_MDIG_MX_SPF_H

#include "dns/dns.h"

struct spf_eval_args {
	const char *ip;
	const char *sender;	/* NULL: postmaster@DOMAIN */
	const char *helo;	/* NULL: "unknown" */
	int json;
};

/* Print text from the DNS made safe for a terminal (mdig-mx-print.c). */
void put_safe(const char *s);

/* Evaluate, print the result (text or JSON) and return the exit status:
 * 0 when a result was reached, 75 when the domain's own TXT lookup failed
 * (nothing could be judged), 64 for a bad --ip, or the status of a resolver
 * that cannot be set up. */
int spf_eval_main(const struct dns_opts *o, const char *domain,
	const struct spf_eval_args *a);

#endif
