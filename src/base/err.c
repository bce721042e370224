/* err.c: see err.h. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"

void
err_clear(struct err *e)
{
	if (!e)
		return;
	e->code = ERR_NONE;
	e->sys_errno = 0;
	e->msg[0] = '\0';
	e->reply[0] = '\0';
}

int
err_vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	/* A new error replaces the old one whole: a server reply is added
	 * after this (err_reply) or there is none. */
	e->code = code;
	e->sys_errno = 0;
	e->reply[0] = '\0';
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_sys(struct err *e, enum err_code code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!e)
		return -1;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(errnum));
	e->sys_errno = errnum;
	return -1;
}

void
err_reply(struct err *e, const char *reply, unsigned long len)
{
	size_t o = 0, i;

	if (!e)
		return;
	for (i = 0; i < len && o + 4 < sizeof(e->reply); i++) {
		unsigned char c = (unsigned char)reply[i];

		if (c == '\r')
			continue;
		if (c == '\n') {
			if (i + 1 < len) {
				memcpy(e->reply + o, " / ", 3);
				o += 3;
			}
			continue;
		}
		e->reply[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	e->reply[o] = '\0';
}

void
err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", pre, old);
}

const char *
err_code_name(enum err_code code)
{
	static const char *const names[] = {
		[ERR_NONE] = "ok",
		[ERR_USAGE] = "usage",
		[ERR_DATA] = "dataerr",
		[ERR_NOINPUT] = "noinput",
		[ERR_NOUSER] = "nouser",
		[ERR_NOHOST] = "nohost",
		[ERR_UNAVAILABLE] = "unavailable",
		[ERR_SOFTWARE] = "software",
		[ERR_OS] = "oserr",
		[ERR_CANTCREAT] = "cantcreat",
		[ERR_IO] = "ioerr",
		[ERR_TEMPFAIL] = "tempfail",
		[ERR_PROTOCOL] = "protocol",
		[ERR_NOPERM] = "noperm",
		[ERR_CONFIG] = "config",
	};

	if ((unsigned)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown";
}
