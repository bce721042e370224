## src/sasl.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += src/sasl.c src/sasl.h
AM_CPPFLAGS += $(GSASL_CFLAGS) $(GSSAPI_CFLAGS)

check_PROGRAMS += tests/unit/t_sasl
TESTS += tests/unit/t_sasl
tests_unit_t_sasl_SOURCES = tests/unit/t_sasl.c tests/unit/tap.h
tests_unit_t_sasl_LDADD = $(MKIT_NET_LIBS)

# The SASL layer against a real Dovecot (IMAP AUTHENTICATE over a socket).
check_PROGRAMS += tests/sasl/sasl-imap-driver
tests_sasl_sasl_imap_driver_SOURCES = tests/sasl/sasl-imap-driver.c
tests_sasl_sasl_imap_driver_LDADD = $(MKIT_NET_LIBS)
if HAVE_BATS
TESTS += tests/sasl/dovecot-sasl.bats
endif
EXTRA_DIST += tests/sasl/dovecot-sasl.bats

# GSSAPI end to end: a throwaway MIT KDC, Dovecot with GSSAPI, Postfix, msend.
if HAVE_BATS
TESTS += tests/bats/gssapi.bats
endif
EXTRA_DIST += tests/bats/gssapi.bats tests/sasl/gssapi-lsan.supp
