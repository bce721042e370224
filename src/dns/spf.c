/*
 * spf.c: an SPF policy read and judged, RFC 7208: 4.5 (selecting the
 * record), 4.6 (terms), 4.6.4 (10 lookups, 2 void lookups), 5 (mechanisms),
 * 5.5 (ptr: do not use), 6 (modifiers), 7.1 (macro syntax).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "dns/mx.h"
#include "dns/spf.h"

#define LOOKUP_LIMIT 10
#define VOID_LIMIT 2
#define MX_LIMIT 10
/* Records fetched for one policy at most: past the limit of 10 lookups
 * the verdict is known, and a hostile tree must not run us in circles. */
#define FETCH_MAX 40

int
spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && has_prefix_ci(txt, len, "v=spf1") &&
		(len == 6 || txt[6] == ' ');
}

void
spf_terms_free(struct spf_term *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].arg);
	free(t);
}

/* RFC 7208 7.1: macro-string; in_exp allows c, r, t. Sets *macro when one
 * is seen. NULL, or what is wrong. */
static const char *
check_macros(const char *s, int in_exp, int *macro)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return "a character outside visible ASCII";
		if (*s != '%')
			continue;
		s++;
		if (*s == '%' || *s == '_' || *s == '-')
			continue;
		if (*s != '{')
			return "a '%' not followed by '{', '%', '_' or '-'";
		s++;
		*macro = 1;
		if (!*s || !strchr(in_exp ? "slodiphcrtv" : "slodiphv",
			tolower((unsigned char)*s)))
			return "an unknown macro letter";
		s++;
		while (isdigit((unsigned char)*s))
			s++;
		if (*s == 'r' || *s == 'R')
			s++;
		while (*s && strchr(".-+,/_=", *s))
			s++;
		if (*s != '}')
			return "a macro not closed by '}'";
	}
	return NULL;
}

/* domain-spec = macro-string domain-end (RFC 7208 7.1): the last label a
 * toplabel unless the spec ends with a macro. */
static const char *
check_domain(const char *s, int *macro)
{
	const char *why, *label, *end;
	int alpha = 0;

	if (!*s)
		return "an empty domain";
	if ((why = check_macros(s, 0, macro)))
		return why;
	end = s + strlen(s);
	if (end[-1] == '}')
		return NULL;
	if (end[-1] == '.')
		end--;
	label = end;
	while (label > s && label[-1] != '.')
		label--;
	if (label == end || label == s)
		return "a domain without a dot";
	if (*label == '-' || end[-1] == '-')
		return "a top label starting or ending with '-'";
	for (const char *p = label; p < end; p++) {
		if (isalpha((unsigned char)*p))
			alpha = 1;
		else if (!isdigit((unsigned char)*p) && *p != '-')
			return "a top label with a character other than a "
				"letter, digit or '-'";
	}
	return alpha ? NULL : "an all-numeric top label";
}

static int
cidr_ok(const char *s, int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && s[1]))
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v <= max;
}

/* The digits ending arg before end, after the prefix pre ("/" or "//"):
 * where pre starts, or NULL. */
static char *
cidr_at_end(char *arg, char *end, const char *pre)
{
	char *p = end;
	size_t n = strlen(pre);

	while (p > arg && isdigit((unsigned char)p[-1]))
		p--;
	if (p == end || (size_t)(p - arg) < n ||
	    strncmp(p - n, pre, n) != 0)
		return NULL;
	return p - n;
}

/* a and mx: [":" domain] [ "/" ip4-cidr ] [ "//" ip6-cidr ]; arg is what
 * follows the name. The lengths are found at the end: a domain-spec may
 * hold '/' and ':' (RFC 7208 7.1, rfc7208-tests a-colon-domain). */
static const char *
check_dual(char *arg, struct spf_term *t)
{
	char *end = arg + strlen(arg), *c;
	const char *why;

	t->cidr4 = 32;
	t->cidr6 = 128;
	if ((c = cidr_at_end(arg, end, "//"))) {
		if (!cidr_ok(c + 2, 128))
			return "a bad IPv6 prefix length";
		t->cidr6 = atoi(c + 2);
		*(end = c) = '\0';
	}
	if ((c = cidr_at_end(arg, end, "/")) && !(c > arg && c[-1] == '/')) {
		if (!cidr_ok(c + 1, 32))
			return "a bad IPv4 prefix length";
		t->cidr4 = atoi(c + 1);
		*(end = c) = '\0';
	}
	if (*arg == ':') {
		if ((why = check_domain(arg + 1, &t->macro)))
			return why;
		t->arg = xstrdup(arg + 1);
	} else if (*arg) {
		return "junk after the mechanism name";
	}
	return NULL;
}

