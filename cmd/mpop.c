/*
 * mpop: fetch mail over POP3 into a maildir, an mbox, an MDA or standard
 * output, exactly once (see man/mpop.1). mpop-compatible options.
 *
 * Thin by design: options, the accounts, then the library (pop3fetch.h
 * does the whole fetch), then messages and the exit status.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/json.h"
#include "base/password.h"
#include "base/util.h"
#include "common.h"
#include "net/transcript.h"
#include "proto/netacct.h"
#include "proto/pop3.h"
#include "proto/pop3fetch.h"
#include "store/uidlstate.h"

struct opts {
	const char *config;
	int all;
	enum pop3_fetch_mode mode;
	int print_state;
	int quiet, json, to_stdout, verbose;
	size_t session_limit;
	struct netacct_override *ov;
	size_t nov;
	char **accounts;
	size_t naccounts;
};

static const char usage_text[] =
"usage: mpop [options] [account...]\n"
"Fetch mail from POP3 servers (mpop compatible), each message exactly once.\n"
"\n"
"What to do:\n"
"  -s, --status-only         count the messages, fetch nothing\n"
"  -S, --serverinfo          show the server's greeting, TLS, CAPA, AUTH\n"
"  --init-state              record every message on the server as fetched\n"
"  -P, --print-state         show where the UIDL state of each account is\n"
"\n"
"Accounts:\n"
"  -a, --all-accounts        every account of the configuration\n"
"  -C, --config=FILE, --file=FILE  configuration file (default:\n"
"                            $MKIT_CONFIG, ~/.config/mkit/config, ~/.mpoprc)\n"
"  --delivery=maildir,DIR|mbox,FILE|mda,CMD  where the mail goes\n"
"  --stdout                  write the mail to standard output (one\n"
"                            message raw, several as an mboxrd stream)\n"
"  -k, --keep[=on|off]       keep the messages on the server\n"
"  -n, --only-new[=on|off]   fetch only messages not fetched before\n"
"  --killsize=SIZE|off       delete larger messages without fetching\n"
"  --skipsize=SIZE|off       leave larger messages on the server\n"
"  --uidls-file=FILE         the UIDL state file (%U user, %H host)\n"
"  --received-header[=on|off]  add a Received header\n"
"  --pipelining=auto|off     use POP3 PIPELINING when announced\n"
"  --session-limit=N         QUIT and reconnect after N messages\n"
"  --host=HOST               POP3 server\n"
"  --port=PORT               port (110, 995)\n"
"  --tls[=on|off]            use TLS\n"
"  --tls-starttls[=on|off]   TLS through STLS (off: implicit TLS)\n"
"  --tls-trust-file=FILE     CA certificates\n"
"  --tls-fingerprint=SHA256  pinned server certificate\n"
"  --tls-certcheck[=on|off]  verify the server certificate\n"
"  --tls-cert-file=FILE      client certificate\n"
"  --tls-key-file=FILE       client key\n"
"  --tls-min-version=V       1.2 or 1.3\n"
"  --auth[=on|off|METHOD]    login method (user, apop, plain, scram-sha-256...)\n"
"  --user=NAME               login name\n"
"  --passwordeval=CMD        command printing the password\n"
"  --allow-plaintext-auth[=on|off]  credentials without TLS\n"
"  --domain=NAME             (unused by POP3)\n"
"  --timeout=SECONDS         network timeout\n"
"  --connect-timeout=SECONDS connect timeout\n"
"  --proxy-host=HOST         SOCKS5 proxy\n"
"  --proxy-port=PORT         SOCKS5 proxy port\n"
"\n"
"Output:\n"
"  -q, --quiet               no summary lines\n"
"  --json                    a JSON line per message and per account\n"
"  -v, -d, --verbose         protocol transcript on stderr\n"
"  -h, --help                this help\n"
"  --version                 version\n";

static void
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

/* mpop's own long options that set an account key; the connection
 * options are netacct_longopts. */
static const struct netacct_longopt fetch_opts[] = {
	{ "delivery", "delivery", 0 },
	{ "keep", "keep", 1 },
	{ "only-new", "only_new", 1 },
	{ "killsize", "killsize", 0 },
	{ "skipsize", "skipsize", 0 },
	{ "uidls-file", "uidls_file", 0 },
	{ "received-header", "received_header", 1 },
	{ "pipelining", "pipelining", 0 },
	{ NULL, NULL, 0 },
};

