## tests/fuzz/local.mk: owned by its area; append only (+=).
##
## Fuzzing. A fuzz target is tests/fuzz/fuzz_<name>.c defining
## LLVMFuzzerTestOneInput, with seeds in tests/fuzz/corpus/<name>/ (small
## files, committed) and saved crashes in tests/fuzz/crashes/<name>/
## (committed; keep a .gitkeep so the directory exists).
##
##  - `make check` builds tests/fuzz/replay_<name> (the target plus
##    tests/fuzz/replay.c, with the normal compiler and flags, so
##    --enable-sanitizers applies) and runs every seed and crash through it
##    as a TAP test.
##  - `make fuzz` builds tests/fuzz/fuzz_<name> with clang and
##    -fsanitize=fuzzer,address,undefined straight from FUZZ_LIB_SRCS and
##    runs each target for FUZZ_SECONDS (default 60) over a copy of its
##    corpus (in tests/fuzz/work/<name>, not committed); new crashes land in
##    tests/fuzz/crashes/<name>/. One target at a time. Pick targets with
##    `make fuzz FUZZ_ONLY="qp date"`; pass libFuzzer options with
##    FUZZ_ARGS (e.g. FUZZ_ARGS=-max_len=8192). A libFuzzer dictionary
##    tests/fuzz/<name>.dict is used when present (list it in EXTRA_DIST).
##
## To add a target <name> from another fragment (e.g. src/mime/local.mk):
##   FUZZ_TARGETS += <name>
##   FUZZ_LIB_SRCS += src/<layer>/<module>.c ...   # library sources it needs
##                                         # beyond base and codec
##   check_PROGRAMS += tests/fuzz/replay_<name>
##   TESTS += tests/fuzz/replay_<name>
##   tests_fuzz_replay_<name>_SOURCES = tests/fuzz/fuzz_<name>.c tests/fuzz/replay.c
##   tests_fuzz_replay_<name>_LDADD = $(MKIT_CODEC_LIBS)
## and commit tests/fuzz/corpus/<name>/ and tests/fuzz/crashes/<name>/.gitkeep.
## (FUZZ_LIB_LIBS += ... if those sources need more than libunistring.)

FUZZ_SECONDS = 60
FUZZ_ONLY =
FUZZ_ARGS =
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
# Base and codec layers; other areas append what their targets need.
FUZZ_LIB_SRCS += src/base/buf.c src/base/err.c src/base/util.c \
	src/base/json.c src/codec/base64.c src/codec/qp.c src/codec/charset.c \
	src/codec/rfc2047.c src/codec/rfc2231.c src/codec/addr.c \
	src/codec/date.c
FUZZ_LIB_LIBS += $(UNISTRING_LIBS)

FUZZ_TARGETS += base64 qp charset rfc2047 rfc2231 addr date
CODEC_FUZZ_REPLAY = tests/fuzz/replay_base64 tests/fuzz/replay_qp \
	tests/fuzz/replay_charset tests/fuzz/replay_rfc2047 \
	tests/fuzz/replay_rfc2231 tests/fuzz/replay_addr \
	tests/fuzz/replay_date
check_PROGRAMS += $(CODEC_FUZZ_REPLAY)
TESTS += $(CODEC_FUZZ_REPLAY)
tests_fuzz_replay_base64_SOURCES = tests/fuzz/fuzz_base64.c tests/fuzz/replay.c
tests_fuzz_replay_base64_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_qp_SOURCES = tests/fuzz/fuzz_qp.c tests/fuzz/replay.c
tests_fuzz_replay_qp_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_charset_SOURCES = tests/fuzz/fuzz_charset.c tests/fuzz/replay.c
tests_fuzz_replay_charset_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_rfc2047_SOURCES = tests/fuzz/fuzz_rfc2047.c tests/fuzz/replay.c
tests_fuzz_replay_rfc2047_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_rfc2231_SOURCES = tests/fuzz/fuzz_rfc2231.c tests/fuzz/replay.c
tests_fuzz_replay_rfc2231_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_addr_SOURCES = tests/fuzz/fuzz_addr.c tests/fuzz/replay.c
tests_fuzz_replay_addr_LDADD = $(MKIT_CODEC_LIBS)
tests_fuzz_replay_date_SOURCES = tests/fuzz/fuzz_date.c tests/fuzz/replay.c
tests_fuzz_replay_date_LDADD = $(MKIT_CODEC_LIBS)

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/crashes tests/fuzz/qp.dict \
	tests/fuzz/rfc2047.dict tests/fuzz/rfc2231.dict tests/fuzz/addr.dict \
	tests/fuzz/date.dict
dist_noinst_SCRIPTS += tests/fuzz/run.sh

fuzz: $(srcdir)/tests/fuzz/run.sh
	@CLANG='$(CLANG)' FUZZ_CFLAGS='$(FUZZ_CFLAGS)' \
	FUZZ_CPPFLAGS='-I$(srcdir)/src -I$(top_builddir)' \
	FUZZ_LIB_SRCS='$(FUZZ_LIB_SRCS)' FUZZ_LIB_LIBS='$(FUZZ_LIB_LIBS)' \
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_ARGS='$(FUZZ_ARGS)' \
	FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_ONLY='$(FUZZ_ONLY)' \
	$(SHELL) $(srcdir)/tests/fuzz/run.sh '$(srcdir)'

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/work
	for t in $(FUZZ_TARGETS); do rm -f tests/fuzz/fuzz_$$t; done

.PHONY: fuzz clean-fuzz

# The line layer and the protocols' reply parsers (the net sources, their
# libraries, and the reply modules of src/proto).
FUZZ_TARGETS += reply
FUZZ_LIB_SRCS += src/net/pp.c src/net/conn.c src/net/transcript.c \
	src/proto/smtp_reply.c src/proto/pop3_reply.c src/proto/imap_reply.c
FUZZ_LIB_LIBS += $(CURL_LIBS) $(OPENSSL_LIBS)
check_PROGRAMS += tests/fuzz/replay_reply
TESTS += tests/fuzz/replay_reply
tests_fuzz_replay_reply_SOURCES = tests/fuzz/fuzz_reply.c tests/fuzz/replay.c
tests_fuzz_replay_reply_LDADD = $(MKIT_PROTO_LIBS)
