#!/bin/sh
# Install everything mkit needs to build and test on Debian 12 (run as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake pkg-config ca-certificates \
	libcurl4-openssl-dev libssl-dev libgsasl-dev libunistring-dev \
	bats python3 openssl socat procps mandoc \
	dovecot-core dovecot-imapd dovecot-pop3d dovecot-gssapi postfix nsd \
	krb5-kdc krb5-admin-server krb5-user microsocks \
	dbus gnome-keyring libsecret-tools \
	clang libclang-rt-14-dev valgrind \
	libc-ares-dev libpsl-dev unbound ldnsutils
# the peers of make bench-mdig-mx (dig, adnshost)
apt-get install -y -q --no-install-recommends bind9-dnsutils adns-tools
# msend's composer: /etc/mime.types; its RSS check; its bench peers.
apt-get install -y -q --no-install-recommends media-types time s-nail mutt
# mimap idle's test of a silent connection: ss shows its TCP keepalive
apt-get install -y -q --no-install-recommends iproute2
# the peers of make bench-mimap-pull (mbsync, offlineimap3)
apt-get install -y -q --no-install-recommends isync offlineimap3
# mimap-pull.bats: an unchanged re-pull opens no maildir directory
apt-get install -y -q --no-install-recommends strace
