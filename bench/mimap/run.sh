#!/bin/bash
# bench/mimap/run.sh: the mimap benchmark (issue 10 section 4). A benchmark,
# not a test: never part of `make check`. Entry points: this script, or
# `make bench-mimap` (bench/mimap.mk). Needs root (Dovecot's mail owner).
#
# usage: run.sh [N...]          (default: 1000 10000 messages)
#
# For each N, a Dovecot folder "benchN" holds N messages with the sizes of
# the mparse corpus (bench/mparse/gen_corpus.py, its 1,000 messages
# repeated; generated once under $BENCH_OUT/mparse). Each round measures,
# one tool after the other so the ratios are paired:
#   stream   mimap fetch benchN 1:* > out.mbox (the issue's headline:
#            a file, no fsync, as cat or curl write one)
#   curl     curl's IMAP with a URL glob, one request per message
#            (imap://.../benchN;UID=[1-N]) > a file: stream's pair
#   null     mimap fetch to /dev/null: the engine without the disk
#   curl-null  curl's glob to /dev/null: null's pair
#   maildir  mimap fetch benchN 1:* --peek --maildir DIR (every message
#            fsync'd)
#   imaplib  a Python imaplib loop, one UID FETCH per message, to a file
#   ceiling  bench/mimap/ceiling: the same UID FETCH 1:* sent by a client
#            that only reads and discards (no parsing, no output): the
#            server's own pace, the best rate any client could reach here
#   ceiling-file  the same client writing every byte it reads to a file
#            as it comes (plain write(2), no fsync, nothing transformed):
#            the server's pace plus the page cache's, the best rate any
#            client writing the folder to a file could reach here
# Each tool's ratio is to curl writing where it writes: to a file
# (stream, maildir, imaplib, ceiling-file) against curl, to nothing
# (null, ceiling) against curl-null; the files are removed before each
# run, outside the time. The last lines give null as a share of the
# ceiling and stream as a share of ceiling-file.
#   search   mimap search benchN ALL
#   flag     mimap flag benchN 1:* +flagged, then -flagged
# Wall time around /usr/bin/time -v; peak RSS from it; mimap --version
# gives the program's own start-up RSS (libcurl's libraries alone map
# about 8 MiB), and each mimap row shows its peak over it; the last lines
# say the largest of those and how each moved from the smallest N to the
# largest. Medians over BENCH_RUNS rounds (default 3). Targets: stream
# >= 3x curl; peak RSS within 4 MiB of --version, flat from 1,000 to
# 10,000.
#
# Environment: MIMAP (default $MKIT_BUILDDIR/cmd/mimap), CEILING (default
# $MKIT_BUILDDIR/bench/mimap/ceiling, built by make bench-mimap),
# MKIT_BUILDDIR, BENCH_OUT (default $MKIT_BUILDDIR/bench/out), BENCH_RUNS,
# PYTHON.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=${MKIT_BUILDDIR:-$srcdir}
out=${BENCH_OUT:-$builddir/bench/out}
work=$out/mimap
mimap=${MIMAP:-$builddir/cmd/mimap}
ceiling=${CEILING:-$builddir/bench/mimap/ceiling}
runs=${BENCH_RUNS:-3}
py=${PYTHON:-python3}
sizes=${*:-1000 10000}
results=$out/mimap-results.txt

