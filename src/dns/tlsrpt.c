/*
 * tlsrpt.c: SMTP TLS reporting, RFC 8460 3 (the DNS record and its
 * ABNF: tlsrpt-version, field-delim, tlsrpt-rua, tlsrpt-extension).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "dns/mx.h"
#include "dns/taglist.h"
#include "dns/tlsrpt.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')
#define TLSRPT_V "v=TLSRPTv1"

/* Is uri (len bytes) one a sender can report to? */
static int
usable_uri(const char *u, size_t n)
{
	const char *at;

	if (has_prefix_ci(u, n, "mailto:")) {
		at = memchr(u, '@', n);
		return at && at > u + 7 && at < u + n - 1;
	}
	if (has_prefix_ci(u, n, "https://"))
		return n > 8 && u[8] != '/' && u[8] != ':';
	return 0;
}

static void
add_uris(const char *v, size_t vl, char ***rua, size_t *nrua, size_t *bad)
{
	const char *end = v + vl;

	/* tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri) */
	while (v < end) {
		const char *c = memchr(v, ',', (size_t)(end - v));
		const char *ue = c ? c : end;

		while (v < ue && WSP(*v))
			v++;
		while (ue > v && WSP(ue[-1]))
			ue--;
		*rua = xrealloc(*rua, (*nrua + 1) * sizeof **rua);
		(*rua)[(*nrua)++] = xmemdup(v, (size_t)(ue - v));
		if (!usable_uri(v, (size_t)(ue - v)))
			(*bad)++;
		v = c ? c + 1 : end;
	}
}

int
tlsrpt_parse(const char *s, size_t len, char ***rua, size_t *nrua,
	size_t *bad, char *why, size_t whysz)
{
	size_t n = sizeof TLSRPT_V - 1, first = *nrua, badfirst = *bad;
	struct tag t;
	int have_rua = 0, rc;

	if (len < n || memcmp(s, TLSRPT_V, n) != 0 ||
	    (len > n && s[n] != ';' && !WSP(s[n])))
		return 0;
	while ((rc = taglist_next(s, len, &n, &t, why, whysz)) > 0) {
		if (t.nlen != 3 || memcmp(t.name, "rua", 3) != 0)
			continue;
		if (have_rua++)
			return taglist_why(why, whysz, "more than one rua");
		if (t.vlen == 0)
			return taglist_why(why, whysz, "rua is empty");
		add_uris(t.value, t.vlen, rua, nrua, bad);
	}
	if (rc < 0)
		return -1;
	if (!have_rua)
		return taglist_why(why, whysz, "no rua= field");
	if (*bad - badfirst == *nrua - first)
		return taglist_why(why, whysz, "no rua URI is a mailto: "
			"address or an https:// URL");
	return 1;
}

static void
on_txt(void *arg, struct dnsmsg *m)
{
	struct tlsrpt *t = arg;

	t->txt = m;
	for (size_t i = 0; i < m->nrr; i++) {
		if (!has_prefix_ci(m->rr[i].data, m->rr[i].len, "v=TLSRPTv1"))
			continue;
		if (t->nrecords++ == 0)
			t->record = xmemdup(m->rr[i].data, m->rr[i].len);
	}
}

void
tlsrpt_start(struct tlsrpt *t, struct dns *d, const char *domain)
{
	struct buf q = BUF_INIT;

	memset(t, 0, sizeof *t);
	t->domain = xstrdup(domain);
	buf_addf(&q, "_smtp._tls.%s", domain);
	t->txt_name = buf_detach(&q, NULL);
	dns_query(d, t->txt_name, DNSMSG_TXT, on_txt, t);
}

enum dnsmsg_status
tlsrpt_check(struct tlsrpt *t, struct findings *f)
{
	static const struct taglist_ids ids = { "tls-rpt", "tls-rpt.dns",
		"tls-rpt.none", "tls-rpt.records" };
	const struct dnsmsg *m = t->txt;
	char why[200];
	size_t bad = 0;
	int rc;

	if (!taglist_one_record(f, &ids, m, t->txt_name, t->nrecords,
	    "v=TLSRPTv1", "senders do not report TLS failures",
	    "RFC 8460 3"))
		return m ? m->status : DNSMSG_TIMEOUT;
	rc = tlsrpt_parse(t->record, strlen(t->record), &t->rua, &t->nrua,
		&bad, why, sizeof why);
	if (rc < 0) {
		finding_add(f, "tls-rpt", "tls-rpt.record", FINDING_ERROR,
			"write the record as \"v=TLSRPTv1; rua=mailto:ADDR\" "
			"(RFC 8460 3)", "%s is malformed: %s", t->txt_name,
			why);
		return m->status;
	}
	if (rc == 0) {
		finding_add(f, "tls-rpt", "tls-rpt.record", FINDING_ERROR,
			"write the version exactly \"v=TLSRPTv1\" (case "
			"matters)", "%s: the record does not start "
			"\"v=TLSRPTv1\"", t->txt_name);
		return m->status;
	}
	finding_add(f, "tls-rpt", "tls-rpt.ok", FINDING_OK, NULL,
		"reports go to %zu destination%s", t->nrua - bad,
		t->nrua - bad == 1 ? "" : "s");
	for (size_t i = 0; i < t->nrua; i++)
		if (!usable_uri(t->rua[i], strlen(t->rua[i])))
			finding_add(f, "tls-rpt", "tls-rpt.uri", FINDING_WARN,
				"use mailto:ADDRESS or https://HOST/PATH",
				"rua \"%s\" is neither a mailto: address nor "
				"an https:// URL: senders skip it", t->rua[i]);
	return m->status;
}

void
tlsrpt_release(struct tlsrpt *t)
{
	free(t->domain);
	free(t->record);
	free(t->txt_name);
	dnsmsg_free(t->txt);
	strv_free(t->rua, t->nrua);
	memset(t, 0, sizeof *t);
}

void
tlsrpt_text(struct buf *out, const struct tlsrpt *t)
{
	taglist_text(out, t->txt_name, t->record);
}

void
tlsrpt_json(struct json *j, const struct tlsrpt *t)
{
	json_obj_begin(j);
	taglist_json(j, t->txt, t->nrecords, t->record);
	json_key(j, "rua");
	json_arr_begin(j);
	for (size_t i = 0; i < t->nrua; i++)
		json_cstr(j, t->rua[i]);
	json_arr_end(j);
	json_obj_end(j);
}
