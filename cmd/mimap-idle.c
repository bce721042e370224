/*
 * mimap-idle.c: mimap idle FOLDER... (see man/mimap.1, IDLE).
 *
 * One session for all the folders when the server offers NOTIFY (RFC
 * 5465), else one per folder, all in one process: poll() over their
 * sockets and a self-pipe for SIGTERM and SIGINT. The library
 * (imap_idle.h: a watch per folder, a NOTIFY group over them) keeps
 * each folder's state and turns responses into events; here they are
 * printed (a line each, or JSON Lines) and handed to --exec, and the
 * timers live: a check (DONE, NOOP, IDLE) every few minutes, which both
 * renews the IDLE before the 29 minutes of RFC 2177 and finds a
 * connection that died without a word, and the backoff of reconnections.
 *
 * The timers, in seconds, can be set in the environment (for tests, and
 * for a user behind a short NAT timeout): MIMAP_IDLE_NOOP (240),
 * MIMAP_IDLE_RENEW (1500) and MIMAP_IDLE_BACKOFF (the first retry, 5;
 * doubled each time up to 300).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/password.h"
#include "base/util.h"
#include "common.h"
#include "mimap-idle.h"
#include "net/conn.h"
#include "proto/imap.h"
#include "proto/imap_idle.h"
#include "proto/netacct.h"
#include "store/deliver.h"

#define NOOP_DEFAULT	240
#define RENEW_DEFAULT	1500	/* RFC 2177: within 29 minutes */
#define RENEW_MAX	1740
#define BACKOFF_DEFAULT	5
#define BACKOFF_MAX	300
/* TCP keepalive: a silent peer is dropped after about 60 + 20 * 6 s */
#define KA_IDLE		60
#define KA_INTVL	20
#define KA_CNT		6

struct slot {
	struct imap_watch *w;	/* one folder */
	struct imap_notify *g;	/* or all, with NOTIFY */
	const char *label;	/* the folder, or the folders */
	long long due;		/* ms: next check, or the next reconnection */
	long long backoff;	/* ms */
};

struct idle {
	const struct account *acc;
	struct transcript *ts;
	const struct idle_opts *o;
	char **argv;		/* --exec, split */
	int argc;
	long long every_idle, every_poll, backoff;	/* ms */
	struct buf line, uids;
};

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stopping = 1;
	(void)!write(sig_pipe[1], "", 1);
	errno = saved;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A timer from the environment, in seconds (fractions allowed), as ms. */
static long long
env_ms(const char *name, double def, double max)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (!v || !*v)
		return (long long)(def * 1000);
	d = strtod(v, &end);
	if (*end || !(d > 0) || d > max)
		diex(EX_USAGE, "%s: a number of seconds from 0 to %.0f "
			"expected, not \"%s\"", name, max, v);
	return (long long)(d * 1000);
}

/* ---- events ---- */

static const char *const kinds[] = { "new", "expunge", "flags",
	"uidvalidity" };

/* The folder name for a text line: control characters as '?'. */
static void
add_safe(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addch(b, (unsigned char)*s < ' ' || *s == 0x7f ? '?' : *s);
}

