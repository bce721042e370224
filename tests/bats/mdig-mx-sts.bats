#!/usr/bin/env bats
# mdig-mx mta-sts and tls-rpt on a real NSD serving the records, with the
# MTA-STS policies served by a real HTTPS server on a loopback address,
# port 443 (tests/servers/stshttps.py, a CA of the suite's own): good,
# oversized, redirecting, wrong content type, untrusted certificate.

load helpers
bats_require_minimum_version 1.5.0

policy() {	# policy MODE MX...: a policy body, CRLF lines
	local mode=$1 m
	shift
	printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
	for m; do printf 'mx: %s\r\n' "$m"; done
	printf 'max_age: 604800\r\n'
}

setup_file() {
	require_root
	local cfg=$BATS_FILE_TMPDIR/sts.json
	python3 - "$cfg" <<PY
import json, sys
def p(body, **kw):
    d = {"status": 200, "type": "text/plain; charset=utf-8", "body": body}
    d.update(kw)
    return d
json.dump({
    "mta-sts.good.sts.test": p("""$(policy enforce mx1.good.sts.test '*.backup.sts.test')"""),
    "mta-sts.unmatched.sts.test": p("""$(policy enforce mx1.unmatched.sts.test)"""),
    "mta-sts.testing.sts.test": p("""$(policy testing mx1.testing.sts.test)"""),
    "mta-sts.lf.sts.test": p("version: STSv1\nmode: enforce\nmx: *.lf.sts.test\nmax_age: 86400\n"),
    "mta-sts.big.sts.test": {"status": 200, "type": "text/plain", "size": 70000},
    "mta-sts.redir.sts.test": {"status": 301, "location": "https://elsewhere.test/mta-sts.txt"},
    "mta-sts.html.sts.test": p("""$(policy enforce mx1.html.sts.test)""", type="text/html"),
    "mta-sts.badcert.sts.test": p("""$(policy enforce mx1.badcert.sts.test)"""),
    "mta-sts.badpolicy.sts.test": p("version: STSv1\r\nmode: enforce\r\nmx: mx1.badpolicy.sts.test\r\n"),
    "mta-sts.badmode.sts.test": p("version: STSv1\r\nmode: strict\r\nmx: a.test\r\nmax_age: 1\r\n"),
    "mta-sts.gone.sts.test": {"status": 404},
    "badcert": ["mta-sts.badcert.sts.test"],
}, open(sys.argv[1], "w"))
PY
	start_sts_https "$cfg"
	local d
	{
		cat <<EOF
\$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
EOF
		for d in good unmatched testing lf big redir html badcert badpolicy \
		    badmode gone nohost tworec badid noid; do
			printf '%s IN MX 10 mx1.%s\n' "$d" "$d"
			printf 'mx1.%s IN A 192.0.2.1\n' "$d"
			[[ $d == nohost ]] ||
				printf 'mta-sts.%s IN A %s\n' "$d" "$STS_ADDR"
		done
		cat <<'EOF'
good IN MX 20 b1.backup
b1.backup IN A 192.0.2.2
unmatched IN MX 20 mx2.unmatched
mx2.unmatched IN A 192.0.2.3
unmatched IN MX 30 deep.x.backup
deep.x.backup IN A 192.0.2.4
testing IN MX 20 other.testing
other.testing IN A 192.0.2.5
lf IN MX 20 mx2.lf
mx2.lf IN A 192.0.2.6
_mta-sts.good IN TXT "v=STSv1; id=20240101T0000;"
_mta-sts.unmatched IN TXT "v=STSv1; id=1"
_mta-sts.testing IN TXT "v=STSv1;id=1;"
_mta-sts.lf IN TXT "v=STSv1; id=a1 ; ext=x"
_mta-sts.big IN TXT "v=STSv1; id=1"
_mta-sts.redir IN TXT "v=STSv1; id=1"
_mta-sts.html IN TXT "v=STSv1; id=1"
_mta-sts.badcert IN TXT "v=STSv1; id=1"
_mta-sts.badpolicy IN TXT "v=STSv1; id=1"
_mta-sts.badmode IN TXT "v=STSv1; id=1"
_mta-sts.gone IN TXT "v=STSv1; id=1"
_mta-sts.nohost IN TXT "v=STSv1; id=1"
_mta-sts.tworec IN TXT "v=STSv1; id=1"
_mta-sts.tworec IN TXT "v=STSv1; id=2"
_mta-sts.tworec IN TXT "v=spf1 -all"
_mta-sts.badid IN TXT "v=STSv1; id=2024-01-01"
_mta-sts.noid IN TXT "v=STSv1;"
slow IN MX 10 mx1.slow
mx1.slow IN A 192.0.2.8
mta-sts.slow IN A 127.84.0.1
_mta-sts.slow IN TXT "v=STSv1; id=1"
plain IN MX 10 mx1.plain
mx1.plain IN A 192.0.2.7
_smtp._tls.good IN TXT "v=TLSRPTv1; rua=mailto:tls@good.sts.test, https://r.good.sts.test/tlsrpt"
_smtp._tls.tworec IN TXT "v=TLSRPTv1; rua=mailto:a@tworec.sts.test"
_smtp._tls.tworec IN TXT "v=TLSRPTv1; rua=mailto:b@tworec.sts.test"
_smtp._tls.badid IN TXT "v=TLSRPTv1; ruf=mailto:a@badid.sts.test"
_smtp._tls.noid IN TXT "v=TLSRPTv1; rua=ftp://x.test/,mailto:a@noid.sts.test"
_smtp._tls.badmode IN TXT "v=TLSRPTv1; rua=http://x.test/r"
_smtp._tls.lf IN TXT "v=tlsrptv1; rua=mailto:a@lf.sts.test"
EOF
	} >"$BATS_FILE_TMPDIR/zone"
	start_dns sts.test "$BATS_FILE_TMPDIR/zone"
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

sts() { run mdig-mx -r "$R" --tls-trust-file "$STS_CA" mta-sts "$1.sts.test"; }
rpt() { run mdig-mx -r "$R" tls-rpt "$1.sts.test"; }

@test "mta-sts: a good policy, every MX covered (a *. pattern too): ok" {
	sts good
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "good.sts.test" ]
	[ "${lines[1]}" = "MTA-STS" ]
	[ "${lines[2]}" = "  _mta-sts.good.sts.test: v=STSv1; id=20240101T0000;" ]
	[ "${lines[3]}" = "  policy https://mta-sts.good.sts.test/.well-known/mta-sts.txt: mode enforce, max_age 604800" ]
	[ "${lines[4]}" = "  mx: mx1.good.sts.test" ]
	[ "${lines[5]}" = "  mx: *.backup.sts.test" ]
	[ "${lines[6]}" = "  ok    mta-sts.ok: policy id 20240101T0000, mode enforce, max_age 604800" ]
	[ "${#lines[@]}" -eq 7 ]
}

