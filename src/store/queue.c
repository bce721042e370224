/*
 * queue.c: the send queue's spool (queue.h).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "store/durable.h"
#include "store/queue.h"

#define QUEUE_MAGIC "mkit-queue 1\n"
#define STALE_TMP 3600
/* An entry is read in slices of HEAD_READ up to its message's header (at
 * most HEAD_MAX bytes); the rest stays in the file, sent from there. */
#define HEAD_READ (16 * 1024)
#define HEAD_MAX (1024 * 1024)
/* A removed entry's file is kept in free/ for reuse when it is at most
 * FREE_SIZE bytes and free/ holds fewer than FREE_MAX (at most 16 MiB). */
#define FREE_MAX 1024
#define FREE_SIZE (16 * 1024)

char *
queue_dir(struct err *e)
{
	struct buf b = BUF_INIT;
	const char *x = getenv("XDG_STATE_HOME"), *h = getenv("HOME");

	if (x && x[0] == '/')
		buf_addf(&b, "%s/mkit/queue", x);
	else if (h && *h)
		buf_addf(&b, "%s/.local/state/mkit/queue", h);
	else
		return err_set(e, ERR_CONFIG, "no place for the queue: set "
			"HOME or XDG_STATE_HOME"), NULL;
	return buf_detach(&b, NULL);
}

/* A reply's line breaks become blanks. */
static void
one_line(char *p, size_t n)
{
	for (; n; n--, p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
}

static int
has_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static void
serialize_env(struct buf *b, const struct queue_env *env, time_t queued)
{
	size_t i;

	buf_addstr(b, QUEUE_MAGIC);
	buf_addf(b, "account %s\nfrom %s\n", env->account ? env->account : "",
		env->from ? env->from : "");
	for (i = 0; i < env->nrcpt; i++)
		buf_addf(b, "rcpt %s\n", env->rcpt[i]);
	buf_addf(b, "flags %u\ndsn-notify %u\ndsn-return %d\n", env->flags,
		env->dsn_notify, env->dsn_return);
	if (env->envid)
		buf_addf(b, "envid %s\n", env->envid);
	/* the try that failed before queueing: no state file to write */
	if (env->attempts) {
		size_t at;

		buf_addf(b, "attempts %u\nnext %lld\nerror ", env->attempts,
			(long long)env->next);
		at = b->len;
		buf_addf(b, "%s\n", env->last_error);
		one_line(b->data + at, b->len - at - 1);
	}
	buf_addf(b, "queued %lld\n\n", (long long)queued);
}

/* A unique name: time, pid, a counter (one process may queue many). */
static void
new_id(char *out, size_t n)
{
	static unsigned seq;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, n, "%lld.%09ld.%ld.%u", (long long)ts.tv_sec,
		ts.tv_nsec, (long)getpid(), seq++);
}

static size_t sweep_journals(const char *dir);
static int sync_sub(const char *dir, const char *sub, struct err *e);

static int
make_dirs(const char *dir, struct err *e)
{
	static const char *const sub[] = { "tmp", "msg", "state" };
	char path[4096];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
		if (durable_mkdirs(path, 0700, e) < 0)
			return -1;
	}
	return 0;
}

/* A bad envelope: ERR_USAGE. */
static int
check_env(const struct queue_env *env, struct err *e)
{
	size_t i;

	if (!env->nrcpt)
		return err_set(e, ERR_USAGE, "queue: a message without "
			"recipients");
	if (has_break(env->account) || has_break(env->from) ||
	    has_break(env->envid))
		return err_set(e, ERR_USAGE, "queue: a line break in the "
			"envelope");
	for (i = 0; i < env->nrcpt; i++)
		if (has_break(env->rcpt[i]) || !*env->rcpt[i])
			return err_set(e, ERR_USAGE, "queue: bad recipient "
				"\"%s\"", env->rcpt[i]);
	return 0;
}

