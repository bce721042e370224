/*
 * t_uidlstate: the UIDL state as mpop relies on it: where it lives, what
 * the file holds, that a commit replaces it whole, that a second process
 * is kept off (or waits), and that messages gone from the server are
 * forgotten.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
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
#include "store/uidlstate.h"
#include "storetest.h"
#include "tap.h"

static char dir[] = "/tmp/t_uidlstate.XXXXXX";

static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static void
test_path(void)
{
	static const struct {
		const char *xdg, *home, *file, *user, *host;
		unsigned port;
		const char *want;
	} t[] = {
		{ "/x/state", "/h", NULL, "joe", "pop.example", 995,
		  "/x/state/mkit/uidls/joe@pop.example:995" },
		{ NULL, "/h", NULL, "joe", "pop.example", 110,
		  "/h/.local/state/mkit/uidls/joe@pop.example:110" },
		{ "relative", "/h", NULL, "joe", "p", 110,
		  "/h/.local/state/mkit/uidls/joe@p:110" },
		{ "/x", "/h", NULL, "a/b%c@d", "p", 110,
		  "/x/mkit/uidls/a%2Fb%25c@d@p:110" },
		{ "/x", "/h", NULL, NULL, "p", 110, "/x/mkit/uidls/@p:110" },
		{ "/x", "/h", "/h/.mpop_uidls/%U_at_%H", "joe", "pop.example",
		  110, "/h/.mpop_uidls/joe_at_pop.example" },
		{ "/x", "/h", "/s/100%%-%U", "joe", "h", 1, "/s/100%-joe" },
		{ "/x", "/h", "/s/%X", "joe", "h", 1, "/s/%X" },
	};
	size_t i;
	struct err e;
	char *p;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].xdg)
			setenv("XDG_STATE_HOME", t[i].xdg, 1);
		else
			unsetenv("XDG_STATE_HOME");
		setenv("HOME", t[i].home, 1);
		p = uidlstate_path(t[i].file, t[i].user, t[i].host, t[i].port,
			&e);
		tap_str(p, t[i].want, t[i].want);
		free(p);
	}
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	err_clear(&e);
	p = uidlstate_path(NULL, "joe", "h", 1, &e);
	tap_ok(!p && e.code == ERR_CONFIG, "no HOME, no XDG_STATE_HOME: "
		"config error");
	setenv("HOME", dir, 1);
}

static void
test_cycle(void)
{
	char path[256], want[256];
	struct uidlstate *s, *s2;
	struct err e;
	struct stat st1, st2;
	char *text;
	static const char *const server[] = { "b", "c" };

	snprintf(path, sizeof path, "%s/deep/er/joe@h:110", dir);
	err_clear(&e);
	s = uidlstate_open(path, 0, &e);
	tap_ok(s != NULL, "open creates the directories (%s)", e.msg);
	if (!s)
		return;
	tap_int((int)uidlstate_count(s), 0, "a new state is empty");
	snprintf(want, sizeof want, "%s.journal", path);
	tap_str(uidlstate_journal(s), want, "the journal goes beside it");
	tap_int(uidlstate_add(s, "a", &e), 0, "add a");
	tap_int(uidlstate_add(s, "b", &e), 0, "add b");
	tap_int(uidlstate_add(s, "a", &e), 0, "add a again");
	tap_int((int)uidlstate_count(s), 2, "a twice counts once");
	tap_ok(uidlstate_has(s, "a") && uidlstate_has(s, "b") &&
		!uidlstate_has(s, "c"), "has");
	tap_int(uidlstate_add(s, "x\ny", &e), -1, "a UIDL with LF refused");
	tap_int(e.code, ERR_USAGE, "... ERR_USAGE");
	tap_int(uidlstate_add(s, "", &e), -1, "an empty UIDL refused");
	tap_ok(access(path, F_OK) != 0, "nothing on disk before commit");
	tap_int(uidlstate_commit(s, &e), 0, "commit");
	text = slurp(path);
	tap_str(text, "mkit-uidls 1\na\nb\n", "the file: magic line, UIDLs "
		"in order");
	free(text);
	stat(path, &st1);
	tap_int(stat(path, &st1) == 0 ? (int)(st1.st_mode & 0777) : -1, 0600,
		"mode 0600");

	/* a second process on the same mailbox */
	err_clear(&e);
	s2 = uidlstate_open(path, 0, &e);
	tap_ok(s2 == NULL && e.code == ERR_TEMPFAIL, "a second open is "
		"refused while the first holds the lock");
	tap_ok(strstr(e.msg, "in use by another process") != NULL,
		"... saying why: %s", e.msg);
	uidlstate_close(s2);

	tap_int(uidlstate_commit(s, &e), 0, "commit without change");
	stat(path, &st2);
	tap_ok(st1.st_ino == st2.st_ino, "... does not rewrite the file");
	uidlstate_retain(s, server, 2);
	tap_ok(!uidlstate_has(s, "a") && uidlstate_has(s, "b"),
		"retain forgets UIDLs gone from the server");
	uidlstate_add(s, "c", &e);
	uidlstate_add(s, "d", &e);
	uidlstate_close(s);	/* not committed: dropped */
	s = uidlstate_open(path, 0, &e);
	tap_ok(s && uidlstate_count(s) == 2 && uidlstate_has(s, "a"),
		"close without commit keeps the old state");
	uidlstate_retain(s, server, 2);
	uidlstate_add(s, "c", &e);
	tap_int(uidlstate_commit(s, &e), 0, "commit after retain");
	uidlstate_close(s);
	text = slurp(path);
	tap_str(text, "mkit-uidls 1\nb\nc\n", "... the file");
	free(text);
	snprintf(want, sizeof want, "%s.tmp", path);
	tap_ok(access(want, F_OK) != 0, "no temp file left");
}