say() { printf '%s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "bench-mimap: needs root (Dovecot)"; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y -q time >&2
command -v curl >/dev/null || apt-get install -y -q curl >&2
mkdir -p "$work"
# a build with --enable-sanitizers maps ASan's shadow memory and runs
# several times slower: its seconds and RSS say nothing about mimap
sanitized=
if ldd "$mimap" 2>/dev/null | grep -q -e libasan -e libubsan; then
	sanitized=1
	say "bench-mimap: $mimap is built with sanitizers: its figures are not comparable (configure without --enable-sanitizers)"
fi

# the corpus: the mparse benchmark's 1,000 messages
corpus=$out/mparse/corpus/maildir
if [ ! -d "$corpus/cur" ]; then
	say "bench-mimap: generating the mparse corpus"
	"$py" "$srcdir/bench/mparse/gen_corpus.py" --out "$out/mparse" \
		--no-big >&2
fi

export MKIT_SRCDIR=$srcdir MKIT_BUILDDIR=$builddir
# shellcheck source=/dev/null
. "$srcdir/tests/bats/helpers.bash"
trap 'stop_servers >/dev/null 2>&1 || true' EXIT
start_dovecot >&2
cfg=$work/config
cat >"$cfg" <<EOC
account default
host 127.0.0.1
port $DOVECOT_IMAP_PORT
tls off
auth plain
allow_plaintext_auth on
user $TEST_USER
password $TEST_PASS
EOC
chmod 600 "$cfg"
export MKIT_CONFIG=$cfg

# fill N: maildir++ folder .benchN from the corpus, cycled
fill() {
	local n=$1 d=$MAILDIR_ROOT/$TEST_USER/Maildir/.bench$1
	[ -f "$d/STAMP" ] && [ "$(cat "$d/STAMP")" = "$n" ] && return 0
	rm -rf "$d"
	mkdir -p "$d/cur" "$d/new" "$d/tmp"
	"$py" - "$corpus" "$d/cur" "$n" <<'PY'
import os, sys, shutil
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(os.listdir(os.path.join(src, "cur")) + [])
files = [os.path.join(src, "cur", f) for f in files] or \
    [os.path.join(src, "new", f) for f in sorted(os.listdir(os.path.join(src, "new")))]
for i in range(n):
    shutil.copyfile(files[i % len(files)],
        os.path.join(dst, "%010d.bench%d.host:2,S" % (i, i)))
PY
	echo "$n" >"$d/STAMP"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/$TEST_USER"
	"$mimap" status "bench$n" >&2
}

# run LABEL CMD...: one timed run; appends "LABEL seconds rss_kib" to raw
raw=$work/raw.txt
: >"$raw"
run() {
	local label=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
		{ say "bench-mimap: $label failed: $(tail -3 "$work/err.txt")"; return 0; }
	t1=$(date +%s.%N)
	echo "$label $(echo "$t1 - $t0" | bc) $(awk '/Maximum resident/ { print $6 }' "$work/time.txt")" >>"$raw"
}

cat >"$work/imaplib_loop.py" <<'PY'
import imaplib, sys
port, user, pw, folder, n, outp = sys.argv[1:7]
m = imaplib.IMAP4("127.0.0.1", int(port))
m.login(user, pw)
m.select(folder, readonly=True)
with open(outp, "wb") as f:
    for uid in range(1, int(n) + 1):
        typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[])")
        f.write(data[0][1])
m.logout()
PY

for n in $sizes; do
	fill "$n"
	for r in $(seq "$runs"); do
		say "bench-mimap: $n messages, round $r"
		run "version.$n" "$mimap" --version
		url="imap://127.0.0.1:$DOVECOT_IMAP_PORT/bench$n;UID=[1-$n]"
		rm -f "$work/out.mbox"
		run "stream.$n" sh -c "'$mimap' fetch bench$n 1:* --peek > '$work/out.mbox'"
		rm -f "$work/out.mbox"
		run "curl.$n" sh -c "curl -s -u '$TEST_USER:$TEST_PASS' '$url' > '$work/out.mbox'"
		rm -f "$work/out.mbox"
		run "null.$n" sh -c "'$mimap' fetch bench$n 1:* --peek > /dev/null"
		run "curl-null.$n" curl -s -u "$TEST_USER:$TEST_PASS" "$url" -o /dev/null
		rm -rf "$work/md"
		run "maildir.$n" "$mimap" fetch "bench$n" 1:* --peek --maildir "$work/md"
		run "ceiling.$n" "$ceiling" "$DOVECOT_IMAP_PORT" "$TEST_USER" \
			"$TEST_PASS" "bench$n"
		rm -f "$work/out.mbox"
		run "ceiling-file.$n" "$ceiling" -o "$work/out.mbox" \
			"$DOVECOT_IMAP_PORT" "$TEST_USER" "$TEST_PASS" "bench$n"
		run "imaplib.$n" "$py" "$work/imaplib_loop.py" "$DOVECOT_IMAP_PORT" \
			"$TEST_USER" "$TEST_PASS" "bench$n" "$n" "$work/py.out"
		run "search.$n" "$mimap" search "bench$n" ALL
		run "flag.$n" sh -c "'$mimap' flag bench$n 1:* +flagged && '$mimap' flag bench$n 1:* -flagged"
	done
