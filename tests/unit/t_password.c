/*
 * t_password: the system keyring as a password source (password.h): the
 * secret-tool command line, when a session bus counts as present, and the
 * order of sources around the keyring. The keyring lookups here run a
 * stand-in secret-tool (a shell script first in $PATH) that answers as the
 * real one does (secret on stdout and exit 0; exit 1 with nothing when
 * there is no entry) or fails as a broken keyring would; the real
 * gnome-keyring and secret-tool are tested in tests/bats/keyring.bats.
 *
 * Runs in a private HOME under $TMPDIR.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/password.h"
#include "tap.h"
#include "base/util.h"

static char home[4096];
static char bindir[4200];	/* the stand-in secret-tool lives here */
static char rundir[4200];	/* $XDG_RUNTIME_DIR */
static char ranfile[4300];	/* the stand-in writes its argv here */
static char netrcfile[4300];
static char *orig_path;

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* The file's text (at most 4 KiB) as a new string, or NULL if missing. */
static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char text[4096];
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return xstrdup(text);
}

static void
rm_rf(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* ---- the command line ---- */

struct argv_case {
	const char *host, *service, *user;
	const char *want[PASSWORD_KEYRING_ARGC];
};

static const struct argv_case argv_cases[] = {
	{ "smtp.example.org", "smtp", "joe",
	  { "secret-tool", "lookup", "host", "smtp.example.org", "service",
	    "smtp", "user", "joe", NULL } },
	{ "pop.example.org", "pop3", "joe@example.org",
	  { "secret-tool", "lookup", "host", "pop.example.org", "service",
	    "pop3", "user", "joe@example.org", NULL } },
	/* odd values stay one argument each, verbatim: no shell */
	{ "h st;x", "imap", "o'dd $(x) \"user\"",
	  { "secret-tool", "lookup", "host", "h st;x", "service", "imap",
	    "user", "o'dd $(x) \"user\"", NULL } },
};

static void
test_argv(void)
{
	size_t i, j, n;

	for (i = 0; i < ARRAY_SIZE(argv_cases); i++) {
		const struct argv_case *c = &argv_cases[i];
		const char *argv[PASSWORD_KEYRING_ARGC];
		int same = 1;

		n = password_keyring_argv(argv, c->host, c->service, c->user);
		tap_int((long long)n, 8, "secret-tool argc");
		for (j = 0; j <= n && j < PASSWORD_KEYRING_ARGC; j++)
			if (c->want[j] ? !argv[j] || strcmp(argv[j],
			    c->want[j]) != 0 : argv[j] != NULL)
				same = 0;
		tap_ok(same, "secret-tool lookup argv for %s/%s", c->host,
			c->service);
	}
}

/* ---- the session bus ---- */

enum bus_setup { BUS_NONE, BUS_SOCKET, BUS_FILE };

struct bus_case {
	const char *address;	/* DBUS_SESSION_BUS_ADDRESS; NULL: unset */
	int runtime;		/* XDG_RUNTIME_DIR set */
	enum bus_setup bus;	/* what $XDG_RUNTIME_DIR/bus is */
	int want;
	const char *name;
};

static const struct bus_case bus_cases[] = {
	{ "unix:path=/run/user/1000/bus", 0, BUS_NONE, 1, "address set" },
	{ "unix:path=/x", 1, BUS_NONE, 1, "address set, no runtime bus" },
	{ NULL, 1, BUS_SOCKET, 1, "no address, $XDG_RUNTIME_DIR/bus socket" },
	{ "", 1, BUS_SOCKET, 1, "empty address, runtime bus socket" },
	{ NULL, 1, BUS_FILE, 0, "no address, runtime bus not a socket" },
	{ NULL, 1, BUS_NONE, 0, "no address, no runtime bus" },
	{ "", 1, BUS_NONE, 0, "empty address, no runtime bus" },
	{ NULL, 0, BUS_SOCKET, 0, "no address, no XDG_RUNTIME_DIR" },
};

static void
make_bus(enum bus_setup how)
{
	char path[4300];
	struct sockaddr_un sa;
	int fd;

	snprintf(path, sizeof(path), "%s/bus", rundir);
	unlink(path);
	if (how == BUS_FILE) {
		write_file(path, "", 0600);
	} else if (how == BUS_SOCKET) {
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "%s: path too long\n", path);
			exit(99);
		}
		strcpy(sa.sun_path, path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa,
		    sizeof(sa)) != 0) {
			perror(path);
			exit(99);
		}
		close(fd);
	}
}

