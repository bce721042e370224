/*
 * t_config: the configuration file (conf.h) and password sources
 * (password.h) as a user relies on them: every key, inheritance, syntax,
 * includes, exact error messages, the msmtprc fallback, the order of
 * password sources and the permission checks.
 *
 * Runs in a private HOME and XDG_CONFIG_HOME under $TMPDIR; messages show
 * that HOME as "~".
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/password.h"
#include "tap.h"
#include "base/util.h"

static char home[4096];
static char cfgdir[4200];
static char cfgfile[4300];

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static char *
path_in_home(const char *rel)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s", home, rel);
	return buf_detach(&b, NULL);
}

static void
rm_rf(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Write the mkit config (0600) and load it. */
static struct config *
load_text(const char *text, struct config_warnings *w, struct err *e)
{
	write_file(cfgfile, text, 0600);
	return config_load(NULL, CONFIG_FALLBACK_MSMTP, w, e);
}

/* Load text and resolve account name (NULL: default). */
static struct account *
account_from(const char *text, const char *name, struct err *e)
{
	struct config *cfg = load_text(text, NULL, e);
	struct account *a;

	if (!cfg)
		return NULL;
	a = config_account(cfg, name, e);
	config_free(cfg);
	return a;
}

/* A field of an account as text, for table comparisons. */
static const char *
show(const struct account *a, const char *field)
{
	static char num[64];
	const char *s = NULL;
	long n = 0;
	int is_num = 1;

#define S(f) else if (strcmp(field, #f) == 0) { s = a->f; is_num = 0; }
#define N(f) else if (strcmp(field, #f) == 0) n = (long)a->f;
	if (0) {
	}
	S(host) N(port) N(tls) N(tls_starttls) S(tls_trust_file)
	S(tls_fingerprint) S(tls_cert_file) S(tls_key_file) N(tls_certcheck)
	N(tls_min_version) N(timeout) N(connect_timeout) S(proxy_host)
	N(proxy_port) N(auth) S(auth_method) S(user) S(password)
	S(passwordeval) N(allow_plaintext_auth) N(keyring) S(from) S(domain)
	N(dsn_notify) N(dsn_return) N(set_from_header) N(set_date_header)
	N(set_msgid_header) N(remove_bcc_headers) N(undisclosed_recipients)
	S(aliases) S(logfile) N(syslog) S(syslog_facility) S(name)
	N(delivery) S(delivery_arg) N(keep) N(only_new) N(killsize)
	N(skipsize) S(uidls_file) N(received_header) N(pipelining) N(proto)
	else if (strcmp(field, "fp0") == 0)
		n = a->tls_fingerprint_sha256[0];
	else if (strcmp(field, "fp31") == 0)
		n = a->tls_fingerprint_sha256[31];
	else
		return "(no such field)";
#undef S
#undef N
	if (!is_num)
		return s ? s : "(null)";
	snprintf(num, sizeof(num), "%ld", n);
	return num;
}

struct key_case {
	const char *lines;	/* after "account a\n" */
	const char *field;
	const char *want;	/* "@HOME" is replaced by the test HOME */
};

#define FP32 "AB:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:" \
	"10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:CD"

