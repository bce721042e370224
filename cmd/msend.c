/*
 * msend: send mail over SMTP; a sendmail(8) drop-in (see man/msend.1).
 *
 * Thin by design: options, the account, then the library (msgprep.h for
 * the message, smtp.h for the wire), then messages and the exit status.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/json.h"
#include "base/log.h"
#include "base/password.h"
#include "base/util.h"
#include "codec/addrsplit.h"
#include "common.h"
#include "mime/build.h"
#include "mime/mimetypes.h"
#include "msend-queue.h"
#include "mime/msgprep.h"
#include "net/conn.h"
#include "net/transcript.h"
#include "proto/batch.h"
#include "proto/netacct.h"
#include "proto/probe.h"
#include "proto/qflush.h"
#include "proto/sendmail.h"
#include "proto/smtp.h"

#define MAX_MESSAGE_BYTES ((size_t)1 << 31)

enum mode {
	M_SEND = SENDMAIL_SEND,
	M_SMTP_SERVER = SENDMAIL_SERVE,
	M_QUEUE = SENDMAIL_QUEUE,
	M_BATCH = SENDMAIL_MODE_USER,
	M_PROBE,
};

/* The composer's options (--to, --attach...); values point into argv. */
struct compose {
	int on;			/* a composer option was given */
	int print;		/* --print: to stdout, not sent */
	const char **to, **cc, **bcc, **headers;
	size_t nto, ncc, nbcc, nheaders;
	const char *subject, *reply_to, *body_file, *html_file;
	struct mbuild_file *attach, *inl;
	size_t nattach, ninl;
	const char *from_header;	/* --from as given, for From */
	char *from_addr;	/* --from's addr-spec (envelope) */
};

struct opts {
	struct sendmail_args sa;	/* sendmail's options, --from... */
	struct compose c;
	int read_envfrom;
	int json;
	int partial;
	char **rcpts;
	size_t nrcpts;
	int warned;
};

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

static const char **
strs_add(const char **v, size_t *n, const char *s)
{
	v = xrealloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = s;
	return v;
}

static struct mbuild_file *
file_add(struct mbuild_file *v, size_t *n, const char *opt, char *arg)
{
	struct err e;

	v = xrealloc(v, (*n + 1) * sizeof(*v));
	if (mbuild_file_parse(&v[*n], opt, arg, strcmp(opt, "--inline") == 0,
		&e) < 0)
		diex(EX_USAGE, "%s", e.msg);
	++*n;
	return v;
}

/* The composer's options; 1 when name was one. */
static int
parse_compose(struct opts *o, struct longopt *lo)
{
	static const char *const names[] = { "to", "cc", "bcc", "subject",
		"reply-to", "header", "body-file", "html", "attach", "inline",
		"print" };
	struct compose *c = &o->c;
	const char *val;
	char opt[32];
	struct err e;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (longopt_is(lo, names[k]))
			break;
	if (k == ARRAY_SIZE(names))
		return 0;
	c->on = 1;
	if (k == ARRAY_SIZE(names) - 1) {
		c->print = 1;
		return 1;
	}
	snprintf(opt, sizeof opt, "--%s", names[k]);
	val = longopt_value(lo);
	if (mbuild_check_value(opt, val, &e) < 0)
		diex(EX_USAGE, "%s", e.msg);
	switch (k) {
	case 0: c->to = strs_add(c->to, &c->nto, val); break;
	case 1: c->cc = strs_add(c->cc, &c->ncc, val); break;
	case 2: c->bcc = strs_add(c->bcc, &c->nbcc, val); break;
	case 3: c->subject = val; break;
	case 4: c->reply_to = val; break;
	case 5: c->headers = strs_add(c->headers, &c->nheaders, val); break;
	case 6: c->body_file = val; break;
	case 7: c->html_file = val; break;
	case 8: c->attach = file_add(c->attach, &c->nattach, opt,
			(char *)val); break;
	default: c->inl = file_add(c->inl, &c->ninl, opt, (char *)val);
	}
	return 1;
}

