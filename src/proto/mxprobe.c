/*
 * mxprobe.c: see mxprobe.h. RFC 5321 (greeting, EHLO), RFC 3207
 * (STARTTLS), RFC 7672 (DANE for SMTP), RFC 8461 4.2 (MTA-STS needs a
 * certificate valid under PKIX for the MX host).
 */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/util.h"
#include "net/certchk.h"
#include "net/tlsreport.h"
#include "net/transcript.h"
#include "proto/mxprobe.h"
#include "proto/smtp.h"

void
mxprobe_start(struct mxprobe *p, const struct mx_set *s,
	const struct dane *dane, const struct mxprobe_opts *o)
{
	memset(p, 0, sizeof *p);
	p->o = *o;
	if (!p->o.port)
		p->o.port = 25;
	if (!p->o.connect_timeout)
		p->o.connect_timeout = 10;
	if (!p->o.timeout)
		p->o.timeout = 30;
	if (!p->o.parallel)
		p->o.parallel = MXPROBE_PARALLEL;
	if (o->helo)
		snprintf(p->helo, sizeof p->helo, "%s", o->helo);
	else if (gethostname(p->helo, sizeof p->helo - 1) != 0 || !*p->helo)
		snprintf(p->helo, sizeof p->helo, "localhost");
	p->h = xcalloc(s->nhosts ? s->nhosts : 1, sizeof *p->h);
	p->n = s->nhosts;
	for (size_t i = 0; i < p->n; i++) {
		struct mxprobe_host *h = &p->h[i];

		h->mx = &s->hosts[i];
		buf_init(&h->transcript, 0);
		h->pkix = -1;
		h->dane = -2;
		snprintf(h->tlsa_name, sizeof h->tlsa_name, "_%u._tcp.%s",
			p->o.port, h->mx->name);
		if (dane && i < dane->nhosts) {
			h->tlsa = dane->hosts[i].tlsa;
			h->tlsa_validated = h->tlsa && h->tlsa->ad_trusted;
		}
	}
}

/* The addresses of h, A then AAAA (an IP literal is its own). */
static size_t
addrs(const struct mxprobe_host *h, const char **v, size_t max)
{
	const struct dnsmsg *m[2] = { h->mx->a, h->mx->aaaa };
	size_t n = 0;

	if (h->mx->ip_literal) {
		v[n++] = h->mx->name;
		return n;
	}
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; m[k] && m[k]->status == DNSMSG_OK &&
			i < m[k]->nrr && n < max; i++)
			v[n++] = m[k]->rr[i].data;
	return n;
}

static struct conn *
dial(struct mxprobe *p, struct mxprobe_host *h, struct transcript *ts)
{
	const char *v[32];
	size_t n = addrs(h, v, 32);

	for (size_t i = 0; i < n; i++) {
		struct conn_opts o;
		struct conn *c;
		struct err e;

		conn_opts_init(&o);
		o.host = v[i];
		o.port = p->o.port;
		o.tls_host = h->mx->name;
		o.no_certcheck = 1;	/* judged after, by certchk.h */
		o.connect_timeout = p->o.connect_timeout;
		o.timeout = p->o.timeout;
		o.transcript = ts;
		err_clear(&e);
		snprintf(h->addr, sizeof h->addr, "%s", v[i]);
		h->tried++;
		c = conn_open(&o, CONN_PLAIN, &e);
		if (c)
			return c;
		snprintf(h->conn_err, sizeof h->conn_err, "%s", e.msg);
		transcript_note(ts, "%s", e.msg);
	}
	if (!n)
		snprintf(h->conn_err, sizeof h->conn_err, "no address");
	return NULL;
}

/* The TLS session of s, as the report shows it and judges it. */
static void
look_at_tls(struct mxprobe *p, struct mxprobe_host *h, struct smtp *s)
{
	struct conn *c = smtp_conn(s);
	struct err e;

	err_clear(&e);
	h->tls = MXPROBE_TLS_OK;
	conn_tls_info(c, &h->ti, &e);
	if (conn_peer_chain(c, &h->chain, &h->nchain, &e) < 0)
		return;
	h->name_ok = certchk_name(h->chain, h->nchain, h->mx->name) == 1;
	h->pkix = certchk_pkix(h->chain, h->nchain, p->o.trust_file,
		h->mx->name, h->pkix_why, sizeof h->pkix_why);
}