static const char *
check_ip(const char *arg, int family, struct spf_term *t)
{
	char addr[64];
	unsigned char buf[16];
	const char *slash;
	size_t n;

	if (*arg != ':')
		return "an address is required";
	arg++;
	slash = strchr(arg, '/');
	n = slash ? (size_t)(slash - arg) : strlen(arg);
	if (n >= sizeof addr)
		return "a bad address";
	memcpy(addr, arg, n);
	addr[n] = '\0';
	if (inet_pton(family, addr, buf) != 1)
		return family == AF_INET ? "a bad IPv4 address" :
			"a bad IPv6 address";
	if (slash && !cidr_ok(slash + 1, family == AF_INET ? 32 : 128))
		return "a bad prefix length";
	t->arg = xstrdup(arg);
	return NULL;
}

/* One term (NUL-terminated, no spaces) into t. NULL, or what is wrong. */
static const char *
parse_term(char *tok, struct spf_term *t)
{
	char *p = tok, *eq;
	size_t n;

	memset(t, 0, sizeof *t);
	/* A modifier is a name then '='; a mechanism has no '=' before
	 * its ':' or '/'. */
	n = strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789-_.");
	eq = tok[n] == '=' && n > 0 && isalpha((unsigned char)tok[0]) ?
		tok + n : NULL;
	if (eq) {
		*eq = '\0';
		if (strcasecmp(tok, "redirect") == 0 ||
		    strcasecmp(tok, "exp") == 0) {
			const char *why = check_domain(eq + 1, &t->macro);

			if (why)
				return why;
			snprintf(t->name, sizeof t->name, "%s",
				tolower((unsigned char)tok[0]) == 'r' ?
				"redirect" : "exp");
		} else {
			const char *why = check_macros(eq + 1, 0, &t->macro);

			if (why)
				return why;
		}
		t->arg = xstrdup(eq + 1);
		return NULL;
	}
	t->qual = '+';
	if (strchr("+-~?", *p))
		t->qual = *p++;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789");
	if (n == 0 || n >= sizeof t->name)
		return "not a mechanism or modifier";
	for (size_t i = 0; i < n; i++)
		t->name[i] = (char)tolower((unsigned char)p[i]);
	p += n;
	if (strcmp(t->name, "all") == 0)
		return *p ? "junk after all" : NULL;
	if (strcmp(t->name, "include") == 0 || strcmp(t->name, "exists") == 0) {
		const char *why;

		if (*p != ':')
			return "a domain is required";
		if ((why = check_domain(p + 1, &t->macro)))
			return why;
		t->arg = xstrdup(p + 1);
		return NULL;
	}
	if (strcmp(t->name, "a") == 0 || strcmp(t->name, "mx") == 0)
		return check_dual(p, t);
	if (strcmp(t->name, "ptr") == 0) {
		if (*p == ':') {
			const char *why = check_domain(p + 1, &t->macro);

			if (why)
				return why;
			t->arg = xstrdup(p + 1);
			return NULL;
		}
		return *p ? "junk after ptr" : NULL;
	}
	if (strcmp(t->name, "ip4") == 0)
		return check_ip(p, AF_INET, t);
	if (strcmp(t->name, "ip6") == 0)
		return check_ip(p, AF_INET6, t);
	return "an unknown mechanism";
}

int
spf_parse(const char *record, struct spf_term **terms, size_t *n,
	char *why, size_t whysize)
{
	char *copy = xstrdup(record), *p, *tok;
	int redirects = 0, exps = 0, rc = 0;

	*terms = NULL;
	*n = 0;
	if (!spf_is_record(record, strlen(record))) {
		snprintf(why, whysize, "not an SPF record");
		free(copy);
		return -1;
	}
	for (p = copy + 6; *p; ) {
		const char *err;
		struct spf_term t;
		size_t len;
		char save;

		if (*p != ' ') {
			snprintf(why, whysize, "terms must be separated by "
				"spaces");
			rc = -1;
			break;
		}
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		tok = p;
		len = strcspn(p, " ");
		save = p[len];
		p[len] = '\0';
		err = parse_term(tok, &t);
		p += len;
		*p = save;
		if (!err && strcmp(t.name, "redirect") == 0 && redirects++)
			err = "redirect given twice";
		if (!err && strcmp(t.name, "exp") == 0 && exps++)
			err = "exp given twice";
		if (err) {
			/* tok may be cut by parse_term: show it from the
			 * record */
			snprintf(why, whysize, "\"%.*s\": %s",
				(int)strcspn(record + (tok - copy), " "),
				record + (tok - copy), err);
			free(t.arg);
			rc = -1;
			break;
		}
		*terms = xrealloc(*terms, (*n + 1) * sizeof **terms);
		(*terms)[(*n)++] = t;
	}
	free(copy);
	return rc;
}

