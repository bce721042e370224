#!/bin/sh
# Set up (Debian 12, as root), build with sanitizers and fatal warnings, run
# the whole test suite, and end with one line "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	sh scripts/setup-debian.sh
fi
autoreconf -fi
# msend without sanitizers, for msend-usage.bats's run under valgrind (which
# cannot run an ASan build). A build in its own folder needs an unconfigured
# source tree, so it comes first.
if command -v valgrind >/dev/null; then
	if [ -f config.status ]; then
		make distclean >/dev/null 2>&1 || :
	fi
	rm -rf _build-valgrind
	mkdir _build-valgrind
	(cd _build-valgrind && ../configure -q && make -j"$(nproc)" cmd/msend)
	MKIT_VALGRIND_MSEND=$(pwd)/_build-valgrind/cmd/msend
	export MKIT_VALGRIND_MSEND
fi
./configure --enable-werror --enable-sanitizers
make -j"$(nproc)"
status=0
make -j"$(nproc)" check || status=$?
exec python3 scripts/summary.py test-suite.log "$status"
