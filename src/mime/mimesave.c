/* mimesave.c: see mimesave.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

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
