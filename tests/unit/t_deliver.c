/*
 * t_deliver: delivery as mpop's users rely on it: maildir files appear in
 * new/ only once synced, with the exact bytes; mbox messages are mboxrd
 * with the envelope sender from Return-Path, separated, locked, and never
 * left half written; an MDA gets the message on its standard input without
 * a shell unless it needs one, %F made safe, and its exit status is the
 * result; a stream is raw or mboxrd; the journal lets recovery tell what
 * is delivered after a crash.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/util.h"
#include "store/deliver.h"
#include "store/durable.h"
#include "store/tolf.h"
#include "storetest.h"
#include "tap.h"

static char dir[] = "/tmp/t_deliver.XXXXXX";

static char *
path(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", dir, rel);
	return buf_detach(&b, NULL);
}

/* Files in d (not starting with '.'), sorted, joined by ','. */
static char *
names(const char *d)
{
	struct buf b = BUF_INIT;
	struct dirent **de;
	int n, i;

	n = scandir(d, &de, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.')
			buf_addf(&b, "%s%s", b.len ? "," : "", de[i]->d_name);
		free(de[i]);
	}
	if (n >= 0)
		free(de);
	if (!b.data)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

/* The contents of the files in d, in name order, joined by "|". */
static char *
contents(const char *d)
{
	struct buf b = BUF_INIT, p = BUF_INIT;
	struct dirent **de;
	int n, i;

	n = scandir(d, &de, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.') {
			char *c;

			buf_reset(&p);
			buf_addf(&p, "%s/%s", d, de[i]->d_name);
			c = slurp(p.data);
			buf_addf(&b, "%s%s", b.len ? "|" : "", c ? c : "?");
			free(c);
		}
		free(de[i]);
	}
	if (n >= 0)
		free(de);
	buf_release(&p);
	if (!b.data)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

/* One message, written in chunks of step bytes. */
static int
one(struct deliver *d, const char *id, const char *from, const char *msg,
	size_t step, struct err *e)
{
	size_t n = strlen(msg), i;

	if (deliver_begin(d, id, from, e) < 0)
		return -1;
	for (i = 0; i < n; i += step)
		if (deliver_write(d, msg + i, n - i < step ? n - i : step, e)
		    < 0) {
			deliver_abort(d);
			return -1;
		}
	return deliver_end(d, e);
}

static struct deliver *
open_kind(enum deliver_kind k, const char *target, const char *journal,
	struct err *e)
{
	struct deliver_opts o;

	memset(&o, 0, sizeof(o));
	o.kind = k;
	o.target = target;
	o.journal = journal;
	o.fd = -1;
	o.lock_timeout = 1;
	err_clear(e);
	return deliver_open(&o, e);
}

static const char msg1[] = "Subject: one\n\nbody one\n";
static const char msg2[] = "Return-Path: <rp@x.example>\nSubject: two\n\n"
	"From the start\n>From quoted\nend";

static void
test_maildir(void)
{
	char *md = path("Mail/inbox"), *tmp, *newd, *cur, *c, *j;
	struct deliver *d;
	struct err e;
	char **ids;
	size_t n;

	tmp = path("Mail/inbox/tmp");
	newd = path("Mail/inbox/new");
	cur = path("Mail/inbox/cur");
	j = path("md.journal");
	d = open_kind(DELIVER_MAILDIR, md, j, &e);
	tap_ok(d != NULL, "maildir opened (%s)", e.msg);
	if (!d)
		return;
	tap_ok(access(tmp, F_OK) == 0 && access(newd, F_OK) == 0 &&
		access(cur, F_OK) == 0, "a missing maildir is created");
	tap_int(one(d, "u1", NULL, msg1, 5, &e), 0, "message 1");
	tap_int(one(d, "u2", "x@y", msg2, 1000, &e), 0, "message 2");
	c = names(newd);
	tap_str(c, "", "nothing in new/ before the sync");
	free(c);
	tap_int(deliver_sync(d, &e), 2, "sync: 2 messages");
	c = contents(newd);
	{
		struct buf w = BUF_INIT;

		buf_addf(&w, "%s|%s", msg1, msg2);
		tap_str(c, w.data, "new/ holds both, byte for byte, in order");
		buf_release(&w);
	}
	free(c);
	c = names(tmp);
	tap_str(c, "", "tmp/ is empty");
	free(c);
	c = names(newd);
	tap_ok(strchr(c, ',') && strstr(c, ".M") && strstr(c, "P"),
		"unique names: %s", c);
	free(c);

	/* an aborted message leaves nothing */
	deliver_begin(d, "u3", NULL, &e);
	deliver_write(d, "Subject: x\n\npartial", 19, &e);
	deliver_abort(d);
	c = names(tmp);
	tap_str(c, "", "abort removes the tmp/ file");
	free(c);
	tap_int(deliver_sync(d, &e), 0, "sync after an abort: none");
	tap_int(deliver_close(d, &e), 0, "close");

	/* the journal says what is delivered */
	tap_int(deliver_recover(j, &ids, &n, &e), 0, "recover");
	tap_ok(n == 2 && !strcmp(ids[0], "u1") && !strcmp(ids[1], "u2"),
		"recover gives the two synced ids");
	strv_free(ids, n);
	rm_rf(md);
	free(md);
	free(tmp);
	free(newd);
	free(cur);
	free(j);
}

/* Each message as "FROM SENDER\nbytes", '|' between them (the date
 * after the sender left out). */
static void
collect(void *ctx, const char *from, size_t flen, const char *m,
	size_t len)
{
	struct buf *all = ctx;
	const char *sp = flen > 5 ? memchr(from + 5, ' ', flen - 5) : NULL;

	if (all->len)
		buf_addch(all, '|');
	buf_add(all, from, sp ? (size_t)(sp - from) : flen);
	buf_addch(all, '\n');
	buf_add(all, m, len);
}

static char *
mbox_read(const char *file)
{
	struct buf all = BUF_INIT;

	mbox_each(file, collect, &all);
	if (!all.data)
		buf_addstr(&all, "");
	return buf_detach(&all, NULL);
}

static void
test_mbox(void)
{
	char *mb = path("mbox"), *j = path("mb.journal"), *c, *lock;
	struct deliver *d;
	struct err e;
	struct stat st;
	char **ids;
	size_t n;
	int fd;
	FILE *f;

	f = fopen(mb, "w");
	fputs("From old@x Mon Jan  1 00:00:00 2024\nSubject: old\n\nno "
		"blank line after me", f);
	fclose(f);
	d = open_kind(DELIVER_MBOX, mb, j, &e);
	tap_ok(d != NULL, "mbox opened (%s)", e.msg);
	if (!d)
		return;
	lock = path("mbox.lock");
	tap_ok(access(lock, F_OK) == 0, "dotlock held while open");
	tap_int(one(d, "u1", NULL, msg1, 3, &e), 0, "message 1 (no "
		"Return-Path)");
	tap_int(one(d, "u2", NULL, msg2, 2, &e), 0, "message 2 (Return-Path, "
		"header split in tiny chunks)");
	tap_int(one(d, "u3", "env@z.example", "Return-Path: <no@x>\n\nb\n",
		100, &e), 0, "message 3 (envelope given)");
	tap_int(one(d, "u4", NULL, "Return-Path: <>\nX: y\n\n", 100, &e), 0,
		"message 4 (null sender)");
	tap_int(deliver_sync(d, &e), 4, "sync: 4");
	c = mbox_read(mb);
	tap_str(c, "From old@x\nSubject: old\n\nno blank line after me\n"
		"|From MAILER-DAEMON\nSubject: one\n\nbody one\n"
		"|From rp@x.example\nReturn-Path: <rp@x.example>\nSubject: two\n"
		"\nFrom the start\n>From quoted\nend\n"
		"|From env@z.example\nReturn-Path: <no@x>\n\nb\n"
		"|From MAILER-DAEMON\nReturn-Path: <>\nX: y\n\n",
		"read back: senders, bytes, quoting undone, separated");
	free(c);
	c = slurp(mb);
	tap_ok(strstr(c, "\n>From the start\n>>From quoted\nend\n\n") != NULL,
		"on disk: mboxrd quoting and a blank line after the message");
	free(c);

	stat(mb, &st);
	deliver_begin(d, "u5", NULL, &e);
	deliver_write(d, "Subject: cut\n\nhalf a mess", 25, &e);
	deliver_abort(d);
	{
		struct stat st2;

		stat(mb, &st2);
		tap_ok(st2.st_size == st.st_size, "abort truncates back to "
			"the old size");
	}
	/* a second writer is kept off */
	{
		struct deliver *d2 = open_kind(DELIVER_MBOX, mb, NULL, &e);

		tap_ok(!d2 && e.code == ERR_TEMPFAIL, "a second deliverer "
			"gives up after lock_timeout: %s", e.msg);
		deliver_close(d2, NULL);
	}
	tap_int(deliver_close(d, &e), 0, "close");
	tap_ok(access(lock, F_OK) != 0, "dotlock removed");
	tap_int(deliver_recover(j, &ids, &n, &e), 0, "recover");
	tap_ok(n == 4 && !strcmp(ids[3], "u4"), "recover gives the 4 ids");
	strv_free(ids, n);

	/* a stale dotlock is broken, a fresh one waited for */
	fd = open(lock, O_CREAT | O_WRONLY, 0644);
	close(fd);
	d = open_kind(DELIVER_MBOX, mb, NULL, &e);
	tap_ok(!d && e.code == ERR_TEMPFAIL, "a fresh foreign dotlock: "
		"tempfail (%s)", e.msg);
	deliver_close(d, NULL);
	{
		struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

		utimensat(AT_FDCWD, lock, old, 0);
	}
	d = open_kind(DELIVER_MBOX, mb, NULL, &e);
	tap_ok(d != NULL, "a stale dotlock is broken");
	deliver_close(d, NULL);
	{
		/* one left by a process that is gone (a kill -9) */
		pid_t gone = fork();
		char pid[32];

		if (gone == 0)
			_exit(0);
		waitpid(gone, NULL, 0);
		fd = open(lock, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		snprintf(pid, sizeof pid, "%ld\n", (long)gone);
		(void)!write(fd, pid, strlen(pid));
		close(fd);
		d = open_kind(DELIVER_MBOX, mb, NULL, &e);
		tap_ok(d != NULL, "a fresh dotlock of a dead process is "
			"broken at once");
		deliver_close(d, NULL);
	}
	unlink(mb);
	free(lock);
	free(mb);
	free(j);
}

static void
test_mda(void)
{
	static const struct {
		const char *cmd;	/* OUT is replaced by the output file */
		const char *from;
		const char *msg;
		int rc;			/* of deliver_end (or begin) */
		enum err_code code;
		int status;		/* deliver_exit_status() */
		const char *out;	/* what the output file holds, or NULL */
	} t[] = {
		/* no shell: the quotes are split as sh would */
		{ "/bin/sh -c 'cat > \"$0\"' OUT", NULL, msg1, 0, ERR_NONE, 0,
		  msg1 },
		/* shell syntax: run with sh -c */
		{ "cat > OUT", NULL, msg2, 0, ERR_NONE, 0, msg2 },
		/* %F from Return-Path */
		{ "/bin/sh -c 'printf %s \"$1\" > \"$0\"' OUT %F", NULL, msg2,
		  0, ERR_NONE, 0, "rp@x.example" },
		/* %F made safe */
		{ "/bin/sh -c 'printf %s \"$1\" > \"$0\"' OUT '%F'",
		  "a b;`rm -rf x`$(y)@z", msg1, 0, ERR_NONE, 0,
		  "a_b__rm_-rf_x___y_@z" },
		{ "/bin/sh -c 'printf %s \"$1\" > \"$0\"' OUT %F", NULL, msg1,
		  0, ERR_NONE, 0, "MAILER-DAEMON" },
		/* exit status honoured */
		{ "/bin/sh -c 'cat >/dev/null; exit 75'", NULL, msg1, -1,
		  ERR_TEMPFAIL, 75, NULL },
		{ "/bin/sh -c 'cat >/dev/null; exit 73'", NULL, msg1, -1,
		  ERR_CANTCREAT, 73, NULL },
		{ "/bin/sh -c 'cat >/dev/null; exit 3'", NULL, msg1, -1,
		  ERR_IO, 74, NULL },
		{ "false", NULL, msg1, -1, ERR_IO, 74, NULL },
		{ "/bin/sh -c 'kill -9 $$'", NULL, msg1, -1, ERR_IO, 74,
		  NULL },
		/* an MDA that reads nothing and succeeds: no SIGPIPE death */
		{ "true", NULL, NULL, 0, ERR_NONE, 0, NULL },
		/* a command that does not exist */
		{ "/nonexistent/mda -x", NULL, msg1, -2, ERR_OS, 71, NULL },
	};
	char *out = path("mda.out");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct buf cmd = BUF_INIT, big = BUF_INIT;
		const char *p = t[i].cmd, *q;
		struct deliver *d;
		struct err e;
		int rc;

		while ((q = strstr(p, "OUT"))) {
			buf_add(&cmd, p, (size_t)(q - p));
			buf_addstr(&cmd, out);
			p = q + 3;
		}
		buf_addstr(&cmd, p);
		unlink(out);
		d = open_kind(DELIVER_MDA, cmd.data, NULL, &e);
		if (!t[i].msg) {	/* 4 MiB the MDA never reads */
			buf_addstr(&big, "Subject: big\n\n");
			while (big.len < (4u << 20))
				buf_addstr(&big, "0123456789abcdef0123456789"
					"abcdef0123456789abcdef012345678\n");
		}
		err_clear(&e);
		rc = d ? one(d, "id", t[i].from, t[i].msg ? t[i].msg :
			big.data, 65536, &e) : -3;
		if (t[i].rc == -2)	/* fails at its start */
			tap_ok(rc == -1 && e.code == t[i].code,
				"mda %zu: cannot start: %s", i, e.msg);
		else
			tap_ok(rc == t[i].rc && (rc == 0 || e.code ==
				t[i].code), "mda %zu: %s -> %d %s", i,
				t[i].cmd, rc, e.msg);
		tap_int(d ? deliver_exit_status(d) : -1, t[i].status,
			"... exit status");
		if (t[i].out) {
			char *c = slurp(out);

			tap_str(c, t[i].out, "... what it got");
			free(c);
		}
		tap_int(deliver_close(d, &e), rc == 0 ? 1 : 0, "... close");
		buf_release(&cmd);
		buf_release(&big);
	}
	{
		struct err e;
		struct deliver *d = open_kind(DELIVER_MDA, "procmail -f 'x",
			NULL, &e);

		tap_ok(!d && e.code == ERR_CONFIG, "an open quote: %s", e.msg);
	}
	unlink(out);
	free(out);
}

/* The argv another command (mimap idle --exec) runs with: the MDA's
 * rule for when a shell runs. */
static void
test_cmd_argv(void)
{
	static const struct {
		const char *cmd;
		int argc;
		const char *argv[4];
	} t[] = {
		{ "notify-send hi", 2, { "notify-send", "hi" } },
		{ "cmd 'a b' \"c d\" e\\ f", 4, { "cmd", "a b", "c d", "e f" } },
		{ "echo \"$MIMAP_FOLDER\"", 3,
		  { "/bin/sh", "-c", "echo \"$MIMAP_FOLDER\"" } },
		{ "a | b", 3, { "/bin/sh", "-c", "a | b" } },
		{ "'open", -1, { NULL } },
		{ "   ", -1, { NULL } },
	};
	size_t i;
	int j;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char **argv = NULL;
		int n = deliver_cmd_argv(t[i].cmd, &argv);

		tap_int(n, t[i].argc, t[i].cmd);
		for (j = 0; j < n && j < t[i].argc; j++)
			tap_str(argv[j], t[i].argv[j], t[i].cmd);
		if (n > 0) {
			tap_ok(argv[n] == NULL, "%s: NULL-terminated",
				t[i].cmd);
			strv_free(argv, (size_t)n);
		}
	}
}

