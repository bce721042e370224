/* fuzz_qp: tolerant decoding, streaming = one-shot, binary round trip,
 * encoder line limits. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/qp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lines(const struct buf *b)
{
	size_t i, col = 0;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == '\r' && i + 1 < b->len && b->data[i + 1] == '\n') {
			if (i && (b->data[i - 1] == ' ' ||
			    b->data[i - 1] == '\t'))
				abort();
			col = 0;
			i++;
			continue;
		}
		if (c > 126 || (c < 32 && c != '\t') || ++col > 76)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf one = BUF_INIT, split = BUF_INIT, enc = BUF_INIT;
	struct buf back = BUF_INIT;
	struct qp_dec d;
	struct qp_enc e;
	size_t cut = size ? data[0] % (size + 1) : 0, i;

	qp_decode(data, size, &one);
	qp_dec_init(&d);
	qp_dec_buf(&d, data, cut, &split);
	for (i = cut; i < size; i++)
		qp_dec_buf(&d, data + i, 1, &split);
	qp_dec_finish_buf(&d, &split);
	if (one.len != split.len || (one.len && memcmp(one.data, split.data,
	    one.len)))
		abort();

	qp_enc_init(&e, QP_ENC_BINARY | (size && (data[0] & 1) ?
		QP_ENC_SAFE : 0));
	qp_enc_buf(&e, data, cut, &enc);
	qp_enc_buf(&e, data + cut, size - cut, &enc);
	qp_enc_finish_buf(&e, &enc);
	check_lines(&enc);
	qp_decode(enc.data, enc.len, &back);
	if (back.len != size || (size && memcmp(back.data, data, size)))
		abort();

	buf_reset(&enc);
	qp_encode(data, size, 0, &enc);
	check_lines(&enc);

	buf_release(&one);
	buf_release(&split);
	buf_release(&enc);
	buf_release(&back);
	return 0;
}
