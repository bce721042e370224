#!/usr/bin/env bats
# An msmtp user who keeps the password in the system keyring switches to
# msend: the same ~/.msmtprc (user, no password) and the entry stored with
# secret-tool as msmtp documents send through a real Postfix that checks
# the password (AUTH through Dovecot), and the message is delivered. The
# keyring is a real gnome-keyring-daemon on a private session bus
# (dbus-run-session). Needs root for Postfix; tests/bats/keyring.bats covers
# the same sources as any user against a scripted server.

load helpers
load keyring_helper

# bats 1.8 cannot skip from setup_file: each test skips without root
setup_file() {
	if [[ $(id -u) == 0 ]]; then
		start_postfix
	fi
}

teardown_file() {
	stop_servers
}

setup() {
	require_root
	keyring_setup
	clear_maildir bob
	# the msmtp user's file, as is: defaults, an account, no password
	cat >"$HOME/.msmtprc" <<EOF
defaults
auth on
tls on
tls_starttls on
tls_trust_file $TEST_CERT

account mail
host 127.0.0.1
port $POSTFIX_PORT
user $TEST_USER
from alice@example.test

account default : mail
EOF
	chmod 600 "$HOME/.msmtprc"
	printf 'From: alice@example.test\nTo: bob@example.test\nSubject: %s\n\nbody\n' \
		"$BATS_TEST_NAME" >"$BATS_TEST_TMPDIR/m"
}

# send_in_session STORED [MSEND ARGS]: in a keyring session where STORED
# (may be empty: no entry) is the password stored for the account, send
# the message to bob; $status and $output are msend's (stderr included).
send_in_session() {
	local stored=$1 cmd
	shift
	cmd="timeout 60 msend $* bob@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	[ -z "$stored" ] ||
		cmd="store_secret 127.0.0.1 smtp '$TEST_USER' '$stored' && $cmd"
	run in_session "$cmd"
	echo "$output"
}

# delivered: exactly one message for bob, with this test's subject.
delivered() {
	local f
	f=$(wait_for_delivery bob 1 10) || return 1
	[ "$(printf '%s\n' "$f" | wc -l)" -eq 1 ] || return 1
	grep -qF "Subject: $BATS_TEST_NAME" "$f"
}

@test "keyring + Postfix: the stored password authenticates, delivered" {
	send_in_session "$TEST_PASS" -v
	[ "$status" -eq 0 ]
	delivered
	[[ $output == *"* password for $TEST_USER@127.0.0.1 from the keyring (service smtp)"* ]]
	[[ $output == *"<redacted>"* ]]
	# the secret nowhere in the transcript, plain or in a PLAIN response
	[[ $output != *"$TEST_PASS"* ]]
	b64=$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64 -w0)
	[[ $output != *"$b64"* ]]
}

@test "keyring + Postfix: a wrong stored password: 77, not shown" {
	send_in_session 'Wr0ng-kr-pw'
	[ "$status" -eq 77 ]
	[[ $output == *"535"* ]]
	[[ $output != *Wr0ng-kr-pw* ]]
	sleep 0.5
	[ -z "$(delivered_messages bob)" ]
}

@test "keyring + Postfix: no entry, the password in ~/.netrc: delivered" {
	netrc 127.0.0.1 "$TEST_USER" "$TEST_PASS"
	send_in_session ''
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	delivered
}

@test "keyring + Postfix: no entry and no ~/.netrc: 78 naming the keyring" {
	send_in_session ''
	[ "$status" -eq 78 ]
	[ "$output" = "msend: no password for $TEST_USER@127.0.0.1 (set password or passwordeval, store it with secret-tool, or use ~/.netrc)" ]
}

@test "keyring + Postfix: passwordeval wins over the keyring" {
	echo "passwordeval \"echo $TEST_PASS\"" >>"$HOME/.msmtprc"
	send_in_session 'Wr0ng-kr-pw'
	[ "$status" -eq 0 ]
	delivered
}

@test "keyring + Postfix: no session bus: silently ~/.netrc" {
	netrc 127.0.0.1 "$TEST_USER" "$TEST_PASS"
	run in_session "store_secret 127.0.0.1 smtp '$TEST_USER' Wr0ng-kr-pw &&
		env -u DBUS_SESSION_BUS_ADDRESS timeout 60 msend \
		bob@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	delivered
}

@test "keyring + Postfix: secret-tool not in PATH: silently ~/.netrc" {
	netrc 127.0.0.1 "$TEST_USER" "$TEST_PASS"
	msend=$(command -v msend)
	run in_session "store_secret 127.0.0.1 smtp '$TEST_USER' Wr0ng-kr-pw &&
		timeout 60 env PATH=/nonexistent '$msend' \
		bob@example.test <'$BATS_TEST_TMPDIR/m' 2>&1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	delivered
}
