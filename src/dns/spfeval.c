/*
 * spfeval.c: check_host(), RFC 7208 4 (the function), 4.3 (initial
 * processing), 4.4-4.5 (record lookup and selection), 4.6 (evaluation,
 * 4.6.4 the limits), 4.7-4.8 (default result, domain-spec), 5 (the
 * mechanisms), 6 (redirect, exp), 7 (macros: spfmacro.c).
 *
 * Where the RFC leaves a case open (a target name that cannot be asked,
 * the lookups of %{p}), the choice is said where it is made.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/util.h"
#include "dns/mx.h"
#include "dns/spf.h"
#include "dns/spfeval.h"
#include "dns/spfmacro.h"

#define LOOKUP_LIMIT 10
#define VOID_LIMIT 2
#define MX_LIMIT 10
#define PTR_LIMIT 10
#define DOMAIN_MAX 253
#define LABEL_MAX 63

/* What a term did: matched, did not, or ended the evaluation with the
 * result in *err (temperror, permerror). */
enum match { MATCH_NO, MATCH_YES, MATCH_ERR };

struct ev {
	struct dns *dns;
	struct spf_verdict *v;
	struct spf_macro_env env;
	/* the validated names of the address (5.5), looked up once */
	int ptr_done;
	enum dnsmsg_status ptr_status;
	char **pnames;
	size_t npnames;
};

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror",
		"permerror",
	};

	return names[r];
}

/* Set the reason of a none, permerror or temperror (the innermost wins:
 * it is set first). */
static void __attribute__((format(printf, 2, 3)))
why(struct ev *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->v->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ev->v->why, sizeof ev->v->why, fmt, ap);
	va_end(ap);
}

/* Can name be asked (labels of 1 to 63 octets, 253 in all, one final dot
 * allowed)? With fqdn, also: several labels, not an address (4.3). */
static int
name_ok(const char *name, int fqdn)
{
	size_t n = strlen(name), labels = 0;
	const char *p = name, *last = name;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	while (p < name + n) {
		const char *dot = memchr(p, '.', (size_t)(name + n - p));
		size_t len = dot ? (size_t)(dot - p) : (size_t)(name + n - p);

		if (len == 0 || len > LABEL_MAX)
			return 0;
		labels++;
		last = p;
		p += len + 1;
	}
	if (!fqdn)
		return 1;
	if (labels < 2 || strchr(name, '[') || mx_is_ip_literal(name))
		return 0;
	for (p = last; p < name + n; p++)
		if (!isdigit((unsigned char)*p))
			return 1;
	return 0;		/* an all-numeric top label */
}

/* ---- lookups ---- */

static void
on_answer(void *arg, struct dnsmsg *m)
{
	*(struct dnsmsg **)arg = m;
}

/* Ask the n questions (names[i], types[i]) at once; out[i] gets each
 * answer, or NULL when the wait itself failed. */
static void
ask_all(struct ev *ev, char *const *names, const int *types, size_t n,
	struct dnsmsg **out)
{
	struct err e;

	for (size_t i = 0; i < n; i++) {
		out[i] = NULL;
		dns_query(ev->dns, names[i], types[i], on_answer, &out[i]);
	}
	err_clear(&e);
	dns_run(ev->dns, &e);
}

static struct dnsmsg *
ask(struct ev *ev, const char *name, int type)
{
	struct dnsmsg *m;
	char *n = (char *)name;

	ask_all(ev, &n, &type, 1, &m);
	return m;
}

static int
temporary(const struct dnsmsg *m)
{
	return !m || mx_status_temporary(m->status);
}

static const char *
fail_text(const struct dnsmsg *m)
{
	return m ? m->why : "the DNS wait failed";
}

/* ---- addresses ---- */

static int
prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes) != 0)
		return 0;
	return !rest || ((a[bytes] ^ b[bytes]) & (0xff << (8 - rest))) == 0;
}

/* Is the address text (of the client's family) in the client's network
 * of bits? Text of the other family never is. */
static int
addr_match(const struct ev *ev, const char *text, int bits)
{
	unsigned char a[16];

	if (inet_pton(ev->env.family, text, a) != 1)
		return 0;
	return prefix_eq(a, ev->env.ip, bits);
}

