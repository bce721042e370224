/*
 * pop3fetch.c: one mailbox fetched exactly once; see pop3fetch.h.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "net/conn.h"
#include "proto/pop3.h"
#include "proto/pop3fetch.h"
#include "store/deliver.h"
#include "store/uidlstate.h"

/*
 * One window of messages: indexes into l.v, their message numbers, what
 * became of each. Once settled, the first m entries are the delivered
 * ones (their DELE next).
 */
struct slot {
	uint32_t *win;
	unsigned long *nums;
	struct pop3_result *res;
	size_t n, m;
	int dele_owed;		/* its DELEs went out, replies not read */
};

/*
 * Four windows live at once when pipelining: the one whose DELE replies
 * are owed, the one being made durable, the one being delivered and the
 * one whose RETRs went ahead.
 */
#define SLOTS 4
/* With a journal, the state is written every this many messages (and at
 * the end of a session); the journal holds the rest meanwhile. */
#define STATE_EVERY 1024

struct fetch {
	const struct account *acc;
	const struct pop3_fetch_opts *o;
	struct pop3_fetch_report *r;
	struct uidlstate *st;
	struct deliver *d;
	struct pop3 *p;
	struct pop3_list l;
	struct slot s[SLOTS];
	struct slot *cur;	/* the window the sink is filling */
	size_t w;		/* messages per window */
	size_t unsaved;		/* recorded, state not yet written */
	struct deliver_opts dop;
	size_t done, total;	/* progress over the run */
	char synth[32];		/* an id for a server without UIDL */
};

static const char *
peer_of(const struct fetch *f)
{
	struct pop3_info in;

	pop3_info(f->p, &in);
	return in.peer;
}

/* The UIDL of message k, or NULL. */
static const char *
uidl_of(const struct fetch *f, size_t k)
{
	return pop3_uidl(&f->l, k);
}

/* The id of message k for the delivery and the journal. */
static const char *
msg_id(struct fetch *f, size_t k)
{
	if (uidl_of(f, k))
		return uidl_of(f, k);
	snprintf(f->synth, sizeof f->synth, "msg-%lu",
		(unsigned long)f->l.v[k].num);
	return f->synth;
}

static void
event(struct fetch *f, size_t k, enum pop3_fetch_action a, int deleted,
	const char *refused)
{
	struct pop3_fetch_event ev;

	if (!f->o->fn)
		return;
	ev.num = f->l.v[k].num;
	ev.uidl = uidl_of(f, k);
	ev.size = f->l.v[k].size;
	ev.action = a;
	ev.deleted = deleted;
	ev.dele_refused = refused;
	ev.done = f->done;
	ev.total = f->total;
	f->o->fn(f->o->arg, &ev);
}

/* "message 3 (UIDL "x"): " in front of e. */
static void
name_msg(struct fetch *f, size_t k, struct err *e)
{
	if (uidl_of(f, k))
		err_prefix(e, "message %lu (UIDL \"%s\")",
			(unsigned long)f->l.v[k].num, uidl_of(f, k));
	else
		err_prefix(e, "message %lu", (unsigned long)f->l.v[k].num);
}

/* The sink: pop3_retr() to the delivery. */
static int
s_begin(void *ctx, size_t i, struct err *e)
{
	struct fetch *f = ctx;

	return deliver_begin(f->d, msg_id(f, f->cur->win[i]), NULL, e);
}

static int
s_write(void *ctx, size_t i, const char *data, size_t len, struct err *e)
{
	struct fetch *f = ctx;

	(void)i;
	return deliver_write(f->d, data, len, e);
}

static int
s_end(void *ctx, size_t i, struct err *e)
{
	struct fetch *f = ctx;

	(void)i;
	return deliver_end(f->d, e);
}

static void
s_abort(void *ctx, size_t i)
{
	struct fetch *f = ctx;

	(void)i;
	deliver_abort(f->d);
}

static const struct pop3_sink to_delivery = { s_begin, s_write, s_end,
	s_abort };

static void
slot_load(struct fetch *f, struct slot *s, const uint32_t *v, size_t n)
{
	size_t j;

	memcpy(s->win, v, n * sizeof(*v));
	for (j = 0; j < n; j++)
		s->nums[j] = f->l.v[v[j]].num;
	s->n = n;
	s->m = 0;
	s->dele_owed = 0;
}

