#!/usr/bin/env bats
# mdig-mx against a real NSD serving one zone with a name per case, and a
# resolver that does not answer. Exit codes are compared inside the tests.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	start_dns <<'EOF2'
$TTL 300
@         IN SOA ns1 hostmaster 1 3600 600 86400 300
@         IN NS  ns1
ns1       IN A   127.0.0.1
mx1       IN A   192.0.2.1
mx1       IN AAAA 2001:db8::1
mx2       IN AAAA 2001:db8::2
alias     IN CNAME mx1
good      IN MX  20 mx2
good      IN MX  10 mx1
nullmx    IN MX  0 .
nullmixed IN MX  0 .
nullmixed IN MX  10 mx1
implicit  IN A   192.0.2.9
nomail    IN TXT "no mail here"
cname     IN MX  10 alias
iplit     IN MX  10 192.0.2.1.
noaddr    IN MX  10 ghost
noaddr    IN MX  20 mx1
lame      IN MX  10 ghost
samepref  IN MX  10 mx1
samepref  IN MX  10 mx2
EOF2
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

@test "mx: hosts by preference with their addresses: ok, exit 0" {
	run mdig-mx -r "$R" mx good.example.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "good.example.test" ]
	[ "${lines[1]}" = "MX" ]
	[ "${lines[2]}" = "  10 mx1.example.test  192.0.2.1 2001:db8::1" ]
	[ "${lines[3]}" = "  20 mx2.example.test  2001:db8::2" ]
	[ "${lines[4]}" = "  ok    mx.ok: 2 MX hosts, each with an address" ]
}

@test "mx: a null MX accepts no mail, and that is no error" {
	run mdig-mx -r "$R" mx nullmx.example.test
	[ "$status" -eq 0 ]
	[[ $output == *"ok    mx.null: nullmx.example.test accepts no mail (null MX, RFC 7505)"* ]]
}

@test "mx: a null MX among other records is an error (exit 1)" {
	run mdig-mx -r "$R" mx nullmixed.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mx.null-mixed: "* ]]
	[[ $output == *"fix: keep the null MX alone"* ]]
}

@test "mx: no MX but an address: implicit MX, a warning" {
	run mdig-mx -r "$R" mx implicit.example.test
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "  (implicit) implicit.example.test  192.0.2.9" ]
	[[ $output == *"warn  mx.implicit: no MX record: mail goes to implicit.example.test's own address"* ]]
}

@test "mx: no MX and no address: accepts no mail, an error" {
	run mdig-mx -r "$R" mx nomail.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mx.none: no MX record and no address"* ]]
}

@test "mx: an MX naming a CNAME is flagged" {
	run mdig-mx -r "$R" mx cname.example.test
	[ "$status" -eq 0 ]
	[[ $output == *"warn  mx.cname: MX 10 alias.example.test is an alias (CNAME) for mx1.example.test"* ]]
}

@test "mx: an MX naming an IP address is an error" {
	run mdig-mx -r "$R" mx iplit.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mx.ip-literal: MX 10 192.0.2.1 names an IP address"* ]]
}

@test "mx: a host with no address is an error; all of them unreachable too" {
	run mdig-mx -r "$R" mx noaddr.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mx.no-address: MX 10 ghost.example.test has no address (A: nxdomain, AAAA: nxdomain)"* ]]
	[[ $output != *"mx.unreachable"* ]]
	run mdig-mx -r "$R" mx lame.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mx.unreachable: no MX host has an address"* ]]
}

@test "mx: hosts sharing a preference are flagged" {
	run mdig-mx -r "$R" mx samepref.example.test
	[ "$status" -eq 0 ]
	[[ $output == *"warn  mx.same-preference: mx1.example.test and mx2.example.test share preference 10"* ]]
}

@test "no such domain: exit 68" {
	run mdig-mx -r "$R" mx nope.example.test
	[ "$status" -eq 68 ]
	[[ $output == *"error mx.nxdomain: nope.example.test does not exist (NXDOMAIN)"* ]]
	[[ $output == *"mdig-mx: nope.example.test: no such domain (NXDOMAIN)"* ]]
}

@test "DNS failing: exit 75 within the timeout" {
	local dead start
	dead=$(free_port)
	start=$SECONDS
	run mdig-mx -r "127.0.0.1:$dead" -t 1 good.example.test
	[ "$status" -eq 75 ]
	[[ $output == *"error mx.dns: the MX lookup for good.example.test failed"* ]]
	[[ $output == *"DNS lookups failing"* ]]
	[ $((SECONDS - start)) -le 3 ]
}

@test "--json: schema mdig-mx/1 with hosts, addresses and findings" {
	run --separate-stderr mdig-mx --json -r "$R" cname.example.test
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["schema"] == "mdig-mx/1", d
assert d["domain"] == "cname.example.test"
assert d["verdict"] == "warn"
mx = d["mx"]
assert mx["status"] == "ok" and mx["implicit"] is False and mx["null"] is False
assert mx["validated"] is False
h = mx["hosts"][0]
assert h["name"] == "alias.example.test" and h["preference"] == 10
assert h["alias_of"] == "mx1.example.test" and h["ip_literal"] is False
assert h["addresses"] == ["192.0.2.1", "2001:db8::1"], h
assert h["a"] == "ok" and h["aaaa"] == "ok"
f = [x for x in d["findings"] if x["id"] == "mx.cname"][0]
assert f["check"] == "mx" and f["verdict"] == "warn" and f["fix"]
PY
}

@test "the full report has the MX section" {
	run mdig-mx -r "$R" good.example.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "MX" ]
}

@test "usage: no domain, an unknown check, a bad timeout: 64" {
	run mdig-mx
	[ "$status" -eq 64 ]
	run mdig-mx bogus example.test
	[ "$status" -eq 64 ]
	[[ $output == *'unknown check "bogus"'* ]]
	run mdig-mx -t 0 example.test
	[ "$status" -eq 64 ]
	run mdig-mx 192.0.2.1
	[ "$status" -eq 64 ]
	run mdig-mx -r nonsense example.test
	[ "$status" -eq 64 ]
}

@test "-V, --version: the suite's version, as the other programs print it" {
	want=$(sed -n 's/^AC_INIT(\[mkit\], \[\([^]]*\)\].*/\1/p' \
		"$MKIT_SRCDIR/configure.ac")
	[ -n "$want" ]
	run mdig-mx --version
	[ "$status" -eq 0 ]
	[ "$output" = "mdig-mx (mkit) $want" ]
	[ "$(mimap --version)" = "mimap (mkit) $want" ]
	run mdig-mx -V
	[ "$status" -eq 0 ]
	[ "$output" = "mdig-mx (mkit) $want" ]
	# before any question: no domain needed, a dead resolver never asked
	run mdig-mx -r 192.0.2.1 -t 30 --version example.test
	[ "$status" -eq 0 ]
	[ "$output" = "mdig-mx (mkit) $want" ]
	run mdig-mx -r 192.0.2.1 --help
	[ "$status" -eq 0 ]
	[[ $output == *"-V, --version"* ]]
}
