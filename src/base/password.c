/*
 * password.c: an account's secret from config, command, netrc or terminal
 * (see password.h). Every buffer that held a secret is wiped before it is
 * freed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/password.h"
#include "base/util.h"

#define SECRET_MAX (1u << 20)	/* bytes of passwordeval output kept */
#define NETRC_MAX (4u << 20)

void
password_free(char *secret)
{
	if (secret) {
		secure_wipe(secret, strlen(secret));
		free(secret);
	}
}

static const char *
acc_name(const struct account *acc)
{
	return acc->name ? acc->name : "(none)";
}

/* ---- running a command: passwordeval, secret-tool ---- */

#define ERRTEXT_MAX 4096u	/* bytes of secret-tool's stderr kept */

/* What run_cmd() saw. */
struct run_result {
	int status;		/* waitpid() status, when not timed_out */
	int timed_out;		/* killed after the timeout */
	struct buf out;		/* standard output, capped at SECRET_MAX */
	struct buf errtext;	/* standard error when captured */
};

static void
buf_wipe(struct buf *b)
{
	if (b->data)
		secure_wipe(b->data, b->alloc);
	buf_release(b);
}

static void
run_result_release(struct run_result *r)
{
	buf_wipe(&r->out);
	buf_release(&r->errtext);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: fd moved above 2 (close-on-exec), or -1. */
static int
above_std(int fd)
{
	return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * Run file with argv, standard input /dev/null, standard output read into
 * r->out (past SECRET_MAX dropped, read to the end so the command is never
 * stopped by SIGPIPE). With capture_err, its standard error goes to
 * r->errtext (capped) instead of ours. With timeout_ms > 0 the command is
 * killed (SIGKILL) when it has not closed its output by then, and
 * r->timed_out is set. Returns 0 once the command is reaped, -1 with
 * ERR_OS when it could not be started or reaped; r is to be released
 * either way.
 */
static int
run_cmd(const char *file, char *const argv[], int capture_err,
	int timeout_ms, struct run_result *r, struct err *e)
{
	int fds[2], efds[2] = { -1, -1 }, devnull;
	struct pollfd pfd[2];
	char chunk[4096];
	long long deadline = 0;
	pid_t pid;
	ssize_t n;
	int i, open_fds;

	memset(r, 0, sizeof(*r));
	buf_init(&r->out, SECRET_MAX);
	buf_init(&r->errtext, ERRTEXT_MAX);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return err_sys(e, ERR_OS, errno, "pipe");
	if (capture_err && pipe2(efds, O_CLOEXEC) != 0) {
		err_sys(e, ERR_OS, errno, "pipe");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(e, ERR_OS, errno, "fork");
		close(fds[0]);
		close(fds[1]);
		if (capture_err) {
			close(efds[0]);
			close(efds[1]);
		}
		return -1;
	}
	if (pid == 0) {
		/* keep the write ends clear of 0-2 while they are set up */
		int w = above_std(fds[1]);
		int ew = capture_err ? above_std(efds[1]) : -1;

		/* stdin is the message for msend: keep the command off it */
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull >= 0 && devnull != 0)
			dup2(devnull, 0);
		else if (devnull == 0)
			fcntl(0, F_SETFD, 0);
		if (w < 0 || dup2(w, 1) < 0)
			_exit(127);
		if (capture_err && (ew < 0 || dup2(ew, 2) < 0))
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execv(file, argv);
		_exit(127);
	}
	close(fds[1]);
	pfd[0].fd = fds[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = -1;
	pfd[1].events = POLLIN;
	open_fds = 1;
	if (capture_err) {
		close(efds[1]);
		pfd[1].fd = efds[0];
		open_fds++;
	}
	if (timeout_ms > 0)
		deadline = now_ms() + timeout_ms;
	while (open_fds > 0) {
		int wait = -1, pr;

		if (timeout_ms > 0) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				r->timed_out = 1;
				break;
			}
			wait = (int)left;
		}
		pr = poll(pfd, 2, wait);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			break;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			/* past the cap: dropped */
			buf_add(i == 0 ? &r->out : &r->errtext, chunk,
				(size_t)n);
		}
	}
	secure_wipe(chunk, sizeof(chunk));
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	if (r->timed_out || open_fds > 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &r->status, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, ERR_OS, errno, "waitpid");
	return 0;
}

/* The first line of out, without a final CR, as a new string. */
static char *
first_line(const struct buf *out)
{
	size_t len = strcspn(out->data, "\n");

	if (len > 0 && out->data[len - 1] == '\r')
		len--;
	return xmemdup(out->data, len);
}

