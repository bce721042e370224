#!/usr/bin/env bats
# conn + pp against real local servers: tests/net/netserver.py (python3 ssl)
# with certificates made here by openssl. Ports 20000-20999 (area "net").
# conn_drive prints what it did, or "error CODE: MESSAGE" and exits 1.

setup_file() {
	export D="$BATS_FILE_TMPDIR"
	cd "$D"
	# the server certificate: localhost and 127.0.0.1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem \
		-out cert.pem -days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
		2>/dev/null
	# an expired one (openssl ca can set the dates)
	mkdir ca && touch ca/index.txt && echo 01 > ca/serial
	cat > ca/ca.cnf <<-EOC
	[ca]
	default_ca = d
	[d]
	database = $D/ca/index.txt
	new_certs_dir = $D/ca
	serial = $D/ca/serial
	default_md = sha256
	policy = p
	copy_extensions = copy
	[p]
	commonName = supplied
	EOC
	openssl req -new -newkey rsa:2048 -nodes -keyout oldkey.pem \
		-out old.csr -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
	openssl ca -batch -config ca/ca.cnf -selfsign -keyfile oldkey.pem \
		-in old.csr -out oldcert.pem -startdate 20200101000000Z \
		-enddate 20200201000000Z 2>/dev/null
	# a client certificate the server trusts
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ckey.pem \
		-out ccert.pem -days 2 -subj /CN=mkit-client 2>/dev/null
}

setup() {
	DRIVE="$MKIT_BUILDDIR/tests/net/conn_drive"
	SERVER="$MKIT_SRCDIR/tests/net/netserver.py"
	D="$BATS_FILE_TMPDIR"
	SPID=
	unset all_proxy ALL_PROXY https_proxy HTTPS_PROXY http_proxy \
		HTTP_PROXY socks_proxy no_proxy NO_PROXY
}

teardown() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
	return 0
}

# start MODE PORT [args]: run a one-connection server, wait until it listens
start() {
	local mode=$1 port=$2
	shift 2
	rm -f "$D/ready"
	python3 "$SERVER" "$mode" "$port" --cert "$D/cert.pem" \
		--key "$D/key.pem" --ready "$D/ready" "$@" \
		2>"$D/server.err" &
	SPID=$!
	for _ in $(seq 400); do
		[ -f "$D/ready" ] && return 0
		sleep 0.05
	done
	echo "server $mode did not start" >&2
	return 1
}

fp() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2
}

@test "implicit TLS verified with a trust file" {
	start tls 20101
	run "$DRIVE" --tls --trust "$D/cert.pem" localhost 20101 line \
		send:QUIT reply
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "connected tls" ]
	[ "${lines[1]}" = "line: 220 tls TLSv1.3" ]
	[ "${lines[2]}" = "reply: 221 |bye" ]
}

@test "implicit TLS against the system CAs fails: self-signed" {
	start tls 20102
	run "$DRIVE" --tls localhost 20102 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm: localhost:20102: TLS certificate verification failed: self-signed certificate"* ]]
}

@test "a trust file replaces the system CAs" {
	start tls 20138
	run "$DRIVE" --tls --trust "$D/ccert.pem" localhost 20138 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm:"*"self-signed certificate"* ]]
}

@test "a missing trust file is a config error" {
	start tls 20139
	run "$DRIVE" --tls --trust "$D/nonexistent.pem" localhost 20139 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error config:"*"nonexistent.pem"* ]]
}

@test "a missing client certificate is a config error" {
	start tls 20140
	run "$DRIVE" --tls --trust "$D/cert.pem" --cert "$D/nonexistent.pem" \
		localhost 20140 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error config:"*"client certificate"*"nonexistent.pem"* ]]
}

@test "expired certificate: noperm, says expired" {
	start tls 20103 --cert "$D/oldcert.pem" --key "$D/oldkey.pem"
	run "$DRIVE" --tls --trust "$D/oldcert.pem" localhost 20103 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm:"*"certificate has expired"* ]]
}

@test "host name mismatch: noperm, names the host" {
	start tls 20104
	run "$DRIVE" --tls --trust "$D/cert.pem" --tls-host mail.example.org \
		127.0.0.1 20104 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm:"*'not for host name "mail.example.org"'* ]]
}

