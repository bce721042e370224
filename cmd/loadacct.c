/*
 * loadacct.c: see common.h. Its own object in libcmd.a, so that a program
 * without accounts (mparse) links without the protocol layer.
 */
#include <config.h>

#include <stddef.h>
#include <stdlib.h>

#include "base/conf.h"
#include "common.h"
#include "proto/netacct.h"

struct account *
load_account_or_exit(const struct netacct_opts *no)
{
	struct config_warnings w = { NULL, 0 };
	struct account *acc;
	struct err e;
	size_t i;

	err_clear(&e);
	acc = netacct_load(no, &w, &e);
	for (i = 0; i < w.count; i++)
		warnx_("%s", w.msg[i]);
	config_warnings_release(&w);
	if (!acc) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	if (netacct_transport_init(acc, &e) < 0)
		diex(exit_code(e.code), "%s", e.msg);
	return acc;
}
