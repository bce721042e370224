/*
 * mdir.h: list the messages of a maildir folder (cur/ and new/) for
 * readers. Delivery into a maildir is the store layer's job.
 */
#ifndef MKIT_MDIR_H
#define MKIT_MDIR_H

#include <stddef.h>

#include "base/err.h"

struct mdir_list {
	char **path;	/* "DIR/cur/NAME", owned */
	size_t n;
};

/* 1 if dir looks like a maildir (has cur/ or new/), else 0. */
int mdir_is_maildir(const char *dir);
/* Fill l with the regular files of dir/cur and dir/new whose names do not
 * start with '.', sorted by name (delivery order for unique names), cur/
 * and new/ merged. ERR_NOINPUT when neither can be read. */
int mdir_list(const char *dir, struct mdir_list *l, struct err *e);
void mdir_list_release(struct mdir_list *l);

#endif
