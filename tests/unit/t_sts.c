/*
 * t_sts: the record and policy parsers of mdig-mx's transport checks,
 * table-driven: the MTA-STS TXT record (RFC 8461 3.1) and policy (3.2),
 * MX pattern matching (4.1), the TLS-RPT record (RFC 8460 3), and TLSA
 * records judged for SMTP (RFC 7672 3.1).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/dane.h"
#include "dns/sts.h"
#include "dns/tlsrpt.h"
#include "tap.h"

static const struct {
	const char *rec;
	int want;		/* 1 good, 0 not an STS record, -1 malformed */
	const char *id_or_why;
} txts[] = {
	{ "v=STSv1; id=20160831085700Z;", 1, "20160831085700Z" },
	{ "v=STSv1;id=1", 1, "1" },
	{ "v = STSv1 ; id = abc ; ", 1, "abc" },
	{ "v=STSv1; id=a1; ext_1-x.y=v!v", 1, "a1" },
	{ "v=STSv1; id=12345678901234567890123456789012", 1,
	  "12345678901234567890123456789012" },
	{ "v=spf1 -all", 0, NULL },
	{ "V=STSv1; id=1", 0, NULL },
	{ "v=STSv10; id=1", 0, NULL },
	{ "v=STSv1", -1, "no id= field" },
	{ "v=STSv1;", -1, "no id= field" },
	{ "v=STSv1; id=2024-01-01", -1,
	  "id \"2024-01-01\" is not letters and digits" },
	{ "v=STSv1; id=123456789012345678901234567890123", -1,
	  "id \"123456789012345678901234567890123\" is longer than 32 "
	  "characters" },
	{ "v=STSv1; id=1; id=2", -1, "more than one id" },
	{ "v=STSv1; id", -1, "\"id\" is not name=value" },
	{ "v=STSv1; id=", -1, "id: empty value" },
	{ "v=STSv1 id=1", -1, "\"id=1\": fields are separated by \";\"" },
	{ "v=STSv1; _x=1; id=1", -1, "\"_x=1\": bad field name" },
	{ "v=STSv1; id=1; x=a=b", -1, "x: bad character in the value" },
};

static const struct {
	const char *body;
	int ok;
	const char *why;	/* or "MODE AGE NMX" */
} policies[] = {
	{ "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
	  "mx: *.example.net\r\nmax_age: 604800\r\n", 1,
	  "enforce 604800 2" },
	{ "version: STSv1\nmode: testing\nmx: a.test\nmax_age: 86400", 1,
	  "testing 86400 1" },
	{ "version:STSv1\nmode:none\nmax_age:0\n", 1, "none 0 0" },
	{ "version: STSv1\nmode: enforce\nmx: A.Test\nmax_age: 31557600\n"
	  "comment line\nfoo: bar\n\n", 1, "enforce 31557600 1" },
	{ "version: STSv1\nmode: enforce\nmode: none\nmx: a\nmax_age: 1\n", 1,
	  "enforce 1 1" },
	{ "mode: enforce\nmx: a.test\nmax_age: 1\n", 0,
	  "no \"version: STSv1\"" },
	{ "version: STSv2\nmode: enforce\n", 0,
	  "version \"STSv2\" is not STSv1" },
	{ "version: STSv1\nmx: a.test\nmax_age: 1\n", 0, "no mode" },
	{ "version: STSv1\nmode: strict\n", 0,
	  "mode \"strict\" is not enforce, testing or none" },
	{ "version: STSv1\nmode: enforce\nmx: a.test\n", 0, "no max_age" },
	{ "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557601\n",
	  0, "max_age \"31557601\" is not a number of seconds up to "
	  "31557600" },
	{ "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n", 0,
	  "max_age \"-1\" is not a number of seconds up to 31557600" },
	{ "version: STSv1\nmode: enforce\nmax_age: 1\n", 0,
	  "no mx pattern (needed unless mode is none)" },
	{ "version: STSv1\nmode: enforce\nmx: a..test\nmax_age: 1\n", 0,
	  "mx \"a..test\" is not a host name or *.name" },
	{ "version: STSv1\nmode: enforce\nmx: *.*.test\nmax_age: 1\n", 0,
	  "mx \"*.*.test\" is not a host name or *.name" },
	{ "version: STSv1\nmode: enforce\nmx: -a.test\nmax_age: 1\n", 0,
	  "mx \"-a.test\" is not a host name or *.name" },
};

