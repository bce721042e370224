/*
 * t_killdeliver: exactly once across kill -9 (issue 9, section 4).
 *
 * A child runs mpop's local half of a fetch: recover the journal and
 * record what it says, then deliver every message not yet recorded in
 * windows (deliver, sync, record, commit, checkpoint), the "server" never
 * losing a message. The parent kills it with SIGKILL at a random moment,
 * up to three times, then lets one run finish, and checks that every
 * message is in the maildir or the mbox exactly once, byte for byte, that
 * nothing is left in tmp/, and that the state records them all.
 *
 * The maildir runs twice: each window synced before the next is written,
 * and (as mpop with PIPELINING) each window handed to deliver_sync_start()
 * and recorded after the next one is written.
 *
 * Runs on tmpfs (/dev/shm) when it can: a SIGKILL loses no page cache, so
 * the fsyncs change nothing here and cost time. MKIT_KILL_ITER sets the
 * iterations per kind (default 100), MKIT_KILL_SEED the random seed.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/deliver.h"
#include "store/uidlstate.h"
#include "storetest.h"
#include "tap.h"

#define NMSG 20
#define WINDOW 4

static char base[256];
static struct buf msg[NMSG];
static int overlap;	/* sync a window while the next is written */

static void
make_messages(void)
{
	int i, j;

	for (i = 0; i < NMSG; i++) {
		struct buf *b = &msg[i];

		buf_init(b, 0);
		buf_addf(b, "Return-Path: <s%d@x.example>\nX-Id: m%d\n"
			"Subject: message %d\n\n", i, i, i);
		for (j = 0; j < (i * 7919) % 150 + 1; j++)
			buf_addf(b, "%sline %d of message %d, padded to be "
				"long enough to matter\n", j % 50 == 3 ?
				"From " : j % 50 == 4 ? ">From " : "", j, i);
		if (i % 5 == 2)		/* no final line break */
			buf_addstr(b, "last line without LF");
	}
}

static int
id_of(const char *s)
{
	const char *p = strstr(s, "\nX-Id: m");

	return p ? atoi(p + 8) : -1;
}

/* Record the n messages in win, commit, let the journal forget them. */
static int
record(struct uidlstate *st, struct deliver *d, const int *win, int n,
	struct err *e)
{
	char id[16];
	int k;

	for (k = 0; k < n; k++) {
		snprintf(id, sizeof id, "m%d", win[k]);
		uidlstate_add(st, id, e);
	}
	if (uidlstate_commit(st, e) < 0 || deliver_checkpoint(d, e) < 0)
		return -1;
	return 0;
}

/* The local half of a fetch; exits 0 when every message is recorded. */
static void
fetch(enum deliver_kind kind, const char *target, const char *state)
{
	struct uidlstate *st;
	struct deliver_opts o;
	struct deliver *d;
	struct err e;
	char **ids, id[16];
	size_t n, i;
	int m, inwin = 0, win[WINDOW], npw = 0, pw[WINDOW];

	err_clear(&e);
	st = uidlstate_open(state, UIDLSTATE_WAIT, &e);
	if (!st)
		goto fail;
	if (deliver_recover(uidlstate_journal(st), &ids, &n, &e) < 0)
		goto fail;
	for (i = 0; i < n; i++)
		uidlstate_add(st, ids[i], &e);
	strv_free(ids, n);
	if (uidlstate_commit(st, &e) < 0)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.target = target;
	o.journal = uidlstate_journal(st);
	o.fd = -1;
	d = deliver_open(&o, &e);
	if (!d)
		goto fail;
	for (m = 0; m <= NMSG; m++) {
		if (m < NMSG) {
			snprintf(id, sizeof id, "m%d", m);
			if (uidlstate_has(st, id))
				continue;
			if (deliver_begin(d, id, NULL, &e) < 0)
				goto fail;
			for (i = 0; i < msg[m].len; i += 4096)
				if (deliver_write(d, msg[m].data + i,
				    msg[m].len - i < 4096 ? msg[m].len - i :
				    4096, &e) < 0)
					goto fail;
			if (deliver_end(d, &e) < 0)
				goto fail;
			win[inwin++] = m;
			if (inwin < WINDOW)
				continue;
		}
		if (overlap) {
			/* the window before is durable: record it; this
			 * one syncs while the next is written */
			if (deliver_sync_wait(d, &e) < 0 ||
			    record(st, d, pw, npw, &e) < 0 ||
			    deliver_sync_start(d, &e) < 0)
				goto fail;
			memcpy(pw, win, sizeof win);
			npw = inwin;
			inwin = 0;
			if (m == NMSG && (deliver_sync_wait(d, &e) < 0 ||
			    record(st, d, pw, npw, &e) < 0))
				goto fail;
			continue;
		}
		if (deliver_sync(d, &e) < 0 || record(st, d, win, inwin,
		    &e) < 0)
			goto fail;
		inwin = 0;
	}
	if (deliver_close(d, &e) < 0)
		goto fail;
	_exit(uidlstate_count(st) == NMSG ? 0 : 2);
fail:
	fprintf(stderr, "t_killdeliver: %s\n", e.msg);
	_exit(1);
}

