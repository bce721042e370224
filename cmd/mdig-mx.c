/*
 * mdig-mx: a domain's mail set-up in one command. See man/mdig-mx.1.
 *
 * Thin over the library: src/dns/dns.h asks every question of the report
 * at once, src/dns/mx.h (and the other checks) judge the answers into
 * findings; this file prints them, as text or as JSON (schema mdig-mx/1),
 * and picks the exit status.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "dns/dane.h"
#include "dns/dmarc.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"
#include "dns/spf.h"
#include "dns/sts.h"
#include "dns/tlsrpt.h"
#include "net/https.h"

/* The exit status for a report with error-level findings (like grep's 1). */
#define EXIT_FINDINGS 1

enum check {
	CHECK_MX = 1 << 0,
	CHECK_SPF = 1 << 1,
	CHECK_DMARC = 1 << 2,
	CHECK_STS = 1 << 3,
	CHECK_TLSRPT = 1 << 4,
	CHECK_DANE = 1 << 5,
	CHECK_ALL = CHECK_MX | CHECK_SPF | CHECK_DMARC | CHECK_STS |
		CHECK_TLSRPT | CHECK_DANE,
	/* the checks that need the MX hosts */
	CHECK_NEED_MX = CHECK_MX | CHECK_STS | CHECK_DANE,
};

static const struct {
	const char *name;
	enum check check;
} checks[] = {
	{ "mx", CHECK_MX },
	{ "spf", CHECK_SPF },
	{ "dmarc", CHECK_DMARC },
	{ "mta-sts", CHECK_STS },
	{ "tls-rpt", CHECK_TLSRPT },
	{ "dane", CHECK_DANE },
};

static int json;

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
	struct findings f;
	/* The domain's own answer: decides 68 and 75 (the MX answer, or for
	 * a single check that check's). */
	enum dnsmsg_status status;
	const char *status_why;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mdig-mx [OPTIONS] [CHECK] DOMAIN\n"
"checks (default: all of them):\n"
"  mx              MX hosts by preference, with their addresses\n"
"  spf             the SPF policy: syntax, lookups (limit 10), includes\n"
"  dmarc           the DMARC policy, at the domain or its organizational\n"
"                  domain, and its report destinations\n"
"  mta-sts         the MTA-STS record and policy (fetched over HTTPS), each\n"
"                  MX host matched against it\n"
"  tls-rpt         the TLS reporting record\n"
"  dane            the TLSA records of each MX host and their DNSSEC status\n"
"options:\n"
"  -j, --json            print JSON (schema mdig-mx/1)\n"
"  -r, --resolver IP[:PORT]  ask this resolver (repeatable; default: the\n"
"                        system's)\n"
"  -t, --timeout SECONDS bound on each DNS query (default 5)\n"
"  --tls-trust-file FILE trust these CAs (PEM) for the MTA-STS policy host\n"
"                        instead of the system's\n"
"  --trust-ad            believe the resolver's DNSSEC AD bit even when it\n"
"                        is not on loopback\n"
"  -h, --help            this help\n"
"exit status: 0 no error found, 1 errors found, 64 usage, 68 no such\n"
"domain, 75 DNS failing\n");
}

/* Text from the DNS, made safe for a terminal. */
static void
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

/* The MTA-STS policy over HTTPS, from the address our resolver gave. */
static void
fetch_policy(struct sts *s, const char *trust_file)
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

static void
print_json(const struct report *r)
{
	struct buf out = BUF_INIT;
	struct json j;

	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "schema");
	json_cstr(&j, "mdig-mx/1");
	json_key(&j, "domain");
	json_cstr(&j, r->domain);
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
	buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
}

static void
print_text(const struct report *r)
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
}

/* Judge every check made into r->f. When the domain does not exist or its
 * first answer failed, only that is said: the rest would repeat it. */
static void
judge(struct report *r)
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
}

