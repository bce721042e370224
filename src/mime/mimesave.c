/* mimesave.c: see mimesave.h. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "mime/mimesave.h"

int
mime_save_is_attachment(const struct mime_part *p)
{
	return p->filename || (p->disposition &&
		!strcmp(p->disposition, "attachment"));
}

int
mime_save_open(struct safefile_dir *d, const struct mime_part *p,
	int force, char **got, struct err *e)
{
	struct buf fb = BUF_INIT;
	char *name;
	int fd;

	buf_addf(&fb, "part-%s", p->section);
	name = safefile_name(p->filename, p->filename_len, fb.data);
	buf_release(&fb);
	fd = safefile_create(d, name, force, got, e);
	free(name);
	return fd;
}

int
mime_save_copy_range(int fd, unsigned long long off, unsigned long long end,
	FILE *out, struct err *e)
{
	char b[65536];

	while (off < end) {
		size_t want = end - off < sizeof b ? (size_t)(end - off) :
			sizeof b;
		ssize_t n = pread(fd, b, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, ERR_IO, "%s",
				n < 0 ? strerror(errno) : "file shrank");
		fwrite(b, 1, (size_t)n, out);
		off += (unsigned long long)n;
	}
	return 0;
}
