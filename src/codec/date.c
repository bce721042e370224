/*
 * date.c: see date.h. RFC 5322 section 3.3 (date-time) and 4.3 (obsolete
 * date and time). Calendar arithmetic is done here, not by the C library,
 * so that results do not depend on TZ or locale.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "codec/date.h"

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char days[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const struct {
	const char *name;
	int off;
} zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
	{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 }, { "CDT", -300 },
	{ "MST", -420 }, { "MDT", -360 }, { "PST", -480 }, { "PDT", -420 },
};

struct scan {
	const char *p, *end;
};

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip blanks, line breaks and (nested) comments. */
static void
skip_cfws(struct scan *s)
{
	while (s->p < s->end) {
		char c = *s->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			s->p++;
		} else if (c == '(') {
			int depth = 0;

			while (s->p < s->end) {
				if (*s->p == '\\' && s->p + 1 < s->end)
					s->p++;
				else if (*s->p == '(')
					depth++;
				else if (*s->p == ')' && --depth == 0)
					break;
				s->p++;
			}
			if (s->p < s->end)
				s->p++;
		} else {
			break;
		}
	}
}

/* Read up to max digits; -1 if none. *nd gets the count. */
static long
number(struct scan *s, int max, int *nd)
{
	long v = 0;
	int n = 0;

	while (s->p < s->end && is_digit(*s->p) && n < max) {
		v = v * 10 + (*s->p++ - '0');
		n++;
	}
	if (nd)
		*nd = n;
	return n ? v : -1;
}

/* Read an alphabetic word into w (lowercase kept as is); its length. */
static size_t
word(struct scan *s, char *w, size_t size)
{
	size_t n = 0;

	while (s->p < s->end && is_alpha(*s->p)) {
		if (n + 1 < size)
			w[n] = *s->p;
		n++;
		s->p++;
	}
	w[n < size ? n : size - 1] = '\0';
	return n;
}

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(long y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	return m == 1 && is_leap(y) ? 29 : d[m];
}

