/*
 * t_spf: the SPF record parser (RFC 7208 4.6, 5, 6, 7.1), table-driven:
 * each record parses to the terms listed, or fails saying why.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "dns/spf.h"
#include "tap.h"

static const struct {
	const char *record;
	const char *want;	/* terms as "qual name[:arg]", or "!why" */
} rows[] = {
	{ "v=spf1", "" },
	{ "V=SPF1 -ALL", "-all" },
	{ "v=spf1 mx a:mail.example.org/24//64 ~all",
	  "+mx +a:mail.example.org ~all" },
	{ "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
	  "+ip4:192.0.2.0/24 +ip6:2001:db8::/32 -all" },
	{ "v=spf1  include:_spf.example.org   ?all ", "+include:_spf.example.org ?all" },
	{ "v=spf1 redirect=_spf.example.org", "redirect:_spf.example.org" },
	{ "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
	  "+exists:%{ir}.%{l1r+-}._spf.%{d} -all" },
	{ "v=spf1 -all exp=explain.%{d} foo=bar", "-all exp:explain.%{d} :bar" },
	{ "v=spf1 ptr ptr:example.org", "+ptr +ptr:example.org" },
	{ "v=spf1 a/24 mx//64", "+a +mx" },
	{ "v=spf10 -all", "!not an SPF record" },
	{ "spf1 -all", "!not an SPF record" },
	{ "v=spf1 ip4:300.1.1.1", "!\"ip4:300.1.1.1\": a bad IPv4 address" },
	{ "v=spf1 ip4:192.0.2.0/33", "!\"ip4:192.0.2.0/33\": a bad prefix length" },
	{ "v=spf1 ip6:::1/129", "!\"ip6:::1/129\": a bad prefix length" },
	{ "v=spf1 ip4", "!\"ip4\": an address is required" },
	{ "v=spf1 a/0024", "!\"a/0024\": a bad IPv4 prefix length" },
	{ "v=spf1 include", "!\"include\": a domain is required" },
	{ "v=spf1 include:example", "!\"include:example\": a domain without a dot" },
	{ "v=spf1 include:example.123", "!\"include:example.123\": an all-numeric top label" },
	{ "v=spf1 foo -all", "!\"foo\": an unknown mechanism" },
	{ "v=spf1 allx", "!\"allx\": an unknown mechanism" },
	{ "v=spf1 all:x", "!\"all:x\": junk after all" },
	{ "v=spf1 exists:%{x}.example.org", "!\"exists:%{x}.example.org\": an unknown macro letter" },
	{ "v=spf1 exists:%{c}.example.org", "!\"exists:%{c}.example.org\": an unknown macro letter" },
	{ "v=spf1 exists:%{i.example.org", "!\"exists:%{i.example.org\": a macro not closed by '}'" },
	{ "v=spf1 a:%x.example.org", "!\"a:%x.example.org\": a '%' not followed by '{', '%', '_' or '-'" },
	{ "v=spf1 redirect=a.example.org redirect=b.example.org", "!\"redirect=b.example.org\": redirect given twice" },
	{ "v=spf1 -all\t", "!\"-all\t\": junk after all" },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct spf_term *t;
		struct buf got = BUF_INIT;
		char why[160] = "";
		size_t n;

		if (spf_parse(rows[i].record, &t, &n, why, sizeof why) < 0) {
			buf_addf(&got, "!%s", why);
		} else {
			for (size_t k = 0; k < n; k++) {
				if (k)
					buf_addch(&got, ' ');
				if (t[k].qual)
					buf_addch(&got, t[k].qual);
				buf_addstr(&got, t[k].name);
				if (t[k].arg)
					buf_addf(&got, ":%s", t[k].arg);
			}
		}
		tap_str(got.data ? got.data : "", rows[i].want,
			rows[i].record);
		spf_terms_free(t, n);
		buf_release(&got);
	}
	tap_int(spf_is_record("v=spf1", 6), 1, "v=spf1 alone is a record");
	tap_int(spf_is_record("v=spf1x", 7), 0, "v=spf1x is not");
	return tap_done();
}
