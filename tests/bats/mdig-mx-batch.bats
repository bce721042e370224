#!/usr/bin/env bats
# mdig-mx --batch against NSD: one JSON line per domain in input order,
# comments and blank lines skipped, a malformed domain an error line of its
# own, more domains than are in flight at once, the exit status as the worst
# result, and a domain whose name server never answers (tests/dns/dnsfault.py
# in front of NSD) not holding up the others' queries.
# Exit codes are compared inside the tests.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	{ zone_head; cat <<'EOF2'; } >"$BATS_FILE_TMPDIR/zone"
mx1       IN A   192.0.2.1
a         IN MX  10 mx1
a         IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.a  IN TXT "v=DMARC1; p=reject"
b         IN MX  10 mx1
b         IN TXT "v=spf1 include:a.example.test -all"
_dmarc.b  IN TXT "v=DMARC1; p=quarantine"
nomail    IN TXT "no mail here"
slow      IN MX  10 mx1
EOF2
	start_dns <"$BATS_FILE_TMPDIR/zone" || return 1
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

# results: "line domain result" of each JSON line of $output.
results() {
	python3 -c '
import json, sys
for l in sys.stdin.read().splitlines():
    d = json.loads(l)
    assert d["schema"] == "mdig-mx/1", d
    print(d["line"], d["domain"], d["result"])' <<<"$output"
}

@test "batch: one JSON line per domain, in input order; comments, blanks skipped; a bad domain gets its line" {
	printf '%s\n' '# domains' a.example.test '' '  b.example.test  ' \
		'not a domain' nope.example.test 192.0.2.1 A.Example.Test. \
		>"$BATS_TEST_TMPDIR/in"
	run --separate-stderr mdig-mx -r "$R" --batch <"$BATS_TEST_TMPDIR/in"
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	run results
	[ "$output" = "2 a.example.test ok
4 b.example.test ok
5 not a domain bad-domain
6 nope.example.test nxdomain
7 192.0.2.1 bad-domain
8 A.Example.Test ok" ]
}

@test "batch: the full report by default, --checks picks (mx,spf,dmarc)" {
	run --separate-stderr mdig-mx -r "$R" --batch <<<"b.example.test"
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert set(("mx", "spf", "dmarc")) <= set(d), d
assert d["spf"]["lookups"] == 1 and d["dmarc"]["policy"] == "quarantine", d
assert d["verdict"] != "error" and d["result"] == "ok", d
PY
	run --separate-stderr mdig-mx -r "$R" --batch --checks mx,dmarc <<<"b.example.test"
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert "mx" in d and "dmarc" in d and "spf" not in d, d
PY
	run mdig-mx -r "$R" --batch --checks mx,nope <<<"b.example.test"
	[ "$status" -eq 64 ]
	[[ $output == *'unknown check "nope" in --checks'* ]]
	run mdig-mx -r "$R" --batch a.example.test </dev/null
	[ "$status" -eq 64 ]
}

@test "batch: more domains than in flight at once (--parallel 7, a window of 28), order kept; exit 1 with an error finding" {
	local i
	for i in $(seq 1 130); do
		case $((i % 3)) in
		0) echo a.example.test ;;
		1) echo b.example.test ;;
		2) echo nomail.example.test ;;
		esac
	done >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr mdig-mx -r "$R" --batch --parallel 7 \
		<"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 1 ]
	local few=$output
	run results
	[ "$(echo "$output" | wc -l)" -eq 130 ]
	[ "$(echo "$output" | awk '{ print $1 }' | tr '\n' ' ')" = "$(seq 1 130 | tr '\n' ' ')" ]
	[ "$(echo "$output" | grep -c ' nomail.example.test findings$')" -eq 43 ]
	[ "$(echo "$output" | grep -c ' ok$')" -eq 87 ]
	# every domain at once: the same lines
	run --separate-stderr mdig-mx -r "$R" --batch --parallel 1000 \
		<"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$few" ]
}

@test "batch: --parallel must be 1 to 10000 (64)" {
	local v
	for v in 0 -1 10001 x 5x ''; do
		run --separate-stderr mdig-mx -r "$R" --batch --parallel "$v" </dev/null
		[ "$status" -eq 64 ]
		[[ $stderr == *"bad --parallel"* ]]
	done
}

@test "batch: a domain that times out does not hold up the others; exit 75" {
	local port start
	python3 "$MKIT_SRCDIR/tests/dns/dnsfault.py" "$BATS_TEST_TMPDIR/port" \
		"$BATS_TEST_TMPDIR/fault.log" silentfor slow.example.test \
		"$DNS_PORT" 2>/dev/null &
	local fpid=$!
	for _ in $(seq 100); do
		[ -f "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.05
	done
	port=$(cat "$BATS_TEST_TMPDIR/port")
	{ echo slow.example.test; for _ in $(seq 1 40); do echo a.example.test; done
	  echo slow.example.test; echo b.example.test; } >"$BATS_TEST_TMPDIR/in"
	start=$SECONDS
	run --separate-stderr mdig-mx -r "127.0.0.1:$port" -t 2 --batch \
		<"$BATS_TEST_TMPDIR/in"
	local st=$status took=$((SECONDS - start))
	kill "$fpid"
	wait "$fpid" 2>/dev/null || true
	[ "$st" -eq 75 ]
	run results
	[ "$(echo "$output" | sed -n 1p)" = "1 slow.example.test tempfail" ]
	[ "$(echo "$output" | sed -n 42p)" = "42 slow.example.test tempfail" ]
	[ "$(echo "$output" | sed -n 43p)" = "43 b.example.test ok" ]
	[ "$(echo "$output" | grep -c ' a.example.test ok$')" -eq 40 ]
	# both slow domains waited out together, alongside the rest: about
	# one timeout, not one per domain
	[ "$took" -le 4 ]
}

@test "batch: a progress line on stderr only when it is a terminal" {
	printf '%s\n' a.example.test b.example.test >"$BATS_TEST_TMPDIR/in"
	run --separate-stderr mdig-mx -r "$R" --batch <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run script -qec "mdig-mx -r $R --batch <$BATS_TEST_TMPDIR/in >$BATS_TEST_TMPDIR/out" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"mdig-mx: 2 domains done, 0 in flight"* ]]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 2 ]
}
