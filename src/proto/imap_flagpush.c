/*
 * imap_flagpush.c: flags pushed with UNCHANGEDSINCE (see imap_flagpush.h).
 *
 * RFC 7162 3.1.3 (STORE UNCHANGEDSINCE, [MODIFIED]), 3.1.4 (MODSEQ in
 * FETCH responses)
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/uidfind.h"
#include "base/util.h"
#include "proto/imap_flagpush.h"
#include "proto/imap_ops.h"
#include "proto/imap_set.h"
#include "store/syncstate.h"

/* Rounds of STORE (and FETCH of what was modified) at most. */
#define ROUNDS 4

struct push {
	struct imap_flagpush *v;
	size_t n;
};

/* One command's worth: an operation on one mask against one modseq. */
struct group {
	char op;			/* '+' or '-' */
	unsigned char mask;
	unsigned long long modseq;
	unsigned long long uid;
};

static struct imap_flagpush *
find(const struct push *p, unsigned long long uid)
{
	size_t i = UIDFIND(p->v, p->n, struct imap_flagpush, uid, uid);

	return i < p->n ? &p->v[i] : NULL;
}

/* A FETCH of one of ours (a STORE's, or the FETCH after MODIFIED): its
 * system flags and mod-sequence. */
static int
on_fetch(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct push *p = ctx;
	struct imap_flagpush *f;
	unsigned long long uid, ms;
	size_t u, fl, m;
	char info[8];

	(void)e;
	if (r->status != IMAP_ST_NONE || strcmp(r->name, "FETCH"))
		return 0;
	u = imap_fetch_item(r, "UID");
	fl = imap_fetch_item(r, "FLAGS");
	m = imap_fetch_item(r, "MODSEQ");
	if (!u || !fl || imap_tok_num(r, u, &uid) < 0 || !(f = find(p, uid)))
		return 0;
	imap_maildir_info(r, fl, info);
	f->got = (unsigned char)syncstate_from_letters(info, strlen(info));
	f->got_modseq = 0;
	if (m && r->tok[m].type == IMAP_TOK_LIST && m + 1 < r->tok[m].end &&
	    imap_tok_num(r, m + 1, &ms) == 0)
		f->got_modseq = ms;
	f->seen = 1;
	return 0;
}

/* A STORE's tagged reply: [MODIFIED set] names those left unchanged. */
static int
on_tagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct push *p = ctx;
	unsigned long long a, b;
	const char *s;
	size_t len, i = 0, k;
	char code[16];

	(void)e;
	imap_resp_code(r, code, sizeof code);
	if (strcmp(code, "MODIFIED") || r->code + 1 >= r->code_end)
		return 0;
	s = imap_tok_str(r, r->code + 1, &len);
	while (imap_set_range(s, len, &i, &a, &b) > 0) {
		k = UIDFIND_FIRST(p->v, p->n, struct imap_flagpush, uid, a);
		for (; k < p->n && p->v[k].uid <= b; k++)
			p->v[k].modified = 1;
	}
	return 0;
}

static int
by_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	if (a->modseq != b->modseq)
		return a->modseq < b->modseq ? -1 : 1;
	return a->uid < b->uid ? -1 : a->uid > b->uid;
}

/* The STOREs of groups g[0..n) (sorted), a command per run. */
static int
store_groups(struct imap *im, const struct group *g, size_t n,
	const struct imap_handler *h, struct err *e)
{
	struct imap_uids u = { NULL, 0, 0 };
	struct buf sets = BUF_INIT;
	size_t i = 0, j;
	int rc = 0;

	while (i < n && rc == 0) {
		char op[8], names[64], list[70];

		for (j = i; j < n && g[j].op == g[i].op &&
		    g[j].mask == g[i].mask && g[j].modseq == g[i].modseq; j++)
			imap_uids_add(&u, g[j].uid);
		snprintf(op, sizeof op, "%cFLAGS", g[i].op);
		syncstate_imap_names(g[i].mask, names);
		snprintf(list, sizeof list, "(%s)", names);
		buf_reset(&sets);
		imap_uids_sets(&u, IMAP_SET_MAX, &sets);
		rc = imap_store_unchanged(im, sets.data, g[i].modseq, op,
			list, h, e);
		u.n = 0;
		i = j;
	}
	imap_uids_release(&u);
	buf_release(&sets);
	return rc;
}

