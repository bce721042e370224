## src/dns: DNS queries, many in flight (c-ares), and their answers read
## (libresolv). On base only; link with $(MKIT_DNS_LIBS).
noinst_LIBRARIES += src/dns/libdns.a
src_dns_libdns_a_SOURCES = \
	src/dns/dns.c src/dns/dns.h \
	src/dns/dnsio.c src/dns/dnsio.h \
	src/dns/dnscache.c src/dns/dnscache.h \
	src/dns/dnsmsg.c src/dns/dnsmsg.h \
	src/dns/finding.c src/dns/finding.h \
	src/dns/mx.c src/dns/mx.h \
	src/dns/spf.c src/dns/spf.h \
	src/dns/dmarc.c src/dns/dmarc.h \
	src/dns/spfmacro.c src/dns/spfmacro.h \
	src/dns/spfeval.c src/dns/spfeval.h \
	src/dns/taglist.c src/dns/taglist.h \
	src/dns/sts.c src/dns/sts.h \
	src/dns/tlsrpt.c src/dns/tlsrpt.h \
	src/dns/dane.c src/dns/dane.h
src_dns_libdns_a_CPPFLAGS = $(AM_CPPFLAGS) $(CARES_CFLAGS) $(PSL_CFLAGS)

## Tests: dnsmsg from memory (t_dnsmsg); dns_drive asks a real NSD and a
## scripted hostile server (tests/dns/dnsfault.py) in tests/dns.bats.
check_PROGRAMS += tests/unit/t_dnsmsg tests/dns/dns_drive
TESTS += tests/unit/t_dnsmsg
tests_unit_t_dnsmsg_SOURCES = tests/unit/t_dnsmsg.c tests/unit/tap.h
tests_unit_t_dnsmsg_LDADD = $(MKIT_DNS_LIBS)
tests_dns_dns_drive_SOURCES = tests/dns/dns_drive.c
tests_dns_dns_drive_LDADD = $(MKIT_DNS_LIBS)
if HAVE_BATS
TESTS += tests/dns.bats
endif
EXTRA_DIST += tests/dns.bats tests/dns/dnsfault.py

FUZZ_TARGETS += dnsmsg
FUZZ_LIB_SRCS += src/dns/dnsmsg.c
FUZZ_LIB_LIBS += $(RESOLV_LIBS)
check_PROGRAMS += tests/fuzz/replay_dnsmsg
TESTS += tests/fuzz/replay_dnsmsg
tests_fuzz_replay_dnsmsg_SOURCES = tests/fuzz/fuzz_dnsmsg.c tests/fuzz/replay.c
tests_fuzz_replay_dnsmsg_LDADD = $(MKIT_DNS_LIBS)

check_PROGRAMS += tests/unit/t_spf
TESTS += tests/unit/t_spf
tests_unit_t_spf_SOURCES = tests/unit/t_spf.c tests/unit/tap.h
tests_unit_t_spf_LDADD = $(MKIT_DNS_LIBS)
FUZZ_TARGETS += spf
FUZZ_LIB_SRCS += src/dns/spf.c src/dns/dns.c src/dns/mx.c src/dns/finding.c \
	src/dns/dmarc.c
FUZZ_LIB_LIBS += $(CARES_LIBS) $(PSL_LIBS)
check_PROGRAMS += tests/fuzz/replay_spf
TESTS += tests/fuzz/replay_spf
tests_fuzz_replay_spf_SOURCES = tests/fuzz/fuzz_spf.c tests/fuzz/replay.c
tests_fuzz_replay_spf_LDADD = $(MKIT_DNS_LIBS)
check_PROGRAMS += tests/unit/t_dmarc
TESTS += tests/unit/t_dmarc
tests_unit_t_dmarc_SOURCES = tests/unit/t_dmarc.c tests/unit/tap.h
tests_unit_t_dmarc_LDADD = $(MKIT_DNS_LIBS)

## check_host() (RFC 7208): the macros from memory (t_spfmacro), the
## evaluator over a table of DNS answers in place of dns.c (t_spfeval, whose
## dns_query and dns_run answer from the table), the macro expander fuzzed.
check_PROGRAMS += tests/unit/t_spfmacro tests/unit/t_spfeval
TESTS += tests/unit/t_spfmacro tests/unit/t_spfeval
tests_unit_t_spfmacro_SOURCES = tests/unit/t_spfmacro.c tests/unit/tap.h
tests_unit_t_spfmacro_LDADD = $(MKIT_DNS_LIBS)
tests_unit_t_spfeval_SOURCES = tests/unit/t_spfeval.c tests/unit/tap.h
tests_unit_t_spfeval_LDADD = $(MKIT_DNS_LIBS)
FUZZ_TARGETS += spfmacro
FUZZ_LIB_SRCS += src/dns/spfmacro.c
check_PROGRAMS += tests/fuzz/replay_spfmacro
TESTS += tests/fuzz/replay_spfmacro
tests_fuzz_replay_spfmacro_SOURCES = tests/fuzz/fuzz_spfmacro.c \
	tests/fuzz/replay.c
tests_fuzz_replay_spfmacro_LDADD = $(MKIT_DNS_LIBS)
## MTA-STS, TLS-RPT, DANE: the parsers from memory (t_sts) and fuzzed.
check_PROGRAMS += tests/unit/t_sts
TESTS += tests/unit/t_sts
tests_unit_t_sts_SOURCES = tests/unit/t_sts.c tests/unit/tap.h
tests_unit_t_sts_LDADD = $(MKIT_DNS_LIBS)
FUZZ_TARGETS += sts
FUZZ_LIB_SRCS += src/dns/sts.c src/dns/tlsrpt.c src/dns/taglist.c \
	src/dns/dane.c
check_PROGRAMS += tests/fuzz/replay_sts
TESTS += tests/fuzz/replay_sts
tests_fuzz_replay_sts_SOURCES = tests/fuzz/fuzz_sts.c tests/fuzz/replay.c
tests_fuzz_replay_sts_LDADD = $(MKIT_DNS_LIBS)
