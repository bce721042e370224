# tests/bats/keyring_helper.bash: a real Secret Service keyring for bats
# tests, in a throwaway HOME, on a private session bus.
#
#   load keyring_helper
#
# keyring_setup       (in setup) skip unless dbus-run-session,
#                     gnome-keyring-daemon and secret-tool are installed
#                     (Debian: dbus gnome-keyring libsecret-tools); export a
#                     fresh HOME, XDG_RUNTIME_DIR (no bus in it),
#                     XDG_CONFIG_HOME, XDG_DATA_HOME under $BATS_TEST_TMPDIR;
#                     unset MKIT_CONFIG, NETRC, DBUS_SESSION_BUS_ADDRESS.
# in_session SCRIPT   run `bash -c SCRIPT` inside dbus-run-session, after
#                     gnome-keyring-daemon (secrets component) is started
#                     unlocked and owns org.freedesktop.secrets; the
#                     functions below are defined there. Its status is the
#                     script's (99 when the keyring did not come up). The
#                     bus and the daemon end with it; their own chatter on
#                     stderr is dropped, the script's stderr is kept.
# store_secret HOST SERVICE USER PASSWORD
#                     store PASSWORD the way msmtp's manual says:
#                     secret-tool store --label=msmtp host HOST service
#                     SERVICE user USER (password on stdin).
# link_runtime_bus    make $XDG_RUNTIME_DIR/bus the session bus socket (as
#                     systemd --user does), for a client given no address.
# netrc HOST USER PASSWORD
#                     write $HOME/.netrc (mode 600) with one machine entry.

KEYRING_HELPER=${BASH_SOURCE[0]}
export KEYRING_HELPER

keyring_setup() {
	local c
	for c in dbus-run-session dbus-send gnome-keyring-daemon secret-tool; do
		command -v "$c" >/dev/null ||
			skip "needs $c (Debian: dbus gnome-keyring libsecret-tools)"
	done
	export HOME=$BATS_TEST_TMPDIR/home
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
	export XDG_CACHE_HOME=$HOME/.cache
	mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
	chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
	unset MKIT_CONFIG NETRC DBUS_SESSION_BUS_ADDRESS
}

keyring_start() {
	local i
	printf %s keyring-unlock-pw |
		gnome-keyring-daemon --unlock --components=secrets \
		>/dev/null 2>&1 || return 1
	for i in $(seq 100); do
		if dbus-send --session --print-reply \
		    --dest=org.freedesktop.DBus / \
		    org.freedesktop.DBus.NameHasOwner \
		    string:org.freedesktop.secrets 2>/dev/null |
		    grep -q 'boolean true'; then
			return 0
		fi
		sleep 0.1
	done
	echo "keyring: the Secret Service did not come up" >&2
	return 1
}

in_session() {
	# fd 3 (bats) closed so that no daemon holds it; the script's stderr
	# travels on fd 8 past dbus-run-session's own
	dbus-run-session -- bash -c '
		exec 2>&8 8>&-
		source "$KEYRING_HELPER" || exit 99
		keyring_start || exit 99
		'"$1" 8>&2 2>/dev/null 3>&-
}

store_secret() {
	printf %s "$4" | timeout 10 secret-tool store --label=msmtp \
		host "$1" service "$2" user "$3"
}

link_runtime_bus() {
	local a=${DBUS_SESSION_BUS_ADDRESS#unix:path=}

	a=${a%%,*}
	[ -S "$a" ] || { echo "no socket in $DBUS_SESSION_BUS_ADDRESS" >&2; return 1; }
	ln -s "$a" "$XDG_RUNTIME_DIR/bus"
}

netrc() {
	printf 'machine %s login %s password %s\n' "$1" "$2" "$3" \
		>"$HOME/.netrc"
	chmod 600 "$HOME/.netrc"
}
