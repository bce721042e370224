/*
 * fuzz_sts: the MTA-STS record and policy parsers, the TLS-RPT record
 * parser and the TLSA judgement on hostile bytes (not NUL-terminated).
 * Besides memory safety: a parse that fails says why; a good STS record
 * has an id of 1 to 32 letters and digits; a good policy has a mode, a
 * max_age within the limit, and mx patterns unless the mode is none; a
 * good TLS-RPT record has a usable URI.
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/dane.h"
#include "dns/sts.h"
#include "dns/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that a read past size is caught */
	char *s = xmalloc(size ? size : 1), id[33], why[200];
	struct sts_policy p;
	struct dnsmsg_rr rr = { 0 };
	struct dane_tlsa t;
	char **rua = NULL;
	size_t nrua = 0, bad = 0, n;
	int rc;

	memcpy(s, data, size);
	why[0] = '\0';
	rc = sts_txt_parse(s, size, id, why, sizeof why);
	if (rc < 0)
		check(why[0] != '\0');
	if (rc > 0) {
		n = strlen(id);
		check(n >= 1 && n <= 32);
		for (size_t i = 0; i < n; i++)
			check(isalnum((unsigned char)id[i]));
	}
	why[0] = '\0';
	if (sts_policy_parse(&p, s, size, why, sizeof why) < 0) {
		check(why[0] != '\0');
	} else {
		check(p.mode != STS_MODE_UNSET);
		check(p.max_age >= 0 && p.max_age <= STS_MAX_AGE_MAX);
		check(p.mode == STS_MODE_NONE || p.nmx > 0);
		for (size_t i = 0; i < p.nmx; i++)
			check(sts_mx_match(p.mx[i], p.mx[i]) ||
				p.mx[i][0] == '*');
	}
	sts_policy_release(&p);
	why[0] = '\0';
	rc = tlsrpt_parse(s, size, &rua, &nrua, &bad, why, sizeof why);
	if (rc < 0)
		check(why[0] != '\0');
	if (rc > 0)
		check(nrua > bad);
	strv_free(rua, nrua);
	if (size >= 3) {
		rr.usage = s[0];
		rr.selector = s[1];
		rr.mtype = s[2];
		rr.data = s + 3;
		rr.len = size - 3;
		check(dane_tlsa_read(&t, &rr) == !t.why);
	}
	free(s);
	return 0;
}
