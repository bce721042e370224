/*
 * dlsyms.c: a shared library's functions into a table (dlsyms.h).
 */
#include "config.h"

#include <dlfcn.h>

#include "net/dlsyms.h"

const char *
dlsyms_open(const char *soname, const struct dlsym_ent *ents, size_t n,
	void *table)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!h)
		return dlerror();
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, ents[i].name);

		if (!p) {
			why = dlerror();
			dlclose(h);
			return why;
		}
		*(void **)((char *)table + ents[i].off) = p;
	}
	return NULL;
}
