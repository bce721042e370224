#!/usr/bin/env bats
# The test servers themselves: each one really works, checked with Python's
# own SMTP/IMAP/POP3 clients (no mkit code involved).

load helpers

setup_file() {
	require_root
	start_postfix
	start_sink --dump
}

teardown_file() {
	stop_servers
}

teardown() {
	stop_fake_smtp
}

# py: run Python code from stdin with the servers' environment.
py() {
	python3 - "$@"
}

@test "certificate: SAN for localhost and 127.0.0.1, fingerprints exported" {
	run openssl x509 -in "$TEST_CERT" -noout -ext subjectAltName
	[ "$status" -eq 0 ]
	[[ $output == *"DNS:localhost"* ]]
	[[ $output == *"IP Address:127.0.0.1"* ]]
	[[ $TEST_CERT_SHA256 =~ ^([0-9A-F]{2}:){31}[0-9A-F]{2}$ ]]
	[[ $TEST_PUBKEY_SHA256 =~ ^[A-Za-z0-9+/]{43}=$ ]]
}

@test "certificate for another name: files only, test certificate unchanged" {
	local before=$TEST_CERT_SHA256
	mk_cert "$BATS_TEST_TMPDIR/wrong" DNS:wrong.example
	[ "$TEST_CERT_SHA256" = "$before" ]
	run openssl x509 -in "$BATS_TEST_TMPDIR/wrong/cert.pem" -noout -subject -ext subjectAltName
	[ "$status" -eq 0 ]
	[[ $output == *"CN = wrong.example"* ]]
	[[ $output == *"DNS:wrong.example"* ]]
	[[ $output != *localhost* ]]
}

@test "postfix: STARTTLS + AUTH PLAIN as alice delivers into her maildir" {
	clear_maildir alice
	run py <<'EOF'
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["TEST_CERT"])
s = smtplib.SMTP("127.0.0.1", int(os.environ["POSTFIX_PORT"]), timeout=10)
s.ehlo()
assert "auth" not in s.esmtp_features, "AUTH offered before TLS"
for ext in ("starttls", "pipelining", "chunking", "8bitmime", "smtputf8", "dsn"):
    assert ext in s.esmtp_features, ext
s.starttls(context=ctx)
s.ehlo()
assert "PLAIN" in s.esmtp_features["auth"]
s.login(os.environ["TEST_USER"], os.environ["TEST_PASS"])
s.sendmail("alice@example.test", ["alice@example.test"],
           "Subject: infra test 1\r\nFrom: alice@example.test\r\n\r\nhello\r\n")
s.quit()
EOF
	[ "$status" -eq 0 ]
	run wait_for_delivery alice 1 10
	[ "$status" -eq 0 ]
	grep -q '^Subject: infra test 1' "${lines[0]}"
	grep -q '^Return-Path: <alice@example.test>' "${lines[0]}"
}

@test "postfix: submission refuses mail before STARTTLS and bad passwords" {
	run py <<'EOF'
import os, smtplib, ssl
s = smtplib.SMTP("127.0.0.1", int(os.environ["POSTFIX_PORT"]), timeout=10)
s.ehlo()
code, msg = s.mail("alice@example.test")
assert code == 530, (code, msg)
s.starttls(context=ssl.create_default_context(cafile=os.environ["TEST_CERT"]))
s.ehlo()
try:
    s.login("alice", "wrong")
    raise SystemExit("login with a wrong password worked")
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
s.quit()
EOF
	[ "$status" -eq 0 ]
}

