/* t_netacct: choosing the account of a network tool, its overrides, the
 * "no host" errors, and when a password is looked up. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/password.h"
#include "base/util.h"
#include "proto/netacct.h"
#include "tap.h"

static char dir[] = "/tmp/t_netacct.XXXXXX";
static char cfg[64];

static const char text[] =
	"account work\nhost smtp.work.example\nfrom joe@work.example\n"
	"user joe\npassword s3cret\n"
	"account home\nhost smtp.home.example\nfrom *@home.example\n"
	"account nohost\nfrom x@nohost.example\n"
	"account gss\nhost h\nuser joe\nauth gssapi\n"
	"account multi\nhost mail.example\npop3_host pop.example\n"
	"imap_host imap.example\nimap_tls_starttls off\nsmtp_port 2525\n"
	"user joe\npop3_user popjoe\nkeyring off\n"
	"account default : home\n";

static void
write_cfg(const char *path, const char *t)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(t, f);
	fclose(f);
	chmod(path, 0600);
}

/* Load with the options; "HOST" (with port: "HOST:PORT"), or
 * "ERR <code>: <msg>". */
static const char *
load_o(const struct netacct_opts *o, int port)
{
	static char res[512];
	struct config_warnings w = { NULL, 0 };
	struct account *a;
	struct err e;

	err_clear(&e);
	a = netacct_load(o, &w, &e);
	config_warnings_release(&w);
	if (!a)
		snprintf(res, sizeof res, "ERR %s: %s",
			err_code_name(e.code), e.msg);
	else if (port)
		snprintf(res, sizeof res, "%s:%d", a->host, a->port);
	else
		snprintf(res, sizeof res, "%s", a->host);
	account_free(a);
	return res;
}

/* load_o() for proto (NULL: smtp). */
static const char *
load_p(const char *config, const char *account, const char *proto,
	int port, const struct netacct_override *ov, size_t nov)
{
	struct netacct_opts o = { config, account, NULL, ov, nov, proto };

	return load_o(&o, port);
}

/* load_o() for msend: the host. */
static const char *
load(const char *config, const char *account, const char *from,
	const struct netacct_override *ov, size_t nov)
{
	struct netacct_opts o = { config, account, from, ov, nov, NULL };

	return load_o(&o, 0);
}

static void
test_load(void)
{
	static const struct netacct_override host[] = {
		{ "host", "cli.example" },
	};
	static const struct netacct_override bad[] = {
		{ "port", "x" },
	};
	static const struct netacct_override unknown[] = {
		{ "nonsense", "1" },
	};
	char want[256];

	tap_str(load(cfg, "work", NULL, NULL, 0), "smtp.work.example",
		"-a names the account");
	tap_str(load(cfg, NULL, NULL, NULL, 0), "smtp.home.example",
		"default account");
	tap_str(load(cfg, NULL, "JOE@work.example", NULL, 0),
		"smtp.work.example", "account chosen by from");
	tap_str(load(cfg, NULL, "ann@home.example", NULL, 0),
		"smtp.home.example", "account chosen by a from pattern");
	tap_str(load(cfg, NULL, "who@else.example", NULL, 0),
		"smtp.home.example", "unknown from: the default account");
	tap_str(load(cfg, "home", "joe@work.example", NULL, 0),
		"smtp.home.example", "-a wins over from");
	tap_str(load(cfg, "work", NULL, host, 1), "cli.example",
		"an override wins over the file");
	tap_str(load(cfg, "work", NULL, bad, 1), "ERR usage: port: invalid "
		"value \"x\" (expected a port number from 1 to 65535)",
		"a bad override is a usage error");
	tap_ok(strncmp(load(cfg, "work", NULL, unknown, 1), "ERR usage: ",
		11) == 0, "an unknown override key is a usage error");
	tap_ok(strncmp(load(cfg, "absent", NULL, NULL, 0), "ERR config: ",
		12) == 0, "unknown account: config error");
	snprintf(want, sizeof want, "ERR config: account \"nohost\" in %s "
		"has no host", cfg);
	tap_str(load(cfg, "nohost", NULL, NULL, 0), want,
		"account without host");
	/* No file at all: HOME and XDG point to an empty directory. */
	tap_str(load(NULL, NULL, NULL, NULL, 0), "ERR config: no "
		"configuration found and no --host given (see mkit-config(5))",
		"no file and no --host");
	tap_str(load(NULL, NULL, "a@b.example", host, 1), "cli.example",
		"no file, --host given");
}

