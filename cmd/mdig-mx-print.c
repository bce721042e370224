/*
 * mdig-mx-print.c: a report for people (report_text) and as JSON
 * (report_json, schema mdig-mx/1), and the probe's -v transcripts. What the
 * checks found is theirs (src/dns/, proto/mxprobe.h); this file only lays
 * it out. See man/mdig-mx.1.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "mdig-mx.h"
#include "mdig-mx-spf.h"

/* Text from the DNS, made safe for a terminal. */
void
put_safe(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void
print_addrs(const struct dnsmsg *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nrr; i++) {
		putchar(' ');
		put_safe(m->rr[i].data);
	}
}

static void
print_findings(const struct report *r, const char *check)
{
	for (size_t i = 0; i < r->f.n; i++) {
		const struct finding *x = &r->f.v[i];

		if (strcmp(x->check, check) != 0)
			continue;
		printf("  %-5s %s: ", finding_level_name(x->level), x->id);
		put_safe(x->text);
		putchar('\n');
		if (x->fix)
			printf("        fix: %s\n", x->fix);
	}
}

static void
print_mx(const struct report *r)
{
	const struct mx_set *s = &r->mx;

	printf("MX%s\n", s->mx && s->mx->ad_trusted ? " (DNSSEC validated)" :
		"");
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct mx_host *h = &s->hosts[i];

		if (s->implicit)
			printf("  (implicit) ");
		else
			printf("  %u ", h->pref);
		put_safe(h->name);
		printf(" ");
		print_addrs(h->a);
		print_addrs(h->aaaa);
		putchar('\n');
	}
	print_findings(r, "mx");
}

static void
print_spf_rec(const struct spf_rec *r, int depth)
{
	printf("  %*s", depth * 2, "");
	if (r->via)
		printf("%s ", r->via);
	put_safe(r->domain);
	printf(": ");
	put_safe(r->record ? r->record : r->loop ? "(loop)" : r->txt ?
		dnsmsg_status_name(r->txt->status) : "(not followed)");
	if (r->nrecords > 1)
		printf(" (and %d more)", r->nrecords - 1);
	putchar('\n');
	for (size_t i = 0; i < r->nterms; i++)
		if (r->terms[i].child)
			print_spf_rec(r->terms[i].child, depth + 1);
}

static void
print_spf(const struct report *r)
{
	printf("SPF\n");
	print_spf_rec(&r->spf.top, 0);
	printf("  lookups %u of 10, void %u of 2\n", r->spf.lookups,
		r->spf.voids);
	print_findings(r, "spf");
}

static void
json_spf_rec(struct json *j, const struct spf_rec *r, int depth)
{
	json_obj_begin(j);
	json_key(j, "domain");
	json_cstr(j, r->domain);
	json_key(j, "via");
	json_cstr(j, r->via);
	json_key(j, "depth");
	json_int(j, depth);
	json_key(j, "status");
	json_cstr(j, r->loop ? "loop" : r->txt ?
		dnsmsg_status_name(r->txt->status) : "not-followed");
	json_key(j, "records");
	json_int(j, r->nrecords);
	json_key(j, "record");
	json_cstr(j, r->record);
	json_obj_end(j);
	for (size_t i = 0; i < r->nterms; i++)
		if (r->terms[i].child)
			json_spf_rec(j, r->terms[i].child, depth + 1);
}

static void
json_spf(struct json *j, const struct report *r)
{
	json_key(j, "spf");
	json_obj_begin(j);
	json_key(j, "status");
	json_cstr(j, dnsmsg_status_name(r->spf.top.txt->status));
	json_key(j, "record");
	json_cstr(j, r->spf.top.record);
	json_key(j, "lookups");
	json_int(j, r->spf.lookups);
	json_key(j, "void_lookups");
	json_int(j, r->spf.voids);
	json_key(j, "tree");
	json_arr_begin(j);
	json_spf_rec(j, &r->spf.top, 0);
	json_arr_end(j);
	json_obj_end(j);
}

static void
print_dmarc(const struct report *r)
{
	const struct dmarc *d = &r->dmarc;

	printf("DMARC\n");
	if (d->policy) {
		printf("  _dmarc.");
		put_safe(d->policy->name);
		printf(": ");
		put_safe(d->policy->record);
		printf("\n  policy %s", d->p);
		printf(" (%s)\n", !strcmp(d->decided, "domain") ?
			"the domain's own record" : !strcmp(d->decided, "psl") ?
			"organizational domain by the public suffix list" :
			"organizational domain by the DNS tree walk");
	}
	printf("  organizational domain: %s (public suffix list), %s (DNS "
		"tree walk)\n", d->psl_org ? d->psl_org : "none",
		d->tree_org ? d->tree_org : "none");
	print_findings(r, "dmarc");
}

static void
print_probe(const struct report *r)
{
	struct buf out = BUF_INIT;

	printf("PROBE\n");
	mxprobe_text(&out, &r->probe);
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	print_findings(r, "probe");
}

static void
json_dmarc(struct json *j, const struct report *r)
{
	const struct dmarc *d = &r->dmarc;

	json_key(j, "dmarc");
	json_obj_begin(j);
	json_key(j, "status");
	json_cstr(j, dnsmsg_status_name(d->walk[0].txt->status));
	json_key(j, "record");
	json_cstr(j, d->policy ? d->policy->record : NULL);
	json_key(j, "record_at");
	json_cstr(j, d->policy ? d->policy->name : NULL);
	json_key(j, "policy");
	json_cstr(j, d->policy ? d->p : NULL);
	json_key(j, "decided_by");
	json_cstr(j, d->decided);
	json_key(j, "org_psl");
	json_cstr(j, d->psl_org);
	json_key(j, "org_tree_walk");
	json_cstr(j, d->tree_org);
	json_obj_end(j);
}

