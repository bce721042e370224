/*
 * mimap: IMAP from the shell (see man/mimap.1).
 *
 * Thin by design: options, the account, then the library (imap.h for the
 * session, imap_ops.h for what each command does, imap_set.h for UID
 * sets), then the output and the exit status.
 */
#include <config.h>

#include <errno.h>
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
#include "mimap-idle.h"
#include "mimap-pull.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap.h"
#include "proto/imap_append.h"
#include "proto/imap_json.h"
#include "proto/imap_ops.h"
#include "proto/imap_set.h"
#include "proto/netacct.h"
#include "store/deliver.h"
#include "store/msgsrc.h"

#define EX_NOMATCH		1

struct opts {
	const char *config, *account;
	struct netacct_override *ov;
	size_t nov;
	int verbose, json, status, headers, peek, namespace;
	const char *partial, *maildir, *flags, *date, *exec, *interval;
	char **args;
	size_t nargs;
	struct pull_cli pull;
};

static const char usage_text[] =
"usage: mimap [options] COMMAND [ARGS]\n"
"IMAP from the shell.\n"
"\n"
"Commands:\n"
"  list [PATTERN] [--status|--namespace]  folders (PATTERN: IMAP LIST\n"
"                                pattern, *)\n"
"  status FOLDER...              messages, recent, unseen, uidnext...\n"
"  search FOLDER KEY...          UIDs matching IMAP SEARCH keys\n"
"  fetch FOLDER UIDS             one message raw, several as mboxrd\n"
"  flag FOLDER UIDS +FLAG|-FLAG...  add or remove flags\n"
"  copy FOLDER UIDS DEST         copy messages\n"
"  move FOLDER UIDS DEST         move messages\n"
"  expunge FOLDER [UIDS]         remove messages flagged \\Deleted\n"
"  append FOLDER                 append the message(s) on standard input\n"
"  create FOLDER...              create folders\n"
"  delete FOLDER...              delete folders\n"
"  rename OLD NEW                rename a folder\n"
"  subscribe FOLDER...           subscribe to folders\n"
"  pull [FOLDER...|--all]        mirror folders into a maildir (INBOX)\n"
"  unsubscribe FOLDER...         unsubscribe from folders\n"
"  idle FOLDER...                wait for changes, a line (or --exec) each\n"
"UIDS: an IMAP UID set (1:*, 3,5,9:12) or - for UIDs on standard input.\n"
"\n"
"Command options:\n"
"  --status                  list: with the counts of each folder\n"
"  --namespace               list: the personal namespace's prefix and\n"
"                            hierarchy delimiter instead of the folders\n"
"  --headers                 fetch: the header only\n"
"  --partial=OFFSET:LENGTH   fetch: that part of each message\n"
"  --peek                    fetch: do not set \\Seen\n"
"  --maildir=DIR             fetch: deliver into maildir DIR;\n"
"                            pull: the mirror's root\n"
"  --all                     pull: every selectable folder\n"
"  --layout=LAYOUT           pull: maildir++ (default) or tree\n"
"  --keep-local              pull: keep files expunged on the server\n"
"  --push-deletes            pull: expunge files removed locally\n"
"  --flags=FLAGS             append: flags of the messages (\\Seen ...)\n"
"  --date=DATE               append: internal date (01-Nov-2026 10:00:00 +0000)\n"
"  --exec=CMD                idle: run CMD for each change (MIMAP_FOLDER,\n"
"                            MIMAP_EVENT, MIMAP_UIDS in its environment)\n"
"  --interval=SECONDS        idle: NOOP polling period without IDLE (60)\n"
"\n"
"Account:\n"
"  -a, --account=NAME        use this account (default: the default one)\n"
"  -C, --config=FILE         configuration file (default:\n"
"                            $MKIT_CONFIG, ~/.config/mkit/config)\n"
"  --host=HOST               IMAP server\n"
"  --port=PORT               port (143, 993)\n"
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
"  --domain=NAME             (unused by IMAP)\n"
"  --timeout=SECONDS         network timeout\n"
"  --connect-timeout=SECONDS connect timeout\n"
"  --proxy-host=HOST         SOCKS5 proxy\n"
"  --proxy-port=PORT         SOCKS5 proxy port\n"
"\n"
"Output:\n"
"  --json                    results as JSON (JSON Lines for fetch)\n"
"  -v, --verbose             protocol transcript on stderr\n"
"  -h, --help                this help\n"
"  --version                 version\n"
"\n"
"Exit status: 0, 1 when search matched nothing, or sysexits(3).\n";

static void
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	exit(status);
}

