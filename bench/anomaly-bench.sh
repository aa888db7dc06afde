#!/bin/sh
# Figures that depend on the number of anomalies, not on the bytes
# (issue 9): the console's recovery plan on a file of 100k damaged lines
# against the CLI computing the same plan, stepping with "same for the
# rest", and peak RSS of scan, repair and the JSON report on a file of
# 2 M damaged lines (SPEC §8: bounded memory).  Every line of these files
# is damaged ("x"), the worst case for anything kept per anomaly; a last
# row repairs half as many damaged lines scattered between good ones.
#
#   sh bench/anomaly-bench.sh PAPYRA
# with BENCH_BUILD (where measure lives, default build/bench).
PAPYRA=${1:?usage: anomaly-bench.sh PAPYRA}
B=${BENCH_BUILD:-build/bench}
MEASURE=$B/measure
PLAN_LINES=${BENCH_PLAN_LINES:-100000}
MEM_LINES=${BENCH_MEM_LINES:-2000000}
if [ ! -x "$MEASURE" ]; then
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -o "$MEASURE" bench/measure.c || exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/papyra-anomaly-bench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
yes x | head -n "$PLAN_LINES" >"$W/plan.ndjson"
yes x | head -n "$MEM_LINES" >"$W/mem.ndjson"

# m NAME EXPECTED_EXIT cmd...: sets WALL and RSS (MiB) of one run, or fails
FAILED=0
m() {
	_n=$1 _x=$2
	shift 2
	"$MEASURE" --stdin /dev/null --stdout "$W/$_n.out" -- "$@" 2>"$W/$_n.err"
	_l=$(grep '^wall_s=' "$W/$_n.err" | tail -n 1)
	WALL=$(printf '%s\n' "$_l" | sed -n 's/.*wall_s=\([^ ]*\).*/\1/p')
	RSS=$(printf '%s\n' "$_l" | sed -n 's/.*maxrss_kb=\([^ ]*\).*/\1/p' | awk '{ printf "%.1f", $1 / 1024 }')
	_e=$(printf '%s\n' "$_l" | sed -n 's/.*exit=\([^ ]*\).*/\1/p')
	if [ "${_e:-255}" != "$_x" ]; then
		echo "  $_n: failed (exit ${_e:-?}, expected $_x; see $W/$_n.err)"
		FAILED=$((FAILED + 1))
		return 1
	fi
	return 0
}

# the console under its screen-test mode; PAPYRA_TEST_TIMING says when the
# index was complete, so the plan's own time is the rest of the run
con() {
	_n=$1 _keys=$2
	m "$_n" 0 env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 PAPYRA_TEST_SCREEN=1 \
		PAPYRA_TEST_SIZE=120x40 PAPYRA_TEST_KEYS="$_keys" PAPYRA_TEST_TIMING="$W/$_n.timing" \
		XDG_STATE_HOME="$W/state" "$PAPYRA" console --path "$W/plan.ndjson" || return 1
	IDX=$(awk '$1 == "full_index_ms" { print $2 / 1000 }' "$W/$_n.timing")
	return 0
}

echo "  $PLAN_LINES damaged lines ($(wc -c <"$W/plan.ndjson") bytes):"
if m cli_plan 1 "$PAPYRA" console --batch --mode recover --path "$W/plan.ndjson"; then
	CLI=$WALL
	printf '  %-44s %8.2f s\n' "CLI plan (console --batch --mode recover)" "$CLI"
fi
if con plan "R Enter Esc q"; then
	awk -v w="$WALL" -v i="$IDX" -v c="${CLI:-0}" 'BEGIN {
		p = w - i; printf "  %-44s %8.2f s   target < 2 s or < 5x the CLI   %s   (index %.2f s, whole run %.2f s)\n",
			"console: recovery plan shown", p, (p < 2 || (c > 0 && p < 5 * c)) ? "ok" : "MISSED", i, w }'
fi
if con step "R Enter s Space y Esc q"; then
	awk -v w="$WALL" -v i="$IDX" 'BEGIN {
		p = w - i; printf "  %-44s %8.2f s   target: at once (< 2 s)          %s\n",
			"console: plan + step, same for the rest", p, p < 2 ? "ok" : "MISSED" }'
fi

echo "  $MEM_LINES damaged lines ($(wc -c <"$W/mem.ndjson") bytes), peak RSS, target <= 64 MiB:"
row() { awk -v r="$RSS" -v w="$WALL" -v n="$1" 'BEGIN {
	printf "  %-44s %8.1f MiB  %s   (%.2f s)\n", n, r, r <= 64 ? "ok" : "OVER", w }'; }
m scan 2 "$PAPYRA" persistence scan --path "$W/mem.ndjson" && row "persistence scan"
m json 2 "$PAPYRA" persistence scan --path "$W/mem.ndjson" --format json && row "persistence scan --format json"
cp "$W/mem.ndjson" "$W/repair.ndjson"
m repair 0 "$PAPYRA" persistence recover --path "$W/repair.ndjson" --mode repair && row "persistence recover --mode repair"
# scattered damage: every other line damaged, so no run of drops merges
# into one action (the plan holds one per line: not bounded yet)
SCATTER=$((MEM_LINES / 2))
awk -v n="$SCATTER" 'BEGIN { for (i = 0; i < n; i++) printf "{\"kind\": \"event\", \"n\": %d}\nx\n", i }' >"$W/scatter.ndjson"
m scatter 0 "$PAPYRA" persistence recover --path "$W/scatter.ndjson" --mode repair &&
	row "recover --mode repair, $SCATTER scattered"
[ "$FAILED" -eq 0 ]
