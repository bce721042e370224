/* conf.c: stub (first commit, API only); implementation follows. */
#include <config.h>

#include <stdlib.h>

#include "conf.h"

struct config *
config_load(const char *path, unsigned flags, struct config_warnings *warn,
	struct err *err)
{
	err_set(err, ERR_CONFIG, "configuration not implemented yet");
	return NULL;
}
