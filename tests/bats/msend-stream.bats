#!/usr/bin/env bats
# msend in sendmail mode streams: the header is read into memory, the body
# goes through an unlinked spool file in $TMPDIR (SMTP's SIZE and BDAT need
# its size first, and a queued message replays it), never into memory. A
# 1 GB message on standard input goes out whole with a peak RSS within
# 8 MiB of `msend --version`, over DATA with SIZE and over BDAT (CHUNKING),
# to the scripted server's sink (tests/servers/fakesmtp.py: sinkdata,
# sinkbdat), which logs the size and SHA-256 of what arrived. msend -bs
# (SMTP on standard input) streams each message the same way.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state TMPDIR=$BATS_TEST_TMPDIR
	unset MKIT_CONFIG
}

teardown() {
	stop_fake_smtp
}

teardown_file() {
	stop_servers
}

HEAD=$'From: a@example.test\r\nTo: b@example.test\r\nSubject: big\r\n'
HEAD+=$'Date: Thu, 1 Jan 2026 00:00:00 +0000\r\n'
HEAD+=$'Message-ID: <big@example.test>\r\n\r\n'
BIG=1073741824

# big_message: the header above and 1 GiB of 64-byte CRLF lines: as msend
# sends it (it adds no field to this header).
big_message() {
	printf '%s' "$HEAD"
	yes "$(printf 'x%.0s' {1..62})"$'\r' | head -c $BIG
}

# send_big: big_message | msend -i, under /usr/bin/time: peak RSS in ./rss.
send_big() {
	big_message | /usr/bin/time -o rss -f %M msend --host 127.0.0.1 \
		--port "$FAKE_PORT" --tls=off --auth=off --timeout=60 -i \
		-f a@example.test b@example.test >out 2>&1
}

# check_big: the sink got every byte; the memory stayed bounded.
check_big() {
	local base peak want
	cat out
	base=$(/usr/bin/time -f %M msend --version 2>&1 >/dev/null)
	peak=$(cat rss)
	# SIZE= announced the exact size
	grep "^C: MAIL FROM:<a@example.test> SIZE=$((${#HEAD} + BIG))\$" \
		"$FAKE_LOG"
	echo "start-up $base KiB, peak $peak KiB"
	[ "$peak" -le $((base + 8192)) ]
	want=$(big_message | sha256sum | cut -d' ' -f1)
	grep "^\* sunk $((${#HEAD} + BIG)) bytes sha256 $want\$" "$FAKE_LOG"
	# nothing left behind in $TMPDIR: the spool was unlinked
	[ -z "$(ls "$TMPDIR" | grep '^mkit-')" ]
}

# script CAPS STEPS...: a fake server offering CAPS that takes the envelope,
# then runs STEPS (one a line), then QUIT.
script() {
	printf '%s\n' 'send 220 fake' "ehlo PIPELINING SIZE_2000000000 $1" \
		'expect MAIL FROM:<a@example.test> SIZE=' 'send 250 ok' \
		'expect RCPT TO:<b@example.test>' 'send 250 ok'
	shift
	printf '%s\n' "$@" quit
}

@test "a 1 GB message on stdin: DATA with SIZE, bounded memory, every byte" {
	start_fake_smtp < <(script 8BITMIME 'expect DATA' 'send 354 go' \
		sinkdata 'send 250 2.0.0 taken')
	send_big
	check_big
}

@test "a 1 GB message on stdin: BDAT (CHUNKING), bounded memory, every byte" {
	start_fake_smtp < <(script CHUNKING sinkbdat 'send 250 2.0.0 chunk' \
		sinkbdat 'send 250 2.0.0 taken')
	send_big
	check_big
}

