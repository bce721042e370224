/*
 * dnsio.h: c-ares's UDP traffic in batches of system calls.
 *
 * c-ares sends each query with its own send(2) and reads each answer with
 * its own recvfrom(2), and one more that finds the socket empty. With
 * hundreds of queries in flight (mdig-mx --batch) those calls, and the
 * wake-up of the server's side on every datagram, were half the CPU time
 * (perf, 1,000 domains of make bench-mdig-mx). Given to c-ares as its
 * socket functions, dnsio queues each datagram c-ares sends and sends the
 * queue with sendmmsg(2), DNSIO_BATCH at a time or when the caller is
 * about to wait (dnsio_flush), and reads up to 16 datagrams with one
 * recvmmsg(2), handing them to c-ares one by one. TCP goes straight
 * through.
 */
#ifndef MKIT_DNSIO_H
#define MKIT_DNSIO_H

#include <ares.h>

/* Datagrams sent with one sendmmsg(2) */
#define DNSIO_BATCH 64

struct dnsio;

/* A new dnsio used by ch from now on, its UDP sockets with a receive
 * buffer of rcvbuf bytes; free it after ares_destroy(ch). */
struct dnsio *dnsio_attach(ares_channel ch, int rcvbuf);
void dnsio_free(struct dnsio *io);
/* Send every queued datagram. A datagram the kernel refuses is lost as
 * a datagram lost on the way would be: its query is retried by c-ares
 * after its timeout. */
void dnsio_flush(struct dnsio *io);
/* A socket whose datagrams were read from the kernel and not all taken
 * by c-ares yet (poll(2) would not say so), or ARES_SOCKET_BAD. */
ares_socket_t dnsio_buffered(const struct dnsio *io);

#endif