/*
 * One round: each message still pending gets its added flags (or, when
 * none, its removed ones) against its modseq. Returns how many commands'
 * worth of messages went, or -1.
 */
static int
round_store(struct imap *im, struct push *p, unsigned long long modseq,
	struct err *e)
{
	struct imap_handler h = { p, on_fetch, on_tagged, NULL };
	struct group *g = xmalloc((p->n + 1) * sizeof(*g));
	size_t i, n = 0;
	int rc;

	for (i = 0; i < p->n; i++) {
		struct imap_flagpush *f = &p->v[i];
		unsigned add = f->want & ~f->base, del = f->base & ~f->want;

		f->seen = f->modified = 0;
		if (f->result == IMAP_FLAGPUSH_PENDING && !add && !del)
			f->result = IMAP_FLAGPUSH_DONE;
		if (f->result != IMAP_FLAGPUSH_PENDING)
			continue;
		g[n].op = add ? '+' : '-';
		g[n].mask = (unsigned char)(add ? add : del);
		g[n].modseq = f->modseq ? f->modseq : modseq;
		g[n].uid = f->uid;
		n++;
	}
	if (n)
		qsort(g, n, sizeof(*g), by_group);
	rc = store_groups(im, g, n, &h, e) < 0 ? -1 : (int)(n > 0);
	free(g);
	return rc;
}

/* The server's flags read (got) when it had was: the changes it made
 * since win, flag by flag, over what is still to push. */
static void
learn(struct imap_flagpush *f, unsigned was)
{
	f->want = (unsigned char)syncstate_merge(was, f->want, f->got);
	f->base = f->got;
	f->modseq = f->got_modseq;
	if (f->want == f->base)
		f->result = IMAP_FLAGPUSH_DONE;
}

/* After a STORE that left a message alone (or said nothing of it): read
 * its flags again and judge. */
static int
refetch(struct imap *im, struct push *p, struct err *e)
{
	struct imap_handler h = { p, on_fetch, NULL, NULL };
	struct imap_uids u = { NULL, 0, 0 };
	struct buf sets = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->n; i++) {
		struct imap_flagpush *f = &p->v[i];

		if (f->result == IMAP_FLAGPUSH_PENDING &&
		    (f->modified || !f->seen)) {
			imap_uids_add(&u, f->uid);
			f->seen = 0;
		} else {
			f->modified = 0;	/* not asked again */
		}
	}
	if (u.n) {
		imap_uids_sets(&u, IMAP_SET_MAX, &sets);
		rc = imap_fetch(im, sets.data, "(UID FLAGS MODSEQ)", &h, e);
	}
	for (i = 0; i < p->n && rc == 0; i++) {
		struct imap_flagpush *f = &p->v[i];

		if (f->result != IMAP_FLAGPUSH_PENDING || !f->modified)
			continue;
		if (f->seen)
			learn(f, f->base);
		else
			f->result = IMAP_FLAGPUSH_GONE;
	}
	imap_uids_release(&u);
	buf_release(&sets);
	return rc;
}

/* What a round's STORE responses say of each message it stored. */
static void
judge_stored(struct push *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct imap_flagpush *f = &p->v[i];
		unsigned add = f->want & ~f->base, del = f->base & ~f->want;
		unsigned expect = add ? f->base | add : f->base & ~del;

		if (f->result != IMAP_FLAGPUSH_PENDING || f->modified)
			continue;
		if (!f->seen) {
			f->modified = 1;	/* said nothing: ask */
			continue;
		}
		learn(f, expect);	/* more than ours: changed since */
		if (!f->modseq && f->result == IMAP_FLAGPUSH_PENDING)
			f->modified = 1;	/* no MODSEQ: ask */
	}
}

int
imap_flagpush(struct imap *im, struct imap_flagpush *v, size_t n,
	unsigned long long modseq, struct err *e)
{
	struct push p = { v, n };
	int r, sent;

	for (r = 0; r < ROUNDS; r++) {
		sent = round_store(im, &p, modseq, e);
		if (sent <= 0)
			return sent;
		judge_stored(&p);
		if (refetch(im, &p, e) < 0)
			return -1;
	}
	return 0;
}