static void
test_bus(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bus_cases); i++) {
		const struct bus_case *c = &bus_cases[i];

		make_bus(c->bus);
		if (c->address)
			setenv("DBUS_SESSION_BUS_ADDRESS", c->address, 1);
		else
			unsetenv("DBUS_SESSION_BUS_ADDRESS");
		if (c->runtime)
			setenv("XDG_RUNTIME_DIR", rundir, 1);
		else
			unsetenv("XDG_RUNTIME_DIR");
		tap_int(password_keyring_bus(), c->want, c->name);
	}
	make_bus(BUS_NONE);
	setenv("XDG_RUNTIME_DIR", rundir, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
}

/* ---- the order of sources ---- */

#define NETRC_LINE "machine smtp.example.org login alice password netrc-pw\n"

struct order_case {
	const char *name;
	const char *tool;	/* stand-in secret-tool body; NULL: none */
	int bus;		/* a session bus address in the environment */
	const char *user;
	const char *passwordeval;
	const char *service;
	unsigned flags;
	int timeout;
	int netrc;		/* ~/.netrc has alice's entry */
	const char *want;	/* the secret, or NULL: ERR_CONFIG */
	int ran;		/* the stand-in ran */
	const char *note;	/* the notes, joined by '\n' ("" none) */
	int keyring_off;	/* "keyring off" in the account */
};

#define NO_ENTRY "keyring: no entry for host smtp.example.org service smtp " \
	"user alice"
#define FOUND "password for alice@smtp.example.org from the keyring " \
	"(service smtp)"

static const struct order_case order_cases[] = {
	{ "found: the secret as secret-tool prints it (no newline)",
	  "printf 'kr-S3cret'", 1, "alice", NULL, "smtp", 0, 0, 1,
	  "kr-S3cret", 1, FOUND, 0 },
	{ "found: first line only, CR dropped",
	  "printf 'kr-line\\r\\nsecond\\n'", 1, "alice", NULL, "smtp", 0, 0,
	  0, "kr-line", 1, FOUND, 0 },
	{ "service passed through",
	  "[ \"$5\" = pop3 ] && printf 'pop-pw'", 1, "alice", NULL, "pop3",
	  0, 0, 0, "pop-pw", 1,
	  "password for alice@smtp.example.org from the keyring "
	  "(service pop3)", 0 },
	{ "no entry (exit 1, silent): on to netrc",
	  "exit 1", 1, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 1,
	  NO_ENTRY, 0 },
	{ "exit 0 without output: on to netrc",
	  "exit 0", 1, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 1,
	  NO_ENTRY, 0 },
	{ "no entry and no netrc: no password",
	  "exit 1", 1, "alice", NULL, "smtp", 0, 0, 0, NULL, 1, NO_ENTRY, 0 },
	{ "failure with a message: on to netrc, message in the note",
	  "echo 'Cannot prompt: locked' >&2; echo junk; exit 1", 1, "alice",
	  NULL, "smtp", 0, 0, 1, "netrc-pw", 1,
	  "keyring: secret-tool exited with status 1: Cannot prompt: "
	  "locked", 0 },
	{ "control characters in its message are masked",
	  "printf 'bad\\033[31m\\tx\\nline 2\\n' >&2; exit 2", 1, "alice",
	  NULL, "smtp", 0, 0, 1, "netrc-pw", 1,
	  "keyring: secret-tool exited with status 2: bad?[31m?x", 0 },
	{ "killed by a signal: on to netrc",
	  "kill -9 $$", 1, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 1,
	  "keyring: secret-tool killed by signal 9", 0 },
	{ "hangs: killed at the timeout, on to netrc",
	  "exec sleep 30", 1, "alice", NULL, "smtp", 0, 1, 1, "netrc-pw", 1,
	  "keyring: secret-tool gave no answer within 1 s, skipped", 0 },
	{ "hangs after printing: killed, nothing taken",
	  "printf 'half'; exec sleep 30", 1, "alice", NULL, "smtp", 0, 1, 1,
	  "netrc-pw", 1,
	  "keyring: secret-tool gave no answer within 1 s, skipped", 0 },
	{ "no session bus: not run, on to netrc",
	  "printf kr", 0, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 0,
	  "keyring: no session bus, skipped", 0 },
	{ "no secret-tool in PATH: on to netrc",
	  NULL, 1, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 0,
	  "keyring: secret-tool not found, skipped", 0 },
	{ "PASSWORD_NO_KEYRING: not run",
	  "printf kr", 1, "alice", NULL, "smtp", PASSWORD_NO_KEYRING, 0, 1,
	  "netrc-pw", 0, "", 0 },
	{ "no service: not run",
	  "printf kr", 1, "alice", NULL, NULL, 0, 0, 1, "netrc-pw", 0, "", 0 },
	{ "no user: not run",
	  "printf kr", 1, NULL, NULL, "smtp", 0, 0, 1, "netrc-pw", 0, "", 0 },
	{ "passwordeval first: not run",
	  "printf kr", 1, "alice", "echo eval-pw", "smtp", 0, 0, 1,
	  "eval-pw", 0, "", 0 },
	{ "keyring off in the account: not run",
	  "printf kr", 1, "alice", NULL, "smtp", 0, 0, 1, "netrc-pw", 0, "",
	  1 },
	{ "keyring before netrc",
	  "printf kr", 1, "alice", NULL, "smtp", 0, 0, 1, "kr", 1, FOUND, 0 },
};

