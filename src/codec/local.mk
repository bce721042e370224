## src/codec: base64 qp charset rfc2047 rfc2231 addr date addrsplit.
## Depends on base and libunistring only; link with $(MKIT_CODEC_LIBS).
noinst_LIBRARIES += src/codec/libcodec.a
src_codec_libcodec_a_SOURCES = \
	src/codec/base64.c src/codec/base64.h \
	src/codec/qp.c src/codec/qp.h \
	src/codec/charset.c src/codec/charset.h \
	src/codec/rfc2047.c src/codec/rfc2047.h \
	src/codec/rfc2231.c src/codec/rfc2231.h \
	src/codec/addr.c src/codec/addr.h \
	src/codec/date.c src/codec/date.h \
	src/codec/addrsplit.c src/codec/addrsplit.h

# Table-driven unit tests, one per codec.
CODEC_TESTS = tests/unit/t_base64 tests/unit/t_qp tests/unit/t_charset \
	tests/unit/t_rfc2047 tests/unit/t_rfc2231 tests/unit/t_addr \
	tests/unit/t_date
check_PROGRAMS += $(CODEC_TESTS)
TESTS += $(CODEC_TESTS)
tests_unit_t_base64_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_qp_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_charset_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_rfc2047_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_rfc2231_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_addr_LDADD = $(MKIT_CODEC_LIBS)
tests_unit_t_date_LDADD = $(MKIT_CODEC_LIBS)
