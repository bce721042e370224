/*
 * password.c: an account's secret from config, command, netrc or terminal
 * (see password.h). Every buffer that held a secret is wiped before it is
 * freed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "password.h"
#include "util.h"

#define SECRET_MAX (1u << 20)	/* bytes of passwordeval output kept */
#define NETRC_MAX (4u << 20)

void
secure_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void
password_free(char *secret)
{
	if (secret) {
		secure_wipe(secret, strlen(secret));
		free(secret);
	}
}

static void
buf_wipe(struct buf *b)
{
	if (b->data)
		secure_wipe(b->data, b->alloc);
	buf_release(b);
}

static const char *
acc_name(const struct account *acc)
{
	return acc->name ? acc->name : "(none)";
}

/* ---- passwordeval ---- */

static char *
run_eval(const struct account *acc, struct err *e)
{
	struct buf out;
	char chunk[4096];
	int fds[2], status, devnull;
	pid_t pid;
	ssize_t n;
	char *res = NULL;
	size_t len;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return err_sys(e, ERR_OS, errno, "pipe"), NULL;
	pid = fork();
	if (pid < 0) {
		err_sys(e, ERR_OS, errno, "fork");
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		/* keep the write end clear of 0-2 while they are set up */
		int w = fds[1] > 2 ? fds[1] : fcntl(fds[1], F_DUPFD_CLOEXEC, 3);

		/* stdin is the message for msend: keep the command off it */
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull >= 0 && devnull != 0)
			dup2(devnull, 0);
		else if (devnull == 0)
			fcntl(0, F_SETFD, 0);
		if (w < 0 || dup2(w, 1) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", acc->passwordeval, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	buf_init(&out, SECRET_MAX);
	for (;;) {
		n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* past the cap: dropped */
		buf_add(&out, chunk, (size_t)n);
	}
	secure_wipe(chunk, sizeof(chunk));
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_sys(e, ERR_OS, errno, "waitpid");
			goto out;
		}
	if (WIFSIGNALED(status)) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval killed "
			"by signal %d", acc_name(acc), WTERMSIG(status));
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval exited "
			"with status %d", acc_name(acc), WEXITSTATUS(status));
		goto out;
	}
	if (out.len == 0) {
		err_set(e, ERR_CONFIG, "account \"%s\": passwordeval printed "
			"nothing", acc_name(acc));
		goto out;
	}
	len = strcspn(out.data, "\n");
	if (len > 0 && out.data[len - 1] == '\r')
		len--;
	res = xmemdup(out.data, len);
out:
	buf_wipe(&out);
	return res;
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
	int fd = -1, rc = -1, in_entry = 0, holds_password = 0;

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
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			rc = 0;
			goto out;
		}
		err_sys(e, ERR_CONFIG, errno, "%s", disp);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		err_sys(e, ERR_CONFIG, errno, "%s", disp);
		goto out;
	}
	buf_init(&data, NETRC_MAX);
	if (buf_read_fd(&data, fd) < 0) {
		if (errno == EFBIG)
			err_set(e, ERR_CONFIG, "%s: larger than %u MiB", disp,
				NETRC_MAX >> 20);
		else
			err_sys(e, ERR_CONFIG, errno, "%s", disp);
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
	if (fd >= 0)
		close(fd);
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
password_get(const struct account *acc, unsigned flags, struct err *e)
{
	char *secret = NULL;
	int r;

	if (acc->password)
		return xstrdup(acc->password);
	if (acc->passwordeval)
		return run_eval(acc, e);
	if (acc->host) {
		r = netrc_lookup(NULL, acc->host, acc->user, NULL, &secret, e);
		if (r < 0)
			return NULL;
		if (r > 0)
			return secret;
	}
	if (!(flags & PASSWORD_NO_PROMPT)) {
		r = prompt_tty(acc, &secret, e);
		if (r < 0)
			return NULL;
		if (r > 0)
			return secret;
	}
	if (acc->user)
		err_set(e, ERR_CONFIG, "no password for %s@%s (set password, "
			"passwordeval or ~/.netrc)", acc->user,
			acc->host ? acc->host : "");
	else
		err_set(e, ERR_CONFIG, "no password for %s (set password, "
			"passwordeval or ~/.netrc)",
			acc->host ? acc->host : acc_name(acc));
	return NULL;
}
