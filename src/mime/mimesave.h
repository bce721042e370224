/*
 * mimesave.h: parts of a message saved as files in a folder, under names
 * that come from strangers made safe (store/safefile.h): what
 * "mparse extract" does, for any tool that saves attachments.
 */
#ifndef MKIT_MIMESAVE_H
#define MKIT_MIMESAVE_H

#include <stdio.h>

#include "base/err.h"
#include "mime/mime.h"
#include "store/safefile.h"

/* 1 when p is an attachment: it has a file name, or its disposition is
 * "attachment"; else 0. */
int mime_save_is_attachment(const struct mime_part *p);

/*
 * Create the file for part p in d (opened by safefile_open): p's file
 * name reduced to a safe base name, taken whole (a NUL inside it is
 * dropped, never an end: "x.txt\0.jpg" gives "x.txt.jpg"), or
 * "part-SECTION" when nothing is left of it. Taken names and force work
 * as in safefile_create. Returns the open descriptor and sets *got to the
 * name used (caller frees), or -1 with ERR_CANTCREAT.
 */
int mime_save_open(struct safefile_dir *d, const struct mime_part *p,
	int force, char **got, struct err *e);

/*
 * Copy bytes [off, end) of the file fd to out, as they are: the raw bytes
 * of an entity from its mime_part offset and end_offset (an encapsulated
 * message, a multipart body), read again from the message's file (a pipe
 * or a stream cannot be read again). Returns 0, or -1 with ERR_IO and the
 * message strerror(errno) when reading fails, "file shrank" when the
 * file ends before end. Write errors are left in out (ferror).
 */
int mime_save_copy_range(int fd, unsigned long long off,
	unsigned long long end, FILE *out, struct err *e);

#endif
