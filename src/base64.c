/* base64.c: see base64.h (stub: implementation follows). */
#include <config.h>

#include "base64.h"

void
b64_dec_init(struct b64_dec *d)
{
}

size_t
b64_dec_mem(struct b64_dec *d, const void *in, size_t len, void *out)
{
	return 0;
}

int
b64_dec_buf(struct b64_dec *d, const void *in, size_t len, struct buf *out)
{
	return -1;
}

size_t
b64_dec_finish_mem(struct b64_dec *d, void *out)
{
	return 0;
}

int
b64_dec_finish_buf(struct b64_dec *d, struct buf *out)
{
	return -1;
}

int
b64_decode(const void *in, size_t len, struct buf *out)
{
	return -1;
}

void
b64_enc_init(struct b64_enc *e, unsigned int line_len, unsigned int flags)
{
}

int
b64_enc_buf(struct b64_enc *e, const void *in, size_t len, struct buf *out)
{
	return -1;
}

int
b64_enc_finish_buf(struct b64_enc *e, struct buf *out)
{
	return -1;
}

int
b64_encode(const void *in, size_t len, unsigned int line_len, unsigned int flags, struct buf *out)
{
	return -1;
}
