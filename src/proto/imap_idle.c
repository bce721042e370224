/*
 * imap_idle.c: watch IMAP folders for changes; see imap_idle.h.
 *
 * RFC 2177  IDLE
 * RFC 9051  7.4.1 EXPUNGE, 7.5.2 FETCH (unsolicited flag changes)
 * RFC 7162  CONDSTORE: CHANGEDSINCE for the catch-up after a reconnection
 * RFC 5465  NOTIFY: several folders on one session (imap_notify)
 *
 * Every response of the session goes through on_untagged(): EXISTS sets
 * the server's count, EXPUNGE removes the message at that sequence number
 * (its UID joins the pending expunges, told before any later event), a
 * FETCH with FLAGS is a flag change of a known message, or a new message
 * when its UID is above the last one known. settle() then tells the
 * expunges, fetches what EXISTS announced and goes back to IDLE. In a
 * NOTIFY group the responses go through group_untagged() first: a STATUS
 * marks its folder for a catch-up, the rest goes to the selected one.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/uidfind.h"
#include "base/util.h"
#include "proto/imap_idle.h"
#include "proto/imap_set.h"
#include "proto/imap_utf7.h"

/* Rounds of settle() at most, before waiting for the next input. */
#define SETTLE_ROUNDS 4

enum {
	F_SEEN = 1 << 0,
	F_ANSWERED = 1 << 1,
	F_FLAGGED = 1 << 2,
	F_DELETED = 1 << 3,
	F_DRAFT = 1 << 4,
};

struct msg {
	unsigned long long uid;
	unsigned flags;		/* F_ bits */
	unsigned kw;		/* the keywords, hashed (order-free) */
};

struct imap_watch {
	char *folder;
	imap_event_fn *fn;
	void *ctx;
	struct imap *im;
	struct imap_handler h;	/* where the session's responses go */
	int shared;		/* im is a group's (imap_notify) */
	int idle;		/* IDLE between commands */
	int synced;		/* the baseline was taken */
	int quiet;		/* taking the baseline: no events */
	unsigned long long uidvalidity, modseq, lastuid, exists;
	unsigned long long uidnext;	/* as the last EXAMINE said */
	struct msg *m;		/* the messages known, in sequence order */
	size_t n, alloc;
	struct imap_uids gone;	/* expunges not yet told */
	struct imap_uids fresh;	/* new messages not yet told */
	/* UID SEARCH ALL of a catch-up: its result, and the EXPUNGEs that
	   came after it (sequence numbers of the state it gave) */
	int searching, searched;
	struct imap_uids found, late;
	struct buf flags;	/* scratch: a FLAGS event's text */
};

static const struct {
	const char *name;
	unsigned bit;
} sysflags[] = {
	{ "\\Seen", F_SEEN }, { "\\Answered", F_ANSWERED },
	{ "\\Flagged", F_FLAGGED }, { "\\Deleted", F_DELETED },
	{ "\\Draft", F_DRAFT },
};

static int on_untagged(void *ctx, const struct imap_resp *r, struct err *e);

struct imap_watch *
imap_watch_new(const char *folder, imap_event_fn *fn, void *ctx)
{
	struct imap_watch *w = xcalloc(1, sizeof(*w));

	w->folder = xstrdup(folder);
	w->fn = fn;
	w->ctx = ctx;
	w->h.ctx = w;
	w->h.untagged = on_untagged;
	buf_init(&w->flags, 0);
	return w;
}

void
imap_watch_free(struct imap_watch *w)
{
	if (!w)
		return;
	if (!w->shared)
		imap_free(w->im);
	imap_uids_release(&w->gone);
	imap_uids_release(&w->fresh);
	imap_uids_release(&w->found);
	imap_uids_release(&w->late);
	buf_release(&w->flags);
	free(w->m);
	free(w->folder);
	free(w);
}

struct imap *
imap_watch_session(struct imap_watch *w)
{
	return w->im;
}

int
imap_watch_idling(const struct imap_watch *w)
{
	return w->im && imap_idling(w->im);
}

void
imap_watch_close(struct imap_watch *w, int logout)
{
	if (w->shared)
		w->im = NULL;
	else if (logout)
		imap_logout(w->im);
	else
		imap_free(w->im);
	w->im = NULL;
}

/* ---- events ---- */

