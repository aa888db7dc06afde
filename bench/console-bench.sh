#!/bin/sh
# Console figures of SPEC §11 on one file: time to the first screen, time
# to the full line index, peak RSS.  The console runs in its screen-test
# mode (virtual terminal on /dev/null, key script "q": quit once indexed)
# and writes its own timings (PAPYRA_TEST_TIMING) and peak RSS.
#
#   sh bench/console-bench.sh PAPYRA [FILE]
# FILE defaults to $BENCH_FILE, then bench/data/bench.ndjson.
PAPYRA=${1:?usage: console-bench.sh PAPYRA [FILE]}
FILE=${2:-${BENCH_FILE:-bench/data/bench.ndjson}}
if [ ! -f "$FILE" ]; then
	echo "console-bench: no data file ($FILE); run bench/bench.sh or give FILE" >&2
	exit 1
fi
T=$(mktemp "${TMPDIR:-/tmp}/papyra-console-bench.XXXXXX")
trap 'rm -f "$T"' EXIT
# a cold first screen would measure the disk: read the file into the page
# cache first, as bench.sh does for every figure
cat "$FILE" >/dev/null
env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 PAPYRA_TEST_SCREEN=1 \
	PAPYRA_TEST_SIZE=120x40 PAPYRA_TEST_KEYS=q PAPYRA_TEST_TIMING="$T" \
	"$PAPYRA" console --path "$FILE" </dev/null >/dev/null 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q full_index_ms "$T"; then
	echo "console-bench: the console failed (exit $rc)" >&2
	exit 1
fi
bytes=$(wc -c <"$FILE")
first=$(awk '$1 == "first_screen_ms" {print $2}' "$T")
full=$(awk '$1 == "full_index_ms" {print $2}' "$T")
lines=$(awk '$1 == "lines" {print $2}' "$T")
rss=$(awk '$1 == "maxrss_kb" {print $2}' "$T")
awk -v b="$bytes" -v f="$first" -v x="$full" -v l="$lines" -v r="$rss" 'BEGIN {
	mb = b / 1e6; rmb = r / 1024
	printf "  file                %.0f MB, %d lines\n", mb, l
	printf "  first screen        %8.1f ms   target < 100 ms   %s\n", f, (f < 100 ? "ok" : "MISSED")
	printf "  full index          %8.1f ms   target < 2000 ms  %s   (%.0f MB/s)\n", x, (x < 2000 ? "ok" : "MISSED"), mb / (x / 1000)
	printf "  peak RSS            %8.1f MB   target < 64 MB    %s\n", rmb, (rmb < 64 ? "ok" : "MISSED")
	printf "  reference (SPEC 11): lnav first records 1.8 s, fully loaded 7.8 s, 584 MiB RSS; less first screen 8 ms\n"
}'

# lnav on the same file in the same run, when installed (Debian's lnav:
# a bench tool, not a dependency): headless (-n), with the record format
# share/papyra/lnav-papyra.json installed into a private HOME, the time
# to load every line and answer one SQL count, and its peak RSS.
if command -v lnav >/dev/null 2>&1; then
	MEASURE=${BENCH_BUILD:-build/bench}/measure
	[ -x "$MEASURE" ] || { mkdir -p "$(dirname "$MEASURE")" && cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o "$MEASURE" bench/measure.c; } || exit 1
	H=$(mktemp -d "${TMPDIR:-/tmp}/papyra-lnav-home.XXXXXX")
	HOME=$H lnav -i share/papyra/lnav-papyra.json >/dev/null 2>&1
	HOME=$H "$MEASURE" --stdin /dev/null --stdout "$H/count" -- lnav -n -c ';SELECT count(*) AS n FROM papyra_log' "$FILE" 2>"$H/m"
	l=$(grep '^wall_s=' "$H/m" | tail -n 1)
	n=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' "$H/count" | tail -n 1)
	printf '%s\n' "$l" | awk -v n="${n:-?}" '{
		split($1, w, "="); split($2, r, "=")
		printf "  lnav %s (this run)  fully loaded %.2f s, %.1f MB peak RSS, %s records counted\n", "'"$(lnav -V | awk '{print $2}')"'", w[2], r[2] / 1024, n
	}'
	rm -rf "$H"
else
	printf "  lnav: not installed (apt-get install lnav to measure it in this run)\n"
fi
