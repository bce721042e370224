/*
 * dns.h: asynchronous DNS queries over c-ares, many in flight at once.
 *
 * Why c-ares and not libresolv's res_nquery: a mail report asks dozens of
 * questions whose order is a tree (MX, then each host's A and AAAA, SPF
 * includes, ...). res_nquery waits for each answer in turn; one c-ares
 * channel keeps them all in flight, so a report costs the depth of the tree
 * in round trips. Measured against NSD behind a 20 ms delay, 50 queries:
 * see the commit that brought this file. c-ares handles the transport
 * (UDP, TCP on truncation, retries, query IDs); the answer is read by
 * dnsmsg.h.
 *
 * A question asked while the same one (name in any case, type) awaits
 * its answer is not sent again: every asker gets that answer. mdig-mx
 * --batch of 1,000 generated domains sharing MX hosts, SPF includes and
 * _dmarc parents (make bench-mdig-mx) sent 3,457 queries instead of
 * 10,000. Once in, an answer is kept for its TTL and the same question
 * asked later is answered from memory (dnscache.h): the third level of an
 * SPF tree often asks what another domain's second level already had.
 *
 * Each question goes out with a random ID that no other question in
 * flight has (c-ares 1.18 sends the ID the query carries), and the UDP
 * datagrams go out and come in by the batch (dnsio.h).
 *
 * Usage: dns_new, then dns_query for each question (also from inside a
 * callback, for the next level of the tree), then dns_run until every
 * callback has run, then dns_free.
 */
#ifndef MKIT_DNS_H
#define MKIT_DNS_H

#include "base/err.h"
#include "dns/dnsmsg.h"

struct dns;

struct dns_opts {
	/* Servers "IP" or "IP:PORT" ("[v6]:PORT"); none: the system's
	 * resolver from /etc/resolv.conf. */
	const char *const *servers;
	size_t nservers;
	/* Bound on one query in milliseconds, retries included, per server;
	 * 0 means 5000. */
	int timeout_ms;
	/* Believe the AD bit even from a resolver that is not on loopback
	 * (the caller knows the path to it is secure). */
	int trust_ad;
};

/* The answer to one query; the callee owns m (dnsmsg_release, free). */
typedef void dns_cb(void *arg, struct dnsmsg *m);

/* A new resolver, or NULL with e: ERR_USAGE for a server that does not
 * parse, ERR_CONFIG when the system configuration cannot be read. */
struct dns *dns_new(const struct dns_opts *o, struct err *e);
void dns_free(struct dns *d);
/* Ask (name, type) with the AD bit set and EDNS; cb runs from dns_run with
 * the answer, whatever it is (a timeout too). Never fails: a name that
 * cannot be sent (too long, bad label) gets a DNSMSG_BAD answer. */
void dns_query(struct dns *d, const char *name, int type, dns_cb *cb,
	void *arg);
/* Wait for answers and run their callbacks until no query is pending.
 * 0, or -1 with e when poll(2) fails (ERR_OS). */
int dns_run(struct dns *d, struct err *e);
/* Wait once for answers (up to the next timeout) and run the callbacks of
 * those in: for a caller that asks more as others finish (mdig-mx --batch).
 * 0 (also when nothing is pending), or -1 with e as dns_run. */
int dns_step(struct dns *d, struct err *e);
/* Queries not yet answered. */
int dns_pending(const struct dns *d);

/* A set of queries whose end one waits for: the queries asked while it is
 * set (dns_group_set), and those their callbacks ask in turn, count in
 * pending until their callback has run. One report of many on a channel. */
struct dns_group {
	int pending;
};
/* Count the queries asked from now on in g (NULL: in none). */
void dns_group_set(struct dns *d, struct dns_group *g);

/* Does the AD bit from d's servers count (all on loopback, or trust_ad)? */
int dns_trusts_ad(const struct dns *d);
/* Is the numeric address s (IPv4 or IPv6, no port) on loopback? */
int dns_addr_is_loopback(const char *s);
/* The servers in use, "IP:PORT" joined by ", ", into out. */
void dns_servers(const struct dns *d, char *out, size_t size);

#endif
