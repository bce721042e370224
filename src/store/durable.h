/*
 * durable.h: the few file operations durable storage is made of
 * (DESIGN.md 7), shared by the UIDL state, delivery and the next state
 * files (IMAP, the send queue).
 */
#ifndef MKIT_DURABLE_H
#define MKIT_DURABLE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* Write all n bytes at p to fd, retrying short writes and EINTR. 0, or -1
 * with errno set (ENOSPC for a full disk). */
int durable_write(int fd, const void *p, size_t n);

/*
 * fsync(fd) and fdatasync(fd), retried on EINTR. With MKIT_BENCH_NOSYNC
 * set in the environment they do nothing: a knob for bench/mpop alone
 * (how much of a fetch the syncs cost), never a user option.
 */
int durable_fsync(int fd);
int durable_fdatasync(int fd);

/* Create dir and its missing parents with mode (existing ones are left
 * as they are). Errors: ERR_CANTCREAT naming the directory that failed. */
int durable_mkdirs(const char *dir, mode_t mode, struct err *e);

/* fsync the directory dir (what makes a create, rename or unlink in it
 * durable). Errors: ERR_IO. */
int durable_sync_dir(const char *dir, struct err *e);

/* fsync the directory holding path ("." for a bare name). ERR_IO. */
int durable_sync_parent(const char *path, struct err *e);

/*
 * Replace path with the n bytes at p, atomically and durably: write
 * "path.tmp" (mode 0600), fsync it, rename it over path, fsync the
 * directory. On failure path is unchanged and the temp file removed.
 * Errors: ERR_IO (ENOSPC included), ERR_CANTCREAT.
 */
int durable_replace(const char *path, const void *p, size_t n,
	struct err *e);

#endif
