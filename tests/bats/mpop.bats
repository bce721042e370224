#!/usr/bin/env bats
# mpop against the suite's real Dovecot POP3: what lands in the maildir, the
# mbox or the MDA, and what stays on the server, is what a user relies on.

load helpers

setup_file() {
	DOVECOT_APOP=1 start_dovecot
}

teardown_file() {
	stop_servers
}

setup() {
	clear_maildir alice
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	MAIL=$BATS_TEST_TMPDIR/Mail
	export MKIT_CONFIG=$BATS_TEST_TMPDIR/config
	conf
}

# conf [EXTRA LINES...]: an account "default" on Dovecot's POP3 with STLS,
# delivering into $MAIL; each argument is one more line of the account.
conf() {
	{
		printf '%s\n' "account default" "host 127.0.0.1" \
			"pop3_port $DOVECOT_POP3_PORT" "tls on" \
			"tls_starttls on" "tls_trust_file $TEST_CERT" \
			"user $TEST_USER" "password $TEST_PASS" \
			"delivery maildir $MAIL"
		printf '%s\n' "$@"
	} >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
}

# put N: N messages into alice's server maildir ("Subject: m1".."mN"), one
# with a line starting with a dot and one long line.
put() {
	local i
	for i in $(seq 1 "$1"); do
		printf 'From: bob@example.test\r\nSubject: m%s\r\n\r\nbody %s\r\n.dot line\r\n%s\r\n' \
			"$i" "$i" "$(head -c 3000 /dev/zero | tr '\0' y)" |
			deliver_message alice >/dev/null
	done
}

# on_server: how many messages are left in alice's server maildir.
on_server() {
	ls "$MAILDIR_ROOT/alice/Maildir/new" "$MAILDIR_ROOT/alice/Maildir/cur" |
		grep -c mkit-test || true
}

# fetched: how many messages are in the local maildir $MAIL.
fetched() {
	ls "$MAIL/new" 2>/dev/null | wc -l
}

