/*
 * safefile.h: save files whose names come from strangers (attachment
 * names) without ever writing outside the chosen directory or over a file
 * by surprise.
 */
#ifndef MKIT_SAFEFILE_H
#define MKIT_SAFEFILE_H

#include "base/buf.h"
#include "base/err.h"

#define SAFEFILE_NAME_MAX 200

/*
 * Reduce name (len bytes of UTF-8, may be NULL) to a safe base name: the
 * part after the last '/' or '\', without control characters (a NUL
 * included: "x.txt\0.jpg" gives "x.txt.jpg", never "x.txt"), without
 * leading dots, blanks and dashes or trailing dots and blanks, cut to
 * SAFEFILE_NAME_MAX bytes on a character boundary. When nothing is left,
 * fallback is used instead. Returns a string the caller frees.
 */
char *safefile_name(const char *name, size_t len, const char *fallback);

struct safefile_dir {
	int fd;			/* the directory, opened by safefile_open */
	struct buf taken;	/* names created so far, '\n'-separated */
};

/* Open (creating it if missing, one level) the target directory. */
int safefile_open(struct safefile_dir *d, const char *path, struct err *e);
void safefile_close(struct safefile_dir *d);

/*
 * Create a new file named want (a safe base name) in d with O_EXCL and
 * O_NOFOLLOW. If the name exists, or was created earlier through d, the
 * next free "stem-1.ext", "stem-2.ext"... is used; with force, an existing
 * file not created through d is first removed (never followed if it is a
 * symlink). Returns the open descriptor and sets *got to the name used
 * (caller frees), or -1 with ERR_CANTCREAT.
 */
int safefile_create(struct safefile_dir *d, const char *want, int force,
	char **got, struct err *e);

#endif
