/*
 * qflush.c: the queue flush and host failover (qflush.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/conn.h"
#include "proto/qflush.h"

/* Messages pipelined on one session at once (each holds an open file),
 * and windows per journal (one sync of msg/ for all their removals). */
#define WINDOW 64
#define JOURNAL_WINDOWS 16

int
qflush_retryable(const struct err *e)
{
	return e->code == ERR_TEMPFAIL || e->code == ERR_NOHOST;
}

struct smtp *
qflush_open(const struct account *acc, const char *password, unsigned flags,
	struct transcript *ts, struct err *skipped, struct err *e)
{
	const char *p = acc->host ? acc->host : "";
	struct smtp *s = NULL;
	size_t n;

	if (skipped)
		err_clear(skipped);
	p += strspn(p, " \t");
	if (!*p || !p[strcspn(p, " \t")])
		return smtp_open(acc, password, flags, ts, e);
	while (*p) {
		struct account *one = account_dup(acc);

		n = strcspn(p, " \t");
		free(one->host);
		one->host = xmemdup(p, n + 1);
		one->host[n] = '\0';
		s = smtp_open(one, password, flags, ts, e);
		account_free(one);
		p += n;
		p += strspn(p, " \t");
		if (s || !qflush_retryable(e))
			break;
		if (skipped && *p)
			*skipped = *e;
	}
	return s;
}

/* What becomes of a message after smtp_send(). */
static enum qflush_outcome
outcome(const struct smtp_msg *m)
{
	enum err_code c = m->err.code;

	if (m->status == SMTP_SENT)
		return QFLUSH_SENT;
	if (m->status == SMTP_IN_DOUBT)
		return QFLUSH_IN_DOUBT;
	if (c == ERR_NOUSER || c == ERR_UNAVAILABLE || c == ERR_DATA)
		return QFLUSH_FAILED;
	return QFLUSH_DEFERRED;
}

/*
 * A refused entry of the window: its report takes its place before it
 * leaves (settled in the journal first: a refused message was not
 * delivered, and is not in doubt). FAILED, or DEFERRED when the report
 * could not be queued (the entry is kept and tried again).
 */
static enum qflush_outcome
report(struct queue_entry *qe, struct smtp_msg *m, struct queue_journal *j,
	const struct qflush_ops *ops)
{
	int r;

	queue_journal_settle(j, qe);
	r = ops->report ? ops->report(ops->arg, qe, QFLUSH_FAILED, m,
		&m->err) : 0;
	if (r < 0)
		return QFLUSH_DEFERRED;
	qe->replaced = r > 0;
	return QFLUSH_FAILED;
}

/* The message of a locked entry: what was read of it, the rest from its
 * file. */
static void
entry_msg(struct smtp_msg *m, struct queue_entry *qe, struct smtp_rcpt *rc)
{
	struct queue_env *v = &qe->env;
	size_t k, have = qe->len - qe->msg_off;

	for (k = 0; k < v->nrcpt; k++)
		rc[k].addr = v->rcpt[k];
	m->from = v->from;
	m->rcpt = rc;
	m->nrcpt = v->nrcpt;
	m->head = qe->data + qe->msg_off;
	m->head_len = have;
	m->body = "";
	m->body_len = qe->size - have;
	m->flags = v->flags;
	if (m->body_len) {
		m->body_fd = qe->fd;
		m->body_off = (off_t)(qe->msg_off + have);
		m->flags |= SMTP_MSG_BODY_FD;
	}
	m->dsn_notify = v->dsn_notify;
	m->dsn_return = (enum account_dsn_return)v->dsn_return;
	m->envid = v->envid;
}

/* One flush's progress: the entries of one account at a time. */
struct run {
	const char *dir;
	time_t now;
	int force;
	const struct qflush_ops *ops;
	struct queue_entry *win;
	size_t w;
	struct queue_journal j;
	unsigned windows;
	long left;
	int failed;		/* removals not known durable: e says why */
	struct err *e;
	/* the pass's ids: [0, next) taken; [next, ahead) locked and read
	 * while the server answers (read_ahead()), into pre[i % WINDOW] */
	char **ids;
	size_t n, next, ahead;
	struct queue_entry *pre;
	int *pre_rc;
};

/*
 * While the server answers the window being sent (conn_set_idle()): lock
 * and read the next entry of the next window, so that the next window is
 * ready when this one is answered and costs the connection no idle time.
 * With its last entry read, the next window's ids go to the journal
 * (queue_journal_ahead()), synced while this window ends. 0 when the next
 * window is read.
 */