static void
print_event(struct idle *c, const struct imap_event *ev)
{
	struct json j;
	size_t i;

	buf_reset(&c->line);
	if (!c->o->json) {
		add_safe(&c->line, ev->folder);
		buf_addf(&c->line, ": %s", kinds[ev->kind]);
		if (ev->kind == IMAP_EV_UIDVALIDITY)
			buf_addf(&c->line, " %llu", ev->uidvalidity);
		if (c->uids.len)
			buf_addf(&c->line, " %s", c->uids.data);
		if (ev->kind == IMAP_EV_FLAGS)
			buf_addf(&c->line, " (%s)", ev->flags);
		printf("%s\n", c->line.data);
		return;
	}
	json_init(&j, &c->line);
	json_obj_begin(&j);
	json_key(&j, "folder");
	json_cstr(&j, ev->folder);
	json_key(&j, "event");
	json_cstr(&j, kinds[ev->kind]);
	json_key(&j, "uids");
	json_arr_begin(&j);
	for (i = 0; i < ev->n; i++)
		json_int(&j, (long long)ev->uids[i]);
	json_arr_end(&j);
	if (ev->kind == IMAP_EV_FLAGS) {
		const char *p = ev->flags;

		json_key(&j, "flags");
		json_arr_begin(&j);
		while (*p) {
			size_t n = strcspn(p, " ");

			json_str(&j, p, n);
			p += n + (p[n] == ' ');
		}
		json_arr_end(&j);
	}
	if (ev->kind == IMAP_EV_UIDVALIDITY) {
		json_key(&j, "uidvalidity");
		json_int(&j, (long long)ev->uidvalidity);
	}
	json_obj_end(&j);
	printf("%s\n", c->line.data);
}

/* In the child: the event in the environment, then exec; never returns. */
static void
exec_child(struct idle *c, const struct imap_event *ev)
{
	char v[32];
	int fd = open("/dev/null", O_RDONLY);

	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	snprintf(v, sizeof v, "%llu", ev->uidvalidity);
	if (setenv("MIMAP_FOLDER", ev->folder, 1) < 0 ||
	    setenv("MIMAP_EVENT", kinds[ev->kind], 1) < 0 ||
	    setenv("MIMAP_UIDS", c->uids.data ? c->uids.data : "", 1) < 0 ||
	    setenv("MIMAP_FLAGS", ev->flags ? ev->flags : "", 1) < 0 ||
	    (ev->uidvalidity && setenv("MIMAP_UIDVALIDITY", v, 1) < 0))
		_exit(71);
	execvp(c->argv[0], c->argv);
	fprintf(stderr, "%s: --exec: cannot run \"%s\": %s\n", prog_name,
		c->argv[0], strerror(errno));
	_exit(127);
}

/* Run --exec for ev and wait for it; a failure is said, and idle goes
 * on. */
static void
run_exec(struct idle *c, const struct imap_event *ev)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		warnx_("--exec: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		exec_child(c, ev);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if (WIFEXITED(st))
		warnx_("--exec: \"%s\" exited with %d (folder \"%s\", %s %s)",
			c->o->exec, WEXITSTATUS(st), ev->folder,
			kinds[ev->kind], c->uids.data ? c->uids.data : "");
	else
		warnx_("--exec: \"%s\" killed by signal %d (folder \"%s\", "
			"%s %s)", c->o->exec, WTERMSIG(st), ev->folder,
			kinds[ev->kind], c->uids.data ? c->uids.data : "");
}

static void
on_event(void *ctx, const struct imap_event *ev)
{
	struct idle *c = ctx;
	size_t i;

	buf_reset(&c->uids);
	for (i = 0; i < ev->n; i++)
		buf_addf(&c->uids, "%s%llu", i ? " " : "", ev->uids[i]);
	print_event(c, ev);
	fflush(stdout);
	if (c->argv)
		run_exec(c, ev);
}

/* ---- sessions ---- */

/* A slot is one connection: one folder, or all of them with NOTIFY. */
static struct imap *
session(struct slot *s)
{
	return s->g ? imap_notify_session(s->g) : imap_watch_session(s->w);
}

static void
slot_close(struct slot *s, int logout)
{
	if (s->g)
		imap_notify_close(s->g, logout);
	else
		imap_watch_close(s->w, logout);
}

static struct imap *
connect_one(struct idle *c, struct err *e)
{
	struct imap *im;
	char *pw = NULL;

	if (netacct_password(c->acc, NULL, c->ts, &pw, e) < 0)
		return NULL;
	im = imap_open(c->acc, pw, 0, c->ts, e);
	if (pw)
		password_free(pw);
	if (!im)
		return NULL;
	if (conn_keepalive(imap_conn(im), KA_IDLE, KA_INTVL, KA_CNT, e) < 0 ||
	    imap_enable(im, "UTF8=ACCEPT", e) < 0) {
		imap_free(im);
		return NULL;
	}
	return im;
}

