/* conn.c: see conn.h. (stub: implementation in progress) */
#include <config.h>

#include "conn.h"

void
conn_opts_init(struct conn_opts *o)
{
	*o = (struct conn_opts){ 0 };
	o->connect_timeout = 30;
	o->timeout = 60;
}