@test "mta-sts: the policy fetched from the address our resolver gave (--json)" {
	run mdig-mx -j -r "$R" --tls-trust-file "$STS_CA" mta-sts good.sts.test
	[ "$status" -eq 0 ]
	python3 - "$output" "$STS_ADDR" <<'PY'
import json, sys
d = json.loads(sys.argv[1])["mta_sts"]
assert d["status"] == "ok" and d["records"] == 1 and d["id"] == "20240101T0000", d
assert d["policy_address"] == sys.argv[2], d
assert d["fetch"] == {"error": None, "http_status": 200,
    "content_type": "text/plain; charset=utf-8", "location": None,
    "too_big": False}, d
assert d["mode"] == "enforce" and d["max_age"] == 604800, d
assert d["mx"] == ["mx1.good.sts.test", "*.backup.sts.test"], d
PY
}

@test "mta-sts: without the suite's CA the certificate does not verify" {
	run mdig-mx -r "$R" mta-sts good.sts.test
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.certificate: the policy https://mta-sts.good.sts.test/.well-known/mta-sts.txt could not be fetched: mta-sts.good.sts.test:443: TLS certificate verification failed: "* ]]
}

@test "mta-sts: an MX no pattern covers is an error in enforce mode (a *. covers one label only)" {
	sts unmatched
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.mx-unmatched: MX host mx2.unmatched.sts.test is not covered by the policy's mx patterns: senders will not deliver to it"* ]]
	[[ $output == *"error mta-sts.mx-unmatched: MX host deep.x.backup.sts.test is not covered"* ]]
	[[ $output != *"mx1.unmatched.sts.test is not covered"* ]]
	[[ $output == *"        fix: add an mx: line for the host to the policy, or change the MX record"* ]]
}

