/*
 * t_spfeval: check_host() (RFC 7208) over a table of DNS answers. This file
 * defines dns_query and dns_run, so the evaluator asks the zones below
 * instead of a server (the real resolver is tried in mdig-mx-spfeval.bats).
 *
 * The cases are transcribed from the openspf RFC 7208 test suite
 * (rfc7208-tests.yml, release 2014.04, as shipped with pyspf): each row
 * carries the suite's case name, its zone section, and the result (and
 * explanation) it requires. Records of type SPF there are TXT here (the
 * suite's drivers do the same); where the suite accepts two results, the
 * comment says which one the RFC text gives and why we chose it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/dns.h"
#include "dns/spfeval.h"
#include "tap.h"

/* ---- the fake resolver ---- */

struct dns {
	int unused;
};

struct pending {
	char *name;
	int type;
	dns_cb *cb;
	void *arg;
};

/* Lines "NAME TYPE DATA" (a space in NAME written \001); TYPE TIMEOUT or
 * SERVFAIL makes every question about NAME fail so. */
static const char *zone;
static struct pending queue[64];
static size_t nqueue;
static size_t nasked, widest;	/* queries asked; most in one dns_run */

void
dns_query(struct dns *d, const char *name, int type, dns_cb *cb, void *arg)
{
	(void)d;
	if (nqueue == sizeof queue / sizeof queue[0])
		abort();
	queue[nqueue].name = xstrdup(name);
	queue[nqueue].type = type;
	queue[nqueue].cb = cb;
	queue[nqueue++].arg = arg;
	nasked++;
}

static void
add_rr(struct dnsmsg *m, int type, const char *data, size_t len)
{
	struct dnsmsg_rr *rr;

	m->rr = xrealloc(m->rr, (m->nrr + 1) * sizeof *m->rr);
	rr = &m->rr[m->nrr++];
	memset(rr, 0, sizeof *rr);
	rr->type = type;
	if (type == DNSMSG_MX) {
		const char *end = data + len;

		rr->pref = (unsigned)strtoul(data, (char **)&data, 10);
		data++;
		len = (size_t)(end - data);
	}
	rr->data = xmemdup(data, len);
	rr->len = len;
}

static struct dnsmsg *
answer(const char *name, int type)
{
	struct dnsmsg *m = xcalloc(1, sizeof *m);
	const char *p = zone;
	int exists = 0;

	m->qname = xstrdup(name);
	m->qtype = type;
	m->rcode = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *sp = strchr(p, ' ');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char owner[300], rtype[16];
		const char *data;

		snprintf(owner, sizeof owner, "%.*s", (int)(sp - p), p);
		for (char *o = owner; *o; o++)
			if (*o == '\001')
				*o = ' ';	/* a space in a name */
		data = memchr(sp + 1, ' ', (size_t)(p + n - sp - 1));
		snprintf(rtype, sizeof rtype, "%.*s", (int)((data ? data :
			p + n) - sp - 1), sp + 1);
		data = data ? data + 1 : p + n;
		if (dnsmsg_name_cmp(owner, name) == 0) {
			exists = 1;
			if (!strcmp(rtype, "TIMEOUT"))
				m->status = DNSMSG_TIMEOUT;
			else if (!strcmp(rtype, "SERVFAIL"))
				m->status = DNSMSG_SERVFAIL;
			else if (dnsmsg_type_parse(rtype) == type)
				add_rr(m, type, data, (size_t)(p + n - data));
		}
		p = eol ? eol + 1 : NULL;
	}
	if (m->status == DNSMSG_TIMEOUT || m->status == DNSMSG_SERVFAIL)
		snprintf(m->why, sizeof m->why, "%s",
			m->status == DNSMSG_TIMEOUT ? "no answer in time" :
			"server failure");
	else if (m->nrr)
		m->status = DNSMSG_OK;
	else
		m->status = exists ? DNSMSG_NODATA : DNSMSG_NXDOMAIN;
	m->canon = xstrdup(name);
	return m;
}

int
dns_run(struct dns *d, struct err *e)
{
	(void)d;
	(void)e;
	while (nqueue) {
		struct pending q[64];
		size_t n = nqueue;

		memcpy(q, queue, n * sizeof *q);
		nqueue = 0;
		if (n > widest)
			widest = n;
		for (size_t i = 0; i < n; i++) {
			q[i].cb(q[i].arg, answer(q[i].name, q[i].type));
			free(q[i].name);
		}
	}
	return 0;
}

/* ---- the zones, one per section of the suite ---- */

static const char z_initial[] =
	"example.com TIMEOUT\n"
	"example.net TXT v=spf1 -all exp=exp.example.net\n"
	"a.example.net TXT v=spf1 -all exp=exp.example.net\n"
	"exp.example.net TXT %{l}\n"
	"a12345678901234567890123456789012345678901234567890123456789012"
	".example.com TXT v=spf1 -all\n"
	"hosed.example.com TXT v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all\n"
	"hosed2.example.com TXT v=spf1 \x80" "a:example.net -all\n"
	"hosed3.example.com TXT v=spf1 a:example.net \x96" "all\n"
	"nothosed.example.com TXT v=spf1 a:example.net -all\n"
	"nothosed.example.com TXT \x96\n"
	"ctrl.example.com TXT v=spf1 a:ctrl.example.com\rptr -all\n"
	"ctrl.example.com A 192.0.2.3\n"
	"fine.example.com TXT v=spf1 a  -all\n";

static const char z_lookup[] =
	"both.example.net TXT v=spf1 -all\n"
	"txtonly.example.net TXT v=spf1 -all\n"
	"spfonly.example.net SPF v=spf1 -all\n"
	"txttimeout.example.net TIMEOUT\n"
	"alltimeout.example.net TIMEOUT\n";

static const char z_select[] =
	"example3.com TXT v=spf10\n"
	"example3.com TXT v=spf1 mx\n"
	"example3.com MX 0 mail.example1.com\n"
	"example1.com TXT v=spf1\n"
	"example2.com TXT v=spf1mx\n"
	"mail.example1.com A 1.2.3.4\n"
	"example4.com TXT v=spf1 -all\n"
	"example5.com TXT v=spf1 -all\n"
	"example5.com TXT v=spf1 +all\n"
	"example6.com TXT v=spf1 -all\n"
	"example6.com TXT V=sPf1 +all\n"
	"example9.com TXT v=SpF1 ~all\n";

static const char z_eval[] =
	"mail.example.com A 1.2.3.4\n"
	"t1.example.com TXT v=spf1 ip4:1.2.3.4 -all moo\n"
	"t2.example.com TXT v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 "
	"-all\n"
	"t3.example.com TXT v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 "
	"-all\n"
	"t4.example.com TXT v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 "
	"-all\n"
	"t5.example.com TXT v=spf1 redirect=t5.example.com ~all\n"
	"t6.example.com TXT v=spf1 ip4:1.2.3.4 redirect=t2.example.com\n"
	"t7.example.com TXT v=spf1 ip4:1.2.3.4\n"
	"t8.example.com TXT v=spf1 ip4:1.2.3.4 redirect:t2.example.com\n"
	"t9.example.com TXT v=spf1 a:foo-bar -all\n"
	"t10.example.com TXT v=spf1 a:mail.example...com -all\n"
	"t11.example.com TXT v=spf1 a:a1234567890123456789012345678901234567"
	"89012345678901234567890123.example.com -all\n"
	"t12.example.com TXT v=spf1 a:%{H}.bar -all\n";