static void
add_override(struct opts *o, const char *key, const char *value)
{
	o->ov = xrealloc(o->ov, (o->nov + 1) * sizeof(*o->ov));
	o->ov[o->nov].key = key;
	o->ov[o->nov].value = value;
	o->nov++;
}

static size_t
parse_count(const char *opt, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || *v == '-')
		diex(EX_USAGE, "%s: invalid value \"%s\" (expected a number)",
			opt, v);
	return n;
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
		printf("mpop (mkit) %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (IS("status-only")) { o->mode = POP3_FETCH_STATUS; return; }
	if (IS("serverinfo")) { o->mode = POP3_FETCH_SERVERINFO; return; }
	if (IS("init-state")) { o->mode = POP3_FETCH_INIT_STATE; return; }
	if (IS("print-state")) { o->print_state = 1; return; }
	if (IS("all-accounts")) { o->all = 1; return; }
	if (IS("quiet")) { o->quiet = 1; return; }
	if (IS("json")) { o->json = 1; return; }
	if (IS("stdout")) { o->to_stdout = 1; return; }
	if (IS("verbose")) { o->verbose = 1; return; }
	if (IS("config") || IS("file")) { NEED(); o->config = val; return; }
	if (IS("session-limit")) {
		NEED();
		o->session_limit = parse_count("--session-limit", val);
		return;
	}
	ko = netacct_longopt_find(netacct_longopts, lo.name, lo.len);
	if (!ko)
		ko = netacct_longopt_find(fetch_opts, lo.name, lo.len);
	if (!ko)
		diex(EX_USAGE, "unknown option %s (see mpop --help)", argv[*i]);
	add_override(o, ko->key, longopt_key_value(&lo, ko->flag));
#undef NEED
#undef IS
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int i, dashdash = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			o->accounts = xrealloc(o->accounts,
				(o->naccounts + 1) * sizeof(char *));
			o->accounts[o->naccounts++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = 1;
			continue;
		}
		if (a[1] == '-') {
			parse_long(o, argc, argv, &i);
			continue;
		}
		for (a++; *a; a++) {
			switch (*a) {
			case 'a': o->all = 1; break;
			case 's': o->mode = POP3_FETCH_STATUS; break;
			case 'S': o->mode = POP3_FETCH_SERVERINFO; break;
			case 'P': o->print_state = 1; break;
			case 'q': o->quiet = 1; break;
			case 'v': case 'd': o->verbose = 1; break;
			case 'k': add_override(o, "keep", "on"); break;
			case 'n': add_override(o, "only_new", "on"); break;
			case 'h': usage(0); break;
			case 'C':
				if (a[1])
					o->config = a + 1;
				else if (i + 1 < argc)
					o->config = argv[++i];
				else
					diex(EX_USAGE, "option -C needs a "
						"file");
				a += strlen(a) - 1;
				break;
			default:
				diex(EX_USAGE, "unknown option -%c (see mpop "
					"--help)", *a);
			}
		}
	}
	if (o->all && o->naccounts)
		diex(EX_USAGE, "give account names or -a, not both");
}

/* Every account of the configuration, for -a ("default" when it only
 * names another is skipped by config_account_name's caller). */
static void
all_accounts(struct opts *o)
{
	struct config_warnings w = { NULL, 0 };
	struct config *cfg;
	struct err e;
	size_t i, n;

	cfg = config_load(o->config, CONFIG_FALLBACK_MPOP, &w, &e);
	config_warnings_release(&w);
	if (!cfg) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	n = config_account_count(cfg);
	for (i = 0; i < n; i++) {
		const char *name = config_account_name(cfg, i);

		if (!strcmp(name, "default") && n > 1)
			continue;
		o->accounts = xrealloc(o->accounts,
			(o->naccounts + 1) * sizeof(char *));
		o->accounts[o->naccounts++] = xstrdup(name);
	}
	config_free(cfg);
	if (!o->naccounts)
		diex(EX_CONFIG, "no accounts in the configuration (see "
			"mkit-config(5))");
}

/* What the per-message callback needs. */
struct out {
	const struct opts *o;
	const struct account *acc;
	FILE *fp;		/* summaries and JSON lines */
	int progress;
};

