# tests/bats/mimap_helper.bash: mimap against the suite's Dovecot.
#
#   mimap_setup_file    start Dovecot (DOVECOT_IMAP_CAPABILITY applies) and
#                       write $MKIT_CONFIG: account default (STARTTLS, user
#                       alice), account imaps (implicit TLS).
#   mimap_reset         empty alice's mail store (every folder).
#   msg SUBJECT [BODY]  a small message on stdout (LF line ends).

load helpers

mimap_setup_file() {
	start_dovecot || return 1
	export MKIT_CONFIG=$BATS_FILE_TMPDIR/config
	cat >"$MKIT_CONFIG" <<EOC
account default
host 127.0.0.1
port $DOVECOT_IMAP_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
user $TEST_USER
password $TEST_PASS

account imaps
host 127.0.0.1
port $DOVECOT_IMAPS_PORT
tls on
tls_starttls off
tls_trust_file $TEST_CERT
user $TEST_USER
password $TEST_PASS
EOC
	chmod 600 "$MKIT_CONFIG"
}

mimap_reset() {
	local m=$MAILDIR_ROOT/$TEST_USER/Maildir
	rm -rf "$m"
	mkdir -p "$m/new" "$m/cur" "$m/tmp"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/$TEST_USER"
}

msg() {
	printf 'From: alice@example.test\nTo: bob@example.test\nSubject: %s\nMessage-ID: <%s@example.test>\n\n%s\n' \
		"$1" "${1// /.}" "${2:-hello}"
}
