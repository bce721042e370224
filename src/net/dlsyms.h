/*
 * dlsyms.h: a shared library opened on first use, its functions into a
 * table: what curlload.c (libcurl) and sslload.c (OpenSSL) share.
 */
#ifndef MKIT_NET_DLSYMS_H
#define MKIT_NET_DLSYMS_H

#include <stddef.h>

/* One function: its name and where its address goes in the table. */
struct dlsym_ent {
	const char *name;
	size_t off;
};

/*
 * Open soname (RTLD_NOW, RTLD_LOCAL) and store the address of each of the
 * n functions of ents in table at its offset; a function of a library
 * soname depends on is found too. NULL when all are found, else dlerror's
 * words (static storage), the library closed again and the table to be
 * left unused. Not thread-safe: call it under pthread_once.
 */
const char *dlsyms_open(const char *soname, const struct dlsym_ent *ents,
	size_t n, void *table);

#endif