static const struct key_case key_cases[] = {
	{ "host smtp.example.org\n", "host", "smtp.example.org" },
	{ "host h\nport 2525\n", "port", "2525" },
	/* port defaults follow tls and tls_starttls */
	{ "host h\n", "port", "587" },
	{ "host h\ntls off\n", "port", "25" },
	{ "host h\ntls on\ntls_starttls off\n", "port", "465" },
	{ "host h\ntls off\nport 26\n", "port", "26" },
	{ "host h\nport \n", "port", "587" },
	{ "host h\n", "tls", "1" },
	{ "host h\ntls off\n", "tls", "0" },
	{ "host h\ntls\n", "tls", "1" },
	{ "host h\n", "tls_starttls", "1" },
	{ "host h\ntls_starttls off\n", "tls_starttls", "0" },
	{ "host h\n", "tls_trust_file", "(null)" },
	{ "host h\ntls_trust_file system\n", "tls_trust_file", "(null)" },
	{ "host h\ntls_trust_file ~/ca.pem\n", "tls_trust_file",
		"@HOME/ca.pem" },
	{ "host h\ntls_fingerprint " FP32 "\n", "tls_fingerprint", FP32 },
	{ "host h\ntls_fingerprint " FP32 "\n", "fp0", "171" },
	{ "host h\ntls_fingerprint " FP32 "\n", "fp31", "205" },
	{ "host h\ntls_cert_file ~/c.pem\ntls_key_file ~/k.pem\n",
		"tls_cert_file", "@HOME/c.pem" },
	{ "host h\ntls_cert_file ~/c.pem\ntls_key_file ~/k.pem\n",
		"tls_key_file", "@HOME/k.pem" },
	{ "host h\n", "tls_certcheck", "1" },
	{ "host h\ntls_certcheck off\n", "tls_certcheck", "0" },
	{ "host h\ntls_certcheck no\n", "tls_certcheck", "0" },
	{ "host h\ntls_certcheck false\n", "tls_certcheck", "0" },
	{ "host h\ntls_certcheck 0\n", "tls_certcheck", "0" },
	{ "host h\ntls_certcheck off\ntls_certcheck yes\n", "tls_certcheck",
		"1" },
	{ "host h\ntls_certcheck off\ntls_certcheck TRUE\n", "tls_certcheck",
		"1" },
	{ "host h\ntls_certcheck off\ntls_certcheck 1\n", "tls_certcheck",
		"1" },
	{ "host h\n", "tls_min_version", "0" },
	{ "host h\ntls_min_version 1.3\n", "tls_min_version", "1" },
	{ "host h\ntls_min_version TLSv1.2\n", "tls_min_version", "0" },
	{ "host h\n", "timeout", "60" },
	{ "host h\ntimeout 15\n", "timeout", "15" },
	{ "host h\ntimeout off\n", "timeout", "0" },
	{ "host h\n", "connect_timeout", "30" },
	{ "host h\nconnect_timeout 5\n", "connect_timeout", "5" },
	{ "host h\n", "proxy_host", "(null)" },
	{ "host h\n", "proxy_port", "0" },
	{ "host h\nproxy_host 127.0.0.1\n", "proxy_port", "1080" },
	{ "host h\nproxy_host p\nproxy_port 9050\n", "proxy_port", "9050" },
	{ "host h\nproxy_host p\n", "proxy_host", "p" },
	{ "host h\n", "auth", "0" },
	{ "host h\nuser u\n", "auth", "1" },
	{ "host h\nuser u\nauth off\n", "auth", "0" },
	{ "host h\nauth on\n", "auth", "1" },
	{ "host h\nauth on\n", "auth_method", "(null)" },
	{ "host h\nauth scram-sha-256\n", "auth_method", "SCRAM-SHA-256" },
	{ "host h\nauth xoauth2\n", "auth_method", "XOAUTH2" },
	{ "host h\nauth OAUTHBEARER\n", "auth", "1" },
	{ "host h\nauth plain\nauth on\n", "auth_method", "(null)" },
	{ "host h\nuser alice\n", "user", "alice" },
	{ "host h\nuser alice\nuser\n", "user", "(null)" },
	{ "host h\npassword s3cret\n", "password", "s3cret" },
	{ "host h\npasswordeval pass show mail\n", "passwordeval",
		"pass show mail" },
	{ "host h\n", "allow_plaintext_auth", "0" },
	{ "host h\nallow_plaintext_auth on\n", "allow_plaintext_auth", "1" },
	{ "host h\n", "keyring", "1" },
	{ "host h\nkeyring off\n", "keyring", "0" },
	{ "host h\nkeyring off\nkeyring on\n", "keyring", "1" },
	{ "host h\nfrom me@example.org\n", "from", "me@example.org" },
	{ "host h\nfrom *@example.org\n", "from", "*@example.org" },
	{ "host h\ndomain mx.example.org\n", "domain", "mx.example.org" },
	{ "host h\n", "dsn_notify", "0" },
	{ "host h\ndsn_notify never\n", "dsn_notify", "1" },
	{ "host h\ndsn_notify success,delay\n", "dsn_notify", "10" },
	{ "host h\ndsn_notify FAILURE\n", "dsn_notify", "4" },
	{ "host h\ndsn_notify failure\ndsn_notify off\n", "dsn_notify", "0" },
	{ "host h\n", "dsn_return", "0" },
	{ "host h\ndsn_return headers\n", "dsn_return", "1" },
	{ "host h\ndsn_return full\n", "dsn_return", "2" },
	{ "host h\n", "set_from_header", "0" },
	{ "host h\nset_from_header on\n", "set_from_header", "1" },
	{ "host h\nset_from_header off\n", "set_from_header", "2" },
	{ "host h\nset_from_header off\nset_from_header auto\n",
		"set_from_header", "0" },
	{ "host h\nadd_missing_from_header off\n", "set_from_header", "2" },
	{ "host h\n", "set_date_header", "0" },
	{ "host h\nset_date_header off\n", "set_date_header", "2" },
	{ "host h\nadd_missing_date_header off\n", "set_date_header", "2" },
	{ "host h\n", "set_msgid_header", "0" },
	{ "host h\nset_msgid_header off\n", "set_msgid_header", "2" },
	{ "host h\n", "remove_bcc_headers", "1" },
	{ "host h\nremove_bcc_headers off\n", "remove_bcc_headers", "0" },
	{ "host h\n", "undisclosed_recipients", "0" },
	{ "host h\nundisclosed_recipients on\n", "undisclosed_recipients",
		"1" },
	{ "host h\naliases ~/aliases\n", "aliases", "@HOME/aliases" },
	{ "host h\nlogfile ~/mail.log\n", "logfile", "@HOME/mail.log" },
	{ "host h\nlogfile -\n", "logfile", "-" },
	{ "host h\n", "syslog", "0" },
	{ "host h\nsyslog on\n", "syslog_facility", "LOG_USER" },
	{ "host h\nsyslog LOG_LOCAL3\n", "syslog_facility", "LOG_LOCAL3" },
	{ "host h\nsyslog LOG_MAIL\n", "syslog", "1" },
	{ "host h\nsyslog on\nsyslog off\n", "syslog_facility", "(null)" },

	/* syntax: quotes, escapes, comments, variables, "~" */
	{ "host h\nfrom \"a b # c\"\n", "from", "a b # c" },
	{ "host h\nfrom a # a comment\n", "from", "a" },
	{ "host h\nfrom a#b\n", "from", "a#b" },
	{ "host h\npassword \"x\\\"y\\\\z\"\n", "password", "x\"y\\z" },
	{ "host h\npassword \"  padded  \"\n", "password", "  padded  " },
	{ "host h\nfrom   spaced   \t\n", "from", "spaced" },
	{ "host h\nfrom ${T_CONF_VAR}@x\n", "from", "val@x" },
	{ "host h\nfrom $T_CONF_VAR.x\n", "from", "val.x" },
	{ "host h\nfrom \"${T_CONF_VAR} q\"\n", "from", "val q" },
	{ "host h\npassword \"\\$T_CONF_VAR\"\n", "password", "$T_CONF_VAR" },
	{ "host h\npassword a$5\n", "password", "a$5" },
	{ "host h\nfrom ${T_CONF_EMPTY}x\n", "from", "x" },
	{ "host h\nfrom ~x\n", "from", "~x" },
	{ "host h\npasswordeval cat ~/pw\n", "passwordeval", "cat ~/pw" },
	{ "host h\npasswordeval ~/bin/pw\n", "passwordeval", "@HOME/bin/pw" },
	{ "host h\r\nfrom crlf@x\r\n", "from", "crlf@x" },
	{ "\n# comment\n   # indented comment\n\nhost h\n\t\n", "host", "h" },
	{ "  host   indented  \n", "host", "indented" },
	/* mpop's keys */
	{ "host h\n", "delivery", "0" },
	{ "host h\n", "delivery_arg", "(null)" },
	{ "host h\ndelivery maildir ~/Mail\n", "delivery", "1" },
	{ "host h\ndelivery maildir ~/Mail\n", "delivery_arg", "@HOME/Mail" },
	{ "host h\ndelivery mbox \"~/my mbox\"\n", "delivery_arg",
	  "@HOME/my mbox" },
	{ "host h\ndelivery MBOX,/var/mail/joe\n", "delivery", "2" },
	{ "host h\ndelivery mbox,/var/mail/joe\n", "delivery_arg",
	  "/var/mail/joe" },
	{ "host h\ndelivery mda /usr/bin/procmail -f '%F' -d joe\n", "delivery",
	  "3" },
	{ "host h\ndelivery mda /usr/bin/procmail -f '%F' -d joe\n",
	  "delivery_arg", "/usr/bin/procmail -f '%F' -d joe" },
	{ "host h\ndelivery mda ~/bin/filter\n", "delivery_arg",
	  "~/bin/filter" },
	{ "host h\ndelivery maildir /m\ndelivery\n", "delivery", "0" },
	{ "host h\n", "keep", "0" },
	{ "host h\nkeep\n", "keep", "1" },
	{ "host h\nkeep on\n", "keep", "1" },
	{ "host h\n", "only_new", "1" },
	{ "host h\nonly_new off\n", "only_new", "0" },
	{ "host h\n", "killsize", "-1" },
	{ "host h\nkillsize 0\n", "killsize", "0" },
	{ "host h\nkillsize 100k\n", "killsize", "102400" },
	{ "host h\nkillsize 2m\n", "killsize", "2097152" },
	{ "host h\nkillsize 2m\nkillsize off\n", "killsize", "-1" },
	{ "host h\n", "skipsize", "-1" },
	{ "host h\nskipsize 12345\n", "skipsize", "12345" },
	{ "host h\n", "uidls_file", "(null)" },
	{ "host h\nuidls_file ~/.mpop_uidls/%U_at_%H\n", "uidls_file",
	  "@HOME/.mpop_uidls/%U_at_%H" },
	{ "host h\n", "received_header", "1" },
	{ "host h\nreceived_header off\n", "received_header", "0" },
	{ "host h\n", "pipelining", "0" },
	{ "host h\npipelining on\n", "pipelining", "1" },
	{ "host h\npipelining off\n", "pipelining", "2" },
	{ "host h\npipelining auto\n", "pipelining", "0" },
	{ "host h\nauth user\n", "auth_method", "USER" },
	{ "host h\nauth apop\n", "auth_method", "APOP" },
	/* prefixed server keys: SMTP's apply to msend, the others not */
	{ "host h\nsmtp_host s\n", "host", "s" },
	{ "host h\npop3_host p\nimap_host i\n", "host", "h" },
	{ "host h\nsmtp_port 2525\npop3_port 1\n", "port", "2525" },
	{ "host h\npop3_tls off\n", "port", "587" },
	{ "host h\nsmtp_tls off\n", "port", "25" },
	{ "host h\nuser u\nsmtp_user s\npop3_user p\n", "user", "s" },
	{ "host h\npop3_password secret\n", "password", "(null)" },
	{ "host h\nsmtp_auth plain\n", "auth_method", "PLAIN" },
};

static void
test_keys(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(key_cases); i++) {
		const struct key_case *c = &key_cases[i];
		struct buf text = BUF_INIT, want = BUF_INIT, name = BUF_INIT;
		struct account *a;
		struct err e;
		const char *at;

		err_clear(&e);
		buf_addf(&text, "account a\n%s", c->lines);
		if ((at = strstr(c->want, "@HOME"))) {
			buf_add(&want, c->want, (size_t)(at - c->want));
			buf_addf(&want, "%s%s", home, at + 5);
		} else {
			buf_addstr(&want, c->want);
		}
		buf_addf(&name, "key %s from %.*s", c->field,
			(int)strcspn(c->lines + (strncmp(c->lines, "host h\n",
			7) == 0 ? 7 : 0), "\n"), c->lines +
			(strncmp(c->lines, "host h\n", 7) == 0 ? 7 : 0));
		a = account_from(text.data, "a", &e);
		if (!a) {
			tap_ok(0, "%s", name.data);
			printf("#   error: %s\n", e.msg);
		} else {
			tap_str(show(a, c->field), want.data, name.data);
		}
		account_free(a);
		buf_release(&text);
		buf_release(&want);
		buf_release(&name);
	}
}

