/*
 * dnsmsg.h: one DNS answer, parsed into the records a mail check needs.
 *
 * The wire format is walked with glibc's libresolv (ns_initparse, ns_parserr,
 * dn_expand: they bound every name and catch compression loops); what is ours
 * is the decision what the answer means (RFC 2308: NXDOMAIN, NODATA), the
 * CNAME chain from the question to the final name (RFC 1034 3.6.2), and the
 * decoding of the record data: MX, A, AAAA, CNAME, TXT (the character
 * strings of one record joined, RFC 7208 3.3), TLSA (RFC 6698 2.1).
 */
#ifndef MKIT_DNSMSG_H
#define MKIT_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum dnsmsg_type {
	DNSMSG_A = 1,
	DNSMSG_CNAME = 5,
	DNSMSG_PTR = 12,
	DNSMSG_MX = 15,
	DNSMSG_TXT = 16,
	DNSMSG_AAAA = 28,
	DNSMSG_TLSA = 52,
};

/* What the answer says about the name. The last four mean no judgement can
 * be made from it: the caller reports them as temporary. */
enum dnsmsg_status {
	DNSMSG_OK = 0,		/* records of the type asked for */
	DNSMSG_NODATA,		/* the name exists, no record of that type */
	DNSMSG_NXDOMAIN,	/* the name does not exist */
	DNSMSG_SERVFAIL,	/* the resolver failed (also after retries) */
	DNSMSG_REFUSED,		/* the server refused the query */
	DNSMSG_TIMEOUT,		/* no usable answer in time */
	DNSMSG_BAD,		/* the answer was malformed (why says how) */
};

struct dnsmsg_rr {
	int type;		/* enum dnsmsg_type */
	uint32_t ttl;
	unsigned pref;		/* MX preference */
	/* A, AAAA: the address as text; MX: the exchange ("" for the root,
	 * a null MX); CNAME, PTR: the target; names without the final dot. TXT:
	 * the strings joined (may hold any byte, NUL-terminated after len);
	 * TLSA: the certificate association data (binary). */
	char *data;
	size_t len;		/* bytes in data, without the NUL */
	unsigned nstrings;	/* TXT: how many character strings */
	unsigned char usage, selector, mtype;	/* TLSA */
};

struct dnsmsg {
	char *qname;		/* the name asked, as given */
	int qtype;
	enum dnsmsg_status status;
	int rcode;		/* the header's RCODE, -1 without an answer */
	int ad;			/* the resolver set AD (RFC 4035 3.2.3) */
	int ad_trusted;		/* ... and the resolver is one to believe */
	int tc;			/* the answer came truncated (all of it read) */
	char *canon;		/* the name after the CNAME chain */
	char **cnames;		/* the chain's targets, in order */
	size_t ncnames;
	struct dnsmsg_rr *rr;	/* the records of qtype at canon */
	size_t nrr;
	char why[160];		/* for DNSMSG_BAD and the temporary statuses */
};

/* Parse the answer msg (len bytes) to the question (qname, qtype) into m,
 * which the caller has zeroed or released; m owns copies of everything, so
 * msg may go away after. Returns 0, or -1 with m->status DNSMSG_BAD, m->why
 * and e (ERR_PROTOCOL) saying what was wrong: a header that does not parse,
 * a record running past the message, a compression loop, an MX, TXT or TLSA
 * whose data does not fit its length, a CNAME chain longer than 16. */
int dnsmsg_parse(struct dnsmsg *m, const unsigned char *msg, size_t len,
	const char *qname, int qtype, struct err *e);
/* Free what m holds; m is zeroed after and may be parsed into again. */
void dnsmsg_release(struct dnsmsg *m);
/* Release and free a heap-allocated answer (as dns.h hands them over);
 * m may be NULL. */
void dnsmsg_free(struct dnsmsg *m);

/* "ok", "nodata", "nxdomain", "servfail", "refused", "timeout",
 * "bad-answer". */
const char *dnsmsg_status_name(enum dnsmsg_status s);
/* "MX", "TXT"...; NULL for a type not listed above. */
const char *dnsmsg_type_name(int type);
/* The type for a name (case-insensitive), or -1. */
int dnsmsg_type_parse(const char *name);
/* Append s, text from the DNS, to out made safe for a terminal: control
 * characters and DEL become "?". */
void dnsmsg_add_safe(struct buf *out, const char *s);
/* Compare two domain names, ASCII case-insensitive, ignoring one final
 * dot on either. 0 when equal. */
int dnsmsg_name_cmp(const char *a, const char *b);

#endif