# A queued message is sent from its entry file too: a 200 MB message met a
# server that was down, was queued, and the flush sends it whole with the
# memory of start-up (the entry is never read whole).
@test "a queued 200 MB message: the flush streams it from the queue, every byte" {
	local size=209715200 base peak want port
	port=$(free_port)
	mkdir -p "$XDG_CONFIG_HOME/mkit"
	printf 'account default\nhost 127.0.0.1\nport %s\ntls off\nauth off\nqueue on\ntimeout 60\n' \
		"$port" >"$XDG_CONFIG_HOME/mkit/config"
	chmod 600 "$XDG_CONFIG_HOME/mkit/config"
	{ printf '%s' "$HEAD"; yes "$(printf 'x%.0s' {1..62})"$'\r' |
		head -c $size; } | msend -i -f a@example.test b@example.test \
		>out 2>&1
	cat out
	grep -q 'queued as' out
	start_fake_smtp < <(script 8BITMIME 'expect DATA' 'send 354 go' \
		sinkdata 'send 250 2.0.0 taken')
	sed -i "s/^port .*/port $FAKE_PORT/" "$XDG_CONFIG_HOME/mkit/config"
	/usr/bin/time -o rss -f %M msend --flush-all >out 2>&1
	cat out
	grep -q ': sent to ' out
	base=$(/usr/bin/time -f %M msend --version 2>&1 >/dev/null)
	peak=$(cat rss)
	echo "start-up $base KiB, peak $peak KiB"
	[ "$peak" -le $((base + 8192)) ]
	want=$({ printf '%s' "$HEAD"; yes "$(printf 'x%.0s' {1..62})"$'\r' |
		head -c $size; } | sha256sum | cut -d' ' -f1)
	grep "^\* sunk $((${#HEAD} + size)) bytes sha256 $want\$" "$FAKE_LOG"
	[ "$(msend -bp)" = "mail queue is empty" ]
}

# -bs (SMTP on standard input and output) streams the same way: each
# message's DATA is dot-unstuffed into the header in memory and the body in
# the unlinked spool, then relayed. The client's DATA below is the 1 GiB
# body with every other line dot-stuffed ("..y...": the message holds
# ".y..."); msend relays it stuffed again, so the sink must get exactly the
# bytes the client sent, and the SIZE= it announces counts them unstuffed.
bs_data() {
	printf '%s' "$HEAD"
	yes "$(printf 'x%.0s' {1..62})"$'\r\n..'"$(printf 'y%.0s' {1..60})"$'\r' |
		head -c $BIG
}

# bs MSEND-ARGS...: msend -bs to the fake server, under /usr/bin/time.
bs() {
	/usr/bin/time -o rss -f %M msend -bs --host 127.0.0.1 \
		--port "$FAKE_PORT" --tls=off --auth=off --timeout=60 "$@"
}

