/*
 * imap_reply.c: IMAP response pieces (see imap_reply.h).
 *
 * RFC 9051 4.3 (literals), RFC 7888 (LITERAL+), RFC 3516 (literal8).
 */
#include <config.h>

#include <stdint.h>

#include "net/pp.h"
#include "net/transcript.h"
#include "proto/imap_reply.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
imap_reply_literal(const char *line, size_t len, unsigned long long *n)
{
	size_t i, digits_end;
	unsigned long long v = 0;

	if (len < 3 || line[len - 1] != '}')
		return 0;
	i = len - 1;
	if (line[i - 1] == '+')
		i--;
	digits_end = i;
	while (i > 0 && is_digit(line[i - 1]))
		i--;
	if (i == 0 || line[i - 1] != '{')
		return 0;
	if (i == digits_end || digits_end - i > 20)
		return -1;
	for (; i < digits_end; i++) {
		unsigned d = (unsigned)(line[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*n = v;
	return 1;
}