/* Attach s to im (a new connection when NULL); sets its timer. */
static int
attach(struct idle *c, struct slot *s, struct imap *im, struct err *e)
{
	int r;

	if (!im && !(im = connect_one(c, e)))
		return -1;
	r = s->g ? imap_notify_attach(s->g, im, e) :
		imap_watch_attach(s->w, im, 1, e);
	if (r < 0)
		return -1;
	s->due = now_ms() + (imap_idling(session(s)) ? c->every_idle :
		c->every_poll);
	return 0;
}

static void
lost(struct idle *c, struct slot *s, const struct err *e)
{
	slot_close(s, 0);
	warnx_("%s \"%s\": %s; connecting again in %lld s",
		s->g ? "folders" : "folder", s->label, e->msg,
		(s->backoff + 999) / 1000);
	s->due = now_ms() + s->backoff;
	s->backoff *= 2;
	if (s->backoff > BACKOFF_MAX * 1000LL)
		s->backoff = c->backoff > BACKOFF_MAX * 1000LL ? c->backoff :
			BACKOFF_MAX * 1000LL;
}

static void
reconnect(struct idle *c, struct slot *s)
{
	struct err e;

	err_clear(&e);
	if (attach(c, s, NULL, &e) < 0) {
		lost(c, s, &e);
		return;
	}
	s->backoff = c->backoff;
	warnx_("%s \"%s\": connected again", s->g ? "folders" : "folder",
		s->label);
}

/* Input on s, or its timer ran out. */
static void
service(struct idle *c, struct slot *s, int input)
{
	struct err e;
	int r;

	err_clear(&e);
	if (!session(s)) {
		reconnect(c, s);
		return;
	}
	if (s->g)
		r = input ? imap_notify_input(s->g, &e) :
			imap_notify_check(s->g, &e);
	else
		r = input ? imap_watch_input(s->w, &e) :
			imap_watch_check(s->w, &e);
	if (r < 0) {
		lost(c, s, &e);
		return;
	}
	if (!input)
		s->due = now_ms() + (imap_idling(session(s)) ? c->every_idle :
			c->every_poll);
}

/* ---- the loop ---- */

