/*
 * mx.c: a domain's mail hosts and their addresses, judged.
 * RFC 5321 5.1 (MX, implicit MX, preferences), RFC 7505 (null MX),
 * RFC 2181 10.3 (an MX must not name an alias).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/mx.h"

int
mx_is_ip_literal(const char *s)
{
	unsigned char a[16];
	char tmp[64];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof tmp) {
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int
mx_status_temporary(enum dnsmsg_status st)
{
	return st == DNSMSG_SERVFAIL || st == DNSMSG_REFUSED ||
		st == DNSMSG_TIMEOUT || st == DNSMSG_BAD;
}

static void
on_a(void *arg, struct dnsmsg *m)
{
	((struct mx_host *)arg)->a = m;
}

static void
on_aaaa(void *arg, struct dnsmsg *m)
{
	((struct mx_host *)arg)->aaaa = m;
}

static int
by_pref(const void *a, const void *b)
{
	const struct dnsmsg_rr *x = *(const struct dnsmsg_rr *const *)a;
	const struct dnsmsg_rr *y = *(const struct dnsmsg_rr *const *)b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return x < y ? -1 : x > y;	/* as listed */
}

static void
add_host(struct mx_set *s, const char *name, unsigned pref)
{
	struct mx_host *h = &s->hosts[s->nhosts++];

	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->pref = pref;
	h->ip_literal = mx_is_ip_literal(name);
}

static void
on_mx(void *arg, struct dnsmsg *m)
{
	struct mx_set *s = arg;
	const struct dnsmsg_rr **v;

	s->mx = m;
	if (m->status == DNSMSG_NODATA) {
		s->implicit = 1;
		s->hosts = xcalloc(1, sizeof *s->hosts);
		add_host(s, m->canon, 0);
	} else if (m->status == DNSMSG_OK) {
		v = xcalloc(m->nrr, sizeof *v);
		for (size_t i = 0; i < m->nrr; i++)
			v[i] = &m->rr[i];
		qsort(v, m->nrr, sizeof *v, by_pref);
		s->hosts = xcalloc(m->nrr, sizeof *s->hosts);
		for (size_t i = 0; i < m->nrr; i++) {
			if (v[i]->data[0] == '\0')
				s->null_mx = 1;
			else
				add_host(s, v[i]->data, v[i]->pref);
		}
		free(v);
	}
	for (size_t i = 0; i < s->nhosts; i++) {
		if (s->hosts[i].ip_literal)
			continue;
		dns_query(s->dns, s->hosts[i].name, DNSMSG_A, on_a,
			&s->hosts[i]);
		dns_query(s->dns, s->hosts[i].name, DNSMSG_AAAA, on_aaaa,
			&s->hosts[i]);
	}
	if (s->on_hosts)
		s->on_hosts(s->on_hosts_arg, s);
}

void
mx_start(struct mx_set *s, struct dns *d, const char *domain)
{
	memset(s, 0, sizeof *s);
	s->domain = xstrdup(domain);
	s->dns = d;
	dns_query(d, domain, DNSMSG_MX, on_mx, s);
}

void
mx_release(struct mx_set *s)
{
	for (size_t i = 0; i < s->nhosts; i++) {
		free(s->hosts[i].name);
		dnsmsg_free(s->hosts[i].a);
		dnsmsg_free(s->hosts[i].aaaa);
	}
	free(s->hosts);
	dnsmsg_free(s->mx);
	free(s->domain);
	memset(s, 0, sizeof *s);
}

static int
has_addr(const struct mx_host *h)
{
	return (h->a && h->a->status == DNSMSG_OK) ||
		(h->aaaa && h->aaaa->status == DNSMSG_OK);
}

/* The host's address answers failed for a reason that says nothing. */
static const struct dnsmsg *
addr_temp(const struct mx_host *h)
{
	if (h->a && mx_status_temporary(h->a->status))
		return h->a;
	if (h->aaaa && mx_status_temporary(h->aaaa->status))
		return h->aaaa;
	return NULL;
}

/* The alias target when the host is a CNAME, else NULL. */
static const char *
alias_of(const struct mx_host *h)
{
	if (h->a && h->a->ncnames)
		return h->a->canon;
	if (h->aaaa && h->aaaa->ncnames)
		return h->aaaa->canon;
	return NULL;
}

