## src/config.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += src/conf.c src/conf.h src/password.c src/password.h

check_PROGRAMS += tests/unit/t_config
TESTS += tests/unit/t_config
tests_unit_t_config_SOURCES = tests/unit/t_config.c tests/unit/tap.h
tests_unit_t_config_LDADD = $(MKIT_BASE_LIBS)
dist_man_MANS += man/mkit-config.5
TESTS += tests/bats/keyring.bats
EXTRA_DIST += tests/bats/keyring.bats tests/bats/keyring_helper.bash
check_PROGRAMS += tests/unit/t_password
TESTS += tests/unit/t_password
tests_unit_t_password_SOURCES = tests/unit/t_password.c tests/unit/tap.h
tests_unit_t_password_LDADD = $(MKIT_BASE_LIBS)
TESTS += tests/bats/keyring-postfix.bats
EXTRA_DIST += tests/bats/keyring-postfix.bats
