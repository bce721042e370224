#!/bin/sh
# bench/mparse/run.sh: the mparse benchmark. A benchmark, not a test: it is
# never part of `make check`. Entry points: this script, or `make
# bench-mparse` (bench/mparse.mk).
#
# usage: run.sh [corpus] [small] [big]      (default: all three)
#
# 1. Installs missing peers when root with apt-get (libgmime-3.0-dev,
#    mblaze, maildrop; time if /usr/bin/time is missing), builds the GMime
#    driver and the spawn harness into $OUT/mparse/bin, and generates the
#    corpus with gen_corpus.py (reused when its STAMP matches).
# 2. Measures, every tool once per round, rounds interleaved so that the
#    ratios mparse/peer are paired (same round, same machine load):
#    corpus  full decode of 1,000 messages (~85 MB) in one process:
#            mparse --json MAILDIR (decodes and hashes every part) vs the
#            GMime driver vs Python's email package; msgs/s, MB/s, peak RSS.
#            Target: mparse >= 1.0x GMime.
#    small   one process per message on the BENCH_SMALL (300) smallest
#            messages: ms per message for mparse --json FILE vs the GMime
#            driver vs reformime -i (structure only) and reformime -x
#            (extracts every leaf; given -s with the leaf list, because
#            reformime 2.9.3 crashes on -x without -s). /bin/true shows
#            what the spawn alone costs. Target: mparse <= 1 ms.
#    big     one 270 MB message (200 MB base64 attachment): wall time and
#            peak RSS for mparse vs GMime vs mblaze vs Python. mblaze runs
#            as `mshow -n -O big.eml '*'`: it decodes every part that has a
#            file name to stdout (-x would decode the same into files).
#            Targets: mparse <= 1.0 s and <= 8 MiB.
#    Wall time is taken around /usr/bin/time -v (nanosecond clock), peak
#    RSS from its "Maximum resident set size". Medians over the rounds.
# 3. Prints a table and writes raw numbers and the table to
#    $OUT/mparse-results.txt.
#
# Environment: MPARSE (default $MKIT_BUILDDIR/cmd/mparse), MKIT_BUILDDIR
# (default the source tree), BENCH_OUT (default $MKIT_BUILDDIR/bench/out),
# BENCH_RUNS (rounds, default 3), BENCH_BIG_RUNS (default BENCH_RUNS),
# BENCH_SMALL (default 300), BENCH_NO_INSTALL=1 (never run apt-get),
# CC, PYTHON (default python3).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=${MKIT_BUILDDIR:-$srcdir}
out=${BENCH_OUT:-$builddir/bench/out}
work=$out/mparse
bin=$work/bin
mparse=${MPARSE:-$builddir/cmd/mparse}
runs=${BENCH_RUNS:-3}
big_runs=${BENCH_BIG_RUNS:-$runs}
nsmall=${BENCH_SMALL:-300}
py=${PYTHON:-python3}
cc=${CC:-cc}
results=$out/mparse-results.txt
raw=$work/raw.txt

sections=${*:-corpus small big}

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- peers

install_peers() {
	pkgs=
	pkg-config --exists gmime-3.0 2>/dev/null || pkgs="$pkgs libgmime-3.0-dev"
	command -v mshow >/dev/null 2>&1 || pkgs="$pkgs mblaze"
	command -v reformime >/dev/null 2>&1 || pkgs="$pkgs maildrop"
	[ -x /usr/bin/time ] || pkgs="$pkgs time"
	[ -n "$pkgs" ] || return 0
	if [ "${BENCH_NO_INSTALL:-0}" = 1 ] || [ "$(id -u)" != 0 ] ||
	    ! command -v apt-get >/dev/null 2>&1; then
		say "run.sh: missing peers:$pkgs (not installing)"
		return 0
	fi
	say "run.sh: installing$pkgs"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs >&2 ||
	    say "run.sh: apt-get failed; measuring the peers present"
}