static void
parse_long(struct opts *o, int argc, char **argv, int *i)
{
	struct longopt lo;
	const struct netacct_longopt *ko;
	const char *val;

	longopt_init(&lo, argc, argv, i);
	val = lo.val;
#define IS(s) longopt_is(&lo, (s))
#define NEED() (val = longopt_value(&lo))
	if (IS("help"))
		usage(0);
	if (IS("version")) {
		printf("msend (mkit) %s\n", PACKAGE_VERSION);
		exit(0);
	}
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
	struct config_warnings w = { NULL, 0 };
	struct netacct_opts no = { o->sa.config, o->sa.account,
		o->sa.envfrom, o->sa.ov, o->sa.nov, "smtp" };
	struct account *acc;
	struct err e;
	size_t i;

	err_clear(&e);
	acc = netacct_load(&no, &w, &e);
	for (i = 0; i < w.count; i++)
		warnx_("%s", w.msg[i]);
	config_warnings_release(&w);
	if (!acc) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	if (netacct_transport_init(acc, &e) < 0)
		diex(exit_code(e.code), "%s", e.msg);
	return acc;
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
static struct smtp *
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

static int
msg_status(const struct smtp_msg *m)
{
	if (m->err.code != ERR_NONE)
		return exit_code(m->err.code);
	return m->status == SMTP_SENT ? EX_OK : EX_SOFTWARE;
}

/* One line per message: time, host, from, recipients, size, reply, exit. */
static void
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

static void
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
static void
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

static struct aliases *
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
static int
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
	int status;

	sendmail_msg_init(&p);
	env_init(&env, o, o->read_envfrom);
	err_clear(&e);
	if (msgprep_read_fd(&p.mp, 0, o->sa.dot_ends ? MSGPREP_DOT_ENDS : 0,
		MAX_MESSAGE_BYTES, &e) < 0 ||
		sendmail_prepare(&p, &env, acc, al, &e) < 0) {
		print_err(&e);
		status = exit_code(e.code);
	} else {
		status = send_one(o, acc, ts, &p);
	}
	sendmail_msg_release(&p);
	aliases_free(al);
	return status;
}

/* ---- composing ---- */

static int
open_input(const char *opt, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		diex(EX_NOINPUT, "%s: %s: %s", opt, path, strerror(errno));
	return fd;
}

/*
 * Build the message; with --print write it to stdout (LF line ends),
 * else spool its body to a temporary file (SMTP's SIZE and BDAT need the
 * size first; memory stays bounded) and send it: envelope from the
 * account or --from, recipients To + Cc + Bcc, no Bcc in the header.
 */
static int
run_compose(const struct opts *o, const struct account *acc,
	struct transcript *ts)
{
	const struct compose *c = &o->c;
	struct mbuild_opts mo;
	struct mbuild b;
	struct buf head = BUF_INIT;
	struct sendmail_msg p;
	struct sendmail_env env;
	struct addrvec rcpts = ADDRVEC_INIT;
	struct aliases *al = NULL;
	struct err e;
	int status = EX_OK, spool = -1;
	off_t size;

