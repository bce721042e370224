/*
 * conf.h: mkit's configuration file and accounts (mkit-config(5)).
 *
 * (The file is conf.h, not config.h: <config.h> is autoconf's header and
 * src/ comes first in the include path. The functions keep the config_
 * and account_ prefixes.)
 *
 * One file for all tools: $XDG_CONFIG_HOME/mkit/config (default
 * ~/.config/mkit/config), overridden by the caller's --config FILE or by
 * $MKIT_CONFIG. The syntax is msmtprc's, a superset of it: "defaults",
 * "account NAME [: PARENT[,PARENT...]]", "account default : NAME", one
 * "key value" per line, '#' comments, double-quoted values with backslash
 * escapes, "~" and ${VAR} / $VAR expansion, "include FILE", no line-length
 * limit, CRLF tolerated. With no mkit config, ~/.msmtprc or
 * $XDG_CONFIG_HOME/msmtp/config is read as msmtp reads it (no $VAR
 * expansion, "~" only in file names), so msmtp users switch without
 * editing.
 *
 * Inheritance: an account starts from everything the "defaults" sections
 * above it set, then takes what each parent set (in order; parents must be
 * defined above), then its own lines. Keys nobody set get mkit's defaults
 * when the account is resolved (config_account), and some of those depend
 * on other keys (port on tls / tls_starttls, auth on user).
 *
 * Errors name the file and line ("~/.config/mkit/config:12: unknown key
 * \"hots\" (did you mean \"host\"?)"), with $HOME shown as "~", and have the
 * code ERR_CONFIG. Nothing here prints: warnings (msmtp keys mkit does not
 * implement, ignored options) are handed back in struct config_warnings for
 * the caller to print.
 */
#ifndef MKIT_CONF_H
#define MKIT_CONF_H

#include <stddef.h>

#include "base/err.h"

/*
 * The protocol an account is resolved for. A server key (host, port, tls*,
 * auth, user, password, passwordeval, timeout, connect_timeout, proxy_*,
 * allow_plaintext_auth, keyring) may be written with the prefix "smtp_",
 * "pop3_" or "imap_": it then applies to that protocol alone and wins over
 * the bare key; the other protocols' prefixed keys are ignored. The values
 * follow the order of enum connacc_proto (net/connacc.h).
 */
enum account_proto {
	ACCOUNT_PROTO_SMTP = 0,	/* msend; the default */
	ACCOUNT_PROTO_POP3,	/* mpop */
	ACCOUNT_PROTO_IMAP,	/* mimap */
	ACCOUNT_PROTO_COUNT
};

/* "smtp", "pop3", "imap" (also the keyring's service names). */
const char *account_proto_name(enum account_proto p);
/* The protocol called name (as above, ASCII case ignored), or -1. */
int account_proto_find(const char *name);
/*
 * The default port of proto with tls (0 or 1) and starttls (0 or 1; only
 * read when tls is 1): SMTP 25 / 587 / 465, POP3 110 / 110 / 995, IMAP
 * 143 / 143 / 993 (plain / STARTTLS / implicit TLS).
 */
unsigned account_default_port(enum account_proto p, int tls, int starttls);

/* How retrieved mail is delivered ("delivery", mpop's syntax). */
enum account_delivery {
	ACCOUNT_DELIVERY_NONE = 0,	/* not set */
	ACCOUNT_DELIVERY_MAILDIR,	/* "delivery maildir DIR" */
	ACCOUNT_DELIVERY_MBOX,		/* "delivery mbox FILE" */
	ACCOUNT_DELIVERY_MDA,		/* "delivery mda COMMAND" */
};

/* "pipelining" (mpop): use POP3 PIPELINING when the server announces it
 * (auto), or as told. */
enum account_pipelining {
	ACCOUNT_PIPELINING_AUTO = 0,
	ACCOUNT_PIPELINING_ON,
	ACCOUNT_PIPELINING_OFF,
};

/* queue_bounce: where a queued message that is dropped is reported. */
enum account_queue_bounce {
	ACCOUNT_BOUNCE_AUTO = 0,	/* stderr on a terminal, else mail */
	ACCOUNT_BOUNCE_MAIL,	/* a delivery report to the envelope sender */
	ACCOUNT_BOUNCE_STDERR,	/* stderr only */
};

/* tls_min_version. */
enum account_tls_version {
	ACCOUNT_TLS_1_2 = 0,	/* default */
	ACCOUNT_TLS_1_3,
};