static char *
run_eval(const struct account *acc, struct err *e)
{
	char *argv[] = { "sh", "-c", acc->passwordeval, NULL };
	struct run_result r;
	char *res = NULL;

	if (run_cmd("/bin/sh", argv, 0, 0, &r, e) < 0)
		goto out;
	if (WIFSIGNALED(r.status)) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval killed "
			"by signal %d", acc_name(acc), WTERMSIG(r.status));
		goto out;
	}
	if (WEXITSTATUS(r.status) != 0) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval exited "
			"with status %d", acc_name(acc), WEXITSTATUS(r.status));
		goto out;
	}
	if (r.out.len == 0) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval printed "
			"nothing", acc_name(acc));
		goto out;
	}
	res = first_line(&r.out);
out:
	run_result_release(&r);
	return res;
}

/* ---- the system keyring, through secret-tool ---- */

size_t
password_keyring_argv(const char *argv[PASSWORD_KEYRING_ARGC],
	const char *host, const char *service, const char *user)
{
	size_t n = 0;

	argv[n++] = "secret-tool";
	argv[n++] = "lookup";
	argv[n++] = "host";
	argv[n++] = host;
	argv[n++] = "service";
	argv[n++] = service;
	argv[n++] = "user";
	argv[n++] = user;
	argv[n] = NULL;
	return n;
}

int
password_keyring_bus(void)
{
	const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct buf p = BUF_INIT;
	struct stat st;
	int ok = 0;

	if (a && *a)
		return 1;
	if (rt && *rt) {
		buf_addf(&p, "%s/bus", rt);
		ok = stat(p.data, &st) == 0 && S_ISSOCK(st.st_mode);
		buf_release(&p);
	}
	return ok;
}

/* The executable called name in $PATH as a new string, or NULL. Empty and
 * relative entries are passed over: whoever controls the working directory
 * must not get to answer with a password. */
static char *
path_search(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	struct buf b = BUF_INIT;

	if (!path)
		return NULL;
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		if (*p == '/') {
			buf_truncate(&b, 0);
			buf_add(&b, p, (size_t)(end - p));
			buf_addf(&b, "/%s", name);
			if (access(b.data, X_OK) == 0)
				return buf_detach(&b, NULL);
		}
		if (!*end)
			break;
	}
	buf_release(&b);
	return NULL;
}

static void
note(const struct password_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(const struct password_opts *o, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!o->note)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	o->note(o->note_arg, b.data);
	buf_release(&b);
}

/* The first line of secret-tool's complaint, printable ASCII only. */
static void
errtext_line(struct buf *t)
{
	size_t i, len;

	if (!t->data) {
		buf_addstr(t, "");
		return;
	}
	len = strcspn(t->data, "\n");
	for (i = 0; i < len; i++)
		if ((unsigned char)t->data[i] < 0x20 ||
		    (unsigned char)t->data[i] > 0x7e)
			t->data[i] = '?';
	buf_truncate(t, len);
}

/* 1 with *secret set, 0 when the keyring gave nothing (why: in a note).
 * Never an error: a keyring that cannot be asked is no keyring. */
static int
keyring_lookup(const struct account *acc, const struct password_opts *o,
	char **secret)
{
	const char *argv[PASSWORD_KEYRING_ARGC];
	struct run_result r;
	struct err e;
	char *file;
	int timeout = o->keyring_timeout > 0 ? o->keyring_timeout :
		PASSWORD_KEYRING_TIMEOUT;
	int rc = 0;

	if (!password_keyring_bus()) {
		note(o, "keyring: no session bus, skipped");
		return 0;
	}
	file = path_search("secret-tool");
	if (!file) {
		note(o, "keyring: secret-tool not found, skipped");
		return 0;
	}
	password_keyring_argv(argv, acc->host, o->service, acc->user);
	err_clear(&e);
	if (run_cmd(file, (char *const *)argv, 1, timeout * 1000, &r,
	    &e) < 0) {
		note(o, "keyring: %s, skipped", e.msg);
		goto out;
	}
	errtext_line(&r.errtext);
	if (r.timed_out) {
		note(o, "keyring: secret-tool gave no answer within %d s, "
			"skipped", timeout);
	} else if (WIFSIGNALED(r.status)) {
		note(o, "keyring: secret-tool killed by signal %d",
			WTERMSIG(r.status));
	} else if (WEXITSTATUS(r.status) == 0 && r.out.len > 0) {
		*secret = first_line(&r.out);
		note(o, "password for %s@%s from the keyring (service %s)",
			acc->user, acc->host, o->service);
		rc = 1;
	} else if (r.errtext.len > 0) {
		note(o, "keyring: secret-tool exited with status %d: %s",
			WEXITSTATUS(r.status), r.errtext.data);
	} else {
		note(o, "keyring: no entry for host %s service %s user %s",
			acc->host, o->service, acc->user);
	}
out:
	run_result_release(&r);
	free(file);
	return rc;
}