static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		diex(EX_OSERR, "pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One round: wait for input or the first timer, then serve. */
static void
round_once(struct idle *c, struct slot *s, size_t n, struct pollfd *pfd,
	size_t *at)
{
	long long now = now_ms(), wait = LLONG_MAX;
	size_t i, np = 1;
	char drain[64];

	pfd[0].fd = sig_pipe[0];
	pfd[0].events = POLLIN;
	for (i = 0; i < n; i++) {
		struct imap *im = session(&s[i]);
		struct err e;

		at[i] = 0;
		if (s[i].due - now < wait)
			wait = s[i].due - now;
		if (!im)
			continue;
		/* bytes already read (or inside TLS) first */
		if (imap_ready(im, 0, &e) != 0) {
			service(c, &s[i], 1);
			return;
		}
		pfd[np].fd = conn_fd(imap_conn(im));
		pfd[np].events = POLLIN;
		at[i] = np++;
	}
	if (wait < 0)
		wait = 0;
	if (poll(pfd, np, wait > INT_MAX ? INT_MAX : (int)wait) < 0)
		return;
	while (read(sig_pipe[0], drain, sizeof drain) > 0)
		;
	for (i = 0; i < n && !stopping; i++)
		if (at[i] && pfd[at[i]].revents)
			service(c, &s[i], 1);
	now = now_ms();
	for (i = 0; i < n && !stopping; i++)
		if (s[i].due <= now)
			service(c, &s[i], 0);
}

/*
 * The first connection: with NOTIFY and IDLE, one slot for every folder
 * (a NOTIFY refused: one per folder after all); else one per folder.
 * Returns how many slots, or -1 with e.
 */
static int
first_attach(struct idle *c, struct slot *s, struct imap_watch **w,
	struct buf *label, struct err *e)
{
	const struct idle_opts *o = c->o;
	struct imap *im = connect_one(c, e);
	size_t i;

	if (!im)
		return -1;
	if (o->nfolders > 1 && (imap_caps(im) & IMAP_CAP_NOTIFY) &&
	    (imap_caps(im) & IMAP_CAP_IDLE)) {
		for (i = 0; i < o->nfolders; i++)
			buf_addf(label, "%s%s", i ? ", " : "", o->folders[i]);
		s[0].label = label->data;
		s[0].g = imap_notify_new(w, o->nfolders);
		if (attach(c, &s[0], im, e) == 0)
			return 1;
		if (!imap_notify_refused(s[0].g))
			return -1;
		imap_notify_free(s[0].g);
		s[0].g = NULL;
		warnx_("%s; one connection per folder", e->msg);
		im = NULL;
	}
	for (i = 0; i < o->nfolders && !stopping; i++) {
		s[i].w = w[i];
		s[i].label = o->folders[i];
		if (attach(c, &s[i], i ? NULL : im, e) < 0)
			return -1;
	}
	return (int)o->nfolders;
}

int
mimap_idle(const struct account *acc, struct transcript *ts,
	const struct idle_opts *o)
{
	struct idle c;
	struct slot *s;
	struct imap_watch **w;
	struct pollfd *pfd;
	struct buf label = BUF_INIT;
	struct err e;
	size_t i, *at;
	int n, status = EX_OK;

	memset(&c, 0, sizeof c);
	c.acc = acc;
	c.ts = ts;
	c.o = o;
	if (o->exec && (c.argc = deliver_cmd_argv(o->exec, &c.argv)) < 0)
		diex(EX_USAGE, "--exec: cannot parse \"%s\" (an open quote, "
			"or no command)", o->exec);
	c.every_idle = env_ms("MIMAP_IDLE_NOOP", NOOP_DEFAULT, 86400);
	if (env_ms("MIMAP_IDLE_RENEW", RENEW_DEFAULT, RENEW_MAX) <
	    c.every_idle)
		c.every_idle = env_ms("MIMAP_IDLE_RENEW", RENEW_DEFAULT,
			RENEW_MAX);
	c.every_poll = (long long)o->interval * 1000;
	c.backoff = env_ms("MIMAP_IDLE_BACKOFF", BACKOFF_DEFAULT, 86400);
	buf_init(&c.line, 0);
	buf_init(&c.uids, 0);
	setup_signals();
	s = xcalloc(o->nfolders, sizeof(*s));
	w = xcalloc(o->nfolders, sizeof(*w));
	pfd = xcalloc(o->nfolders + 1, sizeof(*pfd));
	at = xcalloc(o->nfolders, sizeof(*at));
	for (i = 0; i < o->nfolders; i++) {
		w[i] = imap_watch_new(o->folders[i], on_event, &c);
		s[i].backoff = c.backoff;
	}
	err_clear(&e);
	n = first_attach(&c, s, w, &label, &e);
	if (n < 0) {
		print_err(&e);
		status = exit_code(e.code);
		n = (int)o->nfolders;
	}
	while (status == EX_OK && !stopping)
		round_once(&c, s, (size_t)n, pfd, at);
	for (i = 0; i < (size_t)n; i++)
		if ((s[i].g || s[i].w) && session(&s[i]))
			slot_close(&s[i], 1);
	imap_notify_free(s[0].g);
	for (i = 0; i < o->nfolders; i++)
		imap_watch_free(w[i]);
	if (c.argv)
		strv_free(c.argv, (size_t)c.argc);
	buf_release(&c.line);
	buf_release(&c.uids);
	buf_release(&label);
	free(s);
	free(w);
	free(pfd);
	free(at);
	return status;
}
