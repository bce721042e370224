/*
 * deliver.c: see deliver.h.
 *
 * Every kind writes through one output buffer (d->out) flushed to the
 * current descriptor: the maildir file, the mbox, the MDA's standard
 * input or the stream. mbox and mboxrd streams pass the bytes through the
 * mboxrd writer on the way in.
 *
 * The journal, one record per line (a last line without its newline is
 * ignored: it was cut by a crash):
 *   mkit-journal 1 maildir PATH        first line, for a maildir
 *   mkit-journal 1 mbox DEV INO PATH   first line, for an mbox
 *   B NAME      maildir: tmp/NAME is being written (older journals)
 *   G PREFIX    maildir: the files tmp/PREFIX* are being written (one
 *               record per window: the names of a window share it)
 *   -           maildir: the second line, padded with spaces to JSLOT:
 *               a slot that deliver_checkpoint overwrites in place with
 *               "G PREFIX" (padded) for the files made ahead, before it
 *               cuts the journal after it
 *   R ID NAME   maildir: tmp/NAME (message ID) is complete and on disk and
 *               goes to new/NAME (written and synced before the renames;
 *               on ext4 the fsync of new/ after them commits both)
 *   W OFFSET    mbox: a window of messages starts at OFFSET (fsync'd
 *               before the first byte of it is appended)
 *   M ID        mbox: message ID is complete in the file
 *   S           everything above is durable (mbox: fsync'd)
 * IDs are written with bytes outside '!'..'~' and '%' as %XX.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
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
#include "base/util.h"
#include "store/deliver.h"
#include "store/durable.h"
#include "store/mboxrd.h"
#include "store/tolf.h"

#define JOURNAL_MAGIC "mkit-journal 1 "
#define JOURNAL_MAX (256u << 20)
#define OUT_CHUNK (64u << 10)
/* a stream's writes: most messages in one (see README.md's bench) */
#define STREAM_CHUNK (256u << 10)
#define DOTLOCK_STALE 300	/* seconds after which a dotlock is old */

struct pending {
	char *id;
	char *name;		/* maildir: the file name in tmp/ */
	int fd;			/* maildir: open for the fsync at sync */
};

/*
 * The window handed over by deliver_sync_start(): a maildir window is made
 * durable by a thread of its own (it only reads d's paths and journal
 * descriptor, and owns pend), other kinds at once.
 */
struct handover {
	int started;		/* deliver_sync_wait() owed */
	int running;		/* the thread is to be joined */
	pthread_t t;
	struct pending *pend;
	size_t n, cap;
	int rc;			/* its result, err when -1 */
	struct err err;
};

/*
 * maildir: the next window's files, made ahead. While the syncer thread
 * makes a window durable it first creates the files the next window will
 * need in tmp/ (names under a prefix whose G record is written before it
 * starts), so that the writer, reading the next window meanwhile, finds
 * each file open instead of paying for its creation (an inode allocation,
 * which ext4 makes costly after many deletions) between two reads.
 */
struct ahead {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	char prefix[96];
	unsigned long base;	/* file i is PREFIX<base + 1 + i>.HOST */
	int *fd;		/* want of them; -1 once taken or not made */
	size_t want, made, next;	/* asked, created (in order), taken */
	int busy;		/* the syncer is still making them */
	size_t expect;		/* deliver_expect()'s, or (size_t)-1 */
};

struct deliver {
	enum deliver_kind kind;
	unsigned flags;
	char *target;		/* folder, file or command */
	char *disp;		/* target for messages ("~" for $HOME) */
	char *received_from, *received_with;
	int lock_timeout;

	int jfd;		/* journal, or -1 */
	int jslotfd;		/* the same without O_APPEND, or -1 */
	char *jdisp;
	off_t jslot;		/* offset of the maildir's slot line */
	off_t jhead;		/* length of its first line (and the slot) */

	/* maildir */
	char *tmpdir, *newdir;
	unsigned long counter;
	enum durable_mode dmode;	/* durable_fs_mode: see sync_files */
	char *host;		/* this host (the Received header) */
	char *mhost;		/* the same as a maildir name holds it */
	long self;		/* our PID */
	char prefix[96];	/* the window's names: "SECS.MUSECSPPIDQ", or
				   "" before its G record is written */

	/* mbox */
	int mfd;
	char *dotlock;		/* held dotlock's path, or NULL */
	off_t size;		/* bytes in the file (ours included) */
	off_t window;		/* size at the start of the window, or -1
				   before its W record is written */

	/* MDA */
	int has_f;		/* the command holds %F */
	int use_shell;
	pid_t pid;
	int mda_gone;		/* it closed its input: the rest is dropped */
	int exit_status;

	/* stream */
	int sfd;
	int sfd_pipe;		/* a pipe or socket: SIGPIPE is possible */
	size_t msg_at;		/* stream to a file: where the open message
				   starts in out (whole ones before it) */

	/* the message being written */
	int in_msg;
	int started;		/* its output began (From line, MDA...) */
	char *id;
	char *from;		/* envelope sender given, or NULL */
	struct buf head;	/* held while looking for Return-Path */
	int fd;			/* where d->out goes */
	char *name;		/* maildir file name */
	off_t start;		/* mbox: its offset */
	int mboxrd;		/* through the mboxrd writer */
	struct mboxrd_writer w;
	struct tolf tolf;	/* DELIVER_IN_CRLF, outside the writer */
	struct buf lf;		/* its output */
	struct buf out;

	struct pending *pend;	/* ended since the last sync */
	size_t npend, apend;
	size_t nended;		/* other kinds: messages ended since the
				   last sync (no list) */
	struct handover ho;
	struct ahead ahead;
};

/* ---- small helpers ---- */

static void
add_id(struct buf *b, const char *id)
{
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '%')
			buf_addf(b, "%%%02X", *p);
		else
			buf_addch(b, (char)*p);
}

static char *
id_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			buf_addch(&b, hex_value(s[i + 1]) * 16 +
				hex_value(s[i + 2]));
			i += 2;
		} else {
			buf_addch(&b, s[i]);
		}
	if (!b.data)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

