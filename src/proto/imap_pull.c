/* imap_pull.c: see imap_pull.h. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/uidfind.h"
#include "base/util.h"
#include "proto/imap_flagpush.h"
#include "proto/imap_ops.h"
#include "proto/imap_pull.h"
#include "proto/imap_set.h"
#include "store/mdirsync.h"
#include "store/syncstate.h"
#include "store/tolf.h"

/* New messages per durable batch (write, fsync, rename, state). */
#define PULL_BATCH 500
/* Bytes of a message gathered before a write(2): a TLS record is a few
 * KiB, and a write per record was most of the system calls of a pull. */
#define PULL_WRITE_MIN (64u << 10)
#define GONE 0xff

struct pull {
	struct imap_pull *ip;
	struct imap *im;
	const struct imap_pull_opts *o;
	struct imap_pull_result *r;
	const char *folder;
	char *spath;
	struct syncstate st;
	struct mdirsync m;
	int m_open;
	/* the server's flags of st.v[i] (GONE: expunged) */
	unsigned char *rf;
	int full;		/* rf starts GONE: a FETCH 1:* tells all */
	unsigned long long uv, uidnext, modseq;
	struct imap_uids fresh;	/* UIDs to fetch */
	/* the message being fetched */
	struct tolf tolf;
	struct buf lf;
	unsigned long done, total;
	int delim;
};

/* ---- helpers ---- */

/* Write the state when it changed (an unchanged pull writes nothing). */
static int
save(struct pull *p, struct err *e)
{
	if (!p->st.dirty)
		return 0;
	if (syncstate_save(&p->st, p->spath, e) < 0)
		return -1;
	p->st.dirty = 0;
	return 0;
}

static unsigned
resp_flags(const struct imap_resp *r, size_t v)
{
	unsigned f = 0;
	size_t i;

	if (!v || r->tok[v].type != IMAP_TOK_LIST)
		return 0;
	for (i = v + 1; i < r->tok[v].end; i = r->tok[i].end) {
		size_t len;
		const char *s = imap_tok_str(r, i, &len);

		f |= syncstate_from_imap(s, len);
	}
	return f;
}

static int
resp_uid(const struct imap_resp *r, unsigned long long *uid)
{
	size_t u = imap_fetch_item(r, "UID");

	return u && imap_tok_num(r, u, uid) == 0 && *uid && *uid <= 0xffffffffull
		? 0 : -1;
}

static size_t
st_index(const struct pull *p, unsigned long long uid)
{
	struct syncstate_ent *en = syncstate_find(&p->st, uid);

	return en ? (size_t)(en - p->st.v) : (size_t)-1;
}

/* Mark GONE every UID of the set s ("3:5,9") the state holds. */
static void
vanish(struct pull *p, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned long long a = 0, b;
		struct syncstate_ent *en;

		while (i < len && s[i] >= '0' && s[i] <= '9' && a < 1ull << 40)
			a = a * 10 + (unsigned)(s[i++] - '0');
		b = a;
		if (i < len && s[i] == ':') {
			i++;
			b = 0;
			while (i < len && s[i] >= '0' && s[i] <= '9' &&
			    b < 1ull << 40)
				b = b * 10 + (unsigned)(s[i++] - '0');
			if (b < a) {
				unsigned long long t = a;

				a = b;
				b = t;
			}
		}
		while (i < len && s[i] != ',')
			i++;
		i++;
		/* walk the state, not the range: a range may be huge */
		for (en = p->st.v; en < p->st.v + p->st.n && en->uid < a; en++)
			;
		for (; en < p->st.v + p->st.n && en->uid <= b; en++)
			p->rf[en - p->st.v] = GONE;
	}
}

/* The flags of a FETCH (SELECT's QRESYNC, CHANGEDSINCE, 1:*). */
static void
fetch_flags(struct pull *p, const struct imap_resp *r)
{
	unsigned long long uid;
	size_t fl = imap_fetch_item(r, "FLAGS"), i;

	if (!fl || resp_uid(r, &uid) < 0)
		return;
	i = st_index(p, uid);
	if (i != (size_t)-1)
		p->rf[i] = (unsigned char)resp_flags(r, fl);
	else if (p->full && !mdirsync_find(&p->m, uid))
		imap_uids_add(&p->fresh, uid);
}

