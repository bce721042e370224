#!/usr/bin/env bats
# mdig-mx --probe against the suite's real Postfix (a STARTTLS listener and a
# plain one) with NSD pointing MX hosts at 127.0.0.1, TLSA records computed
# here from the certificate Postfix serves (one that matches, one that does
# not), and the scripted server for hostile banners, a refused STARTTLS, a
# broken handshake and a dead port. Exit codes are compared inside the tests.

load helpers
bats_require_minimum_version 1.5.0

# tlsa_311 CERT: the data of a "3 1 1" record for CERT (SHA-256 of its
# SubjectPublicKeyInfo), hex.
tlsa_311() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -r | cut -d' ' -f1
}

# no_error_but_dnssec: $output has no error-level finding other than
# dane.not-validated (NSD is authoritative, not validating: every TLSA
# record it serves is unvalidated, which dane_check() rightly calls an
# error; the probe's own verdicts are what these tests look at).
no_error_but_dnssec() {
	! grep '^  error ' <<<"$output" | grep -v 'error dane.not-validated:'
}

setup_file() {
	require_root
	local d=$BATS_FILE_TMPDIR/mxcert
	# Postfix serves a certificate for the MX host's name
	mk_cert "$d" DNS:mx.example.test || return 1
	export MX_CERT=$d/cert.pem
	POSTFIX_MAIN_EXTRA="smtpd_tls_cert_file = $d/cert.pem
smtpd_tls_key_file = $d/key.pem" start_postfix || return 1
	local good bad tp=$POSTFIX_PORT pp=$POSTFIX_PLAIN_PORT
	good=$(tlsa_311 "$MX_CERT")
	bad=$(tlsa_311 "$TEST_CERT")
	{ zone_head; cat <<EOF2; } >"$BATS_FILE_TMPDIR/zone"
mx        IN A   127.0.0.1
dead      IN A   127.0.0.2
both      IN A   127.0.0.2
both      IN A   127.0.0.1
dane      IN A   127.0.0.1
wrong     IN A   127.0.0.1
tls       IN MX  10 mx
_$tp._tcp.mx IN TLSA 3 1 1 $good
_$pp._tcp.mx IN TLSA 3 1 1 $good
wrongtlsa IN MX  10 wrong
_$tp._tcp.wrong IN TLSA 3 1 1 $bad
_$tp._tcp.wrong IN TLSA 1 1 1 $good
backup    IN MX  10 dead
backup    IN MX  20 mx
twoaddr   IN MX  10 both
plain     IN MX  10 dane
nothing   IN MX  10 dead
mx2       IN A   127.0.0.1
hole1     IN A   127.0.0.3
hole2     IN A   127.0.0.4
many      IN MX  10 mx
many      IN MX  20 hole1
many      IN MX  30 dead
many      IN MX  40 mx2
many      IN MX  50 hole2
EOF2
	start_dns <"$BATS_FILE_TMPDIR/zone" || return 1
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

# start_blackhole PORT ADDR...: tests/servers/blackhole.py (connections
# complete, nothing is ever said), stopped by stop_servers.
start_blackhole() {
	local out=$BATS_TEST_TMPDIR/blackhole.out n=0
	python3 "$MKIT_SERVERS_DIR/blackhole.py" "$@" >"$out" 2>&1 </dev/null 3>&- &
	srv_track blackhole "$!"
	until grep -q ready "$out"; do
		(( n++ < 100 )) || return 1
		sleep 0.05
	done
}

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

@test "probe: STARTTLS, version, chain, the name, PKIX and a matching TLSA" {
	run mdig-mx -r "$R" probe --port "$POSTFIX_PORT" tls.example.test
	echo "$output"
	[ "$status" -eq 1 ]
	no_error_but_dnssec
	[[ $output == *"PROBE"* ]]
	[[ $output == *"  10 mx.example.test 127.0.0.1:$POSTFIX_PORT"* ]]
	[[ $output == *"    banner: 220 mkit-test.localhost ESMTP mkit test"* ]]
	[[ $output == *"    starttls: ok"* ]]
	[[ $output == *"    tls: TLSv1."* ]]
	[[ $output == *"    certificate 0: CN=mx.example.test (issuer CN=mx.example.test)"* ]]
	[[ $output == *"    name: names mx.example.test"* ]]
	# self-signed: what a verifying (MTA-STS) sender would refuse
	[[ $output == *"    pkix: not valid: self-signed certificate"* ]]
	[[ $output == *"warn  probe.cert-pkix: mx.example.test: the certificate is not valid under PKIX"* ]]
	[[ $output == *"    tlsa: 1 record at _$POSTFIX_PORT._tcp.mx.example.test, one matches"* ]]
	# NSD is authoritative, not validating: the match is said, and that
	# DANE senders would ignore it
	[[ $output == *"ok    probe.tlsa-match: mx.example.test: TLSA 3 1 1 matches certificate 0 (the records are not DNSSEC-validated: DANE senders ignore them)"* ]]
	[[ $output == *"error dane.not-validated: mx.example.test"* ]]
}

@test "probe: with the certificate as trusted CA, PKIX-valid for the MX host" {
	run mdig-mx -r "$R" --probe --port "$POSTFIX_PORT" \
		--tls-trust-file "$MX_CERT" mx tls.example.test
	[ "$status" -eq 1 ]
	no_error_but_dnssec
	[[ $output == *"    pkix: valid"* ]]
	[[ $output == *"ok    probe.cert-pkix: mx.example.test: the certificate is valid under PKIX for the host"* ]]
}

@test "probe: TLSA records that do not match the certificate are an error (exit 1)" {
	run mdig-mx -r "$R" probe --port "$POSTFIX_PORT" wrongtlsa.example.test
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"    name: does not name wrong.example.test"* ]]
	[[ $output == *"    tlsa: 2 records at _$POSTFIX_PORT._tcp.wrong.example.test, none matches"* ]]
	[[ $output == *"error probe.tlsa-mismatch: wrong.example.test: no TLSA record matches the certificate"* ]]
	[[ $output == *"warn  probe.cert-name: wrong.example.test: the certificate (CN=mx.example.test) does not name wrong.example.test"* ]]
}

