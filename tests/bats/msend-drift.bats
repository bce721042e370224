#!/usr/bin/env bats
# msend --help, man/msend.1 and the three completion files name the same
# options: none may gain or lose one without the others.

drift() {
	msend --help >"$BATS_TEST_TMPDIR/help" || return 1
	python3 - "$BATS_TEST_TMPDIR/help" "$MKIT_SRCDIR" "$1" <<'PY'
import re, sys
helpf, src, which = sys.argv[1:4]

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
    text = open(src + "/man/msend.1").read()
    sec = text.split("\n.Sh OPTIONS\n", 1)[1].split("\n.Sh ", 1)[0]
    opts = set("--" + m for m in re.findall(r"\bFl -([a-z0-9][a-z0-9-]*)", sec))
    opts |= set("-" + m for m in re.findall(r"\bFl ([a-zA-Z]{1,2})(?=[ \n])", sec))
    return opts

def from_bash():
    text = open(src + "/completions/msend.bash").read()
    words = text.split("compgen -W '-t", 1)[1].split("'", 1)[0]
    return set(norm(w) for w in ("-t" + words).split())

def from_zsh():
    text = open(src + "/completions/_msend").read()
    return set(re.findall(r"""['"](?:\(- \*\))?\*?(-{1,2}[a-zA-Z0-9][a-zA-Z0-9-]*)[=+\[]""", text))

def from_fish():
    opts = set()
    for line in open(src + "/completions/msend.fish"):
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
if len(h) < 40:
    print("only %d options found in --help" % len(h)); ok = False
sys.exit(0 if ok else 1)
PY
}

@test "drift: --help and man/msend.1 list the same options" {
	run drift man
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the bash completion list the same options" {
	run drift bash
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the zsh completion list the same options" {
	run drift zsh
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the fish completion list the same options" {
	run drift fish
	echo "$output"
	[ "$status" -eq 0 ]
}