static int
parse_timeout(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 3600)
		diex(EX_USAGE, "bad timeout \"%s\" (seconds, e.g. 2 or 0.5)",
			s);
	return (int)(v * 1000 + 0.5);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "trust-ad", no_argument, NULL, 'A' },
		{ "tls-trust-file", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dns_opts o = { 0 };
	const char **servers = NULL, *trust_file = NULL;
	struct report r = { 0 };
	struct err e;
	char *domain;
	size_t n;
	int c, status;

	prog_init(argv[0]);
	while ((c = getopt_long(argc, argv, "jr:t:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'r':
			servers = xrealloc(servers,
				(o.nservers + 1) * sizeof *servers);
			servers[o.nservers++] = optarg;
			break;
		case 't':
			o.timeout_ms = parse_timeout(optarg);
			break;
		case 'A':
			o.trust_ad = 1;
			break;
		case 'T':
			trust_file = optarg;
			if (access(trust_file, R_OK) < 0)
				diex(EX_CONFIG, "%s: cannot read the trust "
					"file: %s", trust_file,
					strerror(errno));
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	o.servers = servers;
	argc -= optind;
	argv += optind;
	r.checks = CHECK_ALL;
	if (argc == 2) {
		r.checks = 0;
		for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
			if (strcmp(argv[0], checks[i].name) == 0)
				r.checks = checks[i].check;
		if (!r.checks)
			diex(EX_USAGE, "unknown check \"%s\" (mx, spf, dmarc, "
				"mta-sts, tls-rpt, dane)", argv[0]);
		argv++;
		argc--;
	}
	if (argc != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	domain = xstrdup(argv[0]);
	n = strlen(domain);
	if (n > 1 && domain[n - 1] == '.')
		domain[--n] = '\0';
	if (n == 0 || n > 253 || strchr(domain, '/') || mx_is_ip_literal(domain))
		diex(EX_USAGE, "\"%s\" is not a domain name", argv[0]);
	r.domain = domain;

	err_clear(&e);
	r.dns = dns_new(&o, &e);
	if (!r.dns)
		goto fail;
	if (r.checks & CHECK_NEED_MX)
		mx_start(&r.mx, r.dns, domain);
	if (r.checks & CHECK_DANE)
		dane_start(&r.dane, r.dns, &r.mx);
	if (r.checks & CHECK_STS)
		sts_start(&r.sts, r.dns, domain);
	if (r.checks & CHECK_TLSRPT)
		tlsrpt_start(&r.tlsrpt, r.dns, domain);
	if (r.checks & CHECK_SPF)
		spf_start(&r.spf, r.dns, domain);
	if (r.checks & CHECK_DMARC)
		dmarc_start(&r.dmarc, r.dns, domain);
	if (dns_run(r.dns, &e) < 0)
		goto fail;
	if (r.checks & CHECK_STS)
		fetch_policy(&r.sts, trust_file);
	judge(&r);

	if (json)
		print_json(&r);
	else
		print_text(&r);

	if (r.status == DNSMSG_NXDOMAIN) {
		warnx_("%s: no such domain (NXDOMAIN)", domain);
		status = EX_NOHOST;
	} else if (mx_status_temporary(r.status)) {
		warnx_("%s: DNS lookups failing: %s", domain, r.status_why);
		status = EX_TEMPFAIL;
	} else {
		status = finding_worst(&r.f, NULL) == FINDING_ERROR ?
			EXIT_FINDINGS : 0;
	}
	goto out;
fail:
	print_err(&e);
	status = exit_code(e.code);
out:
	mx_release(&r.mx);
	if (r.checks & CHECK_SPF)
		spf_release(&r.spf);
	if (r.checks & CHECK_DMARC)
		dmarc_release(&r.dmarc);
	if (r.checks & CHECK_STS)
		sts_release(&r.sts);
	if (r.checks & CHECK_TLSRPT)
		tlsrpt_release(&r.tlsrpt);
	if (r.checks & CHECK_DANE)
		dane_release(&r.dane);
	finding_release(&r.f);
	dns_free(r.dns);
	free(servers);
	free(domain);
	return status;
}
