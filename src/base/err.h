/*
 * err.h: how the library reports failure.
 *
 * Library functions return 0 (or a count, or a pointer) on success and -1
 * (or NULL) on failure, after filling the caller's struct err. The struct
 * holds fixed buffers, so the error path never allocates. The code says what
 * kind of failure it was; cmd/common.c alone turns it into a sysexits(3)
 * status. msg is for people ("smtp.example.org:587: connection refused"),
 * lowercase, no final period, never a secret. reply keeps the server's last
 * reply verbatim (sanitised to printable text) when there was one.
 */
#ifndef MKIT_ERR_H
#define MKIT_ERR_H

#include <stdarg.h>

enum err_code {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad arguments from the caller */
	ERR_DATA,	/* malformed input message or data */
	ERR_NOINPUT,	/* input file missing or unreadable */
	ERR_NOUSER,	/* recipient refused permanently (5xx on RCPT) */
	ERR_NOHOST,	/* host name does not resolve */
	ERR_UNAVAILABLE,/* permanent server refusal (other 5xx), service down */
	ERR_SOFTWARE,	/* internal error: a bug */
	ERR_OS,		/* system call failed (fork, pipe, ...) */
	ERR_CANTCREAT,	/* cannot create an output file */
	ERR_IO,		/* read/write error, connection lost */
	ERR_TEMPFAIL,	/* temporary: 4xx reply, timeout, connection refused */
	ERR_PROTOCOL,	/* server broke the protocol, or a limit was hit */
	ERR_NOPERM,	/* authentication or TLS verification failed */
	ERR_CONFIG,	/* configuration error */
};

struct err {
	enum err_code code;
	int sys_errno;		/* errno at the failure, or 0 */
	char msg[512];		/* for people; see above */
	char reply[512];	/* the server's reply, or "" */
};

void err_clear(struct err *e);
/* Set code and message, clearing any earlier reply (a server's reply is added
 * after, with err_reply); always returns -1 so callers can `return err_set()`.
 * e may be NULL (the error is then dropped). */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* As err_set, with ": strerror(errnum)" appended and sys_errno set. */
int err_sys(struct err *e, enum err_code code, int errnum, const char *fmt,
	...) __attribute__((format(printf, 4, 5)));
/* Record a server reply (len bytes, may hold CRLFs between lines): control
 * characters become spaces, line breaks become " / ". */
void err_reply(struct err *e, const char *reply, unsigned long len);
/* Prefix the message with "what: " (for adding context on the way up). */
void err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A short name for the code, for logs and JSON ("tempfail", "noperm"...). */
const char *err_code_name(enum err_code code);

#endif