done
rm -rf "$work/md" "$work/out.mbox" "$work/py.out"

"$py" - "$raw" "$sizes" "$sanitized" <<'PY' | tee "$results"
import sys, statistics
raw, sizes, sanitized = sys.argv[1], sys.argv[2].split(), sys.argv[3]
rows = {}
for line in open(raw):
    label, secs, rss = line.split()
    rows.setdefault(label, []).append((float(secs), int(rss)))
def med(label, i):
    v = [r[i] for r in rows.get(label, [])]
    return statistics.median(v) if v else None
print("mimap benchmark (loopback Dovecot, plain; medians)")
if sanitized:
    print("WARNING: mimap built with sanitizers: not comparable figures")
print("%-8s %-12s %10s %10s %9s %10s %12s" % ("N", "tool", "seconds", "msgs/s",
    "vs curl", "peak RSS", "over --version"))
mimap_tools = ("stream", "null", "maildir", "search", "flag")
over = {}
# each tool's pair: curl writing where it writes
pair = {"stream": "curl", "maildir": "curl", "imaplib": "curl",
    "null": "curl-null", "ceiling": "curl-null", "ceiling-file": "curl"}
for n in sizes:
    base = med("version." + n, 1)
    for tool in ("version", "stream", "curl", "null", "curl-null", "maildir",
            "ceiling", "ceiling-file", "imaplib", "search", "flag"):
        s = med("%s.%s" % (tool, n), 0)
        if s is None:
            continue
        rss = med("%s.%s" % (tool, n), 1)
        rate = int(n) / s if tool not in ("version",) else 0
        c = med("%s.%s" % (pair.get(tool, ""), n), 0)
        ratio = ("%.2fx" % (c / s)) if c else ""
        extra = ""
        if tool in mimap_tools and base is not None:
            over[(tool, n)] = (rss - base) / 1024.0
            extra = "%+.1f MiB" % over[(tool, n)]
        print("%-8s %-12s %10.3f %10s %9s %8.1f MiB %12s" % (n, tool, s,
            "%d" % rate if rate else "", ratio, rss / 1024.0, extra))
# each against the ceiling writing where it writes
for n in sizes:
    for tool, c in (("null", "ceiling"), ("stream", "ceiling-file")):
        ceil = med("%s.%s" % (c, n), 0)
        s = med("%s.%s" % (tool, n), 0)
        if ceil and s:
            print("%s at %s messages: %.0f%% of the %s rate" %
                (tool, n, 100.0 * ceil / s, c))
# the issue's memory targets: each mimap run within 4 MiB of its own
# start-up (mimap --version), and flat from the smallest folder to the
# largest
if over:
    worst = max(over.items(), key=lambda kv: kv[1])
    print("RSS over start-up: at most %.1f MiB (%s, %s messages): %s"
        " (target: within 4 MiB)" % (worst[1], worst[0][0], worst[0][1],
        "ok" if worst[1] <= 4.0 else "OVER"))
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        for tool in mimap_tools:
            if (tool, lo) in over and (tool, hi) in over:
                d = over[(tool, hi)] - over[(tool, lo)]
                print("RSS %s, %s -> %s messages: %+.1f MiB%s" % (tool,
                    lo, hi, d, "" if abs(d) <= 1.0 else
                    " (not flat: more than 1 MiB)"))
PY
