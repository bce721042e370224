/*
 * t_util: the hex helpers, the fingerprint grammar, secure_wipe, the
 * string lists, the string pool and where state lives.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "tap.h"

#define FP32 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:" \
	"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
#define FP32_BARE "00112233445566778899AABBCCDDEEFF" \
	"00112233445566778899aabbccddeeff"
#define FP20 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"

static void
test_value(void)
{
	static const struct {
		int c, want;
	} t[] = {
		{ '0', 0 }, { '9', 9 }, { 'a', 10 }, { 'f', 15 }, { 'A', 10 },
		{ 'F', 15 }, { 'g', -1 }, { 'G', -1 }, { ':', -1 },
		{ '/', -1 }, { '@', -1 }, { '`', -1 }, { 0, -1 }, { 0xc3, -1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[32];

		snprintf(name, sizeof name, "hex_value 0x%02x", t[i].c);
		tap_int(hex_value(t[i].c), t[i].want, name);
	}
}

static void
test_encode(void)
{
	static const struct {
		const char *in;
		size_t n;
		unsigned flags;
		const char *want;
	} t[] = {
		{ "", 0, 0, "" },
		{ "", 0, HEX_COLONS, "" },
		{ "\x00\x7f\x80\xff", 4, 0, "007f80ff" },
		{ "\x00\x7f\x80\xff", 4, HEX_UPPER, "007F80FF" },
		{ "\xab\xcd\xef", 3, HEX_UPPER | HEX_COLONS, "AB:CD:EF" },
		{ "\xab", 1, HEX_COLONS, "ab" },
	};
	char out[64], esc[3] = "..";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		size_t n = hex_encode(out, t[i].in, t[i].n, t[i].flags);

		tap_str(out, t[i].want, t[i].want[0] ? t[i].want :
			"hex_encode of nothing");
		tap_int((long long)n, (long long)strlen(t[i].want),
			"hex_encode length");
	}
	hex_byte(esc, 0xe9, HEX_UPPER);
	tap_str(esc, "E9", "hex_byte upper, no NUL written");
	hex_byte(esc, 0x0a, 0);
	tap_str(esc, "0a", "hex_byte lower");
}

static void
test_decode(void)
{
	static const struct {
		const char *in;
		int sep;
		long want;
		const char *bytes;
	} t[] = {
		{ "ab:CD:ef", ':', 3, "\xab\xcd\xef" },
		{ "abCDef", ':', 3, "\xab\xcd\xef" },
		{ "ab:CDef", ':', 3, "\xab\xcd\xef" },
		{ "00", 0, 1, "\x00" },
		{ "ab:cd", 0, -1, NULL },	/* no separator allowed */
		{ "", ':', -1, NULL },
		{ ":ab", ':', -1, NULL },
		{ "ab:", ':', -1, NULL },
		{ "ab::cd", ':', -1, NULL },
		{ "abc", ':', -1, NULL },
		{ "a:bc", ':', -1, NULL },
		{ "zz", ':', -1, NULL },
		{ "ab cd", ':', -1, NULL },
		{ "0011223344", ':', -1, NULL },	/* more than outsz */
	};
	unsigned char out[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		long n = hex_decode(t[i].in, t[i].sep, out, sizeof out);
		char name[64];

		snprintf(name, sizeof name, "hex_decode \"%s\"", t[i].in);
		tap_int(n, t[i].want, name);
		if (t[i].bytes && n > 0)
			tap_mem(out, (size_t)n, t[i].bytes, (size_t)t[i].want,
				"hex_decode bytes");
	}
}

static void
test_fingerprint(void)
{
	static const struct {
		const char *in;
		long want;
	} t[] = {
		{ FP32, 32 },
		{ FP32_BARE, 32 },
		{ FP20, 20 },
		{ "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", 16 },
		{ "AB:CD", 2 },
		{ FP32 ":", -1 },
		{ ":" FP32, -1 },
		{ FP32 FP32 "00", -1 },		/* 65 bytes */
		{ "sha256:" FP32, -1 },
		{ "AB-CD", -1 },
		{ "AB CD", -1 },
		{ "", -1 },
	};
	unsigned char fp[FINGERPRINT_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[160];

		snprintf(name, sizeof name, "fingerprint_parse \"%.100s\"",
			t[i].in);
		tap_int(fingerprint_parse(t[i].in, fp), t[i].want, name);
	}
	fingerprint_parse(FP32, fp);
	tap_ok(fp[0] == 0x00 && fp[10] == 0xaa && fp[31] == 0xff,
		"fingerprint_parse bytes, case ignored");
}