/* Write to a pipe without dying of SIGPIPE: EPIPE instead. */
static int
write_nosig(int fd, const void *p, size_t n)
{
	sigset_t set, old, pend;
	int r, e, was_pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pend);
	was_pending = sigismember(&pend, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	r = durable_write(fd, p, n);
	e = errno;
	if (r < 0 && e == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

/* strftime in the C locale, whatever the program's locale. */
static void
c_strftime(char *out, size_t n, const char *fmt, const struct tm *tm)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

	if (c == (locale_t)0 || strftime_l(out, n, fmt, tm, c) == 0)
		snprintf(out, n, "Thu, 01 Jan 1970 00:00:00 +0000");
	if (c != (locale_t)0)
		freelocale(c);
}

static char *
this_host(void)
{
	char h[256];

	if (gethostname(h, sizeof(h)) != 0 || !h[0])
		return xstrdup("localhost");
	h[sizeof(h) - 1] = '\0';
	return xstrdup(h);
}

/* ---- the journal ---- */

static int
jwrite(const struct deliver *d, const struct buf *rec, int sync,
	struct err *e)
{
	if (d->jfd < 0)
		return 0;
	if (durable_write(d->jfd, rec->data, rec->len) < 0 ||
	    (sync && durable_fdatasync(d->jfd) != 0))
		return err_sys(e, ERR_IO, errno, "%s", d->jdisp);
	return 0;
}

static int
jrecord(struct deliver *d, int sync, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
jrecord(struct deliver *d, int sync, struct err *e, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int rc;

	if (d->jfd < 0)
		return 0;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	rc = jwrite(d, &b, sync, e);
	buf_release(&b);
	return rc;
}

/* "TAG ID[ NAME]\n", not synced. */
static int
jrecord_id(struct deliver *d, const char *tag, const char *id,
	const char *name, struct err *e)
{
	struct buf b = BUF_INIT;
	int rc;

	if (d->jfd < 0)
		return 0;
	buf_addf(&b, "%s ", tag);
	add_id(&b, id);
	if (name)
		buf_addf(&b, " %s", name);
	buf_addch(&b, '\n');
	rc = jwrite(d, &b, 0, e);
	buf_release(&b);
	return rc;
}

/*
 * The maildir journal's slot line: "G PREFIX" or "-", padded with spaces
 * to JSLOT bytes and its newline. deliver_checkpoint rewrites it in place
 * before it cuts what follows, so that a kill between the two still
 * leaves the files made ahead named in the journal.
 */
#define JSLOT 112

static void
slot_fill(char *slot, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	memset(slot, ' ', JSLOT);
	slot[JSLOT - 1] = '\n';
	slot[0] = '-';
	if (prefix && n + 3 <= JSLOT) {
		slot[0] = 'G';
		memcpy(slot + 2, prefix, n);
	}
}

static int
journal_start(struct deliver *d, const char *path, struct err *e)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int rc;

	d->jdisp = path_tilde(path);
	d->jfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		O_CLOEXEC | O_NOFOLLOW, 0600);
	if (d->jfd < 0)
		return err_sys(e, ERR_CANTCREAT, errno, "%s", d->jdisp);
	buf_addstr(&b, JOURNAL_MAGIC);
	if (d->kind == DELIVER_MAILDIR) {
		buf_addf(&b, "maildir %s\n", d->target);
	} else {
		fstat(d->mfd, &st);
		buf_addf(&b, "mbox %llu %llu %s\n",
			(unsigned long long)st.st_dev,
			(unsigned long long)st.st_ino, d->target);
	}
	d->jslot = (off_t)b.len;
	if (d->kind == DELIVER_MAILDIR) {
		char slot[JSLOT];

		slot_fill(slot, NULL);
		buf_add(&b, slot, sizeof slot);
		d->jslotfd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (d->jslotfd < 0) {
			buf_release(&b);
			return err_sys(e, ERR_CANTCREAT, errno, "%s",
				d->jdisp);
		}
	}
	rc = jwrite(d, &b, 0, e);
	d->jhead = (off_t)b.len;
	buf_release(&b);
	return rc;
}

/* ---- output ---- */

/*
 * A stream to a file (not a pipe: a reader there waits for each message)
 * holds whole messages in d->out until STREAM_CHUNK: a folder of small
 * messages goes out in large writes, not one write per message.
 */
static int
batched(const struct deliver *d)
{
	return d->kind == DELIVER_STREAM && !d->sfd_pipe;
}

static int
flush(struct deliver *d, struct err *e)
{
	int r;

	if (d->kind == DELIVER_STREAM)
		d->fd = d->sfd;
	if (!d->out.len) {
		d->msg_at = 0;
		return 0;
	}
	if (d->kind == DELIVER_MDA && d->mda_gone) {
		buf_reset(&d->out);
		return 0;
	}
	r = d->kind == DELIVER_MDA ||
		(d->kind == DELIVER_STREAM && d->sfd_pipe) ?
		write_nosig(d->fd, d->out.data, d->out.len) :
		durable_write(d->fd, d->out.data, d->out.len);
	if (r < 0 && d->kind == DELIVER_MDA && errno == EPIPE) {
		d->mda_gone = 1;	/* its exit status will say */
		buf_reset(&d->out);
		return 0;
	}
	if (r < 0 && d->kind == DELIVER_MAILDIR)
		return err_sys(e, ERR_IO, errno, "%s/tmp/%s", d->disp,
			d->name);
	if (r < 0)
		return err_sys(e, ERR_IO, errno, "%s", d->kind ==
			DELIVER_STREAM ? "standard output" : d->disp);
	if (d->kind == DELIVER_MBOX)
		d->size += (off_t)d->out.len;
	buf_reset(&d->out);
	d->msg_at = 0;
	return 0;
}

static void
put(struct deliver *d, const void *p, size_t n)
{
	if (d->mboxrd)
		mboxrd_write_data(&d->w, p, n);
	else
		buf_add(&d->out, p, n);
}

static void
put_received(struct deliver *d)
{
	struct buf r = BUF_INIT;
	char date[64];
	const char *p;
	time_t now = time(NULL);
	struct tm tm;

	if (!d->received_from)
		return;
	localtime_r(&now, &tm);
	c_strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_addf(&r, "Received: from %s\n\tby %s with %s\n\tid ",
		d->received_from, d->host, d->received_with ?
		d->received_with : "POP3");
	for (p = d->id; *p; p++)	/* no line breaks into the header */
		buf_addch(&r, (unsigned char)*p < ' ' || *p == 0x7f ? '?'
			: *p);
	buf_addf(&r, "; %s\n", date);
	put(d, r.data, r.len);
	buf_release(&r);
}

/* ---- the envelope sender ---- */

/* The first Return-Path of the header in h (up to its end), "<>" as
 * "MAILER-DAEMON", or NULL. */
static char *
return_path(const char *h, size_t n)
{
	size_t i = 0;

	while (i < n && h[i] != '\n') {
		size_t eol = i, s, t;

		while (eol < n && h[eol] != '\n')
			eol++;
		if (eol - i > 12 && has_prefix_ci(h + i, eol - i,
		    "Return-Path:")) {
			s = i + 12;
			t = eol;
			while (s < t && (h[s] == ' ' || h[s] == '\t'))
				s++;
			if (s < t && h[s] == '<') {
				s++;
				for (t = s; t < eol && h[t] != '>'; t++)
					;
			}
			while (t > s && (h[t - 1] == ' ' || h[t - 1] == '\t' ||
			    h[t - 1] == '\r'))
				t--;
			return t > s ? xmemdup(h + s, t - s) :
				xstrdup("MAILER-DAEMON");
		}
		i = eol + 1;
	}
	return NULL;
}

/* mpop's rule for %F: letters, digits and ".@_-+/" kept, others '_'. */
static void
sanitize_mda(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(".@_-+/", *s)))
			*s = '_';
}

/* ---- the MDA command ---- */

/* Shell syntax outside single quotes: the command needs /bin/sh. */
static int
needs_shell(const char *cmd)
{
	int sq = 0;
	const char *p, *first_end = cmd + strcspn(cmd, " \t");

	for (p = cmd; *p; p++) {
		if (*p == '\'') {
			sq = !sq;
			continue;
		}
		if (sq)
			continue;
		if (strchr("$`|;&<>()*?[]{}~#\n!", *p))
			return 1;
		if (*p == '=' && p < first_end)	/* VAR=value cmd */
			return 1;
	}
	return 0;
}

/*
 * Split cmd into words as sh does for a command without shell syntax:
 * blanks separate, '...' and "..." quote, backslash escapes (inside
 * double quotes only before " and \). Returns the word count, or -1 for an
 * open quote. *argv is a NULL-terminated strv.
 */
