#!/bin/sh
# Packages, each built and then run from a scratch root (never installed on
# this machine): `make install` (stripped binary, man page, completions),
# `make deb` (dpkg-deb -x, Depends checked against what the binary links),
# `make cli-only` (no ncurses; the README's ldd list).  Usage: run.sh BUILD.
# Prints one closing line "pkg: N passed, N failed".
BUILD=${1:?usage: run.sh BUILD}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
FIX=$ROOT/tests/fixtures
T=$(mktemp -d "${TMPDIR:-/tmp}/papyra-pkg.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LC_ALL=C.UTF-8
P=0 F=0
ok() { P=$((P + 1)); }
ko() { F=$((F + 1)); echo "  FAIL [pkg] $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /' | head -20; return 0; }
check() { _n=$1; shift; if "$@" >"$T/.out" 2>&1; then ok; else ko "$_n: '$*' failed" "$(cat "$T/.out")"; fi; }
# rc N NAME CMD...: CMD exits N; its output stays in $T/.last
rc() { _w=$1; _n=$2; shift 2; "$@" >"$T/.last" 2>&1; _r=$?; [ "$_r" = "$_w" ] && ok || ko "$_n: exit $_r, expected $_w" "$(cat "$T/.last")"; }
stripped() { ! readelf -S "$1" | grep -q -e '\.symtab' -e '\.debug_info'; }
VERSION=$(sed -n 's/^#define PAPYRA_VERSION "\(.*\)"/\1/p' core/version.h)
cp "$FIX/json_corrupt_middle/data/events.ndjson" "$T/bad.ndjson"
cp "$FIX/json_clean/data/events.ndjson" "$T/good.ndjson"
# the binary's own completions, to compare with what got installed
"$BUILD/papyra" --print-completion bash > "$T/bash.ref"
"$BUILD/papyra" --print-completion zsh > "$T/zsh.ref"

# --- make install -----------------------------------------------------------------
check "make install" make -s install BUILD="$BUILD" DESTDIR="$T/inst" PREFIX=/opt/p
I=$T/inst/opt/p
check "installed binary" test -x "$I/bin/papyra"
check "installed binary is stripped" stripped "$I/bin/papyra"
check "installed binary is smaller" test "$(stat -c %s "$I/bin/papyra")" -lt "$(stat -c %s "$BUILD/papyra")"
check "man page installed" cmp man/papyra.1 "$I/share/man/man1/papyra.1"
check "bash completion installed" cmp "$T/bash.ref" "$I/share/bash-completion/completions/papyra"
check "zsh completion installed (site-functions)" cmp "$T/zsh.ref" "$I/share/zsh/site-functions/_papyra"
check "report schema installed" cmp share/papyra/report.schema.json "$I/share/papyra/report.schema.json"
check "lnav format installed" cmp share/papyra/lnav-papyra.json "$I/share/papyra/lnav-papyra.json"
# the installed binary's JSON report against the installed schema
rc 2 "installed binary writes a JSON report" "$I/bin/papyra" persistence scan --path "$T/bad.ndjson" --format json --output "$T/inst.json"
check "installed report valid against the installed schema" \
	/usr/bin/python3 tests/cli/validate_reports.py "$I/share/papyra/report.schema.json" "$T/inst.json"
rc 0 "installed --version" "$I/bin/papyra" --version
check "installed --version text" grep -qx "papyra $VERSION" "$T/.last"
rc 2 "installed binary scans" "$I/bin/papyra" persistence scan --path "$T/bad.ndjson"

# --- make deb ----------------------------------------------------------------------
check "make deb" make -s deb BUILD="$BUILD"
DEB=$BUILD/papyra_${VERSION}_$(dpkg --print-architecture).deb
check "the package exists" test -s "$DEB"
check "package name and version" test "$(dpkg-deb -f "$DEB" Package Version | tr '\n' ' ')" = "Package: papyra Version: $VERSION "
check "unpacks" dpkg-deb -x "$DEB" "$T/root"
R=$T/root/usr
check "deb: binary stripped" stripped "$R/bin/papyra"
check "deb: man page (gzipped)" sh -c "zcat '$R/share/man/man1/papyra.1.gz' | cmp - man/papyra.1"
check "deb: man page renders" man -l "$R/share/man/man1/papyra.1.gz"
check "deb: bash completion" cmp "$T/bash.ref" "$R/share/bash-completion/completions/papyra"
check "deb: zsh completion (vendor-completions)" cmp "$T/zsh.ref" "$R/share/zsh/vendor-completions/_papyra"
check "deb: report schema" cmp share/papyra/report.schema.json "$R/share/papyra/report.schema.json"
rc 0 "deb: --version" "$R/bin/papyra" --version
check "deb: --version text" grep -qx "papyra $VERSION" "$T/.last"
rc 0 "deb: scan of a clean fixture" "$R/bin/papyra" persistence scan --path "$T/good.ndjson"
rc 2 "deb: scan of a damaged fixture" "$R/bin/papyra" persistence scan --path "$T/bad.ndjson"
rc 1 "deb: doctor gate" "$R/bin/papyra" doctor run --mode FAIL_ON_ANOMALY --path "$T/bad.ndjson"
# Depends names the package of every library the binary loads, and nothing else
dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort -u > "$T/depends"
ldd "$R/bin/papyra" > "$T/ldd"
check "deb: every library resolves" sh -c "! grep -q 'not found' '$T/ldd'"
awk '$2 == "=>" && $3 ~ /^\// { print $3 }' "$T/ldd" | while read -r lib; do
	dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | sed 's/:.*//' | sort -u > "$T/needed"
check "deb: libraries' packages found" test -s "$T/needed"
check "deb: Depends = the packages of the linked libraries" diff "$T/needed" "$T/depends"

# --- make cli-only ------------------------------------------------------------------
check "make cli-only" make -s cli-only BUILD="$BUILD"
C=$BUILD/papyra-cli
ldd "$C" > "$T/cldd"
check "papyra-cli links no ncurses" sh -c "! grep -q -e ncurses -e tinfo '$T/cldd'"
awk '$1 ~ /^lib/ { print $1 }' "$T/cldd" | sort > "$T/clibs"
# README: the documented ldd output of papyra-cli, between its markers
sed -n '/<!-- BEGIN papyra-cli ldd -->/,/<!-- END papyra-cli ldd -->/p' README.md |
	awk '$1 ~ /^lib/ { print $1 }' | sort > "$T/readme_libs"
check "README documents papyra-cli's ldd output" diff "$T/readme_libs" "$T/clibs"
# the example image installs exactly the packages of those libraries (libc6 is in the base image)
awk '$2 == "=>" && $3 ~ /^\// { print $3 }' "$T/cldd" | while read -r lib; do
	dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | sed 's/:.*//' | grep -vx libc6 | sort -u > "$T/cneeded"
sed -n 's/.*apt-get install \(.*\)/\1/p' examples/ci/Dockerfile.papyra-cli | tr ' ' '\n' |
	grep -v -e '^-' -e '^&&' -e '^\\' -e '^$' | sort -u > "$T/dockerfile_pkgs"
check "Dockerfile.papyra-cli installs the libraries papyra-cli needs" diff "$T/cneeded" "$T/dockerfile_pkgs"
rc 0 "papyra-cli --version" "$C" --version
rc 2 "papyra-cli scans" "$C" persistence scan --path "$T/bad.ndjson"
rc 1 "papyra-cli doctor gate" "$C" doctor run --mode FAIL_ON_ANOMALY --path "$T/bad.ndjson"
rc 1 "papyra-cli console --batch" "$C" console --batch --path "$T/bad.ndjson"
check "papyra-cli --batch summary" grep -q "CORRUPTED_LINE" "$T/.last"
rc 64 "papyra-cli: no interactive console" "$C" console --path "$T/good.ndjson"
check "papyra-cli: says so" grep -q "not in this build" "$T/.last"
rc 64 "papyra-cli: no key table" "$C" console --print-keys-man
cp "$T/bad.ndjson" "$T/fix.ndjson"
rc 0 "papyra-cli repairs" "$C" doctor run --mode recover --path "$T/fix.ndjson" --format sarif --output "$T/r.sarif"
check "papyra-cli reports" jq -e '.runs[0].invocations[0].exitCode == 0' "$T/r.sarif"

echo "pkg: $P passed, $F failed"
[ "$F" -eq 0 ]
