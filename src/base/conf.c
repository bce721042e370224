/*
 * conf.c: the mkit configuration file (see conf.h and mkit-config(5)).
 *
 * A file is read whole (capped), split into lines, and each line is either
 * a directive (defaults, account, include) or "key value" applied to the
 * current section. Keys are table-driven: each names a parser and the
 * struct account fields it fills, so inheritance is "copy the fields of
 * every key the parent set". Defaults that depend on other keys are filled
 * in only when an account is handed out (config_account).
 *
 * Adding a key: add the field to struct account (only ever add), an enum
 * key_index entry, a row in keys[] naming its parser and field(s) (KF_SERVER
 * when it describes the server and may take a protocol prefix), its
 * default in account_defaults() if it has one, a line in account_format(),
 * and a row in tests/unit/t_config.c.
 *
 * Protocol prefixes: "pop3_host" is the key "host" stored in the section's
 * POP3 overlay (struct entry's px[]), a second account whose set bits say
 * which keys it holds. Inheritance copies the overlays as it copies the
 * bare keys; resolving an account for a protocol lays that protocol's
 * overlay over the bare keys.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/util.h"

#define CONFIG_FILE_MAX (64u << 20)	/* bytes in one config file */
#define INCLUDE_DEPTH_MAX 16

/* ---- key table ---- */

enum key_flags {
	KF_PATH = 1 << 0,	/* a file name: "~" expanded even for msmtp */
	KF_SECRET = 1 << 1,	/* makes the file subject to the mode check */
	KF_SERVER = 1 << 2,	/* may take a protocol prefix ("pop3_host") */
};

struct field {
	size_t off;
	size_t size;
	int str;		/* a char * owned by the account */
};

struct keydef;
typedef int parse_fn(struct account *, const struct keydef *, const char *,
	struct err *);

struct keydef {
	const char *name;
	parse_fn *parse;
	unsigned flags;
	int nf;
	struct field f[2];
};

#define FLD(m) { offsetof(struct account, m), \
	sizeof(((struct account *)0)->m), \
	_Generic(((struct account *)0)->m, char *: 1, default: 0) }
#define KEY1(n, p, fl, m) { n, p, fl, 1, { FLD(m) } }
#define KEY2(n, p, fl, m1, m2) { n, p, fl, 2, { FLD(m1), FLD(m2) } }

enum key_index {
	K_HOST, K_PORT, K_TLS, K_TLS_STARTTLS, K_TLS_TRUST_FILE,
	K_TLS_FINGERPRINT, K_TLS_CERT_FILE, K_TLS_KEY_FILE, K_TLS_CERTCHECK,
	K_TLS_MIN_VERSION, K_TIMEOUT, K_CONNECT_TIMEOUT, K_PROXY_HOST,
	K_PROXY_PORT, K_AUTH, K_USER, K_PASSWORD, K_PASSWORDEVAL,
	K_ALLOW_PLAINTEXT_AUTH, K_KEYRING, K_FROM, K_DOMAIN, K_DSN_NOTIFY,
	K_DSN_RETURN, K_SET_FROM_HEADER, K_SET_DATE_HEADER, K_SET_MSGID_HEADER,
	K_REMOVE_BCC_HEADERS, K_UNDISCLOSED_RECIPIENTS, K_ALIASES, K_LOGFILE,
	K_SYSLOG, K_ADD_MISSING_FROM_HEADER, K_ADD_MISSING_DATE_HEADER,
	K_DELIVERY, K_KEEP, K_ONLY_NEW, K_KILLSIZE, K_SKIPSIZE, K_UIDLS_FILE,
	K_RECEIVED_HEADER, K_PIPELINING,
	K_QUEUE, K_QUEUE_LIFETIME, K_FALLBACK, K_QUEUE_BOUNCE,
	K_MAILDIR, K_PULL_LAYOUT, K_PULL_KEEP_LOCAL, K_PULL_PUSH_DELETES,
	K_COUNT
};

static parse_fn parse_str, parse_path, parse_bool, parse_port,
	parse_seconds, parse_trust_file, parse_fingerprint, parse_tls_version,
	parse_auth, parse_dsn_notify, parse_dsn_return, parse_from_header,
	parse_auto_off, parse_syslog, parse_add_missing, parse_delivery,
	parse_size, parse_pipelining, parse_lifetime, parse_queue_bounce;

static const struct keydef keys[K_COUNT] = {
	[K_HOST] = KEY1("host", parse_str, KF_SERVER, host),
	[K_PORT] = KEY1("port", parse_port, KF_SERVER, port),
	[K_TLS] = KEY1("tls", parse_bool, KF_SERVER, tls),
	[K_TLS_STARTTLS] = KEY1("tls_starttls", parse_bool, KF_SERVER,
		tls_starttls),
	[K_TLS_TRUST_FILE] = KEY1("tls_trust_file", parse_trust_file,
		KF_PATH | KF_SERVER, tls_trust_file),
	[K_TLS_FINGERPRINT] = KEY2("tls_fingerprint", parse_fingerprint,
		KF_SERVER, tls_fingerprint, tls_fingerprint_sha256),
	[K_TLS_CERT_FILE] = KEY1("tls_cert_file", parse_path,
		KF_PATH | KF_SERVER, tls_cert_file),
	[K_TLS_KEY_FILE] = KEY1("tls_key_file", parse_path,
		KF_PATH | KF_SERVER, tls_key_file),
	[K_TLS_CERTCHECK] = KEY1("tls_certcheck", parse_bool, KF_SERVER,
		tls_certcheck),
	[K_TLS_MIN_VERSION] = KEY1("tls_min_version", parse_tls_version,
		KF_SERVER, tls_min_version),
	[K_TIMEOUT] = KEY1("timeout", parse_seconds, KF_SERVER, timeout),
	[K_CONNECT_TIMEOUT] = KEY1("connect_timeout", parse_seconds,
		KF_SERVER, connect_timeout),
	[K_PROXY_HOST] = KEY1("proxy_host", parse_str, KF_SERVER, proxy_host),
	[K_PROXY_PORT] = KEY1("proxy_port", parse_port, KF_SERVER, proxy_port),
	[K_AUTH] = KEY2("auth", parse_auth, KF_SERVER, auth, auth_method),
	[K_USER] = KEY1("user", parse_str, KF_SERVER, user),
	[K_PASSWORD] = KEY1("password", parse_str, KF_SECRET | KF_SERVER,
		password),
	[K_PASSWORDEVAL] = KEY1("passwordeval", parse_str, KF_SERVER,
		passwordeval),
	[K_ALLOW_PLAINTEXT_AUTH] = KEY1("allow_plaintext_auth", parse_bool,
		KF_SERVER, allow_plaintext_auth),
	[K_KEYRING] = KEY1("keyring", parse_bool, KF_SERVER, keyring),
	[K_FROM] = KEY1("from", parse_str, 0, from),
	[K_DOMAIN] = KEY1("domain", parse_str, 0, domain),
	[K_DSN_NOTIFY] = KEY1("dsn_notify", parse_dsn_notify, 0, dsn_notify),
	[K_DSN_RETURN] = KEY1("dsn_return", parse_dsn_return, 0, dsn_return),
	[K_SET_FROM_HEADER] = KEY1("set_from_header", parse_from_header, 0,
		set_from_header),
	[K_SET_DATE_HEADER] = KEY1("set_date_header", parse_auto_off, 0,
		set_date_header),
	[K_SET_MSGID_HEADER] = KEY1("set_msgid_header", parse_auto_off, 0,
		set_msgid_header),
	[K_REMOVE_BCC_HEADERS] = KEY1("remove_bcc_headers", parse_bool, 0,
		remove_bcc_headers),
	[K_UNDISCLOSED_RECIPIENTS] = KEY1("undisclosed_recipients", parse_bool,
		0, undisclosed_recipients),
	[K_ALIASES] = KEY1("aliases", parse_path, KF_PATH, aliases),
	[K_LOGFILE] = KEY1("logfile", parse_path, KF_PATH, logfile),
	[K_SYSLOG] = KEY2("syslog", parse_syslog, 0, syslog, syslog_facility),
	/* msmtp's older names: on = auto, off = off */
	[K_ADD_MISSING_FROM_HEADER] = KEY1("add_missing_from_header",
		parse_add_missing, 0, set_from_header),
	[K_ADD_MISSING_DATE_HEADER] = KEY1("add_missing_date_header",
		parse_add_missing, 0, set_date_header),
	/* mpop's */
	[K_DELIVERY] = KEY2("delivery", parse_delivery, 0, delivery,
		delivery_arg),
	[K_KEEP] = KEY1("keep", parse_bool, 0, keep),
	[K_ONLY_NEW] = KEY1("only_new", parse_bool, 0, only_new),
	[K_KILLSIZE] = KEY1("killsize", parse_size, 0, killsize),
	[K_SKIPSIZE] = KEY1("skipsize", parse_size, 0, skipsize),
	[K_UIDLS_FILE] = KEY1("uidls_file", parse_path, KF_PATH, uidls_file),
	[K_RECEIVED_HEADER] = KEY1("received_header", parse_bool, 0,
		received_header),
	[K_PIPELINING] = KEY1("pipelining", parse_pipelining, 0, pipelining),
	/* msend's queue and failover */
	[K_QUEUE] = KEY1("queue", parse_bool, 0, queue),
	[K_QUEUE_LIFETIME] = KEY1("queue_lifetime", parse_lifetime, 0,
		queue_lifetime),
	[K_FALLBACK] = KEY1("fallback", parse_str, 0, fallback),
	[K_QUEUE_BOUNCE] = KEY1("queue_bounce", parse_queue_bounce, 0,
		queue_bounce),
	/* mimap pull */
	[K_MAILDIR] = KEY1("maildir", parse_path, KF_PATH, maildir),
	[K_PULL_LAYOUT] = KEY1("pull_layout", parse_str, 0, pull_layout),
	[K_PULL_KEEP_LOCAL] = KEY1("pull_keep_local", parse_bool, 0,
		pull_keep_local),
	[K_PULL_PUSH_DELETES] = KEY1("pull_push_deletes", parse_bool, 0,
		pull_push_deletes),
};

