/*
 * fuzz_spfmacro: spf_macro_expand on hostile macro strings (the first byte
 * picks the flags and the address family). Besides memory safety: a failed
 * expansion says why and leaves the output as it was; an expanded domain
 * is at most 253 octets.
 */
#include <config.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "dns/spfmacro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static const char *
ptr_name(void *arg, const char *domain)
{
	(void)arg;
	return domain;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_env env = {
		.sender = "strong-bad@email.example.com",
		.local = "strong-bad",
		.sdomain = "email.example.com",
		.domain = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.example.com",
		.helo = "mail.example.net",
		.now = 1700000000,
		.ptr = ptr_name,
	};
	struct buf out = BUF_INIT;
	unsigned flags;
	char why[96] = "", *in;

	if (size == 0)
		return 0;
	flags = data[0] & (SPF_MACRO_EXP | SPF_MACRO_DOMAIN);
	env.family = data[0] & 4 ? AF_INET6 : AF_INET;
	memcpy(env.ip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\xcb\x01", 16);
	in = xmemdup(data + 1, size - 1);
	buf_addstr(&out, "x");
	if (spf_macro_expand(in, &env, flags, &out, why, sizeof why) < 0) {
		check(why[0] != '\0');
		check(out.len == 1);
	} else if (flags & SPF_MACRO_DOMAIN) {
		check(out.len - 1 <= 253);
	}
	buf_release(&out);
	free(in);
	return 0;
}