static void
match_tlsa(struct mxprobe_host *h)
{
	struct tlsamatch_rec *t;
	const struct dnsmsg *m = h->tlsa;

	if (!m || m->status != DNSMSG_OK || !h->nchain)
		return;
	t = xcalloc(m->nrr, sizeof *t);
	for (size_t i = 0; i < m->nrr; i++) {
		t[i].usage = m->rr[i].usage;
		t[i].selector = m->rr[i].selector;
		t[i].mtype = m->rr[i].mtype;
		t[i].data = (const unsigned char *)m->rr[i].data;
		t[i].len = m->rr[i].len;
	}
	h->dane = tlsamatch_chain(t, m->nrr, h->chain, h->nchain,
		h->mx->name, &h->dv);
	free(t);
}

static void
probe_session(struct mxprobe *p, struct mxprobe_host *h,
	struct transcript *ts)
{
	struct account acc;
	struct smtp *s;
	struct conn *c = dial(p, h, ts);
	struct err e;

	if (!c)
		return;
	h->connected = 1;
	memset(&acc, 0, sizeof acc);
	acc.domain = p->helo;
	err_clear(&e);
	s = smtp_begin(c, &acc, 0, &e);
	if (!s) {
		snprintf(h->smtp_err, sizeof h->smtp_err, "%s", e.msg);
		return;
	}
	h->greeting = xstrdup(smtp_greeting(s));
	h->ehlo = xstrdup(smtp_ehlo(s));
	if (!(smtp_caps(s) & SMTP_CAP_STARTTLS)) {
		h->tls = MXPROBE_TLS_NOT_OFFERED;
		smtp_quit(s);
		return;
	}
	if (smtp_starttls(s, &e) < 0) {
		/* a reply is kept only when the server said no */
		h->tls = *e.reply ? MXPROBE_TLS_REFUSED : MXPROBE_TLS_FAILED;
		snprintf(h->tls_err, sizeof h->tls_err, "%s", e.msg);
		if (h->tls == MXPROBE_TLS_REFUSED)
			smtp_quit(s);
		else
			smtp_free(s);
		return;
	}
	free(h->ehlo);
	h->ehlo = xstrdup(smtp_ehlo(s));
	look_at_tls(p, h, s);
	match_tlsa(h);
	smtp_quit(s);
}

static void
add_line(void *arg, const char *text, size_t len)
{
	struct buf *b = arg;

	buf_add(b, text, len);
	buf_addch(b, '\n');
}

static void
probe_host(struct mxprobe *p, struct mxprobe_host *h)
{
	struct transcript ts;

	if (!p->o.transcript) {
		probe_session(p, h, NULL);
		return;
	}
	transcript_init_fn(&ts, add_line, &h->transcript, 0);
	transcript_note(&ts, "probe of MX %u %s, port %u", h->mx->pref,
		h->mx->name, p->o.port);
	probe_session(p, h, &ts);
	transcript_release(&ts);
}

/* The hosts not yet taken by a worker. */
struct queue {
	struct mxprobe *p;
	pthread_mutex_t lock;
	size_t next;
};

static void *
worker(void *arg)
{
	struct queue *q = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&q->lock);
		i = q->next++;
		pthread_mutex_unlock(&q->lock);
		if (i >= q->p->n)
			return NULL;
		probe_host(q->p, &q->p->h[i]);
	}
}

void
mxprobe_run(struct mxprobe *p)
{
	struct queue q = { p, PTHREAD_MUTEX_INITIALIZER, 0 };
	size_t nt = p->n < p->o.parallel ? p->n : p->o.parallel;
	pthread_t *t;
	size_t started = 0;
	struct err e;

	/* libcurl's and OpenSSL's global set-up, once, before any thread */
	err_clear(&e);
	if (nt <= 1 || conn_global_init(0, &e) < 0) {
		/* one at a time: conn_open reports the set-up error */
		worker(&q);
		return;
	}
	t = xcalloc(nt, sizeof *t);
	while (started < nt && pthread_create(&t[started], NULL, worker,
		&q) == 0)
		started++;
	/* no thread at all: do the work here */
	if (!started)
		worker(&q);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	pthread_mutex_destroy(&q.lock);
}