_Static_assert(K_COUNT <= 8 * sizeof(((struct account *)0)->set_),
	"struct account set_ too small for the key table");

/* msmtp keys mkit reads but does not implement: a warning, never an error. */
static const struct {
	const char *name;
	const char *hint;
} msmtp_ignored[] = {
	{ "tls_priorities", " (use tls_min_version)" },
	{ "tls_crl_file", "" },
	{ "tls_host_override", "" },
	{ "tls_min_dh_prime_bits", "" },
	{ "source_ip", "" },
	{ "socket", "" },
	{ "protocol", "" },
	{ "ntlmdomain", "" },
	{ "allow_from_override", "" },
	{ "logfile_time_format", "" },
	{ "auto_from", "" },
	{ "maildomain", "" },
	{ "from_full_name", "" },
	{ "eval", "" },
	{ "tls_nocertcheck", " (use tls_certcheck off)" },
	{ "tls_force_sslv3", "" },
	{ "filter", " (mkit's mpop has no header filter: every message is "
		"fetched)" },
};

static int
key_find(const char *name)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

static int
bit_get(const struct account *a, int k)
{
	return (a->set_[k / 8] >> (k % 8)) & 1;
}

static void
bit_set(struct account *a, int k)
{
	a->set_[k / 8] |= (unsigned char)(1u << (k % 8));
}

/* ---- strings ---- */

static void
str_free(char *s)
{
	if (s) {
		secure_wipe(s, strlen(s));
		free(s);
	}
}

static char **
field_str(struct account *a, const struct field *f)
{
	return (char **)((char *)a + f->off);
}

/* Replace a string field; "" means unset (NULL). */
static void
set_strfield(struct account *a, const struct keydef *k, const char *v)
{
	char **p = field_str(a, &k->f[0]);

	str_free(*p);
	*p = v && *v ? xstrdup(v) : NULL;
}

static int
word_eq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strlen(a) == n && mem_casecmp(a, b, n) == 0;
}

/* on/off and synonyms: 1, 0, or -1 if v is neither. "" is on (msmtp). */
static int
bool_word(const char *v)
{
	static const char *const on[] = { "", "on", "yes", "true", "1" };
	static const char *const off[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(on); i++)
		if (word_eq(v, on[i]))
			return 1;
	for (i = 0; i < ARRAY_SIZE(off); i++)
		if (word_eq(v, off[i]))
			return 0;
	return -1;
}

static int *
field_int(struct account *a, const struct keydef *k, int i)
{
	return (int *)((char *)a + k->f[i].off);
}

static int
bad_value(const struct keydef *k, const char *v, const char *expect,
	struct err *e)
{
	if (k->flags & KF_SECRET)
		return err_set(e, ERR_CONFIG, "%s: invalid value (expected %s)",
			k->name, expect);
	return err_set(e, ERR_CONFIG, "%s: invalid value \"%.100s\" "
		"(expected %s)", k->name, v, expect);
}

/* A decimal number in [lo, hi]; -1 if v is not one. */
static long
number(const char *v, long lo, long hi)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return -1;
	return n;
}

/* ---- value parsers ---- */

static int
parse_str(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	set_strfield(a, k, v);
	return 0;
}

static int
parse_path(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	set_strfield(a, k, v);
	return 0;
}

static int
parse_trust_file(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	set_strfield(a, k, strcmp(v, "system") == 0 ? NULL : v);
	return 0;
}

static int
parse_bool(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	int b = bool_word(v);

	if (b < 0)
		return bad_value(k, v, "on or off", e);
	*field_int(a, k, 0) = b;
	return 0;
}

static int
parse_port(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	long n = *v ? number(v, 1, 65535) : 0;	/* "": the default */

	if (n < 0)
		return bad_value(k, v, "a port number from 1 to 65535", e);
	*field_int(a, k, 0) = (int)n;
	return 0;
}

static int
parse_seconds(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	long n = word_eq(v, "off") ? 0 : number(v, 0, 86400 * 7);

	if (n < 0)
		return bad_value(k, v, "seconds or off", e);
	*field_int(a, k, 0) = (int)n;
	return 0;
}

/* "5d", "12h", "30m", "90s" or bare seconds, up to a year. */
static int
parse_lifetime(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || n < 0 || errno)
		return bad_value(k, v, "a duration (5d, 12h, 30m, 90s)", e);
	if (*end == 'd')
		n *= 86400, end++;
	else if (*end == 'h')
		n *= 3600, end++;
	else if (*end == 'm')
		n *= 60, end++;
	else if (*end == 's')
		end++;
	if (*end || n > 366L * 86400)
		return bad_value(k, v, "a duration (5d, 12h, 30m, 90s)", e);
	*field_int(a, k, 0) = (int)n;
	return 0;
}

static int
parse_fingerprint(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	unsigned char bin[FINGERPRINT_MAX];
	long n;

	if (!*v) {
		set_strfield(a, k, NULL);
		memset(a->tls_fingerprint_sha256, 0,
			sizeof(a->tls_fingerprint_sha256));
		return 0;
	}
	n = fingerprint_parse(v, bin);
	if (n < 0)
		return bad_value(k, v, "a SHA-256 fingerprint as hex "
			"pairs separated by colons", e);
	if (n == 20 || n == 16)
		return err_set(e, ERR_CONFIG, "%s: %s fingerprints are not "
			"supported; use the SHA-256 fingerprint (openssl x509 "
			"-noout -fingerprint -sha256)", k->name,
			n == 20 ? "SHA-1" : "MD5");
	if (n != 32)
		return bad_value(k, v, "a SHA-256 fingerprint of 32 bytes", e);
	set_strfield(a, k, v);
	memcpy(a->tls_fingerprint_sha256, bin, 32);
	return 0;
}

static int
parse_tls_version(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	if (word_eq(v, "1.2") || word_eq(v, "tlsv1.2"))
		a->tls_min_version = ACCOUNT_TLS_1_2;
	else if (word_eq(v, "1.3") || word_eq(v, "tlsv1.3"))
		a->tls_min_version = ACCOUNT_TLS_1_3;
	else
		return bad_value(k, v, "1.2 or 1.3", e);
	return 0;
}

static const char *const auth_methods[] = {
	"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1",
	"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "EXTERNAL",
	"GSSAPI", "NTLM", "XOAUTH2", "OAUTHBEARER",
	"USER", "APOP",		/* POP3's own (mpop) */
};

