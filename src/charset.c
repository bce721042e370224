/* charset.c: see charset.h (stub: implementation follows). */
#include <config.h>

#include "charset.h"

int
charset_known(const char *name)
{
	return -1;
}

int
charset_is_utf8(const char *name)
{
	return -1;
}

int
charset_is_ascii(const char *name)
{
	return -1;
}

int
charset_to_utf8(const char *charset, const void *in, size_t len, unsigned int flags, struct buf *out, size_t *nbad, struct err *e)
{
	return -1;
}

int
charset_from_utf8(const char *charset, const void *in, size_t len, struct buf *out, struct err *e)
{
	return -1;
}

int
charset_conv_init(struct charset_conv *c, const char *charset, struct err *e)
{
	return -1;
}

int
charset_conv_feed(struct charset_conv *c, const void *in, size_t len, struct buf *out, struct err *e)
{
	return -1;
}

int
charset_conv_finish(struct charset_conv *c, struct buf *out, struct err *e)
{
	return -1;
}

void
charset_conv_release(struct charset_conv *c)
{
}

int
charset_utf8_valid(const void *s, size_t len)
{
	return -1;
}

int
charset_is_7bit(const void *s, size_t len)
{
	return -1;
}

int
charset_nfc(const void *s, size_t len, struct buf *out)
{
	return -1;
}

int
charset_raw_to_utf8(const void *s, size_t len, struct buf *out)
{
	return -1;
}

void
charset_cache_clear(void)
{
}
