## src/codec.mk: owned by its area; append only (+=).
## The codec layer: base64 qp charset rfc2047 rfc2231 addr date. Depends on
## base (buf err util) and libunistring only; link with $(MKIT_CODEC_LIBS).
src_libmkit_a_SOURCES += \
	src/base64.c src/base64.h \
	src/qp.c src/qp.h \
	src/charset.c src/charset.h \
	src/rfc2047.c src/rfc2047.h \
	src/rfc2231.c src/rfc2231.h \
	src/addr.c src/addr.h \
	src/date.c src/date.h

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
