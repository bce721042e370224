/*
 * uidfind.h: the one binary search over arrays kept in ascending UID
 * order (IMAP UIDs: mimap pull's state and maildir, IDLE's list of the
 * messages known, the flags to push).
 *
 * The array is of any element type; the UID is the unsigned integer field
 * of 1, 2, 4 or 8 bytes at a given offset in each element. Equal UIDs may
 * stand side by side: both functions then give the first of them. An
 * array not in ascending order gives an unspecified index below n, never
 * a read outside the array. v may be NULL when n is 0.
 */
#ifndef MKIT_UIDFIND_H
#define MKIT_UIDFIND_H

#include <stddef.h>

/*
 * The index of the first of the n elements of v (each size bytes, the UID
 * width bytes at offset off into it) whose UID is at or above uid: n when
 * none is.
 */
size_t uidfind_first(const void *v, size_t n, size_t size, size_t off,
	size_t width, unsigned long long uid);

/* The index of the element whose UID is uid, or n when there is none. */
size_t uidfind(const void *v, size_t n, size_t size, size_t off,
	size_t width, unsigned long long uid);

/* The same on an array v of n elements of type, the UID in its field. */
#define UIDFIND_FIRST(v, n, type, field, uid) \
	uidfind_first((v), (n), sizeof(type), offsetof(type, field), \
		sizeof(((type *)0)->field), (uid))
#define UIDFIND(v, n, type, field, uid) \
	uidfind((v), (n), sizeof(type), offsetof(type, field), \
		sizeof(((type *)0)->field), (uid))

#endif
