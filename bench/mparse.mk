## bench/mparse.mk: the mparse benchmark, owned by its area; append only (+=).
## A benchmark, not a test: nothing here is in TESTS or check_PROGRAMS.
## `make bench-mparse` builds the programs, installs missing peers (as root,
## with apt-get), builds the GMime driver, generates the corpus under
## bench/out/mparse (reused when present) and prints the table; raw numbers
## go to bench/out/mparse-results.txt. See bench/mparse/run.sh.

EXTRA_DIST += bench/mparse/run.sh bench/mparse/gen_corpus.py \
	bench/mparse/py_parse.py bench/mparse/gmime-driver.c \
	bench/mparse/spawn-each.c

.PHONY: bench-mparse
bench-mparse: all
	MKIT_BUILDDIR='$(abs_top_builddir)' \
	BENCH_OUT='$(abs_top_builddir)/bench/out' \
	$(SHELL) '$(abs_top_srcdir)/bench/mparse/run.sh'
