/*
 * replay.c: main() for a fuzz target built without libFuzzer, so that
 * `make check` runs every seed and every saved crash through it (under
 * --enable-sanitizers this finds memory errors in them).
 *
 * With arguments, each is a file or a directory (whose regular files, not
 * starting with '.', are run in name order). Without, the program's name
 * "replay_<name>" picks $MKIT_SRCDIR/tests/fuzz/corpus/<name> and
 * .../crashes/<name>. Output is TAP: one line per directory or file. A
 * crash kills the program before the plan, which fails the test; the last
 * "# running" line names the input.
 */
#include <config.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ntest, nfail;

/* Run one file; 0, or -1 if it cannot be read. */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f)
		return -1;
	for (;;) {
		if (alloc - len < 4096) {
			alloc = alloc ? alloc * 2 : 8192;
			data = realloc(data, alloc);
			if (!data)
				abort();
		}
		n = fread(data + len, 1, alloc - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(data);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so that reading past the end is caught. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			abort();
		memcpy(exact, data, len);
		free(data);
		printf("# running %s\n", path);
		fflush(stdout);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void __attribute__((format(printf, 2, 3)))
report(int ok, const char *fmt, ...)
{
	va_list ap;

	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - ", ok ? "" : "not ", ntest);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i, bad = 0;

	if (stat(path, &st) < 0) {
		report(0, "%s: missing", path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		report(run_file(path) == 0, "%s", path);
		return;
	}
	d = opendir(path);
	if (!d) {
		report(0, "%s: cannot open", path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			names = realloc(names, alloc * sizeof *names);
			if (!names)
				abort();
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!names[n])
			abort();
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    run_file(names[i]) < 0)
			bad++;
		free(names[i]);
	}
	free(names);
	report(bad == 0, "%s (%zu inputs)", path, n);
}

int
main(int argc, char **argv)
{
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			run_path(argv[i]);
	} else {
		const char *base = strrchr(argv[0], '/');
		const char *src = getenv("MKIT_SRCDIR");
		char path[4096];

		base = base ? base + 1 : argv[0];
		if (strncmp(base, "lt-", 3) == 0)
			base += 3;
		if (strncmp(base, "replay_", 7) != 0) {
			fprintf(stderr, "usage: replay_<name> [file|dir]...\n");
			return 2;
		}
		base += 7;
		if (!src)
			src = ".";
		snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", src,
			base);
		run_path(path);
		snprintf(path, sizeof path, "%s/tests/fuzz/crashes/%s", src,
			base);
		run_path(path);
	}
	printf("1..%d\n", ntest);
	return nfail ? 1 : 0;
}
