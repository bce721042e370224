/*
 * dsn.h: delivery status notifications (bounces): the body of a
 * message/delivery-status or message/global-delivery-status part
 * (RFC 3464 section 2, RFC 6533), inside a multipart/report (RFC 6522).
 *
 * The body is a per-message block of fields, then one block per
 * recipient, separated by blank lines. Values are unfolded and trimmed;
 * for typed fields ("rfc822; user@example.org", "smtp; 550 5.1.1 ...")
 * the type is split off. Parsing is tolerant and never fails: unknown
 * fields are ignored, a block without any recipient field is skipped.
 */
#ifndef MKIT_DSN_H
#define MKIT_DSN_H

#include <stddef.h>

#include "base/buf.h"
#include "mime/mime.h"

struct dsn_rcpt {
	/* addresses, or NULL; a utf-8 typed one (RFC 6533 3) with its
	 * \x{HEX} escapes decoded to UTF-8 */
	char *final_recipient;
	char *original_recipient;
	char *action;			/* lowercased: failed, delayed, ... */
	char *status;			/* "5.1.1", or NULL */
	char *diagnostic;		/* text after "smtp;", or NULL */
	char *diagnostic_type;		/* "smtp", or NULL */
	char *remote_mta;		/* name after "dns;", or NULL */
};

struct dsn {
	char *reporting_mta;		/* or NULL */
	char *original_envelope_id;	/* or NULL */
	char *arrival_date;		/* or NULL */
	struct dsn_rcpt *r;
	size_t n;
};

/* Parse len bytes of a delivery-status body into d (freed with
 * dsn_release). Returns the number of recipient blocks. */
size_t dsn_parse(const char *body, size_t len, struct dsn *d);
void dsn_release(struct dsn *d);

/*
 * The delivery status of one message, caught while the parser goes: the
 * body of its first message/delivery-status or
 * message/global-delivery-status leaf, up to 1 MiB. Use: dsn_capture_init;
 * from the parser sink's callbacks, dsn_capture_begin, _data and _end for
 * every entity; after mime_parser_finish, dsn_capture_lines;
 * dsn_capture_release.
 */
struct dsn_capture {
	struct buf body;
	int in;			/* private: inside the status leaf */
};

void dsn_capture_init(struct dsn_capture *c);
void dsn_capture_begin(struct dsn_capture *c, const struct mime_part *p);
void dsn_capture_data(struct dsn_capture *c, const void *data, size_t len);
void dsn_capture_end(struct dsn_capture *c, const struct mime_part *p);
/* Append one line per recipient of the status caught, as "mparse bounce"
 * prints them: "ACTION\tSTATUS\tRECIPIENT\tDIAGNOSTIC\n", the final
 * recipient else the original, "-" for what is missing. Returns the number
 * of lines (0 when the message has no status part). */
size_t dsn_capture_lines(const struct dsn_capture *c, struct buf *out);
void dsn_capture_release(struct dsn_capture *c);

#endif
