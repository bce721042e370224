/* t_rfc2231: Content-Type / Content-Disposition parameters (RFC 2045,
 * RFC 2183, RFC 2231 examples and the wild), and the encoder. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "codec/charset.h"
#include "codec/rfc2231.h"
#include "tap.h"
#include "base/util.h"

static const struct {
	const char *in;
	const char *value;
	const char *param;
	const char *want;	/* NULL: no such parameter */
} parse[] = {
	/* RFC 2231 section 3, 4 and 4.1. */
	{ "message/external-body; access-type=URL;\r\n"
	  " URL*0=\"ftp://\";\r\n"
	  " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
	  "message/external-body", "url",
	  "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar" },
	{ "message/external-body; access-type=URL;", "message/external-body",
	  "access-type", "URL" },
	{ "application/x-stuff;\r\n"
	  " title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
	  "application/x-stuff", "title", "This is ***fun***" },
	{ "application/x-stuff\r\n"
	  " title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
	  " title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
	  " title*2=\"isn't it!\"",
	  "application/x-stuff", "title",
	  "This is even more ***fun*** isn't it!" },
	/* RFC 2045 / 2183. */
	{ "text/plain; charset=us-ascii (Plain text)", "text/plain",
	  "charset", "us-ascii" },
	{ "text/plain; charset=\"us-ascii\"", "text/plain", "charset",
	  "us-ascii" },
	{ "TEXT/HTML; CHARSET=UTF-8", "text/html", "charset", "UTF-8" },
	{ "attachment; filename=genome.jpeg;\r\n"
	  "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";",
	  "attachment", "modification-date",
	  "Wed, 12 Feb 1997 16:29:51 -0500" },
	{ "text/plain (comment (nested)) ; (c) charset = (c) utf-8",
	  "text/plain", "charset", "utf-8" },
	/* Continuations out of order, split characters. */
	{ "attachment; title*1=\"b\"; title*0=\"a\"; title*2=c", "attachment",
	  "title", "abc" },
	{ "attachment; filename*1*=%AC.txt; filename*0*=utf-8''%E2%82",
	  "attachment", "filename", "\xe2\x82\xac.txt" },
	{ "attachment; filename*0*=iso-8859-1''caf%E9; filename*1=\".txt\"",
	  "attachment", "filename", "caf\xc3\xa9.txt" },
	{ "a; name*0*=utf-8''a; name*1=b%20", "a", "name", "ab%20" },
	{ "a; name*0=x; name*0=y; name*1=z", "a", "name", "xz" },
	/* Both forms: RFC 2231 wins, whatever the order. */
	{ "attachment; filename=\"fallback.txt\";"
	  " filename*=utf-8''%C3%A9.txt", "attachment", "filename",
	  "\xc3\xa9.txt" },
	{ "attachment; filename*=utf-8''%C3%A9.txt; filename=x.txt",
	  "attachment", "filename", "\xc3\xa9.txt" },
	/* RFC 2047 in values, raw 8-bit, unknown charsets. */
	{ "attachment; filename=\"=?utf-8?B?w6kudHh0?=\"", "attachment",
	  "filename", "\xc3\xa9.txt" },
	{ "attachment; filename==?utf-8?q?r=C3=A9sum=C3=A9.pdf?=",
	  "attachment", "filename", "r\xc3\xa9sum\xc3\xa9.pdf" },
	{ "attachment; filename=\"caf\xe9.txt\"", "attachment", "filename",
	  "caf\xc3\xa9.txt" },
	{ "attachment; filename=\"caf\xc3\xa9.txt\"", "attachment",
	  "filename", "caf\xc3\xa9.txt" },
	{ "attachment; filename*=x-bogus''caf%E9", "attachment", "filename",
	  "caf\xc3\xa9" },
	{ "attachment; filename*=''caf%C3%A9", "attachment", "filename",
	  "caf\xc3\xa9" },
	{ "attachment; filename*=no-quotes%41", "attachment", "filename",
	  "no-quotesA" },
	{ "attachment; filename*=utf-8''100%zz", "attachment", "filename",
	  "100%zz" },
	/* The wild. */
	{ "attachment; filename=my file (1).pdf", "attachment", "filename",
	  "my file (1).pdf" },
	{ "attachment; filename=\"a\\\"b\\\\c\"", "attachment", "filename",
	  "a\"b\\c" },
	{ "attachment; filename=\"long\r\n name.txt\"", "attachment",
	  "filename", "long name.txt" },
	{ "text/plain; ; junk; charset=utf-8;", "text/plain", "charset",
	  "utf-8" },
	{ "text/plain;charset=utf-8", "text/plain", "charset", "utf-8" },
	{ "text/plain charset=utf-8", "text/plain", "charset", "utf-8" },
	{ "charset=utf-8", "", "charset", "utf-8" },
	{ "attachment; filename", "attachment", "filename", NULL },
	{ "attachment; filename=\"abc", "attachment", "filename", "abc" },
	{ "attachment; filename=\"abc\" junk; size=3", "attachment", "size",
	  "3" },
	{ "text/plain; charset=a; charset=b", "text/plain", "charset", "a" },
	{ "", "", "charset", NULL },
	{ ";;;", "", "x", NULL },
	{ "x; =v; *=w; a*99999999999=z", "x", "a", NULL },
	{ "multipart/mixed; boundary=\"----=_Part_1\"", "multipart/mixed",
	  "boundary", "----=_Part_1" },
	{ "multipart/mixed; boundary=----=_Part_1", "multipart/mixed",
	  "boundary", "----=_Part_1" },
	{ "inline", "inline", "filename", NULL },
};