static void
add_override(struct opts *o, const char *key, const char *value)
{
	o->ov = xrealloc(o->ov, (o->nov + 1) * sizeof(*o->ov));
	o->ov[o->nov].key = key;
	o->ov[o->nov].value = value;
	o->nov++;
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
		printf("mimap (mkit) %s\n", PACKAGE_VERSION);
		exit(0);
	}
	if (IS("json")) { o->json = 1; return; }
	if (IS("status")) { o->status = 1; return; }
	if (IS("namespace")) { o->namespace = 1; return; }
	if (IS("headers")) { o->headers = 1; return; }
	if (IS("peek")) { o->peek = 1; return; }
	if (IS("all")) { o->pull.all = 1; return; }
	if (IS("keep-local")) { o->pull.keep_local = 1; return; }
	if (IS("push-deletes")) { o->pull.push_deletes = 1; return; }
	if (IS("layout")) { NEED(); o->pull.layout = val; return; }
	if (IS("verbose")) { o->verbose++; return; }
	if (IS("account")) { NEED(); o->account = val; return; }
	if (IS("config")) { NEED(); o->config = val; return; }
	if (IS("partial")) { NEED(); o->partial = val; return; }
	if (IS("maildir")) { NEED(); o->maildir = val; return; }
	if (IS("flags")) { NEED(); o->flags = val; return; }
	if (IS("date")) { NEED(); o->date = val; return; }
	if (IS("exec")) { NEED(); o->exec = val; return; }
	if (IS("interval")) { NEED(); o->interval = val; return; }
	ko = netacct_longopt_find(netacct_longopts, lo.name, lo.len);
	if (ko) {
		add_override(o, ko->key, longopt_key_value(&lo, ko->flag));
		return;
	}
	diex(EX_USAGE, "unknown option --%.*s (see mimap --help)",
		(int)lo.len, lo.name);
#undef NEED
#undef IS
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	int i, opts_done = 0;

	o->args = xcalloc((size_t)argc + 1, sizeof(char *));
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (opts_done || a[0] != '-' || !strcmp(a, "-") ||
		    ((a[1] == '\0' || a[1] != '-') && o->nargs >= 1 &&
		    strcmp(a, "-v") && strcmp(a, "-h") && strcmp(a, "-a") &&
		    strcmp(a, "-C"))) {
			/* after the command, "-FLAG" is an argument */
			o->args[o->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = 1;
			continue;
		}
		if (a[1] == '-') {
			parse_long(o, argc, argv, &i);
			continue;
		}
		if (!strcmp(a, "-v")) {
			o->verbose++;
		} else if (!strcmp(a, "-h")) {
			usage(0);
		} else if (!strcmp(a, "-a") || !strcmp(a, "-C")) {
			if (i + 1 >= argc)
				diex(EX_USAGE, "option %s needs a value", a);
			if (a[1] == 'a')
				o->account = argv[++i];
			else
				o->config = argv[++i];
		} else {
			diex(EX_USAGE, "unknown option %s (see mimap --help)",
				a);
		}
	}
	if (o->nargs == 0)
		usage(EX_USAGE);
}

/* ---- account and session ---- */

