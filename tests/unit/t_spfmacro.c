/*
 * t_spfmacro: SPF macro expansion (RFC 7208 7), table-driven: every example
 * of 7.4 (IPv4 and IPv6), the letters of explanations, URL escaping, the
 * truncation of a long domain (7.3), and the syntax errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/buf.h"
#include "dns/spfmacro.h"
#include "tap.h"

static const char *
ptr_name(void *arg, const char *domain)
{
	(void)domain;
	return arg;
}

static const struct {
	const char *in;
	const char *ip;
	unsigned flags;
	const char *want;	/* or "!why" */
} rows[] = {
	/* RFC 7208 7.4: sender strong-bad@email.example.com, IPv4
	 * 192.0.2.3, IPv6 2001:db8::cb01, PTR name mx.example.org */
	{ "%{s}", "192.0.2.3", 0, "strong-bad@email.example.com" },
	{ "%{o}", "192.0.2.3", 0, "email.example.com" },
	{ "%{d}", "192.0.2.3", 0, "email.example.com" },
	{ "%{d4}", "192.0.2.3", 0, "email.example.com" },
	{ "%{d3}", "192.0.2.3", 0, "email.example.com" },
	{ "%{d2}", "192.0.2.3", 0, "example.com" },
	{ "%{d1}", "192.0.2.3", 0, "com" },
	{ "%{dr}", "192.0.2.3", 0, "com.example.email" },
	{ "%{d2r}", "192.0.2.3", 0, "example.email" },
	{ "%{l}", "192.0.2.3", 0, "strong-bad" },
	{ "%{l-}", "192.0.2.3", 0, "strong.bad" },
	{ "%{lr}", "192.0.2.3", 0, "strong-bad" },
	{ "%{lr-}", "192.0.2.3", 0, "bad.strong" },
	{ "%{l1r-}", "192.0.2.3", 0, "strong" },
	{ "%{ir}.%{v}._spf.%{d2}", "192.0.2.3", 0,
	  "3.2.0.192.in-addr._spf.example.com" },
	{ "%{lr-}.lp._spf.%{d2}", "192.0.2.3", 0,
	  "bad.strong.lp._spf.example.com" },
	{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "192.0.2.3", 0,
	  "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
	{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "192.0.2.3", 0,
	  "3.2.0.192.in-addr.strong.lp._spf.example.com" },
	{ "%{d2}.trusted-domains.example.net", "192.0.2.3", 0,
	  "example.com.trusted-domains.example.net" },
	{ "%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01", 0,
	  "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	  ".ip6._spf.example.com" },
	/* the other letters; p is the validated name */
	{ "%{h} %{p} %{i}", "192.0.2.3", SPF_MACRO_EXP,
	  "mail.example.net mx.example.org 192.0.2.3" },
	{ "%{i}", "2001:db8::cb01", 0,
	  "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1" },
	{ "%{v}", "2001:db8::cb01", 0, "ip6" },
	/* c is the address as written for people; r, t only in exp */
	{ "%{c} %{r} %{t}", "2001:db8::cb01", SPF_MACRO_EXP,
	  "2001:db8::cb01 unknown 1700000000" },
	{ "%{c}", "192.0.2.3", SPF_MACRO_EXP, "192.0.2.3" },
	/* %% %_ %-, and the test suite's macro-mania-in-domain */
	{ "macro%%percent%_%_space%-url-space.example.com", "192.0.2.3", 0,
	  "macro%percent  space%20url-space.example.com" },
	/* several delimiters: rfc7208-tests macro-multiple-delimiters, with
	 * l = foo-bar+zip+quux */
	{ "%{l2r+-}", "192.0.2.3", 0, "bad.strong" },
	{ "%{o2r.+}", "192.0.2.3", 0, "example.email" },
	/* a number above the parts keeps them all */
	{ "%{d128}", "192.0.2.3", 0, "email.example.com" },
	/* upper case: URL-escaped, unreserved kept (rfc7208-tests
	 * upper-macro: ~jack&jill=up-a_b3.c) */
	{ "%{S}", "192.0.2.3", 0, "strong-bad%40email.example.com" },
	{ "%{L}", "192.0.2.3", 0, "strong-bad" },
	/* errors */
	{ "%{d0}", "192.0.2.3", 0, "!a macro keeping zero parts" },
	{ "%{c}", "192.0.2.3", 0, "!an unknown macro letter" },
	{ "%{r}.example.com", "192.0.2.3", 0, "!an unknown macro letter" },
	{ "%{t}", "192.0.2.3", 0, "!an unknown macro letter" },
	{ "%{x}", "192.0.2.3", SPF_MACRO_EXP, "!an unknown macro letter" },
	{ "%(ir).sbl.example.com", "192.0.2.3", 0,
	  "!a '%' not followed by '{', '%', '_' or '-'" },
	{ "foo%.sbl.example.com", "192.0.2.3", 0,
	  "!a '%' not followed by '{', '%', '_' or '-'" },
	{ "foo%", "192.0.2.3", 0,
	  "!a '%' not followed by '{', '%', '_' or '-'" },
	{ "%{d2", "192.0.2.3", 0, "!a macro not closed by '}'" },
	{ "%{d2x}", "192.0.2.3", 0, "!a macro not closed by '}'" },
	{ "a b", "192.0.2.3", 0, "!a character outside visible ASCII" },
	{ "a b", "192.0.2.3", SPF_MACRO_EXP, "a b" },
	{ "\xef\xbb\xbfx", "192.0.2.3", SPF_MACRO_EXP,
	  "!a character outside visible ASCII" },
	/* a domain: one final dot dropped */
	{ "%{d}.", "192.0.2.3", SPF_MACRO_DOMAIN, "email.example.com" },
	{ "This is a test.", "192.0.2.3", SPF_MACRO_EXP, "This is a test." },
};

static void
env_init(struct spf_macro_env *e, const char *ip)
{
	memset(e, 0, sizeof *e);
	e->sender = "strong-bad@email.example.com";
	e->local = "strong-bad";
	e->sdomain = "email.example.com";
	e->domain = "email.example.com";
	e->helo = "mail.example.net";
	e->now = 1700000000;
	e->ptr = ptr_name;
	e->ptr_arg = "mx.example.org";
	if (inet_pton(AF_INET, ip, e->ip) == 1)
		e->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, e->ip) == 1)
		e->family = AF_INET6;
}

