#!/bin/sh
# The torture suite (issue 8, SPEC §4 "the store is live"): recovery and
# compaction against a live writer, killed at every syscall, and under
# injected I/O errors and a really full filesystem.
#
#   sh tests/torture/run.sh PAPYRA TBIN [GROUP...]
#
# PAPYRA is the binary under test, TBIN the directory holding the harness
# (writer, check).  GROUPs: live held crash fault fullfs (default: all).
# TORTURE_RUNS sets the number of live runs per case (default 1000, the
# issue's figure); TORTURE_KEEP=1 keeps the scratch copy of a failed run.
# Prints a table (case x outcome) and a closing "torture: N passed, N
# failed" line; exits non-zero when anything failed.
PAPYRA=${1:?usage: run.sh PAPYRA TBIN [GROUP...]}
TBIN=${2:?usage: run.sh PAPYRA TBIN [GROUP...]}
shift 2
case $PAPYRA in /*) ;; *) PAPYRA=$(pwd)/$PAPYRA ;; esac
case $TBIN in /*) ;; *) TBIN=$(pwd)/$TBIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export LC_ALL=C.UTF-8 TZ=UTC
unset PAPYRA_BACKEND PAPYRA_PATH PAPYRA_CONFIG NO_COLOR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/papyra-torture.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
: > "$WORK/tally"
: > "$WORK/failures"
RUNS=${TORTURE_RUNS:-1000}
. "$ROOT/tests/torture/lib.sh"
. "$ROOT/tests/torture/live.sh"
[ -f "$ROOT/tests/torture/crash.sh" ] && . "$ROOT/tests/torture/crash.sh"
. "$ROOT/tests/torture/held.sh"

groups=${*:-live held crash fault fullfs}
for g in $groups; do
	case $g in
	live)
		live_case json-repair "$RUNS" json repair
		live_case json-quarantine "$RUNS" json quarantine
		live_case json-compact "$RUNS" json compact
		live_case rot-repair "$RUNS" rotating repair
		live_case rot-quarantine "$RUNS" rotating quarantine
		live_case rot-compact "$RUNS" rotating compact
		live_case json-repair-split $((RUNS / 10 + 1)) json repair --split
		live_case json-repair-hold $((RUNS / 100 + 2)) json repair --mode hold
		;;
	held)
		held_case json-repair-held-open $((RUNS / 25 + 1)) json repair
		held_case rot-repair-held-open $((RUNS / 25 + 1)) rotating repair
		held_case json-quarantine-held-open $((RUNS / 50 + 1)) json quarantine
		held_case json-compact-held-open $((RUNS / 50 + 1)) json compact
		held_case rot-compact-held-open $((RUNS / 50 + 1)) rotating compact
		;;
	crash) crash_all ;;
	fault) fault_all ;;
	fullfs) fullfs_all ;;
	*) echo "torture: unknown group $g" >&2; exit 64 ;;
	esac
done

echo "torture table (case: outcome x runs)"
awk '{ n[$1]++; c[$1 " " $2]++; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
	END {
		for (i = 1; i <= k; i++) {
			line = sprintf("  %-28s %5d runs:", order[i], n[order[i]])
			for (key in c) { split(key, p, " "); if (p[1] == order[i]) line = line sprintf("  %s=%d", p[2], c[key]) }
			print line
		}
	}' "$WORK/tally"
for f in "$WORK"/caught.*; do
	[ -s "$f" ] || continue
	awk -v n="${f##*/caught.}" '{ s += $1; if ($1 > 0) k++ } END { printf "  %-28s caught up %d appended lines in %d runs\n", n, s, k }' "$f"
done
if [ -s "$WORK/refusals" ]; then
	echo "refusal reasons (first of each kind):"
	sed -E 's/[0-9]+/N/g' "$WORK/refusals" | sort | uniq -c | sort -rn | head -8 | cut -c1-200
fi
pass=$(grep -cEv ' (LOST|refused\+LOST:.*|WRITER-ERROR|FAIL.*)$' "$WORK/tally")
fail=$(grep -cE ' (LOST|refused\+LOST:.*|WRITER-ERROR|FAIL.*)$' "$WORK/tally")
echo "torture: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