static int
sel_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct pull *p = ctx;
	char code[32];
	unsigned long long v;

	(void)e;
	if (r->status == IMAP_ST_NONE && !strcmp(r->name, "VANISHED")) {
		size_t i = r->data, len;
		const char *s;

		if (i < r->ntok && r->tok[i].type == IMAP_TOK_LIST)
			i = r->tok[i].end;
		if (i < r->ntok && p->rf) {
			s = imap_tok_str(r, i, &len);
			vanish(p, s, len);
		}
		return 0;
	}
	if (r->status == IMAP_ST_NONE && !strcmp(r->name, "FETCH")) {
		if (p->rf)
			fetch_flags(p, r);
		return 0;
	}
	if (r->status != IMAP_ST_OK)
		return 0;
	imap_resp_code(r, code, sizeof code);
	if (!strcmp(code, "NOMODSEQ"))
		p->modseq = 0;
	if (r->code + 1 >= r->code_end ||
	    imap_tok_num(r, r->code + 1, &v) < 0)
		return 0;
	if (!strcmp(code, "UIDVALIDITY"))
		p->uv = v;
	else if (!strcmp(code, "UIDNEXT"))
		p->uidnext = v;
	else if (!strcmp(code, "HIGHESTMODSEQ"))
		p->modseq = v;
	return 0;
}

/* ---- paths ---- */

