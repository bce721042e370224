/*
 * finding.h: the verdicts of a mail set-up check, one per finding.
 *
 * A check (mx.c, and the SPF and DMARC readers) adds findings to a list;
 * the program prints them. Each has a stable id ("mx.cname") for scripts,
 * a level, a sentence for people and, unless it is ok, what to fix.
 */
#ifndef MKIT_FINDING_H
#define MKIT_FINDING_H

#include <stddef.h>

enum finding_level {
	FINDING_OK = 0,
	FINDING_WARN,
	FINDING_ERROR,
};

struct finding {
	const char *check;	/* "mx", "spf", "dmarc" (static) */
	const char *id;		/* "mx.cname" (static) */
	enum finding_level level;
	char *text;		/* owned */
	char *fix;		/* owned; NULL when nothing to fix */
};

struct findings {
	struct finding *v;
	size_t n;
};

/* Add a finding; text from fmt, fix copied (may be NULL). */
void finding_add(struct findings *f, const char *check, const char *id,
	enum finding_level level, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* The worst level among the findings of check (NULL: of all). */
enum finding_level finding_worst(const struct findings *f,
	const char *check);
/* "ok", "warn", "error". */
const char *finding_level_name(enum finding_level l);
void finding_release(struct findings *f);

#endif