static void
collect_note(void *arg, const char *msg)
{
	struct buf *b = arg;

	if (b->len)
		buf_addch(b, '\n');
	buf_addstr(b, msg);
}

static void
install_tool(const char *body)
{
	char path[4300];
	struct buf s = BUF_INIT;

	snprintf(path, sizeof(path), "%s/secret-tool", bindir);
	unlink(path);
	unlink(ranfile);
	if (!body)
		return;
	/* records its arguments and where its stdin comes from; $PATH
	 * holds only bindir while password_lookup() runs */
	buf_addf(&s, "#!/bin/sh\nPATH='%s'\nprintf '%%s\\n' \"$@\" "
		"\"$(readlink /proc/$$/fd/0)\" >'%s'\n%s\n", orig_path,
		ranfile, body);
	write_file(path, s.data, 0700);
	buf_release(&s);
}

static void
test_order(void)
{
	size_t i;

	/* only the stand-in: the real secret-tool may be installed */
	setenv("PATH", bindir, 1);
	for (i = 0; i < ARRAY_SIZE(order_cases); i++) {
		const struct order_case *c = &order_cases[i];
		struct account *a = account_new("a");
		struct password_opts o;
		struct buf notes = BUF_INIT;
		struct err e;
		char *s, *ran;

		err_clear(&e);
		account_set(a, "host", "smtp.example.org", &e);
		if (c->user)
			account_set(a, "user", c->user, &e);
		if (c->passwordeval)
			account_set(a, "passwordeval", c->passwordeval, &e);
		if (c->keyring_off)
			account_set(a, "keyring", "off", &e);
		install_tool(c->tool);
		if (c->netrc)
			write_file(netrcfile, NETRC_LINE, 0600);
		else
			unlink(netrcfile);
		if (c->bus)
			setenv("DBUS_SESSION_BUS_ADDRESS",
				"unix:path=/nonexistent", 1);
		else
			unsetenv("DBUS_SESSION_BUS_ADDRESS");
		memset(&o, 0, sizeof(o));
		o.flags = c->flags | PASSWORD_NO_PROMPT;
		o.service = c->service;
		o.keyring_timeout = c->timeout;
		o.note = collect_note;
		o.note_arg = &notes;
		s = password_lookup(a, &o, &e);
		tap_str(s, c->want, c->name);
		if (!c->want)
			tap_str(e.msg, "no password for alice@smtp.example.org "
				"(set password or passwordeval, store it with "
				"secret-tool, or use ~/.netrc)",
				"no password message names the keyring");
		ran = read_text(ranfile);
		tap_ok(!ran == !c->ran, "%s: secret-tool %s", c->name,
			c->ran ? "ran" : "not run");
		tap_str(notes.data ? notes.data : "", c->note, "note");
		if (s)
			tap_ok(!notes.data || !strstr(notes.data, s),
				"the secret is not in the notes");
		free(ran);
		password_free(s);
		buf_release(&notes);
		account_free(a);
	}
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unlink(netrcfile);
	install_tool(NULL);
	setenv("PATH", orig_path, 1);
}

