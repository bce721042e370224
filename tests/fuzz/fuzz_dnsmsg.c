/*
 * fuzz_dnsmsg: dnsmsg_parse on hostile answers. The first input byte picks
 * the type asked (MX, TXT, A, AAAA, CNAME, TLSA); the rest is the answer to
 * "example.test". Besides memory safety it checks the contract: a parse
 * that fails says so in status and why; one that succeeds has records of
 * the type asked only when the status is ok, each of the type asked, and
 * TXT data NUL-terminated at len.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = {
		DNSMSG_MX, DNSMSG_TXT, DNSMSG_A, DNSMSG_AAAA, DNSMSG_CNAME,
		DNSMSG_TLSA,
	};
	struct dnsmsg m;
	struct err e;
	int type, rc;

	if (size < 1)
		return 0;
	type = types[data[0] % 6];
	memset(&m, 0, sizeof m);
	err_clear(&e);
	rc = dnsmsg_parse(&m, data + 1, size - 1, "example.test", type, &e);
	if (rc < 0) {
		check(m.status == DNSMSG_BAD && m.why[0] && e.msg[0]);
	} else {
		check(m.status != DNSMSG_BAD);
		check(m.nrr == 0 || m.status == DNSMSG_OK ||
			m.status == DNSMSG_NXDOMAIN ||
			m.status == DNSMSG_SERVFAIL ||
			m.status == DNSMSG_REFUSED);
		check(m.status != DNSMSG_OK || m.nrr > 0);
		for (size_t i = 0; i < m.nrr; i++) {
			check(m.rr[i].type == type && m.rr[i].data);
			if (type == DNSMSG_TXT)
				check(m.rr[i].data[m.rr[i].len] == '\0');
		}
	}
	dnsmsg_release(&m);
	return 0;
}