/* rfc7208-tests domain-name-truncation: eight times the sender domain
 * makes a name over 253 octets; labels go from the left until it fits. */
static void
truncation(void)
{
	struct spf_macro_env e;
	struct buf out = BUF_INIT;
	char why[96];
	const char *want = "somewhat.long.exp.example.com.somewhat.long.exp."
		"example.com.somewhat.long.exp.example.com.somewhat.long.exp."
		"example.com.somewhat.long.exp.example.com.somewhat.long.exp."
		"example.com.somewhat.long.exp.example.com.somewhat.long.exp."
		"example.com.example.com";

	env_init(&e, "192.168.218.40");
	e.sdomain = "somewhat.long.exp.example.com";
	tap_ok(spf_macro_expand("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
		"%{o}.example.com", &e, SPF_MACRO_DOMAIN, &out, why,
		sizeof why) == 0, "truncation: expands");
	tap_mem(out.data, out.len, want, strlen(want),
		"truncation: labels cut from the left to 253 octets");
	tap_ok(out.len <= 253, "truncation: at most 253 octets");
	buf_release(&out);

	/* the test suite's upper-macro case */
	env_init(&e, "192.168.218.42");
	e.local = "~jack&jill=up-a_b3.c";
	tap_ok(spf_macro_expand("http://example.com/why.html?l=%{L}", &e,
		SPF_MACRO_EXP, &out, why, sizeof why) == 0, "upper-macro");
	want = "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c";
	tap_mem(out.data, out.len, want, strlen(want), "upper-macro: escaped");
	buf_release(&out);

	/* macro-reverse-split-on-dash: l = philip-gladstone-test */
	env_init(&e, "1.2.3.4");
	e.local = "philip-gladstone-test";
	e.domain = "e11.example.com";
	spf_macro_expand("%{i}.%{l2r-}.user.%{d2}", &e, SPF_MACRO_DOMAIN,
		&out, why, sizeof why);
	want = "1.2.3.4.gladstone.philip.user.example.com";
	tap_mem(out.data, out.len, want, strlen(want),
		"macro-reverse-split-on-dash");
	buf_release(&out);

	/* without a validated name, p is "unknown" */
	e.ptr = NULL;
	spf_macro_expand("connect from %{p}", &e, SPF_MACRO_EXP, &out, why,
		sizeof why);
	tap_mem(out.data, out.len, "connect from unknown", 20,
		"p without a name: unknown");
	buf_release(&out);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct spf_macro_env e;
		struct buf out = BUF_INIT;
		char why[96] = "";
		int rc;

		env_init(&e, rows[i].ip);
		rc = spf_macro_expand(rows[i].in, &e, rows[i].flags, &out, why,
			sizeof why);
		if (rows[i].want[0] == '!') {
			tap_ok(rc == -1 && out.len == 0, "%s fails",
				rows[i].in);
			tap_mem(why, strlen(why), rows[i].want + 1,
				strlen(rows[i].want + 1), rows[i].in);
		} else {
			tap_ok(rc == 0, "%s expands", rows[i].in);
			tap_mem(out.data, out.len, rows[i].want,
				strlen(rows[i].want), rows[i].in);
		}
		buf_release(&out);
	}
	truncation();
	return tap_done();
}
