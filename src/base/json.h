/*
 * json.h: a streaming JSON writer into a struct buf.
 *
 * The writer tracks nesting and commas; the caller emits values in order:
 *   json_obj_begin(&j); json_key(&j, "n"); json_int(&j, 1); json_obj_end(&j);
 * Strings are written as valid JSON whatever the input bytes: control
 * characters are escaped, and bytes that are not valid UTF-8 become U+FFFD,
 * so output is always valid UTF-8. Nesting deeper than JSON_MAX_DEPTH is a
 * programming error (checked with assert).
 */
#ifndef MKIT_JSON_H
#define MKIT_JSON_H

#include <stddef.h>

#include "base/buf.h"

#define JSON_MAX_DEPTH 64

struct json {
	struct buf *out;
	int depth;
	unsigned char first[JSON_MAX_DEPTH];	/* no element yet at depth */
	unsigned char after_key;
};

void json_init(struct json *j, struct buf *out);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s, size_t len);
/* NUL-terminated string; NULL writes null. */
void json_cstr(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);
/* Append s (len bytes) as a quoted JSON string to out, with no separators. */
void json_quote(struct buf *out, const char *s, size_t len);

#endif