@test "probe: no STARTTLS is a warning, and an error with TLSA published" {
	run mdig-mx -r "$R" probe --port "$POSTFIX_PLAIN_PORT" plain.example.test
	[ "$status" -eq 0 ]
	[[ $output == *"    starttls: not-offered"* ]]
	[[ $output == *"warn  probe.no-starttls: dane.example.test does not offer STARTTLS"* ]]
	run mdig-mx -r "$R" probe --port "$POSTFIX_PLAIN_PORT" tls.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error probe.no-starttls: mx.example.test does not offer STARTTLS: mail to it travels in clear, against its published TLSA or MTA-STS policy"* ]]
	[[ $output == *"error probe.tlsa-no-tls: mx.example.test publishes TLSA records but offers no working TLS"* ]]
}

@test "probe: a dead MX beside a working one is a warning; the first address that answers is probed" {
	run mdig-mx -r "$R" probe --port "$POSTFIX_PORT" backup.example.test
	[ "$status" -eq 1 ]
	no_error_but_dnssec
	[[ $output == *"  10 dead.example.test 127.0.0.2:$POSTFIX_PORT"* ]]
	[[ $output == *"    connect: 127.0.0.2:$POSTFIX_PORT"* ]]
	[[ $output == *"warn  probe.connect: cannot connect to MX 10 dead.example.test: 127.0.0.2:$POSTFIX_PORT"* ]]
	[[ $output == *"  20 mx.example.test 127.0.0.1:$POSTFIX_PORT"* ]]
	run mdig-mx -r "$R" probe --port "$POSTFIX_PORT" twoaddr.example.test
	[ "$status" -eq 0 ]
	[[ $output == *"  10 both.example.test 127.0.0.1:$POSTFIX_PORT"* ]]
	[[ $output != *"probe.connect"* ]]
}

@test "probe: no MX host answers: an error finding, exit 1, not a program error" {
	run --separate-stderr mdig-mx -r "$R" probe --port "$POSTFIX_PORT" nothing.example.test
	[ "$status" -eq 1 ]
	[[ $output == *"error probe.unreachable: no MX host answers SMTP"* ]]
	[ -z "$stderr" ]
}

