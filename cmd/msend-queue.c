/*
 * msend-queue.c: msend's queue commands (msend-queue.h).
 */
#include <config.h>

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/util.h"
#include "common.h"
#include "mime/dsnbuild.h"
#include "mime/msgprep.h"
#include "msend-queue.h"
#include "proto/qflush.h"
#include "store/queue.h"

static char *
dir_or_die(void)
{
	struct err e;
	char *d = queue_dir(&e);

	if (!d)
		diex(exit_code(e.code), "%s", e.msg);
	return d;
}

/* sendmail's mailq: "ID  Size Arrival-time Sender", recipients below. */
static void
list_text(struct buf *out, const struct queue_entry *qe)
{
	char when[64];
	struct tm tm;
	time_t t = qe->env.queued;
	size_t i;

	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%a %b %e %H:%M", &tm);
	buf_addf(out, "%-24s %8zu %s%s <%s>\n", qe->id, qe->size,
		when, qe->env.in_doubt ? " (in doubt)" : "", qe->env.from);
	if (qe->env.last_error[0])
		buf_addf(out, "    (%s)\n", qe->env.last_error);
	for (i = 0; i < qe->env.nrcpt; i++)
		buf_addf(out, "\t\t\t\t\t <%s>\n", qe->env.rcpt[i]);
}

static void
list_json(struct json *j, const struct queue_entry *qe)
{
	size_t i;

	json_obj_begin(j);
	json_key(j, "id");
	json_cstr(j, qe->id);
	json_key(j, "account");
	json_cstr(j, qe->env.account);
	json_key(j, "from");
	json_cstr(j, qe->env.from);
	json_key(j, "rcpt");
	json_arr_begin(j);
	for (i = 0; i < qe->env.nrcpt; i++)
		json_cstr(j, qe->env.rcpt[i]);
	json_arr_end(j);
	json_key(j, "size");
	json_int(j, (long long)qe->size);
	json_key(j, "queued");
	json_int(j, (long long)qe->env.queued);
	json_key(j, "attempts");
	json_int(j, qe->env.attempts);
	json_key(j, "next_attempt");
	json_int(j, (long long)qe->env.next);
	json_key(j, "in_doubt");
	json_bool(j, qe->env.in_doubt);
	json_key(j, "last_error");
	if (qe->env.last_error[0])
		json_cstr(j, qe->env.last_error);
	else
		json_null(j);
	json_obj_end(j);
}