/* Tell uids as events of kind, IMAP_EVENT_MAX_UIDS at a time; empty u. */
static void
tell_uids(struct imap_watch *w, enum imap_event_kind kind,
	struct imap_uids *u)
{
	struct imap_event ev;
	size_t at;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.folder = w->folder;
	for (at = 0; at < u->n; at += ev.n) {
		ev.uids = u->v + at;
		ev.n = u->n - at < IMAP_EVENT_MAX_UIDS ? u->n - at :
			IMAP_EVENT_MAX_UIDS;
		w->fn(w->ctx, &ev);
	}
	u->n = 0;
}

static int
cmp_uid(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void
tell_gone(struct imap_watch *w)
{
	if (!w->gone.n)
		return;
	qsort(w->gone.v, w->gone.n, sizeof(*w->gone.v), cmp_uid);
	tell_uids(w, IMAP_EV_EXPUNGE, &w->gone);
}

static void
tell_flags(struct imap_watch *w, unsigned long long uid)
{
	struct imap_event ev;

	tell_gone(w);
	memset(&ev, 0, sizeof ev);
	ev.kind = IMAP_EV_FLAGS;
	ev.folder = w->folder;
	ev.uids = &uid;
	ev.n = 1;
	ev.flags = w->flags.data ? w->flags.data : "";
	w->fn(w->ctx, &ev);
}

/* ---- the messages known ---- */

static void
add_msg(struct imap_watch *w, unsigned long long uid, unsigned flags,
	unsigned kw)
{
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? w->alloc * 2 : 64;
		w->m = xrealloc(w->m, w->alloc * sizeof(*w->m));
	}
	w->m[w->n].uid = uid;
	w->m[w->n].flags = flags;
	w->m[w->n].kw = kw;
	w->n++;
	w->lastuid = uid;
}

/* The FLAGS list at token i: bits, keyword hash, and the text in
 * w->flags. */
static void
parse_flags(struct imap_watch *w, const struct imap_resp *r, size_t i,
	unsigned *bits, unsigned *kw)
{
	size_t j, k, len;

	*bits = 0;
	*kw = 0;
	buf_reset(&w->flags);
	for (j = i + 1; j < r->tok[i].end; j = r->tok[j].end) {
		const char *s = imap_tok_str(r, j, &len);
		unsigned h = 2166136261u, bit = 0;

		if (r->tok[j].type != IMAP_TOK_ATOM ||
		    (len == 7 && !mem_casecmp(s, "\\Recent", 7)))
			continue;
		if (w->flags.len)
			buf_addch(&w->flags, ' ');
		buf_add(&w->flags, s, len);
		for (k = 0; k < ARRAY_SIZE(sysflags); k++)
			if (strlen(sysflags[k].name) == len &&
			    !mem_casecmp(s, sysflags[k].name, len))
				bit = sysflags[k].bit;
		*bits |= bit;
		if (bit)
			continue;
		/* FNV-1a of the keyword (case folded), summed: order-free */
		for (k = 0; k < len; k++) {
			unsigned char c = (unsigned char)s[k];

			h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) *
				16777619u;
		}
		*kw += h;
	}
}

/* "* n FETCH (... UID u FLAGS (...) ...)". */
static void
on_fetch(struct imap_watch *w, const struct imap_resp *r)
{
	size_t ui = imap_fetch_item(r, "UID"), fi = imap_fetch_item(r,
		"FLAGS"), at;
	unsigned long long uid = 0;
	unsigned bits = 0, kw = 0;

	if (ui && imap_tok_num(r, ui, &uid) < 0)
		return;
	if (!ui) {
		if (r->num < 1 || r->num > w->n)
			return;
		uid = w->m[r->num - 1].uid;
	}
	if (fi && r->tok[fi].type == IMAP_TOK_LIST)
		parse_flags(w, r, fi, &bits, &kw);
	else
		fi = 0;
	at = r->num >= 1 && r->num <= w->n && w->m[r->num - 1].uid == uid ?
		r->num - 1 : UIDFIND(w->m, w->n, struct msg, uid, uid);
	if (at < w->n) {
		if (!fi || (w->m[at].flags == bits && w->m[at].kw == kw))
			return;
		w->m[at].flags = bits;
		w->m[at].kw = kw;
		if (!w->quiet)
			tell_flags(w, uid);
		return;
	}
	if (uid <= w->lastuid)
		return;
	add_msg(w, uid, bits, kw);
	if (!w->quiet)
		imap_uids_add(&w->fresh, uid);
}