@test "STLS: every message delivered once, LF line ends, dot unstuffed, deleted on the server" {
	put 3
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	[ "$(on_server)" -eq 0 ]
	f=$(ls "$MAIL"/new/* | head -1)
	! grep -q $'\r' "$f"
	grep -q '^\.dot line$' "$f"
	grep -q '^Received: from 127.0.0.1' "$f"
	grep -q '^Subject: m' "$f"
	[[ $output == *"3 messages delivered, 3 deleted"* ]]
}

@test "implicit TLS on the POP3S port" {
	put 2
	conf "pop3_port $DOVECOT_POP3S_PORT" "tls_starttls off"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 2 ]
}

@test "port 995 with STLS is a configuration error, not a hang" {
	conf "pop3_port 995"
	run mpop
	[ "$status" -eq 78 ]
	[[ $output == *"port 995 is for implicit TLS"* ]]
}

@test "every SASL mechanism the SMTP side tests logs in" {
	local m
	for m in plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256; do
		put 1
		conf "auth $m"
		run mpop -v
		echo "$m: $output" | tail -3
		[ "$status" -eq 0 ]
		[[ $output == *"> AUTH ${m^^}"* ]]
		[[ $output != *"$TEST_PASS"* ]]
	done
	[ "$(fetched)" -eq 6 ]
}

@test "APOP against Dovecot: the digest logs in, the password never goes out" {
	put 1
	conf "auth apop"
	run mpop -v
	echo "$output" | grep -E '^[<>] (\+OK|APOP)' || true
	[ "$status" -eq 0 ]
	[[ $output == *"> APOP $TEST_USER "* ]]
	[[ $output != *"$TEST_PASS"* ]]
	[ "$(fetched)" -eq 1 ]
	# a digest needs no TLS: tls off with "auth apop" is allowed as is
	put 1
	conf "tls off" "auth apop"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 2 ]
	# a wrong password gives a wrong digest: refused, 77
	put 1
	conf "auth apop" "password not-$TEST_PASS"
	run mpop
	[ "$status" -eq 77 ]
	[[ $output == *"APOP (user \"$TEST_USER\")"* ]]
	[ "$(on_server)" -eq 1 ]
}

@test "the password never shows in the transcript (USER/PASS)" {
	put 1
	conf "auth user"
	run mpop -v
	[ "$status" -eq 0 ]
	[[ $output == *"> PASS <redacted>"* ]]
	[[ $output != *"$TEST_PASS"* ]]
}

@test "USER/PASS in clear: allowed with tls off and auth user" {
	put 1
	conf "tls off" "auth user"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 1 ]
}

@test "tls off, no method named: a mechanism that keeps the password hidden, never PLAIN or USER" {
	put 1
	conf "tls off"
	run mpop -v
	[ "$status" -eq 0 ]
	[[ $output == *"> AUTH SCRAM-SHA-256"* ]]
	[[ $output != *"> PASS"* && $output != *"> AUTH PLAIN"* ]]
	[ "$(fetched)" -eq 1 ]
}

@test "wrong password: 77, the account named" {
	put 1
	conf "password wrong"
	run mpop
	[ "$status" -eq 77 ]
	[[ $output == *'account "default"'* ]]
	[ "$(on_server)" -eq 1 ]
}

@test "PIPELINING: RETR and DELE go out in windows; pipelining off: one at a time" {
	put 3
	run mpop -v --keep
	[ "$status" -eq 0 ]
	grep -A1 '^> RETR 1$' <<<"$output" | grep -q '^> RETR 2$'
	clear_maildir alice
	rm -rf "$MAIL" "$XDG_STATE_HOME"
	put 3
	run mpop -v --pipelining=off
	[ "$status" -eq 0 ]
	! grep -A1 '^> RETR 1$' <<<"$output" | grep -q '^> RETR 2$'
	! grep -A1 '^> DELE 1$' <<<"$output" | grep -q '^> DELE 2$'
	[ "$(fetched)" -eq 3 ]
	[ "$(on_server)" -eq 0 ]
}

@test "PIPELINING: the next window's RETRs go out before this window's DELEs" {
	local d=$MAILDIR_ROOT/alice/Maildir i
	for ((i = 1; i <= 130; i++)); do	# no fork per message
		printf 'Subject: w%s\r\n\r\nbody %s\r\n' "$i" "$i" \
			>"$d/new/$((1700000000 + i)).w$i.$$.mkit-test"
	done
	chown -R "$MAIL_UID:$MAIL_GID" "$d/new" 2>/dev/null || true
	run mpop -v
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 130 ]
	[ "$(on_server)" -eq 0 ]
	# windows of 64: RETR 1-64, RETR 65-128, RETR 129-130 (window 1 is
	# synced while window 2 is read), DELE 1-64, DELE 65-128, DELE
	# 129-130: the server never waits for us
	wire=$(grep -E '^> (RETR|DELE) ' <<<"$output")
	at() { grep -nx "> $1" <<<"$wire" | cut -d: -f1; }
	[ "$(at 'RETR 64')" -lt "$(at 'RETR 65')" ]
	[ "$(at 'RETR 128')" -lt "$(at 'RETR 129')" ]
	[ "$(at 'RETR 130')" -lt "$(at 'DELE 1')" ]
	[ "$(at 'DELE 64')" -lt "$(at 'DELE 65')" ]
	[ "$(at 'DELE 128')" -lt "$(at 'DELE 129')" ]
	[ "$(grep -c '^> DELE ' <<<"$wire")" -eq 130 ]
}

@test "keep and only_new across runs: each message fetched once" {
	put 2
	run mpop --keep
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 2 ]
	[ "$(on_server)" -eq 2 ]
	run mpop --keep
	[ "$status" -eq 0 ]
	[[ $output == *"no new messages"* ]]
	[ "$(fetched)" -eq 2 ]
	put 1
	run mpop --keep
	[ "$(fetched)" -eq 3 ]
	run mpop --keep --only-new=off
	[ "$(fetched)" -eq 6 ]
	# without keep: the old ones are deleted, not fetched again
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 6 ]
	[ "$(on_server)" -eq 0 ]
}

@test "skipsize leaves big messages, killsize deletes them unfetched" {
	put 1
	printf 'Subject: big\r\n\r\n%s\r\n' "$(head -c 20000 /dev/zero | tr '\0' z)" |
		deliver_message alice >/dev/null
	run mpop --skipsize=10000
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 1 ]
	[ "$(on_server)" -eq 1 ]
	run mpop --killsize=10000
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 1 ]
	[ "$(on_server)" -eq 0 ]
}

@test "delivery mbox: mboxrd, From_ quoted" {
	printf 'Subject: mb\r\n\r\nFrom here\r\n>From there\r\n' | deliver_message alice >/dev/null
	put 1
	run mpop --delivery=mbox,"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^From ' "$BATS_TEST_TMPDIR/mbox")" -eq 2 ]
	grep -q '^>From here$' "$BATS_TEST_TMPDIR/mbox"
	grep -q '^>>From there$' "$BATS_TEST_TMPDIR/mbox"
	[ "$(on_server)" -eq 0 ]
}

@test "delivery mda: each message on the command's stdin" {
	put 2
	mkdir -p "$BATS_TEST_TMPDIR/mda"
	run mpop --delivery=mda,"sh -c 'cat > \$(mktemp $BATS_TEST_TMPDIR/mda/m.XXXXXX)'"
	[ "$status" -eq 0 ]
	[ "$(ls "$BATS_TEST_TMPDIR/mda" | wc -l)" -eq 2 ]
	grep -q '^Subject: m' "$BATS_TEST_TMPDIR"/mda/m.*
	[ "$(on_server)" -eq 0 ]
}

@test "an MDA that fails: its exit code, the message stays on the server" {
	put 2
	run mpop --delivery=mda,"sh -c 'cat >/dev/null; exit 73'"
	[ "$status" -eq 73 ]
	[[ $output == *'message 1 (UIDL'* ]]
	[ "$(on_server)" -eq 2 ]
}

@test "--stdout: one message raw, several as mboxrd into mparse" {
	put 1
	run mpop -q --stdout --keep
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == Received:* ]]
	[[ $output == *"Subject: m1"* ]]
	put 1
	mpop -q --stdout --only-new=off --keep >"$BATS_TEST_TMPDIR/out"
	[ "$(grep -c '^From ' "$BATS_TEST_TMPDIR/out")" -eq 2 ]
	run mparse --json <"$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
}

@test "~/.mpoprc as mpop users write it" {
	put 2
	unset MKIT_CONFIG
	export XDG_CONFIG_HOME=$HOME/.config
	cat >"$HOME/.mpoprc" <<EOC
defaults
tls on
tls_starttls on
tls_trust_file $TEST_CERT

account work
host 127.0.0.1
port $DOVECOT_POP3_PORT
user $TEST_USER
password $TEST_PASS
delivery maildir ~/Mail
keep off

account default : work
EOC
	chmod 600 "$HOME/.mpoprc"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(ls "$HOME/Mail/new" | wc -l)" -eq 2 ]
	run mpop -a -q
	[ "$status" -eq 0 ]
}

@test "-s counts, -S shows the server, -P the state, --init-state records" {
	put 2
	run mpop -s
	[ "$status" -eq 0 ]
	[[ $output == *"2 messages"*"2 new"* ]]
	run mpop -S
	[ "$status" -eq 0 ]
	[[ $output == *"PIPELINING"* && $output == *"TLS: yes"* ]]
	run mpop --init-state
	[ "$status" -eq 0 ]
	run mpop -s
	[[ $output == *"0 new"* ]]
	run mpop -P
	[ "$status" -eq 0 ]
	[[ $output == *"$XDG_STATE_HOME/mkit/"*"(2 UIDLs)"* ]]
	run mpop --keep
	[ "$(fetched)" -eq 0 ]
}

@test "--json: a line per message and a summary" {
	put 2
	run mpop --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == '{"account":"default","num":1,"uidl":'*'"action":"delivered","deleted":true,"to":'* ]]
	[[ ${lines[2]} == *'"delivered":2,"deleted":2'*'"status":0'* ]]
}

@test "a session limit: QUIT and reconnect every N messages" {
	put 5
	run mpop -v --session-limit=2
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 5 ]
	[ "$(grep -c '^> QUIT' <<<"$output")" -eq 3 ]
	[ "$(on_server)" -eq 0 ]
}
