/*
 * msend-modes.c: msend's other modes: --batch (an mboxrd stream, sent by
 * proto/batch.h), --probe (what a server offers) and -bs (SMTP on
 * standard input and output, each message relayed at its final dot).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/password.h"
#include "common.h"
#include "msend.h"
#include "net/conn.h"
#include "proto/batch.h"
#include "proto/probe.h"
#include "proto/qflush.h"

/* --batch: the library sends (batch.h); here the password, the output. */
struct batch_out {
	const struct opts *o;
	const struct account *acc;
	struct transcript *ts;
	char *pw;
	int status;		/* the first non-zero status */
	int progress;		/* a progress line on stderr (a TTY) */
	size_t done, sent, failed;
};

static struct smtp *
batch_open(void *arg, struct err *e)
{
	struct batch_out *bo = arg;

	return open_smtp(bo->acc, &bo->pw, bo->ts, e);
}

static void
batch_result(void *arg, size_t index, const struct smtp_msg *m, size_t size)
{
	struct batch_out *bo = arg;
	int st = msg_status(m);

	if (bo->o->json)
		json_msg(m, index, size, st);
	else if (m->status == SMTP_SENT && m->err.code == ERR_NONE)
		printf("%zu: sent: %s\n", index, m->reply);
	else
		printf("%zu: %s: %s\n", index, m->status == SMTP_IN_DOUBT ?
			"in doubt" : m->status == SMTP_SENT ? "partly sent" :
			"failed", m->err.msg);
	if (m->from)
		log_msg(bo->acc, m, size, st);
	if (st != EX_OK && bo->status == EX_OK)
		bo->status = st;
	bo->done++;
	if (m->status == SMTP_SENT)
		bo->sent++;
	else
		bo->failed++;
}

/* Results out after each window; the progress line follows them. */
static void
batch_flush(void *arg)
{
	struct batch_out *bo = arg;

	fflush(stdout);
	if (bo->progress)
		fprintf(stderr, "\r%s: %zu messages: %zu sent, %zu not sent",
			prog_name, bo->done, bo->sent, bo->failed);
}

int
run_batch(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	struct batch_out bo = { o, acc, ts, NULL, EX_OK, 0, 0, 0, 0 };
	struct aliases *al = load_aliases(acc);
	struct sendmail_env env;
	struct batch_opts bt;
	struct err e;

	/* Long work shows progress on a terminal, unless the result lines
	 * (or the transcript) already go there; never in cron. */
	bo.progress = isatty(2) && !isatty(1) && !o->sa.verbose;
	env_init(&env, o, 1);
	memset(&bt, 0, sizeof bt);
	bt.env = &env;
	bt.acc = acc;
	bt.al = al;
	bt.send_flags = o->partial ? SMTP_PARTIAL : 0;
	bt.max_msg_bytes = MAX_MESSAGE_BYTES;
	bt.open = batch_open;
	bt.result = batch_result;
	bt.window_done = batch_flush;
	bt.arg = &bo;
	err_clear(&e);
	if (batch_run(0, &bt, &e) < 0) {
		fflush(stdout);
		if (bo.progress && bo.done)
			fputc('\n', stderr);
		bo.progress = 0;
		print_err(&e);
		if (bo.status == EX_OK)
			bo.status = exit_code(e.code);
	}
	if (bo.progress && bo.done)
		fputc('\n', stderr);
	password_free(bo.pw);
	aliases_free(al);
	return bo.status;
}

int
run_probe(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	struct conn_tls_info ti;
	struct probe_smtp p;
	struct buf out = BUF_INIT;
	struct smtp *s;
	struct err e;

	err_clear(&e);
	s = qflush_open(acc, NULL, SMTP_NO_AUTH, ts, NULL, &e);
	if (!s) {
		print_err(&e);
		return exit_code(e.code);
	}
	p.server = smtp_peer(s);
	p.greeting = smtp_greeting(s);
	p.ehlo = smtp_ehlo(s);
	p.size_limit = smtp_size_limit(s);
	p.auth = smtp_auth_mechs(s);
	p.tls = conn_tls_info(smtp_conn(s), &ti, &e) == 0 ? &ti : NULL;
	if (o->json) {
		struct json j;

		json_init(&j, &out);
		probe_smtp_json(&j, &p);
		buf_addch(&out, '\n');
	} else {
		probe_smtp_text(&out, &p);
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	smtp_quit(s);
	return EX_OK;
}

/* ---- -bs: SMTP on stdin/stdout, each message relayed at its dot ---- */

struct bs_relay {
	const struct opts *o;
	const struct account *acc;
	struct transcript *ts;
	struct smtp *s;		/* opened at the first message, kept */
	char *pw;
};

static void
bs_relay(void *arg, struct sendmail_msg *sm)
{
	struct bs_relay *r = arg;
	struct err e;

	err_clear(&e);
	if (!r->s)
		r->s = open_smtp(r->acc, &r->pw, r->ts, &e);
	if (!r->s)
		sm->msg.err = e;
	else if (smtp_send(r->s, &sm->msg, 1, r->o->partial ? SMTP_PARTIAL :
		0, &e) < 0) {
		smtp_free(r->s);
		r->s = NULL;
	}
	log_msg(r->acc, &sm->msg, msgprep_size(&sm->mp), msg_status(&sm->msg));
}

int
run_bs(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	struct aliases *al = load_aliases(acc);
	struct sendmail_server sv;
	struct sendmail_env env;
	struct bs_relay r = { o, acc, ts, NULL, NULL };
	struct err e;
	char host[256] = "localhost";
	int status = EX_OK;

	gethostname(host, sizeof host - 1);
	env_init(&env, o, 0);
	memset(&sv, 0, sizeof sv);
	sv.in = 0;
	sv.out = stdout;
	sv.hostname = host;
	sv.env = &env;
	sv.acc = acc;
	sv.al = al;
	sv.max_bytes = MAX_MESSAGE_BYTES;
	sv.relay = bs_relay;
	sv.arg = &r;
	if (sendmail_serve(&sv, &e) < 0) {
		print_err(&e);
		status = exit_code(e.code);
	}
	smtp_quit(r.s);
	password_free(r.pw);
	aliases_free(al);
	return status;
}