/* One level of a folder name as a path component. */
static int
add_level(struct buf *out, const char *s, size_t n, int pp,
	const char *folder, struct err *e)
{
	size_t i;

	if (n == 0 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return err_set(e, ERR_DATA, "folder \"%s\": a level \"%.*s\" "
			"cannot be a directory", folder, (int)n, s);
	for (i = 0; i < n; i++)
		buf_addch(out, s[i] == '/' || (pp && s[i] == '.') ? '_' :
			s[i]);
	return 0;
}

int
imap_pull_path(const char *root, enum imap_pull_layout layout,
	const char *folder, char delim, struct buf *out, struct err *e)
{
	int pp = layout == IMAP_PULL_MAILDIRPP;
	const char *s = folder;

	buf_reset(out);
	buf_addstr(out, root);
	while (out->len > 1 && out->data[out->len - 1] == '/')
		buf_truncate(out, out->len - 1);
	if (pp && !strcasecmp(folder, "INBOX"))
		return 0;
	buf_addstr(out, pp ? "/." : "/");
	for (;;) {
		size_t n = delim ? strcspn(s, (char[]){ delim, 0 }) :
			strlen(s);

		if (add_level(out, s, n, pp, folder, e) < 0)
			return -1;
		if (!s[n])
			return 0;
		buf_addch(out, pp ? '.' : '/');
		s += n + 1;
	}
}

/* ---- LIST for a delimiter ---- */

static int
delim_one(void *ctx, const struct imap_mailbox *mb, struct err *e)
{
	int *d = ctx;

	(void)e;
	*d = (unsigned char)mb->delim;
	return 0;
}

/* Wait for the ENABLE queued by imap_pull_start, before a command that
 * does not go with it. */
static int
settle(struct imap_pull *ip, struct err *e)
{
	unsigned long t = ip->enable_tag;

	ip->enable_tag = 0;
	if (!t)
		return 0;
	return imap_flush(ip->im, e) < 0 || imap_wait(ip->im, t, NULL, e) < 0
		? -1 : 0;
}

static int
find_delim(struct pull *p, struct err *e)
{
	int d = -1;

	if (settle(p->ip, e) < 0)
		return -1;
	if (imap_list(p->im, p->folder, 0, delim_one, &d, e) < 0)
		return -1;
	if (d < 0)
		return err_set(e, ERR_UNAVAILABLE, "folder \"%s\": no such "
			"folder", p->folder);
	p->delim = d;
	return 0;
}

/* ---- select ---- */

static int
do_select(struct pull *p, int qresync, struct err *e)
{
	struct imap_handler h = { p, sel_untagged, NULL, NULL };
	unsigned long tag;
	unsigned caps = imap_caps(p->im);

	p->uv = p->uidnext = p->modseq = 0;
	imap_cmd_begin(p->im, "SELECT");
	if (imap_cmd_mailbox(p->im, p->folder, e) < 0)
		return -1;
	if (qresync)
		imap_cmd_add(p->im, " (QRESYNC (%llu %llu))",
			p->st.uidvalidity, p->st.highestmodseq);
	else if ((caps & IMAP_CAP_CONDSTORE) && !(imap_enabled(p->im) &
	    (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC)) && !p->ip->enable_tag)
		imap_cmd_add(p->im, " (CONDSTORE)");
	tag = imap_cmd_end(p->im, e);
	if (!tag || imap_flush(p->im, e) < 0)
		return -1;
	if (p->ip->enable_tag) {
		unsigned long et = p->ip->enable_tag;

		p->ip->enable_tag = 0;
		if (imap_wait(p->im, et, NULL, e) < 0)
			return -1;
	}
	if (imap_wait(p->im, tag, &h, e) < 0) {
		err_prefix(e, "folder \"%s\"", p->folder);
		return -1;
	}
	if (!p->uv)
		return err_set(e, ERR_PROTOCOL, "folder \"%s\": the server "
			"sent no UIDVALIDITY", p->folder);
	return 0;
}

/* ---- the maildir ---- */

/* Files of this UIDVALIDITY the state does not know (a pull killed
 * between the rename and the state, or a lost state): theirs are the
 * flags last agreed on. */
static void
adopt(struct pull *p)
{
	size_t i;

	for (i = 0; i < p->m.n; i++)
		if (!syncstate_find(&p->st, p->m.v[i].uid))
			syncstate_set(&p->st, p->m.v[i].uid, p->m.v[i].flags);
}

/* With the state's stamp, an unchanged maildir is not read (mdirsync.h):
 * the state says what it holds. */
static int
open_maildir(struct pull *p, unsigned long long uv, const char *stamp,
	struct err *e)
{
	if (p->m_open)
		mdirsync_close(&p->m);
	p->m_open = 0;
	if (mdirsync_open(&p->m, p->r->maildir, uv, stamp, e) < 0)
		return -1;
	p->m_open = 1;
	adopt(p);
	return 0;
}

static void
init_rf(struct pull *p, int full)
{
	size_t i;

	p->full = full;
	free(p->rf);
	p->rf = xmalloc(p->st.n + 1);
	for (i = 0; i < p->st.n; i++)
		p->rf[i] = full ? GONE : p->st.v[i].flags;
}

/* ---- UIDVALIDITY changed: match the old files by Message-ID and size */

struct ident {
	uint64_t hash;
	unsigned long long size;
	uint32_t uid;
	int used;
};

struct idents {
	struct ident *v;
	size_t n, alloc;
};

static int
ident_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct idents *ids = ctx;
	unsigned long long uid, size;
	size_t sz = imap_fetch_item(r, "RFC822.SIZE"), h, len;
	char msgid[512];
	const char *s;

	(void)e;
	if (r->status != IMAP_ST_NONE || strcmp(r->name, "FETCH") ||
	    resp_uid(r, &uid) < 0 || !sz || imap_tok_num(r, sz, &size) < 0)
		return 0;
	h = imap_fetch_item(r, "BODY[HEADER.FIELDS (MESSAGE-ID)]");
	s = h ? imap_tok_str(r, h, &len) : "";
	if (!h)
		len = 0;
	mdirsync_msgid(s, len, msgid, sizeof msgid);
	if (ids->n == ids->alloc) {
		ids->alloc = ids->alloc ? 2 * ids->alloc : 256;
		ids->v = xrealloc(ids->v, ids->alloc * sizeof(*ids->v));
	}
	ids->v[ids->n].hash = msgid[0] ? str_hash64(msgid) : 0;
	ids->v[ids->n].size = size;
	ids->v[ids->n].uid = (uint32_t)uid;
	ids->v[ids->n].used = 0;
	ids->n++;
	return 0;
}

static int
by_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* The first unused server message with this identity. */
static struct ident *
ident_find(struct idents *ids, uint64_t hash, unsigned long long size)
{
	size_t lo = 0, hi = ids->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct ident *x = &ids->v[mid];

		if (x->hash < hash || (x->hash == hash && x->size < size))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ids->n && ids->v[lo].hash == hash &&
	    ids->v[lo].size == size; lo++)
		if (!ids->v[lo].used)
			return &ids->v[lo];
	return NULL;
}

