/* t_imap_util: modified UTF-7 folder names and UID sets. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "proto/imap_set.h"
#include "proto/imap_utf7.h"
#include "tap.h"

static const struct {
	const char *utf8, *utf7;
} utf7_cases[] = {
	{ "INBOX", "INBOX" },
	{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8"
	  "\xaa\x9e", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "Entw\xc3\xbcrfe", "Entw&APw-rfe" },
	{ "A&B", "A&-B" },
	{ "&", "&-" },
	{ "\xc3\xa9t\xc3\xa9", "&AOk-t&AOk-" },
	{ "caf\xc3\xa9 & cr\xc3\xa8me", "caf&AOk- &- cr&AOg-me" },
	{ "\xf0\x9f\x93\xa7 mail", "&2D3c5w- mail" },
	{ "tab\there", "tab&AAk-here" },
	{ "", "" },
};

static const char *const utf7_bad[] = {
	"&Jjo!",	/* not base64 */
	"&U,BTFw",	/* not closed */
	"&AGE-",	/* "a" shifted */
	"&2D0-",	/* lone high surrogate */
	"&AOk",		/* not closed */
	"\xc3\xa9",	/* 8-bit */
	"&-&AOkA-",	/* bits left over */
};

static void
test_utf7(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(utf7_cases); i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		const char *u8 = utf7_cases[i].utf8, *u7 = utf7_cases[i].utf7;
		int r1 = imap_utf7_encode(u8, strlen(u8), &a);
		int r2 = imap_utf7_decode(u7, strlen(u7), &b);

		tap_ok(r1 == 0 && !strcmp(a.data ? a.data : "", u7),
			"encode '%s' -> '%s'", u7, a.data ? a.data : "");
		tap_ok(r2 == 0 && !strcmp(b.data ? b.data : "", u8),
			"decode '%s'", u7);
		buf_release(&a);
		buf_release(&b);
	}
	for (i = 0; i < ARRAY_SIZE(utf7_bad); i++) {
		struct buf b = BUF_INIT;

		tap_ok(imap_utf7_decode(utf7_bad[i], strlen(utf7_bad[i]), &b)
			== -1 && b.len == 0, "decode refuses '%s'",
			utf7_bad[i]);
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;

		tap_ok(imap_utf7_encode("a\xc3", 2, &b) == -1 && b.len == 0,
			"encode refuses bad UTF-8");
		buf_release(&b);
	}
}

static void
test_sets(void)
{
	static const char *const good[] = { "1", "1:*", "3,5,9:12", "*",
		"4294967295", "1:2,*:3" };
	static const char *const bad[] = { "", "0", "1,", "a", "1:", ":3",
		"4294967296", "1 2", "1;2" };
	struct imap_uids u = { NULL, 0, 0 };
	struct buf out = BUF_INIT;
	struct err e;
	size_t i, sets;
	const char text[] = "5\n3\n\n4\r\n10\n9\n 1 \n5\n";

	for (i = 0; i < ARRAY_SIZE(good); i++)
		tap_ok(imap_set_valid(good[i]), "valid set '%s'", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		tap_ok(!imap_set_valid(bad[i]), "bad set '%s'", bad[i]);

	tap_ok(imap_uids_parse(&u, text, sizeof text - 1, "stdin", &e) == 0 &&
		u.n == 7, "parse UIDs one per line");
	sets = imap_uids_sets(&u, IMAP_SET_MAX, &out);
	tap_ok(sets == 1 && !strcmp(out.data, "1,3:5,9:10"),
		"compressed: %s", out.data);
	imap_uids_release(&u);
	buf_reset(&out);

	tap_ok(imap_uids_parse(&u, "1\nx2\n", 5, "stdin", &e) == -1 &&
		e.code == ERR_USAGE && strstr(e.msg, "stdin: line 2"),
		"bad UID named: %s", e.msg);
	imap_uids_release(&u);

	/* every other UID of 1..20000: no ranges; split under the cap */
	for (i = 1; i <= 20000; i += 2)
		imap_uids_add(&u, i);
	sets = imap_uids_sets(&u, 1000, &out);
	{
		const char *p = out.data;
		size_t max = 0, count = 0;

		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);

			if (l > max)
				max = l;
			count++;
			p = nl ? nl + 1 : p + l;
		}
		tap_ok(sets > 50 && count == sets && max <= 1000,
			"split into %zu sets of at most %zu bytes", sets, max);
	}
	imap_uids_release(&u);
	buf_release(&out);
}

/* Ranges of a set from the server ([MODIFIED 1:2,7], VANISHED). */
static void
test_ranges(void)
{
	static const struct {
		const char *in;
		const char *want;	/* "a-b " a range, then end or bad */
	} cases[] = {
		{ "", "end" },
		{ "7", "7-7 end" },
		{ "1:2,7", "1-2 7-7 end" },
		{ "9:3,4", "3-9 4-4 end" },
		{ "5,", "5-5 end" },
		{ "1,,2", "1-1 bad" },
		{ "1:", "bad" },
		{ "*", "bad" },
		{ "3 4", "bad" },
		{ "99999999999999999999", "bad" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *s = cases[i].in;
		struct buf out = BUF_INIT;
		unsigned long long a, b;
		size_t pos = 0;
		int rc;

		while ((rc = imap_set_range(s, strlen(s), &pos, &a, &b)) > 0)
			buf_addf(&out, "%llu-%llu ", a, b);
		buf_addstr(&out, rc == 0 ? "end" : "bad");
		tap_ok(!strcmp(out.data, cases[i].want), "range '%s': %s", s,
			out.data);
		buf_release(&out);
	}
}

int
main(void)
{
	test_utf7();
	test_sets();
	test_ranges();
	return tap_done();
}