/*
 * Report the first n messages of s as a, deleted when their DELE got +OK
 * (a DELIVERED message counts toward the progress).
 */
static void
report(struct fetch *f, struct slot *s, size_t n, enum pop3_fetch_action a)
{
	size_t j;

	for (j = 0; j < n; j++) {
		int ok = s->res[j].status == POP3_DONE;

		f->r->deleted += ok;
		if (a == POP3_FETCH_DELIVERED)
			f->done++;
		event(f, s->win[j], a, ok, s->res[j].status == POP3_REFUSED ?
			s->res[j].reply : NULL);
	}
}

/* Write the UIDL state, then let the journal forget what it holds. */
static int
save_state(struct fetch *f, struct err *e)
{
	struct err ce;

	if (uidlstate_commit(f->st, e) < 0)
		return -1;
	f->unsaved = 0;
	if (f->d)
		deliver_checkpoint(f->d, &ce);
	return 0;
}

/*
 * The RETR replies of s are in (rr and re: what reading them returned),
 * and deliver_sync_start() handed what arrived whole over: wait until it
 * is durable, then record it (in the state written now, or with a journal
 * in the journal until STATE_EVERY). s then starts with its s->m
 * delivered messages, their results cleared for the DELE. -1 with e when
 * the sync or the state failed (then s->m is 0: nothing may be deleted)
 * or a message did not arrive (the rest is delivered).
 */
static int
settle_end(struct fetch *f, struct slot *s, int rr, struct err *re,
	struct err *e)
{
	size_t j, m = 0;

	s->m = 0;
	if (deliver_sync_wait(f->d, e) < 0)
		return -1;
	for (j = 0; j < s->n; j++) {
		size_t k = s->win[j];

		if (s->res[j].status == POP3_REFUSED) {
			/* the server would not give it: say so, go on */
			err_set(re, ERR_UNAVAILABLE, "%s: RETR: %s",
				peer_of(f), s->res[j].reply);
			name_msg(f, k, re);
			rr = -1;
		} else if (s->res[j].status == POP3_LOCAL_FAILED)
			name_msg(f, k, re);
		if (s->res[j].status != POP3_DONE)
			continue;
		if (f->l.have_uidl && uidlstate_add(f->st, uidl_of(f, k),
			e) < 0)
			return -1;
		s->win[m] = k;
		s->nums[m++] = f->l.v[k].num;
	}
	f->unsaved += m;
	if ((!f->dop.journal || f->unsaved >= STATE_EVERY) &&
		save_state(f, e) < 0)
		return -1;
	s->m = m;
	f->r->delivered += m;
	for (j = 0; j < m; j++)
		s->res[j].status = POP3_NOT_DONE;
	if (rr < 0) {
		if (!f->r->exit_status)
			f->r->exit_status = deliver_exit_status(f->d);
		*e = *re;
		return -1;
	}
	return 0;
}

/* settle_end() at once: the sync not overlapped. */
static int
settle(struct fetch *f, struct slot *s, int rr, struct err *re,
	struct err *e)
{
	if (deliver_sync_start(f->d, e) < 0)
		return -1;
	return settle_end(f, s, rr, re, e);
}

/* DELE what s delivered now (unless keep) and report it. */
static int
dele_delivered(struct fetch *f, struct slot *s, struct err *e)
{
	int r = 0;

	if (!f->acc->keep && pop3_usable(f->p) && s->m)
		r = pop3_dele(f->p, s->nums, s->m, s->res, e);
	report(f, s, s->m, POP3_FETCH_DELIVERED);
	return r;
}

/* One window at a time, each command waiting for the one before. */
static int
fetch_window(struct fetch *f, struct slot *s, struct err *e)
{
	struct err re, de;
	int rr, ret;

	err_clear(&re);
	f->cur = s;
	rr = pop3_retr(f->p, s->nums, s->n, -1, &to_delivery, f, s->res, &re);
	ret = settle(f, s, rr, &re, e);
	if (dele_delivered(f, s, ret < 0 ? &de : e) < 0)
		ret = -1;
	return ret;
}

