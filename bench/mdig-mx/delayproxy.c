/*
 * delayproxy.c: the DNS forwarding proxy of make bench-mdig-mx (UDP and
 * TCP), in C so that the bench measures the clients, not the proxy.
 *
 * usage: delayproxy LISTEN_IP LISTEN_PORT UPSTREAM_PORT DELAY_MS [LOG]
 *
 * Every query is forwarded at once to 127.0.0.1:UPSTREAM_PORT (the NSD
 * under test) and its answer is held DELAY_MS milliseconds before it goes
 * back: a round trip of DELAY_MS without netem, for every client alike.
 * With LOG each query is appended as "NAME TYPE" (the numeric type), so
 * that the peers can be given exactly the queries mdig-mx made; the log is
 * flushed whenever the proxy has nothing to do. Prints "ready" once
 * listening.
 *
 * UDP: one thread, epoll, recvmmsg/sendmmsg in batches. Query IDs are
 * rewritten (a table of 65,536 slots) to tell the askers apart. At most
 * UPWIN queries are at the server at once, the rest wait in a FIFO: a
 * client's burst of thousands would overflow NSD's socket buffer (its
 * default 208 KB holds about 200 datagrams) and the lost queries would
 * cost the client its retry timeout. Since the delay is the same for every
 * answer, the answers wait in one FIFO queue in arrival order, which is
 * also deadline order: no timer wheel needed. Each leaves within SLACK
 * of its deadline (epoll_pwait2 has nanoseconds), so the answers keep the
 * pacing of the queries: a client's own socket buffer does not overflow
 * from answers bunched up to a millisecond's worth, and the proxy does
 * not wake up for every single answer either.
 * TCP (truncated answers only, rare): a thread per connection, blocking.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MSGMAX 1500		/* NSD's UDP answers stop at 1232 */
#define QMAX (1 << 15)		/* answers held at once */
#define FQMAX (1 << 14)		/* queries waiting for the server */
#define UPWIN 100		/* queries at the server at once */
#define SLACK 50000		/* ns: answers this close to due leave now */

struct pending {
	struct sockaddr_in peer;
	uint16_t id;		/* the asker's */
	int used;
};

struct held {
	long long due;		/* ns, CLOCK_MONOTONIC */
	struct sockaddr_in peer;
	uint16_t len;
	unsigned char msg[MSGMAX];
};

static struct sockaddr_in upstream;
static long long delay_ns;
static FILE *logfp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static struct pending pend[65536];
static uint16_t next_id;
static struct held *q;		/* ring of QMAX */
static size_t qhead, qlen;
static struct held *fq;		/* ring of FQMAX (due and peer unused) */
static size_t fqhead, fqlen;
static unsigned up_out;		/* queries at the server */
static long long up_last;	/* last answer from it */