static const struct {
	const char *pattern, *host;
	int want;
} matches[] = {
	{ "mail.example.com", "mail.example.com", 1 },
	{ "mail.example.com", "MAIL.Example.com.", 1 },
	{ "*.example.com", "mx1.example.com", 1 },
	{ "*.example.com", "example.com", 0 },
	{ "*.example.com", "a.b.example.com", 0 },
	{ "*.example.com", ".example.com", 0 },
	{ "*.example.com", "mx1.example.org", 0 },
	{ "mail.example.com", "mail.example.com.evil", 0 },
	{ "example.com", "mail.example.com", 0 },
};

static const struct {
	const char *rec;
	int want;
	size_t nrua, bad;
	const char *why;
} rpts[] = {
	{ "v=TLSRPTv1; rua=mailto:reports@example.com", 1, 1, 0, NULL },
	{ "v=TLSRPTv1;rua=mailto:a@x.test,https://r.x.test/p;", 1, 2, 0,
	  NULL },
	{ "v=TLSRPTv1; rua=mailto:a@x.test , ftp://x; ext=1", 1, 2, 1, NULL },
	{ "v=TLSRPTv1", -1, 0, 0, "no rua= field" },
	{ "v=TLSRPTv1; rua=", -1, 0, 0, "rua is empty" },
	{ "v=TLSRPTv1; rua=http://x.test", -1, 1, 1,
	  "no rua URI is a mailto: address or an https:// URL" },
	{ "v=TLSRPTv1; rua=mailto:nobody", -1, 1, 1,
	  "no rua URI is a mailto: address or an https:// URL" },
	{ "v=TLSRPTv1; rua=mailto:a@b; rua=mailto:c@d", -1, 1, 0,
	  "more than one rua" },
	{ "v=TLSRPTv1 rua=mailto:a@b", -1, 0, 0,
	  "\"rua=mailto:a@b\": fields are separated by \";\"" },
	{ "v=tlsrptv1; rua=mailto:a@b", 0, 0, 0, NULL },
	{ "v=TLSRPTv10; rua=mailto:a@b", 0, 0, 0, NULL },
	{ "v=spf1", 0, 0, 0, NULL },
};

static const struct {
	unsigned char usage, selector, mtype;
	size_t len;
	const char *why;	/* NULL: usable */
} tlsas[] = {
	{ 3, 1, 1, 32, NULL },
	{ 2, 0, 2, 64, NULL },
	{ 3, 0, 0, 300, NULL },
	{ 0, 0, 1, 32, "PKIX usages are not used for SMTP (RFC 7672 3.1.3)" },
	{ 1, 1, 1, 32, "PKIX usages are not used for SMTP (RFC 7672 3.1.3)" },
	{ 4, 1, 1, 32, "unknown certificate usage" },
	{ 3, 2, 1, 32, "unknown selector" },
	{ 3, 1, 3, 32, "unknown matching type" },
	{ 3, 1, 1, 31, "a SHA2-256 digest is 32 bytes" },
	{ 3, 1, 2, 32, "a SHA2-512 digest is 64 bytes" },
	{ 3, 1, 0, 1, "full data is not a DER certificate or key" },
};

/*
 * dane_check's DNSSEC verdicts (RFC 7672 2.2) on answers built in memory:
 * a host with one usable TLSA record, whose TLSA, address and MX answers
 * are validated or not, from a trusted resolver or not.
 */
static const struct {
	int trusted, tlsa_ad, addr_ad, mx_ad;
	const char *want;
} dnssec[] = {
	{ 1, 1, 1, 1, "dane.ok" },
	{ 1, 0, 1, 1, "dane.not-validated" },
	{ 1, 1, 0, 1, "dane.address-not-validated" },
	{ 1, 1, 1, 0, "dane.mx-not-validated" },
	{ 0, 0, 0, 0, "dane.unknown-dnssec" },
};

