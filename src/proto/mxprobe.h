/*
 * mxprobe.h: a domain's MX hosts tried live (mdig-mx --probe): banner,
 * EHLO, STARTTLS (offered? does the handshake work?), the TLS version and
 * cipher, the certificate chain, whether it names the MX host, whether it
 * verifies under PKIX (what MTA-STS requires, RFC 8461 4.2), and the TLSA
 * records of dns/dane.h (_PORT._tcp.HOST) matched against it (RFC 7672,
 * net/tlsamatch.h).
 *
 * The session is the SMTP engine's (smtp_begin, smtp_starttls: no AUTH, so
 * no SASL is linked) over conn.h, verification off so that every chain is
 * seen; certchk.h then says what a verifying client would decide. Nothing
 * is sent after EHLO but QUIT: no MAIL, no RCPT.
 *
 * Which address: each MX host in preference order; its addresses (A, then
 * AAAA) are tried in turn and the first that answers is probed, so one dead
 * address of a host with another that works is a warning, not a failure.
 *
 * The hosts are probed in parallel, up to o->parallel at once (threads:
 * the SMTP engine and conn are blocking), so a report with a dead host
 * takes one timeout, not one per dead host; the results stay in MX order.
 * With o->transcript each host's SMTP transcript (-v; net/transcript.h,
 * secrets redacted) is kept apart in its own buffer, so that the caller
 * can show them in MX order, not interleaved.
 *
 * Usage: after the MX set and the TLSA records are resolved (dns_run),
 * mxprobe_start, mxprobe_run, mxprobe_check, then print with mxprobe_text
 * or mxprobe_json.
 */
#ifndef MKIT_MXPROBE_H
#define MKIT_MXPROBE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "dns/dane.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"
#include "net/conn.h"
#include "net/tlsamatch.h"

/* Hosts probed at once by default. */
#define MXPROBE_PARALLEL 8

struct mxprobe_opts {
	unsigned port;		/* 25 when 0 */
	const char *helo;	/* the EHLO name; NULL: this host's name */
	const char *trust_file;	/* CAs for the PKIX check; NULL: system */
	int connect_timeout;	/* seconds; 10 when 0 */
	int timeout;		/* each read, seconds; 30 when 0 */
	unsigned parallel;	/* hosts at once; MXPROBE_PARALLEL when 0 */
	int transcript;		/* keep each host's transcript */
	/* An MTA-STS policy in enforce mode is known for the domain: a
	 * certificate not valid under PKIX for the MX, or no STARTTLS, is
	 * then an error (RFC 8461 5). */
	int sts_enforce;
};

enum mxprobe_tls {
	MXPROBE_TLS_UNKNOWN = 0,	/* never got that far */
	MXPROBE_TLS_NOT_OFFERED,
	MXPROBE_TLS_REFUSED,		/* STARTTLS answered other than 220 */
	MXPROBE_TLS_FAILED,		/* the handshake failed */
	MXPROBE_TLS_OK,
};

struct mxprobe_host {
	const struct mx_host *mx;	/* borrowed from the mx_set */
	const struct dnsmsg *tlsa;	/* the TLSA answer (dane.h's), or NULL */
	int tlsa_validated;		/* ... DNSSEC-validated */
	char tlsa_name[300];		/* _PORT._tcp.HOST */
	char addr[64];			/* the address probed (or last tried) */
	unsigned tried;			/* addresses tried */
	int connected;
	char conn_err[320];		/* why the last address failed */
	char *greeting;			/* raw lines; NULL: none */
	char *ehlo;
	char smtp_err[320];		/* greeting or EHLO refused/broken */
	enum mxprobe_tls tls;
	char tls_err[320];
	struct conn_tls_info ti;
	struct buf *chain;		/* DER, server first */
	size_t nchain;
	int name_ok;			/* the certificate names the host */
	int pkix;			/* 1 valid, 0 not, -1 not judged */
	char pkix_why[160];
	int dane;			/* tlsamatch_chain(); -2: not matched */
	struct tlsamatch_verdict dv;
	/* with o.transcript: the transcript, lines ended by '\n' */
	struct buf transcript;
};

struct mxprobe {
	struct mxprobe_opts o;
	struct mxprobe_host *h;
	size_t n;
	char helo[256];
};

/* Set p up for the hosts of s (resolved), with their TLSA records from
 * dane (resolved with its port set to o->port; NULL: none asked). p
 * borrows s and dane: they must outlive it. */
void mxprobe_start(struct mxprobe *p, const struct mx_set *s,
	const struct dane *dane, const struct mxprobe_opts *o);
/* Probe every host (blocking; up to o.parallel at once, each bounded by
 * the timeouts). */
void mxprobe_run(struct mxprobe *p);
/* Judge into f (check "probe"; the TLSA records themselves and their
 * DNSSEC status are dane_check()'s). */
void mxprobe_check(const struct mxprobe *p, struct findings *f);
/* Append the probe for people: per host a line "  PREF HOST ADDR:PORT",
 * then indented "banner:", "starttls:", "tls:", "certificate N:", "name:",
 * "pkix:", "tlsa:" lines. */
void mxprobe_text(struct buf *out, const struct mxprobe *p);
/* Write the probe as a JSON array, one object per host (mdig-mx(1)). */
void mxprobe_json(struct json *j, const struct mxprobe *p);
void mxprobe_release(struct mxprobe *p);

#endif