static const char *const action_names[] = {
	[POP3_FETCH_DELIVERED] = "delivered",
	[POP3_FETCH_SKIPPED] = "skipped",
	[POP3_FETCH_KILLED] = "killed",
	[POP3_FETCH_OLD] = "deleted-old",
	[POP3_FETCH_FAILED] = "failed",
};

static void
json_account(struct json *j, const struct account *acc)
{
	json_key(j, "account");
	json_cstr(j, acc->name ? acc->name : "");
}

static void
on_message(void *arg, const struct pop3_fetch_event *ev)
{
	struct out *out = arg;

	if (out->o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_account(&j, out->acc);
		json_key(&j, "num");
		json_int(&j, (long long)ev->num);
		json_key(&j, "uidl");
		if (ev->uidl)
			json_cstr(&j, ev->uidl);
		else
			json_null(&j);
		json_key(&j, "size");
		json_int(&j, (long long)ev->size);
		json_key(&j, "action");
		json_cstr(&j, action_names[ev->action]);
		json_key(&j, "deleted");
		json_bool(&j, ev->deleted);
		if (ev->action == POP3_FETCH_DELIVERED) {
			json_key(&j, "to");
			json_cstr(&j, out->o->to_stdout ? "stdout" :
				out->acc->delivery_arg);
		}
		if (ev->dele_refused) {
			json_key(&j, "dele_refused");
			json_cstr(&j, ev->dele_refused);
		}
		json_obj_end(&j);
		fprintf(out->fp, "%s\n", b.data);
		buf_release(&b);
	} else if (ev->dele_refused)
		warnx_("account \"%s\": message %lu (UIDL \"%s\"): DELE "
			"refused (%s); it is recorded as fetched, a later run "
			"deletes it", out->acc->name, ev->num,
			ev->uidl ? ev->uidl : "", ev->dele_refused);
	if (out->progress && ev->action == POP3_FETCH_DELIVERED)
		fprintf(stderr, "\rmpop: %s: %zu/%zu messages", out->acc->name,
			ev->done, ev->total);
}

static void
summary(const struct out *out, const struct pop3_fetch_report *r,
	int status, const struct err *e)
{
	const struct account *acc = out->acc;

	if (out->progress && r->delivered)
		fputs("\r\033[K", stderr);
	if (out->o->json) {
		struct buf b = BUF_INIT;
		struct json j;

		json_init(&j, &b);
		json_obj_begin(&j);
		json_account(&j, acc);
		json_key(&j, "server_messages");
		json_int(&j, (long long)r->count);
		json_key(&j, "server_bytes");
		json_int(&j, (long long)r->size);
		if (out->o->mode == POP3_FETCH_STATUS) {
			json_key(&j, "new_messages");
			json_int(&j, (long long)r->new_count);
			json_key(&j, "new_bytes");
			json_int(&j, (long long)r->new_size);
		}
		json_key(&j, "delivered");
		json_int(&j, (long long)r->delivered);
		json_key(&j, "deleted");
		json_int(&j, (long long)r->deleted);
		json_key(&j, "skipped");
		json_int(&j, (long long)r->skipped);
		json_key(&j, "killed");
		json_int(&j, (long long)r->killed);
		json_key(&j, "status");
		json_int(&j, status);
		json_key(&j, "error");
		if (status)
			json_cstr(&j, e->msg);
		else
			json_null(&j);
		json_obj_end(&j);
		fprintf(out->fp, "%s\n", b.data);
		buf_release(&b);
		return;
	}
	if (status || out->o->quiet)
		return;
	if (out->o->mode == POP3_FETCH_SERVERINFO)
		fputs(r->serverinfo ? r->serverinfo : "", out->fp);
	else if (out->o->mode == POP3_FETCH_STATUS)
		fprintf(out->fp, "account \"%s\": %lu messages (%llu bytes), "
			"%lu new (%llu bytes)\n", acc->name, r->count, r->size,
			r->new_count, r->new_size);
	else if (out->o->mode == POP3_FETCH_INIT_STATE)
		fprintf(out->fp, "account \"%s\": %lu messages recorded as "
			"fetched in %s\n", acc->name, r->count, r->state_path);
	else if (!r->delivered && !r->deleted)
		fprintf(out->fp, "account \"%s\": no new messages\n",
			acc->name);
	else
		fprintf(out->fp, "account \"%s\": %lu messages delivered, %lu "
			"deleted, %lu skipped (%lu on the server)\n",
			acc->name, r->delivered, r->deleted, r->skipped,
			r->count);
}