/* The message at sequence number seq is gone. */
static void
drop_seq(struct imap_watch *w, unsigned long long seq)
{
	if (seq < 1 || seq > w->n)
		return;	/* one not fetched yet */
	if (!w->quiet)
		imap_uids_add(&w->gone, w->m[seq - 1].uid);
	memmove(w->m + seq - 1, w->m + seq, (w->n - seq) * sizeof(*w->m));
	w->n--;
}

static void
on_expunge(struct imap_watch *w, unsigned long long seq)
{
	if (w->exists)
		w->exists--;
	if (!w->searching)
		drop_seq(w, seq);
	else if (w->searched)	/* before the result: not in it */
		imap_uids_add(&w->late, seq);
}

static void
on_search(struct imap_watch *w, const struct imap_resp *r)
{
	size_t i;

	for (i = r->data; i < r->ntok; i++) {
		unsigned long long uid;

		if (imap_tok_num(r, i, &uid) == 0)
			imap_uids_add(&w->found, uid);
	}
	w->searched = 1;
}

static int
on_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct imap_watch *w = ctx;

	(void)e;
	if (r->status == IMAP_ST_NONE && w->searching &&
	    !strcmp(r->name, "SEARCH")) {
		on_search(w, r);
		return 0;
	}
	if (r->status != IMAP_ST_NONE || !r->has_num)
		return 0;
	if (!strcmp(r->name, "EXISTS"))
		w->exists = r->num;
	else if (!strcmp(r->name, "EXPUNGE"))
		on_expunge(w, r->num);
	else if (!strcmp(r->name, "FETCH"))
		on_fetch(w, r);
	return 0;
}

/* ---- commands ---- */

/* UID FETCH LAST+1:* for what EXISTS announced; tell them. */
static int
fetch_new(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;

	if (w->exists > w->n && imap_simple(w->im, h, e,
	    "UID FETCH %llu:* (UID FLAGS)", w->lastuid + 1) < 0)
		return -1;
	tell_gone(w);
	tell_uids(w, IMAP_EV_NEW, &w->fresh);
	return 0;
}

/* After responses: tell, fetch the new, and IDLE again. */
static int
settle_once(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;

	tell_gone(w);
	if (w->exists > w->n) {
		if (imap_idle_done(w->im, h, e) < 0 || fetch_new(w, e) < 0)
			return -1;
	}
	if (w->idle && !imap_idling(w->im))
		return imap_idle_start(w->im, h, e);
	return 0;
}

/* EXISTS or EXPUNGE may come with the fetch or before IDLE's "+", when
 * nothing else would wake us: settle again (a few times at most). */
static int
settle(struct imap_watch *w, struct err *e)
{
	int i;

	for (i = 0; i < SETTLE_ROUNDS; i++) {
		if (settle_once(w, e) < 0)
			return -1;
		if (w->exists <= w->n && !w->gone.n)
			break;
	}
	return 0;
}

/*
 * After a reconnection: the known UIDs that UID SEARCH ALL no longer
 * finds were expunged meanwhile.
 */
static int
catch_up_expunges(struct imap_watch *w, struct err *e)
{
	struct imap_uids *now = &w->found;
	size_t i, j = 0, keep = 0;
	int r;

	if (!w->n)
		return 0;
	now->n = 0;
	w->late.n = 0;
	w->searching = 1;
	w->searched = 0;
	/* through the watch's handler, so that EXISTS and EXPUNGE meanwhile
	 * are seen (imap_search() would keep them from it) */
	r = imap_simple(w->im, &w->h, e, "UID SEARCH ALL");
	w->searching = 0;
	if (r < 0)
		return -1;
	if (now->n)
		qsort(now->v, now->n, sizeof(*now->v), cmp_uid);
	for (i = 0; i < w->n; i++) {
		while (j < now->n && now->v[j] < w->m[i].uid)
			j++;
		if (j < now->n && now->v[j] == w->m[i].uid)
			w->m[keep++] = w->m[i];
		else
			imap_uids_add(&w->gone, w->m[i].uid);
	}
	w->n = keep;
	for (i = 0; i < w->late.n; i++)
		drop_seq(w, w->late.v[i]);
	tell_gone(w);
	return 0;
}

