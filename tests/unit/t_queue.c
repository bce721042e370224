/*
 * t_queue: msend's spool (store/queue.h): round trip, order, locks,
 * backoff, removal, the reuse of removed entries' files, and kill -9 at
 * random points of a child queueing messages (over reused files in most
 * runs): every entry afterwards is whole or absent, and every entry the
 * child finished queueing is there.
 *
 * MKIT_KILL_ITER sets the kill iterations (default 40).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/queue.h"
#include "storetest.h"
#include "tap.h"

static char base[256];

static void
env_make(struct queue_env *env, char **rc, const char *from)
{
	memset(env, 0, sizeof(*env));
	env->account = "work";
	env->from = (char *)from;
	env->rcpt = rc;
	env->nrcpt = 2;
	env->flags = 1;
	env->dsn_notify = 3;
	env->dsn_return = 2;
	env->envid = "QQ1";
}

static void
test_roundtrip(const char *dir)
{
	char *rc[] = { "a@example.org", "b@example.org" };
	const char head[] = "Subject: hi\r\n\r\n", body[] = "body\r\n";
	struct queue_env env;
	struct queue_entry qe, q2;
	struct err e;
	char *id = NULL, **ids;
	size_t n;

	env_make(&env, rc, "me@example.org");
	tap_ok(queue_add(dir, &env, head, sizeof head - 1, body,
		sizeof body - 1, &id, &e) == 0, "queue_add");
	tap_ok(queue_list(dir, &ids, &n, &e) == 0 && n == 1 &&
		strcmp(ids[0], id) == 0, "listed");
	strv_free(ids, n);
	tap_int(queue_lock(dir, id, &qe, &e), 1, "locked");
	tap_str(qe.env.account, "work", "account");
	tap_str(qe.env.from, "me@example.org", "from");
	tap_int((long long)qe.env.nrcpt, 2, "rcpt count");
	tap_str(qe.env.rcpt[1], "b@example.org", "rcpt 2");
	tap_int(qe.env.flags, 1, "flags");
	tap_int(qe.env.dsn_notify, 3, "dsn notify");
	tap_int(qe.env.dsn_return, 2, "dsn return");
	tap_str(qe.env.envid, "QQ1", "envid");
	tap_ok(qe.env.queued > 0, "queued time");
	tap_mem(qe.data + qe.msg_off, qe.len - qe.msg_off,
		"Subject: hi\r\n\r\nbody\r\n", 21, "message bytes");
	tap_int(qe.env.attempts, 0, "never tried");

	/* another holder is refused while the lock is held (a child: fcntl
	 * locks of one process do not exclude each other without OFD) */
	pid_t pid = fork();
	if (pid == 0) {
		struct queue_entry c;
		_exit(queue_lock(dir, id, &c, &e) == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "second lock refused");
	tap_int(queue_peek(dir, id, &q2, &e), 1, "peek while locked");
	queue_entry_release(&q2);

	tap_ok(queue_defer(dir, &qe, 1000, 1, "451 4.7.1 later\r\nx", &e)
		== 0, "defer");
	queue_entry_release(&qe);
	tap_int(queue_lock(dir, id, &qe, &e), 1, "relocked");
	tap_int(qe.env.attempts, 1, "attempts 1");
	tap_int((long long)qe.env.next, 1060, "next after a minute");
	tap_int(qe.env.in_doubt, 1, "in doubt kept");
	tap_str(qe.env.last_error, "451 4.7.1 later  x", "reason on one line");
	tap_ok(queue_remove(dir, &qe, &e) == 0, "remove");
	queue_entry_release(&qe);
	tap_int(queue_lock(dir, id, &qe, &e), 0, "gone after remove");
	tap_ok(queue_list(dir, &ids, &n, &e) == 0 && n == 0, "empty");
	free(ids);
	free(id);

	env.rcpt[0] = "evil@x\r\nrcpt y@z";
	tap_int(queue_add(dir, &env, head, 2, body, 1, NULL, &e), -1,
		"line break refused");
	tap_int(e.code, ERR_USAGE, "as ERR_USAGE");
	env.nrcpt = 0;
	tap_int(queue_add(dir, &env, head, 2, body, 1, NULL, &e), -1,
		"no recipient refused");
}

