## tests/infra.mk: owned by its area; append only (+=).
if HAVE_BATS
TESTS += tests/bats/infra.bats
endif
EXTRA_DIST += tests/bats/infra.bats tests/bats/helpers.bash \
	tests/servers/servers.bash tests/servers/fakesmtp.py tests/servers/dnsq.py
EXTRA_DIST += scripts/demo.sh