static void
test_domain_default(void)
{
	struct err e;
	struct account *a;

	err_clear(&e);
	a = account_from("account a\nhost h\n", "a", &e);
	tap_ok(a && a->domain && a->domain[0] && !strchr(a->domain, ' '),
		"domain defaults to this machine's name");
	account_free(a);
	a = account_new(NULL);
	tap_ok(a->domain && a->domain[0], "account_new fills domain");
	account_free(a);
}

/* Inheritance. */
struct inherit_case {
	const char *text;
	const char *account;	/* NULL: default account */
	const char *field;
	const char *want;
};

static const struct inherit_case inherit_cases[] = {
	{ "defaults\nport 2525\naccount a\nhost h\n", "a", "port", "2525" },
	{ "defaults\nport 2525\naccount a\nhost h\nport 26\n", "a", "port",
		"26" },
	/* defaults apply only to accounts below them */
	{ "account a\nhost h\ndefaults\nport 2525\naccount b\nhost h\n", "a",
		"port", "587" },
	{ "account a\nhost h\ndefaults\nport 2525\naccount b\nhost h\n", "b",
		"port", "2525" },
	/* parents in order, after defaults, before own lines */
	{ "defaults\nfrom d@x\nuser du\naccount p1\nhost h1\nuser u1\n"
	  "account p2\nhost h2\ntimeout 7\n"
	  "account c : p1, p2\n", "c", "host", "h2" },
	/* p2 holds the defaults' user too (as in msmtp), and comes last */
	{ "defaults\nfrom d@x\nuser du\naccount p1\nhost h1\nuser u1\n"
	  "account p2\nhost h2\ntimeout 7\n"
	  "account c : p1, p2\n", "c", "user", "du" },
	{ "account p1\nhost h1\nuser u1\naccount p2\nhost h2\n"
	  "account c : p1, p2\n", "c", "user", "u1" },
	{ "account p1\nhost h1\nuser u1\naccount p2\nhost h2\n"
	  "account c : p2,p1\n", "c", "host", "h1" },
	{ "defaults\nfrom d@x\nuser du\naccount p1\nhost h1\nuser u1\n"
	  "account p2\nhost h2\ntimeout 7\n"
	  "account c : p1, p2\n", "c", "timeout", "7" },
	{ "defaults\nfrom d@x\nuser du\naccount p1\nhost h1\nuser u1\n"
	  "account p2\nhost h2\ntimeout 7\n"
	  "account c : p1, p2\n", "c", "from", "d@x" },
	{ "account p\nhost h\nfrom p@x\naccount c : p\nfrom\n", "c", "from",
		"(null)" },
	/* derived defaults follow the inherited tls */
	{ "account p\nhost h\ntls off\naccount c : p\n", "c", "port", "25" },
	{ "account p\nhost h\nport 99\naccount c : p\ntls off\n", "c", "port",
		"99" },
	/* account default : x */
	{ "account a\nhost ha\naccount b\nhost hb\naccount default : b\n",
		NULL, "host", "hb" },
	{ "account a\nhost ha\naccount b\nhost hb\naccount default : b\n",
		NULL, "name", "default" },
	{ "account only\nhost h1\n", NULL, "name", "only" },
	/* keys before any section are defaults */
	{ "port 2600\naccount a\nhost h\n", "a", "port", "2600" },
	{ "account a\nhost h\nport 1\ndefaults\nport 2\naccount a2 : a\n",
		"a2", "port", "1" },
};

static void
test_inheritance(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(inherit_cases); i++) {
		const struct inherit_case *c = &inherit_cases[i];
		struct account *a;
		struct err e;

		err_clear(&e);
		a = account_from(c->text, c->account, &e);
		if (!a) {
			tap_ok(0, "inherit %zu: %s", i, c->field);
			printf("#   error: %s\n", e.msg);
			continue;
		}
		tap_str(show(a, c->field), c->want, "inheritance case");
		account_free(a);
	}
}

/* Exact error messages. */
struct err_case {
	const char *text;
	const char *account;	/* resolved after loading, if load worked */
	const char *want;
};

#define CF "~/.config/mkit/config"

static const struct err_case err_cases[] = {
	/* protocol prefixes and mpop's keys */
	{ "account a\npop3_port x\n", "a",
	  CF ":2: pop3_port: invalid value \"x\" (expected a port number "
	  "from 1 to 65535)" },
	{ "account a\npop3_delivery maildir /m\n", "a",
	  CF ":2: unknown key \"pop3_delivery\"" },
	{ "account a\nnntp_host x\n", "a",
	  CF ":2: unknown key \"nntp_host\"" },
	{ "account a\nPOP3_host x\n", "a",
	  CF ":2: unknown key \"POP3_host\"" },
	{ "account a\ndelivery pipe x\n", "a",
	  CF ":2: delivery: invalid value \"pipe x\" (expected maildir DIR, "
	  "mbox FILE or mda COMMAND)" },
	{ "account a\ndelivery maildir\n", "a",
	  CF ":2: delivery: \"maildir\" needs a directory" },
	{ "account a\ndelivery mda,\n", "a",
	  CF ":2: delivery: \"mda\" needs a command" },
	{ "account a\nkillsize 10g\n", "a",
	  CF ":2: killsize: invalid value \"10g\" (expected off or a size in "
	  "bytes, or with k or m)" },
	{ "account a\nskipsize -1\n", "a",
	  CF ":2: skipsize: invalid value \"-1\" (expected off or a size in "
	  "bytes, or with k or m)" },
	{ "account a\npipelining maybe\n", "a",
	  CF ":2: pipelining: invalid value \"maybe\" (expected auto, on or "
	  "off)" },
	{ "account a\nkeep sometimes\n", "a",
	  CF ":2: keep: invalid value \"sometimes\" (expected on or off)" },
	{ "account a\nhots x\n", "a",
	  CF ":2: unknown key \"hots\" (did you mean \"host\"?)" },
	{ "account a\nhost h\ntls_startls on\n", "a",
	  CF ":3: unknown key \"tls_startls\" (did you mean "
	  "\"tls_starttls\"?)" },
	{ "acount a\n", "a",
	  CF ":1: unknown key \"acount\" (did you mean \"account\"?)" },
	{ "account a\nzzzzzzzz 1\n", "a", CF ":2: unknown key \"zzzzzzzz\"" },
	{ "account a\nport 0\n", "a",
	  CF ":2: port: invalid value \"0\" (expected a port number from 1 to "
	  "65535)" },
	{ "account a\nport 65536\n", "a",
	  CF ":2: port: invalid value \"65536\" (expected a port number from "
	  "1 to 65535)" },
	{ "account a\nport 25x\n", "a",
	  CF ":2: port: invalid value \"25x\" (expected a port number from 1 "
	  "to 65535)" },
	{ "account a\ntls maybe\n", "a",
	  CF ":2: tls: invalid value \"maybe\" (expected on or off)" },
	{ "account a\nkeyring never\n", "a",
	  CF ":2: keyring: invalid value \"never\" (expected on or off)" },
	{ "account a\ntimeout soon\n", "a",
	  CF ":2: timeout: invalid value \"soon\" (expected seconds or off)" },
	{ "account a\nauth magic\n", "a",
	  CF ":2: auth: invalid value \"magic\" (expected on, off or a method: "
	  "plain, login, cram-md5, digest-md5, scram-sha-1, scram-sha-256, "
	  "external, gssapi, ntlm, xoauth2, oauthbearer, and for POP3 user, "
	  "apop)" },
	{ "account a\ntls_min_version 1.1\n", "a",
	  CF ":2: tls_min_version: invalid value \"1.1\" (expected 1.2 or "
	  "1.3)" },
	{ "account a\ndsn_notify success,sometimes\n", "a",
	  CF ":2: dsn_notify: invalid value \"success,sometimes\" (expected "
	  "off, never, or a comma-separated list of success, failure, "
	  "delay)" },
	{ "account a\ndsn_return body\n", "a",
	  CF ":2: dsn_return: invalid value \"body\" (expected off, headers or "
	  "full)" },
	{ "account a\nset_date_header on\n", "a",
	  CF ":2: set_date_header: invalid value \"on\" (expected auto or "
	  "off)" },
	{ "account a\nsyslog LOG_KERN\n", "a",
	  CF ":2: syslog: invalid value \"LOG_KERN\" (expected on, off, or a "
	  "facility LOG_USER, LOG_MAIL, LOG_LOCAL0 to LOG_LOCAL7)" },
	{ "account a\ntls_fingerprint 00:11:22:33:44:55:66:77:88:99:AA:BB:"
	  "CC:DD:EE:FF:00:11:22:33\n", "a",
	  CF ":2: tls_fingerprint: SHA-1 fingerprints are not supported; use "
	  "the SHA-256 fingerprint (openssl x509 -noout -fingerprint "
	  "-sha256)" },
	{ "account a\ntls_fingerprint zz\n", "a",
	  CF ":2: tls_fingerprint: invalid value \"zz\" (expected a SHA-256 "
	  "fingerprint as hex pairs separated by colons)" },
	{ "account a\nhost ${T_CONF_UNDEFINED}\n", "a",
	  CF ":2: host: undefined variable \"T_CONF_UNDEFINED\"" },
	{ "account a\nhost ${T_CONF_VAR\n", "a",
	  CF ":2: host: unterminated \"${\"" },
	{ "account a\nfrom \"open\n", "a",
	  CF ":2: from: unterminated quote" },
	{ "defaults x\n", NULL, CF ":1: defaults: takes no value" },
	{ "account a\nhost h\naccount a\n", "a",
	  CF ":3: account \"a\" is already defined at " CF ":1" },
	{ "account b : nope\n", "b",
	  CF ":1: account \"b\": no account \"nope\" defined above to inherit "
	  "from" },
	{ "account\n", NULL, CF ":1: account: invalid name \"\"" },
	{ "account a\nhost h\n", "x", "no account \"x\" in " CF },
	{ "account a\nhost h\naccount b\nhost h\n", NULL,
	  "no default account in " CF " (add \"account default : NAME\" or "
	  "choose one)" },
	{ "account a\nhost h\ntls_trust_file /nonexistent/ca.pem\n", "a",
	  CF ":3: tls_trust_file: \"/nonexistent/ca.pem\": No such file or "
	  "directory" },
	{ "account a\nhost h\ntls_cert_file /etc/hostname\n", "a",
	  CF ":1: account \"a\": tls_cert_file and tls_key_file must be set "
	  "together" },
	{ "account a\nhost h\naliases ~/no-aliases\n", "a",
	  CF ":3: aliases: \"@HOME/no-aliases\": No such file or directory" },
	{ "include missing.conf\n", NULL,
	  CF ":1: ~/.config/mkit/missing.conf: No such file or directory" },
};

