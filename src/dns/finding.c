/*
 * finding.c: a list of verdicts (see finding.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "dns/finding.h"

void
finding_add(struct findings *f, const char *check, const char *id,
	enum finding_level level, const char *fix, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	struct finding *x;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	f->v = xrealloc(f->v, (f->n + 1) * sizeof *f->v);
	x = &f->v[f->n++];
	x->check = check;
	x->id = id;
	x->level = level;
	x->text = buf_detach(&b, NULL);
	x->fix = fix ? xstrdup(fix) : NULL;
}

enum finding_level
finding_worst(const struct findings *f, const char *check)
{
	enum finding_level worst = FINDING_OK;

	for (size_t i = 0; i < f->n; i++)
		if ((!check || strcmp(f->v[i].check, check) == 0) &&
		    f->v[i].level > worst)
			worst = f->v[i].level;
	return worst;
}

const char *
finding_level_name(enum finding_level l)
{
	return l == FINDING_ERROR ? "error" : l == FINDING_WARN ? "warn" :
		"ok";
}

void
finding_release(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].text);
		free(f->v[i].fix);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
