/*
 * t_dnsmsg: what an answer means, from answers built here byte by byte:
 * each status, the CNAME chain, every record type decoded, and malformed
 * answers (overruns, compression loops, chains that do not end) refused.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "dns/dns.h"
#include "dns/dnsmsg.h"
#include "tap.h"

struct msg {
	unsigned char b[2048];
	size_t len;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put16(struct msg *m, unsigned v)
{
	unsigned char x[2] = { v >> 8, v & 0xff };

	put(m, x, 2);
}

static void
put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		unsigned char l = (unsigned char)n;

		put(m, &l, 1);
		put(m, name, n);
		name += n + (dot != NULL);
	}
	put(m, "", 1);
}

/* Header (rcode, flags2 extra bits such as AD 0x20) and the question. */
static void
begin(struct msg *m, const char *qname, int qtype, int rcode, int flags2)
{
	m->len = 0;
	put16(m, 1);
	put16(m, 0x8180 | flags2 | rcode);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, (unsigned)qtype);
	put16(m, 1);
}

/* One answer record; owner NULL means a pointer to the question name. */
static void
rr(struct msg *m, const char *owner, int type, const void *rd, size_t n)
{
	unsigned an = (unsigned)m->b[6] << 8 | m->b[7];

	if (owner)
		put_name(m, owner);
	else
		put16(m, 0xc00c);
	put16(m, (unsigned)type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, (unsigned)n);
	put(m, rd, n);
	an++;
	m->b[6] = (unsigned char)(an >> 8);
	m->b[7] = (unsigned char)an;
}

static size_t
name_rd(unsigned char *out, unsigned pref, int with_pref, const char *name)
{
	struct msg t = { .len = 0 };

	if (with_pref)
		put16(&t, pref);
	put_name(&t, name);
	memcpy(out, t.b, t.len);
	return t.len;
}

static void
parse(struct msg *m, struct dnsmsg *d, const char *q, int type, int want_rc)
{
	struct err e;
	int rc;

	memset(d, 0, sizeof *d);
	err_clear(&e);
	rc = dnsmsg_parse(d, m->b, m->len, q, type, &e);
	tap_int(rc, want_rc, "parse result");
	if (rc != want_rc)
		printf("#   %s\n", e.msg);
}

static void
test_mx(void)
{
	struct msg m;
	struct dnsmsg d;
	unsigned char rd[300];
	size_t n;

	begin(&m, "example.test", DNSMSG_MX, 0, 0);
	n = name_rd(rd, 20, 1, "mx2.example.test");
	rr(&m, NULL, DNSMSG_MX, rd, n);
	n = name_rd(rd, 10, 1, "mx1.example.test");
	rr(&m, NULL, DNSMSG_MX, rd, n);
	parse(&m, &d, "example.test", DNSMSG_MX, 0);
	tap_str(dnsmsg_status_name(d.status), "ok", "MX: ok");
	tap_int((long long)d.nrr, 2, "MX: two records");
	tap_int(d.rr[1].pref, 10, "MX: preference");
	tap_str(d.rr[1].data, "mx1.example.test", "MX: exchange");
	tap_int(d.ad, 0, "MX: no AD");
	dnsmsg_release(&d);

	begin(&m, "nullmx.test", DNSMSG_MX, 0, 0x20);
	n = name_rd(rd, 0, 1, "");
	rr(&m, NULL, DNSMSG_MX, rd, n);
	parse(&m, &d, "nullmx.test.", DNSMSG_MX, 0);
	tap_str(d.rr[0].data, "", "null MX: the root as \"\"");
	tap_int(d.ad, 1, "AD bit read");
	dnsmsg_release(&d);

	begin(&m, "example.test", DNSMSG_MX, 0, 0);
	n = name_rd(rd, 10, 1, "mx1.example.test");
	rd[n++] = 0;
	rr(&m, NULL, DNSMSG_MX, rd, n);
	parse(&m, &d, "example.test", DNSMSG_MX, -1);
	tap_str(dnsmsg_status_name(d.status), "bad-answer",
		"MX with a byte after the exchange: bad");
	dnsmsg_release(&d);
}

static void
test_status(void)
{
	static const struct {
		int rcode;
		const char *want;
	} t[] = {
		{ 0, "nodata" }, { 3, "nxdomain" }, { 2, "servfail" },
		{ 5, "refused" }, { 1, "bad-answer" },
	};
	struct msg m;
	struct dnsmsg d;
	unsigned char a[4] = { 192, 0, 2, 1 };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		begin(&m, "x.test", DNSMSG_MX, t[i].rcode, 0);
		parse(&m, &d, "x.test", DNSMSG_MX, t[i].rcode == 1 ? -1 : 0);
		tap_str(dnsmsg_status_name(d.status), t[i].want, t[i].want);
		dnsmsg_release(&d);
	}
	/* A record of another type or owner is no answer. */
	begin(&m, "x.test", DNSMSG_A, 0, 0);
	rr(&m, "other.test", DNSMSG_A, a, 4);
	parse(&m, &d, "x.test", DNSMSG_A, 0);
	tap_str(dnsmsg_status_name(d.status), "nodata",
		"a record for another name: nodata");
	dnsmsg_release(&d);
	/* Cut short: the counts promise more than there is. */
	begin(&m, "x.test", DNSMSG_A, 0, 0);
	rr(&m, NULL, DNSMSG_A, a, 4);
	m.len -= 3;
	parse(&m, &d, "x.test", DNSMSG_A, -1);
	tap_str(dnsmsg_status_name(d.status), "bad-answer", "cut short: bad");
	dnsmsg_release(&d);
}