/* Read the DELE replies owed for s (if any) and report s. */
static int
dele_replies(struct fetch *f, struct slot *s, struct err *e)
{
	int r = 0;

	if (!s || !s->dele_owed)
		return 0;
	s->dele_owed = 0;
	if (pop3_usable(f->p))
		r = pop3_recv_dele(f->p, s->m, s->res, e);
	report(f, s, s->m, POP3_FETCH_DELIVERED);
	return r;
}

/* s is settled: its DELEs go out, their replies read later (none with
 * keep: then it is reported now). */
static int
dele_ahead(struct fetch *f, struct slot *s, struct err *e)
{
	if (f->acc->keep || !s->m || !pop3_usable(f->p)) {
		report(f, s, s->m, POP3_FETCH_DELIVERED);
		return 0;
	}
	if (pop3_send_dele(f->p, s->nums, s->m, e) < 0) {
		report(f, s, s->m, POP3_FETCH_DELIVERED);
		return -1;
	}
	s->dele_owed = 1;
	return 0;
}

/*
 * A window failed: read the DELE replies owed for dv, drop what went
 * ahead, DELE what pv delivered, then settle c (what of it arrived whole,
 * with rr and re: what reading it returned) and DELE that too. pv and c
 * may be NULL. e keeps the first error: set by the caller unless
 * c_error, else c's.
 */
static int
stop_piped(struct fetch *f, struct slot *dv, struct slot *pv,
	struct slot *c, int rr, struct err *re, int c_error, struct err *e)
{
	struct err de, ce;

	deliver_expect(f->d, 0);	/* nothing more comes */
	dele_replies(f, dv, &de);
	if (pop3_usable(f->p))
		pop3_drain(f->p, &de);
	if (pv)
		dele_delivered(f, pv, &de);
	if (c) {
		f->cur = c;
		settle(f, c, rr, re, c_error ? e : &ce);
		dele_delivered(f, c, &de);
	}
	return -1;
}

/*
 * With PIPELINING: the RETRs of the next window go out before this one is
 * read to its end, this one is made durable (deliver_sync_start) while
 * the next is read, and its DELEs go out once it is, so that the server
 * streams, the disk syncs and nothing waits for a round trip between
 * windows. On the wire: RETR w0, RETR w1, RETR w2, DELE w0, RETR w3,
 * DELE w1...; window k is read while k-1 syncs and the DELE replies of
 * k-2 are owed.
 */
static int
fetch_piped(struct fetch *f, const uint32_t *v, size_t n, struct err *e)
{
	size_t w = f->w, nw = (n + w - 1) / w, k;
	struct slot *pv = NULL, *dv = NULL;	/* syncing; DELE owed */
	struct err re, de, pe;
	int rr;

	if (!n)
		return 0;
	slot_load(f, &f->s[0], v, n < w ? n : w);
	if (pop3_send_retr(f->p, f->s[0].nums, f->s[0].n, -1, e) < 0)
		return -1;
	for (k = 0; k < nw; k++) {
		struct slot *c = &f->s[k % SLOTS];
		struct slot *nx = &f->s[(k + 1) % SLOTS];
		size_t i = (k + 1) * w;

		f->cur = c;
		err_clear(&re);
		rr = pop3_recv_retr(f->p, c->n, &to_delivery, f, c->res, &re);
		if (rr == 0 && i < n) {
			slot_load(f, nx, v + i, n - i < w ? n - i : w);
			rr = pop3_send_retr(f->p, nx->nums, nx->n, -1, &re);
		}
		if (dele_replies(f, dv, &de) < 0 && rr == 0) {
			re = de;
			rr = -1;
		}
		dv = NULL;
		err_clear(&pe);
		if (pv && settle_end(f, pv, 0, &pe, e) < 0)
			return stop_piped(f, NULL, pv, c, rr, &re, 0, e);
		if (pv && dele_ahead(f, pv, e) < 0)
			return stop_piped(f, NULL, NULL, c, rr, &re, 0, e);
		if (pv && pv->dele_owed)
			dv = pv;
		pv = NULL;
		deliver_expect(f->d, k + 1 < nw ? nx->n : 0);
		if (rr < 0 || deliver_sync_start(f->d, &re) < 0)
			return stop_piped(f, dv, NULL, c, -1, &re, 1, e);
		pv = c;
	}
	err_clear(&pe);
	rr = dele_replies(f, dv, &de);
	if (settle_end(f, pv, 0, &pe, e) < 0)
		return stop_piped(f, NULL, pv, NULL, 0, NULL, 0, e);
	if (rr < 0) {
		dele_delivered(f, pv, &pe);
		*e = de;
		return -1;
	}
	return dele_delivered(f, pv, e);
}

