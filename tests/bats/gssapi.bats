#!/usr/bin/env bats
# GSSAPI (Kerberos, RFC 4752) end to end against real servers: a throwaway
# MIT KDC (start_kdc, realm MKIT.TEST), Dovecot offering GSSAPI with the
# service keytab (start_dovecot --gssapi), and, as root, a real Postfix whose
# SASL goes through Dovecot's auth socket. The user's ticket comes from kinit
# into a credential cache under the test root ($KRB5CCNAME); the system's
# /etc/krb5.conf is never read (KRB5_CONFIG).
#
# The SASL layer runs through IMAP AUTHENTICATE and POP3 AUTH with
# tests/sasl/sasl-imap-driver (status 0 authenticated, 1 refused by the
# server, 2 refused by the client, 3 I/O), msend through Postfix submission
# with STARTTLS. Servers name themselves "localhost": the principals are
# imap/localhost, pop/localhost and smtp/localhost.

load helpers

DRIVER="${MKIT_BUILDDIR:-.}/tests/sasl/sasl-imap-driver"

setup_file() {
	local p
	for p in krb5kdc kdb5_util kadmin.local kinit kdestroy klist; do
		command -v "$p" >/dev/null ||
			skip "$p not installed (Debian: krb5-kdc krb5-admin-server krb5-user)"
	done
	command -v dovecot >/dev/null ||
		skip "dovecot not installed (Debian: dovecot-imapd dovecot-pop3d)"
	[ -e /usr/lib/dovecot/modules/auth/libmech_gssapi.so ] ||
		skip "Dovecot's GSSAPI module not installed (Debian: dovecot-gssapi)"
	# libgssglue leaks 16 bytes a GSS-API name (see the file); only that
	# leak is suppressed, for builds with sanitizers
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0
	export LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$MKIT_SRCDIR/tests/sasl/gssapi-lsan.supp:print_suppressions=0
	start_kdc
	start_dovecot --gssapi
	if [ "$(id -u)" -eq 0 ]; then
		start_postfix
	fi
	export MKIT_CONFIG=$BATS_FILE_TMPDIR/config
	cat >"$MKIT_CONFIG" <<EOC
account default
host localhost
port ${POSTFIX_PORT:-1}
tls on
tls_starttls on
tls_trust_file $TEST_CERT
auth gssapi
user $TEST_USER
from alice@example.test
domain client.example.test

# no user: log in as the ticket's principal
account principal : default
user

# automatic choice with a password: never GSSAPI unless named
account auto : default
auth on
password $TEST_PASS

# automatic choice without a password: GSSAPI is not a fallback
account autonopw : default
auth on

# the server's address instead of the name in its principal
account byaddr : default
host 127.0.0.1
EOC
	chmod 600 "$MKIT_CONFIG"
}

teardown_file() {
	stop_servers
}

setup() {
	kdestroy >/dev/null 2>&1 || true
	clear_maildir alice
	clear_maildir bob
}

show() {
	echo "status $status: $output"
	tail -n 5 "$DOVECOT_LOG"
	tail -n 5 "$KDC_LOG"
	[ -n "${POSTFIX_LOG:-}" ] && tail -n 5 "$POSTFIX_LOG"
	return 0
}

login() {
	krb5_login "$@" || { echo "kinit failed"; return 1; }
}

# expire_ticket: a 1 s ticket, then wait (at most 5 s) until it is past:
# klist -s fails at the expiry second, GSS-API one second later.
expire_ticket() {
	login 1s || return 1
	local n=0
	while klist -s && (( n++ < 25 )); do
		sleep 0.2
	done
	sleep 1.1
}

imap() { run "$DRIVER" "$@" "$DOVECOT_IMAP_PORT" "$TEST_USER" unused GSSAPI; }

need_postfix() {
	[ -n "${POSTFIX_PORT:-}" ] || skip "needs root to run Postfix"
}

msg() {
	printf 'From: alice@example.test\nTo: bob@example.test\nSubject: %s\n\n%s\n' \
		"$1" "${2:-hello}"
}

