/* fuzz_rfc2047: decoding gives valid UTF-8 without line breaks; encoding
 * gives 7-bit text that decodes back to the input. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"
#include "codec/rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf d = BUF_INIT, enc = BUF_INIT, back = BUF_INIT;
	const char *s = (const char *)data;
	size_t i;
	int plain = 1;
	unsigned int flags;

	rfc2047_decode(s, size, &d);
	if (!charset_utf8_valid(d.data, d.len))
		abort();
	rfc2047_has_words(s, size);

	flags = size && (data[0] & 1) ? RFC2047_NOFOLD : 0;
	rfc2047_encode(s, size, size ? data[0] % 40 : 0, flags, &enc);
	if (!charset_is_7bit(enc.data, enc.len))
		abort();
	for (i = 0; i < enc.len; i++)
		if ((enc.data[i] == '\n' || enc.data[i] == '\r') &&
		    (flags & RFC2047_NOFOLD))
			abort();
	/* Text without controls comes back as it was. */
	for (i = 0; i < size; i++)
		if (data[i] < 32 || data[i] == 127)
			plain = 0;
	if (plain && charset_utf8_valid(data, size)) {
		rfc2047_decode(enc.data ? enc.data : "", enc.len, &back);
		if (back.len != size || (size && memcmp(back.data, data,
		    size)))
			abort();
	}
	buf_reset(&enc);
	rfc2047_encode(s, size, 6, RFC2047_PHRASE, &enc);
	if (!charset_is_7bit(enc.data, enc.len))
		abort();
	buf_release(&d);
	buf_release(&enc);
	buf_release(&back);
	return 0;
}
