/* fuzz_date: parsing never misbehaves; a parsed date formatted again
 * parses to the same instant and zone. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char rfc[DATE_RFC5322_LEN], iso[DATE_ISO_LEN];
	time_t t, t2;
	int off, off2;

	if (date_parse((const char *)data, size, &t, &off) < 0)
		return 0;
	date_format_off(t, off, rfc);
	date_format_iso(t, iso);
	if (date_parse(rfc, strlen(rfc), &t2, &off2) < 0 || t2 != t ||
	    off2 != off)
		abort();
	return 0;
}