static int
rematch(struct pull *p, struct err *e)
{
	struct imap_handler h;
	struct idents ids = { NULL, 0, 0 };
	struct buf path = BUF_INIT;
	size_t i;
	int rc = -1;

	h.ctx = &ids;
	h.untagged = ident_untagged;
	h.tagged = NULL;
	h.sink = NULL;
	if (imap_fetch(p->im, "1:*", "(UID RFC822.SIZE "
	    "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", &h, e) < 0)
		goto out;
	if (ids.n)
		qsort(ids.v, ids.n, sizeof(*ids.v), by_ident);
	for (i = 0; i < p->m.nold; i++) {
		struct mdirsync_ent *en = &p->m.old[i];
		struct ident *x = NULL;
		unsigned long long size;
		char msgid[512];

		if (mdirsync_file(&p->m, en, &path, e) < 0 ||
		    mdirsync_identity(path.data, msgid, sizeof msgid, &size,
		    e) < 0)
			goto out;
		if (msgid[0])
			x = ident_find(&ids, str_hash64(msgid), size);
		if (x && mdirsync_find(&p->m, x->uid))
			x = NULL;	/* that UID already has its file */
		if (x)
			x->used = 1;
		if (mdirsync_retag(&p->m, en, x ? x->uid : 0, &path, e) < 0)
			goto out;
		if (x) {
			syncstate_set(&p->st, x->uid, en->flags);
		} else if (!en->gone) {
			p->r->aside++;
			if (p->o->aside)
				p->o->aside(p->o->ctx, p->folder, path.data);
		}
	}
	p->m.nold = 0;
	rc = mdirsync_sync_dirs(&p->m, e);
out:
	free(ids.v);
	buf_release(&path);
	return rc;
}

/* ---- what changed on the server ---- */

static int
by_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a,
		y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int
changes(struct pull *p, struct err *e)
{
	struct imap_handler h = { p, sel_untagged, NULL, NULL };
	char items[96];

	if (!strcmp(p->r->mode, "full")) {
		/* every UID and its flags: expunges, changes, new ones */
		init_rf(p, 1);
		return imap_fetch(p->im, "1:*", "(UID FLAGS)", &h, e);
	}
	if (!strcmp(p->r->mode, "condstore")) {
		struct imap_uids u = { NULL, 0, 0 };
		char set[64], *keys[2] = { (char *)"UID", set };
		size_t i;

		if (p->modseq != p->st.highestmodseq && p->st.uidnext > 1) {
			snprintf(items, sizeof items, "(UID FLAGS) "
				"(CHANGEDSINCE %llu)", p->st.highestmodseq);
			snprintf(set, sizeof set, "1:%llu",
				p->st.uidnext - 1);
			if (imap_fetch(p->im, set, items, &h, e) < 0)
				return -1;
		}
		if (p->st.n == 0)
			return 0;
		snprintf(set, sizeof set, "1:%lu",
			(unsigned long)p->st.v[p->st.n - 1].uid);
		if (imap_search(p->im, keys, 2, &u, e) < 0) {
			imap_uids_release(&u);
			return -1;
		}
		if (u.n)
			qsort(u.v, u.n, sizeof(*u.v), by_u64);
		for (i = 0; i < p->st.n; i++)
			if (uidfind(u.v, u.n, sizeof(*u.v), 0, sizeof(*u.v),
			    p->st.v[i].uid) == u.n)
				p->rf[i] = GONE;
		imap_uids_release(&u);
	}
	return 0;
}

/* UIDs at or above the state's UIDNEXT not yet here (QRESYNC,
 * CONDSTORE: "full" found them in its FETCH 1:*). */
static int
find_new(struct pull *p, struct err *e)
{
	struct imap_uids u = { NULL, 0, 0 };
	char set[64], *keys[2] = { (char *)"UID", set };
	unsigned long long from = p->st.uidnext ? p->st.uidnext : 1;
	size_t i;

	if (!strcmp(p->r->mode, "full") || (p->uidnext && p->uidnext <= from))
		return 0;
	snprintf(set, sizeof set, "%llu:*", from);
	if (imap_search(p->im, keys, 2, &u, e) < 0) {
		imap_uids_release(&u);
		return -1;
	}
	for (i = 0; i < u.n; i++)
		if (u.v[i] >= from && !syncstate_find(&p->st, u.v[i]) &&
		    !mdirsync_find(&p->m, u.v[i]))
			imap_uids_add(&p->fresh, u.v[i]);
	imap_uids_release(&u);
	return 0;
}

/* ---- flags both ways, expunges ---- */

struct pushes {
	struct imap_uids add[5], del[5], gone;
	/* with CONDSTORE: each message's push, in UID order */
	int cond;
	struct imap_flagpush *fp;
	size_t nfp, afp;
};