static const char z_all[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 -all.\n"
	"e2.example.com TXT v=spf1 -all:foobar\n"
	"e3.example.com TXT v=spf1 -all/8\n"
	"e4.example.com TXT v=spf1 ?all\n"
	"e5.example.com TXT v=spf1 all -all\n";

static const char z_ptr[] =
	"mail.example.com A 1.2.3.4\n"
	"mail.example.com AAAA 2001:db8::1\n"
	"e1.example.com TXT v=spf1 ptr/0 -all\n"
	"e2.example.com TXT v=spf1 ptr:example.com -all\n"
	"4.3.2.1.in-addr.arpa PTR e3.example.com\n"
	"4.3.2.1.in-addr.arpa PTR e4.example.com\n"
	"4.3.2.1.in-addr.arpa PTR mail.example.com\n"
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6."
	"arpa PTR e3.example.com\n"
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.D.0.1.0.0.2.ip6."
	"arpa PTR mail.Example.com\n"
	"e3.example.com TXT v=spf1 ptr -all\n"
	"e3.example.com A 1.2.3.4\n"
	"e3.example.com AAAA cafe:babe::1\n"
	"e4.example.com TXT v=spf1 ptr -all\n"
	"e5.example.com TXT v=spf1 ptr:\n"
	"e6.example.com TXT v=spf1 ptr:example.Com -all\n";

static const char z_a[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 a/0 -all\n"
	"e2.example.com A 1.1.1.1\n"
	"e2.example.com AAAA 1234::2\n"
	"e2.example.com TXT v=spf1 a/0 -all\n"
	"e2a.example.com AAAA 1234::1\n"
	"e2a.example.com TXT v=spf1 a//0 -all\n"
	"e2b.example.com A 1.1.1.1\n"
	"e2b.example.com TXT v=spf1 a//0 -all\n"
	"ipv6.example.com AAAA 1234::1\n"
	"ipv6.example.com A 1.1.1.1\n"
	"ipv6.example.com TXT v=spf1 a -all\n"
	"e4.example.com TXT v=spf1 a:111.222.33.44\n"
	"e5.example.com TXT v=spf1 a:abc.123\n"
	"e5a.example.com TXT v=spf1 a:museum\n"
	"e5b.example.com TXT v=spf1 a:museum.\n"
	"e6.example.com TXT v=spf1 a//33 -all\n"
	"e6a.example.com TXT v=spf1 a/33 -all\n"
	"e7.example.com TXT v=spf1 a//129 -all\n"
	"e8.example.com A 1.2.3.5\n"
	"e8.example.com AAAA 2001:db8:1234::dead:beef\n"
	"e8.example.com TXT v=spf1 a/24//64 -all\n"
	"e8e.example.com A 1.2.3.5\n"
	"e8e.example.com AAAA 2001:db8:1234::dead:beef\n"
	"e8e.example.com TXT v=spf1 a/24/64 -all\n"
	"e8a.example.com A 1.2.3.5\n"
	"e8a.example.com AAAA 2001:db8:1234::dead:beef\n"
	"e8a.example.com TXT v=spf1 a/24 -all\n"
	"e8b.example.com A 1.2.3.5\n"
	"e8b.example.com AAAA 2001:db8:1234::dead:beef\n"
	"e8b.example.com TXT v=spf1 a//64 -all\n"
	"e9.example.com TXT v=spf1 a:example.com:8080\n"
	"e10.example.com TXT v=spf1 a:foo.example.com/24\n"
	"foo.example.com A 1.1.1.1\n"
	"foo.example.com A 1.2.3.5\n"
	"e11.example.com TXT v=spf1 a:foo:bar/baz.example.com\n"
	"foo:bar/baz.example.com A 1.2.3.4\n"
	"e12.example.com TXT v=spf1 a:example.-com\n"
	"e13.example.com TXT v=spf1 a:\n"
	"e14.example.com TXT v=spf1 a:foo.example.xn--zckzah -all\n"
	"foo.example.xn--zckzah A 1.2.3.4\n";

static const char z_include[] =
	"mail.example.com A 1.2.3.4\n"
	"ip5.example.com TXT v=spf1 ip4:1.2.3.5 -all\n"
	"ip6.example.com TXT v=spf1 ip4:1.2.3.6 ~all\n"
	"ip7.example.com TXT v=spf1 ip4:1.2.3.7 ?all\n"
	"ip8.example.com TIMEOUT\n"
	"erehwon.example.com TXT v=spfl am not an SPF record\n"
	"e1.example.com TXT v=spf1 include:ip5.example.com ~all\n"
	"e2.example.com TXT v=spf1 include:ip6.example.com all\n"
	"e3.example.com TXT v=spf1 include:ip7.example.com -all\n"
	"e4.example.com TXT v=spf1 include:ip8.example.com -all\n"
	"e5.example.com TXT v=spf1 include:e6.example.com -all\n"
	"e6.example.com TXT v=spf1 include +all\n"
	"e7.example.com TXT v=spf1 include:erehwon.example.com -all\n"
	"e8.example.com TXT v=spf1 include: -all\n"
	"e9.example.com TXT v=spf1 include:ip5.example.com/24 -all\n";

static const char z_mx[] =
	"mail.example.com A 1.2.3.4\n"
	"mail.example.com MX 0 \n"
	"mail.example.com TXT v=spf1 mx\n"
	"e1.example.com TXT v=spf1 mx/0 -all\n"
	"e1.example.com MX 0 e1.example.com\n"
	"e2.example.com A 1.1.1.1\n"
	"e2.example.com AAAA 1234::2\n"
	"e2.example.com MX 0 e2.example.com\n"
	"e2.example.com TXT v=spf1 mx/0 -all\n"
	"e2a.example.com AAAA 1234::1\n"
	"e2a.example.com MX 0 e2a.example.com\n"
	"e2a.example.com TXT v=spf1 mx//0 -all\n"
	"e2b.example.com A 1.1.1.1\n"
	"e2b.example.com MX 0 e2b.example.com\n"
	"e2b.example.com TXT v=spf1 mx//0 -all\n"
	"e4.example.com TXT v=spf1 mx\n"
	"e4.example.com A 1.2.3.4\n"
	"e5.example.com TXT v=spf1 mx:abc.123\n"
	"e6.example.com TXT v=spf1 mx//33 -all\n"
	"e6a.example.com TXT v=spf1 mx/33 -all\n"
	"e7.example.com TXT v=spf1 mx//129 -all\n"
	"e9.example.com TXT v=spf1 mx:example.com:8080\n"
	"e10.example.com TXT v=spf1 mx:foo.example.com/24\n"
	"foo.example.com MX 0 foo1.example.com\n"
	"foo1.example.com A 1.1.1.1\n"
	"foo1.example.com A 1.2.3.5\n"
	"e11.example.com TXT v=spf1 mx:foo:bar/baz.example.com\n"
	"foo:bar/baz.example.com MX 0 foo:bar/baz.example.com\n"
	"foo:bar/baz.example.com A 1.2.3.4\n"
	"e12.example.com TXT v=spf1 mx:example.-com\n"
	"e13.example.com TXT v=spf1 mx: -all\n";

static const char z_exists[] =
	"mail.example.com A 1.2.3.4\n"
	"mail6.example.com AAAA cafe:babe::4\n"
	"err.example.com TIMEOUT\n"
	"e1.example.com TXT v=spf1 exists:\n"
	"e2.example.com TXT v=spf1 exists\n"
	"e3.example.com TXT v=spf1 exists:mail.example.com/24\n"
	"e4.example.com TXT v=spf1 exists:mail.example.com\n"
	"e5.example.com TXT v=spf1 exists:mail6.example.com -all\n"
	"e6.example.com TXT v=spf1 exists:err.example.com -all\n";

static const char z_ip[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 ip4:1.1.1.1/0 -all\n"
	"e2.example.com TXT v=spf1 ip4:1.2.3.4/32 -all\n"
	"e3.example.com TXT v=spf1 ip4:1.2.3.4/33 -all\n"
	"e4.example.com TXT v=spf1 ip4:1.2.3.4/032 -all\n"
	"e5.example.com TXT v=spf1 ip4\n"
	"e6.example.com TXT v=spf1 ip4:1.2.3.4//32\n"
	"e7.example.com TXT v=spf1 -ip4:1.2.3.4 ip6:::FFFF:1.2.3.4\n"
	"e8.example.com TXT v=spf1 ip4:1.2.3.4:8080\n"
	"e9.example.com TXT v=spf1 ip4:1.2.3\n";

static const char z_ip6[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 -all ip6\n"
	"e2.example.com TXT v=spf1 ip6:::1.1.1.1/0\n"
	"e3.example.com TXT v=spf1 ip6:::1.1.1.1/129\n"
	"e4.example.com TXT v=spf1 ip6:::1.1.1.1//33\n"
	"e5.example.com TXT v=spf1 ip6:Cafe:Babe:8000::/33\n"
	"e6.example.com TXT v=spf1 ip6::CAFE::BABE\n";

static const char z_mod[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 exp=exp1.example.com "
	"redirect=e2.example.com\n"
	"e2.example.com TXT v=spf1 -all\n"
	"e3.example.com TXT v=spf1 exp=exp1.example.com "
	"redirect=e4.example.com\n"
	"e4.example.com TXT v=spf1 -all exp=exp2.example.com\n"
	"exp1.example.com TXT No-see-um\n"
	"exp2.example.com TXT See me.\n"
	"exp3.example.com TXT Correct!\n"
	"exp4.example.com TXT %{l} in implementation\n"
	"e5.example.com TXT v=spf1 1up=foo\n"
	"e6.example.com TXT v=spf1 =all\n"
	"e7.example.com TXT v=spf1 include:e3.example.com -all "
	"exp=exp3.example.com\n"
	"e8.example.com TXT v=spf1 -all exp=exp4.example.com\n"
	"e9.example.com TXT v=spf1 -all foo=%abc\n"
	"e10.example.com TXT v=spf1 redirect=erehwon.example.com\n"
	"e11.example.com TXT v=spf1 -all exp=e11msg.example.com\n"
	"e11msg.example.com TXT Answer a fool according to his folly.\n"
	"e11msg.example.com TXT Do not answer a fool according to his folly.\n"
	"e12.example.com TXT v=spf1 exp= -all\n"
	"e13.example.com TXT v=spf1 exp=e13msg.example.com -all\n"
	"e13msg.example.com TXT The %{x}-files.\n"
	"e14.example.com TXT v=spf1 exp=e13msg.example.com -all "
	"exp=e11msg.example.com\n"
	"e15.example.com TXT v=spf1 redirect=e12.example.com -all "
	"redirect=e12.example.com\n"
	"e16.example.com TXT v=spf1 exp=-all\n"
	"e17.example.com TXT v=spf1 redirect=-all ?all\n"
	"e18.example.com TXT v=spf1 ?all redirect=\n"
	"e19.example.com TXT v=spf1 default=pass\n"
	"e20.example.com TXT v=spf1 default=+\n"
	"e21.example.com TXT v=spf1 exp=e21msg.example.com -all\n"
	"e21msg.example.com TIMEOUT\n"
	"e22.example.com TXT v=spf1 exp=mail.example.com -all\n"
	"nonascii.example.com TXT v=spf1 exp=badexp.example.com -all\n"
	"badexp.example.com TXT \xEF\xBB\xBF" "Explanation\n"
	"tworecs.example.com TXT v=spf1 exp=twoexp.example.com -all\n"
	"twoexp.example.com TXT one\n"
	"twoexp.example.com TXT two\n"
	"e23.example.com TXT v=spf1 a:erehwon.example.com a:foobar.com "
	"exp=nxdomain.com -all\n"
	"e24.example.com TXT v=spf1 redirect=testimplicit.example.com\n"
	"e24.example.com A 192.0.2.1\n"
	"testimplicit.example.com TXT v=spf1 a -all\n"
	"testimplicit.example.com A 192.0.2.2\n";

static const char z_macro[] =
	"example.com.d.spf.example.com TXT v=spf1 redirect=a.spf.example.com\n"
	"a.spf.example.com TXT v=spf1 include:o.spf.example.com. ~all\n"
	"o.spf.example.com TXT v=spf1 ip4:192.168.218.40\n"
	"msgbas2x.cos.example.com A 192.168.218.40\n"
	"example.com A 192.168.90.76\n"
	"example.com TXT v=spf1 redirect=%{d}.d.spf.example.com.\n"
	"exp.example.com TXT v=spf1 exp=msg.example.com. -all\n"
	"msg.example.com TXT This is a test.\n"
	"e1.example.com TXT v=spf1 -exists:%(ir).sbl.example.com ?all\n"
	"e1e.example.com TXT v=spf1 exists:foo%(ir).sbl.example.com ?all\n"
	"e1t.example.com TXT v=spf1 exists:foo%.sbl.example.com ?all\n"
	"e1a.example.com TXT v=spf1 a:macro%%percent%_%_space%-url-space."
	"example.com -all\n"
	"macro%percent\001\001space%20url-space.example.com A 1.2.3.4\n"
	"e2.example.com TXT v=spf1 -all exp=%{r}.example.com\n"
	"e3.example.com TXT v=spf1 -all exp=%{ir}.example.com\n"
	"40.218.168.192.example.com TXT Connections from %{c} not "
	"authorized.\n"
	"somewhat.long.exp.example.com TXT v=spf1 -all exp=foobar.%{o}.%{o}."
	"%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com\n"
	"somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	"somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	"somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	"somewhat.long.exp.example.com.somewhat.long.exp.example.com."
	"example.com TXT Congratulations!  That was tricky.\n"
	"e4.example.com TXT v=spf1 -all exp=e4msg.example.com\n"
	"e4msg.example.com TXT %{c} is queried as %{ir}.%{v}.arpa\n"
	"e5.example.com TXT v=spf1 a:%{a}.example.com -all\n"
	"e6.example.com TXT v=spf1 -all exp=e6msg.example.com\n"
	"e6msg.example.com TXT connect from %{p}\n"
	"mx.example.com A 192.168.218.41\n"
	"mx.example.com A 192.168.218.42\n"
	"mx.example.com AAAA cafe:babe::2\n"
	"mx.example.com AAAA cafe:babe::3\n"
	"40.218.168.192.in-addr.arpa PTR mx.example.com\n"
	"41.218.168.192.in-addr.arpa PTR mx.example.com\n"
	"42.218.168.192.in-addr.arpa PTR mx.example.com\n"
	"42.218.168.192.in-addr.arpa PTR mx.e7.example.com\n"
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6."
	"arpa PTR mx.example.com\n"
	"3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6."
	"arpa PTR mx.example.com\n"
	"mx.e7.example.com A 192.168.218.42\n"
	"mx.e7.example.com.should.example.com A 127.0.0.2\n"
	"mx.example.com.ok.example.com A 127.0.0.2\n"
	"e7.example.com TXT v=spf1 exists:%{p}.should.example.com "
	"~exists:%{p}.ok.example.com\n"
	"e8.example.com TXT v=spf1 -all exp=msg8.%{D2}\n"
	"msg8.example.com TXT http://example.com/why.html?l=%{L}\n"
	"e9.example.com TXT v=spf1 a:%{H} -all\n"
	"e10.example.com TXT v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all\n"
	"_spfh.example.com TXT v=spf1 -a:%{h} +all\n"
	"e11.example.com TXT v=spf1 exists:%{i}.%{l2r-}.user.%{d2}\n"
	"1.2.3.4.gladstone.philip.user.example.com A 127.0.0.2\n"
	"e12.example.com TXT v=spf1 exists:%{l2r+-}.user.%{d2}\n"
	"bar.foo.user.example.com A 127.0.0.2\n";

static const char z_limits[] =
	"mail.example.com A 1.2.3.4\n"
	"e1.example.com TXT v=spf1 ip4:1.1.1.1 redirect=e1.example.com\n"
	"e1.example.com A 1.2.3.6\n"
	"e2.example.com TXT v=spf1 include:e3.example.com\n"
	"e2.example.com A 1.2.3.7\n"
	"e3.example.com TXT v=spf1 include:e2.example.com\n"
	"e3.example.com A 1.2.3.8\n"
	"e4.example.com TXT v=spf1 mx\n"
	"e4.example.com MX 0 mail.example.com\n"
	"e4.example.com MX 1 mail.example.com\n"
	"e4.example.com MX 2 mail.example.com\n"
	"e4.example.com MX 3 mail.example.com\n"
	"e4.example.com MX 4 mail.example.com\n"
	"e4.example.com MX 5 mail.example.com\n"
	"e4.example.com MX 6 mail.example.com\n"
	"e4.example.com MX 7 mail.example.com\n"
	"e4.example.com MX 8 mail.example.com\n"
	"e4.example.com MX 9 mail.example.com\n"
	"e4.example.com MX 10 e4.example.com\n"
	"e4.example.com A 1.2.3.5\n"
	"e5.example.com TXT v=spf1 ptr\n"
	"e5.example.com A 1.2.3.5\n"
	"5.3.2.1.in-addr.arpa PTR e1.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e2.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e3.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e4.example.com\n"
	"5.3.2.1.in-addr.arpa PTR example.com\n"
	"5.3.2.1.in-addr.arpa PTR e6.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e7.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e8.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e9.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e10.example.com\n"
	"5.3.2.1.in-addr.arpa PTR e5.example.com\n"
	"e6.example.com TXT v=spf1 a mx a mx a mx a mx a ptr ip4:1.2.3.4 -all\n"
	"e6.example.com A 1.2.3.8\n"
	"e6.example.com MX 10 e6.example.com\n"
	"e7.example.com TXT v=spf1 a mx a mx a mx a mx a ptr a ip4:1.2.3.4 "
	"-all\n"
	"e7.example.com A 1.2.3.20\n"
	"e8.example.com TXT v=spf1 a include:inc.example.com ip4:1.2.3.4 mx "
	"-all\n"
	"e8.example.com A 1.2.3.4\n"
	"inc.example.com TXT v=spf1 a a a a a a a a\n"
	"inc.example.com A 1.2.3.10\n"
	"e9.example.com TXT v=spf1 a include:inc.example.com a ip4:1.2.3.4 "
	"-all\n"
	"e9.example.com A 1.2.3.21\n"
	"e10.example.com TXT v=spf1 a -all\n"
	"e10.example.com A 1.2.3.1\n"
	"e10.example.com A 1.2.3.2\n"
	"e10.example.com A 1.2.3.3\n"
	"e10.example.com A 1.2.3.4\n"
	"e10.example.com A 1.2.3.5\n"
	"e10.example.com A 1.2.3.6\n"
	"e10.example.com A 1.2.3.7\n"
	"e10.example.com A 1.2.3.8\n"
	"e10.example.com A 1.2.3.9\n"
	"e10.example.com A 1.2.3.10\n"
	"e10.example.com A 1.2.3.11\n"
	"e10.example.com A 1.2.3.12\n"
	"e11.example.com TXT v=spf1 a:err.example.com a:err1.example.com "
	"a:err2.example.com ?all\n"
	"e12.example.com TXT v=spf1 a:err.example.com a:err1.example.com "
	"?all\n";

static const char z_bugs[] =
	"example.org TXT v=spf1 mx redirect=_spf.example.com\n"
	"example.org MX 10 smtp.example.org\n"
	"example.org MX 10 smtp1.example.com\n"
	"smtp.example.org A 198.51.100.2\n"
	"smtp.example.org AAAA 2001:db8:ff0:100::3\n"
	"smtp1.example.com A 192.0.2.26\n"
	"smtp1.example.com AAAA 2001:db8:ff0:200::2\n"
	"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.F.F.0.8.B.D.0.1.0.0.2.ip6."
	"arpa PTR smtp6-v.fe.example.org\n"
	"smtp6-v.fe.example.org AAAA 2001:db8:ff0:100::2\n"
	"_spf.example.com TXT v=spf1 ptr:fe.example.org ptr:sgp.example.com "
	"exp=_expspf.example.org -all\n"
	"_expspf.example.org TXT Sender domain not allowed from this host. "
	"Please see http://www.openspf.org/Why?s=mfrom&id=%{S}&ip=%{C}"
	"&r=%{R}\n";

/* Not from the suite: DNS failures in the middle, the MX names asked
 * together, and RFC 7208 A.1's example policy. */
static const char z_more[] =
	"mx.test TXT v=spf1 mx -all\n"
	"mx.test MX 10 m1.mx.test\n"
	"mx.test MX 20 m2.mx.test\n"
	"mx.test MX 30 m3.mx.test\n"
	"m1.mx.test A 192.0.2.1\n"
	"m2.mx.test SERVFAIL\n"
	"m3.mx.test A 192.0.2.3\n"
	"inc.test TXT v=spf1 include:sf.test -all\n"
	"sf.test SERVFAIL\n"
	"a.test TXT v=spf1 a:sf.test -all\n"
	"ptrfail.test TXT v=spf1 ptr -all\n"
	"example.com TXT v=spf1 +mx a:colo.example.com/28 -all\n"
	"example.com A 192.0.2.10\n"
	"example.com A 192.0.2.11\n"
	"example.com MX 10 mail-a.example.com\n"
	"example.com MX 20 mail-b.example.com\n"
	"mail-a.example.com A 192.0.2.129\n"
	"mail-b.example.com A 192.0.2.130\n"
	"colo.example.com A 192.0.2.65\n";

struct row {
	const char *name;	/* the suite's case name */
	const char *zone;
	const char *ip, *sender, *helo;
	const char *want;	/* the result */
	const char *expl;	/* the explanation; "" none; NULL unchecked */
};

static const struct row rows[] = {
	/* Initial processing */
	{ "toolonglabel", z_initial, "1.2.3.5", "lyme.eater@A1234567890123"
	  "45678901234567890123456789012345678901234567890123.example.com",
	  "mail.example.net", "none", NULL },
	{ "longlabel", z_initial, "1.2.3.5", "lyme.eater@A123456789012345"
	  "67890123456789012345678901234567890123456789012.example.com",
	  "mail.example.net", "fail", NULL },
	{ "emptylabel", z_initial, "1.2.3.5", "lyme.eater@A...example.com",
	  "mail.example.net", "none", NULL },
	{ "helo-not-fqdn", z_initial, "1.2.3.5", "", "A2345678", "none",
	  NULL },
	{ "helo-domain-literal", z_initial, "1.2.3.5", "", "[1.2.3.5]",
	  "none", NULL },
	{ "nolocalpart", z_initial, "1.2.3.4", "@example.net",
	  "mail.example.net", "fail", "postmaster" },
	{ "domain-literal", z_initial, "1.2.3.5", "foo@[1.2.3.5]",
	  "OEMCOMPUTER", "none", NULL },
	{ "non-ascii-policy", z_initial, "1.2.3.4",
	  "foobar@hosed.example.com", "hosed", "permerror", NULL },
	{ "non-ascii-mech", z_initial, "1.2.3.4",
	  "foobar@hosed2.example.com", "hosed", "permerror", NULL },
	{ "non-ascii-result", z_initial, "1.2.3.4",
	  "foobar@hosed3.example.com", "hosed", "permerror", NULL },
	{ "non-ascii-non-spf", z_initial, "1.2.3.4",
	  "foobar@nothosed.example.com", "hosed", "fail", "" },
	{ "control-char-policy", z_initial, "192.0.2.3",
	  "foobar@ctrl.example.com", "hosed", "permerror", NULL },
	{ "two-spaces", z_initial, "1.2.3.4", "actually@fine.example.com",
	  "hosed", "fail", NULL },
	/* Record lookup */
	{ "both", z_lookup, "1.2.3.4", "foo@both.example.net",
	  "mail.example.net", "fail", NULL },
	{ "txtonly", z_lookup, "1.2.3.4", "foo@txtonly.example.net",
	  "mail.example.net", "fail", NULL },
	{ "spfonly", z_lookup, "1.2.3.4", "foo@spfonly.example.net",
	  "mail.example.net", "none", NULL },
	{ "txttimeout", z_lookup, "1.2.3.4", "foo@txttimeout.example.net",
	  "mail.example.net", "temperror", NULL },
	{ "alltimeout", z_lookup, "1.2.3.4", "foo@alltimeout.example.net",
	  "mail.example.net", "temperror", NULL },
	/* Selecting records */
	{ "nospace1", z_select, "1.2.3.4", "foo@example2.com",
	  "mail.example1.com", "none", NULL },
	{ "empty", z_select, "1.2.3.4", "foo@example1.com",
	  "mail1.example1.com", "neutral", NULL },
	{ "nospace2", z_select, "1.2.3.4", "foo@example3.com",
	  "mail.example1.com", "pass", NULL },
	{ "spfoverride", z_select, "1.2.3.4", "foo@example4.com",
	  "mail.example1.com", "fail", NULL },
	{ "multitxt1", z_select, "1.2.3.4", "foo@example5.com",
	  "mail.example1.com", "permerror", NULL },
	{ "multitxt2", z_select, "1.2.3.4", "foo@example6.com",
	  "mail.example1.com", "permerror", NULL },
	{ "nospf", z_select, "1.2.3.4", "foo@mail.example1.com",
	  "mail.example1.com", "none", NULL },
	{ "case-insensitive", z_select, "1.2.3.4", "foo@example9.com",
	  "mail.example1.com", "softfail", NULL },
	/* Record evaluation */
	{ "detect-errors-anywhere", z_eval, "1.2.3.4", "foo@t1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "modifier-charset-good", z_eval, "1.2.3.4", "foo@t2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "modifier-charset-bad1", z_eval, "1.2.3.4", "foo@t3.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "modifier-charset-bad2", z_eval, "1.2.3.4", "foo@t4.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "redirect-after-mechanisms1", z_eval, "1.2.3.4",
	  "foo@t5.example.com", "mail.example.com", "softfail", NULL },
	{ "redirect-after-mechanisms2", z_eval, "1.2.3.5",
	  "foo@t6.example.com", "mail.example.com", "fail", NULL },
	{ "default-result", z_eval, "1.2.3.5", "foo@t7.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "redirect-is-modifier", z_eval, "1.2.3.4", "foo@t8.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "invalid-domain", z_eval, "1.2.3.4", "foo@t9.example.com",
	  "mail.example.com", "permerror", NULL },
	/* The next three accept fail or permerror: a target name that
	 * cannot be asked is treated as a name that does not exist (as 4.3
	 * does for <domain>), so the mechanism does not match: fail. */
	{ "invalid-domain-empty-label", z_eval, "1.2.3.4",
	  "foo@t10.example.com", "mail.example.com", "fail", NULL },
	{ "invalid-domain-long", z_eval, "1.2.3.4", "foo@t11.example.com",
	  "mail.example.com", "fail", NULL },
	{ "invalid-domain-long-via-macro", z_eval, "1.2.3.4",
	  "foo@t12.example.com", "%%%%%%%%%%%%%%%%%%%%%%", "fail", NULL },
	/* ALL mechanism syntax */
	{ "all-dot", z_all, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "all-arg", z_all, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "all-cidr", z_all, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "all-neutral", z_all, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "all-double", z_all, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "pass", NULL },
	/* PTR mechanism syntax */
	{ "ptr-cidr", z_ptr, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "ptr-match-target", z_ptr, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "ptr-match-implicit", z_ptr, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "pass", NULL },
	{ "ptr-nomatch-invalid", z_ptr, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "fail", NULL },
	{ "ptr-match-ip6", z_ptr, "CAFE:BABE::1", "foo@e3.example.com",
	  "mail.example.com", "pass", NULL },
	{ "ptr-empty-domain", z_ptr, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "ptr-case-change", z_ptr, "2001:db8::1", "bar@e6.example.com",
	  "mail.example.com", "pass", NULL },
	/* A mechanism syntax */
	{ "a-cidr6", z_a, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-bad-cidr4", z_a, "1.2.3.4", "foo@e6a.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-bad-cidr6", z_a, "1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-dual-cidr-ip4-match", z_a, "1.2.3.4", "foo@e8.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-dual-cidr-ip4-err", z_a, "1.2.3.4", "foo@e8e.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-dual-cidr-ip6-match", z_a, "2001:db8:1234::cafe:babe",
	  "foo@e8.example.com", "mail.example.com", "pass", NULL },
	{ "a-dual-cidr-ip4-default", z_a, "1.2.3.4", "foo@e8b.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-dual-cidr-ip6-default", z_a, "2001:db8:1234::cafe:babe",
	  "foo@e8a.example.com", "mail.example.com", "fail", NULL },
	{ "a-multi-ip1", z_a, "1.2.3.4", "foo@e10.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-bad-domain", z_a, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-nxdomain", z_a, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-cidr4-0", z_a, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-cidr4-0-ip6", z_a, "1234::1", "foo@e2.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-cidr6-0-ip4", z_a, "1.2.3.4", "foo@e2a.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-cidr6-0-ip4mapped", z_a, "::FFFF:1.2.3.4",
	  "foo@e2a.example.com", "mail.example.com", "fail", NULL },
	{ "a-cidr6-0-ip6", z_a, "1234::1", "foo@e2a.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-ip6-dualstack", z_a, "1234::1", "foo@ipv6.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-cidr6-0-nxdomain", z_a, "1234::1", "foo@e2b.example.com",
	  "mail.example.com", "fail", NULL },
	{ "a-numeric", z_a, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-numeric-toplabel", z_a, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-dash-in-toplabel", z_a, "1.2.3.4", "foo@e14.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-bad-toplabel", z_a, "1.2.3.4", "foo@e12.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-only-toplabel", z_a, "1.2.3.4", "foo@e5a.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "a-only-toplabel-trailing-dot", z_a, "1.2.3.4",
	  "foo@e5b.example.com", "mail.example.com", "permerror", NULL },
	{ "a-colon-domain", z_a, "1.2.3.4", "foo@e11.example.com",
	  "mail.example.com", "pass", NULL },
	{ "a-colon-domain-ip4mapped", z_a, "::FFFF:1.2.3.4",
	  "foo@e11.example.com", "mail.example.com", "pass", NULL },
	{ "a-empty-domain", z_a, "1.2.3.4", "foo@e13.example.com",
	  "mail.example.com", "permerror", NULL },
	/* Include mechanism semantics and syntax */
	{ "include-fail", z_include, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "softfail", NULL },
	{ "include-softfail", z_include, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "include-neutral", z_include, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "fail", NULL },
	{ "include-temperror", z_include, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "temperror", NULL },
	{ "include-permerror", z_include, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-syntax-error", z_include, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-cidr", z_include, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-none", z_include, "1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-empty-domain", z_include, "1.2.3.4", "foo@e8.example.com",
	  "mail.example.com", "permerror", NULL },
	/* MX mechanism syntax */
	{ "mx-cidr6", z_mx, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "fail", NULL },
	{ "mx-bad-cidr4", z_mx, "1.2.3.4", "foo@e6a.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-bad-cidr6", z_mx, "1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-multi-ip1", z_mx, "1.2.3.4", "foo@e10.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mx-bad-domain", z_mx, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-nxdomain", z_mx, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "fail", NULL },
	{ "mx-cidr4-0", z_mx, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mx-cidr4-0-ip6", z_mx, "1234::1", "foo@e2.example.com",
	  "mail.example.com", "fail", NULL },
	{ "mx-cidr6-0-ip4", z_mx, "1.2.3.4", "foo@e2a.example.com",
	  "mail.example.com", "fail", NULL },
	{ "mx-cidr6-0-ip4mapped", z_mx, "::FFFF:1.2.3.4",
	  "foo@e2a.example.com", "mail.example.com", "fail", NULL },
	{ "mx-cidr6-0-ip6", z_mx, "1234::1", "foo@e2a.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mx-cidr6-0-nxdomain", z_mx, "1234::1", "foo@e2b.example.com",
	  "mail.example.com", "fail", NULL },
	{ "mx-numeric-top-label", z_mx, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-colon-domain", z_mx, "1.2.3.4", "foo@e11.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mx-colon-domain-ip4mapped", z_mx, "::FFFF:1.2.3.4",
	  "foo@e11.example.com", "mail.example.com", "pass", NULL },
	{ "mx-bad-toplab", z_mx, "1.2.3.4", "foo@e12.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-empty", z_mx, "1.2.3.4", "", "mail.example.com", "neutral",
	  NULL },
	{ "mx-implicit", z_mx, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "mx-empty-domain", z_mx, "1.2.3.4", "foo@e13.example.com",
	  "mail.example.com", "permerror", NULL },
	/* EXISTS mechanism syntax */
	{ "exists-empty-domain", z_exists, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "exists-implicit", z_exists, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "exists-cidr", z_exists, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "exists-ip4", z_exists, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "pass", NULL },
	{ "exists-ip6", z_exists, "CAFE:BABE::3", "foo@e4.example.com",
	  "mail.example.com", "pass", NULL },
	{ "exists-ip6only", z_exists, "CAFE:BABE::3", "foo@e5.example.com",
	  "mail.example.com", "fail", NULL },
	{ "exists-dnserr", z_exists, "CAFE:BABE::3", "foo@e6.example.com",
	  "mail.example.com", "temperror", NULL },
	/* IP4 mechanism syntax */
	{ "cidr4-0", z_ip, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "pass", NULL },
	{ "cidr4-32", z_ip, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "cidr4-33", z_ip, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "cidr4-032", z_ip, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "bare-ip4", z_ip, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "bad-ip4-port", z_ip, "1.2.3.4", "foo@e8.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "bad-ip4-short", z_ip, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "ip4-dual-cidr", z_ip, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "ip4-mapped-ip6", z_ip, "::FFFF:1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "fail", NULL },
	/* IP6 mechanism syntax */
	{ "bare-ip6", z_ip6, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "cidr6-0-ip4", z_ip6, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "cidr6-ip4", z_ip6, "::FFFF:1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "cidr6-0", z_ip6, "DEAF:BABE::CAB:FEE", "foo@e2.example.com",
	  "mail.example.com", "pass", NULL },
	{ "cidr6-129", z_ip6, "1.2.3.4", "foo@e3.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "cidr6-bad", z_ip6, "1.2.3.4", "foo@e4.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "cidr6-33", z_ip6, "CAFE:BABE:8000::", "foo@e5.example.com",
	  "mail.example.com", "pass", NULL },
	{ "cidr6-33-ip4", z_ip6, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "ip6-bad1", z_ip6, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "permerror", NULL },
	/* Semantics of exp and other modifiers */
	{ "redirect-none", z_mod, "1.2.3.4", "foo@e10.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "redirect-cancels-exp", z_mod, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "fail", "" },
	{ "redirect-syntax-error", z_mod, "1.2.3.4", "foo@e17.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-ignores-exp", z_mod, "1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "fail", "Correct!" },
	{ "redirect-cancels-prior-exp", z_mod, "1.2.3.4",
	  "foo@e3.example.com", "mail.example.com", "fail", "See me." },
	{ "invalid-modifier", z_mod, "1.2.3.4", "foo@e5.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "empty-modifier-name", z_mod, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "dorky-sentinel", z_mod, "1.2.3.4", "Macro Error@e8.example.com",
	  "mail.example.com", "fail", "Macro Error in implementation" },
	{ "exp-multiple-txt", z_mod, "1.2.3.4", "foo@e11.example.com",
	  "mail.example.com", "fail", "" },
	{ "exp-no-txt", z_mod, "1.2.3.4", "foo@e22.example.com",
	  "mail.example.com", "fail", "" },
	{ "exp-dns-error", z_mod, "1.2.3.4", "foo@e21.example.com",
	  "mail.example.com", "fail", "" },
	/* the suite's erratum: an explicit "exp=" is a syntax error */
	{ "exp-empty-domain", z_mod, "1.2.3.4", "foo@e12.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "explanation-syntax-error", z_mod, "1.2.3.4",
	  "foo@e13.example.com", "mail.example.com", "fail", "" },
	{ "exp-syntax-error", z_mod, "1.2.3.4", "foo@e16.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "exp-twice", z_mod, "1.2.3.4", "foo@e14.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "redirect-empty-domain", z_mod, "1.2.3.4", "foo@e18.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "redirect-twice", z_mod, "1.2.3.4", "foo@e15.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "unknown-modifier-syntax", z_mod, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "default-modifier-obsolete", z_mod, "1.2.3.4",
	  "foo@e19.example.com", "mail.example.com", "neutral", NULL },
	{ "default-modifier-obsolete2", z_mod, "1.2.3.4",
	  "foo@e20.example.com", "mail.example.com", "neutral", NULL },
	{ "non-ascii-exp", z_mod, "1.2.3.4", "foobar@nonascii.example.com",
	  "hosed", "fail", "" },
	{ "two-exp-records", z_mod, "1.2.3.4", "foobar@tworecs.example.com",
	  "hosed", "fail", "" },
	/* the exp lookup is no void lookup: 2 voids, then exp */
	{ "exp-void", z_mod, "1.2.3.4", "foo@e23.example.com",
	  "mail.example.com", "fail", "" },
	{ "redirect-implicit", z_mod, "192.0.2.2", "bar@e24.example.com",
	  "e24.example.com", "pass", NULL },
	/* Macro expansion rules */
	{ "trailing-dot-domain", z_macro, "192.168.218.40",
	  "test@example.com", "msgbas2x.cos.example.com", "pass", NULL },
	{ "trailing-dot-exp", z_macro, "192.168.218.40",
	  "test@exp.example.com", "msgbas2x.cos.example.com", "fail",
	  "This is a test." },
	{ "exp-only-macro-char", z_macro, "192.168.218.40",
	  "test@e2.example.com", "msgbas2x.cos.example.com", "permerror",
	  NULL },
	{ "invalid-macro-char", z_macro, "192.168.218.40",
	  "test@e1.example.com", "msgbas2x.cos.example.com", "permerror",
	  NULL },
	{ "invalid-embedded-macro-char", z_macro, "192.168.218.40",
	  "test@e1e.example.com", "msgbas2x.cos.example.com", "permerror",
	  NULL },
	{ "invalid-trailing-macro-char", z_macro, "192.168.218.40",
	  "test@e1t.example.com", "msgbas2x.cos.example.com", "permerror",
	  NULL },
	{ "macro-mania-in-domain", z_macro, "1.2.3.4", "test@e1a.example.com",
	  "mail.example.com", "pass", NULL },
	{ "exp-txt-macro-char", z_macro, "192.168.218.40",
	  "test@e3.example.com", "msgbas2x.cos.example.com", "fail",
	  "Connections from 192.168.218.40 not authorized." },
	{ "domain-name-truncation", z_macro, "192.168.218.40",
	  "test@somewhat.long.exp.example.com", "msgbas2x.cos.example.com",
	  "fail", "Congratulations!  That was tricky." },
	{ "v-macro-ip4", z_macro, "192.168.218.40", "test@e4.example.com",
	  "msgbas2x.cos.example.com", "fail",
	  "192.168.218.40 is queried as 40.218.168.192.in-addr.arpa" },
	{ "v-macro-ip6", z_macro, "CAFE:BABE::1", "test@e4.example.com",
	  "msgbas2x.cos.example.com", "fail", "cafe:babe::1 is queried as "
	  "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e.f.a.c."
	  "ip6.arpa" },
	{ "undef-macro", z_macro, "CAFE:BABE::192.168.218.40",
	  "test@e5.example.com", "msgbas2x.cos.example.com", "permerror",
	  NULL },
	{ "p-macro-ip4-novalid", z_macro, "192.168.218.40",
	  "test@e6.example.com", "msgbas2x.cos.example.com", "fail",
	  "connect from unknown" },
	{ "p-macro-ip4-valid", z_macro, "192.168.218.41",
	  "test@e6.example.com", "msgbas2x.cos.example.com", "fail",
	  "connect from mx.example.com" },
	{ "p-macro-ip6-novalid", z_macro, "CAFE:BABE::1",
	  "test@e6.example.com", "msgbas2x.cos.example.com", "fail",
	  "connect from unknown" },
	{ "p-macro-ip6-valid", z_macro, "CAFE:BABE::3",
	  "test@e6.example.com", "msgbas2x.cos.example.com", "fail",
	  "connect from mx.example.com" },
	/* pass or softfail in the suite: we pick a name below the domain
	 * (7.3 says it SHOULD be used), mx.e7.example.com: pass */
	{ "p-macro-multiple", z_macro, "192.168.218.42",
	  "test@e7.example.com", "msgbas2x.cos.example.com", "pass", NULL },
	{ "upper-macro", z_macro, "192.168.218.42",
	  "~jack&jill=up-a_b3.c@e8.example.com", "msgbas2x.cos.example.com",
	  "fail", "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c" },
	{ "hello-macro", z_macro, "192.168.218.40", "test@e9.example.com",
	  "msgbas2x.cos.example.com", "pass", NULL },
	{ "invalid-hello-macro", z_macro, "192.168.218.40",
	  "test@e9.example.com", "JUMPIN' JUPITER", "fail", NULL },
	{ "hello-domain-literal", z_macro, "192.168.218.40",
	  "test@e9.example.com", "[192.168.218.40]", "fail", NULL },
	{ "require-valid-helo", z_macro, "1.2.3.4", "test@e10.example.com",
	  "OEMCOMPUTER", "fail", NULL },
	{ "macro-reverse-split-on-dash", z_macro, "1.2.3.4",
	  "philip-gladstone-test@e11.example.com", "mail.example.com",
	  "pass", NULL },
	{ "macro-multiple-delimiters", z_macro, "1.2.3.4",
	  "foo-bar+zip+quux@e12.example.com", "mail.example.com", "pass",
	  NULL },
	/* Processing limits */
	{ "redirect-loop", z_limits, "1.2.3.4", "foo@e1.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-loop", z_limits, "1.2.3.4", "foo@e2.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "mx-limit", z_limits, "1.2.3.5", "foo@e4.example.com",
	  "mail.example.com", "permerror", NULL },
	/* neutral or pass: the first 10 PTR names, in answer order, do not
	 * include e5.example.com: neutral */
	{ "ptr-limit", z_limits, "1.2.3.5", "foo@e5.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "false-a-limit", z_limits, "1.2.3.12", "foo@e10.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mech-at-limit", z_limits, "1.2.3.4", "foo@e6.example.com",
	  "mail.example.com", "pass", NULL },
	{ "mech-over-limit", z_limits, "1.2.3.4", "foo@e7.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "include-at-limit", z_limits, "1.2.3.4", "foo@e8.example.com",
	  "mail.example.com", "pass", NULL },
	{ "include-over-limit", z_limits, "1.2.3.4", "foo@e9.example.com",
	  "mail.example.com", "permerror", NULL },
	{ "void-at-limit", z_limits, "1.2.3.4", "foo@e12.example.com",
	  "mail.example.com", "neutral", NULL },
	{ "void-over-limit", z_limits, "1.2.3.4", "foo@e11.example.com",
	  "mail.example.com", "permerror", NULL },
	/* Test cases from implementation bugs */
	{ "bytes-bug", z_bugs, "2001:db8:ff0:100::2", "test@example.org",
	  "example.org", "pass", NULL },
	/* ours */
	{ "mx: a SERVFAIL on one name, a match on another: pass", z_more,
	  "192.0.2.3", "x@mx.test", "h.test", "pass", NULL },
	{ "mx: a SERVFAIL on one name and no match: temperror", z_more,
	  "192.0.2.9", "x@mx.test", "h.test", "temperror", NULL },
	{ "include of a failing name: temperror", z_more, "192.0.2.9",
	  "x@inc.test", "h.test", "temperror", NULL },
	{ "a: of a failing name: temperror", z_more, "192.0.2.9", "x@a.test",
	  "h.test", "temperror", NULL },
	{ "ptr: no PTR at all is no match, never an error", z_more,
	  "192.0.2.9", "x@ptrfail.test", "h.test", "fail", NULL },
	{ "RFC 7208 A.1: mx matches", z_more, "192.0.2.130",
	  "x@example.com", "h.test", "pass", NULL },
	{ "RFC 7208 A.1: a:colo.example.com/28 matches", z_more,
	  "192.0.2.78", "x@example.com", "h.test", "pass", NULL },
	{ "RFC 7208 A.1: others fail", z_more, "192.0.2.80", "x@example.com",
	  "h.test", "fail", NULL },
};

static const char *
domain_of(const struct row *r)
{
	const char *at;

	if (!r->sender[0])
		return r->helo;
	at = strrchr(r->sender, '@');
	return at ? at + 1 : r->sender;
}

/* The steps and counts of one evaluation, and the MX names asked in one
 * round. */
static void
details(void)
{
	struct dns d;
	struct spf_query q = { .ip = "192.0.2.3", .sender = "x@mx.test",
		.helo = "h.test", .domain = "mx.test" };
	struct spf_verdict v = { 0 };

	zone = z_more;
	widest = 0;
	spf_check_host(&d, &q, &v);
	tap_ok(v.result == SPF_PASS, "mx.test: pass");
	tap_ok(widest == 3, "mx.test: the 3 MX names asked together (%zu)",
		widest);
	tap_ok(v.nsteps == 1 && !strcmp(v.steps[0].term, "mx") &&
		!strcmp(v.steps[0].domain, "mx.test") &&
		!strcmp(v.steps[0].record, "v=spf1 mx -all"),
		"mx.test: decided by mx in mx.test");
	tap_ok(v.lookups == 1 && v.voids == 0, "mx.test: 1 lookup, 0 void");
	spf_verdict_release(&v);

	/* include-softfail: the step inside the include is kept */
	zone = z_include;
	q.ip = "1.2.3.4";
	q.sender = "foo@e1.example.com";
	q.domain = "e1.example.com";
	spf_check_host(&d, &q, &v);
	tap_ok(v.result == SPF_SOFTFAIL && v.nsteps == 1 &&
		!strcmp(v.steps[0].term, "~all"),
		"include-fail: decided by ~all, the include dropped");
	spf_verdict_release(&v);
	zone = z_mod;
	q.sender = "foo@e3.example.com";
	q.domain = "e3.example.com";
	spf_check_host(&d, &q, &v);
	tap_ok(v.nsteps == 2 && !strcmp(v.steps[0].term,
		"redirect=e4.example.com") && !strcmp(v.steps[1].term, "-all")
		&& !strcmp(v.steps[1].domain, "e4.example.com"),
		"redirect: both steps");
	spf_verdict_release(&v);
	zone = z_limits;
	q.sender = "foo@e11.example.com";
	q.domain = "e11.example.com";
	spf_check_host(&d, &q, &v);
	tap_ok(v.voids == 3 && strstr(v.why, "more than 2 void lookups"),
		"void-over-limit: says why (%s)", v.why);
	spf_verdict_release(&v);
	q.ip = "1.2.3.999";
	tap_ok(spf_check_host(&d, &q, &v) == -1 && strstr(v.why,
		"not an IP address"), "a bad address is refused");
	spf_verdict_release(&v);
	/* the top TXT lookup failing: nothing judged */
	zone = z_lookup;
	q.ip = "1.2.3.4";
	q.sender = "foo@txttimeout.example.net";
	q.domain = "txttimeout.example.net";
	spf_check_host(&d, &q, &v);
	tap_ok(v.result == SPF_TEMPERROR && v.unjudged,
		"txttimeout: unjudged");
	spf_verdict_release(&v);
	zone = z_include;
	q.sender = "foo@e4.example.com";
	q.domain = "e4.example.com";
	spf_check_host(&d, &q, &v);
	tap_ok(v.result == SPF_TEMPERROR && !v.unjudged,
		"include-temperror: judged (the record was read)");
	spf_verdict_release(&v);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *r = &rows[i];
		struct dns d;
		struct spf_query q = {
			.ip = r->ip, .sender = r->sender, .helo = r->helo,
			.domain = domain_of(r), .receiver = NULL,
			.now = 1400000000,
		};
		struct spf_verdict v = { 0 };
		const char *got;

		zone = r->zone;
		spf_check_host(&d, &q, &v);
		got = spf_result_name(v.result);
		tap_ok(!strcmp(got, r->want), "%s: %s (got %s%s%s)", r->name,
			r->want, got, v.why[0] ? ": " : "", v.why);
		if (r->expl)
			tap_mem(v.explanation, v.explanation ?
				strlen(v.explanation) : 0, r->expl,
				strlen(r->expl), "  explanation");
		spf_verdict_release(&v);
	}
	details();
	return tap_done();
}
