#!/usr/bin/env bats
# mdig-mx spf DOMAIN --ip IP: RFC 7208 check_host() against a real NSD
# serving a policy per name (each mechanism, macros, the limits, include,
# redirect, exp=, IPv6, PTR), and against tests/dns/dnsfault.py for the DNS
# failures that make temperror.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	local zone=$BATS_FILE_TMPDIR/zone rev4=$BATS_FILE_TMPDIR/rev4 i many=
	for i in $(seq 11); do many="$many include:i$i.example.test"; done
	{
		cat <<'EOF2'
$TTL 300
@         IN SOA ns1 hostmaster 1 3600 600 86400 300
@         IN NS  ns1
ns1       IN A   127.0.0.1
mx1       IN A   192.0.2.1
mx1       IN AAAA 2001:db8::1
mx2       IN A   192.0.2.2
web       IN A   192.0.2.64
@         IN MX  10 mx1
@         IN MX  20 mx2
@         IN TXT "v=spf1 mx a:web.example.test/28 include:_spf.example.test -all exp=explain.example.test"
_spf      IN TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 ~all"
explain   IN TXT "%{i} is not one of %{d}'s senders (%{l} via %{h})"
soft      IN TXT "v=spf1 ~all"
neutral   IN TXT "v=spf1 ?all"
nomatch   IN TXT "v=spf1 ip4:192.0.2.1"
nospf     IN TXT "hello"
multiple  IN TXT "v=spf1 -all"
multiple  IN TXT "v=spf1 +all"
syntax    IN TXT "v=spf1 ip4:192.0.2.300 -all"
exists    IN TXT "v=spf1 exists:%{ir}.%{v}._allow.example.test -all"
5.2.0.192.in-addr._allow IN A 127.0.0.2
1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._allow IN A 127.0.0.2
users     IN TXT "v=spf1 exists:%{l1r-}._u.%{d2} -all"
bob._u    IN A   127.0.0.2
ptr       IN TXT "v=spf1 ptr -all"
host.ptr  IN A   192.0.2.9
pmacro    IN TXT "v=spf1 -all exp=pexp.example.test"
pexp      IN TXT "connect from %{p}"
mxcidr    IN TXT "v=spf1 mx/24//64 -all"
mxcidr    IN MX  10 mx1
mxmany    IN TXT "v=spf1 mx -all"
void      IN TXT "v=spf1 a:g1.example.test a:g2.example.test a:g3.example.test -all"
loop1     IN TXT "v=spf1 include:loop2.example.test -all"
loop2     IN TXT "v=spf1 include:loop1.example.test -all"
gone      IN TXT "v=spf1 include:nothing.example.test -all"
redirect  IN TXT "v=spf1 redirect=_spf.example.test"
helocheck IN TXT "v=spf1 -all exp=hexp.example.test"
hexp      IN TXT "%{s} from %{h}"
EOF2
		# one record in two strings (each at most 255 octets)
		echo "toomany   IN TXT \"v=spf1${many:0:200}\" \"${many:200} -all\""
		for i in $(seq 11); do echo "i$i IN TXT \"v=spf1 -all\""; done
		for i in $(seq 11); do echo "mxmany IN MX $i mx$i"; done
	} >"$zone"
	cat >"$rev4" <<'EOF2'
$TTL 300
@         IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@         IN NS  ns1.example.test.
9         IN PTR host.ptr.example.test.
10        IN PTR fake.ptr.example.test.
EOF2
	start_dns example.test "$zone" 2.0.192.in-addr.arpa "$rev4"
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

# ev DOMAIN IP [ARGS]: mdig-mx spf DOMAIN.example.test --ip IP
ev() {
	local d=$1 ip=$2
	shift 2
	run --separate-stderr mdig-mx -r "$R" spf "$d" --ip "$ip" "$@"
}

@test "spf --ip: mx matches: pass, the mechanism and its record" {
	ev example.test 192.0.2.2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pass" ]
	[ "${lines[1]}" = "mechanism: mx (example.test: v=spf1 mx a:web.example.test/28 include:_spf.example.test -all exp=explain.example.test)" ]
	[ "${lines[2]}" = "lookups: 1 of 10, void 0 of 2" ]
}

@test "spf --ip: a with a prefix length, and IPv6 through the MX's AAAA" {
	ev example.test 192.0.2.70
	[ "${lines[0]}" = "pass" ]
	[[ ${lines[1]} == "mechanism: a:web.example.test/28 (example.test: "* ]]
	ev example.test 192.0.2.80
	[ "${lines[0]}" = "fail" ]
	ev example.test 2001:db8::1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "pass" ]
	[[ ${lines[1]} == "mechanism: mx ("* ]]
}