static int
fetch_all(struct fetch *f, const uint32_t *v, size_t n, struct err *e)
{
	size_t i;

	if (pop3_pipelining(f->p))
		return fetch_piped(f, v, n, e);
	for (i = 0; i < n; i += f->w) {
		size_t after = n - i > f->w ? n - i - f->w : 0;

		slot_load(f, &f->s[0], v + i, n - i < f->w ? n - i : f->w);
		deliver_expect(f->d, after < f->w ? after : f->w);
		if (fetch_window(f, &f->s[0], e) < 0)
			return -1;
	}
	return 0;
}

/* Which messages this session fetches, deletes unfetched, or skips:
 * uint32_t indexes into f->l.v (LIST numbers fit 32 bits). */
static int
plan(struct fetch *f, struct buf *todo, struct buf *old, struct buf *kill)
{
	const struct account *acc = f->acc;
	uint32_t k;

	buf_grow(todo, f->l.n * sizeof(k));	/* at most all, no slack */
	for (k = 0; k < f->l.n; k++) {
		const struct pop3_msg *m = &f->l.v[k];
		int seen = acc->only_new && f->l.have_uidl &&
			uidlstate_has(f->st, uidl_of(f, k));

		if (seen) {
			if (!acc->keep)
				buf_add(old, &k, sizeof k);
		} else if (acc->killsize >= 0 &&
			m->size > (unsigned long long)acc->killsize) {
			if (acc->keep) {
				f->r->skipped++;
				event(f, k, POP3_FETCH_SKIPPED, 0, NULL);
			} else
				buf_add(kill, &k, sizeof k);
		} else if (acc->skipsize >= 0 &&
			m->size > (unsigned long long)acc->skipsize) {
			f->r->skipped++;
			event(f, k, POP3_FETCH_SKIPPED, 0, NULL);
		} else
			buf_add(todo, &k, sizeof k);
	}
	return 0;
}

/* Room in the state for the UIDLs of the n messages at v, once: the
 * state's tables then neither grow nor copy while the session records
 * them. */
static void
reserve_state(struct fetch *f, const uint32_t *v, size_t n)
{
	size_t i, bytes = 0;

	if (!f->l.have_uidl)
		return;
	for (i = 0; i < n; i++)
		bytes += strlen(uidl_of(f, v[i])) + 1;
	uidlstate_reserve(f->st, n, bytes);
}

/* DELE the messages listed (uint32_t indexes) in b, a window at a time. */
static int
dele_list(struct fetch *f, const struct buf *b, enum pop3_fetch_action a,
	struct err *e)
{
	const uint32_t *v = (const uint32_t *)(const void *)b->data;
	size_t n = b->len / sizeof(*v), i;
	struct slot *s = &f->s[0];

	for (i = 0; i < n; i += f->w) {
		size_t c = n - i < f->w ? n - i : f->w;
		int r;

		slot_load(f, s, v + i, c);
		r = pop3_dele(f->p, s->nums, c, s->res, e);
		report(f, s, c, a);
		if (r < 0)
			return -1;
		if (a == POP3_FETCH_KILLED)
			f->r->killed += c;
	}
	return 0;
}

static int
check_uidls(struct fetch *f, struct err *e)
{
	const char *peer = peer_of(f);

	if (!f->acc->only_new)
		return 0;
	if (!f->l.have_uidl)
		return err_set(e, ERR_CONFIG, "%s: the server has no UIDL, "
			"so messages already fetched cannot be told apart: "
			"set \"only_new off\" (with \"keep off\")", peer);
	if (f->l.dup_uidl)
		return err_set(e, ERR_PROTOCOL, "%s: the server lists the "
			"same UIDL for two messages, so messages already "
			"fetched cannot be told apart: set \"only_new off\" "
			"(with \"keep off\")", peer);
	return 0;
}