static int
parse_auth(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	int b = bool_word(v);
	const char *m = NULL;
	size_t i;

	for (i = 0; b < 0 && !m && i < ARRAY_SIZE(auth_methods); i++)
		if (word_eq(v, auth_methods[i]))
			m = auth_methods[i];
	if (b < 0 && !m)
		return bad_value(k, v, "on, off or a method: plain, login, "
			"cram-md5, digest-md5, scram-sha-1, scram-sha-256, "
			"external, gssapi, ntlm, xoauth2, oauthbearer, and for "
			"POP3 user, apop", e);
	str_free(a->auth_method);
	a->auth_method = m ? xstrdup(m) : NULL;
	a->auth = m ? 1 : b;
	return 0;
}

static int
parse_dsn_notify(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	unsigned set = 0;
	const char *p = v;

	if (word_eq(v, "off")) {
		a->dsn_notify = 0;
		return 0;
	}
	if (word_eq(v, "never")) {
		a->dsn_notify = ACCOUNT_DSN_NEVER;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 7 && mem_casecmp(p, "success", 7) == 0)
			set |= ACCOUNT_DSN_SUCCESS;
		else if (n == 7 && mem_casecmp(p, "failure", 7) == 0)
			set |= ACCOUNT_DSN_FAILURE;
		else if (n == 5 && mem_casecmp(p, "delay", 5) == 0)
			set |= ACCOUNT_DSN_DELAY;
		else
			return bad_value(k, v, "off, never, or a "
				"comma-separated list of success, failure, "
				"delay", e);
		if (!p[n])
			break;
		p += n + 1;
	}
	a->dsn_notify = set;
	return 0;
}

static int
parse_dsn_return(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	if (word_eq(v, "off"))
		a->dsn_return = ACCOUNT_DSN_RET_OFF;
	else if (word_eq(v, "headers"))
		a->dsn_return = ACCOUNT_DSN_RET_HEADERS;
	else if (word_eq(v, "full"))
		a->dsn_return = ACCOUNT_DSN_RET_FULL;
	else
		return bad_value(k, v, "off, headers or full", e);
	return 0;
}

static int
parse_from_header(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	int b = bool_word(v);

	if (word_eq(v, "auto"))
		a->set_from_header = ACCOUNT_HEADER_AUTO;
	else if (b >= 0 && *v)
		a->set_from_header = b ? ACCOUNT_HEADER_ON : ACCOUNT_HEADER_OFF;
	else
		return bad_value(k, v, "auto, on or off", e);
	return 0;
}

static int
parse_auto_off(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	enum account_header_mode *m = (enum account_header_mode *)
		((char *)a + k->f[0].off);

	if (word_eq(v, "auto"))
		*m = ACCOUNT_HEADER_AUTO;
	else if (bool_word(v) == 0)
		*m = ACCOUNT_HEADER_OFF;
	else
		return bad_value(k, v, "auto or off", e);
	return 0;
}

static int
parse_add_missing(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	enum account_header_mode *m = (enum account_header_mode *)
		((char *)a + k->f[0].off);
	int b = bool_word(v);

	if (b < 0)
		return bad_value(k, v, "on or off", e);
	*m = b ? ACCOUNT_HEADER_AUTO : ACCOUNT_HEADER_OFF;
	return 0;
}

static int
parse_syslog(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	static const char *const fac[] = {
		"LOG_USER", "LOG_MAIL", "LOG_LOCAL0", "LOG_LOCAL1",
		"LOG_LOCAL2", "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5",
		"LOG_LOCAL6", "LOG_LOCAL7",
	};
	int b = bool_word(v);
	const char *f = b == 1 ? "LOG_USER" : NULL;	/* as msmtp */
	size_t i;

	for (i = 0; b < 0 && !f && i < ARRAY_SIZE(fac); i++)
		if (word_eq(v, fac[i]))
			f = fac[i];
	if (b < 0 && !f)
		return bad_value(k, v, "on, off, or a facility LOG_USER, "
			"LOG_MAIL, LOG_LOCAL0 to LOG_LOCAL7", e);
	str_free(a->syslog_facility);
	a->syslog_facility = f ? xstrdup(f) : NULL;
	a->syslog = f != NULL;
	return 0;
}

/* "maildir DIR", "mbox FILE", "mda COMMAND" (mpop), or "METHOD,ARG" as
 * mpop's --delivery writes it; "" unsets. A "~" starting DIR or FILE is
 * $HOME in every flavor, as mpop expands it. */
static int
parse_delivery(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	static const struct {
		const char *name;
		enum account_delivery d;
		const char *arg;
	} m[] = {
		{ "maildir", ACCOUNT_DELIVERY_MAILDIR, "a directory" },
		{ "mbox", ACCOUNT_DELIVERY_MBOX, "a file" },
		{ "mda", ACCOUNT_DELIVERY_MDA, "a command" },
	};
	size_t n = strcspn(v, " \t,"), i;
	const char *arg = v + n;
	struct buf b = BUF_INIT;

	if (!*v) {
		a->delivery = ACCOUNT_DELIVERY_NONE;
		str_free(a->delivery_arg);
		a->delivery_arg = NULL;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(m); i++)
		if (n == strlen(m[i].name) && mem_casecmp(v, m[i].name, n) == 0)
			break;
	if (i == ARRAY_SIZE(m))
		return bad_value(k, v, "maildir DIR, mbox FILE or mda COMMAND",
			e);
	if (*arg == ',')
		arg++;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (!*arg)
		return err_set(e, ERR_CONFIG, "%s: \"%s\" needs %s", k->name,
			m[i].name, m[i].arg);
	if (m[i].d != ACCOUNT_DELIVERY_MDA && arg[0] == '~' &&
	    (arg[1] == '/' || !arg[1])) {
		const char *h = getenv("HOME");

		if (!h || !*h)
			return err_set(e, ERR_CONFIG, "%s: cannot expand "
				"\"~\": HOME is not set", k->name);
		buf_addstr(&b, h);
		arg++;
	}
	buf_addstr(&b, arg);
	a->delivery = m[i].d;
	str_free(a->delivery_arg);
	a->delivery_arg = buf_detach(&b, NULL);
	return 0;
}

/* mpop's killsize / skipsize: "off", or bytes with an optional k or m
 * (KiB, MiB). */
static int
parse_size(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	long long *f = (long long *)((char *)a + k->f[0].off);
	char *end;
	unsigned long long n;
	int shift = 0;

	if (word_eq(v, "off")) {
		*f = -1;
		return 0;
	}
	errno = 0;
	n = isdigit((unsigned char)*v) ? strtoull(v, &end, 10) : 0;
	if (!isdigit((unsigned char)*v) || errno)
		return bad_value(k, v, "off or a size in bytes, or with k or "
			"m", e);
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'm' || *end == 'M')
		shift = 20, end++;
	if (*end || n > (1ull << (62 - shift)))
		return bad_value(k, v, "off or a size in bytes, or with k or "
			"m", e);
	*f = (long long)(n << shift);
	return 0;
}

static int
parse_pipelining(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	int b = bool_word(v);

	if (word_eq(v, "auto"))
		a->pipelining = ACCOUNT_PIPELINING_AUTO;
	else if (b >= 0)
		a->pipelining = b ? ACCOUNT_PIPELINING_ON :
			ACCOUNT_PIPELINING_OFF;
	else
		return bad_value(k, v, "auto, on or off", e);
	return 0;
}

static int
parse_queue_bounce(struct account *a, const struct keydef *k, const char *v,
	struct err *e)
{
	if (word_eq(v, "auto"))
		a->queue_bounce = ACCOUNT_BOUNCE_AUTO;
	else if (word_eq(v, "mail"))
		a->queue_bounce = ACCOUNT_BOUNCE_MAIL;
	else if (word_eq(v, "stderr"))
		a->queue_bounce = ACCOUNT_BOUNCE_STDERR;
	else
		return bad_value(k, v, "auto, mail or stderr", e);
	return 0;
}

/* ---- protocols ---- */

static const char *const proto_names[ACCOUNT_PROTO_COUNT] = {
	[ACCOUNT_PROTO_SMTP] = "smtp",
	[ACCOUNT_PROTO_POP3] = "pop3",
	[ACCOUNT_PROTO_IMAP] = "imap",
};

const char *
account_proto_name(enum account_proto p)
{
	return (unsigned)p < ACCOUNT_PROTO_COUNT ? proto_names[p] : "smtp";
}

