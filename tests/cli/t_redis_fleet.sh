# A fleet (issue 10 item 4), against a real redis-server: several systems
# under one prefix, two of them damaged; --system-id 'pay-*' and '*' run
# scan, recover, startup-check, doctor run, compact and console --batch
# once per system with one report (text sections and totals, JSON with
# the schema's fleet form, JUnit a suite per system, GitHub titled, SARIF
# a run per system, GitLab one array), the exit code the worst; a
# pattern that matches nothing names the ids there are; a plain id is a
# plain run.  The glob on a 3-master cluster: t_redis_cluster.sh.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

fleet() {
	rcli flushall >/dev/null
	load_as redis_clean pay-1
	load_as redis_corrupt pay-2
	load_as redis_clean pay-3
	load_as redis_corrupt ops-1
}
j() { printf '%s' "$OUT" | jq -c "$1"; }

# --- scan, every format ------------------------------------------------------------
fleet
run persistence scan $R --system-id 'pay-*'
check_rc 2 "scan pay-*: the worst system decides"
check_out "System pay-1 (1 of 3)" "text: a section per system"
check_out "System pay-3 (3 of 3)" "text: the third"
check_out "Found 6 persistence anomalies:" "text: pay-2's anomalies"
check_out "- CORRUPTED_LINE: papyra:pay-2:events (Missing 'data' field" "text: named by stream key"
check_out "Fleet: 3 systems matching 'pay-*': 2 healthy, 1 with anomalies (pay-2); exit 2" "text: the totals"
check_out_not "ops-1" "ops-1 does not match pay-*"

run persistence scan $R --system-id '*' --format json
check_rc 2 "scan *: json"
check_true "json: one report per system, in id order, each with its system_id" test \
	"$(j '[.systems[] | [.system_id, .exit_code, (.scan.anomalies | length), .scan.files[0].path]]')" = \
	'[["ops-1",2,6,"papyra:ops-1:events"],["pay-1",0,0,"papyra:pay-1:events"],["pay-2",2,6,"papyra:pay-2:events"],["pay-3",0,0,"papyra:pay-3:events"]]'
check_true "json: totals and the worst exit code" test \
	"$(j '[.system_glob, .totals, .exit_code]')" = \
	'["*",{"systems":4,"healthy":2,"anomalies_present":2,"no_data":0,"errors":0,"anomalies":12,"with_anomalies":["ops-1","pay-2"]},2]'
printf '%s\n' "$OUT" | jq -c '.totals.extra = 1' >"$TMP/broken-fleet.json"
check_true "the schema refuses a fleet report with a key it does not know" sh -c \
	"! /usr/bin/python3 '$ROOT/tests/cli/validate_reports.py' '$ROOT/share/papyra/report.schema.json' '$TMP/broken-fleet.json' >/dev/null"

run persistence scan $R --system-id 'pay-*' --format junit
check_rc 2 "junit"
printf '%s\n' "$OUT" >"$TMP/fleet.xml"
check_true "junit: valid" xmllint --noout --schema "$ROOT/tests/cli/junit.xsd" "$TMP/fleet.xml"
check_true "junit: a testsuite per system" test "$(grep -c '<testsuite name="papyra persistence scan system pay-' "$TMP/fleet.xml")" = 3
check_true "junit: one <testsuites>" test "$(grep -c '<testsuites>' "$TMP/fleet.xml")" = 1
check_out '<testcase classname="papyra.persistence-scan" name="papyra:pay-2:events"' "junit: a test case per stream"
check_out '<property name="system_id" value="pay-2"/>' "junit: the suite's system"
run persistence scan $R --system-id 'pay-*' --format github
check_out "::error file=papyra%3Apay-2%3Aevents,title=papyra system pay-2::CORRUPTED_LINE" "github: titled with the system"
check_out "::notice title=papyra system pay-1::papyra: persistence is healthy" "github: a healthy system"
check_out "::error::papyra persistence scan: 3 systems matching 'pay-*': 2 healthy, 1 with anomalies (pay-2); exit 2" \
	"github: the totals"
# $GITHUB_STEP_SUMMARY: one Markdown summary for the whole fleet, appended once
printf '%s\n' "earlier step" >"$TMP/sum.md"
GITHUB_STEP_SUMMARY=$TMP/sum.md run persistence scan $R --system-id 'pay-*' --format github
check_rc 2 "github with a step summary: the worst exit code"
check_true "step summary: the earlier step's line kept" test "$(head -1 "$TMP/sum.md")" = "earlier step"
check_true "step summary: one heading, the fleet's" test \
	"$(grep -c '^### ' "$TMP/sum.md") $(grep '^### ' "$TMP/sum.md")" = "1 ### papyra persistence scan: fleet 'pay-\*', exit 2"