static void
test_backoff(void)
{
	tap_int(queue_backoff(1), 60, "1st retry 1 min");
	tap_int(queue_backoff(2), 120, "doubling");
	tap_int(queue_backoff(6), 1920, "6th");
	tap_int(queue_backoff(7), 3600, "capped at an hour");
	tap_int(queue_backoff(60), 3600, "still capped");
}

static void
test_order(const char *dir)
{
	char *rc[] = { "a@example.org", "b@example.org" };
	struct queue_env env;
	struct err e;
	char **ids, *want[5];
	size_t n, i;
	int ok = 1;

	env_make(&env, rc, "o@example.org");
	for (i = 0; i < 5; i++)
		queue_add(dir, &env, "H\r\n\r\n", 5, "", 0, &want[i], &e);
	queue_list(dir, &ids, &n, &e);
	ok = n == 5;
	for (i = 0; ok && i < 5; i++)
		ok = strcmp(ids[i], want[i]) == 0;
	tap_ok(ok, "oldest first");
	for (i = 0; i < 5; i++) {
		struct queue_entry qe;

		if (queue_lock(dir, want[i], &qe, &e) == 1)
			queue_remove(dir, &qe, &e);
		queue_entry_release(&qe);
		free(want[i]);
	}
	strv_free(ids, n);
}

/* Names in directory p, dot names included (not . and ..). */
static size_t
count_files(const char *p)
{
	DIR *d = opendir(p);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* A window marked "being sent" by a flush that dies: the next listing
 * finds its journal unheld and every entry of it still queued is in doubt,
 * also when the entries' own marks were lost (a crash of the system: they
 * are not synced), while a live flush's journal is left alone. */
static void
test_journal(const char *dir)
{
	char *rc[] = { "a@example.org", "b@example.org" };
	struct queue_entry win[3];
	struct queue_journal j = QUEUE_JOURNAL_INIT;
	struct queue_env env;
	struct err e;
	char *id[3], path[600], **ids;
	size_t n, i;
	int st, doubt = 0;
	pid_t pid;

	env_make(&env, rc, "o@example.org");
	for (i = 0; i < 3; i++)
		queue_add(dir, &env, "H\r\n\r\n", 5, "", 0, &id[i], &e);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 3; i++)
			if (queue_lock(dir, id[i], &win[i], &e) != 1)
				_exit(2);
		if (queue_mark_sending_all(dir, win, 3, &j, &e) < 0)
			_exit(3);
		/* a live flush: its journal is not touched */
		queue_list(dir, &ids, &n, &e);
		snprintf(path, sizeof path, "%s/state/%s", dir, id[0]);
		_exit(access(j.path, F_OK) == 0 ? 0 : 4);
	}
	waitpid(pid, &st, 0);
	tap_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0,
		"journal: written, and left alone while its flush lives");
	/* the system crashed: the unsynced marks of two entries are lost,
	 * the third entry was delivered and removed */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/state/%s", dir, id[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/msg/%s", dir, id[2]);
	unlink(path);
	queue_list(dir, &ids, &n, &e);
	tap_int((long long)n, 2, "journal: the removed entry stays removed");
	for (i = 0; i < 2; i++) {
		struct queue_entry qe;

		if (queue_peek(dir, id[i], &qe, &e) == 1 && qe.env.in_doubt)
			doubt++;
		queue_entry_release(&qe);
	}
	tap_int(doubt, 2, "journal: the entries of a dead flush are in doubt");
	snprintf(path, sizeof path, "%s/journal", dir);
	tap_ok(count_files(path) == 0, "journal: recovered, then removed");
	for (i = 0; i < 3; i++) {
		struct queue_entry qe;

		if (queue_lock(dir, id[i], &qe, &e) == 1)
			queue_remove(dir, &qe, &e);
		queue_entry_release(&qe);
		free(id[i]);
	}
	strv_free(ids, n);
}