/* Count each message found (-1 for a message that is no message of ours
 * or has other bytes). */
struct tally {
	int n[NMSG];
	int bad;
};

/* s is message id's bytes; from an mbox, a message without a final
 * line break comes back with one (the one byte mboxrd cannot keep). */
static void
t_check(struct tally *t, const char *s, size_t len)
{
	int id = id_of(s);
	size_t ml;

	if (id < 0 || id >= NMSG) {
		t->bad++;
		return;
	}
	ml = msg[id].len;
	if (len >= ml && memcmp(s, msg[id].data, ml) == 0 && (len == ml ||
	    (len == ml + 1 && s[ml] == '\n' && msg[id].data[ml - 1] != '\n')))
		t->n[id]++;
	else
		t->bad++;
}

static void
tally_one(void *ctx, const char *from, size_t flen, const char *m,
	size_t len)
{
	(void)from;
	(void)flen;
	t_check(ctx, m, len);
}

static int
tally_dir(struct tally *t, const char *d, int want_empty)
{
	DIR *dh = opendir(d);
	struct dirent *de;
	struct buf p = BUF_INIT;
	int files = 0;

	if (!dh)
		return 0;
	while ((de = readdir(dh))) {
		char *c;

		if (de->d_name[0] == '.')
			continue;
		files++;
		if (want_empty)
			continue;
		buf_reset(&p);
		buf_addf(&p, "%s/%s", d, de->d_name);
		c = slurp(p.data);
		if (c)
			t_check(t, c, strlen(c));
		free(c);
	}
	closedir(dh);
	buf_release(&p);
	return files;
}

