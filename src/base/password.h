/*
 * password.h: where an account's secret comes from (mkit-config(5)).
 *
 * Sources, first found wins:
 *   1. "password" in the config;
 *   2. "passwordeval": run with /bin/sh -c; the first line of its standard
 *      output, trailing CR/LF stripped, is the secret (an OAuth2 token for
 *      XOAUTH2 / OAUTHBEARER). Its standard error passes through to ours.
 *      A non-zero exit status or no output is ERR_CONFIG naming the account;
 *   3. the system keyring (Secret Service), as msmtp and mpop use it: when
 *      the caller names a service, the account has a host and a user and
 *      its "keyring" key is on (the default),
 *      "secret-tool lookup host HOST service SERVICE user USER" is run
 *      (exec'd from $PATH, no shell, standard input /dev/null) and the
 *      first line of its output is the secret. It finds what
 *      "secret-tool store --label=msmtp host HOST service smtp user USER"
 *      stored, and what msmtp itself stored. The keyring is skipped, going
 *      on to the next source, when secret-tool is not in $PATH, when there
 *      is no session bus (neither $DBUS_SESSION_BUS_ADDRESS nor a socket
 *      $XDG_RUNTIME_DIR/bus), when it finds nothing, when it fails or
 *      cannot be run, and when it does not finish within the timeout
 *      (killed then); the reason goes to the caller's note function only,
 *      never to standard error. Relative $PATH entries are not searched;
 *   4. ~/.netrc, or $NETRC: the "machine HOST" entry whose login is the
 *      account's user (the first entry for the host when there is no user),
 *      else the "default" entry on the same terms; macdef bodies skipped.
 *      A netrc holding a password and readable by group or others is
 *      refused (ERR_CONFIG: "~/.netrc: readable by others and holds a
 *      password; run: chmod 600 ~/.netrc");
 *   5. a prompt on /dev/tty with echo off, only when there is a controlling
 *      terminal and PASSWORD_NO_PROMPT is not given.
 * Otherwise ERR_CONFIG: "no password for user@host (set password or
 * passwordeval, store it with secret-tool, or use ~/.netrc)".
 * Secrets are never put in error messages, notes or any command's argv.
 */
#ifndef MKIT_PASSWORD_H
#define MKIT_PASSWORD_H

#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"

enum password_flags {
	PASSWORD_NO_PROMPT = 1 << 0,	/* never ask on the terminal */
	PASSWORD_NO_KEYRING = 1 << 1,	/* never run secret-tool */
};

/* Seconds a keyring lookup may take by default. */
#define PASSWORD_KEYRING_TIMEOUT 5

/* Receives one line for people ("keyring: no entry for ..."), for -v. */
typedef void password_note_fn(void *arg, const char *msg);

/* How password_lookup() searches. A zeroed struct: no keyring, prompt. */
struct password_opts {
	unsigned flags;		/* enum password_flags */
	const char *service;	/* keyring "service" attribute: "smtp" (msend),
				   "pop3", "imap"; NULL: keyring not used */
	int keyring_timeout;	/* seconds; 0: PASSWORD_KEYRING_TIMEOUT */
	password_note_fn *note;	/* why a source gave nothing; may be NULL */
	void *note_arg;
};

/*
 * The account's secret, searching the sources above in order, as a new
 * NUL-terminated string the caller must wipe and free with password_free().
 * Errors (NULL returned): ERR_CONFIG (no source, passwordeval failed, netrc
 * unsafe or unreadable), ERR_OS (fork, pipe for passwordeval), ERR_IO
 * (reading the terminal). A failing keyring is no error: the search goes
 * on.
 */
char *password_lookup(const struct account *acc,
	const struct password_opts *opts, struct err *err);

/* password_lookup() with only flags set: the keyring is not consulted. */
char *password_get(const struct account *acc, unsigned flags,
	struct err *err);

/* argv entries password_keyring_argv() fills at most, the NULL included. */
#define PASSWORD_KEYRING_ARGC 9

/*
 * Fill argv with the secret-tool command for host, service and user (none
 * NULL): "secret-tool" "lookup" "host" HOST "service" SERVICE "user" USER,
 * then NULL. The strings are borrowed, not copied. Returns the number of
 * arguments before the NULL.
 */
size_t password_keyring_argv(const char *argv[PASSWORD_KEYRING_ARGC],
	const char *host, const char *service, const char *user);

/*
 * 1 when a D-Bus session bus is there to reach a keyring: a non-empty
 * $DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus being a socket.
 */
int password_keyring_bus(void);

/*
 * Look up host and user (user may be NULL) in the netrc file at path (NULL:
 * $NETRC, else ~/.netrc). Returns 1 and sets *password (and *login, if
 * login is not NULL, to the entry's login or NULL) as new strings; 0 when
 * the file does not exist or nothing matches; -1 with ERR_CONFIG when the
 * file is unsafe (see above) or malformed, or cannot be read.
 */
int netrc_lookup(const char *path, const char *host, const char *user,
	char **login, char **password, struct err *err);

/* secure_wipe() the string, then free it. NULL is allowed. */
void password_free(char *secret);

#endif