/* TLSA records SMTP can use (whatever their DNSSEC status). */
static size_t
usable_tlsa(const struct mxprobe_host *h)
{
	size_t n = 0;

	for (size_t i = 0; h->tlsa && h->tlsa->status == DNSMSG_OK &&
		i < h->tlsa->nrr; i++) {
		struct tlsamatch_rec t = { h->tlsa->rr[i].usage,
			h->tlsa->rr[i].selector, h->tlsa->rr[i].mtype, NULL, 0 };

		n += tlsamatch_usable(&t);
	}
	return n;
}

static void
check_tls(const struct mxprobe *p, const struct mxprobe_host *h,
	struct findings *f)
{
	const char *name = h->mx->name;
	/* no TLS is an error when a policy demands it */
	enum finding_level need = usable_tlsa(h) || p->o.sts_enforce ?
		FINDING_ERROR : FINDING_WARN;

	switch (h->tls) {
	case MXPROBE_TLS_UNKNOWN:
		return;
	case MXPROBE_TLS_NOT_OFFERED:
		finding_add(f, "probe", "probe.no-starttls", need,
			"enable STARTTLS on the server (RFC 3207)",
			"%s does not offer STARTTLS: mail to it travels in "
			"clear%s", name, need == FINDING_ERROR ?
			", against its published TLSA or MTA-STS policy" : "");
		return;
	case MXPROBE_TLS_REFUSED:
		finding_add(f, "probe", "probe.starttls-refused", need,
			"fix the server's TLS set-up (certificate, key)",
			"%s offers STARTTLS but refuses it: %s", name,
			h->tls_err);
		return;
	case MXPROBE_TLS_FAILED:
		finding_add(f, "probe", "probe.tls-failed", FINDING_ERROR,
			"fix the server's TLS set-up (certificate, key, "
			"protocol versions)", "%s: the TLS handshake after "
			"STARTTLS failed: %s", name, h->tls_err);
		return;
	case MXPROBE_TLS_OK:
		break;
	}
	finding_add(f, "probe", "probe.tls", FINDING_OK, NULL,
		"%s: STARTTLS, %s %s", name, h->ti.version, h->ti.cipher);
	if (!h->name_ok)
		finding_add(f, "probe", "probe.cert-name", FINDING_WARN,
			"get a certificate that names the MX host",
			"%s: the certificate (%s) does not name %s", name,
			h->ti.subject, name);
	if (h->pkix == 0)
		finding_add(f, "probe", "probe.cert-pkix", p->o.sts_enforce ?
			FINDING_ERROR : FINDING_WARN,
			"use a certificate from a public CA for the MX host "
			"(MTA-STS requires one, RFC 8461 4.2)",
			"%s: the certificate is not valid under PKIX: %s",
			name, h->pkix_why);
	else if (h->pkix == 1)
		finding_add(f, "probe", "probe.cert-pkix", FINDING_OK, NULL,
			"%s: the certificate is valid under PKIX for the host",
			name);
}

/* The TLSA records against the live chain; the records themselves (usable,
 * DNSSEC) are judged by dane_check(). */
