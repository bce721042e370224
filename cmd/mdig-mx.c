/*
 * mdig-mx: a domain's mail set-up in one command. See man/mdig-mx.1.
 *
 * Thin over the library: src/dns/dns.h asks every question of the report
 * at once, src/dns/mx.h (and the other checks) judge the answers into
 * findings. This file reads the options and picks the exit status;
 * mdig-mx-report.c makes one report, mdig-mx-print.c prints it (text, or
 * JSON schema mdig-mx/1), mdig-mx-batch.c runs many (--batch) and
 * mdig-mx-spf.c evaluates SPF for an address (spf --ip).
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "common.h"
#include "mdig-mx.h"
#include "dns/dmarc.h"
#include "dns/dns.h"
#include "dns/finding.h"
#include "dns/mx.h"
#include "dns/spf.h"
#include "mdig-mx-spf.h"
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
"  -t, --timeout SECONDS bound on each DNS query (default 5), on the\n"
"                        MTA-STS fetch (default 10) and on each step of\n"
"                        the probe (connect 10, reads 30)\n"
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
"  --parallel N          the most domains (--batch, default 200) or MX\n"
"                        hosts (--probe, default 8) worked on at once\n"
"  -v, --verbose         with --probe: the SMTP transcript of each probe\n"
"                        on stderr\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n"
"exit status: 0 no error found, 1 errors found, 64 usage, 68 no such\n"
"domain, 75 DNS failing (--batch: 75 if any domain failed, else 1 if any\n"
"has errors); spf --ip: 0 a result was reached, 75 the domain's own\n"
"lookup failed\n");
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

static unsigned
parse_parallel(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > BATCH_PARALLEL_MAX)
		diex(EX_USAGE, "bad --parallel \"%s\" (1 to %d)", s,
			BATCH_PARALLEL_MAX);
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
		{ "parallel", required_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "ip", required_argument, NULL, 'I' },
		{ "sender", required_argument, NULL, 'S' },
		{ "helo", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct dns_opts o = { 0 };
	struct mxprobe_opts po = { 0 };
	int probe = 0, batch = 0;
	unsigned only = 0, parallel = 0;
	const char **servers = NULL;
	struct report r = { 0 };
	struct spf_eval_args sa = { 0 };
	struct err e;
	char *domain = NULL;
	int c, status;

	prog_init(argv[0]);
	while ((c = getopt_long(argc, argv, "jr:t:pP:c:vhV", lopts, NULL)) != -1) {
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
		case 'N':
			parallel = parse_parallel(optarg);
			break;
		case 'v':
			po.transcript = 1;
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
			status = 0;
			goto out;
		case 'V':
			printf("mdig-mx (mkit) %s\n", PACKAGE_VERSION);
			status = 0;
			goto out;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	o.servers = servers;
	/* --timeout bounds the MTA-STS fetch and each step of the probe too
	 * (whole seconds for the probe, rounded up) */
	r.timeout_ms = o.timeout_ms;
	if (o.timeout_ms)
		po.connect_timeout = po.timeout = (o.timeout_ms + 999) / 1000;
	po.parallel = parallel;
	argc -= optind;
	argv += optind;
	r.checks = only ? only : CHECK_ALL;
	if (batch && sa.ip)
		diex(EX_USAGE, "--ip goes with the spf check, not --batch");
	if (batch) {
		if (argc != 0 || probe || po.transcript)
			diex(EX_USAGE, "--batch reads the domains from standard "
				"input, one a line (no DOMAIN, no --probe, no "
				"-v)");
		err_clear(&e);
		r.dns = dns_new(&o, &e);
		if (!r.dns)
			goto fail;
		status = batch_run(r.dns, &r, parallel, stdin);
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
	report_transcripts(&r);
	report_judge(&r);

	if (json) {
		struct buf out = BUF_INIT;

		report_json(&r, &out, NULL, 0);
		fwrite(out.data, 1, out.len, stdout);
		buf_release(&out);
	} else
		report_text(&r);

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
