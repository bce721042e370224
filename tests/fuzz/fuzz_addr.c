/* fuzz_addr: parsing never fails, gives UTF-8 names and specs; formatting
 * the result and parsing it again does not fail either. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/addr.h"
#include "codec/charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
valid(const char *s)
{
	if (s && !charset_utf8_valid(s, strlen(s)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_list l = ADDR_LIST_INIT, l2 = ADDR_LIST_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	addr_parse((const char *)data, size, ADDR_EMPTY_GROUPS, &l);
	for (i = 0; i < l.n; i++) {
		valid(l.v[i].name);
		valid(l.v[i].spec);
		valid(l.v[i].group);
		if (!l.v[i].spec && !l.v[i].group)
			abort();
		if (l.v[i].spec)
			addr_domain(l.v[i].spec);
	}
	/* Every display name survives formatting and parsing again. */
	for (i = 0; i < l.n; i++) {
		unsigned int fl = size && (data[0] & 1) ? ADDR_FMT_UTF8 : 0;
		const char *nm = l.v[i].name, *c;

		if (!nm)
			continue;
		for (c = nm; *c; c++)
			if ((unsigned char)*c < 32 || *c == 127)
				fl = 0;
		buf_reset(&b);
		addr_format(&b, nm, "x@y", fl);
		addr_parse(b.data, b.len, 0, &l2);
		if (l2.n != 1 || !l2.v[0].name || strcmp(l2.v[0].name, nm) ||
		    strcmp(l2.v[0].spec, "x@y"))
			abort();
		addr_list_release(&l2);
	}
	buf_reset(&b);
	addr_format_list(&b, &l, 4, size && (data[0] & 1) ? ADDR_FMT_UTF8 : 0);
	addr_parse(b.data ? b.data : "", b.len, ADDR_EMPTY_GROUPS, &l2);
	addr_list_release(&l);
	addr_list_release(&l2);
	buf_release(&b);
	return 0;
}
