/*
 * mimetypes.c: media types by extension and by content (see mimetypes.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "codec/charset.h"
#include "mime/mimetypes.h"

static int
ext_match(const char *tok, size_t n, const char *ext)
{
	return strlen(ext) == n && mem_casecmp(tok, ext, n) == 0;
}

/* The type on line if one of its extensions is ext, else NULL. */
static char *
line_type(const char *line, const char *ext)
{
	static const char blank[] = " \t\r\n";
	const char *p = line + strspn(line, blank);
	size_t tn = strcspn(p, blank), n;
	const char *q;

	if (!tn || *p == '#' || !memchr(p, '/', tn))
		return NULL;
	for (q = p + tn;; q += n) {
		q += strspn(q, blank);
		n = strcspn(q, blank);
		if (!n || *q == '#')
			return NULL;
		if (ext_match(q, n, ext))
			return xmemdup(p, tn);
	}
}

char *
mimetypes_by_name(const char *const *files, const char *name)
{
	const char *slash = strrchr(name, '/'), *ext;
	char *line = NULL, *type = NULL;
	size_t cap = 0;

	ext = strrchr(slash ? slash + 1 : name, '.');
	if (!ext || !ext[1])
		return NULL;
	ext++;
	for (; *files && !type; files++) {
		FILE *f = fopen(*files, "re");

		if (!f)
			continue;
		while (!type && getline(&line, &cap, f) > 0)
			type = line_type(line, ext);
		fclose(f);
	}
	free(line);
	return type;
}

/* Text: no NUL, valid UTF-8 (a character cut by the end of the sample
 * allowed), at most 1% other control characters. */
static int
looks_text(const unsigned char *p, size_t len)
{
	size_t i, ctl = 0, cut;

	if (memchr(p, 0, len))
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] < 32 && !strchr("\t\n\r\f\b\033", p[i]))
			ctl++;
	for (cut = 0; cut < 4 && cut <= len; cut++) {
		if (charset_utf8_valid(p, len - cut))
			return ctl * 100 <= len;
		if (cut < len && p[len - cut - 1] < 0x80)
			break;
	}
	return 0;
}

const char *
mimetypes_sniff(const void *p, size_t len)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *type;
	} magic[] = {
		{ "%PDF-", 5, "application/pdf" },
		{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
		{ "\xff\xd8\xff", 3, "image/jpeg" },
		{ "GIF87a", 6, "image/gif" },
		{ "GIF89a", 6, "image/gif" },
		{ "PK\x03\x04", 4, "application/zip" },
		{ "PK\x05\x06", 4, "application/zip" },
		{ "\x1f\x8b", 2, "application/gzip" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(magic); i++)
		if (len >= magic[i].len &&
			memcmp(p, magic[i].magic, magic[i].len) == 0)
			return magic[i].type;
	return looks_text(p, len) ? "text/plain" : "application/octet-stream";
}

const char *const *
mimetypes_default_files(void)
{
	static char home[4096];
	static const char *files[3];
	const char *env = getenv("MKIT_MIME_TYPES"), *h = getenv("HOME");
	size_t n = 0;

	if (env && *env) {
		files[0] = env;
		files[1] = NULL;
		return files;
	}
	if (h && *h && (size_t)snprintf(home, sizeof home, "%s/.mime.types",
		h) < sizeof home)
		files[n++] = home;
	files[n++] = "/etc/mime.types";
	files[n] = NULL;
	return files;
}