@test "postfix: 550 5.1.1 unknown user, 450 tempfail@, 452 full@, 550 reject@" {
	run py <<'EOF'
import os, smtplib
s = smtplib.SMTP("127.0.0.1", int(os.environ["POSTFIX_PLAIN_PORT"]), timeout=10)
s.ehlo()
want = {"nobody@example.test": (550, b"5.1.1"),
        "tempfail@example.test": (450, b"4.2.0"),
        "full@example.test": (452, b"4.2.2"),
        "reject@example.test": (550, b"5.7.1"),
        "bob@example.test": (250, b"2.1.5")}
for rcpt, (code, enh) in want.items():
    s.mail("alice@example.test")
    got = s.rcpt(rcpt)
    assert got[0] == code and got[1].startswith(enh), (rcpt, got)
    s.rset()
s.quit()
EOF
	[ "$status" -eq 0 ]
}

@test "postfix: plain port takes mail without TLS or AUTH; smtps port works" {
	clear_maildir bob
	run py <<'EOF'
import os, smtplib, ssl
s = smtplib.SMTP("127.0.0.1", int(os.environ["POSTFIX_PLAIN_PORT"]), timeout=10)
s.ehlo()
assert "starttls" not in s.esmtp_features
s.sendmail("alice@example.test", ["bob@example.test"], "Subject: plain\r\n\r\nx\r\n")
s.quit()
ctx = ssl.create_default_context(cafile=os.environ["TEST_CERT"])
s = smtplib.SMTP_SSL("127.0.0.1", int(os.environ["POSTFIX_TLS_PORT"]),
                     context=ctx, timeout=10)
s.login(os.environ["TEST_USER2"], os.environ["TEST_PASS2"])
s.sendmail("bob@example.test", ["bob@example.test"], "Subject: smtps\r\n\r\nx\r\n")
s.quit()
EOF
	[ "$status" -eq 0 ]
	run wait_for_delivery bob 2 10
	[ "$status" -eq 0 ]
	cat "${lines[@]}" | grep -q '^Subject: plain'
	cat "${lines[@]}" | grep -q '^Subject: smtps'
}

@test "dovecot: IMAP STARTTLS login sees delivered mail; IMAPS; bad password fails" {
	clear_maildir alice
	py <<'EOF'
import os, smtplib
s = smtplib.SMTP("127.0.0.1", int(os.environ["POSTFIX_PLAIN_PORT"]), timeout=10)
s.sendmail("bob@example.test", ["alice@example.test"], "Subject: for imap\r\n\r\nx\r\n")
s.quit()
EOF
	wait_for_delivery alice 1 10
	run py <<'EOF'
import imaplib, os, ssl
ctx = ssl.create_default_context(cafile=os.environ["TEST_CERT"])
m = imaplib.IMAP4("127.0.0.1", int(os.environ["DOVECOT_IMAP_PORT"]), timeout=10)
m.starttls(ssl_context=ctx)
m.login(os.environ["TEST_USER"], os.environ["TEST_PASS"])
typ, data = m.select("INBOX")
assert typ == "OK" and int(data[0]) == 1, data
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert b"for imap" in data[0][1], data
m.logout()
m = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["DOVECOT_IMAPS_PORT"]),
                      ssl_context=ctx, timeout=10)
try:
    m.login(os.environ["TEST_USER"], "wrong")
    raise SystemExit("bad password accepted")
except imaplib.IMAP4.error:
    pass
m.login_cram_md5(os.environ["TEST_USER"], os.environ["TEST_PASS"])
m.logout()
EOF
	[ "$status" -eq 0 ]
}

@test "dovecot: POP3 STLS and POP3S login, STAT sees a deposited message" {
	clear_maildir bob
	printf 'Subject: deposited\n\nbody\n' | deliver_message bob
	run py <<'EOF'
import os, poplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["TEST_CERT"])
p = poplib.POP3("127.0.0.1", int(os.environ["DOVECOT_POP3_PORT"]), timeout=10)
p.stls(context=ctx)
p.user(os.environ["TEST_USER2"])
p.pass_(os.environ["TEST_PASS2"])
n, size = p.stat()
assert n == 1, n
assert b"Subject: deposited" in p.retr(1)[1]
p.quit()
p = poplib.POP3_SSL("127.0.0.1", int(os.environ["DOVECOT_POP3S_PORT"]),
                    context=ctx, timeout=10)