/* ---- netrc ---- */

struct netrc_entry {
	int is_default;
	char *machine, *login, *password;
};

static void
entry_release(struct netrc_entry *en)
{
	free(en->machine);
	free(en->login);
	password_free(en->password);
	memset(en, 0, sizeof(*en));
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/* Next token from text at *pos: a word, or a "quoted string" with \-escapes.
 * Lines starting with '#' are comments. Returns a new string, or NULL at
 * the end. */
static char *
netrc_token(const char *s, size_t len, size_t *pos)
{
	struct buf t = BUF_INIT;
	size_t i = *pos;

	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i < len && s[i] == '#' && (i == 0 || s[i - 1] == '\n')) {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	if (i >= len) {
		*pos = i;
		return NULL;
	}
	if (s[i] == '"') {
		for (i++; i < len && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			buf_addch(&t, s[i]);
		}
		if (i < len)
			i++;
	} else {
		while (i < len && !is_blank(s[i]))
			buf_addch(&t, s[i++]);
	}
	*pos = i;
	return buf_detach(&t, NULL);
}

static int
host_eq(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && mem_casecmp(a, b, n) == 0;
}

static int
entry_matches(const struct netrc_entry *en, const char *host,
	const char *user)
{
	if (!en->password)
		return 0;
	if (!en->is_default && (!en->machine || !host_eq(en->machine, host)))
		return 0;
	return !user || !en->login || strcmp(en->login, user) == 0;
}

/* Keep a finished entry if it is the first match of its kind. */
static void
entry_take(struct netrc_entry *cur, struct netrc_entry *best,
	struct netrc_entry *dflt, const char *host, const char *user)
{
	struct netrc_entry *to = cur->is_default ? dflt : best;

	if (!to->password && entry_matches(cur, host, user)) {
		entry_release(to);
		*to = *cur;
		memset(cur, 0, sizeof(*cur));
	}
	entry_release(cur);
}

int
netrc_lookup(const char *path, const char *host, const char *user,
	char **login, char **password, struct err *e)
{
	struct buf data = BUF_INIT, pathb = BUF_INIT;
	struct netrc_entry cur, best, dflt;
	struct stat st;
	char *disp = NULL, *tok = NULL;
	size_t pos = 0;
	int rc = -1, in_entry = 0, holds_password = 0;

	memset(&cur, 0, sizeof(cur));
	memset(&best, 0, sizeof(best));
	memset(&dflt, 0, sizeof(dflt));
	*password = NULL;
	if (login)
		*login = NULL;
	if (!path)
		path = getenv("NETRC");
	if (!path || !*path) {
		const char *h = getenv("HOME");

		if (!h || !*h)
			return 0;
		buf_addf(&pathb, "%s/.netrc", h);
		path = pathb.data;
	}
	disp = path_tilde(path);
	if (conf_read_file(path, disp, NETRC_MAX, &data, &st, e) < 0) {
		if (e->sys_errno == ENOENT) {
			err_clear(e);
			rc = 0;
		}
		goto out;
	}
	while ((tok = netrc_token(data.data, data.len, &pos))) {
		char **slot = NULL;

		if (strcmp(tok, "machine") == 0 ||
		    strcmp(tok, "default") == 0) {
			if (in_entry)
				entry_take(&cur, &best, &dflt, host, user);
			in_entry = 1;
			if (tok[0] == 'd') {
				cur.is_default = 1;
			} else {
				slot = &cur.machine;
			}
		} else if (strcmp(tok, "login") == 0) {
			slot = &cur.login;
		} else if (strcmp(tok, "password") == 0) {
			holds_password = 1;
			slot = &cur.password;
		} else if (strcmp(tok, "account") == 0 ||
		    strcmp(tok, "port") == 0) {
			password_free(netrc_token(data.data, data.len, &pos));
		} else if (strcmp(tok, "macdef") == 0) {
			/* name, then the body up to an empty line */
			char *nl;

			free(netrc_token(data.data, data.len, &pos));
			while (pos < data.len && (nl = memchr(data.data + pos,
			    '\n', data.len - pos))) {
				pos = (size_t)(nl - data.data) + 1;
				if (pos < data.len && data.data[pos] == '\n')
					break;
			}
			if (pos < data.len && !memchr(data.data + pos, '\n',
			    data.len - pos))
				pos = data.len;
		}
		if (slot) {
			char *v = netrc_token(data.data, data.len, &pos);

			if (!v) {
				err_set(e, ERR_CONFIG, "%s: \"%s\" without a "
					"value at the end", disp, tok);
				goto out;
			}
			password_free(*slot);
			*slot = v;
		}
		password_free(tok);
		tok = NULL;
	}
	if (in_entry)
		entry_take(&cur, &best, &dflt, host, user);
	if (holds_password && (st.st_mode & (S_IRGRP | S_IROTH))) {
		err_set(e, ERR_CONFIG, "%s: readable by others and holds a "
			"password; run: chmod 600 %s", disp, disp);
		goto out;
	}
	if (!best.password && dflt.password) {
		best = dflt;
		memset(&dflt, 0, sizeof(dflt));
	}
	rc = 0;
	if (best.password) {
		*password = best.password;
		best.password = NULL;
		if (login && best.login) {
			*login = best.login;
			best.login = NULL;
		}
		rc = 1;
	}
out:
	password_free(tok);
	entry_release(&cur);
	entry_release(&best);
	entry_release(&dflt);
	buf_wipe(&data);
	buf_release(&pathb);
	free(disp);
	return rc;
}

/* ---- terminal ---- */

/* 1 with *out set, 0 when there is no terminal, -1 on error. */
static int
prompt_tty(const struct account *acc, char **out, struct err *e)
{
	struct termios old, noecho;
	struct buf line = BUF_INIT, msg = BUF_INIT;
	int fd, restore = 0, rc = -1;
	char c;
	ssize_t n;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!isatty(fd)) {
		close(fd);
		return 0;
	}
	if (acc->user)
		buf_addf(&msg, "password for %s@%s: ", acc->user,
			acc->host ? acc->host : "");
	else
		buf_addf(&msg, "password for %s: ", acc->host ? acc->host : "");
	if (tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		noecho.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &noecho) == 0)
			restore = 1;
	}
	if (write(fd, msg.data, msg.len) < 0) {
		err_sys(e, ERR_IO, errno, "/dev/tty");
		goto out;
	}
	buf_init(&line, 4096);
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, ERR_IO, errno, "/dev/tty");
			goto out;
		}
		if (n == 0 || c == '\n')
			break;
		if (buf_addch(&line, c) < 0) {
			err_set(e, ERR_IO, "/dev/tty: password too long");
			goto out;
		}
	}
	c = 0;
	if (line.len && line.data[line.len - 1] == '\r')
		buf_truncate(&line, line.len - 1);
	*out = xmemdup(line.data ? line.data : "", line.len);
	rc = 1;
out:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* the secret is read; a lost newline is no failure */
	}
	close(fd);
	buf_wipe(&line);
	buf_release(&msg);
	return rc;
}

char *
password_lookup(const struct account *acc, const struct password_opts *o,
	struct err *e)
{
	char *secret = NULL;
	int r;

	if (acc->password)
		return xstrdup(acc->password);
	if (acc->passwordeval)
		return run_eval(acc, e);
	if (o->service && !(o->flags & PASSWORD_NO_KEYRING) && acc->keyring &&
	    acc->host && acc->user) {
		if (keyring_lookup(acc, o, &secret) > 0)
			return secret;
	}
	if (acc->host) {
		r = netrc_lookup(NULL, acc->host, acc->user, NULL, &secret, e);
		if (r < 0)
			return NULL;
		if (r > 0)
			return secret;
	}
	if (!(o->flags & PASSWORD_NO_PROMPT)) {
		r = prompt_tty(acc, &secret, e);
		if (r < 0)
			return NULL;
		if (r > 0)
			return secret;
	}
	if (acc->user)
		err_set(e, ERR_CONFIG, "no password for %s@%s (set password or "
			"passwordeval, store it with secret-tool, or use "
			"~/.netrc)", acc->user, acc->host ? acc->host : "");
	else
		err_set(e, ERR_CONFIG, "no password for %s (set password or "
			"passwordeval, store it with secret-tool, or use "
			"~/.netrc)", acc->host ? acc->host : acc_name(acc));
	return NULL;
}

char *
password_get(const struct account *acc, unsigned flags, struct err *e)
{
	struct password_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	return password_lookup(acc, &o, e);
}
