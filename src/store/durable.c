/* durable.c: see durable.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

#ifdef SYNC_FILE_RANGE_WRITE
/*
 * Does the ext4 holding path have a journal that orders data before
 * metadata (data=ordered or data=journal)? ext4 also runs without one
 * (mkfs -O ^has_journal), and then nothing is ordered: a written-out file
 * whose inode was never written is lost with the power. Its options, as
 * the kernel shows them in /proc/fs/ext4/DEV/options, name the data mode
 * only when there is a journal.
 */
static int
ext4_journal_ordered(const char *path)
{
	char link[512], opts[4096];
	struct buf p = BUF_INIT;
	const char *dev;
	struct stat st;
	ssize_t n;
	int fd, ok = 0;

	if (stat(path, &st) != 0)
		return 0;
	buf_addf(&p, "/sys/dev/block/%u:%u", major(st.st_dev),
		minor(st.st_dev));
	n = readlink(p.data, link, sizeof link - 1);
	buf_reset(&p);
	if (n > 0) {
		link[n] = '\0';
		dev = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		buf_addf(&p, "/proc/fs/ext4/%s/options", dev);
		fd = open(p.data, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (n = read(fd, opts, sizeof opts - 1)) > 0) {
			opts[n] = '\0';
			ok = strstr(opts, "data=ordered\n") ||
				strstr(opts, "data=journal\n");
		}
		if (fd >= 0)
			close(fd);
	}
	buf_release(&p);
	return ok;
}
#endif

int
durable_ordered_fs(const char *path)
{
#ifdef SYNC_FILE_RANGE_WRITE
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == EXT4_MAGIC &&
		ext4_journal_ordered(path);
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

/* Threads that fsync a batch together: their cache flushes merge. */
#define SYNC_THREADS 8

/* One thread's share: every step-th descriptor from first. */
struct sync_share {
	const int *fds;
	size_t n, first, step;
	size_t bad;		/* the index that failed, or n */
	int err;		/* its errno */
};

static void *
sync_some(void *arg)
{
	struct sync_share *s = arg;
	size_t i;

	for (i = s->first; i < s->n && s->bad == s->n; i += s->step)
		if (durable_fsync(s->fds[i]) != 0) {
			s->bad = i;
			s->err = errno;
		}
	return NULL;
}

int
durable_sync_files(const int *fds, size_t n, int ordered, size_t *bad)
{
	struct sync_share sh[SYNC_THREADS];
	pthread_t t[SYNC_THREADS];
	int run[SYNC_THREADS];
	size_t i, k, nt = n < SYNC_THREADS ? n : SYNC_THREADS;

	*bad = n;
	if (ordered)	/* every write submitted before the first wait */
		for (i = 0; i < n; i++)
			durable_start_write(fds[i]);
	if (ordered || nt < 2 || nosync()) {
		for (i = 0; i < n; i++)
			if ((ordered ? durable_write_wait(fds[i]) :
			    durable_fsync(fds[i])) != 0) {
				*bad = i;
				return -1;
			}
		return 0;
	}
	for (k = 0; k < nt; k++) {
		sh[k] = (struct sync_share){ fds, n, k, nt, n, 0 };
		run[k] = k > 0 && pthread_create(&t[k], NULL, sync_some,
			&sh[k]) == 0;
		if (k > 0 && !run[k])
			sync_some(&sh[k]);	/* no thread: here */
	}
	sync_some(&sh[0]);
	for (k = 0; k < nt; k++) {
		if (run[k])
			pthread_join(t[k], NULL);
		if (sh[k].bad < *bad) {
			*bad = sh[k].bad;
			errno = sh[k].err;
		}
	}
	return *bad < n ? -1 : 0;
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
	struct durable_file f;

	if (durable_file_open(&f, path, e) < 0)
		return -1;
	if (durable_file_write(&f, p, n, e) < 0) {
		durable_file_abort(&f);
		return -1;
	}
	return durable_file_commit(&f, e);
}

int
durable_file_open(struct durable_file *f, const char *path, struct err *e)
{
	struct buf tmp = BUF_INIT;

	f->path = xstrdup(path);
	f->disp = path_tilde(path);
	buf_addf(&tmp, "%s.tmp", path);
	f->tmp = buf_detach(&tmp, NULL);
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	if (f->fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s.tmp", f->disp);
		durable_file_abort(f);
		return -1;
	}
	return 0;
}

int
durable_file_write(struct durable_file *f, const void *p, size_t n,
	struct err *e)
{
	if (durable_write(f->fd, p, n) < 0)
		return err_sys(e, ERR_IO, errno, "%s.tmp", f->disp);
	return 0;
}

int
durable_file_commit(struct durable_file *f, struct err *e)
{
	int rc = 0;

	if (durable_fsync(f->fd) != 0) {
		rc = err_sys(e, ERR_IO, errno, "%s.tmp", f->disp);
	} else if (close(f->fd) != 0 || rename(f->tmp, f->path) != 0) {
		f->fd = -1;
		rc = err_sys(e, ERR_IO, errno, "%s", f->disp);
	} else {
		f->fd = -1;
		free(f->tmp);	/* renamed: nothing to remove */
		f->tmp = NULL;
	}
	durable_file_abort(f);
	return rc;
}

void
durable_file_abort(struct durable_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	free(f->disp);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
