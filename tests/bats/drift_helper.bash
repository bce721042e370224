# tests/bats/drift_helper.bash: --help, the man page and the three
# completion files of a program name the same options.
#
#   load drift_helper
#   drift PROG WHICH FIRST MIN
#
# WHICH is man, bash, zsh or fish; FIRST is the first word of the option
# list the bash completion gives compgen -W; MIN the fewest options --help
# must show (so that a broken parser cannot pass). Prints each difference
# and fails when there is one.

drift() {
	"$1" --help >"$BATS_TEST_TMPDIR/help" || return 1
	python3 - "$BATS_TEST_TMPDIR/help" "$MKIT_SRCDIR" "$@" <<'PY'
import re, sys
helpf, src, prog, which, first, least = sys.argv[1:7]

def norm(t):
    return re.split(r"[=\[]", t.rstrip(","), 1)[0]

def from_help():
    opts = set()
    for line in open(helpf):
        if not line.startswith("  -"):
            continue
        for tok in line.split():
            if not tok.startswith("-"):
                break
            opts.add(norm(tok))
    return opts

def from_man():
    text = open(src + "/man/%s.1" % prog).read()
    sec = text.split("\n.Sh OPTIONS\n", 1)[1].split("\n.Sh ", 1)[0]
    opts = set("--" + m for m in re.findall(r"\bFl -([a-z0-9][a-z0-9-]*)", sec))
    opts |= set("-" + m for m in re.findall(r"\bFl ([a-zA-Z]{1,2})(?=[ \n])", sec))
    return opts

def from_bash():
    text = open(src + "/completions/%s.bash" % prog).read()
    words = text.split("compgen -W '" + first, 1)[1].split("'", 1)[0]
    return set(norm(w) for w in (first + words).split())

def from_zsh():
    text = open(src + "/completions/_" + prog).read()
    return set(re.findall(r"""['"](?:\(- \*\))?\*?(-{1,2}[a-zA-Z0-9][a-zA-Z0-9-]*)[=+\[]""", text))

def from_fish():
    opts = set()
    for line in open(src + "/completions/%s.fish" % prog):
        if not line.startswith("complete "):
            continue
        opts |= set("-" + m for m in re.findall(r" -[so] (\S+)", line))
        opts |= set("--" + m for m in re.findall(r" -l (\S+)", line))
    return opts

h = from_help()
other = {"man": from_man, "bash": from_bash, "zsh": from_zsh, "fish": from_fish}[which]()
ok = True
for o in sorted(h - other):
    print("in --help, not in %s: %s" % (which, o)); ok = False
for o in sorted(other - h):
    print("in %s, not in --help: %s" % (which, o)); ok = False
if len(h) < int(least):
    print("only %d options found in --help" % len(h)); ok = False
sys.exit(0 if ok else 1)
PY
}