/* -P: where the state lives, and how many UIDLs it holds. */
static int
print_state(const struct account *acc)
{
	struct uidlstate *st;
	struct err e;
	char *path = uidlstate_path(acc->uidls_file, acc->user, acc->host,
		(unsigned)acc->port, &e);

	if (!path) {
		print_err(&e);
		return exit_code(e.code);
	}
	st = uidlstate_open(path, 0, &e);
	if (st)
		printf("account \"%s\": %s (%zu UIDLs)\n", acc->name, path,
			uidlstate_count(st));
	else
		printf("account \"%s\": %s (%s)\n", acc->name, path, e.msg);
	uidlstate_close(st);
	free(path);
	return 0;
}

static int
run_account(const struct opts *o, const char *name, struct transcript *ts)
{
	struct config_warnings w = { NULL, 0 };
	struct netacct_opts no = { o->config, name, NULL, o->ov, o->nov,
		"pop3" };
	struct pop3_fetch_opts fo;
	struct pop3_fetch_report r;
	struct account *acc;
	struct out out;
	struct err e;
	char *pw = NULL;
	size_t i;
	int status = 0;

	err_clear(&e);
	acc = netacct_load(&no, &w, &e);
	for (i = 0; i < w.count; i++)
		warnx_("%s", w.msg[i]);
	config_warnings_release(&w);
	if (!acc) {
		print_err(&e);
		return exit_code(e.code);
	}
	if (o->print_state) {
		status = print_state(acc);
		goto out;
	}
	if (netacct_transport_init(acc, &e) < 0 ||
		(o->mode != POP3_FETCH_SERVERINFO &&
		netacct_password(acc, "pop3", ts, &pw, &e) < 0)) {
		err_prefix(&e, "account \"%s\"", acc->name);
		print_err(&e);
		status = exit_code(e.code);
		goto out;
	}
	memset(&out, 0, sizeof out);
	out.o = o;
	out.acc = acc;
	out.fp = o->to_stdout ? stderr : stdout;
	out.progress = !o->quiet && !o->json && !o->verbose &&
		o->mode == POP3_FETCH_MAIL && isatty(2);
	memset(&fo, 0, sizeof fo);
	fo.mode = o->mode;
	fo.password = pw;
	fo.ts = ts;
	fo.stdout_fd = o->to_stdout ? 1 : -1;
	fo.session_limit = o->session_limit;
	fo.pop3_flags = acc->pipelining == ACCOUNT_PIPELINING_OFF ?
		POP3_NO_PIPELINING : 0;
	fo.fn = on_message;
	fo.arg = &out;
	if (pop3_fetch(acc, &fo, &r, &e) < 0) {
		status = r.exit_status ? r.exit_status : exit_code(e.code);
		err_prefix(&e, "account \"%s\"", acc->name);
		if (out.progress && r.delivered)
			fputs("\r\033[K", stderr);
		print_err(&e);
	}
	fflush(stdout);
	summary(&out, &r, status, &e);
	pop3_fetch_report_release(&r);
out:
	password_free(pw);
	account_free(acc);
	return status;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct transcript ts;
	size_t i;
	int status = 0;

	prog_init(argv[0]);
	memset(&o, 0, sizeof o);
	parse_args(&o, argc, argv);
	if (o.all)
		all_accounts(&o);
	if (o.verbose)
		transcript_init_file(&ts, stderr, 0);
	if (!o.naccounts)
		status = run_account(&o, NULL, o.verbose ? &ts : NULL);
	for (i = 0; i < o.naccounts; i++) {
		int s = run_account(&o, o.accounts[i], o.verbose ? &ts :
			NULL);

		if (s && !status)
			status = s;
	}
	if (o.verbose)
		transcript_release(&ts);
	free(o.ov);
	if (o.all)
		for (i = 0; i < o.naccounts; i++)
			free(o.accounts[i]);
	free(o.accounts);
	if (fflush(stdout) == EOF)
		diex(EX_IOERR, "standard output: write error");
	return status;
}
