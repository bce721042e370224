/*
 * mdig-mx-report.c: one domain's report, from the questions asked to the
 * verdicts: report_start asks the DNS, report_fetch does what is not DNS
 * (the MTA-STS policy over HTTPS, the live probe), report_judge turns the
 * answers into findings. Shared by the single form (mdig-mx.c) and
 * --batch (mdig-mx-batch.c); printing is mdig-mx-print.c's.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "mdig-mx.h"
#include "net/https.h"

/* The MTA-STS policy over HTTPS, from the address our resolver gave. */
static void
fetch_policy(struct sts *s, const char *trust_file, int timeout_ms)
{
	struct https_opts o = { 0 };
	struct https_reply rep = { 0 };
	struct sts_fetch *x = &s->fetch;
	struct err e;

	o.addr = sts_policy_addr(s);
	if (!o.addr)
		return;
	o.url = s->url;
	o.trust_file = trust_file;
	o.timeout_ms = timeout_ms;
	o.max_bytes = STS_POLICY_MAX;
	err_clear(&e);
	x->done = 1;
	if (https_get(&o, &rep, &e) < 0) {
		x->failed = 1;
		x->noperm = e.code == ERR_NOPERM;
		snprintf(x->error, sizeof x->error, "%s", e.msg);
		return;
	}
	x->status = rep.status;
	memcpy(x->content_type, rep.content_type, sizeof x->content_type);
	memcpy(x->location, rep.location, sizeof x->location);
	x->too_big = rep.too_big;
	x->body = buf_detach(&rep.body, &x->len);
	https_reply_release(&rep);
}

void
report_judge(struct report *r)
{
	const struct dnsmsg *first = r->checks & CHECK_NEED_MX ? r->mx.mx :
		r->checks & CHECK_SPF ? r->spf.top.txt :
		r->checks & CHECK_DMARC ? r->dmarc.walk[0].txt :
		r->tlsrpt.txt;

	r->status = first ? first->status : DNSMSG_TIMEOUT;
	r->status_why = first ? first->why : "no answer";
	/* NXDOMAIN at _dmarc.DOMAIN or _smtp._tls.DOMAIN says nothing of
	 * DOMAIN itself */
	if ((r->checks == CHECK_DMARC || r->checks == CHECK_TLSRPT) &&
	    r->status == DNSMSG_NXDOMAIN)
		r->status = DNSMSG_NODATA;
	if (r->checks & CHECK_MX)
		mx_check(&r->mx, &r->f);
	else if (r->checks & CHECK_SPF)
		spf_check(&r->spf, &r->f);
	if (r->status == DNSMSG_NXDOMAIN || mx_status_temporary(r->status))
		return;
	if ((r->checks & CHECK_MX) && (r->checks & CHECK_SPF))
		spf_check(&r->spf, &r->f);
	if (r->checks & CHECK_DMARC)
		dmarc_check(&r->dmarc, &r->f);
	if (r->checks & CHECK_STS)
		sts_check(&r->sts, &r->mx, &r->f);
	if (r->checks & CHECK_TLSRPT)
		tlsrpt_check(&r->tlsrpt, &r->f);
	if (r->checks & CHECK_DANE)
		dane_check(&r->dane, &r->f);
	if (r->checks & CHECK_PROBE) {
		/* an enforced MTA-STS policy makes missing TLS an error */
		r->probe.o.sts_enforce = (r->checks & CHECK_STS) &&
			r->sts.policy_ok &&
			r->sts.policy.mode == STS_MODE_ENFORCE;
		mxprobe_check(&r->probe, &r->f);
	}
}

void
report_start(struct report *r, struct dns *d, const char *domain)
{
	r->domain = domain;
	r->dns = d;
	if (r->checks & CHECK_NEED_MX)
		mx_start(&r->mx, d, domain);
	if (r->checks & CHECK_DANE) {
		dane_start(&r->dane, d, &r->mx);
		if (r->port)
			r->dane.port = r->port;
	}
	if (r->checks & CHECK_STS)
		sts_start(&r->sts, d, domain);
	if (r->checks & CHECK_TLSRPT)
		tlsrpt_start(&r->tlsrpt, d, domain);
	if (r->checks & CHECK_SPF)
		spf_start(&r->spf, d, domain);
	if (r->checks & CHECK_DMARC)
		dmarc_start(&r->dmarc, d, domain);
}

void
report_fetch(struct report *r, const struct mxprobe_opts *po)
{
	if (r->checks & CHECK_STS)
		fetch_policy(&r->sts, r->trust_file, r->timeout_ms);
	if (r->checks & CHECK_PROBE) {
		mxprobe_start(&r->probe, &r->mx, r->checks & CHECK_DANE ?
			&r->dane : NULL, po);
		mxprobe_run(&r->probe);
	}
}

void
report_release(struct report *r)
{
	mx_release(&r->mx);
	if (r->checks & CHECK_SPF)
		spf_release(&r->spf);
	if (r->checks & CHECK_DMARC)
		dmarc_release(&r->dmarc);
	if (r->checks & CHECK_STS)
		sts_release(&r->sts);
	if (r->checks & CHECK_TLSRPT)
		tlsrpt_release(&r->tlsrpt);
	if (r->checks & CHECK_DANE)
		dane_release(&r->dane);
	mxprobe_release(&r->probe);
	finding_release(&r->f);
}

char *
report_domain(const char *s)
{
	char *d = xstrdup(s);
	size_t n = strlen(d);

	if (n > 1 && d[n - 1] == '.')
		d[--n] = '\0';
	if (n == 0 || n > 253 || strchr(d, '/') || strpbrk(d, " \t") ||
		mx_is_ip_literal(d)) {
		free(d);
		return NULL;
	}
	return d;
}
