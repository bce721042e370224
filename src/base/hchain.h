/*
 * hchain.h: a hash table of chained nodes, for the tables that grow with
 * a run (mdig-mx's questions in flight and its answers kept for their
 * TTL). Intrusive: the caller's struct holds a struct hnode as its first
 * member (so that a node casts back to it) and sets its hash; the table
 * only links nodes, it neither allocates nor frees them. The buckets start
 * at the count given (a power of 2) and grow 4x once they hold twice as
 * many nodes: a table sized for the most would cost its pages in every
 * run. A lookup walks the chain of its hash and compares its own keys.
 */
#ifndef MKIT_HCHAIN_H
#define MKIT_HCHAIN_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;	/* in its bucket */
	uint64_t hash;
};

struct hchain {
	struct hnode **bucket;
	size_t nbuckets;	/* a power of 2 */
	size_t n;		/* nodes linked */
};

/* An empty table of nbuckets buckets (a power of 2). */
void hchain_init(struct hchain *t, size_t nbuckets);

/* Link x, its hash set, at the front of its chain. */
void hchain_add(struct hchain *t, struct hnode *x);

/*
 * The link to the first node of h's chain: walk it with p = &(*p)->next
 * while *p, and take *p out with hchain_unlink(t, p).
 */
struct hnode **hchain_at(const struct hchain *t, uint64_t h);

/* Take the node *p points at out of its chain (p from hchain_at()). */
void hchain_unlink(struct hchain *t, struct hnode **p);

/* Take every node out, each handed to fn (which may free it), then free
 * the buckets. fn may be NULL when no node is left. */
void hchain_release(struct hchain *t, void (*fn)(struct hnode *));

#endif
