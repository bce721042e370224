## tests/: every test speaks TAP. C unit tests print TAP through tests/unit/tap.h;
## bats files run with --tap. Programs under test come first in PATH.
TEST_EXTENSIONS = .bats
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
BATS_LOG_DRIVER = $(LOG_DRIVER)
BATS_LOG_COMPILER = $(BATS) --tap
AM_TESTS_ENVIRONMENT = \
	PATH='$(abs_top_builddir)/cmd:$(abs_top_srcdir)/tests/servers:'"$$PATH"; \
	MKIT_SRCDIR='$(abs_top_srcdir)'; MKIT_BUILDDIR='$(abs_top_builddir)'; \
	export PATH MKIT_SRCDIR MKIT_BUILDDIR;

EXTRA_DIST += tests/unit/tap.h

if HAVE_BATS
TESTS += tests/bats/man.bats
endif
EXTRA_DIST += tests/bats/man.bats

# The layers of src/ point down; mparse links without network and protocol.
TESTS += tests/layers.sh
EXTRA_DIST += tests/layers.sh

## msend against servers without PIPELINING: strictsmtp.py (enforces it, as
## OpenSMTPD does) and Postfix with the keyword discarded; msend's usage and
## configuration errors, one line each.
if HAVE_BATS
TESTS += tests/bats/msend-strict.bats tests/bats/msend-nopipe.bats \
	tests/bats/msend-usage.bats
endif
EXTRA_DIST += tests/bats/msend-strict.bats tests/bats/msend-nopipe.bats \
	tests/bats/msend-usage.bats tests/servers/strictsmtp.py

## msend's composer: round trips through mparse and Python's email, sending
## through Postfix and smtp-sink, a 1 GB attachment in bounded memory.
if HAVE_BATS
TESTS += tests/bats/msend-compose.bats
endif
EXTRA_DIST += tests/bats/msend-compose.bats tests/compose-roundtrip.py
