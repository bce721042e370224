/* password.c: stub (first commit, API only); implementation follows. */
#include <config.h>

#include <stdlib.h>

#include "password.h"

char *
password_get(const struct account *acc, unsigned flags, struct err *err)
{
	err_set(err, ERR_CONFIG, "password sources not implemented yet");
	return NULL;
}
