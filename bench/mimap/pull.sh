#!/bin/bash
# bench/mimap/pull.sh: the mimap pull benchmark (issue 11 section 4). A
# benchmark, not a test: never part of `make check`. Entry points: this
# script, or `make bench-mimap-pull` (bench/mimap.mk). Needs root
# (Dovecot's mail owner).
#
# usage: pull.sh [N...]          (default: 1000 10000 messages)
#
# For each N, the Dovecot folder "benchN" of bench/mimap/run.sh (the
# mparse corpus's sizes, cycled) is pulled into an empty maildir, plain
# and STARTTLS, then pulled again unchanged, by each tool one after the
# other (paired):
#   mimap        mimap pull benchN (every message fsync'd, its state kept)
#   mbsync       isync's mbsync, Sync Pull, FSync yes (its default)
#   offlineimap  offlineimap3 -o, fsync on (its default)
#   ceiling      bench/mimap/ceiling: one pipelined UID FETCH 1:* read and
#                thrown away (plain, or after STARTTLS through OpenSSL
#                alone), no file written: the best any client could do
#                against this Dovecot; "mimap at" says how near mimap is
#   status       mimap status benchN: start, connect, (STARTTLS,) login and
#                one STATUS: the floor under any unchanged re-pull
# Wall time and peak RSS from /usr/bin/time -v; mimap --version gives the
# program's start-up RSS. Medians over BENCH_RUNS rounds (default 3).
# Targets: mimap >= 2x mbsync with every message durable; an unchanged
# 10,000-message re-pull <= 50 ms; peak RSS within 8 MiB of --version,
# flat from 1,000 to 10,000.
#
# Environment: MIMAP (default $MKIT_BUILDDIR/cmd/mimap), CEILING (default
# $MKIT_BUILDDIR/bench/mimap/ceiling, built by make bench-mimap-pull),
# MKIT_BUILDDIR,
# BENCH_OUT (default $MKIT_BUILDDIR/bench/out), BENCH_RUNS, PYTHON,
# BENCH_PEERS (default "mbsync offlineimap").
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=${MKIT_BUILDDIR:-$srcdir}
out=${BENCH_OUT:-$builddir/bench/out}
work=$out/mimap-pull
mimap=${MIMAP:-$builddir/cmd/mimap}
ceiling=${CEILING:-$builddir/bench/mimap/ceiling}
runs=${BENCH_RUNS:-3}
py=${PYTHON:-python3}
peers=${BENCH_PEERS:-mbsync offlineimap}
sizes=${*:-1000 10000}
results=$out/mimap-pull-results.txt

say() { printf '%s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "bench-mimap-pull: needs root (Dovecot)"; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y -q time >&2
command -v mbsync >/dev/null || apt-get install -y -q isync >&2
command -v offlineimap >/dev/null || apt-get install -y -q offlineimap3 >&2
rm -rf "$work"
mkdir -p "$work"

corpus=$out/mparse/corpus/maildir
if [ ! -d "$corpus/cur" ]; then
	say "bench-mimap-pull: generating the mparse corpus"
	"$py" "$srcdir/bench/mparse/gen_corpus.py" --out "$out/mparse" \
		--no-big >&2
fi

export MKIT_SRCDIR=$srcdir MKIT_BUILDDIR=$builddir
# shellcheck source=/dev/null
. "$srcdir/tests/bats/helpers.bash"
trap 'stop_servers >/dev/null 2>&1 || true' EXIT
start_dovecot >&2

# mimap: one account per transport; the state of each run is its own
cat >"$work/config" <<EOC
account plain
host 127.0.0.1
port $DOVECOT_IMAP_PORT
tls off
auth plain
allow_plaintext_auth on
user $TEST_USER
password $TEST_PASS

account tls
host 127.0.0.1
port $DOVECOT_IMAP_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
user $TEST_USER
password $TEST_PASS
EOC
chmod 600 "$work/config"
export MKIT_CONFIG=$work/config

# fill N: the folder benchN, as bench/mimap/run.sh makes it
fill() {
	local n=$1 d=$MAILDIR_ROOT/$TEST_USER/Maildir/.bench$1
	[ -f "$d/STAMP" ] && [ "$(cat "$d/STAMP")" = "$n" ] && return 0
	rm -rf "$d"
	mkdir -p "$d/cur" "$d/new" "$d/tmp"
	"$py" - "$corpus" "$d/cur" "$n" <<'PY'
import os, sys, shutil
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = [os.path.join(src, "cur", f) for f in sorted(os.listdir(os.path.join(src, "cur")))]
for i in range(n):
    shutil.copyfile(files[i % len(files)],
        os.path.join(dst, "%010d.bench%d.host:2,S" % (i, i)))
PY
	echo "$n" >"$d/STAMP"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/$TEST_USER"
	"$mimap" -a plain status "bench$n" >&2
}

# the peers' configurations for folder benchN, transport T (plain, tls)
peer_conf() {
	local n=$1 t=$2 dir=$3
	local ssl=None
	[ "$t" = tls ] && ssl=STARTTLS
	cat >"$work/mbsyncrc" <<EOC
IMAPAccount bench
Host localhost
Port $DOVECOT_IMAP_PORT
User $TEST_USER
Pass $TEST_PASS
SSLType $ssl
CertificateFile $TEST_CERT
AuthMechs PLAIN

IMAPStore remote
Account bench

MaildirStore local
Path $dir/
Inbox $dir/INBOX

Channel bench
Far :remote:bench$n
Near :local:bench$n
Sync Pull
Create Near
SyncState *
EOC
	local starttls=no
	[ "$t" = tls ] && starttls=yes
	cat >"$work/offlineimaprc" <<EOC
[general]
accounts = bench
metadata = $dir/.offlineimap
ui = quiet
fsync = true

[Account bench]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = $dir

[Repository remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = $DOVECOT_IMAP_PORT
remoteuser = $TEST_USER
remotepass = $TEST_PASS
ssl = no
starttls = $starttls
sslcacertfile = $TEST_CERT
readonly = true
folderfilter = lambda f: f == 'bench$n'
EOC
}

# run LABEL CMD...: one timed run; appends "LABEL seconds rss_kib" to raw
raw=$work/raw.txt
: >"$raw"
run() {
	local label=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
		{ say "bench-mimap-pull: $label failed: $(tail -3 "$work/err.txt")"; return 0; }
	t1=$(date +%s.%N)
	echo "$label $(echo "$t1 - $t0" | bc) $(awk '/Maximum resident/ { print $6 }' "$work/time.txt")" >>"$raw"
}

# tool N T: a first pull into an empty maildir, then an unchanged one
tool() {
	local name=$1 n=$2 t=$3 dir=$work/md.$1
	rm -rf "$dir" "$work/state"
	mkdir -p "$dir"
	peer_conf "$n" "$t" "$dir"
	case $name in
	mimap)
		export XDG_STATE_HOME=$work/state
		run "mimap.$t.$n" "$mimap" -a "$t" pull "bench$n" --maildir "$dir"
		run "mimap-re.$t.$n" "$mimap" -a "$t" pull "bench$n" --maildir "$dir" ;;
	mbsync)
		run "mbsync.$t.$n" mbsync -q -c "$work/mbsyncrc" bench
		run "mbsync-re.$t.$n" mbsync -q -c "$work/mbsyncrc" bench ;;
	offlineimap)
		run "offlineimap.$t.$n" offlineimap -o -c "$work/offlineimaprc"
		run "offlineimap-re.$t.$n" offlineimap -o -c "$work/offlineimaprc" ;;
	esac
	local got
	got=$(find "$dir" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)
	[ "$got" -eq "$n" ] || say "bench-mimap-pull: $name $t $n: $got messages in the maildir, not $n"
	rm -rf "$dir"
}