/* After a reconnection: expunges, flag changes (since the last
 * HIGHESTMODSEQ with CONDSTORE, else of every known message), new. */
static int
catch_up(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;
	int r = 0;

	if (catch_up_expunges(w, e) < 0)
		return -1;
	if (w->n && w->modseq && (imap_caps(w->im) & IMAP_CAP_CONDSTORE))
		r = imap_simple(w->im, h, e, "UID FETCH 1:%llu (UID FLAGS) "
			"(CHANGEDSINCE %llu)", w->lastuid, w->modseq);
	else if (w->n)
		r = imap_simple(w->im, h, e, "UID FETCH 1:%llu (UID FLAGS)",
			w->lastuid);
	if (r < 0)
		return -1;
	return fetch_new(w, e);
}

static int
baseline(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;
	int r = 0;

	w->n = 0;
	w->lastuid = 0;
	w->quiet = 1;
	if (w->exists)
		r = imap_simple(w->im, h, e, "UID FETCH 1:* (UID FLAGS)");
	w->quiet = 0;
	return r;
}

/* EXAMINE the folder, then the baseline or the catch-up (events). */
static int
sync_folder(struct imap_watch *w, struct err *e)
{
	const struct imap_folder *f;

	w->gone.n = 0;
	w->fresh.n = 0;
	if (imap_select(w->im, w->folder, 1, e) < 0)
		return -1;
	f = imap_folder(w->im);
	w->exists = f->exists;
	if (w->synced && f->uidvalidity != w->uidvalidity) {
		struct imap_event ev;

		memset(&ev, 0, sizeof ev);
		ev.kind = IMAP_EV_UIDVALIDITY;
		ev.folder = w->folder;
		ev.uidvalidity = f->uidvalidity;
		w->fn(w->ctx, &ev);
		w->synced = 0;
	}
	if ((w->synced ? catch_up(w, e) : baseline(w, e)) < 0)
		return -1;
	w->synced = 1;
	w->uidvalidity = f->uidvalidity;
	w->modseq = f->highestmodseq;
	w->uidnext = f->uidnext;
	return 0;
}

int
imap_watch_attach(struct imap_watch *w, struct imap *im, int idle,
	struct err *e)
{
	if (!w->shared)
		imap_free(w->im);
	w->im = im;
	w->shared = 0;
	w->h.ctx = w;
	w->h.untagged = on_untagged;
	w->idle = idle && (imap_caps(im) & IMAP_CAP_IDLE);
	if (sync_folder(w, e) < 0 || settle(w, e) < 0) {
		imap_watch_close(w, 0);
		return -1;
	}
	return 0;
}

int
imap_watch_input(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;
	int r;

	while ((r = imap_ready(w->im, 0, e)) == 1)
		if (imap_idle_read(w->im, h, e) < 0)
			return -1;
	if (r < 0)
		return -1;
	return settle(w, e);
}

int
imap_watch_check(struct imap_watch *w, struct err *e)
{
	const struct imap_handler *h = &w->h;

	if (imap_idle_done(w->im, h, e) < 0 ||
	    imap_simple(w->im, h, e, "NOOP") < 0)
		return -1;
	return settle(w, e);
}

/* ---- several folders on one session: NOTIFY (RFC 5465) ---- */

struct imap_notify {
	struct imap *im;
	struct imap_watch **w;
	size_t n;
	size_t sel;		/* the watch whose folder is selected */
	unsigned char *dirty;	/* a STATUS came: catch that folder up */
	int refused;		/* NOTIFY SET got NO or BAD */
	struct imap_handler h;
	struct buf name;
};

/* The watch of the folder a STATUS names, or g->n. */
static size_t
status_folder(struct imap_notify *g, const struct imap_resp *r)
{
	size_t i, len;
	const char *s;

	if (r->data >= r->ntok || r->tok[r->data].type == IMAP_TOK_LIST)
		return g->n;
	s = imap_tok_str(r, r->data, &len);
	buf_reset(&g->name);
	if ((imap_enabled(g->im) & IMAP_CAP_UTF8_ACCEPT) ||
	    imap_utf7_decode(s, len, &g->name) < 0)
		buf_add(&g->name, s, len);
	for (i = 0; i < g->n; i++) {
		const char *f = g->w[i]->folder;
		size_t fl = strlen(f);

		if (fl != g->name.len)
			continue;
		if (fl == 5 && !mem_casecmp(f, "INBOX", 5) ?
		    !mem_casecmp(g->name.data, "INBOX", 5) :
		    !memcmp(g->name.data, f, fl))
			return i;
	}
	return g->n;
}

