#!/usr/bin/env bats
# msend takes the password from the system keyring (Secret Service) where an
# msmtp user stored it with secret-tool, and goes on to ~/.netrc when there
# is no keyring, no secret-tool, no entry, or a keyring that does not answer.
# Every test runs in a throwaway HOME; the keyring is a real
# gnome-keyring-daemon on a private session bus (dbus-run-session). The
# password reaching the server is checked on the wire: the scripted server
# accepts only "AUTH PLAIN" with the expected credentials.
# Runs as any user; tests/bats/keyring-postfix.bats does the same against a
# real Postfix.

load helpers
load keyring_helper

setup() {
	keyring_setup
	printf 'From: alice@example.test\nSubject: kr\n\nbody\n' \
		>"$BATS_TEST_TMPDIR/m"
}

teardown() {
	stop_fake_smtp
}

teardown_file() {
	stop_servers
}

# fake_auth PASSWORD: a server taking AUTH PLAIN for alice with PASSWORD
# only, then one message.
fake_auth() {
	local b64
	b64=$(printf '\0alice\0%s' "$1" | base64 -w0)
	start_fake_smtp <<EOF
send 220 fake
ehlo AUTH_PLAIN
expect AUTH PLAIN $b64
send 235 2.7.0 ok
expect MAIL
send 250 2.1.0 ok
expect RCPT
send 250 2.1.5 ok
expect DATA
send 354 go
data
send 250 2.0.0 queued as KR1
quit
EOF
}

# message_sent: the server took AUTH and read the whole message (its log
# line for the final "." is written before it answers, so before msend
# can exit).
message_sent() {
	grep -qx 'C: \.' "$FAKE_LOG"
}

# msmtprc: an msmtp user's ~/.msmtprc for the fake server, no password.
msmtprc() {
	cat >"$HOME/.msmtprc" <<EOF
account default
host 127.0.0.1
port $FAKE_PORT
tls off
auth on
user alice
from alice@example.test
EOF
	chmod 600 "$HOME/.msmtprc"
}

# send_in_session STORE [ARGS]: in a keyring session where STORE (may be
# empty) was stored for host 127.0.0.1 service smtp user alice, msend
# ARGS b@example.test; output in $output, status in $status.
send_in_session() {
	local store=$1 cmd
	shift
	cmd="timeout 60 msend --allow-plaintext-auth --timeout=5 $* \
		b@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	[ -z "$store" ] ||
		cmd="store_secret 127.0.0.1 smtp alice '$store' && $cmd"
	run in_session "$cmd"
}

@test "keyring: the password stored with secret-tool is sent" {
	fake_auth 'kr-S3cret'
	msmtprc
	send_in_session 'kr-S3cret'
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	message_sent
}

@test "keyring: -v tells where the password came from, never the secret" {
	fake_auth 'kr-S3cret'
	msmtprc
	send_in_session 'kr-S3cret' -v
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"* password for alice@127.0.0.1 from the keyring (service smtp)"* ]]
	[[ $output == *"AUTH PLAIN <redacted>"* ]]
	[[ $output != *kr-S3cret* ]]
	b64=$(printf '\0alice\0kr-S3cret' | base64 -w0)
	[[ $output != *"$b64"* ]]
}

@test "keyring: an odd host and user reach secret-tool unquoted" {
	# one argv element each: no shell between msend and secret-tool
	b64=$(printf "\\0o'dd \$(x) user\\0pw \"q\"" | base64 -w0)
	start_fake_smtp <<EOF
send 220 fake
ehlo AUTH_PLAIN
expect AUTH PLAIN $b64
send 235 2.7.0 ok
expect MAIL
send 250 2.1.0 ok
expect RCPT
send 250 2.1.5 ok
expect DATA
send 354 go
data
send 250 2.0.0 queued as KR2
quit
EOF
	export MKIT_CONFIG=$BATS_TEST_TMPDIR/config
	cat >"$MKIT_CONFIG" <<EOF
account default
host 127.0.0.1
port $FAKE_PORT
tls off
user "o'dd \\\$(x) user"
from alice@example.test
EOF
	run in_session "store_secret 127.0.0.1 smtp \"o'dd \\\$(x) user\" \
		'pw \"q\"' && timeout 60 msend --allow-plaintext-auth \
		--timeout=5 b@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	message_sent
}

@test "keyring: no entry falls through to ~/.netrc" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	send_in_session ''
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	message_sent
}

@test "keyring: an entry for another user or service is not taken" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	run in_session "store_secret 127.0.0.1 smtp bob bob-pw && \
		store_secret 127.0.0.1 pop3 alice pop-pw && \
		timeout 60 msend --allow-plaintext-auth --timeout=5 \
		b@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	message_sent
}

@test "keyring: no entry and no netrc: 78, the message names the keyring" {
	fake_auth 'unused'
	msmtprc
	send_in_session ''
	echo "$output"
	[ "$status" -eq 78 ]
	[[ $output == "msend: no password for alice@127.0.0.1 (set password or passwordeval, store it with secret-tool, or use ~/.netrc)" ]]
	! grep -q '^C: AUTH' "$FAKE_LOG"
}