static struct account *
load_account(const struct opts *o)
{
	struct config_warnings w = { NULL, 0 };
	struct netacct_opts no = { o->config, o->account, NULL, o->ov,
		o->nov, "imap" };
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

static struct imap *
open_imap(const struct account *acc, struct transcript *ts)
{
	struct imap *im;
	struct err e;
	char *pw = NULL;

	err_clear(&e);
	if (netacct_password(acc, NULL, ts, &pw, &e) < 0) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	im = imap_open(acc, pw, 0, ts, &e);
	if (pw)
		password_free(pw);
	if (!im) {
		print_err(&e);
		exit(exit_code(e.code));
	}
	/* UTF-8 folder names and search strings where the server allows */
	if (imap_enable(im, "UTF8=ACCEPT", &e) < 0 || imap_id(im, &e) < 0) {
		print_err(&e);
		imap_logout(im);
		exit(exit_code(e.code));
	}
	return im;
}

/* A failure on an open session: say it, log out, the status. */
static int
fail(struct imap *im, const struct err *e)
{
	print_err(e);
	if (e->code == ERR_PROTOCOL || e->code == ERR_TEMPFAIL ||
	    e->code == ERR_IO)
		imap_free(im);
	else
		imap_logout(im);
	return exit_code(e->code);
}

/* ---- UID sets ---- */

/* The sets for arg (a set, or "-": stdin); *single: one UID alone. */
static void
get_sets(const char *arg, struct buf *sets, int *single)
{
	struct imap_uids u = { NULL, 0, 0 };
	struct err e;
	size_t i;

	*single = 0;
	if (strcmp(arg, "-") != 0) {
		if (!imap_set_valid(arg))
			diex(EX_USAGE, "not a UID set: \"%s\" (e.g. 1:*, "
				"3,5,9:12, or - for stdin)", arg);
		if (strlen(arg) > IMAP_SET_MAX)
			diex(EX_USAGE, "UID set too long: pass the UIDs one "
				"per line on standard input with -");
		for (i = 0; arg[i] && arg[i] >= '0' && arg[i] <= '9'; i++)
			;
		*single = arg[i] == '\0';
		buf_addstr(sets, arg);
		return;
	}
	{
		struct buf in = BUF_INIT;

		if (buf_read_fd(&in, 0) < 0)
			diex(EX_IOERR, "stdin: %s", strerror(errno));
		if (imap_uids_parse(&u, in.data ? in.data : "", in.len,
		    "stdin", &e) < 0)
			diex(EX_USAGE, "%s", e.msg);
		buf_release(&in);
	}
	imap_uids_sets(&u, IMAP_SET_MAX, sets);
	*single = u.n == 1;
	imap_uids_release(&u);
}

/* ---- list, status ---- */

static void
json_status(struct json *j, const struct imap_status_info *st)
{
	json_obj_begin(j);
#define F(bit, name, field) \
	if (st->have & bit) { json_key(j, name); \
		json_int(j, (long long)st->field); }
	F(IMAP_ST_MESSAGES, "messages", messages)
	F(IMAP_ST_RECENT, "recent", recent)
	F(IMAP_ST_UNSEEN, "unseen", unseen)
	F(IMAP_ST_UIDNEXT, "uidnext", uidnext)
	F(IMAP_ST_UIDVALIDITY, "uidvalidity", uidvalidity)
	F(IMAP_ST_HIGHESTMODSEQ, "highestmodseq", highestmodseq)
#undef F
	json_obj_end(j);
}

static void
text_status(const struct imap_status_info *st)
{
#define F(bit, name, field) \
	if (st->have & bit) printf(" %s=%llu", name, st->field);
	F(IMAP_ST_MESSAGES, "messages", messages)
	F(IMAP_ST_RECENT, "recent", recent)
	F(IMAP_ST_UNSEEN, "unseen", unseen)
	F(IMAP_ST_UIDNEXT, "uidnext", uidnext)
	F(IMAP_ST_UIDVALIDITY, "uidvalidity", uidvalidity)
	F(IMAP_ST_HIGHESTMODSEQ, "highestmodseq", highestmodseq)
#undef F
}

struct list_out {
	const struct opts *o;
	struct json j;
	struct buf out;
	int any;
};

static int
list_one(void *ctx, const struct imap_mailbox *m, struct err *e)
{
	struct list_out *l = ctx;
	const char *a;

	(void)e;
	if (l->o->json) {
		json_obj_begin(&l->j);
		json_key(&l->j, "name");
		json_cstr(&l->j, m->name);
		json_key(&l->j, "delimiter");
		if (m->delim)
			json_str(&l->j, &m->delim, 1);
		else
			json_null(&l->j);
		json_key(&l->j, "attributes");
		json_arr_begin(&l->j);
		for (a = m->attrs; *a; ) {
			size_t n = strcspn(a, " ");

			json_str(&l->j, a, n);
			a += n;
			while (*a == ' ')
				a++;
		}
		json_arr_end(&l->j);
		if (m->has_status) {
			json_key(&l->j, "status");
			json_status(&l->j, &m->st);
		}
		json_obj_end(&l->j);
		return 0;
	}
	fputs(m->name, stdout);
	/* special-use attributes are what a user looks for */
	for (a = m->attrs; *a; ) {
		size_t n = strcspn(a, " ");

		if (n > 1 && a[0] == '\\' && !has_prefix_ci(a, n, "\\Has") &&
		    !has_prefix_ci(a, n, "\\Marked") &&
		    !has_prefix_ci(a, n, "\\Unmarked"))
			printf(" %.*s", (int)n, a);
		a += n;
		while (*a == ' ')
			a++;
	}
	if (m->has_status)
		text_status(&m->st);
	putchar('\n');
	return 0;
}

/* list --namespace: prefix and delimiter, for scripts that build names. */
static int
list_namespace(struct imap *im, const struct opts *o)
{
	struct imap_namespace ns;
	struct buf out = BUF_INIT;
	struct json j;
	struct err e;

	if (imap_namespace(im, &ns, &e) < 0)
		return fail(im, &e);
	if (o->json) {
		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "prefix");
		json_cstr(&j, ns.prefix);
		json_key(&j, "delimiter");
		if (ns.delim)
			json_str(&j, &ns.delim, 1);
		else
			json_null(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		printf("prefix=\"%s\" delimiter=%c\n", ns.prefix,
			ns.delim ? ns.delim : '-');
	}
	buf_release(&out);
	imap_logout(im);
	return EX_OK;
}

static int
cmd_list(struct imap *im, const struct opts *o)
{
	struct list_out l;
	struct err e;
	const char *pattern = o->nargs > 1 ? o->args[1] : "*";

	if (o->nargs > 2 || (o->namespace && (o->nargs > 1 || o->status)))
		diex(EX_USAGE, "usage: mimap list [PATTERN] [--status] | "
			"mimap list --namespace");
	if (o->namespace)
		return list_namespace(im, o);
	memset(&l, 0, sizeof l);
	l.o = o;
	buf_init(&l.out, 0);
	json_init(&l.j, &l.out);
	if (o->json)
		json_arr_begin(&l.j);
	if (imap_list(im, pattern, o->status, list_one, &l, &e) < 0) {
		buf_release(&l.out);
		return fail(im, &e);
	}
	if (o->json) {
		json_arr_end(&l.j);
		printf("%s\n", l.out.data);
	}
	buf_release(&l.out);
	imap_logout(im);
	return EX_OK;
}

static int
cmd_status(struct imap *im, const struct opts *o)
{
	struct buf out = BUF_INIT;
	struct json j;
	struct err e;
	size_t i;

	if (o->nargs < 2)
		diex(EX_USAGE, "usage: mimap status FOLDER...");
	json_init(&j, &out);
	if (o->json)
		json_arr_begin(&j);
	for (i = 1; i < o->nargs; i++) {
		struct imap_status_info st;

		if (imap_status(im, o->args[i], &st, &e) < 0) {
			buf_release(&out);
			return fail(im, &e);
		}
		if (o->json) {
			json_obj_begin(&j);
			json_key(&j, "name");
			json_cstr(&j, o->args[i]);
			json_key(&j, "status");
			json_status(&j, &st);
			json_obj_end(&j);
		} else {
			fputs(o->args[i], stdout);
			text_status(&st);
			putchar('\n');
		}
	}
	if (o->json) {
		json_arr_end(&j);
		printf("%s\n", out.data);
	}
	buf_release(&out);
	imap_logout(im);
	return EX_OK;
}

/* ---- search ---- */

static int
cmd_search(struct imap *im, const struct opts *o)
{
	struct imap_uids u = { NULL, 0, 0 };
	struct buf out = BUF_INIT;
	struct err e;
	size_t i;
	int status;

	if (o->nargs < 3)
		diex(EX_USAGE, "usage: mimap search FOLDER KEY...");
	if (imap_select(im, o->args[1], 1, &e) < 0 ||
	    imap_search(im, o->args + 2, o->nargs - 2, &u, &e) < 0) {
		imap_uids_release(&u);
		return fail(im, &e);
	}
	imap_uids_sets(&u, 0, &out);	/* sorts, drops duplicates */
	if (o->json) {
		struct json j;

		buf_reset(&out);
		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "folder");
		json_cstr(&j, o->args[1]);
		json_key(&j, "uids");
		json_arr_begin(&j);
		for (i = 0; i < u.n; i++)
			json_int(&j, (long long)u.v[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		for (i = 0; i < u.n; i++)
			printf("%llu\n", u.v[i]);
	}
	status = u.n ? EX_OK : EX_NOMATCH;
	buf_release(&out);
	imap_uids_release(&u);
	imap_logout(im);
	return status;
}

/* ---- fetch ---- */

/* Where fetched messages go: stdout (raw or mboxrd) or a maildir, through
 * deliver.h (durable maildir delivery, the mboxrd writer). */
struct fetch_out {
	struct deliver *d;
	int tty;		/* progress on stderr */
	int cr;			/* a CR ended the last chunk */
	struct buf lf;
	unsigned long n;	/* messages done */
};

static int
f_begin(void *ctx, const struct imap_resp *r, size_t item,
	unsigned long long size, struct err *e)
{
	struct fetch_out *f = ctx;
	size_t u = imap_fetch_item(r, "UID");
	size_t fl = imap_fetch_item(r, "FLAGS");
	char uid[32] = "", info[8];

	(void)item;
	(void)size;
	if (u)
		imap_tok_copy(r, u, uid, sizeof uid);
	f->cr = 0;
	if (deliver_begin(f->d, uid, NULL, e) < 0)
		return -1;
	/* maildir: the flags as info, when they came before the body */
	if (fl) {
		imap_maildir_info(r, fl, info);
		deliver_set_info(f->d, info);
	}
	return 1;
}

/* The bytes with CRLF made LF (a CR alone stays), into out. */
static void
to_lf(struct fetch_out *f, const char *d, size_t n, struct buf *out)
{
	size_t i, start = 0;

	const char *cr;

	if (f->cr && n && d[0] != '\n')
		buf_addch(out, '\r');
	f->cr = 0;
	for (i = 0; (cr = memchr(d + i, '\r', n - i)) != NULL; ) {
		i = (size_t)(cr - d);
		if (i + 1 < n && d[i + 1] == '\n') {
			buf_add(out, d + start, i - start);
			start = i + 1;
		} else if (i + 1 == n) {
			buf_add(out, d + start, i - start);
			start = n;
			f->cr = 1;
		}
		i++;
	}
	buf_add(out, d + start, n - start);
}

static int
f_data(void *ctx, const void *d, size_t n, struct err *e)
{
	struct fetch_out *f = ctx;

	buf_reset(&f->lf);
	to_lf(f, d, n, &f->lf);
	return deliver_write(f->d, f->lf.data, f->lf.len, e);
}

static void
progress(struct fetch_out *f, int done)
{
	if (!f->tty)
		return;
	fprintf(stderr, "\rmimap: %lu message%s", f->n, f->n == 1 ? "" : "s");
	if (done)
		fputc('\n', stderr);
}

static int
f_end(void *ctx, struct err *e)
{
	struct fetch_out *f = ctx;

	if (f->cr && deliver_write(f->d, "\r", 1, e) < 0)
		return -1;
	f->cr = 0;
	if (deliver_end(f->d, e) < 0)
		return -1;
	f->n++;
	progress(f, 0);
	return 0;
}

static void
f_abort(void *ctx)
{
	struct fetch_out *f = ctx;

	deliver_abort(f->d);
}

/* --json: one line per message. */
struct fetch_json {
	struct buf out;
};

static int
json_untagged(void *ctx, const struct imap_resp *r, struct err *e)
{
	struct fetch_json *fj = ctx;

	(void)e;
	buf_reset(&fj->out);
	if (imap_fetch_json(r, &fj->out) == 0)
		printf("%s\n", fj->out.data);
	return 0;
}

static int
cmd_fetch(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT;
	struct fetch_out f;
	struct deliver_opts dopts;
	struct imap_sink sink = { NULL, f_begin, f_data, f_end, f_abort };
	struct imap_handler h = { NULL, NULL, NULL, &sink };
	struct fetch_json fj;
	char items[256], section[96];
	struct err e, e2;
	int single, status = EX_OK;
	unsigned long long po = 0, pl = 0;

	if (o->nargs != 3)
		diex(EX_USAGE, "usage: mimap fetch FOLDER UIDS [--headers] "
			"[--partial O:L] [--peek] [--json] [--maildir DIR]");
	if (o->partial) {
		char *end;

		po = strtoull(o->partial, &end, 10);
		if (*end != ':' || !end[1])
			diex(EX_USAGE, "--partial: OFFSET:LENGTH expected, not "
				"\"%s\"", o->partial);
		pl = strtoull(end + 1, &end, 10);
		if (*end || pl == 0)
			diex(EX_USAGE, "--partial: OFFSET:LENGTH expected, not "
				"\"%s\"", o->partial);
	}
	get_sets(o->args[2], &sets, &single);
	memset(&f, 0, sizeof f);
	buf_init(&f.lf, 0);
	f.tty = isatty(2) && !o->verbose && !o->json;
	sink.ctx = &f;
	memset(&dopts, 0, sizeof dopts);
	if (o->maildir) {
		dopts.kind = DELIVER_MAILDIR;
		dopts.target = o->maildir;
	} else {
		dopts.kind = DELIVER_STREAM;
		dopts.fd = 1;
		dopts.flags = single ? 0 : DELIVER_STREAM_MBOXRD;
	}
	if (!o->json) {
		f.d = deliver_open(&dopts, &e);
		if (!f.d) {
			print_err(&e);
			imap_logout(im);
			buf_release(&sets);
			return exit_code(e.code);
		}
	}
	if (!sets.len)
		goto done;
	if (imap_select(im, o->args[1], o->peek || o->json, &e) < 0)
		goto failed;
	snprintf(section, sizeof section, "BODY%s[%s]", o->peek ? ".PEEK" :
		"", o->headers ? "HEADER" : "");
	if (o->partial)
		snprintf(section + strlen(section), sizeof section -
			strlen(section), "<%llu.%llu>", po, pl);
	if (o->json) {
		buf_init(&fj.out, 0);
		h.ctx = &fj;
		h.untagged = json_untagged;
		h.sink = NULL;
		snprintf(items, sizeof items, "(UID FLAGS RFC822.SIZE "
			"INTERNALDATE ENVELOPE BODYSTRUCTURE)");
		if (imap_fetch(im, sets.data, items, &h, &e) < 0) {
			buf_release(&fj.out);
			goto failed;
		}
		buf_release(&fj.out);
	} else {
		snprintf(items, sizeof items, "(UID %s%s%s)",
			o->maildir ? "FLAGS " : "",
			o->partial || o->headers ? "" : "RFC822.SIZE ",
			section);
		if (imap_fetch(im, sets.data, items, &h, &e) < 0)
			goto failed;
	}
done:
	/* durable (maildir) or flushed (stdout) before success is said */
	if (f.d && deliver_close(f.d, &e) < 0) {
		f.d = NULL;
		goto failed;
	}
	f.d = NULL;
	progress(&f, 1);
	imap_logout(im);
	goto out;
failed:
	if (f.n)
		progress(&f, 1);
	/* what was fetched whole stays, durably */
	deliver_close(f.d, &e2);
	status = fail(im, &e);
out:
	buf_release(&f.lf);
	buf_release(&sets);
	return status;
}

/* ---- flag, copy, move, expunge ---- */

/* "seen" -> "\Seen"; keywords as they are. */
static void
add_flag(struct buf *b, const char *f)
{
	static const char *const sys[] = { "Seen", "Answered", "Flagged",
		"Deleted", "Draft" };
	size_t i;
	const char *name = f[0] == '\\' ? f + 1 : f;

	for (i = 0; i < ARRAY_SIZE(sys); i++) {
		if (!strcasecmp(name, sys[i])) {
			buf_addf(b, "%s\\%s", b->len > 1 ? " " : "", sys[i]);
			return;
		}
	}
	if (!*f || f[0] == '\\')
		diex(EX_USAGE, "unknown system flag \"%s\"", f);
	for (i = 0; f[i]; i++)
		if (f[i] <= ' ' || f[i] >= 127 || strchr("(){%*\"\\]", f[i]))
			diex(EX_USAGE, "bad flag \"%s\"", f);
	buf_addf(b, "%s%s", b->len > 1 ? " " : "", f);
}

static int
cmd_flag(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT, plus = BUF_INIT, minus = BUF_INIT;
	struct err e;
	size_t i;
	int single, status = EX_OK;

	if (o->nargs < 4)
		diex(EX_USAGE, "usage: mimap flag FOLDER UIDS +FLAG... "
			"-FLAG...");
	buf_addch(&plus, '(');
	buf_addch(&minus, '(');
	for (i = 3; i < o->nargs; i++) {
		const char *a = o->args[i];

		if (a[0] == '+')
			add_flag(&plus, a + 1);
		else if (a[0] == '-')
			add_flag(&minus, a + 1);
		else
			diex(EX_USAGE, "flag \"%s\": start it with + (add) or "
				"- (remove)", a);
	}
	buf_addch(&plus, ')');
	buf_addch(&minus, ')');
	get_sets(o->args[2], &sets, &single);
	if (sets.len && (imap_select(im, o->args[1], 0, &e) < 0 ||
	    (plus.len > 2 && imap_store(im, sets.data, "+FLAGS.SILENT",
	    plus.data, &e) < 0) ||
	    (minus.len > 2 && imap_store(im, sets.data, "-FLAGS.SILENT",
	    minus.data, &e) < 0)))
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	buf_release(&plus);
	buf_release(&minus);
	return status;
}

static int
cmd_copy(struct imap *im, const struct opts *o, int move)
{
	struct buf sets = BUF_INIT;
	struct err e;
	int single, status = EX_OK;

	if (o->nargs != 4)
		diex(EX_USAGE, "usage: mimap %s FOLDER UIDS DEST",
			move ? "move" : "copy");
	get_sets(o->args[2], &sets, &single);
	if (sets.len && (imap_select(im, o->args[1], !move, &e) < 0 ||
	    imap_copy(im, sets.data, o->args[3], move, &e) < 0))
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	return status;
}

static int
cmd_expunge(struct imap *im, const struct opts *o)
{
	struct buf sets = BUF_INIT;
	struct err e;
	int single, status = EX_OK;

	if (o->nargs < 2 || o->nargs > 3)
		diex(EX_USAGE, "usage: mimap expunge FOLDER [UIDS]");
	if (o->nargs == 3) {
		get_sets(o->args[2], &sets, &single);
		if (!sets.len) {
			imap_logout(im);
			return EX_OK;
		}
	}
	if (imap_select(im, o->args[1], 0, &e) < 0 ||
	    (sets.len ? imap_uid_expunge(im, sets.data, &e) :
	    imap_simple(im, NULL, &e, "EXPUNGE")) < 0)
		status = fail(im, &e);
	else
		imap_logout(im);
	buf_release(&sets);
	return status;
}

/* ---- append ---- */

/* Messages from stdin to imap_append.h, which spools and sends them. */
struct append_ctx {
	const struct opts *o;
	struct imap_appender *ap;
	struct err err;
	int failed;
	struct json j;
	struct buf jout;
	int tty;
	size_t reported;
};

static void
report(void *ctx, const struct imap_appended *m)
{
	struct append_ctx *a = ctx;

	a->reported++;
	if (a->o->json) {
		json_obj_begin(&a->j);
		if (m->uid) {
			json_key(&a->j, "uid");
			json_int(&a->j, (long long)m->uid);
			json_key(&a->j, "uidvalidity");
			json_int(&a->j, (long long)m->uidvalidity);
		}
		json_obj_end(&a->j);
	} else if (m->uid) {
		printf("%llu\n", m->uid);
	}
	if (a->tty)
		fprintf(stderr, "\rmimap: %zu appended", a->reported);
}

static void
a_begin(void *ctx, const struct msgsrc_msg *m)
{
	struct append_ctx *a = ctx;

	(void)m;
	if (!a->failed && imap_append_begin(a->ap, &a->err) < 0)
		a->failed = 1;
}

static void
a_data(void *ctx, const void *d, size_t n)
{
	struct append_ctx *a = ctx;

	if (!a->failed && imap_append_data(a->ap, d, n, &a->err) < 0)
		a->failed = 1;
}

static void
a_end(void *ctx, int complete)
{
	struct append_ctx *a = ctx;

	if (!a->failed && complete && imap_append_end(a->ap, &a->err) < 0)
		a->failed = 1;
}

static int
cmd_append(struct imap *im, const struct opts *o)
{
	struct append_ctx a;
	struct imap_append_opts ao;
	struct msgsrc src;
	struct msgsrc_sink sink = { NULL, a_begin, a_data, a_end, NULL };
	struct buf fl = BUF_INIT;
	struct err e;
	int status = EX_OK;

	if (o->nargs != 2)
		diex(EX_USAGE, "usage: mimap append FOLDER [--flags F] "
			"[--date D] < message");
	memset(&a, 0, sizeof a);
	a.o = o;
	a.tty = isatty(2) && !o->verbose;
	buf_init(&a.jout, 0);
	json_init(&a.j, &a.jout);
	if (o->flags) {
		const char *p = o->flags;

		buf_addch(&fl, '(');
		while (*p) {
			size_t n = strcspn(p, " ,");
			char *one = xmemdup(p, n);

			if (n)
				add_flag(&fl, one);
			free(one);
			p += n;
			while (*p == ' ' || *p == ',')
				p++;
		}
		buf_addch(&fl, ')');
	}
	if (o->date && (strpbrk(o->date, "\"\\\r\n") || strlen(o->date) > 40))
		diex(EX_USAGE, "--date: bad date \"%s\" (e.g. \"01-Nov-2026 "
			"10:00:00 +0000\")", o->date);
	memset(&ao, 0, sizeof ao);
	ao.folder = o->args[1];
	ao.flags = o->flags ? fl.data : NULL;
	ao.date = o->date;
	ao.fn = report;
	ao.ctx = &a;
	a.ap = imap_append_new(im, &ao, &e);
	if (!a.ap) {
		buf_release(&fl);
		return fail(im, &e);
	}
	if (o->json)
		json_arr_begin(&a.j);
	sink.ctx = &a;
	msgsrc_init(&src, &sink, 0);
	if (msgsrc_read_path(&src, "-", &e) < 0 && !a.failed) {
		a.err = e;
		a.failed = 1;
	}
	msgsrc_release(&src);
	if (!a.failed && imap_append_finish(a.ap, &a.err) < 0)
		a.failed = 1;
	if (a.tty && a.reported)
		fputc('\n', stderr);
	if (o->json) {
		json_arr_end(&a.j);
		printf("%s\n", a.jout.data);
	}
	if (a.failed) {
		size_t done = imap_append_done(a.ap),
			count = imap_append_count(a.ap);

		if (a.err.code == ERR_DATA || a.err.code == ERR_IO ||
		    a.err.code == ERR_NOINPUT) {
			print_err(&a.err);
			if (done < count)
				warnx_("%zu of %zu messages appended", done,
					count);
			status = exit_code(a.err.code);
			if (a.err.code == ERR_DATA &&
			    imap_append_pending(a.ap) == 0)
				imap_logout(im);
			else
				imap_free(im);
		} else {
			status = fail(im, &a.err);
		}
	} else {
		imap_logout(im);
	}
	imap_append_free(a.ap);
	buf_release(&a.jout);
	buf_release(&fl);
	return status;
}

/* ---- idle (cmd/mimap-idle.c) ---- */

static int
cmd_idle(const struct account *acc, struct transcript *ts,
	const struct opts *o)
{
	struct idle_opts io;
	char *end = NULL;
	long secs = 60;

	if (o->nargs < 2)
		diex(EX_USAGE, "usage: mimap idle FOLDER... [--exec CMD] "
			"[--json] [--interval SECONDS]");
	if (o->interval)
		secs = strtol(o->interval, &end, 10);
	if ((end && (*end || end == o->interval)) || secs < 1 ||
	    secs > 86400)
		diex(EX_USAGE, "--interval: seconds from 1 to 86400 expected, "
			"not \"%s\"", o->interval);
	memset(&io, 0, sizeof io);
	io.folders = o->args + 1;
	io.nfolders = o->nargs - 1;
	io.exec = o->exec;
	io.json = o->json;
	io.interval = (int)secs;
	return mimap_idle(acc, ts, &io);
}

/* ---- folders ---- */

static int
cmd_folders(struct imap *im, const struct opts *o, const char *verb)
{
	struct err e;
	size_t i;

	if (o->nargs < 2 || (!strcmp(verb, "RENAME") && o->nargs != 3))
		diex(EX_USAGE, "usage: mimap %s %s", o->args[0],
			strcmp(verb, "RENAME") ? "FOLDER..." : "OLD NEW");
	for (i = 1; i < o->nargs; i++) {
		unsigned long tag;

		imap_cmd_begin(im, "%s", verb);
		if (imap_cmd_mailbox(im, o->args[i], &e) < 0)
			return fail(im, &e);
		if (!strcmp(verb, "RENAME")) {
			if (imap_cmd_mailbox(im, o->args[++i], &e) < 0)
				return fail(im, &e);
		}
		tag = imap_cmd_end(im, &e);
		if (!tag || imap_flush(im, &e) < 0 ||
		    imap_wait(im, tag, NULL, &e) < 0) {
			err_prefix(&e, "folder \"%s\"", o->args[i]);
			return fail(im, &e);
		}
	}
	imap_logout(im);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct { const char *name, *verb; } folder_cmds[] = {
		{ "create", "CREATE" }, { "delete", "DELETE" },
		{ "rename", "RENAME" }, { "subscribe", "SUBSCRIBE" },
		{ "unsubscribe", "UNSUBSCRIBE" },
	};
	static const char *const known[] = { "list", "status", "search",
		"fetch", "flag", "copy", "move", "expunge", "append", "idle",
		"pull" };
	struct opts o;
	struct account *acc;
	struct transcript ts;
	struct imap *im;
	const char *cmd;
	size_t i;
	int status = -1, ok = 0;

	prog_init(argv[0]);
	memset(&o, 0, sizeof o);
	parse_args(&o, argc, argv);
	cmd = o.args[0];
	for (i = 0; i < ARRAY_SIZE(known); i++)
		ok |= !strcmp(cmd, known[i]);
	for (i = 0; i < ARRAY_SIZE(folder_cmds); i++)
		ok |= !strcmp(cmd, folder_cmds[i].name);
	if (!ok)
		diex(EX_USAGE, "unknown command \"%s\" (see mimap --help)",
			cmd);
	acc = load_account(&o);
	if (o.verbose)
		transcript_init_file(&ts, stderr, 0);
	if (!strcmp(cmd, "idle")) {
		status = cmd_idle(acc, o.verbose ? &ts : NULL, &o);
		goto done;
	}
	if (!strcmp(cmd, "pull")) {
		o.pull.maildir = o.maildir;
		status = mimap_pull(acc, &o.pull, o.args + 1, o.nargs - 1,
			o.json, isatty(2) && !o.verbose, o.verbose ? &ts :
			NULL, open_imap);
		goto done;
	}
	im = open_imap(acc, o.verbose ? &ts : NULL);
	if (!strcmp(cmd, "list"))
		status = cmd_list(im, &o);
	else if (!strcmp(cmd, "status"))
		status = cmd_status(im, &o);
	else if (!strcmp(cmd, "search"))
		status = cmd_search(im, &o);
	else if (!strcmp(cmd, "fetch"))
		status = cmd_fetch(im, &o);
	else if (!strcmp(cmd, "flag"))
		status = cmd_flag(im, &o);
	else if (!strcmp(cmd, "copy") || !strcmp(cmd, "move"))
		status = cmd_copy(im, &o, cmd[0] == 'm');
	else if (!strcmp(cmd, "expunge"))
		status = cmd_expunge(im, &o);
	else if (!strcmp(cmd, "append"))
		status = cmd_append(im, &o);
	for (i = 0; status < 0 && i < ARRAY_SIZE(folder_cmds); i++)
		if (!strcmp(cmd, folder_cmds[i].name))
			status = cmd_folders(im, &o, folder_cmds[i].verb);
done:
	if (o.verbose)
		transcript_release(&ts);
	account_free(acc);
	free(o.ov);
	free(o.args);
	return status;
}