build() {
	# always rebuilt: a second each, and never stale
	mkdir -p "$bin"
	$cc -O2 -Wall -o "$bin/spawn-each" "$here/spawn-each.c"
	rm -f "$bin/gmime-driver"
	if pkg-config --exists gmime-3.0 2>/dev/null; then
		# shellcheck disable=SC2046
		$cc -O2 -Wall -o "$bin/gmime-driver" "$here/gmime-driver.c" \
		    $(pkg-config --cflags --libs gmime-3.0)
	fi
}

have() {
	case $1 in
	mparse) [ -x "$mparse" ] ;;
	gmime) [ -x "$bin/gmime-driver" ] ;;
	mshow) command -v mshow >/dev/null 2>&1 ;;
	reformime) command -v reformime >/dev/null 2>&1 ;;
	python) command -v "$py" >/dev/null 2>&1 ;;
	true) true ;;
	esac
}

# ------------------------------------------------------------ measuring

# timed SCENARIO TOOL ROUND INPUT CMD...: runs CMD (stdin from INPUT unless
# INPUT is -), output to /dev/null, and appends
# "SCENARIO TOOL ROUND wall_s rss_kib rc" to the raw file.
timed() {
	_sc=$1 _tool=$2 _r=$3 _in=$4
	shift 4
	[ "$_in" = - ] && _in=/dev/null
	_t0=$(date +%s%N)
	set +e
	/usr/bin/time -v -o "$work/time.out" "$@" <"$_in" >/dev/null \
	    2>"$work/stderr.out"
	_rc=$?
	set -e
	_t1=$(date +%s%N)
	_rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' \
	    "$work/time.out")
	echo "$_sc $_tool $_r $(awk -v a="$_t0" -v b="$_t1" \
	    'BEGIN { printf "%.4f", (b - a) / 1e9 }') ${_rss:-0} $_rc" >>"$raw"
	if [ "$_rc" != 0 ]; then
		say "run.sh: $_sc: $_tool exited $_rc:"
		head -5 "$work/stderr.out" >&2
	fi
}

