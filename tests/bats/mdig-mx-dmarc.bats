#!/usr/bin/env bats
# mdig-mx dmarc on a real NSD serving a zone for "uk", so that names sit
# under multi-label public suffixes of the installed list (co.uk, gov.uk,
# ac.uk) and the DNS tree walk runs to the top.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	start_dns uk /dev/stdin <<'EOF2'
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
_dmarc.own.example.co.uk.  IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@own.example.co.uk"
_dmarc.example.co.uk.      IN TXT "v=DMARC1; p=quarantine; sp=reject"
sub.example.co.uk.         IN A   192.0.2.1
_dmarc.mon.example.co.uk.  IN TXT "v=DMARC1; p=none" "; pct=50"
_dmarc.two.example.co.uk.  IN TXT "v=DMARC1; p=reject"
_dmarc.two.example.co.uk.  IN TXT "v=DMARC1; p=none"
_dmarc.bad.example.co.uk.  IN TXT "v=DMARC1; p=maybe"
_dmarc.ext.example.co.uk.  IN TXT "v=DMARC1; p=reject; rua=mailto:a@reports.co.uk,mailto:b@auth.co.uk!10m; ruf=https://x.co.uk/"
ext.example.co.uk._report._dmarc.auth.co.uk. IN TXT "v=DMARC1"
plain.co.uk.               IN A   192.0.2.2
_dmarc.gov.uk.             IN TXT "v=DMARC1; p=reject"
x.agency.gov.uk.           IN A   192.0.2.3
_dmarc.ac.uk.              IN TXT "v=DMARC1; p=reject; psd=y"
x.univ.ac.uk.              IN A   192.0.2.4
EOF2
	export R="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

dmarc() { run mdig-mx -r "$R" dmarc "$1"; }

@test "dmarc: the domain's own record, reject: ok" {
	dmarc own.example.co.uk
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "DMARC" ]
	[ "${lines[2]}" = "  _dmarc.own.example.co.uk: v=DMARC1; p=reject; rua=mailto:dmarc@own.example.co.uk" ]
	[ "${lines[3]}" = "  policy reject (the domain's own record)" ]
	[ "${lines[4]}" = "  organizational domain: example.co.uk (public suffix list), example.co.uk (DNS tree walk)" ]
	[[ $output == *"ok    dmarc.ok: policy reject from _dmarc.own.example.co.uk"* ]]
}

@test "dmarc: a subdomain gets sp= of its organizational domain (PSL decides)" {
	dmarc sub.example.co.uk
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "  _dmarc.example.co.uk: v=DMARC1; p=quarantine; sp=reject" ]
	[ "${lines[3]}" = "  policy reject (organizational domain by the public suffix list)" ]
	[ "${lines[4]}" = "  organizational domain: example.co.uk (public suffix list), example.co.uk (DNS tree walk)" ]
	[[ $output != *"dmarc.org-disagree"* ]]
}

@test "dmarc: the PSL and the tree walk disagree: flagged, the tree walk finds the policy" {
	dmarc x.agency.gov.uk
	[ "$status" -eq 0 ]
	[[ $output == *"organizational domain: agency.gov.uk (public suffix list), gov.uk (DNS tree walk)"* ]]
	[[ $output == *"policy reject (organizational domain by the DNS tree walk)"* ]]
	[[ $output == *"warn  dmarc.org-disagree: organizational domain: agency.gov.uk by the public suffix list, gov.uk by the DNS tree walk"* ]]
}

@test "dmarc: psd=y marks a public suffix domain: the walk agrees with the PSL" {
	dmarc x.univ.ac.uk
	[[ $output == *"organizational domain: univ.ac.uk (public suffix list), univ.ac.uk (DNS tree walk)"* ]]
	[[ $output == *"warn  dmarc.none: no DMARC policy applies to x.univ.ac.uk"* ]]
	[ "$status" -eq 0 ]
}

@test "dmarc: no policy anywhere is a warning" {
	dmarc plain.co.uk
	[ "$status" -eq 0 ]
	[[ $output == *"warn  dmarc.none: no DMARC policy applies to plain.co.uk"* ]]
}

@test "dmarc: p=none and pct below 100 are warnings" {
	dmarc mon.example.co.uk
	[ "$status" -eq 0 ]
	[[ $output == *"warn  dmarc.monitor: the policy for mon.example.co.uk is none"* ]]
	[[ $output == *"warn  dmarc.pct: pct=50"* ]]
}

@test "dmarc: two records and a bad policy are errors" {
	dmarc two.example.co.uk
	[ "$status" -eq 1 ]
	[[ $output == *"error dmarc.multiple: _dmarc.two.example.co.uk has 2 DMARC records"* ]]
	dmarc bad.example.co.uk
	[ "$status" -eq 1 ]
	[[ $output == *"error dmarc.syntax: _dmarc.bad.example.co.uk: p=maybe is not a policy"* ]]
}

@test "dmarc: an external report destination must authorize the reports (RFC 7489 7.1)" {
	dmarc ext.example.co.uk
	[ "$status" -eq 0 ]
	[[ $output == *"warn  dmarc.external: reports to mailto:a@reports.co.uk are not sent: ext.example.co.uk._report._dmarc.reports.co.uk does not authorize them"* ]]
	[[ $output != *"reports to mailto:b@auth.co.uk"* ]]
	[[ $output == *'warn  dmarc.report-uri: report URI "https://x.co.uk/" is not a mailto: address'* ]]
}

@test "dmarc --json: policy, where, who decided, both organizational domains" {
	run --separate-stderr mdig-mx --json -r "$R" dmarc x.agency.gov.uk
	[ "$status" -eq 0 ]
	python3 - "$output" <<'PY'
import json, sys
d = json.loads(sys.argv[1])["dmarc"]
assert d == {"status": "nxdomain", "record": "v=DMARC1; p=reject",
             "record_at": "gov.uk", "policy": "reject",
             "decided_by": "tree-walk", "org_psl": "agency.gov.uk",
             "org_tree_walk": "gov.uk"}, d
PY
}

@test "the full report has the MX, SPF and DMARC sections" {
	run mdig-mx -r "$R" sub.example.co.uk
	[ "$status" -eq 0 ]
	[[ $output == *$'\nMX\n'* ]]
	[[ $output == *$'\nSPF\n'* ]]
	[[ $output == *$'\nDMARC\n'* ]]
}