/* set_from_header (msmtp semantics): auto = add From: when missing. */
enum account_header_mode {
	ACCOUNT_HEADER_AUTO = 0,
	ACCOUNT_HEADER_ON,	/* set_from_header only: replace From: */
	ACCOUNT_HEADER_OFF,
};

/* dsn_notify: a set of conditions; 0 = off (do not send NOTIFY=). */
enum account_dsn_notify {
	ACCOUNT_DSN_NEVER = 1 << 0,
	ACCOUNT_DSN_SUCCESS = 1 << 1,
	ACCOUNT_DSN_FAILURE = 1 << 2,
	ACCOUNT_DSN_DELAY = 1 << 3,
};

/* dsn_return. */
enum account_dsn_return {
	ACCOUNT_DSN_RET_OFF = 0,	/* do not send RET= */
	ACCOUNT_DSN_RET_HEADERS,	/* RET=HDRS */
	ACCOUNT_DSN_RET_FULL,		/* RET=FULL */
};

/*
 * One resolved account. Every value is final: inherited values applied,
 * "~" and variables expanded, and mkit's defaults filled in for keys that
 * were not set. Strings are NUL-terminated, owned by the account, and NULL
 * when unset (no default). On/off keys are 0 or 1. Fields are only ever
 * added to this struct, never removed or renamed.
 */
struct account {
	char *name;		/* "default" for "account default : x" */
	char *file;		/* where it was defined ("~"-abbreviated),
				   or NULL */
	int line;		/* line of its "account" line there, or 0 */

	/* Server. */
	char *host;		/* NULL: none configured (caller must supply) */
	int port;		/* 1..65535; default 25 with tls off, 587 with
				   tls_starttls on, 465 with tls on and
				   tls_starttls off */
	int tls;		/* default 1 (msmtp: 0): plaintext needs
				   "tls off" */
	int tls_starttls;	/* default 1 */
	char *tls_trust_file;	/* CA file; NULL = the system CAs ("system") */
	char *tls_fingerprint;	/* as written (SHA-256 hex with colons), or
				   NULL */
	unsigned char tls_fingerprint_sha256[32]; /* decoded, when set */
	char *tls_cert_file;	/* client certificate, or NULL */
	char *tls_key_file;	/* its key, or NULL; set iff tls_cert_file */
	int tls_certcheck;	/* default 1; 0 only when explicitly off */
	enum account_tls_version tls_min_version;
	int timeout;		/* seconds for each read/write; 0 = off;
				   default 60 */
	int connect_timeout;	/* seconds; 0 = off; default 30 */
	char *proxy_host;	/* SOCKS5 proxy, or NULL */
	int proxy_port;		/* default 1080 when proxy_host is set */

	/* Authentication. */
	int auth;		/* 1 = authenticate. Default: 1 when user is set
				   (msmtp: 0 unless "auth on") */
	char *auth_method;	/* upper-case SASL name ("PLAIN",
				   "SCRAM-SHA-256", "XOAUTH2"...), or POP3's
				   own "USER" (USER/PASS) and "APOP", or
				   NULL = choose the strongest both sides
				   offer */
	char *user;		/* login name, or NULL */
	char *password;		/* from the config; wiped when freed. Use
				   password_get() rather than reading this */
	char *passwordeval;	/* shell command printing the secret, or NULL */
	int allow_plaintext_auth; /* PLAIN/LOGIN without TLS; default 0 */
	int keyring;		/* look the password up in the system keyring
				   (password.h); default 1 */

	/* Identity and message handling (msend). */
	char *from;		/* envelope sender, msmtp's %U %H %C %M already
				   substituted; may be a wildcard pattern
				   (fnmatch), meant for account selection */
	char *domain;		/* EHLO argument, %H %C %M substituted;
				   default: this machine's fully qualified
				   host name (msmtp: "localhost") */
	unsigned dsn_notify;	/* enum account_dsn_notify bits; 0 = off */
	enum account_dsn_return dsn_return;
	enum account_header_mode set_from_header;	/* default auto */
	enum account_header_mode set_date_header;	/* auto or off */
	enum account_header_mode set_msgid_header;	/* auto or off */
	int remove_bcc_headers;	/* default 1 */
	int undisclosed_recipients; /* default 0 */
	char *aliases;		/* aliases file, or NULL */

