/*
 * mime.h: streaming MIME parser (RFC 2045, RFC 2046, RFC 5322, RFC 6532).
 *
 * The caller feeds a message in chunks of any size; the parser reports the
 * entity tree and the transfer-decoded leaf bodies to a caller-supplied
 * sink as it goes. Memory is bounded by the header block limit and the
 * preamble limit, never by the message size: a 200 MB attachment goes
 * through a few kilobytes of window.
 *
 * Structure:
 *  - a leading mbox "From " line is skipped;
 *  - a header block ends at an empty line; a line that is not a header
 *    field (and not a continuation) also ends it (defect) and starts the
 *    body;
 *  - multipart bodies are split at delimiter lines "--" boundary, matched
 *    exactly: only spaces and tabs may follow (or "--" then blanks for the
 *    close delimiter); the line break before a delimiter belongs to it;
 *    a delimiter of an enclosing multipart ends every inner entity;
 *    preamble and epilogue are dropped; a multipart body with no delimiter
 *    line at all is reported as a leaf;
 *  - message/rfc822 and message/global entities (not base64 or QP
 *    encoded) are parsed as messages: kind MIME_MESSAGE, then the body of
 *    the encapsulated message as one entity; multipart/digest children
 *    default to message/rfc822;
 *  - LF, CRLF and mixed line ends; NUL bytes are data.
 *
 * Part sections follow IMAP BODY[] numbering (RFC 3501 6.4.5): a
 * non-multipart top-level body is "1", a multipart one "TEXT" with children
 * "1", "2", ...; the body of a message part S is "S.1", or "S.TEXT" when it
 * is a multipart (its children are then S.1, S.2, ...).
 *
 * Hostile input never fails the parse: limits (depth, part count, header
 * block size, preamble size) turn into defects reported to the sink, and
 * the parse goes on: an entity too deep is a leaf, parts past the count
 * are skipped, header lines past the limit are dropped.
 */
#ifndef MKIT_MIME_H
#define MKIT_MIME_H

#include <stddef.h>

#include "base/buf.h"

/* One header field: views into the header block (not NUL-terminated). The
 * value is everything after the colon up to the line break ending the
 * field, folds included. */
struct mime_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* A parsed header block. raw/raw_len is the whole block as read. */
struct mime_headers {
	const char *raw;
	size_t raw_len;
	struct mime_field *v;
	size_t n;
	size_t alloc;
};

/* How a line of a header block reads, for the parser and for msgprep
 * alike (one rule for every program). */
enum mime_hline {
	MIME_HLINE_BLANK,	/* empty: ends the block (and belongs to it) */
	MIME_HLINE_FOLD,	/* starts with SP or HT: continues the field
				 * before it (before any field: kept in the
				 * block, part of no field) */
	MIME_HLINE_FIELD,	/* a name of printable ASCII without blanks
				 * (maybe empty), then ':' */
	MIME_HLINE_BODY,	/* anything else: the block ended before it
				 * (no blank line); it is the body's first */
};

/* Classify one line of a header block: line is len bytes without its
 * line break ("\n" or "\r\n"). */
enum mime_hline mime_header_line(const char *line, size_t len);

/* Split a raw header block (len bytes, line breaks included) into fields.
 * h keeps views into raw, which must outlive it. Lines before the first
 * field that are continuations are ignored; never fails. */
void mime_headers_parse(struct mime_headers *h, const char *raw, size_t len);
void mime_headers_release(struct mime_headers *h);
/* The first field named name (case-insensitive), or NULL. */
const struct mime_field *mime_headers_get(const struct mime_headers *h,
	const char *name);
/* The next field named name after *idx (start with *idx = 0); NULL when
 * there is none. */
const struct mime_field *mime_headers_next(const struct mime_headers *h,
	const char *name, size_t *idx);
/* Append value with CR and LF removed and surrounding blanks trimmed (the
 * unfolded raw value). -1 only on out's cap. */
