#!/usr/bin/env bats
# mimap --help, man/mimap.1 and the three completion files name the same
# options and the same commands.

# options WHICH: the options (or, with "cmds", the commands) WHICH lists,
# one per line, sorted.
options() {
	python3 - "$MKIT_SRCDIR" "$1" "$BATS_TEST_TMPDIR/help" <<'PY'
import re, sys
src, which, helpf = sys.argv[1:4]
def base(t):
    return re.split(r"[=\[+]", t.rstrip(","), 1)[0]
text = {
    "help": lambda: open(helpf).read(),
    "man": lambda: open(src + "/man/mimap.1").read(),
    "bash": lambda: open(src + "/completions/mimap.bash").read(),
    "zsh": lambda: open(src + "/completions/_mimap").read(),
    "fish": lambda: open(src + "/completions/mimap.fish").read(),
}[which]()
found = set()
if which == "help":
    for line in text.splitlines():
        if line.startswith("  -"):
            for tok in line.split():
                if not tok.startswith("-"):
                    break
                found.add(base(tok))
elif which == "man":
    sec = text.split("\n.Sh OPTIONS\n", 1)[1].split("\n.Sh ", 1)[0]
    found |= set("--" + m for m in re.findall(r"\bFl -([a-z0-9][a-z0-9-]*)", sec))
    found |= set("-" + m for m in re.findall(r"\bFl ([a-zA-Z])(?=[ \n])", sec))
elif which == "bash":
    found |= set(re.search(r'local opts="([^"]*)"', text).group(1).split())
elif which == "zsh":
    found |= set(base(m) for m in re.findall(r"['{,](-{1,2}[a-zA-Z0-9][a-zA-Z0-9-]*)", text))
else:
    for line in text.splitlines():
        if not line.startswith("complete "):
            continue
        found |= set("-" + m for m in re.findall(r" -s (\S+)", line))
        found |= set("--" + m for m in re.findall(r" -l (\S+)", line))
print("\n".join(sorted(found)))
PY
}

commands() {
	case $1 in
	help) sed -n '/^Commands:/,/^UIDS/p' "$BATS_TEST_TMPDIR/help" | awk 'NR > 1 && /^  [a-z]/ { print $1 }' ;;
	man) sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$MKIT_SRCDIR/man/mimap.1" |
		awk '$1 == ".Cm" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+$/) print $i }' ;;
	bash) sed -n 's/.*local cmds="\([^"]*\)".*/\1/p' "$MKIT_SRCDIR/completions/mimap.bash" | tr ' ' '\n' ;;
	zsh) sed -n "s/^	'\([a-z]*\):.*/\1/p" "$MKIT_SRCDIR/completions/_mimap" ;;
	fish) sed -n 's/.* -a \([a-z]*\) -d .*/\1/p' "$MKIT_SRCDIR/completions/mimap.fish" | grep -v '^$' ;;
	esac | sort -u
}

setup() {
	mimap --help >"$BATS_TEST_TMPDIR/help"
	options help >"$BATS_TEST_TMPDIR/help.opts"
	commands help >"$BATS_TEST_TMPDIR/help.cmds"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/help.opts")" -ge 35 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/help.cmds")" -eq 16 ]
}

@test "drift: --help and man/mimap.1 list the same options and commands" {
	diff "$BATS_TEST_TMPDIR/help.opts" <(options man)
	diff "$BATS_TEST_TMPDIR/help.cmds" <(commands man)
}

@test "drift: --help and the bash completion agree" {
	diff "$BATS_TEST_TMPDIR/help.opts" <(options bash)
	diff "$BATS_TEST_TMPDIR/help.cmds" <(commands bash)
}

@test "drift: --help and the zsh completion agree" {
	diff "$BATS_TEST_TMPDIR/help.opts" <(options zsh)
	diff "$BATS_TEST_TMPDIR/help.cmds" <(commands zsh)
}

@test "drift: --help and the fish completion agree" {
	diff "$BATS_TEST_TMPDIR/help.opts" <(options fish)
	diff "$BATS_TEST_TMPDIR/help.cmds" <(commands fish)
}