static int
serverinfo(struct fetch *f)
{
	struct pop3_info in;
	struct buf b = BUF_INIT;

	pop3_info(f->p, &in);
	buf_addf(&b, "POP3 server at %s\n", in.peer);
	buf_addf(&b, "greeting: %s\n", in.greeting);
	buf_addf(&b, "TLS: %s\n", conn_is_tls(pop3_conn(f->p)) ? "yes" :
		"no");
	buf_addf(&b, "capabilities:\n");
	if (*in.capa) {
		const char *s = in.capa;

		while (*s) {
			const char *nl = strchr(s, '\n');

			buf_addf(&b, "    %.*s\n", (int)(nl - s), s);
			s = nl + 1;
		}
	} else
		buf_addf(&b, "    (no CAPA)\n");
	buf_addf(&b, "authentication: %s\n", *in.sasl_mechs ?
		in.sasl_mechs : (in.caps & POP3_CAP_USER) ? "USER" : "-");
	buf_addf(&b, "APOP: %s\n", in.caps & POP3_CAP_APOP ? "yes" : "no");
	f->r->serverinfo = xstrdup(b.data);
	buf_release(&b);
	return 0;
}

/*
 * The server's UIDL list against the state: forget what is gone from the
 * server, and with --init-state record everything as seen.
 */
static int
record_server(struct fetch *f, struct err *e)
{
	const char **ids = xcalloc(f->l.n + 1, sizeof(*ids));
	size_t i;
	int r = 0;

	for (i = 0; i < f->l.n; i++)
		ids[i] = uidl_of(f, i);
	for (i = 0; i < f->l.n && f->o->mode == POP3_FETCH_INIT_STATE &&
		r == 0; i++)
		r = uidlstate_add(f->st, ids[i], e);
	uidlstate_retain(f->st, ids, f->l.n);
	free(ids);
	return r < 0 ? -1 : uidlstate_commit(f->st, e);
}

/*
 * One session: scan, plan, delete what was fetched before, fetch in
 * windows up to the session limit, QUIT. *more is set when the limit
 * stopped it with messages left.
 */
static int
session(struct fetch *f, int *more, struct err *e)
{
	const struct pop3_fetch_opts *o = f->o;
	struct buf todo = BUF_INIT, old = BUF_INIT, kill = BUF_INIT;
	size_t n, i, k;
	int ret = -1;

	*more = 0;
	f->p = pop3_open(f->acc, o->password, o->pop3_flags |
		(o->mode == POP3_FETCH_SERVERINFO ? POP3_NO_AUTH : 0), o->ts,
		e);
	if (!f->p)
		return -1;
	f->r->sessions++;
	if (o->mode == POP3_FETCH_SERVERINFO) {
		serverinfo(f);
		goto quit;
	}
	if (pop3_scan(f->p, 1, &f->l, e) < 0 || check_uidls(f, e) < 0)
		goto out;
	if (f->r->sessions == 1) {
		f->r->count = f->l.n;
		f->r->size = f->l.total;
	}
	if (f->l.have_uidl && !f->l.dup_uidl && record_server(f, e) < 0)
		goto out;
	if (o->mode == POP3_FETCH_INIT_STATE)
		goto quit;
	if (o->mode == POP3_FETCH_STATUS) {
		for (i = 0; i < f->l.n; i++)
			if (!f->acc->only_new || !f->l.have_uidl ||
				!uidlstate_has(f->st, uidl_of(f, i))) {
				f->r->new_count++;
				f->r->new_size += f->l.v[i].size;
			}
		goto quit;
	}
	plan(f, &todo, &old, &kill);
	n = todo.len / sizeof(uint32_t);
	if (o->session_limit && n > o->session_limit) {
		n = o->session_limit;
		*more = 1;
	}
	reserve_state(f, (const uint32_t *)(const void *)todo.data, n);
	f->total = f->done + n;
	if (!f->d) {
		/* --stdout: one message raw, several as mboxrd */
		if (f->dop.kind == DELIVER_STREAM && n == 1 && !*more)
			f->dop.flags &= ~(unsigned)DELIVER_STREAM_MBOXRD;
		f->d = deliver_open(&f->dop, e);
		if (!f->d)
			goto out;
	}
	f->w = o->window ? o->window : POP3_FETCH_WINDOW;
	for (k = 0; k < SLOTS; k++) {
		f->s[k].win = xrealloc(f->s[k].win, f->w *
			sizeof(*f->s[k].win));
		f->s[k].nums = xrealloc(f->s[k].nums, f->w *
			sizeof(*f->s[k].nums));
		f->s[k].res = xrealloc(f->s[k].res, f->w *
			sizeof(*f->s[k].res));
	}
	if (dele_list(f, &old, POP3_FETCH_OLD, e) < 0 ||
		dele_list(f, &kill, POP3_FETCH_KILLED, e) < 0)
		goto out;
	if (fetch_all(f, (const uint32_t *)(const void *)todo.data, n,
		e) < 0) {
		struct err qe;

		/* record what arrived and commit its deletions, if we can */
		if (f->unsaved)
			save_state(f, &qe);
		if (pop3_usable(f->p)) {
			pop3_quit(f->p, &qe);
			f->p = NULL;
		}
		*more = 0;
		goto out;
	}
	if (f->unsaved && save_state(f, e) < 0)
		goto out;
quit:
	ret = pop3_quit(f->p, e);
	f->p = NULL;
out:
	pop3_free(f->p);
	f->p = NULL;
	pop3_list_release(&f->l);
	buf_release(&todo);
	buf_release(&old);
	buf_release(&kill);
	return ret;
}

