/*
 * netacct.h: what every network tool does before it connects: find the
 * configuration file, choose the account, apply the command line's
 * overrides, check there is a server, start the transport, and get the
 * password (mkit-config(5), password.h).
 */
#ifndef MKIT_NETACCT_H
#define MKIT_NETACCT_H

#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"

struct transcript;

/* One "key value" from the command line (--host=H is { "host", "H" }). */
struct netacct_override {
	const char *key;
	const char *value;
};

/* Which account. All fields may be NULL (0). */
struct netacct_opts {
	const char *config;	/* --config FILE; NULL: the search of
				   config_load(), msmtp's files included */
	const char *account;	/* -a NAME; NULL: chosen as below */
	const char *from;	/* envelope sender: without an account name,
				   the account whose from matches it */
	const struct netacct_override *ov;	/* applied in order */
	size_t nov;
	const char *proto;	/* "smtp" (also NULL), "pop3" or "imap": the
				   account's server keys are resolved for it
				   (config_account_proto()), and the file
				   searched without a mkit config is msmtp's
				   for smtp, mpop's for pop3, none for imap */
};

/*
 * Load the configuration and return the account, as a new struct the
 * caller frees with account_free(). Without o->account: the account
 * matching o->from (config_account_for_from()), else the default account,
 * else, when the file has no account or an override sets "host", a fresh
 * account (account_new_proto()). A "proto" other than smtp, pop3, imap is
 * ERR_USAGE. Then the overrides (account_set()). The
 * configuration's warnings are appended to w (the caller prints and
 * releases them, also on failure). Errors (NULL returned):
 *   the errors of config_load() and config_account() (ERR_CONFIG...);
 *   ERR_USAGE  an override with an unknown key or a bad value (the
 *              message of account_set());
 *   ERR_CONFIG no host: "account \"NAME\" in FILE has no host", or "no
 *              configuration found and no --host given (see
 *              mkit-config(5))" when no file was found.
 */
struct account *netacct_load(const struct netacct_opts *o,
	struct config_warnings *w, struct err *e);

/*
 * Start the transport for the whole process (conn_global_init()): an
 * account without TLS never reads OpenSSL's TLS policy (openssl.cnf), and
 * starts sooner for it. Errors: ERR_SOFTWARE.
 */
int netacct_transport_init(const struct account *acc, struct err *e);

/*
 * The password acc logs in with, looked up through password_lookup() with
 * the keyring under service ("smtp", "pop3", "imap", as msmtp and mpop
 * store it; NULL: the name of acc->proto) and the account's host, which is
 * the protocol's (pop3_host when set). Each source's note goes to the transcript ts (may be NULL).
 * Sets *pw to the secret (free it with password_free()) or to NULL when
 * the account needs none: no auth, or a mechanism without a secret
 * (GSSAPI uses the Kerberos ticket, EXTERNAL the TLS certificate).
 * Returns 0, or -1 with the errors of password_lookup().
 */
int netacct_password(const struct account *acc, const char *service,
	struct transcript *ts, char **pw, struct err *e);

/* A long option that sets an account key: --NAME=VALUE (or --NAME VALUE)
 * is the override { key, VALUE }. */
struct netacct_longopt {
	const char *name;	/* "tls-certcheck" */
	const char *key;	/* "tls_certcheck": the name, '-' made '_' */
	int flag;		/* 1: "--NAME" alone means "on" */
};

/*
 * The connection options every network tool takes, the same for msend,
 * mpop and mimap: --host, --port, --tls, --tls-starttls, --tls-trust-file,
 * --tls-fingerprint, --tls-certcheck, --tls-cert-file, --tls-key-file,
 * --tls-min-version, --auth, --user, --passwordeval,
 * --allow-plaintext-auth, --domain, --timeout, --connect-timeout,
 * --proxy-host, --proxy-port. Ends with a NULL name.
 */
extern const struct netacct_longopt netacct_longopts[];

/* The entry of table (ended by a NULL name) named name[0..len), "--" and
 * any "=VALUE" left out; NULL when there is none. */
const struct netacct_longopt *netacct_longopt_find(
	const struct netacct_longopt *table, const char *name, size_t len);

#endif