/* Tally the messages in maildir dir's new/: the files left in its tmp/. */
static int
tally_maildir(struct tally *t, const char *dir)
{
	struct buf p = BUF_INIT;
	int left;

	buf_addf(&p, "%s/new", dir);
	tally_dir(t, p.data, 0);
	buf_reset(&p);
	buf_addf(&p, "%s/tmp", dir);
	left = tally_dir(t, p.data, 1);
	buf_release(&p);
	return left;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One run of fetch in a child; killed after delay_us when >= 0.
 * Returns 1 if the kill landed before it finished, 0 if it finished,
 * -1 if it failed. */
static int
run(enum deliver_kind kind, const char *target, const char *state,
	long delay_us)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		fetch(kind, target, state);
	if (delay_us >= 0) {
		usleep((useconds_t)delay_us);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
one_kind(enum deliver_kind kind, const char *name, int iters,
	unsigned *seed)
{
	struct buf target = BUF_INIT, state = BUF_INIT, sub = BUF_INIT;
	double t0, full;
	int it, k, landed = 0, failed = 0, wrong = 0, leftovers = 0;
	int unrecorded = 0;

	buf_addf(&target, "%s/%s", base, kind == DELIVER_MAILDIR ? "Maildir"
		: "mbox");
	buf_addf(&state, "%s/state/uidls", base);
	/* how long an uninterrupted fetch takes */
	t0 = now_us();
	run(kind, target.data, state.data, -1);
	full = now_us() - t0;
	for (it = 0; it < iters; it++) {
		struct tally t;
		struct uidlstate *s;
		struct err e;
		int i;

		rm_rf(target.data);
		buf_reset(&sub);
		buf_addf(&sub, "%s/state", base);
		rm_rf(sub.data);
		for (k = 0; k < 3; k++) {
			int r = run(kind, target.data, state.data,
				(long)(rand_r(seed) % (unsigned)(full * 1.3 +
				1)));

			landed += r == 1;
			failed += r < 0;
		}
		/* the last run finishes; its time sets the next delays, so
		 * that they follow the machine's load */
		t0 = now_us();
		failed += run(kind, target.data, state.data, -1) != 0;
		full = now_us() - t0;
		memset(&t, 0, sizeof(t));
		if (kind == DELIVER_MAILDIR)
			leftovers += tally_maildir(&t, target.data);
		else
			mbox_each(target.data, tally_one, &t);
		for (i = 0; i < NMSG; i++)
			if (t.n[i] != 1)
				wrong++;
		wrong += t.bad;
		s = uidlstate_open(state.data, 0, &e);
		unrecorded += !s || uidlstate_count(s) != NMSG;
		uidlstate_close(s);
		if (wrong || failed) {
			printf("# iteration %d: wrong %d failed %d\n", it,
				wrong, failed);
			break;
		}
	}
	tap_int(failed, 0, "every run either finished or was killed");
	tap_int(wrong, 0, "every message exactly once, byte for byte");
	tap_int(leftovers, 0, "nothing left in tmp/");
	tap_int(unrecorded, 0, "the state records every message");
	tap_ok(landed > 0, "%s: %d iterations, %d kills landed mid-fetch "
		"(the last full fetch took %.0f us)", name, it, landed, full);
	buf_release(&target);
	buf_release(&state);
	buf_release(&sub);
}

/*
 * A kill at each of a checkpoint's two steps (the slot rewritten, the
 * journal cut after it), windows synced while the next is written: the
 * last window's checkpoint comes with files made ahead for a next one,
 * and they must stay named in the journal, so that the rerun leaves
 * nothing in tmp/. (Checkpoints between windows find the next window
 * pending and cut nothing.)
 */
static void
checkpoint_kills(void)
{
	static const char *const points[] = { "journal-slot", "journal-cut" };
	struct buf target = BUF_INIT, state = BUF_INIT, sub = BUF_INIT;
	char want[64];
	int p, i, killed = 0, failed = 0, wrong = 0, leftovers = 0;

	buf_addf(&target, "%s/Maildir-cp", base);
	buf_addf(&state, "%s/state-cp/uidls", base);
	overlap = 1;
	for (p = 0; p < 2; p++) {
		struct tally t;

		rm_rf(target.data);
		buf_reset(&sub);
		buf_addf(&sub, "%s/state-cp", base);
		rm_rf(sub.data);
		snprintf(want, sizeof want, "%s:1", points[p]);
		setenv("MKIT_TEST_KILL", want, 1);
		killed += run(DELIVER_MAILDIR, target.data,
			state.data, -1) == 1;
		unsetenv("MKIT_TEST_KILL");
		failed += run(DELIVER_MAILDIR, target.data,
			state.data, -1) != 0;
		memset(&t, 0, sizeof(t));
		leftovers += tally_maildir(&t, target.data);
		for (i = 0; i < NMSG; i++)
			wrong += t.n[i] != 1;
		wrong += t.bad;
	}
	overlap = 0;
	tap_int(killed, 2, "killed at a checkpoint's slot and at its cut");
	tap_int(failed, 0, "every rerun finished");
	tap_int(wrong, 0, "every message exactly once after a checkpoint kill");
	tap_int(leftovers, 0, "no file made ahead left in tmp/ after a "
		"checkpoint kill");
	buf_release(&target);
	buf_release(&state);
	buf_release(&sub);
}

int
main(void)
{
	const char *it = getenv("MKIT_KILL_ITER"), *sd = getenv(
		"MKIT_KILL_SEED");
	int iters = it ? atoi(it) : 100, i;
	unsigned seed = sd ? (unsigned)strtoul(sd, NULL, 10) :
		(unsigned)time(NULL) ^ (unsigned)getpid();
	struct stat st;

	snprintf(base, sizeof base, "%s/t_killdeliver.XXXXXX",
		stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0 ?
		"/dev/shm" : "/tmp");
	if (!mkdtemp(base))
		return 99;
	printf("# seed %u (MKIT_KILL_SEED to repeat), in %s\n", seed, base);
	make_messages();
	one_kind(DELIVER_MAILDIR, "maildir", iters, &seed);
	overlap = 1;
	one_kind(DELIVER_MAILDIR, "maildir, synced while the next window is "
		"written", iters, &seed);
	overlap = 0;
	checkpoint_kills();
	one_kind(DELIVER_MBOX, "mbox", iters, &seed);
	rm_rf(base);
	for (i = 0; i < NMSG; i++)
		buf_release(&msg[i]);
	return tap_done();
}
