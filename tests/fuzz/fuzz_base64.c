/* fuzz_base64: tolerant decoding, streaming = one-shot, and encode/decode
 * round trips. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf one = BUF_INIT, split = BUF_INIT, enc = BUF_INIT;
	struct buf back = BUF_INIT;
	struct b64_dec d;
	struct b64_enc e;
	size_t cut = size ? data[0] % (size + 1) : 0, i;

	b64_decode(data, size, &one);
	b64_dec_init(&d);
	b64_dec_buf(&d, data, cut, &split);
	for (i = cut; i < size; i += 3)
		b64_dec_buf(&d, data + i, size - i < 3 ? size - i : 3, &split);
	b64_dec_finish_buf(&d, &split);
	if (one.len != split.len || (one.len && memcmp(one.data, split.data,
	    one.len)))
		abort();

	/* Raw input: encode (fed in two pieces) then decode. */
	b64_enc_init(&e, B64_LINE_LEN, 0);
	b64_enc_buf(&e, data, cut, &enc);
	b64_enc_buf(&e, data + cut, size - cut, &enc);
	b64_enc_finish_buf(&e, &enc);
	b64_decode(enc.data, enc.len, &back);
	if (back.len != size || (size && memcmp(back.data, data, size)))
		abort();

	buf_release(&one);
	buf_release(&split);
	buf_release(&enc);
	buf_release(&back);
	return 0;
}
