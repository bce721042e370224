/*
 * dnsio.c: see dnsio.h. The socket functions of c-ares 1.13 and later
 * (ares_set_socket_functions). Given them, c-ares 1.18 sets no option on
 * its sockets: non-blocking, close-on-exec, the receive buffer and
 * TCP_NODELAY are set here.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "dns/dnsio.h"

/* c-ares reads a datagram into a buffer this size (MAXENDSSZ + 1) */
#define DGRAM_MAX 4097
/* A write that finds the socket's buffer full waits this long (ms) for
 * room, at most. */
#define FULL_WAIT 1000
/* Queued datagrams sent without waiting for dnsio_flush: while a caller
 * asks a thousand questions, the first ones are already on their way */
#define FLUSH_AT DNSIO_BATCH
/* Datagrams read at once: 16 buffers of DGRAM_MAX fit below malloc's
 * mmap threshold (64, 256 KB, were a fresh mapping each run, its pages
 * faulted in: more time than the calls saved) */
#define RECV_BATCH 16

struct out {
	ares_socket_t fd;
	size_t off, len;	/* in dnsio.outbuf */
};

struct dnsio {
	int rcvbuf;		/* SO_RCVBUF of the UDP sockets */
	ares_socket_t *udp;	/* the UDP sockets c-ares opened */
	size_t nudp, udpcap;
	/* datagrams to send, in order */
	struct out *out;
	size_t nout, outcap;
	struct buf outbuf;
	/* datagrams read, not yet taken: in[next..nin) of socket infd */
	ares_socket_t infd;
	unsigned char (*in)[DGRAM_MAX];
	struct mmsghdr inmsg[RECV_BATCH];
	struct iovec iniov[RECV_BATCH];
	struct sockaddr_storage infrom[RECV_BATCH];
	size_t nin, next;
};

static int
is_udp(const struct dnsio *io, ares_socket_t fd)
{
	for (size_t i = 0; i < io->nudp; i++)
		if (io->udp[i] == fd)
			return 1;
	return 0;
}

static ares_socket_t
io_socket(int domain, int type, int protocol, void *arg)
{
	struct dnsio *io = arg;
	ares_socket_t fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
		protocol);
	int one = 1;

	if (fd == ARES_SOCKET_BAD)
		return fd;
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (type != SOCK_DGRAM)
		return fd;
	/* the kernel caps it at net.core.rmem_max: the best it gives */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &io->rcvbuf, sizeof io->rcvbuf);
	if (io->nudp == io->udpcap) {
		io->udpcap = io->udpcap ? 2 * io->udpcap : 4;
		io->udp = xrealloc(io->udp, io->udpcap * sizeof *io->udp);
	}
	io->udp[io->nudp++] = fd;
	return fd;
}

static int
io_close(ares_socket_t fd, void *arg)
{
	struct dnsio *io = arg;
	size_t k = 0;

	/* what was queued for it would go nowhere: c-ares asks again */
	for (size_t i = 0; i < io->nout; i++)
		if (io->out[i].fd != fd)
			io->out[k++] = io->out[i];
	io->nout = k;
	if (io->infd == fd)
		io->nin = io->next = 0;
	for (size_t i = 0; i < io->nudp; i++)
		if (io->udp[i] == fd) {
			io->udp[i] = io->udp[--io->nudp];
			break;
		}
	return close(fd);
}

static int
io_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
	void *arg)
{
	(void)arg;
	return connect(fd, sa, len);
}

static ares_ssize_t
io_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *arg)
{
	struct dnsio *io = arg;
	size_t off = io->outbuf.len;

	if (!is_udp(io, fd))
		return writev(fd, iov, n);
	for (int i = 0; i < n; i++)
		buf_add(&io->outbuf, iov[i].iov_base, iov[i].iov_len);
	if (io->nout == io->outcap) {
		io->outcap = io->outcap ? 2 * io->outcap : 64;
		io->out = xrealloc(io->out, io->outcap * sizeof *io->out);
	}
	io->out[io->nout].fd = fd;
	io->out[io->nout].off = off;
	io->out[io->nout].len = io->outbuf.len - off;
	io->nout++;
	if (io->nout >= FLUSH_AT)
		dnsio_flush(io);
	return (ares_ssize_t)(io->outbuf.len - off);
}

/* Read what fd holds, up to RECV_BATCH datagrams; their number, or -1
 * with errno. */
