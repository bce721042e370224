/*
 * bench/mpop/sink.c: the ceilings of bench/mpop/run.sh. The least a POP3
 * client can do to empty a mailbox: USER/PASS, STAT, every RETR pipelined
 * (two windows of 64 kept ahead, as mpop does), the bytes thrown away as
 * they come (only the ends of the messages counted), then every DELE
 * pipelined and QUIT. Nothing is parsed, stored or synced: the rate it
 * reaches is how fast the server serves these messages on this machine.
 *
 *   sink HOST PORT USER PASSWORD [starttls] [maildir DIR]
 *
 * With "starttls", the same after STLS, through OpenSSL alone (reading
 * 128 KiB at a time with read-ahead, as src/net/conn.c sets it; the
 * certificate not checked: a ceiling, not a client): the server's TLS
 * cost and the decryption's.
 *
 * With "maildir DIR", the least a client that stores durably can do: each
 * message's bytes, from after its "+OK" line to the end of its last line,
 * written as they come to DIR/tmp/N (N its number, a new file); every
 * window of 64 messages made durable as mkit's delivery does it
 * (durable_sync_files with durable_fs_mode of DIR, then the renames to
 * DIR/new/N and one fsync of new/), by a second thread while this one
 * reads the next window; every DELE only once every window is durable.
 * The bytes are stored as received: no dot-unstuffing, no CRLF to LF, no
 * Received header, no UIDL state, no journal: less work than any correct
 * client does, done plainly (a write per piece read, a thread per
 * window), so the rate is what storing durably costs on this machine. It
 * is not a strict bound: a client that does more work with more care may
 * pass it by a few per cent (mkit, which writes each message in one piece
 * and creates a window's files ahead, has run at up to 106% of it).
 * MKIT_BENCH_NOSYNC drops the syncs, as it does for mkit.
 * Exit status 0, or 1 with a message.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "base/err.h"
#include "store/durable.h"

#define WINDOW	64
#define CHUNK	(256 * 1024)

static int fd = -1;
static SSL *ssl;		/* after STLS, or NULL */
static char buf[CHUNK + 8];
static size_t have;		/* bytes in buf */

static void
die(const char *what)
{
	fprintf(stderr, "sink: %s\n", what);
	exit(1);
}

static void
say(const char *s, size_t n)
{
	while (n > 0) {
		int w = ssl ? SSL_write(ssl, s, (int)n) :
			(int)write(fd, s, n);

		if (w <= 0)
			die("send failed");
		s += w;
		n -= (size_t)w;
	}
}

static void
fill(void)
{
	int r = ssl ? SSL_read(ssl, buf + have, (int)(CHUNK - have)) :
		(int)read(fd, buf + have, CHUNK - have);

	if (r <= 0)
		die("connection closed");
	have += (size_t)r;
}

/* One reply line; it must start with +OK. Returns its text (static). */
static const char *
reply(void)
{
	static char line[1024];
	char *nl;
	size_t n;

	while (!(nl = memchr(buf, '\n', have)))
		fill();
	n = (size_t)(nl - buf) + 1;
	snprintf(line, sizeof line, "%.*s", (int)n, buf);
	memmove(buf, buf + n, have - n);
	have -= n;
	if (strncmp(line, "+OK", 3) != 0)
		die(line);
	return line;
}

/* STLS, its +OK read byte by byte (nothing after it may be read before
 * the handshake), then the handshake. */
static void
stls(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char c = 0;

	say("STLS\r\n", 6);
	if (have)
		die("bytes after the greeting");
	while (c != '\n')
		if (read(fd, &c, 1) != 1)
			die("connection closed at STLS");
		else if (have < CHUNK)
			buf[have++] = c;
	reply();
	if (!ctx)
		die("no TLS context");
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, 128 * 1024);
	ssl = SSL_new(ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1)
		die("TLS handshake failed");
}

/* RETR from..to, one write. */
static void
retr(unsigned long from, unsigned long to, const char *cmd)
{
	static char out[WINDOW * 2 * 24];
	size_t n = 0;

	for (; from <= to; from++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s %lu\r\n",
			cmd, from);
	say(out, n);
}

