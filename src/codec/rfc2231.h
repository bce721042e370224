/*
 * rfc2231.h: structured MIME header values with parameters:
 * Content-Type, Content-Disposition (RFC 2045 section 5.1, RFC 2183,
 * RFC 2231).
 *
 * Parsing gives the leading token ("text/plain", "attachment"), lowercased
 * with comments and whitespace removed, and the parameters with names
 * lowercased and values decoded to UTF-8. Tolerant, as mail needs:
 *  - quoted strings with backslash escapes, comments "(...)" (nested)
 *    anywhere between tokens, whitespace around '=' and ';', folds;
 *  - RFC 2231 continuations "name*0", "name*1"... joined in numeric order,
 *    whatever order the header lists them in; "name*" and "name*0*" carry
 *    charset'lang'%XX-encoded text; the octets of all segments are joined
 *    BEFORE charset conversion, so a character split across segments comes
 *    out whole; an unknown charset is read as raw 8-bit text;
 *  - RFC 2047 encoded words inside a plain or quoted value are decoded
 *    (common for filename= in the wild); raw 8-bit bytes are read as UTF-8
 *    if valid, else windows-1252 (RFC 6532);
 *  - a value is reported whole, as its octets decode: a NUL, CR, LF or
 *    other control character from %XX or an encoded word is kept (the
 *    value's length says where it ends; a name "x.txt%00.jpg" is not
 *    "x.txt"), for the caller to escape or refuse;
 *  - a parameter given twice: the first wins; an RFC 2231 form of a name
 *    wins over the plain form ("filename*=" over "filename=");
 *  - an unquoted value runs to the next ';' or line break (spaces and
 *    parentheses included: "filename=my file (1).pdf"), less a trailing
 *    " (comment)"; an unterminated quoted string runs to the end;
 *  - junk (a parameter with no '=', a stray ';', text after a quoted
 *    value) is skipped; parsing never fails.
 */
#ifndef MKIT_RFC2231_H
#define MKIT_RFC2231_H

#include <stddef.h>

#include "base/buf.h"

struct rfc2231_param {
	char *name;	/* lowercased, without "*0"/"*" suffixes; UTF-8 */
	char *value;	/* UTF-8, NUL-terminated, but may hold a NUL */
	size_t value_len;	/* bytes in value, without the final NUL */
	char *charset;	/* RFC 2231 charset as given, or NULL */
	char *lang;	/* RFC 2231 language, or NULL */
};

struct rfc2231 {
	char *value;	/* leading token, lowercased, UTF-8; "" if none */
	struct rfc2231_param *params;
	size_t nparams;
};

/* Parse a header value (len bytes, may be folded) into r, which the
 * caller later frees with rfc2231_release. Never fails; the strings are
 * owned by r. */
void rfc2231_parse(const char *in, size_t len, struct rfc2231 *r);
/* The named parameter (case-insensitive), or NULL. It belongs to r. */
const struct rfc2231_param *rfc2231_find(const struct rfc2231 *r,
	const char *name);
/* The value of the named parameter (case-insensitive), or NULL. The string
 * belongs to r; it ends at the first NUL, which rfc2231_find's value_len
 * does not. */
const char *rfc2231_get(const struct rfc2231 *r, const char *name);
void rfc2231_release(struct rfc2231 *r);

enum rfc2231_flags {
	RFC2231_LF = 1 << 0,	/* fold with LF SP instead of CRLF SP */
};

/*
 * Append "; name=value" to out, folding before it when the line would pass
 * 78 columns (col is the current column and is updated). ASCII values are
 * written as a token or quoted string; values with 8-bit characters or
 * control characters, or too long for one line, use RFC 2231:
 * name*=utf-8''%XX..., split into name*0*= name*1*= ... segments of at most
 * about 70 characters. value is UTF-8 (invalid bytes are encoded as they
 * are). Returns 0, or -1 only when out's cap would be exceeded.
 */
int rfc2231_add_param(struct buf *out, size_t *col, const char *name,
	const char *value, unsigned int flags);

#endif
