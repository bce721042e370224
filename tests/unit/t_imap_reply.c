/* t_imap_reply: IMAP literal announcements. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/util.h"
#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap_reply.h"
#include "tap.h"

static const struct lit_case {
	const char *line;
	int rc;
	unsigned long long n;
} lit_cases[] = {
	{ "* 1 FETCH (BODY[] {1234}", 1, 1234 },
	{ "A1 APPEND INBOX {5+}", 1, 5 },
	{ "* 1 FETCH (BINARY[] ~{0}", 1, 0 },
	{ "{18446744073709551615}", 1, 18446744073709551615ULL },
	{ "{18446744073709551616}", -1, 0 },
	{ "{123456789012345678901}", -1, 0 },
	{ "* 1 FETCH {}", -1, 0 },
	{ "* OK done", 0, 0 },
	{ "* 1 FETCH (FLAGS (\\Seen))", 0, 0 },
	{ "x {12a}", 0, 0 },
	{ "}", 0, 0 },
	{ "", 0, 0 },
};

static void
test_imap_literal(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lit_cases); i++) {
		unsigned long long n = 0;
		int rc = imap_reply_literal(lit_cases[i].line,
			strlen(lit_cases[i].line), &n);

		tap_ok(rc == lit_cases[i].rc && (rc != 1 ||
			n == lit_cases[i].n), "imap literal '%s': %d %llu",
			lit_cases[i].line, rc, n);
	}
}

int
main(void)
{
	test_imap_literal();
	return tap_done();
}
