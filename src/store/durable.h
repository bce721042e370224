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

/*
 * Start writing fd's dirty pages out without waiting for them (Linux's
 * sync_file_range): a later fsync finds them written, and the blocks of
 * many files are allocated in one journal transaction, so that one commit
 * makes them all durable instead of one commit per file. Not durable by
 * itself. Nothing where unavailable, or with MKIT_BENCH_NOSYNC.
 */
void durable_start_write(int fd);

/*
 * Does the filesystem holding path commit its metadata journal in order
 * (ext4), so that a file whose pages were written out (durable_write_wait)
 * is durable with the next fsync of anything on it? 1 or 0.
 */
int durable_ordered_fs(const char *path);

/*
 * Write fd's pages out and wait for them (sync_file_range with both
 * waits): no journal commit, no cache flush of its own. 0, or -1 with
 * errno. Nothing with MKIT_BENCH_NOSYNC.
 */
int durable_write_wait(int fd);

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

/*
 * durable_replace() written in pieces, for a file too large to build in
 * memory first: _open creates "path.tmp" (mode 0600), _write appends,
 * _commit fsyncs it, renames it over path and, with sync_dir, fsyncs the
 * directory. On any failure (and on _abort) the temp file is removed,
 * path is unchanged and o is released; each call returns 0 or -1.
 * Errors: ERR_CANTCREAT, ERR_IO (ENOSPC included).
 */
struct durable_out {
	int fd;
	char *path, *tmp, *disp;
};
int durable_out_open(struct durable_out *o, const char *path,
	struct err *e);
int durable_out_write(struct durable_out *o, const void *p, size_t n,
	struct err *e);
int durable_out_commit(struct durable_out *o, int sync_dir, struct err *e);
void durable_out_abort(struct durable_out *o);
/* As durable_replace() but for the directory's fsync, which the caller
 * does once after replacing many files in it (durable_sync_dir()): until
 * then a crash may leave the old path. */
int durable_replace_file(const char *path, const void *p, size_t n,
	struct err *e);

#endif
