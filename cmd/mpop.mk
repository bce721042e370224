## cmd/mpop.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mpop
cmd_mpop_SOURCES = cmd/mpop.c
cmd_mpop_LDADD = cmd/libcmd.a $(MKIT_PROTO_LIBS)
if HAVE_BATS
TESTS += tests/bats/mpop.bats tests/bats/mpop-fault.bats
endif
EXTRA_DIST += tests/bats/mpop.bats tests/bats/mpop-fault.bats \
	tests/servers/fakepop3.py
dist_man_MANS += man/mpop.1
dist_bashcompletion_DATA += completions/mpop.bash
dist_zshcompletion_DATA += completions/_mpop
dist_fishcompletion_DATA += completions/mpop.fish
if HAVE_BATS
TESTS += tests/bats/mpop-drift.bats
endif
EXTRA_DIST += tests/bats/mpop-drift.bats tests/bats/drift_helper.bash
