/*
 * mimap.h: what the parts of mimap share (cmd/mimap.c: options, the
 * account, the session, dispatch; mimap-query.c: list, status, search;
 * mimap-fetch.c: fetch; mimap-edit.c: flag, copy, move, expunge, append
 * and the folder commands). mimap-pull.c and mimap-idle.c have their own
 * headers.
 */
#ifndef MKIT_CMD_MIMAP_H
#define MKIT_CMD_MIMAP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "mimap-pull.h"
#include "proto/netacct.h"

struct imap;


#define EX_NOMATCH		1

struct opts {
	const char *config, *account;
	struct netacct_override *ov;
	size_t nov;
	int verbose, json, status, headers, peek, namespace;
	const char *partial, *maildir, *flags, *date, *exec, *interval;
	char **args;
	size_t nargs;
	struct pull_cli pull;
};

/* ---- mimap.c ---- */

/* A failure on an open session: say it, log out, the status. */
int fail(struct imap *im, const struct err *e);
/* The sets for arg (a set, or "-": stdin); *single: one UID alone. */
void get_sets(const char *arg, struct buf *sets, int *single);

/* Each command runs on the open session im, logs out and returns the
 * exit status (usage errors exit). */

/* ---- mimap-query.c ---- */

int cmd_list(struct imap *im, const struct opts *o);
int cmd_status(struct imap *im, const struct opts *o);
int cmd_search(struct imap *im, const struct opts *o);

/* ---- mimap-fetch.c ---- */

int cmd_fetch(struct imap *im, const struct opts *o);

/* ---- mimap-edit.c ---- */

int cmd_flag(struct imap *im, const struct opts *o);
int cmd_copy(struct imap *im, const struct opts *o, int move);
int cmd_expunge(struct imap *im, const struct opts *o);
int cmd_append(struct imap *im, const struct opts *o);
/* create, delete, rename, subscribe, unsubscribe: verb is the command */
int cmd_folders(struct imap *im, const struct opts *o, const char *verb);

#endif