p.user(os.environ["TEST_USER"])
p.pass_(os.environ["TEST_PASS"])
p.stat()
p.quit()
EOF
	[ "$status" -eq 0 ]
}

@test "smtp-sink accepts pipelined mail and dumps the envelope" {
	run py <<'EOF'
import os, smtplib
s = smtplib.SMTP("127.0.0.1", int(os.environ["SINK_PORT"]), timeout=10)
s.ehlo()
assert "pipelining" in s.esmtp_features
s.sendmail("from@sink.test", ["one@sink.test", "two@sink.test"],
           "Subject: to the sink\r\n\r\nbody\r\n")
s.quit()
EOF
	[ "$status" -eq 0 ]
	for i in $(seq 50); do
		grep -q 'Subject: to the sink' "$SINK_DUMP" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^X-Mail-Args: <from@sink.test>' "$SINK_DUMP"
	grep -q '^X-Rcpt-Args: <two@sink.test>' "$SINK_DUMP"
}

@test "fake server: follows its script, injects after STARTTLS, records transcript" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo PIPELINING STARTTLS
expect STARTTLS
raw 220 go ahead\r\n250 injected\r\n
starttls
ehlo AUTH_PLAIN
expect AUTH PLAIN
send 235 2.7.0 ok
quit
EOF
	run py <<'EOF'
import os, smtplib, ssl
s = smtplib.SMTP("127.0.0.1", int(os.environ["FAKE_PORT"]), timeout=10)
s.ehlo()
assert "starttls" in s.esmtp_features and "pipelining" in s.esmtp_features
ctx = ssl.create_default_context(cafile=os.environ["TEST_CERT"])
s.starttls(context=ctx)
s.ehlo()
s.login("u", "p")
s.quit()
EOF
	[ "$status" -eq 0 ]
	grep -qx 'S: 220 go ahead\\r\\n250 injected\\r\\n' "$FAKE_LOG"
	grep -qx '\* tls' "$FAKE_LOG"
	grep -qx 'C: AUTH PLAIN AHUAcA==' "$FAKE_LOG"
	grep -qx '\* close' "$FAKE_LOG"
	! fake_before_tls '^AUTH'
}

@test "fake server: unexpected command, cut connection, endless line, silence" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
expect EHLO
send 250 fake
expect MAIL
close
EOF
	run py <<'EOF'
import os, smtplib
s = smtplib.SMTP("127.0.0.1", int(os.environ["FAKE_PORT"]), timeout=10)
s.ehlo()
try:
    s.rcpt("x@y")
except smtplib.SMTPServerDisconnected:
    pass
s = smtplib.SMTP("127.0.0.1", int(os.environ["FAKE_PORT"]), timeout=10)
s.ehlo()
try:
    s.mail("a@b")
    raise SystemExit("no disconnect")
except smtplib.SMTPServerDisconnected:
    pass
EOF
	[ "$status" -eq 0 ]
	grep -qix '\* unexpected: RCPT TO:<x@y>' "$FAKE_LOG"
	grep -qx '\* connect 2' "$FAKE_LOG"
	stop_fake_smtp

	start_fake_smtp <<'EOF'
raw 220-
flood 4M
EOF
	run py <<'EOF'
import os, socket
s = socket.create_connection(("127.0.0.1", int(os.environ["FAKE_PORT"])), timeout=10)
n = 0
while True:
    d = s.recv(1 << 16)
    if not d:
        break
    assert b"\n" not in d
    n += len(d)
assert n == 4 * 1024 * 1024 + 4, n
EOF
	[ "$status" -eq 0 ]
	stop_fake_smtp

	start_fake_smtp <<'EOF'
hang
EOF
	run py <<'EOF'
import os, socket
s = socket.create_connection(("127.0.0.1", int(os.environ["FAKE_PORT"])), timeout=0.5)
try:
    s.recv(10)
    raise SystemExit("server answered")
except socket.timeout:
    pass
