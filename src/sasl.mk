## src/sasl.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += src/sasl.c src/sasl.h
AM_CPPFLAGS += $(GSASL_CFLAGS)

check_PROGRAMS += tests/unit/t_sasl
TESTS += tests/unit/t_sasl
tests_unit_t_sasl_SOURCES = tests/unit/t_sasl.c tests/unit/tap.h
tests_unit_t_sasl_LDADD = $(MKIT_NET_LIBS)
