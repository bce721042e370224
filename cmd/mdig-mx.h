/*
 * mdig-mx.h: one domain's report, shared by the single form (mdig-mx.c)
 * and --batch (mdig-mx-batch.c). See man/mdig-mx.1.
 */
#ifndef MKIT_CMD_MDIG_MX_H
#define MKIT_CMD_MDIG_MX_H

#include "base/buf.h"
#include "dns/dmarc.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"
#include "dns/spf.h"
#include "dns/sts.h"
#include "dns/tlsrpt.h"
#include "proto/mxprobe.h"

/* The exit status for a report with error-level findings (like grep's 1). */
#define EXIT_FINDINGS 1

enum check {
	CHECK_MX = 1 << 0,
	CHECK_SPF = 1 << 1,
	CHECK_DMARC = 1 << 2,
	CHECK_STS = 1 << 3,
	CHECK_TLSRPT = 1 << 4,
	CHECK_DANE = 1 << 5,
	CHECK_PROBE = 1 << 6,	/* only by --probe or "probe" */
	CHECK_ALL = CHECK_MX | CHECK_SPF | CHECK_DMARC | CHECK_STS |
		CHECK_TLSRPT | CHECK_DANE,
	/* the checks that need the MX hosts */
	CHECK_NEED_MX = CHECK_MX | CHECK_STS | CHECK_DANE | CHECK_PROBE,
};

struct report {
	const char *domain;
	enum check checks;
	struct dns *dns;
	struct mx_set mx;
	struct spf spf;
	struct dmarc dmarc;
	struct sts sts;
	struct tlsrpt tlsrpt;
	struct dane dane;
	unsigned port;		/* --port: the TLSA records' port; 0: 25 */
	const char *trust_file;	/* --tls-trust-file, or NULL */
	int timeout_ms;		/* --timeout for the MTA-STS fetch; 0: 10 s */
	struct mxprobe probe;
	struct findings f;
	/* The domain's own answer: decides 68 and 75 (the MX answer, or for
	 * a single check that check's). */
	enum dnsmsg_status status;
	const char *status_why;
};

/* Ask every question of r->checks about domain (borrowed; must outlive
 * r) on d; the answers come in during dns_run/dns_step. */
void report_start(struct report *r, struct dns *d, const char *domain);
/* After the answers: what is not DNS (the MTA-STS policy over HTTPS, the
 * live probe). Blocking, bounded by their timeouts. */
void report_fetch(struct report *r, const struct mxprobe_opts *po);
/* Judge every check made into r->f. When the domain does not exist or its
 * first answer failed, only that is said: the rest would repeat it. */
void report_judge(struct report *r);
/* Append r as one JSON line (schema mdig-mx/1) to out; result and line
 * (when > 0) are --batch's keys. */
void report_json(const struct report *r, struct buf *out, const char *result,
	long line);
/* Print r for people on stdout. */
void report_text(const struct report *r);
/* The probe's transcripts (-v), one host after the other in MX order, on
 * stderr. */
void report_transcripts(const struct report *r);
void report_release(struct report *r);
/* The domain of s (final dot removed), a new string, or NULL when s is no
 * domain name (empty, too long, a slash, an IP address...). */
char *report_domain(const char *s);
/* The checks named in list ("mx,spf,dmarc"); exits with 64 and a message
 * on a name it does not know. */
unsigned report_checks(const char *list);

/* --batch's domains in flight when --parallel is not given. */
#define BATCH_PARALLEL 200
/* The most --parallel allows (c-ares keeps every query in memory). */
#define BATCH_PARALLEL_MAX 10000

/* --batch: one report per line of in, as JSON lines in input order, up to
 * parallel (0: BATCH_PARALLEL) domains at once; each report's checks,
 * trust_file and timeout_ms are those of tmpl. The exit status
 * (mdig-mx(1)). */
int batch_run(struct dns *d, const struct report *tmpl, unsigned parallel,
	FILE *in);

#endif
