/* rfc2047.c: see rfc2047.h (stub: implementation follows). */
#include <config.h>

#include "rfc2047.h"

int
rfc2047_decode(const char *in, size_t len, struct buf *out)
{
	return -1;
}

int
rfc2047_has_words(const char *in, size_t len)
{
	return -1;
}

int
rfc2047_encode(const char *utf8, size_t len, size_t col, unsigned int flags, struct buf *out)
{
	return -1;
}
