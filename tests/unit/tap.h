/*
 * tap.h: the smallest TAP producer for the C unit tests.
 *
 * Each check prints one "ok N - name" or "not ok N - name" line; tap_done()
 * prints the plan and returns the exit status (1 if any check failed). Tests
 * are table-driven: loop over a table and call the checks per row.
 */
#ifndef MKIT_TAP_H
#define MKIT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n;
static int tap_failed;

static void __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

/* Compare two byte strings; on mismatch print both as TAP diagnostics. */
static void __attribute__((unused))
tap_mem(const void *got, size_t got_len, const void *want, size_t want_len,
	const char *name)
{
	int same = got_len == want_len &&
		(want_len == 0 || memcmp(got, want, want_len) == 0);

	tap_ok(same, "%s", name);
	if (!same) {
		printf("#   got (%zu):  '%.*s'\n", got_len, (int)got_len,
			got ? (const char *)got : "(null)");
		printf("#   want (%zu): '%.*s'\n", want_len, (int)want_len,
			(const char *)want);
	}
}

static void __attribute__((unused))
tap_str(const char *got, const char *want, const char *name)
{
	if (!got || !want) {
		tap_ok(got == want, "%s", name);
		if (got != want)
			printf("#   got '%s', want '%s'\n", got ? got : "(null)",
				want ? want : "(null)");
		return;
	}
	tap_mem(got, strlen(got), want, strlen(want), name);
}

static void __attribute__((unused))
tap_int(long long got, long long want, const char *name)
{
	tap_ok(got == want, "%s", name);
	if (got != want)
		printf("#   got %lld, want %lld\n", got, want);
}

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
