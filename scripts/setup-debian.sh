#!/bin/sh
# Install everything mkit needs to build and test on Debian 12 (run as root).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake pkg-config ca-certificates \
	libcurl4-openssl-dev libssl-dev libgsasl-dev libunistring-dev \
	bats python3 openssl socat procps \
	dovecot-core dovecot-imapd dovecot-pop3d postfix nsd \
	clang libclang-rt-14-dev