/* Days since 1970-01-01 of a civil date (m 1..12). */
static long long
days_from_civil(long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
date_parse(const char *in, size_t len, time_t *t, int *off)
{
	struct scan s = { in ? in : "", (in ? in : "") + len };
	char w[16];
	long day, year, hh, mm, ss = 0;
	int mon = -1, zoff = 0, nd, i;
	size_t wl;

	skip_cfws(&s);
	/* Optional day of the week, with or without its comma. */
	if (s.p < s.end && is_alpha(*s.p)) {
		wl = word(&s, w, sizeof w);
		for (i = 0; i < 7; i++)
			if (wl >= 3 && mem_casecmp(w, days[i], 3) == 0)
				break;
		if (i == 7)
			return -1;
		skip_cfws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		skip_cfws(&s);
	}
	day = number(&s, 2, &nd);
	if (day < 1 || (s.p < s.end && is_digit(*s.p)))
		return -1;
	skip_cfws(&s);
	if (s.p < s.end && *s.p == '-')
		s.p++;
	skip_cfws(&s);
	wl = word(&s, w, sizeof w);
	for (i = 0; i < 12; i++)
		if (wl >= 3 && mem_casecmp(w, months[i], 3) == 0)
			mon = i;
	if (mon < 0)
		return -1;
	skip_cfws(&s);
	if (s.p < s.end && *s.p == '-')
		s.p++;
	skip_cfws(&s);
	year = number(&s, 5, &nd);
	if (year < 0 || (s.p < s.end && is_digit(*s.p)))
		return -1;
	if (nd <= 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	if (year < 1900 || year > 9999)
		return -1;
	if (day > mdays(year, mon))
		return -1;
	skip_cfws(&s);
	hh = number(&s, 2, NULL);
	skip_cfws(&s);
	if (hh < 0 || hh > 23 || s.p == s.end || *s.p != ':')
		return -1;
	s.p++;
	skip_cfws(&s);
	mm = number(&s, 2, &nd);
	if (mm < 0 || mm > 59 || nd != 2)
		return -1;
	skip_cfws(&s);
	if (s.p < s.end && *s.p == ':') {
		s.p++;
		skip_cfws(&s);
		ss = number(&s, 2, &nd);
		if (ss < 0 || ss > 60 || nd != 2)
			return -1;
		if (ss == 60)
			ss = 59;
	}
	skip_cfws(&s);
	/* Zone: numeric, a known name, or anything alphabetic as -0000. */
	if (s.p < s.end && (*s.p == '+' || *s.p == '-')) {
		int neg = *s.p++ == '-';
		long z = number(&s, 4, &nd), zm;

		if (nd == 2 && s.p < s.end && *s.p == ':') {
			s.p++;
			zm = number(&s, 2, &i);
			if (zm < 0 || i != 2)
				return -1;
			z = z * 100 + zm;
		} else if (nd != 4) {
			return -1;
		}
		if (z % 100 > 59 || z / 100 > 23)
			return -1;
		zoff = (int)(z / 100 * 60 + z % 100);
		if (neg)
			zoff = -zoff;
		skip_cfws(&s);
		/* A zone name after the number, as some write it. */
		if (s.p < s.end && is_alpha(*s.p))
			word(&s, w, sizeof w);
	} else if (s.p < s.end && is_alpha(*s.p)) {
		wl = word(&s, w, sizeof w);
		for (i = 0; i < (int)ARRAY_SIZE(zones); i++)
			if (wl == strlen(zones[i].name) &&
			    mem_casecmp(w, zones[i].name, wl) == 0)
				zoff = zones[i].off;
	}
	skip_cfws(&s);
	if (s.p != s.end)
		return -1;
	if (t)
		*t = (time_t)(days_from_civil(year, mon + 1, (int)day) * 86400 +
			hh * 3600 + mm * 60 + ss - (long long)zoff * 60);
	if (off)
		*off = zoff;
	return 0;
}

/* Civil date of a day count since the epoch. */
static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

struct civil {
	long long y;
	int mon, day, wday, h, min, s;
};

/* Times outside years 0000..9999 are clamped to them. */
#define T_MIN (-62167219200LL)
#define T_MAX 253402300799LL

static void
split(long long t, struct civil *c)
{
	long long dn;
	long long secs;

	if (t < T_MIN)
		t = T_MIN;
	if (t > T_MAX)
		t = T_MAX;
	dn = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - dn * 86400;

	civil_from_days(dn, &c->y, &c->mon, &c->day);
	c->wday = (int)((dn % 7 + 11) % 7);	/* 1970-01-01: Thursday */
	c->h = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->s = (int)(secs % 60);
}

char *
date_format_off(time_t t, int off, char out[DATE_RFC5322_LEN])
{
	struct civil c;
	int a = off < 0 ? -off : off;

	if (a > 24 * 60)
		a = off = 0;
	split((long long)(t > T_MAX ? T_MAX : t < T_MIN ? T_MIN : t) +
		(long long)off * 60, &c);
	snprintf(out, DATE_RFC5322_LEN,
		"%s, %d %s %lld %02d:%02d:%02d %c%02d%02d", days[c.wday],
		c.day, months[c.mon - 1], c.y, c.h, c.min, c.s,
		off < 0 ? '-' : '+', a / 60, a % 60);
	return out;
}

char *
date_format(time_t t, char out[DATE_RFC5322_LEN])
{
	struct tm tm;
	int off = 0;

	if (localtime_r(&t, &tm))
		off = (int)(tm.tm_gmtoff / 60);
	return date_format_off(t, off, out);
}

char *
date_format_iso(time_t t, char out[DATE_ISO_LEN])
{
	struct civil c;

	split((long long)t, &c);
	snprintf(out, DATE_ISO_LEN, "%04lld-%02d-%02dT%02d:%02d:%02dZ", c.y,
		c.mon, c.day, c.h, c.min, c.s);
	return out;
}
