/* log.c: see log.h. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "base/log.h"
#include "base/util.h"

int
log_file(const char *path, const char *line, time_t when, struct err *e)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "a");
	char stamp[64];
	struct tm tm;

	if (!f)
		return err_set(e, ERR_CANTCREAT, "%s: %s", path,
			strerror(errno));
	localtime_r(&when, &tm);
	strftime(stamp, sizeof stamp, "%b %d %H:%M:%S", &tm);
	fprintf(f, "%s %s\n", stamp, line);
	if (f != stdout)
		fclose(f);
	return 0;
}

int
log_facility(const char *name)
{
	static const struct {
		const char *name;
		int fac;
	} t[] = {
		{ "LOG_USER", LOG_USER }, { "LOG_LOCAL0", LOG_LOCAL0 },
		{ "LOG_LOCAL1", LOG_LOCAL1 }, { "LOG_LOCAL2", LOG_LOCAL2 },
		{ "LOG_LOCAL3", LOG_LOCAL3 }, { "LOG_LOCAL4", LOG_LOCAL4 },
		{ "LOG_LOCAL5", LOG_LOCAL5 }, { "LOG_LOCAL6", LOG_LOCAL6 },
		{ "LOG_LOCAL7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(t); i++)
		if (strcmp(name, t[i].name) == 0)
			return t[i].fac;
	return LOG_MAIL;
}

void
log_syslog(const char *ident, const char *facility, int failed,
	const char *line)
{
	openlog(ident, LOG_PID, log_facility(facility));
	syslog(failed ? LOG_ERR : LOG_INFO, "%s", line);
	closelog();
}
