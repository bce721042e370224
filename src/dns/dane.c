/*
 * dane.c: TLSA records of the MX hosts, RFC 7672 (2.2 DNSSEC status of
 * MX, address and TLSA answers; 3.1 which usages, selectors and matching
 * types SMTP uses) over RFC 6698 2.1 (the record).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "dns/dane.h"

const char *
dane_usage_name(unsigned u)
{
	static const char *const n[] = { "PKIX-TA", "PKIX-EE", "DANE-TA",
		"DANE-EE" };

	return u < ARRAY_SIZE(n) ? n[u] : NULL;
}

const char *
dane_selector_name(unsigned s)
{
	return s == DANE_CERT ? "Cert" : s == DANE_SPKI ? "SPKI" : NULL;
}

const char *
dane_mtype_name(unsigned m)
{
	return m == DANE_FULL ? "Full" : m == DANE_SHA256 ? "SHA2-256" :
		m == DANE_SHA512 ? "SHA2-512" : NULL;
}

int
dane_tlsa_read(struct dane_tlsa *t, const struct dnsmsg_rr *rr)
{
	memset(t, 0, sizeof *t);
	t->usage = rr->usage;
	t->selector = rr->selector;
	t->mtype = rr->mtype;
	t->data = (const unsigned char *)rr->data;
	t->len = rr->len;
	if (t->usage == DANE_PKIX_TA || t->usage == DANE_PKIX_EE)
		t->why = "PKIX usages are not used for SMTP (RFC 7672 3.1.3)";
	else if (!dane_usage_name(t->usage))
		t->why = "unknown certificate usage";
	else if (!dane_selector_name(t->selector))
		t->why = "unknown selector";
	else if (!dane_mtype_name(t->mtype))
		t->why = "unknown matching type";
	else if (t->mtype == DANE_SHA256 && t->len != 32)
		t->why = "a SHA2-256 digest is 32 bytes";
	else if (t->mtype == DANE_SHA512 && t->len != 64)
		t->why = "a SHA2-512 digest is 64 bytes";
	else if (t->mtype == DANE_FULL && (t->len < 2 || t->data[0] != 0x30))
		t->why = "full data is not a DER certificate or key";
	t->usable = !t->why;
	return t->usable;
}

static void
on_tlsa(void *arg, struct dnsmsg *m)
{
	((struct dane_host *)arg)->tlsa = m;
}

static void
on_hosts(void *arg, struct mx_set *s)
{
	struct dane *d = arg;
	struct buf q = BUF_INIT;

	d->hosts = xcalloc(s->nhosts ? s->nhosts : 1, sizeof *d->hosts);
	d->nhosts = s->nhosts;
	for (size_t i = 0; i < s->nhosts; i++) {
		d->hosts[i].mx = &s->hosts[i];
		if (s->hosts[i].ip_literal)
			continue;
		buf_reset(&q);
		buf_addf(&q, "_%u._tcp.%s", d->port, s->hosts[i].name);
		dns_query(d->dns, q.data, DNSMSG_TLSA, on_tlsa, &d->hosts[i]);
	}
	buf_release(&q);
}

void
dane_start(struct dane *d, struct dns *dns, struct mx_set *mx)
{
	memset(d, 0, sizeof *d);
	d->dns = dns;
	d->port = 25;
	d->mx = mx;
	d->trusted = dns_trusts_ad(dns);
	mx->on_hosts = on_hosts;
	mx->on_hosts_arg = d;
}

/* Answers that exist are validated (NXDOMAIN/NODATA are proven too). */
static int
answer_validated(const struct dnsmsg *m)
{
	return !m || m->ad_trusted;
}

