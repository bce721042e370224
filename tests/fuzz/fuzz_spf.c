/*
 * fuzz_spf: spf_parse on hostile records. Besides memory safety: a parse
 * that fails says why; every term of a good parse is a mechanism with a
 * qualifier and a known name, or a modifier with a value; include, exists
 * and redirect always carry their domain; a and mx prefix lengths are in
 * range.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/spf.h"

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
	char *rec = xmemdup(data, size), why[160] = "";
	struct spf_term *t;
	size_t n;

	if (spf_parse(rec, &t, &n, why, sizeof why) < 0) {
		check(why[0] != '\0');
	} else {
		for (size_t i = 0; i < n; i++) {
			check(t[i].qual ? strchr("+-~?", t[i].qual) != NULL :
				t[i].arg != NULL);
			if (!strcmp(t[i].name, "a") ||
			    !strcmp(t[i].name, "mx"))
				check(t[i].cidr4 >= 0 && t[i].cidr4 <= 32 &&
					t[i].cidr6 >= 0 && t[i].cidr6 <= 128);
			if (!strcmp(t[i].name, "include") ||
			    !strcmp(t[i].name, "exists") ||
			    !strcmp(t[i].name, "redirect"))
				check(t[i].arg && t[i].arg[0]);
		}
	}
	spf_terms_free(t, n);
	free(rec);
	return 0;
}