@test "mta-sts: mode testing: unmatched MX and the mode itself are warnings" {
	sts testing
	[ "$status" -eq 0 ]
	[[ $output == *"warn  mta-sts.testing: mode testing"* ]]
	[[ $output == *"warn  mta-sts.mx-unmatched: MX host other.testing.sts.test is not covered by the policy's mx patterns"* ]]
}

@test "mta-sts: LF line ends, an extension field, a short max_age" {
	sts lf
	[ "$status" -eq 0 ]
	[[ $output == *"policy https://mta-sts.lf.sts.test/.well-known/mta-sts.txt: mode enforce, max_age 86400"* ]]
	[[ $output == *"ok    mta-sts.ok: policy id a1, mode enforce"* ]]
	[[ $output != *"mx-unmatched"* ]]
}

@test "mta-sts: a policy over 64 KiB is refused" {
	sts big
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.too-big: the policy at https://mta-sts.big.sts.test/.well-known/mta-sts.txt is larger than 65536 bytes"* ]]
}

@test "mta-sts: a redirect is not followed" {
	sts redir
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.redirect: the policy URL https://mta-sts.redir.sts.test/.well-known/mta-sts.txt redirects (HTTP 301) to https://elsewhere.test/mta-sts.txt"* ]]
}

@test "mta-sts: a policy served as text/html is refused" {
	sts html
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.content-type: the policy at https://mta-sts.html.sts.test/.well-known/mta-sts.txt is served as \"text/html\", not text/plain"* ]]
}

@test "mta-sts: a certificate no trusted CA signed is refused" {
	sts badcert
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.certificate: the policy https://mta-sts.badcert.sts.test/.well-known/mta-sts.txt could not be fetched: mta-sts.badcert.sts.test:443: TLS certificate verification failed: self-signed certificate"* ]]
}

@test "mta-sts: HTTP 404, a policy without max_age, a bad mode" {
	sts gone
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.http-status: the policy URL https://mta-sts.gone.sts.test/.well-known/mta-sts.txt answered HTTP 404"* ]]
	sts badpolicy
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.policy: the policy at https://mta-sts.badpolicy.sts.test/.well-known/mta-sts.txt is not valid: no max_age"* ]]
	sts badmode
	[ "$status" -eq 1 ]
	[[ $output == *"is not valid: mode \"strict\" is not enforce, testing or none"* ]]
}

@test "mta-sts: record errors: several records, a bad id, no id, no policy host" {
	sts tworec
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.records: _mta-sts.tworec.sts.test has 2 v=STSv1 records: senders ignore them all (RFC 8461 3.1)"* ]]
	sts badid
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.record: _mta-sts.badid.sts.test is malformed: id \"2024-01-01\" is not letters and digits"* ]]
	sts noid
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.record: _mta-sts.noid.sts.test is malformed: no id= field"* ]]
	# a sender fetches no policy for a malformed record: neither do we
	run mdig-mx -j -r "$R" --tls-trust-file "$STS_CA" mta-sts noid.sts.test
	[[ $output == *'"fetch":null'* ]]
	sts nohost
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.policy-host: the policy host mta-sts.nohost.sts.test has no address (A: nxdomain, AAAA: nxdomain)"* ]]
}

@test "mta-sts: no record is fine, and nothing is fetched" {
	run mdig-mx -j -r "$R" mta-sts plain.sts.test
	[ "$status" -eq 0 ]
	[[ $output == *'"id":"mta-sts.none","verdict":"ok","text":"no v=STSv1 record at _mta-sts.plain.sts.test: no MTA-STS policy, senders may deliver without authenticated TLS"'* ]]
	[[ $output == *'"fetch":null'* ]]
}

@test "libcurl is loaded for the policy fetch only, not by a run without one" {
	if readelf -d "$(command -v mdig-mx)" | grep -q 'NEEDED.*libcurl'; then
		skip "built with --disable-curl-load: libcurl is linked"
	fi
	# LD_DEBUG=files names every library as it is loaded
	run env LD_DEBUG=files mdig-mx -r "$R" mta-sts plain.sts.test
	[ "$status" -eq 0 ]
	[[ $output == *"mta-sts.none"* ]]
	[[ $output != *"file=libcurl"* ]]
	run env LD_DEBUG=files mdig-mx -r "$R" --tls-trust-file "$STS_CA" \
		mta-sts good.sts.test
	[ "$status" -eq 0 ]
	[[ $output == *"file=libcurl"* ]]
	[[ $output == *"ok    mta-sts.ok: policy id 20240101T0000"* ]]
}

