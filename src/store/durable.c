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
#include <sys/utsname.h>
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
 * The journal of the ext4 holding path, as the kernel shows its options
 * in /proc/fs/ext4/DEV/options: they name the data mode only when there
 * is a journal (ext4 also runs without one: mkfs -O ^has_journal).
 * DURABLE_ORDERED for data=ordered or data=journal, DURABLE_WHOLE_FS for
 * no journal at all, DURABLE_EACH for data=writeback or options that
 * cannot be read.
 */
static enum durable_mode
ext4_mode(const char *path)
{
	char link[512], opts[4096];
	struct buf p = BUF_INIT;
	enum durable_mode m = DURABLE_EACH;
	const char *dev;
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st) != 0)
		return m;
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
			if (strstr(opts, "data=ordered\n") ||
			    strstr(opts, "data=journal\n"))
				m = DURABLE_ORDERED;
			else if (!strstr(opts, "data=") &&
			    (size_t)n < sizeof opts - 1)
				m = DURABLE_WHOLE_FS;
		}
		if (fd >= 0)
			close(fd);
	}
	buf_release(&p);
	return m;
}

/* Linux 5.8 or later: syncfs(2) reports writeback errors. */
static int
syncfs_reports(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > 5 || (maj == 5 && min >= 8);
}
#endif

enum durable_mode
durable_fs_mode(const char *path)
{
#ifdef SYNC_FILE_RANGE_WRITE
	struct statfs sf;
	enum durable_mode m;

	if (statfs(path, &sf) != 0 || sf.f_type != EXT4_MAGIC)
		return DURABLE_EACH;
	m = ext4_mode(path);
	if (m == DURABLE_WHOLE_FS && !syncfs_reports())
		m = DURABLE_EACH;
	return m;
#else
	(void)path;
	return DURABLE_EACH;
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

#ifdef SYNC_FILE_RANGE_WRITE
/*
 * DURABLE_WHOLE_FS: every file of the batch durable with one syncfs and
 * one fsync, on ext4 without a journal (Linux's fs/sync.c, fs/ext4):
 * - syncfs runs sync_filesystem(): the dirty inodes written with
 *   WB_SYNC_ALL and waited for (sync_inodes_sb), so every file's data and
 *   the blocks delayed allocation gives it; then ->sync_fs(sb, 1), which
 *   without a journal issues the cache flush (ext4_sync_fs: the barrier);
 *   then sync_blockdev(), which writes the device's dirty buffers and waits
 *   for them: the inode tables (ext4_write_inode leaves them to it when
 *   called for sync), bitmaps and directory blocks, tmp/'s entries too.
 * - Those last writes come after the flush, so they may sit in the disk's
 *   volatile cache: the fsync after it flushes the cache again (without a
 *   journal ext4_sync_file always does, barrier on: ext4_fsync_nojournal),
 *   and a flush makes durable every write completed before it.
 * - Since Linux 5.8 syncfs reports a writeback error of any file on the
 *   filesystem since its descriptor was opened (sb->s_wb_err): fds[0] is
 *   the batch's first file, opened before any of them was written.
 * Elsewhere (a journal, another filesystem) each file is fsync'd or
 * written out: a syncfs is not shown to be enough there.
 */
static int
sync_whole_fs(int fd)
{
	int r;

	if (nosync())
		return 0;
	while ((r = syncfs(fd)) != 0 && errno == EINTR)
		;
	return r == 0 ? durable_fsync(fd) : r;
}
#endif

int
durable_sync_files(const int *fds, size_t n, enum durable_mode mode,
	size_t *bad)
{
	struct sync_share sh[SYNC_THREADS];
	pthread_t t[SYNC_THREADS];
	int run[SYNC_THREADS], ordered = mode == DURABLE_ORDERED;
	size_t i, k, nt = n < SYNC_THREADS ? n : SYNC_THREADS;

	*bad = n;
#ifdef SYNC_FILE_RANGE_WRITE
	if (mode == DURABLE_WHOLE_FS && n > 0) {
		if (sync_whole_fs(fds[0]) == 0)
			return 0;
		*bad = 0;
		return -1;
	}
#endif
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
