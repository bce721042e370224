/*
 * msend: send mail over SMTP; a sendmail(8) drop-in (see man/msend.1).
 *
 * Thin by design: options, the account, then the library (msgprep.h for
 * the message, smtp.h for the wire), then messages and the exit status.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/log.h"
#include "base/password.h"
#include "base/util.h"
#include "common.h"
#include "mime/msgprep.h"
#include "msend-queue.h"
#include "msend.h"
#include "net/transcript.h"
#include "proto/netacct.h"
#include "proto/qflush.h"
#include "proto/sendmail.h"
#include "proto/smtp.h"

static const char usage_text[] =
"usage: msend [options] [--] [recipient...]\n"
"       msend --batch [options] < mboxrd-stream\n"
"       msend --probe [options]\n"
"       msend --to=ADDR [--subject=S] [--attach=FILE]... [options]\n"
"Send the message on standard input over SMTP (sendmail compatible),\n"
"or compose one (text on standard input) and send or print it.\n"
"\n"
"Composing:\n"
"  --to=ADDR, --cc=ADDR, --bcc=ADDR  recipients (each repeatable; an\n"
"                            address list \"Name <a@b>, c@d\")\n"
"  --subject=TEXT            subject (UTF-8)\n"
"  --reply-to=ADDR           Reply-To\n"
"  --header=\"NAME: VALUE\"    another header field (repeatable)\n"
"  --body-file=FILE          the text body (default: standard input)\n"
"  --html=FILE               an HTML alternative to the text\n"
"  --attach=FILE[;type=T][;name=N]  attach a file (repeatable)\n"
"  --inline=FILE[;type=T][;name=N][;cid=ID]  a part the HTML shows\n"
"                            (src=\"cid:ID\"; ID: the file name)\n"
"  --print                   write the message to standard output\n"
"                            instead of sending it (Bcc kept)\n"
"\n"
"Message and envelope:\n"
"  -t, --read-recipients     add the recipients in To, Cc, Bcc (or Resent-*)\n"
"  -i, -oi                   a line with a single dot does not end input\n"
"  -f, -r, --from=ADDR       envelope sender ('' or '<>': null sender);\n"
"                            also selects the account with that from\n"
"  --read-envelope-from      envelope sender from the From header\n"
"  -F NAME                   full name for an added From header\n"
"  -N, --dsn-notify=WHEN     DSN: never, or success,failure,delay\n"
"  -R, --dsn-return=WHAT     DSN: full or hdrs (headers)\n"
"  -V ENVID                  DSN envelope id\n"
"  --partial                 deliver to the accepted recipients when\n"
"                            some are refused (default: send nothing)\n"
"\n"
"Account:\n"
"  -a, --account=NAME        use this account (default: the default one)\n"
"  -C, --config=FILE, --file=FILE  configuration file (default:\n"
"                            $MKIT_CONFIG, ~/.config/mkit/config, ~/.msmtprc)\n"
"  --host=HOST               SMTP server\n"
"  --port=PORT               port (25, 465, 587)\n"
"  --tls[=on|off]            use TLS\n"
"  --tls-starttls[=on|off]   TLS through STARTTLS (off: implicit TLS)\n"
"  --tls-trust-file=FILE     CA certificates\n"
"  --tls-fingerprint=SHA256  pinned server certificate\n"
"  --tls-certcheck[=on|off]  verify the server certificate\n"
"  --tls-cert-file=FILE      client certificate\n"
"  --tls-key-file=FILE       client key\n"
"  --tls-min-version=V       1.2 or 1.3\n"
"  --auth[=on|off|METHOD]    authenticate (METHOD: plain, scram-sha-256...)\n"
"  --user=NAME               login name\n"
"  --passwordeval=CMD        command printing the password\n"
"  --allow-plaintext-auth[=on|off]  PLAIN/LOGIN without TLS\n"
"  --domain=NAME             EHLO name\n"
"  --timeout=SECONDS         network timeout\n"
"  --connect-timeout=SECONDS connect timeout\n"
"  --proxy-host=HOST         SOCKS5 proxy\n"
"  --proxy-port=PORT         SOCKS5 proxy port\n"
"  --set-from-header=auto|on|off     add or replace From\n"
"  --set-date-header=auto|off        add Date when missing\n"
"  --set-msgid-header=auto|off       add Message-ID when missing\n"
"  --remove-bcc-headers[=on|off]     remove Bcc from the message\n"
"  --undisclosed-recipients[=on|off]  replace To, Cc, Bcc by an empty group\n"
"  --aliases=FILE            aliases for local recipients\n"
"  -X, --logfile=FILE        append a line per message\n"
"  --syslog[=on|off|FACILITY]  log a line per message to syslog\n"
"\n"
"Modes:\n"
"  --batch                   send every message of an mboxrd stream\n"
"  --probe, --serverinfo     show the server's greeting, TLS and extensions\n"
"  -bs                       speak SMTP on standard input and output\n"
"  -bp, mailq               list the queue (--json: as JSON)\n"
"  -q, --flush               deliver the queued messages that are due\n"
"  --flush-all               deliver every queued message now\n"
"  --queue[=on|off]          queue a message that meets a temporary\n"
"                            failure, and exit 0 (account key queue)\n"
"  -bm                       send (the default)\n"
"\n"
"Output:\n"
"  --json                    results as JSON (JSON Lines with --batch)\n"
"  -v, -d, --verbose         protocol transcript on stderr\n"
"  -h, --help                this help\n"
"  --version                 version\n"
"\n"
"Ignored for sendmail compatibility: -oXXX (except -oi), -BTYPE, -hN,\n"
"-LTAG, -OOPT, -eX, -pPROTO, -n, -m, -U, -G; -qTIME flushes once.\n";

static void
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void
warn_ignored(struct opts *o, const char *what)
{
	if (!o->warned)
		warnx_("ignoring unknown option %s", what);
	o->warned = 1;
}

static void
add_override(struct opts *o, const char *key, const char *value)
{
	struct err e;

	if (sendmail_args_override(&o->sa, key, value, &e) < 0)
		diex(EX_USAGE, "%s", e.msg);
}

/* msend's own long options that set an account key; the connection
 * options are netacct_longopts. */
