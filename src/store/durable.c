/* durable.c: see durable.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "store/durable.h"

int
durable_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* MKIT_BENCH_NOSYNC: read once. */
static int
nosync(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("MKIT_BENCH_NOSYNC") != NULL;
	return v;
}

static int
sync_fd(int fd, int data)
{
	int r;

	if (nosync())
		return 0;
	while ((r = data ? fdatasync(fd) : fsync(fd)) != 0 && errno == EINTR)
		;
	return r;
}

int
durable_fsync(int fd)
{
	return sync_fd(fd, 0);
}

int
durable_fdatasync(int fd)
{
	return sync_fd(fd, 1);
}

void
durable_start_write(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (!nosync())
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

/* ext4's superblock magic (linux/magic.h) */
#define EXT4_MAGIC 0xEF53

int
durable_ordered_fs(const char *path)
{
#ifdef SYNC_FILE_RANGE_WRITE
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == EXT4_MAGIC;
#else
	(void)path;
	return 0;
#endif
}

int
durable_write_wait(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	if (nosync())
		return 0;
	return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
		SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
#else
	return durable_fsync(fd);
#endif
}

int
durable_mkdirs(const char *dir, mode_t mode, struct err *e)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) != 0 && errno != EEXIST) {
				char *d = path_tilde(p);

				rc = err_sys(e, ERR_CANTCREAT, errno, "%s", d);
				free(d);
				*s = c;
				break;
			}
			*s = c;
		}
		if (!*s)
			break;
	}
	free(p);
	return rc;
}

int
durable_sync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || durable_fsync(fd) != 0) {
		char *d = path_tilde(dir);

		rc = err_sys(e, ERR_IO, errno, "%s", d);
		free(d);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int
durable_sync_parent(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (!slash)
		return durable_sync_dir(".", e);
	dir = slash == path ? xstrdup("/") :
		xmemdup(path, (size_t)(slash - path));
	rc = durable_sync_dir(dir, e);
	free(dir);
	return rc;
}

int
durable_out_open(struct durable_out *o, const char *path, struct err *e)
{
	struct buf tmp = BUF_INIT;

	o->path = xstrdup(path);
	o->disp = path_tilde(path);
	buf_addf(&tmp, "%s.tmp", path);
	o->tmp = buf_detach(&tmp, NULL);
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	if (o->fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s.tmp", o->disp);
		durable_out_abort(o);
		return -1;
	}
	return 0;
}

int
durable_out_write(struct durable_out *o, const void *p, size_t n,
	struct err *e)
{
	if (durable_write(o->fd, p, n) < 0) {
		err_sys(e, ERR_IO, errno, "%s.tmp", o->disp);
		durable_out_abort(o);
		return -1;
	}
	return 0;
}

int
durable_out_commit(struct durable_out *o, int sync_dir, struct err *e)
{
	int fd = o->fd;

	if (durable_fsync(fd) != 0) {
		err_sys(e, ERR_IO, errno, "%s.tmp", o->disp);
		goto fail;
	}
	o->fd = -1;
	if (close(fd) != 0 || rename(o->tmp, o->path) != 0) {
		err_sys(e, ERR_IO, errno, "%s", o->disp);
		goto fail;
	}
	if (sync_dir && durable_sync_parent(o->path, e) < 0) {
		free(o->tmp);
		o->tmp = NULL;	/* renamed: nothing to remove */
		goto fail;
	}
	free(o->tmp);
	o->tmp = NULL;
	durable_out_abort(o);
	return 0;
fail:
	durable_out_abort(o);
	return -1;
}

void
durable_out_abort(struct durable_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	free(o->disp);
	o->fd = -1;
	o->tmp = o->path = o->disp = NULL;
}

static int
replace(const char *path, const void *p, size_t n, int sync_dir,
	struct err *e)
{
	struct durable_out o;

	if (durable_out_open(&o, path, e) < 0 ||
	    durable_out_write(&o, p, n, e) < 0)
		return -1;
	return durable_out_commit(&o, sync_dir, e);
}

int
durable_replace(const char *path, const void *p, size_t n, struct err *e)
{
	return replace(path, p, n, 1, e);
}

int
durable_replace_file(const char *path, const void *p, size_t n,
	struct err *e)
{
	return replace(path, p, n, 0, e);
}