/* Delivered entries' files go to free/ and the next entries are written
 * over them, whole and cut to their length; a reused file renamed into
 * tmp/ with an old mtime is not taken for a stale one. */
static void
test_reuse(const char *dir)
{
	char *rc[] = { "a@example.org", "b@example.org" };
	struct queue_journal j = QUEUE_JOURNAL_INIT;
	struct queue_entry win[2], *gone[2], qe;
	struct queue_env env;
	struct timeval old[2] = { { 1000, 0 }, { 1000, 0 } };
	struct buf big = BUF_INIT;
	struct err e;
	char *id[3], path[600], fpath[600], **ids;
	size_t n, i;

	env_make(&env, rc, "r@example.org");
	for (i = 0; i < 300; i++)
		buf_addstr(&big, "a long line of a long message\r\n");
	for (i = 0; i < 2; i++) {
		queue_add(dir, &env, "H: 1\r\n\r\n", 8, big.data, big.len,
			&id[i], &e);
		queue_lock(dir, id[i], &win[i], &e);
		gone[i] = &win[i];
	}
	queue_mark_sending_all(dir, win, 2, &j, &e);
	tap_ok(queue_unlink_all(dir, gone, 2, &j, &e) == 0 &&
		queue_journal_done(dir, &j, &e) == 0, "reuse: removed");
	snprintf(path, sizeof path, "%s/free", dir);
	tap_int((long long)count_files(path), 2, "reuse: kept in free/");
	for (i = 0; i < 2; i++)
		queue_entry_release(&win[i]);
	tap_ok(queue_add(dir, &env, "H: 2\r\n\r\n", 8, "short\r\n", 7,
		&id[2], &e) == 0, "reuse: queue_add");
	tap_int((long long)count_files(path), 1, "reuse: one file taken");
	tap_int(queue_lock(dir, id[2], &qe, &e), 1, "reuse: locked");
	tap_mem(qe.data + qe.msg_off, qe.len - qe.msg_off,
		"H: 2\r\n\r\nshort\r\n", 15, "reuse: the new bytes only");
	tap_int((long long)qe.size, 15, "reuse: cut to its length");
	tap_int(queue_lock(dir, id[0], &win[0], &e), 0,
		"reuse: a removed entry stays removed");
	queue_remove(dir, &qe, &e);
	queue_entry_release(&qe);

	/* a reused file an hour old, just renamed into tmp/ */
	snprintf(fpath, sizeof fpath, "%s/free/old", dir);
	fclose(fopen(fpath, "w"));
	utimes(fpath, old);
	snprintf(path, sizeof path, "%s/tmp/reused", dir);
	rename(fpath, path);
	queue_list(dir, &ids, &n, &e);
	tap_ok(access(path, F_OK) == 0, "reuse: not swept from tmp/");
	unlink(path);
	strv_free(ids, n);
	for (i = 0; i < 3; i++)
		free(id[i]);
	buf_release(&big);
}

/* The child's message i: a body made from i, so the parent can tell a
 * whole one from a torn one. */
static void
body_of(struct buf *b, unsigned i)
{
	unsigned k;

	buf_reset(b);
	for (k = 0; k < 200 + i * 37 % 3000; k++)
		buf_addf(b, "line %u of message %u\r\n", k, i);
}

/* The whole message of a locked entry: what was read, the rest from its
 * file (a queued message is never read whole by queue_lock()). */
static void
whole_msg(const struct queue_entry *qe, struct buf *out)
{
	char slice[4096];
	off_t off = (off_t)qe->len;
	ssize_t n;

	buf_reset(out);
	buf_add(out, qe->data + qe->msg_off, qe->len - qe->msg_off);
	while ((n = pread(qe->fd, slice, sizeof slice, off)) > 0) {
		buf_add(out, slice, (size_t)n);
		off += n;
	}
}