@test "-bs: a 1 GB message, bounded memory, every byte; RSET, then a second message on the session" {
	local base peak want size
	start_fake_smtp <<'EOF2'
send 220 fake
ehlo PIPELINING SIZE_2000000000 8BITMIME
expect MAIL FROM:<a@example.test> SIZE=
send 250 ok
expect RCPT TO:<b@example.test>
send 250 ok
expect DATA
send 354 go
sinkdata
send 250 2.0.0 taken 1
expect MAIL FROM:<c@example.test>
send 250 ok
expect RCPT TO:<d@example.test>
send 250 ok
expect DATA
send 354 go
data
send 250 2.0.0 taken 2
quit
EOF2
	{
		printf 'EHLO client\r\nMAIL FROM:<x@example.test>\r\n'
		printf 'RCPT TO:<y@example.test>\r\nRSET\r\n'
		printf 'MAIL FROM:<a@example.test> SIZE=%s\r\n' $((BIG + 200))
		printf 'RCPT TO:<b@example.test>\r\nDATA\r\n'
		bs_data
		printf '.\r\nMAIL FROM:<c@example.test>\r\n'
		printf 'RCPT TO:<d@example.test>\r\nDATA\r\n%s..two\r\n.\r\n' \
			"$HEAD"
		printf 'QUIT\r\n'
	} | bs >out 2>err
	cat out err
	[ "$(grep -c '^250 2.0.0 250 2.0.0 taken' out)" -eq 2 ]
	grep -q '^221 ' out
	[ ! -s err ]
	# the relay's SIZE= counts the message unstuffed: one dot less on
	# every other line
	size=$((${#HEAD} + BIG - BIG / 128))
	grep "^C: MAIL FROM:<a@example.test> SIZE=$size\$" "$FAKE_LOG"
	base=$(/usr/bin/time -f %M msend --version 2>&1 >/dev/null)
	peak=$(cat rss)
	echo "start-up $base KiB, peak $peak KiB"
	[ "$peak" -le $((base + 8192)) ]
	want=$(bs_data | sha256sum | cut -d' ' -f1)
	grep "^\* sunk $((${#HEAD} + BIG)) bytes sha256 $want\$" "$FAKE_LOG"
	# the second message went on the same connection, stuffed again
	[ "$(grep -c '^\* connect' "$FAKE_LOG")" -eq 1 ]
	grep -qx 'C: \.\.two' "$FAKE_LOG"
	[ -z "$(ls "$TMPDIR" | grep '^mkit-')" ]
}

@test "-bs: SIZE= beyond the limit is refused at MAIL; a client gone mid-DATA: nothing sent, exit 76" {
	start_fake_smtp <<'EOF2'
send 220 fake
ehlo PIPELINING SIZE_2000000000 8BITMIME
expect MAIL FROM:<a@example.test>
send 250 ok
expect RCPT TO:<b@example.test>
send 250 ok
expect DATA
send 354 go
data
send 250 2.0.0 taken 1
quit
EOF2
	{
		printf 'EHLO client\r\n'
		printf 'MAIL FROM:<a@example.test> SIZE=3000000000\r\n'
		printf 'MAIL FROM:<a@example.test>\r\n'
		printf 'RCPT TO:<b@example.test>\r\nDATA\r\n%sone\r\n.\r\n' \
			"$HEAD"
		printf 'MAIL FROM:<a@example.test>\r\n'
		printf 'RCPT TO:<b@example.test>\r\nDATA\r\n%s' "$HEAD"
		yes 'the client dies before the dot' | head -c 3000000
	} | bs >out 2>err && status=0 || status=$?
	cat out err "$FAKE_LOG"
	[ "$status" -eq 76 ]
	grep -q '^250-SIZE 2147483648' out
	grep -q '^552 5.3.4 message size 3000000000 exceeds the limit' out
	[ "$(grep -c '^250 2.0.0 250 2.0.0 taken 1' out)" -eq 1 ]
	[ "$(grep -c '^354 ' out)" -eq 2 ]
	grep -q 'msend: the input ended inside a message (DATA without its final dot): that message was not sent' err
	[ "$(wc -l <err)" -eq 1 ]
	# one message reached the server, the cut one never began there
	[ "$(grep -c '^C: MAIL FROM' "$FAKE_LOG")" -eq 1 ]
	grep -q '^C: QUIT' "$FAKE_LOG"
	! grep -q 'the client dies' "$FAKE_LOG"
	[ -z "$(ls "$TMPDIR" | grep '^mkit-')" ]
}

# A client such as PHP's waits for each reply before it sends more: msend
# must answer every line as it comes (a reader that waits to fill its
# buffer would hang here, up to the timeout of 10 s a step).
@test "-bs: a client that waits for each reply is answered at each step" {
	start_fake_smtp <<'EOF2'
send 220 fake
ehlo PIPELINING 8BITMIME
expect MAIL FROM:<a@example.test>
send 250 ok
expect RCPT TO:<b@example.test>
send 250 ok
expect DATA
send 354 go
data
send 250 2.0.0 taken
quit
EOF2
	python3 - "$FAKE_PORT" "$HEAD" <<'PY'
import select, subprocess, sys
port, head = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["msend", "-bs", "--host", "127.0.0.1", "--port", port,
    "--tls=off", "--auth=off", "--timeout=10"], stdin=subprocess.PIPE,
    stdout=subprocess.PIPE)
def reply(want):
    buf = b""
    while True:
        r, _, _ = select.select([p.stdout], [], [], 10)
        assert r, "no reply, waiting for %r after %r" % (want, buf)
        c = p.stdout.read1(4096)
        assert c, "msend ended before %r" % want
        buf += c
        lines = buf.split(b"\r\n")
        if len(lines) > 1 and lines[-2][3:4] == b" ":
            assert lines[-2].startswith(want.encode()), buf
            return
def say(s):
    p.stdin.write(s.encode())
    p.stdin.flush()
reply("220")
for cmd, want in [("EHLO c\r\n", "250"), ("MAIL FROM:<a@example.test>\r\n",
        "250"), ("RCPT TO:<b@example.test>\r\n", "250"), ("DATA\r\n", "354"),
        (head + "..line\r\n.\r\n", "250 2.0.0 250 2.0.0 taken"),
        ("QUIT\r\n", "221")]:
    say(cmd)
    reply(want)
p.stdin.close()
assert p.wait(10) == 0
PY
	grep -qx 'C: \.\.line' "$FAKE_LOG"
}
