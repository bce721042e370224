/*
 * addrsplit.h: envelope addresses out of RFC 5322 address lists (msend -t).
 *
 * A thin layer over the codecs' parser (addr.h): it keeps only the
 * addr-spec of each mailbox, for use as an SMTP envelope recipient, and
 * collects them in a vector of strings. Display names, comments, groups
 * ("team: a@x, b@y;", "undisclosed-recipients:;"), obsolete routes and
 * folding are handled there. The addresses are not validated: the SMTP
 * server judges them.
 */
#ifndef MKIT_ADDRSPLIT_H
#define MKIT_ADDRSPLIT_H

#include <stddef.h>

#include "base/err.h"

/* A growable vector of NUL-terminated strings, each owned by the vector. */
struct addrvec {
	char **v;
	size_t n;
	size_t alloc;
};

#define ADDRVEC_INIT { NULL, 0, 0 }

/* Append a copy of s (len bytes). */
void addrvec_push(struct addrvec *av, const char *s, size_t len);
/* Free all strings; the vector is empty and reusable. */
void addrvec_release(struct addrvec *av);

/*
 * Append the addr-spec of every mailbox in the address list s (len bytes,
 * folded or not) to out. Returns the number appended (0 for an empty list
 * or a group with no members). Never fails: what cannot be made out is
 * skipped up to the next ',' (addr.h). err is not touched (kept so that a
 * strict mode can be added without changing callers).
 */
int addrsplit(const char *s, size_t len, struct addrvec *out,
	struct err *err);

#endif