/* One account for three protocols: each takes its prefixed keys, ignores
 * the others', and has its own default port. */
static void
test_proto(void)
{
	static const struct netacct_override pop_host[] = {
		{ "pop3_host", "cli-pop.example" },
	};
	static const struct netacct_override imap_host[] = {
		{ "imap_host", "cli-imap.example" },
	};
	static const struct netacct_override imap_bad[] = {
		{ "imap_port", "x" },
	};

	tap_str(load_p(cfg, "multi", NULL, 1, NULL, 0), "mail.example:2525",
		"smtp: bare host, smtp_port");
	tap_str(load_p(cfg, "multi", "smtp", 1, NULL, 0), "mail.example:2525",
		"\"smtp\" is the same");
	tap_str(load_p(cfg, "multi", "pop3", 1, NULL, 0), "pop.example:110",
		"pop3: pop3_host wins, smtp_port ignored, port 110");
	tap_str(load_p(cfg, "multi", "imap", 1, NULL, 0), "imap.example:993",
		"imap: imap_host, imap_tls_starttls off gives 993");
	tap_str(load_p(cfg, "home", "pop3", 1, NULL, 0),
		"smtp.home.example:110", "pop3 without prefixed keys: the bare "
		"host");
	tap_str(load_p(cfg, "multi", "pop3", 0, pop_host, 1),
		"cli-pop.example", "an override with the protocol's prefix "
		"applies");
	tap_str(load_p(cfg, "multi", "pop3", 0, imap_host, 1), "pop.example",
		"an override with another protocol's prefix is ignored");
	tap_str(load_p(cfg, "multi", "pop3", 0, imap_bad, 1), "ERR usage: "
		"imap_port: invalid value \"x\" (expected a port number from 1 "
		"to 65535)", "... but still checked");
	tap_str(load_p(cfg, "multi", "nntp", 0, NULL, 0), "ERR usage: "
		"unknown protocol \"nntp\"", "an unknown protocol");
	tap_str(load_p(NULL, NULL, "pop3", 1, pop_host, 1),
		"cli-pop.example:110", "no file: a fresh POP3 account, port "
		"110");
}

/* netacct_password() for the account called name; *pw as it returns. */
static int
password_of(const char *name, const char *user, char **pw, struct err *e)
{
	struct netacct_opts o = { cfg, name, NULL, NULL, 0, NULL };
	struct account *a = netacct_load(&o, NULL, e);
	int r;

	if (user) {
		account_set(a, "user", user, e);
		account_set(a, "keyring", "off", e);
	}
	*pw = (char *)"unset";
	err_clear(e);
	r = netacct_password(a, "smtp", NULL, pw, e);
	account_free(a);
	return r;
}

/* The password lookup uses the protocol's host and user (netrc here; the
 * keyring gets the same host, and the protocol as its service). */
static void
test_proto_password(void)
{
	static const struct {
		const char *proto;
		const char *want;
	} t[] = {
		{ "pop3", "popsecret" },
		{ "smtp", "smtpsecret" },
		{ "imap", "imapsecret" },
	};
	char netrc[96];
	size_t i;

	snprintf(netrc, sizeof netrc, "%s/netrc", dir);
	write_cfg(netrc, "machine pop.example login popjoe password popsecret\n"
		"machine mail.example login joe password smtpsecret\n"
		"machine imap.example login joe password imapsecret\n");
	setenv("NETRC", netrc, 1);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct netacct_opts o = { cfg, "multi", NULL, NULL, 0,
			t[i].proto };
		struct err e;
		struct account *a = netacct_load(&o, NULL, &e);
		char *pw = NULL;

		tap_ok(a && netacct_password(a, NULL, NULL, &pw, &e) == 0 &&
			pw && !strcmp(pw, t[i].want), "%s: the password of "
			"its host and user", t[i].proto);
		password_free(pw);
		account_free(a);
	}
	setenv("NETRC", "/nonexistent", 1);
	unlink(netrc);
}

/* The keyring is asked with the protocol's host, user and service (a
 * stand-in secret-tool answers with what it was asked). */