static int
fill(struct dnsio *io, ares_socket_t fd)
{
	int n;

	if (!io->in)
		io->in = xmalloc(RECV_BATCH * sizeof *io->in);
	for (int i = 0; i < RECV_BATCH; i++) {
		io->iniov[i].iov_base = io->in[i];
		io->iniov[i].iov_len = sizeof io->in[i];
		memset(&io->inmsg[i].msg_hdr, 0, sizeof io->inmsg[i].msg_hdr);
		io->inmsg[i].msg_hdr.msg_iov = &io->iniov[i];
		io->inmsg[i].msg_hdr.msg_iovlen = 1;
		io->inmsg[i].msg_hdr.msg_name = &io->infrom[i];
		io->inmsg[i].msg_hdr.msg_namelen = sizeof io->infrom[i];
	}
	do
		n = recvmmsg(fd, io->inmsg, RECV_BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n;
	io->infd = fd;
	io->nin = (size_t)n;
	io->next = 0;
	return n;
}

static ares_ssize_t
io_recvfrom(ares_socket_t fd, void *data, size_t len, int flags,
	struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	struct dnsio *io = arg;
	struct mmsghdr *m;
	size_t got;

	if (!is_udp(io, fd) || (io->next < io->nin && io->infd != fd))
		return recvfrom(fd, data, len, flags, from, fromlen);
	if (io->next == io->nin) {
		int n = fill(io, fd);

		if (n <= 0) {
			if (n == 0)
				errno = EAGAIN;
			return -1;
		}
	}
	m = &io->inmsg[io->next];
	got = m->msg_len < len ? m->msg_len : len;
	memcpy(data, io->in[io->next], got);
	if (from && fromlen) {
		socklen_t l = m->msg_hdr.msg_namelen;

		if (l > *fromlen)
			l = *fromlen;
		memcpy(from, &io->infrom[io->next], l);
		*fromlen = m->msg_hdr.msg_namelen;
	}
	io->next++;
	return (ares_ssize_t)got;
}

static const struct ares_socket_functions funcs = {
	io_socket, io_close, io_connect, io_recvfrom, io_sendv,
};

struct dnsio *
dnsio_attach(ares_channel ch, int rcvbuf)
{
	struct dnsio *io = xcalloc(1, sizeof *io);

	io->rcvbuf = rcvbuf;
	io->infd = ARES_SOCKET_BAD;
	buf_init(&io->outbuf, 0);
	ares_set_socket_functions(ch, &funcs, io);
	return io;
}

void
dnsio_free(struct dnsio *io)
{
	if (!io)
		return;
	free(io->udp);
	free(io->out);
	buf_release(&io->outbuf);
	free(io->in);
	free(io);
}

/* Wait until fd can take a datagram; 0 when it can. */
static int
wait_room(ares_socket_t fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, FULL_WAIT) == 1 && (p.revents & POLLOUT) ? 0 : -1;
}

/* Send out[from..to), all on one socket. */
static void
send_run(struct dnsio *io, size_t from, size_t to)
{
	struct mmsghdr m[DNSIO_BATCH];
	struct iovec v[DNSIO_BATCH];
	ares_socket_t fd = io->out[from].fd;
	int fails = 0;

	while (from < to) {
		size_t n = to - from < DNSIO_BATCH ? to - from : DNSIO_BATCH;
		int sent;

		for (size_t i = 0; i < n; i++) {
			v[i].iov_base = io->outbuf.data + io->out[from + i].off;
			v[i].iov_len = io->out[from + i].len;
			memset(&m[i], 0, sizeof m[i]);
			m[i].msg_hdr.msg_iov = &v[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(fd, m, (unsigned)n, MSG_NOSIGNAL);
		if (sent > 0) {
			from += (size_t)sent;
			fails = 0;
			continue;
		}
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    wait_room(fd) == 0)
			continue;
		/* EINTR, or the error an earlier datagram left (a port
		 * unreachable: ECONNREFUSED, cleared by being told): again;
		 * else this datagram is lost, as the network could lose it */
		if (++fails > 2 || (errno != EINTR && errno != ECONNREFUSED)) {
			from++;
			fails = 0;
		}
	}
}

void
dnsio_flush(struct dnsio *io)
{
	size_t i = 0;

	while (i < io->nout) {
		size_t j = i + 1;

		while (j < io->nout && io->out[j].fd == io->out[i].fd)
			j++;
		send_run(io, i, j);
		i = j;
	}
	io->nout = 0;
	buf_reset(&io->outbuf);
}

ares_socket_t
dnsio_buffered(const struct dnsio *io)
{
	return io->next < io->nin ? io->infd : ARES_SOCKET_BAD;
}