	memset(&mo, 0, sizeof mo);
	mo.from = c->from_header;
	mo.to = c->to;
	mo.nto = c->nto;
	mo.cc = c->cc;
	mo.ncc = c->ncc;
	mo.bcc = c->bcc;
	mo.nbcc = c->nbcc;
	mo.reply_to = c->reply_to;
	mo.subject = c->subject;
	mo.headers = c->headers;
	mo.nheaders = c->nheaders;
	mo.body_fd = c->body_file ? open_input("--body-file", c->body_file) :
		0;
	mo.html_fd = c->html_file ? open_input("--html", c->html_file) : -1;
	mo.attach = c->attach;
	mo.nattach = c->nattach;
	mo.inl = c->inl;
	mo.ninl = c->ninl;
	mo.mime_types = mimetypes_default_files();
	mo.domain = acc ? acc->domain : NULL;
	mo.flags = c->print ? MBUILD_BCC : 0;
	sendmail_msg_init(&p);
	err_clear(&e);
	if (mbuild_init(&b, &mo, &e) < 0 || mbuild_head(&b, &head, &e) < 0)
		goto fail;
	if (c->print) {
		struct mbuild_lf lf = { 1, 0 };

		if (mbuild_write_lf(&lf, head.data, head.len, &e) < 0 ||
			mbuild_body(&b, mbuild_write_lf, &lf, &e) < 0)
			goto fail;
		goto out;
	}
	spool = mbuild_tmpfile(&e);
	if (spool < 0 || mbuild_body(&b, mbuild_write_fd, &spool, &e) < 0)
		goto fail;
	size = lseek(spool, 0, SEEK_END);
	mbuild_recipients(&mo, &rcpts);
	memset(&env, 0, sizeof env);
	env.envfrom = c->from_addr;
	env.full_name = o->sa.full_name;
	env.rcpts = rcpts.v;
	env.nrcpts = rcpts.n;
	env.envid = o->sa.envid;
	al = load_aliases(acc);
	if (msgprep_set(&p.mp, head.data, head.len, 0, &e) < 0 ||
		sendmail_prepare(&p, &env, acc, al, &e) < 0)
		goto fail;
	p.msg.body = NULL;
	p.msg.body_len = (size_t)size;
	p.msg.body_fd = spool;
	p.msg.flags |= SMTP_MSG_BODY_FD;
	status = send_one(o, acc, ts, &p);
	goto out;
fail:
	print_err(&e);
	status = exit_code(e.code);
out:
	mbuild_release(&b);
	if (spool >= 0)
		close(spool);
	if (mo.body_fd > 0)
		close(mo.body_fd);
	if (mo.html_fd >= 0)
		close(mo.html_fd);
	buf_release(&head);
	addrvec_release(&rcpts);
	sendmail_msg_release(&p);
	aliases_free(al);
	return status;
}

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

static int
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

static int
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

static int
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
	sv.in = stdin;
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

/*
 * The composer's view of the other options: recipient arguments are more
 * To addresses (as mail(1) takes them); --from may carry a display name
 * ("Ops <ops@example.org>") for the From field, its address being the
 * envelope sender.
 */
static void
compose_args(struct opts *o)
{
	struct compose *c = &o->c;
	struct addrvec av = ADDRVEC_INIT;
	size_t i;

	if (o->sa.mode != M_SEND || o->sa.read_rcpts)
		diex(EX_USAGE, "the composer options (--to, --attach...) go "
			"with no mode and no -t");
	for (i = 0; i < o->nrcpts; i++)
		c->to = strs_add(c->to, &c->nto, o->rcpts[i]);
	o->nrcpts = 0;
	if (!c->print && !c->nto && !c->ncc && !c->nbcc)
		diex(EX_USAGE, "no recipients (give --to, --cc or --bcc)");
	if (o->sa.envfrom) {
		struct err e;

		if (mbuild_check_value("--from", o->sa.envfrom, &e) < 0)
			diex(EX_USAGE, "%s", e.msg);
		if (addrsplit(o->sa.envfrom, strlen(o->sa.envfrom), &av,
			NULL) != 1)
			diex(EX_USAGE, "--from: not one address: \"%s\"",
				o->sa.envfrom);
		c->from_addr = xstrdup(av.v[0]);
		c->from_header = o->sa.envfrom;
		o->sa.envfrom = c->from_addr;
		addrvec_release(&av);
	}
}

static void
compose_free(struct opts *o)
{
	free(o->c.to);
	free(o->c.cc);
	free(o->c.bcc);
	free(o->c.headers);
	free(o->c.attach);
	free(o->c.inl);
	free(o->c.from_addr);
	free(o->rcpts);
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
