#!/usr/bin/env bats
# The SASL layer against a real Dovecot 2.3 through IMAP AUTHENTICATE and
# POP3 AUTH: every
# mechanism Dovecot offers, with the right and the wrong password, with and
# without SASL-IR; the plaintext refusal; no secret in the transcript.
#
# Dovecot runs from its own config under a temporary directory (no
# /etc/dovecot), listening on a loopback port in 21000-21999. The driver,
# tests/sasl/sasl-imap-driver, speaks just enough IMAP (or POP3, -p) over a
# plain socket.
# Its status is compared here: 0 authenticated, 1 refused by the server,
# 2 refused by the client, 3 I/O trouble.

DRIVER="${MKIT_BUILDDIR:-.}/tests/sasl/sasl-imap-driver"
USER_NAME=alice
PASSWORD='c0rrect horse'
TOKEN='ya29.good-token_for-alice'

setup_file() {
	command -v dovecot >/dev/null ||
		skip "dovecot not installed (Debian: dovecot-imapd)"
	D=$(mktemp -d /tmp/mkit-sasl.XXXXXX)
	chmod 755 "$D"
	export D
	mkdir -p "$D/run" "$D/state" "$D/home"
	chmod 1777 "$D/home"
	printf '%s:%s\n' "$USER_NAME" "$PASSWORD" >"$D/passwd"
	chmod 644 "$D/passwd"

	if [ "$(id -u)" -eq 0 ]; then
		login_user=dovenull internal_user=dovecot internal_group=dovecot
		id dovenull >/dev/null 2>&1 || login_user=nobody
		id dovecot >/dev/null 2>&1 ||
			internal_user=nobody internal_group=nogroup
		mail_uid=nobody mail_gid=nogroup
		getent group nogroup >/dev/null || mail_gid=nobody
		valid_uid=1
	else
		# Dovecot as an ordinary user: every role is that user
		login_user=$(id -un) internal_user=$(id -un)
		internal_group=$(id -gn)
		mail_uid=$(id -un) mail_gid=$(id -gn)
		valid_uid=$(id -u)
	fi

	# Three free ports in our range (21000-21999): IMAP, POP3, and the
	# OAuth token service Dovecot asks.
	PORT= POP_PORT= TOKEN_PORT=
	for p in $(seq $((21100 + $$ % 400)) 21999) $(seq 21100 21999); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		case " $PORT $POP_PORT " in *" $p "*) continue ;; esac
		if [ -z "$PORT" ]; then
			PORT=$p
		elif [ -z "$POP_PORT" ]; then
			POP_PORT=$p
		else
			TOKEN_PORT=$p
			break
		fi
	done
	[ -n "$TOKEN_PORT" ] || skip "no free ports in 21100-21999"
	export PORT POP_PORT TOKEN_PORT

	# The OAuth side: a tokeninfo endpoint that knows one token (Google's
	# shape: GET ...?access_token=T gives the account's email, or 400).
	cat >"$D/tokeninfo.py" <<EOF
import http.server, json, urllib.parse
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.urlparse(self.path).query
        tok = urllib.parse.parse_qs(q).get("access_token", [""])[0]
        if tok == "$TOKEN":
            code, body = 200, {"email": "$USER_NAME", "expires_in": 3600}
        else:
            code, body = 400, {"error": "invalid_token"}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", $TOKEN_PORT), H).serve_forever()
EOF
	python3 "$D/tokeninfo.py" 3>&- &
	echo $! >"$D/tokeninfo.pid"
	cat >"$D/oauth2.conf" <<EOF
tokeninfo_url = http://127.0.0.1:$TOKEN_PORT/tokeninfo?access_token=
username_attribute = email
EOF

	cat >"$D/dovecot.conf" <<EOF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
info_log_path = $D/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
default_login_user = $login_user
default_internal_user = $internal_user
default_internal_group = $internal_group
first_valid_uid = $valid_uid
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  mechanisms = plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256
  args = scheme=PLAIN $D/passwd
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/oauth2.conf
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$D/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
service imap-urlauth-login {
  chroot =
}
EOF
	dovecot -c "$D/dovecot.conf" -F 3>&- &
	echo $! >"$D/dovecot.pid"

	# Ready when a real login works (the master listens even while its
	# children fail).
	for _ in $(seq 1 100); do
		if "$DRIVER" "$PORT" "$USER_NAME" "$PASSWORD" PLAIN \
			>/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	cat "$D/dovecot.log" >&3 2>/dev/null || true
	echo "# dovecot did not come up" >&3
	return 1
}

