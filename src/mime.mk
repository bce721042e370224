## src/mime.mk: owned by its area; append only (+=).
## The mime layer: streaming parser, header helpers, message sources
## (mboxrd stream, maildir folder) and delivery reports. Depends on the
## codecs; link with $(MKIT_CODEC_LIBS).
src_libmkit_a_SOURCES += \
	src/mime.c src/mime.h \
	src/mboxrd.c src/mboxrd.h \
	src/mdir.c src/mdir.h \
	src/dsn.c src/dsn.h \
	src/mimesum.c src/mimesum.h \
	src/safefile.c src/safefile.h

MIME_TESTS = tests/unit/t_mime
check_PROGRAMS += $(MIME_TESTS)
TESTS += $(MIME_TESTS)
tests_unit_t_mime_SOURCES = tests/unit/t_mime.c tests/unit/tap.h
tests_unit_t_mime_LDADD = $(MKIT_CODEC_LIBS)

# Fuzzing: the parser, the mboxrd reader and DSN parsing (tests/fuzz/).
FUZZ_TARGETS += mime
EXTRA_DIST += tests/fuzz/mime.dict
FUZZ_LIB_SRCS += src/mime.c src/mboxrd.c src/dsn.c
check_PROGRAMS += tests/fuzz/replay_mime
TESTS += tests/fuzz/replay_mime
tests_fuzz_replay_mime_SOURCES = tests/fuzz/fuzz_mime.c tests/fuzz/replay.c
tests_fuzz_replay_mime_LDADD = $(MKIT_CODEC_LIBS)

check_PROGRAMS += tests/unit/t_safefile
TESTS += tests/unit/t_safefile
tests_unit_t_safefile_SOURCES = tests/unit/t_safefile.c tests/unit/tap.h
tests_unit_t_safefile_LDADD = $(MKIT_BASE_LIBS)