@test "connect to an address, verify another name (tls_host)" {
	start tls 20134
	run "$DRIVE" --tls --trust "$D/cert.pem" --tls-host localhost \
		127.0.0.1 20134 line
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "line: 220 tls TLSv1.3" ]
}

@test "fingerprint pin: right pin replaces CA verification" {
	start tls 20105
	run "$DRIVE" --tls --fingerprint "$(fp "$D/cert.pem")" localhost 20105 \
		line info
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "line: 220 tls TLSv1.3" ]
	[[ "$output" == *"sha256: $(fp "$D/cert.pem")"* ]]
}

@test "fingerprint pin: lowercase without colons accepted" {
	start tls 20106
	pin=$(fp "$D/cert.pem" | tr -d : | tr A-F a-f)
	run "$DRIVE" --tls --fingerprint "$pin" localhost 20106 line
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "fingerprint pin: wrong pin fails and shows both fingerprints" {
	start tls 20107
	want=$(fp "$D/cert.pem")
	wrong=00${want:2}
	run "$DRIVE" --tls --fingerprint "$wrong" localhost 20107 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm: localhost:20107: TLS certificate fingerprint mismatch: expected $wrong, got $want"* ]]
	# nothing was read as a reply
	[[ "$output" != *"line:"* ]]
}

@test "fingerprint pin: malformed pin is a config error" {
	run "$DRIVE" --tls --fingerprint "AB:CD" localhost 20108 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error config:"*"malformed TLS fingerprint"* ]]
}

@test "certcheck off connects to an unverifiable server" {
	start tls 20109
	run "$DRIVE" --tls --no-certcheck localhost 20109 line
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "line: 220 tls TLSv1.3" ]
}

@test "minimum TLS 1.3 refuses a TLS 1.2 server" {
	start tls 20110 --tls-max 1.2
	run "$DRIVE" --tls --trust "$D/cert.pem" --tls-min 1.3 localhost \
		20110 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error protocol: localhost:20110: TLS handshake failed:"* ]]
}

@test "TLS 1.2: info and tls-unique channel binding" {
	start tls 20111 --tls-max 1.2
	run "$DRIVE" --tls --trust "$D/cert.pem" --tls-min 1.2 localhost \
		20111 line info cb
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"version: TLSv1.2"* ]]
	[[ "$output" == *"tls-unique: 12"* ]]
	[[ "$output" == *"tls-exporter: -1 usage"* ]]
}

@test "TLS 1.3: info and tls-exporter channel binding" {
	start tls 20112
	run "$DRIVE" --tls --trust "$D/cert.pem" localhost 20112 line info cb
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"version: TLSv1.3"* ]]
	[[ "$output" == *"subject: CN=localhost"* ]]
	[[ "$output" == *"issuer: CN=localhost"* ]]
	[[ "$output" =~ not_after:\ 20[0-9][0-9]-[01][0-9]-[0-3][0-9]T ]]
	[[ "$output" == *"tls-exporter: 32"* ]]
	[[ "$output" == *"tls-unique: -1 usage"* ]]
}

@test "client certificate is presented" {
	start tls 20113 --client-ca "$D/ccert.pem"
	run "$DRIVE" --tls --trust "$D/cert.pem" --cert "$D/ccert.pem" \
		--key "$D/ckey.pem" localhost 20113 line line
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "line: 250 client mkit-client" ]
}

@test "STARTTLS: greeting in plain, then TLS on the same socket" {
	start starttls 20114
	run "$DRIVE" -v --trust "$D/cert.pem" localhost 20114 reply \
		send:STARTTLS reply starttls send:EHLO reply info send:QUIT reply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: 220 |go ahead"* ]]
	[[ "$output" == *"starttls ok"* ]]
	# the server answers EHLO only over TLS, and tells its version
	[[ "$output" == *"reply: 250 |tls TLSv1.3"* ]]
	[[ "$output" == *"version: TLSv1.3"* ]]
	[[ "$output" == *"reply: 221 |bye"* ]]
}