static void
check_dnssec(size_t i)
{
	unsigned char digest[32] = { 0 };
	struct dnsmsg mx = { 0 }, a = { 0 }, tlsa = { 0 };
	struct dnsmsg_rr rr = { 0 };
	struct mx_host host = { 0 };
	struct mx_set set = { 0 };
	struct dane_host dh = { 0 };
	struct dane d = { 0 };
	struct findings f = { 0 };

	rr.type = DNSMSG_TLSA;
	rr.usage = 3;
	rr.selector = 1;
	rr.mtype = 1;
	rr.data = (char *)digest;
	rr.len = sizeof digest;
	tlsa.status = DNSMSG_OK;
	tlsa.rr = &rr;
	tlsa.nrr = 1;
	tlsa.ad_trusted = dnssec[i].tlsa_ad;
	a.status = DNSMSG_OK;
	a.ad_trusted = dnssec[i].addr_ad;
	mx.status = DNSMSG_OK;
	mx.ad_trusted = dnssec[i].mx_ad;
	host.name = "mx.test";
	host.a = &a;
	set.mx = &mx;
	set.hosts = &host;
	set.nhosts = 1;
	dh.mx = &host;
	dh.tlsa = &tlsa;
	d.port = 25;
	d.mx = &set;
	d.hosts = &dh;
	d.nhosts = 1;
	d.trusted = dnssec[i].trusted;
	dane_check(&d, &f);
	tap_str(f.n ? f.v[f.n - 1].id : NULL, dnssec[i].want,
		dnssec[i].want);
	finding_release(&f);
	free(dh.rec);
}

int
main(void)
{
	char id[33], why[200], got[64];

	for (size_t i = 0; i < ARRAY_SIZE(txts); i++) {
		int rc = sts_txt_parse(txts[i].rec, strlen(txts[i].rec), id,
			why, sizeof why);

		tap_int(rc, txts[i].want, txts[i].rec);
		if (rc != 0)
			tap_str(rc > 0 ? id : why, txts[i].id_or_why,
				txts[i].rec);
	}
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++) {
		struct sts_policy p;
		int rc = sts_policy_parse(&p, policies[i].body,
			strlen(policies[i].body), why, sizeof why);

		if (rc == 0)
			snprintf(got, sizeof got, "%s %ld %zu",
				sts_mode_name(p.mode), p.max_age, p.nmx);
		tap_str(rc == 0 ? got : why, policies[i].why,
			policies[i].body);
		tap_int(rc == 0, policies[i].ok, "policy ok or not");
		sts_policy_release(&p);
	}
	{
		struct sts_policy p;

		/* a NUL inside the body, and patterns kept in lower case */
		tap_int(sts_policy_parse(&p, "version: STSv1\0", 15, why,
			sizeof why), -1, "a NUL byte");
		sts_policy_release(&p);
		sts_policy_parse(&p, "version: STSv1\nmode: testing\n"
			"mx: *.Example.NET\nmax_age: 5\n", 52, why, sizeof why);
		tap_str(p.nmx ? p.mx[0] : NULL, "*.example.net",
			"mx patterns in lower case");
		sts_policy_release(&p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(matches); i++) {
		snprintf(got, sizeof got, "%s ~ %s", matches[i].pattern,
			matches[i].host);
		tap_int(sts_mx_match(matches[i].pattern, matches[i].host),
			matches[i].want, got);
	}
	for (size_t i = 0; i < ARRAY_SIZE(rpts); i++) {
		char **rua = NULL;
		size_t nrua = 0, bad = 0;
		int rc = tlsrpt_parse(rpts[i].rec, strlen(rpts[i].rec), &rua,
			&nrua, &bad, why, sizeof why);

		tap_int(rc, rpts[i].want, rpts[i].rec);
		tap_int((long long)(nrua * 10 + bad),
			(long long)(rpts[i].nrua * 10 + rpts[i].bad),
			"URIs read, and unusable ones");
		if (rc < 0)
			tap_str(why, rpts[i].why, rpts[i].rec);
		strv_free(rua, nrua);
	}
	for (size_t i = 0; i < ARRAY_SIZE(tlsas); i++) {
		unsigned char data[300] = { 0x30, 0x82 };
		struct dnsmsg_rr rr = { 0 };
		struct dane_tlsa t;

		rr.type = DNSMSG_TLSA;
		rr.usage = tlsas[i].usage;
		rr.selector = tlsas[i].selector;
		rr.mtype = tlsas[i].mtype;
		rr.data = (char *)data;
		rr.len = tlsas[i].len;
		snprintf(got, sizeof got, "TLSA %u %u %u, %zu bytes",
			tlsas[i].usage, tlsas[i].selector, tlsas[i].mtype,
			tlsas[i].len);
		tap_int(dane_tlsa_read(&t, &rr), !tlsas[i].why, got);
		tap_str(t.why, tlsas[i].why, got);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dnssec); i++)
		check_dnssec(i);
	tap_str(dane_usage_name(3), "DANE-EE", "usage names");
	tap_str(dane_mtype_name(1), "SHA2-256", "matching type names");
	return tap_done();
}