static void
test_wipe(void)
{
	char buf[16];
	size_t i;
	int zero = 1;

	memset(buf, 'x', sizeof buf);
	secure_wipe(buf + 4, 8);
	for (i = 4; i < 12; i++)
		zero &= buf[i] == 0;
	tap_ok(zero && buf[3] == 'x' && buf[12] == 'x',
		"secure_wipe zeroes exactly n bytes");
	secure_wipe(NULL, 0);
	tap_ok(1, "secure_wipe(NULL, 0) is allowed");
}

static void
test_strv(void)
{
	static const struct {
		const char *list;
		int lower;
		const char *want;	/* the items joined by '|' */
	} t[] = {
		{ "", 0, "" },
		{ "Subject", 1, "subject" },
		{ "Subject", 0, "Subject" },
		{ "a, B,,  c ,", 1, "a|b|c " },
		{ " , ,", 0, "" },
		{ "1.2,3", 0, "1.2|3" },
	};
	size_t i, k;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char **v = NULL, got[64] = "";
		size_t n = 0;

		strv_add_list(&v, &n, t[i].list, t[i].lower);
		for (k = 0; k < n; k++) {
			strcat(got, v[k]);
			strcat(got, "|");
		}
		if (n)
			got[strlen(got) - 1] = '\0';
		tap_ok(strcmp(got, t[i].want) == 0, "list \"%s\": %s",
			t[i].list, got);
		strv_free(v, n);
	}
	{
		char **v = NULL;
		size_t n = 0;

		strv_add_list(&v, &n, "x", 0);
		strv_add_list(&v, &n, "y,Z", 1);
		tap_ok(n == 3 && !strcmp(v[0], "x") && !strcmp(v[2], "z"),
			"a second list appends");
		strv_free(v, n);
	}
}

/* Strings stay where they were put while the pool grows past a block;
 * one longer than a block gets its own; ASan sees any overrun or leak. */
static void
test_strpool(void)
{
	struct strpool sp = STRPOOL_INIT;
	char *first, *big, name[32], want[32];
	char *v[2000];
	size_t i, same = 0;
	struct buf b = BUF_INIT;

	first = strpool_add(&sp, "00000001abcdef", 8);
	tap_str(first, "00000001", "a copy of the bytes asked, terminated");
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "uidl-%zu", i);
		v[i] = strpool_add(&sp, name, strlen(name));
	}
	for (i = 0; i < 20000; i++)
		buf_addch(&b, (char)('a' + i % 26));
	big = strpool_add(&sp, b.data, b.len);
	for (i = 0; i < 2000; i++) {
		snprintf(want, sizeof want, "uidl-%zu", i);
		same += strcmp(v[i], want) == 0;
	}
	tap_int((long long)same, 2000, "2,000 strings over several blocks "
		"unmoved");
	tap_ok(strlen(big) == 20000 && !memcmp(big, b.data, 20000) &&
		!strcmp(first, "00000001"), "one longer than a block");
	strpool_release(&sp);
	strpool_release(&sp);
	tap_ok(sp.blk == NULL, "released (twice is fine)");
	buf_release(&b);
}

static void
test_state_dir(void)
{
	static const struct {
		const char *xdg, *home, *want;	/* want NULL: -1 */
	} t[] = {
		{ "/x/state", "/h", "/x/state/mkit/imap" },
		{ "/x/state", NULL, "/x/state/mkit/imap" },
		{ NULL, "/h", "/h/.local/state/mkit/imap" },
		{ "relative/state", "/h", "/h/.local/state/mkit/imap" },
		{ "", "/h", "/h/.local/state/mkit/imap" },
		{ NULL, NULL, NULL },
		{ "relative", "", NULL },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char name[96];
		int r;

		if (t[i].xdg)
			setenv("XDG_STATE_HOME", t[i].xdg, 1);
		else
			unsetenv("XDG_STATE_HOME");
		if (t[i].home)
			setenv("HOME", t[i].home, 1);
		else
			unsetenv("HOME");
		buf_reset(&b);
		buf_addstr(&b, "<");
		r = state_dir(&b, "imap");
		snprintf(name, sizeof name, "state_dir: XDG_STATE_HOME %s, "
			"HOME %s", t[i].xdg ? t[i].xdg : "unset",
			t[i].home ? t[i].home : "unset");
		if (t[i].want) {
			char want[64];

			snprintf(want, sizeof want, "<%s", t[i].want);
			tap_ok(r == 0, "%s: found", name);
			tap_str(b.data, want, name);
		} else {
			tap_ok(r == -1, "%s: none", name);
			tap_str(b.data, "<", "state_dir: nothing appended");
		}
	}
	unsetenv("XDG_STATE_HOME");
	buf_release(&b);
}

int
main(void)
{
	test_value();
	test_encode();
	test_decode();
	test_fingerprint();
	test_wipe();
	test_strv();
	test_strpool();
	test_state_dir();
	return tap_done();
}
