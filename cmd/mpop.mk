## cmd/mpop.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mpop
cmd_mpop_SOURCES = cmd/mpop.c
cmd_mpop_LDADD = cmd/libcmd.a $(MKIT_PROTO_LIBS)
