#!/bin/sh
# Black-box tests: run every tests/cli/t_*.sh against the given binary.
# Prints one closing line "cli: N passed, N failed".  Further arguments
# name scripts to run alone (run.sh BIN t_live.sh t_redis.sh), for work on
# one area; `make cli` always runs them all.
PAPYRA=${1:?usage: run.sh PATH_TO_PAPYRA [t_NAME.sh ...]}
shift
ONLY="$*"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX=$ROOT/tests/fixtures
export PAPYRA ROOT FIX LC_ALL=C.UTF-8 TZ=UTC
unset PAPYRA_BACKEND PAPYRA_PATH PAPYRA_CONFIG NO_COLOR
# the JSON reports the tests produce (lib.sh keep_json_report), validated at the end
REPORTS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/papyra-reports.XXXXXX")
export REPORTS_DIR
trap 'rm -rf "$REPORTS_DIR"' EXIT
total_pass=0; total_fail=0
for t in "$ROOT"/tests/cli/t_*.sh; do
	[ -e "$t" ] || continue
	if [ -n "$ONLY" ]; then
		case " $ONLY " in *" $(basename "$t") "*) ;; *) continue ;; esac
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/papyra-cli.XXXXXX")
	res=$(
		cd "$TMP" || exit 1
		T_PASS=0; T_FAIL=0; T_FILE=$(basename "$t")
		. "$ROOT/tests/cli/lib.sh"
		. "$t"
		echo "@@ $T_PASS $T_FAIL"
	)
	chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"
	printf '%s\n' "$res" | grep -v '^@@ '
	counts=$(printf '%s\n' "$res" | grep '^@@ ' | tail -1)
	if [ -z "$counts" ]; then
		echo "  FAIL [$(basename "$t")] the script died before finishing"
		total_fail=$((total_fail + 1))
		continue
	fi
	set -- $counts
	echo "$(basename "$t"): $2 passed, $3 failed"
	total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
done
# every JSON report of the run against share/papyra/report.schema.json (Debian's
# python3-jsonschema: /usr/bin/python3, not a python3 earlier on PATH)
nrep=$(find "$REPORTS_DIR" -name '*.json' | wc -l)
# (about 100 today: far fewer means the collecting hook broke)
if [ -n "$ONLY" ] && [ "$nrep" -eq 0 ]; then
	: # a chosen script that writes no JSON report
elif [ -z "$ONLY" ] && [ "$nrep" -lt 50 ]; then
	echo "  FAIL [reports] only $nrep JSON reports were collected"
	total_fail=$((total_fail + 1))
elif /usr/bin/python3 "$ROOT/tests/cli/validate_reports.py" "$ROOT/share/papyra/report.schema.json" "$REPORTS_DIR" \
	>"$REPORTS_DIR/.log" 2>&1; then
	total_pass=$((total_pass + 1))
	tail -1 "$REPORTS_DIR/.log"
else
	head -200 "$REPORTS_DIR/.log"
	echo "  FAIL [reports] JSON reports that do not match share/papyra/report.schema.json"
	total_fail=$((total_fail + 1))
fi
echo "cli: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
