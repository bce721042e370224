/*
 * sts.h: a domain's MTA-STS set-up (RFC 8461) read and judged.
 *
 * sts_start asks for the _mta-sts TXT record and for the policy host's
 * addresses (mta-sts.DOMAIN, A and AAAA) at once. The policy itself comes
 * over HTTPS, which is the network layer's business: after dns_run, the
 * caller fetches sts_policy_url() from sts_policy_addr() (so that the
 * resolver of the report decides where the policy host is) and hands the
 * result over in s->fetch; sts_check then judges the record, the fetch,
 * the policy and each MX host against the policy's mx patterns.
 *
 * The parsers take any bytes (they are fuzzed) and never read past len.
 */
#ifndef MKIT_STS_H
#define MKIT_STS_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"

#define STS_MAX_AGE_MAX 31557600L	/* RFC 8461 3.2: about a year */
#define STS_POLICY_MAX (64 * 1024)	/* the size cap on a policy body */

enum sts_mode {
	STS_MODE_UNSET = 0,
	STS_MODE_ENFORCE,
	STS_MODE_TESTING,
	STS_MODE_NONE,
};

struct sts_policy {
	int version;		/* "version: STSv1" was there */
	enum sts_mode mode;
	long max_age;		/* seconds; -1 when missing */
	char **mx;		/* the mx patterns, as written (lower case) */
	size_t nmx;
	int ignored;		/* lines that are not "key: value" */
};

/* What the caller's HTTPS fetch of the policy gave. */
struct sts_fetch {
	int done;		/* a fetch was tried */
	int failed;		/* no HTTP reply came: error says why */
	int noperm;		/* ... because the certificate did not verify */
	char error[512];
	long status;		/* the HTTP status */
	char content_type[128];
	char location[256];	/* a redirect's target */
	int too_big;		/* the body passed STS_POLICY_MAX */
	char *body;		/* owned; NUL-terminated after len */
	size_t len;
};

struct sts {
	struct dns *dns;
	char *domain;		/* lower case */
	char *policy_host;	/* "mta-sts.DOMAIN" */
	char *url;		/* the policy's https:// URL */
	char *txt_name;		/* "_mta-sts.DOMAIN" */
	struct dnsmsg *txt;	/* _mta-sts.DOMAIN TXT */
	struct dnsmsg *a, *aaaa;	/* the policy host's addresses */
	int nrecords;		/* TXT records starting "v=STSv1" */
	char *record;		/* the first of them */
	char id[33];		/* its id, "" when it has none */
	struct sts_fetch fetch;	/* filled by the caller */
	/* set by sts_check */
	int policy_ok;		/* the policy parsed: policy is usable */
	struct sts_policy policy;
};

/*
 * Parse an MTA-STS TXT record (RFC 8461 3.1) of len bytes. Returns 0 when
 * s does not start "v=STSv1" (not an MTA-STS record; senders discard it),
 * 1 when it is one and well formed (its id copied into id, 33 bytes), -1
 * when it is one but malformed (why, a phrase, into why).
 */
int sts_txt_parse(const char *s, size_t len, char id[33], char *why,
	size_t whysz);
/*
 * Parse a policy body (RFC 8461 3.2) of len bytes into p (zeroed here;
 * sts_policy_release frees it). Returns 0, or -1 with the first problem
 * that makes the policy unusable into why: no version STSv1, no or a bad
 * mode, no or a bad max_age (digits, at most 10, at most STS_MAX_AGE_MAX),
 * no mx with mode enforce or testing, a malformed mx pattern, a NUL byte.
 */
int sts_policy_parse(struct sts_policy *p, const char *body, size_t len,
	char *why, size_t whysz);
void sts_policy_release(struct sts_policy *p);
/* Does the mx pattern (a host name, or "*." and one, matching exactly one
 * more leftmost label, RFC 8461 4.1) cover host? Case-insensitive; a final
 * dot on either is ignored. */
int sts_mx_match(const char *pattern, const char *host);
/* "enforce", "testing", "none" or NULL. */
const char *sts_mode_name(enum sts_mode m);

/* Start on d into s (initialised here; it must stay in place until dns_run
 * returns). */
void sts_start(struct sts *s, struct dns *d, const char *domain);
/* After dns_run: the address of the policy host to fetch s->url from (the
 * first A, else AAAA), or NULL when the policy should not be fetched (no
 * MTA-STS record, or no address: sts_check says so). */
const char *sts_policy_addr(const struct sts *s);
/* Judge into f (check "mta-sts"), matching mx's hosts against the policy
 * (mx may be NULL: no matching). Returns the status of the TXT answer. */
enum dnsmsg_status sts_check(struct sts *s, const struct mx_set *mx,
	struct findings *f);
/* The section's lines for people, after sts_check, each "  ...\n": the
 * record, the policy's URL, mode and max_age, its mx patterns. */
void sts_text(struct buf *out, const struct sts *s);
/* The section as a JSON object (man/mdig-mx.1, "mta_sts"). */
void sts_json(struct json *j, const struct sts *s);
void sts_release(struct sts *s);

#endif