@test "STARTTLS verifies the certificate too" {
	start starttls 20115
	run "$DRIVE" localhost 20115 reply send:STARTTLS reply starttls \
		send:EHLO reply
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error noperm:"*"self-signed certificate"* ]]
	[[ "$output" != *"tls TLSv"* ]]
}

@test "STARTTLS to an address, verified as localhost" {
	start starttls 20135
	run "$DRIVE" --trust "$D/cert.pem" --tls-host localhost 127.0.0.1 \
		20135 reply send:STARTTLS reply starttls send:EHLO reply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: 250 |tls TLSv1.3"* ]]
}

@test "IPv6 literal: plain, then STARTTLS verified against IP:::1" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
		2>/dev/null || skip "no IPv6 loopback on this machine"
	start starttls 20136 --bind ::1
	run "$DRIVE" -v --trust "$D/cert.pem" ::1 20136 reply send:STARTTLS \
		reply starttls send:EHLO reply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"* connected to [::1]:20136 (::1)"* ]]
	[[ "$output" == *"reply: 250 |tls TLSv1.3"* ]]
}

@test "STARTTLS with the fingerprint pin" {
	start starttls 20116
	run "$DRIVE" --fingerprint "$(fp "$D/cert.pem")" localhost 20116 \
		reply send:STARTTLS reply starttls send:EHLO reply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: 250 |tls TLSv1.3"* ]]
}

@test "STARTTLS: bytes injected after the go-ahead abort" {
	start inject 20117
	run "$DRIVE" --trust "$D/cert.pem" localhost 20117 reply \
		send:STARTTLS reply starttls send:EHLO reply
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error protocol: localhost:20117: bytes received before TLS started (possible injection)"* ]]
	[[ "$output" != *"injected"* ]]
}

@test "read timeout: a server that never answers" {
	start silent 20118
	SECONDS=0
	run "$DRIVE" --timeout 1 127.0.0.1 20118 line
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$SECONDS" -lt 5 ]
	[[ "$output" == *"error tempfail: no reply from 127.0.0.1:20118 within 1 s"* ]]
}

@test "TLS handshake against a server that never answers times out" {
	start silent 20119
	SECONDS=0
	run "$DRIVE" --tls --connect-timeout 1 --trust "$D/cert.pem" \
		127.0.0.1 20119 line
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$SECONDS" -lt 5 ]
	[[ "$output" == *"error tempfail:"*"timed out"* ]]
}

@test "waiting for the server: timeout, then readable (plain and TLS)" {
	start echo 20141
	run "$DRIVE" 127.0.0.1 20141 reply wait:200 send:hi \
		wait:5000 reply
	echo "$output"
	[ "$status" -eq 0 ]
	# after the greeting nothing comes; after a command the echo does
	[[ "$output" == *"reply: 220 |plain"*"wait: 0"*"wait: 1"*"reply: 250 |echo hi"* ]]
	start tls 20142
	run "$DRIVE" --tls --trust "$D/cert.pem" localhost 20142 wait:5000 line \
		wait:200 send:hi wait:5000 line
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "wait: 1" ]
	[ "${lines[3]}" = "wait: 0" ]
	[ "${lines[4]}" = "wait: 1" ]
	[ "${lines[5]}" = "line: 250 echo hi" ]
}

@test "initialised without TLS: plain works, STARTTLS and implicit TLS are refused" {
	start starttls 20143
	run "$DRIVE" --no-tls-init localhost 20143 reply send:STARTTLS reply \
		starttls
	echo "$output"
	[ "$status" -eq 1 ]
	# the plain part ran; TLS was refused before any handshake
	[[ "$output" == *"reply: 220 |go ahead"* ]]
	[[ "$output" == *"error software: localhost:20143: TLS asked for in a process initialised without TLS"* ]]
	# implicit TLS: refused before connecting (nothing listens there)
	run "$DRIVE" --no-tls-init --tls 127.0.0.1 20144 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error software: 127.0.0.1: TLS asked for"* ]]
}

@test "connection refused is tempfail" {
	run "$DRIVE" 127.0.0.1 20120 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error tempfail: 127.0.0.1:20120: cannot connect: Connection refused"* ]]
}

