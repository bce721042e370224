/* dnscache.c: see dnscache.h. */
#include "config.h"

#include <arpa/nameser.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hchain.h"
#include "base/util.h"
#include "dns/dnscache.h"

struct entry {
	struct hnode node;	/* first: its hash, its chain */
	char *key;
	int type;
	int64_t expires;	/* CLOCK_MONOTONIC, ms */
	unsigned char *msg;
	size_t len;
};

/* Hash buckets at first (hchain.h: 4x more when they hold twice as many
 * answers). */
#define BUCKETS 256

struct dnscache {
	struct hchain t;
	size_t max;
};

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct dnscache *
dnscache_new(size_t max)
{
	struct dnscache *c = xcalloc(1, sizeof *c);

	c->max = max;
	hchain_init(&c->t, BUCKETS);
	return c;
}

static void
entry_free(struct hnode *x)
{
	struct entry *e = (struct entry *)x;

	free(e->key);
	free(e->msg);
	free(e);
}

void
dnscache_free(struct dnscache *c)
{
	if (!c)
		return;
	hchain_release(&c->t, entry_free);
	free(c);
}

/* The smaller of a and b, a < 0 meaning none yet. */
static long
least(long a, long b)
{
	return a < 0 || b < a ? b : a;
}

/* How long msg may be kept, in seconds; -1: not at all. */
static long
ttl_of(const unsigned char *msg, size_t len)
{
	ns_msg h;
	ns_rr rr;
	long ttl = -1, neg = -1;
	int rcode;

	if (len > 65535 || ns_initparse(msg, (int)len, &h) < 0)
		return -1;
	rcode = ns_msg_getflag(h, ns_f_rcode);
	if ((rcode != ns_r_noerror && rcode != ns_r_nxdomain) ||
	    ns_msg_getflag(h, ns_f_tc))
		return -1;
	for (int i = 0; i < ns_msg_count(h, ns_s_an); i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			return -1;
		ttl = least(ttl, (long)ns_rr_ttl(rr));
	}
	/* RFC 2308 5: a negative answer lasts as long as the SOA record
	 * and its MINIMUM field, the smaller */
	for (int i = 0; i < ns_msg_count(h, ns_s_ns); i++) {
		const unsigned char *rd;

		if (ns_parserr(&h, ns_s_ns, i, &rr) < 0)
			return -1;
		if (ns_rr_type(rr) != ns_t_soa || ns_rr_rdlen(rr) < 4)
			continue;
		rd = ns_rr_rdata(rr) + ns_rr_rdlen(rr) - 4;
		neg = least(least(neg, (long)ns_rr_ttl(rr)),
			(long)((uint32_t)rd[0] << 24 | (uint32_t)rd[1] << 16 |
			(uint32_t)rd[2] << 8 | rd[3]));
	}
	if (rcode == ns_r_nxdomain || ns_msg_count(h, ns_s_an) == 0)
		ttl = neg < 0 ? -1 : least(ttl, neg);
	return ttl > 0 ? ttl : -1;
}

/* The entry of (key, type), NULL when none; an expired one is dropped. */
static struct entry *
find(struct dnscache *c, const char *key, int type, uint64_t h)
{
	struct hnode **p = hchain_at(&c->t, h);

	for (; *p; p = &(*p)->next) {
		struct entry *e = (struct entry *)*p;

		if (e->node.hash != h || e->type != type ||
		    strcmp(e->key, key))
			continue;
		if (e->expires > now_ms())
			return e;
		hchain_unlink(&c->t, p);
		entry_free(&e->node);
		return NULL;
	}
	return NULL;
}

void
dnscache_put(struct dnscache *c, const char *key, int type, uint64_t h,
	const unsigned char *msg, size_t len)
{
	long ttl;
	struct entry *e;

	if (c->t.n >= c->max || find(c, key, type, h))
		return;
	ttl = ttl_of(msg, len);
	if (ttl < 0)
		return;
	e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	e->type = type;
	e->node.hash = h;
	e->expires = now_ms() + (int64_t)ttl * 1000;
	e->msg = xmalloc(len);
	memcpy(e->msg, msg, len);
	e->len = len;
	hchain_add(&c->t, &e->node);
}

const unsigned char *
dnscache_get(struct dnscache *c, const char *key, int type, uint64_t h,
	size_t *len)
{
	struct entry *e = find(c, key, type, h);

	if (!e)
		return NULL;
	*len = e->len;
	return e->msg;
}