check_true "step summary: the table head" grep -qxF '| system | outcome | anomalies | exit code |' "$TMP/sum.md"
check_true "step summary: pay-1 healthy" grep -qxF '| pay-1 | healthy | 0 | 0 |' "$TMP/sum.md"
check_true "step summary: pay-2's anomalies" grep -qxF '| pay-2 | anomalies present | 6 | 2 |' "$TMP/sum.md"
check_true "step summary: pay-3 healthy" grep -qxF '| pay-3 | healthy | 0 | 0 |' "$TMP/sum.md"
check_true "step summary: the total row" grep -qxF '| **total** | 3 systems | 6 | 2 |' "$TMP/sum.md"
check_true "step summary: the totals line" grep -qxF \
	"Totals: 3 systems matching 'pay-\*': 2 healthy, 1 with anomalies (pay-2); exit 2" "$TMP/sum.md"
check_true "step summary: no system's own summary" test "$(grep -c '^| location |' "$TMP/sum.md")" = 1
check_true "step summary: ops-1 not in it" test "$(grep -c 'ops-1' "$TMP/sum.md")" = 0
GITHUB_STEP_SUMMARY=$TMP/sum.md run persistence scan $R --system-id 'pay-*' --format json
check_true "step summary: only with --format github" test "$(grep -c '^### ' "$TMP/sum.md")" = 1
GITHUB_STEP_SUMMARY=$TMP/sum.md run persistence recover $R --system-id 'pay-*' --format github --journal "$TMP/sum.md"
check_err "no step summary written" "step summary: the journal itself is refused, as for one system"
check_true "step summary: still one heading" test "$(grep -c '^### ' "$TMP/sum.md")" = 1
fleet
run persistence scan $R --system-id 'pay-*' --format sarif
check_true "sarif: a run per system" test "$(j '[.runs[] | [.properties.system_id, (.results | length)]]')" = \
	'[["pay-1",0],["pay-2",6],["pay-3",0]]'
# the SARIF authors' validator (tests/deps.sh installs it; t_ci_formats.sh says when it is missing)
MT=$ROOT/build/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ -x "$MT" ]; then
	printf '%s\n' "$OUT" >"$TMP/fleet.sarif"
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$MT" validate "$TMP/fleet.sarif" --level "Error;Warning" \
		-o "$TMP/v.sarif" --log ForceOverwrite >"$TMP/v.txt" 2>&1
	check_true "sarif: the validator finds no error or warning in the fleet's log" jq -e \
		'.runs[0].invocations[0].executionSuccessful and ([.runs[0].results[] | select(.level == "error" or .level == "warning")] | length == 0)' "$TMP/v.sarif"
fi
run persistence scan $R --system-id '*' --format gitlab
check_true "gitlab: one array of every system's issues" test "$(j 'length')" = 12
check_true "gitlab: descriptions name the system" test \
	"$(j '[.[].description | select(startswith("[system pay-2] "))] | length')" = 6
check_true "gitlab: fingerprints distinct across systems" test "$(j '[.[].fingerprint] | unique | length')" = 12

run persistence scan $R --system-id '*' --format json --output "$TMP/fleet.json"
check_rc 2 "--output"
check_out "persistence scan: 4 systems matching '*': 2 healthy, 2 with anomalies (ops-1, pay-2); exit 2; report written to $TMP/fleet.json (exit 2)" \
	"--output: one summary line"
check_true "--output: the fleet report" test "$(jq -c '[.systems[].system_id]' "$TMP/fleet.json")" = \
	'["ops-1","pay-1","pay-2","pay-3"]'

# --- a plain id is a plain run ----------------------------------------------------------
run persistence scan $R --system-id pay-2 --format json
check_true "plain id: no system_id, no systems" test "$(j '[has("system_id"), has("systems")]')" = '[false,false]'
run persistence scan $R --system-id pay-2
check_out_not "System pay-2" "plain id: no section header"
check_out_not "Fleet:" "plain id: no totals"

# --- the gates, recovery, compaction, console --batch ---------------------------------
run persistence startup-check $R --system-id 'pay-*'
check_rc 1 "startup-check: fail_on_anomaly for pay-2"
run doctor run $R --system-id 'pay-*' --mode recover --format json
check_rc 0 "doctor run --mode recover: every system recovered"
check_true "doctor: pay-2 repaired, per system" test "$(j '[.systems[] | [.system_id, (.actions | length), .exit_code]]')" = \
	'[["pay-1",0,0],["pay-2",6,0],["pay-3",0,0]]'
check_true "doctor: pay-2's events repaired, ops-1 untouched" test \
	"$(rcli xlen papyra:pay-2:events) $(rcli xlen papyra:ops-1:events)" = "15 19"

