## bench/local.mk: owned by its area; append only (+=).
## make bench: msend against msmtp, curl and smtp-source (root; see bench/run.sh)
EXTRA_DIST += bench/run.sh
## bench/floor: the load and session costs apart (built only for make bench)
EXTRA_PROGRAMS += bench/floor
bench_floor_SOURCES = bench/floor.c
bench_floor_LDADD = $(MKIT_PROTO_LIBS)
CLEANFILES += bench/floor
.PHONY: bench
bench: all bench/floor
	MSEND='$(abs_top_builddir)/cmd/msend' \
	FLOOR='$(abs_top_builddir)/bench/floor' \
	bash '$(abs_top_srcdir)/bench/run.sh'
## make bench-compose: msend --print vs s-nail -a and mutt -a composing a
## message with a 100 MB attachment (BENCH_MB, BENCH_ROUNDS; bench/compose.sh)
EXTRA_DIST += bench/compose.sh
.PHONY: bench-compose
bench-compose: all
	MSEND='$(abs_top_builddir)/cmd/msend' \
	bash '$(abs_top_srcdir)/bench/compose.sh'
## make bench-queue: flush 1,000 queued messages vs msend --batch of the
## same stream, to smtp-sink, paired (BENCH_N, BENCH_ROUNDS; bench/queue.sh)
EXTRA_DIST += bench/queue.sh
.PHONY: bench-queue
bench-queue: all
	MSEND='$(abs_top_builddir)/cmd/msend' \
	bash '$(abs_top_srcdir)/bench/queue.sh'
