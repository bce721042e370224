#!/usr/bin/env bats
# The DNS layer (src/dns) through tests/dns/dns_drive: against a real NSD
# serving a test zone, and against tests/dns/dnsfault.py, a scripted hostile
# server. Every fault ends in a clear status within the time bound.

load bats/helpers

setup_file() {
	start_dns <<'EOF2'
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
@       IN MX  20 mx2
@       IN MX  10 mx1
mx1     IN A   192.0.2.1
mx1     IN AAAA 2001:db8::1
mx2     IN AAAA 2001:db8::2
@       IN TXT "v=spf1 " "ip4:192.0.2.0/24 " "-all"
alias   IN CNAME mid
mid     IN CNAME mx1
_25._tcp.mx1 IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
nullmx  IN MX 0 .
zero 0  IN A   192.0.2.9
EOF2
	export NSD="127.0.0.1:$DNS_PORT"
}

teardown_file() { stop_servers; }

setup() {
	DRIVE="$MKIT_BUILDDIR/tests/dns/dns_drive"
	FPID=
}

teardown() {
	if [ -n "$FPID" ]; then
		fault_stop 2>/dev/null
	fi
	return 0
}

# fault MODE [ARGS]: start dnsfault.py; exports FAULT (IP:PORT), FLOG.
fault() {
	FLOG=$BATS_TEST_TMPDIR/fault.log
	: >"$FLOG"
	python3 "$MKIT_SRCDIR/tests/dns/dnsfault.py" "$BATS_TEST_TMPDIR/port" \
		"$FLOG" "$@" 2>"$BATS_TEST_TMPDIR/fault.err" &
	FPID=$!
	for _ in $(seq 200); do
		if [ -f "$BATS_TEST_TMPDIR/port" ]; then
			FAULT=127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")
			return 0
		fi
		sleep 0.05
	done
	echo "dnsfault $1 did not start" >&2
	return 1
}

# fault_stop: stop the server fault started, so that another can start.
fault_stop() {
	kill "$FPID"
	wait "$FPID" 2>/dev/null || true
	FPID=
	rm -f "$BATS_TEST_TMPDIR/port"
}

# elapsed: the "elapsed MS" figure of the last run.
elapsed() { printf '%s\n' "$output" | sed -n 's/^elapsed //p'; }

@test "nsd: MX, A, AAAA, TXT (strings joined), TLSA in one run" {
	run "$DRIVE" -s "$NSD" example.test MX mx1.example.test A \
		mx1.example.test AAAA example.test TXT \
		_25._tcp.mx1.example.test TLSA
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "example.test MX ok ad=0 validated=0" ]
	[[ $output == *"  MX 10 mx1.example.test"* ]]
	[[ $output == *"  MX 20 mx2.example.test"* ]]
	[[ $output == *"  A 192.0.2.1"* ]]
	[[ $output == *"  AAAA 2001:db8::1"* ]]
	[[ $output == *'  TXT "v=spf1 ip4:192.0.2.0/24 -all"'* ]]
	[[ $output == *"  TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"* ]]
}

@test "nsd: NXDOMAIN, NODATA and a null MX are told apart" {
	run "$DRIVE" -s "$NSD" nope.example.test MX mx2.example.test A \
		nullmx.example.test MX
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "nope.example.test MX nxdomain ad=0 validated=0" ]
	[ "${lines[1]}" = "mx2.example.test A nodata ad=0 validated=0" ]
	[ "${lines[2]}" = "nullmx.example.test MX ok ad=0 validated=0" ]
	[ "${lines[3]}" = "  MX 0 " ]
}

@test "nsd: a CNAME chain is followed to the address" {
	run "$DRIVE" -s "$NSD" alias.example.test A alias.example.test CNAME
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "alias.example.test A ok ad=0 validated=0" ]
	[ "${lines[1]}" = "  cname mid.example.test" ]
	[ "${lines[2]}" = "  cname mx1.example.test" ]
	[ "${lines[3]}" = "  A 192.0.2.1" ]
	[ "${lines[4]}" = "alias.example.test CNAME ok ad=0 validated=0" ]
	[ "${lines[5]}" = "  CNAME mid.example.test" ]
}