/* The second process waits with UIDLSTATE_WAIT, and gets it. (It is
 * forked before the first opens: a child would otherwise inherit the
 * first's lock.) */
static void
test_wait(void)
{
	char path[256];
	struct uidlstate *s;
	struct err e;
	int st = -1;
	pid_t pid;
	struct timespec t0, t1;

	snprintf(path, sizeof path, "%s/wait", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		struct uidlstate *c;

		usleep(100000);
		c = uidlstate_open(path, UIDLSTATE_WAIT, &e);
		_exit(c && uidlstate_has(c, "one") ? 0 : 1);
	}
	s = uidlstate_open(path, 0, &e);
	uidlstate_add(s, "one", &e);
	usleep(400000);
	uidlstate_commit(s, &e);
	uidlstate_close(s);
	waitpid(pid, &st, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a waiting process "
		"gets the lock and sees the committed state");
	tap_ok((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
		1000000 >= 350, "... only after the first let go");
}

static void
test_bad(void)
{
	static const struct {
		const char *text;
		enum err_code code;
		const char *msg;	/* in the message */
	} t[] = {
		{ "", ERR_NONE, NULL },
		{ "mkit-uidls 1\n", ERR_NONE, NULL },
		{ "mkit-uidls 1\nx\n\ny", ERR_NONE, NULL },
		{ "MPOP_UIDLS_FILE VERSION=1\n", ERR_DATA,
		  "not a UIDL state file of mkit" },
		{ "# This file was generated by mpop\n 1 h u\nx\n", ERR_CONFIG,
		  "this is mpop's UIDL file, not a state of mkit" },
		{ "mkit-uidls 2\nx\n", ERR_DATA, "first line" },
	};
	char path[256];
	size_t i;

	snprintf(path, sizeof path, "%s/bad", dir);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct uidlstate *s;
		struct err e;

		put_file(path, t[i].text);
		err_clear(&e);
		s = uidlstate_open(path, 0, &e);
		tap_ok(t[i].code == ERR_NONE ? s != NULL : !s &&
			e.code == t[i].code && strstr(e.msg, t[i].msg),
			"state file %zu: %s", i, s ? "loaded" : e.msg);
		if (s && i == 2)
			tap_ok(uidlstate_count(s) == 2 && uidlstate_has(s, "y"),
				"empty lines skipped, last line without LF "
				"read");
		uidlstate_close(s);
	}
}

/* Many UIDLs: the table grows and finds each. */
/* A state at dir/name holding the 100000 UIDLs prefix0 to prefix99999,
 * committed and opened again; its path in path. */
static struct uidlstate *
open_many(char *path, size_t size, const char *name, const char *prefix)
{
	struct uidlstate *s;
	struct err e;
	char u[32];
	int i;

	snprintf(path, size, "%s/%s", dir, name);
	s = uidlstate_open(path, 0, &e);
	for (i = 0; i < 100000; i++) {
		snprintf(u, sizeof u, "%s%d", prefix, i);
		uidlstate_add(s, u, &e);
	}
	uidlstate_commit(s, &e);
	uidlstate_close(s);
	return uidlstate_open(path, 0, &e);
}

static void
test_many(void)
{
	char path[256], u[32];
	struct uidlstate *s;
	int i, ok = 1;

	s = open_many(path, sizeof path, "many", "uidl-");
	for (i = 0; i < 100000 && ok; i += 7) {
		snprintf(u, sizeof u, "uidl-%d", i);
		ok = uidlstate_has(s, u);
	}
	tap_ok(ok && uidlstate_count(s) == 100000 &&
		!uidlstate_has(s, "uidl-100000"), "100000 UIDLs reloaded");
	uidlstate_close(s);
}

/* UIDLs that are prefixes of one another are told apart, and retain keeps
 * the order they were recorded in, on a large state too. */
