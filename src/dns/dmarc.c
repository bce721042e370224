/*
 * dmarc.c: the DMARC policy that applies to a domain, RFC 7489 (3.2 the
 * organizational domain, 6.3 tags, 6.6.3 policy discovery, 7.1 external
 * report destinations) and DMARCbis (the DNS tree walk, psd).
 */
#include "config.h"

#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "dns/dmarc.h"
#include "dns/mx.h"

static int
is_record(const char *s, size_t len)
{
	size_t n = 0;

	/* "v" "=" "DMARC1", spaces allowed around "=", then ';' or end */
	if (len < 1 || (s[0] != 'v' && s[0] != 'V'))
		return 0;
	n = 1;
	while (n < len && s[n] == ' ')
		n++;
	if (n >= len || s[n++] != '=')
		return 0;
	while (n < len && s[n] == ' ')
		n++;
	if (len - n < 6 || strncmp(s + n, "DMARC1", 6) != 0)
		return 0;
	n += 6;
	while (n < len && s[n] == ' ')
		n++;
	return n == len || s[n] == ';';
}

int
dmarc_tag(const char *record, const char *tag, char *out, size_t size)
{
	const char *p = record;
	size_t tl = strlen(tag);

	while (*p) {
		const char *end = strchr(p, ';'), *eq, *v, *ve;

		if (!end)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq) {
			const char *ne = eq;

			while (ne > p && isspace((unsigned char)ne[-1]))
				ne--;
			if ((size_t)(ne - p) == tl &&
			    mem_casecmp(p, tag, tl) == 0) {
				v = eq + 1;
				while (v < end && isspace((unsigned char)*v))
					v++;
				ve = end;
				while (ve > v && isspace((unsigned char)ve[-1]))
					ve--;
				snprintf(out, size, "%.*s", (int)(ve - v), v);
				return 0;
			}
		}
		p = *end ? end + 1 : end;
	}
	return -1;
}

/*
 * The last answers of dmarc_psl_org, by name: the report destinations of
 * a --batch run are mostly a few shared domains, and each lookup in the
 * list costs more than the rest of a DMARC check (callgrind, 1,000
 * domains). Direct-mapped, PSL_MEMO entries, kept until exit.
 */
#define PSL_MEMO 256

struct psl_memo {
	char *name;		/* lower case */
	char *org;		/* NULL: name is a public suffix */
};

static const char *
psl_lookup(const char *lower)
{
	static psl_ctx_t *psl;

	if (!psl)
		psl = psl_latest(NULL);
	if (!psl)
		psl = (psl_ctx_t *)psl_builtin();
	return psl ? psl_registrable_domain(psl, lower) : NULL;
}

