/*
 * mdig-mx: a domain's mail set-up in one command. See man/mdig-mx.1.
 *
 * Thin over the library: src/dns/dns.h asks every question of the report
 * at once, src/dns/mx.h (and the other checks) judge the answers into
 * findings; this file prints them, as text or as JSON (schema mdig-mx/1),
 * and picks the exit status.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mdig-mx.h"
#include "dns/dmarc.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"
#include "dns/spf.h"
#include "mdig-mx-spf.h"
#include "net/https.h"
#include "proto/mxprobe.h"


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
	{ "probe", CHECK_MX | CHECK_DANE | CHECK_PROBE },
};

static int json;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mdig-mx [OPTIONS] [CHECK] DOMAIN\n"
"       mdig-mx [OPTIONS] spf DOMAIN --ip IP [--sender ADDR] [--helo NAME]\n"
"       mdig-mx --batch [OPTIONS] < DOMAINS\n"
"checks (default: all of them):\n"
"  mx              MX hosts by preference, with their addresses\n"
"  spf             the SPF policy: syntax, lookups (limit 10), includes\n"
"  dmarc           the DMARC policy, at the domain or its organizational\n"
"                  domain, and its report destinations\n"
"  mta-sts         the MTA-STS record and policy (fetched over HTTPS), each\n"
"                  MX host matched against it\n"
"  tls-rpt         the TLS reporting record\n"
"  dane            the TLSA records of each MX host and their DNSSEC status\n"
"  probe           the MX hosts and each one tried live (as mx --probe)\n"
"options:\n"
"  -j, --json            print JSON (schema mdig-mx/1)\n"
"  -r, --resolver IP[:PORT]  ask this resolver (repeatable; default: the\n"
"                        system's)\n"
"  -t, --timeout SECONDS bound on each DNS query (default 5)\n"
"  -p, --probe           connect to each MX host: banner, EHLO, STARTTLS,\n"
"                        certificate (name, PKIX), TLSA match\n"
"  -P, --port N          probe this port instead of 25\n"
"  --ip IP               spf: evaluate the policy for mail from IP (RFC 7208\n"
"                        check_host): pass, fail, softfail, neutral, none,\n"
"                        permerror or temperror\n"
"  --sender ADDR         spf --ip: the MAIL FROM address (default\n"
"                        postmaster@DOMAIN; \"\" for postmaster@HELO)\n"
"  --helo NAME           spf --ip: the HELO name (%%{h})\n"
"  --tls-trust-file FILE trust these CAs (PEM) for the MTA-STS policy host\n"
"                        and the probe's PKIX check instead of the system's\n"
"  --trust-ad            believe the resolver's DNSSEC AD bit even when it\n"
"                        is not on loopback\n"
"  --batch               read domains from stdin, one a line; print one\n"
"                        JSON line each, in input order\n"
"  -c, --checks LIST     the checks to make, e.g. mx,spf,dmarc\n"
"  -h, --help            this help\n"
"exit status: 0 no error found, 1 errors found, 64 usage, 68 no such\n"
"domain, 75 DNS failing (--batch: 75 if any domain failed, else 1 if any\n"
"has errors); spf --ip: 0 a result was reached, 75 the domain's own\n"
"lookup failed\n");
}

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

/* The MTA-STS policy over HTTPS, from the address our resolver gave. */
static void
fetch_policy(struct sts *s, const char *trust_file)
{
	struct https_opts o = { 0 };
	struct https_reply rep = { 0 };
	struct sts_fetch *x = &s->fetch;
	struct err e;

	o.addr = sts_policy_addr(s);
	if (!o.addr || s->nrecords != 1)
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
	if (r->checks & CHECK_PROBE)
		print_probe(r);
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
		fetch_policy(&r->sts, r->trust_file);
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

unsigned
report_checks(const char *list)
{
	char **v = NULL;
	size_t n = 0;
	unsigned want = 0;

	strv_add_list(&v, &n, list, 1);
	for (size_t i = 0; i < n; i++) {
		unsigned c = 0;

		for (size_t k = 0; k < ARRAY_SIZE(checks); k++)
			if (strcmp(v[i], checks[k].name) == 0)
				c = checks[k].check;
		if (!c || (c & CHECK_PROBE))
			diex(EX_USAGE, "unknown check \"%s\" in --checks (mx, "
				"spf, dmarc, mta-sts, tls-rpt, dane)", v[i]);
		want |= c;
	}
	strv_free(v, n);
	return want;
}

static unsigned
parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > 65535)
		diex(EX_USAGE, "bad port \"%s\" (1 to 65535)", s);
	return (unsigned)v;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "trust-ad", no_argument, NULL, 'A' },
		{ "probe", no_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "tls-trust-file", required_argument, NULL, 'T' },
		{ "batch", no_argument, NULL, 'b' },
		{ "checks", required_argument, NULL, 'c' },
		{ "ip", required_argument, NULL, 'I' },
		{ "sender", required_argument, NULL, 'S' },
		{ "helo", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dns_opts o = { 0 };
	struct mxprobe_opts po = { 0 };
	int probe = 0, batch = 0;
	unsigned only = 0;
	const char **servers = NULL;
	struct report r = { 0 };
	struct spf_eval_args sa = { 0 };
	struct err e;
	char *domain = NULL;
	int c, status;

	prog_init(argv[0]);
	while ((c = getopt_long(argc, argv, "jr:t:pP:c:h", lopts, NULL)) != -1) {
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
		case 'p':
			probe = 1;
			break;
		case 'P':
			po.port = r.port = parse_port(optarg);
			break;
		case 'T':
			po.trust_file = r.trust_file = optarg;
			if (access(optarg, R_OK) < 0)
				diex(EX_CONFIG, "%s: cannot read the trust "
					"file: %s", optarg, strerror(errno));
			break;
		case 'b':
			batch = 1;
			break;
		case 'c':
			only = report_checks(optarg);
			break;
		case 'I':
			sa.ip = optarg;
			break;
		case 'S':
			sa.sender = optarg;
			break;
		case 'H':
			sa.helo = optarg;
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
	r.checks = only ? only : CHECK_ALL;
	if (batch && sa.ip)
		diex(EX_USAGE, "--ip goes with the spf check, not --batch");
	if (batch) {
		if (argc != 0 || probe)
			diex(EX_USAGE, "--batch reads the domains from standard "
				"input, one a line (no DOMAIN, no --probe)");
		err_clear(&e);
		r.dns = dns_new(&o, &e);
		if (!r.dns)
			goto fail;
		status = batch_run(r.dns, r.checks, r.trust_file, stdin);
		goto out;
	}
	if (argc == 2 && only)
		diex(EX_USAGE, "name a check or give --checks, not both");
	if (argc == 2) {
		r.checks = 0;
		for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
			if (strcmp(argv[0], checks[i].name) == 0)
				r.checks = checks[i].check;
		if (!r.checks)
			diex(EX_USAGE, "unknown check \"%s\" (mx, spf, dmarc, "
				"mta-sts, tls-rpt, dane, probe)", argv[0]);
		argv++;
		argc--;
	}
	if (argc != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if ((sa.sender || sa.helo) && !sa.ip)
		diex(EX_USAGE, "--sender and --helo go with --ip");
	if (sa.ip && (r.checks != CHECK_SPF || probe))
		diex(EX_USAGE, "--ip goes with the spf check");
	if (sa.sender && !sa.sender[0] && !sa.helo)
		diex(EX_USAGE, "an empty --sender needs --helo");
	/* a malformed domain is a result of check_host (none, RFC 7208 4.3) */
	if (sa.ip) {
		size_t n;

		domain = xstrdup(argv[0]);
		n = strlen(domain);
		if (n > 1 && domain[n - 1] == '.')
			domain[--n] = '\0';
		sa.json = json;
		status = spf_eval_main(&o, domain, &sa);
		free(servers);
		free(domain);
		return status;
	}
	if (probe)
		r.checks |= CHECK_MX | CHECK_DANE | CHECK_PROBE;
	domain = report_domain(argv[0]);
	if (!domain)
		diex(EX_USAGE, "\"%s\" is not a domain name", argv[0]);

	err_clear(&e);
	r.dns = dns_new(&o, &e);
	if (!r.dns)
		goto fail;
	report_start(&r, r.dns, domain);
	if (dns_run(r.dns, &e) < 0)
		goto fail;
	report_fetch(&r, &po);
	report_judge(&r);

	if (json) {
		struct buf out = BUF_INIT;

		report_json(&r, &out, NULL, 0);
		fwrite(out.data, 1, out.len, stdout);
		buf_release(&out);
	} else
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
	report_release(&r);
	dns_free(r.dns);
	free(servers);
	free(domain);
	return status;
}
