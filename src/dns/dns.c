/*
 * dns.c: the resolver: one c-ares channel, our poll loop, answers read by
 * dnsmsg.c. RFC 1035 4.2 (UDP, then TCP when truncated), RFC 6891 (EDNS, a
 * 1232-byte UDP payload as DNS Flag Day 2020 advises), RFC 6840 5.7 (the AD
 * bit in a query asks a validating resolver to report it).
 */
#include "config.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/buf.h"
#include "base/hchain.h"
#include "base/util.h"
#include "dns/dns.h"
#include "dns/dnscache.h"
#include "dns/dnsio.h"

#define EDNS_SIZE 1232
#define TRIES 2
/* The receive buffer of each UDP socket (set by dnsio.c). The default
 * (208 KB on Linux) holds about 200 answers: with hundreds of queries in
 * flight (--batch) their answers come back in a burst, and each one the
 * buffer drops costs a whole timeout. The kernel caps it at
 * net.core.rmem_max. */
#define RCVBUF (4 << 20)
/* Hash buckets of the questions in flight, at first; the table grows 4x
 * when it holds twice as many. */
#define BUCKETS 256
/* The most answers kept (dnscache.h): a few hundred bytes each. */
#define CACHE_MAX 10000
/* Random query IDs drawn from the kernel at a time. */
#define IDPOOL 128

/*
 * One question on the wire and every query waiting for its answer. A
 * question asked again while its answer is awaited (the same MX host, SPF
 * include or _dmarc of many domains in --batch, or of one report) joins
 * the flight instead of going out again: every waiter gets the answer,
 * parsed for itself. Once the answer is in, it is kept for its TTL
 * (dnscache.h) and the same question asked later is answered from there.
 */
struct flight {
	struct hnode node;	/* first: its hash, its chain */
	struct dns *d;
	char *key;		/* the name in lower case, no final dot */
	int type;
	uint16_t id;		/* the query ID on the wire */
	struct query *waiters;	/* in the order asked */
	struct query **tail;
};

struct dns {
	ares_channel ch;
	struct dnsio *io;	/* its UDP traffic, batched */
	struct dnscache *cache;	/* the answers in, for their TTL */
	int trusted;
	int pending;		/* queries whose callback has not run */
	struct query *ready;	/* answered without the network */
	struct dns_group *group;	/* counts the queries asked now */
	struct hchain flights;	/* the questions in flight */
	/* Query IDs: random (RFC 5452 9.2: with one source port, the ID is
	 * all an off-path forger has to guess), and none used twice while
	 * in flight. c-ares sends the ID the query carries. */
	uint16_t idpool[IDPOOL];
	size_t idleft;
	uint8_t idbusy[65536 / 8];
};

struct query {
	struct dns *d;
	char *name;
	int type;
	dns_cb *cb;
	void *arg;
	struct dnsmsg *m;	/* for ready queries */
	struct query *next;
	struct dns_group *group;
};