static void
json_addr_status(struct json *j, const char *key, const struct dnsmsg *m)
{
	json_key(j, key);
	json_cstr(j, m ? dnsmsg_status_name(m->status) : NULL);
}

static void
json_mx(struct json *j, const struct report *r)
{
	const struct mx_set *s = &r->mx;

	json_key(j, "mx");
	json_obj_begin(j);
	json_key(j, "status");
	json_cstr(j, s->mx ? dnsmsg_status_name(s->mx->status) : "timeout");
	json_key(j, "validated");
	json_bool(j, s->mx && s->mx->ad_trusted);
	json_key(j, "implicit");
	json_bool(j, s->implicit);
	json_key(j, "null");
	json_bool(j, s->null_mx);
	json_key(j, "hosts");
	json_arr_begin(j);
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct mx_host *h = &s->hosts[i];
		const char *alias = h->a && h->a->ncnames ? h->a->canon :
			h->aaaa && h->aaaa->ncnames ? h->aaaa->canon : NULL;

		json_obj_begin(j);
		json_key(j, "name");
		json_cstr(j, h->name);
		json_key(j, "preference");
		json_int(j, h->pref);
		json_key(j, "ip_literal");
		json_bool(j, h->ip_literal);
		json_key(j, "alias_of");
		json_cstr(j, alias);
		json_key(j, "addresses");
		json_arr_begin(j);
		for (size_t k = 0; h->a && k < h->a->nrr; k++)
			json_cstr(j, h->a->rr[k].data);
		for (size_t k = 0; h->aaaa && k < h->aaaa->nrr; k++)
			json_cstr(j, h->aaaa->rr[k].data);
		json_arr_end(j);
		json_addr_status(j, "a", h->a);
		json_addr_status(j, "aaaa", h->aaaa);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* A section: its title, the lines the check renders, its findings. */
static void
print_section(const struct report *r, const char *title, const char *check,
	struct buf *body)
{
	printf("%s\n", title);
	fwrite(body->data ? body->data : "", 1, body->len, stdout);
	print_findings(r, check);
	buf_release(body);
}

void
report_json(const struct report *r, struct buf *out, const char *result,
	long line)
{
	struct json j;

	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "schema");
	json_cstr(&j, "mdig-mx/1");
	json_key(&j, "domain");
	json_cstr(&j, r->domain);
	if (line > 0) {
		json_key(&j, "line");
		json_int(&j, line);
	}
	if (result) {
		json_key(&j, "result");
		json_cstr(&j, result);
	}
	json_key(&j, "verdict");
	json_cstr(&j, finding_level_name(finding_worst(&r->f, NULL)));
	if (r->checks & CHECK_MX)
		json_mx(&j, r);
	if (r->checks & CHECK_SPF)
		json_spf(&j, r);
	if (r->checks & CHECK_DMARC)
		json_dmarc(&j, r);
	if (r->checks & CHECK_STS) {
		json_key(&j, "mta_sts");
		sts_json(&j, &r->sts);
	}
	if (r->checks & CHECK_TLSRPT) {
		json_key(&j, "tls_rpt");
		tlsrpt_json(&j, &r->tlsrpt);
	}
	if (r->checks & CHECK_DANE) {
		json_key(&j, "dane");
		dane_json(&j, &r->dane);
	}
	if (r->checks & CHECK_PROBE) {
		json_key(&j, "probe");
		mxprobe_json(&j, &r->probe);
	}
	json_key(&j, "findings");
	json_arr_begin(&j);
	for (size_t i = 0; i < r->f.n; i++) {
		const struct finding *x = &r->f.v[i];

		json_obj_begin(&j);
		json_key(&j, "check");
		json_cstr(&j, x->check);
		json_key(&j, "id");
		json_cstr(&j, x->id);
		json_key(&j, "verdict");
		json_cstr(&j, finding_level_name(x->level));
		json_key(&j, "text");
		json_cstr(&j, x->text);
		json_key(&j, "fix");
		json_cstr(&j, x->fix);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	buf_addch(out, '\n');
}

void
report_text(const struct report *r)
{
	struct buf b = BUF_INIT;

	printf("%s\n", r->domain);
	if (r->checks & CHECK_MX)
		print_mx(r);
	if (r->checks & CHECK_SPF)
		print_spf(r);
	if (r->checks & CHECK_DMARC)
		print_dmarc(r);
	if (r->checks & CHECK_STS) {
		sts_text(&b, &r->sts);
		print_section(r, "MTA-STS", "mta-sts", &b);
	}
	if (r->checks & CHECK_TLSRPT) {
		tlsrpt_text(&b, &r->tlsrpt);
		print_section(r, "TLS-RPT", "tls-rpt", &b);
	}
	if (r->checks & CHECK_DANE) {
		dane_text(&b, &r->dane);
		print_section(r, "DANE", "dane", &b);
	}
	if (r->checks & CHECK_PROBE)
		print_probe(r);
}

void
report_transcripts(const struct report *r)
{
	if (!(r->checks & CHECK_PROBE))
		return;
	for (size_t i = 0; i < r->probe.n; i++) {
		const struct buf *t = &r->probe.h[i].transcript;

		if (t->len)
			fwrite(t->data, 1, t->len, stderr);
	}
	fflush(stderr);
}
