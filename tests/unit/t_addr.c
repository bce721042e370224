/* t_addr: RFC 5322 address lists (appendix A examples, obsolete forms, the
 * wild, garbage) and the formatter. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "codec/addr.h"
#include "codec/charset.h"
#include "tap.h"
#include "base/util.h"

/* Expected entries: "name|spec|group" with "-" for NULL, ";"-separated. */
static const struct {
	const char *in;
	const char *want;
} parse[] = {
	/* RFC 5322 A.1.1 - A.1.3. */
	{ "John Doe <jdoe@machine.example>",
	  "John Doe|jdoe@machine.example|-" },
	{ "\"Joe Q. Public\" <john.q.public@example.com>",
	  "Joe Q. Public|john.q.public@example.com|-" },
	{ "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	  "Mary Smith|mary@x.test|-;-|jdoe@example.org|-;"
	  "Who?|one@y.test|-" },
	{ "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
	  "<sysservices@example.net>",
	  "-|boss@nil.test|-;Giant; \"Big\" Box|sysservices@example.net|-" },
	{ "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	  "Ed Jones|c@a.test|A Group;-|joe@where.test|A Group;"
	  "John|jdoe@one.test|A Group" },
	{ "Undisclosed recipients:;", "-|-|Undisclosed recipients" },
	/* A.5: white space, comments. */
	{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	  "Pete|pete@silly.test|-" },
	{ "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)"
	  "public.example>,\r\n         joe@example.org,\r\n"
	  "  John <jdoe@one.test> (my dear friend); (the end of the group)",
	  "Chris Jones|c@public.example|A Group;-|joe@example.org|A Group;"
	  "John|jdoe@one.test|A Group" },
	{ "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	  "-|-|Hidden recipients" },
	/* A.6: obsolete forms. */
	{ "Joe Q. Public <john.q.public@example.com>",
	  "Joe Q. Public|john.q.public@example.com|-" },
	{ "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	  "Mary Smith|mary@example.net|-;-|jdoe@test.example|-" },
	{ "John Doe <jdoe@machine(comment).  example>",
	  "John Doe|jdoe@machine.example|-" },
	{ "Mary Smith\r\n  \r\n          <mary@example.net>",
	  "Mary Smith|mary@example.net|-" },
	{ "<@a,@b:x@y>", "-|x@y|-" },
	{ "x@y (Name)", "Name|x@y|-" },
	{ "x@y (=?utf-8?q?J=C3=B6rg?=)", "J\xc3\xb6rg|x@y|-" },
	{ "<x@y> (Name)", "Name|x@y|-" },
	/* Encoded and 8-bit names, UTF-8 addresses. */
	{ "=?utf-8?q?J=C3=B6rg?= <j@x>", "J\xc3\xb6rg|j@x|-" },
	{ "\"=?utf-8?q?J=C3=B6rg?=\" <j@x>", "J\xc3\xb6rg|j@x|-" },
	{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	  "Keld J\xc3\xb8rn Simonsen|keld@dkuug.dk|-" },
	{ "=?utf-8?q?a?= =?utf-8?q?b?= <ab@x>", "ab|ab@x|-" },
	{ "J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbc" "cher.example>",
	  "J\xc3\xb6rg|j\xc3\xb6rg@b\xc3\xbc" "cher.example|-" },
	{ "M\xfcller <m@x>", "M\xc3\xbcller|m@x|-" },
	{ "\"john doe\"@example.org", "-|\"john doe\"@example.org|-" },
	{ "\"a\\\"b\"@x", "-|\"a\\\"b\"@x|-" },
	{ "\"a\r\n b\"@x", "-|\"a b\"@x|-" },
	{ "user@[192.0.2.1]", "-|user@[192.0.2.1]|-" },
	/* A quoted string keeps its blanks; blanks between words are one
	 * space; the CRLF of a fold goes, its blank stays. */
	{ "  \"  spaced   name \"  <a@b>", "  spaced   name |a@b|-" },
	{ "\"John   Q.  Public\" <j@x>", "John   Q.  Public|j@x|-" },
	{ "John   Q.\t Public <j@x>", "John Q. Public|j@x|-" },
	{ "\"John\r\n  Q.\r\n\tPublic\" <j@x>", "John  Q.\tPublic|j@x|-" },
	{ "John\r\n Q.\r\n Public <j@x>", "John Q. Public|j@x|-" },
	{ "\"a\tb\" \"c \" d <j@x>", "a\tb c  d|j@x|-" },
	{ "j@x (  Comment \r\n  name )", "Comment name|j@x|-" },
	/* The wild. */
	{ "root", "-|root|-" },
	{ "John Smith john@x.com", "John Smith|john@x.com|-" },
	{ "a@b, , ,c@d,", "-|a@b|-;-|c@d|-" },
	{ "<a@b", "-|a@b|-" },
	{ "Name <a@b, c@d", "Name|a@b|-;-|c@d|-" },
	{ "team: a@x, b@y", "-|a@x|team;-|b@y|team" },
	{ ": a@x;", "-|a@x|" },
	{ "a@x; b@y", "-|a@x|-;-|b@y|-" },
	{ "", "" },
	{ ",,,", "" },
	{ "(just a comment)", "" },
	{ "(unterminated", "" },
	{ "\"unterminated", "-|\"unterminated|-" },
	{ "<<<>>>,,;;::\"", "-|\"|" },
	{ "<>", "" },
	{ "@", "-|@|-" },
};

static void
render(const struct addr_list *l, size_t from, struct buf *b)
{
	size_t i;

	for (i = from; i < l->n; i++)
		buf_addf(b, "%s%s|%s|%s", i > from ? ";" : "",
			l->v[i].name ? l->v[i].name : "-",
			l->v[i].spec ? l->v[i].spec : "-",
			l->v[i].group ? l->v[i].group : "-");
}

static const struct {
	const char *name;
	const char *spec;
	unsigned int flags;
	const char *want;
} fmt[] = {
	{ NULL, "a@b", 0, "a@b" },
	{ "", "a@b", 0, "a@b" },
	{ "John Doe", "j@x", 0, "John Doe <j@x>" },
	{ "Doe, John", "j@x", 0, "\"Doe, John\" <j@x>" },
	{ "Joe Q. Public", "j@x", 0, "\"Joe Q. Public\" <j@x>" },
	{ "J\xc3\xb6rg", "j@x", 0, "=?UTF-8?B?SsO2cmc=?= <j@x>" },
	{ "J\xc3\xb6rg", "j@x", ADDR_FMT_UTF8, "J\xc3\xb6rg <j@x>" },
	{ "M\xc3\xbcller, J\xc3\xb6rg", "j@x", ADDR_FMT_UTF8,
	  "\"M\xc3\xbcller, J\xc3\xb6rg\" <j@x>" },
	{ "a \"q\" b", "j@x", 0, "\"a \\\"q\\\" b\" <j@x>" },
	/* ADDR_FMT_TEXT: UTF-8 as it is, quoted only where atoms would not
	 * read back the same. */
	{ "J\xc3\xb6rg M", "j@x", ADDR_FMT_TEXT, "J\xc3\xb6rg M <j@x>" },
	{ "Joe Q. Public", "j@x", ADDR_FMT_TEXT, "\"Joe Q. Public\" <j@x>" },
	{ "John   Smith", "j@x", ADDR_FMT_TEXT, "\"John   Smith\" <j@x>" },
	{ " lead", "j@x", ADDR_FMT_TEXT, "\" lead\" <j@x>" },
	{ "a\tb", "j@x", ADDR_FMT_TEXT, "\"a\tb\" <j@x>" },
	{ "=?x?q?y?=", "j@x", ADDR_FMT_TEXT, "=?x?q?y?= <j@x>" },
	{ "a \"q\\", "j@x", ADDR_FMT_TEXT, "\"a \\\"q\\\\\" <j@x>" },
	{ "", "j@x", ADDR_FMT_TEXT, "j@x" },
};

int
main(void)
{
	struct addr_list l = ADDR_LIST_INIT, l2 = ADDR_LIST_INIT;
	struct buf b = BUF_INIT, f = BUF_INIT, g = BUF_INIT;
	size_t i, n, col, maxcol;
	char *big;

	for (i = 0; i < ARRAY_SIZE(parse); i++) {
		addr_list_release(&l);
		n = addr_parse(parse[i].in, strlen(parse[i].in),
			ADDR_EMPTY_GROUPS, &l);
		buf_reset(&b);
		render(&l, 0, &b);
		tap_str(b.data ? b.data : "", parse[i].want, parse[i].in);
		tap_int((long long)n, (long long)l.n, "count returned");
	}
	/* Without ADDR_EMPTY_GROUPS an empty group gives nothing. */
	addr_list_release(&l);
	tap_int((long long)addr_parse("undisclosed-recipients:;", 24, 0, &l),
		0, "empty group omitted by default");
	/* Appending to a list. */
	addr_parse("a@b", 3, 0, &l);
	addr_parse("c@d, e@f", 8, 0, &l);
	tap_int((long long)l.n, 3, "parse appends");

	tap_str(addr_domain("a@b.example"), "b.example", "domain");
	tap_str(addr_domain("\"a@b\"@c"), "c", "domain after quoted @");
	tap_str(addr_domain("root"), NULL, "no domain");

	for (i = 0; i < ARRAY_SIZE(fmt); i++) {
		buf_reset(&b);
		addr_format(&b, fmt[i].name, fmt[i].spec, fmt[i].flags);
		tap_str(b.data, fmt[i].want, fmt[i].want);
	}

	/* List: format then parse gives the same entries; lines fold. */
	addr_list_release(&l);
	addr_parse("Mary Smith <mary@x.test>, \"Doe, John\" <j@x>, "
		"team: J\xc3\xb6rg M\xc3\xbcller <jm@example.org>, b@y;, "
		"nobody:;, Someone With A Rather Long Name <someone.with."
		"a.long.address@subdomain.example.org>, last@x", 170,
		ADDR_EMPTY_GROUPS, &l);
	buf_reset(&f);
	addr_format_list(&f, &l, 4, 0);
	addr_parse(f.data, f.len, ADDR_EMPTY_GROUPS, &l2);
	buf_reset(&b);
	buf_reset(&g);
	render(&l, 0, &b);
	render(&l2, 0, &g);
	tap_str(g.data, b.data, "format_list round trip");
	for (i = 0, col = 4, maxcol = 0; i < f.len; i++) {
		if (f.data[i] == '\r' || f.data[i] == '\n') {
			col = 0;
			continue;
		}
		if (++col > maxcol)
			maxcol = col;
	}
	tap_ok(maxcol <= 78, "list lines within 78 (%zu)", maxcol);
	tap_ok(strstr(f.data, "\r\n ") != NULL, "folded with CRLF SP");
	tap_ok(strstr(f.data, "nobody:;") != NULL, "empty group written");

	/* Large garbage: never crashes, bounded work. */
	big = xmalloc(100001);
	for (i = 0; i < 100000; i++)
		big[i] = "<>(\"@,:;\\ a"[i % 11];
	big[100000] = '\0';
	addr_list_release(&l2);
	addr_parse(big, 100000, ADDR_EMPTY_GROUPS, &l2);
	tap_ok(1, "garbage survived (%zu entries)", l2.n);
	free(big);

	addr_list_release(&l);
	addr_list_release(&l2);
	buf_release(&b);
	buf_release(&f);
	buf_release(&g);
	charset_cache_clear();
	return tap_done();
}