/* ip4:/ip6: "addr[/len]", checked by spf_parse. */
static int
net_match(const struct ev *ev, const struct spf_term *t, int family)
{
	char addr[64];
	const char *slash = strchr(t->arg, '/');
	size_t n = slash ? (size_t)(slash - t->arg) : strlen(t->arg);

	if (family != ev->env.family || n >= sizeof addr)
		return 0;
	memcpy(addr, t->arg, n);
	addr[n] = '\0';
	return addr_match(ev, addr, slash ? atoi(slash + 1) :
		family == AF_INET ? 32 : 128);
}

static int
addr_type(const struct ev *ev)
{
	return ev->env.family == AF_INET ? DNSMSG_A : DNSMSG_AAAA;
}

/* Does one of the address answers hold the client in bits? */
static int
answer_match(const struct ev *ev, const struct dnsmsg *m, int bits)
{
	for (size_t i = 0; m && m->status == DNSMSG_OK && i < m->nrr; i++)
		if (addr_match(ev, m->rr[i].data, bits))
			return 1;
	return 0;
}

/* ---- names ---- */

/* The validated names of the address (5.5): its PTR names, the first 10,
 * whose own addresses hold it. Asked once per evaluation. */
static void
validate_ptr(struct ev *ev)
{
	struct buf rev = BUF_INIT;
	struct dnsmsg *ptr, *addrs[PTR_LIMIT];
	char *names[PTR_LIMIT] = { 0 };
	int types[PTR_LIMIT] = { 0 };
	size_t n = 0;

	if (ev->ptr_done)
		return;
	ev->ptr_done = 1;
	spf_macro_reverse_name(ev->env.family, ev->env.ip, &rev);
	ptr = ask(ev, rev.data, DNSMSG_PTR);
	buf_release(&rev);
	ev->ptr_status = ptr ? ptr->status : DNSMSG_TIMEOUT;
	for (size_t i = 0; ptr && ptr->status == DNSMSG_OK && i < ptr->nrr &&
	    n < PTR_LIMIT; i++) {
		if (!name_ok(ptr->rr[i].data, 0))
			continue;
		names[n] = ptr->rr[i].data;
		types[n++] = addr_type(ev);
	}
	ask_all(ev, names, types, n, addrs);
	/* A name whose lookup fails is skipped (5.5) */
	for (size_t i = 0; i < n; i++) {
		if (answer_match(ev, addrs[i], ev->env.family == AF_INET ?
			32 : 128)) {
			ev->pnames = xrealloc(ev->pnames,
				(ev->npnames + 1) * sizeof *ev->pnames);
			ev->pnames[ev->npnames++] = xstrdup(names[i]);
		}
		dnsmsg_free(addrs[i]);
	}
	dnsmsg_free(ptr);
}

/* Is name target, or below it? */
static int
in_domain(const char *name, const char *target)
{
	size_t n = strlen(name), t = strlen(target);

	if (t > 0 && target[t - 1] == '.')
		t--;
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n < t || mem_casecmp(name + n - t, target, t) != 0)
		return 0;
	return n == t || name[n - t - 1] == '.';
}

/* %{p} (7.3): the domain itself if validated, else a name below it, else
 * any validated name; NULL ("unknown") without one. Its lookups are the
 * ptr mechanism's and are not counted against the limit of 10, which
 * counts terms (4.6.4); they are made once. */
static const char *
ptr_macro(void *arg, const char *domain)
{
	struct ev *ev = arg;

	validate_ptr(ev);
	for (size_t i = 0; i < ev->npnames; i++)
		if (dnsmsg_name_cmp(ev->pnames[i], domain) == 0)
			return ev->pnames[i];
	for (size_t i = 0; i < ev->npnames; i++)
		if (in_domain(ev->pnames[i], domain))
			return ev->pnames[i];
	return ev->npnames ? ev->pnames[0] : NULL;
}

/* ---- terms ---- */

static void
term_text(const struct spf_term *t, struct buf *out)
{
	if (!t->qual) {
		buf_addf(out, "%s=%s", t->name, t->arg);
		return;
	}
	if (t->qual != '+')
		buf_addch(out, t->qual);
	buf_addstr(out, t->name);
	if (t->arg)
		buf_addf(out, ":%s", t->arg);
	if (!strcmp(t->name, "a") || !strcmp(t->name, "mx")) {
		if (t->cidr4 != 32)
			buf_addf(out, "/%d", t->cidr4);
		if (t->cidr6 != 128)
			buf_addf(out, "//%d", t->cidr6);
	}
}