static void
test_errors(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		struct config *cfg;
		struct account *a = NULL;
		struct buf want = BUF_INIT;
		struct err e;
		const char *at;

		err_clear(&e);
		cfg = load_text(c->text, NULL, &e);
		if (cfg)
			a = config_account(cfg, c->account, &e);
		if ((at = strstr(c->want, "@HOME"))) {
			buf_add(&want, c->want, (size_t)(at - c->want));
			buf_addf(&want, "%s%s", home, at + 5);
		} else {
			buf_addstr(&want, c->want);
		}
		tap_ok(!a && e.code == ERR_CONFIG, "error case %zu is "
			"ERR_CONFIG", i);
		tap_str(e.msg, want.data, "error message");
		account_free(a);
		config_free(cfg);
		buf_release(&want);
	}
}

static void
test_long_line(void)
{
	struct buf text = BUF_INIT;
	struct account *a;
	struct err e;
	size_t i, n = 1u << 20;

	buf_addstr(&text, "account a\nhost h\npasswordeval echo ");
	for (i = 0; i < n; i++)
		buf_addch(&text, 'a' + (char)(i % 26));
	buf_addstr(&text, "\nuser after\n");
	err_clear(&e);
	a = account_from(text.data, "a", &e);
	tap_ok(a && strlen(a->passwordeval) == n + 5,
		"1 MB value read whole");
	tap_ok(a && a->passwordeval[n + 4] == 'a' + (char)((n - 1) % 26),
		"1 MB value ends right");
	tap_str(a ? a->user : NULL, "after", "line after the long one");
	account_free(a);
	buf_release(&text);
}

static void
test_include(void)
{
	struct config *cfg;
	struct config_warnings w = { NULL, 0 };
	struct account *a;
	struct err e;
	char *inc = path_in_home(".config/mkit/inc");
	char *d = path_in_home(".config/mkit/conf.d");
	char *p;

	mkdir(inc, 0700);
	mkdir(d, 0700);
	p = path_in_home(".config/mkit/inc/a.conf");
	write_file(p, "include b.conf\naccount viaa\nhost ha\n", 0600);
	free(p);
	p = path_in_home(".config/mkit/inc/b.conf");
	write_file(p, "account viab\nhost hb\n", 0600);
	free(p);
	p = path_in_home(".config/mkit/conf.d/1.conf");
	write_file(p, "account g1\nhost g1\n", 0600);
	free(p);
	p = path_in_home(".config/mkit/conf.d/2.conf");
	write_file(p, "account g2 : g1\nport 2\n", 0600);
	free(p);

	err_clear(&e);
	cfg = load_text("defaults\nport 2525\ninclude inc/a.conf\n"
		"include conf.d/*.conf\naccount last : viab\n", &w, &e);
	tap_ok(cfg != NULL, "include relative to the including file");
	if (cfg) {
		a = config_account(cfg, "viab", &e);
		tap_str(a ? a->host : NULL, "hb", "nested include read");
		tap_int(a ? a->port : 0, 2525, "defaults reach included "
			"accounts");
		account_free(a);
		a = config_account(cfg, "g2", &e);
		tap_str(a ? a->host : NULL, "g1", "glob include, in order");
		account_free(a);
		a = config_account(cfg, "last", &e);
		tap_str(a ? a->host : NULL, "hb", "inherit across files");
		account_free(a);
		tap_int((long long)config_account_count(cfg), 5,
			"all accounts listed");
		tap_str(config_account_name(cfg, 0), "viab", "first account");
	} else {
		printf("#   %s\n", e.msg);
	}
	config_free(cfg);

	/* cycle a -> b -> a */
	p = path_in_home(".config/mkit/inc/b.conf");
	write_file(p, "account viab\nhost hb\ninclude a.conf\n", 0600);
	free(p);
	err_clear(&e);
	cfg = load_text("include inc/a.conf\n", &w, &e);
	tap_ok(!cfg && e.code == ERR_CONFIG, "include cycle refused");
	tap_str(e.msg, "~/.config/mkit/inc/b.conf:3: include cycle: "
		"~/.config/mkit/inc/a.conf is already being read",
		"include cycle message");
	config_free(cfg);

	/* self include */
	err_clear(&e);
	cfg = load_text("include config\n", &w, &e);
	tap_str(e.msg, CF ":1: include cycle: " CF " is already being read",
		"self include refused");
	config_free(cfg);

	/* error inside an included file names that file once */
	p = path_in_home(".config/mkit/inc/b.conf");
	write_file(p, "account viab\nhots hb\n", 0600);
	free(p);
	err_clear(&e);
	cfg = load_text("include inc/b.conf\n", &w, &e);
	tap_str(e.msg, "~/.config/mkit/inc/b.conf:2: unknown key \"hots\" "
		"(did you mean \"host\"?)", "error in included file");
	config_free(cfg);
	config_warnings_release(&w);
	free(inc);
	free(d);
}

