/*
 * qp.h: streaming quoted-printable (RFC 2045 section 6.7).
 *
 * Decoder: feed chunks of any size, even splitting "=4" from "1" or CR from
 * LF; output is appended to a struct buf. Tolerant, as mail needs:
 *  - "=XY" with hex digits (either case) gives the octet;
 *  - "=" followed by optional spaces/tabs and a line break is a soft line
 *    break (nothing is output); "=" at the very end of input likewise;
 *  - a bad escape ("=G1", "=4", "= x") is kept literally;
 *  - spaces and tabs at the end of a line (before CRLF, LF, or the end of
 *    input) are dropped, as RFC 2045 rule 3 requires; runs of more than
 *    QP_MAX_PENDING_WS blanks are passed through as they come;
 *  - line breaks are kept as they were written (CRLF or LF), and every
 *    other byte, 8-bit included, is passed through.
 *
 * Encoder (for bodies; header "Q" encoding is rfc2047's job): lines of at
 * most 76 characters with soft breaks ("=" CRLF), '=' and bytes outside
 * 33..126 escaped except for space and tab inside a line, a space or tab
 * before a line break (or at the end) escaped. In text mode (the default)
 * LF or CRLF in the input is a hard line break written as CRLF; with
 * QP_ENC_BINARY, CR and LF are data and are escaped.
 *
 * Functions return 0, or -1 when out's cap would be exceeded (out then holds
 * a prefix of the output); they fail in no other way. Input may be NULL
 * when its length is 0.
 */
#ifndef MKIT_QP_H
#define MKIT_QP_H

#include <stddef.h>

#include "base/buf.h"

#define QP_MAX_PENDING_WS 128

struct qp_dec {
	int state;		/* private: where we are in "=XY", CR, blanks */
	unsigned char hex1;	/* first character after '=' */
	size_t nws;		/* pending blanks */
	unsigned char ws[QP_MAX_PENDING_WS];
	size_t bad;		/* bad escapes seen (kept literally) */
};

void qp_dec_init(struct qp_dec *d);
int qp_dec_buf(struct qp_dec *d, const void *in, size_t len,
	struct buf *out);
/* End of input: flush what the state holds ("=X" literally; trailing blanks
 * dropped; a final '=' dropped as a soft break) and reset for reuse. */
int qp_dec_finish_buf(struct qp_dec *d, struct buf *out);
/* One-shot: decode all of in and append it to out. */
int qp_decode(const void *in, size_t len, struct buf *out);

enum qp_enc_flags {
	QP_ENC_BINARY = 1 << 0,	/* CR and LF are data: encode them */
	QP_ENC_LF = 1 << 1,	/* write line breaks as LF, not CRLF */
	QP_ENC_SAFE = 1 << 2,	/* also escape '.' and 'F' at line start
				 * (survives "From " mangling and SMTP dots) */
};

struct qp_enc {
	unsigned int flags;
	unsigned int col;	/* characters on the current output line */
	int pend;		/* private: held blank (low byte), CR */
};

#define QP_LINE_LEN 76
void qp_enc_init(struct qp_enc *e, unsigned int flags);
int qp_enc_buf(struct qp_enc *e, const void *in, size_t len,
	struct buf *out);
/* Flush a held byte and reset for reuse. No line break is added: the
 * output ends as the input did. */
int qp_enc_finish_buf(struct qp_enc *e, struct buf *out);
/* One-shot encode. */
int qp_encode(const void *in, size_t len, unsigned int flags,
	struct buf *out);

#endif