/* The stream of msg (wire form) through DELIVER_IN_CRLF in steps of
 * step, or of msg made LF first: its bytes after the From line. */
static char *
stream_of(const char *msg, unsigned flags, size_t step)
{
	char *f = path("crlf"), *c, *body;
	struct deliver_opts o;
	struct deliver *d;
	struct buf lf = BUF_INIT;
	struct tolf t;
	struct err e;
	int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	memset(&o, 0, sizeof(o));
	o.kind = DELIVER_STREAM;
	o.fd = fd;
	o.flags = flags;
	if (!(flags & DELIVER_IN_CRLF)) {
		tolf_init(&t);
		tolf_add(&t, msg, strlen(msg), &lf);
		tolf_end(&t, &lf);
		msg = lf.data;
	}
	d = deliver_open(&o, &e);
	one(d, "a", NULL, msg, step, &e);
	deliver_close(d, &e);
	close(fd);
	c = slurp(f);
	body = xstrdup(flags & DELIVER_STREAM_MBOXRD ? strchr(c, '\n') : c);
	free(c);
	free(f);
	buf_release(&lf);
	return body;
}

/* DELIVER_IN_CRLF gives what tolf.h then deliver give, in any steps: the
 * mboxrd writer takes over the line ends once the header (where the
 * Return-Path is looked for) is through, a CR held back included. */