static void
test_fallback(void)
{
	struct config *cfg;
	struct config_warnings w = { NULL, 0 };
	struct account *a;
	struct err e;
	char *msmtprc = path_in_home(".msmtprc");
	char *xdgdir = path_in_home(".config/msmtp");
	char *xdgmsmtp = path_in_home(".config/msmtp/config");
	char *other = path_in_home("other.conf");

	unlink(cfgfile);
	write_file(msmtprc,
		"# msmtp syntax\n"
		"defaults\n"
		"tls_crl_file /x/crl.pem\n"
		"logfile ~/msmtp.log\n"
		"account work\n"
		"host mail.example.com\n"
		"user joe\n"
		"password pa$$word # not a comment\n"
		"passwordeval \"gpg -d ~/p\"\n"
		"from joe@example.com\n"
		"tls_priorities NORMAL\n"
		"account default : work\n", 0600);
	err_clear(&e);
	cfg = config_load(NULL, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_ok(cfg != NULL, "~/.msmtprc read when there is no mkit config");
	if (!cfg) {
		printf("#   %s\n", e.msg);
		goto out;
	}
	tap_str(config_path(cfg), "~/.msmtprc", "config_path names it");
	tap_int(config_flavor(cfg), CONFIG_FLAVOR_MSMTP, "msmtp flavor");
	a = config_account(cfg, NULL, &e);
	tap_str(a ? a->password : NULL, "pa$$word # not a comment",
		"msmtp syntax: no variables, whole-line comments only");
	tap_str(a ? a->passwordeval : NULL, "gpg -d ~/p",
		"msmtp syntax: quotes stripped, ~ kept in commands");
	{
		char *log = path_in_home("msmtp.log");

		tap_str(a ? a->logfile : NULL, log, "~ expanded in file names");
		free(log);
	}
	tap_int(a ? a->tls : -1, 1, "unset tls gets mkit's secure default");
	tap_int(a ? a->port : -1, 587, "... and the submission port");
	account_free(a);
	tap_int((long long)w.count, 3, "three warnings");
	tap_str(w.count > 0 ? w.msg[0] : NULL, "~/.msmtprc:3: \"tls_crl_file\" "
		"is not supported by mkit; ignored", "warning names file:line");
	tap_str(w.count > 1 ? w.msg[1] : NULL, "~/.msmtprc:11: "
		"\"tls_priorities\" is not supported by mkit; ignored (use "
		"tls_min_version)", "tls_priorities warning");
	tap_str(w.count > 2 ? w.msg[2] : NULL, "~/.msmtprc:5: account \"work\" "
		"does not set tls: mkit uses TLS (STARTTLS, port 587 unless "
		"set) where msmtp would not; add \"tls off\" for a server "
		"without TLS", "unset tls in an msmtprc: warned");
	config_free(cfg);
	config_warnings_release(&w);

	/* without the fallback flag nothing is found */
	err_clear(&e);
	cfg = config_load(NULL, 0, &w, &e);
	tap_ok(cfg && config_path(cfg) == NULL, "no fallback without the flag");
	a = cfg ? config_account(cfg, NULL, &e) : NULL;
	tap_str(e.msg, "no configuration file (looked for "
		"~/.config/mkit/config)", "no file: message");
	account_free(a);
	config_free(cfg);

	/* $XDG_CONFIG_HOME/msmtp/config second */
	unlink(msmtprc);
	mkdir(xdgdir, 0700);
	write_file(xdgmsmtp, "account x\nhost xdg.example\n", 0600);
	err_clear(&e);
	cfg = config_load(NULL, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, "~/.config/msmtp/config",
		"XDG msmtp config used");
	config_free(cfg);

	/* the mkit config wins over msmtp's */
	write_file(cfgfile, "account m\nhost mkit.example\n", 0600);
	cfg = config_load(NULL, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, CF, "mkit config first");
	tap_int(cfg ? config_flavor(cfg) : 0, CONFIG_FLAVOR_MKIT,
		"mkit flavor");
	config_free(cfg);

	/* MKIT_CONFIG, then the caller's path */
	write_file(other, "account o\nhost other.example\n", 0600);
	setenv("MKIT_CONFIG", other, 1);
	cfg = config_load(NULL, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, "~/other.conf",
		"MKIT_CONFIG names the file");
	config_free(cfg);
	cfg = config_load(cfgfile, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, CF, "--config beats "
		"MKIT_CONFIG");
	config_free(cfg);
	unsetenv("MKIT_CONFIG");
	err_clear(&e);
	cfg = config_load("/nonexistent/mkit.conf", 0, &w, &e);
	tap_ok(!cfg && e.code == ERR_CONFIG, "a named missing file is an "
		"error");
	tap_str(e.msg, "/nonexistent/mkit.conf: No such file or directory",
		"missing file message");
	unlink(xdgmsmtp);
	unlink(other);
out:
	config_warnings_release(&w);
	free(msmtprc);
	free(xdgdir);
	free(xdgmsmtp);
	free(other);
}

struct mode_case {
	const char *text;
	mode_t mode;
	int ok;
};

static const struct mode_case mode_cases[] = {
	{ "account a\nhost h\npassword x\n", 0600, 1 },
	{ "account a\nhost h\npassword x\n", 0400, 1 },
	{ "account a\nhost h\npassword x\n", 0644, 0 },
	{ "account a\nhost h\npassword x\n", 0640, 0 },
	{ "account a\nhost h\npassword x\n", 0604, 0 },
	{ "account a\nhost h\npasswordeval echo x\n", 0644, 1 },
	{ "account a\nhost h\npassword\n", 0644, 1 },
};

static void
test_modes(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_cases); i++) {
		const struct mode_case *c = &mode_cases[i];
		struct config *cfg;
		struct err e;

		err_clear(&e);
		write_file(cfgfile, c->text, c->mode);
		cfg = config_load(NULL, 0, NULL, &e);
		tap_ok((cfg != NULL) == c->ok, "config mode %04o %s",
			(unsigned)c->mode, c->ok ? "accepted" : "refused");
		if (!c->ok)
			tap_str(e.msg, CF ": readable by others and holds a "
				"password; run: chmod 600 " CF,
				"mode refusal message");
		config_free(cfg);
	}
	/* an included file is checked on its own */
	{
		char *p = path_in_home(".config/mkit/secret.conf");
		struct config *cfg;
		struct err e;

		write_file(p, "password x\n", 0644);
		write_file(cfgfile, "account a\nhost h\ninclude secret.conf\n",
			0644);
		err_clear(&e);
		cfg = config_load(NULL, 0, NULL, &e);
		tap_str(e.msg, "~/.config/mkit/secret.conf: readable by others "
			"and holds a password; run: chmod 600 "
			"~/.config/mkit/secret.conf", "included file checked");
		config_free(cfg);
		unlink(p);
		free(p);
	}
}

/* password_get with fd 2 captured; returns the secret or NULL. */
static char *
get_captured(const struct account *a, unsigned flags, struct err *e,
	char *errout, size_t errsz)
{
	char *tmp = path_in_home("stderr.txt");
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600), saved;
	char *s;
	ssize_t n;

	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	s = password_get(a, flags, e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, errout, errsz - 1);
	errout[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(tmp);
	free(tmp);
	return s;
}

struct eval_case {
	const char *cmd;
	const char *want;	/* secret, or NULL for failure */
	const char *msg;	/* error message on failure */
	const char *stderr_want;
};

static const struct eval_case eval_cases[] = {
	{ "echo secret; echo second", "secret", NULL, "" },
	{ "printf 'tok\\r\\n'", "tok", NULL, "" },
	{ "printf 'no-newline'", "no-newline", NULL, "" },
	{ "printf '  spaced  \\n'", "  spaced  ", NULL, "" },
	{ "read x; echo \"got:$x\"", "got:", NULL, "" },
	{ "echo oops >&2; exit 3", NULL,
	  "account \"a\": passwordeval exited with status 3", "oops\n" },
	{ "true", NULL, "account \"a\": passwordeval printed nothing", "" },
	{ "kill -9 $$", NULL, "account \"a\": passwordeval killed by signal 9",
	  "" },
};

static void
test_passwordeval(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];
		struct account *a = account_new("a");
		struct err e;
		char errout[256], *s;

		err_clear(&e);
		account_set(a, "host", "smtp.example.org", &e);
		account_set(a, "passwordeval", c->cmd, &e);
		s = get_captured(a, PASSWORD_NO_PROMPT, &e, errout,
			sizeof(errout));
		tap_str(s, c->want, c->cmd);
		if (!c->want) {
			tap_int(e.code, ERR_CONFIG, "passwordeval failure is "
				"ERR_CONFIG");
			tap_str(e.msg, c->msg, "passwordeval failure message");
		}
		tap_str(errout, c->stderr_want, "passwordeval stderr passed "
			"through");
		password_free(s);
		account_free(a);
	}
}