int
dns_addr_is_loopback(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, s, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
			(IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

/* Each server of the channel, as text, to fn. */
static void
each_server(const struct dns *d, void (*fn)(void *, const char *, int),
	void *arg)
{
	struct ares_addr_port_node *list = NULL, *n;
	char addr[INET6_ADDRSTRLEN];

	if (ares_get_servers_ports(d->ch, &list) != ARES_SUCCESS)
		return;
	for (n = list; n; n = n->next) {
		if (!inet_ntop(n->family, &n->addr, addr, sizeof addr))
			continue;
		fn(arg, addr, n->udp_port ? n->udp_port : 53);
	}
	ares_free_data(list);
}

static void
count_untrusted(void *arg, const char *addr, int port)
{
	int *n = arg;

	if (!dns_addr_is_loopback(addr))
		(*n)++;
}

static void
add_server(void *arg, const char *addr, int port)
{
	struct buf *b = arg;

	buf_addf(b, "%s%s%s%s:%d", b->len ? ", " : "",
		strchr(addr, ':') ? "[" : "", addr,
		strchr(addr, ':') ? "]" : "", port);
}

void
dns_servers(const struct dns *d, char *out, size_t size)
{
	struct buf b = BUF_INIT;

	each_server(d, add_server, &b);
	snprintf(out, size, "%s", b.len ? b.data : "none");
	buf_release(&b);
}

int
dns_trusts_ad(const struct dns *d)
{
	return d->trusted;
}

struct dns *
dns_new(const struct dns_opts *o, struct err *e)
{
	struct ares_options ao;
	struct dns *d;
	struct buf csv = BUF_INIT;
	int untrusted = 0, rc;

	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		err_set(e, ERR_SOFTWARE, "c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->cache = dnscache_new(CACHE_MAX);
	hchain_init(&d->flights, BUCKETS);
	memset(&ao, 0, sizeof ao);
	/* NOCHECKRESP: a SERVFAIL or REFUSED answer comes to us as it is.
	 * Without it c-ares 1.18 moves on and, at the end, reports the
	 * failure as "connection refused", losing what the server said. */
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS |
		ARES_FLAG_NOCHECKRESP;
	ao.tries = TRIES;
	/* c-ares doubles the wait on each round: t + 2t fits the bound. */
	ao.timeout = (o->timeout_ms > 0 ? o->timeout_ms : 5000) / 3;
	if (ao.timeout < 1)
		ao.timeout = 1;
	ao.ednspsz = EDNS_SIZE;
	rc = ares_init_options(&d->ch, &ao, ARES_OPT_FLAGS | ARES_OPT_TRIES |
		ARES_OPT_TIMEOUTMS | ARES_OPT_EDNSPSZ);
	if (rc != ARES_SUCCESS) {
		err_set(e, ERR_CONFIG, "resolver: %s", ares_strerror(rc));
		goto fail;
	}
	d->io = dnsio_attach(d->ch, RCVBUF);
	for (size_t i = 0; i < o->nservers; i++)
		buf_addf(&csv, "%s%s", i ? "," : "", o->servers[i]);
	if (o->nservers) {
		rc = ares_set_servers_ports_csv(d->ch, csv.data);
		if (rc != ARES_SUCCESS) {
			err_set(e, ERR_USAGE, "bad resolver address \"%s\" "
				"(IP or IP:PORT, [IPv6]:PORT)", csv.data);
			goto fail;
		}
	}
	each_server(d, count_untrusted, &untrusted);
	d->trusted = o->trust_ad || untrusted == 0;
	buf_release(&csv);
	return d;
fail:
	buf_release(&csv);
	dns_free(d);
	return NULL;
}

void
dns_free(struct dns *d)
{
	if (!d)
		return;
	if (d->ch)
		ares_destroy(d->ch);	/* runs pending callbacks */
	dnsio_free(d->io);
	dnscache_free(d->cache);
	while (d->ready) {
		struct query *q = d->ready;

		d->ready = q->next;
		dnsmsg_free(q->m);
		free(q->name);
		free(q);
	}
	hchain_release(&d->flights, NULL);
	free(d);
	ares_library_cleanup();
}

static void
deliver(struct query *q, struct dnsmsg *m)
{
	struct dns *d = q->d;

	struct dns_group *outer = d->group;

	m->ad_trusted = m->ad && d->trusted;
	d->pending--;
	/* what the callback asks belongs to the same group */
	d->group = q->group;
	q->cb(q->arg, m);
	d->group = outer;
	if (q->group)
		q->group->pending--;
	free(q->name);
	free(q);
}

/* The answer (or the failure) of one waiter, read for its own name. */
static struct dnsmsg *
answer_of(const struct query *q, int status, const unsigned char *abuf,
	int alen)
{
	struct dnsmsg *m = xcalloc(1, sizeof *m);
	const char *why = NULL;

	m->qname = xstrdup(q->name);
	m->qtype = q->type;
	m->rcode = -1;
	switch (status) {
	case ARES_SUCCESS:
		dnsmsg_parse(m, abuf, (size_t)alen, q->name, q->type, NULL);
		break;
	case ARES_ESERVFAIL:
		m->status = DNSMSG_SERVFAIL;
		why = "server failure";
		break;
	case ARES_EREFUSED:
		m->status = DNSMSG_REFUSED;
		why = "query refused";
		break;
	case ARES_ETIMEOUT:
		m->status = DNSMSG_TIMEOUT;
		why = "no answer in time";
		break;
	case ARES_ECONNREFUSED:
		m->status = DNSMSG_TIMEOUT;
		why = "no server answers (connection refused)";
		break;
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		m->status = DNSMSG_TIMEOUT;
		why = "query cancelled";
		break;
	default:
		m->status = DNSMSG_BAD;
		why = ares_strerror(status);
		break;
	}
	if (why)
		snprintf(m->why, sizeof m->why, "%s", why);
	return m;
}

static uint64_t
flight_hash(const char *key, int type)
{
	return str_hash64(key) ^ (uint64_t)type * 0x9e3779b97f4a7c15ull;
}

/* The flight of (key, type), or NULL. */
static struct flight *
flight_find(const struct dns *d, const char *key, int type, uint64_t h)
{
	struct hnode *x = *hchain_at(&d->flights, h);

	for (; x; x = x->next) {
		struct flight *f = (struct flight *)x;

		if (x->hash == h && f->type == type &&
		    strcmp(f->key, key) == 0)
			return f;
	}
	return NULL;
}

static struct flight *
flight_new(struct dns *d, char *key, int type, uint64_t h)
{
	struct flight *f = xcalloc(1, sizeof *f);

	f->d = d;
	f->key = key;
	f->type = type;
	f->node.hash = h;
	f->tail = &f->waiters;
	hchain_add(&d->flights, &f->node);
	return f;
}

static void
flight_unlink(struct flight *f)
{
	struct hnode **p = hchain_at(&f->d->flights, f->node.hash);

	while (*p != &f->node)
		p = &(*p)->next;
	hchain_unlink(&f->d->flights, p);
}

/* A random query ID not in flight. With more than 60,000 in flight the
 * search may give up and share one: c-ares also matches the question. */
static uint16_t
id_take(struct dns *d)
{
	uint16_t id = 0;

	for (int tries = 0; tries < 16; tries++) {
		if (!d->idleft) {
			/* 256 bytes: cannot fail (Linux 3.17 and later) */
			if (getrandom(d->idpool, sizeof d->idpool, 0) !=
			    (ssize_t)sizeof d->idpool)
				abort();
			d->idleft = IDPOOL;
		}
		id = d->idpool[--d->idleft];
		if (!(d->idbusy[id >> 3] & 1u << (id & 7)))
			break;
	}
	d->idbusy[id >> 3] |= (uint8_t)(1u << (id & 7));
	return id;
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
	int alen)
{
	struct flight *f = arg;
	struct query *q = f->waiters;

	/* what the callbacks ask, even this question, is answered from the
	 * cache or goes out anew */
	flight_unlink(f);
	if (status == ARES_SUCCESS && alen > 0)
		dnscache_put(f->d->cache, f->key, f->type, f->node.hash, abuf,
			(size_t)alen);
	f->d->idbusy[f->id >> 3] &= (uint8_t)~(1u << (f->id & 7));
	while (q) {
		struct query *next = q->next;

		deliver(q, answer_of(q, status, abuf, alen));
		q = next;
	}
	free(f->key);
	free(f);
}

/* name in lower case without its final dot, a new string */
static char *
flight_key(const char *name)
{
	char *k = xstrdup(name);
	size_t n = strlen(k);

	if (n > 1 && k[n - 1] == '.')
		k[n - 1] = '\0';
	for (char *p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

void
dns_query(struct dns *d, const char *name, int type, dns_cb *cb, void *arg)
{
	struct query *q = xcalloc(1, sizeof *q);
	struct flight *f;
	unsigned char *buf = NULL;
	const unsigned char *kept;
	size_t keptlen;
	char *key;
	uint64_t h;
	int len = 0, rc;

	q->d = d;
	q->name = xstrdup(name);
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	q->group = d->group;
	if (q->group)
		q->group->pending++;
	d->pending++;
	key = flight_key(name);
	h = flight_hash(key, type);
	kept = dnscache_get(d->cache, key, type, h, &keptlen);
	if (kept) {
		free(key);
		q->m = answer_of(q, ARES_SUCCESS, kept, (int)keptlen);
		q->next = d->ready;
		d->ready = q;
		return;
	}
	f = flight_find(d, key, type, h);
	if (f) {
		free(key);
		*f->tail = q;
		f->tail = &q->next;
		return;
	}
	rc = ares_create_query(name, ns_c_in, type, 0, 1, &buf, &len,
		EDNS_SIZE);
	if (rc != ARES_SUCCESS || len < 12) {
		free(key);
		q->m = xcalloc(1, sizeof *q->m);
		q->m->qname = xstrdup(name);
		q->m->qtype = type;
		q->m->rcode = -1;
		q->m->status = DNSMSG_BAD;
		snprintf(q->m->why, sizeof q->m->why, "cannot ask: %s",
			ares_strerror(rc));
		q->next = d->ready;
		d->ready = q;
		if (buf)
			ares_free_string(buf);
		return;
	}
	buf[3] |= 0x20;		/* AD: tell us what you validated */
	f = flight_new(d, key, type, h);
	*f->tail = q;
	f->tail = &q->next;
	f->id = id_take(d);
	buf[0] = (unsigned char)(f->id >> 8);
	buf[1] = (unsigned char)f->id;
	ares_send(d->ch, buf, len, on_answer, f);
	ares_free_string(buf);
}

void
dns_group_set(struct dns *d, struct dns_group *g)
{
	d->group = g;
}

int
dns_pending(const struct dns *d)
{
	return d->pending;
}

int
dns_run(struct dns *d, struct err *e)
{
	while (d->pending > 0)
		if (dns_step(d, e) < 0)
			return -1;
	return 0;
}

int
dns_step(struct dns *d, struct err *e)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM], held;
	struct pollfd pfd[ARES_GETSOCK_MAXNUM];
	struct timeval tv, *tvp;
	unsigned bits;
	int n = 0, ms, rc;

	while (d->ready) {
		struct query *q = d->ready;

		d->ready = q->next;
		deliver(q, q->m);
	}
	if (d->pending == 0)
		return 0;
	/* what the callbacks asked goes out now, in one go */
	dnsio_flush(d->io);
	held = dnsio_buffered(d->io);
	if (held != ARES_SOCKET_BAD) {
		ares_process_fd(d->ch, held, ARES_SOCKET_BAD);
		return 0;
	}
	/* ARES_GETSOCK_WRITABLE shifts a signed 1 into the sign bit */
	bits = (unsigned)ares_getsock(d->ch, socks,
		ARES_GETSOCK_MAXNUM);
	for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short ev = 0;

		if (bits & 1u << i)
			ev |= POLLIN;
		if (bits & 1u << (i + ARES_GETSOCK_MAXNUM))
			ev |= POLLOUT;
		if (!ev)
			continue;
		pfd[n].fd = socks[i];
		pfd[n].events = ev;
		pfd[n].revents = 0;
		n++;
	}
	tvp = ares_timeout(d->ch, NULL, &tv);
	ms = tvp ? (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000)
		: 1000;
	rc = poll(pfd, (nfds_t)n, ms);
	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		return err_sys(e, ERR_OS, errno, "poll");
	}
	if (rc == 0) {
		ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		short r = pfd[i].revents;

		ares_process_fd(d->ch,
			r & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd :
			ARES_SOCKET_BAD,
			r & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
	}
	return 0;
}