static void
test_proto_keyring(void)
{
	static const struct netacct_override on[] = { { "keyring", "on" } };
	static const struct {
		const char *proto;
		const char *want;
	} t[] = {
		{ "pop3", "pop.example pop3 popjoe" },
		{ "smtp", "mail.example smtp joe" },
		{ "imap", "imap.example imap joe" },
	};
	char bin[96], tool[128];
	const char *path = getenv("PATH");
	char *old = xstrdup(path ? path : "/usr/bin:/bin");
	struct buf p = BUF_INIT;
	size_t i;

	snprintf(bin, sizeof bin, "%s/bin", dir);
	snprintf(tool, sizeof tool, "%s/secret-tool", bin);
	mkdir(bin, 0700);
	write_cfg(tool, "#!/bin/sh\necho \"$3 $5 $7\"\n");
	chmod(tool, 0700);
	buf_addf(&p, "%s:%s", bin, old);
	setenv("PATH", p.data, 1);
	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", 1);
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct netacct_opts o = { cfg, "multi", NULL, on, 1,
			t[i].proto };
		struct err e;
		struct account *a;
		char *pw = NULL;

		err_clear(&e);
		a = netacct_load(&o, NULL, &e);
		tap_ok(a && netacct_password(a, NULL, NULL, &pw, &e) == 0 &&
			pw && !strcmp(pw, t[i].want), "%s: keyring lookup "
			"\"%s\"", t[i].proto, pw ? pw : e.msg);
		password_free(pw);
		account_free(a);
	}
	setenv("PATH", old, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unlink(tool);
	rmdir(bin);
	free(old);
	buf_release(&p);
}

static void
test_password(void)
{
	struct err e;
	char *pw;

	tap_int(password_of("work", NULL, &pw, &e), 0,
		"password of an account with auth");
	tap_str(pw, "s3cret", "... from the config");
	password_free(pw);
	tap_int(password_of("home", NULL, &pw, &e), 0, "no auth: no lookup");
	tap_ok(pw == NULL, "... and no password");
	tap_int(password_of("gss", NULL, &pw, &e), 0, "GSSAPI: no lookup");
	tap_ok(pw == NULL, "... and no password");
	tap_int(password_of("home", "nobody", &pw, &e), -1,
		"no password anywhere: error");
	tap_int(e.code, ERR_CONFIG, "... ERR_CONFIG");
	tap_ok(pw == NULL, "... no password");
}

/* The shared connection options: every key is its name with '-' made
 * '_', and a name is matched whole, never by a prefix. */
static void
test_longopts(void)
{
	static const struct {
		const char *arg;	/* as after "--", "=VALUE" left out */
		const char *key;	/* NULL: not a connection option */
		int flag;
	} t[] = {
		{ "host", "host", 0 },
		{ "tls", "tls", 1 },
		{ "tls-starttls", "tls_starttls", 1 },
		{ "tls-min-version", "tls_min_version", 0 },
		{ "auth", "auth", 1 },
		{ "allow-plaintext-auth", "allow_plaintext_auth", 1 },
		{ "proxy-port", "proxy_port", 0 },
		{ "tl", NULL, 0 },
		{ "hostx", NULL, 0 },
		{ "dsn-notify", NULL, 0 },
		{ "", NULL, 0 },
	};
	const struct netacct_longopt *lo;
	size_t i, n = 0;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		lo = netacct_longopt_find(netacct_longopts, t[i].arg,
			strlen(t[i].arg));
		if (!t[i].key)
			tap_ok(lo == NULL, "--%s is no connection option",
				t[i].arg);
		else
			tap_ok(lo && strcmp(lo->key, t[i].key) == 0 &&
				lo->flag == t[i].flag, "--%s sets %s", t[i].arg,
				t[i].key);
	}
	lo = netacct_longopt_find(netacct_longopts, "port=25", 4);
	tap_ok(lo && strcmp(lo->key, "port") == 0, "the length bounds the name");
	for (lo = netacct_longopts; lo->name; lo++) {
		const char *a = lo->name, *k = lo->key;

		while (*a && (*a == *k || (*a == '-' && *k == '_'))) {
			a++;
			k++;
		}
		if (*a || *k)
			break;
		n++;
	}
	tap_ok(!lo->name && n == 19, "all 19 keys are their names (%zu)", n);
}

int
main(void)
{
	char empty[96];

	if (!mkdtemp(dir))
		return 99;
	snprintf(cfg, sizeof cfg, "%s/config", dir);
	snprintf(empty, sizeof empty, "%s/home", dir);
	mkdir(empty, 0700);
	setenv("HOME", empty, 1);
	setenv("XDG_CONFIG_HOME", empty, 1);
	setenv("NETRC", "/nonexistent", 1);
	unsetenv("MKIT_CONFIG");
	write_cfg(cfg, text);
	test_load();
	test_proto();
	test_proto_password();
	test_proto_keyring();
	test_password();
	test_longopts();
	unlink(cfg);
	rmdir(empty);
	rmdir(dir);
	return tap_done();
}