/*
 * Does a STATUS of w's folder (the list at token i) say anything changed
 * since w last looked? A STATUS with nothing to compare says so too.
 */
static int
status_changed(const struct imap_watch *w, const struct imap_resp *r,
	size_t i)
{
	size_t j;
	int any = 0, changed = 0;

	if (i >= r->ntok || r->tok[i].type != IMAP_TOK_LIST)
		return 1;
	for (j = i + 1; j + 1 < r->tok[i].end; j += 2) {
		unsigned long long v;

		if (imap_tok_num(r, j + 1, &v) < 0)
			continue;
		if (imap_tok_is(r, j, "MESSAGES"))
			changed |= v != w->n;
		else if (imap_tok_is(r, j, "UIDNEXT"))
			changed |= v != w->uidnext;
		else if (imap_tok_is(r, j, "UIDVALIDITY"))
			changed |= v != w->uidvalidity;
		else if (imap_tok_is(r, j, "HIGHESTMODSEQ"))
			changed |= v != w->modseq;
		else
			continue;
		any = 1;
	}
	return changed || !any;
}

static int
group_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct imap_notify *g = ctx;

	if (r->status == IMAP_ST_NONE && !strcmp(r->name, "STATUS")) {
		size_t i = status_folder(g, r);

		if (i < g->n && i != g->sel &&
		    status_changed(g->w[i], r, r->data + 1))
			g->dirty[i] = 1;
		return 0;
	}
	return on_untagged(g->w[g->sel], r, e);
}

/*
 * STATUS of every folder not selected, for what a NOTIFY did not tell
 * (a server that says nothing of some folders): those that changed
 * are caught up as after a NOTIFY.
 */
static int
status_all(struct imap_notify *g, struct err *e)
{
	unsigned long tag = 0;
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (i == g->sel)
			continue;
		imap_cmd_begin(g->im, "STATUS");
		if (imap_cmd_mailbox(g->im, g->w[i]->folder, e) < 0)
			return -1;
		imap_cmd_add(g->im, " (MESSAGES UIDNEXT UIDVALIDITY%s)",
			(imap_caps(g->im) & IMAP_CAP_CONDSTORE) ?
			" HIGHESTMODSEQ" : "");
		if (!(tag = imap_cmd_end(g->im, e)))
			return -1;
	}
	if (!tag)
		return 0;
	if (imap_flush(g->im, e) < 0)
		return -1;
	return imap_wait(g->im, tag, &g->h, e);
}

struct imap_notify *
imap_notify_new(struct imap_watch **w, size_t n)
{
	struct imap_notify *g = xcalloc(1, sizeof(*g));
	size_t i;

	g->w = w;
	g->n = n;
	g->dirty = xcalloc(n, 1);
	g->h.ctx = g;
	g->h.untagged = group_untagged;
	buf_init(&g->name, 0);
	for (i = 0; i < n; i++) {
		w[i]->shared = 1;
		w[i]->h = g->h;
	}
	return g;
}

void
imap_notify_close(struct imap_notify *g, int logout)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		g->w[i]->im = NULL;
	if (logout)
		imap_logout(g->im);
	else
		imap_free(g->im);
	g->im = NULL;
}

void
imap_notify_free(struct imap_notify *g)
{
	if (!g)
		return;
	imap_notify_close(g, 0);
	buf_release(&g->name);
	free(g->dirty);
	free(g);
}

struct imap *
imap_notify_session(struct imap_notify *g)
{
	return g->im;
}

int
imap_notify_refused(const struct imap_notify *g)
{
	return g->refused;
}

