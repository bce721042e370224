## bench/mdig-mx.mk: the mdig-mx benchmark, owned by its area; append only
## (+=). A benchmark, not a test: nothing here is in TESTS. `make
## bench-mdig-mx` (as root) installs missing peers (bind9-dnsutils,
## adns-tools), generates 1,000 domains for NSD behind a proxy delaying each
## answer 20 ms and prints mdig-mx --batch against a dig loop and adnshost,
## and one full report against its queries made in turn. BENCH_N,
## BENCH_ROUNDS, BENCH_DELAY: see bench/mdig-mx/run.sh.
EXTRA_DIST += bench/mdig-mx/run.sh bench/mdig-mx/gen_zone.py \
	bench/mdig-mx/delayproxy.py

.PHONY: bench-mdig-mx
bench-mdig-mx: all
	MDIG_MX='$(abs_top_builddir)/cmd/mdig-mx' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	bash '$(abs_top_srcdir)/bench/mdig-mx/run.sh'