static void
test_stream_crlf(void)
{
	static const char *msgs[] = {
		"Return-Path: <rp@x.example>\r\nS: x\r\n\r\nFrom a\r\n"
		">From b\r\r\nlone\rcr\r\nend\r",
		"S: x\r\n\r\nbody\r\n",
		"no header end\r\nFrom x\r",
		"S: x\r\n\r\n\rlone cr first\r\n",
	};
	size_t i, step;
	unsigned k;

	for (i = 0; i < ARRAY_SIZE(msgs); i++)
		for (k = 0; k < 2; k++)
			for (step = 1; step < 12; step++) {
				unsigned fl = k ? DELIVER_STREAM_MBOXRD : 0;
				char *a = stream_of(msgs[i], fl |
					DELIVER_IN_CRLF, step);
				char *b = stream_of(msgs[i], fl, step);
				char name[64];

				snprintf(name, sizeof name, "crlf in, %s, "
					"message %zu, steps of %zu", k ?
					"mboxrd" : "raw", i, step);
				tap_str(a, b, name);
				free(a);
				free(b);
			}
}

static void
test_stream(void)
{
	char *f = path("stream");
	struct deliver_opts o;
	struct deliver *d;
	struct err e;
	char *c;
	int fd;

	memset(&o, 0, sizeof(o));
	o.kind = DELIVER_STREAM;
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	o.fd = fd;
	d = deliver_open(&o, &e);
	one(d, "a", NULL, msg2, 4, &e);
	tap_int(deliver_close(d, &e), 1, "raw stream: one message");
	close(fd);
	c = slurp(f);
	tap_str(c, msg2, "... written as it is");
	free(c);

	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	o.fd = fd;
	o.flags = DELIVER_STREAM_MBOXRD;
	o.received_from = "pop.example";
	o.received_with = "POP3";
	d = deliver_open(&o, &e);
	one(d, "a", NULL, msg1, 4, &e);
	one(d, "b\r\nX: evil", NULL, msg2, 4, &e);
	tap_int(deliver_close(d, &e), 2, "mboxrd stream: two messages");
	close(fd);
	c = mbox_read(f);
	tap_ok(!strncmp(c, "From MAILER-DAEMON\nReceived: from pop.example\n"
		"\tby ", 48) && strstr(c, " with POP3\n\tid a; ") && strstr(c,
		"|From rp@x.example\nReceived: from pop.example\n") &&
		strstr(c, "\tid b??X: evil; ") && strstr(c, "\nSubject: two\n"
		"\nFrom the start\n>From quoted\nend\n"), "... mboxrd with a "
		"Received header each, no line break from the id:\n%s", c);
	free(c);
	free(f);
}