static int
read_ahead(void *arg)
{
	struct run *r = arg;
	size_t end = r->n - r->next < WINDOW ? r->n : r->next + WINDOW;
	struct err ae;

	if (r->ahead >= end)
		return 0;
	r->pre_rc[r->ahead % WINDOW] = queue_lock(r->dir, r->ids[r->ahead],
		&r->pre[r->ahead % WINDOW], &ae);
	if (++r->ahead == end)
		queue_journal_ahead(&r->ids[r->next], end - r->next, &r->j);
	return 1;
}

/* The entry ids[i] (the next one) into qe: queue_lock()'s result, read
 * ahead or now. */
static int
lock_next(struct run *r, size_t i, struct queue_entry *qe)
{
	struct err ae;

	r->next = i + 1;
	if (i < r->ahead) {
		*qe = r->pre[i % WINDOW];
		return r->pre_rc[i % WINDOW];
	}
	r->ahead = r->next;
	return queue_lock(r->dir, r->ids[i], qe, &ae);
}

/* Deliver r's window (locked, same account) on *s, opening it when
 * NULL. */
static long
send_window(struct run *r, const struct account *acc, struct smtp **s)
{
	const char *dir = r->dir;
	time_t now = r->now;
	struct queue_entry *win = r->win;
	size_t n = r->w;
	struct queue_journal *j = &r->j;
	const struct qflush_ops *ops = r->ops;
	struct smtp_msg *m = xcalloc(n, sizeof(*m));
	struct smtp_rcpt **rc = xcalloc(n, sizeof(*rc));
	enum qflush_outcome *res = xcalloc(n, sizeof(*res));
	struct queue_entry **gone = xcalloc(n, sizeof(*gone));
	struct err e, de;
	long left = 0;
	size_t i, k;
	int lost;

	err_clear(&e);
	if (!*s) {
		*s = ops->open(ops->arg, acc, &e);
		if (*s)
			conn_set_idle(smtp_conn(*s), read_ahead, r);
	}
	/* a flush killed from here on leaves these "in doubt", never
	 * silently sent twice */
	if (!*s || queue_mark_sending_all(dir, win, n, j, &e) < 0) {
		for (i = 0; i < n; i++) {
			queue_defer(dir, &win[i], now, win[i].env.in_doubt,
				e.msg, &de);
			queue_journal_settle(j, &win[i]);
			ops->result(ops->arg, &win[i], QFLUSH_DEFERRED, NULL,
				NULL, &e);
		}
		left = (long)n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc[i] = xcalloc(win[i].env.nrcpt, sizeof(**rc));
		entry_msg(&m[i], &win[i], rc[i]);
	}
	if (smtp_send(*s, m, n, 0, &e) < 0) {
		smtp_free(*s);
		*s = NULL;
	}
	/* the sent and the refused leave the queue together (synced with
	 * the journal's end), before any of them is reported */
	err_clear(&de);
	for (i = 0, k = 0; i < n; i++) {
		res[i] = outcome(&m[i]);
		if (res[i] == QFLUSH_FAILED)
			res[i] = report(&win[i], &m[i], j, ops);
		if (res[i] == QFLUSH_SENT || (res[i] == QFLUSH_FAILED &&
		    !win[i].replaced))
			gone[k++] = &win[i];
	}
	lost = queue_unlink_all(dir, gone, k, j, &de) < 0;
	for (i = 0; i < n; i++) {
		const char *peer = *s ? smtp_peer(*s) : NULL;
		enum qflush_outcome o = res[i];
		struct err ue, fe;

		err_clear(&ue);
		if (o == QFLUSH_FAILED && win[i].replaced) {
			/* its report took its place */
		} else if ((o == QFLUSH_SENT || o == QFLUSH_FAILED) && lost &&
		    win[i].fd >= 0) {
			/* answered, not removed (queue_unlink_all() lets go
			 * of what it removed): in doubt, as its state says */
			o = QFLUSH_IN_DOUBT;
			ue = de;
			if (queue_defer(dir, &win[i], now, 1, de.msg,
				&fe) == 0)
				queue_journal_settle(j, &win[i]);
			left++;
		} else if (o == QFLUSH_DEFERRED || o == QFLUSH_IN_DOUBT) {
			if (queue_defer(dir, &win[i], now,
				o == QFLUSH_IN_DOUBT, m[i].err.msg, &ue) == 0)
				queue_journal_settle(j, &win[i]);
			left++;
		}
		ops->result(ops->arg, &win[i], o, &m[i], peer,
			ue.code ? &ue : &m[i].err);
	}
out:
	for (i = 0; i < n; i++)
		free(rc[i]);
	free(rc);
	free(m);
	free(res);
	free(gone);
	return left;
}