int
account_proto_find(const char *name)
{
	int i;

	for (i = 0; name && i < ACCOUNT_PROTO_COUNT; i++)
		if (word_eq(name, proto_names[i]))
			return i;
	return -1;
}

unsigned
account_default_port(enum account_proto p, int tls, int starttls)
{
	static const unsigned ports[ACCOUNT_PROTO_COUNT][3] = {
		/* plain, STARTTLS, implicit TLS */
		[ACCOUNT_PROTO_SMTP] = { 25, 587, 465 },
		[ACCOUNT_PROTO_POP3] = { 110, 110, 995 },
		[ACCOUNT_PROTO_IMAP] = { 143, 143, 993 },
	};

	if ((unsigned)p >= ACCOUNT_PROTO_COUNT)
		p = ACCOUNT_PROTO_SMTP;
	return ports[p][!tls ? 0 : starttls ? 1 : 2];
}

/*
 * "pop3_host": the server key it names with *proto set, or -1 when name
 * has no protocol prefix or names no server key after it.
 */
static int
prefixed_key(const char *name, int *proto)
{
	const char *us = strchr(name, '_');
	char pfx[8];
	int k;

	if (!us || (size_t)(us - name) >= sizeof(pfx))
		return -1;
	memcpy(pfx, name, (size_t)(us - name));
	pfx[us - name] = '\0';
	if ((*proto = account_proto_find(pfx)) < 0 || strcmp(pfx,
	    proto_names[*proto]) != 0)
		return -1;
	k = key_find(us + 1);
	return k >= 0 && (keys[k].flags & KF_SERVER) ? k : -1;
}

/* ---- accounts ---- */

static void
key_copy(struct account *dst, const struct account *src, int k)
{
	int i;

	for (i = 0; i < keys[k].nf; i++) {
		const struct field *f = &keys[k].f[i];

		if (f->str) {
			char **d = field_str(dst, f);
			char *s = *field_str((struct account *)src, f);

			str_free(*d);
			*d = s ? xstrdup(s) : NULL;
		} else {
			memcpy((char *)dst + f->off, (const char *)src + f->off,
				f->size);
		}
	}
	bit_set(dst, k);
}

static void
account_clear(struct account *a)
{
	int k, i;

	for (k = 0; k < K_COUNT; k++)
		for (i = 0; i < keys[k].nf; i++)
			if (keys[k].f[i].str) {
				char **p = field_str(a, &keys[k].f[i]);

				str_free(*p);
				*p = NULL;
			}
	free(a->name);
	free(a->file);
	secure_wipe(a->tls_fingerprint_sha256,
		sizeof(a->tls_fingerprint_sha256));
}

void
account_free(struct account *a)
{
	if (!a)
		return;
	account_clear(a);
	free(a);
}

static struct account *
account_alloc(const char *name)
{
	struct account *a = xcalloc(1, sizeof(*a));

	a->name = name ? xstrdup(name) : NULL;
	return a;
}

struct account *
account_dup(const struct account *src)
{
	struct account *a;
	int k, i;

	if (!src)
		return NULL;
	a = xmalloc(sizeof(*a));
	memcpy(a, src, sizeof(*a));
	a->name = src->name ? xstrdup(src->name) : NULL;
	a->file = src->file ? xstrdup(src->file) : NULL;
	for (k = 0; k < K_COUNT; k++)
		for (i = 0; i < keys[k].nf; i++)
			if (keys[k].f[i].str) {
				char **p = field_str(a, &keys[k].f[i]);

				if (*p)
					*p = xstrdup(*p);
			}
	return a;
}

/* This machine's name for EHLO: the host name if it holds a dot, else its
 * canonical name if that does, else the host name, else "localhost". */
static char *
default_domain(void)
{
	char host[256];
	struct addrinfo hints, *res = NULL;
	char *d = NULL;

	if (gethostname(host, sizeof(host)) != 0 || !host[0])
		return xstrdup("localhost");
	host[sizeof(host) - 1] = '\0';
	if (strchr(host, '.'))
		return xstrdup(host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res &&
	    res->ai_canonname && strchr(res->ai_canonname, '.'))
		d = xstrdup(res->ai_canonname);
	if (res)
		freeaddrinfo(res);
	return d ? d : xstrdup(host);
}

/* Fill mkit's defaults into every key that was not set. Idempotent; rerun
 * after a change, since some defaults follow other keys. */
static void
account_defaults(struct account *a)
{
	if (!bit_get(a, K_TLS))
		a->tls = 1;
	if (!bit_get(a, K_TLS_STARTTLS))
		a->tls_starttls = 1;
	if (!bit_get(a, K_PORT) || !a->port)
		a->port = (int)account_default_port(a->proto, a->tls,
			a->tls_starttls);
	if (!bit_get(a, K_TLS_CERTCHECK))
		a->tls_certcheck = 1;
	if (!bit_get(a, K_TLS_MIN_VERSION))
		a->tls_min_version = ACCOUNT_TLS_1_2;
	if (!bit_get(a, K_TIMEOUT))
		a->timeout = 60;
	if (!bit_get(a, K_CONNECT_TIMEOUT))
		a->connect_timeout = 30;
	if (!bit_get(a, K_PROXY_PORT) || !a->proxy_port)
		a->proxy_port = a->proxy_host ? 1080 : 0;
	if (!bit_get(a, K_AUTH)) {
		a->auth = a->user != NULL;
		str_free(a->auth_method);
		a->auth_method = NULL;
	}
	if (!bit_get(a, K_ALLOW_PLAINTEXT_AUTH))
		a->allow_plaintext_auth = 0;
	if (!bit_get(a, K_KEYRING))
		a->keyring = 1;
	if (!a->domain)
		a->domain = default_domain();
	if (!bit_get(a, K_DSN_NOTIFY))
		a->dsn_notify = 0;
	if (!bit_get(a, K_DSN_RETURN))
		a->dsn_return = ACCOUNT_DSN_RET_OFF;
	if (!bit_get(a, K_SET_FROM_HEADER) &&
	    !bit_get(a, K_ADD_MISSING_FROM_HEADER))
		a->set_from_header = ACCOUNT_HEADER_AUTO;
	if (!bit_get(a, K_SET_DATE_HEADER) &&
	    !bit_get(a, K_ADD_MISSING_DATE_HEADER))
		a->set_date_header = ACCOUNT_HEADER_AUTO;
	if (!bit_get(a, K_SET_MSGID_HEADER))
		a->set_msgid_header = ACCOUNT_HEADER_AUTO;
	if (!bit_get(a, K_REMOVE_BCC_HEADERS))
		a->remove_bcc_headers = 1;
	if (!bit_get(a, K_UNDISCLOSED_RECIPIENTS))
		a->undisclosed_recipients = 0;
	if (!bit_get(a, K_SYSLOG)) {
		a->syslog = 0;
		str_free(a->syslog_facility);
		a->syslog_facility = NULL;
	}
	if (!bit_get(a, K_KEEP))
		a->keep = 0;
	if (!bit_get(a, K_ONLY_NEW))
		a->only_new = 1;
	if (!bit_get(a, K_KILLSIZE))
		a->killsize = -1;
	if (!bit_get(a, K_SKIPSIZE))
		a->skipsize = -1;
	if (!bit_get(a, K_RECEIVED_HEADER))
		a->received_header = 1;
	if (!bit_get(a, K_PIPELINING))
		a->pipelining = ACCOUNT_PIPELINING_AUTO;
	if (!bit_get(a, K_QUEUE))
		a->queue = 0;
	if (!bit_get(a, K_QUEUE_LIFETIME))
		a->queue_lifetime = 5 * 86400;
	if (!bit_get(a, K_QUEUE_BOUNCE))
		a->queue_bounce = ACCOUNT_BOUNCE_AUTO;
}

struct account *
account_new_proto(const char *name, enum account_proto p)
{
	struct account *a = account_alloc(name);

	a->proto = p;
	account_defaults(a);
	return a;
}

struct account *
account_new(const char *name)
{
	return account_new_proto(name, ACCOUNT_PROTO_SMTP);
}

/* The key index of name for an account resolved for proto: a bare key, or
 * a server key with proto's prefix; -2 for a server key with another
 * protocol's prefix (*k set), -1 for an unknown key. */
