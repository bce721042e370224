## cmd/mimap.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/mimap
cmd_mimap_SOURCES = cmd/mimap.c
cmd_mimap_LDADD = cmd/libcmd.a $(MKIT_PROTO_LIBS)
cmd_mimap_SOURCES += cmd/mimap.h cmd/mimap-query.c cmd/mimap-fetch.c \
	cmd/mimap-edit.c
if HAVE_BATS
TESTS += tests/bats/mimap.bats
endif
EXTRA_DIST += tests/bats/mimap.bats tests/bats/mimap_helper.bash
if HAVE_BATS
TESTS += tests/bats/mimap-fallback.bats
endif
EXTRA_DIST += tests/bats/mimap-fallback.bats
if HAVE_BATS
TESTS += tests/bats/mimap-fault.bats
endif
EXTRA_DIST += tests/bats/mimap-fault.bats
dist_man_MANS += man/mimap.1
dist_bashcompletion_DATA += completions/mimap.bash
dist_zshcompletion_DATA += completions/_mimap
dist_fishcompletion_DATA += completions/mimap.fish
if HAVE_BATS
TESTS += tests/bats/mimap-drift.bats
endif
EXTRA_DIST += tests/bats/mimap-drift.bats
## mimap append: MULTIAPPEND, APPENDUID sets, spooled messages (full Dovecot)
TESTS += tests/bats/mimap-append.bats
EXTRA_DIST += tests/bats/mimap-append.bats
## mimap append without MULTIAPPEND (LITERAL+ and UIDPLUS kept)
TESTS += tests/bats/mimap-append-single.bats
EXTRA_DIST += tests/bats/mimap-append-single.bats
cmd_mimap_SOURCES += cmd/mimap-idle.c cmd/mimap-idle.h
if HAVE_BATS
TESTS += tests/bats/mimap-idle.bats tests/bats/mimap-idle-poll.bats \
	tests/bats/mimap-idle-nonotify.bats
endif
EXTRA_DIST += tests/bats/mimap-idle.bats tests/bats/mimap-idle-poll.bats \
	tests/bats/mimap-idle-nonotify.bats \
	tests/bats/mimap_idle_helper.bash
cmd_mimap_SOURCES += cmd/mimap-pull.c cmd/mimap-pull.h
if HAVE_BATS
TESTS += tests/bats/mimap-pull.bats
endif
EXTRA_DIST += tests/bats/mimap-pull.bats
if HAVE_BATS
TESTS += tests/bats/mimap-pull-condstore.bats tests/bats/mimap-pull-plain.bats
endif
EXTRA_DIST += tests/bats/mimap-pull-condstore.bats \
	tests/bats/mimap-pull-plain.bats tests/bats/pull_helper.bash
## a forwarding proxy for the faults of pull (a change between FETCH and
## STORE) and idle (a connection gone silent)
EXTRA_DIST += tests/servers/tcpproxy.py
## mimap fetch --maildir across kill -9: each message once, the server's flags
if HAVE_BATS
TESTS += tests/bats/mimap-fetch-kill.bats
endif
EXTRA_DIST += tests/bats/mimap-fetch-kill.bats