char *
dmarc_psl_org(const char *name)
{
	static struct psl_memo memo[PSL_MEMO];
	char *lower = xstrdup(name);
	struct psl_memo *m;
	const char *r;

	for (char *c = lower; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	m = &memo[str_hash64(lower) % PSL_MEMO];
	if (!m->name || strcmp(m->name, lower) != 0) {
		r = psl_lookup(lower);
		free(m->name);
		free(m->org);
		m->name = lower;
		m->org = r ? xstrdup(r) : NULL;
	} else {
		free(lower);
	}
	return m->org ? xstrdup(m->org) : NULL;
}

static void
on_ext(void *arg, struct dnsmsg *m)
{
	((struct dmarc_ext *)arg)->txt = m;
}

/* rua and ruf of r: each mailto: URI to another organization is checked
 * (RFC 7489 7.1) with a query now. */
static void
start_ext(struct dmarc *s, struct dmarc_rec *r)
{
	static const char *const tags[] = { "rua", "ruf" };
	char val[512], *tok, *save;
	/* the record at the domain itself: its org is known already */
	char *own = s->psl_org && dnsmsg_name_cmp(r->name, s->domain) == 0 ?
		xstrdup(s->psl_org) : dmarc_psl_org(r->name);

	for (size_t t = 0; t < ARRAY_SIZE(tags); t++) {
		if (dmarc_tag(r->record, tags[t], val, sizeof val) < 0)
			continue;
		for (tok = strtok_r(val, ",", &save); tok;
			tok = strtok_r(NULL, ",", &save)) {
			struct dmarc_ext *x;
			char *at, *dest, *org;

			while (*tok == ' ')
				tok++;
			r->ext = xrealloc(r->ext, (r->next + 1) * sizeof *r->ext);
			x = memset(&r->ext[r->next++], 0, sizeof *x);
			x->uri = xstrdup(tok);
			at = strrchr(tok, '@');
			if (!has_prefix_ci(tok, strlen(tok), "mailto:") || !at)
				continue;
			dest = xstrdup(at + 1);
			dest[strcspn(dest, "! ")] = '\0';
			x->dest = dest;
			org = dmarc_psl_org(dest);
			/* asked below, once r->ext stops moving */
			x->external = !own || !org ||
				dnsmsg_name_cmp(own, org) != 0;
			free(org);
		}
	}
	for (size_t i = 0; i < r->next; i++) {
		struct buf q = BUF_INIT;

		if (!r->ext[i].external)
			continue;
		buf_addf(&q, "%s._report._dmarc.%s", r->name, r->ext[i].dest);
		dns_query(s->dns, q.data, DNSMSG_TXT, on_ext, &r->ext[i]);
		buf_release(&q);
	}
	free(own);
}

static void
on_txt(void *arg, struct dnsmsg *m)
{
	struct dmarc_rec *r = arg;

	r->txt = m;
	for (size_t i = 0; i < m->nrr; i++) {
		if (!is_record(m->rr[i].data, m->rr[i].len))
			continue;
		if (r->nrecords++ == 0)
			r->record = xstrdup(m->rr[i].data);
	}
	if (r->nrecords == 1)
		start_ext(r->owner, r);
}

void
dmarc_start(struct dmarc *s, struct dns *d, const char *domain)
{
	const char *p;
	size_t labels = 1;

	memset(s, 0, sizeof *s);
	s->dns = d;
	s->domain = xstrdup(domain);
	for (char *c = s->domain; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	s->psl_org = dmarc_psl_org(s->domain);
	for (p = s->domain; *p; p++)
		labels += *p == '.';
	/* The domain, then its ancestors from 7 labels up (DMARCbis: a
	 * walk starts no deeper than 7 labels below the root). */
	for (p = s->domain; p && s->nwalk < DMARC_WALK_MAX; labels--) {
		if (s->nwalk == 0 || labels <= DMARC_WALK_MAX - 1) {
			struct dmarc_rec *r = &s->walk[s->nwalk++];
			struct buf q = BUF_INIT;

			r->owner = s;
			r->name = xstrdup(p);
			buf_addf(&q, "_dmarc.%s", p);
			dns_query(d, q.data, DNSMSG_TXT, on_txt, r);
			buf_release(&q);
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
}

void
dmarc_release(struct dmarc *s)
{
	for (size_t i = 0; i < s->nwalk; i++) {
		struct dmarc_rec *r = &s->walk[i];

		for (size_t k = 0; k < r->next; k++) {
			free(r->ext[k].uri);
			free(r->ext[k].dest);
			dnsmsg_free(r->ext[k].txt);
		}
		free(r->ext);
		dnsmsg_free(r->txt);
		free(r->record);
		free(r->name);
	}
	free(s->domain);
	free(s->psl_org);
	memset(s, 0, sizeof *s);
}

/* The walk entry for name, or NULL. */
static const struct dmarc_rec *
walk_at(const struct dmarc *s, const char *name)
{
	for (size_t i = 0; name && i < s->nwalk; i++)
		if (dnsmsg_name_cmp(s->walk[i].name, name) == 0)
			return &s->walk[i];
	return NULL;
}

/* DMARCbis 4.10.2: from the domain up, psd=n marks the organizational
 * domain, psd=y the suffix above it; else the shortest name with a
 * record. NULL when no name has one. */
static const char *
tree_org(const struct dmarc *s)
{
	const char *shortest = NULL;
	char psd[8];

	for (size_t i = 0; i < s->nwalk; i++) {
		const struct dmarc_rec *r = &s->walk[i];

		if (r->nrecords != 1)
			continue;
		if (dmarc_tag(r->record, "psd", psd, sizeof psd) == 0) {
			if (strcmp(psd, "n") == 0)
				return r->name;
			if (strcmp(psd, "y") == 0)
				return i > 0 ? s->walk[i - 1].name : NULL;
		}
		shortest = r->name;
	}
	return shortest;
}

static int
policy_ok(const char *v)
{
	return !strcmp(v, "none") || !strcmp(v, "quarantine") ||
		!strcmp(v, "reject");
}

static void
check_record(struct dmarc *s, const struct dmarc_rec *r, struct findings *f)
{
	static const char *const ptags[] = { "p", "sp", "np" };
	char v[64];
	int own = r == &s->walk[0];

	for (size_t i = 0; i < ARRAY_SIZE(ptags); i++)
		if (dmarc_tag(r->record, ptags[i], v, sizeof v) == 0 &&
		    !policy_ok(v))
			finding_add(f, "dmarc", "dmarc.syntax", FINDING_ERROR,
				"use none, quarantine or reject",
				"_dmarc.%s: %s=%s is not a policy", r->name,
				ptags[i], v);
	if (dmarc_tag(r->record, "p", v, sizeof v) < 0)
		finding_add(f, "dmarc", "dmarc.no-policy", FINDING_WARN,
			"add p=none, p=quarantine or p=reject",
			"_dmarc.%s has no p tag: receivers treat it as none",
			r->name);
	if (dmarc_tag(r->record, own ? "p" : "sp", s->p, sizeof s->p) < 0 &&
	    (own || dmarc_tag(r->record, "p", s->p, sizeof s->p) < 0))
		snprintf(s->p, sizeof s->p, "none");
	if (!strcmp(s->p, "none"))
		finding_add(f, "dmarc", "dmarc.monitor", FINDING_WARN,
			"move to p=quarantine or p=reject once the reports "
			"are clean", "the policy for %s is none: receivers "
			"only report, forged mail is delivered", s->domain);
	if (dmarc_tag(r->record, "pct", v, sizeof v) == 0 && strcmp(v, "100"))
		finding_add(f, "dmarc", "dmarc.pct", FINDING_WARN,
			"remove pct, or set it to 100",
			"pct=%s: the policy applies to part of the mail only", v);
	for (size_t i = 0; i < r->next; i++) {
		const struct dmarc_ext *x = &r->ext[i];
		int granted = 0;

		if (!x->dest) {
			finding_add(f, "dmarc", "dmarc.report-uri",
				FINDING_WARN, "use mailto: URIs",
				"report URI \"%s\" is not a mailto: address",
				x->uri);
			continue;
		}
		if (!x->external)
			continue;
		for (size_t k = 0; k < x->txt->nrr; k++)
			granted |= is_record(x->txt->rr[k].data,
				x->txt->rr[k].len);
		if (mx_status_temporary(x->txt->status))
			finding_add(f, "dmarc", "dmarc.external-dns",
				FINDING_WARN, "retry later",
				"the authorization of %s could not be looked "
				"up: %s", x->dest, x->txt->why);
		else if (!granted)
			finding_add(f, "dmarc", "dmarc.external",
				FINDING_WARN, "publish the TXT record "
				"\"v=DMARC1\" there, or report elsewhere "
				"(RFC 7489 7.1)", "reports to %s are not "
				"sent: %s._report._dmarc.%s does not "
				"authorize them", x->uri, r->name, x->dest);
	}
}

enum dnsmsg_status
dmarc_check(struct dmarc *s, struct findings *f)
{
	const struct dmarc_rec *own = &s->walk[0], *org_rec;
	size_t before = f->n;

	if (mx_status_temporary(own->txt->status)) {
		finding_add(f, "dmarc", "dmarc.dns", FINDING_ERROR,
			"retry later; check the name servers",
			"the lookup of _dmarc.%s failed: %s", s->domain,
			own->txt->why);
		return own->txt->status;
	}
	s->tree_org = tree_org(s);
	if (own->nrecords > 1) {
		finding_add(f, "dmarc", "dmarc.multiple", FINDING_ERROR,
			"keep one record (RFC 7489 6.6.3)",
			"_dmarc.%s has %d DMARC records: receivers apply "
			"none of them", s->domain, own->nrecords);
		return own->txt->status;
	}
	if (own->nrecords == 1) {
		s->policy = own;
		s->decided = "domain";
	} else {
		/* RFC 7489: the PSL's organizational domain decides; the
		 * tree walk is DMARCbis's answer to the same question. */
		org_rec = walk_at(s, s->psl_org);
		if (org_rec && org_rec->nrecords == 1) {
			s->policy = org_rec;
			s->decided = "psl";
		} else if ((org_rec = walk_at(s, s->tree_org)) &&
			org_rec->nrecords == 1) {
			s->policy = org_rec;
			s->decided = "tree-walk";
		}
	}
	if (s->psl_org && s->tree_org &&
	    dnsmsg_name_cmp(s->psl_org, s->tree_org) != 0)
		finding_add(f, "dmarc", "dmarc.org-disagree", FINDING_WARN,
			"receivers differ on which policy applies: publish "
			"a record at the domain itself",
			"organizational domain: %s by the public suffix list, "
			"%s by the DNS tree walk", s->psl_org, s->tree_org);
	if (!s->policy) {
		finding_add(f, "dmarc", "dmarc.none", FINDING_WARN,
			"publish \"v=DMARC1; p=none; rua=mailto:...\" at "
			"_dmarc of the domain, then tighten it",
			"no DMARC policy applies to %s", s->domain);
		return own->txt->status;
	}
	check_record(s, s->policy, f);
	if (f->n == before)
		finding_add(f, "dmarc", "dmarc.ok", FINDING_OK, NULL,
			"policy %s from _dmarc.%s", s->p, s->policy->name);
	return own->txt->status;
}