static int
split_words(const char *cmd, char ***argv)
{
	struct buf w = BUF_INIT;
	char **v = NULL;
	size_t n = 0;
	const char *p = cmd;
	int in_word = 0;

	for (;;) {
		if (!*p || *p == ' ' || *p == '\t') {
			if (in_word) {
				v = xrealloc(v, (n + 2) * sizeof(*v));
				v[n++] = xstrdup(w.data ? w.data : "");
				buf_reset(&w);
				in_word = 0;
			}
			if (!*p)
				break;
			p++;
			continue;
		}
		in_word = 1;
		if (*p == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q)
				goto open;
			buf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				buf_addch(&w, *p);
			}
			if (!*p)
				goto open;
			p++;
		} else if (*p == '\\' && p[1]) {
			buf_addch(&w, p[1]);
			p += 2;
		} else {
			buf_addch(&w, *p++);
		}
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	v[n] = NULL;
	*argv = v;
	buf_release(&w);
	return (int)n;
open:
	strv_free(v, n);
	buf_release(&w);
	return -1;
}

int
deliver_cmd_argv(const char *cmd, char ***argv)
{
	char **v;
	int n;

	if (!needs_shell(cmd)) {
		n = split_words(cmd, argv);
		if (n == 0)
			free(*argv);
		return n > 0 ? n : -1;
	}
	v = xcalloc(4, sizeof(*v));
	v[0] = xstrdup("/bin/sh");
	v[1] = xstrdup("-c");
	v[2] = xstrdup(cmd);
	*argv = v;
	return 3;
}

/* cmd with every %F replaced by from (already sanitized). */
static char *
subst_f(const char *cmd, const char *from)
{
	struct buf b = BUF_INIT;
	const char *p;

	for (p = cmd; *p; p++)
		if (p[0] == '%' && p[1] == 'F') {
			buf_addstr(&b, from);
			p++;
		} else {
			buf_addch(&b, *p);
		}
	return buf_detach(&b, NULL);
}

static int
mda_start(struct deliver *d, const char *from, struct err *e)
{
	char *f = xstrdup(from ? from : "MAILER-DAEMON");
	char *cmd, **argv = NULL;
	int in[2] = { -1, -1 }, ep[2] = { -1, -1 }, rc = -1, err_no, argc = 0;
	ssize_t got;

	sanitize_mda(f);
	cmd = subst_f(d->target, f);
	if (!d->use_shell && (argc = split_words(cmd, &argv)) <= 0) {
		err_set(e, ERR_CONFIG, "delivery mda: cannot parse \"%.200s\"",
			d->target);
		goto out;
	}
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		err_sys(e, ERR_OS, errno, "delivery mda: pipe");
		goto out;
	}
	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0) {
		err_sys(e, ERR_OS, errno, "delivery mda: fork");
		goto out;
	}
	if (d->pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0)
			_exit(127);
		if (d->use_shell)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		else
			execvp(argv[0], argv);
		err_no = errno;
		(void)!write(ep[1], &err_no, sizeof(err_no));
		_exit(127);
	}
	close(in[0]);
	in[0] = -1;
	close(ep[1]);
	ep[1] = -1;
	do
		got = read(ep[0], &err_no, sizeof(err_no));
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof(err_no)) {
		waitpid(d->pid, NULL, 0);
		d->pid = -1;
		err_sys(e, ERR_OS, err_no, "delivery mda: cannot run \"%.200s\"",
			d->use_shell ? "/bin/sh" : argv[0]);
		d->exit_status = 71;
		goto out;
	}
	d->fd = in[1];
	in[1] = -1;
	d->mda_gone = 0;
	rc = 0;
out:
	if (argc >= 0)
		strv_free(argv, (size_t)argc);
	free(cmd);
	free(f);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	return rc;
}

static enum err_code
sysexits_code(int st)
{
	static const enum err_code map[] = {
		ERR_USAGE, ERR_DATA, ERR_NOINPUT, ERR_NOUSER, ERR_NOHOST,
		ERR_UNAVAILABLE, ERR_SOFTWARE, ERR_OS, ERR_IO /* 72 */,
		ERR_CANTCREAT, ERR_IO, ERR_TEMPFAIL, ERR_PROTOCOL, ERR_NOPERM,
		ERR_CONFIG,
	};

	return st >= 64 && st <= 78 ? map[st - 64] : ERR_IO;
}

/* Close the MDA's input and wait for it: 0 when it exited 0. */
static int
mda_finish(struct deliver *d, struct err *e)
{
	int st = 0;
	pid_t r;

	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->pid <= 0)
		return 0;
	do
		r = waitpid(d->pid, &st, 0);
	while (r < 0 && errno == EINTR);
	d->pid = -1;
	if (r < 0)
		return err_sys(e, ERR_OS, errno, "delivery mda: waitpid");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st)) {
		st = WEXITSTATUS(st);
		d->exit_status = st >= 64 && st <= 78 ? st : 74;
		return err_set(e, sysexits_code(st), "delivery mda \"%.200s\" "
			"failed with exit status %d", d->target, st);
	}
	d->exit_status = 74;
	return err_set(e, ERR_IO, "delivery mda \"%.200s\" was killed by "
		"signal %d", d->target, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- mbox locking ---- */

/* A dotlock nobody holds any more: older than DOTLOCK_STALE, holding the
 * PID of a process of this machine that is gone (ours hold one), or empty
 * for two seconds (its maker was killed before writing its PID). */
static int
dotlock_stale(const char *lock)
{
	struct stat st;
	char pid[24];
	ssize_t n;
	long v;
	int fd;

	if (stat(lock, &st) != 0)
		return 0;
	if (time(NULL) - st.st_mtime > DOTLOCK_STALE)
		return 1;
	fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	n = read(fd, pid, sizeof(pid) - 1);
	close(fd);
	if (n <= 0)	/* its maker died before writing its PID */
		return time(NULL) - st.st_mtime >= 2;
	pid[n] = '\0';
	v = strtol(pid, NULL, 10);
	return v > 0 && kill((pid_t)v, 0) != 0 && errno == ESRCH;
}

static int
mbox_lock(struct deliver *d, struct err *e)
{
	struct flock fl;
	struct buf lp = BUF_INIT;
	int waited = 0, fd, rc = -1;
	int limit = d->lock_timeout > 0 ? d->lock_timeout :
		DELIVER_LOCK_TIMEOUT;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(d->mfd, F_SETLK, &fl) != 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			return err_sys(e, ERR_IO, errno, "%s: lock", d->disp);
		if (waited++ >= limit)
			return err_set(e, ERR_TEMPFAIL, "%s: locked by another "
				"process", d->disp);
		sleep(1);
	}
	buf_addf(&lp, "%s.lock", d->target);
	for (;;) {
		fd = open(lp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);
		if (fd >= 0) {
			char pid[24];

			snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
			(void)!write(fd, pid, strlen(pid));
			close(fd);
			d->dotlock = buf_detach(&lp, NULL);
			rc = 0;
			break;
		}
		if (errno == EACCES || errno == EROFS || errno == EPERM) {
			rc = 0;	/* a directory we may not write: fcntl only */
			break;
		}
		if (errno != EEXIST) {
			err_sys(e, ERR_CANTCREAT, errno, "%s.lock", d->disp);
			break;
		}
		if (dotlock_stale(lp.data)) {
			unlink(lp.data);
			continue;
		}
		if (waited++ >= limit) {
			err_set(e, ERR_TEMPFAIL, "%s: locked by another "
				"process (%s.lock)", d->disp, d->disp);
			break;
		}
		sleep(1);
	}
	buf_release(&lp);
	return rc;
}

/* ---- open ---- */