/*
 * Move a file of free/ (a removed entry's) to tmp, the new entry's tmp/
 * name: 1, or 0 when there is none (another writer may take each one
 * first). Writing over it allocates no block, and freeing none when it
 * was removed saved the flush a discard per entry (queue_unlink_all()).
 * The rename sets its ctime: sweep_tmp() leaves it alone.
 */
static int
take_free(const char *dir, const char *tmp)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int got = 0;

	snprintf(path, sizeof path, "%s/free", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while (!got && (de = readdir(d)))
		if (de->d_name[0] != '.')
			got = renameat(dirfd(d), de->d_name, AT_FDCWD, tmp) == 0;
	closedir(d);
	return got;
}

/* Write entry name: tmp/name (a fresh one over a file of free/ when there
 * is one), synced, renamed to msg/name, msg/ synced. A new name (fresh) is
 * taken back when msg/ cannot be synced; a replaced one stays (the old
 * entry is gone either way). */
static int
write_entry(const char *dir, const char *name, int fresh,
	const struct queue_env *env, const char *head, size_t head_len,
	const char *body, size_t body_len, struct err *e)
{
	struct buf b = BUF_INIT;
	char tmp[4096], dst[4096], msgdir[4096];
	int fd = -1, rc = -1, reused = 0;

	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/msg/%s", dir, name);
	snprintf(msgdir, sizeof msgdir, "%s/msg", dir);
	serialize_env(&b, env, env->queued ? env->queued : time(NULL));
	if (fresh && take_free(dir, tmp)) {
		reused = 1;
		test_kill_point("queue-reused");
	}
	/* a replacement's tmp name is its entry's, which we hold; a reused
	 * file is cut to its new length once written */
	fd = open(tmp, O_WRONLY | O_CREAT | (reused ? 0 : fresh ? O_EXCL :
		O_TRUNC) | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s", tmp);
		goto out;
	}
	if (durable_write(fd, b.data, b.len) < 0 ||
	    durable_write(fd, head, head_len) < 0 ||
	    durable_write(fd, body, body_len) < 0 || (reused &&
	    ftruncate(fd, (off_t)(b.len + head_len + body_len)) < 0) ||
	    fsync(fd) < 0) {
		err_sys(e, ERR_IO, errno, "%s", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_sys(e, ERR_IO, errno, "%s", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, dst) < 0) {
		err_sys(e, ERR_IO, errno, "%s", dst);
		goto out;
	}
	if (durable_sync_dir(msgdir, e) < 0) {
		if (fresh)
			unlink(dst);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	buf_release(&b);
	return rc;
}

int
queue_add(const char *dir, const struct queue_env *env, const char *head,
	size_t head_len, const char *body, size_t body_len, char **id,
	struct err *e)
{
	char name[96];

	if (check_env(env, e) < 0 || make_dirs(dir, e) < 0)
		return -1;
	new_id(name, sizeof name);
	if (write_entry(dir, name, 1, env, head, head_len, body, body_len,
		e) < 0)
		return -1;
	if (id)
		*id = xstrdup(name);
	return 0;
}

int
queue_replace(const char *dir, struct queue_entry *qe,
	const struct queue_env *env, const char *msg, size_t len,
	struct err *e)
{
	char path[4096];

	if (check_env(env, e) < 0)
		return -1;
	/* the old state must not become the new entry's: gone first */
	if (qe->has_state) {
		snprintf(path, sizeof path, "%s/state/%s", dir, qe->id);
		if (unlink(path) < 0 && errno != ENOENT)
			return err_sys(e, ERR_IO, errno, "%s", path);
		if (sync_sub(dir, "state", e) < 0)
			return -1;
		qe->has_state = 0;
	}
	if (write_entry(dir, qe->id, 0, env, msg, len, "", 0, e) < 0)
		return -1;
	qe->replaced = 1;
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strcspn(x, "."), ly = strcspn(y, ".");

	/* by the seconds first (their width may differ), then the rest */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

static void
sweep_tmp(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	DIR *d;

	snprintf(path, sizeof path, "%s/tmp", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* the ctime too: a reused file keeps its old mtime until
		 * written (take_free()) */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && st.st_mtime + STALE_TMP < now &&
		    st.st_ctime + STALE_TMP < now)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int
queue_list(const char *dir, char ***ids, size_t *n, struct err *e)
{
	char path[4096];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*ids = NULL;
	*n = 0;
	snprintf(path, sizeof path, "%s/msg", dir);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, ERR_IO, errno, "%s", path);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof(**ids), cmp_id);
	sweep_tmp(dir);
	sweep_journals(dir);
	return 0;
}

static void
add_rcpt(struct queue_env *env, const char *v)
{
	env->rcpt = xrealloc(env->rcpt, (env->nrcpt + 1) *
		sizeof(*env->rcpt));
	env->rcpt[env->nrcpt++] = xstrdup(v);
}

/* Parse the envelope at the start of qe->data. */
static int
parse_entry(const char *path, struct queue_entry *qe, struct err *e)
{
	char *p = qe->data, *end = qe->data + qe->len;
	size_t ml = strlen(QUEUE_MAGIC);

	if (qe->len < ml || memcmp(p, QUEUE_MAGIC, ml) != 0)
		return err_set(e, ERR_DATA, "%s: not a queue entry", path);
	p += ml;
	for (;;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp, line[1024];
		size_t l;

		if (!nl)
			return err_set(e, ERR_DATA, "%s: truncated envelope",
				path);
		if (nl == p) {
			qe->msg_off = (size_t)(nl + 1 - qe->data);
			break;
		}
		l = (size_t)(nl - p);
		if (l >= sizeof line)
			return err_set(e, ERR_DATA, "%s: envelope line too "
				"long", path);
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl + 1;
		sp = strchr(line, ' ');
		if (!sp)
			return err_set(e, ERR_DATA, "%s: bad envelope line "
				"\"%s\"", path, line);
		*sp++ = '\0';
		if (strcmp(line, "account") == 0)
			qe->env.account = xstrdup(sp);
		else if (strcmp(line, "from") == 0)
			qe->env.from = xstrdup(sp);
		else if (strcmp(line, "rcpt") == 0)
			add_rcpt(&qe->env, sp);
		else if (strcmp(line, "flags") == 0)
			qe->env.flags = (unsigned)strtoul(sp, NULL, 10);
		else if (strcmp(line, "dsn-notify") == 0)
			qe->env.dsn_notify = (unsigned)strtoul(sp, NULL, 10);
		else if (strcmp(line, "dsn-return") == 0)
			qe->env.dsn_return = atoi(sp);
		else if (strcmp(line, "envid") == 0)
			qe->env.envid = xstrdup(sp);
		else if (strcmp(line, "queued") == 0)
			qe->env.queued = (time_t)strtoll(sp, NULL, 10);
		else if (strcmp(line, "attempts") == 0)
			qe->env.attempts = (unsigned)strtoul(sp, NULL, 10);
		else if (strcmp(line, "next") == 0)
			qe->env.next = (time_t)strtoll(sp, NULL, 10);
		else if (strcmp(line, "error") == 0)
			snprintf(qe->env.last_error,
				sizeof qe->env.last_error, "%s", sp);
	}
	if (!qe->env.from || !qe->env.nrcpt)
		return err_set(e, ERR_DATA, "%s: envelope without sender or "
			"recipients", path);
	if (!qe->env.account)
		qe->env.account = xstrdup("");
	return 0;
}

/* The retry state; a missing or unreadable one is "never tried". */
static void
read_state(const char *dir, struct queue_entry *qe)
{
	char path[4096], *s, *p;
	struct buf b = BUF_INIT;
	int fd, sending = 0;

	snprintf(path, sizeof path, "%s/state/%s", dir, qe->id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	qe->has_state = 1;
	buf_read_fd(&b, fd);
	close(fd);
	buf_addch(&b, '\0');
	s = b.data;
	while (s && *s) {
		p = strchr(s, '\n');
		if (p)
			*p++ = '\0';
		if (strncmp(s, "attempts ", 9) == 0)
			qe->env.attempts = (unsigned)strtoul(s + 9, NULL, 10);
		else if (strncmp(s, "next ", 5) == 0)
			qe->env.next = (time_t)strtoll(s + 5, NULL, 10);
		else if (strncmp(s, "in-doubt ", 9) == 0)
			qe->env.in_doubt = atoi(s + 9);
		else if (strncmp(s, "error ", 6) == 0)
			snprintf(qe->env.last_error,
				sizeof qe->env.last_error, "%s", s + 6);
		else if (strcmp(s, "sending 1") == 0)
			sending = 1;
		s = p;
	}
	buf_release(&b);
	/* a flush died between sending it and recording the outcome */
	if (sending) {
		qe->env.in_doubt = 1;
		snprintf(qe->env.last_error, sizeof qe->env.last_error,
			"an earlier flush stopped while sending it");
	}
}

/* An open file description lock on fd, without waiting: 0, or -1 (held
 * elsewhere: errno EAGAIN or EACCES). */
static int
lock_fd(int fd)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
	return fcntl(fd, F_OFD_SETLK, &fl);
#else
	return fcntl(fd, F_SETLK, &fl);
#endif
}

/* Does data[0..len) hold the envelope and then the message's header
 * (both end at a blank line)? */
static int
has_heads(const char *data, size_t len)
{
	const char *env = memmem(data, len, "\n\n", 2), *p;
	size_t rest;

	if (!env)
		return 0;
	p = env + 2;
	rest = len - (size_t)(p - data);
	return memmem(p, rest, "\n\r\n", 3) || memmem(p, rest, "\n\n", 2);
}

/* The start of fd (size bytes) into b: the envelope and the message's
 * header, in reads of HEAD_READ (a small message comes whole in one), at
 * most HEAD_MAX bytes. The rest is left in the file. */
static int
read_head(int fd, off_t size, struct buf *b)
{
	while ((off_t)b->len < size && b->len < HEAD_MAX &&
	    !has_heads(b->data ? b->data : "", b->len)) {
		ssize_t n;

		buf_grow(b, HEAD_READ);
		n = pread(fd, b->data + b->len, HEAD_READ, (off_t)b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		b->len += (size_t)n;
	}
	return 0;
}

static int
load(const char *dir, const char *id, struct queue_entry *qe, int lock,
	struct err *e)
{
	char path[4096];
	struct buf b = BUF_INIT;
	struct stat st, now;

	memset(qe, 0, sizeof(*qe));
	qe->fd = -1;
	if (strchr(id, '/') || id[0] == '.')
		return err_set(e, ERR_USAGE, "queue: bad entry name \"%s\"",
			id);
	snprintf(path, sizeof path, "%s/msg/%s", dir, id);
	qe->fd = open(path, (lock ? O_RDWR : O_RDONLY) | O_CLOEXEC |
		O_NOFOLLOW);
	if (qe->fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, ERR_IO, errno, "%s", path);
	}
	if (lock && lock_fd(qe->fd) < 0) {
		int en = errno;

		close(qe->fd);
		qe->fd = -1;
		if (en == EAGAIN || en == EACCES)
			return 0;
		return err_sys(e, ERR_IO, en, "%s: lock", path);
	}
	/* removed or replaced by another flush between our open and our
	 * lock: the name is no longer this file's (a removed entry's file
	 * may live on in free/, even as another entry by now) */
	if (fstat(qe->fd, &st) < 0 || st.st_nlink == 0 || (lock &&
	    (stat(path, &now) < 0 || now.st_ino != st.st_ino ||
	    now.st_dev != st.st_dev))) {
		queue_entry_release(qe);
		return 0;
	}
	if (read_head(qe->fd, st.st_size, &b) < 0) {
		int en = errno;

		buf_release(&b);
		queue_entry_release(qe);
		return err_sys(e, ERR_IO, en, "%s", path);
	}
	qe->data = buf_detach(&b, &qe->len);
	if (!qe->data) {
		qe->data = xstrdup("");
		qe->len = 0;
	}
	qe->id = xstrdup(id);
	if (parse_entry(path, qe, e) < 0) {
		queue_entry_release(qe);
		return -1;
	}
	qe->size = (size_t)st.st_size - qe->msg_off;
	read_state(dir, qe);
	if (!lock) {
		close(qe->fd);
		qe->fd = -1;
	}
	return 1;
}

int
queue_lock(const char *dir, const char *id, struct queue_entry *qe,
	struct err *e)
{
	return load(dir, id, qe, 1, e);
}

int
queue_peek(const char *dir, const char *id, struct queue_entry *qe,
	struct err *e)
{
	return load(dir, id, qe, 0, e);
}

/* Unlink the message of a locked entry, not yet durably. */
static int
unlink_msg(const char *dir, const struct queue_entry *qe, struct err *e)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/msg/%s", dir, qe->id);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, ERR_IO, errno, "%s", path);
	return 0;
}

static void
unlink_state(const char *dir, const struct queue_entry *qe)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/state/%s", dir, qe->id);
	unlink(path);
}