static const struct {
	const char *in;
	const char *want;
	size_t want_len;
} ctl[] = {
	{ "attachment; filename*=UTF-8''x.txt%00.jpg", "x.txt\0.jpg", 10 },
	{ "attachment; filename*0*=UTF-8''x.txt%00; filename*1=.jpg",
	  "x.txt\0.jpg", 10 },
	{ "attachment; filename*=''a%0D%0Ab%01c%7F", "a\r\nb\x01" "c\x7f", 7 },
	{ "attachment; filename=\"=?utf-8?q?x.txt=00.jpg?=\"", "x.txt\0.jpg",
	  10 },
	{ "attachment; filename==?utf-8?b?eC50eHQNCi5qcGc=?=",
	  "x.txt\r\n.jpg", 11 },
	{ "attachment; filename=\"a=?utf-8?q?=01?=b\"", "a\x01" "b", 3 },
};

static const char *const enc[] = {
	"simple.txt",
	"with space.txt",
	"quote\"and\\backslash",
	"caf\xc3\xa9.txt",
	"a-very-long-ascii-file-name-that-cannot-possibly-fit-on-one-line-"
	"of-a-mail-header-at-all.tar.gz",
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x95\xe3"
	"\x82\xa1\xe3\x82\xa4\xe3\x83\xab\xe5\x90\x8d\xe3\x81\xa7\xe3\x81"
	"\x99\xe3\x80\x82\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
	"\xe3\x83\x95\xe3\x82\xa1\xe3\x82\xa4\xe3\x83\xab.pdf",
	"",
	"tab\there",
};

int
main(void)
{
	struct rfc2231 r;
	struct buf b = BUF_INIT;
	size_t i, col, maxcol, c;

	for (i = 0; i < ARRAY_SIZE(parse); i++) {
		rfc2231_parse(parse[i].in, strlen(parse[i].in), &r);
		tap_str(r.value, parse[i].value, parse[i].in);
		tap_str(rfc2231_get(&r, parse[i].param), parse[i].want,
			parse[i].param);
		rfc2231_release(&r);
	}
	/* Charset and language are reported. */
	rfc2231_parse(parse[2].in, strlen(parse[2].in), &r);
	tap_str(r.params[0].charset, "us-ascii", "charset reported");
	tap_str(r.params[0].lang, "en-us", "language reported");
	tap_str(r.params[0].name, "title", "name without star");
	rfc2231_release(&r);
	/* Order of first appearance, one entry per name. */
	rfc2231_parse("a; y=1; x*1=b; x*0=a; y=2", 25, &r);
	tap_int((long long)r.nparams, 2, "one entry per name");
	tap_str(r.params[0].name, "y", "first appearance order");
	tap_str(r.params[1].value, "ab", "joined");
	rfc2231_release(&r);

	/* A value is whole, whatever control characters its octets decode
	 * to: value_len says where it ends, not the first NUL. */
	for (i = 0; i < ARRAY_SIZE(ctl); i++) {
		const struct rfc2231_param *fp;

		rfc2231_parse(ctl[i].in, strlen(ctl[i].in), &r);
		fp = rfc2231_find(&r, "filename");
		tap_ok(fp != NULL, "%s: found", ctl[i].in);
		if (fp)
			tap_mem(fp->value, fp->value_len, ctl[i].want,
				ctl[i].want_len, ctl[i].in);
		rfc2231_release(&r);
	}

	for (i = 0; i < ARRAY_SIZE(enc); i++) {
		buf_reset(&b);
		buf_addstr(&b, "Content-Disposition: attachment");
		col = b.len;
		rfc2231_add_param(&b, &col, "filename", enc[i], 0);
		rfc2231_parse(b.data + 21, b.len - 21, &r);
		tap_str(rfc2231_get(&r, "filename"), enc[i], "round trip");
		rfc2231_release(&r);
		for (c = 0, maxcol = 0, col = 0; c < b.len; c++) {
			if (b.data[c] == '\r' || b.data[c] == '\n') {
				col = 0;
				continue;
			}
			if (++col > maxcol)
				maxcol = col;
		}
		tap_ok(maxcol <= 78, "lines within 78 (%zu)", maxcol);
		tap_ok(charset_is_7bit(b.data, b.len), "7-bit");
	}
	buf_reset(&b);
	col = 10;
	rfc2231_add_param(&b, &col, "charset", "utf-8", 0);
	tap_str(b.data, "; charset=utf-8", "token");
	tap_int((long long)col, 25, "column updated");
	buf_reset(&b);
	col = 10;
	rfc2231_add_param(&b, &col, "filename", "caf\xc3\xa9.txt", 0);
	tap_str(b.data, "; filename*=utf-8''caf%C3%A9.txt", "extended");
	buf_reset(&b);
	col = 10;
	rfc2231_add_param(&b, &col, "name", "a b", 0);
	tap_str(b.data, "; name=\"a b\"", "quoted");
	buf_reset(&b);
	col = 70;
	rfc2231_add_param(&b, &col, "name", "abc", RFC2231_LF);
	tap_str(b.data, ";\n name=abc", "folds when the line is full");
	buf_release(&b);
	charset_cache_clear();
	return tap_done();
}