static void
test_cname(void)
{
	struct msg m;
	struct dnsmsg d;
	unsigned char rd[300], a[4] = { 192, 0, 2, 7 };
	size_t n;

	begin(&m, "alias.test", DNSMSG_A, 0, 0);
	n = name_rd(rd, 0, 0, "Mid.test");
	rr(&m, NULL, DNSMSG_CNAME, rd, n);
	n = name_rd(rd, 0, 0, "host.test");
	rr(&m, "mid.test", DNSMSG_CNAME, rd, n);
	rr(&m, "HOST.test", DNSMSG_A, a, 4);
	parse(&m, &d, "alias.test", DNSMSG_A, 0);
	tap_str(dnsmsg_status_name(d.status), "ok", "CNAME chain: ok");
	tap_int((long long)d.ncnames, 2, "CNAME chain: two hops");
	tap_str(d.canon, "host.test", "CNAME chain: final name");
	tap_str(d.nrr ? d.rr[0].data : NULL, "192.0.2.7", "A at the end");
	dnsmsg_release(&d);

	begin(&m, "a.test", DNSMSG_A, 0, 0);
	n = name_rd(rd, 0, 0, "b.test");
	rr(&m, "a.test", DNSMSG_CNAME, rd, n);
	n = name_rd(rd, 0, 0, "a.test");
	rr(&m, "b.test", DNSMSG_CNAME, rd, n);
	parse(&m, &d, "a.test", DNSMSG_A, -1);
	tap_ok(strstr(d.why, "chain") != NULL, "CNAME loop: bad (%s)", d.why);
	dnsmsg_release(&d);
}

static void
test_txt_tlsa(void)
{
	struct msg m;
	struct dnsmsg d;
	unsigned char rd[300];
	size_t n = 0;

	begin(&m, "x.test", DNSMSG_TXT, 0, 0);
	rd[n++] = 7;
	memcpy(rd + n, "v=spf1 ", 7);
	n += 7;
	rd[n++] = 4;
	memcpy(rd + n, "-all", 4);
	n += 4;
	rd[n++] = 0;
	rr(&m, NULL, DNSMSG_TXT, rd, n);
	parse(&m, &d, "x.test", DNSMSG_TXT, 0);
	tap_str(d.rr[0].data, "v=spf1 -all", "TXT: strings joined");
	tap_int(d.rr[0].nstrings, 3, "TXT: three strings (one empty)");
	dnsmsg_release(&d);

	begin(&m, "x.test", DNSMSG_TXT, 0, 0);
	rd[0] = 200;
	memcpy(rd + 1, "short", 5);
	rr(&m, NULL, DNSMSG_TXT, rd, 6);
	parse(&m, &d, "x.test", DNSMSG_TXT, -1);
	tap_str(d.why, "TXT string runs past its record", "TXT overrun: bad");
	dnsmsg_release(&d);

	begin(&m, "_25._tcp.mx.test", DNSMSG_TLSA, 0, 0);
	rd[0] = 3;
	rd[1] = 1;
	rd[2] = 1;
	memset(rd + 3, 0xab, 32);
	rr(&m, NULL, DNSMSG_TLSA, rd, 35);
	parse(&m, &d, "_25._tcp.mx.test", DNSMSG_TLSA, 0);
	tap_ok(d.nrr == 1 && d.rr[0].usage == 3 && d.rr[0].selector == 1 &&
		d.rr[0].mtype == 1 && d.rr[0].len == 32 &&
		(unsigned char)d.rr[0].data[31] == 0xab, "TLSA 3 1 1 decoded");
	dnsmsg_release(&d);
}

static void
test_loop(void)
{
	struct msg m;
	struct dnsmsg d;
	unsigned char a[4] = { 192, 0, 2, 1 };
	size_t at;

	/* The owner name is a pointer to itself. */
	begin(&m, "x.test", DNSMSG_A, 0, 0);
	at = m.len;
	rr(&m, NULL, DNSMSG_A, a, 4);
	m.b[at] = 0xc0 | (unsigned char)(at >> 8);
	m.b[at + 1] = (unsigned char)at;
	parse(&m, &d, "x.test", DNSMSG_A, -1);
	tap_str(dnsmsg_status_name(d.status), "bad-answer",
		"compression loop in an owner: bad");
	dnsmsg_release(&d);
}

static void
test_names(void)
{
	static const struct {
		const char *addr;
		int want;
	} t[] = {
		{ "127.0.0.1", 1 }, { "127.8.9.10", 1 }, { "::1", 1 },
		{ "::ffff:127.0.0.1", 1 }, { "192.0.2.1", 0 },
		{ "10.0.0.1", 0 }, { "2001:db8::1", 0 }, { "localhost", 0 },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		tap_int(dns_addr_is_loopback(t[i].addr), t[i].want, t[i].addr);
	tap_int(dnsmsg_name_cmp("Example.TEST.", "example.test"), 0,
		"names: case and final dot ignored");
	tap_ok(dnsmsg_name_cmp("example.test", "example.tes") != 0,
		"names: different");
	tap_int(dnsmsg_type_parse("tlsa"), DNSMSG_TLSA, "type by name");
	tap_int(dnsmsg_type_parse("SOA"), -1, "unknown type");
}

int
main(void)
{
	test_mx();
	test_status();
	test_cname();
	test_txt_tlsa();
	test_loop();
	test_names();
	return tap_done();
}