int mime_unfold(const char *value, size_t len, struct buf *out);
/* Append the unfolded value with RFC 2047 words decoded, to UTF-8. -1
 * only on out's cap. */
int mime_header_text(const char *value, size_t len, struct buf *out);

enum mime_kind {
	MIME_LEAF,
	MIME_MULTIPART,
	MIME_MESSAGE,
};

/*
 * What the sink learns about an entity. Strings are NUL-terminated and
 * owned by the parser; they stay valid from begin to end of the entity.
 * headers (and msg_headers) are valid only during the begin callback.
 */
struct mime_part {
	const char *section;	/* "1", "TEXT", "2.1", "3.TEXT" */
	int depth;		/* 0 for the top-level body */
	enum mime_kind kind;
	const char *type;	/* lowercased "type/subtype" */
	const char *charset;	/* lowercased, or NULL */
	const char *encoding;	/* lowercased first token, or NULL */
	const char *disposition;/* lowercased first token, or NULL */
	const char *filename;	/* disposition filename, else type name, or
				 * NULL; decoded to UTF-8, not sanitised;
				 * may hold a NUL or any control character
				 * ("x.txt\0.jpg"): its length is */
	size_t filename_len;
	const char *boundary;	/* multiparts only, else NULL */
	/* Input offsets of the body: for a message part, of the whole
	 * encapsulated message. offset is set at begin; end_offset (the
	 * line break before the closing delimiter, or the end of input) at
	 * end. */
	unsigned long long offset, end_offset;
	const struct mime_headers *headers;	/* the entity's own fields */
	const struct mime_headers *msg_headers;	/* MIME_MESSAGE: the
						 * encapsulated message's */
};

struct mime_sink {
	void *ctx;
	/* The top-level message's header block (before any part). */
	void (*message)(void *ctx, const struct mime_headers *h);
	/* An entity starts (depth-first pre-order). */
	void (*begin)(void *ctx, const struct mime_part *p);
	/* Transfer-decoded body bytes of the current leaf, in order. */
	void (*data)(void *ctx, const struct mime_part *p, const void *d,
		size_t len);
	/* An entity ends; children end before their parent. */
	void (*end)(void *ctx, const struct mime_part *p);
	/* Something was wrong or a limit was hit (section may be ""). */
	void (*defect)(void *ctx, const char *section, const char *what);
};
/* Every callback may be NULL. */

struct mime_limits {
	size_t max_depth;	/* nesting of entities (default 64) */
	size_t max_parts;	/* entities reported (default 10000) */
	size_t max_header;	/* bytes of one header block (default 1 MiB) */
	size_t max_preamble;	/* bytes of a multipart preamble kept while
				 * looking for its first delimiter
				 * (default 1 MiB) */
};

#define MIME_DEFAULT_DEPTH 64
#define MIME_DEFAULT_PARTS 10000
#define MIME_DEFAULT_HEADER (1024 * 1024)
#define MIME_DEFAULT_PREAMBLE (1024 * 1024)

struct mime_parser;

/* A parser that reports to sink (copied) with limits (NULL or 0 fields:
 * the defaults). Free with mime_parser_free. */
struct mime_parser *mime_parser_new(const struct mime_sink *sink,
	const struct mime_limits *lim);
/* Parse len more bytes. Callbacks run from inside. Never fails. */
void mime_parser_feed(struct mime_parser *p, const void *data, size_t len);
/* End of input: flush, end every open entity. The parser can then only be
 * freed. */
void mime_parser_finish(struct mime_parser *p);
/* Statistics for the caller's verdict on the input. */
size_t mime_parser_defects(const struct mime_parser *p);
size_t mime_parser_bytes(const struct mime_parser *p);
/* Fields in the top-level header block. */
size_t mime_parser_top_fields(const struct mime_parser *p);
void mime_parser_free(struct mime_parser *p);

#endif
