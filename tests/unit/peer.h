/*
 * peer.h: a scripted server for engine tests, in a thread on the other end
 * of a socketpair. The engine under test gets the first end through
 * conn_from_fd(); the script reads the engine's lines and answers.
 *
 * The script runs beside the test's own checks, so it never calls tap_*:
 * it records what went wrong (peer_fail) and the test checks pe->fail
 * after peer_join(). Every read waits at most PEER_WAIT_MS, so a script
 * and an engine that disagree fail instead of hanging.
 *
 * Strict mode (pe->strict) is a server that does not offer PIPELINING
 * taken at its word: before each reply (peer_reply) it checks that the
 * client has sent nothing since the command being answered (RFC 5321
 * 4.3.1, RFC 2920 3.1). A violation is recorded with what arrived early.
 */
#ifndef MKIT_PEER_H
#define MKIT_PEER_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PEER_WAIT_MS	5000
#define PEER_QUIET_MS	50

struct peer {
	int fd;			/* the server's end */
	pthread_t th;
	void (*script)(struct peer *);
	void *arg;		/* for the script */
	int strict;		/* see above */
	char in[256 * 1024];	/* received, not yet taken */
	size_t len;
	char fail[512];		/* the first failure, or "" */
	int nfail;
};

static void __attribute__((format(printf, 2, 3), unused))
peer_fail(struct peer *pe, const char *fmt, ...)
{
	va_list ap;

	if (pe->nfail++)
		return;
	va_start(ap, fmt);
	vsnprintf(pe->fail, sizeof pe->fail, fmt, ap);
	va_end(ap);
}

/* Receive more, waiting up to ms: bytes added, 0 at EOF or timeout. */
static long
peer_fill(struct peer *pe, int ms)
{
	struct pollfd pfd = { .fd = pe->fd, .events = POLLIN };
	ssize_t n;

	if (pe->len == sizeof pe->in || poll(&pfd, 1, ms) <= 0)
		return 0;
	n = recv(pe->fd, pe->in + pe->len, sizeof pe->in - pe->len, 0);
	if (n <= 0)
		return 0;
	pe->len += (size_t)n;
	return n;
}

static void
peer_take(struct peer *pe, size_t n)
{
	memmove(pe->in, pe->in + n, pe->len - n);
	pe->len -= n;
}

/* One line into out (without CRLF, NUL-terminated); -1 at EOF. */
static int __attribute__((unused))
peer_line(struct peer *pe, char *out, size_t size)
{
	for (;;) {
		char *nl = memchr(pe->in, '\n', pe->len);

		if (nl) {
			size_t n = (size_t)(nl - pe->in);

			if (n && pe->in[n - 1] == '\r')
				n--;
			if (n >= size)
				n = size - 1;
			memcpy(out, pe->in, n);
			out[n] = '\0';
			peer_take(pe, (size_t)(nl - pe->in) + 1);
			return 0;
		}
		if (peer_fill(pe, PEER_WAIT_MS) == 0)
			return -1;
	}
}

/* Read n bytes (a BDAT chunk) into out (NUL-terminated); -1 at EOF. */
static int __attribute__((unused))
peer_bytes(struct peer *pe, size_t n, char *out, size_t size)
{
	while (pe->len < n)
		if (peer_fill(pe, PEER_WAIT_MS) == 0)
			return -1;
	if (n < size) {
		memcpy(out, pe->in, n);
		out[n] = '\0';
	}
	peer_take(pe, n);
	return 0;
}

/* Read a line and check it is want; the line is returned (static). */
static const char * __attribute__((unused))
peer_expect(struct peer *pe, const char *want)
{
	static __thread char line[4096];

	if (peer_line(pe, line, sizeof line) < 0) {
		peer_fail(pe, "wanted '%s', got EOF", want ? want : "a line");
		line[0] = '\0';
	} else if (want && strcmp(line, want) != 0)
		peer_fail(pe, "wanted '%s', got '%s'", want, line);
	return line;
}

/* Send text as is. */
static void __attribute__((unused))
peer_send(struct peer *pe, const char *text)
{
	size_t off = 0, n = strlen(text);

	while (off < n) {
		ssize_t w = send(pe->fd, text + off, n - off, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/*
 * Send a reply; in strict mode first check that the client is waiting for
 * it (nothing received beyond the command answered).
 */
static void __attribute__((unused))
peer_reply(struct peer *pe, const char *text)
{
	if (pe->strict) {
		peer_fill(pe, PEER_QUIET_MS);
		if (pe->len)
			peer_fail(pe, "'%.*s' sent before the reply '%.*s'",
				(int)(pe->len > 60 ? 60 : pe->len), pe->in,
				(int)strcspn(text, "\r"), text);
	}
	peer_send(pe, text);
}

/* Wait for the client to hang up (everything it sends is dropped). */
static void __attribute__((unused))
peer_eof(struct peer *pe)
{
	while (peer_fill(pe, PEER_WAIT_MS) > 0)
		pe->len = 0;
}

static void *
peer_main(void *arg)
{
	struct peer *pe = arg;

	pe->script(pe);
	shutdown(pe->fd, SHUT_RDWR);
	return NULL;
}

/*
 * Start script in a thread; returns the client's end (for conn_from_fd),
 * or -1. pe is the caller's (zero it, set strict and arg before).
 */
static int __attribute__((unused))
peer_start(struct peer *pe, void (*script)(struct peer *))
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	pe->fd = sv[1];
	pe->script = script;
	pe->len = 0;
	pe->fail[0] = '\0';
	pe->nfail = 0;
	if (pthread_create(&pe->th, NULL, peer_main, pe) != 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	return sv[0];
}

/* Wait for the script to end; close the server's end. */
static void __attribute__((unused))
peer_join(struct peer *pe)
{
	pthread_join(pe->th, NULL);
	close(pe->fd);
}

#endif
