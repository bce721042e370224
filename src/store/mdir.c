/* mdir.c: see mdir.h. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/util.h"
#include "store/mdir.h"

int
mdir_is_maildir(const char *dir)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int r = 0;

	buf_addf(&b, "%s/cur", dir);
	if (stat(b.data, &st) == 0 && S_ISDIR(st.st_mode))
		r = 1;
	buf_reset(&b);
	buf_addf(&b, "%s/new", dir);
	if (!r && stat(b.data, &st) == 0 && S_ISDIR(st.st_mode))
		r = 1;
	buf_release(&b);
	return r;
}

static const char *
base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(base(*(char *const *)a), base(*(char *const *)b));
}

int
mdir_list(const char *dir, struct mdir_list *l, struct err *e)
{
	static const char *const sub[] = { "cur", "new" };
	size_t alloc = 0, i;
	int opened = 0, err_no = 0;

	l->path = NULL;
	l->n = 0;
	for (i = 0; i < ARRAY_SIZE(sub); i++) {
		struct buf b = BUF_INIT;
		struct dirent *de;
		DIR *d;

		buf_addf(&b, "%s/%s", dir, sub[i]);
		d = opendir(b.data);
		if (!d) {
			err_no = errno;
			buf_release(&b);
			continue;
		}
		opened++;
		while ((de = readdir(d))) {
			struct stat st;
			char *p;

			if (de->d_name[0] == '.')
				continue;
			buf_reset(&b);
			buf_addf(&b, "%s/%s/%s", dir, sub[i], de->d_name);
			if (stat(b.data, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			p = xstrdup(b.data);
			if (l->n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				l->path = xrealloc(l->path,
					alloc * sizeof(*l->path));
			}
			l->path[l->n++] = p;
		}
		closedir(d);
		buf_release(&b);
	}
	if (!opened)
		return err_sys(e, ERR_NOINPUT, err_no, "%s: not a maildir",
			dir);
	if (l->n)
		qsort(l->path, l->n, sizeof(*l->path), cmp);
	return 0;
}

void
mdir_list_release(struct mdir_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->path[i]);
	free(l->path);
	l->path = NULL;
	l->n = 0;
}
