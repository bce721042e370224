/*
 * t_dmarc: DMARC tag reading (RFC 7489 6.3: tag=value pairs split by ';',
 * spaces around them ignored) and the organizational domain by the public
 * suffix list (3.2), table-driven.
 */
#include "config.h"

#include <stdlib.h>

#include "dns/dmarc.h"
#include "tap.h"

static const struct {
	const char *record, *tag, *want;	/* want NULL: absent */
} tags[] = {
	{ "v=DMARC1; p=reject", "p", "reject" },
	{ "v=DMARC1;p=reject;sp=none", "sp", "none" },
	{ "v=DMARC1 ;  p = quarantine ; pct=50", "p", "quarantine" },
	{ "v=DMARC1; P=reject", "p", "reject" },
	{ "v=DMARC1; p=reject", "sp", NULL },
	{ "v=DMARC1; np=reject", "p", NULL },
	{ "v=DMARC1; rua=mailto:a@x.org,mailto:b@y.org", "rua",
	  "mailto:a@x.org,mailto:b@y.org" },
	{ "v=DMARC1; p=", "p", "" },
	{ "", "p", NULL },
};

static const struct {
	const char *name, *want;
} orgs[] = {
	{ "example.co.uk", "example.co.uk" },
	{ "a.b.example.co.uk", "example.co.uk" },
	{ "Mail.Example.ORG", "example.org" },
	{ "x.agency.gov.uk", "agency.gov.uk" },
	{ "co.uk", NULL },
	{ "uk", NULL },
};

int
main(void)
{
	char out[128];

	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
		int rc = dmarc_tag(tags[i].record, tags[i].tag, out,
			sizeof out);

		tap_str(rc == 0 ? out : NULL, tags[i].want, tags[i].record);
	}
	for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
		char *org = dmarc_psl_org(orgs[i].name);

		tap_str(org, orgs[i].want, orgs[i].name);
		free(org);
	}
	return tap_done();
}
