/*
 * mimetypes.h: the media type of a file to attach (msend's composer).
 *
 * By the file name's extension, from mime.types files (the format of
 * Debian's media-types package, /etc/mime.types: "type/subtype ext ext..."
 * lines, '#' comments), as mutt and s-nail do; when no file knows the
 * extension, by the first bytes of the content (magic numbers of PDF,
 * PNG, JPEG, GIF, ZIP, gzip; else text or binary).
 */
#ifndef MKIT_MIMETYPES_H
#define MKIT_MIMETYPES_H

#include <stddef.h>

/*
 * The type mime.types files give name's extension (the part after the
 * last '.', compared without case), trying files in order (NULL ends the
 * list; missing or unreadable files are skipped): a new string, or NULL
 * when none knows it or name has no extension.
 */
char *mimetypes_by_name(const char *const *files, const char *name);

/* A static type for content starting with the len bytes p: a magic
 * number's type, else "text/plain" (no NUL, valid UTF-8 allowing a
 * character cut at the end, few control characters), else
 * "application/octet-stream". */
const char *mimetypes_sniff(const void *p, size_t len);

/* The mime.types files msend reads: ~/.mime.types, then /etc/mime.types
 * (MKIT_MIME_TYPES, a file, replaces both). NULL-terminated, static. */
const char *const *mimetypes_default_files(void);

#endif
