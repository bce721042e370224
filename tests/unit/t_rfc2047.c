/* t_rfc2047: encoded words, decoding (RFC 2047 section 8 and the wild) and
 * encoding (round trips, word and line limits). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"
#include "codec/rfc2047.h"
#include "tap.h"
#include "base/util.h"

static const struct {
	const char *in;
	const char *out;
} dec[] = {
	/* RFC 2047 section 8. */
	{ "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
	  "Keith Moore <moore@cs.utk.edu>" },
	{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	  "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>" },
	{ "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	  "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>" },
	{ "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	  "  =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	  "If you can read this you understand the example." },
	{ "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	  "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	  "Nathaniel Borenstein <nsb@thumper.bellcore.com>    (\xd7\x9d\xd7\x95"
	  "\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 \xd7\x99\xd7\x9c\xd7\x98\xd7\xa4"
	  "\xd7\xa0)" },
	{ "=?ISO-8859-1?Q?Olle_J=E4rnefors?=", "Olle J\xc3\xa4rnefors" },
	{ "=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=",
	  "Patrik F\xc3\xa4ltstr\xc3\xb6m" },
	{ "(=?ISO-8859-1?Q?a?=)", "(a)" },
	{ "(=?ISO-8859-1?Q?a?= b)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)" },
	{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)" },
	/* RFC 2231 section 5: language. */
	{ "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore" },
	/* A character split across words, B and Q. */
	{ "=?utf-8?B?4oI=?= =?utf-8?B?rA==?=", "\xe2\x82\xac" },
	{ "=?UTF-8?q?=E2=82?=\r\n =?utf-8?Q?=AC?=", "\xe2\x82\xac" },
	{ "=?utf-8?b?5pel?==?utf-8?b?5pys?=", "\xe6\x97\xa5\xe6\x9c\xac" },
	/* Different charsets side by side. */
	{ "=?iso-8859-1?q?=E9?= =?koi8-r?q?=F0?=", "\xc3\xa9\xd0\x9f" },
	/* Malformed words stay literal. */
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=" },
	{ "=?utf-8?q?abc", "=?utf-8?q?abc" },
	{ "=?utf-8?q?a b?=", "=?utf-8?q?a b?=" },
	{ "=?" "?q?a?=", "=?" "?q?a?=" },
	{ "=?utf-8?q?", "=?utf-8?q?" },
	{ "a = b =? c ?= d", "a = b =? c ?= d" },
	/* The wild. */
	{ "=?x-bogus?q?caf=E9?=", "caf\xc3\xa9" },
	{ "Re:=?utf-8?q?x?=", "Re:x" },
	{ "\"=?utf-8?q?J=C3=B6rg?=\" <j@x>", "\"J\xc3\xb6rg\" <j@x>" },
	{ "caf\xe9 =?utf-8?q?x?=", "caf\xc3\xa9 x" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "=?utf-8?q?a=0D=0Ab=00c?=", "a  b c" },
	{ "a\r\n b", "a b" },
	{ "=?utf-8?q?a?= ", "a " },
	{ "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c" },
	{ "=?utf-8?b?w6k?=", "\xc3\xa9" },
	{ "=?utf-8?b?w6k*?=", "\xc3\xa9" },
	{ "=?utf-8?q?=C3=A?=", "\xef\xbf\xbd=A" },
	{ "=?utf-8?q?" "?=x", "x" },
	{ "", "" },
	{ "=?gb2312?b?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "=?iso-2022-jp?B?GyRCJCIbKEI=?=", "\xe3\x81\x82" },
};

static const struct {
	const char *in;
	size_t col;
	unsigned int flags;
	const char *out;
} enc[] = {
	{ "hello world", 9, 0, "hello world" },
	{ "caf\xc3\xa9", 9, 0, "=?UTF-8?B?Y2Fmw6k=?=" },
	{ "Stra\xc3\x9f" "enbahnhaltestelle", 9, 0,
	  "=?UTF-8?Q?Stra=C3=9Fenbahnhaltestelle?=" },
	{ "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln", 9, 0,
	  "=?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?B?S8O2bG4=?=" },
	{ "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6lner Stra\xc3\x9f" "e", 9, 0,
	  "=?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?B?S8O2bG5lciBTdHJhw59l?=" },
	{ "\xc3\xa9t\xc3\xa9 \xc3\xa0 Paris", 9, 0,
	  "=?UTF-8?B?w6l0w6kgw6A=?= Paris" },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 0,
	  "=?UTF-8?B?5pel5pys6Kqe?=" },
	{ "John Doe", 6, RFC2047_PHRASE, "John Doe" },
	{ "Doe, John", 6, RFC2047_PHRASE, "\"Doe, John\"" },
	{ "say \"hi\"", 6, RFC2047_PHRASE, "\"say \\\"hi\\\"\"" },
	{ "J\xc3\xb6rg M\xc3\xbcller", 6, RFC2047_PHRASE,
	  "=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=" },
	{ "J\xc3\xbcrgen Meier", 6, RFC2047_PHRASE,
	  "=?UTF-8?Q?J=C3=BCrgen?= Meier" },
	{ "M\xc3\xbcller (IT)", 6, RFC2047_PHRASE,
	  "=?UTF-8?B?TcO8bGxlciAoSVQp?=" },
	{ "a=?b?=c", 9, 0, "=?UTF-8?B?YT0/Yj89Yw==?=" },
	{ "line\r\nbreak", 9, 0, "line break" },
	{ "folded\r\n line", 9, 0, "folded line" },
	{ "tab\x01", 9, 0, "=?UTF-8?Q?tab=01?=" },
	{ "=?utf-8?q?x?=", 6, RFC2047_PHRASE,
	  "=?UTF-8?B?PT91dGYtOD9xP3g/PQ==?=" },
};