# each SCENARIO TOOL ROUND [-i] LIST CMD...: one process per line of LIST;
# records the ms per message in place of the wall time.
each() {
	_sc=$1 _tool=$2 _r=$3
	shift 3
	set +e
	_line=$("$bin/spawn-each" "$@" 2>"$work/stderr.out")
	_rc=$?
	set -e
	_ms=$(printf '%s\n' "$_line" | sed -n 's/.*ms_per_run=\([0-9.]*\).*/\1/p')
	_rss=$(printf '%s\n' "$_line" | sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p')
	echo "$_sc $_tool $_r ${_ms:-0} ${_rss:-0} $_rc" >>"$raw"
	if [ "$_rc" != 0 ]; then
		say "run.sh: $_sc: $_tool: $_line"
		head -5 "$work/stderr.out" >&2
	fi
}

warm() {
	# page cache: every tool reads from memory, none pays the disk
	cat "$@" >/dev/null 2>&1 || true
}

corpus_bench() {
	md=$work/corpus/maildir
	mbox=$work/corpus/corpus.mboxrd
	warm "$md"/cur/* "$mbox"
	if have mparse; then
		n=$("$mparse" --json "$md" 2>/dev/null | wc -l) || true
		[ "$n" = 1000 ] ||
		    say "run.sh: mparse --json maildir gave $n lines, not 1000"
	fi
	r=1
	while [ "$r" -le "$runs" ]; do
		say "run.sh: corpus round $r/$runs"
		have mparse && timed corpus mparse $r - "$mparse" --json "$md"
		have gmime && timed corpus gmime $r - "$bin/gmime-driver" -q "$md"
		have gmime && timed corpus gmime-sha256 $r - \
		    "$bin/gmime-driver" -q --sha256 "$md"
		have python && timed corpus python $r - \
		    "$py" "$here/py_parse.py" -q "$md"
		have mparse && timed corpus mparse-mbox $r "$mbox" \
		    "$mparse" --json
		have gmime && timed corpus gmime-mbox $r - \
		    "$bin/gmime-driver" -q --mbox "$mbox"
		r=$((r + 1))
	done
}

small_bench() {
	md=$work/corpus/maildir
	list=$work/small.list
	xlist=$work/small-x.list
	xdir=$work/reformime-x
	tail -n +2 "$work/corpus/manifest.tsv" | sort -t '	' -k2,2n |
	    head -n "$nsmall" | awk -F '\t' -v d="$md" '{ print d "/" $1 }' \
	    >"$list"
	xargs cat <"$list" >/dev/null 2>&1 || true
	if have reformime; then
		# reformime -x needs the leaf sections named (-s): a section is
		# a leaf when no other section extends it
		: >"$xlist"
		i=0
		while read -r f; do
			i=$((i + 1))
			s=$(reformime <"$f" | awk '
			    { sec[NR] = $0 }
			    END {
				for (i = 1; i <= NR; i++) {
					leaf = 1
					for (j = 1; j <= NR; j++)
						if (index(sec[j], sec[i] ".") == 1)
							leaf = 0
					if (leaf)
						out = out (out == "" ? "" : ",") sec[i]
				}
				print out
			    }')
			printf '%s\t-s\t%s\t-x%s/%d-\n' "$f" "$s" "$xdir" "$i" \
			    >>"$xlist"
		done <"$list"
	fi
	r=1
	while [ "$r" -le "$runs" ]; do
		say "run.sh: small round $r/$runs ($nsmall messages)"
		each small spawn $r "$list" /bin/true
		have mparse && each small mparse $r "$list" "$mparse" --json
		have gmime && each small gmime $r "$list" "$bin/gmime-driver" -q
		have reformime && each small reformime-i $r -i "$list" \
		    reformime -i
		if have reformime; then
			rm -rf "$xdir"
			mkdir -p "$xdir"
			each small reformime-x $r -i "$xlist" reformime
			rm -rf "$xdir"
		fi
		r=$((r + 1))
	done
}

big_bench() {
	big=$work/big/big.eml
	warm "$big"
	r=1
	while [ "$r" -le "$big_runs" ]; do
		say "run.sh: big round $r/$big_runs"
		have mparse && timed big mparse $r - "$mparse" --json "$big"
		have gmime && timed big gmime $r - "$bin/gmime-driver" -q "$big"
		have gmime && timed big gmime-sha256 $r - \
		    "$bin/gmime-driver" -q --sha256 "$big"
		have mshow && timed big mshow $r - \
		    mshow -n -O "$big" '*'
		have python && timed big python $r - \
		    "$py" "$here/py_parse.py" -q "$big"
		r=$((r + 1))
	done
}

# -------------------------------------------------------------- report

report() {
	corpus_bytes=$(tail -n +2 "$work/corpus/manifest.tsv" |
	    awk -F '\t' '{ s += $2 } END { print s + 0 }')
	corpus_msgs=$(tail -n +2 "$work/corpus/manifest.tsv" | wc -l)
	big_bytes=0
	[ -f "$work/big/big.eml" ] && big_bytes=$(wc -c <"$work/big/big.eml")
	have mparse && mp=1 || mp=0
	awk -v mp="$mp" -v cb="$corpus_bytes" -v cm="$corpus_msgs" \
	    -v bb="$big_bytes" -v runs="$runs" -v nsmall="$nsmall" \
	    -v sections="$sections" '
	function median(key,    n, i, j, t, v) {
		n = cnt[key]
		if (n == 0)
			return -1
		for (i = 1; i <= n; i++)
			v[i] = val[key, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	# median over rounds of mparse/peer for value (what=1) or rss (2)
	function ratio(sc, me, peer, what, inv,    n, r, a, b, k, t, i, j) {
		n = 0
		for (r = 1; r <= maxr[sc]; r++) {
			if (!((sc, me, r) in W) || !((sc, peer, r) in W))
				continue
			a = what == 1 ? W[sc, me, r] : R[sc, me, r]
			b = what == 1 ? W[sc, peer, r] : R[sc, peer, r]
			if (a <= 0 || b <= 0 || F[sc, me, r] || F[sc, peer, r])
				continue
			k[++n] = inv ? b / a : a / b
		}
		if (n == 0)
			return "-"
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && k[j - 1] > k[j]; j--) {
				t = k[j]; k[j] = k[j - 1]; k[j - 1] = t
			}
		t = n % 2 ? k[(n + 1) / 2] : (k[n / 2] + k[n / 2 + 1]) / 2
		return sprintf("%.2fx", t)
	}
	function mib(kib) { return sprintf("%.1f MiB", kib / 1024) }
	function failed(sc, tool,    r) {
		for (r = 1; r <= maxr[sc]; r++)
			if (F[sc, tool, r])
				return 1
		return 0
	}
	{
		sc = $1; tool = $2; r = $3
		W[sc, tool, r] = $4; R[sc, tool, r] = $5; F[sc, tool, r] = $6 != 0
		val[sc "/" tool, ++cnt[sc "/" tool]] = $4
		rval[sc "/" tool, cnt[sc "/" tool]] = $5
		if ($5 > maxrss[sc "/" tool])
			maxrss[sc "/" tool] = $5
		if (r > maxr[sc])
			maxr[sc] = r
	}
	function corpus_row(tool, label, peer, note,    w, q, f) {
		if (tool ~ /^mparse/ && !mp) {
			printf "%-30s mparse: not built\n", label
			return
		}
		w = median("corpus/" tool)
		if (w < 0)
			return
		q = ""
		if (peer != "" && mp)
			q = ratio("corpus", peer, tool, 1, 1)
		f = failed("corpus", tool) ? " (FAILED)" : ""
		printf "%-30s %7.3f %8.0f %7.1f %10s  %-11s %s%s\n", label, w,
		    cm / w, cb / 1e6 / w, mib(maxrss["corpus/" tool]), q,
		    note, f
	}
	function small_row(tool, label, note,    w, q, f) {
		if (tool == "mparse" && !mp) {
			printf "%-30s mparse: not built\n", label
			return
		}
		w = median("small/" tool)
		if (w < 0)
			return
		q = ""
		if (tool != "mparse" && tool != "spawn" && mp)
			q = ratio("small", "mparse", tool, 1, 0)
		f = failed("small", tool) ? " (FAILED)" : ""
		printf "%-30s %7.3f %10s  %-11s %s%s\n", label, w,
		    mib(maxrss["small/" tool]), q, note, f
	}
	function big_row(tool, label, note,    w, q, q2, f) {
		if (tool == "mparse" && !mp) {
			printf "%-30s mparse: not built\n", label
			return
		}
		w = median("big/" tool)
		if (w < 0)
			return
		q = q2 = ""
		if (tool != "mparse" && mp) {
			q = ratio("big", "mparse", tool, 1, 0)
			q2 = ratio("big", "mparse", tool, 2, 0)
		}
		f = failed("big", tool) ? " (FAILED)" : ""
		printf "%-30s %7.3f %7.1f %11s  %-9s %-9s %s%s\n", label, w,
		    bb / 1e6 / w, mib(maxrss["big/" tool]), q, q2, note, f
	}
	END {
		printf "mparse benchmark: median of %d rounds; ratios are medians of per-round pairs\n", runs
		if (sections ~ /corpus/) {
			printf "\n== full decode, one process: %d messages, %.1f MB\n", cm, cb / 1e6
			printf "%-30s %7s %8s %7s %10s  %-9s %s\n", "tool", "wall s",
			    "msgs/s", "MB/s", "peak RSS", "mparse/peer", "(of msgs/s: >1 mparse faster)"
			corpus_row("mparse", "mparse --json MAILDIR", "", "")
			corpus_row("gmime", "gmime-driver MAILDIR", "mparse", "target >= 1.00x")
			corpus_row("gmime-sha256", "gmime-driver --sha256 MAILDIR", "mparse", "(+ GLib SHA-256)")
			corpus_row("python", "python email MAILDIR", "mparse", "")
			corpus_row("mparse-mbox", "mparse --json < mboxrd", "", "")
			corpus_row("gmime-mbox", "gmime-driver --mbox mboxrd", "mparse-mbox", "")
		}
		if (sections ~ /small/) {
			printf "\n== one process per message: the %d smallest messages\n", nsmall
			printf "%-30s %7s %10s  %-9s %s\n", "tool", "ms/msg",
			    "peak RSS", "mparse/peer", "(of ms: <1 mparse faster)"
			small_row("spawn", "/bin/true (spawn cost)", "")
			small_row("mparse", "mparse --json FILE", "target <= 1 ms")
			small_row("gmime", "gmime-driver FILE", "")
			small_row("reformime-i", "reformime -i < FILE", "")
			small_row("reformime-x", "reformime -s LEAVES -x < FILE", "")
		}
		if (sections ~ /big/) {
			printf "\n== one %.0f MB message (200 MB base64 attachment)\n", bb / 1e6
			printf "%-30s %7s %7s %11s  %-9s %-9s %s\n", "tool", "wall s",
			    "MB/s", "peak RSS", "mp/p wall", "mp/p RSS", "(<1: mparse better)"
			big_row("mparse", "mparse --json big.eml", "target <= 1.0 s, <= 8 MiB")
			big_row("gmime", "gmime-driver big.eml", "")
			big_row("gmime-sha256", "gmime-driver --sha256 big.eml", "(+ GLib SHA-256)")
			big_row("mshow", "mshow -n -O big.eml *", "")
			big_row("python", "python email big.eml", "")
		}
	}' "$raw"
}

# ---------------------------------------------------------------- main

mkdir -p "$work" "$work/mblaze"
# mblaze keeps its state (current message, sequence) here, not in $HOME
MBLAZE=$work/mblaze
export MBLAZE
install_peers
build
have mparse || say "run.sh: mparse: not built ($mparse); measuring the peers"
case " $sections " in
*" big "*) "$py" "$here/gen_corpus.py" --out "$work" >&2 ;;
*) "$py" "$here/gen_corpus.py" --out "$work" --no-big >&2 ;;
esac

: >"$raw"
{
	echo "# mparse benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(uname -srm)"
	echo "# $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg)"
	if have mparse; then
		echo "# mparse: $mparse ($(git -C "$srcdir" describe --always --dirty 2>/dev/null || echo '?'))"
	else
		echo "# mparse: not built"
	fi
	echo "# corpus: $(cat "$work/corpus/STAMP" 2>/dev/null)"
	[ -f "$work/big/STAMP" ] && echo "# big: $(cat "$work/big/STAMP")"
	have gmime && echo "# gmime: $(pkg-config --modversion gmime-3.0)"
	have python && echo "# python: $("$py" --version 2>&1)"
	have reformime && echo "# reformime: $(dpkg-query -W -f '${Version}' maildrop 2>/dev/null || echo '?')"
	have mshow && echo "# mblaze: $(dpkg-query -W -f '${Version}' mblaze 2>/dev/null || echo '?')"
	:
} >"$work/header.txt"

for s in $sections; do
	case $s in
	corpus) corpus_bench ;;
	small) small_bench ;;
	big) big_bench ;;
	*) say "run.sh: unknown section $s (corpus, small, big)"; exit 64 ;;
	esac
done

table=$(report | sed "s/ *$//")
printf '%s\n' "$table"
{
	cat "$work/header.txt"
	echo "# raw: scenario tool round value rss_kib exit_status"
	echo "# value: wall seconds (corpus, big) or ms per message (small)"
	cat "$raw"
	echo
	printf '%s\n' "$table"
} >"$results"
say "run.sh: raw numbers and table in $results"