static const char netrc_text[] =
	"# a comment line\n"
	"machine other.example login alice password wrong\n"
	"machine smtp.example.org login alice password alicepw\n"
	"machine smtp.example.org\n"
	"\tlogin bob\n"
	"\tpassword \"bob pw\"\n"
	"macdef init\n"
	"machine smtp.example.org login carol password macro\n"
	"cd /x\n"
	"\n"
	"machine smtp.example.org login erin password erinpw port 587\n"
	"default login dave password dflt\n";

struct netrc_case {
	const char *host, *user;
	int rc;
	const char *password, *login;
};

static const struct netrc_case netrc_cases[] = {
	{ "smtp.example.org", "alice", 1, "alicepw", "alice" },
	{ "SMTP.Example.ORG", "bob", 1, "bob pw", "bob" },
	{ "smtp.example.org", "erin", 1, "erinpw", "erin" },
	{ "smtp.example.org", NULL, 1, "alicepw", "alice" },
	{ "smtp.example.org", "carol", 0, NULL, NULL },	/* macdef body */
	{ "unknown.example", "dave", 1, "dflt", "dave" },
	{ "unknown.example", NULL, 1, "dflt", "dave" },
	{ "smtp.example.org", "dave", 1, "dflt", "dave" },
	{ "unknown.example", "zed", 0, NULL, NULL },
};

static void
test_netrc(void)
{
	char *netrc = path_in_home(".netrc");
	char *alt = path_in_home("alt-netrc");
	size_t i;
	struct err e;
	char *pw, *login;
	int rc;

	write_file(netrc, netrc_text, 0600);
	for (i = 0; i < ARRAY_SIZE(netrc_cases); i++) {
		const struct netrc_case *c = &netrc_cases[i];

		err_clear(&e);
		rc = netrc_lookup(NULL, c->host, c->user, &login, &pw, &e);
		tap_int(rc, c->rc, "netrc lookup rc");
		tap_str(pw, c->password, "netrc password");
		tap_str(login, c->login, "netrc login");
		password_free(pw);
		free(login);
	}

	/* through password_get, after config sources */
	{
		struct account *a = account_new("a");
		char *s;

		account_set(a, "host", "smtp.example.org", &e);
		account_set(a, "user", "bob", &e);
		s = password_get(a, PASSWORD_NO_PROMPT, &e);
		tap_str(s, "bob pw", "password_get falls back to netrc");
		password_free(s);
		account_set(a, "passwordeval", "echo fromeval", &e);
		s = password_get(a, PASSWORD_NO_PROMPT, &e);
		tap_str(s, "fromeval", "passwordeval before netrc");
		password_free(s);
		account_set(a, "password", "fromconfig", &e);
		s = password_get(a, PASSWORD_NO_PROMPT, &e);
		tap_str(s, "fromconfig", "password before passwordeval");
		password_free(s);

		/* $NETRC */
		write_file(alt, "machine smtp.example.org login bob password "
			"altpw\n", 0600);
		setenv("NETRC", alt, 1);
		account_set(a, "password", "", &e);
		account_set(a, "passwordeval", "", &e);
		s = password_get(a, PASSWORD_NO_PROMPT, &e);
		tap_str(s, "altpw", "$NETRC names the netrc");
		password_free(s);
		unsetenv("NETRC");
		account_free(a);
	}

	/* permissions */
	chmod(netrc, 0644);
	err_clear(&e);
	rc = netrc_lookup(NULL, "smtp.example.org", "alice", &login, &pw, &e);
	tap_ok(rc == -1 && e.code == ERR_CONFIG, "world-readable netrc with a "
		"password refused");
	tap_str(e.msg, "~/.netrc: readable by others and holds a password; "
		"run: chmod 600 ~/.netrc", "netrc mode message");
	chmod(netrc, 0640);
	rc = netrc_lookup(NULL, "smtp.example.org", "alice", &login, &pw, &e);
	tap_int(rc, -1, "group-readable netrc refused");
	write_file(netrc, "machine smtp.example.org login alice\n", 0644);
	rc = netrc_lookup(NULL, "smtp.example.org", "alice", &login, &pw, &e);
	tap_int(rc, 0, "readable netrc without passwords is fine");
	unlink(netrc);
	rc = netrc_lookup(NULL, "smtp.example.org", "alice", &login, &pw, &e);
	tap_int(rc, 0, "missing netrc: nothing found");
	unlink(alt);
	free(netrc);
	free(alt);
}