@test "concurrent: 50 queries behind a 100 ms delay take about one delay" {
	fault delay 100 "$DNS_PORT"
	local args=() i
	for i in $(seq 50); do args+=("n$i.example.test" A); done
	run "$DRIVE" -s "$FAULT" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' nxdomain ' <<<"$output")" -eq 50 ]
	[ "$(elapsed)" -lt 1000 ]
}

@test "concurrent: a question asked again while in flight goes out once" {
	fault delay 100 "$DNS_PORT"
	run "$DRIVE" -s "$FAULT" mx1.example.test A MX1.Example.Test A \
		mx1.example.test. A mx1.example.test AAAA nope.example.test A \
		nope.example.test A
	[ "$status" -eq 0 ]
	# each asker gets the answer under the name it asked
	[ "${lines[0]}" = "mx1.example.test A ok ad=0 validated=0" ]
	[ "${lines[1]}" = "  A 192.0.2.1" ]
	[ "${lines[2]}" = "MX1.Example.Test A ok ad=0 validated=0" ]
	[ "${lines[3]}" = "  A 192.0.2.1" ]
	[ "${lines[4]}" = "mx1.example.test. A ok ad=0 validated=0" ]
	[ "${lines[5]}" = "  A 192.0.2.1" ]
	[ "${lines[6]}" = "mx1.example.test AAAA ok ad=0 validated=0" ]
	[ "${lines[8]}" = "nope.example.test A nxdomain ad=0 validated=0" ]
	[ "${lines[9]}" = "nope.example.test A nxdomain ad=0 validated=0" ]
	# the server saw one query per distinct question
	[ "$(grep -ic '^udp mx1\.example\.test\.\? 1$' "$FLOG")" -eq 1 ]
	[ "$(grep -c '^udp mx1\.example\.test 28$' "$FLOG")" -eq 1 ]
	[ "$(grep -c '^udp nope\.example\.test 1$' "$FLOG")" -eq 1 ]
	[ "$(wc -l <"$FLOG")" -eq 3 ]
}

@test "query IDs: random, none twice among the questions in flight" {
	fault delay 100 "$DNS_PORT"
	local args=() i
	for i in $(seq 200); do args+=("n$i.example.test" A); done
	run "$DRIVE" -s "$FAULT" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$FLOG.ids")" -eq 200 ]
	# 200 questions in flight at once: 200 different IDs (c-ares 1.18
	# sends the ID the query carries: it was 0 for every one)
	[ "$(sort -u "$FLOG.ids" | wc -l)" -eq 200 ]
	# and not a counter: 200 IDs in a row out of 65,536 have gaps
	[ "$(sort -n "$FLOG.ids" | awk 'NR > 1 && $1 != p + 1 { g++ }
		{ p = $1 } END { print g + 0 }')" -gt 100 ]
}

@test "cache: asked again after its answer, a question is answered from memory" {
	fault delay 100 "$DNS_PORT"
	run "$DRIVE" -1 -s "$FAULT" mx1.example.test A MX1.Example.Test. A \
		nope.example.test A nope.example.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mx1.example.test A ok ad=0 validated=0" ]
	[ "${lines[1]}" = "  A 192.0.2.1" ]
	[ "${lines[2]}" = "MX1.Example.Test. A ok ad=0 validated=0" ]
	[ "${lines[3]}" = "  A 192.0.2.1" ]
	[ "${lines[4]}" = "nope.example.test A nxdomain ad=0 validated=0" ]
	[ "${lines[5]}" = "nope.example.test A nxdomain ad=0 validated=0" ]
	# each question went out once: two round trips of 100 ms, not four
	[ "$(wc -l <"$FLOG")" -eq 2 ]
	[ "$(elapsed)" -lt 390 ]
}

