## src/store: local mail storage. The mboxrd reader and writer, maildir
## folders, where the programs' messages come from (msgsrc), and files
## created safely. On base only; link with $(MKIT_STORE_LIBS).
noinst_LIBRARIES += src/store/libstore.a
src_store_libstore_a_SOURCES = \
	src/store/mboxrd.c src/store/mboxrd.h \
	src/store/mdir.c src/store/mdir.h \
	src/store/msgsrc.c src/store/msgsrc.h \
	src/store/safefile.c src/store/safefile.h \
	src/store/durable.c src/store/durable.h \
	src/store/deliver.c src/store/deliver.h \
	src/store/uidlstate.c src/store/uidlstate.h \
	src/store/queue.c src/store/queue.h

check_PROGRAMS += tests/unit/t_safefile
TESTS += tests/unit/t_safefile
tests_unit_t_safefile_SOURCES = tests/unit/t_safefile.c tests/unit/tap.h
tests_unit_t_safefile_LDADD = $(MKIT_STORE_LIBS)

check_PROGRAMS += tests/unit/t_mboxrd
TESTS += tests/unit/t_mboxrd
tests_unit_t_mboxrd_SOURCES = tests/unit/t_mboxrd.c tests/unit/tap.h
tests_unit_t_mboxrd_LDADD = $(MKIT_STORE_LIBS)

check_PROGRAMS += tests/unit/t_msgsrc
TESTS += tests/unit/t_msgsrc
tests_unit_t_msgsrc_SOURCES = tests/unit/t_msgsrc.c tests/unit/tap.h
tests_unit_t_msgsrc_LDADD = $(MKIT_STORE_LIBS)

# mparse and msend --batch read the same input the same way.
if HAVE_BATS
TESTS += tests/bats/mbox-agree.bats
endif
EXTRA_DIST += tests/bats/mbox-agree.bats tests/bats/batch_helper.bash

check_PROGRAMS += tests/unit/t_uidlstate
TESTS += tests/unit/t_uidlstate
tests_unit_t_uidlstate_SOURCES = tests/unit/t_uidlstate.c tests/unit/tap.h \
	tests/unit/storetest.h
tests_unit_t_uidlstate_LDADD = $(MKIT_STORE_LIBS)

check_PROGRAMS += tests/unit/t_deliver
TESTS += tests/unit/t_deliver
tests_unit_t_deliver_SOURCES = tests/unit/t_deliver.c tests/unit/tap.h \
	tests/unit/storetest.h
tests_unit_t_deliver_LDADD = $(MKIT_STORE_LIBS)

# exactly once across kill -9, in maildir and mbox
check_PROGRAMS += tests/unit/t_killdeliver
TESTS += tests/unit/t_killdeliver
tests_unit_t_killdeliver_SOURCES = tests/unit/t_killdeliver.c \
	tests/unit/tap.h tests/unit/storetest.h
tests_unit_t_killdeliver_LDADD = $(MKIT_STORE_LIBS)

# a full disk (a tiny tmpfs; needs root to mount it)
check_PROGRAMS += tests/unit/t_deliver_full
TESTS += tests/unit/t_deliver_full
tests_unit_t_deliver_full_SOURCES = tests/unit/t_deliver_full.c \
	tests/unit/tap.h tests/unit/storetest.h
tests_unit_t_deliver_full_LDADD = $(MKIT_STORE_LIBS)

# msend's spool, with kill -9 at random points
check_PROGRAMS += tests/unit/t_queue
TESTS += tests/unit/t_queue
tests_unit_t_queue_SOURCES = tests/unit/t_queue.c tests/unit/tap.h \
	tests/unit/storetest.h
tests_unit_t_queue_LDADD = $(MKIT_STORE_LIBS)

# mimap pull: the per-folder state and the UID-tagged maildir
src_store_libstore_a_SOURCES += \
	src/store/syncstate.c src/store/syncstate.h \
	src/store/mdirsync.c src/store/mdirsync.h
check_PROGRAMS += tests/unit/t_syncstate
TESTS += tests/unit/t_syncstate
tests_unit_t_syncstate_SOURCES = tests/unit/t_syncstate.c tests/unit/tap.h \
	tests/unit/storetest.h
tests_unit_t_syncstate_LDADD = $(MKIT_STORE_LIBS)

# CRLF made LF, streaming: mimap fetch and mimap pull write the wire form
# of IMAP into maildirs and pipes through it
src_store_libstore_a_SOURCES += src/store/tolf.c src/store/tolf.h
check_PROGRAMS += tests/unit/t_tolf
TESTS += tests/unit/t_tolf
tests_unit_t_tolf_SOURCES = tests/unit/t_tolf.c tests/unit/tap.h
tests_unit_t_tolf_LDADD = $(MKIT_STORE_LIBS)