int
deliver_opts_account(struct deliver_opts *o, const struct account *acc,
	const char *with, struct err *e)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	switch (acc->delivery) {
	case ACCOUNT_DELIVERY_MAILDIR: o->kind = DELIVER_MAILDIR; break;
	case ACCOUNT_DELIVERY_MBOX: o->kind = DELIVER_MBOX; break;
	case ACCOUNT_DELIVERY_MDA: o->kind = DELIVER_MDA; break;
	default:
		return err_set(e, ERR_CONFIG, "account \"%s\": no delivery set "
			"(add e.g. \"delivery maildir ~/Mail\")",
			acc->name ? acc->name : "default");
	}
	o->target = acc->delivery_arg;
	if (acc->received_header) {
		o->received_from = acc->host ? acc->host : "localhost";
		o->received_with = with;
	}
	return 0;
}

static int
open_maildir(struct deliver *d, struct err *e)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	struct buf p = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(sub) && rc == 0; i++) {
		struct stat st;

		buf_reset(&p);
		buf_addf(&p, "%s/%s", d->target, sub[i]);
		if (stat(p.data, &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		rc = durable_mkdirs(p.data, 0700, e);
		if (rc == 0)
			rc = durable_sync_dir(d->target, e);
	}
	buf_reset(&p);
	buf_addf(&p, "%s/tmp", d->target);
	d->tmpdir = buf_detach(&p, NULL);
	buf_addf(&p, "%s/new", d->target);
	d->newdir = buf_detach(&p, NULL);
	d->dmode = durable_fs_mode(d->tmpdir);
	return rc;
}

static int
open_mbox(struct deliver *d, struct err *e)
{
	struct stat st;

	d->mfd = open(d->target, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
		0600);
	if (d->mfd < 0)
		return err_sys(e, ERR_CANTCREAT, errno, "%s", d->disp);
	if (fstat(d->mfd, &st) != 0)
		return err_sys(e, ERR_IO, errno, "%s", d->disp);
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_CANTCREAT, "%s: not a regular file",
			d->disp);
	if (mbox_lock(d, e) < 0)
		return -1;
	if (fstat(d->mfd, &st) != 0)
		return err_sys(e, ERR_IO, errno, "%s", d->disp);
	d->size = st.st_size;
	return 0;
}

struct deliver *
deliver_open(const struct deliver_opts *o, struct err *e)
{
	struct deliver *d = xcalloc(1, sizeof(*d));
	char *p;
	int rc = 0;

	d->kind = o->kind;
	d->flags = o->flags;
	d->target = xstrdup(o->target ? o->target : "");
	d->disp = path_tilde(d->target);
	d->received_from = o->received_from ? xstrdup(o->received_from) :
		NULL;
	d->received_with = o->received_with ? xstrdup(o->received_with) :
		NULL;
	d->lock_timeout = o->lock_timeout;
	d->host = this_host();
	d->mhost = xstrdup(d->host);
	for (p = d->mhost; *p; p++)	/* as the maildir spec asks */
		if (*p == '/' || *p == ':')
			*p = '_';
	d->self = (long)getpid();
	d->jfd = d->jslotfd = d->mfd = d->sfd = d->fd = -1;
	d->pid = -1;
	d->window = -1;
	pthread_mutex_init(&d->ahead.lock, NULL);
	d->ahead.expect = (size_t)-1;
	pthread_cond_init(&d->ahead.ready, NULL);
	buf_init(&d->head, DELIVER_HEADER_MAX);
	buf_init(&d->out, 0);
	buf_init(&d->lf, 0);
	switch (d->kind) {
	case DELIVER_MAILDIR:
		rc = open_maildir(d, e);
		break;
	case DELIVER_MBOX:
		rc = open_mbox(d, e);
		break;
	case DELIVER_MDA: {
		char **argv = NULL;
		int argc = 0;

		d->has_f = strstr(d->target, "%F") != NULL;
		d->use_shell = needs_shell(d->target);
		if (!d->use_shell && (argc = split_words(d->target, &argv)) <= 0)
			rc = err_set(e, ERR_CONFIG, "delivery mda: cannot "
				"parse \"%.200s\" (an open quote, or no "
				"command)", d->target);
		if (argc >= 0)
			strv_free(argv, (size_t)argc);
		break;
	}
	case DELIVER_STREAM: {
		struct stat st;

		d->sfd = o->fd;
		/* a file never raises SIGPIPE: no signal mask per write */
		d->sfd_pipe = fstat(o->fd, &st) != 0 ||
			S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
		break;
	}
	default:
		rc = err_set(e, ERR_USAGE, "unknown delivery kind %d",
			(int)o->kind);
	}
	if (rc == 0 && o->journal && (d->kind == DELIVER_MAILDIR ||
	    d->kind == DELIVER_MBOX))
		rc = journal_start(d, o->journal, e);
	if (rc < 0) {
		deliver_close(d, NULL);
		return NULL;
	}
	return d;
}

/* ---- messages ---- */

static int
need_from(const struct deliver *d)
{
	return !d->from && (d->kind == DELIVER_MBOX || (d->kind ==
		DELIVER_MDA && d->has_f) || (d->kind == DELIVER_STREAM &&
		(d->flags & DELIVER_STREAM_MBOXRD)));
}

/* The output of the message begins: its From line or the MDA, then the
 * Received header. from: the envelope sender found, or NULL. */
static int
start(struct deliver *d, const char *from, struct err *e)
{
	const char *f = d->from ? d->from : from ? from : "MAILER-DAEMON";

	d->started = 1;
	if (d->kind == DELIVER_MBOX || (d->kind == DELIVER_STREAM &&
	    (d->flags & DELIVER_STREAM_MBOXRD))) {
		struct buf line = BUF_INIT;
		char date[64], *s, *p;
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		c_strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
		s = xstrdup(f);
		for (p = s; *p; p++)	/* one word on the From line */
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				*p = '_';
		buf_addf(&line, "From %s %s", s, date);
		free(s);
		mboxrd_write_begin(&d->w, &d->out, line.data, NULL);
		buf_release(&line);
		d->mboxrd = 1;
	} else if (d->kind == DELIVER_MDA) {
		if (mda_start(d, f, e) < 0)
			return -1;
	}
	put_received(d);
	return 0;
}

/* Has s[0..n) "\n\n"? A memchr per line. */
static int
blank_line(const char *s, size_t n)
{
	const char *e = s + n, *nl;

	while ((nl = memchr(s, '\n', (size_t)(e - s))) && nl + 1 < e) {
		if (nl[1] == '\n')
			return 1;
		s = nl + 1;
	}
	return 0;
}

/* Feed n bytes while the header is held; start once it is complete. */
static int
feed_head(struct deliver *d, const char *p, size_t n, struct err *e)
{
	size_t old = d->head.len, i;
	char *from;
	int rc;

	if (buf_add(&d->head, p, n) < 0) {
		/* longer than DELIVER_HEADER_MAX: no Return-Path then */
		if (start(d, NULL, e) < 0)
			return -1;
		put(d, d->head.data, d->head.len);
		put(d, p, n);
		buf_release(&d->head);
		return 0;
	}
	/* the end of the header: an empty first line, or "\n\n" (one may
	 * span the chunk before and this one) */
	i = old > 0 ? old - 1 : 0;
	if (!d->head.len || (d->head.data[0] != '\n' &&
	    !blank_line(d->head.data + i, d->head.len - i)))
		return 0;
	from = return_path(d->head.data, d->head.len);
	rc = start(d, from, e);
	free(from);
	if (rc < 0)
		return -1;
	put(d, d->head.data, d->head.len);
	buf_reset(&d->head);
	return 0;
}

/*
 * A window's first message: a new name prefix, recorded in the journal
 * before any file bears it, so that a crash never leaves a file in tmp/
 * unknown. Later messages of the window share it (one record, one clock
 * read per window); the counter, zero-padded, keeps delivery order.
 */
