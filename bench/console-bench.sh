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
	printf "  reference: lnav first records 1.8 s, fully loaded 7.8 s, 584 MiB RSS; less first screen 8 ms\n"
}'