static void
check_hosts(const struct mx_set *s, struct findings *f)
{
	size_t usable = 0;

	for (size_t i = 0; i < s->nhosts; i++) {
		const struct mx_host *h = &s->hosts[i];
		const struct dnsmsg *t = addr_temp(h);

		if (h->ip_literal) {
			finding_add(f, "mx", "mx.ip-literal", FINDING_ERROR,
				"point the MX at a host name with A/AAAA "
				"records (RFC 5321 5.1)",
				"MX %u %s names an IP address, not a host",
				h->pref, h->name);
			continue;
		}
		if (alias_of(h))
			finding_add(f, "mx", "mx.cname", FINDING_WARN,
				"name the host itself in the MX record "
				"(RFC 2181 10.3, RFC 5321 5.1)",
				"MX %u %s is an alias (CNAME) for %s", h->pref,
				h->name, alias_of(h));
		if (has_addr(h))
			usable++;
		else if (t)
			finding_add(f, "mx", "mx.address-dns", FINDING_WARN,
				"retry later; check the host's name servers",
				"the address of %s could not be looked up: %s",
				h->name, t->why);
		else if (!s->implicit)
			finding_add(f, "mx", "mx.no-address", FINDING_ERROR,
				"add A/AAAA records for the host, or remove "
				"the MX record",
				"MX %u %s has no address (A: %s, AAAA: %s)",
				h->pref, h->name,
				h->a ? dnsmsg_status_name(h->a->status) : "-",
				h->aaaa ? dnsmsg_status_name(h->aaaa->status) :
				"-");
		for (size_t j = 0; j < i; j++) {
			if (dnsmsg_name_cmp(s->hosts[j].name, h->name) == 0)
				finding_add(f, "mx", "mx.duplicate",
					FINDING_WARN, "remove the repeated "
					"record", "%s is listed more than once",
					h->name);
			else if (s->hosts[j].pref == h->pref)
				finding_add(f, "mx", "mx.same-preference",
					FINDING_WARN, "give each host its own "
					"preference unless load sharing is meant",
					"%s and %s share preference %u",
					s->hosts[j].name, h->name, h->pref);
			else
				continue;
			break;
		}
	}
	if (s->implicit && !usable)
		finding_add(f, "mx", "mx.none", FINDING_ERROR,
			"publish MX records, or a null MX (MX 0 .) to say "
			"the domain takes no mail",
			"no MX record and no address: %s accepts no mail",
			s->domain);
	else if (s->implicit)
		finding_add(f, "mx", "mx.implicit", FINDING_WARN,
			"publish an MX record, or a null MX (MX 0 .) if the "
			"domain takes no mail",
			"no MX record: mail goes to %s's own address "
			"(implicit MX, RFC 5321 5.1)", s->domain);
	else if (s->nhosts && !usable)
		finding_add(f, "mx", "mx.unreachable", FINDING_ERROR,
			"give at least one MX host an address",
			"no MX host has an address: mail to %s cannot be "
			"delivered", s->domain);
	else if (finding_worst(f, "mx") == FINDING_OK)
		finding_add(f, "mx", "mx.ok", FINDING_OK, NULL,
			"%zu MX host%s, each with an address", s->nhosts,
			s->nhosts == 1 ? "" : "s");
}

enum dnsmsg_status
mx_check(const struct mx_set *s, struct findings *f)
{
	const struct dnsmsg *m = s->mx;

	if (!m || mx_status_temporary(m->status)) {
		finding_add(f, "mx", "mx.dns", FINDING_ERROR,
			"retry later; check the domain's name servers",
			"the MX lookup for %s failed: %s", s->domain,
			m ? m->why : "no answer");
		return m ? m->status : DNSMSG_TIMEOUT;
	}
	if (m->status == DNSMSG_NXDOMAIN) {
		finding_add(f, "mx", "mx.nxdomain", FINDING_ERROR,
			"check the spelling, or the domain's delegation",
			"%s does not exist (NXDOMAIN)", s->domain);
		return m->status;
	}
	if (s->null_mx && s->nhosts == 0)
		finding_add(f, "mx", "mx.null", FINDING_OK, NULL,
			"%s accepts no mail (null MX, RFC 7505)", s->domain);
	else if (s->null_mx)
		finding_add(f, "mx", "mx.null-mixed", FINDING_ERROR,
			"keep the null MX alone, or remove it (RFC 7505 3)",
			"a null MX (0 .) among other MX records");
	if (s->nhosts)
		check_hosts(s, f);
	return m->status;
}
