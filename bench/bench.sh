#!/bin/sh
# bench/bench.sh PAPYRA_BINARY - the figures of SPEC section 11, measured in
# one run on one generated file, each beside its reference or target.
#
#   sh bench/bench.sh build/papyra            (what `make bench` runs)
#   BENCH_BYTES=100000000 sh bench/bench.sh build/papyra     (quick run)
#
# Environment:
#   BENCH_BYTES  size of the generated file (default 1000000000, 1 GB)
#   BENCH_SEED   generator seed (default 1)
#   CC           C compiler for the helpers (default cc)
#
# Builds bench/gen.c, bench/cjson_lines.c and bench/measure.c into
# build/bench/, generates bench/data/records-<bytes>-s<seed>.ndjson (and a
# copy with 50 damaged lines for the repair row; both reused when present
# with the right size; bench/data/ is not versioned), warms the page cache
# and measures every row with build/bench/measure (wall time and peak RSS of
# the same run, from wait4).  A papyra command that fails is printed as
# "failed (exit N)", never as a number.  Throughput is input bytes / wall
# time, MB = 10^6 bytes; RSS is ru_maxrss in MiB.

set -u

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    echo "usage: sh bench/bench.sh PAPYRA_BINARY   (BENCH_BYTES=N for a smaller file)" >&2
    exit 64
fi
PAPYRA=$1
case $PAPYRA in
    /*) ;;
    */*) PAPYRA=$(pwd)/$PAPYRA ;;
    *) PAPYRA=$(command -v "$PAPYRA" 2>/dev/null || echo "$(pwd)/$PAPYRA") ;;
esac

ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$ROOT" || exit 1

BYTES=${BENCH_BYTES:-1000000000}
SEED=${BENCH_SEED:-1}
case $BYTES in '' | *[!0-9]*) echo "bench: BENCH_BYTES must be a number of bytes, got '$BYTES'" >&2; exit 64 ;; esac
case $SEED in '' | *[!0-9]*) echo "bench: BENCH_SEED must be a number, got '$SEED'" >&2; exit 64 ;; esac
if [ "$BYTES" -lt 100000 ]; then
    echo "bench: BENCH_BYTES below 100000 says nothing about throughput" >&2
    exit 64
fi
JQ_BYTES=100000000
CORRUPT_LINES=50

CC=${CC:-cc}
B=build/bench
D=bench/data
LOG=$B/logs
mkdir -p "$B" "$D" "$LOG" || exit 1
LC_ALL=C
export LC_ALL

say() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- helpers
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -O2"
say "bench: building helpers into $B/"
# CFLAGS and CC are word lists on purpose
# shellcheck disable=SC2086
$CC $CFLAGS -o "$B/gen" bench/gen.c || { say "bench: cannot build bench/gen.c"; exit 1; }
# shellcheck disable=SC2086
$CC $CFLAGS -o "$B/measure" bench/measure.c || { say "bench: cannot build bench/measure.c"; exit 1; }
CJSON_CFLAGS=$(pkg-config --cflags libcjson 2>/dev/null || true)
CJSON_LIBS=$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
HAVE_CJSON=1
# shellcheck disable=SC2086
$CC $CFLAGS $CJSON_CFLAGS -o "$B/cjson_lines" bench/cjson_lines.c $CJSON_LIBS || {
    say "bench: cannot build bench/cjson_lines.c (is libcjson-dev installed?)"
    HAVE_CJSON=0
}

# ---------------------------------------------------------------- data
fsize() { wc -c < "$1" | tr -d ' '; }

# gen_file FILE BYTES [gen options...]: reuse FILE when its size fits BYTES
gen_file() {
    gf=$1
    gb=$2
    shift 2
    if [ -f "$gf" ]; then
        gs=$(fsize "$gf")
        if [ "$gs" -le "$gb" ] && [ "$gs" -gt $((gb - 65536)) ]; then
            say "bench: reusing $gf ($gs bytes)"
            return 0
        fi
        say "bench: $gf has $gs bytes, not about $gb: generating again"
    fi
    say "bench: generating $gf ($gb bytes)"
    if ! "$B/gen" --bytes "$gb" --seed "$SEED" "$@" > "$gf.tmp" || ! mv "$gf.tmp" "$gf"; then
        rm -f "$gf.tmp"
        say "bench: cannot generate $gf"
        exit 1
    fi
}

