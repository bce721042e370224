/*
 * rfc2047.h: MIME encoded words in headers (RFC 2047, RFC 2231 section 5).
 *
 * Decoding turns a header value into UTF-8. An encoded word is
 * "=?charset[*lang]?B|Q?text?=" (B and Q in either case). Tolerant, as mail
 * needs:
 *  - words are recognised anywhere, also inside quoted strings and glued
 *    to text ("Re:=?utf-8?q?x?="), since senders do it;
 *  - linear whitespace (including folds) between two adjacent encoded words
 *    is dropped; every other byte is kept;
 *  - adjacent words in the same charset are joined as octets before
 *    conversion, so a character split across words comes out whole;
 *  - any charset iconv knows (charset.h aliases apply); an unknown charset
 *    is read as raw 8-bit text (UTF-8 if valid, else windows-1252);
 *  - a malformed word (bad encoding letter, no closing "?=", a space inside
 *    it) is left literally;
 *  - raw 8-bit bytes outside words are read as charset_raw_to_utf8 does
 *    (RFC 6532);
 *  - CR and LF of folds are removed (unfolding); CR, LF and NUL coming out
 *    of an encoded word become spaces, so that decoded text never carries
 *    a line break (unless RFC2047_KEEP_CTL); other control characters are
 *    kept.
 *
 * Encoding (for the composer) turns UTF-8 text into a header value: pure
 * ASCII words stay as they are where legal; runs of words that need it
 * become encoded words of at most 75 characters in UTF-8, Q or B whichever
 * is shorter, never splitting a UTF-8 character across words; the result is
 * folded with CRLF SP so that lines stay within 78 characters where the
 * words allow it.
 */
#ifndef MKIT_RFC2047_H
#define MKIT_RFC2047_H

#include <stddef.h>

#include "base/buf.h"

/* Decode a header value (len bytes, may be folded) to UTF-8, appended to
 * out. Returns 0, or -1 only when out's cap would be exceeded. */
int rfc2047_decode(const char *in, size_t len, struct buf *out);
/* The same with flags: RFC2047_KEEP_CTL keeps CR, LF and NUL coming out
 * of encoded words (for values reported as the sender wrote them, such as
 * a file name, whose users then hold it as (pointer, length)). */
int rfc2047_decode_flags(const char *in, size_t len, unsigned int flags,
	struct buf *out);

/* 1 if in holds something that looks like an encoded word ("=?"..."?="),
 * else 0: a cheap test before decoding. */
int rfc2047_has_words(const char *in, size_t len);

enum rfc2047_flags {
	/* Text for a display name (RFC 2047 section 5 (3)): Q uses the
	 * restricted character set, and an ASCII result that is not a plain
	 * run of atoms is quoted as a quoted-string instead of encoded. */
	RFC2047_PHRASE = 1 << 0,
	/* Never fold (for values whose caller folds them itself). */
	RFC2047_NOFOLD = 1 << 1,
	/* Line breaks as LF instead of CRLF when folding. */
	RFC2047_LF = 1 << 2,
	/* Decoding: CR, LF and NUL of encoded words are kept. */
	RFC2047_KEEP_CTL = 1 << 3,
};

/* Encode UTF-8 text as a header value, appended to out. col is the column
 * at which the value starts (strlen("Subject: ") for a Subject), used for
 * folding. Invalid UTF-8 is first repaired (charset_raw_to_utf8), and CR,
 * LF and other control characters become spaces or are encoded: the
 * result never carries a bare line break. Returns 0, or -1 only when out's
 * cap would be exceeded. */
int rfc2047_encode(const char *utf8, size_t len, size_t col,
	unsigned int flags, struct buf *out);

#endif
