/* hchain.c: see hchain.h. */
#include <config.h>

#include <stdlib.h>

#include "base/hchain.h"
#include "base/util.h"

void
hchain_init(struct hchain *t, size_t nbuckets)
{
	t->nbuckets = nbuckets;
	t->bucket = xcalloc(nbuckets, sizeof *t->bucket);
	t->n = 0;
}

/* 4x the buckets, every node moved to its chain among them. */
static void
grow(struct hchain *t)
{
	size_t n = t->nbuckets * 4;
	struct hnode **b = xcalloc(n, sizeof *b);

	for (size_t i = 0; i < t->nbuckets; i++)
		while (t->bucket[i]) {
			struct hnode *x = t->bucket[i];

			t->bucket[i] = x->next;
			x->next = b[x->hash & (n - 1)];
			b[x->hash & (n - 1)] = x;
		}
	free(t->bucket);
	t->bucket = b;
	t->nbuckets = n;
}

void
hchain_add(struct hchain *t, struct hnode *x)
{
	struct hnode **b;

	if (t->n >= 2 * t->nbuckets)
		grow(t);
	b = &t->bucket[x->hash & (t->nbuckets - 1)];
	x->next = *b;
	*b = x;
	t->n++;
}

struct hnode **
hchain_at(const struct hchain *t, uint64_t h)
{
	return &t->bucket[h & (t->nbuckets - 1)];
}

void
hchain_unlink(struct hchain *t, struct hnode **p)
{
	*p = (*p)->next;
	t->n--;
}

void
hchain_release(struct hchain *t, void (*fn)(struct hnode *))
{
	for (size_t i = 0; i < t->nbuckets; i++)
		while (t->bucket[i]) {
			struct hnode *x = t->bucket[i];

			hchain_unlink(t, &t->bucket[i]);
			if (fn)
				fn(x);
		}
	free(t->bucket);
	t->bucket = NULL;
	t->nbuckets = t->n = 0;
}