s.sendall(b"QUIT\r\n")
s.close()
EOF
	[ "$status" -eq 0 ]
	for i in $(seq 50); do
		grep -q '^\* eof' "$FAKE_LOG" && break
		sleep 0.1
	done
	grep -qx 'C: QUIT' "$FAKE_LOG"
}

@test "fake server: implicit TLS with another certificate (FAKE_CERT)" {
	mk_cert "$BATS_TEST_TMPDIR/wrong" DNS:wrong.example
	FAKE_CERT=$BATS_TEST_TMPDIR/wrong/cert.pem \
	FAKE_KEY=$BATS_TEST_TMPDIR/wrong/key.pem start_fake_smtp <<'EOF2'
starttls
send 220 fake ESMTP over TLS
quit
EOF2
	run env WRONG="$BATS_TEST_TMPDIR/wrong/cert.pem" python3 - <<'EOF2'
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["WRONG"])
try:
    smtplib.SMTP_SSL("localhost", int(os.environ["FAKE_PORT"]), context=ctx, timeout=10)
    raise SystemExit("name mismatch not detected")
except ssl.SSLCertVerificationError as e:
    assert "mismatch" in str(e) or "match" in str(e), e
ctx.check_hostname = False
s = smtplib.SMTP_SSL("127.0.0.1", int(os.environ["FAKE_PORT"]), context=ctx, timeout=10)
s.quit()
EOF2
	[ "$status" -eq 0 ]
	grep -qx '\* tls' "$FAKE_LOG"
}

@test "dns: NSD serves a test zone (MX, AAAA, TXT, CNAME, null MX, NXDOMAIN)" {
	start_dns <<'EOF2'
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 300
@       IN NS  ns1
ns1     IN A   127.0.0.1
@       IN MX  10 mx1
@       IN MX  20 mx2
mx1     IN A   127.0.0.1
mx2     IN AAAA ::1
@       IN TXT "v=spf1 -all"
alias   IN CNAME mx1
nullmx  IN MX 0 .
EOF2
	run dns_query "$DNS_PORT" example.test MX
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = NOERROR ]
	[[ $output == *"example.test. MX 10 mx1.example.test."* ]]
	[[ $output == *"example.test. MX 20 mx2.example.test."* ]]
	run dns_query "$DNS_PORT" mx2.example.test AAAA
	[ "${lines[1]}" = "mx2.example.test. AAAA ::1" ]
	run dns_query "$DNS_PORT" example.test TXT
	[ "${lines[1]}" = 'example.test. TXT "v=spf1 -all"' ]
	run dns_query "$DNS_PORT" alias.example.test A
	[ "${lines[1]}" = "alias.example.test. CNAME mx1.example.test." ]
	[ "${lines[2]}" = "mx1.example.test. A 127.0.0.1" ]
	run dns_query "$DNS_PORT" nullmx.example.test MX
	[ "${lines[1]}" = "nullmx.example.test. MX 0 ." ]
	run dns_query "$DNS_PORT" nope.example.test A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = NXDOMAIN ]
}

@test "fake server: a hostile POP3 server (STLS refused, then cut)" {
	start_fake_server <<'EOF'
send +OK fake POP3
# poplib asks CAPA again inside stls()
expect CAPA
send +OK
send STLS
send USER
send .
expect CAPA
send +OK
send STLS
send .
expect STLS
send -ERR no TLS today
close
EOF
	run py <<'EOF'
import os, poplib
p = poplib.POP3("127.0.0.1", int(os.environ["FAKE_PORT"]), timeout=10)
caps = p.capa()
assert "STLS" in caps, caps
try:
    p.stls()
    raise SystemExit("STLS accepted")
except poplib.error_proto as e:
    assert b"no TLS today" in e.args[0], e
EOF
	[ "$status" -eq 0 ]
	grep -qx 'C: STLS' "$FAKE_LOG"
	! grep -q '^C: USER' "$FAKE_LOG"
}