static const struct netacct_longopt msg_opts[] = {
	{ "dsn-notify", "dsn_notify", 0 },
	{ "dsn-return", "dsn_return", 0 },
	{ "set-from-header", "set_from_header", 0 },
	{ "set-date-header", "set_date_header", 0 },
	{ "set-msgid-header", "set_msgid_header", 0 },
	{ "remove-bcc-headers", "remove_bcc_headers", 1 },
	{ "undisclosed-recipients", "undisclosed_recipients", 1 },
	{ "aliases", "aliases", 0 },
	{ "logfile", "logfile", 0 },
	{ "syslog", "syslog", 1 },
	{ "queue", "queue", 1 },
	{ NULL, NULL, 0 },
};

static void
parse_long(struct opts *o, int argc, char **argv, int *i)
{
	struct longopt lo;
	const struct netacct_longopt *ko;
	const char *val;

	longopt_init(&lo, argc, argv, i);
	longopt_help_version(&lo, "msend", usage);
	val = lo.val;
#define IS(s) longopt_is(&lo, (s))
#define NEED() (val = longopt_value(&lo))
	if (IS("read-recipients")) { o->sa.read_rcpts = 1; return; }
	if (IS("read-envelope-from")) { o->read_envfrom = 1; return; }
	if (IS("batch")) { o->sa.mode = M_BATCH; return; }
	if (IS("probe") || IS("serverinfo")) { o->sa.mode = M_PROBE; return; }
	if (IS("json")) { o->json = 1; return; }
	if (IS("flush")) { o->sa.mode = M_QUEUE; o->sa.flush = 1; return; }
	if (IS("flush-all")) { o->sa.mode = M_QUEUE; o->sa.flush = 2; return; }
	if (IS("partial")) { o->partial = 1; return; }
	if (IS("verbose")) { o->sa.verbose++; return; }
	if (IS("account")) { NEED(); o->sa.account = val; return; }
	if (IS("config") || IS("file")) { NEED(); o->sa.config = val; return; }
	if (IS("from")) { NEED(); o->sa.envfrom = val; return; }
	if (parse_compose(o, &lo))
		return;
	ko = netacct_longopt_find(netacct_longopts, lo.name, lo.len);
	if (!ko)
		ko = netacct_longopt_find(msg_opts, lo.name, lo.len);
	if (ko) {
		add_override(o, ko->key, longopt_key_value(&lo, ko->flag));
		return;
	}
	/* sendmail callers must never fail on a flag: warn and go on. */
	warn_ignored(o, argv[*i]);
#undef NEED
#undef IS
}

/* sendmail's short options (sendmail_args_short()). */
static void
parse_short(struct opts *o, int argc, char **argv, int *i)
{
	struct err e;
	int r = sendmail_args_short(&o->sa, argc, argv, i, &e);

	if (o->sa.unknown[0])
		warn_ignored(o, o->sa.unknown);
	if (r < 0)
		diex(EX_USAGE, "%s", e.msg);
	if (o->sa.help)
		usage(0);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int i, only_rcpts = 0;

	o->rcpts = xcalloc((size_t)argc + 1, sizeof(*o->rcpts));
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_rcpts || a[0] != '-' || !a[1]) {
			o->rcpts[o->nrcpts++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0)
			only_rcpts = 1;
		else if (a[1] == '-')
			parse_long(o, argc, argv, &i);
		else
			parse_short(o, argc, argv, &i);
	}
}