/* The target name of a term (4.8): its domain-spec expanded, or the
 * current domain. -1 with a permerror when a macro does not expand. */
static int
target(struct ev *ev, const struct spf_term *t, struct buf *out)
{
	char err[96];

	if (!t->arg) {
		buf_addstr(out, ev->env.domain);
		return 0;
	}
	if (spf_macro_expand(t->arg, &ev->env, SPF_MACRO_DOMAIN, out, err,
		sizeof err) == 0)
		return 0;
	why(ev, "%s in %s: %s", t->arg, ev->env.domain, err);
	return -1;
}

/* Count a term that costs a lookup; 0, or -1 past the limit. */
static int
count_lookup(struct ev *ev, const struct spf_term *t)
{
	if (++ev->v->lookups <= LOOKUP_LIMIT)
		return 0;
	why(ev, "more than %d DNS lookups (at %s=%s in %s)", LOOKUP_LIMIT,
		t->name, t->arg ? t->arg : ev->env.domain, ev->env.domain);
	return -1;
}

/* Count a lookup of name that found nothing (st NXDOMAIN or NODATA); 0,
 * or -1 past the limit. */
static int
count_void(struct ev *ev, enum dnsmsg_status st, const char *name)
{
	if (st != DNSMSG_NXDOMAIN && st != DNSMSG_NODATA)
		return 0;
	if (++ev->v->voids <= VOID_LIMIT)
		return 0;
	why(ev, "more than %d void lookups (%s found nothing)", VOID_LIMIT,
		name);
	return -1;
}

static enum spf_result check_host(struct ev *ev, const char *domain,
	int want_exp, char **expl);

/* include (5.2): the target's result, mapped as the table of 5.2 says. */
static enum match
do_include(struct ev *ev, const char *name, enum spf_result *err)
{
	const char *saved = ev->env.domain;
	enum spf_result r = check_host(ev, name, 0, NULL);

	ev->env.domain = saved;
	switch (r) {
	case SPF_PASS:
		return MATCH_YES;
	case SPF_FAIL:
	case SPF_SOFTFAIL:
	case SPF_NEUTRAL:
		return MATCH_NO;
	case SPF_NONE:
		ev->v->why[0] = '\0';
		why(ev, "include:%s in %s: %s has no SPF record", name, saved,
			name);
		/* fall through */
	default:
		*err = r == SPF_TEMPERROR ? SPF_TEMPERROR : SPF_PERMERROR;
		return MATCH_ERR;
	}
}

/* a (5.3) and exists (5.7): the addresses of name. */
static enum match
do_addrs(struct ev *ev, const char *name, int type, int bits,
	enum spf_result *err)
{
	struct dnsmsg *m;
	enum match r = MATCH_NO;

	/* A target that cannot be asked (an empty label, a label over 63
	 * octets, after expansion) is a name that does not exist: no match,
	 * as for the <domain> in 4.3 (rfc7208-tests invalid-domain-long
	 * accept this or permerror). */
	if (!name_ok(name, 0))
		return MATCH_NO;
	m = ask(ev, name, type);
	if (temporary(m)) {
		why(ev, "%s %s: %s", name, dnsmsg_type_name(type),
			fail_text(m));
		*err = SPF_TEMPERROR;
		r = MATCH_ERR;
	} else if (count_void(ev, m->status, name) < 0) {
		*err = SPF_PERMERROR;
		r = MATCH_ERR;
	} else if (type == DNSMSG_A && bits < 0) {
		r = m->status == DNSMSG_OK ? MATCH_YES : MATCH_NO;
	} else {
		r = answer_match(ev, m, bits) ? MATCH_YES : MATCH_NO;
	}
	dnsmsg_free(m);
	return r;
}

