## src/mime: the streaming parser, delivery reports, the per-part summary,
## the mparse/1 document (mimedoc: SHA-256 from libcrypto), the choice of
## the text body, parts saved as files, and a message prepared for sending
## (msgprep). On codec and store; link with $(MKIT_MIME_LIBS).
noinst_LIBRARIES += src/mime/libmime.a
src_mime_libmime_a_SOURCES = \
	src/mime/mime.c src/mime/mime.h \
	src/mime/dsn.c src/mime/dsn.h \
	src/mime/dsnbuild.c src/mime/dsnbuild.h \
	src/mime/mimesum.c src/mime/mimesum.h \
	src/mime/mimedoc.c src/mime/mimedoc.h \
	src/mime/mimetext.c src/mime/mimetext.h \
	src/mime/mimesave.c src/mime/mimesave.h \
	src/mime/msgprep.c src/mime/msgprep.h \
	src/mime/build.c src/mime/build.h \
	src/mime/mimetypes.c src/mime/mimetypes.h
src_mime_libmime_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)

MIME_TESTS = tests/unit/t_mime tests/unit/t_mimedoc
check_PROGRAMS += $(MIME_TESTS)
TESTS += $(MIME_TESTS)
tests_unit_t_mime_SOURCES = tests/unit/t_mime.c tests/unit/tap.h
tests_unit_t_mime_LDADD = $(MKIT_MIME_LIBS)
tests_unit_t_mimedoc_SOURCES = tests/unit/t_mimedoc.c tests/unit/tap.h
tests_unit_t_mimedoc_LDADD = $(MKIT_MIME_LIBS)

# Fuzzing: the parser, the mboxrd reader and DSN parsing (tests/fuzz/).
FUZZ_TARGETS += mime
EXTRA_DIST += tests/fuzz/mime.dict
FUZZ_LIB_SRCS += src/mime/mime.c src/store/mboxrd.c src/mime/dsn.c
check_PROGRAMS += tests/fuzz/replay_mime
TESTS += tests/fuzz/replay_mime
tests_fuzz_replay_mime_SOURCES = tests/fuzz/fuzz_mime.c tests/fuzz/replay.c
tests_fuzz_replay_mime_LDADD = $(MKIT_MIME_LIBS)

check_PROGRAMS += tests/unit/t_msgprep
TESTS += tests/unit/t_msgprep
tests_unit_t_msgprep_SOURCES = tests/unit/t_msgprep.c tests/unit/tap.h
tests_unit_t_msgprep_LDADD = $(MKIT_MIME_LIBS)

# The msgprep fuzz target, replayed over its corpus by make check.
FUZZ_TARGETS += msgprep
FUZZ_LIB_SRCS += src/mime/msgprep.c src/codec/addrsplit.c
check_PROGRAMS += tests/fuzz/replay_msgprep
TESTS += tests/fuzz/replay_msgprep
tests_fuzz_replay_msgprep_SOURCES = tests/fuzz/fuzz_msgprep.c tests/fuzz/replay.c
tests_fuzz_replay_msgprep_LDADD = $(MKIT_MIME_LIBS)
EXTRA_DIST += tests/fuzz/corpus/msgprep tests/fuzz/crashes/msgprep

# The MIME builder and media types.
check_PROGRAMS += tests/unit/t_build
TESTS += tests/unit/t_build
tests_unit_t_build_SOURCES = tests/unit/t_build.c tests/unit/tap.h
tests_unit_t_build_LDADD = $(MKIT_MIME_LIBS)

# the delivery report msend's queue sends, read back by dsn.h
check_PROGRAMS += tests/unit/t_dsnbuild
TESTS += tests/unit/t_dsnbuild
tests_unit_t_dsnbuild_SOURCES = tests/unit/t_dsnbuild.c tests/unit/tap.h
tests_unit_t_dsnbuild_LDADD = $(MKIT_MIME_LIBS)
