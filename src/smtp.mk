## src/smtp.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += \
	src/addrsplit.c src/addrsplit.h \
	src/msgprep.c src/msgprep.h

check_PROGRAMS += tests/unit/t_msgprep
TESTS += tests/unit/t_msgprep
tests_unit_t_msgprep_SOURCES = tests/unit/t_msgprep.c tests/unit/tap.h
tests_unit_t_msgprep_LDADD = $(MKIT_CODEC_LIBS)
src_libmkit_a_SOURCES += src/smtp.c src/smtp.h

# The msgprep fuzz target, replayed over its corpus by make check.
FUZZ_TARGETS += msgprep
FUZZ_LIB_SRCS += src/msgprep.c src/addrsplit.c
check_PROGRAMS += tests/fuzz/replay_msgprep
TESTS += tests/fuzz/replay_msgprep
tests_fuzz_replay_msgprep_SOURCES = tests/fuzz/fuzz_msgprep.c tests/fuzz/replay.c
tests_fuzz_replay_msgprep_LDADD = $(MKIT_CODEC_LIBS)
EXTRA_DIST += tests/fuzz/corpus/msgprep tests/fuzz/crashes/msgprep
src_libmkit_a_SOURCES += src/sendmail.c src/sendmail.h
check_PROGRAMS += tests/unit/t_sendmail
TESTS += tests/unit/t_sendmail
tests_unit_t_sendmail_SOURCES = tests/unit/t_sendmail.c tests/unit/tap.h
tests_unit_t_sendmail_LDADD = $(MKIT_CODEC_LIBS)

# msend --batch: the streaming mboxrd reader and the window sender.
src_libmkit_a_SOURCES += src/batch.c src/batchread.c src/batch.h
check_PROGRAMS += tests/unit/t_batch
TESTS += tests/unit/t_batch
tests_unit_t_batch_SOURCES = tests/unit/t_batch.c tests/unit/tap.h
tests_unit_t_batch_LDADD = $(MKIT_NET_LIBS) $(UNISTRING_LIBS)

# The --batch reader against msgprep_mbox_next (differential fuzz target).
FUZZ_TARGETS += batch
FUZZ_LIB_SRCS += src/batchread.c
check_PROGRAMS += tests/fuzz/replay_batch
TESTS += tests/fuzz/replay_batch
tests_fuzz_replay_batch_SOURCES = tests/fuzz/fuzz_batch.c tests/fuzz/replay.c
tests_fuzz_replay_batch_LDADD = $(MKIT_CODEC_LIBS)
EXTRA_DIST += tests/fuzz/corpus/batch tests/fuzz/crashes/batch
