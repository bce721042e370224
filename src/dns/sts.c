/*
 * sts.c: MTA-STS, RFC 8461: 3.1 the TXT record, 3.2 the policy, 3.3 how
 * it is fetched, 4.1 matching MX hosts against the policy's patterns.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "dns/sts.h"
#include "dns/taglist.h"

#define WSP(c) ((c) == ' ' || (c) == '\t')

/* RFC 8461 3.1: "v" *WSP "=" *WSP "STSv1", then ";" or the end. */
static size_t
version_len(const char *s, size_t len, const char *want)
{
	size_t n = 0, wl = strlen(want);

	if (len < 1 || s[0] != 'v')
		return 0;
	n = 1;
	while (n < len && WSP(s[n]))
		n++;
	if (n >= len || s[n++] != '=')
		return 0;
	while (n < len && WSP(s[n]))
		n++;
	if (len - n < wl || memcmp(s + n, want, wl) != 0)
		return 0;
	n += wl;
	if (n < len && s[n] != ';' && !WSP(s[n]))
		return 0;
	return n;
}

int
sts_txt_parse(const char *s, size_t len, char id[33], char *why,
	size_t whysz)
{
	size_t n = version_len(s, len, "STSv1");
	struct tag t;
	int have_id = 0, rc;

	id[0] = '\0';
	if (!n)
		return 0;
	while ((rc = taglist_next(s, len, &n, &t, why, whysz)) > 0) {
		/* sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E) */
		if (t.vlen == 0)
			return taglist_why(why, whysz, "%.*s: empty value",
				(int)t.nlen, t.name);
		for (size_t i = 0; i < t.vlen; i++)
			if ((unsigned char)t.value[i] < 0x21 ||
			    (unsigned char)t.value[i] > 0x7e ||
			    t.value[i] == '=')
				return taglist_why(why, whysz, "%.*s: bad "
					"character in the value",
					(int)t.nlen, t.name);
		if (t.nlen != 2 || memcmp(t.name, "id", 2) != 0)
			continue;
		if (have_id++)
			return taglist_why(why, whysz, "more than one id");
		if (t.vlen > 32)
			return taglist_why(why, whysz, "id \"%.*s\" is longer "
				"than 32 characters", (int)t.vlen, t.value);
		for (size_t i = 0; i < t.vlen; i++)
			if (!isalnum((unsigned char)t.value[i]))
				return taglist_why(why, whysz, "id \"%.*s\" is "
					"not letters and digits", (int)t.vlen,
					t.value);
		memcpy(id, t.value, t.vlen);
		id[t.vlen] = '\0';
	}
	if (rc < 0)
		return -1;
	if (!have_id)
		return taglist_why(why, whysz, "no id= field");
	return 1;
}

const char *
sts_mode_name(enum sts_mode m)
{
	return m == STS_MODE_ENFORCE ? "enforce" : m == STS_MODE_TESTING ?
		"testing" : m == STS_MODE_NONE ? "none" : NULL;
}

