/*
 * util.h: allocation that cannot fail, and small string helpers.
 *
 * The library never exits, with one exception: when memory runs out, the
 * x*alloc functions print "mkit: out of memory" and abort(). Every other
 * failure is returned to the caller through struct err (err.h).
 */
#ifndef MKIT_UTIL_H
#define MKIT_UTIL_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Both return a NUL-terminated copy the caller frees. */
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);

/* ASCII-only case-insensitive compare of n bytes (locale independent). */
int mem_casecmp(const void *a, const void *b, size_t n);
/* Does s (len bytes) start with the NUL-terminated prefix, ignoring case? */
int has_prefix_ci(const char *s, size_t len, const char *prefix);

/* path for messages, with $HOME shown as "~" ("~/.netrc"); a new string
 * the caller frees. */
char *path_tilde(const char *path);

/* Overwrite n bytes at p with zeros in a way the compiler keeps (a secret
 * about to be freed or to go out of scope). p may be NULL when n is 0. */
void secure_wipe(void *p, size_t n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
