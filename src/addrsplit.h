/*
 * addrsplit.h: a small RFC 5322 address-list splitter for msend -t.
 *
 * This is deliberately minimal: it returns the addr-spec of each mailbox
 * in an address list (To, Cc, Bcc and their Resent- forms), for use as an
 * SMTP envelope recipient. It understands display names, quoted strings,
 * nested comments, angle addresses (with an obsolete source route dropped),
 * groups ("team: a@x, b@y;", "undisclosed-recipients:;") and folding
 * whitespace. It does not validate the addresses or decode RFC 2047 words:
 * the SMTP server judges the addresses.
 */
#ifndef MKIT_ADDRSPLIT_H
#define MKIT_ADDRSPLIT_H

#include <stddef.h>

#include "err.h"

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
 * or a group with no members), or -1 with ERR_DATA for an unterminated
 * quoted string, comment or angle address; out may then hold the
 * addresses found before the error.
 */
int addrsplit(const char *s, size_t len, struct addrvec *out,
	struct err *err);

#endif
