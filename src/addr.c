/* addr.c: see addr.h (stub: implementation follows). */
#include <config.h>

#include "addr.h"

void
addr_list_init(struct addr_list *l)
{
}

size_t
addr_parse(const char *in, size_t len, unsigned int flags, struct addr_list *l)
{
	return 0;
}

void
addr_list_release(struct addr_list *l)
{
}

const char *
addr_domain(const char *spec)
{
	return NULL;
}

int
addr_format(struct buf *out, const char *name, const char *spec, unsigned int flags)
{
	return -1;
}

int
addr_format_list(struct buf *out, const struct addr_list *l, size_t col, unsigned int flags)
{
	return -1;
}
