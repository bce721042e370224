/*
 * imap_reply.h: IMAP response pieces, read through the line layer (net/pp.h).
 */
#ifndef MKIT_IMAP_REPLY_H
#define MKIT_IMAP_REPLY_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/pp.h"

/*
 * Does the line (without its CRLF) end with a literal announcement:
 * "{n}", "{n+}" (non-synchronizing) or "~{n}" (literal8)? Returns 1 and
 * sets *n, or 0. A malformed count (no digits, over 20 digits or over
 * UINT64 range) returns -1: ERR_PROTOCOL for the caller. The caller reads
 * the n bytes with pp_read_bytes, then the rest of the response with
 * pp_read_line.
 */
int imap_reply_literal(const char *line, size_t len, unsigned long long *n);

#endif