/* ---- account ---- */

static struct account *
load_account(const struct opts *o)
{
	struct netacct_opts no = { o->sa.config, o->sa.account,
		o->sa.envfrom, o->sa.ov, o->sa.nov, "smtp" };

	return load_account_or_exit(&no);
}

static const struct opts *cur_opts;	/* for the fallback account */
static struct transcript *cur_ts;

/* The account's fallback when all its hosts failed for now (one level: a
 * fallback's own fallback is not followed). */
static struct smtp *
open_fallback(const struct account *acc, struct transcript *ts,
	struct err *e)
{
	struct config_warnings w = { NULL, 0 };
	struct netacct_opts no = { cur_opts->sa.config, acc->fallback,
		NULL, NULL, 0, "smtp" };
	struct account *fb;
	struct smtp *s = NULL;
	struct err fe;
	char *pw = NULL;

	err_clear(&fe);
	fb = netacct_load(&no, &w, &fe);
	config_warnings_release(&w);
	if (!fb || netacct_transport_init(fb, &fe) < 0 ||
	    netacct_password(fb, "smtp", ts, &pw, &fe) < 0) {
		err_prefix(&fe, "fallback account \"%s\"", acc->fallback);
		*e = fe;
	} else {
		s = qflush_open(fb, pw, 0, ts, NULL, e);
	}
	password_free(pw);
	account_free(fb);
	return s;
}

/* Connect and log in, trying each of the account's hosts, then its
 * fallback account (qflush_open()). The password is looked up when *pw is
 * NULL (the keyring under service "smtp", as msmtp does) and kept there for
 * the next call; a password that cannot be had ends msend. */
struct smtp *
open_smtp(const struct account *acc, char **pw, struct transcript *ts,
	struct err *e)
{
	struct smtp *s;
	struct err pe, skipped;

	err_clear(&pe);
	if (!*pw && netacct_password(acc, "smtp", ts, pw, &pe) < 0) {
		print_err(&pe);
		exit(exit_code(pe.code));
	}
	s = qflush_open(acc, *pw, 0, ts, &skipped, e);
	if (!s && acc->fallback && qflush_retryable(e)) {
		skipped = *e;
		s = open_fallback(acc, ts, e);
		if (s)
			warnx_("%s; using %s (account \"%s\")", skipped.msg,
				smtp_peer(s), acc->fallback);
	} else if (s && skipped.code != ERR_NONE) {
		warnx_("%s; using %s", skipped.msg, smtp_peer(s));
	}
	return s;
}

/* For the queue's flush: each entry's account. */
static struct smtp *
queue_open(const struct account *acc, struct err *e)
{
	char *pw = NULL;
	struct smtp *s = open_smtp(acc, &pw, cur_ts, e);

	password_free(pw);
	return s;
}

/* ---- logging ---- */

int
msg_status(const struct smtp_msg *m)
{
	if (m->err.code != ERR_NONE)
		return exit_code(m->err.code);
	return m->status == SMTP_SENT ? EX_OK : EX_SOFTWARE;
}

/* One line per message: time, host, from, recipients, size, reply, exit. */
void
log_msg(const struct account *acc, const struct smtp_msg *m, size_t size,
	int status)
{
	struct buf l = BUF_INIT;
	struct err e;

	if (!acc->logfile && !acc->syslog)
		return;
	sendmail_log_line(&l, acc, m, size, exit_name(status));
	if (acc->logfile && log_file(acc->logfile, l.data, time(NULL), &e) < 0)
		warnx_("%s", e.msg);
	if (acc->syslog)
		log_syslog("msend", acc->syslog_facility, status != EX_OK,
			l.data);
	buf_release(&l);
}

/* ---- results ---- */

