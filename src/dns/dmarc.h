/*
 * dmarc.h: a domain's DMARC policy found and judged (RFC 7489, with
 * DMARCbis's DNS tree walk).
 *
 * dmarc_start asks for _dmarc at the domain and at every ancestor at once
 * (the tree walk, one round trip); each record found with rua/ruf to
 * another organization starts the external-destination check (RFC 7489
 * 7.1) at once. The organizational domain is found both ways: the public
 * suffix list (libpsl, RFC 7489 3.2) and the tree walk (DMARCbis: psd=n
 * marks it, psd=y marks the suffix above it, else the shortest name with
 * a record); the report says which one decided and flags disagreement.
 */
#ifndef MKIT_DMARC_H
#define MKIT_DMARC_H

#include <stddef.h>

#include "dns/dns.h"
#include "dns/finding.h"

#define DMARC_WALK_MAX 8

struct dmarc_ext {
	char *uri;		/* as in the record */
	char *dest;		/* the destination domain; NULL: not mailto */
	int external;		/* another organization than the policy's */
	struct dnsmsg *txt;	/* POLICY._report._dmarc.DEST when external */
};

struct dmarc_rec {
	struct dmarc *owner;
	char *name;		/* the domain this _dmarc is under */
	struct dnsmsg *txt;
	int nrecords;		/* TXT records starting "v=DMARC1" */
	char *record;		/* the first of them */
	struct dmarc_ext *ext;
	size_t next;
};

struct dmarc {
	struct dns *dns;
	char *domain;		/* lower case */
	char *psl_org;		/* organizational domain by the PSL */
	struct dmarc_rec walk[DMARC_WALK_MAX];	/* domain, then ancestors */
	size_t nwalk;
	/* set by dmarc_check */
	const struct dmarc_rec *policy;	/* the record that applies, or NULL */
	const char *tree_org;	/* organizational domain by the tree walk */
	const char *decided;	/* "domain", "psl", "tree-walk" or NULL */
	char p[16];		/* the policy that applies to the domain */
};

/* Start on d into s (initialised here; must stay in place until dns_run
 * returns). */
void dmarc_start(struct dmarc *s, struct dns *d, const char *domain);
/* Judge into f (check "dmarc"). Returns the status of _dmarc.DOMAIN. */
enum dnsmsg_status dmarc_check(struct dmarc *s, struct findings *f);
void dmarc_release(struct dmarc *s);
/* The value of tag in a DMARC record ("v=DMARC1; p=reject"), copied into
 * out (trimmed); 0 when present, -1 when not. */
int dmarc_tag(const char *record, const char *tag, char *out, size_t size);
/* The organizational domain of name by the public suffix list (a new
 * string), or NULL when name is itself a public suffix. */
char *dmarc_psl_org(const char *name);

#endif