@test "keyring: passwordeval wins over the keyring" {
	fake_auth 'eval-pw'
	msmtprc
	echo 'passwordeval "echo eval-pw"' >>"$HOME/.msmtprc"
	send_in_session 'kr-S3cret' -v
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *keyring* ]]
	message_sent
}

@test "keyring: password in the config wins over the keyring" {
	fake_auth 'conf-pw'
	msmtprc
	echo 'password conf-pw' >>"$HOME/.msmtprc"
	send_in_session 'kr-S3cret'
	echo "$output"
	[ "$status" -eq 0 ]
	message_sent
}

@test "keyring: the keyring wins over ~/.netrc" {
	fake_auth 'kr-S3cret'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	send_in_session 'kr-S3cret'
	echo "$output"
	[ "$status" -eq 0 ]
	message_sent
}

@test "keyring: \"keyring off\" in the account: not asked, ~/.netrc" {
	fake_auth 'netrc-pw'
	msmtprc
	echo 'keyring off' >>"$HOME/.msmtprc"
	netrc 127.0.0.1 alice netrc-pw
	send_in_session 'kr-S3cret' -v
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *keyring* ]]
	message_sent
}

@test "keyring: no session bus: silently on to ~/.netrc" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	# a stored entry, then msend without the bus address; no runtime bus
	run in_session "store_secret 127.0.0.1 smtp alice kr-S3cret && \
		[ ! -e \"\$XDG_RUNTIME_DIR/bus\" ] && \
		env -u DBUS_SESSION_BUS_ADDRESS timeout 60 msend \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	message_sent
}

@test "keyring: the bus at \$XDG_RUNTIME_DIR/bus is found without the address" {
	fake_auth 'kr-S3cret'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	run in_session "store_secret 127.0.0.1 smtp alice kr-S3cret && \
		link_runtime_bus && \
		env -u DBUS_SESSION_BUS_ADDRESS timeout 60 msend -v \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"from the keyring"* ]]
	message_sent
}

@test "keyring: secret-tool not in PATH: silently on to ~/.netrc" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	msend=$(command -v msend)
	run in_session "store_secret 127.0.0.1 smtp alice kr-S3cret && \
		timeout 60 env PATH=/nonexistent '$msend' --allow-plaintext-auth \
		--timeout=5 b@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	message_sent
}

@test "keyring: no bus and no netrc: 78 with the keyring in the message" {
	fake_auth 'unused'
	msmtprc
	run env -u DBUS_SESSION_BUS_ADDRESS timeout 60 msend \
		--allow-plaintext-auth b@example.test <"$BATS_TEST_TMPDIR/m"
	echo "$output"
	[ "$status" -eq 78 ]
	[[ $output == *"store it with secret-tool"* ]]
}

# A keyring that does not answer or fails cannot be made to on demand with
# the real daemon; a stand-in secret-tool (first in PATH) does what a locked
# keyring without a prompter or a stuck bus does.
fake_secret_tool() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\n%s\n' "$1" >"$BATS_TEST_TMPDIR/bin/secret-tool"
	chmod +x "$BATS_TEST_TMPDIR/bin/secret-tool"
}

@test "keyring: a secret-tool that hangs is killed after 5 s, then ~/.netrc" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	fake_secret_tool 'echo $$ >"$0.pid"; exec sleep 60'
	export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
	start=$(date +%s)
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run timeout 60 msend -v \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<"$BATS_TEST_TMPDIR/m"
	end=$(date +%s)
	echo "$output"
	[ "$status" -eq 0 ]
	[ $((end - start)) -ge 4 ] && [ $((end - start)) -le 15 ]
	[[ $output == *"* keyring: secret-tool gave no answer within 5 s, skipped"* ]]
	message_sent
	# killed, not left behind
	! kill -0 "$(cat "$BATS_TEST_TMPDIR/bin/secret-tool.pid")" 2>/dev/null
}

@test "keyring: a failing secret-tool is quiet, and named with -v" {
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	fake_secret_tool 'echo "secret-tool: Cannot prompt: locked" >&2; exit 1'
	export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run timeout 60 msend \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<"$BATS_TEST_TMPDIR/m"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run timeout 60 msend -v \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<"$BATS_TEST_TMPDIR/m"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"* keyring: secret-tool exited with status 1: secret-tool: Cannot prompt: locked"* ]]
}

@test "keyring: the lookup reads neither the message nor the terminal" {
	# secret-tool's stdin is /dev/null, so the message reaches the server
	fake_auth 'netrc-pw'
	msmtprc
	netrc 127.0.0.1 alice netrc-pw
	fake_secret_tool 'cat >"$0.stdin"; exit 1'
	export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run timeout 60 msend \
		--allow-plaintext-auth --timeout=5 b@example.test \
		<"$BATS_TEST_TMPDIR/m"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/bin/secret-tool.stdin" ]
	grep -q '^C: Subject: kr' "$FAKE_LOG"
}
