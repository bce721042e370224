/* date.c: see date.h (stub: implementation follows). */
#include <config.h>

#include "date.h"

int
date_parse(const char *in, size_t len, time_t *t, int *off)
{
	return -1;
}

char *
date_format(time_t t, char out[DATE_RFC5322_LEN])
{
	return NULL;
}

char *
date_format_off(time_t t, int off, char out[DATE_RFC5322_LEN])
{
	return NULL;
}

char *
date_format_iso(time_t t, char out[DATE_ISO_LEN])
{
	return NULL;
}