@test "probe --json: the probe in schema mdig-mx/1" {
	run --separate-stderr mdig-mx --json -r "$R" probe --port "$POSTFIX_PORT" tls.example.test
	[ "$status" -eq 1 ]
	python3 - "$output" "$POSTFIX_PORT" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["schema"] == "mdig-mx/1", d
p = d["probe"][0]
assert p["host"] == "mx.example.test" and p["address"] == "127.0.0.1", p
assert p["port"] == int(sys.argv[2]) and p["connected"] is True, p
assert p["greeting"].startswith("220 mkit-test.localhost"), p
assert "STARTTLS" not in p["ehlo"], p   # the EHLO after TLS
assert p["starttls"] == "ok" and p["tls"]["version"].startswith("TLSv1."), p
assert p["chain"][0]["subject"] == "CN=mx.example.test", p
assert p["name_ok"] is True and p["pkix"] is False, p
assert p["pkix_error"] == "self-signed certificate", p
t = p["tlsa"]
assert t["status"] == "ok" and t["records"] == 1 and t["validated"] is False, t
assert t["match"] == "match" and t["matched_depth"] == 0, t
ids = [f["id"] for f in d["findings"]]
assert "probe.tls" in ids and "probe.tlsa-match" in ids, ids
assert d["dane"]["hosts"][0]["records"][0]["usable"] is True, d["dane"]
PY
}

@test "probe: a hostile banner (554, control bytes) is a finding, printed safely" {
	start_fake_smtp <<'EOF2'
raw 554 go\x1b[31maway\r\n
close
EOF2
	run mdig-mx -r "$R" probe --port "$FAKE_PORT" tls.example.test
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"error probe.smtp: MX 10 mx.example.test does not start an SMTP session: 127.0.0.1:$FAKE_PORT: greeting: 554 go [31maway"* ]]
	[[ $output != *$'\x1b'* ]]
	stop_fake_smtp
}

@test "probe: STARTTLS offered then refused; a handshake that fails" {
	start_fake_smtp <<'EOF2'
send 220 fake ESMTP
ehlo STARTTLS
expect STARTTLS
send 454 4.7.0 TLS not available
quit
EOF2
	run mdig-mx -r "$R" probe --port "$FAKE_PORT" backup.example.test
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"    starttls: refused: 127.0.0.1:$FAKE_PORT: STARTTLS"*"454 4.7.0 TLS not available"* ]]
	[[ $output == *"warn  probe.starttls-refused: mx.example.test offers STARTTLS but refuses it"* ]]
	grep -q '^C: QUIT' "$FAKE_LOG"
	stop_fake_smtp
	start_fake_smtp <<'EOF2'
send 220 fake ESMTP
ehlo STARTTLS
expect STARTTLS
send 220 go ahead
raw not a TLS record\r\n
close
EOF2
	run mdig-mx -r "$R" probe --port "$FAKE_PORT" backup.example.test
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"error probe.tls-failed: mx.example.test: the TLS handshake after STARTTLS failed"* ]]
	stop_fake_smtp
}

@test "probe: nothing but EHLO and QUIT is said (no MAIL, no RCPT)" {
	start_fake_smtp <<'EOF2'
send 220 fake ESMTP
ehlo SIZE_1000
quit
EOF2
	run mdig-mx -r "$R" probe --port "$FAKE_PORT" backup.example.test
	[ "$status" -eq 0 ]
	run grep -c '^C: ' "$FAKE_LOG"
	[ "$output" -eq 2 ]
	grep -q '^C: EHLO ' "$FAKE_LOG"
	grep -q '^C: QUIT' "$FAKE_LOG"
	stop_fake_smtp
}

@test "probe: the hosts are probed at once: two black holes cost one timeout, not two; the report stays in MX order" {
	start_blackhole "$POSTFIX_PORT" 127.0.0.3 127.0.0.4
	local t0 ms
	t0=$(date +%s%N)
	run --separate-stderr mdig-mx -r "$R" -t 2 -v probe --port "$POSTFIX_PORT" many.example.test
	ms=$(ms_since "$t0")
	echo "$output"
	echo "$stderr"
	echo "took $ms ms"
	[ "$status" -eq 1 ]
	# one read timeout (2 s) and the rest; one after the other it would
	# be two timeouts and more (see the next test)
	(( ms < 3800 ))
	# in MX order, whatever order they finished in
	[[ $(sed -n '/^PROBE/,$p' <<<"$output" | grep -E '^  [0-9]+ ' | awk '{print $1 "/" $2}' | tr '\n' ' ') == "10/mx.example.test 20/hole1.example.test 30/dead.example.test 40/mx2.example.test 50/hole2.example.test " ]]
	# the two real ones worked, the holes timed out, the closed port refused
	[ "$(sed -n '/^PROBE/,$p' <<<"$output" | grep -c '    starttls: ok')" -eq 2 ]
	[[ $output == *"error probe.smtp: MX 20 hole1.example.test does not start an SMTP session"* ]]
	[[ $output == *"error probe.smtp: MX 50 hole2.example.test does not start an SMTP session"* ]]
	[[ $output == *"warn  probe.connect: cannot connect to MX 30 dead.example.test"* ]]
	# -v: each host's transcript whole, in MX order
	[[ $(grep '^\* probe of MX' <<<"$stderr" | awk '{print $5 "/" $6}' | tr '\n' ' ') == "10/mx.example.test, 20/hole1.example.test, 30/dead.example.test, 40/mx2.example.test, 50/hole2.example.test, " ]]
}

