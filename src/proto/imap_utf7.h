/*
 * imap_utf7.h: folder names in IMAP's modified UTF-7 (RFC 3501 5.1.3),
 * to and from UTF-8.
 */
#ifndef MKIT_IMAP_UTF7_H
#define MKIT_IMAP_UTF7_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Append the modified UTF-7 form of the UTF-8 name s (len bytes) to out.
 * Printable ASCII stays (except "&", which becomes "&-"); everything else
 * goes as "&" + modified base64 of UTF-16 + "-". Returns 0, or -1 when s
 * is not valid UTF-8 (out unchanged).
 */
int imap_utf7_encode(const char *s, size_t len, struct buf *out);

/*
 * Append the UTF-8 form of the modified UTF-7 name s (len bytes) to out.
 * Returns 0, or -1 for a name that is not valid modified UTF-7 (bad
 * base64, a shift of ASCII that should be plain, broken UTF-16, 8-bit
 * bytes): out unchanged, so the caller can show the raw name instead.
 */
int imap_utf7_decode(const char *s, size_t len, struct buf *out);

#endif