static void
push_flags(struct pushes *ps, unsigned long long uid, unsigned want,
	unsigned have)
{
	unsigned b;

	if (ps->cond) {
		struct imap_flagpush *f;

		if (ps->nfp == ps->afp) {
			ps->afp = ps->afp ? 2 * ps->afp : 64;
			ps->fp = xrealloc(ps->fp, ps->afp * sizeof(*ps->fp));
		}
		f = &ps->fp[ps->nfp++];
		memset(f, 0, sizeof(*f));
		f->uid = uid;
		f->base = (unsigned char)have;
		f->want = (unsigned char)want;
		return;
	}
	for (b = 0; b < 5; b++) {
		if ((want & (1u << b)) && !(have & (1u << b)))
			imap_uids_add(&ps->add[b], uid);
		else if (!(want & (1u << b)) && (have & (1u << b)))
			imap_uids_add(&ps->del[b], uid);
	}
}

/* UID STORE of each flag added or removed. */
static int
store_all(struct pull *p, struct pushes *ps, struct err *e)
{
	struct buf sets = BUF_INIT;
	unsigned b;
	int rc = 0;

	for (b = 0; b < 5 && rc == 0; b++) {
		char name[64], list[70];

		syncstate_imap_names(1u << b, name);
		snprintf(list, sizeof list, "(%s)", name);
		buf_reset(&sets);
		if (ps->add[b].n && imap_uids_sets(&ps->add[b], IMAP_SET_MAX,
		    &sets) && imap_store(p->im, sets.data, "+FLAGS.SILENT",
		    list, e) < 0)
			rc = -1;
		buf_reset(&sets);
		if (rc == 0 && ps->del[b].n && imap_uids_sets(&ps->del[b],
		    IMAP_SET_MAX, &sets) && imap_store(p->im, sets.data,
		    "-FLAGS.SILENT", list, e) < 0)
			rc = -1;
	}
	buf_reset(&sets);
	if (rc == 0 && ps->gone.n && imap_uids_sets(&ps->gone, IMAP_SET_MAX,
	    &sets) && (imap_store(p->im, sets.data, "+FLAGS.SILENT",
	    "(\\Deleted)", e) < 0 || imap_uid_expunge(p->im, sets.data,
	    e) < 0))
		rc = -1;
	buf_release(&sets);
	return rc;
}

/* One message known to the state: merge its flags, or follow its
 * removal on either side. */
static int
merge_one(struct pull *p, size_t i, struct pushes *ps, struct err *e)
{
	struct syncstate_ent *se = &p->st.v[i];
	struct mdirsync_ent *en = mdirsync_find(&p->m, se->uid);
	unsigned s = se->flags, r = p->rf[i], l, n;

	if (en && en->gone)
		en = NULL;
	if (r == GONE) {
		if (en && p->o->keep_local) {
			/* the user's own file from now on */
			if (mdirsync_retag(&p->m, en, 0, NULL, e) < 0)
				return -1;
			en->gone = 1;
			p->r->kept++;
		} else if (en) {
			if (mdirsync_remove(&p->m, en, e) < 0)
				return -1;
			p->r->removed++;
		}
		se->flags = GONE;
		p->st.dirty = 1;
		return 0;
	}
	if (!en) {
		/* removed here: expunged there only when asked */
		if (p->o->push_deletes)
			imap_uids_add(&ps->gone, se->uid);
		return 0;
	}
	l = en->flags;
	n = syncstate_merge(s, l, r);
	if (n != r && ps->cond) {
		/* the file and the state follow once the server has n, or
		 * what n became (push_cond) */
		push_flags(ps, se->uid, n, r);
		p->r->flags_server++;
		return 0;
	}
	if (n != l) {
		if (mdirsync_set_flags(&p->m, en, n, e) < 0)
			return -1;
		p->r->flags_local++;
	}
	if (n != r) {
		push_flags(ps, se->uid, n, r);
		p->r->flags_server++;
	}
	if (se->flags != n)
		p->st.dirty = 1;
	se->flags = (unsigned char)n;
	return 0;
}

/* The files merge_one() renames or removes, their names looked up in one
 * pass (the scan keeps none: mdirsync.h). */
static int
name_files(struct pull *p, struct err *e)
{
	size_t i, k = 0;

	for (i = 0; i < p->st.n; i++) {
		struct mdirsync_ent *en = mdirsync_find(&p->m, p->st.v[i].uid);
		unsigned s = p->st.v[i].flags, r = p->rf[i];

		if (en && !en->gone && (r == GONE || (r != en->flags &&
		    (en->flags == s || r != s)))) {
			en->want = 1;
			k++;
		}
	}
	return k ? mdirsync_names(&p->m, e) : 0;
}