/* ---- the tree of records, asked for concurrently ---- */

static void fetch(struct spf *s, struct spf_rec *r);

static void
on_look(void *arg, struct dnsmsg *m)
{
	((struct spf_term *)arg)->look = m;
}

static int
has_ancestor(const struct spf_rec *r, const char *domain)
{
	for (; r; r = r->parent)
		if (dnsmsg_name_cmp(r->domain, domain) == 0)
			return 1;
	return 0;
}

static void
follow(struct spf_rec *r, struct spf_term *t, const char *via)
{
	struct spf_rec *c = xcalloc(1, sizeof *c);

	c->domain = xstrdup(t->arg);
	c->via = via;
	c->parent = r;
	c->spf = r->spf;
	t->child = c;
	if (has_ancestor(r, t->arg))
		c->loop = 1;
	else if (r->spf->fetched < FETCH_MAX)
		fetch(r->spf, c);
}

static void
on_txt(void *arg, struct dnsmsg *m)
{
	struct spf_rec *r = arg;
	int has_all = 0;

	r->txt = m;
	for (size_t i = 0; i < m->nrr; i++) {
		if (!spf_is_record(m->rr[i].data, m->rr[i].len))
			continue;
		if (r->nrecords++ == 0)
			r->record = xstrdup(m->rr[i].data);
	}
	if (r->nrecords != 1)
		return;
	spf_parse(r->record, &r->terms, &r->nterms, r->syntax,
		sizeof r->syntax);
	if (r->syntax[0])
		return;		/* permerror: nothing of it is evaluated */
	for (size_t i = 0; i < r->nterms; i++)
		if (strcmp(r->terms[i].name, "all") == 0)
			has_all = 1;
	for (size_t i = 0; i < r->nterms; i++) {
		struct spf_term *t = &r->terms[i];
		const char *target = t->arg ? t->arg : r->domain;

		if (strcmp(t->name, "include") == 0 && !t->macro)
			follow(r, t, "include");
		else if (strcmp(t->name, "redirect") == 0 && !t->macro &&
			!has_all)
			follow(r, t, "redirect");
		else if (t->macro)
			continue;
		else if (strcmp(t->name, "a") == 0 ||
			strcmp(t->name, "exists") == 0)
			dns_query(r->spf->dns, target, DNSMSG_A, on_look, t);
		else if (strcmp(t->name, "mx") == 0)
			dns_query(r->spf->dns, target, DNSMSG_MX, on_look, t);
	}
}

static void
fetch(struct spf *s, struct spf_rec *r)
{
	s->fetched++;
	dns_query(s->dns, r->domain, DNSMSG_TXT, on_txt, r);
}

void
spf_start(struct spf *s, struct dns *d, const char *domain)
{
	memset(s, 0, sizeof *s);
	s->dns = d;
	s->top.domain = xstrdup(domain);
	s->top.spf = s;
	fetch(s, &s->top);
}

static void
free_rec(struct spf_rec *r)
{
	for (size_t i = 0; i < r->nterms; i++) {
		if (r->terms[i].child) {
			free_rec(r->terms[i].child);
			free(r->terms[i].child);
		}
		dnsmsg_free(r->terms[i].look);
	}
	spf_terms_free(r->terms, r->nterms);
	dnsmsg_free(r->txt);
	free(r->record);
	free(r->domain);
}

void
spf_release(struct spf *s)
{
	free_rec(&s->top);
	memset(s, 0, sizeof *s);
}

/* ---- judging ---- */

static int
costs_lookup(const struct spf_term *t)
{
	static const char *const names[] = {
		"include", "a", "mx", "ptr", "exists", "redirect",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(t->name, names[i]) == 0)
			return 1;
	return 0;
}

