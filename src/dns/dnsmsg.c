/*
 * dnsmsg.c: what one DNS answer means, and its record data decoded.
 * RFC 1035 (the message), RFC 2308 (NXDOMAIN and NODATA), RFC 1034 3.6.2
 * (CNAME chains), RFC 3596 (AAAA), RFC 6698 2.1 (TLSA), RFC 7208 3.3 (TXT
 * strings joined).
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "dns/dnsmsg.h"

#define CHAIN_MAX 16

static const struct {
	int type;
	const char *name;
} types[] = {
	{ DNSMSG_A, "A" }, { DNSMSG_CNAME, "CNAME" }, { DNSMSG_MX, "MX" },
	{ DNSMSG_TXT, "TXT" }, { DNSMSG_AAAA, "AAAA" },
	{ DNSMSG_TLSA, "TLSA" }, { DNSMSG_PTR, "PTR" },
};

const char *
dnsmsg_type_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return NULL;
}

int
dnsmsg_type_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (strlen(name) == strlen(types[i].name) &&
		    mem_casecmp(name, types[i].name, strlen(name)) == 0)
			return types[i].type;
	return -1;
}

const char *
dnsmsg_status_name(enum dnsmsg_status s)
{
	static const char *const names[] = {
		"ok", "nodata", "nxdomain", "servfail", "refused", "timeout",
		"bad-answer",
	};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "?";
}

int
dnsmsg_name_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return 1;
	return mem_casecmp(a, b, la) != 0;
}

void
dnsmsg_release(struct dnsmsg *m)
{
	free(m->qname);
	free(m->canon);
	for (size_t i = 0; i < m->ncnames; i++)
		free(m->cnames[i]);
	free(m->cnames);
	for (size_t i = 0; i < m->nrr; i++)
		free(m->rr[i].data);
	free(m->rr);
	memset(m, 0, sizeof *m);
}

void
dnsmsg_free(struct dnsmsg *m)
{
	if (m) {
		dnsmsg_release(m);
		free(m);
	}
}

/* Mark m malformed: no records, no chain, only why. */
static int
bad(struct dnsmsg *m, struct err *e, const char *what)
{
	for (size_t i = 0; i < m->nrr; i++)
		free(m->rr[i].data);
	free(m->rr);
	m->rr = NULL;
	m->nrr = 0;
	for (size_t i = 0; i < m->ncnames; i++)
		free(m->cnames[i]);
	free(m->cnames);
	m->cnames = NULL;
	m->ncnames = 0;
	m->status = DNSMSG_BAD;
	snprintf(m->why, sizeof m->why, "%s", what);
	return err_set(e, ERR_PROTOCOL, "%s %s: malformed answer: %s",
		m->qname ? m->qname : "?", dnsmsg_type_name(m->qtype) ?
		dnsmsg_type_name(m->qtype) : "?", what);
}

/* Expand the name at p (inside msg) into out, the root as "". The number of
 * bytes the name takes at p, or -1. */
static int
expand(const ns_msg *h, const unsigned char *p, char *out, size_t size)
{
	int n = dn_expand(ns_msg_base(*h), ns_msg_end(*h), p, out, (int)size);

	if (n >= 0 && strcmp(out, ".") == 0)
		out[0] = '\0';
	return n;
}

/* Decode the data of one record of the type asked for into rr. */
static int
decode(const ns_msg *h, const ns_rr *r, struct dnsmsg_rr *rr,
	const char **why)
{
	const unsigned char *d = ns_rr_rdata(*r);
	size_t len = ns_rr_rdlen(*r);
	char name[NS_MAXDNAME];
	char addr[INET6_ADDRSTRLEN];
	int n;

	rr->type = ns_rr_type(*r);
	rr->ttl = ns_rr_ttl(*r);
	switch (rr->type) {
	case DNSMSG_A:
	case DNSMSG_AAAA:
		if (len != (rr->type == DNSMSG_A ? 4u : 16u))
			return *why = "address of the wrong length", -1;
		inet_ntop(rr->type == DNSMSG_A ? AF_INET : AF_INET6, d, addr,
			sizeof addr);
		rr->data = xstrdup(addr);
		break;
	case DNSMSG_MX:
		if (len < 3)
			return *why = "MX record too short", -1;
		rr->pref = (unsigned)d[0] << 8 | d[1];
		n = expand(h, d + 2, name, sizeof name);
		if (n < 0 || (size_t)n + 2 != len)
			return *why = "MX exchange does not parse", -1;
		rr->data = xstrdup(name);
		break;
	case DNSMSG_CNAME:
	case DNSMSG_PTR:
		n = expand(h, d, name, sizeof name);
		if (n < 0 || (size_t)n != len)
			return *why = rr->type == DNSMSG_PTR ?
				"PTR name does not parse" :
				"CNAME target does not parse", -1;
		rr->data = xstrdup(name);
		break;
	case DNSMSG_TXT:
		rr->data = xmalloc(len + 1);
		for (size_t i = 0; i < len; i += 1 + d[i]) {
			if (i + 1 + d[i] > len)
				return *why = "TXT string runs past its record",
					-1;
			memcpy(rr->data + rr->len, d + i + 1, d[i]);
			rr->len += d[i];
			rr->nstrings++;
		}
		rr->data[rr->len] = '\0';
		return 0;
	case DNSMSG_TLSA:
		if (len < 3)
			return *why = "TLSA record too short", -1;
		rr->usage = d[0];
		rr->selector = d[1];
		rr->mtype = d[2];
		rr->data = xmemdup(d + 3, len - 3);
		rr->len = len - 3;
		return 0;
	default:
		rr->data = xmemdup(d, len);
		rr->len = len;
		return 0;
	}
	rr->len = strlen(rr->data);
	return 0;
}

