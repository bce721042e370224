/*
 * mimesum.h: what scripts want from a message, in the mparse/1 JSON
 * schema (man/mparse.1): the header summary (HEADERS) of a message and
 * the description of one part (PART). The parser (mime.h) feeds it; any
 * tool that prints messages as JSON can reuse it.
 */
#ifndef MKIT_MIMESUM_H
#define MKIT_MIMESUM_H

#include "base/buf.h"
#include "base/json.h"
#include "codec/addr.h"
#include "mime/mime.h"

/* HEADERS: first occurrences; NULL / has_* 0 when a field is absent. */
struct mime_summary {
	char *subject;		/* RFC 2047 decoded, unfolded, trimmed */
	char *date;		/* raw, unfolded, trimmed */
	char *date_utc;		/* "YYYY-MM-DDTHH:MM:SSZ", or NULL */
	char *message_id;	/* raw, unfolded, trimmed */
	int has_from, has_to, has_cc;
	struct addr_list from, to, cc;	/* groups flattened */
};

void mime_summary_fill(struct mime_summary *s, const struct mime_headers *h);
void mime_summary_release(struct mime_summary *s);
/* Write s as a HEADERS object. */
void mime_summary_json(struct json *j, const struct mime_summary *s);

/* PART: a copy of what the parser said, plus what the caller measured. */
struct mime_record {
	char *section;
	int depth;
	enum mime_kind kind;
	char *type, *charset, *encoding, *disposition, *filename, *boundary;
	size_t filename_len;		/* filename may hold a NUL */
	unsigned long long size;	/* leaves: decoded bytes */
	unsigned char sha256[32];	/* leaves: of the decoded bytes */
	int have_text;			/* text holds the UTF-8 body */
	struct buf text;
	struct mime_summary *msg;	/* MIME_MESSAGE: its HEADERS */
};

/* Copy p (called from the parser's begin callback). */
void mime_record_init(struct mime_record *r, const struct mime_part *p);
void mime_record_release(struct mime_record *r);
/* Write r as a PART object. */
void mime_record_json(struct json *j, const struct mime_record *r);

#endif
