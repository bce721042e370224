/*
 * dane.h: DANE for SMTP (RFC 7672) as the DNS shows it: the TLSA records
 * at _25._tcp.HOST of each MX host, read, judged usable or not, and their
 * DNSSEC status (RFC 7672 2.2: a sender uses them only when the MX, the
 * host's addresses and the TLSA records are all validated).
 *
 * dane_start hooks into an mx_set (mx.h): as soon as the MX answer names
 * the hosts, the TLSA questions go out beside their address questions, so
 * DANE adds no round trip to a report. Matching the records against a live
 * certificate is --probe's business; struct dane_tlsa is what it takes.
 */
#ifndef MKIT_DANE_H
#define MKIT_DANE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"

/* RFC 6698 2.1, RFC 7218 acronyms */
enum dane_usage {
	DANE_PKIX_TA = 0,
	DANE_PKIX_EE = 1,
	DANE_TA = 2,
	DANE_EE = 3,
};
enum dane_selector { DANE_CERT = 0, DANE_SPKI = 1 };
enum dane_mtype { DANE_FULL = 0, DANE_SHA256 = 1, DANE_SHA512 = 2 };

/* One TLSA record, as a certificate matcher needs it. */
struct dane_tlsa {
	unsigned char usage, selector, mtype;
	const unsigned char *data;	/* borrowed from the answer */
	size_t len;
	int usable;		/* a sender may use it for SMTP (RFC 7672) */
	const char *why;	/* static; why it is not usable, or NULL */
};

struct dane_host {
	const struct mx_host *mx;	/* borrowed from the mx_set */
	struct dnsmsg *tlsa;	/* _25._tcp.HOST TLSA; NULL when not asked */
	struct dane_tlsa *rec;	/* set by dane_check, one per record */
	size_t nrec;
	size_t nusable;
	int validated;		/* TLSA answer validated (trusted AD) */
	int addr_validated;	/* the host's A/AAAA answers are too */
};

struct dane {
	struct dns *dns;
	unsigned port;		/* 25 */
	const struct mx_set *mx;
	struct dane_host *hosts;	/* one per MX host, in its order */
	size_t nhosts;
	int trusted;		/* the resolver's AD bit counts */
};

/*
 * Read rr (a TLSA record of an answer) into t, borrowing its data, and
 * judge it for SMTP (RFC 7672 3.1): usages PKIX-TA(0) and PKIX-EE(1) are
 * not usable, nor an unknown usage, selector or matching type, nor data of
 * the wrong length for its matching type (SHA2-256: 32 bytes, SHA2-512:
 * 64, Full: a DER value). Returns t->usable.
 */
int dane_tlsa_read(struct dane_tlsa *t, const struct dnsmsg_rr *rr);
/* "PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE", or NULL. Also "Cert" /
 * "SPKI" and "Full" / "SHA2-256" / "SHA2-512". */
const char *dane_usage_name(unsigned u);
const char *dane_selector_name(unsigned s);
const char *dane_mtype_name(unsigned m);

/* Hook into mx (after mx_start, before dns_run) on d: each MX host's TLSA
 * record is asked as soon as the host is known. d stays in place until
 * dns_run returns. */
void dane_start(struct dane *d, struct dns *dns, struct mx_set *mx);
/* Judge into f (check "dane"). */
void dane_check(struct dane *d, struct findings *f);
/* The section's lines for people, after dane_check: per host asked
 * "  _25._tcp.HOST: STATUS\n" (its DNSSEC status when it has records, then
 * "    TLSA U S M HEX\n" each, the data cut after 64 bytes), and the
 * section as a JSON object (man/mdig-mx.1, "dane"). */
void dane_text(struct buf *out, const struct dane *d);
void dane_json(struct json *j, const struct dane *d);
void dane_release(struct dane *d);

#endif