/* The maildir not read (its stamp matched): the files of the state are
 * there with the state's flags. The merge needs their names only when
 * the server changed something. 1: nothing to merge. */
static int
merge_unread(struct pull *p, struct err *e)
{
	size_t i;

	if (p->m.scanned)
		return 0;
	for (i = 0; i < p->st.n; i++)
		if (p->rf[i] != p->st.v[i].flags)
			return mdirsync_scan(&p->m, e) < 0 ? -1 : 0;
	return 1;
}

/*
 * With CONDSTORE the flags go up only onto what the server had when they
 * were read (imap_flagpush.h), its changes since merged in flag by flag.
 * Until then the state holds the base and the file the local flags
 * (merge_one); then the file gets the merged flags, and the state the
 * server's: those pushed, or (still pending) those it has, so that the
 * next pull pushes the rest again. A local change that the server's later
 * change undid is a conflict the server won.
 */
static int
push_cond(struct pull *p, struct pushes *ps, struct err *e)
{
	size_t i;
	int renamed = 0;

	if (!ps->nfp)
		return 0;
	if (imap_flagpush(p->im, ps->fp, ps->nfp, p->modseq, e) < 0)
		return -1;
	for (i = 0; i < ps->nfp; i++) {
		struct imap_flagpush *f = &ps->fp[i];
		struct syncstate_ent *se = syncstate_find(&p->st, f->uid);
		struct mdirsync_ent *en = mdirsync_find(&p->m, f->uid);
		unsigned s, l;

		if (!se || !en || f->result == IMAP_FLAGPUSH_GONE)
			continue;	/* gone: the next pull follows */
		s = se->flags;
		l = en->flags;
		if ((s ^ l) & (l ^ f->want))
			p->r->conflicts++;
		if (f->result == IMAP_FLAGPUSH_PENDING)
			p->r->flags_server--;
		se->flags = f->result == IMAP_FLAGPUSH_DONE ? f->want : f->base;
		p->st.dirty = 1;
		if (l != f->want) {
			if (mdirsync_set_flags(&p->m, en, f->want, e) < 0)
				return -1;
			p->r->flags_local++;
			renamed = 1;
		}
	}
	return renamed ? mdirsync_sync_dirs(&p->m, e) : 0;
}

static int
merge(struct pull *p, struct err *e)
{
	struct pushes ps;
	size_t i;
	unsigned b;
	int rc = -1;

	unsigned long moved = p->r->flags_local + p->r->removed + p->r->kept;

	if ((rc = merge_unread(p, e)) != 0)
		return rc < 0 ? -1 : 0;
	if (name_files(p, e) < 0)
		return -1;
	rc = -1;
	memset(&ps, 0, sizeof ps);
	ps.cond = (imap_caps(p->im) & IMAP_CAP_CONDSTORE) && p->modseq;
	for (i = 0; i < p->st.n; i++)
		if (merge_one(p, i, &ps, e) < 0)
			goto out;
	/* renames and removals durable before the state says so */
	if ((moved != p->r->flags_local + p->r->removed + p->r->kept &&
	    mdirsync_sync_dirs(&p->m, e) < 0) || store_all(p, &ps, e) < 0 ||
	    push_cond(p, &ps, e) < 0)
		goto out;
	p->r->expunged = ps.gone.n;
	for (i = 0; i < ps.gone.n; i++) {
		struct syncstate_ent *se = syncstate_find(&p->st, ps.gone.v[i]);

		if (se)
			se->flags = GONE;
	}
	syncstate_compact(&p->st);
	rc = 0;
out:
	for (b = 0; b < 5; b++) {
		imap_uids_release(&ps.add[b]);
		imap_uids_release(&ps.del[b]);
	}
	imap_uids_release(&ps.gone);
	free(ps.fp);
	return rc;
}

/* ---- new messages ---- */

static int
n_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct pull *p = ctx;
	unsigned long long uid;

	(void)item;
	(void)size;
	if (resp_uid(r, &uid) < 0)
		return err_set(e, ERR_PROTOCOL, "%s: folder \"%s\": a message "
			"without its UID", imap_peer(p->im), p->folder);
	tolf_init(&p->tolf);
	buf_reset(&p->lf);
	if (mdirsync_begin(&p->m, uid, resp_flags(r, imap_fetch_item(r,
	    "FLAGS")), e) < 0)
		return -1;
	return 1;
}

/* Write what n_data gathered. */
static int
n_flush(struct pull *p, struct err *e)
{
	int rc = p->lf.len ? mdirsync_write(&p->m, p->lf.data, p->lf.len, e)
		: 0;

	buf_reset(&p->lf);
	return rc;
}

