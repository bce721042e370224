/*
 * mimap-pull.h: "mimap pull", the command side (options, lock, folders,
 * output) over proto/imap_pull.h. Kept apart from mimap.c so that the
 * dispatch is all mimap.c knows of it.
 */
#ifndef MKIT_MIMAP_PULL_H
#define MKIT_MIMAP_PULL_H

#include <stddef.h>

#include "base/conf.h"

struct imap;
struct transcript;

/* The pull options of the command line (NULL/0: the account's). */
struct pull_cli {
	const char *maildir, *layout;
	int all, keep_local, push_deletes;
};

/* mimap.c's session opener (exits on failure). */
typedef struct imap *mimap_open_fn(const struct account *acc,
	struct transcript *ts);

/* Run "mimap pull" with the folders args[0..n); returns the exit
 * status. */
int mimap_pull(const struct account *acc, const struct pull_cli *pc,
	char **args, size_t n, int json, int tty, struct transcript *ts,
	mimap_open_fn *open_fn);

#endif