/* Text for round trips. */
static const char *const trip[] = {
	"plain ascii subject that is long enough to need folding at least "
	"once or twice, with words of usual length only",
	"\xc3\x89t\xc3\xa9 \xc3\xa0 Paris, \xc3\xa9t\xc3\xa9 \xc3\xa0 Lyon, "
	"\xc3\xa9t\xc3\xa9 \xc3\xa0 Nice, \xc3\xa9t\xc3\xa9 \xc3\xa0 Lille,"
	" \xc3\xa9t\xc3\xa9 \xc3\xa0 Metz et ailleurs encore",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5"
	"\x90\x8d\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb"
	"\xb6\xe5\x90\x8d\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
	"\xe4\xbb\xb6\xe5\x90\x8d\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3"
	"\x81\xae\xe4\xbb\xb6\xe5\x90\x8d",
	"\xf0\x9f\x98\x80\xf0\x9f\x98\x81\xf0\x9f\x98\x82\xf0\x9f\x98\x83"
	"\xf0\x9f\x98\x84\xf0\x9f\x98\x85\xf0\x9f\x98\x86\xf0\x9f\x98\x87"
	"\xf0\x9f\x98\x88\xf0\x9f\x98\x89\xf0\x9f\x98\x8a\xf0\x9f\x98\x8b"
	"\xf0\x9f\x98\x8c\xf0\x9f\x98\x8d\xf0\x9f\x98\x8e\xf0\x9f\x98\x8f"
	"\xf0\x9f\x98\x90 mixed \xf0\x9f\x98\x91",
	"  leading and trailing blanks  ",
	"Re: [list] Gr\xc3\xbc\xc3\x9f" "e   aus  K\xc3\xb6ln =?not?= a word",
	"a", "",
};

/* Every encoded word in s: at most 75 characters, decodes alone to valid
 * UTF-8 (no character split across words). */