@test "tls-rpt: a good record with a mailto: and an https: destination" {
	rpt good
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "TLS-RPT" ]
	[ "${lines[2]}" = "  _smtp._tls.good.sts.test: v=TLSRPTv1; rua=mailto:tls@good.sts.test, https://r.good.sts.test/tlsrpt" ]
	[ "${lines[3]}" = "  ok    tls-rpt.ok: reports go to 2 destinations" ]
	run mdig-mx -j -r "$R" tls-rpt good.sts.test
	[[ $output == *'"tls_rpt":{"status":"ok","records":1,"record":"v=TLSRPTv1; rua=mailto:tls@good.sts.test, https://r.good.sts.test/tlsrpt","rua":["mailto:tls@good.sts.test","https://r.good.sts.test/tlsrpt"]}'* ]]
}

@test "tls-rpt: several records, no rua, an unusable URI, only unusable URIs, a wrong-case version" {
	rpt tworec
	[ "$status" -eq 1 ]
	[[ $output == *"error tls-rpt.records: _smtp._tls.tworec.sts.test has 2 v=TLSRPTv1 records"* ]]
	rpt badid
	[ "$status" -eq 1 ]
	[[ $output == *"error tls-rpt.record: _smtp._tls.badid.sts.test is malformed: no rua= field"* ]]
	rpt noid
	[ "$status" -eq 0 ]
	[[ $output == *"ok    tls-rpt.ok: reports go to 1 destination"* ]]
	[[ $output == *"warn  tls-rpt.uri: rua \"ftp://x.test/\" is neither a mailto: address nor an https:// URL: senders skip it"* ]]
	rpt badmode
	[ "$status" -eq 1 ]
	[[ $output == *"is malformed: no rua URI is a mailto: address or an https:// URL"* ]]
	rpt lf
	[ "$status" -eq 1 ]
	[[ $output == *"error tls-rpt.record: _smtp._tls.lf.sts.test: the record does not start \"v=TLSRPTv1\""* ]]
}

@test "tls-rpt: none is fine; the domain need not exist at _smtp._tls" {
	rpt plain
	[ "$status" -eq 0 ]
	[[ $output == *"ok    tls-rpt.none: no v=TLSRPTv1 record at _smtp._tls.plain.sts.test: senders do not report TLS failures"* ]]
}

@test "the full report has the MTA-STS and TLS-RPT sections" {
	run mdig-mx -r "$R" --tls-trust-file "$STS_CA" good.sts.test
	[ "$status" -eq 0 ]
	[[ $output == *$'\nMTA-STS\n'*$'\nTLS-RPT\n'*$'\nDANE\n'* ]]
	[[ $output == *"ok    mta-sts.ok: policy id 20240101T0000"* ]]
	[[ $output == *"ok    tls-rpt.ok: reports go to 2 destinations"* ]]
}

@test "--tls-trust-file that cannot be read: 78, before any query" {
	run mdig-mx -r "$R" --tls-trust-file "$BATS_TEST_TMPDIR/none.pem" mta-sts good.sts.test
	[ "$status" -eq 78 ]
	[ "$output" = "mdig-mx: $BATS_TEST_TMPDIR/none.pem: cannot read the trust file: No such file or directory" ]
	run mdig-mx -r "$R" mta-sts-policy good.sts.test
	[ "$status" -eq 64 ]
	[[ $output == *'unknown check "mta-sts-policy" (mx, spf, dmarc, mta-sts, tls-rpt, dane, probe)'* ]]
}

@test "mta-sts: --timeout bounds the policy fetch (a host that never answers: 1 s, not 10)" {
	local out=$BATS_TEST_TMPDIR/blackhole.out n=0 t0 ms
	# connections to port 443 complete, the TLS handshake never does
	python3 "$MKIT_SERVERS_DIR/blackhole.py" 443 127.84.0.1 >"$out" 2>&1 </dev/null 3>&- &
	srv_track blackhole "$!"
	until grep -q ready "$out"; do
		(( n++ < 100 )) || return 1
		sleep 0.05
	done
	t0=$(date +%s%N)
	run mdig-mx -r "$R" -t 1 --tls-trust-file "$STS_CA" mta-sts slow.sts.test
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "$output"
	echo "took $ms ms"
	[ "$status" -eq 1 ]
	[[ $output == *"error mta-sts.fetch: the policy https://mta-sts.slow.sts.test/.well-known/mta-sts.txt could not be fetched: "* ]]
	(( ms >= 900 && ms < 4000 ))
}