static void
check_tlsa(const struct mxprobe_host *h, struct findings *f)
{
	const char *name = h->mx->name;
	const struct dnsmsg_rr *r;

	if (!usable_tlsa(h))
		return;
	if (h->tls != MXPROBE_TLS_OK) {
		if (h->connected && !*h->smtp_err)
			finding_add(f, "probe", "probe.tlsa-no-tls",
				FINDING_ERROR, "enable STARTTLS, or withdraw "
				"the TLSA records", "%s publishes TLSA records "
				"but offers no working TLS: DANE senders will "
				"not deliver", name);
		return;
	}
	if (h->dane != 1) {
		finding_add(f, "probe", "probe.tlsa-mismatch", FINDING_ERROR,
			"publish records for the certificate in use (or put "
			"the old certificate back); DANE senders will not "
			"deliver", "%s: no TLSA record matches the certificate: "
			"%s", name, h->dv.why);
		return;
	}
	r = &h->tlsa->rr[h->dv.match];
	finding_add(f, "probe", "probe.tlsa-match", FINDING_OK, NULL,
		"%s: TLSA %u %u %u matches certificate %d%s", name, r->usage,
		r->selector, r->mtype, h->dv.depth, h->tlsa_validated ?
		" (DNSSEC validated)" : " (the records are not DNSSEC-"
		"validated: DANE senders ignore them)");
}

void
mxprobe_check(const struct mxprobe *p, struct findings *f)
{
	size_t up = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct mxprobe_host *h = &p->h[i];

		if (!h->connected) {
			finding_add(f, "probe", "probe.connect", FINDING_WARN,
				"check that the host runs an SMTP server "
				"reachable from outside",
				"cannot connect to MX %u %s: %s", h->mx->pref,
				h->mx->name, h->conn_err);
		} else if (*h->smtp_err) {
			finding_add(f, "probe", "probe.smtp", FINDING_ERROR,
				"fix the server's greeting and EHLO (RFC 5321 "
				"4.3)", "MX %u %s does not start an SMTP "
				"session: %s", h->mx->pref, h->mx->name,
				h->smtp_err);
		} else {
			up++;
		}
		check_tls(p, h, f);
		check_tlsa(h, f);
	}
	if (p->n && !up)
		finding_add(f, "probe", "probe.unreachable", FINDING_ERROR,
			"make at least one MX host answer SMTP",
			"no MX host answers SMTP: mail cannot be "
			"delivered now");
}

static const char *
tls_name(enum mxprobe_tls t)
{
	static const char *const names[] = { NULL, "not-offered", "refused",
		"failed", "ok" };

	return names[t];
}

/* Text from a server, safe for a terminal. */
static void
add_safe(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++)
		buf_addch(out, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
			'?' : s[i]);
}

static void
add_lines(struct buf *out, const char *label, const char *raw)
{
	while (raw && *raw) {
		size_t n = strcspn(raw, "\r\n");

		buf_addf(out, "    %s", label);
		add_safe(out, raw, n);
		buf_addch(out, '\n');
		raw += n;
		while (*raw == '\r' || *raw == '\n')
			raw++;
	}
}

void
mxprobe_text(struct buf *out, const struct mxprobe *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct mxprobe_host *h = &p->h[i];

		buf_addf(out, "  %u %s %s%s%s:%u\n", h->mx->pref, h->mx->name,
			strchr(h->addr, ':') ? "[" : "", h->addr,
			strchr(h->addr, ':') ? "]" : "", p->o.port);
		if (!h->connected) {
			add_lines(out, "connect: ", h->conn_err);
			continue;
		}
		add_lines(out, "smtp: ", h->smtp_err);
		add_lines(out, "banner: ", h->greeting);
		if (h->tls != MXPROBE_TLS_UNKNOWN) {
			buf_addf(out, "    starttls: %s%s", tls_name(h->tls),
				*h->tls_err ? ": " : "");
			add_safe(out, h->tls_err, sizeof h->tls_err);
			buf_addch(out, '\n');
		}
		if (h->tls == MXPROBE_TLS_OK) {
			buf_addf(out, "    tls: %s %s\n", h->ti.version,
				h->ti.cipher);
			for (size_t k = 0; k < h->nchain; k++) {
				char sub[256], iss[256];

				certchk_names(&h->chain[k], sub, iss,
					sizeof sub);
				buf_addf(out, "    certificate %zu: %s (issuer "
					"%s)\n", k, sub, iss);
			}
			buf_addf(out, "    name: %s %s\n", h->name_ok ?
				"names" : "does not name", h->mx->name);
			buf_addf(out, "    pkix: %s%s\n", h->pkix == 1 ?
				"valid" : "not valid: ", h->pkix == 1 ? "" :
				h->pkix_why);
		}
		if (h->tlsa && h->tlsa->status == DNSMSG_OK)
			buf_addf(out, "    tlsa: %zu record%s at %s, %s\n",
				h->tlsa->nrr, h->tlsa->nrr == 1 ? "" : "s",
				h->tlsa_name, h->dane == 1 ? "one matches" :
				h->dane == -2 ? "not matched (no TLS)" :
				"none matches");
		else if (h->tlsa && mx_status_temporary(h->tlsa->status))
			buf_addf(out, "    tlsa: %s at %s\n",
				dnsmsg_status_name(h->tlsa->status),
				h->tlsa_name);
	}
}

