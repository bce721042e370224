/*
 * imap_set.h: IMAP UID sets (RFC 9051 9, sequence-set) from the command
 * line or from a list of UIDs, compressed into ranges and split so that
 * no command grows past what servers accept.
 */
#ifndef MKIT_IMAP_SET_H
#define MKIT_IMAP_SET_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* About 8 KB of command line per set, as RFC 7162 3.2.1 advises. */
#define IMAP_SET_MAX	7900

/* Is s a well-formed sequence set ("1:*", "3,5,9:12")? 1 or 0. Numbers
 * are 1 to 4294967295; "*" stands for the last. */
int imap_set_valid(const char *s);

/*
 * The next range of a set from the server ("3:5,9", no "*") at s[*pos]
 * (len bytes): 1 with *a <= *b (each below 2^40), *pos past it; 0 at the
 * end; -1 for anything else.
 */
int imap_set_range(const char *s, size_t len, size_t *pos,
	unsigned long long *a, unsigned long long *b);

/* A list of UIDs. */
struct imap_uids {
	unsigned long long *v;
	size_t n, alloc;
};

void imap_uids_add(struct imap_uids *u, unsigned long long uid);
void imap_uids_release(struct imap_uids *u);
/*
 * Read UIDs, one per line (blank lines skipped), from text of len bytes
 * into u. ERR_USAGE naming the line for anything but a number from 1 to
 * 4294967295.
 */
int imap_uids_parse(struct imap_uids *u, const char *text, size_t len,
	const char *what, struct err *e);
/*
 * Sort and drop duplicates, then cut into sets: each set (ranges a:b for
 * runs, commas between) is at most max bytes. Appends the sets to out,
 * separated by '\n'; returns how many.
 */
size_t imap_uids_sets(struct imap_uids *u, size_t max, struct buf *out);

#endif