static int
maildir_window(struct deliver *d, struct err *e)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(d->prefix, sizeof d->prefix, "%lld.M%06ldP%ldQ",
		(long long)tv.tv_sec, (long)tv.tv_usec, (long)d->self);
	if (jrecord(d, 0, e, "G %s\n", d->prefix) < 0) {
		d->prefix[0] = '\0';
		return -1;
	}
	return 0;
}

/* The name of file i made ahead (a new string). */
static char *
ahead_name(const struct deliver *d, size_t i)
{
	struct buf p = BUF_INIT;

	buf_addf(&p, "%s%06lu.%s", d->ahead.prefix, d->ahead.base + 1 + i,
		d->mhost);
	return buf_detach(&p, NULL);
}

/* Take the next file made ahead, waiting for the syncer to create it:
 * 0, or -1 when there is none (then the writer creates its own). */
static int
take_ahead(struct deliver *d)
{
	struct ahead *a = &d->ahead;
	size_t i;
	int fd = -1;

	if (a->next >= a->want)
		return -1;
	pthread_mutex_lock(&a->lock);
	while (a->next >= a->made && a->busy)
		pthread_cond_wait(&a->ready, &a->lock);
	i = a->next;
	if (i < a->made) {
		fd = a->fd[i];
		a->fd[i] = -1;
		a->next++;
	} else {
		a->next = a->want;	/* it stopped short: no more */
	}
	pthread_mutex_unlock(&a->lock);
	if (fd < 0)
		return -1;
	free(d->name);
	d->name = ahead_name(d, i);
	d->fd = fd;
	return 0;
}

/* In the syncer thread: create the files asked for, in order. */
static void
make_ahead(struct deliver *d)
{
	struct ahead *a = &d->ahead;
	struct buf p = BUF_INIT;
	size_t i;

	for (i = 0; i < a->want; i++) {
		char *name = ahead_name(d, i);
		int fd;

		buf_reset(&p);
		buf_addf(&p, "%s/%s", d->tmpdir, name);
		free(name);
		fd = open(p.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
		pthread_mutex_lock(&a->lock);
		a->fd[i] = fd;
		if (fd >= 0)
			a->made = i + 1;
		pthread_cond_signal(&a->ready);
		pthread_mutex_unlock(&a->lock);
		if (fd < 0)
			break;	/* the writer creates its own, and says why */
	}
	pthread_mutex_lock(&a->lock);
	a->busy = 0;
	pthread_cond_signal(&a->ready);
	pthread_mutex_unlock(&a->lock);
	buf_release(&p);
}

/* Remove the files made ahead and not taken (the syncer is done). */
static void
drop_ahead(struct deliver *d)
{
	struct ahead *a = &d->ahead;
	struct buf p = BUF_INIT;
	size_t i;

	for (i = a->next; i < a->made; i++) {
		char *name = ahead_name(d, i);

		close(a->fd[i]);
		buf_reset(&p);
		buf_addf(&p, "%s/%s", d->tmpdir, name);
		unlink(p.data);
		free(name);
	}
	buf_release(&p);
	a->want = a->made = a->next = 0;
}

/* Ask the syncer for n files ahead: their prefix, its G record. Without
 * the record (a journal that failed) none are asked for. */
static void
plan_ahead(struct deliver *d, size_t n)
{
	struct ahead *a = &d->ahead;
	struct timeval tv;
	struct err e;

	drop_ahead(d);
	gettimeofday(&tv, NULL);
	snprintf(a->prefix, sizeof a->prefix, "%lld.M%06ldP%ldQ",
		(long long)tv.tv_sec, (long)tv.tv_usec, (long)d->self);
	if (!n || jrecord(d, 0, &e, "G %s\n", a->prefix) < 0)
		return;
	a->fd = xrealloc(a->fd, n * sizeof(*a->fd));
	a->base = d->counter;
	d->counter += n;
	a->want = n;
	a->busy = 1;
}

static int
begin_maildir(struct deliver *d, struct err *e)
{
	struct buf p = BUF_INIT;
	int tries;

	if (take_ahead(d) == 0)
		return 0;
	if (!d->prefix[0] && maildir_window(d, e) < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		free(d->name);
		buf_reset(&p);
		buf_addf(&p, "%s%06lu.%s", d->prefix, ++d->counter,
			d->mhost);
		d->name = buf_detach(&p, NULL);
		buf_addf(&p, "%s/%s", d->tmpdir, d->name);
		d->fd = open(p.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
		if (d->fd >= 0 || errno != EEXIST) {
			if (d->fd < 0) {
				char *t = path_tilde(p.data);

				err_sys(e, ERR_CANTCREAT, errno, "%s", t);
				free(t);
			}
			break;
		}
	}
	buf_release(&p);
	if (tries == 100)
		err_set(e, ERR_CANTCREAT, "%s/tmp: no unique file name",
			d->disp);
	return d->fd < 0 ? -1 : 0;
}

static int
begin_mbox(struct deliver *d, struct err *e)
{
	char tail[2];
	ssize_t got;

	if (d->window < 0) {
		if (jrecord(d, 1, e, "W %lld\n", (long long)d->size) < 0)
			return -1;
		d->window = d->size;
	}
	d->start = d->size;
	d->fd = d->mfd;
	/* a file not ending in a blank line gets one first */
	if (d->size == 1)
		buf_addch(&d->out, '\n');
	else if (d->size >= 2) {
		got = pread(d->mfd, tail, 2, d->size - 2);
		if (got == 2 && tail[1] != '\n')
			buf_addstr(&d->out, "\n\n");
		else if (got == 2 && tail[0] != '\n')
			buf_addch(&d->out, '\n');
	}
	return 0;
}

int
deliver_begin(struct deliver *d, const char *id, const char *envelope_from,
	struct err *e)
{
	int rc = 0;

	if (d->in_msg)
		deliver_abort(d);
	free(d->id);
	free(d->from);
	d->id = xstrdup(id ? id : "");
	d->from = envelope_from ? xstrdup(envelope_from) : NULL;
	d->started = d->mboxrd = 0;
	d->exit_status = 0;
	tolf_init(&d->tolf);
	if (batched(d))
		d->msg_at = d->out.len;
	else
		buf_reset(&d->out);
	buf_reset(&d->head);
	switch (d->kind) {
	case DELIVER_MAILDIR:
		rc = begin_maildir(d, e);
		break;
	case DELIVER_MBOX:
		rc = begin_mbox(d, e);
		break;
	case DELIVER_STREAM:
		d->fd = d->sfd;
		break;
	case DELIVER_MDA:
		break;
	}
	if (rc < 0) {
		if (d->kind == DELIVER_MAILDIR && d->fd >= 0) {
			struct buf p = BUF_INIT;

			buf_addf(&p, "%s/%s", d->tmpdir, d->name);
			unlink(p.data);
			buf_release(&p);
			close(d->fd);
		}
		d->fd = -1;
		return -1;
	}
	d->in_msg = 1;
	if (!need_from(d) && start(d, NULL, e) < 0) {
		deliver_abort(d);
		return -1;
	}
	return 0;
}

/* deliver_write() of bytes with LF line ends. */
static int
write_lf(struct deliver *d, const void *p, size_t n, struct err *e)
{
	if (!d->started) {
		if (feed_head(d, p, n, e) < 0)
			return -1;
	} else {
		put(d, p, n);
	}
	return d->out.len >= (d->kind == DELIVER_STREAM ? STREAM_CHUNK :
		OUT_CHUNK) ? flush(d, e) : 0;
}

/* DELIVER_IN_CRLF: the mboxrd writer makes the line ends LF itself (once
 * the header is through, when it holds a CR tolf.h held back), or
 * else tolf.h does into d->lf. */
static int
crlf_by_writer(struct deliver *d)
{
	if (!d->started || !d->mboxrd)
		return 0;
	if (!d->w.crlf) {
		d->w.crlf = 1;
		d->w.cr = d->tolf.cr;
		d->tolf.cr = 0;
	}
	return 1;
}

int
deliver_write(struct deliver *d, const void *p, size_t n, struct err *e)
{
	if (!d->in_msg)
		return err_set(e, ERR_SOFTWARE, "deliver_write outside a "
			"message");
	if (!(d->flags & DELIVER_IN_CRLF) || crlf_by_writer(d))
		return write_lf(d, p, n, e);
	buf_reset(&d->lf);
	tolf_add(&d->tolf, p, n, &d->lf);
	return write_lf(d, d->lf.data, d->lf.len, e);
}

static void
pend_add(struct deliver *d)
{
	struct pending *pe;

	if (d->kind != DELIVER_MAILDIR) {
		/* only a maildir's sync needs them: a count keeps a long
		 * stream's memory flat */
		d->nended++;
		d->fd = -1;
		return;
	}
	if (d->npend == d->apend) {
		d->apend = d->apend ? 2 * d->apend : 64;
		d->pend = xrealloc(d->pend, d->apend * sizeof(*d->pend));
	}
	pe = &d->pend[d->npend++];
	pe->id = d->id;
	d->id = NULL;
	pe->name = d->name;
	d->name = NULL;
	pe->fd = d->fd;
	d->fd = -1;
}

int
deliver_end(struct deliver *d, struct err *e)
{
	if (!d->in_msg)
		return err_set(e, ERR_SOFTWARE, "deliver_end outside a "
			"message");
	if ((d->flags & DELIVER_IN_CRLF) && !crlf_by_writer(d)) {
		buf_reset(&d->lf);
		tolf_end(&d->tolf, &d->lf);	/* a CR held back is data */
		if (d->lf.len && write_lf(d, d->lf.data, d->lf.len, e) < 0)
			goto fail;
	}
	if (!d->started) {	/* a header without its end */
		char *from = return_path(d->head.data ? d->head.data : "",
			d->head.len);
		int rc = start(d, from, e);

		free(from);
		if (rc < 0)
			goto fail;
		put(d, d->head.data, d->head.len);
		buf_reset(&d->head);
	}
	if (d->mboxrd)
		mboxrd_write_end(&d->w);
	if ((!batched(d) || d->out.len >= STREAM_CHUNK) && flush(d, e) < 0)
		goto fail;
	if (d->kind == DELIVER_MDA) {
		d->in_msg = 0;
		if (mda_finish(d, e) < 0)
			return -1;
		pend_add(d);
		return 0;
	}
	if (d->kind == DELIVER_MBOX && jrecord_id(d, "M", d->id, NULL,
	    e) < 0)
		goto fail;
	d->in_msg = 0;
	pend_add(d);
	return 0;
fail:
	deliver_abort(d);
	return -1;
}

void
deliver_abort(struct deliver *d)
{
	if (!d || !d->in_msg)
		return;
	d->in_msg = 0;
	/* a stream keeps the whole messages held before this one */
	buf_truncate(&d->out, d->kind == DELIVER_STREAM ? d->msg_at : 0);
	buf_reset(&d->head);
	switch (d->kind) {
	case DELIVER_MAILDIR:
		if (d->fd >= 0) {
			struct buf p = BUF_INIT;

			close(d->fd);
			buf_addf(&p, "%s/%s", d->tmpdir, d->name);
			unlink(p.data);
			buf_release(&p);
		}
		break;
	case DELIVER_MBOX:
		if (ftruncate(d->mfd, d->start) == 0)
			d->size = d->start;
		break;
	case DELIVER_MDA:
		if (d->pid > 0) {
			kill(d->pid, SIGTERM);
			if (d->fd >= 0)
				close(d->fd);
			d->fd = -1;
			while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
				;
			d->pid = -1;
		}
		break;
	case DELIVER_STREAM:
		break;
	}
	d->fd = -1;
}

int
deliver_exit_status(const struct deliver *d)
{
	return d->exit_status;
}

/* ---- sync, close ---- */

static void
pend_release(struct pending *pend, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (pend[i].fd >= 0)
			close(pend[i].fd);
		free(pend[i].id);
		free(pend[i].name);
	}
}

/* Where a pending file goes: new/NAME. */
static void
final_path(const struct deliver *d, const struct pending *pe,
	struct buf *p)
{
	buf_addf(p, "%s/%s", d->newdir, pe->name);
}

/* Remove a window's files from tmp/ and new/: they are not
 * delivered. */
static void
maildir_drop(const struct deliver *d, const struct pending *pend, size_t n)
{
	struct buf p = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s", d->tmpdir, pend[i].name);
		unlink(p.data);
		buf_reset(&p);
		final_path(d, &pend[i], &p);
		unlink(p.data);
	}
	buf_release(&p);
}