int
msendq_list(int json)
{
	char *dir = dir_or_die(), **ids;
	struct buf out = BUF_INIT;
	struct json j;
	struct err e;
	size_t n, i, shown = 0;

	if (queue_list(dir, &ids, &n, &e) < 0)
		diex(exit_code(e.code), "%s", e.msg);
	if (json) {
		json_init(&j, &out);
		json_arr_begin(&j);
	}
	for (i = 0; i < n; i++) {
		struct queue_entry qe;

		if (queue_peek(dir, ids[i], &qe, &e) != 1)
			continue;
		if (json)
			list_json(&j, &qe);
		else
			list_text(&out, &qe);
		shown++;
		queue_entry_release(&qe);
	}
	if (json) {
		json_arr_end(&j);
		buf_addch(&out, '\n');
	} else if (!shown) {
		buf_addstr(&out, "mail queue is empty\n");
	} else {
		buf_addf(&out, "-- %zu request%s\n", shown,
			shown == 1 ? "" : "s");
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	strv_free(ids, n);
	free(dir);
	return EX_OK;
}

struct flush_ctx {
	const struct netacct_opts *no;
	msendq_open_fn *open;
	int json;
	int status;
	struct account **acc;	/* loaded accounts, by name */
	char **names;
	size_t nacc;
	const char *dir;
	size_t reports;		/* delivery reports queued by this flush */
};

static const struct account *
flush_account(void *arg, const char *name, struct err *e)
{
	struct flush_ctx *c = arg;
	struct netacct_opts no = *c->no;
	struct config_warnings w = { NULL, 0 };
	struct account *a;
	size_t i;

	for (i = 0; i < c->nacc; i++)
		if (strcmp(c->names[i], name) == 0)
			return c->acc[i];
	no.account = *name ? name : NULL;
	a = netacct_load(&no, &w, e);
	config_warnings_release(&w);
	if (a && netacct_transport_init(a, e) < 0) {
		account_free(a);
		a = NULL;
	}
	if (!a)
		return NULL;
	c->acc = xrealloc(c->acc, (c->nacc + 1) * sizeof(*c->acc));
	c->names = xrealloc(c->names, (c->nacc + 1) * sizeof(*c->names));
	c->acc[c->nacc] = a;
	c->names[c->nacc++] = xstrdup(name);
	return a;
}

static struct smtp *
flush_open(void *arg, const struct account *acc, struct err *e)
{
	struct flush_ctx *c = arg;

	return c->open(acc, e);
}

/* The RFC 3463 status of a reply ("550 5.1.1 ..."), or its class's. */
static void
reply_status(char *out, size_t n, const char *esc, int code)
{
	if (esc && *esc)
		snprintf(out, n, "%s", esc);
	else
		snprintf(out, n, "%d.0.0", code >= 500 ? 5 : 4);
}

/* Who reports: MAILER-DAEMON at the domain of the account's from, else
 * its EHLO domain. */
static void
report_from(char *out, size_t n, const struct account *acc)
{
	const char *at = acc->from && !strpbrk(acc->from, "*?[") ?
		strrchr(acc->from, '@') : NULL;

	snprintf(out, n, "MAILER-DAEMON@%s", at ? at + 1 : acc->domain &&
		*acc->domain ? acc->domain : "localhost");
}

/* The report's recipient blocks: each refused recipient with its reply;
 * the others with the reason the whole message failed or expired. */
static struct dsnb_rcpt *
report_rcpts(const struct queue_entry *qe, enum qflush_outcome out,
	const struct smtp_msg *m, const struct err *why, char (*st)[16])
{
	struct dsnb_rcpt *r = xcalloc(qe->env.nrcpt, sizeof(*r));
	size_t i;

	for (i = 0; i < qe->env.nrcpt; i++) {
		const struct smtp_rcpt *sr = m && i < m->nrcpt ? &m->rcpt[i] :
			NULL;

		r[i].addr = qe->env.rcpt[i];
		r[i].status = st[i];
		if (sr && sr->code >= 400) {
			reply_status(st[i], 16, sr->esc, sr->code);
			r[i].diag = sr->reply;
		} else if (out == QFLUSH_EXPIRED) {
			snprintf(st[i], 16, "4.4.7");
			r[i].diag = qe->env.last_error[0] ?
				qe->env.last_error : why->msg;
		} else {
			snprintf(st[i], 16, "5.0.0");
			r[i].diag = m && m->code ? m->reply : why->msg;
		}
	}
	return r;
}

/*
 * A message dropped from the queue is reported to its envelope sender
 * (queue_bounce mail, or auto off a terminal): a delivery report from
 * MAILER-DAEMON with the null sender, which takes the dropped entry's
 * place in the queue (one rename: never lost, never doubled) and is sent
 * at the end of this flush. A message from the null sender (a report
 * itself) is never reported: no loops. 1 (replaced), 0 (no report), -1.
 */
static int
report_dropped(void *arg, struct queue_entry *qe, enum qflush_outcome out,
	const struct smtp_msg *m, const struct err *why)
{
	struct flush_ctx *c = arg;
	const struct account *acc;
	struct queue_env env;
	struct buf rep = BUF_INIT;
	struct dsnb d;
	struct err e;
	char from[256], host[256] = "localhost", (*st)[16];
	char *to = qe->env.from;
	int rc = 1;

	err_clear(&e);
	if (!*qe->env.from || !(acc = flush_account(c, qe->env.account, &e)))
		return 0;
	if (acc->queue_bounce == ACCOUNT_BOUNCE_STDERR ||
	    (acc->queue_bounce == ACCOUNT_BOUNCE_AUTO && isatty(2)))
		return 0;
	gethostname(host, sizeof host - 1);
	report_from(from, sizeof from, acc);
	st = xcalloc(qe->env.nrcpt, sizeof(*st));
	memset(&d, 0, sizeof d);
	d.to = qe->env.from;
	d.from = from;
	d.mta = acc->domain && *acc->domain ? acc->domain : host;
	d.queue_id = qe->id;
	d.arrival = (long long)qe->env.queued;
	d.reason = why->msg;
	d.rcpt = report_rcpts(qe, out, m, why, st);
	d.nrcpt = qe->env.nrcpt;
	d.msg = qe->data + qe->msg_off;
	d.msg_len = qe->len - qe->msg_off;
	dsnb_build(&rep, &d);
	memset(&env, 0, sizeof env);
	env.account = qe->env.account;
	env.from = "";
	env.rcpt = &to;
	env.nrcpt = 1;
	env.flags = msgprep_str_utf8(rep.data) ? SMTP_MSG_8BIT : 0;
	test_kill_point("report-pending");
	if (queue_replace(c->dir, qe, &env, rep.data, rep.len, &e) < 0) {
		warnx_("%s: no report to <%s> (kept): %s", qe->id, to, e.msg);
		rc = -1;
	} else {
		test_kill_point("report-queued");
		warnx_("%s: reported to <%s> (queued as %s)", qe->id, to,
			qe->id);
		c->reports++;
	}
	free((void *)d.rcpt);
	free(st);
	buf_release(&rep);
	return rc;
}

static void
flush_result(void *arg, const struct queue_entry *qe,
	enum qflush_outcome out, const struct smtp_msg *m, const char *peer,
	const struct err *why)
{
	static const char *const word[] = { "sent", "deferred", "in doubt",
		"failed", "expired" };
	struct flush_ctx *c = arg;
	int st = out == QFLUSH_SENT ? EX_OK : out == QFLUSH_DEFERRED ||
		out == QFLUSH_IN_DOUBT ? EX_TEMPFAIL : exit_code(why->code);

	if (c->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_key(&j, "id");
		json_cstr(&j, qe->id);
		json_key(&j, "result");
		json_cstr(&j, word[out]);
		json_key(&j, "server");
		if (peer)
			json_cstr(&j, peer);
		else
			json_null(&j);
		json_key(&j, "reply");
		json_cstr(&j, out == QFLUSH_SENT ? m->reply : why->msg);
		json_obj_end(&j);
		buf_addch(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		buf_release(&b);
	} else if (out == QFLUSH_SENT) {
		printf("%s: sent to %s%s: %s\n", qe->id, peer ? peer : "?",
			qe->env.in_doubt ? " (again: was in doubt)" : "",
			m->reply);
	} else {
		printf("%s: %s%s: %s\n", qe->id, word[out],
			out == QFLUSH_IN_DOUBT ? " (kept; sent again at the "
			"next flush)" : out == QFLUSH_FAILED ? " (removed)" :
			out == QFLUSH_EXPIRED ? " (dropped)" : "", why->msg);
	}
	/* dropped mail is reported where a person sees it */
	if (out == QFLUSH_FAILED || out == QFLUSH_EXPIRED)
		warnx_("%s from <%s> to <%s>%s not delivered: %s", qe->id,
			qe->env.from, qe->env.rcpt[0],
			qe->env.nrcpt > 1 ? " and others" : "", why->msg);
	if (st != EX_OK && (c->status == EX_OK || c->status == EX_TEMPFAIL))
		c->status = st;
}

int
msendq_flush(const struct netacct_opts *no, msendq_open_fn *open, int json,
	int force)
{
	struct flush_ctx c = { no, open, json, EX_OK, NULL, NULL, 0, NULL,
		0 };
	struct qflush_ops ops = { flush_account, flush_open, flush_result,
		report_dropped, &c };
	char *dir = dir_or_die();
	struct err e;
	size_t i;

	c.dir = dir;
	err_clear(&e);
	if (qflush_run(dir, time(NULL), force, &ops, &e) < 0) {
		print_err(&e);
		c.status = exit_code(e.code);
	} else if (c.reports &&
	    qflush_run(dir, time(NULL), 0, &ops, &e) < 0) {
		/* the reports just queued are due: out they go */
		print_err(&e);
		c.status = exit_code(e.code);
	}
	fflush(stdout);
	for (i = 0; i < c.nacc; i++) {
		account_free(c.acc[i]);
		free(c.names[i]);
	}
	free(c.acc);
	free(c.names);
	free(dir);
	/* deferred mail is safe in the queue: a flush that kept it worked */
	return c.status == EX_TEMPFAIL ? EX_OK : c.status;
}

int
msendq_add(const struct account *acc, const struct smtp_msg *m)
{
	struct queue_env env;
	char *dir = dir_or_die(), *id = NULL, **rc;
	const char *body = m->body;
	void *map = NULL;
	struct err e;
	size_t i;
	int status = EX_OK;

	/* a composed message's body is in a file (SMTP_MSG_BODY_FD): map it
	 * rather than read it into memory */
	if ((m->flags & SMTP_MSG_BODY_FD) && m->body_len > 0) {
		map = mmap(NULL, m->body_len, PROT_READ, MAP_PRIVATE,
			m->body_fd, 0);
		if (map == MAP_FAILED) {
			warnx_("not queued: the message body: %s",
				strerror(errno));
			print_err(&m->err);
			free(dir);
			return exit_code(m->err.code);
		}
		body = map;
	}

	memset(&env, 0, sizeof env);
	rc = xcalloc(m->nrcpt ? m->nrcpt : 1, sizeof(*rc));
	for (i = 0; i < m->nrcpt; i++)
		rc[i] = (char *)m->rcpt[i].addr;
	env.account = acc->name ? acc->name : "";
	env.from = (char *)m->from;
	env.rcpt = rc;
	env.nrcpt = m->nrcpt;
	env.flags = m->flags & ~(unsigned)SMTP_MSG_BODY_FD;
	env.dsn_notify = m->dsn_notify;
	env.dsn_return = (int)m->dsn_return;
	env.envid = (char *)m->envid;
	/* the try that failed counts: the first retry is due in a minute */
	env.attempts = 1;
	env.next = time(NULL) + queue_backoff(1);
	snprintf(env.last_error, sizeof env.last_error, "%s", m->err.msg);
	if (queue_add(dir, &env, m->head, m->head_len, body, m->body_len,
		&id, &e) < 0) {
		warnx_("not queued: %s", e.msg);
		print_err(&m->err);
		status = exit_code(m->err.code);
	} else {
		warnx_("queued as %s: %s", id, m->err.msg);
	}
	if (map)
		munmap(map, m->body_len);
	free(id);
	free(rc);
	free(dir);
	return status;
}
