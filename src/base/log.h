/*
 * log.h: a line per event for the log file and for syslog(3), as msmtp's
 * logfile and syslog keys (mkit-config(5)). What a line holds is the
 * caller's (sendmail_log_line() for msend); here is where it goes.
 */
#ifndef MKIT_LOG_H
#define MKIT_LOG_H

#include <time.h>

#include "base/err.h"

/*
 * Append "Mon dd HH:MM:SS line\n" (strftime "%b %d %H:%M:%S" of when, in
 * local time) to the file at path, creating it if needed; path "-" is
 * standard output, left open. Errors: ERR_CANTCREAT "path: strerror" when
 * the file cannot be opened.
 */
int log_file(const char *path, const char *line, time_t when,
	struct err *e);

/*
 * The syslog(3) facility called name: "LOG_USER", "LOG_LOCAL0" to
 * "LOG_LOCAL7"; LOG_MAIL for "LOG_MAIL", NULL or any other name.
 */
int log_facility(const char *name);

/*
 * Send line to syslog(3) under ident (with the PID) and the facility
 * called facility (log_facility()), at LOG_ERR when failed is non-zero,
 * else LOG_INFO. Opens and closes the log around it.
 */
void log_syslog(const char *ident, const char *facility, int failed,
	const char *line);

#endif