	/* Logging. */
	char *logfile;		/* file to append a line per message, or NULL;
				   "-" = standard output */
	int syslog;		/* default 0 */
	char *syslog_facility;	/* "LOG_USER" (default when on, as msmtp),
				   "LOG_MAIL", "LOG_LOCAL0".."LOG_LOCAL7";
				   NULL when off */

	/*
	 * Retrieval (mpop; mimap reads delivery too). Set in any flavor of
	 * config; a tool that does not retrieve ignores them.
	 */
	enum account_proto proto;	/* what the server keys were resolved
					   for; ACCOUNT_PROTO_SMTP unless the
					   caller asked for another */
	enum account_delivery delivery;	/* default NONE (the caller
					   decides: mpop refuses to run) */
	char *delivery_arg;	/* the maildir or mbox path ("~" expanded),
				   or the MDA command as written (mpop's %F
				   not substituted); NULL iff NONE */
	int keep;		/* keep messages on the server; default 0 */
	int only_new;		/* fetch only messages not seen before;
				   default 1 */
	long long killsize;	/* delete (or with keep, skip) messages larger
				   than this many bytes; -1 = off (default) */
	long long skipsize;	/* skip messages larger than this; -1 = off
				   (default) */
	char *uidls_file;	/* the UIDL state file ("~" expanded, mpop's
				   %U and %H not substituted), or NULL: the
				   default under $XDG_STATE_HOME/mkit
				   (store/uidlstate.h) */
	int received_header;	/* add a Received header; default 1 */
	enum account_pipelining pipelining;	/* default auto */

	/* msend's queue (store/queue.h) and failover. host may name several
	   servers separated by blanks, tried in order. */
	int queue;		/* queue on a temporary failure; default 0 */
	int queue_lifetime;	/* seconds before a queued message is dropped;
				   default 5 days */
	char *fallback;		/* account tried when every host failed, or
				   NULL */
	enum account_queue_bounce queue_bounce;	/* default auto */

	/* mimap pull (proto/imap_pull.h) */
	char *maildir;		/* the mirror's root ("~" expanded), or NULL */
	char *pull_layout;	/* "maildir++" or "tree", or NULL */
	int pull_keep_local;	/* keep files expunged on the server */
	int pull_push_deletes;	/* expunge files removed locally */

	/* Private to conf.c: which keys were set explicitly. */
	unsigned char set_[64];
};

/* Warnings collected while loading; the caller prints them ("prog: %s"). */
struct config_warnings {
	char **msg;		/* count strings, each owned here */
	size_t count;
};

/* Release all messages; the struct is empty and reusable afterwards. */
void config_warnings_release(struct config_warnings *w);

/* Which files a tool may fall back to when there is no mkit config. */
enum config_flags {
	/* ~/.msmtprc, then $XDG_CONFIG_HOME/msmtp/config */
	CONFIG_FALLBACK_MSMTP = 1 << 0,
	/* ~/.mpoprc, then $XDG_CONFIG_HOME/mpop/config (mpop's syntax,
	 * read as msmtp's is; mpop's "filter" is warned about and ignored) */
	CONFIG_FALLBACK_MPOP = 1 << 1,
};

/* What syntax a loaded file was read with. */
enum config_flavor {
	CONFIG_FLAVOR_NONE = 0,		/* no file found */
	CONFIG_FLAVOR_MKIT,
	CONFIG_FLAVOR_MSMTP,
	CONFIG_FLAVOR_MPOP,
};

struct config;

/*
 * Load the configuration. path: the caller's --config FILE, or NULL to
 * search: $MKIT_CONFIG, then $XDG_CONFIG_HOME/mkit/config (XDG default
 * ~/.config), then (with CONFIG_FALLBACK_MSMTP) ~/.msmtprc and
 * $XDG_CONFIG_HOME/msmtp/config read with msmtp's syntax, or (with
 * CONFIG_FALLBACK_MPOP) ~/.mpoprc and $XDG_CONFIG_HOME/mpop/config read
 * with mpop's (the same syntax). A named file
 * (path or $MKIT_CONFIG) must exist; when the search finds nothing, an empty
 * config (no accounts, config_path() NULL) is returned, not an error.
 * warn may be NULL; otherwise messages are appended to it (also on failure;
 * the caller releases it either way).
 * Refuses (ERR_CONFIG) a file that holds a "password" and is readable by
 * group or others, saying how to fix it. Errors: ERR_CONFIG (syntax, bad
 * values, unreadable file, include cycle), with "file:line: " in front.
 * Returns a config the caller frees with config_free(), or NULL.
 */