/*
 * The window's files on disk (durable_sync_files). Elsewhere each is
 * fsync'd. On ext4 with an ordered journal each is written out and waited
 * for, then its R record too, and the one fsync of new/ after the renames
 * commits the journal transaction that holds them all: ext4 commits in
 * order, with a cache flush before the commit, so a rename that survives
 * a crash has its file and its record whole. One commit per window, not
 * one per file. On ext4 without a journal one syncfs and one fsync make
 * the window's files durable (durable_sync_files says why that is
 * enough), then the R records are fsync'd: three cache flushes per
 * window, not one per file.
 */
static int
sync_files(const struct deliver *d, struct pending *pend, size_t n,
	struct err *e)
{
	int *fds = xcalloc(n ? n : 1, sizeof(*fds)), rc = 0;
	size_t i, bad;

	for (i = 0; i < n; i++)
		fds[i] = pend[i].fd;
	if (durable_sync_files(fds, n, d->dmode, &bad) != 0)
		rc = err_sys(e, ERR_IO, errno, "%s/tmp/%s", d->disp,
			pend[bad].name);
	for (i = 0; i < n; i++) {
		if (close(pend[i].fd) != 0 && rc == 0)
			rc = err_sys(e, ERR_IO, errno, "%s/tmp/%s", d->disp,
				pend[i].name);
		pend[i].fd = -1;
	}
	free(fds);
	return rc;
}

/*
 * Make a window of maildir files durable: their R records, the renames,
 * the fsync of new/ (cur/), the S record. It touches only pend, the
 * journal (appends: the writer of the next window appends its G record
 * meanwhile) and d's paths, so that it may run in the syncer thread while
 * the next window is written.
 */
static int
sync_maildir(const struct deliver *d, struct pending *pend, size_t n,
	struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT, rec = BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < n; i++) {
		buf_addstr(&rec, "R ");
		add_id(&rec, pend[i].id);
		buf_addf(&rec, " %s\n", pend[i].name);
	}
	if (sync_files(d, pend, n, e) < 0 ||
	    jwrite(d, &rec, d->dmode != DURABLE_ORDERED, e) < 0 ||
	    (d->dmode == DURABLE_ORDERED && d->jfd >= 0 &&
	    durable_write_wait(d->jfd) != 0 &&
	    err_sys(e, ERR_IO, errno, "%s", d->jdisp)))
		goto out;
	for (i = 0; i < n; i++) {
		buf_reset(&from);
		buf_reset(&to);
		buf_addf(&from, "%s/%s", d->tmpdir, pend[i].name);
		final_path(d, &pend[i], &to);
		if (rename(from.data, to.data) != 0) {
			err_sys(e, ERR_IO, errno, "%s", to.data);
			goto out;
		}
	}
	if (durable_sync_dir(d->newdir, e) < 0)
		goto out;
	buf_reset(&rec);
	buf_addstr(&rec, "S\n");
	rc = jwrite(d, &rec, 0, e);
