/*
 * t_hchain: the chained hash table of mdig-mx's questions and answers:
 * nodes found through their chain as it grows from 4 buckets to many,
 * hashes that share their low bits kept apart, unlinking from the front,
 * the middle and the end of a chain, and the release handing every node
 * still linked to its owner once.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "base/hchain.h"
#include "base/util.h"
#include "tap.h"

#define N 5000

struct item {
	struct hnode node;	/* first, as hchain.h wants */
	unsigned key;
	int freed;
};

static struct item items[N];
static unsigned nfreed;

/* Low bits shared by groups of 8 keys: long chains at every size. */
static uint64_t
hash_of(unsigned key)
{
	return ((uint64_t)key << 40) | (key / 8);
}

static struct item *
lookup(const struct hchain *t, unsigned key)
{
	struct hnode *x = *hchain_at(t, hash_of(key));

	for (; x; x = x->next)
		if (x->hash == hash_of(key) && ((struct item *)x)->key == key)
			return (struct item *)x;
	return NULL;
}

/* Unlink the item of key: 1, or 0 when it is not linked. */
static int
drop(struct hchain *t, unsigned key)
{
	struct hnode **p = hchain_at(t, hash_of(key));

	for (; *p; p = &(*p)->next)
		if (((struct item *)*p)->key == key) {
			hchain_unlink(t, p);
			return 1;
		}
	return 0;
}

static void
count_free(struct hnode *x)
{
	((struct item *)x)->freed++;
	nfreed++;
}

int
main(void)
{
	struct hchain t;
	unsigned i, found = 0, gone = 0, twice = 0;

	hchain_init(&t, 4);
	for (i = 0; i < N; i++) {
		items[i].key = i;
		items[i].node.hash = hash_of(i);
		hchain_add(&t, &items[i].node);
	}
	tap_int((long long)t.n, N, "every node linked");
	tap_ok(t.nbuckets >= N / 2 && (t.nbuckets & (t.nbuckets - 1)) == 0,
		"grown 4x at a time to a power of 2 (%zu buckets)",
		t.nbuckets);
	for (i = 0; i < N; i++)
		found += lookup(&t, i) == &items[i];
	tap_int(found, N, "each node found through its chain after growing");
	tap_ok(!lookup(&t, N + 1), "a key never added: not found");
	/* every third key out: fronts, middles and ends of the chains */
	for (i = 0; i < N; i += 3)
		gone += drop(&t, i);
	tap_int((long long)t.n, N - gone, "unlinked ones no longer counted");
	for (i = 0, found = 0; i < N; i++)
		found += (lookup(&t, i) != NULL) == (i % 3 != 0);
	tap_int(found, N, "the unlinked gone, the others still found");
	tap_int(drop(&t, 0), 0, "unlinked once only");
	hchain_release(&t, count_free);
	for (i = 0; i < N; i++)
		twice += items[i].freed != (i % 3 != 0);
	tap_int(nfreed, N - gone, "release hands over every linked node");
	tap_int(twice, 0, "each once, none of the unlinked");
	tap_ok(!t.bucket && !t.n, "released: empty");
	return tap_done();
}