/* mx (5.4): the addresses of at most 10 MX names, asked together. */
static enum match
do_mx(struct ev *ev, const char *name, int bits, enum spf_result *err)
{
	struct dnsmsg *m, *addrs[MX_LIMIT];
	char *names[MX_LIMIT];
	int types[MX_LIMIT], temp = 0;
	size_t n = 0;
	enum match r = MATCH_NO;

	if (!name_ok(name, 0))
		return MATCH_NO;
	m = ask(ev, name, DNSMSG_MX);
	if (temporary(m)) {
		why(ev, "%s MX: %s", name, fail_text(m));
		*err = SPF_TEMPERROR;
		dnsmsg_free(m);
		return MATCH_ERR;
	}
	if (count_void(ev, m->status, name) < 0) {
		*err = SPF_PERMERROR;
		dnsmsg_free(m);
		return MATCH_ERR;
	}
	for (size_t i = 0; i < m->nrr; i++) {
		if (!m->rr[i].data[0])
			continue;	/* a null MX (RFC 7505): no host */
		if (n == MX_LIMIT) {
			why(ev, "mx:%s has more than %d MX names (4.6.4)",
				name, MX_LIMIT);
			*err = SPF_PERMERROR;
			dnsmsg_free(m);
			return MATCH_ERR;
		}
		names[n] = m->rr[i].data;
		types[n++] = addr_type(ev);
	}
	ask_all(ev, names, types, n, addrs);
	/* Any match decides; a failed lookup matters only without one, so
	 * the result does not depend on the order of the answers. */
	for (size_t i = 0; i < n; i++) {
		if (answer_match(ev, addrs[i], bits))
			r = MATCH_YES;
		else if (temporary(addrs[i]) && !temp)
			temp = (int)i + 1;
	}
	if (r == MATCH_NO && temp) {
		why(ev, "%s %s (MX of %s): %s", names[temp - 1],
			dnsmsg_type_name(types[temp - 1]), name,
			fail_text(addrs[temp - 1]));
		*err = SPF_TEMPERROR;
		r = MATCH_ERR;
	}
	for (size_t i = 0; i < n; i++)
		dnsmsg_free(addrs[i]);
	dnsmsg_free(m);
	return r;
}

/* ptr (5.5): a validated name at or below the target. A failed PTR lookup
 * is no match, never temperror. */
static enum match
do_ptr(struct ev *ev, const char *name, enum spf_result *err)
{
	validate_ptr(ev);
	if (count_void(ev, ev->ptr_status, "the PTR lookup") < 0) {
		*err = SPF_PERMERROR;
		return MATCH_ERR;
	}
	for (size_t i = 0; i < ev->npnames; i++)
		if (in_domain(ev->pnames[i], name))
			return MATCH_YES;
	return MATCH_NO;
}

/* One mechanism of the record at ev->env.domain. */
static enum match
mechanism(struct ev *ev, const struct spf_term *t, enum spf_result *err)
{
	struct buf name = BUF_INIT;
	int v4 = ev->env.family == AF_INET;
	enum match r;

	if (!strcmp(t->name, "all"))
		return MATCH_YES;
	if (!strcmp(t->name, "ip4"))
		return net_match(ev, t, AF_INET) ? MATCH_YES : MATCH_NO;
	if (!strcmp(t->name, "ip6"))
		return net_match(ev, t, AF_INET6) ? MATCH_YES : MATCH_NO;
	*err = SPF_PERMERROR;
	if (count_lookup(ev, t) < 0 || target(ev, t, &name) < 0) {
		buf_release(&name);
		return MATCH_ERR;
	}
	if (!strcmp(t->name, "include"))
		r = do_include(ev, name.data, err);
	else if (!strcmp(t->name, "a"))
		r = do_addrs(ev, name.data, addr_type(ev),
			v4 ? t->cidr4 : t->cidr6, err);
	else if (!strcmp(t->name, "exists"))
		r = do_addrs(ev, name.data, DNSMSG_A, -1, err);
	else if (!strcmp(t->name, "mx"))
		r = do_mx(ev, name.data, v4 ? t->cidr4 : t->cidr6, err);
	else
		r = do_ptr(ev, name.data, err);
	buf_release(&name);
	return r;
}

/* exp= (6.2): the explanation, or NULL when anything is wrong with it
 * (then it is as if there were none). Its lookup is not counted. */
static char *
explain(struct ev *ev, const struct spf_term *t)
{
	struct buf name = BUF_INIT, text = BUF_INIT;
	struct dnsmsg *m = NULL;
	char err[96];

	if (spf_macro_expand(t->arg, &ev->env, SPF_MACRO_DOMAIN, &name, err,
		sizeof err) < 0 || !name_ok(name.data, 0))
		goto out;
	m = ask(ev, name.data, DNSMSG_TXT);
	if (!m || m->status != DNSMSG_OK || m->nrr != 1 ||
	    memchr(m->rr[0].data, '\0', m->rr[0].len))
		goto out;
	if (spf_macro_expand(m->rr[0].data, &ev->env, SPF_MACRO_EXP, &text,
		err, sizeof err) < 0)
		buf_release(&text);
out:
	dnsmsg_free(m);
	buf_release(&name);
	return text.data;
}

