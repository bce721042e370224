## cmd/mparse.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mparse
cmd_mparse_SOURCES = cmd/mparse.c
cmd_mparse_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
# No protocol engine, network or SASL: tests/layers.sh checks the binary.
cmd_mparse_LDADD = cmd/libcmd.a src/mime/libmime.a src/store/libstore.a \
	src/codec/libcodec.a src/base/libbase.a $(MPARSE_LIBS)
dist_man_MANS += man/mparse.1
dist_bashcompletion_DATA += completions/mparse.bash
dist_zshcompletion_DATA += completions/_mparse
dist_fishcompletion_DATA += completions/mparse.fish

if HAVE_BATS
TESTS += tests/bats/mparse.bats tests/bats/mparse-extract.bats
endif
EXTRA_DIST += tests/bats/mparse.bats tests/bats/mparse-extract.bats \
	tests/bats/mparse_helper.bash
TESTS += tests/mparse-diff.py
EXTRA_DIST += tests/mparse-diff.py