# ---- the SASL layer through IMAP and POP3 -----------------------------------

@test "IMAP AUTHENTICATE GSSAPI with a ticket: logged in, server verified" {
	login
	imap
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated GSSAPI verified=1" ] || { show; return 1; }
	# Dovecot saw the principal
	grep -q 'method=GSSAPI' "$DOVECOT_LOG"
	grep -q 'user=<alice@mkit.test>, method=GSSAPI' "$DOVECOT_LOG"
}

@test "IMAP GSSAPI without SASL-IR, and POP3 AUTH GSSAPI (service pop)" {
	login
	imap -n
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated GSSAPI verified=1" ] || { show; return 1; }
	run "$DRIVER" -p "$DOVECOT_POP3_PORT" "$TEST_USER" unused GSSAPI
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated GSSAPI verified=1" ] || { show; return 1; }
}

@test "no credential cache: refused by the client, 'run kinit', nothing sent" {
	imap -v
	[ "$status" -eq 2 ] || { show; return 1; }
	# one line, what is wrong and what to do, and which cache was looked at
	[ "${#lines[@]}" -ge 1 ]
	last=${lines[${#lines[@]} - 1]}
	[[ $last == "error noperm: no Kerberos ticket: run kinit ("*"${KRB5CCNAME#FILE:}"*")" ]] ||
		{ show; return 1; }
	[[ $output != *"AUTHENTICATE"* ]] || { show; return 1; }
}

@test "kdestroy: the destroyed ticket gives the same 'run kinit' error" {
	login
	imap
	[ "$status" -eq 0 ] || { show; return 1; }
	kdestroy
	imap -n
	[ "$status" -eq 2 ] || { show; return 1; }
	[[ $output == "error noperm: no Kerberos ticket: run kinit ("* ]] ||
		{ show; return 1; }
}

@test "expired ticket: 'Kerberos ticket expired: run kinit'" {
	expire_ticket
	imap
	[ "$status" -eq 2 ] || { show; return 1; }
	[[ $output == "error noperm: Kerberos ticket expired: run kinit ("* ]] ||
		{ show; return 1; }
}

@test "KDC unreachable: tempfail, the Kerberos library's reason" {
	login
	# the same realm, its KDC on a port where nothing listens
	sed "s/kdc = 127.0.0.1:.*/kdc = 127.0.0.1:$(free_port)/" "$KRB5_CONFIG" \
		>"$BATS_TEST_TMPDIR/krb5.conf"
	KRB5_CONFIG=$BATS_TEST_TMPDIR/krb5.conf imap
	[ "$status" -eq 2 ] || { show; return 1; }
	[[ $output == "error tempfail: cannot reach the Kerberos KDC (Cannot contact any KDC for realm 'MKIT.TEST')" ]] ||
		{ show; return 1; }
	if [ -n "${POSTFIX_PORT:-}" ]; then
		KRB5_CONFIG=$BATS_TEST_TMPDIR/krb5.conf run msend \
			bob@example.test < <(msg "no KDC")
		[ "$status" -eq 75 ] || { show; return 1; }
		[[ $output == "msend: localhost:$POSTFIX_PORT: AUTH GSSAPI: cannot reach the Kerberos KDC ("* ]] ||
			{ show; return 1; }
	fi
}

@test "automatic choice never takes GSSAPI, even with a ticket" {
	login
	run "$DRIVER" "$DOVECOT_IMAP_PORT" "$TEST_USER" "$TEST_PASS"
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated SCRAM-SHA-256 verified=1" ] ||
		{ show; return 1; }
}

@test "the IMAP transcript holds no Kerberos token from the client" {
	login
	imap -v
	[ "$status" -eq 0 ] || { show; return 1; }
	[[ $output == *"C: a2 AUTHENTICATE GSSAPI <redacted>"* ]] ||
		{ show; return 1; }
	# a GSS-API initial token is ASN.1 [APPLICATION 0]: base64 "YI..."
	[[ $output != *"C: a2 AUTHENTICATE GSSAPI YI"* ]] || { show; return 1; }
	# every client line is a command, redacted or empty
	! echo "$output" | grep '^C: ' | grep -Ev '^C: (a[0-9] [A-Z].*|<redacted>|)$'
}

# ---- msend through Postfix submission ---------------------------------------

@test "msend auth gssapi: STARTTLS, AUTH GSSAPI, delivered and read back" {
	need_postfix
	login
	run msend -v bob@example.test < <(msg "kerberos 1" "sent with a ticket")
	[ "$status" -eq 0 ] || { show; return 1; }
	[[ $output == *"> AUTH GSSAPI <redacted>"* ]] || { show; return 1; }
	[[ $output == *"< 235 "* ]] || { show; return 1; }
	run wait_for_delivery bob 1 10
	[ "$status" -eq 0 ] || { show; return 1; }
	f=${lines[0]}
	grep -q '^Subject: kerberos 1' "$f"
	grep -q '^sent with a ticket' "$f"
	grep -q 'with ESMTPSA' "$f"
	# Postfix logged the Kerberos identity
	grep -q 'sasl_method=GSSAPI, sasl_username=alice@mkit.test' "$POSTFIX_LOG"
}

@test "msend auth gssapi without user: logs in as the principal" {
	need_postfix
	login
	run msend -a principal bob@example.test < <(msg "kerberos 2")
	[ "$status" -eq 0 ] || { show; return 1; }
	run wait_for_delivery bob 1 10
	[ "$status" -eq 0 ] || { show; return 1; }
	grep -q '^Subject: kerberos 2' "${lines[0]}"
}

@test "msend auth gssapi without a ticket: exit 77, one line saying run kinit" {
	need_postfix
	run msend bob@example.test < <(msg "no ticket")
	[ "$status" -eq 77 ] || { show; return 1; }
	[ "${#lines[@]}" -eq 1 ] || { show; return 1; }
	[[ ${lines[0]} == "msend: localhost:$POSTFIX_PORT: AUTH GSSAPI: no Kerberos ticket: run kinit ("*")" ]] ||
		{ show; return 1; }
	[ -z "$(delivered_messages bob)" ]
}

@test "msend auth gssapi without a ticket: no AUTH sent (scripted server)" {
	# runs without root: the client fails before the server matters
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo STARTTLS AUTH_PLAIN_GSSAPI
expect STARTTLS
send 220 2.0.0 go ahead
starttls
ehlo AUTH_PLAIN_GSSAPI
read
EOF
	run msend --port "$FAKE_PORT" bob@example.test < <(msg "no ticket")
	stop_fake_smtp
	[ "$status" -eq 77 ] || { show; cat "$FAKE_LOG"; return 1; }
	[ "$output" = "msend: localhost:$FAKE_PORT: AUTH GSSAPI: no Kerberos ticket: run kinit (No Kerberos credentials available (default cache: $KRB5CCNAME))" ] ||
		{ show; return 1; }
	grep -q '^\* tls$' "$FAKE_LOG" || { cat "$FAKE_LOG"; return 1; }
	! grep -qi '^C: AUTH' "$FAKE_LOG" || { cat "$FAKE_LOG"; return 1; }
}

@test "msend auth gssapi with an expired ticket: exit 77, ticket expired" {
	need_postfix
	expire_ticket
	run msend bob@example.test < <(msg "expired")
	[ "$status" -eq 77 ] || { show; return 1; }
	[[ $output == "msend: localhost:$POSTFIX_PORT: AUTH GSSAPI: Kerberos ticket expired: run kinit ("*")" ]] ||
		{ show; return 1; }
}

@test "msend auth gssapi to the address: no principal smtp/127.0.0.1" {
	need_postfix
	login
	run msend -a byaddr bob@example.test < <(msg "by address")
	[ "$status" -eq 77 ] || { show; return 1; }
	[[ $output == *"AUTH GSSAPI: no Kerberos service principal smtp/127.0.0.1: host must be the server's name in its principal (Server smtp/127.0.0.1@MKIT.TEST not found in Kerberos database)" ]] ||
		{ show; return 1; }
}

@test "msend auth on: Postfix offers GSSAPI, mkit takes SCRAM-SHA-256" {
	need_postfix
	login
	run msend -v -a auto bob@example.test < <(msg "auto")
	[ "$status" -eq 0 ] || { show; return 1; }
	[[ $output == *"< 250-AUTH "*GSSAPI* ]] || { show; return 1; }
	[[ $output == *"> AUTH SCRAM-SHA-256 <redacted>"* ]] || { show; return 1; }
	[[ $output != *"AUTH GSSAPI"* ]] || { show; return 1; }
	# without a password, auth on does not fall back to the ticket
	run msend -a autonopw bob@example.test < <(msg "auto, no password")
	[ "$status" -eq 78 ] || { show; return 1; }
	[[ $output == *"no password for alice@localhost"* ]] || { show; return 1; }
}

@test "msend -v: no Kerberos token from the client in the transcript" {
	need_postfix
	login
	run msend -v bob@example.test < <(msg "transcript")
	[ "$status" -eq 0 ] || { show; return 1; }
	[[ $output == *"> AUTH GSSAPI <redacted>"* ]] || { show; return 1; }
	[[ $output != *"> AUTH GSSAPI YI"* ]] || { show; return 1; }
	# after AUTH every client line up to the 235 is redacted
	echo "$output" | awk '
		/> AUTH GSSAPI/ { on = 1; next }
		on && /< 235/ { exit }
		on && /^> / && $0 != "> <redacted>" { bad = 1; print }
		END { exit bad }'
}

# ---- mpop and mimap, the programs -------------------------------------------

# prog_conf FILE: an account for Dovecot's POP3 and IMAP with auth gssapi.
prog_conf() {
	cat >"$1" <<EOC
account default
host localhost
pop3_port $DOVECOT_POP3_PORT
imap_port $DOVECOT_IMAP_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
auth gssapi
user $TEST_USER
delivery maildir $BATS_TEST_TMPDIR/got
EOC
	chmod 600 "$1"
}

@test "mpop auth gssapi against Dovecot POP3: delivered" {
	login
	prog_conf "$BATS_TEST_TMPDIR/conf"
	msg "kerberos pop" "fetched with a ticket" | deliver_message alice \
		>/dev/null
	XDG_STATE_HOME=$BATS_TEST_TMPDIR/state run mpop -v \
		-C "$BATS_TEST_TMPDIR/conf"
	[ "$status" -eq 0 ] || { show; return 1; }
	# AUTH GSSAPI, then each client token redacted
	grep -qx '> AUTH GSSAPI' <<<"$output" || { show; return 1; }
	! grep -q '^> .*YI' <<<"$output" || { show; return 1; }
	grep -l '^Subject: kerberos pop' "$BATS_TEST_TMPDIR"/got/new/* |
		xargs grep -q '^fetched with a ticket'
	[ "$(ls "$BATS_TEST_TMPDIR/got/new" | wc -l)" -eq 1 ]
	[ -z "$(delivered_messages alice)" ] || { show; return 1; }
	grep -q 'pop3-login: .*user=<alice@mkit.test>, method=GSSAPI' \
		"$DOVECOT_LOG" || { show; return 1; }
}

@test "mimap auth gssapi: list works" {
	login
	prog_conf "$BATS_TEST_TMPDIR/conf"
	run mimap -v -C "$BATS_TEST_TMPDIR/conf" list
	[ "$status" -eq 0 ] || { show; return 1; }
	[[ $output == *"AUTHENTICATE GSSAPI"* ]] || { show; return 1; }
	[[ $output != *"AUTHENTICATE GSSAPI YI"* ]] || { show; return 1; }
	grep -qx 'INBOX' <<<"$output" || { show; return 1; }
	grep -q 'imap-login: .*user=<alice@mkit.test>, method=GSSAPI' \
		"$DOVECOT_LOG" || { show; return 1; }
}