/* CRLF made LF (a CR alone stays), as the maildir wants; written in
 * pieces of PULL_WRITE_MIN. */
static int
n_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct pull *p = ctx;

	tolf_add(&p->tolf, d, n, &p->lf);
	return p->lf.len >= PULL_WRITE_MIN ? n_flush(p, e) : 0;
}

static int
n_end(void *ctx, struct err *e)
{
	struct pull *p = ctx;

	tolf_end(&p->tolf, &p->lf);
	if (n_flush(p, e) < 0 || mdirsync_end(&p->m, e) < 0)
		return -1;
	p->done++;
	if (p->o->progress)
		p->o->progress(p->o->ctx, p->folder, p->done, p->total);
	return 0;
}

static void
n_abort(void *ctx)
{
	struct pull *p = ctx;

	buf_reset(&p->lf);
	mdirsync_abort(&p->m);
}

/* FLAGS sent after the message's bytes. */
static int
n_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct pull *p = ctx;
	unsigned long long uid;
	size_t fl = imap_fetch_item(r, "FLAGS");

	(void)e;
	if (r->status == IMAP_ST_NONE && !strcmp(r->name, "FETCH") && fl &&
	    resp_uid(r, &uid) == 0)
		mdirsync_last_flags(&p->m, uid, resp_flags(r, fl));
	return 0;
}

/* A message of the batch renamed into place: into the state, which is
 * saved only once the commit made it durable. */
static void
published(void *ctx, unsigned long long uid, unsigned flags)
{
	struct pull *p = ctx;

	syncstate_set(&p->st, uid, flags);
}

static int
fetch_new(struct pull *p, struct err *e)
{
	struct imap_sink sink = { p, n_begin, n_data, n_end, n_abort };
	struct imap_handler h = { p, n_untagged, NULL, &sink };
	struct buf sets = BUF_INIT;
	struct err e2;
	size_t k;
	int rc = -1;

	if (p->fresh.n)
		qsort(p->fresh.v, p->fresh.n, sizeof(*p->fresh.v), by_u64);
	p->total = p->fresh.n;
	p->m.published = published;
	p->m.ctx = p;
	for (k = 0; k < p->fresh.n; k += PULL_BATCH) {
		struct imap_uids batch;
		size_t end = k + PULL_BATCH < p->fresh.n ? k + PULL_BATCH :
			p->fresh.n;

		batch.v = p->fresh.v + k;
		batch.n = batch.alloc = end - k;
		buf_reset(&sets);
		imap_uids_sets(&batch, IMAP_SET_MAX, &sets);
		if (imap_fetch(p->im, sets.data, "(UID FLAGS RFC822.SIZE "
		    "BODY.PEEK[])", &h, e) < 0) {
			/* keep what came whole, durably, and say so */
			err_clear(&e2);
			if (mdirsync_commit(&p->m, &e2) == 0) {
				p->r->fetched = p->done;
				syncstate_save(&p->st, p->spath, &e2);
			}
			goto out;
		}
		/* durable first, then recorded */
		if (mdirsync_commit(&p->m, e) < 0)
			goto out;
		p->r->fetched = p->done;
		if (p->fresh.v[end - 1] >= p->st.uidnext) {
			p->st.uidnext = p->fresh.v[end - 1] + 1;
			p->st.dirty = 1;
		}
		if (save(p, e) < 0)
			goto out;
	}
	rc = 0;
out:
	buf_release(&sets);
	return rc;
}

/* The maildir's stamp for the state as it will be saved. */
static int
restamp(struct pull *p, struct err *e)
{
	char s[MDIRSYNC_STAMP_MAX];

	if (mdirsync_stamp(&p->m, p->st.v, p->st.n, s, e) < 0)
		return -1;
	if (p->st.stamp ? !strcmp(p->st.stamp, s) : !s[0])
		return 0;
	free(p->st.stamp);
	p->st.stamp = s[0] ? xstrdup(s) : NULL;
	p->st.dirty = 1;
	return 0;
}

/* ---- one folder ---- */

void
imap_pull_start(struct imap_pull *ip, struct imap *im)
{
	struct err e;

	ip->im = im;
	ip->enable_tag = 0;
	if ((imap_caps(im) & IMAP_CAP_QRESYNC) &&
	    (imap_caps(im) & IMAP_CAP_ENABLE) &&
	    !(imap_enabled(im) & IMAP_CAP_QRESYNC)) {
		imap_cmd_begin(im, "ENABLE QRESYNC");
		ip->enable_tag = imap_cmd_end(im, &e);
	}
}