static void
check_host(struct dane *d, struct dane_host *h, struct findings *f)
{
	const char *name = h->mx->name;
	const struct dnsmsg *t = h->tlsa;

	if (mx_status_temporary(t->status)) {
		finding_add(f, "dane", "dane.dns", FINDING_ERROR,
			"check the zone's DNSSEC signatures and name servers: "
			"DANE senders defer mail while this fails",
			"the TLSA lookup for _%u._tcp.%s failed: %s", d->port,
			name, t->why);
		return;
	}
	if (t->status != DNSMSG_OK)
		return;
	h->rec = xcalloc(t->nrr, sizeof *h->rec);
	h->nrec = t->nrr;
	for (size_t i = 0; i < t->nrr; i++) {
		struct dane_tlsa *r = &h->rec[i];

		if (dane_tlsa_read(r, &t->rr[i])) {
			h->nusable++;
			continue;
		}
		finding_add(f, "dane", "dane.unusable", FINDING_WARN,
			"publish DANE-EE(3) or DANE-TA(2) records, e.g. 3 1 1 "
			"with the SHA2-256 of the server's key",
			"%s: TLSA %u %u %u is not usable: %s", name, r->usage,
			r->selector, r->mtype, r->why);
	}
	h->validated = t->ad_trusted;
	h->addr_validated = answer_validated(h->mx->a) &&
		answer_validated(h->mx->aaaa);
	if (!h->nusable)
		finding_add(f, "dane", "dane.none-usable", FINDING_ERROR,
			"replace the records with usable ones (RFC 7672 3.1)",
			"none of the %zu TLSA records of %s is usable: DANE "
			"senders still require TLS but authenticate nothing",
			h->nrec, name);
	else if (!d->trusted)
		finding_add(f, "dane", "dane.unknown-dnssec", FINDING_WARN,
			"ask a validating resolver on loopback (--resolver), "
			"or pass --trust-ad for one reached securely",
			"%s: %zu usable TLSA records, but the resolver is not "
			"trusted to say whether they are DNSSEC-validated",
			name, h->nusable);
	else if (!h->validated)
		finding_add(f, "dane", "dane.not-validated", FINDING_ERROR,
			"sign the zone with DNSSEC and publish its DS in the "
			"parent zone", "%s: the TLSA records are not "
			"DNSSEC-validated: senders ignore them", name);
	else if (!h->addr_validated)
		finding_add(f, "dane", "dane.address-not-validated",
			FINDING_ERROR, "sign the zone of the host's A/AAAA "
			"records with DNSSEC",
			"%s: its address records are not DNSSEC-validated: "
			"senders do not use its TLSA records (RFC 7672 2.2.2)",
			name);
	else if (!answer_validated(d->mx->mx))
		finding_add(f, "dane", "dane.mx-not-validated", FINDING_ERROR,
			"sign the domain's zone with DNSSEC",
			"%s: the MX records are not DNSSEC-validated: senders "
			"do not use DANE for the domain (RFC 7672 2.2.1)",
			name);
	else
		finding_add(f, "dane", "dane.ok", FINDING_OK, NULL,
			"%s: %zu usable TLSA record%s, DNSSEC-validated", name,
			h->nusable, h->nusable == 1 ? "" : "s");
}

void
dane_check(struct dane *d, struct findings *f)
{
	size_t with = 0;

	for (size_t i = 0; i < d->nhosts; i++) {
		struct dane_host *h = &d->hosts[i];

		if (!h->tlsa)
			continue;
		check_host(d, h, f);
		with += h->tlsa->status == DNSMSG_OK;
	}
	if (!with && finding_worst(f, "dane") == FINDING_OK)
		finding_add(f, "dane", "dane.none", FINDING_OK, NULL,
			"no TLSA records at the MX hosts: senders do not use "
			"DANE");
}

void
dane_release(struct dane *d)
{
	for (size_t i = 0; i < d->nhosts; i++) {
		dnsmsg_free(d->hosts[i].tlsa);
		free(d->hosts[i].rec);
	}
	free(d->hosts);
	memset(d, 0, sizeof *d);
}

void
dane_text(struct buf *out, const struct dane *d)
{
	char hex[2 * 64 + 1];

	for (size_t i = 0; i < d->nhosts; i++) {
		const struct dane_host *h = &d->hosts[i];

		if (!h->tlsa)
			continue;
		buf_addf(out, "  _%u._tcp.", d->port);
		dnsmsg_add_safe(out, h->mx->name);
		buf_addf(out, ": %s\n", h->tlsa->status != DNSMSG_OK ?
			dnsmsg_status_name(h->tlsa->status) : !d->trusted ?
			"DNSSEC unknown" : h->validated ? "DNSSEC validated" :
			"not DNSSEC validated");
		for (size_t k = 0; k < h->nrec; k++) {
			const struct dane_tlsa *t = &h->rec[k];
			size_t n = t->len > 64 ? 64 : t->len;

			hex_encode(hex, t->data, n, 0);
			buf_addf(out, "    TLSA %u %u %u %s%s\n", t->usage,
				t->selector, t->mtype, hex,
				n < t->len ? "..." : "");
		}
	}
}

void
dane_json(struct json *j, const struct dane *d)
{
	struct buf hex = BUF_INIT;

	json_obj_begin(j);
	json_key(j, "resolver_trusted");
	json_bool(j, d->trusted);
	json_key(j, "hosts");
	json_arr_begin(j);
	for (size_t i = 0; i < d->nhosts; i++) {
		const struct dane_host *h = &d->hosts[i];

		if (!h->tlsa)
			continue;
		json_obj_begin(j);
		json_key(j, "name");
		json_cstr(j, h->mx->name);
		json_key(j, "status");
		json_cstr(j, dnsmsg_status_name(h->tlsa->status));
		json_key(j, "validated");
		json_bool(j, h->validated);
		json_key(j, "address_validated");
		json_bool(j, h->addr_validated);
		json_key(j, "records");
		json_arr_begin(j);
		for (size_t k = 0; k < h->nrec; k++) {
			const struct dane_tlsa *t = &h->rec[k];

			buf_reset(&hex);
			buf_grow(&hex, 2 * t->len + 1);
			hex.len = hex_encode(hex.data, t->data, t->len, 0);
			json_obj_begin(j);
			json_key(j, "usage");
			json_int(j, t->usage);
			json_key(j, "selector");
			json_int(j, t->selector);
			json_key(j, "matching_type");
			json_int(j, t->mtype);
			json_key(j, "data");
			json_cstr(j, hex.data);
			json_key(j, "usable");
			json_bool(j, t->usable);
			json_key(j, "why");
			json_cstr(j, t->why);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	buf_release(&hex);
}
