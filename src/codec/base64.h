/*
 * base64.h: streaming base64 (RFC 2045 section 6.8, RFC 4648 alphabet).
 *
 * Decoder: feed chunks of any size; whole quads are decoded as they arrive
 * and up to three characters wait in the state for the next chunk. The
 * decoder is tolerant, as mail needs: characters outside the alphabet
 * (line breaks, spaces, junk) are skipped and counted, '=' ends a group
 * (a partial group of 2 or 3 characters yields 1 or 2 bytes) and decoding
 * goes on after it (concatenated blobs decode as one), and missing padding
 * is accepted at b64_dec_finish. A lone leftover character carries fewer
 * than 8 bits and is dropped.
 *
 * Encoder: feed chunks of any size; output lines of line_len characters
 * (76 for MIME bodies; 0 for no line breaks) ended by CRLF (or LF with
 * B64_ENC_LF). b64_enc_finish writes the padded last group and the final
 * line break (when line_len > 0 and the last line is not empty).
 *
 * Functions appending to a struct buf return 0, or -1 when the buffer's
 * cap would be exceeded (out then holds what fitted, whole groups only);
 * they fail in no other way. Nothing here allocates except through buf.
 * Input may be NULL when its length is 0 (an empty struct buf).
 */
#ifndef MKIT_BASE64_H
#define MKIT_BASE64_H

#include <stddef.h>

#include "base/buf.h"

struct b64_dec {
	unsigned int acc;	/* 6-bit values of the pending characters */
	int n;			/* pending characters, 0..3 */
	size_t invalid;		/* bytes skipped: not alphabet, space or '=' */
};

void b64_dec_init(struct b64_dec *d);
/* Largest output b64_dec_mem can give for len input bytes (plus state). */
#define B64_DEC_MAX(len) (((len) / 4 + 1) * 3)
/* Decode len bytes of in, writing to out, which has room for
 * B64_DEC_MAX(len) bytes. Returns the number of bytes written. */
size_t b64_dec_mem(struct b64_dec *d, const void *in, size_t len, void *out);
/* As b64_dec_mem, appending to a buffer. */
int b64_dec_buf(struct b64_dec *d, const void *in, size_t len,
	struct buf *out);
/* End of input: write the bytes of a partial unpadded group (at most 2) to
 * out and reset the state for reuse. Returns the number written. */
size_t b64_dec_finish_mem(struct b64_dec *d, void *out);
int b64_dec_finish_buf(struct b64_dec *d, struct buf *out);
/* One-shot: decode all of in and append it to out. */
int b64_decode(const void *in, size_t len, struct buf *out);

enum b64_enc_flags {
	B64_ENC_LF = 1 << 0,	/* end lines with LF instead of CRLF */
};

struct b64_enc {
	unsigned char rest[3];	/* input bytes waiting for a full group */
	int nrest;
	unsigned int col;	/* characters on the current output line */
	unsigned int line_len;	/* 0: one line, no break */
	unsigned int flags;
};

#define B64_LINE_LEN 76
/* line_len is rounded down to a multiple of 4 (and at least 4) if not 0. */
void b64_enc_init(struct b64_enc *e, unsigned int line_len,
	unsigned int flags);
int b64_enc_buf(struct b64_enc *e, const void *in, size_t len,
	struct buf *out);
/* Write the last group with padding and the final line break; resets the
 * state for reuse. */
int b64_enc_finish_buf(struct b64_enc *e, struct buf *out);
/* One-shot: encode all of in (line_len and flags as for b64_enc_init). */
int b64_encode(const void *in, size_t len, unsigned int line_len,
	unsigned int flags, struct buf *out);

#endif
