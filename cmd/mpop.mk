## cmd/mpop.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mpop
cmd_mpop_SOURCES = cmd/mpop.c
cmd_mpop_LDADD = cmd/libcmd.a $(MKIT_PROTO_LIBS)
if HAVE_BATS
TESTS += tests/bats/mpop.bats tests/bats/mpop-fault.bats
endif
EXTRA_DIST += tests/bats/mpop.bats tests/bats/mpop-fault.bats \
	tests/servers/fakepop3.py
