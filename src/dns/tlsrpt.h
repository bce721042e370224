/*
 * tlsrpt.h: a domain's SMTP TLS reporting record (RFC 8460 3) read and
 * judged: _smtp._tls.DOMAIN TXT "v=TLSRPTv1; rua=URI[,URI]...", where
 * senders send their daily reports of TLS failures (mailto: or https:).
 */
#ifndef MKIT_TLSRPT_H
#define MKIT_TLSRPT_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "dns/dns.h"
#include "dns/finding.h"

struct tlsrpt {
	char *domain;
	char *txt_name;		/* "_smtp._tls.DOMAIN" */
	struct dnsmsg *txt;	/* _smtp._tls.DOMAIN TXT */
	int nrecords;		/* TXT records starting "v=TLSRPTv1" */
	char *record;		/* the first of them */
	/* set by tlsrpt_check */
	char **rua;		/* the URIs, as written */
	size_t nrua;
};

/*
 * Parse a TLS-RPT record of len bytes (RFC 8460 3). Returns 0 when it does
 * not start "v=TLSRPTv1" (not a TLS-RPT record), 1 when it is one and well
 * formed, -1 when it is one but malformed (why, a phrase, into why). The
 * rua URIs are added to *rua / *nrua (strv_free) in both of the last two
 * cases, as far as they were read; *bad counts those that are neither a
 * mailto: with an address nor an https:// URL with a host (senders skip
 * them; a record with no usable one is malformed).
 */
int tlsrpt_parse(const char *s, size_t len, char ***rua, size_t *nrua,
	size_t *bad, char *why, size_t whysz);

/* Start on d into t (initialised here; it must stay in place until dns_run
 * returns). */
void tlsrpt_start(struct tlsrpt *t, struct dns *d, const char *domain);
/* Judge into f (check "tls-rpt"). Returns the status of the TXT answer. */
enum dnsmsg_status tlsrpt_check(struct tlsrpt *t, struct findings *f);
/* The section's lines for people ("  NAME: RECORD\n"), and the section as
 * a JSON object (man/mdig-mx.1, "tls_rpt"); after tlsrpt_check. */
void tlsrpt_text(struct buf *out, const struct tlsrpt *t);
void tlsrpt_json(struct json *j, const struct tlsrpt *t);
void tlsrpt_release(struct tlsrpt *t);

#endif