/* Keep two windows of RETRs ahead of the messages done. */
static void
ahead(unsigned long *sent, unsigned long done, unsigned long n)
{
	unsigned long to;

	if (*sent >= n || *sent - done >= WINDOW)
		return;
	to = done + 2 * WINDOW < n ? done + 2 * WINDOW : n;
	retr(*sent + 1, to, "RETR");
	*sent = to;
}

/* Read the n messages, counting the "\r\n.\r\n" that end them; keep 4
 * bytes back. */
static void
discard_all(unsigned long n, unsigned long sent)
{
	unsigned long done = 0;

	while (done < n) {
		char *p = buf, *end;

		fill();
		end = buf + have;
		while ((p = memmem(p, (size_t)(end - p), "\r\n.\r\n", 5))) {
			done++;
			p += 5;
		}
		if (have > 4) {
			memmove(buf, end - 4, 4);
			have = 4;
		}
		ahead(&sent, done, n);
	}
	have = 0;
}

/* Maildir mode: DIR, tmp/ and new/ under it, how DIR syncs. */
static const char *dir;
static char tmpdir[4096], newdir[4096];
static enum durable_mode dmode;

/* A window of files: written by this thread, then made durable by the
 * syncer while this thread writes the next one. */
struct window {
	int fds[WINDOW];
	unsigned long first;	/* the message number of fds[0] */
	size_t n;
};

static struct window win[2];
static struct window *cur = &win[0];	/* being written */
static pthread_t syncer;
static int syncing;			/* syncer runs */
static struct err sync_err;		/* what it failed at, or ERR_NONE */

/* The window's files durable (their data, as mkit's delivery makes them),
 * renamed into new/, new/ fsync'd: then they are delivered. */
static void *
sync_window(void *arg)
{
	struct window *w = arg;
	char from[4200], to[4200];
	size_t i, bad;

	if (durable_sync_files(w->fds, w->n, dmode, &bad) != 0) {
		err_sys(&sync_err, ERR_IO, errno, "%s/%lu", tmpdir,
			w->first + bad);
		return NULL;
	}
	for (i = 0; i < w->n; i++)
		if (close(w->fds[i]) != 0) {
			err_sys(&sync_err, ERR_IO, errno, "%s/%lu", tmpdir,
				w->first + i);
			return NULL;
		}
	for (i = 0; i < w->n; i++) {
		snprintf(from, sizeof from, "%s/%lu", tmpdir, w->first + i);
		snprintf(to, sizeof to, "%s/%lu", newdir, w->first + i);
		if (rename(from, to) != 0) {
			err_sys(&sync_err, ERR_IO, errno, "%s", to);
			return NULL;
		}
	}
	durable_sync_dir(newdir, &sync_err);
	return NULL;
}

/* Wait for the window being synced, if any; it must have succeeded. */
static void
sync_wait(void)
{
	if (syncing)
		pthread_join(syncer, NULL);
	syncing = 0;
	if (sync_err.code != ERR_NONE)
		die(sync_err.msg);
}

/* Hand the current window to the syncer (the one before it done first);
 * the other window is written meanwhile. */
static void
sync_start(void)
{
	struct window *w = cur;

	sync_wait();
	cur = cur == &win[0] ? &win[1] : &win[0];
	cur->n = 0;
	if (pthread_create(&syncer, NULL, sync_window, w) == 0)
		syncing = 1;
	else
		sync_window(w);	/* no thread: here */
}

/* Message k's file, new, in tmp/. */
static int
open_tmp(unsigned long k)
{
	char path[4200];
	int f;

	snprintf(path, sizeof path, "%s/%lu", tmpdir, k);
	f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (f < 0) {
		snprintf(path + strlen(path), sizeof path - strlen(path),
			": %s", strerror(errno));
		die(path);
	}
	if (!cur->n)
		cur->first = k;
	cur->fds[cur->n++] = f;
	return f;
}

/* All of p[0..n) to the file f, message k's. */
static void
put(int f, unsigned long k, const char *p, size_t n)
{
	char what[4300];

	if (n && durable_write(f, p, n) != 0) {
		snprintf(what, sizeof what, "%s/%lu: %s", tmpdir, k,
			strerror(errno));
		die(what);
	}
}

