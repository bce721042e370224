#!/usr/bin/env bats
# mdig-mx spf: SPF policies on a real NSD, one name per case (RFC 7208).

load helpers
bats_require_minimum_version 1.5.0

# txt TEXT: TEXT as master-file character strings of at most 200 bytes.
txt() {
	local s=$1
	while [ -n "$s" ]; do
		printf '"%s" ' "${s:0:200}"
		s=${s:200}
	done
}

setup_file() {
	local zone=$BATS_FILE_TMPDIR/zone i many= ghosts=
	for i in $(seq 11); do many="$many include:i$i.example.test"; done
	for i in $(seq 50); do ghosts="$ghosts a:ghost$i.example.test"; done
	{
		cat <<'EOF2'
$TTL 300
@         IN SOA ns1 hostmaster 1 3600 600 86400 300
@         IN NS  ns1
ns1       IN A   127.0.0.1
mx1       IN A   192.0.2.1
@         IN MX  10 mx1
@         IN TXT "v=spf1 mx a:mx1.example.test include:_spf.example.test -all"
@         IN TXT "google-site-verification=abc"
_spf      IN TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"
joined    IN TXT "v=spf1 " "ip4:192.0.2.1 " "-all"
none      IN TXT "not spf"
multiple  IN TXT "v=spf1 -all"
multiple  IN TXT "v=spf1 mx -all"
passall   IN TXT "v=spf1 mx +all"
ptr       IN TXT "v=spf1 ptr -all"
badip     IN TXT "v=spf1 ip4:300.1.1.1 -all"
unknown   IN TXT "v=spf1 foo:bar -all"
badmacro  IN TXT "v=spf1 exists:%{z}.example.test -all"
macro     IN TXT "v=spf1 exists:%{ir}.%{v}._spf.example.test -all"
void      IN TXT "v=spf1 a:ghost1.example.test a:ghost2.example.test mx:ghost3.example.test -all"
loop1     IN TXT "v=spf1 include:loop2.example.test -all"
loop2     IN TXT "v=spf1 include:loop1.example.test -all"
nosuch    IN TXT "v=spf1 include:gone.example.test -all"
redirect  IN TXT "v=spf1 redirect=_spf.example.test"
noall     IN TXT "v=spf1 mx"
EOF2
		echo "toomany   IN TXT $(txt "v=spf1$many -all")"
		for i in $(seq 11); do echo "i$i IN TXT \"v=spf1 -all\""; done
		echo "fifty     IN TXT $(txt "v=spf1$ghosts -all")"
	} >"$zone"
	start_dns example.test "$zone"
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

spf() { run mdig-mx -r "$R" spf "$1.example.test"; }

@test "spf: a good policy with mx, a and an include: ok, lookups counted" {
	run mdig-mx -r "$R" spf example.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "SPF" ]
	[ "${lines[2]}" = "  example.test: v=spf1 mx a:mx1.example.test include:_spf.example.test -all" ]
	[ "${lines[3]}" = "    include _spf.example.test: v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all" ]
	[ "${lines[4]}" = "  lookups 3 of 10, void 0 of 2" ]
	[ "${lines[5]}" = "  ok    spf.ok: one record; 3 of 10 DNS lookups, 0 of 2 void" ]
}

@test "spf: the strings of one TXT record are joined" {
	spf joined
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "  joined.example.test: v=spf1 ip4:192.0.2.1 -all" ]
}

@test "spf: no record is a warning; two records an error" {
	spf none
	[ "$status" -eq 0 ]
	[[ $output == *"warn  spf.none: none.example.test has no SPF record"* ]]
	spf multiple
	[ "$status" -eq 1 ]
	[[ $output == *"error spf.multiple: multiple.example.test has 2 SPF records: receivers return permerror"* ]]
}

@test "spf: +all is an error, ptr a warning, no all a warning" {
	spf passall
	[ "$status" -eq 1 ]
	[[ $output == *"error spf.pass-all: the SPF record of passall.example.test ends in +all"* ]]
	spf ptr
	[ "$status" -eq 0 ]
	[[ $output == *"warn  spf.ptr: ptr.example.test uses ptr"* ]]
	spf noall
	[ "$status" -eq 0 ]
	[[ $output == *"warn  spf.no-all: "* ]]
}

@test "spf: syntax errors: a bad address, an unknown mechanism, a bad macro" {
	spf badip
	[ "$status" -eq 1 ]
	[[ $output == *'error spf.syntax: the SPF record of badip.example.test does not parse: "ip4:300.1.1.1": a bad IPv4 address'* ]]
	spf unknown
	[ "$status" -eq 1 ]
	[[ $output == *'"foo:bar": an unknown mechanism'* ]]
	spf badmacro
	[ "$status" -eq 1 ]
	[[ $output == *'an unknown macro letter'* ]]
	spf macro
	[ "$status" -eq 0 ]
	[[ $output == *"lookups 1 of 10, void 0 of 2"* ]]
}

@test "spf: more than 10 lookups through includes is an error" {
	spf toomany
	[ "$status" -eq 1 ]
	[[ $output == *"lookups 11 of 10"* ]]
	[[ $output == *"error spf.lookups: 11 DNS lookups (limit 10): receivers return permerror"* ]]
}

@test "spf: three void lookups is an error" {
	spf void
	[ "$status" -eq 1 ]
	[[ $output == *"lookups 3 of 10, void 3 of 2"* ]]
	[[ $output == *"error spf.void: 3 lookups found nothing (limit 2)"* ]]
}

@test "spf: 50 void lookups: both limits, in one round of queries" {
	spf fifty
	[ "$status" -eq 1 ]
	[[ $output == *"lookups 50 of 10, void 50 of 2"* ]]
	[[ $output == *"error spf.lookups: "* ]]
	[[ $output == *"error spf.void: "* ]]
}

@test "spf: an include loop and an include without a record are errors" {
	spf loop1
	[ "$status" -eq 1 ]
	[[ $output == *"error spf.loop: include loop1.example.test leads back to itself"* ]]
	spf nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"error spf.target-none: include gone.example.test has no SPF record"* ]]
}

@test "spf: redirect is followed and counted" {
	spf redirect
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "    redirect _spf.example.test: v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all" ]
	[[ $output == *"lookups 1 of 10"* ]]
}

@test "spf --json: the record, the counts and the tree" {
	run --separate-stderr mdig-mx --json -r "$R" spf example.test
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["schema"] == "mdig-mx/1" and "mx" not in d, d
s = d["spf"]
assert s["status"] == "ok" and s["lookups"] == 3 and s["void_lookups"] == 0, s
assert s["record"].startswith("v=spf1 mx "), s
assert [t["domain"] for t in s["tree"]] == ["example.test", "_spf.example.test"]
assert s["tree"][1]["via"] == "include" and s["tree"][1]["depth"] == 1
assert d["findings"][0]["id"] == "spf.ok"
PY
}

@test "the full report has the MX and SPF sections" {
	run mdig-mx -r "$R" example.test
	[ "$status" -eq 0 ]
	[[ $output == *$'\nMX\n'* ]]
	[[ $output == *$'\nSPF\n'* ]]
	run mdig-mx -r "$R" spf nope.example.test
	[ "$status" -eq 68 ]
}
