/* qp.c: see qp.h (stub: implementation follows). */
#include <config.h>

#include "qp.h"

void
qp_dec_init(struct qp_dec *d)
{
}

int
qp_dec_buf(struct qp_dec *d, const void *in, size_t len, struct buf *out)
{
	return -1;
}

int
qp_dec_finish_buf(struct qp_dec *d, struct buf *out)
{
	return -1;
}

int
qp_decode(const void *in, size_t len, struct buf *out)
{
	return -1;
}

void
qp_enc_init(struct qp_enc *e, unsigned int flags)
{
}

int
qp_enc_buf(struct qp_enc *e, const void *in, size_t len, struct buf *out)
{
	return -1;
}

int
qp_enc_finish_buf(struct qp_enc *e, struct buf *out)
{
	return -1;
}

int
qp_encode(const void *in, size_t len, unsigned int flags, struct buf *out)
{
	return -1;
}