/* buf[0..have) from pos on moved to its start, then more read. */
static void
refill(size_t *pos)
{
	memmove(buf, buf + *pos, have - *pos);
	have -= *pos;
	*pos = 0;
	if (have == CHUNK)
		die("a reply line longer than the buffer");
	fill();
}

/*
 * Read the n messages into tmp/ as they come, a window handed to the
 * syncer at each 64th and at the last. buf[pos..have) is not written yet.
 * In a message, its first lead bytes are the +OK line's '\n', kept so
 * that an empty message's ".\r\n" is found as "\n.\r\n" like any other
 * end; its last 3 are held back until the next read says whether they
 * begin that end.
 */
static void
store_all(unsigned long n, unsigned long sent)
{
	unsigned long done = 0;
	size_t pos = 0, lead = 0;
	int f = -1;		/* the message being written, or -1 */
	char *p;

	while (done < n) {
		if (f < 0) {	/* at the message's +OK line */
			p = memchr(buf + pos, '\n', have - pos);
			if (!p) {
				refill(&pos);
				continue;
			}
			if (p - (buf + pos) < 3 || memcmp(buf + pos, "+OK", 3))
				die("RETR not answered +OK");
			pos = (size_t)(p - buf);
			lead = 1;
			f = open_tmp(done + 1);
			continue;
		}
		p = memmem(buf + pos, have - pos, "\n.\r\n", 4);
		if (p) {
			put(f, done + 1, buf + pos + lead,
				(size_t)(p + 1 - buf) - (pos + lead));
			pos = (size_t)(p + 4 - buf);
			f = -1;
			if (++done == n || cur->n == WINDOW)
				sync_start();
			ahead(&sent, done, n);
			continue;
		}
		if (have - pos > 3 + lead) {
			put(f, done + 1, buf + pos + lead,
				have - 3 - (pos + lead));
			pos = have - 3;
			lead = 0;
		}
		refill(&pos);
	}
	sync_wait();
	if (pos != have)
		die("bytes after the last message");
	have = 0;
}

/* DIR/tmp and DIR/new, which must exist, and how DIR syncs. */
static void
store_init(const char *d)
{
	dir = d;
	if ((size_t)snprintf(tmpdir, sizeof tmpdir, "%s/tmp", dir) >=
	    sizeof tmpdir ||
	    (size_t)snprintf(newdir, sizeof newdir, "%s/new", dir) >=
	    sizeof newdir)
		die("DIR too long");
	dmode = durable_fs_mode(dir);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	unsigned long n, sent, i;
	char cmd[512];
	int one = 1, tls;

	if (argc > 6 && !strcmp(argv[argc - 2], "maildir")) {
		store_init(argv[argc - 1]);
		argc -= 2;
	}
	tls = argc == 6 && !strcmp(argv[5], "starttls");
	if (argc != 5 && !tls)
		die("usage: sink HOST PORT USER PASSWORD [starttls] "
			"[maildir DIR]");
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		die("HOST: an IPv4 address");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("cannot connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	reply();
	if (tls)
		stls();
	snprintf(cmd, sizeof cmd, "USER %s\r\n", argv[3]);
	say(cmd, strlen(cmd));
	reply();
	snprintf(cmd, sizeof cmd, "PASS %s\r\n", argv[4]);
	say(cmd, strlen(cmd));
	reply();
	say("STAT\r\n", 6);
	n = strtoul(reply() + 3, NULL, 10);
	sent = n < 2 * WINDOW ? n : 2 * WINDOW;
	if (sent)
		retr(1, sent, "RETR");
	if (dir)
		store_all(n, sent);
	else
		discard_all(n, sent);
	for (i = 1; i <= n; i += WINDOW)
		retr(i, i + WINDOW - 1 < n ? i + WINDOW - 1 : n, "DELE");
	say("QUIT\r\n", 6);
	for (i = 0; i <= n; i++)
		reply();
	close(fd);
	return 0;
}