static int
words_ok(const char *s, size_t *longest)
{
	const char *p = s, *q;

	*longest = 0;
	while ((p = strstr(p, "=?")) != NULL) {
		struct buf d = BUF_INIT;
		int ok;

		q = strstr(p + 10, "?=");
		if (!q)
			return 0;
		q += 2;
		if ((size_t)(q - p) > *longest)
			*longest = (size_t)(q - p);
		rfc2047_decode(p, (size_t)(q - p), &d);
		ok = charset_utf8_valid(d.data, d.len) &&
			!strstr(d.data, "\xef\xbf\xbd");
		buf_release(&d);
		if (!ok || q - p > 75)
			return 0;
		p = q;
	}
	return 1;
}

int
main(void)
{
	struct buf b = BUF_INIT, d = BUF_INIT;
	size_t i, longest = 0, col, maxcol;
	const char *p;

	for (i = 0; i < ARRAY_SIZE(dec); i++) {
		buf_reset(&b);
		tap_int(rfc2047_decode(dec[i].in, strlen(dec[i].in), &b), 0,
			"decode ok");
		tap_str(b.data ? b.data : "", dec[i].out, dec[i].in);
	}
	/* RFC2047_KEEP_CTL: the octets of encoded words as they are, NUL,
	 * CR and LF included; folds outside words still go. */
	buf_reset(&b);
	p = "=?utf-8?q?a=0D=0Ab=00c?=\r\n x";
	tap_int(rfc2047_decode_flags(p, strlen(p), RFC2047_KEEP_CTL, &b), 0,
		"decode keeping controls ok");
	tap_mem(b.data, b.len, "a\r\nb\0c x", 8, "controls kept");
	tap_int(rfc2047_has_words("x =?a?q?b?= y", 13), 1, "has_words yes");
	tap_int(rfc2047_has_words("x =?a?q?b y", 11), 0, "has_words no");

	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		buf_reset(&b);
		rfc2047_encode(enc[i].in, strlen(enc[i].in), enc[i].col,
			enc[i].flags, &b);
		tap_str(b.data ? b.data : "", enc[i].out, enc[i].out);
	}

	for (i = 0; i < ARRAY_SIZE(trip); i++) {
		unsigned int fl;

		for (fl = 0; fl < 2; fl++) {
			buf_reset(&b);
			buf_reset(&d);
			rfc2047_encode(trip[i], strlen(trip[i]), 9,
				fl ? RFC2047_NOFOLD : 0, &b);
			rfc2047_decode(b.data, b.len, &d);
			tap_str(d.data ? d.data : "", trip[i], "round trip");
			tap_ok(words_ok(b.data ? b.data : "", &longest),
				"words at most 75 chars, whole characters "
				"(longest %zu)", longest);
			tap_ok(charset_is_7bit(b.data, b.len), "7-bit output");
			for (p = b.data ? b.data : "", col = 9, maxcol = 0;
			    *p; p++) {
				if (*p == '\r' || *p == '\n') {
					col = 0;
					continue;
				}
				if (++col > maxcol)
					maxcol = col;
			}
			if (fl == 0)
				tap_ok(maxcol <= 78, "lines within 78 (%zu)",
					maxcol);
			else
				tap_ok(!strchr(b.data ? b.data : "", '\n'),
					"NOFOLD: no line break");
		}
	}
	/* Folding uses CRLF SP, or LF SP on request. */
	buf_reset(&b);
	rfc2047_encode(trip[0], strlen(trip[0]), 9, 0, &b);
	tap_ok(strstr(b.data, "\r\n ") != NULL, "folded with CRLF SP");
	buf_reset(&b);
	rfc2047_encode(trip[0], strlen(trip[0]), 9, RFC2047_LF, &b);
	tap_ok(strstr(b.data, "\n ") && !strchr(b.data, '\r'),
		"folded with LF SP");
	/* Invalid UTF-8 input is repaired, not passed through. */
	buf_reset(&b);
	rfc2047_encode("caf\xe9", 4, 9, 0, &b);
	tap_str(b.data, "=?UTF-8?B?Y2Fmw6k=?=", "latin1 input repaired");
	buf_release(&b);
	buf_release(&d);
	charset_cache_clear();
	return tap_done();
}
