/* safefile.c: see safefile.h. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "store/safefile.h"

char *
safefile_name(const char *name, size_t len, const char *fallback)
{
	struct buf b = BUF_INIT;
	const char *s = name ? name : "", *end = s + (name ? len : 0), *p;

	/* The base name: after the last '/' or '\\', NULs being no end. */
	for (p = s; p < end; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (!b.len && (c == '.' || c == ' ' || c == '-'))
			continue;
		buf_addch(&b, c);
	}
	while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '.'))
		b.len--;
	if (b.len > SAFEFILE_NAME_MAX) {
		size_t n = SAFEFILE_NAME_MAX;

		while (n && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--;
		b.len = n;
	}
	if (!b.len) {
		buf_reset(&b);
		buf_addstr(&b, fallback);
	}
	if (b.data)
		b.data[b.len] = '\0';
	return buf_detach(&b, NULL);
}

int
safefile_open(struct safefile_dir *d, const char *path, struct err *e)
{
	buf_init(&d->taken, 0);
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0 && errno == ENOENT && mkdir(path, 0755) == 0)
		d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return err_sys(e, ERR_CANTCREAT, errno, "%s", path);
	return 0;
}

void
safefile_close(struct safefile_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	buf_release(&d->taken);
}

static int
taken(const struct safefile_dir *d, const char *name)
{
	const char *s = d->taken.data;
	size_t n = strlen(name);

	while (s && *s) {
		const char *nl = strchr(s, '\n');

		if ((size_t)(nl - s) == n && !memcmp(s, name, n))
			return 1;
		s = nl + 1;
	}
	return 0;
}

int
safefile_create(struct safefile_dir *d, const char *want, int force,
	char **got, struct err *e)
{
	const char *dot = strrchr(want, '.');
	size_t stem = dot && dot != want ? (size_t)(dot - want) : strlen(want);
	int i;

	if (!*want || strchr(want, '/') || !strcmp(want, ".") ||
		!strcmp(want, ".."))
		return err_set(e, ERR_CANTCREAT, "\"%s\": not a base name",
			want);
	for (i = 0; i < 10000; i++) {
		struct buf b = BUF_INIT;
		int fd;

		if (i == 0)
			buf_addstr(&b, want);
		else
			buf_addf(&b, "%.*s-%d%s", (int)stem, want, i,
				want + stem);
		if (taken(d, b.data)) {
			buf_release(&b);
			continue;
		}
		if (force && i == 0)
			unlinkat(d->fd, b.data, 0);
		fd = openat(d->fd, b.data, O_WRONLY | O_CREAT | O_EXCL |
			O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0) {
			buf_addf(&d->taken, "%s\n", b.data);
			*got = buf_detach(&b, NULL);
			return fd;
		}
		if (errno != EEXIST) {
			err_sys(e, ERR_CANTCREAT, errno, "%s", b.data);
			buf_release(&b);
			return -1;
		}
		buf_release(&b);
	}
	return err_set(e, ERR_CANTCREAT, "%s: too many files of that name",
		want);
}
