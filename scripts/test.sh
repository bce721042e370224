#!/bin/sh
# Set up (Debian 12, as root), build with sanitizers and fatal warnings, run
# the whole test suite, and end with one line "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	sh scripts/setup-debian.sh
fi
autoreconf -fi
./configure --enable-werror --enable-sanitizers
make -j"$(nproc)"
status=0
make -j"$(nproc)" check || status=$?
exec python3 scripts/summary.py test-suite.log "$status"
