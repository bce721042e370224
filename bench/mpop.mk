## bench/mpop.mk: the mpop benchmark, owned by its area; append only (+=).
## A benchmark, not a test. `make bench-mpop` builds, installs missing peers
## (as root: mpop, fetchmail), reuses or generates the mparse corpus and
## prints the table (bench/mpop/run.sh; BENCH_SIZES, BENCH_MODES,
## BENCH_ROUNDS choose the runs).
EXTRA_DIST += bench/mpop/run.sh

.PHONY: bench-mpop
bench-mpop: all bench/mpop/sink
	MKIT_BUILDDIR='$(abs_top_builddir)' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	bash '$(abs_top_srcdir)/bench/mpop/run.sh'
## bench/mpop/sink: the sink row (the server's pace with a client that
## only discards, plain or after STLS) and the ceiling row (the same
## client writing each message to a maildir, made durable by the store
## layer's own calls), built only for make bench-mpop
EXTRA_PROGRAMS += bench/mpop/sink
bench_mpop_sink_SOURCES = bench/mpop/sink.c
bench_mpop_sink_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
bench_mpop_sink_LDADD = $(MKIT_STORE_LIBS) $(OPENSSL_LIBS)
CLEANFILES += bench/mpop/sink