CLEAN=$D/records-$BYTES-s$SEED.ndjson
CORRUPT=$D/records-$BYTES-s$SEED-corrupt$CORRUPT_LINES.ndjson
gen_file "$CLEAN" "$BYTES"
gen_file "$CORRUPT" "$BYTES" --corrupt "$CORRUPT_LINES"
if [ "$BYTES" -gt "$JQ_BYTES" ]; then
    # the generated stream does not depend on --bytes: this is a prefix of CLEAN
    JQFILE=$D/records-$JQ_BYTES-s$SEED.ndjson
    gen_file "$JQFILE" "$JQ_BYTES"
    JQ_LABEL="jq -c . (100 MB prefix, scaled)"
else
    JQFILE=$CLEAN
    JQ_LABEL="jq -c . (whole file)"
fi

WORK_REPAIR=$D/work-repair.ndjson
WORK_COMPACT=$D/work-compact.ndjson
# shellcheck disable=SC2317
cleanup() { rm -f "$WORK_REPAIR" "$WORK_COMPACT" "$D"/.work-*.papyra-tmp-*; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

SIZE=$(fsize "$CLEAN")
CSIZE=$(fsize "$CORRUPT")
JQSIZE=$(fsize "$JQFILE")

say "bench: warming the page cache"
cat "$CLEAN" "$CORRUPT" > /dev/null
[ "$JQFILE" = "$CLEAN" ] || cat "$JQFILE" > /dev/null

# ---------------------------------------------------------------- measuring
# mrun NAME OUTFILE cmd... -> WALL RSS_KB EXIT (from build/bench/measure)
mrun() {
    mn=$1
    mo=$2
    shift 2
    "$B/measure" --stdin /dev/null --stdout "$mo" -- "$@" 2> "$LOG/$mn.err"
    ml=$(grep '^wall_s=' "$LOG/$mn.err" | tail -n 1)
    if [ -z "$ml" ]; then
        WALL=0 RSS_KB=0 EXIT=255
        return
    fi
    WALL=$(printf '%s\n' "$ml" | sed 's/.*wall_s=\([^ ]*\).*/\1/')
    RSS_KB=$(printf '%s\n' "$ml" | sed 's/.*maxrss_kb=\([^ ]*\).*/\1/')
    EXIT=$(printf '%s\n' "$ml" | sed 's/.*exit=\([^ ]*\).*/\1/')
}

mbps() { awk -v b="$1" -v w="$2" 'BEGIN { if (w <= 0) w = 1e-9; printf "%.2f", b / w / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }

FMT='%-48s %16s %12s  %-40s %s\n'
# shellcheck disable=SC2059
row() { printf "$FMT" "$1" "$2" "$3" "$4" "$5"; }

# ref_row LABEL BYTES REF_MBPS REF_TEXT [NOTE]: a reference tool, compared to the SPEC figure
ref_row() {
    if [ "$EXIT" -ne 0 ]; then
        row "$1" "failed (exit $EXIT)" "-" "$4" "see $LOG/"
        return
    fi
    r=$(mbps "$2" "$WALL")
    pct=$(awk -v a="$r" -v b="$3" 'BEGIN { printf "%.0f%% of the SPEC figure", 100 * a / b }')
    row "$1" "$r MB/s" "$(mib "$RSS_KB") MiB" "$4" "$pct${5:+; $5}"
}

# target_row LABEL BYTES MIN_MBPS MAX_RSS_MIB(0 = none) TEXT EXPECTED_EXIT [NOTE]
target_row() {
    if [ "$EXIT" -ne "$6" ]; then
        row "$1" "failed (exit $EXIT)" "-" "$5" "expected exit $6; see $LOG/$7"
        FAILED=$((FAILED + 1))
        return
    fi
    r=$(mbps "$2" "$WALL")
    m=$(mib "$RSS_KB")
    v=$(awk -v r="$r" -v t="$3" -v m="$m" -v mx="$4" 'BEGIN {
        s = (r >= t) ? "meets" : "BELOW";
        if (mx > 0 && m > mx) s = s ", RSS OVER";
        print s }')
    row "$1" "$r MB/s" "$m MiB" "$5" "$v${8:+; $8}"
}

FAILED=0
NPROC=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
if [ -x "$PAPYRA" ]; then
    PVER=$("$PAPYRA" --version 2>/dev/null | head -n 1)
else
    PVER="not found: the papyra rows will fail"
fi

echo
echo "papyra bench - $(date -u '+%Y-%m-%d %H:%M:%S UTC') - $NPROC cores${CPU:+, $CPU}"
echo "binary: $PAPYRA (${PVER:-unknown version})"
echo "file:   $CLEAN ($SIZE bytes, in page cache); MB = 10^6 bytes, RSS = peak resident set (MiB)"
echo
row "what" "throughput" "peak RSS" "SPEC section 11" "check"
row "----" "----------" "--------" "---------------" "-----"

# wc -l: the ceiling
mrun wc "$B/wc.out" wc -l "$CLEAN"
RECORDS=$(awk '{ print $1; exit }' "$B/wc.out" 2>/dev/null)
ref_row "wc -l" "$SIZE" 11000 "~11 GB/s (the ceiling)"

# cJSON, parse + free per line
if [ "$HAVE_CJSON" = 1 ]; then
    mrun cjson "$B/cjson.out" "$B/cjson_lines" "$CLEAN"
    ref_row "cJSON, parse + free per line" "$SIZE" 300 "~300 MB/s" "$(cat "$B/cjson.out" 2>/dev/null)"
else
    row "cJSON, parse + free per line" "not built" "-" "~300 MB/s" "libcjson missing"
fi

# jq
if command -v jq > /dev/null 2>&1; then
    mrun jq "$B/jq.out" jq -c . "$JQFILE"
    if [ "$EXIT" -eq 0 ]; then
        est=$(awk -v s="$SIZE" -v b="$JQSIZE" -v w="$WALL" 'BEGIN { printf "whole file: ~%.0f s", w * s / b }')
    else
        est=""
    fi
    ref_row "$JQ_LABEL" "$JQSIZE" 32 "~32 MB/s" "$est"
    rm -f "$B/jq.out"
else
    row "$JQ_LABEL" "not installed" "-" "~32 MB/s" ""
fi

# papyra persistence scan
mrun scan "$B/scan.out" "$PAPYRA" persistence scan --path "$CLEAN"
target_row "papyra persistence scan" "$SIZE" 1500 16 ">= 1500 MB/s, RSS <= 16 MB (Papyra 2.7)" 0 scan.err

# papyra persistence recover --mode repair, on a fresh copy of the damaged file
[ -x "$PAPYRA" ] && cp "$CORRUPT" "$WORK_REPAIR" && { sync "$WORK_REPAIR" 2>/dev/null || sync; }
CLINES=$(wc -l < "$CORRUPT" | tr -d ' ')
mrun repair "$B/repair.out" "$PAPYRA" persistence recover --path "$WORK_REPAIR" --mode repair
note=""
if [ "$EXIT" -eq 0 ] && [ -f "$WORK_REPAIR" ]; then
    after=$(wc -l < "$WORK_REPAIR" | tr -d ' ')
    note="dropped $((CLINES - after)) of $CORRUPT_LINES damaged lines"
fi
target_row "papyra persistence recover --mode repair" "$CSIZE" 500 16 ">= 500 MB/s, memory bounded (Papyra 1)" 0 repair.err "$note"
rm -f "$WORK_REPAIR"

# papyra persistence compact --max-records N/2, on a fresh copy of the clean file
case ${RECORDS:-x} in
    '' | *[!0-9]*) RECORDS=0 ;;
esac
HALF=$((RECORDS / 2))
[ -x "$PAPYRA" ] && cp "$CLEAN" "$WORK_COMPACT" && { sync "$WORK_COMPACT" 2>/dev/null || sync; }
mrun compact "$B/compact.out" "$PAPYRA" persistence compact --path "$WORK_COMPACT" --max-records "$HALF"
note=""
if [ "$EXIT" -eq 0 ] && [ -f "$WORK_COMPACT" ]; then
    after=$(wc -l < "$WORK_COMPACT" | tr -d ' ')
    note="kept $after of $RECORDS records (asked $HALF)"
fi
target_row "papyra persistence compact --max-records N/2" "$SIZE" 500 16 ">= 500 MB/s, memory bounded" 0 compact.err "$note"
rm -f "$WORK_COMPACT"

# papyra inspect events --limit 10
mrun inspect_events "$B/inspect-events.out" "$PAPYRA" inspect events --path "$CLEAN" --limit 10
target_row "papyra inspect events --limit 10" "$SIZE" 500 32 ">= 500 MB/s, RSS <= 32 MB" 0 inspect_events.err

# papyra persistence inspect
mrun pinspect "$B/persistence-inspect.out" "$PAPYRA" persistence inspect --path "$CLEAN"
target_row "papyra persistence inspect" "$SIZE" 500 32 ">= 500 MB/s, RSS <= 32 MB" 0 pinspect.err

echo
echo "outputs and stderr of each run: $B/*.out, $LOG/*.err"

# ---------------------------------------------------------------- console
# The console figures (first screen, full index, RSS on the same file) come
# from bench/console-bench.sh, called as:
#   sh bench/console-bench.sh PAPYRA_BINARY FILE
# with BENCH_FILE, BENCH_BUILD (build/bench, where measure lives) and
# PAPYRA_BINARY also in the environment.
echo
if [ -f bench/console-bench.sh ]; then
    echo "console (bench/console-bench.sh):"
    BENCH_FILE=$CLEAN BENCH_BUILD=$B PAPYRA_BINARY=$PAPYRA \
        sh bench/console-bench.sh "$PAPYRA" "$CLEAN" || {
        rc=$?
        echo "console: failed (exit $rc)"
        FAILED=$((FAILED + 1))
    }
else
    echo "console: bench/console-bench.sh is not there yet, console figures not measured"
fi

# ---------------------------------------------------------------- following
# The delay from an append to the screen and the CPU of an idle follow
# (bench/follow-bench.sh: the console in tmux, a writer appending).
echo
echo "following a live file (bench/follow-bench.sh):"
sh bench/follow-bench.sh "$PAPYRA" 100 || {
    rc=$?
    echo "following: failed (exit $rc)"
    FAILED=$((FAILED + 1))
}

# ---------------------------------------------------------------- anomalies
# Figures that grow with the number of anomalies (bench/anomaly-bench.sh).
echo
echo "many anomalies (bench/anomaly-bench.sh):"
BENCH_BUILD=$B sh bench/anomaly-bench.sh "$PAPYRA" || {
    rc=$?
    echo "anomalies: failed (exit $rc)"
    FAILED=$((FAILED + 1))
}

# ---------------------------------------------------------------- redis
# Scan and repair throughput against a local redis-server it starts itself.
echo
if command -v redis-server >/dev/null 2>&1; then
    echo "redis (bench/redis-bench.sh):"
    sh bench/redis-bench.sh "$PAPYRA" || {
        rc=$?
        echo "redis: failed (exit $rc)"
        FAILED=$((FAILED + 1))
    }
else
    echo "redis: redis-server is not installed, Redis figures not measured"
fi

if [ "$FAILED" -gt 0 ]; then
    echo
    echo "bench: $FAILED measurement(s) failed"
    exit 1
fi
exit 0
