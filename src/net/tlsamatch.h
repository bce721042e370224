/*
 * tlsamatch.h: TLSA records matched against a server's certificate chain, as an
 * SMTP client does it (RFC 6698 2.1, RFC 7671, RFC 7672 3.1).
 *
 * Only the usages SMTP gives meaning to are usable: DANE-TA(2) and
 * DANE-EE(3); PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP (RFC 7672
 * 3.1.3), as are unknown selectors and matching types (RFC 6698 4.1).
 * - DANE-EE(3) matches the server's own certificate (depth 0) and nothing
 *   else: no name check and no validity dates (RFC 7672 3.1.1).
 * - DANE-TA(2) matches a certificate of the chain as sent; the chain from
 *   the server's certificate up to it must hold (each signed by the next),
 *   its dates must be current and the server's certificate must name the
 *   host (RFC 7672 3.1.2, 3.2.2). A "2 1 0" record (the full public key)
 *   may also name a trust anchor that the server did not send: the top of
 *   the chain must then be signed by that key (RFC 7671 5.2.2).
 * The DNSSEC status of the records is the caller's business: TLSA records
 * that are not validated do not count (RFC 7672 2.2).
 */
#ifndef MKIT_TLSAMATCH_H
#define MKIT_TLSAMATCH_H

#include <stddef.h>

#include "base/buf.h"

/* The record's fields are the RFC 6698 numbers: usage 0 PKIX-TA, 1 PKIX-EE,
 * 2 DANE-TA, 3 DANE-EE; selector 0 the certificate, 1 its public key
 * (SubjectPublicKeyInfo); matching type 0 full, 1 SHA-256, 2 SHA-512.
 * (The DNS side, dns/dane.h, names them.) */

/* One TLSA record (borrowed data). */
struct tlsamatch_rec {
	unsigned char usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

/* What became of the records. */
struct tlsamatch_verdict {
	size_t usable;		/* records SMTP can use */
	int match;		/* the record that matched, -1: none */
	int depth;		/* the chain position it matched (0: server) */
	char why[256];		/* no match: the reason, for people */
};

/*
 * Match the records t[0..nt) against chain (DER, the server's certificate
 * first, as conn_peer_chain() gives it) for host (the MX host name that a
 * DANE-TA chain must name). Fills v; returns 1 when a record matched, 0
 * when none did (v->why says why: no usable record, no certificate
 * matched, the chain to the matched anchor broken or expired, the name),
 * -1 when the chain does not parse (v->why).
 */
int tlsamatch_chain(const struct tlsamatch_rec *t, size_t nt,
	const struct buf *chain, size_t nc, const char *host,
	struct tlsamatch_verdict *v);

/* Is this record usable for SMTP (usage 2 or 3, known selector and
 * matching type)? */
int tlsamatch_usable(const struct tlsamatch_rec *t);

/*
 * The association data a record of (selector, mtype) would carry for the
 * certificate der (DER), into out (up to size bytes). Returns its length,
 * or -1 (a certificate that does not parse, unknown selector or mtype,
 * out too small).
 */
long tlsamatch_data(const struct buf *der, int selector, int mtype,
	unsigned char *out, size_t size);

#endif