static int
key_for(const char *name, enum account_proto proto, int *k)
{
	int p;

	if ((*k = key_find(name)) >= 0)
		return *k;
	if ((*k = prefixed_key(name, &p)) < 0)
		return -1;
	return p == (int)proto ? *k : -2;
}

int
account_set(struct account *a, const char *key, const char *value,
	struct err *e)
{
	int k, r = key_for(key, a->proto, &k);

	if (r == -1)
		return err_set(e, ERR_CONFIG, "unknown key \"%.100s\"", key);
	if (r == -2) {
		/* another protocol's: checked, never applied */
		struct account *scratch = account_alloc(NULL);
		struct keydef kd = keys[k];

		kd.name = key;
		r = kd.parse(scratch, &kd, value ? value : "", e);
		account_free(scratch);
		return r < 0 ? -1 : 0;
	}
	if (keys[k].parse(a, &keys[k], value ? value : "", e) < 0)
		return -1;
	bit_set(a, k);
	account_defaults(a);
	return 0;
}

int
account_is_set(const struct account *a, const char *key)
{
	int k;

	return key_for(key, a->proto, &k) >= 0 && bit_get(a, k);
}

static const char *
onoff(int b)
{
	return b ? "on" : "off";
}

static const char *
header_mode(enum account_header_mode m)
{
	return m == ACCOUNT_HEADER_AUTO ? "auto" : m == ACCOUNT_HEADER_ON ?
		"on" : "off";
}

void
account_format(const struct account *a, struct buf *out)
{
	static const char *const dsn[] = { "never", "success", "failure",
		"delay" };
	static const char *const ret[] = { "off", "headers", "full" };
	char num[32];
	int k;
	size_t i;

	for (k = 0; k < K_COUNT; k++) {
		const char *v = NULL;
		struct buf tmp = BUF_INIT;

		switch (k) {
		case K_PORT: case K_PROXY_PORT: case K_TIMEOUT:
		case K_CONNECT_TIMEOUT:
			if ((k == K_TIMEOUT || k == K_CONNECT_TIMEOUT) &&
			    !*(const int *)((const char *)a + keys[k].f[0].off))
				v = "off";
			else
				snprintf(num, sizeof(num), "%d", *(const int *)
					((const char *)a + keys[k].f[0].off));
			if (!v)
				v = num;
			break;
		case K_TLS: v = onoff(a->tls); break;
		case K_TLS_STARTTLS: v = onoff(a->tls_starttls); break;
		case K_TLS_CERTCHECK: v = onoff(a->tls_certcheck); break;
		case K_ALLOW_PLAINTEXT_AUTH:
			v = onoff(a->allow_plaintext_auth);
			break;
		case K_KEYRING: v = onoff(a->keyring); break;
		case K_REMOVE_BCC_HEADERS:
			v = onoff(a->remove_bcc_headers);
			break;
		case K_UNDISCLOSED_RECIPIENTS:
			v = onoff(a->undisclosed_recipients);
			break;
		case K_TLS_TRUST_FILE:
			v = a->tls_trust_file ? a->tls_trust_file : "system";
			break;
		case K_TLS_MIN_VERSION:
			v = a->tls_min_version == ACCOUNT_TLS_1_3 ? "1.3" :
				"1.2";
			break;
		case K_AUTH:
			v = !a->auth ? "off" : a->auth_method ? a->auth_method
				: "on";
			break;
		case K_PASSWORD:
			v = a->password ? "*" : NULL;
			break;
		case K_DSN_NOTIFY:
			for (i = 0; i < ARRAY_SIZE(dsn); i++)
				if (a->dsn_notify & (1u << i))
					buf_addf(&tmp, "%s%s",
						tmp.len ? "," : "", dsn[i]);
			v = tmp.len ? tmp.data : "off";
			break;
		case K_DSN_RETURN:
			v = (size_t)a->dsn_return < ARRAY_SIZE(ret) ?
				ret[a->dsn_return] : "off";
			break;
		case K_SET_FROM_HEADER:
			v = header_mode(a->set_from_header);
			break;
		case K_SET_DATE_HEADER:
			v = header_mode(a->set_date_header);
			break;
		case K_SET_MSGID_HEADER:
			v = header_mode(a->set_msgid_header);
			break;
		case K_SYSLOG:
			v = a->syslog && a->syslog_facility ? a->syslog_facility
				: "off";
			break;
		case K_ADD_MISSING_FROM_HEADER: case K_ADD_MISSING_DATE_HEADER:
			continue;	/* shown under their set_ names */
		case K_DELIVERY:
			if (a->delivery_arg)
				buf_addf(&tmp, "%s %s", a->delivery ==
					ACCOUNT_DELIVERY_MAILDIR ? "maildir" :
					a->delivery == ACCOUNT_DELIVERY_MBOX ?
					"mbox" : "mda", a->delivery_arg);
			v = tmp.len ? tmp.data : NULL;
			break;
		case K_KEEP: v = onoff(a->keep); break;
		case K_ONLY_NEW: v = onoff(a->only_new); break;
		case K_RECEIVED_HEADER: v = onoff(a->received_header); break;
		case K_QUEUE: v = onoff(a->queue); break;
		case K_PULL_KEEP_LOCAL: v = onoff(a->pull_keep_local); break;
		case K_PULL_PUSH_DELETES:
			v = onoff(a->pull_push_deletes);
			break;
		case K_QUEUE_LIFETIME:
			snprintf(num, sizeof(num), "%ds", a->queue_lifetime);
			v = num;
			break;
		case K_KILLSIZE: case K_SKIPSIZE:
			if (*(const long long *)((const char *)a +
			    keys[k].f[0].off) < 0) {
				v = "off";
				break;
			}
			snprintf(num, sizeof(num), "%lld", *(const long long *)
				((const char *)a + keys[k].f[0].off));
			v = num;
			break;
		case K_QUEUE_BOUNCE:
			v = a->queue_bounce == ACCOUNT_BOUNCE_MAIL ? "mail" :
				a->queue_bounce == ACCOUNT_BOUNCE_STDERR ?
				"stderr" : "auto";
			break;
		case K_PIPELINING:
			v = a->pipelining == ACCOUNT_PIPELINING_ON ? "on" :
				a->pipelining == ACCOUNT_PIPELINING_OFF ? "off" :
				"auto";
			break;
		default:
			v = *field_str((struct account *)a, &keys[k].f[0]);
			break;
		}
		buf_addf(out, "%s = %s\n", keys[k].name, v ? v : "(not set)");
		buf_release(&tmp);
	}
}

/* ---- struct config ---- */

struct loc {
	const char *file;	/* display name, owned by config.files */
	int line;
};

struct entry {
	struct account *acc;
	struct loc loc[K_COUNT];	/* where each set key was set */
	/* "pop3_host" and the like: per protocol, the prefixed server keys
	 * (their set bits say which), or NULL when there are none */
	struct account *px[ACCOUNT_PROTO_COUNT];
	struct loc pxloc[ACCOUNT_PROTO_COUNT][K_COUNT];
};

struct config {
	char *path;			/* display name of the main file */
	enum config_flavor flavor;
	char *searched;			/* what was looked for, when nothing */
	struct entry **ent;
	size_t nent;
	char **files;			/* display names, for struct loc */
	size_t nfiles;
};

void
config_warnings_release(struct config_warnings *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->count; i++)
		free(w->msg[i]);
	free(w->msg);
	w->msg = NULL;
	w->count = 0;
}

static void __attribute__((format(printf, 2, 3)))
warn_add(struct config_warnings *w, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!w)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->msg = xrealloc(w->msg, (w->count + 1) * sizeof(*w->msg));
	w->msg[w->count++] = buf_detach(&b, NULL);
}

static void
entry_free(struct entry *en)
{
	int p;

	if (en) {
		account_free(en->acc);
		for (p = 0; p < ACCOUNT_PROTO_COUNT; p++)
			account_free(en->px[p]);
		free(en);
	}
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nent; i++)
		entry_free(cfg->ent[i]);
	free(cfg->ent);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->path);
	free(cfg->searched);
	free(cfg);
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path;
}

enum config_flavor
config_flavor(const struct config *cfg)
{
	return cfg->flavor;
}

size_t
config_account_count(const struct config *cfg)
{
	return cfg->nent;
}

const char *
config_account_name(const struct config *cfg, size_t i)
{
	return i < cfg->nent ? cfg->ent[i]->acc->name : NULL;
}

