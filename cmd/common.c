/* common.c: see common.h. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char *prog_name = "mkit";

void
prog_init(const char *argv0)
{
	const char *slash;

	if (!argv0 || !*argv0)
		return;
	slash = strrchr(argv0, '/');
	prog_name = slash ? slash + 1 : argv0;
}

int
exit_code(enum err_code code)
{
	switch (code) {
	case ERR_NONE: return EX_OK;
	case ERR_USAGE: return EX_USAGE;
	case ERR_DATA: return EX_DATAERR;
	case ERR_NOINPUT: return EX_NOINPUT;
	case ERR_NOUSER: return EX_NOUSER;
	case ERR_NOHOST: return EX_NOHOST;
	case ERR_UNAVAILABLE: return EX_UNAVAILABLE;
	case ERR_SOFTWARE: return EX_SOFTWARE;
	case ERR_OS: return EX_OSERR;
	case ERR_CANTCREAT: return EX_CANTCREAT;
	case ERR_IO: return EX_IOERR;
	case ERR_TEMPFAIL: return EX_TEMPFAIL;
	case ERR_PROTOCOL: return EX_PROTOCOL;
	case ERR_NOPERM: return EX_NOPERM;
	case ERR_CONFIG: return EX_CONFIG;
	}
	return EX_SOFTWARE;
}

const char *
exit_name(int status)
{
	switch (status) {
	case EX_OK: return "EX_OK";
	case EX_USAGE: return "EX_USAGE";
	case EX_DATAERR: return "EX_DATAERR";
	case EX_NOINPUT: return "EX_NOINPUT";
	case EX_NOUSER: return "EX_NOUSER";
	case EX_NOHOST: return "EX_NOHOST";
	case EX_UNAVAILABLE: return "EX_UNAVAILABLE";
	case EX_SOFTWARE: return "EX_SOFTWARE";
	case EX_OSERR: return "EX_OSERR";
	case EX_CANTCREAT: return "EX_CANTCREAT";
	case EX_IOERR: return "EX_IOERR";
	case EX_TEMPFAIL: return "EX_TEMPFAIL";
	case EX_PROTOCOL: return "EX_PROTOCOL";
	case EX_NOPERM: return "EX_NOPERM";
	case EX_CONFIG: return "EX_CONFIG";
	}
	return "EX_UNKNOWN";
}

void
print_err(const struct err *e)
{
	fprintf(stderr, "%s: %s\n", prog_name,
		e->msg[0] ? e->msg : err_code_name(e->code));
	if (e->reply[0] && !strstr(e->msg, e->reply))
		fprintf(stderr, "%s: server said: %s\n", prog_name, e->reply);
}

static void __attribute__((format(printf, 1, 0)))
vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
diex(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
longopt_init(struct longopt *lo, int argc, char **argv, int *i)
{
	const char *eq;

	lo->name = argv[*i] + 2;
	eq = strchr(lo->name, '=');
	lo->len = eq ? (size_t)(eq - lo->name) : strlen(lo->name);
	lo->val = eq ? eq + 1 : NULL;
	lo->argc = argc;
	lo->argv = argv;
	lo->i = i;
}

int
longopt_is(const struct longopt *lo, const char *s)
{
	return strlen(s) == lo->len && strncmp(lo->name, s, lo->len) == 0;
}

const char *
longopt_value(struct longopt *lo)
{
	if (lo->val)
		return lo->val;
	if (*lo->i + 1 >= lo->argc)
		diex(EX_USAGE, "option --%.*s needs a value", (int)lo->len,
			lo->name);
	lo->val = lo->argv[++*lo->i];
	return lo->val;
}

const char *
longopt_key_value(struct longopt *lo, int flag)
{
	if (!lo->val && flag)
		return "on";
	return longopt_value(lo);
}

void
longopt_help_version(const struct longopt *lo, const char *name,
	void (*usage)(int))
{
	if (longopt_is(lo, "help"))
		usage(0);
	if (longopt_is(lo, "version")) {
		printf("%s (mkit) %s\n", name, PACKAGE_VERSION);
		exit(0);
	}
}
