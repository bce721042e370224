# tests/bats/helpers.bash: real mail servers for mkit's bats tests.
#
#   load helpers            # in a .bats file (this directory)
#
# Servers run on 127.0.0.1 on free ports from a private root
# ($MKIT_SRV_ROOT = /tmp/mkit-srv.XXXXXX), never touching the system's own
# configuration. Start them once per file in setup_file and stop them in
# teardown_file; exported variables from setup_file are visible in tests:
#
#   setup_file()    { start_postfix; }      # also starts Dovecot
#   teardown_file() { stop_servers; }
#
# Postfix needs root (CI runs as root); use `require_root` in setup_file to
# skip a file cleanly elsewhere. Set MKIT_KEEP_SERVERS=1 to keep the root (logs,
# transcripts, maildirs) after the run.
#
# A server started inside a test (e.g. start_fake_smtp, ~0.2 s) when no root
# exists yet gets a root of its own. Every root has a watchdog that stops its
# servers and removes it once the shell that created it (bats-exec-file for
# setup_file, the test's process otherwise) exits, so an interrupted or
# forgetful run leaves nothing behind. PIDs are checked against their start
# time before any kill. Failed logins are not delayed (Dovecot auth penalty
# and auth_failure_delay are off; Postfix smtpd_error_sleep_time = 0).
#
# Functions (all return non-zero and explain on stderr when they fail):
#
# mk_cert DIR [SAN]   self-signed cert for DNS:localhost,IP:127.0.0.1. Writes
#                     DIR/cert.pem DIR/key.pem; exports TEST_CERT, TEST_KEY,
#                     TEST_CERT_SHA256 (cert fingerprint, colon hex, upper
#                     case: "AB:CD:...") and TEST_PUBKEY_SHA256 (base64 SHA-256
#                     of the public key, as in curl's "sha256//BASE64"). Every
#                     start_* below creates one shared cert if none exists.
#                     With SAN (e.g. DNS:wrong.example): a cert for that
#                     name, files only, nothing exported (for hostname-check
#                     failures, e.g. as FAKE_CERT/FAKE_KEY).
# free_port           print a free TCP port on 127.0.0.1.
# wait_banner PORT [SECONDS] [CODE]
#                     wait until PORT answers a line starting CODE (220).
#
# start_sink [--dump] Postfix's smtp-sink (PIPELINING, DSN, 8BITMIME, no TLS,
#                     no AUTH, no CHUNKING). Exports SINK_PORT, SINK_PID and
#                     with --dump SINK_DUMP: a file that receives every
#                     transaction (lines "X-Mail-Args: <a@b>",
#                     "X-Rcpt-Args: <c@d>", ... then the message).
#
# start_fake_smtp [SCRIPT]
#                     the scripted hostile server tests/servers/fakesmtp.py;
#                     the script comes from file SCRIPT or stdin (heredoc).
#                     Exports FAKE_PORT, FAKE_LOG (transcript), FAKE_PID.
#                     "starttls" uses TEST_CERT/TEST_KEY, or FAKE_CERT and
#                     FAKE_KEY when set; "starttls" as the first step makes
#                     an implicit-TLS (port 465 style) server.
#                     Nothing in it is SMTP-only except the shortcuts ehlo,
#                     quit, data and bdat: with send/expect/raw/starttls it
#                     is a hostile POP3 or IMAP server too (start_fake_server
#                     is the same function).
#                     Every connection runs the whole script. Steps (one a
#                     line, escapes \r \n \t \xHH in arguments):
#                       send TEXT     one reply line (CRLF added)
#                       raw TEXT      bytes as given, in one write
#                       expect PREFIX read a line that must start PREFIX
#                                     (else: 500 reply + close, "* unexpected")
#                       read          read any one line
#                       data          read a message up to "."
#                       bdat          read "BDAT n [LAST]" and n bytes
#                       sinkdata      as data, bounded memory, logged
#                                     once: "* sunk N bytes sha256 HEX"
#                       sinkbdat      as bdat, the same (the sum covers
#                                     the chunks up to LAST)
#                       ehlo CAP...   expect EHLO, answer 250-fake + CAPs
#                                     ("_" = space: AUTH_PLAIN_LOGIN)
#                       quit          expect QUIT, send 221, close
#                       starttls      TLS handshake with TEST_CERT
#                       sleep SECS    pause
#                       hang          never answer again
#                       flood SIZE    SIZE bytes of "x", no newline (10M)
#                       close         close the connection now
#                     FAKE_STRICT=1: no PIPELINING enforced after each
#                     expect/read/data/bdat step (as start_strict_smtp;
#                     "* pipelining violation: ..." then 500 and close).
#                     Transcript lines: "* connect N", "C: client line",
#                     "S: server line", "* tls", "* pre-tls bytes: ...",
#                     "* unexpected: line", "* eof" (client closed),
#                     "* close" (server closed).
# stop_fake_smtp      stop the last fake server (call in teardown).
# start_proxy UPSTREAM [REGEX CMD...]
#                     tests/servers/tcpproxy.py forwarding to a real server
#                     on 127.0.0.1:UPSTREAM: runs CMD to its end before the
#                     first client line matching REGEX goes on (a change by
#                     another client at an exact point of a session); kill
#                     -USR1 $PROXY_PID makes every open connection silent
#                     both ways without closing it (a half-open peer).
#                     Exports PROXY_PORT, PROXY_PID, PROXY_RAN (CMD's
#                     status, once it ran), PROXY_SILENT (exists once the
#                     USR1 took effect). Stopped by stop_servers.
# start_strict_smtp [OPTION]...
#                     tests/servers/strictsmtp.py: a stateful SMTP server
#                     that, like OpenSMTPD 6.8, offers no PIPELINING and
#                     enforces it: a client byte that arrives (within a
#                     50 ms grace) before the reply to the line before it
#                     is logged "* pipelining violation: ..." and answered
#                     500 5.5.1, then the server closes. EHLO: 8BITMIME
#                     ENHANCEDSTATUSCODES SIZE DSN STARTTLS AUTH PLAIN LOGIN
#                     HELP. Options: --chunking --smtputf8 (offer them),
#                     --no-starttls --no-auth, --require-tls (AUTH, MAIL
#                     after STARTTLS only), --require-auth, --user NAME
#                     --password PW (alice/secret), --size N, --grace SECS,
#                     --pipelining (offer it, check nothing). Sender
#                     refuse*@ -> 550 5.7.1. Recipients
#                     refuse*@ -> 550 5.1.1, busy*@ -> 451 4.2.0, badmsg*@
#                     -> the message is refused (554 5.6.0) at the final
#                     dot or its first BDAT chunk; others 250. Exports
#                     STRICT_PORT, STRICT_LOG (transcript, as FAKE_LOG, plus
#                     "* pipelining violation: ...", "* bdat after refused
#                     chunk", "* stored N"), STRICT_DIR (message N as
#                     msg.N.eml, exact bytes after dot-unstuffing, and
#                     msg.N.env: lines "tls yes|no", "auth MECH USER|none",
#                     "mail <a> PARAMS", "rcpt <b> PARAMS" per accepted
#                     recipient, "transfer DATA|BDAT N", "size N"),
#                     STRICT_PID.
# stop_strict_smtp    stop the last strict server (call in teardown).
# fake_before_tls PATTERN
#                     true if a client line matching the ERE PATTERN (awk)
#                     appears in $FAKE_LOG before "* tls" (or with no TLS).
#
# start_dovecot       Dovecot 2.3: IMAP and POP3 with STARTTLS, IMAPS, POP3S;
#                     mechanisms PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1
#                     SCRAM-SHA-256; plaintext logins allowed. Exports
#                     DOVECOT_IMAP_PORT DOVECOT_IMAPS_PORT DOVECOT_POP3_PORT
#                     DOVECOT_POP3S_PORT DOVECOT_AUTH_SOCKET DOVECOT_LOG,
#                     TEST_USER=alice TEST_PASS=secret TEST_USER2=bob
#                     TEST_PASS2=hunter2 TEST_DOMAIN=example.test and
#                     MAILDIR_ROOT (user U's mail: $MAILDIR_ROOT/U/Maildir).
#                     start_dovecot --gssapi: also GSSAPI (Kerberos) for
#                     imap, pop and smtp (Postfix through the auth socket) on
#                     host "localhost", keytab from start_kdc (started if
#                     needed); the principal alice@MKIT.TEST logs in as
#                     alice@mkit.test (alice's maildir). Start it before
#                     start_postfix, which reuses it.
#
# start_kdc           a throwaway MIT KDC (Debian: krb5-kdc krb5-admin-server
#                     krb5-user) for realm MKIT.TEST on a free 127.0.0.1
#                     port, own krb5.conf/kdc.conf/database under the root
#                     (never /etc/krb5.conf). Principals alice@MKIT.TEST
#                     (password $TEST_KRB5_PASS), imap/localhost,
#                     pop/localhost, smtp/localhost (keytab $KDC_KEYTAB).
#                     Exports KRB5_CONFIG KRB5_KDC_PROFILE KRB5CCNAME (a
#                     cache file under the root) KDC_REALM KDC_PORT KDC_PID
#                     KDC_LOG KDC_KEYTAB TEST_PRINCIPAL TEST_KRB5_PASS.
# krb5_login [LIFETIME]
#                     kinit as alice (password on stdin) into $KRB5CCNAME;
#                     LIFETIME as for kinit -l (e.g. 1s). kdestroy removes it.
#
# start_postfix       real Postfix smtpd (root), SASL via Dovecot (started if
#                     needed), CHUNKING PIPELINING 8BITMIME SMTPUTF8 DSN.
#                     Mail to alice@ / bob@example.test lands in the Dovecot
#                     maildirs above. tempfail@ -> 450 4.2.0, full@ -> 452
#                     4.2.2, reject@ -> 550 5.7.1, unknown@ -> 550 5.1.1,
#                     other domains -> 5xx (no mail leaves the test server).
#                     Exports POSTFIX_PORT (STARTTLS required, AUTH after
#                     TLS), POSTFIX_TLS_PORT (implicit TLS + AUTH),
#                     POSTFIX_PLAIN_PORT (no TLS, no AUTH, 127/8 may send),
#                     POSTFIX_LOG (maillog), POSTFIX_DIR, POSTFIX_CONF_DIR.
#                     POSTFIX_MAIN_EXTRA="key = value<newline>..." set
#                     before start_postfix is appended to main.cf (e.g.
#                     message_size_limit = 2000, smtpd_discard_ehlo_keywords
#                     = chunking). Postfix needs ~0.5 s to start: start a
#                     second one in another file rather than per test.
# stop_postfix        stop Postfix only.
# delivered_messages [USER]
#                     print paths of USER's messages (new/ then cur/).
# wait_for_delivery USER N [SECONDS]
#                     wait (default 10 s) for >= N messages, print paths;
#                     status 1 and the maillog tail on timeout.
# clear_maildir [USER] delete USER's messages.
# deliver_message USER [FILE]
#                     put a message (FILE or stdin) into USER's maildir new/
#                     directly (for POP3/IMAP tests); prints its path.
#                     Needs only start_dovecot.
#
# start_dns [ZONE FILE]...
#                     NSD, authoritative for each ZONE from its zone FILE
#                     (master-file syntax, origin ZONE.), or for example.test
#                     from stdin without arguments; on 127.0.0.1 UDP+TCP.
#                     Exports DNS_PORT, DNS_PID, DNS_LOG.
# dns_query PORT NAME TYPE
#                     one UDP query (tests/servers/dnsq.py): prints the rcode
#                     then "name TYPE data" per answer (MX: "10 mx1.x.test.",
#                     TXT quoted); status 0 if the answer is authoritative.
#
# stop_servers        stop everything started (TERM, wait, KILL by PID) and
#                     remove $MKIT_SRV_ROOT. Call in teardown_file.
#
# mkit_config FILE KEY VALUE ...
#                     write an mkit config (msmtprc syntax) "account default"
#                     with the given key/value pairs, mode 0600.
# require_root        skip the rest (whole file in setup_file) unless root.

# shellcheck source=../servers/servers.bash
source "${MKIT_SRCDIR:-$BATS_TEST_DIRNAME/../..}/tests/servers/servers.bash"

fake_before_tls() {
	awk -v pat="$1" '
		/^\* tls$/ { exit }
		/^C: / && substr($0, 4) ~ pat { found = 1; exit }
		END { exit !found }' "$FAKE_LOG"
}

mkit_config() {
	local f=$1
	shift
	{
		echo "account default"
		while [[ $# -ge 2 ]]; do
			printf '%s %s\n' "$1" "$2"
			shift 2
		done
	} >"$f"
	chmod 0600 "$f"
}

require_root() {
	if [[ $(id -u) != 0 ]]; then
		skip "needs root to run Postfix"
	fi
}
