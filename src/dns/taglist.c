/*
 * taglist.c: "v=...; name=value; ..." records (see taglist.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dns/mx.h"
#include "dns/taglist.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')

int
taglist_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}

int
taglist_next(const char *s, size_t len, size_t *pos, struct tag *t,
	char *why, size_t whysz)
{
	size_t n = *pos, fl;
	const char *f, *semi, *eq, *v;

	/* sep = *WSP ";" *WSP, and one may end the record */
	while (n < len && WSP(s[n]))
		n++;
	if (n < len && s[n] != ';')
		return taglist_why(why, whysz, "\"%.*s\": fields are "
			"separated by \";\"", (int)(len - n), s + n);
	n++;
	while (n < len && WSP(s[n]))
		n++;
	if (n >= len) {
		*pos = len;
		return 0;
	}
	f = s + n;
	semi = memchr(f, ';', len - n);
	fl = semi ? (size_t)(semi - f) : len - n;
	*pos = n + fl;
	while (fl && WSP(f[fl - 1]))
		fl--;
	eq = memchr(f, '=', fl);
	if (!eq)
		return taglist_why(why, whysz, "\"%.*s\" is not name=value",
			(int)fl, f);
	t->name = f;
	t->nlen = (size_t)(eq - f);
	while (t->nlen && WSP(f[t->nlen - 1]))
		t->nlen--;
	if (t->nlen == 0 || t->nlen > 32)
		return taglist_why(why, whysz, "\"%.*s\": bad field name",
			(int)fl, f);
	for (size_t i = 0; i < t->nlen; i++)
		if (!isalnum((unsigned char)f[i]) && (i == 0 ||
		    (f[i] != '_' && f[i] != '-' && f[i] != '.')))
			return taglist_why(why, whysz, "\"%.*s\": bad field "
				"name", (int)fl, f);
	v = eq + 1;
	while (v < f + fl && WSP(*v))
		v++;
	t->value = v;
	t->vlen = (size_t)(f + fl - v);
	return 1;
}

int
taglist_one_record(struct findings *f, const struct taglist_ids *ids,
	const struct dnsmsg *m, const char *name, int nrecords,
	const char *version, const char *none_text, const char *rfc)
{
	char fix[64];

	if (!m || mx_status_temporary(m->status)) {
		finding_add(f, ids->check, ids->dns, FINDING_ERROR,
			"retry later; check the domain's name servers",
			"the TXT lookup for %s failed: %s", name,
			m ? m->why : "no answer");
		return 0;
	}
	if (nrecords == 0) {
		finding_add(f, ids->check, ids->none, FINDING_OK, NULL,
			"no %s record at %s: %s", version, name, none_text);
		return 0;
	}
	if (nrecords > 1) {
		snprintf(fix, sizeof fix, "keep one %s record", version);
		finding_add(f, ids->check, ids->several, FINDING_ERROR, fix,
			"%s has %d %s records: senders ignore them all (%s)",
			name, nrecords, version, rfc);
		return 0;
	}
	return 1;
}

void
taglist_text(struct buf *out, const char *name, const char *record)
{
	if (!record)
		return;
	buf_addf(out, "  %s: ", name);
	dnsmsg_add_safe(out, record);
	buf_addch(out, '\n');
}

void
taglist_json(struct json *j, const struct dnsmsg *txt, int nrecords,
	const char *record)
{
	json_key(j, "status");
	json_cstr(j, txt ? dnsmsg_status_name(txt->status) : NULL);
	json_key(j, "records");
	json_int(j, nrecords);
	json_key(j, "record");
	json_cstr(j, record);
}
