/* t_date: RFC 5322 dates (section 3.3, appendix A, obsolete forms, the
 * wild, invalid ones) and formatting. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/date.h"
#include "tap.h"
#include "base/util.h"

/* want: the instant as ISO UTC, and the zone offset in minutes. */
static const struct {
	const char *in;
	const char *iso;	/* NULL: must be rejected */
	int off;
} dates[] = {
	/* RFC 5322 appendix A. */
	{ "Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z", -360 },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z", 120 },
	{ "Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-14T03:02:54Z", -210 },
	{ "Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      "
	  "23:32\r\n               -0330 (Newfoundland Time)",
	  "1969-02-14T03:02:00Z", -210 },
	{ "21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z", 0 },
	{ "Fri, 21 Nov 1997 09(comment):   55  :  06 -0600",
	  "1997-11-21T15:55:06Z", -360 },
	/* Obsolete zones and years. */
	{ "1 Jan 2000 00:00:00 UT", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 2000 00:00:00 EST", "2000-01-01T05:00:00Z", -300 },
	{ "1 Jan 2000 00:00:00 EDT", "2000-01-01T04:00:00Z", -240 },
	{ "1 Jan 2000 00:00:00 CST", "2000-01-01T06:00:00Z", -360 },
	{ "1 Jan 2000 00:00:00 CDT", "2000-01-01T05:00:00Z", -300 },
	{ "1 Jan 2000 00:00:00 MST", "2000-01-01T07:00:00Z", -420 },
	{ "1 Jan 2000 00:00:00 MDT", "2000-01-01T06:00:00Z", -360 },
	{ "1 Jan 2000 00:00:00 PST", "2000-01-01T08:00:00Z", -480 },
	{ "1 Jan 2000 00:00:00 pdt", "2000-01-01T07:00:00Z", -420 },
	{ "1 Jan 2000 00:00:00 A", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 2000 00:00:00 z", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 2000 00:00:00 CEST", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 2000 00:00:00", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 2000 00:00:00 -0000", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 00 00:00 +0000", "2000-01-01T00:00:00Z", 0 },
	{ "1 Jan 49 00:00 +0000", "2049-01-01T00:00:00Z", 0 },
	{ "1 Jan 50 00:00 +0000", "1950-01-01T00:00:00Z", 0 },
	{ "1 Jan 99 00:00 +0000", "1999-01-01T00:00:00Z", 0 },
	{ "1 Jan 103 00:00 +0000", "2003-01-01T00:00:00Z", 0 },
	/* The wild. */
	{ "Mon, 23 Nov 2026 12:29:07 +0100 (CET)", "2026-11-23T11:29:07Z",
	  60 },
	{ "mon,23 nov 2026 12:29:07 +0100", "2026-11-23T11:29:07Z", 60 },
	{ "Monday, 23 November 2026 12:29:07 +0100", "2026-11-23T11:29:07Z",
	  60 },
	{ "  23 Nov 2026   12:29:07   +0100  ", "2026-11-23T11:29:07Z", 60 },
	{ "23-Nov-2026 12:29:07 +0100", "2026-11-23T11:29:07Z", 60 },
	{ "Tue, 10 Jun 2003 09:41:01 -0700 PDT", "2003-06-10T16:41:01Z",
	  -420 },
	{ "Tue, 10 Jun 2003 09:41:01 +05:30", "2003-06-10T04:11:01Z", 330 },
	{ "31 Dec 1998 23:59:60 +0000", "1998-12-31T23:59:59Z", 0 },
	{ "29 Feb 2024 12:00 +0000", "2024-02-29T12:00:00Z", 0 },
	{ "1 Jan 1900 00:00 +0000", "1900-01-01T00:00:00Z", 0 },
	{ "31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z", 0 },
	{ "Sun, 1 Jan 2000 00:00:00 +1400", "1999-12-31T10:00:00Z", 840 },
	/* Invalid. */
	{ "", NULL, 0 },
	{ "garbage", NULL, 0 },
	{ "Fri, 21 Foo 1997 09:55:06 -0600", NULL, 0 },
	{ "31 Apr 2020 00:00 +0000", NULL, 0 },
	{ "29 Feb 2023 00:00 +0000", NULL, 0 },
	{ "0 Jan 2020 00:00 +0000", NULL, 0 },
	{ "1 Jan 2020 24:00 +0000", NULL, 0 },
	{ "1 Jan 2020 23:60 +0000", NULL, 0 },
	{ "1 Jan 2020 23:59:61 +0000", NULL, 0 },
	{ "1 Jan 2020 23 +0000", NULL, 0 },
	{ "1 Jan 2020 +0000", NULL, 0 },
	{ "1 Jan 1899 00:00 +0000", NULL, 0 },
	{ "1 Jan 2020 00:00 +000", NULL, 0 },
	{ "1 Jan 2020 00:00 +2460", NULL, 0 },
	{ "1 Jan 2020 00:00 +0000 trailing garbage", NULL, 0 },
	{ "1 Jan 2020 00:00 +0000 5", NULL, 0 },
	{ "Xyz, 1 Jan 2020 00:00 +0000", NULL, 0 },
	{ "123 Jan 2020 00:00 +0000", NULL, 0 },
	{ "1 Jan 123456 00:00 +0000", NULL, 0 },
	{ "1 Jan 2020 00:00 (unterminated", "2020-01-01T00:00:00Z", 0 },
};

int
main(void)
{
	char iso[DATE_ISO_LEN], rfc[DATE_RFC5322_LEN];
	size_t i;
	time_t t;
	int off, r;

	for (i = 0; i < ARRAY_SIZE(dates); i++) {
		t = 12345;
		off = 777;
		r = date_parse(dates[i].in, strlen(dates[i].in), &t, &off);
		if (!dates[i].iso) {
			tap_ok(r == -1 && t == 12345 && off == 777,
				"rejected: %s", dates[i].in);
			continue;
		}
		tap_int(r, 0, dates[i].in);
		tap_str(date_format_iso(t, iso), dates[i].iso, dates[i].in);
		tap_int(off, dates[i].off, "zone offset");
	}
	tap_int(date_parse("1 Jan 2000 00:00 +0000", 22, NULL, NULL), 0,
		"NULL outputs allowed");

	/* Formatting. */
	tap_str(date_format_off(880127706, -360, rfc),
		"Fri, 21 Nov 1997 09:55:06 -0600", "format with offset");
	tap_str(date_format_off(0, 0, rfc), "Thu, 1 Jan 1970 00:00:00 +0000",
		"epoch");
	tap_str(date_format_off(-1, 330, rfc),
		"Thu, 1 Jan 1970 05:29:59 +0530", "before the epoch");
	tap_str(date_format_iso(951782400, iso), "2000-02-29T00:00:00Z",
		"iso leap day");
	tap_str(date_format_iso(-1, iso), "1969-12-31T23:59:59Z",
		"iso before the epoch");
	tap_str(date_format_iso((time_t)1 << 62, iso), "9999-12-31T23:59:59Z",
		"far future clamped");
	tap_str(date_format_off(-((time_t)1 << 62), 60, rfc),
		"Sat, 1 Jan 0 01:00:00 +0100", "far past clamped");
	/* Local time with numeric zone, parsed back to the same instant. */
	setenv("TZ", "NST3:30", 1);	/* POSIX form: no tzdata needed */
	tzset();
	date_format(1700000000, rfc);
	r = date_parse(rfc, strlen(rfc), &t, &off);
	tap_ok(r == 0 && t == 1700000000, "local format round trip: %s", rfc);
	tap_ok(strstr(rfc, " -0330") != NULL, "numeric local zone: %s", rfc);
	setenv("TZ", "UTC0", 1);
	tzset();
	tap_str(date_format(1700000000, rfc),
		"Tue, 14 Nov 2023 22:13:20 +0000", "UTC local");
	/* Every day for 30 years: format then parse gives it back. */
	for (t = 946684800 - 86400 * 365 * 15, r = 0;
	    t < 946684800 + 86400 * 365 * 15; t += 86400 + 3607) {
		time_t back;

		date_format_off(t, -450, rfc);
		if (date_parse(rfc, strlen(rfc), &back, &off) || back != t ||
		    off != -450)
			r++;
	}
	tap_int(r, 0, "30 years of days round trip");
	return tap_done();
}