/* Judge r and below; counts into s. */
static void
judge(struct spf *s, const struct spf_rec *r, struct findings *f)
{
	const char *where = r->domain;
	int has_all = 0, has_redirect = 0;

	if (r->loop) {
		finding_add(f, "spf", "spf.loop", FINDING_ERROR,
			"remove the include or redirect that leads back",
			"%s %s leads back to itself: receivers return "
			"permerror", r->via, where);
		return;
	}
	if (!r->txt) {
		finding_add(f, "spf", "spf.not-followed", FINDING_ERROR,
			"flatten the policy: far too many lookups",
			"%s %s not followed: more than %d records in the "
			"policy", r->via, where, FETCH_MAX);
		return;
	}
	if (mx_status_temporary(r->txt->status)) {
		finding_add(f, "spf", "spf.dns", r->parent ? FINDING_WARN :
			FINDING_ERROR, "retry later; check the name servers",
			"the TXT lookup for %s failed: %s", where, r->txt->why);
		return;
	}
	if (r->nrecords == 0) {
		if (!r->parent)
			finding_add(f, "spf", "spf.none", FINDING_WARN,
				"publish an SPF record, e.g. \"v=spf1 mx -all\"",
				"%s has no SPF record: receivers cannot tell "
				"forged mail from yours", where);
		else
			finding_add(f, "spf", "spf.target-none",
				FINDING_ERROR, "fix or remove the term",
				"%s %s has no SPF record: receivers return "
				"permerror", r->via, where);
		return;
	}
	if (r->nrecords > 1) {
		finding_add(f, "spf", "spf.multiple", FINDING_ERROR,
			"merge them into one record (RFC 7208 4.5)",
			"%s has %d SPF records: receivers return permerror",
			where, r->nrecords);
		return;
	}
	if (r->syntax[0]) {
		finding_add(f, "spf", "spf.syntax", FINDING_ERROR,
			"correct the term (RFC 7208 4.6, 5, 6)",
			"the SPF record of %s does not parse: %s; receivers "
			"return permerror", where, r->syntax);
		return;
	}
	for (size_t i = 0; i < r->nterms; i++) {
		const struct spf_term *t = &r->terms[i];

		if (costs_lookup(t))
			s->lookups++;
		if (strcmp(t->name, "all") == 0) {
			has_all = 1;
			if (t->qual == '+')
				finding_add(f, "spf", "spf.pass-all",
					FINDING_ERROR, "end the record with "
					"-all or ~all", "the SPF record of %s "
					"ends in +all: anyone may send as it",
					where);
			else if (t->qual == '?' && !r->parent)
				finding_add(f, "spf", "spf.neutral-all",
					FINDING_WARN, "end the record with "
					"-all or ~all", "the SPF record of %s "
					"ends in ?all: it asserts nothing",
					where);
		}
		if (strcmp(t->name, "redirect") == 0)
			has_redirect = 1;
		if (strcmp(t->name, "ptr") == 0)
			finding_add(f, "spf", "spf.ptr", FINDING_WARN,
				"list the addresses with ip4/ip6 instead "
				"(RFC 7208 5.5)", "%s uses ptr, which is slow, "
				"unreliable and deprecated", where);
		if (t->look && (t->look->status == DNSMSG_NXDOMAIN ||
			t->look->status == DNSMSG_NODATA))
			s->voids++;
		if (t->look && t->look->qtype == DNSMSG_MX &&
		    t->look->nrr > MX_LIMIT)
			finding_add(f, "spf", "spf.mx-limit", FINDING_ERROR,
				"use fewer MX hosts or ip4/ip6 terms",
				"mx:%s has %zu MX records (limit %d): "
				"receivers return permerror",
				t->arg ? t->arg : where, t->look->nrr,
				MX_LIMIT);
		if (t->child)
			judge(s, t->child, f);
	}
	if (!r->parent && !has_all && !has_redirect)
		finding_add(f, "spf", "spf.no-all", FINDING_WARN,
			"end the record with -all or ~all",
			"the SPF record of %s has no all: mail from elsewhere "
			"gets neutral", where);
}

enum dnsmsg_status
spf_check(struct spf *s, struct findings *f)
{
	size_t before = f->n;

	s->lookups = s->voids = 0;
	if (s->top.txt->status == DNSMSG_NXDOMAIN) {
		finding_add(f, "spf", "spf.nxdomain", FINDING_ERROR,
			"check the spelling, or the domain's delegation",
			"%s does not exist (NXDOMAIN)", s->top.domain);
		return DNSMSG_NXDOMAIN;
	}
	judge(s, &s->top, f);
	if (s->lookups > LOOKUP_LIMIT)
		finding_add(f, "spf", "spf.lookups", FINDING_ERROR,
			"flatten includes into ip4/ip6 terms",
			"%u DNS lookups (limit %d): receivers return "
			"permerror", s->lookups, LOOKUP_LIMIT);
	if (s->voids > VOID_LIMIT)
		finding_add(f, "spf", "spf.void", FINDING_ERROR,
			"remove the terms naming hosts that do not exist",
			"%u lookups found nothing (limit %d): receivers "
			"return permerror", s->voids, VOID_LIMIT);
	if (f->n == before)
		finding_add(f, "spf", "spf.ok", FINDING_OK, NULL,
			"one record; %u of %d DNS lookups, %u of %d void",
			s->lookups, LOOKUP_LIMIT, s->voids, VOID_LIMIT);
	return s->top.txt->status;
}
