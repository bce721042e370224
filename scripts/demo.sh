#!/bin/bash
# mkit demo: from a fresh clone on Debian 12, as root. Installs the packages,
# builds mkit, starts a throwaway Postfix + Dovecot on 127.0.0.1 (nothing of
# the system's own mail setup is touched), sends one message with msend over
# STARTTLS + AUTH, shows where it landed, and stops the servers again.
#
#   sudo scripts/demo.sh     # MKIT_DEMO_NO_SETUP=1: no apt-get;
#                            # MKIT_KEEP_SERVERS=1: keep the maildir and logs
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

say() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (the throwaway Postfix needs it)"

if [[ -z ${MKIT_DEMO_NO_SETUP:-} ]] && command -v apt-get >/dev/null; then
	say "installing packages (scripts/setup-debian.sh)"
	sh scripts/setup-debian.sh
fi

say "building mkit"
[[ -x configure ]] || autoreconf -fi
[[ -f Makefile ]] || ./configure
make -j"$(nproc)"

say "starting a throwaway Postfix (STARTTLS + AUTH through Dovecot)"
# shellcheck source=../tests/servers/servers.bash
source "$top/tests/servers/servers.bash"
trap stop_servers EXIT
start_postfix || die "the test Postfix did not start"
echo "submission port 127.0.0.1:$POSTFIX_PORT, user $TEST_USER," \
	"certificate $TEST_CERT"

demo=$MKIT_SRV_ROOT/demo
mkdir -p "$demo"
cat >"$demo/config" <<EOF
# mkit configuration (msmtprc syntax), written by scripts/demo.sh
account default
host 127.0.0.1
port $POSTFIX_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
auth on
user $TEST_USER
password $TEST_PASS
from $TEST_USER@$TEST_DOMAIN
EOF
chmod 0600 "$demo/config"
cat >"$demo/message" <<EOF
From: Alice <$TEST_USER@$TEST_DOMAIN>
To: Alice <$TEST_USER@$TEST_DOMAIN>
Subject: Hello from mkit
Date: $(date -R)

This message was sent by msend over STARTTLS with AUTH to a throwaway Postfix.
EOF

say "config $demo/config:"
sed 's/^password .*/password <hidden>/' "$demo/config"
say "sending: msend --config $demo/config -t < message"
[[ -x cmd/msend ]] || die "cmd/msend was not built (msend is not in this tree yet)"
status=0
cmd/msend --config "$demo/config" -t <"$demo/message" || status=$?
(( status == 0 )) || die "msend failed with exit status $status"

say "waiting for delivery"
path=$(wait_for_delivery "$TEST_USER" 1 15 | head -1) ||
	die "the message did not arrive (see above)"
echo "delivered to: $path"
say "its headers:"
sed '/^$/q' "$path"
say "done; stopping the servers (MKIT_KEEP_SERVERS=1 keeps $MKIT_SRV_ROOT)"