/* A host name a pattern may hold: LDH labels of 1..63, 253 at most. */
static int
is_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) ||
		    (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

static int
policy_field(struct sts_policy *p, const char *k, size_t kl, const char *v,
	char *why, size_t whysz)
{
	char *end;

	if (kl == 7 && memcmp(k, "version", 7) == 0) {
		if (strcmp(v, "STSv1") != 0)
			return taglist_why(why, whysz, "version \"%s\" is not "
				"STSv1", v);
		p->version = 1;
	} else if (kl == 4 && memcmp(k, "mode", 4) == 0) {
		if (p->mode)
			return 0;	/* the first one counts */
		p->mode = !strcmp(v, "enforce") ? STS_MODE_ENFORCE :
			!strcmp(v, "testing") ? STS_MODE_TESTING :
			!strcmp(v, "none") ? STS_MODE_NONE : STS_MODE_UNSET;
		if (!p->mode)
			return taglist_why(why, whysz, "mode \"%s\" is not "
				"enforce, testing or none", v);
	} else if (kl == 7 && memcmp(k, "max_age", 7) == 0) {
		if (p->max_age >= 0)
			return 0;
		if (!*v || strlen(v) > 10 || strspn(v, "0123456789") !=
		    strlen(v) || strtol(v, &end, 10) > STS_MAX_AGE_MAX)
			return taglist_why(why, whysz, "max_age \"%s\" is not "
				"a number of seconds up to 31557600", v);
		p->max_age = strtol(v, &end, 10);
	} else if (kl == 2 && memcmp(k, "mx", 2) == 0) {
		const char *h = strncmp(v, "*.", 2) == 0 ? v + 2 : v;
		char *low;

		if (!is_hostname(h))
			return taglist_why(why, whysz, "mx \"%s\" is not a host "
				"name or *.name", v);
		low = xstrdup(v);
		for (char *c = low; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		p->mx = xrealloc(p->mx, (p->nmx + 1) * sizeof *p->mx);
		p->mx[p->nmx++] = low;
	}
	return 0;	/* unknown fields are ignored (3.2) */
}

int
sts_policy_parse(struct sts_policy *p, const char *body, size_t len,
	char *why, size_t whysz)
{
	const char *s = body, *end = body + len;

	memset(p, 0, sizeof *p);
	p->max_age = -1;
	if (memchr(body, '\0', len))
		return taglist_why(why, whysz, "the policy holds a NUL byte");
	/* sts-policy-term = LF / CRLF; field = key ":" *WSP value */
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s), kl;
		const char *le, *colon, *v, *ve;
		char val[300];

		if (ll && s[ll - 1] == '\r')
			ll--;
		le = s + ll;
		colon = memchr(s, ':', ll);
		kl = colon ? (size_t)(colon - s) : 0;
		if (!colon || kl == 0 || kl > 32) {
			if (le > s)
				p->ignored++;
			s = nl ? nl + 1 : end;
			continue;
		}
		v = colon + 1;
		while (v < le && WSP(*v))
			v++;
		ve = le;
		while (ve > v && WSP(ve[-1]))
			ve--;
		snprintf(val, sizeof val, "%.*s", (int)(ve - v), v);
		if (policy_field(p, s, kl, val, why, whysz) < 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	if (!p->version)
		return taglist_why(why, whysz, "no \"version: STSv1\"");
	if (!p->mode)
		return taglist_why(why, whysz, "no mode");
	if (p->max_age < 0)
		return taglist_why(why, whysz, "no max_age");
	if (p->mode != STS_MODE_NONE && p->nmx == 0)
		return taglist_why(why, whysz, "no mx pattern (needed unless "
			"mode is none)");
	return 0;
}

void
sts_policy_release(struct sts_policy *p)
{
	strv_free(p->mx, p->nmx);
	memset(p, 0, sizeof *p);
	p->max_age = -1;
}

int
sts_mx_match(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);

	if (pl && pattern[pl - 1] == '.')
		pl--;
	if (hl && host[hl - 1] == '.')
		hl--;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = memchr(host, '.', hl);

		/* exactly one label in place of "*" */
		if (!dot || dot == host)
			return 0;
		return (size_t)(host + hl - dot) == pl - 1 &&
			mem_casecmp(dot, pattern + 1, pl - 1) == 0;
	}
	return pl == hl && pl > 0 && mem_casecmp(pattern, host, pl) == 0;
}

static void
on_txt(void *arg, struct dnsmsg *m)
{
	struct sts *s = arg;

	s->txt = m;
	for (size_t i = 0; i < m->nrr; i++) {
		if (!version_len(m->rr[i].data, m->rr[i].len, "STSv1"))
			continue;
		if (s->nrecords++ == 0)
			s->record = xmemdup(m->rr[i].data, m->rr[i].len);
	}
}

static void
on_a(void *arg, struct dnsmsg *m)
{
	((struct sts *)arg)->a = m;
}

static void
on_aaaa(void *arg, struct dnsmsg *m)
{
	((struct sts *)arg)->aaaa = m;
}

