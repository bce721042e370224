#!/usr/bin/env bats
# mdig-mx --help, man/mdig-mx.1 and the three completion files name the same
# options and the same checks: none may gain or lose one without the others.

drift() {
	mdig-mx --help >"$BATS_TEST_TMPDIR/help" || return 1
	python3 - "$BATS_TEST_TMPDIR/help" "$MKIT_SRCDIR" "$1" <<'PY'
import re, sys
helpf, src, which = sys.argv[1:4]

def norm(t):
    return re.split(r"[=\[]", t.rstrip(","), 1)[0]

def from_help():
    opts, checks, in_checks = set(), set(), False
    for line in open(helpf):
        if line.startswith("checks"):
            in_checks = True
            continue
        if not line.startswith(" "):
            in_checks = False
        if in_checks and re.match(r"  [a-z]", line):
            checks.add(line.split()[0])
        if not line.startswith("  -"):
            continue
        for tok in line.split():
            if not tok.startswith("-"):
                break
            opts.add(norm(tok))
    return opts, checks

def from_man():
    text = open(src + "/man/mdig-mx.1").read()
    sec = text.split("\n.Sh OPTIONS\n", 1)[1].split("\n.Sh ", 1)[0]
    opts = set("--" + m for m in re.findall(r"\bFl -([a-z0-9][a-z0-9-]*)", sec))
    opts |= set("-" + m for m in re.findall(r"\bFl ([a-zA-Z]{1,2})(?=[ \n])", sec))
    desc = text.split("\n.Sh DESCRIPTION\n", 1)[1].split("\n.Sh ", 1)[0]
    return opts, set(re.findall(r"^\.It Cm ([a-z-]+)$", desc, re.M))

def from_bash():
    text = open(src + "/completions/mdig-mx.bash").read()
    words = re.search(r"compgen -W '(-[^']*)'", text).group(1)
    checks = re.search(r'compgen -W "([a-z -]*)"', text).group(1)
    return set(norm(w) for w in words.split()), set(checks.split())

def from_zsh():
    text = open(src + "/completions/_mdig-mx").read()
    opts = set(re.findall(r"""(?<=['"{,])(-{1,2}[a-zA-Z0-9][a-zA-Z0-9-]*)(?=[=+\[},])""", text))
    return opts, set(re.findall(r"^\t'([a-z-]+):", text, re.M))

def from_fish():
    opts, checks = set(), set()
    for line in open(src + "/completions/mdig-mx.fish"):
        if line.startswith("set -l checks"):
            checks = set(line.split()[3:])
        if not line.startswith("complete "):
            continue
        opts |= set("-" + m for m in re.findall(r" -[so] (\S+)", line))
        opts |= set("--" + m for m in re.findall(r" -l (\S+)", line))
    return opts, checks

h, hc = from_help()
other, oc = {"man": from_man, "bash": from_bash, "zsh": from_zsh,
             "fish": from_fish}[which]()
ok = True
for o in sorted(h - other):
    print("in --help, not in %s: %s" % (which, o)); ok = False
for o in sorted(other - h):
    print("in %s, not in --help: %s" % (which, o)); ok = False
if hc != oc:
    print("checks: --help %s, %s %s" % (sorted(hc), which, sorted(oc))); ok = False
if len(h) < 9 or not hc:
    print("only %d options and %d checks found in --help" % (len(h), len(hc))); ok = False
sys.exit(0 if ok else 1)
PY
}

@test "drift: --help and man/mdig-mx.1 list the same options and checks" {
	run drift man
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the bash completion list the same options and checks" {
	run drift bash
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the zsh completion list the same options and checks" {
	run drift zsh
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the fish completion list the same options and checks" {
	run drift fish
	echo "$output"
	[ "$status" -eq 0 ]
}