@test "cache: nothing kept of a TTL of 0 or a failure" {
	fault delay 50 "$DNS_PORT"
	run "$DRIVE" -1 -s "$FAULT" zero.example.test A zero.example.test A
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "  A 192.0.2.9" ]
	[ "${lines[3]}" = "  A 192.0.2.9" ]
	[ "$(grep -c '^udp zero\.example\.test 1$' "$FLOG")" -eq 2 ]
	fault_stop
	fault servfail
	run "$DRIVE" -1 -t 2000 -s "$FAULT" x.example.test A x.example.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.example.test A servfail ad=0 validated=0 server failure" ]
	[ "${lines[1]}" = "x.example.test A servfail ad=0 validated=0 server failure" ]
	[ "$(grep -c '^udp x\.example\.test 1$' "$FLOG")" -eq 2 ]
}

@test "retry: a dead first server, the answer from the second" {
	local dead
	dead=$(free_port)
	run "$DRIVE" -t 3000 -s "127.0.0.1:$dead" -s "$NSD" mx1.example.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mx1.example.test A ok ad=0 validated=0" ]
}

@test "fault: truncated over UDP, the answer over TCP" {
	fault truncate
	run "$DRIVE" -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test A ok ad=0 validated=0" ]
	grep -qx 'udp x.test 1' "$FLOG"
	grep -qx 'tcp x.test 1' "$FLOG"
}

@test "fault: truncated, and TCP closed unanswered: an error in time" {
	fault tcpclose
	run "$DRIVE" -t 1500 -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^x.test\ A\ (timeout|bad-answer) ]]
	[ "$(elapsed)" -lt 3000 ]
}

@test "fault: answers with the wrong ID are ignored: timeout" {
	fault wrongid
	run "$DRIVE" -t 900 -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test A timeout ad=0 validated=0 no answer in time" ]
	[ "$(elapsed)" -lt 2000 ]
}

@test "fault: a server that never answers: timeout, retried once, bounded" {
	fault silent
	run "$DRIVE" -t 900 -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test A timeout ad=0 validated=0 no answer in time" ]
	[ "$(elapsed)" -ge 800 ]
	[ "$(elapsed)" -lt 2000 ]
	[ "$(grep -c '^udp x.test 1$' "$FLOG")" -eq 2 ]
}

@test "fault: compression loops in an owner and in MX data: bad answer" {
	fault loop
	run "$DRIVE" -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test A bad-answer ad=0 validated=0 answer record does not parse" ]
	fault_stop
	fault rdataloop
	run "$DRIVE" -s "$FAULT" x.test MX
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test MX bad-answer ad=0 validated=0 MX exchange does not parse" ]
}

@test "fault: an oversized TXT comes whole over TCP; a broken one is refused" {
	fault bigtxt
	run "$DRIVE" -s "$FAULT" x.test TXT
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test TXT ok ad=0 validated=0" ]
	[ "${lines[1]}" = "  TXT len=63750 strings=250" ]
	fault_stop
	fault badtxt
	run "$DRIVE" -s "$FAULT" x.test TXT
	[ "${lines[0]}" = "x.test TXT bad-answer ad=0 validated=0 TXT string runs past its record" ]
}

@test "fault: SERVFAIL is reported as such" {
	fault servfail
	run "$DRIVE" -t 2000 -s "$FAULT" x.test MX
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test MX servfail ad=0 validated=0 server failure" ]
}

@test "AD: set by a loopback resolver is trusted; NSD's answers are not validated" {
	fault ad
	run "$DRIVE" -s "$FAULT" x.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "x.test A ok ad=1 validated=1" ]
	run "$DRIVE" -s "$NSD" mx1.example.test A
	[ "${lines[0]}" = "mx1.example.test A ok ad=0 validated=0" ]
}

@test "a bad server address is a usage error" {
	run "$DRIVE" -s "not-an-ip" x.test A
	[ "$status" -eq 1 ]
	[[ $output == *'bad resolver address "not-an-ip"'* ]]
}