static struct entry *
entry_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nent; i++)
		if (strcmp(cfg->ent[i]->acc->name, name) == 0)
			return cfg->ent[i];
	return NULL;
}

/* ---- reading files ---- */

struct parser {
	struct config *cfg;
	struct config_warnings *warn;
	struct err *err;
	enum config_flavor flavor;
	struct entry defaults;
	struct entry *cur;		/* section being filled */
	int located;			/* err already has "file:line: " */
	char *stack[INCLUDE_DEPTH_MAX];	/* real paths being read */
	int depth;
};

/* One file being read. */
struct source {
	const char *path;	/* as opened */
	const char *disp;	/* display name (owned by cfg->files) */
	struct stat st;
	int mode_checked;
};

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");

	return h && *h ? h : NULL;
}

int
conf_read_file(const char *path, const char *disp, size_t max,
	struct buf *out, struct stat *st, struct err *e)
{
	int fd;

	buf_init(out, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, ERR_CONFIG, errno, "%s", disp);
	if (fstat(fd, st) != 0) {
		err_sys(e, ERR_CONFIG, errno, "%s", disp);
		goto fail;
	}
	if (S_ISDIR(st->st_mode)) {
		err_set(e, ERR_CONFIG, "%s: is a directory", disp);
		goto fail;
	}
	if (buf_read_fd(out, fd) < 0) {
		if (errno == EFBIG)
			err_set(e, ERR_CONFIG, "%s: larger than %zu MiB", disp,
				max >> 20);
		else
			err_sys(e, ERR_CONFIG, errno, "%s", disp);
		goto fail;
	}
	close(fd);
	return 0;
fail:
	if (out->data)
		secure_wipe(out->data, out->len);
	buf_release(out);
	close(fd);
	return -1;
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static int
var_char(int c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(!first && c >= '0' && c <= '9');
}

/*
 * Turn the raw text after a key into its value: quotes removed, escapes
 * applied, comments cut, variables and "~" expanded (by flavor), outer
 * white space trimmed. The result is in out (reset first).
 */
static int
parse_value(const char *s, size_t len, int mkit, int tilde, struct buf *out,
	struct err *e)
{
	size_t i = 0, keep = 0;	/* keep: length that trailing trim keeps */
	int quoted = 0, vars = mkit, hash_comment = mkit;
	/* msmtp: quotes only around the whole argument */
	int quotes = mkit || (len > 0 && s[0] == '"');

	buf_reset(out);
	if (tilde && len >= 1 && s[0] == '~' && (len == 1 || s[1] == '/')) {
		const char *h = home_dir();

		if (!h)
			return err_set(e, ERR_CONFIG, "cannot expand \"~\": "
				"HOME is not set");
		buf_addstr(out, h);
		keep = out->len;
		i = 1;
	}
	for (; i < len; i++) {
		char c = s[i];

		if (!quoted && hash_comment && c == '#' && (i == 0 ||
		    is_space((unsigned char)s[i - 1])))
			break;
		if (c == '"' && quotes) {
			quoted = !quoted;
			keep = out->len;
			continue;
		}
		if (quoted && c == '\\') {
			if (i + 1 >= len)
				return err_set(e, ERR_CONFIG, "backslash at "
					"end of line");
			buf_addch(out, s[++i]);
			keep = out->len;
			continue;
		}
		if (vars && c == '$' && i + 1 < len &&
		    (s[i + 1] == '{' || var_char((unsigned char)s[i + 1], 1))) {
			size_t start, end;
			char *name;
			const char *val;

			if (s[i + 1] == '{') {
				start = i + 2;
				end = start;
				while (end < len && s[end] != '}')
					end++;
				if (end >= len)
					return err_set(e, ERR_CONFIG,
						"unterminated \"${\"");
				i = end;
			} else {
				start = i + 1;
				end = start;
				while (end < len &&
				    var_char((unsigned char)s[end], 0))
					end++;
				i = end - 1;
			}
			name = xmemdup(s + start, end - start);
			val = getenv(name);
			if (!val) {
				err_set(e, ERR_CONFIG, "undefined variable "
					"\"%.100s\"", name);
				free(name);
				return -1;
			}
			free(name);
			buf_addstr(out, val);
			keep = out->len;
			continue;
		}
		buf_addch(out, c);
		if (quoted || !is_space((unsigned char)c))
			keep = out->len;
	}
	if (quoted)
		return err_set(e, ERR_CONFIG, "unterminated quote");
	buf_truncate(out, keep);
	return 0;
}

/* Optimal string alignment distance, for "did you mean". */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[40][40];

	if (la >= 40 || lb >= 40)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], m;

			m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

static int
unknown_key(const char *key, struct err *e)
{
	static const char *const directives[] = { "account", "defaults",
		"include" };
	const char *best = NULL;
	size_t bestd = 3, d, i;

	for (i = 0; i < K_COUNT; i++)
		if ((d = edit_distance(key, keys[i].name)) < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	for (i = 0; i < ARRAY_SIZE(directives); i++)
		if ((d = edit_distance(key, directives[i])) < bestd) {
			bestd = d;
			best = directives[i];
		}
	if (best && bestd * 3 <= strlen(key) + 2)
		return err_set(e, ERR_CONFIG, "unknown key \"%.100s\" (did you "
			"mean \"%s\"?)", key, best);
	return err_set(e, ERR_CONFIG, "unknown key \"%.100s\"", key);
}

static const char *
file_register(struct config *cfg, const char *disp)
{
	cfg->files = xrealloc(cfg->files,
		(cfg->nfiles + 1) * sizeof(*cfg->files));
	cfg->files[cfg->nfiles] = xstrdup(disp);
	return cfg->files[cfg->nfiles++];
}

static void
entry_inherit(struct entry *dst, const struct entry *src)
{
	int k, p;

	for (k = 0; k < K_COUNT; k++)
		if (bit_get(src->acc, k)) {
			key_copy(dst->acc, src->acc, k);
			dst->loc[k] = src->loc[k];
		}
	for (p = 0; p < ACCOUNT_PROTO_COUNT; p++) {
		if (!src->px[p])
			continue;
		if (!dst->px[p])
			dst->px[p] = account_alloc(NULL);
		for (k = 0; k < K_COUNT; k++)
			if (bit_get(src->px[p], k)) {
				key_copy(dst->px[p], src->px[p], k);
				dst->pxloc[p][k] = src->pxloc[p][k];
			}
	}
}

static int parse_file(struct parser *p, const char *path, const char *disp);

/* "account NAME [: PARENT[,PARENT...]]" */
static int
do_account(struct parser *p, const struct source *src, int line, char *v)
{
	struct config *cfg = p->cfg;
	struct entry *en, *old;
	char *colon = strchr(v, ':'), *name = v, *end, *par;

	if (colon)
		*colon = '\0';
	while (is_space((unsigned char)*name))
		name++;
	end = name + strlen(name);
	while (end > name && is_space((unsigned char)end[-1]))
		*--end = '\0';
	if (!*name || strpbrk(name, " \t,"))
		return err_set(p->err, ERR_CONFIG, "account: invalid name "
			"\"%.100s\"", name);
	if ((old = entry_find(cfg, name)))
		return err_set(p->err, ERR_CONFIG, "account \"%.100s\" is "
			"already defined at %s:%d", name,
			old->acc->file ? old->acc->file : "?", old->acc->line);
	en = xcalloc(1, sizeof(*en));
	en->acc = account_alloc(name);
	en->acc->file = xstrdup(src->disp);
	en->acc->line = line;
	entry_inherit(en, &p->defaults);
	for (par = colon ? colon + 1 : NULL; par && *par;) {
		size_t n = strcspn(par, ",");
		char *pn = par, *pe;
		struct entry *pent;
		int last = par[n] == '\0';

		par[n] = '\0';
		while (is_space((unsigned char)*pn))
			pn++;
		pe = pn + strlen(pn);
		while (pe > pn && is_space((unsigned char)pe[-1]))
			*--pe = '\0';
		if (*pn) {
			pent = entry_find(cfg, pn);
			if (!pent) {
				err_set(p->err, ERR_CONFIG, "account "
					"\"%.100s\": no account \"%.100s\" "
					"defined above to inherit from", name,
					pn);
				entry_free(en);
				return -1;
			}
			entry_inherit(en, pent);
		}
		if (last)
			break;
		par += n + 1;
	}
	cfg->ent = xrealloc(cfg->ent, (cfg->nent + 1) * sizeof(*cfg->ent));
	cfg->ent[cfg->nent++] = en;
	p->cur = en;
	return 0;
}

static int
do_include(struct parser *p, const struct source *src, const char *v)
{
	struct buf path = BUF_INIT;
	glob_t g;
	size_t i;
	int rc = 0, gr;

	if (!*v)
		return err_set(p->err, ERR_CONFIG, "include: no file name");
	if (v[0] != '/') {
		const char *slash = strrchr(src->path, '/');

		if (slash)
			buf_add(&path, src->path,
				(size_t)(slash - src->path) + 1);
	}
	buf_addstr(&path, v);
	if (!strpbrk(v, "*?[")) {
		char *disp = path_tilde(path.data);

		rc = parse_file(p, path.data, disp);
		free(disp);
		buf_release(&path);
		return rc;
	}
	memset(&g, 0, sizeof(g));
	gr = glob(path.data, 0, NULL, &g);
	if (gr != 0 && gr != GLOB_NOMATCH) {
		rc = err_set(p->err, ERR_CONFIG, "include: cannot expand "
			"\"%.200s\"", v);
		goto out;
	}
	for (i = 0; gr == 0 && i < g.gl_pathc && rc == 0; i++) {
		char *disp = path_tilde(g.gl_pathv[i]);

		rc = parse_file(p, g.gl_pathv[i], disp);
		free(disp);
	}
out:
	if (gr == 0)
		globfree(&g);
	buf_release(&path);
	return rc;
}

static int
check_mode(struct parser *p, struct source *src)
{
	if (src->mode_checked)
		return 0;
	src->mode_checked = 1;
	if (!(src->st.st_mode & (S_IRGRP | S_IROTH)))
		return 0;
	p->located = 1;	/* the message names the file, not a line */
	return err_set(p->err, ERR_CONFIG, "%s: readable by others and "
		"holds a password; run: chmod 600 %s", src->disp, src->disp);
}

static int
msmtp_ignored_find(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(msmtp_ignored); i++)
		if (strcmp(msmtp_ignored[i].name, key) == 0)
			return (int)i;
	return -1;
}

