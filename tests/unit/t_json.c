/* t_json: the JSON writer's output, table-driven for string escaping. */
#include <config.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "tap.h"

static const struct {
	const char *in;
	size_t len;
	const char *want;
} strings[] = {
	{ "plain", 5, "\"plain\"" },
	{ "q\"b\\", 4, "\"q\\\"b\\\\\"" },
	{ "a\nb\tc\r", 6, "\"a\\nb\\tc\\r\"" },
	{ "\x01\x1f", 2, "\"\\u0001\\u001f\"" },
	{ "nul\0x", 5, "\"nul\\u0000x\"" },
	{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },
	{ "\xe2\x82\xac", 3, "\"\xe2\x82\xac\"" },
	{ "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },
	{ "bad\xff", 4, "\"bad\xef\xbf\xbd\"" },
	{ "cut\xc3", 4, "\"cut\xef\xbf\xbd\"" },
	{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },	/* overlong */
	{ "\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ " ~\x7f!#[]", 7, "\" ~\x7f!#[]\"" },
};

/* Every byte alone: printable ASCII and DEL as they are, but '"' and '\\'
 * escaped; the other controls as \u00XX (the table in json.c). */
static void
each_byte(void)
{
	struct buf b = BUF_INIT;
	char want[16];
	int bad = 0;

	for (int c = 0; c < 0x80; c++) {
		char in = (char)c;

		buf_reset(&b);
		json_quote(&b, &in, 1);
		if (c == '"' || c == '\\')
			snprintf(want, sizeof want, "\"\\%c\"", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			snprintf(want, sizeof want, "\"\\%c\"",
				c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		else if (c < 0x20)
			snprintf(want, sizeof want, "\"\\u%04x\"", c);
		else
			snprintf(want, sizeof want, "\"%c\"", c);
		if (strcmp(b.data, want) != 0) {
			tap_str(b.data, want, "one byte");
			bad++;
		}
	}
	tap_ok(bad == 0, "each ASCII byte alone");
	buf_release(&b);
}

/* json_int at its bounds */
static void
ints(void)
{
	static const struct {
		long long v;
		const char *want;
	} t[] = {
		{ 0, "[0]" }, { 7, "[7]" }, { -10, "[-10]" },
		{ LLONG_MAX, "[9223372036854775807]" },
		{ LLONG_MIN, "[-9223372036854775808]" },
	};
	struct buf b = BUF_INIT;
	struct json j;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		buf_reset(&b);
		json_init(&j, &b);
		json_arr_begin(&j);
		json_int(&j, t[i].v);
		json_arr_end(&j);
		tap_str(b.data, t[i].want, t[i].want);
	}
	buf_release(&b);
}

int
main(void)
{
	struct buf b = BUF_INIT;
	struct json j;
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		buf_reset(&b);
		json_quote(&b, strings[i].in, strings[i].len);
		tap_mem(b.data, b.len, strings[i].want, strlen(strings[i].want),
			strings[i].want);
	}

	buf_reset(&b);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_key(&j, "schema");
	json_cstr(&j, "x/1");
	json_key(&j, "n");
	json_int(&j, -3);
	json_key(&j, "list");
	json_arr_begin(&j);
	json_bool(&j, 1);
	json_null(&j);
	json_cstr(&j, NULL);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_arr_end(&j);
	json_key(&j, "s");
	json_str(&j, "ab", 1);
	json_obj_end(&j);
	tap_str(b.data,
		"{\"schema\":\"x/1\",\"n\":-3,\"list\":[true,null,null,{},[]],"
		"\"s\":\"a\"}", "nested document");
	buf_release(&b);
	each_byte();
	ints();
	return tap_done();
}
