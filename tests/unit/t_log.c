/* t_log: the log file line and the syslog facility names. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/util.h"
#include "tap.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char data[4096];
	size_t n;

	if (!f)
		return NULL;
	n = fread(data, 1, sizeof data - 1, f);
	data[n] = '\0';
	fclose(f);
	return data;
}

static void
test_file(void)
{
	char dir[] = "/tmp/t_log.XXXXXX", path[64], bad[96];
	struct err e;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/log", dir);
	/* 2026-01-02 03:04:05 UTC */
	tap_int(log_file(path, "host=h exitcode=EX_OK", 1767323045, &e), 0,
		"log_file creates the file");
	tap_int(log_file(path, "second", 1767323045 + 86400 * 40 + 1, &e), 0,
		"log_file appends");
	tap_str(slurp(path), "Jan 02 03:04:05 host=h exitcode=EX_OK\n"
		"Feb 11 03:04:06 second\n", "stamp, line, newline");
	snprintf(bad, sizeof bad, "%s/missing/log", dir);
	err_clear(&e);
	tap_int(log_file(bad, "x", 0, &e), -1, "unopenable file fails");
	tap_int(e.code, ERR_CANTCREAT, "... with ERR_CANTCREAT");
	tap_ok(strncmp(e.msg, bad, strlen(bad)) == 0 &&
		strstr(e.msg, ": No such file or directory") != NULL,
		"... naming the file and the reason");
	unlink(path);
	rmdir(dir);
}

static void
test_facility(void)
{
	static const struct {
		const char *name;
		int fac;
	} t[] = {
		{ "LOG_USER", LOG_USER }, { "LOG_MAIL", LOG_MAIL },
		{ "LOG_LOCAL0", LOG_LOCAL0 }, { "LOG_LOCAL7", LOG_LOCAL7 },
		{ NULL, LOG_MAIL }, { "log_user", LOG_MAIL },
		{ "LOG_DAEMON", LOG_MAIL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[64];

		snprintf(name, sizeof name, "facility %s",
			t[i].name ? t[i].name : "(null)");
		tap_int(log_facility(t[i].name), t[i].fac, name);
	}
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_file();
	test_facility();
	return tap_done();
}
