## bench/mimap.mk: the mimap benchmark, owned by its area; append only (+=).
## A benchmark, not a test: nothing here is in TESTS or check_PROGRAMS.
## `make bench-mimap` fetches Dovecot folders of 1,000 and 10,000 messages
## with mimap (to a stream and to a maildir), curl's IMAP URL glob and a
## Python imaplib loop, and times search and flag; see bench/mimap/run.sh.
## BENCH_MIMAP_SIZES picks the folder sizes.

EXTRA_DIST += bench/mimap/run.sh
BENCH_MIMAP_SIZES = 1000 10000
## bench/mimap/ceiling: the server alone serving the folder to a client
## that only reads (built only for make bench-mimap)
EXTRA_PROGRAMS += bench/mimap/ceiling
bench_mimap_ceiling_SOURCES = bench/mimap/ceiling.c
bench_mimap_ceiling_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
bench_mimap_ceiling_LDADD = $(OPENSSL_LIBS)
CLEANFILES += bench/mimap/ceiling

.PHONY: bench-mimap
bench-mimap: all bench/mimap/ceiling
	MKIT_BUILDDIR='$(abs_top_builddir)' \
	CEILING='$(abs_top_builddir)/bench/mimap/ceiling' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	bash '$(abs_top_srcdir)/bench/mimap/run.sh' $(BENCH_MIMAP_SIZES)

## `make bench-mimap-pull`: mimap pull of those folders into an empty
## maildir, plain and STARTTLS, and an unchanged re-pull, paired with
## mbsync and offlineimap3; see bench/mimap/pull.sh.
EXTRA_DIST += bench/mimap/pull.sh
.PHONY: bench-mimap-pull
bench-mimap-pull: all bench/mimap/ceiling
	MKIT_BUILDDIR='$(abs_top_builddir)' \
	CEILING='$(abs_top_builddir)/bench/mimap/ceiling' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	bash '$(abs_top_srcdir)/bench/mimap/pull.sh' $(BENCH_MIMAP_SIZES)