out:
	if (rc < 0)
		maildir_drop(d, pend, n);
	buf_release(&rec);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

static int
sync_mbox(struct deliver *d, struct err *e)
{
	if (d->window < 0)
		return 0;
	if (durable_fsync(d->mfd) != 0) {
		err_sys(e, ERR_IO, errno, "%s", d->disp);
		if (ftruncate(d->mfd, d->window) == 0)
			d->size = d->window;
		return -1;
	}
	if (jrecord(d, 1, e, "S\n") < 0) {
		if (ftruncate(d->mfd, d->window) == 0)
			d->size = d->window;
		return -1;
	}
	d->window = -1;
	return 0;
}

/* A stream: write the whole messages held (not the open one's bytes). */
static int
stream_flush(struct deliver *d, struct err *e)
{
	struct buf open = BUF_INIT;
	int rc;

	if (!d->in_msg)
		return flush(d, e);
	if (!d->msg_at)
		return 0;
	buf_add(&open, d->out.data + d->msg_at, d->out.len - d->msg_at);
	buf_truncate(&d->out, d->msg_at);
	rc = flush(d, e);
	buf_add(&d->out, open.data, open.len);
	buf_release(&open);
	return rc;
}

/* What deliver_sync() does for the pending messages, in this thread. */
static int
sync_now(struct deliver *d, struct err *e)
{
	struct stat st;
	int rc = 0;

	switch (d->kind) {
	case DELIVER_MAILDIR:
		d->prefix[0] = '\0';	/* the next window gets its own */
		rc = sync_maildir(d, d->pend, d->npend, e);
		break;
	case DELIVER_MBOX:
		rc = sync_mbox(d, e);
		break;
	case DELIVER_STREAM:
		if (stream_flush(d, e) < 0) {
			rc = -1;
			break;
		}
		if (d->flags & DELIVER_STREAM_NOSYNC)
			break;
		if (d->sfd >= 0 && fstat(d->sfd, &st) == 0 &&
		    S_ISREG(st.st_mode) && durable_fsync(d->sfd) != 0)
			rc = err_sys(e, ERR_IO, errno, "standard output");
		break;
	case DELIVER_MDA:
		break;
	}
	pend_release(d->pend, d->npend);
	d->npend = 0;
	return rc;
}

static void *
syncer(void *arg)
{
	struct deliver *d = arg;
	struct handover *h = &d->ho;

	if (d->ahead.busy)
		make_ahead(d);
	h->rc = sync_maildir(d, h->pend, h->n, &h->err);
	pend_release(h->pend, h->n);
	return NULL;
}

/* deliver_sync_start(), with files made ahead for the next window when
 * ahead (one is expected). */
static int
sync_start(struct deliver *d, int ahead, struct err *e)
{
	struct handover *h = &d->ho;
	struct pending *t;
	size_t cap;

	if (h->started)
		return err_set(e, ERR_SOFTWARE, "deliver_sync_start: the "
			"window before is not waited for");
	h->started = 1;
	h->n = d->npend + d->nended;
	d->nended = 0;
	err_clear(&h->err);
	if (d->kind != DELIVER_MAILDIR || !d->npend) {
		h->rc = sync_now(d, &h->err);
		return 0;
	}
	/* the pending list changes hands: the writer gets an empty one */
	t = h->pend;
	cap = h->cap;
	h->pend = d->pend;
	h->cap = d->apend;
	d->pend = t;
	d->apend = cap;
	d->npend = 0;
	d->prefix[0] = '\0';
	if (ahead)	/* as many as this one had, or as expected */
		plan_ahead(d, h->n < d->ahead.expect ? h->n :
			d->ahead.expect);
	d->ahead.expect = (size_t)-1;
	if (pthread_create(&h->t, NULL, syncer, d) == 0)
		h->running = 1;
	else
		syncer(d);	/* no thread: the same work here */
	return 0;
}

int
deliver_sync_start(struct deliver *d, struct err *e)
{
	return sync_start(d, 1, e);
}

void
deliver_expect(struct deliver *d, size_t n)
{
	d->ahead.expect = n;
}

long
deliver_sync_wait(struct deliver *d, struct err *e)
{
	struct handover *h = &d->ho;

	if (!h->started)
		return 0;
	if (h->running)
		pthread_join(h->t, NULL);
	h->running = h->started = 0;
	if (h->rc < 0) {
		*e = h->err;
		return -1;
	}
	return (long)h->n;
}

long
deliver_sync(struct deliver *d, struct err *e)
{
	long n = deliver_sync_wait(d, e), m;
	struct err e2;

	if (n < 0) {
		sync_start(d, 0, &e2);
		deliver_sync_wait(d, &e2);
		return -1;
	}
	if (sync_start(d, 0, e) < 0 || (m = deliver_sync_wait(d, e)) < 0)
		return -1;
	return n + m;
}

int
deliver_checkpoint(struct deliver *d, struct err *e)
{
	if (d->jfd < 0 || d->npend || d->nended || d->in_msg || d->window >= 0 ||
	    d->ho.started)
		return 0;
	/* files made ahead stay known: named in the slot first, so that
	 * a kill before the cut leaves the old records and the slot, and
	 * one after it the slot alone */
	if (d->jslotfd >= 0) {
		char slot[JSLOT];

		slot_fill(slot, d->ahead.next < d->ahead.made ?
			d->ahead.prefix : NULL);
		if (pwrite(d->jslotfd, slot, sizeof slot, d->jslot) !=
		    (ssize_t)sizeof slot)
			return err_sys(e, ERR_IO, errno, "%s", d->jdisp);
		test_kill_point("journal-slot");
	}
	if (ftruncate(d->jfd, d->jhead) != 0)
		return err_sys(e, ERR_IO, errno, "%s", d->jdisp);
	test_kill_point("journal-cut");
	return 0;
}

long
deliver_close(struct deliver *d, struct err *e)
{
	long n;

	if (!d)
		return 0;
	deliver_abort(d);
	n = deliver_sync(d, e);
	drop_ahead(d);
	free(d->ahead.fd);
	pthread_mutex_destroy(&d->ahead.lock);
	pthread_cond_destroy(&d->ahead.ready);
	if (d->dotlock) {
		unlink(d->dotlock);
		free(d->dotlock);
	}
	if (d->mfd >= 0)
		close(d->mfd);
	if (d->jfd >= 0)
		close(d->jfd);
	if (d->jslotfd >= 0)
		close(d->jslotfd);
	pend_release(d->pend, d->npend);
	free(d->pend);
	free(d->ho.pend);
	free(d->target);
	free(d->disp);
	free(d->received_from);
	free(d->received_with);
	free(d->jdisp);
	free(d->tmpdir);
	free(d->newdir);
	free(d->host);
	free(d->mhost);
	free(d->id);
	free(d->from);
	free(d->name);
	buf_release(&d->head);
	buf_release(&d->lf);
	buf_release(&d->out);
	free(d);
	return n;
}

/* ---- recovery ---- */

/* A file name from the journal that stays inside its directory. */
static int
safe_name(const char *s, size_t n)
{
	return n > 0 && !memchr(s, '/', n) && !(s[0] == '.' && (n == 1 ||
		(n == 2 && s[1] == '.')));
}