@test "spf --ip: include: the include and the term inside it, IPv4 and IPv6" {
	ev example.test 198.51.100.7
	[ "${lines[0]}" = "pass" ]
	[[ ${lines[1]} == "mechanism: include:_spf.example.test (example.test: "* ]]
	[ "${lines[2]}" = "mechanism: ip4:198.51.100.0/24 (_spf.example.test: v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:100::/48 ~all)" ]
	[ "${lines[3]}" = "lookups: 3 of 10, void 0 of 2" ]
	ev example.test 2001:db8:100::5
	[ "${lines[0]}" = "pass" ]
	[[ ${lines[2]} == "mechanism: ip6:2001:db8:100::/48 "* ]]
}

@test "spf --ip: fail with the exp= explanation, macros expanded" {
	ev example.test 203.0.113.5 --sender alice@example.test --helo mail.client.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fail" ]
	[[ ${lines[1]} == "mechanism: -all (example.test: "* ]]
	[ "${lines[2]}" = "explanation: 203.0.113.5 is not one of example.test's senders (alice via mail.client.test)" ]
	# IPv6: %{i} is dotted nibbles
	ev example.test 2001:db8:ffff::1 --sender alice@example.test
	[ "${lines[0]}" = "fail" ]
	[ "${lines[2]}" = "explanation: 2.0.0.1.0.d.b.8.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1 is not one of example.test's senders (alice via unknown)" ]
}

@test "spf --ip: softfail, neutral, the default neutral" {
	ev soft.example.test 192.0.2.9
	[ "${lines[0]}" = "softfail" ]
	ev neutral.example.test 192.0.2.9
	[ "${lines[0]}" = "neutral" ]
	ev nomatch.example.test 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "neutral" ]
	[[ ${lines[1]} == "mechanism: none matched (default) (nomatch.example.test: v=spf1 ip4:192.0.2.1)" ]]
}

@test "spf --ip: none without a record and for a domain that does not exist" {
	ev nospf.example.test 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "none" ]
	[[ $output == *"reason: nospf.example.test has no SPF record"* ]]
	ev absent.example.test 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "none" ]
	[[ $output == *"reason: absent.example.test does not exist"* ]]
}

@test "spf --ip: a malformed domain is none (RFC 7208 4.3), not a usage error" {
	ev 192.0.2.1 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "none" ]
	ev "a1234567890123456789012345678901234567890123456789012345678901234.example.test" 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "none" ]
	ev "a..example.test" 192.0.2.9
	[ "${lines[0]}" = "none" ]
	ev localhost 192.0.2.9
	[ "${lines[0]}" = "none" ]
}

@test "spf --ip: permerror for two records and for a syntax error" {
	ev multiple.example.test 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"reason: multiple.example.test has 2 SPF records (4.5)"* ]]
	ev syntax.example.test 192.0.2.9
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *'"ip4:192.0.2.300": a bad IPv4 address'* ]]
}

@test "spf --ip: exists with %{ir}.%{v} (IPv4 and IPv6) and %{l1r-}" {
	ev exists.example.test 192.0.2.5
	[ "${lines[0]}" = "pass" ]
	ev exists.example.test 192.0.2.6
	[ "${lines[0]}" = "fail" ]
	ev exists.example.test 2001:db8::cb01
	[ "${lines[0]}" = "pass" ]
	ev users.example.test 192.0.2.6 --sender bob-smith@example.test
	[ "${lines[0]}" = "pass" ]
	ev users.example.test 192.0.2.6 --sender alice-smith@example.test
	[ "${lines[0]}" = "fail" ]
}

@test "spf --ip: ptr needs a validated name; %{p} in an explanation" {
	ev ptr.example.test 192.0.2.9
	[ "${lines[0]}" = "pass" ]
	# 192.0.2.10's PTR name has no address: not validated
	ev ptr.example.test 192.0.2.10
	[ "${lines[0]}" = "fail" ]
	ev pmacro.example.test 192.0.2.9
	[ "${lines[0]}" = "fail" ]
	[ "${lines[2]}" = "explanation: connect from host.ptr.example.test" ]
	ev pmacro.example.test 192.0.2.10
	[ "${lines[2]}" = "explanation: connect from unknown" ]
}

