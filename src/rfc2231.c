/* rfc2231.c: see rfc2231.h (stub: implementation follows). */
#include <config.h>

#include "rfc2231.h"

void
rfc2231_parse(const char *in, size_t len, struct rfc2231 *r)
{
}

const char *
rfc2231_get(const struct rfc2231 *r, const char *name)
{
	return NULL;
}

void
rfc2231_release(struct rfc2231 *r)
{
}

int
rfc2231_add_param(struct buf *out, size_t *col, const char *name, const char *value, unsigned int flags)
{
	return -1;
}