/* No source and no terminal: run in a new session (no controlling tty). */
static void
test_no_tty(void)
{
	int fds[2];
	pid_t pid;
	char msg[600];
	ssize_t n;
	struct account *a = account_new("a");
	struct err e;
	char *s;

	account_set(a, "host", "smtp.example.org", &e);
	account_set(a, "user", "alice", &e);
	err_clear(&e);
	s = password_get(a, PASSWORD_NO_PROMPT, &e);
	tap_ok(!s && e.code == ERR_CONFIG, "no source, no prompt: ERR_CONFIG");
	tap_str(e.msg, "no password for alice@smtp.example.org (set password "
		"or passwordeval, store it with secret-tool, or use ~/.netrc)",
		"no password message");

	if (pipe(fds) != 0) {
		tap_ok(0, "pipe");
		account_free(a);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct err ce;
		char *cs;

		close(fds[0]);
		setsid();
		err_clear(&ce);
		cs = password_get(a, 0, &ce);
		if (cs)
			(void)!write(fds[1], "GOT", 3);
		else
			(void)!write(fds[1], ce.msg, strlen(ce.msg));
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
	tap_str(msg, "no password for alice@smtp.example.org (set password or "
		"passwordeval, store it with secret-tool, or use ~/.netrc)",
		"without a terminal: no prompt, an error");
	account_free(a);
}

/* Read from fd into out (appending) until want appears or 5 s pass. */
static int
read_until(int fd, struct buf *out, const char *want)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char chunk[256];
	ssize_t n;

	while (!out->data || !strstr(out->data, want)) {
		if (poll(&pfd, 1, 5000) <= 0)
			return -1;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return -1;
		buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

/* The prompt, on a pseudo-terminal that is the child's controlling tty. */
static void
test_prompt(void)
{
	struct buf screen = BUF_INIT, got = BUF_INIT;
	struct account *a = account_new("a");
	struct err e;
	int master, fds[2];
	pid_t pid;
	char *slave;

	account_set(a, "host", "smtp.example.org", &e);
	account_set(a, "user", "alice", &e);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    !(slave = ptsname(master)) || pipe(fds) != 0) {
		tap_ok(0, "pseudo-terminal for the prompt test");
		account_free(a);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct err ce;
		char *cs;
		int fd;

		close(master);
		close(fds[0]);
		setsid();
		fd = open(slave, O_RDWR);	/* becomes the controlling tty */
		if (fd < 0)
			_exit(1);
		ioctl(fd, TIOCSCTTY, 0);
		err_clear(&ce);
		cs = password_get(a, 0, &ce);
		(void)!write(fds[1], cs ? cs : ce.msg, strlen(cs ? cs : ce.msg));
		_exit(0);
	}
	close(fds[1]);
	tap_ok(read_until(master, &screen, "password for "
		"alice@smtp.example.org: ") == 0, "prompt shown on the terminal");
	(void)!write(master, "typed secret\n", 13);
	read_until(fds[0], &got, "\xff");	/* to EOF */
	tap_str(got.data, "typed secret", "password read from the terminal");
	read_until(master, &screen, "\n");
	tap_ok(!strstr(screen.data, "typed"), "no echo while typing");
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(master);
	buf_release(&screen);
	buf_release(&got);
	account_free(a);
}

static void
test_format(void)
{
	struct account *a;
	struct buf out = BUF_INIT;
	struct err e;

	err_clear(&e);
	a = account_from("account a\nhost h\nuser u\npassword hush\n"
		"dsn_notify failure,delay\ntimeout off\n", "a", &e);
	if (!a) {
		tap_ok(0, "format: %s", e.msg);
		return;
	}
	account_format(a, &out);
	tap_ok(strstr(out.data, "host = h\n") != NULL, "format: host");
	tap_ok(strstr(out.data, "port = 587\n") != NULL, "format: port");
	tap_ok(strstr(out.data, "password = *\n") != NULL &&
		!strstr(out.data, "hush"), "format: password hidden");
	tap_ok(strstr(out.data, "dsn_notify = failure,delay\n") != NULL,
		"format: dsn_notify");
	tap_ok(strstr(out.data, "timeout = off\n") != NULL, "format: timeout");
	tap_ok(strstr(out.data, "tls_trust_file = system\n") != NULL,
		"format: trust file");
	tap_ok(strstr(out.data, "from = (not set)\n") != NULL,
		"format: unset key");
	buf_release(&out);
	account_free(a);
}

static void
test_wipe(void)
{
	char buf[32];
	size_t i;
	int zero = 1;
	char *s;

	memset(buf, 'x', sizeof(buf));
	secure_wipe(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	tap_ok(zero, "secure_wipe zeroes the bytes");
	s = xstrdup("secret");
	password_free(s);
	password_free(NULL);
	tap_ok(1, "password_free handles a secret and NULL");
}

struct from_case {
	const char *from;
	const char *want;	/* account name, or NULL */
};

static const struct from_case from_cases[] = {
	{ "joe@work.example", "work" },
	{ "JOE@Work.Example", "work" },
	{ "anyone@work.example", "catchall" },
	{ "x@home.example", "home" },
	{ "x@elsewhere.example", NULL },
};

static void
test_for_from(void)
{
	struct config *cfg;
	struct err e;
	size_t i;

	err_clear(&e);
	cfg = load_text("account catchall\nhost h\nfrom *@work.example\n"
		"account work\nhost h\nfrom joe@work.example\n"
		"account home\nhost h\nfrom x@home.example\n", NULL, &e);
	if (!cfg) {
		tap_ok(0, "load for from: %s", e.msg);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(from_cases); i++) {
		struct account *a;

		err_clear(&e);
		a = config_account_for_from(cfg, from_cases[i].from, &e);
		tap_str(a ? a->name : NULL, from_cases[i].want,
			from_cases[i].from);
		account_free(a);
	}
	tap_str(e.msg, "no account for from address \"x@elsewhere.example\" "
		"in " CF, "no match message");
	config_free(cfg);
}

static void
test_account_set(void)
{
	struct account *a = account_new("cli"), *b;
	struct err e;

	err_clear(&e);
	tap_int(a->port, 587, "account_new: submission port");
	tap_int(a->tls, 1, "account_new: tls on");
	tap_ok(a->host == NULL, "account_new: no host");
	account_set(a, "tls", "off", &e);
	tap_int(a->port, 25, "tls off moves the default port");
	account_set(a, "port", "2525", &e);
	account_set(a, "tls", "on", &e);
	tap_int(a->port, 2525, "explicit port stays");
	tap_ok(account_is_set(a, "port") && !account_is_set(a, "host"),
		"account_is_set");
	tap_int(account_set(a, "port", "x", &e), -1, "bad value refused");
	tap_str(e.msg, "port: invalid value \"x\" (expected a port number "
		"from 1 to 65535)", "bad value message has no location");
	tap_int(account_set(a, "hots", "x", &e), -1, "unknown key refused");
	tap_int(a->port, 2525, "failed set changes nothing");
	account_set(a, "auth", "plain", &e);
	account_set(a, "syslog", "LOG_MAIL", &e);
	tap_int(account_set(a, "auth", "magic", &e), -1, "bad auth refused");
	tap_int(account_set(a, "syslog", "LOG_KERN", &e), -1,
		"bad syslog refused");
	tap_str(a->auth_method, "PLAIN", "failed auth set keeps the method");
	tap_str(a->syslog_facility, "LOG_MAIL", "failed syslog set keeps the "
		"facility");
	account_set(a, "password", "pw", &e);
	b = account_dup(a);
	account_free(a);
	tap_str(b->password, "pw", "account_dup deep copy");
	tap_str(b->name, "cli", "account_dup name");
	account_free(b);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char *d, *p;

	snprintf(home, sizeof(home), "%s/t_config.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(home)) {
		perror("mkdtemp");
		exit(99);
	}
	setenv("HOME", home, 1);
	d = path_in_home(".config");
	mkdir(d, 0700);
	setenv("XDG_CONFIG_HOME", d, 1);
	snprintf(cfgdir, sizeof(cfgdir), "%s/mkit", d);
	mkdir(cfgdir, 0700);
	snprintf(cfgfile, sizeof(cfgfile), "%s/config", cfgdir);
	free(d);
	unsetenv("MKIT_CONFIG");
	unsetenv("NETRC");
	setenv("T_CONF_VAR", "val", 1);
	setenv("T_CONF_EMPTY", "", 1);
	unsetenv("T_CONF_UNDEFINED");
	/* files the key table names */
	p = path_in_home("ca.pem");
	write_file(p, "x", 0600);
	free(p);
	p = path_in_home("c.pem");
	write_file(p, "x", 0600);
	free(p);
	p = path_in_home("k.pem");
	write_file(p, "x", 0600);
	free(p);
	p = path_in_home("aliases");
	write_file(p, "x: y\n", 0600);
	free(p);
}

/* One account, several protocols: each resolves its prefixed keys. */
struct proto_case {
	const char *text;
	enum account_proto proto;
	const char *field;
	const char *want;
};

static const struct proto_case proto_cases[] = {
	{ "account a\nhost mail.example\npop3_host pop.example\n",
	  ACCOUNT_PROTO_POP3, "host", "pop.example" },
	{ "account a\nhost mail.example\npop3_host pop.example\n",
	  ACCOUNT_PROTO_IMAP, "host", "mail.example" },
	{ "account a\nhost mail.example\npop3_host pop.example\n",
	  ACCOUNT_PROTO_SMTP, "host", "mail.example" },
	/* the prefixed key wins wherever it is written */
	{ "account a\npop3_host p\nhost h\n", ACCOUNT_PROTO_POP3, "host",
	  "p" },
	/* default ports per protocol */
	{ "account a\nhost h\n", ACCOUNT_PROTO_POP3, "port", "110" },
	{ "account a\nhost h\ntls_starttls off\n", ACCOUNT_PROTO_POP3,
	  "port", "995" },
	{ "account a\nhost h\ntls off\n", ACCOUNT_PROTO_POP3, "port",
	  "110" },
	{ "account a\nhost h\npop3_tls_starttls off\n", ACCOUNT_PROTO_POP3,
	  "port", "995" },
	{ "account a\nhost h\npop3_tls_starttls off\n", ACCOUNT_PROTO_SMTP,
	  "port", "587" },
	{ "account a\nhost h\n", ACCOUNT_PROTO_IMAP, "port", "143" },
	{ "account a\nhost h\nimap_tls_starttls off\n", ACCOUNT_PROTO_IMAP,
	  "port", "993" },
	{ "account a\nhost h\nport 2000\npop3_port 3000\n",
	  ACCOUNT_PROTO_POP3, "port", "3000" },
	{ "account a\nhost h\nport 2000\npop3_port 3000\n",
	  ACCOUNT_PROTO_IMAP, "port", "2000" },
	{ "account a\nhost h\n", ACCOUNT_PROTO_POP3, "proto", "1" },
	/* credentials per protocol */
	{ "account a\nhost h\nuser joe\npop3_user joe.pop\n",
	  ACCOUNT_PROTO_POP3, "user", "joe.pop" },
	{ "account a\nhost h\npasswordeval pass smtp\n"
	  "pop3_passwordeval pass pop\n", ACCOUNT_PROTO_POP3, "passwordeval",
	  "pass pop" },
	{ "account a\nhost h\nauth plain\npop3_auth user\n",
	  ACCOUNT_PROTO_POP3, "auth_method", "USER" },
	{ "account a\nhost h\nauth plain\npop3_auth user\n",
	  ACCOUNT_PROTO_SMTP, "auth_method", "PLAIN" },
	/* inherited through defaults and parents, and overridden there */
	{ "defaults\npop3_host dp\naccount a\nhost h\n", ACCOUNT_PROTO_POP3,
	  "host", "dp" },
	{ "account base\nhost h\npop3_host bp\naccount a : base\n",
	  ACCOUNT_PROTO_POP3, "host", "bp" },
	{ "account base\nhost h\npop3_host bp\naccount a : base\n"
	  "pop3_host ap\n", ACCOUNT_PROTO_POP3, "host", "ap" },
	/* mpop's keys apply whatever the protocol */
	{ "account a\nhost h\nkeep on\n", ACCOUNT_PROTO_POP3, "keep", "1" },
};

static void
test_proto(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_cases); i++) {
		const struct proto_case *c = &proto_cases[i];
		struct config *cfg;
		struct account *a = NULL;
		struct err e;

		err_clear(&e);
		cfg = load_text(c->text, NULL, &e);
		if (cfg)
			a = config_account_proto(cfg, "a", c->proto, &e);
		tap_str(a ? show(a, c->field) : e.msg, c->want, c->text);
		account_free(a);
		config_free(cfg);
	}
	{
		struct account *a = account_new_proto(NULL, ACCOUNT_PROTO_POP3);
		struct err e;

		tap_int(a->port, 110, "account_new_proto: POP3's port");
		account_set(a, "tls_starttls", "off", &e);
		tap_int(a->port, 995, "... 995 for implicit TLS");
		tap_int(account_set(a, "pop3_port", "1995", &e), 0,
			"account_set with the own prefix");
		tap_int(a->port, 1995, "... applies");
		tap_ok(account_is_set(a, "port") &&
			account_is_set(a, "pop3_port") &&
			!account_is_set(a, "imap_port"), "account_is_set sees it "
			"under both names");
		tap_int(account_set(a, "smtp_port", "25", &e), 0,
			"account_set with another protocol's prefix");
		tap_int(a->port, 1995, "... ignored");
		tap_str(account_proto_name(a->proto), "pop3", "proto name");
		tap_int(account_proto_find("IMAP"), ACCOUNT_PROTO_IMAP,
			"account_proto_find");
		tap_int(account_proto_find("nntp"), -1, "... unknown");
		account_free(a);
	}
}

