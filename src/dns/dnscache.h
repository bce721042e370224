/*
 * dnscache.h: the answers of one resolver (struct dns) kept for their TTL.
 *
 * A report's lookup tree, and the trees of a --batch's domains, share
 * names: the SPF include that another include includes, the MX hosts of a
 * provider. A question asked again once its answer is in used to go out
 * again and cost one more round trip at the next level of the tree
 * (make bench-mdig-mx: the third SPF level). An answer is kept as it came
 * (the raw message, read again for each asker) for its TTL (RFC 1035
 * 3.2.1; a negative answer for its SOA's, RFC 2308 5), so it is what the
 * resolver would give from its own cache. Only NOERROR and NXDOMAIN
 * answers that are not truncated are kept; failures and timeouts never.
 * At most a fixed number are kept: beyond it, new answers are not.
 */
#ifndef MKIT_DNSCACHE_H
#define MKIT_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

struct dnscache;

/* A cache of at most max answers. */
struct dnscache *dnscache_new(size_t max);
void dnscache_free(struct dnscache *c);
/* Keep the answer msg (len bytes) to (key, type) (key in lower case,
 * without its final dot; h its hash) when it is one to keep. */
void dnscache_put(struct dnscache *c, const char *key, int type, uint64_t h,
	const unsigned char *msg, size_t len);
/* The answer kept for (key, type) and still within its TTL, and its
 * length in *len; NULL when none. Owned by c, valid until the next call. */
const unsigned char *dnscache_get(struct dnscache *c, const char *key,
	int type, uint64_t h, size_t *len);

#endif
