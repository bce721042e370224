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

/* How durable_sync_files() makes a batch of files durable. */
enum durable_mode {
	DURABLE_EACH,		/* an fsync per file, several at once */
	DURABLE_ORDERED,	/* written out; the next fsync commits them */
	DURABLE_WHOLE_FS	/* one syncfs(2) and one fsync per batch */
};

/*
 * How files on the filesystem holding path are made durable together:
 * DURABLE_ORDERED on ext4 whose metadata journal commits in order
 * (data=ordered or data=journal), so that a file whose pages were written
 * out (durable_write_wait) is durable with the next fsync of anything on
 * it; DURABLE_WHOLE_FS on ext4 without a journal under Linux 5.8 or later
 * (see durable_sync_files); DURABLE_EACH elsewhere, or when the mode
 * cannot be read.
 */
enum durable_mode durable_fs_mode(const char *path);

/*
 * Write fd's pages out and wait for them (sync_file_range with both
 * waits): no journal commit, no cache flush of its own. 0, or -1 with
 * errno. Nothing with MKIT_BENCH_NOSYNC.
 */
int durable_write_wait(int fd);

/*
 * Make the n files open at fds durable but for their directory entries,
 * as mode says (durable_fs_mode of their directory): DURABLE_ORDERED
 * writes each out and waits for it (durable_write_wait); DURABLE_EACH
 * fsyncs each, by several threads at once so that the disk's cache
 * flushes serve many files together; DURABLE_WHOLE_FS syncs the whole
 * filesystem once (syncfs on fds[0], which must be the file opened first:
 * it reports the writeback errors since then) and fsyncs fds[0] for the
 * cache flush syncfs lacks at its end. 0, or -1 with errno and *bad the
 * index of a file that failed (then the batch is not durable; with
 * DURABLE_WHOLE_FS it is 0, the file the error was asked through).
 */
int durable_sync_files(const int *fds, size_t n, enum durable_mode mode,
	size_t *bad);

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

/* As durable_replace() but for the directory's fsync, which the caller
 * does once after replacing many files in it (durable_sync_dir()): until
 * then a crash may leave the old path. */
int durable_replace_file(const char *path, const void *p, size_t n,
	struct err *e);

/*
 * The same written in pieces, so that a large file is never held whole:
 * durable_file_open() creates "path.tmp" (mode 0600), durable_file_write()
 * appends to it, durable_file_commit() fsyncs it and renames it over path
 * (the directory not synced, as durable_replace_file()), and
 * durable_file_abort() removes it. commit and abort release f whatever
 * they return; a failed open leaves nothing to release, a failed write
 * asks for abort. Errors: as durable_replace_file().
 */
struct durable_file {
	int fd;
	char *path, *tmp, *disp;
};

int durable_file_open(struct durable_file *f, const char *path,
	struct err *e);
int durable_file_write(struct durable_file *f, const void *p, size_t n,
	struct err *e);
int durable_file_commit(struct durable_file *f, struct err *e);
void durable_file_abort(struct durable_file *f);

#endif