/* One line (without its newline); 0 or -1 with p->err set (no location). */
static int
parse_line(struct parser *p, struct source *src, int lineno, const char *s,
	size_t len, struct buf *val)
{
	size_t i = 0, ks;
	char *key;
	int k, rc = -1, mkit = p->flavor == CONFIG_FLAVOR_MKIT, ig, dir;
	int proto = -1;		/* the key's protocol prefix, if any */

	while (len > 0 && (s[len - 1] == '\r' || is_space((unsigned char)
	    s[len - 1])))
		len--;
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	if (i == len || s[i] == '#')
		return 0;
	ks = i;
	while (i < len && !is_space((unsigned char)s[i]))
		i++;
	key = xmemdup(s + ks, i - ks);
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	k = key_find(key);
	if (k < 0 && (k = prefixed_key(key, &proto)) < 0)
		proto = -1;
	dir = strcmp(key, "defaults") == 0 || strcmp(key, "account") == 0 ||
		strcmp(key, "include") == 0;
	if (k < 0 && !dir) {
		if ((ig = msmtp_ignored_find(key)) < 0) {
			unknown_key(key, p->err);
			goto out;
		}
		warn_add(p->warn, "%s:%d: \"%s\" is not supported by mkit; "
			"ignored%s", src->disp, lineno, key,
			msmtp_ignored[ig].hint);
		rc = 0;
		goto out;
	}
	if (parse_value(s + i, len - i, mkit,
	    mkit || (k >= 0 && (keys[k].flags & KF_PATH)) ||
	    strcmp(key, "include") == 0, val, p->err) < 0) {
		err_prefix(p->err, "%s", key);
		goto out;
	}
	if (strcmp(key, "defaults") == 0) {
		if (val->len) {
			err_set(p->err, ERR_CONFIG, "defaults: takes no value");
			goto out;
		}
		p->cur = &p->defaults;
	} else if (strcmp(key, "account") == 0) {
		if (do_account(p, src, lineno, val->data ? val->data : "") < 0)
			goto out;
	} else if (strcmp(key, "include") == 0) {
		if (do_include(p, src, val->data ? val->data : "") < 0)
			goto out;
	} else {
		struct entry *en = p->cur ? p->cur : &p->defaults;
		const char *v = val->data ? val->data : "";
		struct account *a = en->acc;
		struct loc *loc = en->loc;
		struct keydef kd;

		if (proto >= 0) {
			if (!en->px[proto])
				en->px[proto] = account_alloc(NULL);
			a = en->px[proto];
			loc = en->pxloc[proto];
		}
		if ((keys[k].flags & KF_SECRET) && *v &&
		    check_mode(p, src) < 0)
			goto out;
		kd = keys[k];
		kd.name = key;	/* messages name the key as written */
		if (kd.parse(a, &kd, v, p->err) < 0)
			goto out;
		bit_set(a, k);
		loc[k].file = src->disp;
		loc[k].line = lineno;
	}
	rc = 0;
out:
	free(key);
	return rc;
}

static int
parse_file(struct parser *p, const char *path, const char *disp_in)
{
	struct source src;
	struct buf data = BUF_INIT, val = BUF_INIT;
	char *real = NULL;
	size_t pos = 0;
	int lineno = 0, rc = -1, d;

	memset(&src, 0, sizeof(src));
	src.path = path;
	src.disp = file_register(p->cfg, disp_in);
	real = realpath(path, NULL);
	if (!real)
		return err_sys(p->err, ERR_CONFIG, errno, "%s", src.disp);
	for (d = 0; d < p->depth; d++)
		if (strcmp(p->stack[d], real) == 0) {
			err_set(p->err, ERR_CONFIG, "include cycle: %s is "
				"already being read", src.disp);
			free(real);
			return -1;
		}
	if (p->depth == INCLUDE_DEPTH_MAX) {
		err_set(p->err, ERR_CONFIG, "includes nested deeper than %d",
			INCLUDE_DEPTH_MAX);
		free(real);
		return -1;
	}
	if (conf_read_file(path, src.disp, CONFIG_FILE_MAX, &data, &src.st,
		p->err) < 0) {
		free(real);
		return -1;
	}
	p->stack[p->depth++] = real;
	buf_init(&val, 0);
	while (pos < data.len) {
		const char *nl = memchr(data.data + pos, '\n', data.len - pos);
		size_t n = nl ? (size_t)(nl - (data.data + pos))
			: data.len - pos;

		lineno++;
		if (parse_line(p, &src, lineno, data.data + pos, n, &val) < 0) {
			/* errors from an include already carry their place */
			if (!p->located)
				err_prefix(p->err, "%s:%d", src.disp, lineno);
			p->located = 1;
			goto out;
		}
		pos += n + 1;
	}
	rc = 0;
out:
	p->depth--;
	free(real);
	if (val.data)
		secure_wipe(val.data, val.alloc);
	buf_release(&val);
	if (data.data)
		secure_wipe(data.data, data.len);
	buf_release(&data);
	return rc;
}

static char *
xdg_path(const char *rel)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *h = home_dir();
	struct buf b = BUF_INIT;

	if (x && x[0] == '/')
		buf_addf(&b, "%s/%s", x, rel);
	else if (h)
		buf_addf(&b, "%s/.config/%s", h, rel);
	else
		return NULL;
	return buf_detach(&b, NULL);
}

static char *
home_path(const char *rel)
{
	const char *h = home_dir();
	struct buf b = BUF_INIT;

	if (!h)
		return NULL;
	buf_addf(&b, "%s/%s", h, rel);
	return buf_detach(&b, NULL);
}

static int
exists(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0;
}

/* mkit's secure default differs from msmtp's: say so where it applies. */
static void
warn_msmtp_tls(const struct config *cfg, struct config_warnings *warn)
{
	size_t i;

	for (i = 0; i < cfg->nent; i++) {
		const struct account *a = cfg->ent[i]->acc;

		if (bit_get(a, K_TLS) || strcmp(a->name, "default") == 0)
			continue;
		warn_add(warn, "%s:%d: account \"%s\" does not set tls: mkit "
			"uses TLS (STARTTLS, port 587 unless set) where msmtp "
			"would not; add \"tls off\" for a server without TLS",
			a->file ? a->file : "?", a->line, a->name);
	}
}