static size_t
add_step(struct ev *ev, const char *domain, const char *record)
{
	struct spf_verdict *v = ev->v;
	struct spf_step *s;

	v->steps = xrealloc(v->steps, (v->nsteps + 1) * sizeof *v->steps);
	s = &v->steps[v->nsteps];
	s->domain = xstrdup(domain);
	s->record = record ? xstrdup(record) : NULL;
	s->term = NULL;
	return v->nsteps++;
}

static void
drop_steps(struct spf_verdict *v, size_t from)
{
	while (v->nsteps > from) {
		struct spf_step *s = &v->steps[--v->nsteps];

		free(s->domain);
		free(s->record);
		free(s->term);
	}
}

static void
set_term(struct ev *ev, size_t step, const struct spf_term *t)
{
	struct buf b = BUF_INIT;

	term_text(t, &b);
	free(ev->v->steps[step].term);
	ev->v->steps[step].term = buf_detach(&b, NULL);
}

static enum spf_result
qualifier(char q)
{
	switch (q) {
	case '-': return SPF_FAIL;
	case '~': return SPF_SOFTFAIL;
	case '?': return SPF_NEUTRAL;
	default: return SPF_PASS;
	}
}

/* The TXT answer's one SPF record into *record; the result when there is
 * not exactly one (4.4, 4.5), or SPF_PASS to go on. */
static enum spf_result
select_record(struct ev *ev, const char *domain, const struct dnsmsg *m,
	const struct dnsmsg_rr **record)
{
	int n = 0;

	if (temporary(m)) {
		why(ev, "%s TXT: %s", domain, fail_text(m));
		return SPF_TEMPERROR;
	}
	if (m->status == DNSMSG_NXDOMAIN) {
		why(ev, "%s does not exist", domain);
		return SPF_NONE;
	}
	for (size_t i = 0; i < m->nrr; i++)
		if (spf_is_record(m->rr[i].data, m->rr[i].len) && !n++)
			*record = &m->rr[i];
	if (n == 0) {
		why(ev, "%s has no SPF record", domain);
		return SPF_NONE;
	}
	if (n > 1) {
		why(ev, "%s has %d SPF records (4.5)", domain, n);
		return SPF_PERMERROR;
	}
	return SPF_PASS;
}

/* Evaluate the record of domain (4.6.2): the mechanisms left to right,
 * then redirect (6.1), then the default neutral (4.7). Adds its step
 * (and those of the include or redirect that decided) to ev->v. */
static enum spf_result
check_host(struct ev *ev, const char *domain, int want_exp, char **expl)
{
	struct spf_term *terms = NULL, *redirect = NULL, *exp = NULL;
	struct dnsmsg *m = NULL;
	const struct dnsmsg_rr *rec = NULL;
	char err[160];
	size_t nterms = 0, step, mark;
	enum spf_result r;
	int has_all = 0;

	if (!name_ok(domain, 1)) {
		why(ev, "\"%s\" is not a valid domain name (4.3)", domain);
		add_step(ev, domain, NULL);
		return SPF_NONE;
	}
	m = ask(ev, domain, DNSMSG_TXT);
	r = select_record(ev, domain, m, &rec);
	step = add_step(ev, domain, r == SPF_PASS ? rec->data : NULL);
	if (r != SPF_PASS) {
		if (r == SPF_TEMPERROR && step == 0)
			ev->v->unjudged = 1;
		goto out;
	}
	r = SPF_PERMERROR;
	if (memchr(rec->data, '\0', rec->len)) {
		why(ev, "the SPF record of %s holds a NUL byte", domain);
		goto out;
	}
	if (spf_parse(rec->data, &terms, &nterms, err, sizeof err) < 0) {
		why(ev, "the SPF record of %s does not parse: %s", domain,
			err);
		goto out;
	}
	ev->env.domain = domain;
	for (size_t i = 0; i < nterms; i++) {
		if (!strcmp(terms[i].name, "all"))
			has_all = 1;
		else if (!strcmp(terms[i].name, "redirect"))
			redirect = &terms[i];
		else if (!strcmp(terms[i].name, "exp"))
			exp = &terms[i];
	}
	for (size_t i = 0; i < nterms; i++) {
		const struct spf_term *t = &terms[i];
		enum match hit;

		if (!t->qual)
			continue;	/* a modifier */
		mark = ev->v->nsteps;
		hit = mechanism(ev, t, &r);
		ev->env.domain = domain;
		if (hit == MATCH_NO) {
			drop_steps(ev->v, mark);
			continue;
		}
		set_term(ev, step, t);
		if (hit == MATCH_ERR)
			goto out;
		r = qualifier(t->qual);
		if (r == SPF_FAIL && want_exp && exp)
			*expl = explain(ev, exp);
		goto out;
	}
	/* 6.1: a redirect is ignored when the record has all */
	if (redirect && !has_all) {
		struct buf name = BUF_INIT;

		set_term(ev, step, redirect);
		if (count_lookup(ev, redirect) < 0 ||
		    target(ev, redirect, &name) < 0) {
			buf_release(&name);
			r = SPF_PERMERROR;
			goto out;
		}
		r = check_host(ev, name.data, want_exp, expl);
		if (r == SPF_NONE) {
			ev->v->why[0] = '\0';
			why(ev, "redirect=%s in %s: %s has no SPF record or "
				"is not a domain", redirect->arg, domain,
				name.data);
			r = SPF_PERMERROR;
		}
		buf_release(&name);
		goto out;
	}
	r = SPF_NEUTRAL;
out:
	spf_terms_free(terms, nterms);
	dnsmsg_free(m);
	return r;
}

