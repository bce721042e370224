/*
 * mimedoc.h: the mparse/1 document of one message (man/mparse.1), built
 * from the events of the streaming parser (mime.h): the HEADERS summary of
 * the message and one PART record per entity, with, for each leaf, its
 * decoded size and, on request, its SHA-256 and its text in UTF-8. A tool
 * that feeds a message to the parser (mparse, a fetch that prints JSON)
 * gets the same bytes of JSON from it.
 *
 * Use: mime_doc_init; give the parser a sink whose callbacks call
 * mime_doc_message/begin/data/end (or mime_doc_sink when nothing else
 * listens); after mime_parser_finish, mime_doc_json; mime_doc_release.
 * Memory: the records, and the text of text leaves with MIME_DOC_DIGEST;
 * never the other bodies.
 */
#ifndef MKIT_MIMEDOC_H
#define MKIT_MIMEDOC_H

#include <stddef.h>

#include "base/json.h"
#include "codec/charset.h"
#include "mime/mime.h"
#include "mime/mimesum.h"

enum mime_doc_flags {
	/* Each leaf's SHA-256, and the UTF-8 text of each text leaf whose
	 * charset is known (what the JSON needs; a tree does without). */
	MIME_DOC_DIGEST = 1 << 0,
};

struct mime_doc {
	unsigned int flags;
	int have_top;
	struct mime_summary top;	/* when have_top */
	struct mime_record *parts;	/* every entity, depth-first */
	size_t n;
	/* private: the array's room, the open leaf (index + 1, or 0), its
	 * digest and text converter */
	size_t alloc;
	size_t cur;
	void *md;
	int textable;
	struct charset_conv conv;
};

/* An empty document; flags are enum mime_doc_flags. */
void mime_doc_init(struct mime_doc *d, unsigned int flags);
/* The parser's events, passed on as they come. */
void mime_doc_message(struct mime_doc *d, const struct mime_headers *h);
void mime_doc_begin(struct mime_doc *d, const struct mime_part *p);
void mime_doc_data(struct mime_doc *d, const void *data, size_t len);
void mime_doc_end(struct mime_doc *d, const struct mime_part *p);
/* Fill s with callbacks feeding d alone (s->ctx is d). */
void mime_doc_sink(struct mime_doc *d, struct mime_sink *s);
/* Write d as one mparse/1 object: {"schema":"mparse/1","headers":HEADERS,
 * "parts":[PART...]}. With no header block seen, HEADERS has every field
 * null. */
void mime_doc_json(struct json *j, const struct mime_doc *d);
/* Append the part tree as text, as "mparse tree" prints it: one line per
 * entity, indented two spaces a level: "SECTION TYPE", then
 * " charset=CS" when there is one, " filename=\"NAME\"" (control
 * characters, NUL included, shown as '?') and, for leaves, " size=N". */
void mime_doc_tree(const struct mime_doc *d, struct buf *out);
/*
 * Append the fields of h as "mparse headers" prints them, one a line, in
 * their order: the fields named in names (nnames lowercase names, matched
 * without case) with their value alone, or, when nnames is 0, every field
 * as "Name: value". The value is unfolded with its RFC 2047 words decoded
 * (mime_header_text), or with raw as it is in the message, the blank
 * after the colon and the folds included ("Name:value" when every field
 * is shown). Returns how many fields
 * were appended.
 */
size_t mime_doc_headers(const struct mime_headers *h, char *const *names,
	size_t nnames, int raw, struct buf *out);
/*
 * Append the addresses in the fields of h named in names (nnames lowercase
 * names; when nnames is 0: from, sender, reply-to, to, cc, bcc), as
 * "mparse addr" prints them: one a line, name by name, field by field, as
 * "Name <addr>" in UTF-8 (addr_format with ADDR_FMT_TEXT), or the bare
 * address with addr_only. Groups give their members; an entry without an
 * address is skipped. Returns how many were appended.
 */
size_t mime_doc_addrs(const struct mime_headers *h, char *const *names,
	size_t nnames, int addr_only, struct buf *out);
/* Free everything d holds; d is empty and may be initialised again. */
void mime_doc_release(struct mime_doc *d);

#endif