/*
 * A stream to a file holds whole messages for large writes: an aborted
 * message leaves those before it whole, a sync in the middle of a message
 * writes the whole ones and not its first bytes, and a pipe still gets
 * each message when it ends (a reader there waits for it).
 */
static void
test_stream_batch(void)
{
	char *f = path("batch");
	struct deliver_opts o;
	struct deliver *d;
	struct err e;
	char *c, got[64];
	int fd, p[2];
	ssize_t n;

	memset(&o, 0, sizeof(o));
	o.kind = DELIVER_STREAM;
	o.flags = DELIVER_STREAM_MBOXRD | DELIVER_STREAM_NOSYNC;
	fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	o.fd = fd;
	d = deliver_open(&o, &e);
	one(d, "a", "x", "S: a\n\none\n", 3, &e);
	deliver_begin(d, "b", "x", &e);
	deliver_write(d, "S: b\n\nhalf", 11, &e);
	c = slurp(f);
	tap_str(c, "", "file stream: nothing written before a sync");
	free(c);
	tap_int(deliver_sync(d, &e), 1, "... a sync in a message: the one "
		"ended");
	c = slurp(f);
	tap_ok(strstr(c, "\n\none\n\n") && !strstr(c, "half"), "... is "
		"written whole, the open one not:\n%s", c);
	free(c);
	deliver_abort(d);
	one(d, "c", "x", "S: c\n\nthree\n", 5, &e);
	deliver_begin(d, "d", "x", &e);
	deliver_write(d, "S: d\n\nhalf", 11, &e);
	deliver_abort(d);
	tap_int(deliver_close(d, &e), 1, "... closed: one more");
	close(fd);
	c = slurp(f);
	tap_ok(strstr(c, "\n\none\n\nFrom x ") && strstr(c,
		"\n\nthree\n\n") && !strstr(c, "half"), "... aborted "
		"messages gone, the others whole:\n%s", c);
	free(c);
	free(f);

	if (pipe(p) != 0)
		return;
	o.fd = p[1];
	d = deliver_open(&o, &e);
	one(d, "a", "x", "S: a\n\none\n", 3, &e);
	n = read(p[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	tap_ok(n > 0 && strstr(got, "\n\none\n\n"), "pipe stream: each "
		"message written when it ends");
	deliver_close(d, &e);
	close(p[0]);
	close(p[1]);
}

/* A crash (the child _exits without syncing or closing) at two points:
 * recovery removes what was not synced and keeps what was. */
static void
test_recover(void)
{
	static const enum deliver_kind kinds[] = { DELIVER_MAILDIR,
		DELIVER_MBOX };
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		char *t = path(kinds[k] == DELIVER_MAILDIR ? "rmd" : "rmbox");
		char *j = path("r.journal"), *c;
		char **ids;
		size_t n;
		struct err e;
		int st, synced;

		for (synced = 0; synced < 2; synced++) {
			pid_t pid = fork();

			if (pid == 0) {
				struct deliver *d = open_kind(kinds[k], t, j,
					&e);

				one(d, "s1", NULL, msg1, 10, &e);
				if (synced)
					deliver_sync(d, &e);
				one(d, "s2", NULL, msg2, 10, &e);
				deliver_begin(d, "s3", NULL, &e);
				deliver_write(d, "Subject: half\n\nha", 17, &e);
				_exit(0);	/* crash: nothing closed */
			}
			waitpid(pid, &st, 0);
			tap_ok(deliver_recover(j, &ids, &n, &e) == 0,
				"kind %zu synced %d: recover", k, synced);
			tap_int((long long)n, synced, "... ids kept");
			if (n)
				tap_str(ids[0], "s1", "... the synced one");
			strv_free(ids, n);
			if (kinds[k] == DELIVER_MAILDIR) {
				struct buf p = BUF_INIT;

				buf_addf(&p, "%s/tmp", t);
				c = names(p.data);
				tap_str(c, "", "... tmp/ cleaned");
				free(c);
				buf_reset(&p);
				buf_addf(&p, "%s/new", t);
				c = contents(p.data);
				tap_str(c, synced ? msg1 : "", "... new/ holds "
					"the synced message only");
				free(c);
				buf_release(&p);
			} else {
				c = mbox_read(t);
				tap_str(c, synced ? "From MAILER-DAEMON\n"
					"Subject: one\n\nbody one\n" : "",
					"... the mbox holds the synced "
					"message only");
				free(c);
			}
			tap_int(deliver_recover(j, &ids, &n, &e), 0,
				"... recover again");
			tap_int((long long)n, synced, "... same result");
			strv_free(ids, n);
			rm_rf(t);
			unlink(j);
		}
		free(t);
		free(j);
	}
}

static void
test_account(void)
{
	struct account *a = account_new_proto("acc", ACCOUNT_PROTO_POP3);
	struct deliver_opts o;
	struct err e;

	tap_int(deliver_opts_account(&o, a, "POP3", &e), -1, "an account "
		"without delivery");
	tap_str(e.msg, "account \"acc\": no delivery set (add e.g. \"delivery "
		"maildir ~/Mail\")", "... says what to add");
	account_set(a, "delivery", "mda procmail -d joe", &e);
	account_set(a, "host", "pop.example", &e);
	tap_int(deliver_opts_account(&o, a, "POP3", &e), 0, "mda account");
	tap_ok(o.kind == DELIVER_MDA && !strcmp(o.target, "procmail -d joe") &&
		!strcmp(o.received_from, "pop.example") &&
		!strcmp(o.received_with, "POP3"), "... kind, command, Received");
	account_set(a, "received_header", "off", &e);
	account_set(a, "delivery", "maildir,/m", &e);
	deliver_opts_account(&o, a, "POP3", &e);
	tap_ok(o.kind == DELIVER_MAILDIR && !strcmp(o.target, "/m") &&
		!o.received_from, "maildir, received_header off");
	account_free(a);
}

/* Files synced together: several threads, every file, the failing one
 * named (a descriptor that cannot be synced stands for a failed disk). */
static void
test_sync_files(void)
{
	char p[4200];
	int fds[12];
	size_t i, bad = 99;

	for (i = 0; i < 12; i++) {
		snprintf(p, sizeof p, "%s/sync%zu", dir, i);
		fds[i] = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		(void)!write(fds[i], "x\n", 2);
	}
	tap_int(durable_sync_files(fds, 12, DURABLE_EACH, &bad), 0,
		"sync_files: 12 files fsync'd together");
	tap_int(durable_sync_files(fds, 12, DURABLE_ORDERED, &bad), 0,
		"sync_files: 12 files written out (ordered)");
	tap_int(durable_sync_files(fds, 12, DURABLE_WHOLE_FS, &bad), 0,
		"sync_files: 12 files by one syncfs");
	tap_ok(durable_fs_mode("/proc") == DURABLE_EACH,
		"fs_mode: a filesystem other than ext4 fsyncs each file");
	i = (size_t)fds[0];
	fds[0] = -1;
	tap_int(durable_sync_files(fds, 12, DURABLE_WHOLE_FS, &bad), -1,
		"sync_files: syncfs that fails fails the batch");
	tap_ok(bad == 0 && errno == EBADF, "... through its first file");
	fds[0] = (int)i;
	close(fds[7]);
	fds[7] = -1;
	tap_int(durable_sync_files(fds, 12, DURABLE_EACH, &bad), -1,
		"sync_files: a file that cannot be synced fails the batch");
	tap_ok(bad == 7 && errno == EBADF, "... and is the one named");
	for (i = 0; i < 12; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 99;
	signal(SIGPIPE, SIG_DFL);	/* as a program run from a shell */
	test_maildir();
	test_mbox();
	test_mda();
	test_cmd_argv();
	test_stream();
	test_stream_batch();
	test_stream_crlf();
	test_recover();
	test_account();
	test_sync_files();
	rm_rf(dir);
	return tap_done();
}
