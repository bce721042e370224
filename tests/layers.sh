#!/bin/sh
# tests/layers.sh: the layers of src/ point down (DESIGN.md 2), as TAP.
#
# 1. Every library source lives in a layer folder, and every include of a
#    library header names its layer ("net/conn.h"). A file may include its
#    own layer and the layers below it, never one above:
#      base   -
#      codec  base
#      store  base
#      mime   base codec store
#      net    base
#      dns    base
#      proto  base codec store mime net dns
# 2. mparse links without the network and protocol layers: no symbol of
#    libnet.a or libproto.a is in the program, and it needs neither libcurl
#    nor libgsasl.
# 3. The check itself catches an include from above (a planted one).
# 4. mdig-mx links without SASL: it may hold the SMTP engine (smtp_begin,
#    for --probe) and the network layer, but no symbol of the SASL objects
#    of libproto.a (sasl.o, saslx.o, smtp_auth.o: AUTH), and it does not
#    need libgsasl.
set -u
src=${MKIT_SRCDIR:-.}/src
build=${MKIT_BUILDDIR:-.}

allowed() {
	case $1 in
	base) echo "base" ;;
	codec) echo "codec base" ;;
	store) echo "store base" ;;
	mime) echo "mime base codec store" ;;
	net) echo "net base" ;;
	dns) echo "dns base" ;;
	proto) echo "proto base codec store mime net dns" ;;
	*) return 1 ;;
	esac
}

# check_tree DIR: print one line per violation under DIR (a src/ tree).
check_tree() {
	for f in "$1"/*; do
		case $f in
		*/local.mk | */\*) ;;
		*/*.[ch]) echo "${f#"$1"/}: outside a layer folder" ;;
		esac
	done
	for d in "$1"/*/; do
		layer=$(basename "$d")
		ok=$(allowed "$layer") || {
			echo "$layer/: not a layer of DESIGN.md 2"
			continue
		}
		for f in "$d"*.[ch]; do
			[ -f "$f" ] || continue
			grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
			while IFS= read -r line; do
				inc=${line#*\"}
				inc=${inc%%\"*}
				where="$layer/$(basename "$f"):${line%%:*}"
				case $inc in
				config.h) continue ;;
				*/*) ;;
				*) echo "$where: \"$inc\" does not name its layer"
					continue ;;
				esac
				to=${inc%%/*}
				case " $ok " in
				*" $to "*) ;;
				*) echo "$where: includes \"$inc\" ($to is not below $layer)" ;;
				esac
			done
		done
	done
}

n=0
fails=0
result() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed 's/^/# /'
	fi
}

echo "1..4"

result "src/: includes point down the layers" "$(check_tree "$src")"

out=
mparse=$build/cmd/mparse
if [ ! -x "$mparse" ]; then
	out="$mparse: not built"
else
	syms=$(for a in "$build"/src/net/libnet.a "$build"/src/proto/libproto.a; do
		nm -g --defined-only "$a" 2>/dev/null | awk 'NF == 3 { print $3 }'
	done | sort -u)
	have=$(nm --defined-only "$mparse" 2>/dev/null | awk 'NF == 3 { print $3 }' |
		sort -u)
	[ -n "$syms" ] || out="no symbols read from libnet.a and libproto.a"
	both=$(printf '%s\n' "$syms" | comm -12 - "$(printf '%s\n' "$have" >"${TMPDIR:-/tmp}/layers.$$"; echo "${TMPDIR:-/tmp}/layers.$$")")
	rm -f "${TMPDIR:-/tmp}/layers.$$"
	[ -z "$both" ] || out="$out
mparse holds network or protocol code: $(echo $both)"
	needed=$(readelf -d "$mparse" 2>/dev/null | grep NEEDED | grep -E 'libcurl|libgsasl' || true)
	[ -z "$needed" ] || out="$out
mparse needs $(echo "$needed" | sed 's/.*\[//; s/\]//' | tr '\n' ' ')"
fi
result "mparse links without the network, protocol and SASL layers" "$out"

# A planted violation must be found, or the check above proves nothing.
t=$(mktemp -d "${TMPDIR:-/tmp}/layers.XXXXXX")
mkdir "$t/codec" "$t/net"
printf '#include "net/conn.h"\n#include "buf.h"\n' >"$t/codec/x.c"
: >"$t/net/conn.h"
: >"$t/stray.c"
got=$(check_tree "$t")
rm -rf "$t"
want='stray.c: outside a layer folder
codec/x.c:1: includes "net/conn.h" (net is not below codec)
codec/x.c:2: "buf.h" does not name its layer'
if [ "$got" = "$want" ]; then
	result "the check finds an include from above, a bare one, a stray file" ""
else
	result "the check finds an include from above, a bare one, a stray file" \
		"got: $got"
fi

out=
mdig=$build/cmd/mdig-mx
if [ ! -x "$mdig" ]; then
	out="$mdig: not built"
else
	syms=$(nm -g --defined-only "$build"/src/proto/libproto.a 2>/dev/null |
		awk '/:$/ { sasl = $0 ~ /(^|-)(sasl|saslx|smtp_auth)\.o:$/ }
			sasl && NF == 3 { print $3 }' | sort -u)
	[ -n "$syms" ] || out="no SASL symbols read from libproto.a"
	printf '%s\n' "$syms" | grep -q '^sasl_' ||
		out="$out
libproto.a has no sasl_ symbol: the check proves nothing"
	both=$(nm --defined-only "$mdig" 2>/dev/null |
		awk 'NF == 3 { print $3 }' | sort -u | comm -12 - \
		"$(printf '%s\n' "$syms" >"${TMPDIR:-/tmp}/layers.$$"
		echo "${TMPDIR:-/tmp}/layers.$$")")
	rm -f "${TMPDIR:-/tmp}/layers.$$"
	[ -z "$both" ] || out="$out
mdig-mx holds SASL code: $(echo $both)"
	needed=$(readelf -d "$mdig" 2>/dev/null | grep NEEDED |
		grep -E 'libgsasl' || true)
	[ -z "$needed" ] || out="$out
mdig-mx needs $(echo "$needed" | sed 's/.*\[//; s/\]//' | tr '\n' ' ')"
fi
result "mdig-mx links without SASL and libgsasl" "$out"
[ "$fails" -eq 0 ]