static void
json_host(struct json *j, const struct mxprobe *p,
	const struct mxprobe_host *h)
{
	json_obj_begin(j);
	json_key(j, "host"); json_cstr(j, h->mx->name);
	json_key(j, "preference"); json_int(j, h->mx->pref);
	json_key(j, "address"); json_cstr(j, *h->addr ? h->addr : NULL);
	json_key(j, "port"); json_int(j, p->o.port);
	json_key(j, "connected"); json_bool(j, h->connected);
	json_key(j, "error");
	json_cstr(j, !h->connected ? h->conn_err :
		*h->smtp_err ? h->smtp_err : NULL);
	json_key(j, "greeting"); json_cstr(j, h->greeting);
	json_key(j, "ehlo"); json_cstr(j, h->ehlo);
	json_key(j, "starttls"); json_cstr(j, tls_name(h->tls));
	json_key(j, "starttls_error");
	json_cstr(j, *h->tls_err ? h->tls_err : NULL);
	json_key(j, "tls");
	tlsreport_json(j, h->tls == MXPROBE_TLS_OK ? &h->ti : NULL);
	json_key(j, "chain");
	json_arr_begin(j);
	for (size_t k = 0; k < h->nchain; k++) {
		char sub[256], iss[256];

		certchk_names(&h->chain[k], sub, iss, sizeof sub);
		json_obj_begin(j);
		json_key(j, "subject"); json_cstr(j, sub);
		json_key(j, "issuer"); json_cstr(j, iss);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "name_ok");
	if (h->tls == MXPROBE_TLS_OK)
		json_bool(j, h->name_ok);
	else
		json_null(j);
	json_key(j, "pkix");
	if (h->pkix >= 0)
		json_bool(j, h->pkix);
	else
		json_null(j);
	json_key(j, "pkix_error"); json_cstr(j, h->pkix == 0 ?
		h->pkix_why : NULL);
	json_key(j, "tlsa");
	json_obj_begin(j);
	json_key(j, "name"); json_cstr(j, *h->tlsa_name ? h->tlsa_name : NULL);
	json_key(j, "status");
	json_cstr(j, h->tlsa ? dnsmsg_status_name(h->tlsa->status) : NULL);
	json_key(j, "validated"); json_bool(j, h->tlsa_validated);
	json_key(j, "records");
	json_int(j, h->tlsa && h->tlsa->status == DNSMSG_OK ?
		(long long)h->tlsa->nrr : 0);
	json_key(j, "match");
	json_cstr(j, h->dane == 1 ? "match" : h->dane == -2 ? NULL :
		"mismatch");
	json_key(j, "matched_depth");
	if (h->dane == 1)
		json_int(j, h->dv.depth);
	else
		json_null(j);
	json_obj_end(j);
	json_obj_end(j);
}

void
mxprobe_json(struct json *j, const struct mxprobe *p)
{
	json_arr_begin(j);
	for (size_t i = 0; i < p->n; i++)
		json_host(j, p, &p->h[i]);
	json_arr_end(j);
}

void
mxprobe_release(struct mxprobe *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct mxprobe_host *h = &p->h[i];

		free(h->greeting);
		free(h->ehlo);
		buf_release(&h->transcript);
		for (size_t k = 0; k < h->nchain; k++)
			buf_release(&h->chain[k]);
		free(h->chain);
	}
	free(p->h);
	memset(p, 0, sizeof *p);
}
