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

#endif
