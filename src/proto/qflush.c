/*
 * qflush.c: the queue flush and host failover (qflush.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/qflush.h"

#define WINDOW 64

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

/* An entry's place in the flush order. */
struct item {
	char *id;
	char *account;
	size_t order;
};

static int
cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->account, y->account);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
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

/* Deliver win[0..n) (locked, same account) on *s, opening it when NULL. */
static long
send_window(const char *dir, time_t now, struct queue_entry *win, size_t n,
	const struct account *acc, struct smtp **s,
	const struct qflush_ops *ops)
{
	struct smtp_msg *m = xcalloc(n, sizeof(*m));
	struct smtp_rcpt **rc = xcalloc(n, sizeof(*rc));
	enum qflush_outcome *res = xcalloc(n, sizeof(*res));
	struct queue_entry **gone = xcalloc(n, sizeof(*gone));
	struct err e, de;
	long left = 0;
	size_t i, k;
	int lost;
	struct queue_journal j = { -1, "" };

	err_clear(&e);
	if (!*s)
		*s = ops->open(ops->arg, acc, &e);
	/* a flush killed from here on leaves these "in doubt", never
	 * silently sent twice */
	if (!*s || queue_mark_sending_all(dir, win, n, &j, &e) < 0) {
		for (i = 0; i < n; i++) {
			queue_defer(dir, &win[i], now, win[i].env.in_doubt,
				e.msg, &de);
			ops->result(ops->arg, &win[i], QFLUSH_DEFERRED, NULL,
				NULL, &e);
		}
		left = (long)n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct queue_env *v = &win[i].env;

		rc[i] = xcalloc(v->nrcpt, sizeof(**rc));
		for (k = 0; k < v->nrcpt; k++)
			rc[i][k].addr = v->rcpt[k];
		m[i].from = v->from;
		m[i].rcpt = rc[i];
		m[i].nrcpt = v->nrcpt;
		m[i].head = win[i].data + win[i].msg_off;
		m[i].head_len = win[i].len - win[i].msg_off;
		m[i].body = "";
		m[i].body_len = 0;
		m[i].flags = v->flags;
		m[i].dsn_notify = v->dsn_notify;
		m[i].dsn_return = (enum account_dsn_return)v->dsn_return;
		m[i].envid = v->envid;
	}
	if (smtp_send(*s, m, n, 0, &e) < 0) {
		smtp_free(*s);
		*s = NULL;
	}
	/* the sent and the refused leave the queue together (one sync),
	 * before any of them is reported */
	err_clear(&de);
	for (i = 0, k = 0; i < n; i++) {
		res[i] = outcome(&m[i]);
		if (res[i] == QFLUSH_SENT || res[i] == QFLUSH_FAILED)
			gone[k++] = &win[i];
	}
	lost = queue_remove_all(dir, gone, k, &de) < 0;
	for (i = 0; i < n; i++) {
		const char *peer = *s ? smtp_peer(*s) : NULL;
		enum qflush_outcome o = res[i];
		struct err ue;

		err_clear(&ue);
		if ((o == QFLUSH_SENT || o == QFLUSH_FAILED) && lost) {
			o = QFLUSH_DEFERRED;
			ue = de;
			left++;
		} else if (o == QFLUSH_DEFERRED || o == QFLUSH_IN_DOUBT) {
			queue_defer(dir, &win[i], now, o == QFLUSH_IN_DOUBT,
				m[i].err.msg, &ue);
			left++;
		}
		ops->result(ops->arg, &win[i], o, &m[i], peer,
			ue.code ? &ue : &m[i].err);
	}
out:
	queue_journal_done(&j);
	for (i = 0; i < n; i++)
		free(rc[i]);
	free(rc);
	free(m);
	free(res);
	free(gone);
	return left;
}

long
qflush_run(const char *dir, time_t now, int force,
	const struct qflush_ops *ops, struct err *e)
{
	struct queue_entry *win = xcalloc(WINDOW, sizeof(*win));
	struct item *it;
	const struct account *acc = NULL;
	const char *cur = NULL;
	struct smtp *s = NULL;
	char **ids;
	size_t n, ni = 0, i, w = 0;
	long left = 0;

	if (queue_list(dir, &ids, &n, e) < 0) {
		free(win);
		return -1;
	}
	it = xcalloc(n ? n : 1, sizeof(*it));
	for (i = 0; i < n; i++) {
		struct queue_entry qe;
		struct err pe;

		if (queue_peek(dir, ids[i], &qe, &pe) != 1)
			continue;
		it[ni].id = ids[i];
		it[ni].account = xstrdup(qe.env.account);
		it[ni].order = i;
		ni++;
		queue_entry_release(&qe);
	}
	qsort(it, ni, sizeof(*it), cmp_item);
	for (i = 0; i <= ni; i++) {
		struct queue_entry *qe = &win[w];
		struct err ae;

		/* a window is sent when full, at a change of account, at
		 * the end */
		if (w && (i == ni || w == WINDOW ||
		    strcmp(it[i].account, cur) != 0)) {
			left += send_window(dir, now, win, w, acc, &s, ops);
			while (w)
				queue_entry_release(&win[--w]);
			qe = &win[0];
		}
		if (i == ni)
			break;
		if (!cur || strcmp(it[i].account, cur) != 0) {
			smtp_quit(s);
			s = NULL;
			cur = it[i].account;
			err_clear(&ae);
			acc = ops->account(ops->arg, cur, &ae);
			if (!acc)
				*e = ae;
		}
		if (queue_lock(dir, it[i].id, qe, &ae) != 1)
			continue;
		if (!acc) {
			ops->result(ops->arg, qe, QFLUSH_DEFERRED, NULL, NULL,
				e);
			queue_entry_release(qe);
			left++;
			continue;
		}
		if (acc->queue_lifetime > 0 &&
		    now - qe->env.queued > acc->queue_lifetime) {
			struct err re;

			if (queue_remove(dir, qe, &re) == 0) {
				err_set(&ae, ERR_UNAVAILABLE, "queued longer "
					"than queue_lifetime (%ds)%s%s",
					acc->queue_lifetime,
					qe->env.last_error[0] ? "; last: " : "",
					qe->env.last_error);
				ops->result(ops->arg, qe, QFLUSH_EXPIRED, NULL,
					NULL, &ae);
			}
			queue_entry_release(qe);
			continue;
		}
		if (!force && qe->env.next > now) {
			queue_entry_release(qe);
			left++;
			continue;
		}
		w++;
	}
	smtp_quit(s);
	for (i = 0; i < ni; i++)
		free(it[i].account);
	free(it);
	strv_free(ids, n);
	free(win);
	return left;
}