static int
sync_sub(const char *dir, const char *sub, struct err *e)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	return durable_sync_dir(path, e);
}

int
queue_remove(const char *dir, struct queue_entry *qe, struct err *e)
{
	if (unlink_msg(dir, qe, e) < 0 || sync_sub(dir, "msg", e) < 0)
		return -1;
	unlink_state(dir, qe);
	return 0;
}

/*
 * Closing the last descriptor of an unlinked entry is what frees its inode,
 * and on a busy filesystem that waits for the journal's commit: the
 * descriptors of removed entries are closed by a thread while the flush
 * goes on sending. Nothing depends on those closes (the entries are
 * unlinked: no other flush can open them, and one that opened them before
 * finds them unlinked under its lock); queue_journal_done() waits for them.
 */
#define CLOSER_MAX 512

struct queue_closer {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t t;
	int fd[CLOSER_MAX];
	size_t n;
	int stop;
};

static void *
closer_main(void *arg)
{
	struct queue_closer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		int fd;

		while (!c->n && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->n)
			break;
		fd = c->fd[--c->n];
		pthread_mutex_unlock(&c->mu);
		close(fd);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Close fd in j's thread (started on first use), or here when it cannot
 * start or is CLOSER_MAX behind. */
static void
close_later(struct queue_journal *j, int fd)
{
	struct queue_closer *c = j->closer;

	if (!c) {
		c = xcalloc(1, sizeof(*c));
		pthread_mutex_init(&c->mu, NULL);
		pthread_cond_init(&c->cv, NULL);
		if (pthread_create(&c->t, NULL, closer_main, c) != 0) {
			pthread_mutex_destroy(&c->mu);
			pthread_cond_destroy(&c->cv);
			free(c);
			close(fd);
			return;
		}
		j->closer = c;
	}
	pthread_mutex_lock(&c->mu);
	if (c->n < CLOSER_MAX) {
		c->fd[c->n++] = fd;
		fd = -1;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	if (fd >= 0)
		close(fd);
}

/* Wait for j's closes and end its thread. */
static void
closer_end(struct queue_journal *j)
{
	struct queue_closer *c = j->closer;

	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->t, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
	j->closer = NULL;
}

/* How many files free/ holds (created when missing), at most FREE_MAX:
 * FREE_MAX when it cannot be read. */
static long
count_free(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct err e;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof path, "%s/free", dir);
	if (durable_mkdirs(path, 0700, &e) < 0 || !(d = opendir(path)))
		return FREE_MAX;
	while (n < FREE_MAX && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Take a locked entry's message out of msg/, not yet durably: into free/
 * when it is small and free/ has room (1), else unlinked (0). Freeing a
 * file's blocks is a removal's dear part: on a filesystem mounted with
 * discard, ext4 waits for the device to discard them (a millisecond and
 * more when the disk is busy), where a rename costs microseconds.
 */
static int
retire_msg(const char *dir, const struct queue_entry *qe,
	struct queue_journal *j, struct err *e)
{
	char from[4096], to[4096];

	if (j->nfree < 0)
		j->nfree = count_free(dir);
	if (j->nfree < FREE_MAX && qe->msg_off + qe->size <= FREE_SIZE) {
		snprintf(from, sizeof from, "%s/msg/%s", dir, qe->id);
		snprintf(to, sizeof to, "%s/free/%s", dir, qe->id);
		if (rename(from, to) == 0) {
			j->nfree++;
			return 1;
		}
	}
	return unlink_msg(dir, qe, e);
}

int
queue_unlink_all(const char *dir, struct queue_entry **qe, size_t n,
	struct queue_journal *j, struct err *e)
{
	size_t i;
	int kept;

	for (i = 0; i < n; i++) {
		if ((kept = retire_msg(dir, qe[i], j, e)) < 0)
			return -1;
		j->removed++;
		if (qe[i]->has_state)
			unlink_state(dir, qe[i]);
		/* the last close of an unlinked file frees it: not here */
		if (kept)
			close(qe[i]->fd);
		else
			close_later(j, qe[i]->fd);
		qe[i]->fd = -1;
	}
	return 0;
}

long
queue_backoff(unsigned n)
{
	long s = QUEUE_BACKOFF_FIRST;

	while (n-- > 1 && s < QUEUE_BACKOFF_MAX)
		s *= 2;
	return s < QUEUE_BACKOFF_MAX ? s : QUEUE_BACKOFF_MAX;
}

static int
write_state(const char *dir, struct queue_entry *qe, struct err *e)
{
	struct buf b = BUF_INIT;
	char path[4096];
	int rc;

	buf_addf(&b, "attempts %u\nnext %lld\nin-doubt %d\nerror %s\n",
		qe->env.attempts, (long long)qe->env.next, qe->env.in_doubt,
		qe->env.last_error);
	snprintf(path, sizeof path, "%s/state/%s", dir, qe->id);
	rc = durable_replace(path, b.data, b.len, e);
	buf_release(&b);
	if (rc == 0)
		qe->has_state = 1;
	return rc;
}

int
queue_defer(const char *dir, struct queue_entry *qe, time_t now,
	int in_doubt, const char *reason, struct err *e)
{
	qe->env.attempts++;
	qe->env.next = now + queue_backoff(qe->env.attempts);
	qe->env.in_doubt = in_doubt;
	snprintf(qe->env.last_error, sizeof qe->env.last_error, "%s",
		reason ? reason : "");
	one_line(qe->env.last_error, strlen(qe->env.last_error));
	return write_state(dir, qe, e);
}

/* A new journal for the ids: durable, locked while its writer lives.
 * Written under a dot name and renamed, so that it is never seen unlocked
 * while its writer lives. */
static int
journal_create(const char *dir, const struct buf *ids,
	struct queue_journal *j, struct err *e)
{
	static unsigned seq;
	char jdir[4096], tmp[4200];

	snprintf(jdir, sizeof jdir, "%s/journal", dir);
	if (durable_mkdirs(jdir, 0700, e) < 0)
		return -1;
	snprintf(j->path, sizeof j->path, "%s/%ld.%u", jdir, (long)getpid(),
		seq);
	snprintf(tmp, sizeof tmp, "%s/.%ld.%u", jdir, (long)getpid(), seq++);
	j->fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	if (j->fd < 0)
		return err_sys(e, ERR_CANTCREAT, errno, "%s", tmp);
	if (lock_fd(j->fd) < 0 || durable_write(j->fd, ids->data,
	    ids->len) < 0 || durable_fdatasync(j->fd) != 0 ||
	    rename(tmp, j->path) != 0) {
		err_sys(e, ERR_IO, errno, "%s", tmp);
		unlink(tmp);
		close(j->fd);
		j->fd = -1;
		return -1;
	}
	if (durable_sync_dir(jdir, e) < 0) {
		unlink(j->path);
		close(j->fd);
		j->fd = -1;
		return -1;
	}
	return 0;
}

/* The ids written ahead (queue_journal_ahead()), synced in a thread while
 * their entries are locked and read. */
struct queue_ahead {
	pthread_t t;
	int fd;
	int rc;			/* the thread's fdatasync */
	struct buf ids;		/* "\nID\nID...\n" */
};

static void *
ahead_main(void *arg)
{
	struct queue_ahead *a = arg;

	a->rc = durable_fdatasync(a->fd);
	return NULL;
}

static void
ahead_free(struct queue_ahead *a)
{
	if (!a)
		return;
	buf_release(&a->ids);
	free(a);
}

void
queue_journal_ahead(char *const *ids, size_t n, struct queue_journal *j)
{
	struct queue_ahead *a;
	size_t i;

	if (j->fd < 0 || j->ahead || !n)
		return;
	a = xcalloc(1, sizeof(*a));
	a->fd = j->fd;
	a->ids = (struct buf)BUF_INIT;
	buf_addch(&a->ids, '\n');
	for (i = 0; i < n; i++)
		buf_addf(&a->ids, "%s\n", ids[i]);
	/* written or not, none counts as marked when this fails */
	if (durable_write(j->fd, a->ids.data + 1, a->ids.len - 1) < 0) {
		ahead_free(a);
		return;
	}
	test_kill_point("journal-ahead");
	if (pthread_create(&a->t, NULL, ahead_main, a) != 0) {
		ahead_free(a);
		return;
	}
	j->ahead = a;
}

/* Wait for j's ids written ahead; NULL when none, or when they may not be
 * durable (the caller frees the result with ahead_free()). */
static struct queue_ahead *
ahead_end(struct queue_journal *j)
{
	struct queue_ahead *a = j->ahead;

	if (!a)
		return NULL;
	j->ahead = NULL;
	pthread_join(a->t, NULL);
	if (a->rc == 0)
		return a;
	ahead_free(a);
	return NULL;
}

/* Is id among the durable ids of a? */
static int
ahead_has(const struct queue_ahead *a, const char *id)
{
	size_t n = strlen(id);
	const char *p = a->ids.data;

	while ((p = strstr(p, id)))
		if (p[-1] == '\n' && p[n] == '\n')
			return 1;
		else
			p += n;
	return 0;
}

int
queue_mark_sending_all(const char *dir, struct queue_entry *qe, size_t n,
	struct queue_journal *j, struct err *e)
{
	struct queue_ahead *a = ahead_end(j);
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	if (!n) {
		ahead_free(a);
		return 0;
	}
	/* a flush that died after this one's listing left its window
	 * unlocked, and some of it may be in qe: their states now say so */
	if (sweep_journals(dir))
		for (i = 0; i < n; i++)
			read_state(dir, &qe[i]);
	for (i = 0; i < n; i++)
		if (!a || !ahead_has(a, qe[i].id))
			buf_addf(&b, "%s\n", qe[i].id);
	/* every one written ahead, and synced: nothing to wait for */
	if (!b.len) {
		rc = 0;
		goto out;
	}
	if (j->fd < 0)
		rc = journal_create(dir, &b, j, e);
	else if (durable_write(j->fd, b.data, b.len) < 0 ||
	    durable_fdatasync(j->fd) != 0)
		rc = err_sys(e, ERR_IO, errno, "%s", j->path);
	else
		rc = 0;
out:
	buf_release(&b);
	ahead_free(a);
	return rc;
}

void
queue_journal_settle(struct queue_journal *j, const struct queue_entry *qe)
{
	struct buf b = BUF_INIT;

	if (j->fd < 0)
		return;
	buf_addf(&b, "-%s\n", qe->id);
	(void)durable_write(j->fd, b.data, b.len);
	buf_release(&b);
}

int
queue_journal_done(const char *dir, struct queue_journal *j, struct err *e)
{
	int rc = 0;

	ahead_free(ahead_end(j));
	closer_end(j);
	if (j->fd < 0)
		return 0;
	/* the removals first: the journal goes only once they are durable,
	 * else a crash could bring back its entries unflagged */
	if (j->removed && sync_sub(dir, "msg", e) < 0)
		rc = -1;
	else
		unlink(j->path);
	close(j->fd);
	j->fd = -1;
	j->removed = 0;
	return rc;
}

/* Is id settled ("-ID" line) in the journal text s (starting "\n")? */
static int
settled(const char *s, const char *id)
{
	size_t n = strlen(id);
	const char *p = s;

	while ((p = strstr(p, "\n-"))) {
		p += 2;
		if (strncmp(p, id, n) == 0 && p[n] == '\n')
			return 1;
	}
	return 0;
}

/* A dead flush's journal: each of its entries still queued and not
 * settled is marked in doubt (durably), then the journal goes. On any
 * failure it stays, to be tried again. 1 when any entry was marked. */
static int
recover_journal(const char *dir, int jfd, const char *path)
{
	struct buf b = BUF_INIT, st = BUF_INIT;
	struct err e;
	char *all, *s, *p;
	int ok = 1, marked = 0;

	buf_addch(&b, '\n');
	if (buf_read_fd(&b, jfd) < 0)
		goto out;
	buf_addch(&b, '\0');
	all = xstrdup(b.data);
	for (s = b.data + 1; ok && s && *s; s = p) {
		char msg[4096], state[4096];
		int fd;

		p = strchr(s, '\n');
		if (p)
			*p++ = '\0';
		if (!*s || strchr(s, '/') || s[0] == '.' || s[0] == '-' ||
		    settled(all, s))
			continue;
		snprintf(msg, sizeof msg, "%s/msg/%s", dir, s);
		if (access(msg, F_OK) != 0)
			continue;
		snprintf(state, sizeof state, "%s/state/%s", dir, s);
		buf_reset(&st);
		fd = open(state, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			buf_read_fd(&st, fd);
			close(fd);
		}
		if (st.data && strstr(st.data, "sending 1\n"))
			continue;
		buf_addstr(&st, "sending 1\n");
		ok = durable_replace(state, st.data, st.len, &e) == 0;
		marked = 1;
	}
	free(all);
	if (ok)
		unlink(path);
out:
	buf_release(&b);
	buf_release(&st);
	return marked;
}

/* Journals nobody holds: their flushes died (a crash of the system
 * included). */
static size_t
sweep_journals(const char *dir)
{
	char jdir[4096], path[4400], mine[32];
	struct dirent *de;
	size_t marked = 0, nm;
	DIR *d;

	snprintf(jdir, sizeof jdir, "%s/journal", dir);
	/* this process's own (the lock is its, without OFD locks) */
	nm = (size_t)snprintf(mine, sizeof mine, "%ld.", (long)getpid());
	d = opendir(jdir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strncmp(de->d_name, mine, nm) ||
		    !strncmp(de->d_name + 1, mine, nm))
			continue;
		snprintf(path, sizeof path, "%s/%s", jdir, de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (lock_fd(fd) == 0) {
			/* a dot name died before its rename: nothing of
			 * its window was sent */
			if (de->d_name[0] == '.')
				unlink(path);
			else
				marked += recover_journal(dir, fd, path);
		}
		close(fd);
	}
	closedir(d);
	return marked;
}

void
queue_env_release(struct queue_env *env)
{
	free(env->account);
	free(env->from);
	strv_free(env->rcpt, env->nrcpt);
	free(env->envid);
	memset(env, 0, sizeof(*env));
}

void
queue_entry_release(struct queue_entry *qe)
{
	if (qe->fd >= 0)
		close(qe->fd);
	qe->fd = -1;
	free(qe->id);
	free(qe->data);
	queue_env_release(&qe->env);
	qe->id = NULL;
	qe->data = NULL;
}
