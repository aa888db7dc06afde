#!/bin/sh
# Install the Debian packages papyra needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
PKGS="build-essential clang pkg-config libncurses-dev libcjson-dev libhiredis-dev libssl-dev openssl libcmocka-dev redis-server tmux jq libxml2-utils man-db zsh python3-yaml python3-jsonschema dpkg-dev python3 attr acl strace"
# npm comes with Node.js packages that are not Debian's own; Debian splits it out
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
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
fi

# Test tools from the npm registry, pinned, kept under build/tools (make
# clean removes them): the SARIF validator of the SARIF 2.1.0 authors.
SARIF_MULTITOOL=@microsoft/sarif-multitool@5.7.0
tools=$(cd "$(dirname "$0")/.." && pwd)/build/tools
if ! grep -qs '"version": "5.7.0"' "$tools/node_modules/@microsoft/sarif-multitool-linux/package.json"; then
	mkdir -p "$tools"
	npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error "$SARIF_MULTITOOL" >/dev/null || {
		echo "deps: npm install $SARIF_MULTITOOL failed" >&2; exit 1; }
fi
