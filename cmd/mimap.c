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
#include "base/password.h"
#include "base/util.h"
#include "common.h"
#include "mimap-idle.h"
#include "mimap-pull.h"
#include "mimap.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap.h"
#include "proto/imap_ops.h"
#include "proto/imap_set.h"
#include "proto/netacct.h"

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
	longopt_help_version(&lo, "mimap", usage);
	val = lo.val;
#define IS(s) longopt_is(&lo, (s))
#define NEED() (val = longopt_value(&lo))
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
	struct netacct_opts no = { o->config, o->account, NULL, o->ov,
		o->nov, "imap" };

	return load_account_or_exit(&no);
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

int
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

void
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