/* Record what a crash left delivered, before anything else. */
static int
recover(struct fetch *f, const char *journal, struct err *e)
{
	char **ids = NULL;
	size_t n = 0, i;
	int r = 0;

	if (deliver_recover(journal, &ids, &n, e) < 0)
		return -1;
	for (i = 0; i < n && r == 0; i++)
		r = uidlstate_add(f->st, ids[i], e);
	strv_free(ids, n);
	return r < 0 ? -1 : uidlstate_commit(f->st, e);
}

int
pop3_fetch(const struct account *acc, const struct pop3_fetch_opts *o,
	struct pop3_fetch_report *r, struct err *e)
{
	struct fetch f;
	int more = 1, ret = -1;
	size_t k;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof f);
	f.acc = acc;
	f.o = o;
	f.r = r;
	if (o->mode == POP3_FETCH_SERVERINFO)
		return session(&f, &more, e);
	r->state_path = uidlstate_path(acc->uidls_file, acc->user, acc->host,
		(unsigned)acc->port, e);
	if (!r->state_path)
		return -1;
	f.st = uidlstate_open(r->state_path, o->wait_lock ? UIDLSTATE_WAIT :
		0, e);
	if (!f.st)
		return -1;
	if (o->mode == POP3_FETCH_MAIL) {
		if (o->stdout_fd >= 0) {
			f.dop.kind = DELIVER_STREAM;
			f.dop.fd = o->stdout_fd;
			f.dop.flags = DELIVER_STREAM_MBOXRD;
			if (acc->received_header) {
				f.dop.received_from = acc->host;
				f.dop.received_with = "POP3";
			}
		} else if (deliver_opts_account(&f.dop, acc, "POP3", e) < 0)
			goto out;
		if (f.dop.kind == DELIVER_MAILDIR ||
			f.dop.kind == DELIVER_MBOX) {
			f.dop.journal = uidlstate_journal(f.st);
			if (recover(&f, f.dop.journal, e) < 0)
				goto out;
		}
	}
	while (more)
		if (session(&f, &more, e) < 0)
			goto out;
	ret = 0;
out:
	if (f.d) {
		struct err ce;

		if (deliver_close(f.d, &ce) < 0 && ret == 0) {
			*e = ce;
			ret = -1;
		}
	}
	uidlstate_close(f.st);
	for (k = 0; k < SLOTS; k++) {
		free(f.s[k].win);
		free(f.s[k].nums);
		free(f.s[k].res);
	}
	return ret;
}

void
pop3_fetch_report_release(struct pop3_fetch_report *r)
{
	free(r->state_path);
	free(r->serverinfo);
	memset(r, 0, sizeof(*r));
}
