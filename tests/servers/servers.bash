# tests/servers/servers.bash: start and stop REAL mail servers on loopback for
# mkit's tests, demo and benchmark. Source it from bash (tests/bats/helpers.bash,
# scripts/demo.sh and bench/run.sh do). Nothing here touches the system's own
# configuration or services: every server runs from a private directory under
# one root ($MKIT_SRV_ROOT, a fresh /tmp/mkit-srv.XXXXXX, short enough for
# Unix socket paths), listens on 127.0.0.1 on a port the kernel reports free,
# and is stopped by PID (TERM, wait, then KILL). The API is documented in
# tests/bats/helpers.bash.

MKIT_SERVERS_DIR=${MKIT_SERVERS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

# srv_log MSG: diagnostics on stderr (bats shows them only on failure).
srv_log() { printf 'servers: %s\n' "$*" >&2; }

# srv_init: create $MKIT_SRV_ROOT once (mode 0755 so that unprivileged
# server users can traverse it) and export it.
srv_init() {
	if [[ -n ${MKIT_SRV_ROOT:-} && -d $MKIT_SRV_ROOT ]]; then
		return 0
	fi
	MKIT_SRV_ROOT=$(mktemp -d /tmp/mkit-srv.XXXXXX) || return 1
	chmod 0755 "$MKIT_SRV_ROOT"
	: >"$MKIT_SRV_ROOT/pids"
	export MKIT_SRV_ROOT
	srv_watchdog "${MKIT_SRV_OWNER:-$$}"
}

# srv_watchdog PID: in the background, stop this root's servers once PID (the
# shell that created the root: bats-exec-file in setup_file, the script for
# demo and bench) is gone without having called stop_servers, so that an
# interrupted run leaves no server behind.
srv_watchdog() {
	local owner=$1 root=$MKIT_SRV_ROOT
	(
		trap '' INT HUP
		while [[ -d $root ]] && srv_alive "$owner"; do
			sleep 1
		done
		if [[ -d $root ]]; then
			MKIT_SRV_ROOT=$root
			stop_servers
		fi
	) </dev/null >/dev/null 2>&1 3>&- &
}

# free_port: print a TCP port on 127.0.0.1 that is free right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# srv_wait_port PID DIR NAME: wait until the server PID (program NAME)
# wrote its port to DIR/port; on failure, its DIR/stderr logged and PID
# stopped.
srv_wait_port() {
	local n=0
	while [[ ! -s $2/port ]]; do
		if ! srv_alive "$1" || (( n++ > 100 )); then
			srv_log "$3 did not start: $(cat "$2/stderr")"
			srv_kill "$1" 1
			return 1
		fi
		sleep 0.05
	done
}

# srv_pid_start PID: the process's start time (clock ticks since boot), so
# that a recycled PID is never mistaken for one of our servers.
srv_pid_start() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	awk '{print $20}' <<<"$stat"
}

# srv_track NAME PID: remember a server process for stop_servers.
srv_track() {
	echo "$1 $2 $(srv_pid_start "$2")" >>"$MKIT_SRV_ROOT/pids"
}

# srv_alive PID: true if PID runs (a zombie, which an init that does not
# reap may leave behind, counts as gone).
srv_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ $st != Z ]]
}

# srv_kill PID [SECONDS] [START]: TERM, wait up to SECONDS (default 5), then
# KILL. With START (from srv_pid_start), only if PID is still that process.
srv_kill() {
	local pid=$1 n=$(( ${2:-5} * 10 ))
	[[ -n $pid ]] || return 0
	if [[ -n ${3:-} && $(srv_pid_start "$pid") != "$3" ]]; then
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null || return 0
	while (( n-- > 0 )); do
		srv_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	return 0
}

# wait_banner PORT [SECONDS] [CODE]: wait until 127.0.0.1:PORT answers with
# a line starting with CODE (default 220). Returns 1 on timeout.
wait_banner() {
	python3 - "$1" "${2:-10}" "${3:-220}" <<'EOF'
import socket, sys, time
port, limit, code = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3].encode()
end = time.time() + limit
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        line = s.makefile("rb").readline()
        s.close()
        if line.startswith(code):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF
}