void
json_msg(const struct smtp_msg *m, size_t index, size_t size, int status)
{
	struct buf out = BUF_INIT;

	sendmail_json(&out, m, index, size, status, exit_name(status));
	buf_addch(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
}

/* Tell people what went wrong with one message. */
static void
report_msg(const struct smtp_msg *m, const char *peer, int partial)
{
	struct buf out = BUF_INIT;
	char prefix[64];

	snprintf(prefix, sizeof prefix, "%s: ", prog_name);
	sendmail_report(&out, prefix, m, peer, partial);
	if (out.len)
		fwrite(out.data, 1, out.len, stderr);
	buf_release(&out);
}

/* ---- one message ---- */

/* The command line's view of a message, for sendmail_prepare(). */
void
env_init(struct sendmail_env *env, const struct opts *o, int from_header)
{
	memset(env, 0, sizeof(*env));
	env->envfrom = o->sa.envfrom;
	env->from_header = from_header;
	env->full_name = o->sa.full_name;
	env->rcpts = o->rcpts;
	env->nrcpts = o->nrcpts;
	env->read_rcpts = o->sa.read_rcpts || o->sa.mode == M_BATCH;
	env->envid = o->sa.envid;
}

struct aliases *
load_aliases(const struct account *acc)
{
	struct aliases *al;
	struct err e;

	if (!acc->aliases)
		return NULL;
	al = aliases_load(acc->aliases, &e);
	if (!al) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	return al;
}

/* ---- modes ---- */

/* Send the prepared message p and report; its status. */
int
send_one(const struct opts *o, const struct account *acc,
	struct transcript *ts, struct sendmail_msg *p)
{
	size_t size = p->msg.head_len + p->msg.body_len;
	struct smtp *s;
	struct err e;
	char *pw = NULL;
	int status;

	err_clear(&e);
	s = open_smtp(acc, &pw, ts, &e);
	if (!s)
		p->msg.err = e;
	else
		smtp_send(s, &p->msg, 1, SMTP_QUIT_AFTER |
			(o->partial ? SMTP_PARTIAL : 0), &e);
	status = msg_status(&p->msg);
	if (acc->queue && p->msg.status == SMTP_NOT_SENT &&
	    p->msg.err.code == ERR_TEMPFAIL) {
		status = msendq_add(acc, &p->msg);
		if (o->json)
			json_msg(&p->msg, 1, size, status);
		log_msg(acc, &p->msg, size, status);
	} else {
		if (o->json)
			json_msg(&p->msg, 1, size, status);
		report_msg(&p->msg, s ? smtp_peer(s) : acc->host, o->partial);
		log_msg(acc, &p->msg, size, status);
	}
	smtp_quit(s);
	password_free(pw);
	return status;
}

static int
run_send(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	struct sendmail_msg p;
	struct sendmail_env env;
	struct aliases *al = load_aliases(acc);
	struct err e;
	int status, spool;

	sendmail_msg_init(&p);
	env_init(&env, o, o->read_envfrom);
	err_clear(&e);
	/* the header in memory, the body in an unlinked file: SIZE and BDAT
	 * know its size, a queued message or a retry replays it */
	spool = mbuild_tmpfile(&e);
	if (spool < 0 || msgprep_read_spool(&p.mp, 0, spool,
		o->sa.dot_ends ? MSGPREP_DOT_ENDS : 0, MAX_MESSAGE_BYTES,
		&e) < 0 || sendmail_prepare(&p, &env, acc, al, &e) < 0) {
		print_err(&e);
		status = exit_code(e.code);
	} else {
		status = send_one(o, acc, ts, &p);
	}
	if (spool >= 0)
		close(spool);
	sendmail_msg_release(&p);
	aliases_free(al);
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct account *acc;
	struct transcript ts;
	struct err e;
	int status;

	prog_init(argv[0]);
	memset(&o, 0, sizeof o);
	sendmail_args_init(&o.sa);
	if (strcmp(prog_name, "mailq") == 0)
		o.sa.mode = M_QUEUE;
	parse_args(&o, argc, argv);
	cur_opts = &o;
	if (o.sa.mode == M_QUEUE && !o.sa.flush) {
		free(o.rcpts);
		return msendq_list(o.json);
	}
	if (o.sa.mode == M_QUEUE) {
		struct netacct_opts no = { o.sa.config, o.sa.account,
			NULL, o.sa.ov, o.sa.nov, "smtp" };

		if (o.sa.verbose)
			transcript_init_file(&ts, stderr, 0);
		cur_ts = o.sa.verbose ? &ts : NULL;
		status = msendq_flush(&no, queue_open, o.json,
			o.sa.flush == 2);
		if (o.sa.verbose)
			transcript_release(&ts);
		free(o.rcpts);
		return status;
	}
	if (o.c.on)
		compose_args(&o);
	if (sendmail_args_check(&o.sa, &e) < 0) {
		print_err(&e);
		free(o.rcpts);
		return EX_USAGE;
	}
	if (o.c.on && o.c.print) {
		status = run_compose(&o, NULL, NULL);
		compose_free(&o);
		return status;
	}
	acc = load_account(&o);
	if (o.sa.verbose)
		transcript_init_file(&ts, stderr, 0);
	switch (o.sa.mode) {
	case M_BATCH:
		status = run_batch(&o, acc, o.sa.verbose ? &ts : NULL);
		break;
	case M_PROBE:
		status = run_probe(&o, acc, o.sa.verbose ? &ts : NULL);
		break;
	case M_SMTP_SERVER:
		status = run_bs(&o, acc, o.sa.verbose ? &ts : NULL);
		break;
	default:
		status = o.c.on ? run_compose(&o, acc, o.sa.verbose ? &ts :
			NULL) : run_send(&o, acc, o.sa.verbose ? &ts : NULL);
	}
	if (o.sa.verbose)
		transcript_release(&ts);
	account_free(acc);
	compose_free(&o);
	return status;
}