teardown_file() {
	if [ -n "${D:-}" ] && [ -f "$D/tokeninfo.pid" ]; then
		kill -TERM "$(cat "$D/tokeninfo.pid")" 2>/dev/null || true
	fi
	if [ -n "${D:-}" ] && [ -f "$D/dovecot.pid" ]; then
		kill -TERM "$(cat "$D/dovecot.pid")" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$(cat "$D/dovecot.pid")" 2>/dev/null || break
			sleep 0.1
		done
	fi
	[ -n "${D:-}" ] && rm -rf "$D"
}

# run the driver; on an unexpected result show its output and the log
drive() {
	run "$DRIVER" "$@"
}

show() {
	echo "status $status: $output"
	tail -n 5 "$D/dovecot.log"
}

right() {
	drive "$@" "${SRV_PORT:-$PORT}" "$USER_NAME" "$PASSWORD" "$MECH"
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated $MECH verified=$VERIFIED" ] ||
		{ show; return 1; }
}

# Each failing login from its own address: Dovecot delays the next login
# from an address that failed (auth penalty, 2 s and up).
wrong() {
	drive -b "127.0.2.$BATS_TEST_NUMBER" "$@" "${SRV_PORT:-$PORT}" \
		"$USER_NAME" 'wrong horse' "$MECH"
	[ "$status" -eq 1 ] || { show; return 1; }
	case $output in
	"refused $MECH: NO "* | "refused $MECH: -ERR "*) ;;
	*) show; return 1 ;;
	esac
}

@test "PLAIN: right password" { MECH=PLAIN VERIFIED=0 right; }
@test "PLAIN: right password, no SASL-IR" { MECH=PLAIN VERIFIED=0 right -n; }
@test "PLAIN: wrong password" { MECH=PLAIN wrong; }
@test "LOGIN: right password" { MECH=LOGIN VERIFIED=0 right; }
@test "LOGIN: wrong password" { MECH=LOGIN wrong; }
@test "CRAM-MD5: right password" { MECH=CRAM-MD5 VERIFIED=0 right; }
@test "CRAM-MD5: wrong password" { MECH=CRAM-MD5 wrong; }
@test "DIGEST-MD5: right password, server verified" {
	MECH=DIGEST-MD5 VERIFIED=1 right
}
@test "DIGEST-MD5: wrong password" { MECH=DIGEST-MD5 wrong; }
@test "SCRAM-SHA-1: right password, server verified" {
	MECH=SCRAM-SHA-1 VERIFIED=1 right
}
@test "SCRAM-SHA-1: right password, no SASL-IR" {
	MECH=SCRAM-SHA-1 VERIFIED=1 right -n
}
@test "SCRAM-SHA-1: wrong password" { MECH=SCRAM-SHA-1 wrong; }
@test "SCRAM-SHA-256: right password, server verified" {
	MECH=SCRAM-SHA-256 VERIFIED=1 right
}
@test "SCRAM-SHA-256: right password, no SASL-IR" {
	MECH=SCRAM-SHA-256 VERIFIED=1 right -n
}
@test "SCRAM-SHA-256: wrong password" { MECH=SCRAM-SHA-256 wrong; }

@test "POP3 PLAIN: right password" {
	SRV_PORT=$POP_PORT MECH=PLAIN VERIFIED=0 right -p
}
@test "POP3 PLAIN: wrong password" { SRV_PORT=$POP_PORT MECH=PLAIN wrong -p; }
@test "POP3 LOGIN: right password" {
	SRV_PORT=$POP_PORT MECH=LOGIN VERIFIED=0 right -p
}
@test "POP3 LOGIN: wrong password" { SRV_PORT=$POP_PORT MECH=LOGIN wrong -p; }
@test "POP3 CRAM-MD5: right password" {
	SRV_PORT=$POP_PORT MECH=CRAM-MD5 VERIFIED=0 right -p
}
@test "POP3 DIGEST-MD5: right password, server verified" {
	SRV_PORT=$POP_PORT MECH=DIGEST-MD5 VERIFIED=1 right -p
}
@test "POP3 SCRAM-SHA-1: right password, server verified" {
	SRV_PORT=$POP_PORT MECH=SCRAM-SHA-1 VERIFIED=1 right -p
}
@test "POP3 SCRAM-SHA-256: right password, server verified" {
	SRV_PORT=$POP_PORT MECH=SCRAM-SHA-256 VERIFIED=1 right -p
}
@test "POP3 SCRAM-SHA-256: wrong password" {
	SRV_PORT=$POP_PORT MECH=SCRAM-SHA-256 wrong -p
}

