/*
 * date.h: RFC 5322 dates (section 3.3 and the obsolete syntax of 4.3).
 *
 * Parsing accepts "[Day,] DD Mon YYYY HH:MM[:SS] zone" with the tolerance
 * mail needs: the day of the week optional (and not checked), comments
 * "(...)" anywhere, extra or missing whitespace, month names in any case,
 * two-digit years (00-49 are 20xx, 50-99 are 19xx) and three-digit years
 * (+1900), missing seconds, a leap second 60 (read as 59), "23-Nov-2026",
 * zones as +hhmm (or +hh:mm, or followed by a name: "-0700 PDT"), UT, UTC,
 * GMT, Z, EST EDT CST CDT MST MDT PST PDT; military single letters and
 * unknown zone names are -0000 (UTC, zone unknown). A missing zone is
 * accepted as -0000. Rejected (-1): a missing or impossible field (day 31
 * of April, hour 24, month "Foo", year before 1900), trailing garbage that
 * is not a comment.
 */
#ifndef MKIT_DATE_H
#define MKIT_DATE_H

#include <stddef.h>
#include <time.h>

/* Parse len bytes. On success, 0, *t is the instant (seconds since the
 * epoch, UTC) and *off the zone as minutes east of UTC (0 for -0000). On
 * failure -1 and *t, *off untouched. Either pointer may be NULL. */
int date_parse(const char *in, size_t len, time_t *t, int *off);

/* Buffer sizes including the NUL. */
#define DATE_RFC5322_LEN 40
#define DATE_ISO_LEN 32

/* Format t for a Date: header in local time with a numeric zone:
 * "Mon, 23 Nov 2026 12:29:07 +0100". Returns out. */
char *date_format(time_t t, char out[DATE_RFC5322_LEN]);
/* As date_format, in the zone off minutes east of UTC. */
char *date_format_off(time_t t, int off, char out[DATE_RFC5322_LEN]);
/* Format t as UTC ISO 8601: "2026-11-23T12:29:07Z". Returns out.
 * The formatters clamp t to the years 0000..9999. */
char *date_format_iso(time_t t, char out[DATE_ISO_LEN]);

#endif