struct config *config_load(const char *path, unsigned flags,
	struct config_warnings *warn, struct err *err);

/* Free everything, wiping the passwords it holds. NULL is allowed. */
void config_free(struct config *cfg);

/* The file that was loaded ("~"-abbreviated), or NULL if none was. */
const char *config_path(const struct config *cfg);
enum config_flavor config_flavor(const struct config *cfg);

/* Accounts in definition order, for listing ("default" included if
 * defined). Names are owned by cfg. */
size_t config_account_count(const struct config *cfg);
const char *config_account_name(const struct config *cfg, size_t i);

/*
 * The resolved account called name, or with name NULL the default account:
 * the account named "default" ("account default : x"), else the only
 * account if there is exactly one. Checks that the files it names
 * (tls_trust_file, tls_cert_file, tls_key_file, aliases) exist. Returns a
 * new account the caller frees with account_free(), or NULL with
 * ERR_CONFIG ("no account \"x\" in ~/.config/mkit/config", "no default
 * account in ...", "no configuration file (looked for ...)",
 * "FILE:LINE: tls_trust_file: \"/x/ca.pem\": No such file or directory").
 */
struct account *config_account(const struct config *cfg, const char *name,
	struct err *err);

/*
 * config_account() for the protocol p: the server keys prefixed with p's
 * name ("pop3_host") replace the bare ones, the other protocols' prefixed
 * keys are left out, and the default port is p's. config_account() is this
 * with ACCOUNT_PROTO_SMTP.
 */
struct account *config_account_proto(const struct config *cfg,
	const char *name, enum account_proto p, struct err *err);

/*
 * msmtp's --from auto-selection: the first account (definition order,
 * "default" included) whose from equals envelope_from (ignoring ASCII case)
 * or, when from holds *, ? or [, matches it as an fnmatch(3) pattern
 * (case-insensitive). Exact matches win over patterns. Returns a new account
 * as config_account() does, or NULL with ERR_CONFIG ("no account for from
 * address \"x\"").
 */
struct account *config_account_for_from(const struct config *cfg,
	const char *envelope_from, struct err *err);

/*
 * A fresh account with mkit's defaults and no host, for a tool run without
 * any config (msend --host ...). name may be NULL. Never fails.
 */
struct account *account_new(const char *name);
/* account_new() for protocol p (its default port). */
struct account *account_new_proto(const char *name, enum account_proto p);

/*
 * Set one key on a resolved account as if its line were in the file (the
 * value taken verbatim: no quotes, no expansion), then recompute the
 * defaults that depend on it (setting tls off makes the default port 25).
 * For command-line overrides. A key prefixed with the account's own
 * protocol ("pop3_host" on a POP3 account) is the bare key; one prefixed
 * with another protocol is accepted and ignored (checked, never applied).
 * Errors: ERR_CONFIG (unknown key, bad value),
 * the message without a location ("port: invalid value \"x\" (expected a
 * port number from 1 to 65535)"); the account is unchanged then.
 */
int account_set(struct account *acc, const char *key, const char *value,
	struct err *err);

/* Was key set explicitly (in the file, inherited, or by account_set)? For
 * a server key, the key with the account's protocol prefix counts. */
int account_is_set(const struct account *acc, const char *key);

/*
 * Append the account's settings to out as "key = value" lines (one per key,
 * the same order each time), with defaults filled in: for --pretend style
 * output and debugging. A password is shown as "*", never in clear.
 */
struct buf;
void account_format(const struct account *acc, struct buf *out);

/* A deep copy, or NULL for NULL. */
struct account *account_dup(const struct account *acc);

/* Free, wiping the password. NULL is allowed. */
void account_free(struct account *acc);

/*
 * Read a whole file that may hold secrets (a config file, ~/.netrc) into
 * out, initialised here with the cap max (bytes), and fstat it into st.
 * disp names it in messages. On failure out is wiped and released and e
 * says ERR_CONFIG: "disp: strerror" (sys_errno set: ENOENT for a file that
 * is not there), "disp: is a directory", "disp: larger than N MiB".
 */
struct stat;
int conf_read_file(const char *path, const char *disp, size_t max,
	struct buf *out, struct stat *st, struct err *e);

#endif
