/*
 * common.h: what every program in cmd/ shares: its name for messages, the
 * one mapping from library error codes to sysexits(3), and error printing.
 */
#ifndef MKIT_CMD_COMMON_H
#define MKIT_CMD_COMMON_H

#include <sysexits.h>

#include "base/err.h"

/* Set the program name used in messages (basename of argv[0]). */
void prog_init(const char *argv0);
extern const char *prog_name;

/* The sysexits status for a library error code. */
int exit_code(enum err_code code);

/* The name of a sysexits(3) status ("EX_TEMPFAIL"), for log lines and
 * JSON; "EX_UNKNOWN" for any other number. */
const char *exit_name(int status);

/* "prog: msg" and, when the server said something, "prog: server said: X". */
void print_err(const struct err *e);
/* "prog: <formatted>" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print like warnx_ and exit with status. */
void diex(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * One long option of argv as given: "--name", "--name=value", or "--name"
 * with its value in the next argument. The next argument is taken only
 * when the caller asks for a value (longopt_value), so "--json --to x"
 * stays two options. Shared by the programs that parse options by hand
 * (msend's sendmail compatibility, mpop's and mimap's option words).
 */
struct longopt {
	const char *name;	/* after "--", up to any '=' */
	size_t len;		/* of the name */
	const char *val;	/* after '=', or NULL */
	int argc;
	char **argv;
	int *i;			/* the option's index; moved past a value */
};

/* Split argv[*i], which starts with "--". */
void longopt_init(struct longopt *lo, int argc, char **argv, int *i);
/* 1 when the option's name is s. */
int longopt_is(const struct longopt *lo, const char *s);
/* The option's value: after '=', else the next argument (consumed); exits
 * with EX_USAGE naming the option when there is none. */
const char *longopt_value(struct longopt *lo);
/* The value of an option that sets a config key: "on" for a bare flag
 * key ("--tls"), else longopt_value. */
const char *longopt_key_value(struct longopt *lo, int flag);
/* --help and --version, which every program takes: usage(0), or "NAME
 * (mkit) VERSION" on stdout and exit 0. Returns when lo is neither. */
void longopt_help_version(const struct longopt *lo, const char *name,
	void (*usage)(int));

struct account;
struct netacct_opts;

/*
 * The account of no (netacct_load()) with its transport ready, the
 * config's warnings printed; exits with the error's status when it
 * cannot be had. In its own object (loadacct.c): only programs that
 * connect link it and the protocol layer it needs.
 */
struct account *load_account_or_exit(const struct netacct_opts *no);

#endif