/* The state and the maildir of the folder, before the SELECT. */
static int
prepare(struct pull *p, int delim, struct err *e)
{
	struct buf path = BUF_INIT;
	int rc = -1;

	p->spath = syncstate_path(p->o->state_dir, p->folder);
	if (syncstate_load(&p->st, p->spath, e) < 0)
		goto out;
	p->delim = delim >= 0 ? delim : p->st.delim ? p->st.delim : -1;
	if (p->delim < 0 && find_delim(p, e) < 0)
		goto out;
	if (imap_pull_path(p->o->root, p->o->layout, p->folder,
	    (char)p->delim, &path, e) < 0)
		goto out;
	if (path.len >= sizeof p->r->maildir) {
		err_set(e, ERR_DATA, "folder \"%s\": path too long",
			p->folder);
		goto out;
	}
	memcpy(p->r->maildir, path.data, path.len + 1);
	if (p->st.maildir && strcmp(p->st.maildir, path.data) != 0)
		syncstate_clear(&p->st);	/* another maildir: anew */
	if (!p->st.maildir || strcmp(p->st.maildir, path.data) != 0 ||
	    p->st.delim != (char)p->delim)
		p->st.dirty = 1;
	free(p->st.maildir);
	p->st.maildir = xstrdup(path.data);
	p->st.delim = (char)p->delim;
	if (p->st.uidvalidity && open_maildir(p, p->st.uidvalidity,
	    p->st.stamp, e) < 0)
		goto out;
	init_rf(p, 0);
	rc = 0;
out:
	buf_release(&path);
	return rc;
}

static int
pull(struct pull *p, struct err *e)
{
	unsigned caps = imap_caps(p->im);
	int qresync = (caps & IMAP_CAP_QRESYNC) && (p->ip->enable_tag ||
		(imap_enabled(p->im) & IMAP_CAP_QRESYNC)) &&
		p->st.uidvalidity && p->st.highestmodseq;

	if (do_select(p, qresync, e) < 0)
		return -1;
	p->r->mode = "full";
	if (p->uv != p->st.uidvalidity) {
		p->r->uidvalidity_changed = p->st.uidvalidity != 0;
		syncstate_clear(&p->st);
		p->st.uidvalidity = p->uv;
		if (open_maildir(p, p->uv, NULL, e) < 0)
			return -1;
	} else if (qresync && p->modseq) {
		p->r->mode = "qresync";
	} else if ((caps & IMAP_CAP_CONDSTORE) && p->st.highestmodseq &&
	    p->modseq) {
		p->r->mode = "condstore";
	}
	if (p->m.nold) {
		if (rematch(p, e) < 0)
			return -1;
		p->r->mode = "full";	/* the state grew: ask for all */
	}
	if (changes(p, e) < 0 || find_new(p, e) < 0 || merge(p, e) < 0 ||
	    save(p, e) < 0 || fetch_new(p, e) < 0)
		return -1;
	if (p->uidnext > p->st.uidnext) {
		p->st.uidnext = p->uidnext;
		p->st.dirty = 1;
	}
	if (p->st.highestmodseq != p->modseq) {
		p->st.highestmodseq = p->modseq;
		p->st.dirty = 1;
	}
	return restamp(p, e) < 0 ? -1 : save(p, e);
}

int
imap_pull_folder(struct imap_pull *ip, const char *folder, int delim,
	const struct imap_pull_opts *o, struct imap_pull_result *r,
	struct err *e)
{
	struct pull p;
	int rc = -1;

	memset(&p, 0, sizeof p);
	memset(r, 0, sizeof(*r));
	r->mode = "full";
	p.ip = ip;
	p.im = ip->im;
	p.o = o;
	p.r = r;
	p.folder = folder;
	p.m.fd = -1;
	buf_init(&p.lf, 0);
	syncstate_init(&p.st);
	if (prepare(&p, delim, e) == 0 && pull(&p, e) == 0)
		rc = 0;
	if (rc < 0 && !strstr(e->msg, folder))
		err_prefix(e, "folder \"%s\"", folder);
	if (p.m_open)
		mdirsync_close(&p.m);
	syncstate_release(&p.st);
	imap_uids_release(&p.fresh);
	buf_release(&p.lf);
	free(p.rf);
	free(p.spath);
	return rc;
}