@test "probe --parallel 1: one host after the other, the timeouts add up" {
	start_blackhole "$POSTFIX_PORT" 127.0.0.3 127.0.0.4
	local t0 ms
	t0=$(date +%s%N)
	run mdig-mx -r "$R" -t 1 --parallel 1 probe --port "$POSTFIX_PORT" many.example.test
	ms=$(ms_since "$t0")
	echo "$output"
	echo "took $ms ms"
	[ "$status" -eq 1 ]
	(( ms >= 2000 ))
	[[ $output == *"error probe.smtp: MX 20 hole1.example.test does not start an SMTP session"* ]]
	[[ $output == *"error probe.smtp: MX 50 hole2.example.test does not start an SMTP session"* ]]
}

@test "probe -v: the SMTP transcript on stderr (sent, received, TLS), the report unchanged on stdout" {
	run --separate-stderr mdig-mx -r "$R" -v probe --port "$POSTFIX_PORT" tls.example.test
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ $stderr == "* probe of MX 10 mx.example.test, port $POSTFIX_PORT"* ]]
	[[ $stderr == *"* connected to "*"127.0.0.1"* ]]
	[[ $stderr == *"< 220 mkit-test.localhost ESMTP mkit test"* ]]
	[[ $stderr == *"> EHLO "* ]]
	[[ $stderr == *"< 250-STARTTLS"* ]]
	[[ $stderr == *"> STARTTLS"* ]]
	[[ $stderr == *"* TLS started: TLSv1."* ]]
	[[ $stderr == *"> QUIT"* ]]
	# two EHLO: before and after STARTTLS; never MAIL, RCPT or AUTH
	[ "$(grep -c '^> EHLO ' <<<"$stderr")" -eq 2 ]
	! grep -E '^> (MAIL|RCPT|AUTH)' <<<"$stderr"
	# stdout is the report, as without -v
	[[ $output != *"> EHLO"* ]]
	run --separate-stderr mdig-mx -r "$R" probe --port "$POSTFIX_PORT" tls.example.test
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
}

@test "probe: --timeout bounds the probe's connect and reads (a black hole, 1 s)" {
	start_blackhole "$POSTFIX_PORT" 127.0.0.3
	local t0 ms
	t0=$(date +%s%N)
	run mdig-mx -r "$R" -t 1 probe --port "$POSTFIX_PORT" many.example.test
	ms=$(ms_since "$t0")
	echo "$output"
	echo "took $ms ms"
	[ "$status" -eq 1 ]
	# the default read timeout is 30 s
	(( ms < 2800 ))
	[[ $output == *"error probe.smtp: MX 20 hole1.example.test does not start an SMTP session"* ]]
}

@test "OpenSSL is loaded for the probe only, not by a DNS-only report" {
	if readelf -d "$(command -v mdig-mx)" | grep -q 'NEEDED.*libssl'; then
		skip "built with --disable-curl-load or before OpenSSL 3: linked"
	fi
	# LD_DEBUG=files names every library as it is loaded
	run env LD_DEBUG=files mdig-mx -r "$R" tls.example.test
	[[ $output == *"  10 mx.example.test"* ]]
	[[ $output != *"file=libssl"* ]]
	[[ $output != *"file=libcrypto"* ]]
	# the probe loads it (with libcurl) and every TLS verdict still comes
	run env LD_DEBUG=files mdig-mx -r "$R" probe --port "$POSTFIX_PORT" \
		--tls-trust-file "$MX_CERT" tls.example.test
	[[ $output == *"file=libssl"* ]]
	[[ $output == *"    starttls: ok"* ]]
	[[ $output == *"    certificate 0: CN=mx.example.test (issuer CN=mx.example.test)"* ]]
	[[ $output == *"    pkix: valid"* ]]
	[[ $output == *"ok    probe.tlsa-match: mx.example.test: TLSA 3 1 1 matches certificate 0"* ]]
}
