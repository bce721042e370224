/*
 * dns_drive: the DNS layer from the command line, for tests/dns.bats.
 *
 *   dns_drive [-1] [-s IP[:PORT]]... [-t MS] [-T] NAME TYPE [NAME TYPE]...
 *
 * Sends every query at once (one channel; -1: each once the answer before
 * it is in), then prints each answer in the
 * order asked: "NAME TYPE STATUS ad=N trusted=N [why]", then "  cname
 * TARGET" per hop and one "  TYPE DATA" line per record (TXT quoted, TLSA
 * as "U S M hex" and the length of the joined TXT as "len=N"). The last
 * line is "elapsed MS". Exit 0, or 1 on a usage or setup error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns/dns.h"

struct slot {
	struct dnsmsg *m;
};

static void
got(void *arg, struct dnsmsg *m)
{
	((struct slot *)arg)->m = m;
}

static void
print(const struct dnsmsg *m)
{
	printf("%s %s %s ad=%d validated=%d%s%s\n", m->qname,
		dnsmsg_type_name(m->qtype), dnsmsg_status_name(m->status), m->ad,
		m->ad_trusted, m->why[0] ? " " : "", m->why);
	for (size_t i = 0; i < m->ncnames; i++)
		printf("  cname %s\n", m->cnames[i]);
	for (size_t i = 0; i < m->nrr; i++) {
		const struct dnsmsg_rr *r = &m->rr[i];

		switch (r->type) {
		case DNSMSG_MX:
			printf("  MX %u %s\n", r->pref, r->data);
			break;
		case DNSMSG_TXT:
			if (r->len > 200)
				printf("  TXT len=%zu strings=%u\n", r->len,
					r->nstrings);
			else
				printf("  TXT \"%s\"\n", r->data);
			break;
		case DNSMSG_TLSA:
			printf("  TLSA %u %u %u ", r->usage, r->selector,
				r->mtype);
			for (size_t j = 0; j < r->len; j++)
				printf("%02x", (unsigned char)r->data[j]);
			putchar('\n');
			break;
		default:
			printf("  %s %s\n", dnsmsg_type_name(r->type), r->data);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *servers[8];
	struct dns_opts o = { .servers = servers };
	struct slot *slots;
	struct timespec t0, t1;
	struct err e;
	struct dns *d;
	int c, n, one = 0;

	while ((c = getopt(argc, argv, "1s:t:T")) != -1) {
		switch (c) {
		case '1':
			one = 1;
			break;
		case 's':
			if (o.nservers < 8)
				servers[o.nservers++] = optarg;
			break;
		case 't':
			o.timeout_ms = atoi(optarg);
			break;
		case 'T':
			o.trust_ad = 1;
			break;
		default:
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc % 2)
		return fprintf(stderr, "usage: dns_drive [-1] "
			"[-s IP[:PORT]]... [-t MS] [-T] NAME TYPE...\n"), 1;
	err_clear(&e);
	d = dns_new(&o, &e);
	if (!d)
		return fprintf(stderr, "dns_drive: %s\n", e.msg), 1;
	n = argc / 2;
	slots = calloc((size_t)n, sizeof *slots);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		int type = dnsmsg_type_parse(argv[2 * i + 1]);

		if (type < 0)
			return fprintf(stderr, "dns_drive: unknown type %s\n",
				argv[2 * i + 1]), 1;
		dns_query(d, argv[2 * i], type, got, &slots[i]);
		if (one && dns_run(d, &e) < 0)
			return fprintf(stderr, "dns_drive: %s\n", e.msg), 1;
	}
	if (dns_run(d, &e) < 0)
		return fprintf(stderr, "dns_drive: %s\n", e.msg), 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < n; i++) {
		print(slots[i].m);
		dnsmsg_free(slots[i].m);
	}
	printf("elapsed %ld\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		(t1.tv_nsec - t0.tv_nsec) / 1000000));
	free(slots);
	dns_free(d);
	return 0;
}
