/*
 * password.h: where an account's secret comes from (mkit-config(5)).
 *
 * Sources, first found wins:
 *   1. "password" in the config;
 *   2. "passwordeval": run with /bin/sh -c; the first line of its standard
 *      output, trailing CR/LF stripped, is the secret (an OAuth2 token for
 *      XOAUTH2 / OAUTHBEARER). Its standard error passes through to ours.
 *      A non-zero exit status or no output is ERR_CONFIG naming the account;
 *   3. ~/.netrc, or $NETRC: the "machine HOST" entry whose login is the
 *      account's user (the first entry for the host when there is no user),
 *      else the "default" entry on the same terms; macdef bodies skipped.
 *      A netrc holding a password and readable by group or others is
 *      refused (ERR_CONFIG: "~/.netrc: readable by others and holds a
 *      password; run: chmod 600 ~/.netrc");
 *   4. a prompt on /dev/tty with echo off, only when there is a controlling
 *      terminal and PASSWORD_NO_PROMPT is not given.
 * Otherwise ERR_CONFIG: "no password for user@host (set password,
 * passwordeval or ~/.netrc)". The system keyring is not consulted.
 * Secrets are never put in error messages.
 */
#ifndef MKIT_PASSWORD_H
#define MKIT_PASSWORD_H

#include <stddef.h>

#include "conf.h"
#include "err.h"

enum password_flags {
	PASSWORD_NO_PROMPT = 1 << 0,	/* never ask on the terminal */
};

/*
 * The account's secret as a new NUL-terminated string the caller must wipe
 * and free with password_free(). Errors (NULL returned): ERR_CONFIG (no
 * source, passwordeval failed, netrc unsafe or unreadable), ERR_OS (fork,
 * pipe), ERR_IO (reading the terminal).
 */
char *password_get(const struct account *acc, unsigned flags,
	struct err *err);

/*
 * Look up host and user (user may be NULL) in the netrc file at path (NULL:
 * $NETRC, else ~/.netrc). Returns 1 and sets *password (and *login, if
 * login is not NULL, to the entry's login or NULL) as new strings; 0 when
 * the file does not exist or nothing matches; -1 with ERR_CONFIG when the
 * file is unsafe (see above) or malformed, or cannot be read.
 */
int netrc_lookup(const char *path, const char *host, const char *user,
	char **login, char **password, struct err *err);

/* explicit_bzero the string, then free it. NULL is allowed. */
void password_free(char *secret);

/* Overwrite n bytes at p in a way the compiler keeps. */
void secure_wipe(void *p, size_t n);

#endif
