/* t_safefile: safe base names for attachments and exclusive creation. */
#include <config.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/safefile.h"
#include "tap.h"
#include "base/util.h"

static const struct {
	const char *in, *want;
} names[] = {
	{ "report.pdf", "report.pdf" },
	{ "../../etc/passwd", "passwd" },
	{ "/abs/path/x.txt", "x.txt" },
	{ "..\\..\\win.ini", "win.ini" },
	{ ".bashrc", "bashrc" },
	{ "...", "fb" },
	{ "..", "fb" },
	{ "", "fb" },
	{ NULL, "fb" },
	{ "dir/", "fb" },
	{ "a\nb\rc\x1b" "d\x7f.txt", "abcd.txt" },
	{ " -rf .txt. ", "rf .txt" },
	{ "caf\xc3\xa9.doc", "caf\xc3\xa9.doc" },
};

/* A NUL is no end: what follows it stays in the name. */
static const struct {
	const char *in;
	size_t len;
	const char *want;
} nul_names[] = {
	{ "x.txt\0.jpg", 10, "x.txt.jpg" },
	{ "a/b\0/c.txt", 10, "c.txt" },
	{ "x.txt\0/\0", 9, "fb" },
	{ "\0", 1, "fb" },
};

int
main(void)
{
	char tmpl[] = "/tmp/t_safefile.XXXXXX", path[600];
	struct safefile_dir d;
	struct err e;
	char *got = NULL, *n, *longname;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		char label[32];

		n = safefile_name(names[i].in, names[i].in ?
			strlen(names[i].in) : 0, "fb");
		snprintf(label, sizeof label, "name %zu", i);
		tap_str(n, names[i].want, label);
		free(n);
	}
	for (i = 0; i < ARRAY_SIZE(nul_names); i++) {
		char label[32];

		n = safefile_name(nul_names[i].in, nul_names[i].len, "fb");
		snprintf(label, sizeof label, "name with a NUL %zu", i);
		tap_str(n, nul_names[i].want, label);
		free(n);
	}
	longname = xmalloc(400);
	memset(longname, 'a', 199);
	memcpy(longname + 199, "\xc3\xa9\xc3\xa9", 5);
	n = safefile_name(longname, strlen(longname), "fb");
	tap_int((long)strlen(n), 199, "cut on a character boundary");
	free(n);
	free(longname);

	if (!mkdtemp(tmpl))
		return 99;
	snprintf(path, sizeof path, "%s/out", tmpl);
	tap_int(safefile_open(&d, path, &e), 0, "directory created");
	fd = safefile_create(&d, "a.txt", 0, &got, &e);
	tap_ok(fd >= 0 && !strcmp(got, "a.txt"), "first a.txt");
	close(fd);
	free(got);
	fd = safefile_create(&d, "a.txt", 1, &got, &e);
	tap_ok(fd >= 0 && !strcmp(got, "a-1.txt"),
		"same run never replaced, even with force");
	close(fd);
	free(got);
	fd = safefile_create(&d, "..", 0, &got, &e);
	tap_ok(fd < 0 && e.code == ERR_CANTCREAT, "\"..\" refused");
	fd = safefile_create(&d, "x/y", 0, &got, &e);
	tap_ok(fd < 0, "a path refused");
	safefile_close(&d);
	snprintf(path, sizeof path, "%s/out/a.txt", tmpl);
	unlink(path);
	snprintf(path, sizeof path, "%s/out/a-1.txt", tmpl);
	unlink(path);
	snprintf(path, sizeof path, "%s/out", tmpl);
	rmdir(path);
	rmdir(tmpl);
	return tap_done();
}