/* What secret-tool is given: the argv, and /dev/null as stdin. */
static void
test_exec(void)
{
	struct account *a = account_new("a");
	struct password_opts o;
	struct err e;
	char *s, *ran;

	setenv("PATH", bindir, 1);
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
	err_clear(&e);
	account_set(a, "host", "smtp.example.org", &e);
	account_set(a, "user", "o'dd $(x) user", &e);
	install_tool("printf ok");
	memset(&o, 0, sizeof(o));
	o.flags = PASSWORD_NO_PROMPT;
	o.service = "smtp";
	s = password_lookup(a, &o, &e);
	tap_str(s, "ok", "stand-in answered");
	ran = read_text(ranfile);
	tap_str(ran, "lookup\nhost\nsmtp.example.org\nservice\nsmtp\nuser\n"
		"o'dd $(x) user\n/dev/null\n", "argv as msmtp's attributes, "
		"one argument each; stdin /dev/null");
	free(ran);
	password_free(s);
	account_free(a);
	install_tool(NULL);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	setenv("PATH", orig_path, 1);
}

/* One lookup with the stand-in body under the current $PATH; the secret
 * (or NULL) and the notes in *notes. */
static char *
lookup_with(const char *body, struct buf *notes)
{
	struct account *a = account_new("a");
	struct password_opts o;
	struct err e;
	char *s;

	err_clear(&e);
	account_set(a, "host", "smtp.example.org", &e);
	account_set(a, "user", "alice", &e);
	install_tool(body);
	write_file(netrcfile, NETRC_LINE, 0600);
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
	memset(&o, 0, sizeof(o));
	o.flags = PASSWORD_NO_PROMPT;
	o.service = "smtp";
	o.note = collect_note;
	o.note_arg = notes;
	s = password_lookup(a, &o, &e);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unlink(netrcfile);
	install_tool(NULL);
	account_free(a);
	return s;
}

/* A secret-tool reached through a relative $PATH entry is not run. */
static void
test_relative_path(void)
{
	struct buf notes = BUF_INIT;
	char *s;

	if (chdir(home) != 0) {
		tap_ok(0, "chdir");
		return;
	}
	setenv("PATH", "bin::.", 1);
	s = lookup_with("printf planted", &notes);
	tap_str(s, "netrc-pw", "relative PATH entries passed over");
	tap_str(notes.data, "keyring: secret-tool not found, skipped",
		"relative PATH: not found");
	password_free(s);
	buf_release(&notes);
	setenv("PATH", orig_path, 1);
}

/* Started with SIGCHLD ignored (children reaped by the kernel): the
 * keyring is skipped, the search goes on. */
static void
test_sigchld_ignored(void)
{
	struct buf notes = BUF_INIT;
	char *s;

	setenv("PATH", bindir, 1);
	signal(SIGCHLD, SIG_IGN);
	s = lookup_with("printf kr", &notes);
	signal(SIGCHLD, SIG_DFL);
	tap_str(s, "netrc-pw", "SIGCHLD ignored: on to netrc");
	tap_ok(notes.data && strncmp(notes.data, "keyring: waitpid: ", 18) == 0,
		"SIGCHLD ignored: noted (%s)", notes.data ? notes.data : "");
	password_free(s);
	buf_release(&notes);
	setenv("PATH", orig_path, 1);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *p = getenv("PATH");

	snprintf(home, sizeof(home), "%s/t_password.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(home)) {
		perror("mkdtemp");
		exit(99);
	}
	setenv("HOME", home, 1);
	snprintf(bindir, sizeof(bindir), "%s/bin", home);
	snprintf(rundir, sizeof(rundir), "%s/run", home);
	snprintf(ranfile, sizeof(ranfile), "%s/ran", home);
	snprintf(netrcfile, sizeof(netrcfile), "%s/.netrc", home);
	mkdir(bindir, 0700);
	mkdir(rundir, 0700);
	setenv("XDG_RUNTIME_DIR", rundir, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unsetenv("NETRC");
	orig_path = xstrdup(p ? p : "/usr/bin:/bin");
}

int
main(void)
{
	setup();
	test_argv();
	test_bus();
	test_order();
	test_exec();
	test_relative_path();
	test_sigchld_ignored();
	rm_rf(home);
	free(orig_path);
	return tap_done();
}