# OAuth: the token is the secret; Dovecot checks it with the token service.
# A refused token gets the RFC 7628 dance: a JSON error challenge, the
# client's answer (^A or empty), then the failure.
@test "XOAUTH2: right token" {
	drive "$PORT" "$USER_NAME" "$TOKEN" XOAUTH2
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated XOAUTH2 verified=0" ] || { show; return 1; }
}
@test "OAUTHBEARER: right token" {
	drive "$PORT" "$USER_NAME" "$TOKEN" OAUTHBEARER
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated OAUTHBEARER verified=0" ] ||
		{ show; return 1; }
}
@test "OAUTHBEARER: right token, no SASL-IR; POP3" {
	drive -n "$PORT" "$USER_NAME" "$TOKEN" OAUTHBEARER
	[ "$status" -eq 0 ] || { show; return 1; }
	drive -p "$POP_PORT" "$USER_NAME" "$TOKEN" OAUTHBEARER
	[ "$status" -eq 0 ] || { show; return 1; }
}
@test "XOAUTH2: wrong token, the server's error reported" {
	drive -v -b "127.0.2.$BATS_TEST_NUMBER" "$PORT" "$USER_NAME" \
		expired-token XOAUTH2
	[ "$status" -eq 1 ] || { show; return 1; }
	case $output in
	*'S: + ey'*'C: '*'refused XOAUTH2: NO '*'"status":'*) ;;
	*) show; return 1 ;;
	esac
	case $output in *expired-token*) show; return 1 ;; esac
}
@test "OAUTHBEARER: wrong token, ^A after the error, the error reported" {
	drive -v -b "127.0.2.$BATS_TEST_NUMBER" "$PORT" "$USER_NAME" \
		expired-token OAUTHBEARER
	[ "$status" -eq 1 ] || { show; return 1; }
	case $output in
	*'S: + ey'*'C: <redacted>'*'refused OAUTHBEARER: NO '*'"status":'*) ;;
	*) show; return 1 ;;
	esac
	case $output in *expired-token*) show; return 1 ;; esac
}
@test "XOAUTH2 is refused on the unencrypted connection unless allowed" {
	drive -s "$PORT" "$USER_NAME" "$TOKEN" XOAUTH2
	[ "$status" -eq 2 ] || { show; return 1; }
	case $output in
	"error noperm: refusing AUTH XOAUTH2 on an unencrypted connection"*) ;;
	*) show; return 1 ;;
	esac
}

@test "automatic choice takes SCRAM-SHA-256 from Dovecot's list" {
	drive "$PORT" "$USER_NAME" "$PASSWORD"
	[ "$status" -eq 0 ] || { show; return 1; }
	[ "$output" = "authenticated SCRAM-SHA-256 verified=1" ] ||
		{ show; return 1; }
}

@test "PLAIN on the unencrypted connection is refused unless allowed" {
	drive -s -v "$PORT" "$USER_NAME" "$PASSWORD" PLAIN
	[ "$status" -eq 2 ] || { show; return 1; }
	case $output in
	*"error noperm: refusing AUTH PLAIN on an unencrypted connection"*\
*allow_plaintext_auth*) ;;
	*) show; return 1 ;;
	esac
	# nothing was sent: no AUTHENTICATE in the transcript
	case $output in
	*AUTHENTICATE*) show; return 1 ;;
	esac
}

@test "a mechanism Dovecot does not offer is named in the error" {
	drive "$PORT" "$USER_NAME" "$PASSWORD" SCRAM-SHA-1-PLUS
	[ "$status" -eq 2 ] || { show; return 1; }
	case $output in
	"error unavailable: "*SCRAM-SHA-1-PLUS*) ;;
	*) show; return 1 ;;
	esac
	drive "$PORT" "$USER_NAME" "$PASSWORD" EXTERNAL
	[ "$status" -eq 2 ] || { show; return 1; }
	case $output in
	"error unavailable: server does not offer AUTH EXTERNAL (offers: "*\
PLAIN*SCRAM-SHA-256*")") ;;
	*) show; return 1 ;;
	esac
}

@test "the transcript never shows the password or a response" {
	for m in PLAIN LOGIN SCRAM-SHA-256; do
		drive -v "$PORT" "$USER_NAME" "$PASSWORD" "$m"
		[ "$status" -eq 0 ] || { show; return 1; }
		case $output in
		*"$PASSWORD"*) show; return 1 ;;
		esac
		if [ "$m" != LOGIN ]; then
			case $output in
			*"AUTHENTICATE $m <redacted>"*) ;;
			*) show; return 1 ;;
			esac
		fi
		# every line the client sent is redacted, empty or a command
		echo "$output" | grep '^C: ' |
			grep -Ev '^C: (a[0-9] .*|<redacted>|)$' && return 1
		true
	done
	# LOGIN sends the password base64-encoded: not that either
	b64=$(printf '%s' "$PASSWORD" | base64)
	drive -v -n "$PORT" "$USER_NAME" "$PASSWORD" LOGIN
	[ "$status" -eq 0 ] || { show; return 1; }
	case $output in
	*"$b64"*) show; return 1 ;;
	esac
}
