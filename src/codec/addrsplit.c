/* addrsplit.c: see addrsplit.h; the parsing is done by addr.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/addr.h"
#include "codec/addrsplit.h"

void
addrvec_push(struct addrvec *av, const char *s, size_t len)
{
	if (av->n == av->alloc) {
		av->alloc = av->alloc ? av->alloc * 2 : 8;
		av->v = xrealloc(av->v, av->alloc * sizeof(*av->v));
	}
	av->v[av->n++] = xmemdup(s, len);
}

void
addrvec_release(struct addrvec *av)
{
	size_t i;

	for (i = 0; i < av->n; i++)
		free(av->v[i]);
	free(av->v);
	av->v = NULL;
	av->n = av->alloc = 0;
}

int
addrsplit(const char *s, size_t len, struct addrvec *out, struct err *err)
{
	struct addr_list l = ADDR_LIST_INIT;
	size_t i;
	int count = 0;

	(void)err;
	addr_parse(s, len, 0, &l);
	for (i = 0; i < l.n; i++)
		if (l.v[i].spec && *l.v[i].spec) {
			addrvec_push(out, l.v[i].spec, strlen(l.v[i].spec));
			count++;
		}
	addr_list_release(&l);
	return count;
}
