/*
 * addr.h: RFC 5322 address lists (From, To, Cc, Reply-To, ...).
 *
 * Parsing splits an address-list header value into mailboxes, each with a
 * display name decoded to UTF-8 (quoted strings unquoted, RFC 2047 words
 * decoded, raw 8-bit read per RFC 6532; blanks between words count as one
 * space, while a quoted string keeps its blanks as they are, less the CRLF
 * of a fold: "John   Q.  Public", RFC 5322 3.2.4) and the addr-spec as
 * written, minus comments, folding whitespace and angle brackets
 * ("a.b@example.org"; quoted local parts keep their quotes:
 * "\"john doe\"@example.org"). Handled:
 *  - name-addr "Name <a@b>" and bare addr-spec "a@b";
 *  - groups "team: a@x, b@y;" (each member carries the group name) and
 *    empty groups "undisclosed-recipients:;";
 *  - comments "(...)", nested, anywhere; "a@b (Name)" uses the comment as
 *    the display name when there is no other name (the obsolete form);
 *  - obsolete routes "<@a,@b:x@y>" (the route is dropped), obs-local-part
 *    spacing ("a . b @ c"), empty list elements (", ,"), ';' between
 *    mailboxes outside a group (as Outlook writes them);
 *  - UTF-8 local parts and domains (RFC 6532);
 *  - garbage: the parser never fails and never reads out of bounds; it
 *    returns the mailboxes it could make out, and skips the rest up to the
 *    next ',' (a mailbox without '@' is kept: "root", "undisclosed").
 */
#ifndef MKIT_ADDR_H
#define MKIT_ADDR_H

#include <stddef.h>

#include "base/buf.h"

struct addr {
	char *name;	/* display name, UTF-8; NULL when none */
	char *spec;	/* addr-spec; NULL only for an empty group's entry */
	char *group;	/* group name (UTF-8) if inside a group, else NULL */
};

struct addr_list {
	struct addr *v;
	size_t n;
	size_t alloc;
};

#define ADDR_LIST_INIT { NULL, 0, 0 }

enum addr_flags {
	/* Report an empty group as one entry with spec NULL (by default,
	 * empty groups give no entry). */
	ADDR_EMPTY_GROUPS = 1 << 0,
};

void addr_list_init(struct addr_list *l);
/* Parse len bytes of a header value and append the mailboxes to l.
 * Returns the number of entries added. Never fails. */
size_t addr_parse(const char *in, size_t len, unsigned int flags,
	struct addr_list *l);
/* Free every entry's strings and the array; l is empty and reusable. */
void addr_list_release(struct addr_list *l);

/* The domain of an addr-spec (after the last '@' outside quotes), or NULL
 * when there is none. Points into spec. */
const char *addr_domain(const char *spec);

enum addr_fmt_flags {
	/* Keep a non-ASCII display name as raw UTF-8 (RFC 6532, for
	 * SMTPUTF8 messages) instead of RFC 2047 encoding it. */
	ADDR_FMT_UTF8 = 1 << 0,
	ADDR_FMT_LF = 1 << 1,	/* fold with LF SP instead of CRLF SP */
	/* Text for people and scripts, not a header: the display name as
	 * its UTF-8 text, in double quotes (with '\' before '"' and '\')
	 * when it would not read back the same as atoms; never encoded. */
	ADDR_FMT_TEXT = 1 << 2,
};

/* Append one mailbox: "spec" if name is NULL or empty, else
 * "name <spec>" with the name written as atoms, a quoted string or RFC 2047
 * encoded words, whichever is legal. Returns 0, or -1 on out's cap. */
int addr_format(struct buf *out, const char *name, const char *spec,
	unsigned int flags);
/* Append a whole list separated by ", ", folding lines at 78 columns; col
 * is the column where the value starts (strlen("To: ")). Entries of the
 * same group are written as "group: a, b;", empty groups as "group:;".
 * Returns 0, or -1 on out's cap. */
int addr_format_list(struct buf *out, const struct addr_list *l, size_t col,
	unsigned int flags);

#endif
