#!/usr/bin/env bats
# mdig-mx dane: TLSA records of the MX hosts and their DNSSEC status. NSD
# serves a zone signed by the suite (sign_zone, ldns-signzone); unbound
# validates it with the zone's key as trust anchor (start_unbound). Asked
# through unbound the records are validated (AD), asked from NSD directly
# they are not, and a record whose signature was broken is bogus: unbound
# answers SERVFAIL.

load helpers
bats_require_minimum_version 1.5.0

# the SHA2-256 and SHA2-512 of nothing in particular: DANE-EE data
H256=8cc8e1a3a4ef1ea8bd2c2dd6d7dc7b9d1a6a1e4e3c3f9c35b5e0e4f2b7f5b3a1
H512=${H256}${H256}

setup_file() {
	local z=$BATS_FILE_TMPDIR/dnssec.test
	cat >"$z" <<EOF
\$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
good IN MX 10 mx1.good
mx1.good IN A 192.0.2.1
_25._tcp.mx1.good IN TLSA 3 1 1 $H256
_25._tcp.mx1.good IN TLSA 2 0 2 $H512
mixed IN MX 10 mx1.mixed
mixed IN MX 20 mx2.mixed
mx1.mixed IN A 192.0.2.2
mx2.mixed IN A 192.0.2.3
_25._tcp.mx1.mixed IN TLSA 3 1 1 $H256
_25._tcp.mx1.mixed IN TLSA 1 1 1 $H256
_25._tcp.mx1.mixed IN TLSA 3 1 1 ${H256:0:40}
_25._tcp.mx2.mixed IN TLSA 0 0 1 $H256
_25._tcp.mx2.mixed IN TLSA 3 1 9 $H256
bogus IN MX 10 mx1.bogus
mx1.bogus IN A 192.0.2.4
_25._tcp.mx1.bogus IN TLSA 3 1 1 $H256
none IN MX 10 mx1.none
mx1.none IN A 192.0.2.5
EOF
	srv_init
	sign_zone dnssec.test "$z" "$z.signed"
	# break the signature of one TLSA RRset: unbound must find it bogus
	python3 - "$z.signed" <<'PY'
import base64, sys
path = sys.argv[1]
out = []
for line in open(path):
    f = line.split()
    if (f and f[0].startswith("_25._tcp.mx1.bogus.") and "RRSIG" in f
            and f[f.index("RRSIG") + 1] == "TLSA"):
        sig = bytearray(base64.b64decode("".join(f[f.index("RRSIG") + 9:])))
        sig[10] ^= 0xff
        line = " ".join(f[:f.index("RRSIG") + 9] +
                        [base64.b64encode(bytes(sig)).decode()]) + "\n"
    out.append(line)
open(path, "w").writelines(out)
PY
	start_dns dnssec.test "$z.signed"
	start_unbound dnssec.test "$DNS_PORT" "$z.signed.anchor"
	export NSD="127.0.0.1:$DNS_PORT" UNBOUND="127.0.0.1:$UNBOUND_PORT"
}

teardown_file() { stop_servers; }

@test "dane: through the validating resolver, usable TLSA records are validated: ok" {
	run mdig-mx -r "$UNBOUND" dane good.dnssec.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "DANE" ]
	[ "${lines[2]}" = "  _25._tcp.mx1.good.dnssec.test: DNSSEC validated" ]
	# (in the order the resolver gave)
	[[ ${lines[3]} == "    TLSA 3 1 1 $H256" || ${lines[4]} == "    TLSA 3 1 1 $H256" ]]
	[[ ${lines[3]} == "    TLSA 2 0 2 $H512" || ${lines[4]} == "    TLSA 2 0 2 $H512" ]]
	[ "${lines[5]}" = "  ok    dane.ok: mx1.good.dnssec.test: 2 usable TLSA records, DNSSEC-validated" ]
}

@test "dane: the same records asked from the authoritative server are not validated" {
	run mdig-mx -r "$NSD" dane good.dnssec.test
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "  _25._tcp.mx1.good.dnssec.test: not DNSSEC validated" ]
	[[ $output == *"error dane.not-validated: mx1.good.dnssec.test: the TLSA records are not DNSSEC-validated: senders ignore them"* ]]
}

@test "dane: a broken signature: unbound says SERVFAIL, the report says why it matters" {
	run mdig-mx -r "$UNBOUND" dane bogus.dnssec.test
	[ "$status" -eq 1 ]
	[ "${lines[2]}" = "  _25._tcp.mx1.bogus.dnssec.test: servfail" ]
	[[ $output == *"error dane.dns: the TLSA lookup for _25._tcp.mx1.bogus.dnssec.test failed: "* ]]
	[[ $output == *"fix: check the zone's DNSSEC signatures and name servers: DANE senders defer mail while this fails"* ]]
	# the authoritative server does not check signatures
	run mdig-mx -r "$NSD" dane bogus.dnssec.test
	[[ $output == *"dane.not-validated"* ]]
}

@test "dane: PKIX usages, a short digest, an unknown matching type are not usable" {
	run mdig-mx -r "$UNBOUND" dane mixed.dnssec.test
	[ "$status" -eq 1 ]
	[[ $output == *"warn  dane.unusable: mx1.mixed.dnssec.test: TLSA 1 1 1 is not usable: PKIX usages are not used for SMTP (RFC 7672 3.1.3)"* ]]
	[[ $output == *"warn  dane.unusable: mx1.mixed.dnssec.test: TLSA 3 1 1 is not usable: a SHA2-256 digest is 32 bytes"* ]]
	[[ $output == *"ok    dane.ok: mx1.mixed.dnssec.test: 1 usable TLSA record, DNSSEC-validated"* ]]
	[[ $output == *"warn  dane.unusable: mx2.mixed.dnssec.test: TLSA 0 0 1 is not usable: PKIX usages"* ]]
	[[ $output == *"warn  dane.unusable: mx2.mixed.dnssec.test: TLSA 3 1 9 is not usable: unknown matching type"* ]]
	[[ $output == *"error dane.none-usable: none of the 2 TLSA records of mx2.mixed.dnssec.test is usable"* ]]
}

@test "dane: --json lists each host's records and their status" {
	run mdig-mx -j -r "$UNBOUND" dane mixed.dnssec.test
	[ "$status" -eq 1 ]
	python3 - "$output" "$H256" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert d["schema"] == "mdig-mx/1" and d["verdict"] == "error", d
dane = d["dane"]
assert dane["resolver_trusted"] is True
h1, h2 = dane["hosts"]
assert h1["name"] == "mx1.mixed.dnssec.test" and h1["status"] == "ok"
assert h1["validated"] and h1["address_validated"], h1
assert {"usage": 3, "selector": 1, "matching_type": 1, "data": sys.argv[2],
        "usable": True, "why": None} in h1["records"], h1
assert [r["usable"] for r in h2["records"]] == [False, False], h2
PY
}

@test "dane: no TLSA at the MX hosts is fine" {
	run mdig-mx -r "$UNBOUND" dane none.dnssec.test
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "  _25._tcp.mx1.none.dnssec.test: nxdomain" ]
	[[ $output == *"ok    dane.none: no TLSA records at the MX hosts: senders do not use DANE"* ]]
}

@test "dane: in the full report, and the MX validated through unbound" {
	run mdig-mx -r "$UNBOUND" good.dnssec.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "MX (DNSSEC validated)" ]
	[[ $output == *$'\nDANE\n  _25._tcp.mx1.good.dnssec.test: DNSSEC validated\n'* ]]
}