static void
die(const char *what)
{
	fprintf(stderr, "delayproxy: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void
sleep_ns(long long ns)
{
	struct timespec t = { ns / 1000000000LL, ns % 1000000000LL };

	while (ns > 0 && nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* Append "NAME TYPE" of the question of msg to the log. */
static void
note(const unsigned char *msg, size_t len)
{
	char name[300];
	size_t off = 12, n = 0;

	if (!logfp)
		return;
	while (off < len && msg[off]) {
		size_t l = msg[off];

		if (l > 63 || off + 1 + l >= len || n + l + 1 >= sizeof name)
			return;
		if (n)
			name[n++] = '.';
		memcpy(name + n, msg + off + 1, l);
		n += l;
		off += 1 + l;
	}
	if (off + 3 > len)
		return;
	name[n] = '\0';
	pthread_mutex_lock(&log_lock);
	fprintf(logfp, "%s %u\n", name, msg[off + 1] << 8 | msg[off + 2]);
	pthread_mutex_unlock(&log_lock);
}

static void
log_flush(void)
{
	if (!logfp)
		return;
	pthread_mutex_lock(&log_lock);
	fflush(logfp);
	pthread_mutex_unlock(&log_lock);
}

static int
udp_socket(const struct sockaddr_in *bind_to)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int big = 8 << 20;

	if (fd < 0)
		die("socket");
	/* FORCE works as root; the plain one caps at rmem_max otherwise */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	if (bind_to && bind(fd, (const struct sockaddr *)bind_to,
		sizeof *bind_to) < 0)
		die("bind (udp)");
	return fd;
}

/* Send n messages of v, retrying what the kernel did not take. */
static void
send_all(int fd, struct mmsghdr *v, unsigned n)
{
	unsigned done = 0;

	while (done < n) {
		int k = sendmmsg(fd, v + done, n - done, 0);

		if (k < 0) {
			if (errno == EAGAIN || errno == ENOBUFS) {
				sleep_ns(100000);
				continue;
			}
			if (errno == EINTR)
				continue;
			done++;	/* drop this one (e.g. ICMP unreachable) */
			continue;
		}
		done += (unsigned)k;
	}
}

/* Receive up to room (at most BATCH) datagrams of fd into the slots of
 * ring (of max) from index first on, their senders into from (if not
 * NULL); what recvmmsg returns (0 when there is no room: the rest waits in
 * the socket). */
static int
recv_into(int fd, struct mmsghdr *in, struct iovec *iv,
	struct sockaddr_in *from, struct held *ring, size_t max, size_t first,
	size_t room)
{
	if (room > BATCH)
		room = BATCH;
	for (size_t i = 0; i < room; i++) {
		memset(&in[i], 0, sizeof in[i]);
		iv[i].iov_base = ring[(first + i) % max].msg;
		iv[i].iov_len = MSGMAX;
		in[i].msg_hdr.msg_iov = &iv[i];
		in[i].msg_hdr.msg_iovlen = 1;
		if (from) {
			in[i].msg_hdr.msg_name = &from[i];
			in[i].msg_hdr.msg_namelen = sizeof from[i];
		}
	}
	if (!room)
		return 0;
	return recvmmsg(fd, in, (unsigned)room, MSG_DONTWAIT, NULL);
}

/* Queries from the askers: queue them for the server under our IDs. */
static void
from_front(int front)
{
	struct mmsghdr in[BATCH];
	struct iovec iv[BATCH];
	struct sockaddr_in from[BATCH];

	for (;;) {
		int n = recv_into(front, in, iv, from, fq, FQMAX, fqhead + fqlen,
			FQMAX - fqlen);

		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			struct held *h = &fq[(fqhead + fqlen) % FQMAX];
			unsigned char *b = iv[i].iov_base;
			unsigned tries = 0;

			if (in[i].msg_len < 12)
				continue;
			note(b, in[i].msg_len);
			do
				next_id++;
			while (pend[next_id].used && ++tries < 65536);
			if (pend[next_id].used)
				continue;	/* 65,536 in flight: drop */
			pend[next_id].used = 1;
			pend[next_id].peer = from[i];
			pend[next_id].id = (uint16_t)(b[0] << 8 | b[1]);
			b[0] = next_id >> 8;
			b[1] = next_id & 0xff;
			if (b != h->msg)
				memmove(h->msg, b, in[i].msg_len);
			h->len = (uint16_t)in[i].msg_len;
			fqlen++;
		}
	}
}

/* Send queued queries to the server, up to UPWIN there at once. */
static void
pump(int up)
{
	struct mmsghdr out[BATCH];
	struct iovec ov[BATCH];

	/* an answer the server never gave must not close the window */
	if (up_out && fqlen && now_ns() - up_last > 100000000LL)
		up_out = 0;
	while (fqlen && up_out < UPWIN) {
		unsigned m = 0;

		while (m < BATCH && m < fqlen && up_out + m < UPWIN) {
			struct held *h = &fq[(fqhead + m) % FQMAX];

			memset(&out[m], 0, sizeof out[m]);
			ov[m].iov_base = h->msg;
			ov[m].iov_len = h->len;
			out[m].msg_hdr.msg_iov = &ov[m];
			out[m].msg_hdr.msg_iovlen = 1;
			m++;
		}
		send_all(up, out, m);
		if (!up_out)
			up_last = now_ns();
		up_out += m;
		fqhead = (fqhead + m) % FQMAX;
		fqlen -= m;
	}
}

/* Answers from upstream: hold each DELAY under its asker's ID. */
static void
from_upstream(int up)
{
	struct mmsghdr in[BATCH];
	struct iovec iv[BATCH];

	for (;;) {
		int n = recv_into(up, in, iv, NULL, q, QMAX, qhead + qlen,
			QMAX - qlen);
		long long t;

		if (n <= 0)
			return;
		t = now_ns();
		up_last = t;
		up_out = up_out > (unsigned)n ? up_out - (unsigned)n : 0;
		for (int i = 0; i < n; i++) {
			struct held *h = &q[(qhead + qlen) % QMAX];
			unsigned char *b = iv[i].iov_base;
			struct pending *p;

			if (in[i].msg_len < 12)
				continue;
			p = &pend[b[0] << 8 | b[1]];
			if (!p->used)
				continue;
			p->used = 0;
			if (b != h->msg)
				memmove(h->msg, b, in[i].msg_len);
			h->msg[0] = p->id >> 8;
			h->msg[1] = p->id & 0xff;
			h->peer = p->peer;
			h->len = (uint16_t)in[i].msg_len;
			h->due = t + delay_ns;
			qlen++;
		}
	}
}

/* Send the answers whose time has come; the ns until the next, or -1. */
static long long
release(int front)
{
	struct mmsghdr out[BATCH];
	struct iovec ov[BATCH];
	long long t = now_ns() + SLACK;

	while (qlen) {
		unsigned m = 0;

		while (m < BATCH && m < qlen) {
			struct held *h = &q[(qhead + m) % QMAX];

			if (h->due > t)
				break;
			ov[m].iov_base = h->msg;
			ov[m].iov_len = h->len;
			memset(&out[m], 0, sizeof out[m]);
			out[m].msg_hdr.msg_iov = &ov[m];
			out[m].msg_hdr.msg_iovlen = 1;
			out[m].msg_hdr.msg_name = &h->peer;
			out[m].msg_hdr.msg_namelen = sizeof h->peer;
			m++;
		}
		if (!m)
			return q[qhead].due - t + SLACK;
		send_all(front, out, m);
		qhead = (qhead + m) % QMAX;
		qlen -= m;
	}
	return -1;
}

/* Read (out 0) or write (out 1) all n bytes of p: 0, or -1. */
static int
io_full(int fd, void *p, size_t n, int out)
{
	unsigned char *b = p;

	while (n) {
		ssize_t k = out ? write(fd, b, n) : read(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One TCP client: each query over a new upstream connection, in turn. */
static void *
tcp_one(void *arg)
{
	int fd = (int)(intptr_t)arg;
	unsigned char len[2], *msg = malloc(65536);

	while (msg && io_full(fd, len, 2, 0) == 0) {
		size_t n = (size_t)(len[0] << 8 | len[1]);
		int u;

		if (io_full(fd, msg, n, 0) < 0)
			break;
		note(msg, n);
		u = socket(AF_INET, SOCK_STREAM, 0);
		if (u < 0 || connect(u, (struct sockaddr *)&upstream,
			sizeof upstream) < 0 || io_full(u, len, 2, 1) < 0 ||
			io_full(u, msg, n, 1) < 0 || io_full(u, len, 2, 0) < 0 ||
			io_full(u, msg, (size_t)(len[0] << 8 | len[1]), 0) < 0) {
			if (u >= 0)
				close(u);
			break;
		}
		close(u);
		sleep_ns(delay_ns);
		if (io_full(fd, len, 2, 1) < 0 || io_full(fd, msg,
			(size_t)(len[0] << 8 | len[1]), 1) < 0)
			break;
	}
	free(msg);
	close(fd);
	return NULL;
}

static void *
tcp_accept(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		pthread_t t;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (pthread_create(&t, NULL, tcp_one, (void *)(intptr_t)fd))
			close(fd);
		else
			pthread_detach(t);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in me = { 0 };
	struct epoll_event ev[2];
	pthread_t t;
	int front, up, lfd, ep, one = 1;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: delayproxy LISTEN_IP LISTEN_PORT "
			"UPSTREAM_PORT DELAY_MS [LOG]\n");
		return 2;
	}
	me.sin_family = AF_INET;
	me.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &me.sin_addr) != 1) {
		fprintf(stderr, "delayproxy: bad address %s\n", argv[1]);
		return 2;
	}
	upstream.sin_family = AF_INET;
	upstream.sin_port = htons((uint16_t)atoi(argv[3]));
	upstream.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	delay_ns = atoll(argv[4]) * 1000000LL;
	if (argc == 6 && !(logfp = fopen(argv[5], "a")))
		die(argv[5]);
	q = malloc(QMAX * sizeof *q);
	fq = malloc(FQMAX * sizeof *fq);
	if (!q || !fq)
		die("malloc");
	/* touch it all now: page faults while timing would be ours */
	memset(q, 0, QMAX * sizeof *q);
	memset(fq, 0, FQMAX * sizeof *fq);

	front = udp_socket(&me);
	up = udp_socket(NULL);
	if (connect(up, (struct sockaddr *)&upstream, sizeof upstream) < 0)
		die("connect (upstream)");
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket (tcp)");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&me, sizeof me) < 0 ||
		listen(lfd, 128) < 0)
		die("bind (tcp)");
	if (pthread_create(&t, NULL, tcp_accept, (void *)(intptr_t)lfd))
		die("pthread_create");

	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	ev[0].events = EPOLLIN;
	ev[0].data.fd = front;
	ev[1].events = EPOLLIN;
	ev[1].data.fd = up;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, front, &ev[0]) < 0 ||
		epoll_ctl(ep, EPOLL_CTL_ADD, up, &ev[1]) < 0)
		die("epoll_ctl");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		long long wait = release(front);
		struct timespec ts;
		int n;

		pump(up);
		if (wait != 0)
			log_flush();
		if (fqlen && (wait < 0 || wait > 1000000))
			wait = 1000000;	/* see that the window reopens */
		ts.tv_sec = wait / 1000000000LL;
		ts.tv_nsec = wait % 1000000000LL;
		n = epoll_pwait2(ep, ev, 2, wait < 0 ? NULL : &ts, NULL);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == front)
				from_front(front);
			else
				from_upstream(up);
		}
	}
}
