/*
 * imap_ops.h: what mimap does on a session (imap.h), as library calls a
 * second tool can reuse: LIST (with STATUS), STATUS, UID SEARCH, windows
 * of UID FETCH and UID STORE, COPY and MOVE (with the fallback of COPY,
 * STORE \Deleted and an expunge of exactly those UIDs); APPEND is
 * imap_append.h's.
 *
 * UID sets are given as imap_set.h makes them: one or more sets separated
 * by '\n', each short enough for one command. Errors are imap.h's.
 */
#ifndef MKIT_IMAP_OPS_H
#define MKIT_IMAP_OPS_H

#include <stddef.h>

#include "base/err.h"
#include "proto/imap.h"
#include "proto/imap_set.h"

/* Commands in flight at once in a window (UID FETCH, STORE, APPEND). */
#define IMAP_WINDOW 16

enum imap_status_have {
	IMAP_ST_MESSAGES = 1 << 0,
	IMAP_ST_RECENT = 1 << 1,
	IMAP_ST_UNSEEN = 1 << 2,
	IMAP_ST_UIDNEXT = 1 << 3,
	IMAP_ST_UIDVALIDITY = 1 << 4,
	IMAP_ST_HIGHESTMODSEQ = 1 << 5,
};

struct imap_status_info {
	unsigned have;	/* enum imap_status_have */
	unsigned long long messages, recent, unseen, uidnext, uidvalidity,
		highestmodseq;
};

/* The STATUS items, numbered in the order of enum imap_status_have: item
 * i is there when have holds 1 << i. */
#define IMAP_STATUS_ITEMS 6
/* Item i's name in lower case ("uidnext"), as a program prints it. */
const char *imap_status_name(size_t i);
/* Item i's value in st (0 when the server did not give it). */
unsigned long long imap_status_value(const struct imap_status_info *st,
	size_t i);

/* A folder as LIST gives it. Strings owned by the caller of the
 * callback's call (valid during it). */
struct imap_mailbox {
	const char *name;	/* UTF-8 (decoded from modified UTF-7; the
				   raw name when it does not decode) */
	const char *raw;	/* as the server sent it */
	char delim;		/* hierarchy delimiter, or 0 */
	const char *attrs;	/* "\HasNoChildren \Sent", by spaces */
	int noselect;		/* \Noselect or \NonExistent */
	int has_status;
	struct imap_status_info st;
};

typedef int imap_list_fn(void *ctx, const struct imap_mailbox *m,
	struct err *e);

/*
 * LIST "" pattern (UTF-8; "*" for all), each folder to fn in the
 * server's order. With status, each selectable folder's counts too:
 * LIST-STATUS when offered, else a window of STATUS commands.
 * SPECIAL-USE attributes are asked for when offered.
 */
int imap_list(struct imap *im, const char *pattern, int status,
	imap_list_fn *fn, void *ctx, struct err *e);

/* STATUS of one folder (UTF-8 name). */
int imap_status(struct imap *im, const char *name,
	struct imap_status_info *st, struct err *e);

/*
 * UID SEARCH with keys, each a word of the command line: a word that is
 * an atom, a set or a parenthesis goes as it is, any other as a quoted
 * string or a literal; CHARSET UTF-8 when a word is not ASCII.
 * ESEARCH's RETURN (ALL) when offered. The UIDs are added to out (at most
 * 16 million: more is ERR_PROTOCOL).
 */
int imap_search(struct imap *im, char *const *keys, size_t n,
	struct imap_uids *out, struct err *e);

/*
 * UID FETCH sets (items) in a window of commands; h gets the responses
 * (and the message literals, through h->sink).
 */
int imap_fetch(struct imap *im, const char *sets, const char *items,
	const struct imap_handler *h, struct err *e);

/* UID STORE sets op flags: op "+FLAGS.SILENT", flags "(\Seen)". */
int imap_store(struct imap *im, const char *sets, const char *op,
	const char *flags, struct err *e);
/*
 * UID STORE sets (UNCHANGEDSINCE modseq) op flags (RFC 7162 3.1.3): a
 * message changed after modseq is left as it is. h gets the untagged
 * FETCH of each message stored (with MODSEQ once CONDSTORE is on; op
 * without .SILENT also gives its FLAGS) and each tagged reply, whose
 * [MODIFIED set] names the messages left.
 */
int imap_store_unchanged(struct imap *im, const char *sets,
	unsigned long long modseq, const char *op, const char *flags,
	const struct imap_handler *h, struct err *e);

/*
 * Remove exactly the messages sets (already flagged \Deleted) from the
 * selected folder: UID EXPUNGE with UIDPLUS; without, the other messages
 * flagged \Deleted are unflagged around a plain EXPUNGE and flagged again.
 */
int imap_uid_expunge(struct imap *im, const char *sets, struct err *e);

/*
 * COPY (move 0) or MOVE (move 1) sets to dest (UTF-8). MOVE without the
 * MOVE capability: COPY, then STORE +FLAGS.SILENT (\Deleted), then
 * imap_uid_expunge() of the same sets.
 */
int imap_copy(struct imap *im, const char *sets, const char *dest,
	int move, struct err *e);

/*
 * The maildir info letters for the FLAGS list at token i of r (a FETCH
 * response): \Draft D, \Flagged F, \Answered R, \Seen S, \Deleted T, in
 * that order; keywords and other flags have none. out gets at least 6
 * bytes; "" when i is not a list.
 */
void imap_maildir_info(const struct imap_resp *r, size_t i, char *out);

/*
 * ID (RFC 2971), only when the server offers it: the client's name and
 * version, nothing else about the user or the machine. The server's own ID
 * is not kept. A NO or BAD is no failure (0); other errors as imap.h.
 */
int imap_id(struct imap *im, struct err *e);

/* The personal namespace: its prefix ("" or "INBOX.", as sent) and its
 * hierarchy delimiter (0 when flat). */
struct imap_namespace {
	char prefix[256];
	char delim;
	int from_namespace;	/* 1: NAMESPACE (RFC 2342), 0: LIST "" "" */
};

/*
 * The personal namespace: NAMESPACE when offered, else LIST "" "" (RFC
 * 9051 6.3.9: the delimiter, no prefix). A prefix that is not ASCII or
 * does not fit is left empty.
 */
int imap_namespace(struct imap *im, struct imap_namespace *ns,
	struct err *e);

#endif
