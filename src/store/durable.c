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
durable_replace(const char *path, const void *p, size_t n, struct err *e)
{
	if (durable_replace_file(path, p, n, e) < 0)
		return -1;
	return durable_sync_parent(path, e);
}

int
durable_replace_file(const char *path, const void *p, size_t n,
	struct err *e)
{
	struct buf tmp = BUF_INIT;
	char *disp = path_tilde(path);
	int fd, rc = -1;

	buf_addf(&tmp, "%s.tmp", path);
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s.tmp", disp);
		goto out;
	}
	if (durable_write(fd, p, n) < 0 || durable_fsync(fd) != 0) {
		err_sys(e, ERR_IO, errno, "%s.tmp", disp);
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp.data, path) != 0) {
		err_sys(e, ERR_IO, errno, "%s", disp);
		unlink(tmp.data);
		goto out;
	}
	rc = 0;
out:
	free(disp);
	buf_release(&tmp);
	return rc;
}