void
sts_start(struct sts *s, struct dns *d, const char *domain)
{
	struct buf q = BUF_INIT;

	memset(s, 0, sizeof *s);
	s->policy.max_age = -1;
	s->dns = d;
	s->domain = xstrdup(domain);
	for (char *c = s->domain; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	buf_addf(&q, "mta-sts.%s", s->domain);
	s->policy_host = buf_detach(&q, NULL);
	buf_addf(&q, "https://%s/.well-known/mta-sts.txt", s->policy_host);
	s->url = buf_detach(&q, NULL);
	buf_addf(&q, "_mta-sts.%s", s->domain);
	s->txt_name = buf_detach(&q, NULL);
	dns_query(d, s->txt_name, DNSMSG_TXT, on_txt, s);
	dns_query(d, s->policy_host, DNSMSG_A, on_a, s);
	dns_query(d, s->policy_host, DNSMSG_AAAA, on_aaaa, s);
}

const char *
sts_policy_addr(const struct sts *s)
{
	if (s->nrecords == 0)
		return NULL;
	if (s->a && s->a->status == DNSMSG_OK && s->a->nrr)
		return s->a->rr[0].data;
	if (s->aaaa && s->aaaa->status == DNSMSG_OK && s->aaaa->nrr)
		return s->aaaa->rr[0].data;
	return NULL;
}

/* The fetch and the policy: 0 when the policy is usable. */
static int
check_policy(struct sts *s, struct findings *f)
{
	const struct sts_fetch *x = &s->fetch;
	char why[200];
	size_t tl;

	if (x->failed) {
		finding_add(f, "mta-sts", x->noperm ? "mta-sts.certificate" :
			"mta-sts.fetch", FINDING_ERROR, x->noperm ?
			"serve the policy host with a certificate for "
			"its name from a public CA (RFC 8461 3.3)" :
			"serve the policy over HTTPS on port 443 of the "
			"policy host", "the policy %s could not be fetched: "
			"%s", s->url, x->error);
		return -1;
	}
	if (x->status >= 300 && x->status < 400) {
		finding_add(f, "mta-sts", "mta-sts.redirect", FINDING_ERROR,
			"serve the policy at its URL: senders do not follow "
			"redirects (RFC 8461 3.3)",
			"the policy URL %s redirects (HTTP %ld) to %s", s->url,
			x->status, x->location[0] ? x->location : "nowhere");
		return -1;
	}
	if (x->status != 200) {
		finding_add(f, "mta-sts", "mta-sts.http-status", FINDING_ERROR,
			"serve the policy with status 200",
			"the policy URL %s answered HTTP %ld", s->url,
			x->status);
		return -1;
	}
	if (x->too_big) {
		finding_add(f, "mta-sts", "mta-sts.too-big", FINDING_ERROR,
			"keep the policy under 64 KiB",
			"the policy at %s is larger than %d bytes", s->url,
			STS_POLICY_MAX);
		return -1;
	}
	tl = strcspn(x->content_type, "; \t");
	if (tl != 10 || mem_casecmp(x->content_type, "text/plain", 10)) {
		finding_add(f, "mta-sts", "mta-sts.content-type",
			FINDING_ERROR, "serve the policy as text/plain "
			"(RFC 8461 3.2)", "the policy at %s is served as "
			"\"%s\", not text/plain", s->url,
			x->content_type[0] ? x->content_type : "(none)");
		return -1;
	}
	if (sts_policy_parse(&s->policy, x->body ? x->body : "", x->len, why,
	    sizeof why) < 0) {
		finding_add(f, "mta-sts", "mta-sts.policy", FINDING_ERROR,
			"fix the policy file (RFC 8461 3.2)",
			"the policy at %s is not valid: %s", s->url, why);
		return -1;
	}
	return 0;
}

static void
check_mx(const struct sts *s, const struct mx_set *mx, struct findings *f)
{
	const struct sts_policy *p = &s->policy;

	if (!mx || p->mode == STS_MODE_NONE)
		return;
	for (size_t i = 0; i < mx->nhosts; i++) {
		const char *h = mx->hosts[i].name;
		size_t k = 0;

		while (k < p->nmx && !sts_mx_match(p->mx[k], h))
			k++;
		if (k < p->nmx)
			continue;
		finding_add(f, "mta-sts", "mta-sts.mx-unmatched",
			p->mode == STS_MODE_ENFORCE ? FINDING_ERROR :
			FINDING_WARN, "add an mx: line for the host to the "
			"policy, or change the MX record",
			"MX host %s is not covered by the policy's mx "
			"patterns%s", h, p->mode == STS_MODE_ENFORCE ?
			": senders will not deliver to it" : "");
	}
}

enum dnsmsg_status
sts_check(struct sts *s, const struct mx_set *mx, struct findings *f)
{
	static const struct taglist_ids ids = { "mta-sts", "mta-sts.dns",
		"mta-sts.none", "mta-sts.records" };
	const struct dnsmsg *m = s->txt;
	char id[33], why[200];

	if (!taglist_one_record(f, &ids, m, s->txt_name, s->nrecords,
	    "v=STSv1", "no MTA-STS policy, senders may deliver without "
	    "authenticated TLS", "RFC 8461 3.1"))
		return m ? m->status : DNSMSG_TIMEOUT;
	if (sts_txt_parse(s->record, strlen(s->record), id, why,
	    sizeof why) < 0) {
		finding_add(f, "mta-sts", "mta-sts.record", FINDING_ERROR,
			"write the record as \"v=STSv1; id=ID;\" with an id "
			"of up to 32 letters and digits (RFC 8461 3.1)",
			"%s is malformed: %s", s->txt_name, why);
		return m->status;
	}
	memcpy(s->id, id, sizeof s->id);
	if (!sts_policy_addr(s)) {
		finding_add(f, "mta-sts", "mta-sts.policy-host", FINDING_ERROR,
			"give the policy host an address",
			"the policy host %s has no address (A: %s, AAAA: %s)",
			s->policy_host,
			s->a ? dnsmsg_status_name(s->a->status) : "-",
			s->aaaa ? dnsmsg_status_name(s->aaaa->status) : "-");
		return m->status;
	}
	if (!s->fetch.done || check_policy(s, f) < 0)
		return m->status;
	s->policy_ok = 1;
	finding_add(f, "mta-sts", "mta-sts.ok", FINDING_OK, NULL,
		"policy id %s, mode %s, max_age %ld", s->id,
		sts_mode_name(s->policy.mode), s->policy.max_age);
	if (s->policy.max_age < 86400)
		finding_add(f, "mta-sts", "mta-sts.max-age", FINDING_WARN,
			"set max_age to weeks (e.g. 1209600) once the policy "
			"is stable", "max_age %ld is less than a day: senders "
			"forget the policy quickly", s->policy.max_age);
	if (s->policy.mode == STS_MODE_TESTING)
		finding_add(f, "mta-sts", "mta-sts.testing", FINDING_WARN,
			"switch to mode: enforce once TLS reports are clean",
			"mode testing: senders report failures but still "
			"deliver");
	else if (s->policy.mode == STS_MODE_NONE)
		finding_add(f, "mta-sts", "mta-sts.mode-none", FINDING_WARN,
			"use mode: testing or enforce, or remove the record",
			"mode none: the domain has withdrawn its policy");
	check_mx(s, mx, f);
	return m->status;
}

void
sts_release(struct sts *s)
{
	dnsmsg_free(s->txt);
	dnsmsg_free(s->a);
	dnsmsg_free(s->aaaa);
	free(s->domain);
	free(s->policy_host);
	free(s->txt_name);
	free(s->url);
	free(s->record);
	free(s->fetch.body);
	sts_policy_release(&s->policy);
	memset(s, 0, sizeof *s);
}

void
sts_text(struct buf *out, const struct sts *s)
{
	const struct sts_policy *p = &s->policy;

	taglist_text(out, s->txt_name, s->record);
	if (!s->policy_ok)
		return;
	buf_addf(out, "  policy %s: mode %s, max_age %ld\n", s->url,
		sts_mode_name(p->mode), p->max_age);
	for (size_t i = 0; i < p->nmx; i++) {
		buf_addstr(out, "  mx: ");
		dnsmsg_add_safe(out, p->mx[i]);
		buf_addch(out, '\n');
	}
}

void
sts_json(struct json *j, const struct sts *s)
{
	const struct sts_fetch *x = &s->fetch;

	json_obj_begin(j);
	taglist_json(j, s->txt, s->nrecords, s->record);
	json_key(j, "id");
	json_cstr(j, s->id[0] ? s->id : NULL);
	json_key(j, "policy_url");
	json_cstr(j, s->url);
	json_key(j, "policy_address");
	json_cstr(j, x->done ? sts_policy_addr(s) : NULL);
	json_key(j, "fetch");
	if (x->done) {
		json_obj_begin(j);
		json_key(j, "error");
		json_cstr(j, x->failed ? x->error : NULL);
		json_key(j, "http_status");
		json_int(j, x->status);
		json_key(j, "content_type");
		json_cstr(j, x->content_type[0] ? x->content_type : NULL);
		json_key(j, "location");
		json_cstr(j, x->location[0] ? x->location : NULL);
		json_key(j, "too_big");
		json_bool(j, x->too_big);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "mode");
	json_cstr(j, s->policy_ok ? sts_mode_name(s->policy.mode) : NULL);
	json_key(j, "max_age");
	if (s->policy_ok)
		json_int(j, s->policy.max_age);
	else
		json_null(j);
	json_key(j, "mx");
	json_arr_begin(j);
	for (size_t i = 0; s->policy_ok && i < s->policy.nmx; i++)
		json_cstr(j, s->policy.mx[i]);
	json_arr_end(j);
	json_obj_end(j);
}