/* The sender's parts (4.3): no local part is "postmaster"; an empty
 * sender is postmaster@helo. */
static void
split_sender(const struct spf_query *q, struct buf *sender, char **local,
	char **sdomain)
{
	const char *at;

	if (!q->sender || !q->sender[0])
		buf_addf(sender, "postmaster@%s", q->helo ? q->helo :
			q->domain);
	else if (!strchr(q->sender, '@'))
		buf_addf(sender, "postmaster@%s", q->sender);
	else if (q->sender[0] == '@')
		buf_addf(sender, "postmaster%s", q->sender);
	else
		buf_addstr(sender, q->sender);
	at = strrchr(sender->data, '@');
	*local = xmemdup(sender->data, (size_t)(at - sender->data));
	*sdomain = xstrdup(at + 1);
}

int
spf_check_host(struct dns *d, const struct spf_query *q,
	struct spf_verdict *v)
{
	struct ev ev = { .dns = d, .v = v };
	struct buf sender = BUF_INIT;
	unsigned char a[16];
	char *local, *sdomain, *expl = NULL;

	if (inet_pton(AF_INET, q->ip, a) == 1) {
		ev.env.family = AF_INET;
		memcpy(ev.env.ip, a, 4);
	} else if (inet_pton(AF_INET6, q->ip, a) == 1) {
		/* an IPv4-mapped address is IPv4 (5) */
		static const unsigned char mapped[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
		};

		if (memcmp(a, mapped, sizeof mapped) == 0) {
			ev.env.family = AF_INET;
			memcpy(ev.env.ip, a + 12, 4);
		} else {
			ev.env.family = AF_INET6;
			memcpy(ev.env.ip, a, 16);
		}
	} else {
		snprintf(v->why, sizeof v->why, "\"%s\" is not an IP address",
			q->ip);
		return -1;
	}
	split_sender(q, &sender, &local, &sdomain);
	ev.env.sender = sender.data;
	ev.env.local = local;
	ev.env.sdomain = sdomain;
	ev.env.domain = q->domain;
	ev.env.helo = q->helo ? q->helo : "unknown";
	ev.env.receiver = q->receiver;
	ev.env.now = q->now;
	ev.env.ptr = ptr_macro;
	ev.env.ptr_arg = &ev;
	v->result = check_host(&ev, q->domain, 1, &expl);
	v->explanation = expl;
	if (v->result != SPF_NONE && v->result != SPF_PERMERROR &&
	    v->result != SPF_TEMPERROR)
		v->why[0] = '\0';
	for (size_t i = 0; i < ev.npnames; i++)
		free(ev.pnames[i]);
	free(ev.pnames);
	free(local);
	free(sdomain);
	buf_release(&sender);
	return 0;
}

void
spf_verdict_release(struct spf_verdict *v)
{
	drop_steps(v, 0);
	free(v->steps);
	free(v->explanation);
	memset(v, 0, sizeof *v);
}