static void
test_retain_order(void)
{
	static const char *const server[] = { "ab", "x", "abc" };
	const char **keep = xcalloc(50000, sizeof(*keep));
	char path[256], u[32], *text;
	struct uidlstate *s;
	struct err e;
	int i, ok = 1;

	snprintf(path, sizeof path, "%s/order", dir);
	s = uidlstate_open(path, 0, &e);
	uidlstate_add(s, "abc", &e);
	uidlstate_add(s, "a", &e);
	uidlstate_add(s, "ab", &e);
	tap_ok(uidlstate_has(s, "ab") && !uidlstate_has(s, "abcd") &&
		!uidlstate_has(s, "b") && uidlstate_count(s) == 3,
		"prefixes are distinct UIDLs");
	uidlstate_retain(s, server, 3);
	uidlstate_add(s, "z", &e);
	tap_ok(uidlstate_count(s) == 3 && !uidlstate_has(s, "a") &&
		uidlstate_has(s, "abc"), "retain among prefixes");
	uidlstate_commit(s, &e);
	text = slurp(path);
	tap_str(text, "mkit-uidls 1\nabc\nab\nz\n", "... in the order "
		"recorded");
	free(text);
	uidlstate_close(s);

	s = open_many(path, sizeof path, "order-many", "u");
	for (i = 0; i < 50000; i++) {
		snprintf(u, sizeof u, "u%d", 99999 - 2 * i);
		keep[i] = xstrdup(u);
	}
	uidlstate_retain(s, keep, 50000);
	for (i = 0; i < 100000 && ok; i++) {
		snprintf(u, sizeof u, "u%d", i);
		ok = uidlstate_has(s, u) == (i % 2);
	}
	tap_ok(ok && uidlstate_count(s) == 50000, "retain half of 100000");
	uidlstate_reserve(s, 3, 9);
	uidlstate_add(s, "new-1", &e);
	tap_ok(uidlstate_count(s) == 50001 && uidlstate_has(s, "new-1") &&
		uidlstate_has(s, "u99999") && !uidlstate_has(s, "u0"),
		"reserve keeps what is there and takes more");
	uidlstate_commit(s, &e);
	uidlstate_close(s);
	text = slurp(path);
	tap_ok(text && !strncmp(text, "mkit-uidls 1\nu1\nu3\nu5\n", 22) &&
		strlen(text) > 14 && !strcmp(text + strlen(text) - 14,
		"\nu99999\nnew-1\n"), "... written in the order recorded");
	free(text);
	for (i = 0; i < 50000; i++)
		free((char *)keep[i]);
	free(keep);
}

/* mpop's uidls file, read for a user moving from mpop. */
static void
test_import(void)
{
	char path[256], mp[256], mdir[256];
	struct uidlstate *s;
	struct err e;
	long n;

	snprintf(path, sizeof path, "%s/imported", dir);
	snprintf(mdir, sizeof mdir, "%s/.mpop_uidls", dir);
	snprintf(mp, sizeof mp, "%s/joe_at_pop.example", mdir);
	mkdir(mdir, 0700);
	put_file(mp, "# This file was generated by mpop version 1.4.18.\n"
		"#\n"
		" 2 other.example joe\n"
		"o1\n"
		"o2\n"
		" 3 pop.example joe\n"
		"#not-a-comment-here\n"
		"u1\n"
		"u2\n"
		" 1 pop.example ann\n"
		"a1\n");
	s = uidlstate_open(path, 0, &e);
	err_clear(&e);
	n = uidlstate_import_mpop(s, NULL, "joe", "pop.example", &e);
	tap_int(n, 3, "mpop's default file: joe's list on pop.example");
	tap_ok(uidlstate_has(s, "u1") && uidlstate_has(s, "#not-a-comment-here")
		&& !uidlstate_has(s, "o1") && !uidlstate_has(s, "a1"),
		"... only that list, a UIDL starting with # included");
	tap_int(uidlstate_import_mpop(s, mp, "nobody", "pop.example", &e), 0,
		"no list for the user: nothing");
	tap_int(uidlstate_import_mpop(s, "/nonexistent/x", "joe", "h", &e), 0,
		"no file: nothing");
	put_file(mp, "garbage\n");
	tap_int(uidlstate_import_mpop(s, mp, "joe", "pop.example", &e), -1,
		"not mpop's format: an error");
	tap_ok(e.code == ERR_DATA && strstr(e.msg, ":1: not mpop's UIDL file"),
		"... naming the line: %s", e.msg);
	tap_int(uidlstate_commit(s, &e), 0, "commit the imported state");
	uidlstate_close(s);
	put_file(mp, "# mpop\n 1 pop.example joe\nu1\n");
	{
		char *p = uidlstate_path("%H/.mpop_uidls/%U_at_pop.example",
			"joe", dir, 110, &e);
		char want[300];

		snprintf(want, sizeof want, "%s.mkit", mp);
		tap_str(p, want, "uidls_file naming mpop's file: the state "
			"goes beside it");
		free(p);
	}
}

int
main(void)
{
	if (!mkdtemp(dir))
		return 99;
	setenv("HOME", dir, 1);
	test_path();
	test_cycle();
	test_wait();
	test_bad();
	test_many();
	test_retain_order();
	test_import();
	rm_rf(dir);
	return tap_done();
}