static void
child_queue(const char *dir, const char *log)
{
	char *rc[] = { "a@example.org", "b@example.org" };
	struct queue_env env;
	struct buf b = BUF_INIT;
	struct err e;
	char from[64];
	FILE *lf = fopen(log, "a");
	unsigned i;

	setvbuf(lf, NULL, _IONBF, 0);
	for (i = 0; ; i++) {
		snprintf(from, sizeof from, "m%u@example.org", i);
		env_make(&env, rc, from);
		body_of(&b, i);
		if (queue_add(dir, &env, "X: y\r\n\r\n", 8, b.data, b.len,
			NULL, &e) < 0)
			_exit(2);
		fprintf(lf, "%u\n", i);
	}
}

/* free/ with files of junk, some longer than the messages written over
 * them, for the child to reuse (none every fourth run). */
static void
fill_free(const char *dir, int it)
{
	char path[600];
	int k;

	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/free", dir);
	mkdir(path, 0700);
	for (k = 0; it % 4 && k < 40; k++) {
		FILE *f;
		int c;

		snprintf(path, sizeof path, "%s/free/j%d", dir, k);
		if (!(f = fopen(path, "w")))
			continue;
		for (c = 0; c < 500 * (k % 7); c++)
			fputs("junk junk junk\n", f);
		fclose(f);
	}
}

static void
test_kill(const char *dir)
{
	char log[512], msgdir[512];
	int iters = getenv("MKIT_KILL_ITER") ? atoi(getenv("MKIT_KILL_ITER"))
		: 40, it, whole = 1, complete = 1;
	size_t total = 0;
	unsigned done_max = 0;
	struct buf b = BUF_INIT, got = BUF_INIT;

	snprintf(log, sizeof log, "%s/kill.log", base);
	snprintf(msgdir, sizeof msgdir, "%s/msg", dir);
	srand((unsigned)time(NULL));
	for (it = 0; it < iters; it++) {
		pid_t pid;
		char **ids;
		size_t n, i;
		struct err e;
		FILE *lf;
		unsigned v;
		char *seen;

		rm_rf(dir);
		unlink(log);
		fill_free(dir, it);
		pid = fork();
		if (pid == 0)
			child_queue(dir, log);
		usleep((useconds_t)(rand() % 30000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		queue_list(dir, &ids, &n, &e);
		seen = xcalloc(100000, 1);
		for (i = 0; i < n; i++) {
			struct queue_entry qe;
			unsigned m;

			if (queue_lock(dir, ids[i], &qe, &e) != 1) {
				whole = 0;
				continue;
			}
			if (sscanf(qe.env.from, "m%u@", &m) != 1 || m >= 100000) {
				whole = 0;
			} else {
				body_of(&b, m);
				whole_msg(&qe, &got);
				if (qe.size != 8 + b.len || got.len != qe.size ||
				    memcmp(got.data + 8, b.data, b.len) != 0)
					whole = 0;
				seen[m] = 1;
			}
			queue_entry_release(&qe);
		}
		total += n;
		lf = fopen(log, "r");
		while (lf && fscanf(lf, "%u", &v) == 1) {
			if (v >= 100000 || !seen[v])
				complete = 0;
			if (v > done_max)
				done_max = v;
		}
		if (lf)
			fclose(lf);
		free(seen);
		strv_free(ids, n);
	}
	buf_release(&b);
	buf_release(&got);
	tap_ok(whole, "kill -9: every visible entry whole (%zu entries in "
		"%d runs)", total, iters);
	tap_ok(complete, "kill -9: every finished queue_add is there");
	tap_ok(total > 0, "kill -9: the child queued some");
}

int
main(void)
{
	char dir[300];
	const char *t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(base, sizeof base, "%s/t_queue.XXXXXX", t);
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(dir, sizeof dir, "%s/q", base);
	test_roundtrip(dir);
	test_backoff();
	test_order(dir);
	test_journal(dir);
	test_reuse(dir);
	test_kill(dir);
	rm_rf(base);
	return tap_done();
}
