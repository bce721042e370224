## bench/local.mk: owned by its area; append only (+=).
## make bench: msend against msmtp, curl and smtp-source (root; see bench/run.sh)
EXTRA_DIST += bench/run.sh
.PHONY: bench
bench: all
	MSEND='$(abs_top_builddir)/cmd/msend' bash '$(abs_top_srcdir)/bench/run.sh'
