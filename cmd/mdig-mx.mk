## cmd/mdig-mx.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mdig-mx
cmd_mdig_mx_SOURCES = cmd/mdig-mx.c cmd/mdig-mx.h cmd/mdig-mx-batch.c \
	cmd/mdig-mx-report.c cmd/mdig-mx-print.c
# The SMTP engine without AUTH (smtp_begin, for --probe) and the network
# layer (--probe, and the MTA-STS policy fetch: net/https.h), never SASL or
# libgsasl: tests/layers.sh checks. libcurl and OpenSSL are loaded only
# when a check needs them (src/net/curlload.c, sslload.c): a DNS-only run
# starts 13 ms and then 6 ms sooner.
cmd_mdig_mx_LDADD = cmd/libcmd.a src/proto/libproto.a src/dns/libdns.a \
	$(MKIT_NET_LOAD_LIBS) $(MKIT_DNS_LIBS)
dist_man_MANS += man/mdig-mx.1
dist_bashcompletion_DATA += completions/mdig-mx.bash
dist_zshcompletion_DATA += completions/_mdig-mx
dist_fishcompletion_DATA += completions/mdig-mx.fish

if HAVE_BATS
TESTS += tests/bats/mdig-mx.bats tests/bats/mdig-mx-drift.bats \
	tests/bats/mdig-mx-spf.bats tests/bats/mdig-mx-dmarc.bats
TESTS += tests/bats/mdig-mx-probe.bats tests/bats/mdig-mx-batch.bats
TESTS += tests/bats/mdig-mx-sts.bats tests/bats/mdig-mx-dane.bats
endif
EXTRA_DIST += tests/bats/mdig-mx.bats tests/bats/mdig-mx-drift.bats \
	tests/bats/mdig-mx-spf.bats tests/bats/mdig-mx-dmarc.bats
cmd_mdig_mx_SOURCES += cmd/mdig-mx-spf.c cmd/mdig-mx-spf.h
if HAVE_BATS
TESTS += tests/bats/mdig-mx-spfeval.bats
endif
EXTRA_DIST += tests/bats/mdig-mx-spfeval.bats
EXTRA_DIST += tests/bats/mdig-mx-probe.bats tests/bats/mdig-mx-batch.bats
EXTRA_DIST += tests/bats/mdig-mx-sts.bats tests/bats/mdig-mx-dane.bats \
	tests/servers/stshttps.py tests/servers/blackhole.py
