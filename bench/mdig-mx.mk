## bench/mdig-mx.mk: the mdig-mx benchmark, owned by its area; append only
## (+=). A benchmark, not a test: nothing here is in TESTS. `make
## bench-mdig-mx` (as root) installs missing peers (bind9-dnsutils,
## adns-tools), generates 1,000 domains for NSD behind a proxy delaying each
## answer 20 ms and prints mdig-mx --batch against a dig loop and adnshost,
## and one full report against its queries made in turn. BENCH_N,
## BENCH_ROUNDS, BENCH_DELAY: see bench/mdig-mx/run.sh.
EXTRA_DIST += bench/mdig-mx/run.sh bench/mdig-mx/gen_zone.py
## the delaying proxy, in C (epoll, recvmmsg) so that the bench measures
## the clients and not the proxy; built without the sanitizers, optimised,
## whatever the configuration
EXTRA_PROGRAMS += bench/mdig-mx/delayproxy
bench_mdig_mx_delayproxy_SOURCES = bench/mdig-mx/delayproxy.c
bench_mdig_mx_delayproxy_CFLAGS = $(WARN_CFLAGS) -O2
bench_mdig_mx_delayproxy_LDFLAGS =
bench_mdig_mx_delayproxy_LDADD = -lpthread
CLEANFILES += bench/mdig-mx/delayproxy

.PHONY: bench-mdig-mx
bench-mdig-mx: all bench/mdig-mx/delayproxy
	MDIG_MX='$(abs_top_builddir)/cmd/mdig-mx' \
	DELAYPROXY='$(abs_top_builddir)/bench/mdig-mx/delayproxy' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	bash '$(abs_top_srcdir)/bench/mdig-mx/run.sh'
