/* fuzz_rfc2231: parsing never fails and gives UTF-8; every parameter
 * value written back with the encoder reads back the same. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"
#include "codec/rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc2231 r, r2;
	struct buf b = BUF_INIT;
	size_t i, col;

	rfc2231_parse((const char *)data, size, &r);
	if (!charset_utf8_valid(r.value, strlen(r.value)))
		abort();
	for (i = 0; i < r.nparams; i++) {
		const char *v = r.params[i].value;
		const char *name = "p";

		if (!charset_utf8_valid(v, strlen(v)))
			abort();
		if (rfc2231_get(&r, r.params[i].name) == NULL)
			abort();
		buf_reset(&b);
		buf_addstr(&b, "x/y");
		col = b.len;
		rfc2231_add_param(&b, &col, name, v, 0);
		if (!charset_is_7bit(b.data, b.len))
			abort();
		rfc2231_parse(b.data, b.len, &r2);
		if (!rfc2231_get(&r2, name) ||
		    strcmp(rfc2231_get(&r2, name), v) != 0)
			abort();
		rfc2231_release(&r2);
	}
	rfc2231_release(&r);
	buf_release(&b);
	return 0;
}
