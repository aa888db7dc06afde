# SARIF 2.1.0 and GitLab Code Quality reports (SPEC §6) for every pipeline
# command and backend.  Every SARIF report made here is checked by the
# SARIF authors' validator (@microsoft/sarif-multitool, installed by
# tests/deps.sh under build/tools): no error and no warning allowed.

MT=$ROOT/build/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
SD=$TMP/sarif
mkdir -p "$SD"
jqt() { _n=$1; _f=$2; shift 2; check_true "$_n" jq -e "$@" "$_f"; }

# --- files: every pipeline command ------------------------------------------------
d=$(fixture json_corrupt_and_truncated); cd "$d"
run persistence scan --path events.ndjson --format json
printf '%s\n' "$OUT" > "$TMP/scan.json"
for spec in "scan:2:persistence scan" "startup:1:persistence startup-check" "doctor:1:doctor run" \
	"batch:1:console --batch"; do
	n=${spec%%:*}; rest=${spec#*:}; want=${rest%%:*}; cmd=${rest#*:}
	run $cmd --path events.ndjson --format sarif --output "$SD/$n.sarif"
	check_rc "$want" "$cmd sarif exit"
	check_out "report written to $SD/$n.sarif (exit $want)" "$cmd sarif summary line"
	f=$SD/$n.sarif
	jqt "$cmd: one run, version 2.1.0" "$f" '.version == "2.1.0" and (.runs | length) == 1'
	jqt "$cmd: driver" "$f" '.runs[0].tool.driver | .name == "papyra" and (.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")) and (.informationUri | startswith("https://"))'
	jqt "$cmd: one rule per anomaly type" "$f" '[.runs[0].tool.driver.rules[].id] == ["TRUNCATED_LINE","PARTIAL_WRITE","CORRUPTED_LINE","ORPHANED_ROTATED_FILE","UNEXPECTED_FILE","SCHEMA_MISMATCH","MISSING_DATA"]'
	jqt "$cmd: rule text from the anomaly table" "$f" '.runs[0].tool.driver.rules[2] | .shortDescription.text == "Line is not a JSON object." and (.help.text | contains("drop the line"))'
	jqt "$cmd: exit code in the invocation" "$f" --argjson w "$want" '.runs[0].invocations[0] | .exitCode == $w and .executionSuccessful'
	jqt "$cmd: two results, each pointing at its line" "$f" '[.runs[0].results[] | [.ruleId, .level, .locations[0].physicalLocation.region.startLine]] == [["CORRUPTED_LINE","error",6],["TRUNCATED_LINE","error",23]]'
	jqt "$cmd: ruleIndex matches ruleId" "$f" '.runs[0] as $r | all($r.results[]; $r.tool.driver.rules[.ruleIndex].id == .ruleId)'
	jqt "$cmd: relative uri on %SRCROOT%" "$f" '.runs[0].results[0].locations[0].physicalLocation.artifactLocation == {"uri": "events.ndjson", "uriBaseId": "%SRCROOT%"}'
	jqt "$cmd: %SRCROOT% is the working directory" "$f" --arg d "file://$d/" '.runs[0].originalUriBaseIds["%SRCROOT%"].uri == $d'
	check_true "$cmd: byte offset and length as in the JSON report" test \
		"$(jq -c '[.runs[0].results[].locations[0].physicalLocation.region | [.byteOffset, .byteLength]]' "$f")" = \
		"$(jq -c '[.scan.anomalies[] | [.offset, .length]]' "$TMP/scan.json")"
	jqt "$cmd: message is the detail" "$f" '.runs[0].results[0].message.text == "Invalid JSON at line 6 (byte 40: unexpected end of line)."'
done
jqt "scan: no notifications without recovery" "$SD/scan.sarif" '.runs[0].invocations[0] | has("toolExecutionNotifications") | not'
jqt "sarif: command in the run properties" "$SD/doctor.sarif" '.runs[0].properties | .command == "doctor run" and .backend == "json" and .exit_code == 1'
run persistence scan --path events.ndjson --format sarif
printf '%s\n' "$OUT" > "$SD/stdout.sarif"
check_true "sarif on stdout without --output" jq -e '.runs[0].results | length == 2' "$SD/stdout.sarif"
run console --batch --path events.ndjson --mode recover --format sarif --output "$SD/plan.sarif"
check_rc 1 "batch plan-only sarif"
jqt "plan shown: notifications say not applied" "$SD/plan.sarif" '[.runs[0].invocations[0].toolExecutionNotifications[] | [.properties.applied, (.message.text | startswith("Planned, not applied: drop_line"))]] == [[false,true],[false,true]]'
run doctor run --mode recover --path ./events.ndjson --format sarif --output "$SD/recovered.sarif"
check_rc 0 "doctor recover sarif"
jqt "recovered: no results left" "$SD/recovered.sarif" '.runs[0].results == []'
jqt "recovered: one note per applied action, at its line" "$SD/recovered.sarif" '[.runs[0].invocations[0].toolExecutionNotifications[] | [.level, .properties.action, .properties.applied, .locations[0].physicalLocation.region.startLine]] == [["note","drop_line",true,6],["note","drop_line",true,23]]'
jqt "recovered: the ./ prefix is not in the uri" "$SD/recovered.sarif" '.runs[0].invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation.uri == "events.ndjson"'
cd "$TMP"

d=$(fixture json_corrupt_middle); cd "$d"
run persistence recover --path events.ndjson --mode quarantine --quarantine-dir q --format sarif --output "$SD/quarantine.sarif"
check_rc 0 "recover quarantine sarif"
jqt "quarantine: the preserved copy is named" "$SD/quarantine.sarif" 'any(.runs[0].invocations[0].toolExecutionNotifications[]; .properties.action == "quarantine_file" and (.properties.to | test("q/events.ndjson.quarantine.[0-9]+$")))'
run persistence startup-check --mode recover --path events.ndjson --format sarif --output "$SD/startup-clean.sarif"
check_rc 0 "startup-check on the repaired file"
cd "$TMP"

# absolute paths become file URIs, percent-encoded; bytes that are not UTF-8 too
mkdir -p "$TMP/a b:c"; printf 'x\n' > "$TMP/a b:c/e.ndjson"; printf '{"a":1}\n\377\n' > "$TMP/a b:c/$(printf '\351').ndjson"
run persistence scan --path "$TMP/a b:c/e.ndjson" --format sarif --output "$SD/abs.sarif"
jqt "absolute path: file URI, no base id" "$SD/abs.sarif" --arg u "file://$TMP/a%20b%3Ac/e.ndjson" '.runs[0].results[0].locations[0].physicalLocation.artifactLocation == {"uri": $u}'
run persistence scan --path "$TMP/a b:c/$(printf '\351').ndjson" --format sarif --output "$SD/latin1.sarif"
jqt "non-UTF-8 path byte percent-encoded" "$SD/latin1.sarif" '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri | endswith("/a%20b%3Ac/%E9.ndjson")'

# --- rotating sets ------------------------------------------------------------------
ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
d=$(fixture rot_corrupt); cd "$d"
run persistence scan $ROT --format sarif --output "$SD/rot.sarif"
check_rc 2 "rotating sarif"
jqt "rotating: each member by name and line" "$SD/rot.sarif" '[.runs[0].results[] | [.locations[0].physicalLocation.artifactLocation.uri, .locations[0].physicalLocation.region.startLine]] == [["rot.log.2",8],["rot.log.1",3],["rot.log",5]]'
run persistence scan $ROT --format gitlab
check_true "rotating gitlab: member and line" test "$(printf '%s' "$OUT" | jq -c '[.[].location | [.path, .lines.begin]]')" = '[["rot.log.2",8],["rot.log.1",3],["rot.log",5]]'
cd "$TMP"
d=$(fixture rot_orphan_7); cd "$d"
run persistence scan $ROT --format sarif --output "$SD/orphan.sarif"
jqt "orphan: a whole-file location, no region" "$SD/orphan.sarif" '.runs[0].results[0] | .ruleId == "ORPHANED_ROTATED_FILE" and (.locations[0].physicalLocation | has("region") | not) and .locations[0].physicalLocation.artifactLocation.uri == "rot.log.7"'
run persistence scan $ROT --format gitlab
check_true "orphan gitlab: line 1, minor" test "$(printf '%s' "$OUT" | jq -c '.[0] | [.location.path, .location.lines.begin, .severity]')" = '["rot.log.7",1,"minor"]'
run doctor run --mode recover --recovery-mode quarantine --quarantine-dir "$TMP/q7" $ROT --format sarif --output "$SD/orphan-moved.sarif"
check_rc 0 "orphan quarantined"
jqt "orphan moved: a move_orphan note" "$SD/orphan-moved.sarif" 'any(.runs[0].invocations[0].toolExecutionNotifications[]; .properties.action == "move_orphan")'
cd "$TMP"

# --- GitLab Code Quality -------------------------------------------------------------
d=$(fixture json_corrupt_and_truncated); cd "$d"
run persistence scan --path events.ndjson --format gitlab --output "$TMP/gl.json"
check_rc 2 "gitlab scan exit"
check_out "report written to $TMP/gl.json (exit 2)" "gitlab summary line"
check_true "gitlab: an array of exactly the documented fields" jq -e 'type == "array" and length == 2 and all(.[]; (keys == ["check_name","description","fingerprint","location","severity"]) and (.location | keys == ["lines","path"]) and (.location.lines | keys == ["begin"]))' "$TMP/gl.json"
check_true "gitlab: types, lines, severities" test "$(jq -c '[.[] | [.check_name, .location.path, .location.lines.begin, .severity]]' "$TMP/gl.json")" = \
	'[["CORRUPTED_LINE","events.ndjson",6,"critical"],["TRUNCATED_LINE","events.ndjson",23,"major"]]'
check_true "gitlab: description names type and detail" jq -e '.[0].description == "CORRUPTED_LINE: Invalid JSON at line 6 (byte 40: unexpected end of line)"' "$TMP/gl.json"
check_true "gitlab: fingerprints are 64 hex digits, distinct" jq -e '(map(.fingerprint | test("^[0-9a-f]{64}$")) | all) and (map(.fingerprint) | unique | length) == 2' "$TMP/gl.json"
check_true "gitlab: fingerprint is the documented hash" test "$(jq -r '.[0].fingerprint' "$TMP/gl.json")" = \
	"$(printf 'CORRUPTED_LINE\000events.ndjson\000line 6\000Invalid JSON at line 6 (byte 40: unexpected end of line)' | sha256sum | cut -c1-64)"
fp=$(jq -c 'map(.fingerprint)' "$TMP/gl.json")
for cmd in "doctor run" "persistence startup-check" "console --batch"; do
	run $cmd --path ./events.ndjson --format gitlab
	check_true "gitlab: $cmd gives the same fingerprints" test "$(printf '%s' "$OUT" | jq -c 'map(.fingerprint)')" = "$fp"
done
jqt "sarif carries the same fingerprint" "$SD/scan.sarif" --argjson fp "$fp" '[.runs[0].results[].partialFingerprints["papyraAnomaly/v1"]] == $fp'
# the same damage one line further down is a new issue; the untouched one keeps its fingerprint
{ head -1 events.ndjson; cat events.ndjson; } > moved.ndjson
run persistence scan --path moved.ndjson --format gitlab
check_true "gitlab: moved damage, new fingerprints" test "$(printf '%s' "$OUT" | jq -c --argjson fp "$fp" '[.[].fingerprint] - $fp | length')" = 2
run doctor run --mode recover --path events.ndjson --format gitlab
check_rc 0 "gitlab after recovery"
check_true "gitlab: fixed means an empty array" test "$OUT" = "[]"
cd "$TMP"
d=$(fixture json_clean); cd "$d"
run persistence scan --path events.ndjson --format gitlab
check_true "gitlab: clean is []" test "$OUT" = "[]"
run persistence scan --path events.ndjson --format sarif --output "$SD/clean.sarif"
check_rc 0 "sarif clean"
jqt "sarif clean: no results, rules still listed" "$SD/clean.sarif" '(.runs[0].results == []) and (.runs[0].tool.driver.rules | length) == 7'
run persistence scan --path events.ndjson --format codeclimate
check_rc 64 "unknown format"
check_err "(text, json, junit, github, sarif, gitlab)" "formats listed"
cd "$TMP"

# --- Redis: stream key and entry id as logical locations ---------------------------------
. "$ROOT/tests/cli/redis.sh"
if redis_available; then
	load redis_corrupt
	run persistence scan $R --format sarif --output "$SD/redis.sarif"
	check_rc 2 "redis sarif"
	jqt "redis: logical location key/id, no physical location" "$SD/redis.sarif" '.runs[0].results[0].locations[0] == {"logicalLocations": [{"name": "1767225600015-0", "fullyQualifiedName": "papyra:local:events/1767225600015-0", "kind": "object"}]}'
	jqt "redis: six results" "$SD/redis.sarif" '.runs[0].results | length == 6'
	run persistence scan $R --format gitlab
	check_true "redis gitlab: stream key and position" test "$(printf '%s' "$OUT" | jq -c '.[0].location')" = '{"path":"papyra:local:events","lines":{"begin":16}}'
	run doctor run --mode recover $R --format sarif --output "$SD/redis-recovered.sarif"
	check_rc 0 "redis recover sarif"
	jqt "redis: delete_entry notes name the entry" "$SD/redis-recovered.sarif" 'any(.runs[0].invocations[0].toolExecutionNotifications[]; .properties.action == "delete_entry" and .locations[0].logicalLocations[0].fullyQualifiedName == "papyra:local:events/1767225600016-0")'
	redis_stop
fi

# --- the validator, on every report above ----------------------------------------------
# --- a missing store under --require-data: a blocker, and valid SARIF -------------
mkdir -p "$TMP/nodata"; cd "$TMP/nodata"
run persistence scan --path events.ndjson --require-data --format gitlab
check_rc 2 "missing store, --require-data: gitlab exit"
check_true "missing store: one MISSING_DATA issue, blocker" test "$(printf '%s' "$OUT" | jq -c '[.[] | [.check_name, .location.path, .severity]]')" = '[["MISSING_DATA","events.ndjson","blocker"]]'
run persistence scan --path events.ndjson --require-data --format sarif --output "$SD/missing.sarif"
check_rc 2 "missing store, --require-data: sarif exit"
jqt "missing store: the MISSING_DATA result" "$SD/missing.sarif" '[.runs[0].results[].ruleId] == ["MISSING_DATA"]'
cd "$TMP"

# DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: the validator needs no ICU that way
validate() {
	rm -f "$TMP/v.sarif"
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$MT" validate "$@" --level "Error;Warning" \
		-o "$TMP/v.sarif" --log ForceOverwrite >"$TMP/v.txt" 2>&1
}
if [ ! -x "$MT" ]; then
	ko "SARIF validator missing: run 'sh tests/deps.sh' (npm @microsoft/sarif-multitool)"
else
	n=$(ls "$SD"/*.sarif | wc -l)
	validate "$SD"/*.sarif
	check_true "validator ran on all $n reports" jq -e '.runs[0].invocations[0].executionSuccessful' "$TMP/v.sarif"
	check_true "validator read all $n reports" grep -q "Done. $n files scanned." "$TMP/v.txt"
	check_true "no SARIF errors or warnings in $n reports" jq -e '[.runs[0].results[] | select(.level == "error" or .level == "warning")] | length == 0' "$TMP/v.sarif"
	[ -s "$TMP/v.sarif" ] && jq -r '.runs[0].results[] | select(.level == "error" or .level == "warning") | "\(.ruleId): \(.message.text // .message.arguments)"' "$TMP/v.sarif" | head -5
	# the check above can fail: a report without the driver's name is refused
	jq 'del(.runs[0].tool.driver.name)' "$SD/scan.sarif" > "$TMP/bad.sarif"
	validate "$TMP/bad.sarif"
	check_true "validator rejects a broken report" jq -e 'any(.runs[0].results[]; .level == "error")' "$TMP/v.sarif"
fi