/* Send the window, and end the journal every JOURNAL_WINDOWS windows. */
static void
flush_window(struct run *r, const struct account *acc, struct smtp **s)
{
	struct err je;

	if (!r->w)
		return;
	r->left += send_window(r, acc, s);
	while (r->w)
		queue_entry_release(&r->win[--r->w]);
	if (++r->windows % JOURNAL_WINDOWS == 0 &&
	    queue_journal_done(r->dir, &r->j, &je) < 0) {
		*r->e = je;
		r->failed = 1;
	}
}

/* A locked entry older than acc's queue_lifetime: its report takes its
 * place, or it is removed; kept when the report cannot be queued. */
static void
expire(struct run *r, struct queue_entry *qe, const struct account *acc)
{
	struct err ae, re;
	int rep;

	err_set(&ae, ERR_UNAVAILABLE, "queued longer than queue_lifetime "
		"(%ds)%s%s", acc->queue_lifetime,
		qe->env.last_error[0] ? "; last: " : "", qe->env.last_error);
	rep = r->ops->report ? r->ops->report(r->ops->arg, qe,
		QFLUSH_EXPIRED, NULL, &ae) : 0;
	if (rep < 0 || (rep == 0 && queue_remove(r->dir, qe, &re) < 0)) {
		r->left++;
		return;
	}
	r->ops->result(r->ops->arg, qe, QFLUSH_EXPIRED, NULL, NULL, &ae);
}

/* A locked entry of acc: dropped when too old, kept when not due, else
 * into the window (which is sent when full). */
static void
take(struct run *r, struct queue_entry *qe, const struct account *acc,
	struct smtp **s)
{
	if (acc->queue_lifetime > 0 &&
	    r->now - qe->env.queued > acc->queue_lifetime) {
		expire(r, qe, acc);
		queue_entry_release(qe);
		return;
	}
	if (!r->force && qe->env.next > r->now) {
		queue_entry_release(qe);
		r->left++;
		return;
	}
	if (++r->w == WINDOW)
		flush_window(r, acc, s);
}

/*
 * One pass over ids[0..n): the entries of the account of the first one
 * still queued are sent (oldest first, on one session); the ids of other
 * accounts are moved to the front of ids for the next pass. Returns how
 * many remain.
 */
static size_t
pass(struct run *r, char **ids, size_t n)
{
	const struct account *acc = NULL;
	struct smtp *s = NULL;
	char *cur = NULL;
	size_t i, rest = 0;

	r->ids = ids;
	r->n = n;
	r->next = r->ahead = 0;
	for (i = 0; i < n; i++) {
		struct queue_entry *qe = &r->win[r->w];
		struct err ae;

		/* a new window: its likely ids are synced while it is read
		 * (unless read ahead: then they are already) */
		if (!r->w)
			queue_journal_ahead(&ids[i], n - i < WINDOW ? n - i :
				WINDOW, &r->j);
		if (lock_next(r, i, qe) != 1) {
			free(ids[i]);
			continue;
		}
		if (!cur) {
			cur = xstrdup(qe->env.account);
			err_clear(&ae);
			acc = r->ops->account(r->ops->arg, cur, &ae);
			if (!acc)
				*r->e = ae;
		} else if (strcmp(qe->env.account, cur) != 0) {
			/* another account's: its own pass */
			queue_entry_release(qe);
			ids[rest++] = ids[i];
			continue;
		}
		free(ids[i]);
		if (!acc) {
			r->ops->result(r->ops->arg, qe, QFLUSH_DEFERRED, NULL,
				NULL, r->e);
			queue_entry_release(qe);
			r->left++;
			continue;
		}
		take(r, qe, acc, &s);
	}
	flush_window(r, acc, &s);
	smtp_quit(s);
	free(cur);
	return rest;
}

long
qflush_run(const char *dir, time_t now, int force,
	const struct qflush_ops *ops, struct err *e)
{
	struct run r = { dir, now, force, ops, NULL, 0, QUEUE_JOURNAL_INIT,
		0, 0, 0, e, NULL, 0, 0, 0, NULL, NULL };
	struct err je;
	char **ids;
	size_t n;

	if (queue_list(dir, &ids, &n, e) < 0)
		return -1;
	r.win = xcalloc(WINDOW, sizeof(*r.win));
	r.pre = xcalloc(WINDOW, sizeof(*r.pre));
	r.pre_rc = xcalloc(WINDOW, sizeof(*r.pre_rc));
	/* an account at a time, in the order of its oldest entry */
	while (n)
		n = pass(&r, ids, n);
	if (queue_journal_done(dir, &r.j, &je) < 0) {
		*e = je;
		r.failed = 1;
	}
	free(ids);
	free(r.win);
	free(r.pre);
	free(r.pre_rc);
	return r.failed ? -1 : r.left;
}