for n in $sizes; do
	fill "$n"
	for r in $(seq "$runs"); do
		say "bench-mimap-pull: $n messages, round $r"
		run "version.plain.$n" "$mimap" --version
		for t in plain tls; do
			for name in mimap $peers; do
				tool "$name" "$n" "$t"
			done
			# the floor of any re-pull: start, connect, login and
			# one command, nothing compared or written
			run "status.$t.$n" "$mimap" -a "$t" status "bench$n"
			if [ -x "$ceiling" ]; then
				local_tls=
				[ "$t" = tls ] && local_tls=starttls
				run "ceiling.$t.$n" "$ceiling" "$DOVECOT_IMAP_PORT" \
					"$TEST_USER" "$TEST_PASS" "bench$n" $local_tls
			fi
		done
	done
done
rm -rf "$work/state"

"$py" - "$raw" "$sizes" "$peers" <<'PY' | tee "$results"
import sys, statistics
raw, sizes, peers = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = {}
for line in open(raw):
    label, secs, rss = line.split()
    rows.setdefault(label, []).append((float(secs), int(rss)))
def med(label, i):
    v = [r[i] for r in rows.get(label, [])]
    return statistics.median(v) if v else None
print("mimap pull benchmark (loopback Dovecot; medians; every tool fsyncs)")
print("%-6s %-6s %-12s %9s %8s %10s %11s %9s %9s" % ("N", "conn", "tool",
    "seconds", "msgs/s", "mimap is", "re-pull ms", "peak RSS", "re-pull"))
print("(ceiling: the server alone, nothing written; its \"mimap is\" column says "
    "\"at N%\": mimap's rate as a share of it)")
print("(mimap status: start, connect, login and one STATUS, the floor under any "
    "re-pull)")
print("(peak RSS: of the first pull; re-pull: of the unchanged re-pull)")
for n in sizes:
    v = med("version.plain." + n, 1)
    if v:
        print("%-6s %-6s %-12s %9s %8s %10s %11s %7.1f MiB" % (n, "", "mimap --version",
            "", "", "", "", v / 1024.0))
    for t in ("plain", "tls"):
        m = med("mimap.%s.%s" % (t, n), 0)
        for tool in ["mimap"] + peers:
            s = med("%s.%s.%s" % (tool, t, n), 0)
            if s is None:
                continue
            re_ = med("%s-re.%s.%s" % (tool, t, n), 0)
            rss = med("%s.%s.%s" % (tool, t, n), 1)
            re_rss = med("%s-re.%s.%s" % (tool, t, n), 1)
            ratio = "%.2fx" % (s / m) if m and tool != "mimap" else ""
            print("%-6s %-6s %-12s %9.3f %8d %10s %11s %7.1f MiB %5s MiB" % (n,
                t, tool, s, int(n) / s, ratio,
                "%.0f" % (re_ * 1000) if re_ else "", rss / 1024.0,
                "%.1f" % (re_rss / 1024.0) if re_rss else ""))
        f = med("status.%s.%s" % (t, n), 0)
        if f:
            print("%-6s %-6s %-12s %9s %8s %10s %11.0f" % (n, t, "mimap status",
                "", "", "", f * 1000))
        c = med("ceiling.%s.%s" % (t, n), 0)
        if c:
            print("%-6s %-6s %-12s %9.3f %8d %10s" % (n, t, "ceiling", c,
                int(n) / c, "at %.0f%%" % (100 * c / m) if m else ""))
PY
