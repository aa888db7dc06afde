# Many anomalies (issue 9 item 6, SPEC §8 bounded memory): past the number
# a report keeps in memory (SCAN_REPORT_MEM_MAX, 4096) the anomalies come
# back from disk, in order, to every format; repair drops every line; the
# GitHub cap still summarises per file.  Memory itself is measured by
# `make bench` (bench/anomaly-bench.sh), not here.
N=6000
awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) printf "{\"kind\": \"event\", \"timestamp\": %d, \"event_type\": \"X\"}\nbad %d\n", i, i }' >many.ndjson
LINES=$((2 * N))

run persistence scan --path many.ndjson
check_rc 2 "scan: anomalies"
check_true "text: every anomaly listed, in order" test "$(printf '%s\n' "$OUT" | grep -c '^✖ - CORRUPTED_LINE')" = $N
check_true "text: the last one is line $LINES" grep -q "line $LINES (byte" "$TMP/.out"
check_out "Found $N persistence anomalies" "text: the exact count"

run persistence scan --path many.ndjson --format json
check_rc 2 "json scan"
check_true "json: all $N anomalies, lines 2, 4, ... $LINES" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.anomalies | length, .[0].line, .[4095].line, .[4096].line, .[-1].line]')" = \
	"[$N,2,8192,8194,$LINES]"

run persistence scan --path many.ndjson --format sarif
check_true "sarif: all $N results" test "$(printf '%s' "$OUT" | jq '.runs[0].results | length')" = $N
run persistence scan --path many.ndjson --format gitlab
check_true "gitlab: all $N issues, the last at line $LINES" test \
	"$(printf '%s' "$OUT" | jq -c '[length, .[-1].location.lines.begin]')" = "[$N,$LINES]"
run persistence scan --path many.ndjson --format junit
check_true "junit: the failure counts $N" grep -q "message=\"$N persistence anomalies\"" "$TMP/.out"
run persistence scan --path many.ndjson --format github
check_true "github: 50 annotations, then one summary for the rest" test \
	"$(printf '%s\n' "$OUT" | grep -c '^::error file=many.ndjson,line=')" = 50
check_out "::papyra: $((N - 50)) more persistence anomalies in many.ndjson" "github: the rest summarised"

cp many.ndjson repair.ndjson
run persistence recover --path repair.ndjson --mode repair --format json
check_rc 0 "repair: every damaged line dropped"
check_true "repair: $N drop_line actions" test \
	"$(printf '%s' "$OUT" | jq '[.actions[] | select(.action == "drop_line")] | length')" = $N
check_true "repair: the records kept byte for byte" test \
	"$(grep -v '^bad' many.ndjson | cksum)" = "$(cksum <repair.ndjson)"

# adjacent damaged lines: one range in the plan, every line in the report
# and the journal, each with its own offset
awk 'BEGIN { print "{\"kind\": \"event\", \"timestamp\": 1, \"event_type\": \"X\"}";
	for (i = 1; i <= 5000; i++) printf "bad%d\n", i % 10;
	print "{\"kind\": \"event\", \"timestamp\": 2, \"event_type\": \"X\"}" }' >run.ndjson
cp run.ndjson run0.ndjson
run persistence recover --path run.ndjson --mode repair --format json --journal "$TMP/run-journal.ndjson"
check_rc 0 "run of 5000 damaged lines repaired"
check_true "report: 5000 drop_line actions, lines 2..5001, offsets one after the other" test \
	"$(printf '%s' "$OUT" | jq -c '[.actions | length, .[0].line, .[0].offset, .[1].offset, .[-1].line, .[-1].offset, .[-1].length,
		all(.[]; .applied)]')" = "[5000,2,53,58,5001,25048,4,true]"
check_true "journal: every dropped line, counted in lines" test \
	"$(jq -c '[(.dropped | length), .lines_dropped, .actions_planned, .actions_applied, .files[0].lines_after]' "$TMP/run-journal.ndjson")" = \
	"[5000,5000,5000,5000,2]"
check_true "repair: the two records kept byte for byte" test "$(grep -v '^bad' run0.ndjson | cksum)" = "$(cksum <run.ndjson)"
cp run0.ndjson run.ndjson
run persistence recover --path run.ndjson --mode repair
check_true "text: every line listed" test "$(printf '%s\n' "$OUT" | grep -c 'drop_line: run.ndjson line')" = 5000