# mk_cert DIR: self-signed RSA certificate for localhost / 127.0.0.1.
# Writes DIR/cert.pem and DIR/key.pem and exports TEST_CERT, TEST_KEY,
# TEST_CERT_SHA256 (SHA-256 of the certificate, colon hex, upper case, as
# "openssl x509 -fingerprint -sha256" and msmtp's tls_fingerprint print it)
# and TEST_PUBKEY_SHA256 (base64 SHA-256 of the public key, the form of
# curl's pinnedpubkey "sha256//...").
# With SAN (e.g. DNS:wrong.example) the certificate names that instead, for
# hostname-verification failures (CN: the SAN's first name), and nothing is
# exported: use DIR/cert.pem and DIR/key.pem (e.g. as FAKE_CERT/FAKE_KEY).
mk_cert() {
	local d=$1 san=${2:-DNS:localhost,IP:127.0.0.1} cn
	cn=${san%%,*}
	cn=${cn#*:}
	mkdir -p "$d" || return 1
	if [[ ! -s $d/cert.pem ]]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
			-keyout "$d/key.pem" -out "$d/cert.pem" \
			-subj "/CN=$cn" \
			-addext "subjectAltName=$san" \
			>/dev/null 2>&1 || { srv_log "openssl req failed"; return 1; }
		chmod 0644 "$d/cert.pem"
		chmod 0640 "$d/key.pem"
	fi
	[[ $# -ge 2 ]] && return 0
	TEST_CERT=$d/cert.pem
	TEST_KEY=$d/key.pem
	TEST_CERT_SHA256=$(openssl x509 -in "$TEST_CERT" -noout -fingerprint \
		-sha256 | sed 's/^.*=//')
	TEST_PUBKEY_SHA256=$(openssl x509 -in "$TEST_CERT" -noout -pubkey |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | openssl base64 -A)
	export TEST_CERT TEST_KEY TEST_CERT_SHA256 TEST_PUBKEY_SHA256
}

# srv_cert: make sure the shared test certificate exists. Under bats it is
# made once per test file (kept in $BATS_FILE_TMPDIR) and copied into each
# new root, so that servers started in every test cost no key generation.
srv_cert() {
	local cache=${BATS_FILE_TMPDIR:+$BATS_FILE_TMPDIR/mkit-tls}
	srv_init || return 1
	if [[ -n ${TEST_CERT:-} && -s $TEST_CERT ]]; then
		return 0
	fi
	if [[ -n $cache && -s $cache/cert.pem && -s $cache/key.pem ]]; then
		mkdir -p "$MKIT_SRV_ROOT/tls" &&
			cp -p "$cache/cert.pem" "$cache/key.pem" "$MKIT_SRV_ROOT/tls/"
	fi
	mk_cert "$MKIT_SRV_ROOT/tls" || return 1
	if [[ -n $cache && ! -s $cache/cert.pem ]]; then
		mkdir -p "$cache" &&
			cp -p "$TEST_CERT" "$TEST_KEY" "$cache/" 2>/dev/null
	fi
	return 0
}

# --- smtp-sink -------------------------------------------------------------

# start_sink [--dump]: Postfix's smtp-sink on a free port. Exports SINK_PORT
# and SINK_PID; with --dump also SINK_DUMP, a file that receives every mail
# transaction (envelope and content, smtp-sink's -D format: "X-Client-Addr:",
# "X-Client-Proto:", "X-Helo-Args:", "X-Mail-Args:", "X-Rcpt-Args:" lines,
# then the message).
start_sink() {
	local dump=0 try port pid d args
	[[ ${1:-} == --dump ]] && dump=1
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/sink.XXXX") || return 1
	chmod 0755 "$d"
	args=()
	if [[ $(id -u) == 0 ]]; then
		args+=(-u postfix)
		chown postfix "$d"
	fi
	if (( dump )); then
		args+=(-D "$d/dump")
	fi
	for try in 1 2 3 4 5; do
		port=$(free_port)
		smtp-sink "${args[@]}" -h sink.localhost "127.0.0.1:$port" 1000 \
			>"$d/log" 2>&1 3>&- </dev/null &
		pid=$!
		if wait_banner "$port" 5 && srv_alive "$pid"; then
			srv_track sink "$pid"
			SINK_PORT=$port SINK_PID=$pid
			export SINK_PORT SINK_PID
			if (( dump )); then
				SINK_DUMP=$d/dump
				export SINK_DUMP
			fi
			return 0
		fi
		srv_kill "$pid" 1
	done
	srv_log "smtp-sink did not start: $(cat "$d/log")"
	return 1
}

# --- scripted hostile server -----------------------------------------------

# start_fake_smtp [SCRIPT]: run tests/servers/fakesmtp.py with the script in
# file SCRIPT, or read from stdin when no argument is given. Exports
# FAKE_PORT, FAKE_LOG (the transcript) and FAKE_PID. The server serves every
# connection with the whole script until stop_fake_smtp. FAKE_CERT and
# FAKE_KEY, when set, replace the test certificate for "starttls". With
# FAKE_STRICT=1 the server enforces "no PIPELINING" (fakesmtp.py --strict).
start_fake_smtp() {
	local d pid
	srv_cert || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/fake.XXXX") || return 1
	if [[ $# -gt 0 ]]; then
		cp "$1" "$d/script" || return 1
	else
		cat >"$d/script"
	fi
	: >"$d/transcript"
	local strict=()
	[[ ${FAKE_STRICT:-} == 1 ]] && strict=(--strict)
	python3 "$MKIT_SERVERS_DIR/fakesmtp.py" --script "$d/script" \
		--log "$d/transcript" --port-file "$d/port" \
		--cert "${FAKE_CERT:-$TEST_CERT}" --key "${FAKE_KEY:-$TEST_KEY}" \
		"${strict[@]}" >"$d/stderr" 2>&1 3>&- </dev/null &
	pid=$!
	srv_wait_port "$pid" "$d" fakesmtp.py || return 1
	srv_track fake "$pid"
	FAKE_PORT=$(cat "$d/port") FAKE_LOG=$d/transcript FAKE_PID=$pid
	FAKE_PID_START=$(srv_pid_start "$pid")
	export FAKE_PORT FAKE_LOG FAKE_PID FAKE_PID_START
}

# start_fake_server: the same, for POP3/IMAP scripts.
start_fake_server() { start_fake_smtp "$@"; }

# stop_fake_smtp: stop the fake server started last.
stop_fake_smtp() {
	[[ -n ${FAKE_PID:-} ]] && srv_kill "$FAKE_PID" 2 "${FAKE_PID_START:-}"
	FAKE_PID=
}

# start_proxy UPSTREAM [REGEX CMD...]: tests/servers/tcpproxy.py forwarding
# to 127.0.0.1:UPSTREAM (see there: a command run when a client line matches,
# SIGUSR1 to make the open connections silent). Exports PROXY_PORT,
# PROXY_PID, PROXY_RAN (the file that gets CMD's status once it ran) and
# PROXY_SILENT (written once SIGUSR1 took effect).
start_proxy() {
	local d pid
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/proxy.XXXX") || return 1
	python3 "$MKIT_SERVERS_DIR/tcpproxy.py" "$d/port" "$@" \
		>"$d/stderr" 2>&1 3>&- </dev/null &
	pid=$!
	srv_wait_port "$pid" "$d" tcpproxy.py || return 1
	srv_track proxy "$pid"
	PROXY_PORT=$(cat "$d/port") PROXY_PID=$pid PROXY_RAN=$d/port.ran
	PROXY_SILENT=$d/port.silent
	export PROXY_PORT PROXY_PID PROXY_RAN PROXY_SILENT
}

# --- scripted hostile POP3 server --------------------------------------------

# start_fake_pop3 [OPTION]...: run tests/servers/fakepop3.py, a stateful POP3
# server whose maildrop is the files of FAKE_POP3_DIR (created empty; put
# messages there, one file each), strict about pipelining unless
# --pipelining. OPTIONs are fakepop3.py's (--stls, --stls-err, --inject T,
# --greeting-flood N, --cut-retr N, --dup-uidl, --no-uidl, --dele-err,
# --cut-at-quit); user alice, password secret. Exports FAKE_POP3_PORT,
# FAKE_POP3_LOG, FAKE_POP3_DIR, FAKE_POP3_PID.
start_fake_pop3() {
	local d pid
	srv_cert || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/fakepop3.XXXX") || return 1
	mkdir -p "$d/drop"
	: >"$d/transcript"
	python3 "$MKIT_SERVERS_DIR/fakepop3.py" --dir "$d/drop" \
		--log "$d/transcript" --port-file "$d/port" \
		--cert "$TEST_CERT" --key "$TEST_KEY" "$@" \
		>"$d/stderr" 2>&1 3>&- </dev/null &
	pid=$!
	srv_wait_port "$pid" "$d" fakepop3.py || return 1
	srv_track fakepop3 "$pid"
	FAKE_POP3_PORT=$(cat "$d/port") FAKE_POP3_LOG=$d/transcript
	FAKE_POP3_DIR=$d/drop FAKE_POP3_PID=$pid
	FAKE_POP3_PID_START=$(srv_pid_start "$pid")
	export FAKE_POP3_PORT FAKE_POP3_LOG FAKE_POP3_DIR FAKE_POP3_PID \
		FAKE_POP3_PID_START
}

# stop_fake_pop3: stop the fake POP3 server started last.
stop_fake_pop3() {
	[[ -n ${FAKE_POP3_PID:-} ]] &&
		srv_kill "$FAKE_POP3_PID" 2 "${FAKE_POP3_PID_START:-}"
	FAKE_POP3_PID=
}

# --- strict (no PIPELINING) SMTP server --------------------------------------

# start_strict_smtp [OPTION]...: run tests/servers/strictsmtp.py, a stateful
# SMTP server that offers no PIPELINING and enforces it as OpenSMTPD 6.8
# does (a client byte that arrives before the reply to the line before it:
# "* pipelining violation: ..." in the log, 500 5.5.1, close). OPTIONs are
# strictsmtp.py's: --chunking --smtputf8 --pipelining --no-starttls
# --no-auth --require-tls --require-auth --user NAME --password PW
# --size N --grace SECONDS (defaults: user alice, password secret, grace
# 0.05). TLS uses TEST_CERT/TEST_KEY. Exports STRICT_PORT, STRICT_LOG (the
# transcript, fakesmtp.py's format), STRICT_DIR (every accepted message as
# msg.N.eml, its envelope in msg.N.env) and STRICT_PID.
start_strict_smtp() {
	local d pid
	srv_cert || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/strict.XXXX") || return 1
	: >"$d/transcript"
	python3 "$MKIT_SERVERS_DIR/strictsmtp.py" --log "$d/transcript" \
		--dir "$d/msgs" --port-file "$d/port" \
		--cert "$TEST_CERT" --key "$TEST_KEY" "$@" \
		>"$d/stderr" 2>&1 3>&- </dev/null &
	pid=$!
	srv_wait_port "$pid" "$d" strictsmtp.py || return 1
	srv_track strict "$pid"
	STRICT_PORT=$(cat "$d/port") STRICT_LOG=$d/transcript
	STRICT_DIR=$d/msgs STRICT_PID=$pid
	STRICT_PID_START=$(srv_pid_start "$pid")
	export STRICT_PORT STRICT_LOG STRICT_DIR STRICT_PID STRICT_PID_START
}

# stop_strict_smtp: stop the strict server started last.
stop_strict_smtp() {
	[[ -n ${STRICT_PID:-} ]] &&
		srv_kill "$STRICT_PID" 2 "${STRICT_PID_START:-}"
	STRICT_PID=
}

# --- Kerberos KDC ------------------------------------------------------------

# start_kdc: a throwaway MIT Kerberos KDC (krb5kdc, Debian krb5-kdc) for the
# realm MKIT.TEST on a free 127.0.0.1 port (UDP and TCP), with its own
# krb5.conf, kdc.conf and database under $MKIT_SRV_ROOT/kdc: the system's
# /etc/krb5.conf and KDC are never read or touched. Principals: the test
# user alice@MKIT.TEST (password $TEST_KRB5_PASS) and the services
# imap/localhost, pop/localhost and smtp/localhost, whose keys are in the
# keytab $KDC_KEYTAB (for Dovecot). Clients name the server "localhost".
# Exports KRB5_CONFIG and KRB5_KDC_PROFILE (so every Kerberos program started
# from here uses this realm), KRB5CCNAME (a credential cache file under the
# root, empty until krb5_login), KDC_REALM KDC_PORT KDC_PID KDC_LOG
# KDC_KEYTAB TEST_PRINCIPAL TEST_KRB5_PASS.
start_kdc() {
	local d try port pid n s
	srv_init || return 1
	for s in krb5kdc kdb5_util kadmin.local kinit; do
		command -v "$s" >/dev/null 2>&1 || {
			srv_log "start_kdc: $s not found (Debian: krb5-kdc krb5-admin-server krb5-user)"
			return 1
		}
	done
	d=$MKIT_SRV_ROOT/kdc
	mkdir -p "$d" && chmod 0755 "$d" || return 1
	KDC_REALM=MKIT.TEST TEST_PRINCIPAL=alice@MKIT.TEST
	TEST_KRB5_PASS=kerberos-secret
	KRB5_CONFIG=$d/krb5.conf KRB5_KDC_PROFILE=$d/kdc.conf
	KRB5CCNAME=FILE:$d/ccache KDC_KEYTAB=$d/services.keytab
	export KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME KDC_REALM KDC_KEYTAB \
		TEST_PRINCIPAL TEST_KRB5_PASS
	# The database does not depend on the port: made once per root.
	srv_kdc_conf "$d" 0
	if [[ -s $d/principal && -s $KDC_KEYTAB ]]; then
		:
	elif ! kdb5_util -r "$KDC_REALM" -P mkit-master-key create -s \
		>"$d/create.log" 2>&1 </dev/null; then
		srv_log "kdb5_util create failed: $(cat "$d/create.log")"
		return 1
	# kadmin.local reads its commands from stdin
	elif ! kadmin.local -r "$KDC_REALM" >"$d/kadmin.log" 2>&1 <<EOF
addprinc -pw $TEST_KRB5_PASS ${TEST_PRINCIPAL%@*}
addprinc -randkey imap/localhost
addprinc -randkey pop/localhost
addprinc -randkey smtp/localhost
ktadd -k $KDC_KEYTAB imap/localhost pop/localhost smtp/localhost
EOF
	then
		srv_log "kadmin.local failed: $(cat "$d/kadmin.log")"
		return 1
	fi
	if [[ ! -s $KDC_KEYTAB ]]; then
		srv_log "kadmin.local wrote no keytab: $(cat "$d/kadmin.log")"
		return 1
	fi
	# A throwaway key: readable by Dovecot's auth process, whatever user
	# it runs as.
	chmod 0644 "$KDC_KEYTAB"
	for try in 1 2 3 4 5; do
		port=$(free_port)
		srv_kdc_conf "$d" "$port"
		rm -f "$d/kdc.pid"
		krb5kdc -n -r "$KDC_REALM" -P "$d/kdc.pid" >"$d/stdout" 2>&1 \
			3>&- </dev/null &
		pid=$!
		n=0
		# ready when it listens on the TCP port
		while (( n++ < 50 )) && srv_alive "$pid"; do
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				srv_track kdc "$pid"
				KDC_PORT=$port KDC_PID=$pid KDC_LOG=$d/kdc.log
				export KDC_PORT KDC_PID KDC_LOG
				return 0
			fi
			sleep 0.05
		done
		srv_kill "$pid" 2
	done
	srv_log "krb5kdc did not start: $(cat "$d/stdout" "$d/kdc.log" 2>/dev/null | tail -10)"
	return 1
}

# srv_kdc_conf DIR PORT: write krb5.conf (clients, KDC, Dovecot) and
# kdc.conf. No DNS: the realm and its KDC are named here, host names are
# used as given (no canonicalisation, no reverse lookup).
srv_kdc_conf() {
	local d=$1 port=$2
	cat >"$d/krb5.conf" <<EOF
# written by tests/servers/servers.bash
[libdefaults]
	default_realm = $KDC_REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$KDC_REALM = {
		kdc = 127.0.0.1:$port
	}
[domain_realm]
	localhost = $KDC_REALM
EOF
	cat >"$d/kdc.conf" <<EOF
# written by tests/servers/servers.bash
[kdcdefaults]
	kdc_listen = 127.0.0.1:$port
	kdc_tcp_listen = 127.0.0.1:$port
[realms]
	$KDC_REALM = {
		database_name = $d/principal
		key_stash_file = $d/stash
		acl_file = $d/kadm5.acl
		kdc_listen = 127.0.0.1:$port
		kdc_tcp_listen = 127.0.0.1:$port
		max_life = 1h
		max_renewable_life = 0
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:$d/kdc.log
EOF
}

# krb5_login [LIFETIME]: kinit as the test user (password on stdin) into
# $KRB5CCNAME; LIFETIME as kinit -l takes it (e.g. 5s). Returns kinit's
# status, its output on stderr.
krb5_login() {
	local args=()
	[[ -n ${1:-} ]] && args=(-l "$1")
	printf '%s\n' "$TEST_KRB5_PASS" |
		kinit "${args[@]}" "$TEST_PRINCIPAL" >/dev/null
}

# --- Dovecot -----------------------------------------------------------------

# srv_users: the mail users, their homes and the mail owner (shared by
# Dovecot and Postfix so that Postfix delivers where IMAP/POP3 read).
srv_users() {
	srv_init || return 1
	TEST_USER=alice TEST_PASS=secret
	TEST_USER2=bob TEST_PASS2=hunter2
	TEST_DOMAIN=example.test
	MAILDIR_ROOT=$MKIT_SRV_ROOT/mail
	if [[ $(id -u) == 0 ]]; then
		MAIL_UID=$(id -u nobody) MAIL_GID=$(id -g nobody)
	else
		MAIL_UID=$(id -u) MAIL_GID=$(id -g)
	fi
	local u
	for u in "$TEST_USER" "$TEST_USER2"; do
		mkdir -p "$MAILDIR_ROOT/$u/Maildir/new" "$MAILDIR_ROOT/$u/Maildir/cur" \
			"$MAILDIR_ROOT/$u/Maildir/tmp"
	done
	chmod 0755 "$MAILDIR_ROOT"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT"
	export TEST_USER TEST_PASS TEST_USER2 TEST_PASS2 TEST_DOMAIN MAILDIR_ROOT \
		MAIL_UID MAIL_GID
}

# start_dovecot: Dovecot 2.3 with IMAP and POP3 (STARTTLS on the plain ports,
# implicit TLS on the other two), users alice/secret and bob/hunter2, maildir
# homes under $MAILDIR_ROOT. Ready once a real IMAP LOGIN succeeds. Exports
# DOVECOT_IMAP_PORT DOVECOT_IMAPS_PORT DOVECOT_POP3_PORT DOVECOT_POP3S_PORT
# DOVECOT_AUTH_SOCKET DOVECOT_PID DOVECOT_LOG TEST_USER TEST_PASS TEST_USER2
# TEST_PASS2 MAILDIR_ROOT.
# With DOVECOT_IMAP_CAPABILITY set (e.g. "IMAP4rev1 SASL-IR IDLE"), IMAP
# advertises exactly that (Dovecot's imap_capability): the clients'
# fallback paths run against the real server.
# With --gssapi, Dovecot's auth also offers GSSAPI (Kerberos) for the
# services imap, pop and smtp (Postfix's SASL goes through Dovecot's auth
# socket) on host "localhost", with the keytab of start_kdc (started first if
# not running); principal alice@MKIT.TEST logs in as alice@mkit.test, whose
# home is alice's.
# With DOVECOT_APOP set, POP3 also takes APOP (RFC 1939 7): the greeting
# carries a timestamp, the plaintext passdb checks the digest.
start_dovecot() {
	local d try pid imap imaps pop3 pop3s login internal dh= gssapi=
	local mechs="plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256"
	[[ -n ${DOVECOT_APOP:-} ]] && mechs="$mechs apop"
	if [[ ${1:-} == --gssapi ]]; then
		if [[ -z ${KDC_PID:-} ]] || ! srv_alive "$KDC_PID"; then
			start_kdc || return 1
		fi
		mechs="$mechs gssapi"
		# Dovecot clears its children's environment: the realm's
		# krb5.conf comes in by import_environment; no replay cache
		# files outside the root.
		gssapi="auth_gssapi_hostname = localhost
auth_krb5_keytab = $KDC_KEYTAB
import_environment = TZ CORE_OUTOFMEM CORE_ERROR KRB5_CONFIG=$KRB5_CONFIG KRB5RCACHETYPE=none"
	fi
	srv_cert || return 1
	srv_users || return 1
	d=$MKIT_SRV_ROOT/dovecot
	mkdir -p "$d/run" "$d/state"
	chmod 0755 "$d"
	local group_line=
	if [[ $(id -u) == 0 ]]; then
		login=dovenull internal=dovecot
	else
		login=$(id -un) internal=$(id -un)
		group_line="default_internal_group = $(id -gn)"
	fi
	[[ -r /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
	printf '%s:{PLAIN}%s::::::\n' "$TEST_USER" "$TEST_PASS" \
		"$TEST_USER2" "$TEST_PASS2" >"$d/users"
	chmod 0644 "$d/users"
	for try in 1 2 3; do
		imap=$(free_port) imaps=$(free_port)
		pop3=$(free_port) pop3s=$(free_port)
		cat >"$d/dovecot.conf" <<EOF
# written by tests/servers/servers.bash
instance_name = mkit-${MKIT_SRV_ROOT##*.}
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
default_login_user = $login
default_internal_user = $internal
$group_line
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <$TEST_CERT
ssl_key = <$TEST_KEY
$dh
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = $mechs
$gssapi
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
${DOVECOT_IMAP_CAPABILITY:+imap_capability = $DOVECOT_IMAP_CAPABILITY}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $d/users
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$MAILDIR_ROOT/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $pop3s
    ssl = yes
  }
}
service imap-urlauth-login {
  chroot =
}
service anvil {
  chroot =
  # no auth penalty: failed-login tests must not slow down later logins
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  chroot =
}
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
EOF
		dovecot -c "$d/dovecot.conf" -F >"$d/stdout" 2>&1 3>&- </dev/null &
		pid=$!
		if srv_dovecot_ready "$imap" "$pid"; then
			srv_track dovecot "$pid"
			DOVECOT_PID=$pid DOVECOT_LOG=$d/dovecot.log
			DOVECOT_IMAP_PORT=$imap DOVECOT_IMAPS_PORT=$imaps
			DOVECOT_POP3_PORT=$pop3 DOVECOT_POP3S_PORT=$pop3s
			DOVECOT_AUTH_SOCKET=$d/run/auth-client
			DOVECOT_CONF=$d/dovecot.conf
			export DOVECOT_PID DOVECOT_LOG DOVECOT_IMAP_PORT \
				DOVECOT_IMAPS_PORT DOVECOT_POP3_PORT \
				DOVECOT_POP3S_PORT DOVECOT_AUTH_SOCKET DOVECOT_CONF
			return 0
		fi
		srv_kill "$pid" 5
	done
	srv_log "dovecot did not start: $(cat "$d/stdout" "$d/dovecot.log" 2>/dev/null | tail -20)"
	return 1
}

# srv_dovecot_ready PORT PID: wait (up to 15 s) for a real IMAP login.
srv_dovecot_ready() {
	local n=0
	while (( n++ < 150 )); do
		srv_alive "$2" || return 1
		if python3 - "$1" "$TEST_USER" "$TEST_PASS" <<'EOF' 2>/dev/null
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=3)
m.login(sys.argv[2], sys.argv[3])
m.logout()
EOF
		then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# --- Postfix -----------------------------------------------------------------

# start_postfix: a real Postfix (needs root) from a private configuration
# directory, with SASL through Dovecot (started first if not running).
# Domain example.test is delivered locally into $MAILDIR_ROOT/USER/Maildir
# (the same maildirs Dovecot serves). Recipients: alice@ and bob@ exist,
# tempfail@ gets 450 4.2.0, full@ gets 452 4.2.2, reject@ gets 550 5.7.1,
# anything else @example.test gets 550 5.1.1 (unknown user); other domains
# are refused (554 relay denied) unless the client may relay, and mail that
# would leave is bounced at once (default_transport = error). Exports
# POSTFIX_PORT      STARTTLS required (security level encrypt), AUTH after TLS
# POSTFIX_TLS_PORT  implicit TLS (smtps), AUTH
# POSTFIX_PLAIN_PORT no TLS, no AUTH, relay for 127.0.0.0/8 (permit_mynetworks)
# POSTFIX_DIR POSTFIX_CONF_DIR POSTFIX_LOG POSTFIX_PID
# POSTFIX_MAIN_EXTRA, when set, is appended to main.cf (later lines win), e.g.
# "message_size_limit = 2000" for a SIZE test.
start_postfix() {
	local d try sub smtps plain pid
	if [[ $(id -u) != 0 ]]; then
		srv_log "start_postfix needs root"
		return 1
	fi
	if [[ -z ${DOVECOT_AUTH_SOCKET:-} ]] || ! srv_alive "${DOVECOT_PID:-0}"; then
		start_dovecot || return 1
	fi
	d=$MKIT_SRV_ROOT/postfix
	mkdir -p "$d/etc" "$d/queue" "$d/data"
	chmod 0755 "$d" "$d/etc"
	chown postfix "$d/data"
	srv_postfix_queue "$d/queue" || return 1
	cat >"$d/etc/vmailbox" <<EOF
$TEST_USER@$TEST_DOMAIN $TEST_USER/Maildir/
$TEST_USER2@$TEST_DOMAIN $TEST_USER2/Maildir/
tempfail@$TEST_DOMAIN $TEST_USER/Maildir/
full@$TEST_DOMAIN $TEST_USER/Maildir/
reject@$TEST_DOMAIN $TEST_USER/Maildir/
EOF
	cat >"$d/etc/access" <<EOF
tempfail@$TEST_DOMAIN 450 4.2.0 tempfail: try again later
full@$TEST_DOMAIN 452 4.2.2 mailbox full
reject@$TEST_DOMAIN 550 5.7.1 rejected by policy
EOF
	for try in 1 2 3; do
		sub=$(free_port) smtps=$(free_port) plain=$(free_port)
		srv_postfix_conf "$d" "$sub" "$smtps" "$plain"
		rm -f "$d/queue/pid/master.pid"
		# Postfix programs wait until main.cf and map files look settled
		# (a few seconds old): backdate them
		touch -d '-1 minute' "$d/etc/"*
		# master -w returns once the daemon runs (postfix start would
		# spend seconds on checks of the system's installation)
		if ! "$(postconf -h daemon_directory)/master" -c "$d/etc" -w \
			>"$d/start.log" 2>&1 3>&- </dev/null; then
			srv_log "postfix master failed: $(cat "$d/start.log")"
			tail -5 "$d/maillog" >&2 2>/dev/null
			continue
		fi
		pid=
		local n=0
		while (( n++ < 50 )); do
			pid=$(tr -d ' \n' <"$d/queue/pid/master.pid" 2>/dev/null)
			[[ -n $pid ]] && break
			sleep 0.1
		done
		if [[ -n $pid ]] && wait_banner "$sub" 10 && wait_banner "$plain" 5; then
			echo "$pid" >"$d/master.pid"
			srv_track postfix "$pid"
			POSTFIX_PORT=$sub POSTFIX_TLS_PORT=$smtps POSTFIX_PLAIN_PORT=$plain
			POSTFIX_DIR=$d POSTFIX_CONF_DIR=$d/etc POSTFIX_LOG=$d/maillog
			POSTFIX_PID=$pid POSTFIX_PID_START=$(srv_pid_start "$pid")
			export POSTFIX_PID_START POSTFIX_PORT POSTFIX_TLS_PORT POSTFIX_PLAIN_PORT \
				POSTFIX_DIR POSTFIX_CONF_DIR POSTFIX_LOG POSTFIX_PID
			return 0
		fi
		postfix -c "$d/etc" stop >/dev/null 2>&1
		srv_kill "$pid" 5
	done
	srv_log "postfix did not start: $(tail -20 "$d/maillog" 2>/dev/null)"
	return 1
}

# srv_postfix_queue DIR: the queue directory tree as "postfix check" makes it.
srv_postfix_queue() {
	local q=$1 sub
	mkdir -p "$q/pid" && chmod 0755 "$q" "$q/pid" || return 1
	local dirs=()
	for sub in active bounce corrupt defer deferred flush hold incoming \
		private saved trace; do
		dirs+=("$q/$sub")
	done
	install -d -o postfix -m 0700 "${dirs[@]}" || return 1
	install -d -o postfix -g postdrop -m 0730 "$q/maildrop" || return 1
	install -d -o postfix -g postdrop -m 0710 "$q/public" || return 1
}

# srv_postfix_conf DIR SUBMISSION SMTPS PLAIN: write main.cf and master.cf.
srv_postfix_conf() {
	local d=$1 sub=$2 smtps=$3 plain=$4
	cat >"$d/etc/main.cf" <<EOF
# written by tests/servers/servers.bash
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
meta_directory = /etc/postfix
maillog_file = $d/maillog
maillog_file_prefixes = $d
myhostname = mkit-test.localhost
mydomain = localhost
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
default_transport = error:mkit test server: no outbound mail
relay_transport = error:mkit test server: no outbound mail
virtual_mailbox_domains = $TEST_DOMAIN
virtual_mailbox_base = $MAILDIR_ROOT
virtual_mailbox_maps = texthash:$d/etc/vmailbox
virtual_uid_maps = static:$MAIL_UID
virtual_gid_maps = static:$MAIL_GID
virtual_minimum_uid = 1
smtpd_banner = \$myhostname ESMTP mkit test
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
default_process_limit = 200
smtpd_tls_cert_file = $TEST_CERT
smtpd_tls_key_file = $TEST_KEY
smtpd_tls_security_level = may
smtpd_tls_loglevel = 0
# Ask for a client certificate (optional for the client) and name it, with
# the TLS version, in the Received header: tests read what msend presented.
smtpd_tls_ask_ccert = yes
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DOVECOT_AUTH_SOCKET
smtpd_sasl_auth_enable = no
smtpd_sasl_authenticated_header = no
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$d/etc/access
smtputf8_enable = yes
delay_warning_time = 0
${POSTFIX_MAIN_EXTRA:-}
EOF
	cat >"$d/etc/master.cf" <<EOF
# written by tests/servers/servers.bash
127.0.0.1:$sub inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$smtps inet n - n - - smtpd
  -o syslog_name=postfix/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
127.0.0.1:$plain inet n - n - - smtpd
  -o syslog_name=postfix/plain
  -o smtpd_tls_security_level=none
  -o smtpd_sasl_auth_enable=no
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# stop_postfix: stop the private Postfix (postfix stop, then its master).
stop_postfix() {
	[[ -n ${POSTFIX_CONF_DIR:-} && -d $POSTFIX_CONF_DIR ]] || return 0
	postfix -c "$POSTFIX_CONF_DIR" stop >/dev/null 2>&1
	srv_kill "${POSTFIX_PID:-}" 5 "${POSTFIX_PID_START:-}"
}

# delivered_messages USER: print the paths of the messages in USER's maildir
# (new/ and cur/), oldest first.
delivered_messages() {
	local u=${1:-$TEST_USER}
	ls -1tr "$MAILDIR_ROOT/$u/Maildir/new/" 2>/dev/null |
		sed "s|^|$MAILDIR_ROOT/$u/Maildir/new/|"
	ls -1tr "$MAILDIR_ROOT/$u/Maildir/cur/" 2>/dev/null |
		sed "s|^|$MAILDIR_ROOT/$u/Maildir/cur/|"
}

# wait_for_delivery USER N [SECONDS]: wait (default 10 s) until USER's
# maildir holds at least N messages, then print their paths. Returns 1 (and
# prints what is there plus the Postfix log tail on stderr) on timeout.
wait_for_delivery() {
	local u=$1 want=$2 n=$(( ${3:-10} * 20 )) have
	while :; do
		have=$(delivered_messages "$u" | wc -l)
		if (( have >= want )); then
			delivered_messages "$u"
			return 0
		fi
		(( n-- > 0 )) || break
		sleep 0.05
	done
	srv_log "wait_for_delivery $u: $have of $want after ${3:-10}s"
	[[ -n ${POSTFIX_LOG:-} ]] && tail -15 "$POSTFIX_LOG" >&2
	return 1
}

# deliver_message USER [FILE]: put one message (FILE or stdin) straight into
# USER's maildir new/ (as a delivery agent would, owned by the mail user), for
# POP3/IMAP tests that need mail without going through SMTP. Prints its path.
deliver_message() {
	local u=$1 src=${2:--} dir name
	dir=$MAILDIR_ROOT/$u/Maildir
	name=$(date +%s).M$RANDOM$RANDOM.$$.mkit-test
	cat -- "$src" >"$dir/tmp/$name" || return 1
	chown "$MAIL_UID:$MAIL_GID" "$dir/tmp/$name" 2>/dev/null
	mv "$dir/tmp/$name" "$dir/new/$name" || return 1
	echo "$dir/new/$name"
}

# clear_maildir USER: delete USER's delivered messages.
clear_maildir() {
	local u=${1:-$TEST_USER}
	rm -f "$MAILDIR_ROOT/$u/Maildir/new/"* "$MAILDIR_ROOT/$u/Maildir/cur/"*
}

# --- DNS (for mdig-mx) ---------------------------------------------------------

# start_dns [ZONE FILE]...: NSD, authoritative for each ZONE with the zone
# file FILE (standard master-file syntax; "$ORIGIN ZONE." is implied), on
# 127.0.0.1 UDP and TCP. Without arguments it serves a zone read from stdin
# as example.test. Ready when it answers an SOA query for the first zone.
# Exports DNS_PORT, DNS_PID, DNS_LOG.
start_dns() {
	local d try port pid zones=() z
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/dns.XXXX") || return 1
	chmod 0755 "$d"
	if [[ $# -eq 0 ]]; then
		cat >"$d/example.test.zone" || return 1
		set -- example.test "$d/example.test.zone"
	fi
	while [[ $# -ge 2 ]]; do
		z=${1%.}
		[[ $2 == "$d/$z.zone" ]] || cp -- "$2" "$d/$z.zone" || return 1
		zones+=("$z")
		shift 2
	done
	# A zone NSD cannot load would only show as a server that never
	# answers for it: say why at once instead.
	for z in "${zones[@]}"; do
		if ! nsd-checkzone "$z" "$d/$z.zone" >"$d/checkzone" 2>&1; then
			srv_log "zone $z does not load: $(tail -5 "$d/checkzone")"
			return 1
		fi
	done
	for try in 1 2 3 4 5; do
		port=$(free_port)
		{
			printf 'server:
'
			printf '  ip-address: 127.0.0.1
  port: %s
' "$port"
			printf '  do-ip6: no
  username: ""
  chroot: ""
'
			printf '  zonesdir: "%s"
  pidfile: "%s/nsd.pid"
' "$d" "$d"
			printf '  xfrdfile: "%s/xfrd.state"
' "$d"
			printf '  zonelistfile: "%s/zone.list"
' "$d"
			printf '  logfile: "%s/nsd.log"
  server-count: 1
' "$d"
			printf '  verbosity: 1
  hide-version: yes
'
			printf '  database: ""
'
			# no response rate limiting: a test or a bench asks
			# hundreds of like questions a second, and RRL would
			# drop answers (c-ares then waits out its timeout)
			printf '  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
'
			printf 'remote-control:
  control-enable: no
'
			for z in "${zones[@]}"; do
				printf 'zone:
  name: "%s"
  zonefile: "%s.zone"
' "$z" "$z"
			done
		} >"$d/nsd.conf"
		nsd -d -c "$d/nsd.conf" >"$d/stdout" 2>&1 3>&- </dev/null &
		pid=$!
		if srv_dns_ready "$port" "${zones[0]}" "$pid"; then
			srv_track dns "$pid"
			DNS_PORT=$port DNS_PID=$pid DNS_LOG=$d/nsd.log
			export DNS_PORT DNS_PID DNS_LOG
			return 0
		fi
		srv_kill "$pid" 2
	done
	srv_log "nsd did not start: $(cat "$d/stdout" "$d/nsd.log" 2>/dev/null | tail -10)"
	return 1
}

# start_dnsfault MODE [ARGS]: tests/dns/dnsfault.py, the scripted hostile
# DNS server (MODE servfail, silent, truncate, ...: see its header) on a
# loopback port. Exports DNSFAULT (IP:PORT), DNSFAULT_PID, DNSFAULT_LOG (one
# line per query). stop_servers stops it.
start_dnsfault() {
	local d pid n=0
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/dnsfault.XXXX") || return 1
	python3 "$MKIT_SERVERS_DIR/../dns/dnsfault.py" "$d/port" "$d/log" "$@" \
		>"$d/stdout" 2>&1 </dev/null &
	pid=$!
	while (( n++ < 200 )); do
		if [[ -s $d/port ]]; then
			srv_track dnsfault "$pid"
			DNSFAULT=127.0.0.1:$(cat "$d/port") DNSFAULT_PID=$pid
			DNSFAULT_LOG=$d/log
			export DNSFAULT DNSFAULT_PID DNSFAULT_LOG
			return 0
		fi
		srv_alive "$pid" || break
		sleep 0.05
	done
	srv_kill "$pid" 2
	srv_log "dnsfault $1 did not start: $(tail -5 "$d/stdout")"
	return 1
}

# zone_head: the start of a test zone for start_dns: $TTL, the SOA, the NS
# and its address (ns1, 127.0.0.1); the records of the cases follow.
zone_head() {
	printf '%s\n' '$TTL 300' \
		'@         IN SOA ns1 hostmaster 1 3600 600 86400 300' \
		'@         IN NS  ns1' \
		'ns1       IN A   127.0.0.1'
}

# srv_dns_ready PORT ZONE PID: wait (up to 10 s) for an SOA answer.
srv_dns_ready() {
	local n=0
	while (( n++ < 100 )); do
		srv_alive "$3" || return 1
		dns_query "$1" "$2" SOA >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# dns_query PORT NAME TYPE: one UDP query to 127.0.0.1:PORT; prints the
# rcode (NOERROR, NXDOMAIN, ...) and then one line per answer record
# ("name TYPE data" for A, AAAA, MX, CNAME, NS, TXT; raw hex otherwise).
# Status 0 when an authoritative answer came back.
dns_query() {
	python3 "$MKIT_SERVERS_DIR/dnsq.py" "$@"
}

# --- MTA-STS policies over HTTPS, a validating resolver (mdig-mx) ----------

# start_sts_https CONFIG: tests/servers/stshttps.py on 127.83.X.Y port 443
# (needs root), serving the policies of CONFIG (JSON, see the script) with a
# certificate for every host in it signed by a CA of its own, except the
# hosts listed in CONFIG's "badcert", which get a self-signed one. Exports
# STS_ADDR (the address: put it in the zone), STS_CA (the CA's PEM, for
# --tls-trust-file) and STS_PID.
start_sts_https() {
	local d cfg=$1 san pid n=0
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/sts.XXXX") || return 1
	san=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(",".join("DNS:" + h for h in c if h != "badcert"))' "$cfg") || return 1
	{
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
			-keyout "$d/ca.key" -out "$d/ca.pem" -subj "/CN=mkit test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey rsa:2048 -nodes -keyout "$d/key.pem" \
			-out "$d/req.pem" -subj "/CN=mta-sts" &&
		printf 'subjectAltName=%s\n' "$san" >"$d/ext" &&
		openssl x509 -req -in "$d/req.pem" -CA "$d/ca.pem" \
			-CAkey "$d/ca.key" -CAcreateserial -days 30 \
			-extfile "$d/ext" -out "$d/cert.pem" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
			-keyout "$d/bad.key" -out "$d/bad.pem" -subj "/CN=bad" \
			-addext "subjectAltName=$san"
	} >"$d/openssl.log" 2>&1 || {
		srv_log "openssl failed: $(tail -3 "$d/openssl.log")"
		return 1
	}
	python3 "$MKIT_SERVERS_DIR/stshttps.py" "$cfg" "$d/cert.pem" \
		"$d/key.pem" "$d/bad.pem" "$d/bad.key" "$d/addr" \
		>"$d/log" 2>&1 3>&- </dev/null &
	pid=$!
	while [[ ! -s $d/addr ]] && (( n++ < 100 )); do
		srv_alive "$pid" || break
		sleep 0.1
	done
	if [[ ! -s $d/addr ]]; then
		srv_log "stshttps.py did not start: $(tail -5 "$d/log")"
		srv_kill "$pid" 2
		return 1
	fi
	srv_track sts "$pid"
	STS_ADDR=$(cat "$d/addr") STS_CA=$d/ca.pem STS_PID=$pid
	export STS_ADDR STS_CA STS_PID
}

# sign_zone ZONE FILE OUT: sign FILE (zone ZONE) with a fresh KSK and ZSK
# (ldns-signzone, ECDSAP256SHA256) into OUT, and write the KSK's DNSKEY,
# a trust anchor for start_unbound, to OUT.anchor.
sign_zone() {
	local z=${1%.} in=$2 out=$3 d
	d=$(mktemp -d "$MKIT_SRV_ROOT/sign.XXXX") || return 1
	(
		cd "$d" || exit 1
		ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$z") &&
		zsk=$(ldns-keygen -a ECDSAP256SHA256 "$z") &&
		{ cat "$in" "$ksk.key" "$zsk.key"; } >zone &&
		ldns-signzone -o "$z" -f "$out" zone "$ksk" "$zsk" &&
		cp "$ksk.key" "$out.anchor"
	) >"$d/log" 2>&1 || {
		srv_log "signing $z failed: $(tail -3 "$d/log")"
		return 1
	}
}

# start_unbound ZONE AUTHPORT ANCHOR: unbound as a validating resolver on
# 127.0.0.1 (a free port) asking the authoritative server on
# 127.0.0.1:AUTHPORT for ZONE, with ANCHOR (a DNSKEY file, see sign_zone)
# as the zone's trust anchor; no cache, so each query is validated anew.
# Exports UNBOUND_PORT and UNBOUND_PID.
start_unbound() {
	local z=${1%.} auth=$2 anchor=$3 d try port pid n
	srv_init || return 1
	d=$(mktemp -d "$MKIT_SRV_ROOT/unbound.XXXX") || return 1
	chmod 0755 "$d"
	cp "$anchor" "$d/anchor" || return 1
	for try in 1 2 3 4 5; do
		port=$(free_port)
		cat >"$d/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $port
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  use-syslog: no
  logfile: "$d/unbound.log"
  verbosity: 1
  do-not-query-localhost: no
  module-config: "validator iterator"
  trust-anchor-file: "$d/anchor"
  val-log-level: 2
  qname-minimisation: no
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
  # .test is a built-in empty zone (RFC 6761): serve ours instead
  local-zone: "$z." nodefault
  local-zone: "${z#*.}." nodefault
remote-control:
  control-enable: no
stub-zone:
  name: "$z"
  stub-addr: 127.0.0.1@$auth
EOF
		unbound -d -c "$d/unbound.conf" >"$d/stdout" 2>&1 3>&- </dev/null &
		pid=$!
		n=0
		while (( n++ < 100 )); do
			srv_alive "$pid" || break
			if srv_resolver_ready "$port" "$z"; then
				srv_track unbound "$pid"
				UNBOUND_PORT=$port UNBOUND_PID=$pid
				export UNBOUND_PORT UNBOUND_PID
				return 0
			fi
			sleep 0.1
		done
		srv_kill "$pid" 2
	done
	srv_log "unbound did not start: $(tail -10 "$d/stdout" "$d/unbound.log" 2>/dev/null)"
	return 1
}

# srv_resolver_ready PORT NAME: a recursive SOA query for NAME to
# 127.0.0.1:PORT gets NOERROR (unbound refuses queries without RD, which
# is all dns_query sends).
srv_resolver_ready() {
	python3 - "$@" <<'PY'
import socket, struct, sys
port, name = int(sys.argv[1]), sys.argv[2]
q = struct.pack(">HHHHHH", 4242, 0x0100, 1, 0, 0, 0)
for label in name.rstrip(".").split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 6, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(q, ("127.0.0.1", port))
try:
    r = s.recv(65535)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if r[:2] == q[:2] and r[3] & 15 == 0 else 1)
PY
}

# --- everything ---------------------------------------------------------------

# stop_servers: stop every server started from this root (Postfix first),
# then remove the root unless MKIT_KEEP_SERVERS is set.
stop_servers() {
	[[ -n ${MKIT_SRV_ROOT:-} && -d $MKIT_SRV_ROOT ]] || return 0
	if [[ -d $MKIT_SRV_ROOT/postfix/etc ]]; then
		postfix -c "$MKIT_SRV_ROOT/postfix/etc" stop >/dev/null 2>&1
	fi
	local name pid start
	while read -r name pid start; do
		srv_kill "$pid" 5 "$start"
	done <"$MKIT_SRV_ROOT/pids"
	: >"$MKIT_SRV_ROOT/pids"
	if [[ -z ${MKIT_KEEP_SERVERS:-} ]]; then
		rm -rf "$MKIT_SRV_ROOT"
	fi
}