/* new/NAME, or cur/NAME with any info after ':' or '!', exists. */
static int
in_maildir(const char *dir, const char *name)
{
	struct buf p = BUF_INIT;
	struct stat st;
	struct dirent *de;
	DIR *dh;
	size_t n = strlen(name);
	int found;

	buf_addf(&p, "%s/new/%s", dir, name);
	found = stat(p.data, &st) == 0;
	buf_reset(&p);
	buf_addf(&p, "%s/cur", dir);
	if (!found && (dh = opendir(p.data))) {
		while (!found && (de = readdir(dh)))
			found = strncmp(de->d_name, name, n) == 0 &&
				(!de->d_name[n] || de->d_name[n] == ':' ||
				de->d_name[n] == '!');
		closedir(dh);
	}
	buf_release(&p);
	return found;
}

struct jline {
	char tag;
	const char *a;		/* first field */
	size_t alen;
	const char *b;		/* the rest, or NULL */
	size_t blen;
};

static void
jline_split(const char *s, size_t n, struct jline *l)
{
	const char *sp;

	memset(l, 0, sizeof(*l));
	l->tag = n ? s[0] : 0;
	if (n < 2 || s[1] != ' ')
		return;
	l->a = s + 2;
	sp = memchr(l->a, ' ', n - 2);
	l->alen = sp ? (size_t)(sp - l->a) : n - 2;
	if (sp) {
		l->b = sp + 1;
		l->blen = (size_t)(s + n - l->b);
	}
}

static void
ids_add(char ***ids, size_t *n, const char *s, size_t len)
{
	*ids = xrealloc(*ids, (*n + 2) * sizeof(**ids));
	(*ids)[(*n)++] = id_decode(s, len);
	(*ids)[*n] = NULL;
}

/* Unlink dir/tmp/PREFIX*: a window's files, garbage after a crash. */
static void
drop_prefixed(const char *dir, const char *prefix, size_t n)
{
	struct buf p = BUF_INIT;
	struct dirent *de;
	DIR *dh;

	buf_addf(&p, "%s/tmp", dir);
	dh = opendir(p.data);
	while (dh && (de = readdir(dh))) {
		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		buf_reset(&p);
		buf_addf(&p, "%s/tmp/%s", dir, de->d_name);
		unlink(p.data);
	}
	if (dh)
		closedir(dh);
	buf_release(&p);
}

static void
recover_maildir(const char *dir, const char *data, size_t len,
	size_t last_s, char ***ids, size_t *n)
{
	struct buf p = BUF_INIT;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		struct jline l;
		char *name;

		if (!nl)
			break;
		jline_split(data + pos, (size_t)(nl - data - pos), &l);
		if ((l.tag == 'B' && safe_name(l.a, l.alen)) ||
		    (l.tag == 'R' && l.b && safe_name(l.b, l.blen))) {
			name = l.tag == 'B' ? xmemdup(l.a, l.alen) :
				xmemdup(l.b, l.blen);
			if (l.tag == 'R' && (pos < last_s ||
			    in_maildir(dir, name)))
				ids_add(ids, n, l.a, l.alen);
			buf_reset(&p);
			buf_addf(&p, "%s/tmp/%s", dir, name);
			unlink(p.data);	/* garbage now, if still there */
			free(name);
		} else if (l.tag == 'G' && safe_name(l.a, l.alen))
			drop_prefixed(dir, l.a, l.alen);
		pos = (size_t)(nl - data) + 1;
	}
	buf_release(&p);
}

static int
recover_mbox(const char *file, unsigned long long dev,
	unsigned long long ino, const char *data, size_t len, size_t last_s,
	char ***ids, size_t *n, struct err *e)
{
	size_t pos = 0;
	long long cut = -1;
	struct stat st;
	struct flock fl;
	int fd, rc = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		struct jline l;

		if (!nl)
			break;
		jline_split(data + pos, (size_t)(nl - data - pos), &l);
		if (l.tag == 'M' && l.a && pos < last_s)
			ids_add(ids, n, l.a, l.alen);
		if (l.tag == 'W' && l.a && pos >= last_s && cut < 0)
			cut = strtoll(l.a, NULL, 10);
		pos = (size_t)(nl - data) + 1;
	}
	if (cut < 0)
		return 0;
	fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(e, ERR_IO, errno, "%s",
			file);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) != 0 && errno == EINTR)
		;
	if (fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino && st.st_size >= cut &&
	    (ftruncate(fd, (off_t)cut) != 0 || fsync(fd) != 0))
		rc = err_sys(e, ERR_IO, errno, "%s", file);
	close(fd);
	return rc;
}

int
deliver_recover(const char *path, char ***ids, size_t *n, struct err *e)
{
	struct buf data = BUF_INIT;
	char *disp = path_tilde(path), *target = NULL;
	const char *nl, *h;
	size_t pos, last_s = 0, hl;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	*ids = NULL;
	*n = 0;
	if (fd < 0) {
		free(disp);
		return errno == ENOENT ? 0 : err_sys(e, ERR_IO, errno, "%s",
			path);
	}
	buf_init(&data, JOURNAL_MAX);
	if (buf_read_fd(&data, fd) < 0) {
		err_sys(e, ERR_IO, errno, "%s", disp);
		goto out;
	}
	if (data.len == 0) {
		rc = 0;
		goto out;
	}
	nl = memchr(data.data, '\n', data.len);
	hl = strlen(JOURNAL_MAGIC);
	if (!nl || (size_t)(nl - data.data) < hl ||
	    memcmp(data.data, JOURNAL_MAGIC, hl) != 0) {
		err_set(e, ERR_DATA, "%s: not a delivery journal of mkit",
			disp);
		goto out;
	}
	/* the last complete "S" line */
	for (pos = (size_t)(nl - data.data) + 1; pos < data.len; ) {
		const char *l = data.data + pos;
		const char *end = memchr(l, '\n', data.len - pos);

		if (!end)
			break;
		if (end - l == 1 && l[0] == 'S')
			last_s = pos;
		pos = (size_t)(end - data.data) + 1;
	}
	h = data.data + hl;
	pos = (size_t)(nl - data.data) + 1;
	if ((size_t)(nl - h) > 8 && memcmp(h, "maildir ", 8) == 0) {
		target = xmemdup(h + 8, (size_t)(nl - h - 8));
		recover_maildir(target, data.data + pos, data.len - pos,
			last_s > pos ? last_s - pos : 0, ids, n);
		rc = 0;
	} else if ((size_t)(nl - h) > 5 && memcmp(h, "mbox ", 5) == 0) {
		unsigned long long dev, ino;
		int used = 0;
		char *line = xmemdup(h + 5, (size_t)(nl - h - 5));

		if (sscanf(line, "%llu %llu %n", &dev, &ino, &used) >= 2 &&
		    used > 0 && line[used]) {
			target = xstrdup(line + used);
			rc = recover_mbox(target, dev, ino, data.data + pos,
				data.len - pos, last_s > pos ? last_s - pos :
				0, ids, n, e);
		} else {
			err_set(e, ERR_DATA, "%s: not a delivery journal of "
				"mkit", disp);
		}
		free(line);
	} else {
		err_set(e, ERR_DATA, "%s: not a delivery journal of mkit",
			disp);
	}
out:
	if (rc < 0) {
		strv_free(*ids, *n);
		*ids = NULL;
		*n = 0;
	}
	close(fd);
	free(target);
	free(disp);
	buf_release(&data);
	return rc;
}
