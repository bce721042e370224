/*
 * queue.c: the send queue's spool (queue.h).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

static int write_env_state(const char *dir, const char *id,
	const struct queue_env *env, struct err *e);
static void sweep_journals(const char *dir);

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

int
queue_add(const char *dir, const struct queue_env *env, const char *head,
	size_t head_len, const char *body, size_t body_len, char **id,
	struct err *e)
{
	struct buf b = BUF_INIT;
	char name[96], tmp[4096], dst[4096], msgdir[4096];
	size_t i;
	int fd = -1, rc = -1;

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
	if (make_dirs(dir, e) < 0)
		return -1;
	new_id(name, sizeof name);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/msg/%s", dir, name);
	snprintf(msgdir, sizeof msgdir, "%s/msg", dir);
	serialize_env(&b, env, env->queued ? env->queued : time(NULL));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_sys(e, ERR_CANTCREAT, errno, "%s", tmp);
		goto out;
	}
	if (durable_write(fd, b.data, b.len) < 0 ||
	    durable_write(fd, head, head_len) < 0 ||
	    durable_write(fd, body, body_len) < 0 || fsync(fd) < 0) {
		err_sys(e, ERR_IO, errno, "%s", tmp);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_sys(e, ERR_IO, errno, "%s", tmp);
		goto out;
	}
	fd = -1;
	/* the state first: a crash before the rename leaves only a state
	 * without a message, which nothing reads */
	if (env->attempts && write_env_state(dir, name, env, e) < 0)
		goto out;
	if (rename(tmp, dst) < 0) {
		err_sys(e, ERR_IO, errno, "%s", dst);
		goto out;
	}
	if (durable_sync_dir(msgdir, e) < 0) {
		unlink(dst);
		goto out;
	}
	if (id)
		*id = xstrdup(name);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	buf_release(&b);
	return rc;
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
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && st.st_mtime + STALE_TMP < now)
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

