#!/usr/bin/env bats
# msend's usage (64) and configuration (78) errors: each prints exactly its
# own one line on stderr ("msend: ..."), nothing on stdout, and never a
# "server said" line (an error struct that kept an old reply, or read one
# it never had, printed one: msend -f 'a b' once printed stack bytes).
# Nothing here connects anywhere.
#
# The last test runs every case under valgrind, to find uninitialised
# reads; it needs an msend built without sanitizers (./configure without
# --enable-sanitizers, in a build directory of its own) named by
# MKIT_VALGRIND_MSEND, as scripts/test.sh (and so CI) builds it; a plain
# `make check` without it skips this one test:
#   MKIT_VALGRIND_MSEND=/path/to/build/cmd/msend make check \
#       TESTS=tests/bats/msend-usage.bats

load helpers

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'Subject: usage\n\nbody\n' >m
	# port 1 on loopback: nothing listens, and no case gets that far
	printf 'account default\nhost 127.0.0.1\nport 1\ntls off\nauth off\nfrom alice@example.test\n' >good
	printf 'account default\nhost 127.0.0.1\nbogus_key 1\n' >badkey
	printf 'account default\nfrom alice@example.test\n' >nohost
	printf 'account default\nhost 127.0.0.1\npassword x\n' >open
	printf 'account default\nhost "127.0.0.1\n' >quote
	printf 'include loop\naccount default\nhost 127.0.0.1\n' >loop
	printf 'account default\nhost ${MKIT_NO_SUCH_VARIABLE}\n' >undef
	printf 'account default\nhost 127.0.0.1\ntls maybe\n' >badval
	printf 'account default\nhost 127.0.0.1\nport 1\ntls off\nauth plain\nallow_plaintext_auth on\nuser u\npasswordeval false\n' >pwfail
	printf 'account default\nhost 127.0.0.1\naccount default\nhost 127.0.0.2\n' >twice
	chmod 600 good badkey nohost quote loop undef badval pwfail twice
	chmod 644 open
	mkdir adir
	MSEND=(msend)
}

# case STATUS TEXT ARG...: msend ARG... < m exits with STATUS and prints
# exactly one line, "msend: " then something containing TEXT, on stderr,
# nothing on stdout.
case_() {
	local want=$1 text=$2 st=0 n
	shift 2
	"${MSEND[@]}" "$@" <m >out 2>err || st=$?
	n=$(wc -l <err)
	if [[ $st -ne $want || $n -ne 1 || -s out ]] ||
		grep -q 'server said' err ||
		[[ $(cat err) != "msend: "*"$text"* ]]; then
		printf 'case: msend'
		printf ' %q' "$@"
		printf '\nstatus %d (want %d), stderr (%d lines):\n' \
			"$st" "$want" "$n"
		cat err out
		return 1
	fi
}

usage_cases() {
	case_ 64 'invalid address "a b"' -C good -f 'a b' bob@example.test
	case_ 64 'invalid address "a b"' -C good --from='a b' bob@example.test
	case_ 64 'invalid address "<alice@example.test>x"' -C good \
		-f '<alice@example.test>x' bob@example.test
	case_ 64 'invalid address "alice@example.test"' -C good \
		-f $'alice@example.test\r\nRCPT TO:<x@y>' bob@example.test
	case_ 64 'invalid recipient "bob@example.test>"' -C good \
		$'bob@example.test>\r\nRCPT TO:<x@y'
	case_ 64 'invalid recipient "bob example.test"' -C good \
		'bob example.test'
	case_ 64 'no recipients' -C good
	case_ 64 'no recipients' -C good -t
	case_ 64 'no recipients' -C good -f alice@example.test --
	case_ 64 '-F: the full name holds a line break' -C good \
		-F $'Evil\nBcc: x@example.test' bob@example.test
	case_ 64 'option -f needs a value' -C good bob@example.test -f
	case_ 64 'option -a needs a value' -C good bob@example.test -a
	case_ 64 'option --account needs a value' -C good bob@example.test \
		--account
	case_ 64 'option --host needs a value' -C good bob@example.test --host
	case_ 64 '-bx is not supported' -C good -bx bob@example.test
	case_ 64 'port: invalid value "abc"' -C good --port=abc bob@example.test
	case_ 64 'port: invalid value "0"' -C good --port=0 bob@example.test
	case_ 64 'tls: invalid value "maybe"' -C good --tls=maybe \
		bob@example.test
	case_ 64 'timeout: invalid value "-1"' -C good --timeout=-1 \
		bob@example.test
	case_ 64 'tls_min_version: invalid value "1.1"' -C good \
		--tls-min-version=1.1 bob@example.test
	case_ 64 'dsn_notify: invalid value "bogus"' -C good -N bogus \
		bob@example.test
	case_ 64 'dsn_notify: invalid value "never,success"' -C good \
		-N never,success bob@example.test
	case_ 64 'dsn_return: invalid value "bogus"' -C good -R bogus \
		bob@example.test
	case_ 64 'invalid value' -C good --auth=nosuchmech bob@example.test
	case_ 64 'invalid value' -C good --set-from-header=maybe \
		bob@example.test
}

config_cases() {
	case_ 78 'no account "nope" in good' -C good -a nope bob@example.test
	case_ 78 'badkey:3: unknown key "bogus_key"' -C badkey bob@example.test
	case_ 78 'account "default" in nohost has no host' -C nohost \
		bob@example.test
	case_ 78 'no configuration found and no --host given' bob@example.test
	case_ 78 'open: readable by others and holds a password' -C open \
		bob@example.test
	case_ 78 'quote:2: host: unterminated quote' -C quote bob@example.test
	case_ 78 'loop:1: include cycle' -C loop bob@example.test
	case_ 78 'undefined variable "MKIT_NO_SUCH_VARIABLE"' -C undef \
		bob@example.test
	case_ 78 'badval:3: tls: invalid value "maybe"' -C badval \
		bob@example.test
	case_ 78 '/nonexistent/config: No such file or directory' \
		-C /nonexistent/config bob@example.test
	case_ 78 'adir: is a directory' -C adir bob@example.test
	case_ 78 'passwordeval exited with status 1' -C pwfail bob@example.test
	MKIT_CONFIG=badkey case_ 78 'unknown key "bogus_key"' bob@example.test
}

@test "usage errors: exit 64, one line of their own on stderr" {
	usage_cases
}

@test "configuration errors: exit 78, one line of their own on stderr" {
	config_cases
	# the same account twice: whatever the verdict, one line of its own
	st=0
	msend -C twice bob@example.test <m >out 2>err || st=$?
	[ "$(wc -l <err)" -le 1 ]
	! grep -q 'server said' err
}

@test "under valgrind: no uninitialised read on any of these paths" {
	[[ -n ${MKIT_VALGRIND_MSEND:-} ]] ||
		skip "MKIT_VALGRIND_MSEND not set (an msend built without sanitizers)"
	command -v valgrind >/dev/null || {
		echo "MKIT_VALGRIND_MSEND is set but valgrind is not installed"
		return 1
	}
	# valgrind reports on fd 9 (a file): stderr stays msend's own
	MSEND=(valgrind -q --error-exitcode=1 --log-fd=9
		--track-origins=yes "$MKIT_VALGRIND_MSEND")
	exec 9>"$BATS_TEST_TMPDIR/valgrind.log"
	usage_cases
	config_cases
	exec 9>&-
	if [ -s "$BATS_TEST_TMPDIR/valgrind.log" ]; then
		cat "$BATS_TEST_TMPDIR/valgrind.log"
		return 1
	fi
}
