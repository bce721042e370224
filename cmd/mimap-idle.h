/*
 * mimap-idle.h: mimap idle (cmd/mimap-idle.c), called from mimap's main.
 */
#ifndef MKIT_CMD_MIMAP_IDLE_H
#define MKIT_CMD_MIMAP_IDLE_H

#include <stddef.h>

#include "base/conf.h"

struct transcript;

struct idle_opts {
	char *const *folders;	/* UTF-8 names */
	size_t nfolders;
	const char *exec;	/* --exec CMD, or NULL */
	int json;
	int interval;		/* --interval: seconds between NOOPs
				   without IDLE */
};

/* Watch the folders until SIGTERM or SIGINT (then 0), or a failure of
 * the first connection (its sysexits status). */
int mimap_idle(const struct account *acc, struct transcript *ts,
	const struct idle_opts *o);

#endif