fleet
run persistence recover $R --system-id '*' --mode quarantine
check_rc 0 "recover --mode quarantine over the fleet"
check_true "each system quarantines into its own default quarantine prefix" test \
	"$(rcli xlen papyra:pay-2:quarantine:papyra_pay-2_events) $(rcli xlen papyra:ops-1:quarantine:papyra_ops-1_events)" = "4 4"
check_true "no quarantine stream under another system" test "$(rcli --scan --pattern '*quarantine*' | grep -c pay-1)" = 0
run persistence scan $R --system-id '*' --format json
check_rc 0 "after the quarantine: every system healthy"
check_true "quarantine streams are not systems" test "$(j '[.systems[].system_id]')" = '["ops-1","pay-1","pay-2","pay-3"]'

fleet
run persistence compact $R --system-id 'pay-*' --max-records 5
check_rc 2 "compact refuses for pay-2 (anomalies), the worst"
check_true "compact: pay-1 and pay-3 compacted, pay-2 refused" test \
	"$(rcli xlen papyra:pay-1:events) $(rcli xlen papyra:pay-2:events) $(rcli xlen papyra:pay-3:events)" = "5 19 5"
check_out "Compaction refused: 6 persistence anomalies present" "compact: pay-2 says why"

fleet
run console --batch $R --system-id '*' --format json
check_rc 1 "console --batch: two systems fail the gate"
check_true "console --batch: per system" test "$(j '[.systems[] | .exit_code]')" = '[1,0,1,0]'
# text: each system's section lists its own records (the hand-off names
# the system, never the pattern), and the command lines run
run console --batch $R --system-id 'pay-*'
check_rc 1 "console --batch text over pay-*"
check_true "console --batch: three systems, three command lines each" test \
	"$(printf '%s\n' "$OUT" | grep -c "papyra inspect .* --system-id pay-[123] --json")" = 9
check_out_not "--system-id 'pay-*' --json" "console --batch: no pattern in a command line"
hcmd=$(printf '%s\n' "$OUT" | sed -n 's/^ℹ     \(papyra inspect events .*--system-id pay-2 --json\)$/\1/p')
handoff_run "$TMP" "$hcmd"
check_true "console --batch: pay-2's events command lists its events" test \
	"$(wc -l <"$TMP/.hout" | tr -d ' ')" -gt 0
run console --batch $R --system-id '*' --mode recover --yes
check_rc 0 "console --batch --mode recover --yes over the fleet"
check_true "console --batch: both damaged systems repaired" test \
	"$(rcli xlen papyra:pay-2:events) $(rcli xlen papyra:ops-1:events)" = "15 15"

# --- a pattern that matches nothing; commands that take one system ---------------------
run persistence scan $R --system-id 'nope-*'
check_rc 0 "nothing matches: nothing to check"
check_out "no system id under prefix 'papyra' matches 'nope-*'" "said"
check_out "system ids under prefix 'papyra': ops-1, pay-1, pay-2, pay-3" "the ids there are"
run persistence scan $R --system-id 'nope-*' --require-data --format json
check_rc 2 "nothing matches, --require-data: MISSING_DATA"
check_true "MISSING_DATA" test "$(j '[.scan.anomalies[].type]')" = '["MISSING_DATA"]'
run inspect events $R --system-id 'pay-*'
check_rc 64 "inspect takes one system"
check_err "only persistence scan, recover, startup-check, compact, doctor run and console --batch cover a fleet" \
	"inspect: said which commands do"
run console $R --system-id 'pay-*'
check_rc 64 "the interactive console over a fleet wants a terminal like any (its Systems view: t_console_systems.sh)"
run persistence scan --backend redis --redis-url redis://127.0.0.1:1/0 --system-id '*'
check_rc 69 "a server that is not there: exit 69, as for a plain id"

# --- one system the user may not read: its error in the fleet's report, the worst code --
fleet
rcli ACL SETUSER p1 on '>p1pw' '~papyra:pay-1:*' '+@read' >/dev/null
run persistence scan --backend redis --redis-url "redis://p1:p1pw@127.0.0.1:$PORT/0" --system-id 'pay-[12]' --format json
check_rc 69 "a system that cannot be read: exit 69 outranks the others"
check_true "its error inside the fleet report, the other scanned" test \
	"$(j '[.systems[] | [.system_id, .exit_code, (.error.message // "" | test("NOPERM"))]]')" = \
	'[["pay-1",0,false],["pay-2",69,true]]'
check_true "totals: one failed" test "$(j '.totals.errors')" = 1
run persistence scan --backend redis --redis-url "redis://p1:p1pw@127.0.0.1:$PORT/0" --system-id 'pay-[12]'
check_out "Fleet: 2 systems matching 'pay-[12]': 1 healthy, 1 failed (pay-2); exit 69" "text: the failed system named"
check_err "NOPERM" "stderr: why"
