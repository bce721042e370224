/*
 * tolf.h: CRLF line ends made LF, for bytes that arrive in the wire form
 * (IMAP literals, POP3 data) and go to a maildir, an mbox or a pipe,
 * where Unix tools expect LF. Streaming: the message comes in chunks cut
 * anywhere, a CRLF split between two of them included. A CR not followed
 * by LF is data and stays.
 */
#ifndef MKIT_TOLF_H
#define MKIT_TOLF_H

#include <stddef.h>

#include "base/buf.h"

/* One message's state; set to { 0 } (tolf_init) before its first chunk. */
struct tolf {
	int cr;			/* a CR ended the last chunk: held back */
};

void tolf_init(struct tolf *t);

/*
 * Append the n bytes at p to out, each CRLF made LF. A CR ending the chunk
 * is held back until the next chunk (or tolf_end()) shows what follows
 * it. out is appended to, not reset.
 */
void tolf_add(struct tolf *t, const void *p, size_t n, struct buf *out);

/* The message is over: a CR held back is data, appended to out. */
void tolf_end(struct tolf *t, struct buf *out);

#endif
