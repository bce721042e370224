/*
 * pop3fetch.c: one mailbox fetched exactly once; see pop3fetch.h.
 */
#include <config.h>

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

struct fetch {
	const struct account *acc;
	const struct pop3_fetch_opts *o;
	struct pop3_fetch_report *r;
	struct uidlstate *st;
	struct deliver *d;
	struct pop3 *p;
	struct pop3_list l;
	size_t *win;		/* the window: indexes into l.v */
	unsigned long *nums;	/* their message numbers */
	struct pop3_result *res;
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

/* The id of message k for the delivery and the journal. */
static const char *
msg_id(struct fetch *f, size_t k)
{
	if (f->l.v[k].uidl)
		return f->l.v[k].uidl;
	snprintf(f->synth, sizeof f->synth, "msg-%lu", f->l.v[k].num);
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
	ev.uidl = f->l.v[k].uidl;
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
	if (f->l.v[k].uidl)
		err_prefix(e, "message %lu (UIDL \"%s\")", f->l.v[k].num,
			f->l.v[k].uidl);
	else
		err_prefix(e, "message %lu", f->l.v[k].num);
}

/* The sink: pop3_retr() to the delivery. */
static int
s_begin(void *ctx, size_t i, struct err *e)
{
	struct fetch *f = ctx;

	return deliver_begin(f->d, msg_id(f, f->win[i]), NULL, e);
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

/*
 * DELE the n messages of the window (indexes in f->win); each is reported
 * with action a. -1 only when the connection failed.
 */
static int
dele_window(struct fetch *f, size_t n, enum pop3_fetch_action a,
	struct err *e)
{
	size_t j;

	for (j = 0; j < n; j++)
		f->nums[j] = f->l.v[f->win[j]].num;
	if (n && pop3_dele(f->p, f->nums, n, f->res, e) < 0)
		return -1;
	for (j = 0; j < n; j++) {
		int ok = f->res[j].status == POP3_DONE;

		f->r->deleted += ok;
		if (a != POP3_FETCH_DELIVERED)
			event(f, f->win[j], a, ok, ok ? NULL :
				f->res[j].reply);
	}
	return 0;
}

/*
 * Fetch the n messages of the window into the delivery, make them
 * durable, record them, then delete them (unless keep). -1 with e on any
 * failure, after recording and deleting what did arrive whole.
 */
static int
fetch_window(struct fetch *f, size_t n, struct err *e)
{
	struct err re, se;
	size_t j, m = 0;
	long synced;
	int rr, ret = 0;

	err_clear(&re);
	for (j = 0; j < n; j++)
		f->nums[j] = f->l.v[f->win[j]].num;
	rr = pop3_retr(f->p, f->nums, n, -1, &to_delivery, f, f->res, &re);
	synced = deliver_sync(f->d, &se);
	if (synced < 0) {
		*e = se;
		return -1;
	}
	/* what arrived whole is durable now: record it */
	for (j = 0; j < n; j++) {
		size_t k = f->win[j];

		if (f->res[j].status != POP3_DONE)
			continue;
		if (f->l.have_uidl && uidlstate_add(f->st, f->l.v[k].uidl,
			e) < 0)
			return -1;
		f->win[m++] = k;
	}
	if (uidlstate_commit(f->st, e) < 0)
		return -1;
	deliver_checkpoint(f->d, &se);
	for (j = 0; j < n; j++) {
		if (f->res[j].status == POP3_REFUSED) {
			/* the server would not give it: say so, go on */
			err_set(&re, ERR_UNAVAILABLE, "%s: RETR: %s",
				peer_of(f), f->res[j].reply);
			name_msg(f, f->win[j], &re);
			rr = -1;
		}
	}
	f->r->delivered += m;
	if (rr < 0) {
		if (!f->r->exit_status)
			f->r->exit_status = deliver_exit_status(f->d);
		*e = re;
		for (j = 0; j < n; j++)
			if (f->res[j].status == POP3_LOCAL_FAILED)
				name_msg(f, f->win[j], e);
		ret = -1;
	}
	for (j = 0; j < m; j++)
		f->res[j].status = POP3_NOT_DONE;
	if (!f->acc->keep && pop3_usable(f->p) &&
		dele_window(f, m, POP3_FETCH_DELIVERED, ret ? &se : e) < 0)
		ret = -1;
	for (j = 0; j < m; j++) {
		int ok = f->res[j].status == POP3_DONE;

		f->done++;
		event(f, f->win[j], POP3_FETCH_DELIVERED, ok,
			f->res[j].status == POP3_REFUSED ? f->res[j].reply :
			NULL);
	}
	return ret;
}

/* Which messages this session fetches, deletes unfetched, or skips. */
static int
plan(struct fetch *f, struct buf *todo, struct buf *old, struct buf *kill)
{
	const struct account *acc = f->acc;
	size_t k;

	for (k = 0; k < f->l.n; k++) {
		const struct pop3_msg *m = &f->l.v[k];
		int seen = acc->only_new && f->l.have_uidl &&
			uidlstate_has(f->st, m->uidl);

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

/* DELE the messages listed (size_t indexes) in b, a window at a time. */
static int
dele_list(struct fetch *f, const struct buf *b, enum pop3_fetch_action a,
	size_t w, struct err *e)
{
	const size_t *v = (const size_t *)(const void *)b->data;
	size_t n = b->len / sizeof(size_t), i;

	for (i = 0; i < n; i += w) {
		size_t c = n - i < w ? n - i : w;

		memcpy(f->win, v + i, c * sizeof(size_t));
		if (dele_window(f, c, a, e) < 0)
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
		ids[i] = f->l.v[i].uidl;
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
	size_t w = o->window ? o->window : POP3_FETCH_WINDOW, n, i;
	const size_t *v;
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
				!uidlstate_has(f->st, f->l.v[i].uidl)) {
				f->r->new_count++;
				f->r->new_size += f->l.v[i].size;
			}
		goto quit;
	}
	plan(f, &todo, &old, &kill);
	n = todo.len / sizeof(size_t);
	if (o->session_limit && n > o->session_limit) {
		n = o->session_limit;
		*more = 1;
	}
	f->total = f->done + n;
	if (!f->d) {
		/* --stdout: one message raw, several as mboxrd */
		if (f->dop.kind == DELIVER_STREAM && n == 1 && !*more)
			f->dop.flags &= ~(unsigned)DELIVER_STREAM_MBOXRD;
		f->d = deliver_open(&f->dop, e);
		if (!f->d)
			goto out;
	}
	f->win = xrealloc(f->win, w * sizeof(*f->win));
	f->nums = xrealloc(f->nums, w * sizeof(*f->nums));
	f->res = xrealloc(f->res, w * sizeof(*f->res));
	if (dele_list(f, &old, POP3_FETCH_OLD, w, e) < 0 ||
		dele_list(f, &kill, POP3_FETCH_KILLED, w, e) < 0)
		goto out;
	v = (const size_t *)(const void *)todo.data;
	for (i = 0; i < n; i += w) {
		size_t c = n - i < w ? n - i : w;

		memcpy(f->win, v + i, c * sizeof(size_t));
		if (fetch_window(f, c, e) < 0) {
			/* commit the deletions of what arrived, if we can */
			if (pop3_usable(f->p)) {
				struct err qe;

				pop3_quit(f->p, &qe);
				f->p = NULL;
			}
			*more = 0;
			goto out;
		}
	}
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
	free(f.win);
	free(f.nums);
	free(f.res);
	return ret;
}

void
pop3_fetch_report_release(struct pop3_fetch_report *r)
{
	free(r->state_path);
	free(r->serverinfo);
	memset(r, 0, sizeof(*r));
}