/* NOTIFY SET: the selected folder in full, the others by STATUS. */
static int
notify_set(struct imap_notify *g, struct err *e)
{
	static const char events[] = " (MessageNew MessageExpunge "
		"FlagChange))";
	unsigned long tag;
	size_t i;

	imap_cmd_begin(g->im, "NOTIFY SET (SELECTED (MessageNew "
		"MessageExpunge FlagChange))");
	for (i = 0; i < g->n; i++) {
		imap_cmd_add(g->im, " (MAILBOXES");
		if (imap_cmd_mailbox(g->im, g->w[i]->folder, e) < 0)
			return -1;
		imap_cmd_add(g->im, "%s", events);
	}
	tag = imap_cmd_end(g->im, e);
	if (!tag || imap_flush(g->im, e) < 0)
		return -1;
	return imap_wait(g->im, tag, &g->h, e);
}

/* Select watch i (saying first what the folder selected now has). */
static int
switch_to(struct imap_notify *g, size_t i, struct err *e)
{
	struct imap_watch *cur = g->w[g->sel];

	if (imap_simple(g->im, &g->h, e, "NOOP") < 0 ||
	    fetch_new(cur, e) < 0)
		return -1;
	g->dirty[i] = 0;
	g->sel = i;
	return sync_folder(g->w[i], e);
}

static int
group_settle_once(struct imap_notify *g, struct err *e)
{
	struct imap_watch *cur = g->w[g->sel];
	size_t i, round;
	int busy = cur->exists > cur->n;

	tell_gone(cur);
	for (i = 0; i < g->n; i++)
		busy |= g->dirty[i];
	if (busy && imap_idle_done(g->im, &g->h, e) < 0)
		return -1;
	if (busy && fetch_new(cur, e) < 0)
		return -1;
	/* news that comes meanwhile too, but never endlessly: what is left
	 * waits for the next round */
	for (round = 0; round < 2 * g->n; round++) {
		for (i = 0; i < g->n && !g->dirty[i]; i++)
			;
		if (i == g->n)
			break;
		if (switch_to(g, i, e) < 0)
			return -1;
	}
	if ((imap_caps(g->im) & IMAP_CAP_IDLE) && !imap_idling(g->im))
		return imap_idle_start(g->im, &g->h, e);
	return 0;
}

/* As settle(), for the group. */
static int
group_settle(struct imap_notify *g, struct err *e)
{
	int r;
	size_t i;

	for (r = 0; r < SETTLE_ROUNDS; r++) {
		struct imap_watch *cur;
		int busy;

		if (group_settle_once(g, e) < 0)
			return -1;
		cur = g->w[g->sel];
		busy = cur->exists > cur->n || cur->gone.n;
		for (i = 0; i < g->n; i++)
			busy |= g->dirty[i];
		if (!busy)
			break;
	}
	return 0;
}

int
imap_notify_attach(struct imap_notify *g, struct imap *im, struct err *e)
{
	size_t i;

	imap_notify_close(g, 0);
	g->im = im;
	memset(g->dirty, 0, g->n);
	if (imap_enable(im, "CONDSTORE", e) < 0)
		goto fail;
	for (i = 0; i < g->n; i++) {
		g->w[i]->im = im;
		g->w[i]->idle = 0;
	}
	/* NOTIFY first: a change in a folder already caught up comes as a
	 * STATUS while the next ones are */
	g->sel = 0;
	g->refused = 0;
	if (notify_set(g, e) < 0) {
		g->refused = e->code == ERR_UNAVAILABLE;
		goto fail;
	}
	for (i = 0; i < g->n; i++) {
		g->sel = i;
		g->dirty[i] = 0;
		if (sync_folder(g->w[i], e) < 0)
			goto fail;
	}
	if (group_settle(g, e) < 0)
		goto fail;
	return 0;
fail:
	imap_notify_close(g, 0);
	return -1;
}

int
imap_notify_input(struct imap_notify *g, struct err *e)
{
	int r;

	while ((r = imap_ready(g->im, 0, e)) == 1)
		if (imap_idle_read(g->im, &g->h, e) < 0)
			return -1;
	if (r < 0)
		return -1;
	return group_settle(g, e);
}

int
imap_notify_check(struct imap_notify *g, struct err *e)
{
	if (imap_idle_done(g->im, &g->h, e) < 0 ||
	    imap_simple(g->im, &g->h, e, "NOOP") < 0 ||
	    status_all(g, e) < 0)
		return -1;
	return group_settle(g, e);
}