/* An ~/.mpoprc as mpop users write it, read for POP3 when there is no
 * mkit config; msend never reads it. */
static void
test_mpoprc(void)
{
	struct config *cfg;
	struct config_warnings w = { NULL, 0 };
	struct account *a;
	struct err e;
	char *mpoprc = path_in_home(".mpoprc");
	char *mail = path_in_home("Mail");
	char *uidls = path_in_home(".mpop_uidls/%U_at_%H");
	char *xdgdir = path_in_home(".config/mpop");
	char *xdgmpop = path_in_home(".config/mpop/config");
	struct buf out = BUF_INIT;

	unlink(cfgfile);
	write_file(mpoprc,
		"# ~/.mpoprc\n"
		"defaults\n"
		"tls on\n"
		"tls_starttls on\n"
		"tls_trust_file system\n"
		"delivery maildir ~/Mail\n"
		"keep on\n"
		"uidls_file ~/.mpop_uidls/%U_at_%H\n"
		"\n"
		"account work\n"
		"host pop.work.example\n"
		"user joe\n"
		"auth user\n"
		"passwordeval \"gpg -q -d ~/.mpop-pw.gpg\"\n"
		"only_new off\n"
		"killsize 10m\n"
		"filter /usr/bin/spamfilter\n"
		"\n"
		"account home : work\n"
		"host pop.home.example\n"
		"delivery mda /usr/bin/procmail -f '%F' -d $USER\n"
		"keep off\n"
		"\n"
		"account default : work\n", 0600);
	err_clear(&e);
	cfg = config_load(NULL, CONFIG_FALLBACK_MSMTP, &w, &e);
	tap_ok(cfg && !config_path(cfg), "msend's search does not read "
		"~/.mpoprc");
	config_free(cfg);
	config_warnings_release(&w);
	cfg = config_load(NULL, CONFIG_FALLBACK_MPOP, &w, &e);
	tap_ok(cfg != NULL, "~/.mpoprc read for POP3 (%s)", cfg ? "" : e.msg);
	if (!cfg)
		goto out;
	tap_str(config_path(cfg), "~/.mpoprc", "config_path names it");
	tap_int(config_flavor(cfg), CONFIG_FLAVOR_MPOP, "mpop flavor");
	a = config_account_proto(cfg, NULL, ACCOUNT_PROTO_POP3, &e);
	tap_ok(a != NULL, "the default account");
	if (a) {
		tap_str(a->host, "pop.work.example", "host");
		tap_int(a->port, 110, "POP3's port with STARTTLS");
		tap_ok(a->tls && a->tls_starttls && !a->tls_trust_file, "tls");
		tap_str(a->user, "joe", "user");
		tap_str(a->auth_method, "USER", "auth user");
		tap_str(a->passwordeval, "gpg -q -d ~/.mpop-pw.gpg",
			"passwordeval as written (quotes off, ~ for the shell)");
		tap_int(a->delivery, ACCOUNT_DELIVERY_MAILDIR,
			"delivery maildir");
		tap_str(a->delivery_arg, mail, "... ~/Mail expanded");
		tap_ok(a->keep && !a->only_new && a->killsize == 10 << 20 &&
			a->skipsize == -1 && a->received_header,
			"keep, only_new, killsize, skipsize, received_header");
		tap_str(a->uidls_file, uidls, "uidls_file, %U %H kept");
		account_format(a, &out);
		tap_ok(strstr(out.data, "delivery = maildir ") &&
			strstr(out.data, "killsize = 10485760\n") &&
			strstr(out.data, "skipsize = off\n") &&
			strstr(out.data, "pipelining = auto\n") &&
			strstr(out.data, "keep = on\n"), "account_format shows "
			"mpop's keys");
	}
	account_free(a);
	a = config_account_proto(cfg, "home", ACCOUNT_PROTO_POP3, &e);
	tap_ok(a && a->delivery == ACCOUNT_DELIVERY_MDA && !strcmp(
		a->delivery_arg, "/usr/bin/procmail -f '%F' -d $USER") &&
		!a->keep && !strcmp(a->host, "pop.home.example"),
		"inherited account: delivery mda as written, keep off");
	account_free(a);
	tap_int((long long)w.count, 1, "one warning");
	tap_str(w.count ? w.msg[0] : NULL, "~/.mpoprc:17: \"filter\" is not "
		"supported by mkit; ignored (mkit's mpop has no header filter: "
		"every message is fetched)", "mpop's filter: warned");
	config_free(cfg);
	config_warnings_release(&w);

	/* $XDG_CONFIG_HOME/mpop/config second, a mkit config first */
	unlink(mpoprc);
	mkdir(xdgdir, 0700);
	write_file(xdgmpop, "account x\nhost xdg.example\n", 0600);
	cfg = config_load(NULL, CONFIG_FALLBACK_MPOP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, "~/.config/mpop/config",
		"XDG mpop config used");
	config_free(cfg);
	write_file(cfgfile, "account m\nhost mkit.example\n", 0600);
	cfg = config_load(NULL, CONFIG_FALLBACK_MPOP, &w, &e);
	tap_str(cfg ? config_path(cfg) : NULL, "~/.config/mkit/config",
		"the mkit config first");
	config_free(cfg);
	unlink(cfgfile);
	unlink(xdgmpop);
	rmdir(xdgdir);
out:
	config_warnings_release(&w);
	buf_release(&out);
	free(mpoprc);
	free(mail);
	free(uidls);
	free(xdgdir);
	free(xdgmpop);
}

int
main(void)
{
	setup();
	test_keys();
	test_domain_default();
	test_inheritance();
	test_errors();
	test_long_line();
	test_include();
	test_fallback();
	test_proto();
	test_mpoprc();
	test_modes();
	test_passwordeval();
	test_netrc();
	test_no_tty();
	test_prompt();
	test_format();
	test_wipe();
	unlink(cfgfile);
	test_for_from();
	test_account_set();
	rm_rf(home);
	return tap_done();
}
