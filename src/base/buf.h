/*
 * buf.h: a growable byte buffer with a size cap.
 *
 * Invariants: data is NULL only while alloc is 0; otherwise data[len] is
 * '\0' (so text can be used as a C string), and len <= cap. Every byte read
 * from the network lands in a buffer with a cap: an append that would take
 * len past cap fails with -1 and leaves the buffer unchanged, so the caller
 * can report "line too long" instead of growing without bound.
 * A cap of 0 at init means no cap (SIZE_MAX). Out of memory aborts (util.h).
 */
#ifndef MKIT_BUF_H
#define MKIT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0, (size_t)-1 }

void buf_init(struct buf *b, size_t cap);
/* Free the storage; the buffer is empty and usable again (cap kept). */
void buf_release(struct buf *b);
/* Make room for extra more bytes. 0, or -1 if the cap would be exceeded. */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, int c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Set len to 0, keeping the storage. */
void buf_reset(struct buf *b);
/* Shorten to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);
/* Drop the first n bytes (n <= len), moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);
/* Append everything read from fd until end of file, retrying on EINTR.
 * Returns 0, or -1 with errno set: EFBIG when the data goes past the cap
 * (what fit stays in b), or read(2)'s errno. */
int buf_read_fd(struct buf *b, int fd);
/* Hand the storage to the caller (NUL-terminated, never NULL); *len may be
 * NULL. The buffer is left empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