@test "unknown host is nohost" {
	run "$DRIVE" nonexistent.invalid 20121 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error nohost:"*'"nonexistent.invalid"'* ]]
}

@test "SOCKS5 proxy: the proxy resolves the name (socks5h)" {
	start echo 20122
	python3 "$SERVER" socks5 20123 --ready "$D/ready5" \
		--log "$D/socks.log" 2>"$D/socks.err" &
	PPID5=$!
	for _ in $(seq 400); do [ -f "$D/ready5" ] && break; sleep 0.05; done
	run "$DRIVE" --socks 127.0.0.1:20123 localhost 20122 reply \
		send:hello reply send:QUIT reply
	kill "$PPID5" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: 250 |echo hello"* ]]
	grep -qx "connect localhost 20122" "$D/socks.log"
}

@test "SOCKS5 proxy: STARTTLS over the proxied connection" {
	start starttls 20132
	python3 "$SERVER" socks5 20133 --ready "$D/ready6" \
		--log "$D/socks6.log" 2>"$D/socks6.err" &
	PPID6=$!
	for _ in $(seq 400); do [ -f "$D/ready6" ] && break; sleep 0.05; done
	run "$DRIVE" --socks 127.0.0.1:20133 --trust "$D/cert.pem" localhost \
		20132 reply send:STARTTLS reply starttls send:EHLO reply
	kill "$PPID6" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: 250 |tls TLSv1.3"* ]]
	grep -qx "connect localhost 20132" "$D/socks6.log"
}

@test "SOCKS5 proxy down is tempfail" {
	run "$DRIVE" --socks 127.0.0.1:20124 localhost 20125 line
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"error tempfail:"* ]]
}

@test "proxy environment variables are ignored" {
	start tls 20126
	export all_proxy=socks5h://127.0.0.1:20127 ALL_PROXY=$all_proxy
	export https_proxy=http://127.0.0.1:20127 HTTPS_PROXY=$https_proxy
	export http_proxy=$https_proxy HTTP_PROXY=$https_proxy
	run "$DRIVE" --tls --trust "$D/cert.pem" localhost 20126 line
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "line: 220 tls TLSv1.3" ]
	start echo 20128
	run "$DRIVE" localhost 20128 reply
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "reply: 220 |plain" ]
}

@test "pipelined write while the server answers: no deadlock" {
	# 3000 commands of 2000 bytes sent in one flush; the server (small
	# socket buffers) answers each with as many bytes while we send
	start big 20129
	run "$DRIVE" --timeout 10 --rbuf-cap 16000000 127.0.0.1 20129 reply \
		bulk:3000:2000
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "bulk: 3000 replies" ]
}

@test "pipelined write over TLS while the server answers: no deadlock" {
	start bigtls 20137
	run "$DRIVE" --tls --trust "$D/cert.pem" --timeout 10 \
		--rbuf-cap 16000000 localhost 20137 reply bulk:2000:3000
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "bulk: 2000 replies" ]
}

@test "DATA on the wire: CRLF and dot-stuffing, final dot" {
	start echo 20130
	run "$DRIVE" 127.0.0.1 20130 reply send:DATA reply 'data:a\n.b\n.' reply
	echo "$output"
	[ "$status" -eq 0 ]
	# a CRLF .. b CRLF .. CRLF = 61 0d0a 2e2e 62 0d0a 2e2e 0d0a
	[[ "$output" == *"reply: 250 |got 12 bytes 610d0a2e2e620d0a2e2e0d0a"* ]]
}

@test "transcript: secret redacted, wire unchanged" {
	start echo 20131
	run "$DRIVE" -v 127.0.0.1 20131 reply 'secret:AUTH PLAIN :AGpvZQBzM2NyM3Q=' \
		reply
	echo "$output"
	[ "$status" -eq 0 ]
	# the echo proves the secret went out; the transcript hides it
	[[ "$output" == *"> AUTH PLAIN <redacted>"* ]]
	[[ "$output" == *"reply: 250 |echo AUTH PLAIN AGpvZQBzM2NyM3Q="* ]]
	[[ "$output" == *"< 220 plain"* ]]
}