@test "spf --ip: mx with dual prefix lengths; more than 10 MX names" {
	ev mxcidr.example.test 192.0.2.200
	[ "${lines[0]}" = "pass" ]
	[[ ${lines[1]} == "mechanism: mx/24//64 ("* ]]
	ev mxcidr.example.test 2001:db8::ffff
	[ "${lines[0]}" = "pass" ]
	ev mxcidr.example.test 2001:db8:1::1
	[ "${lines[0]}" = "fail" ]
	ev mxmany.example.test 192.0.2.9
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"more than 10 MX names"* ]]
}

@test "spf --ip: the limits: 11 lookups, 3 void lookups, an include loop" {
	ev toomany.example.test 192.0.2.9
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"reason: more than 10 DNS lookups (at include=i11.example.test in toomany.example.test)"* ]]
	ev void.example.test 192.0.2.9
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"more than 2 void lookups (g3.example.test found nothing)"* ]]
	ev loop1.example.test 192.0.2.9
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"more than 10 DNS lookups"* ]]
	ev gone.example.test 192.0.2.9
	[ "${lines[0]}" = "permerror" ]
	[[ $output == *"include:nothing.example.test in gone.example.test: nothing.example.test has no SPF record"* ]]
}

@test "spf --ip: redirect takes the target's result" {
	ev redirect.example.test 198.51.100.7
	[ "${lines[0]}" = "pass" ]
	[ "${lines[1]}" = "mechanism: redirect=_spf.example.test (redirect.example.test: v=spf1 redirect=_spf.example.test)" ]
	[[ ${lines[2]} == "mechanism: ip4:198.51.100.0/24 (_spf.example.test: "* ]]
	ev redirect.example.test 203.0.113.5
	[ "${lines[0]}" = "softfail" ]
}

@test "spf --ip: an empty sender is postmaster@HELO" {
	ev helocheck.example.test 203.0.113.5 --sender '' --helo helocheck.example.test
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "fail" ]
	[ "${lines[2]}" = "explanation: postmaster@helocheck.example.test from helocheck.example.test" ]
	ev helocheck.example.test 203.0.113.5 --sender example.test
	[ "${lines[2]}" = "explanation: postmaster@example.test from unknown" ]
}

@test "spf --ip --json: the result, the steps, the explanation" {
	run --separate-stderr mdig-mx --json -r "$R" spf example.test --ip 198.51.100.7
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["schema"] == "mdig-mx/1" and d["check"] == "spf-eval", d
assert d["result"] == "pass" and d["ip"] == "198.51.100.7", d
assert d["domain"] == "example.test" and d["sender"] == "postmaster@example.test"
assert d["mechanism"] == "ip4:198.51.100.0/24", d
assert d["mechanism_domain"] == "_spf.example.test", d
assert [s["term"] for s in d["steps"]] == ["include:_spf.example.test",
    "ip4:198.51.100.0/24"], d
assert d["explanation"] is None and d["reason"] is None, d
assert d["lookups"] == 3 and d["void_lookups"] == 0, d
PY
	run --separate-stderr mdig-mx --json -r "$R" spf example.test --ip 203.0.113.5 --sender a@example.test --helo h.test
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["result"] == "fail" and d["helo"] == "h.test", d
assert d["explanation"] == "203.0.113.5 is not one of example.test's senders (a via h.test)", d
PY
}

@test "spf --ip: SERVFAIL and silence are temperror, exit 75, within the timeout" {
	start_dnsfault servfail
	run --separate-stderr mdig-mx -r "$DNSFAULT" spf example.test --ip 192.0.2.1
	[ "$status" -eq 75 ]
	[ "${lines[0]}" = "temperror" ]
	[[ $stderr == *"example.test: DNS lookups failing: "* ]]
	start_dnsfault silent
	SECONDS=0
	run --separate-stderr mdig-mx -r "$DNSFAULT" --timeout 1 spf example.test --ip 192.0.2.1
	[ "$status" -eq 75 ]
	[ "${lines[0]}" = "temperror" ]
	[[ $output == *"reason: example.test TXT: "* ]]
	[ "$SECONDS" -le 5 ]
}

@test "spf --ip: usage errors" {
	run mdig-mx -r "$R" spf example.test --ip 300.1.1.1
	[ "$status" -eq 64 ]
	[[ $output == *'--ip: "300.1.1.1" is not an IP address'* ]]
	run mdig-mx -r "$R" spf example.test --sender a@b.test
	[ "$status" -eq 64 ]
	run mdig-mx -r "$R" mx example.test --ip 192.0.2.1
	[ "$status" -eq 64 ]
	run mdig-mx -r "$R" spf example.test --ip 192.0.2.1 --sender ''
	[ "$status" -eq 64 ]
	[[ $output == *"an empty --sender needs --helo"* ]]
}