int
dnsmsg_parse(struct dnsmsg *m, const unsigned char *msg, size_t len,
	const char *qname, int qtype, struct err *e)
{
	ns_msg h;
	ns_rr r;
	const char *why = NULL;
	char target[NS_MAXDNAME];
	int count;

	if (!m->qname)
		m->qname = xstrdup(qname);
	m->qtype = qtype;
	m->rcode = -1;
	if (ns_initparse(msg, (int)len, &h) < 0)
		return bad(m, e, "header or counts do not parse");
	m->rcode = ns_msg_getflag(h, ns_f_rcode);
	m->ad = ns_msg_getflag(h, ns_f_ad);
	m->tc = ns_msg_getflag(h, ns_f_tc);
	count = ns_msg_count(h, ns_s_an);

	/* Every record must parse, even those we do not use: a message with
	 * a broken record is not an answer to trust. */
	for (int i = 0; i < count; i++)
		if (ns_parserr(&h, ns_s_an, i, &r) < 0)
			return bad(m, e, "answer record does not parse");

	/* The CNAME chain from the question (not followed when CNAME is
	 * what was asked). */
	m->canon = xstrdup(qname);
	for (int hop = 0; qtype != DNSMSG_CNAME; hop++) {
		int found = 0;

		for (int i = 0; i < count && !found; i++) {
			ns_parserr(&h, ns_s_an, i, &r);
			if (ns_rr_type(r) != ns_t_cname ||
			    ns_rr_class(r) != ns_c_in ||
			    dnsmsg_name_cmp(ns_rr_name(r), m->canon) != 0)
				continue;
			if (expand(&h, ns_rr_rdata(r), target, sizeof target) !=
			    (int)ns_rr_rdlen(r))
				return bad(m, e, "CNAME target does not parse");
			found = 1;
		}
		if (!found)
			break;
		if (hop == CHAIN_MAX)
			return bad(m, e, "CNAME chain too long");
		m->cnames = xrealloc(m->cnames,
			(m->ncnames + 1) * sizeof *m->cnames);
		m->cnames[m->ncnames++] = xstrdup(target);
		free(m->canon);
		m->canon = xstrdup(target);
	}

	for (int i = 0; i < count; i++) {
		struct dnsmsg_rr *rr;

		ns_parserr(&h, ns_s_an, i, &r);
		if ((int)ns_rr_type(r) != qtype || ns_rr_class(r) != ns_c_in ||
		    dnsmsg_name_cmp(ns_rr_name(r), m->canon) != 0)
			continue;
		m->rr = xrealloc(m->rr, (m->nrr + 1) * sizeof *m->rr);
		rr = memset(&m->rr[m->nrr++], 0, sizeof *m->rr);
		if (decode(&h, &r, rr, &why) < 0)
			return bad(m, e, why);
	}

	switch (m->rcode) {
	case ns_r_noerror:
		m->status = m->nrr ? DNSMSG_OK : DNSMSG_NODATA;
		break;
	case ns_r_nxdomain:
		m->status = DNSMSG_NXDOMAIN;
		break;
	case ns_r_servfail:
		m->status = DNSMSG_SERVFAIL;
		snprintf(m->why, sizeof m->why, "server failure");
		break;
	case ns_r_refused:
		m->status = DNSMSG_REFUSED;
		snprintf(m->why, sizeof m->why, "query refused");
		break;
	default:
		snprintf(target, sizeof target, "rcode %d", m->rcode);
		return bad(m, e, target);
	}
	return 0;
}

void
dnsmsg_add_safe(struct buf *out, const char *s)
{
	for (; *s; s++)
		buf_addch(out, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' :
			*s);
}