static int
load(const char *dir, const char *id, struct queue_entry *qe, int lock,
	struct err *e)
{
	char path[4096];
	struct buf b = BUF_INIT;
	struct stat st;

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
	if (lock) {
		struct flock fl;

		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
		if (fcntl(qe->fd, F_OFD_SETLK, &fl) < 0) {
#else
		if (fcntl(qe->fd, F_SETLK, &fl) < 0) {
#endif
			int en = errno;

			close(qe->fd);
			qe->fd = -1;
			if (en == EAGAIN || en == EACCES)
				return 0;
			return err_sys(e, ERR_IO, en, "%s: lock", path);
		}
	}
	/* removed by another flush between our open and our lock */
	if (fstat(qe->fd, &st) < 0 || st.st_nlink == 0) {
		queue_entry_release(qe);
		return 0;
	}
	if (buf_read_fd(&b, qe->fd) < 0) {
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

int
queue_remove_all(const char *dir, struct queue_entry **qe, size_t n,
	struct err *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (unlink_msg(dir, qe[i], e) < 0)
			return -1;
	if (n && sync_sub(dir, "msg", e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		unlink_state(dir, qe[i]);
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

/* Replace path with p, atomically but not durably (no fsync): what
 * survives the process being killed; the window journal covers a crash of
 * the system. */
static int
replace_nosync(const char *path, const void *p, size_t n, struct err *e)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		0600);
	if (fd < 0)
		return err_sys(e, ERR_CANTCREAT, errno, "%s", tmp);
	if (durable_write(fd, p, n) < 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		err_sys(e, ERR_IO, errno, "%s", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
write_state_file_sync(const char *dir, const char *id,
	const struct queue_env *env, int sending, int sync_dir, struct err *e)
{
	struct buf b = BUF_INIT;
	char path[4096];
	int rc;

	buf_addf(&b, "attempts %u\nnext %lld\nin-doubt %d\nerror %s\n",
		env->attempts, (long long)env->next, env->in_doubt,
		env->last_error);
	if (sending)
		buf_addstr(&b, "sending 1\n");
	snprintf(path, sizeof path, "%s/state/%s", dir, id);
	rc = sync_dir ? durable_replace(path, b.data, b.len, e) :
		replace_nosync(path, b.data, b.len, e);
	buf_release(&b);
	return rc;
}

static int
write_state_file(const char *dir, const char *id,
	const struct queue_env *env, int sending, struct err *e)
{
	return write_state_file_sync(dir, id, env, sending, 1, e);
}

static int
write_env_state(const char *dir, const char *id, const struct queue_env *env,
	struct err *e)
{
	return write_state_file(dir, id, env, 0, e);
}

static int
write_state(const char *dir, const struct queue_entry *qe, int sending,
	struct err *e)
{
	return write_state_file(dir, qe->id, &qe->env, sending, e);
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
	/* one line: a reply's breaks become blanks */
	for (char *p = qe->env.last_error; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return write_state(dir, qe, 0, e);
}

int
queue_mark_sending(const char *dir, const struct queue_entry *qe,
	struct err *e)
{
	return write_state(dir, qe, 1, e);
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

/* The journal of a window: its ids, durable, locked while its writer
 * lives. Written under a dot name and renamed, so that it is never seen
 * unlocked while its writer lives. */
static int
journal_write(const char *dir, const struct queue_entry *qe, size_t n,
	struct queue_journal *j, struct err *e)
{
	static unsigned seq;
	struct buf b = BUF_INIT;
	char jdir[4096], tmp[4200];
	size_t i;
	int rc = -1;

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
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s\n", qe[i].id);
	if (lock_fd(j->fd) < 0 || durable_write(j->fd, b.data, b.len) < 0 ||
	    fsync(j->fd) != 0 || rename(tmp, j->path) != 0) {
		err_sys(e, ERR_IO, errno, "%s", tmp);
		unlink(tmp);
		close(j->fd);
		j->fd = -1;
		goto out;
	}
	rc = durable_sync_dir(jdir, e);
	if (rc < 0)
		queue_journal_done(j);
out:
	buf_release(&b);
	return rc;
}

int
queue_mark_sending_all(const char *dir, const struct queue_entry *qe,
	size_t n, struct queue_journal *j, struct err *e)
{
	size_t i;

	j->fd = -1;
	if (!n)
		return 0;
	if (journal_write(dir, qe, n, j, e) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (write_state_file_sync(dir, qe[i].id, &qe[i].env, 1, 0,
			e) < 0) {
			queue_journal_done(j);
			return -1;
		}
	return 0;
}

void
queue_journal_done(struct queue_journal *j)
{
	if (j->fd < 0)
		return;
	unlink(j->path);
	close(j->fd);
	j->fd = -1;
}

/* A dead flush's journal: each of its entries still queued is marked in
 * doubt (durably), then the journal goes. On any failure it stays, to be
 * tried again. */
static void
recover_journal(const char *dir, int jfd, const char *path)
{
	struct buf b = BUF_INIT, st = BUF_INIT;
	struct err e;
	char *s, *p;
	int ok = 1;

	if (buf_read_fd(&b, jfd) < 0)
		goto out;
	buf_addch(&b, '\0');
	for (s = b.data; ok && s && *s; s = p) {
		char msg[4096], state[4096];
		int fd;

		p = strchr(s, '\n');
		if (p)
			*p++ = '\0';
		if (!*s || strchr(s, '/') || s[0] == '.')
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
	}
	if (ok)
		unlink(path);
out:
	buf_release(&b);
	buf_release(&st);
}

/* Journals nobody holds: their flushes died (a crash of the system
 * included). */
static void
sweep_journals(const char *dir)
{
	char jdir[4096], path[4400];
	struct dirent *de;
	DIR *d;

	snprintf(jdir, sizeof jdir, "%s/journal", dir);
	d = opendir(jdir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
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
				recover_journal(dir, fd, path);
		}
		close(fd);
	}
	closedir(d);
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