struct config *
config_load(const char *path, unsigned flags, struct config_warnings *warn,
	struct err *err)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct parser p;
	char *found = NULL, *cand[5] = { NULL, NULL, NULL, NULL, NULL };
	static const enum config_flavor cand_flavor[5] = {
		CONFIG_FLAVOR_MKIT, CONFIG_FLAVOR_MSMTP, CONFIG_FLAVOR_MSMTP,
		CONFIG_FLAVOR_MPOP, CONFIG_FLAVOR_MPOP,
	};
	const char *env = getenv("MKIT_CONFIG");
	enum config_flavor flavor = CONFIG_FLAVOR_MKIT;
	struct err tmp;
	int rc, i;

	if (!err) {
		err_clear(&tmp);
		err = &tmp;
	}
	if (path || (env && *env)) {
		found = xstrdup(path ? path : env);
	} else {
		struct buf s = BUF_INIT;

		cand[0] = xdg_path("mkit/config");
		if (flags & CONFIG_FALLBACK_MSMTP) {
			cand[1] = home_path(".msmtprc");
			cand[2] = xdg_path("msmtp/config");
		}
		if (flags & CONFIG_FALLBACK_MPOP) {
			cand[3] = home_path(".mpoprc");
			cand[4] = xdg_path("mpop/config");
		}
		for (i = 0; i < 5; i++) {
			char *d;

			if (!cand[i])
				continue;
			if (!found && exists(cand[i])) {
				found = xstrdup(cand[i]);
				flavor = cand_flavor[i];
			}
			d = path_tilde(cand[i]);
			buf_addf(&s, "%s%s", s.len ? ", " : "", d);
			free(d);
			free(cand[i]);
		}
		cfg->searched = buf_detach(&s, NULL);
		if (!found)
			return cfg;
	}
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.warn = warn;
	p.err = err;
	p.flavor = flavor;
	p.defaults.acc = account_alloc(NULL);
	cfg->flavor = flavor;
	cfg->path = path_tilde(found);
	rc = parse_file(&p, found, cfg->path);
	account_free(p.defaults.acc);
	for (i = 0; i < ACCOUNT_PROTO_COUNT; i++)
		account_free(p.defaults.px[i]);
	free(found);
	if (rc < 0) {
		config_free(cfg);
		return NULL;
	}
	if (flavor == CONFIG_FLAVOR_MSMTP)
		warn_msmtp_tls(cfg, warn);
	return cfg;
}

/* ---- handing out accounts ---- */

static int
check_file(const struct entry *en, int k, struct err *e)
{
	const char *path = *field_str(en->acc, &keys[k].f[0]);

	if (!path || !bit_get(en->acc, k))
		return 0;
	if (access(path, R_OK) != 0) {
		err_sys(e, ERR_CONFIG, errno, "%s:%d: %s: \"%.200s\"",
			en->loc[k].file ? en->loc[k].file : "?",
			en->loc[k].line, keys[k].name, path);
		return -1;
	}
	return 0;
}

static char *
host_name(void)
{
	const char *h = getenv("HOSTNAME");
	char name[256];

	if (h && *h)
		return xstrdup(h);
	if (gethostname(name, sizeof(name)) != 0 || !name[0])
		return xstrdup("localhost");
	name[sizeof(name) - 1] = '\0';
	return xstrdup(name);
}

static char *
canonical_name(void)
{
	struct addrinfo hints, *res = NULL;
	char *h = host_name(), *c = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(h, NULL, &hints, &res) == 0 && res &&
	    res->ai_canonname)
		c = xstrdup(res->ai_canonname);
	if (res)
		freeaddrinfo(res);
	if (!c)
		return h;
	free(h);
	return c;
}

static char *
mail_name(void)
{
	struct buf b = BUF_INIT;
	char line[256];
	FILE *f = fopen("/etc/mailname", "re");

	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			buf_addstr(&b, line);
	}
	if (f)
		fclose(f);
	if (!b.len)
		return canonical_name();
	return buf_detach(&b, NULL);
}

static char *
user_name(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if ((!u || !*u) && (pw = getpwuid(getuid())))
		u = pw->pw_name;
	return xstrdup(u && *u ? u : "unknown");
}

/* msmtp's substitutions in from (%U %H %C %M) and domain (%H %C %M). */
static void
substitute(char **field, int with_user)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *v;

	if (!*field || !strchr(*field, '%'))
		return;
	for (p = *field; *p; p++) {
		if (p[0] != '%' || !strchr(with_user ? "UHCM" : "HCM", p[1])) {
			buf_addch(&b, *p);
			continue;
		}
		p++;
		v = *p == 'U' ? user_name() : *p == 'H' ? host_name() :
			*p == 'C' ? canonical_name() : mail_name();
		buf_addstr(&b, v);
		free(v);
	}
	free(*field);
	*field = buf_detach(&b, NULL);
}

/* The account of en for protocol proto: its bare keys with proto's
 * prefixed ones laid over them. */
static struct account *
resolve(const struct entry *en, enum account_proto proto, struct err *e)
{
	static const int files[] = { K_TLS_TRUST_FILE, K_TLS_CERT_FILE,
		K_TLS_KEY_FILE, K_ALIASES };
	struct entry *m = xcalloc(1, sizeof(*m));
	const struct account *px = en->px[proto];
	struct account *a = NULL;
	size_t i;
	int k;

	m->acc = account_dup(en->acc);
	memcpy(m->loc, en->loc, sizeof(m->loc));
	for (k = 0; px && k < K_COUNT; k++)
		if (bit_get(px, k)) {
			key_copy(m->acc, px, k);
			m->loc[k] = en->pxloc[proto][k];
		}
	if (!m->acc->tls_cert_file != !m->acc->tls_key_file) {
		err_set(e, ERR_CONFIG, "%s:%d: account \"%s\": tls_cert_file "
			"and tls_key_file must be set together",
			en->acc->file ? en->acc->file : "?", en->acc->line,
			en->acc->name);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (check_file(m, files[i], e) < 0)
			goto out;
	a = m->acc;
	m->acc = NULL;
	a->proto = proto;
	substitute(&a->from, 1);
	substitute(&a->domain, 0);
	account_defaults(a);
out:
	entry_free(m);
	return a;
}

struct account *
config_account(const struct config *cfg, const char *name, struct err *e)
{
	return config_account_proto(cfg, name, ACCOUNT_PROTO_SMTP, e);
}

struct account *
config_account_proto(const struct config *cfg, const char *name,
	enum account_proto proto, struct err *e)
{
	const struct entry *en;

	if ((unsigned)proto >= ACCOUNT_PROTO_COUNT)
		proto = ACCOUNT_PROTO_SMTP;
	if (!cfg->path)
		return err_set(e, ERR_CONFIG, "no configuration file (looked "
			"for %s)", cfg->searched ? cfg->searched : "none"),
			NULL;
	if (name) {
		en = entry_find(cfg, name);
		if (!en)
			return err_set(e, ERR_CONFIG, "no account "
				"\"%.100s\" in %s", name, cfg->path), NULL;
	} else {
		en = entry_find(cfg, "default");
		if (!en && cfg->nent == 1)
			en = cfg->ent[0];
		if (!en)
			return err_set(e, ERR_CONFIG, "no default account "
				"in %s (add \"account default : NAME\" or "
				"choose one)", cfg->path), NULL;
	}
	return resolve(en, proto, e);
}

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

struct account *
config_account_for_from(const struct config *cfg, const char *from,
	struct err *e)
{
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < cfg->nent; i++) {
			char *f = cfg->ent[i]->acc->from;
			int hit;

			if (!f || has_glob(f) != pass)
				continue;
			f = xstrdup(f);
			substitute(&f, 1);
			hit = pass ? fnmatch(f, from, FNM_CASEFOLD) == 0 :
				strlen(f) == strlen(from) &&
				mem_casecmp(f, from, strlen(f)) == 0;
			free(f);
			if (hit)
				return resolve(cfg->ent[i],
					ACCOUNT_PROTO_SMTP, e);
		}
	return err_set(e, ERR_CONFIG, "no account for from address "
		"\"%.200s\"%s%s", from, cfg->path ? " in " : "",
		cfg->path ? cfg->path : ""), NULL;
}
