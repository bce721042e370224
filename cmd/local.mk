## cmd/: shared support for the programs (exit codes, messages).
noinst_LIBRARIES += cmd/libcmd.a
cmd_libcmd_a_SOURCES = cmd/common.c cmd/common.h cmd/loadacct.c

dist_man_MANS += man/mkit.7
