/*
 * taglist.h: what the MTA-STS (RFC 8461 3.1) and TLS-RPT (RFC 8460 3) TXT
 * records share: a version, then "name=value" fields separated by ";"
 * with optional white space, read as views into the record; and the first
 * judgement of such a record (the lookup failed, none, several).
 */
#ifndef MKIT_TAGLIST_H
#define MKIT_TAGLIST_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "dns/dnsmsg.h"
#include "dns/finding.h"

struct tag {
	const char *name;	/* views into the record */
	size_t nlen;
	const char *value;	/* trimmed; may be empty */
	size_t vlen;
};

/*
 * The next field of s (len bytes; not NUL-terminated) from *pos, which
 * starts just after the version. Returns 1 with t, 0 at the end, or -1
 * with why (a phrase): fields not separated by ";", a field that is not
 * name=value, a name that is not a letter or digit then up to 31 of
 * letters, digits, "_", "-", ".".
 */
int taglist_next(const char *s, size_t len, size_t *pos, struct tag *t,
	char *why, size_t whysz);
/* Print fmt into why (whysz bytes); returns -1, for "return taglist_why(...)". */
int taglist_why(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The finding ids of a check on one TXT record (static strings). */
struct taglist_ids {
	const char *check;	/* "mta-sts" */
	const char *dns;	/* "mta-sts.dns": the lookup failed */
	const char *none;	/* "mta-sts.none": no record (ok) */
	const char *several;	/* "mta-sts.records": more than one */
};

/*
 * Judge the TXT answer m at name, where nrecords records of the kind
 * (version, e.g. "v=STSv1") were found: a failed lookup (error), none (ok,
 * with none_text saying what that means), several (error: senders ignore
 * them all, as rfc says). Returns 1 when there is exactly one record
 * to judge further, else 0 (a finding said it all).
 */
int taglist_one_record(struct findings *f, const struct taglist_ids *ids,
	const struct dnsmsg *m, const char *name, int nrecords,
	const char *version, const char *none_text, const char *rfc);
/* The record for people, "  NAME: RECORD\n" (nothing when record is
 * NULL); and for JSON the keys "status" (of the TXT answer), "records" and
 * "record", inside the caller's object. */
void taglist_text(struct buf *out, const char *name, const char *record);
void taglist_json(struct json *j, const struct dnsmsg *txt, int nrecords,
	const char *record);

#endif
