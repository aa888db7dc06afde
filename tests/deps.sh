#!/bin/sh
# Install the Debian packages papyra needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
PKGS="build-essential clang pkg-config libncurses-dev libcjson-dev libhiredis-dev libcmocka-dev redis-server tmux jq libxml2-utils man-db strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
		echo "deps: apt-get install failed:$missing" >&2; exit 1; }
else
	echo "deps: missing Debian packages. Run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
