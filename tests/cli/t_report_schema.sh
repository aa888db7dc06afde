# The JSON report's schema, share/papyra/report.schema.json (SPEC §6): the
# version keys, the enums equal the tables they come from, one report of
# every shape (each command and exit code, every anomaly type and every
# action a pipeline makes), all valid, and the validator rejects broken
# reports.  Every report made through `run` is also validated by run.sh.

SCHEMA=$ROOT/share/papyra/report.schema.json
VALIDATE="/usr/bin/python3 $ROOT/tests/cli/validate_reports.py $SCHEMA"
# jsch NAME FILTER: the schema satisfies the jq FILTER
jsch() { check_true "$1" jq -e "$2" "$SCHEMA"; }
# keep NAME: this test's copy of the last run's JSON report (stdout)
MINE=$TMP/mine; mkdir -p "$MINE"
keep() { printf '%s\n' "$OUT" > "$MINE/$1.json"; }

check_true "the validator runs on Debian's python3-jsonschema" /usr/bin/python3 -c 'import jsonschema'
check_true "the schema is a valid draft 2020-12 schema" /usr/bin/python3 -c \
	'import json, sys, jsonschema; jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA"
jsch "draft 2020-12" '."$schema" == "https://json-schema.org/draft/2020-12/schema"'

# --- enums equal their tables -------------------------------------------------------
# ANOMALY_TYPES: X(NAME, "desc", "fix") lines; ACTION_KINDS: X(ID, "name", "verb", steppable) lines (core/scan.h)
sed -n '/^#define ANOMALY_TYPES(X)/,/^$/s/^[[:space:]]*X(\([A-Z_]*\),.*/\1/p' "$ROOT/core/scan.h" > "$TMP/types.h.txt"
sed -n '/^#define ACTION_KINDS(X)/,/^$/s/^[[:space:]]*X([A-Z_]*, "\([a-z_]*\)",.*/\1/p' "$ROOT/core/scan.h" > "$TMP/actions.h.txt"
jq -r '."$defs".anomaly_type.enum[]' "$SCHEMA" > "$TMP/types.schema.txt"
jq -r '."$defs".action_kind.enum[]' "$SCHEMA" > "$TMP/actions.schema.txt"
check_true "ANOMALY_TYPES read from core/scan.h" test "$(wc -l < "$TMP/types.h.txt")" -ge 7
check_true "ACTION_KINDS read from core/scan.h" test "$(wc -l < "$TMP/actions.h.txt")" -ge 10
check_true "anomaly types: the schema's enum is ANOMALY_TYPES" diff "$TMP/types.h.txt" "$TMP/types.schema.txt"
check_true "action names: the schema's enum is ACTION_KINDS" diff "$TMP/actions.h.txt" "$TMP/actions.schema.txt"
# the commands with --format, and the --backend choices, from the binary itself
"$PAPYRA" --help | sed -n 's/^  \([a-z][a-z -]*[a-z]\)  .*/\1/p' | while read -r cmd; do
	"$PAPYRA" $cmd --help 2>/dev/null | grep -q '^  --format ' && echo "$cmd"
done | sort > "$TMP/cmds.bin.txt"
jq -r '."$defs".report.properties.command.enum[]' "$SCHEMA" | sort > "$TMP/cmds.schema.txt"
check_true "commands: the schema's enum is the commands that take --format" diff "$TMP/cmds.bin.txt" "$TMP/cmds.schema.txt"
"$PAPYRA" persistence scan --help | sed -n 's/^  --backend VALUE *//p' | tr -d ' ' | tr '|' '\n' > "$TMP/backends.bin.txt"
jq -r '."$defs".report.properties.backend.enum[]' "$SCHEMA" > "$TMP/backends.schema.txt"
check_true "backends: the schema's enum is --backend's choices" diff "$TMP/backends.bin.txt" "$TMP/backends.schema.txt"
check_true "schema_version: the schema's const is REPORT_SCHEMA_VERSION" test \
	"$(jq -r '."$defs".report.properties.schema_version.const' "$SCHEMA")" = \
	"$(sed -n 's/^#define REPORT_SCHEMA_VERSION "\(.*\)"/\1/p' "$ROOT/core/report.h")"
jsch "strict: additionalProperties false on every object the schema defines" \
	'[.. | objects | select(.type? == "object")] | length >= 7 and all(.additionalProperties == false)'

# --- the version keys, first, on every path ----------------------------------------------
VERSION=$("$PAPYRA" --version | sed 's/^papyra //')
d=$(fixture json_corrupt_middle); cd "$d"
run persistence scan --path events.ndjson --format json
check_rc 2 "scan json"
check_true "papyra_version, schema_version are the first keys" test \
	"$(printf '%s' "$OUT" | jq -c '[keys_unsorted[:3][]]')" = '["papyra_version","schema_version","command"]'
check_true "papyra_version is papyra --version" test "$(printf '%s' "$OUT" | jq -r .papyra_version)" = "$VERSION"
check_true "papyra_version is PAPYRA_VERSION" test "$VERSION" = \
	"$(sed -n 's/^#define PAPYRA_VERSION "\(.*\)"/\1/p' "$ROOT/core/version.h")"
check_true "schema_version is 1" test "$(printf '%s' "$OUT" | jq -r .schema_version)" = 1
keep scan2
run persistence scan --path events.ndjson --format JSON --bogus
check_rc 64 "usage error on the line"
check_true "the early report carries the versions too" test \
	"$(printf '%s' "$OUT" | jq -c '[.papyra_version, .schema_version, .command, .exit_code, (.backend == null)]')" = \
	"[\"$VERSION\",\"1\",\"persistence scan\",64,true]"
keep scan64early
run persistence scan --path events.ndjson --format json --output events.ndjson
check_rc 64 "--output is the store"
keep scan64
run doctor run --mode nope --path events.ndjson --format json
check_rc 64 "bad mode"
keep doctor64
run persistence recover --path events.ndjson --mode quarantine --format json
check_rc 64 "quarantine without a directory"
keep recover64
run console --batch --path events.ndjson --recovery-mode nope --format json
check_rc 64 "console: bad recovery mode"
keep console64
run persistence scan --path events.ndjson --format json --output "$TMP/no/such/dir/r.json"
check_rc 74 "scan: report directory missing"
keep scan74
for cmd in "persistence startup-check" "doctor run" "console --batch"; do
	run $cmd --path events.ndjson --format json
	check_rc 1 "$cmd: fail_on_anomaly"
	keep "$(echo "$cmd" | tr -c 'a-z\n' _)1"
	run $cmd --path events.ndjson --mode ignore --format json
	check_rc 0 "$cmd: ignore"
	check_true "$cmd ignore: anomalies still in the report" test "$(printf '%s' "$OUT" | jq '.scan.anomalies | length')" = 2
	keep "$(echo "$cmd" | tr -c 'a-z\n' _)0ignore"
done
run console --batch --path events.ndjson --mode recover --format json
check_rc 1 "console: plan only"
check_true "console: the plan, not applied" test "$(printf '%s' "$OUT" | jq -c '[(.plan | map(.applied) | unique), has("actions")]')" = '[[false],false]'
keep console1plan
# run.sh's collecting hook (lib.sh keep_json_report): an --output report and
# one on stdout, named in any case and with =, are kept for validation
kept() { ls "$REPORTS_DIR" | grep -c '^t_report_schema\.sh\..*\.json$'; }
kept_has() { for _k in "$REPORTS_DIR"/t_report_schema.sh.*.json; do cmp -s "$_k" "$1" && return 0; done; return 1; }
check_true "REPORTS_DIR is set (run.sh)" test -d "${REPORTS_DIR:-/nonexistent}"
n0=$(kept)
run persistence scan --path events.ndjson --format json --output "$TMP/o.json"
check_true "hook: the --output report is kept" kept_has "$TMP/o.json"
run persistence scan --path events.ndjson --format=Json
printf '%s\n' "$OUT" > "$TMP/o2.json"
check_true "hook: a stdout report of --format=Json is kept" kept_has "$TMP/o2.json"
run persistence scan --path events.ndjson --format junit
check_true "hook: two kept, not the junit one" test "$(kept)" = $((n0 + 2))
run persistence startup-check --path events.ndjson --mode scan_only --format json
check_true "scan_only is reported as ignore" test "$(printf '%s' "$OUT" | jq -r .mode)" = ignore
cd "$TMP"

# --- every anomaly type and every action a pipeline makes ----------------------------------
d=$(fixture json_corrupt_middle); cd "$d"
run persistence recover --path events.ndjson --mode quarantine --quarantine-dir q --format json
check_rc 0 "recover quarantine: drop_line + quarantine_file"
keep recover0quarantine
cd "$TMP"; d=$(fixture json_corrupt_middle); cd "$d"
run console --batch --path events.ndjson --mode recover --yes --format json
check_rc 0 "console --batch --yes recovers"
keep console0yes
cd "$TMP"; d=$(fixture json_torn_append); cd "$d"
run doctor run --path events.ndjson --mode recover --format json
check_rc 0 "salvage"
check_true "salvage: kept_offset and kept_records" test "$(printf '%s' "$OUT" | jq '[.actions[] | select(.action == "salvage") | .kept_records >= 1 and .kept_offset > .offset] | length > 0 and all')" = true
keep doctor0salvage
cd "$TMP"; d=$(fixture json_clean); cd "$d"
truncate -s -1 events.ndjson # a whole record without its newline
run persistence recover --path events.ndjson --format json
check_rc 0 "append_newline"
keep recover_tail
cd "$TMP"
# SCHEMA_MISMATCH is never repaired: recover exits 3, the gates 2
printf '{"kind": "event", "timestamp": 1}\n' > "$TMP/s.ndjson"
run persistence recover --path "$TMP/s.ndjson" --strict --format json
check_rc 3 "recover: anomalies remain"
keep recover3
run persistence startup-check --path "$TMP/s.ndjson" --strict --mode recover --format json
check_rc 2 "startup-check: recovery left anomalies"
keep startup2
run console --batch --path "$TMP/s.ndjson" --strict --mode recover --yes --format json
check_rc 2 "console --yes: recovery left anomalies"
keep console2
# PARTIAL_WRITE
d=$(fixture json_clean); chmod 000 "$d/events.ndjson"
run_unpriv persistence scan --path "$d/events.ndjson" --format json
check_rc 2 "unreadable"
keep scan_partial
chmod 644 "$d/events.ndjson"
# MISSING_DATA, and a missing store without --require-data
run doctor run --path "$TMP/absent.ndjson" --require-data --format json
check_rc 1 "missing data required"
keep doctor_missing
run persistence scan --path "$TMP/absent.ndjson" --format json
check_rc 0 "missing store"
check_true "missing: the note and the file" test "$(printf '%s' "$OUT" | jq -c '[.scan.missing, (.scan.note | startswith("No data at")), .scan.files[0].missing]')" = '[true,true,true]'
keep scan_missing
# rotating: ORPHANED_ROTATED_FILE (move_orphan), UNEXPECTED_FILE (remove_temp)
ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
d=$(fixture rot_orphan_7); cd "$d"
: > .rot.log.1.papyra-tmp-4242
run persistence scan $ROT --format json
check_rc 2 "rotating: orphan and leftover"
keep rot_scan
run persistence recover $ROT --mode quarantine --quarantine-dir q --format json
check_rc 0 "rotating: move_orphan, remove_temp"
keep rot_recover
cd "$TMP"
# a replaced file a process kept writing after a switch (core/kept.h): drain_kept
d=$(fixture json_clean); cd "$d"
printf '{"kind": "event", "n": 1}\n' > .events.ndjson.papyra-kept-1700000000000-0
run persistence recover --path events.ndjson --format json
check_rc 0 "kept file: drain_kept"
keep kept_recover
cd "$TMP"

# Redis: anomalies with an id, delete_entry, quarantine_entry, 69
. "$ROOT/tests/cli/redis.sh"
if redis_available; then
	load redis_corrupt
	run persistence scan $R --format json
	check_rc 2 "redis scan"
	keep redis_scan
	run persistence recover $R --mode quarantine --format json
	check_rc 0 "redis quarantine"
	keep redis_quarantine
	load redis_corrupt
	run doctor run $R --mode recover --format json
	check_rc 0 "redis repair"
	keep redis_repair
	rcli set papyra:local:audits "not a stream" >/dev/null
	run persistence startup-check $R --format json
	check_rc 1 "redis: a key of the wrong type"
	keep redis_wrongtype
	redis_stop
fi
run persistence scan --backend redis --redis-url redis://127.0.0.1:1/0 --format json
check_rc 69 "redis unreachable"
keep scan69

check_true "every report of this test is valid" $VALIDATE "$MINE"
jq -r '.scan.anomalies[]?.type, .verify.anomalies[]?.type' "$MINE"/*.json | sort -u > "$TMP/types.seen"
sort "$TMP/types.h.txt" > "$TMP/types.all"
check_true "every anomaly type is in a report above" diff "$TMP/types.all" "$TMP/types.seen"
jq -r '.actions[]?.action, .plan[]?.action' "$MINE"/*.json | sort -u > "$TMP/actions.seen"
# trim_stream and rewrite_file are in the table but no pipeline plans them;
# finish_compaction is planned only after a killed rotating compaction,
# which the torture suite makes (tests/torture), not this script
grep -v -x -e trim_stream -e rewrite_file -e finish_compaction "$TMP/actions.h.txt" | sort > "$TMP/actions.all"
check_true "every action a pipeline plans is in a report above" diff "$TMP/actions.all" "$TMP/actions.seen"
jq -r '"\(.command) \(.exit_code)"' "$MINE"/*.json | sort -u > "$TMP/exits.seen"
for want in "persistence scan 0" "persistence scan 2" "persistence scan 64" "persistence scan 69" "persistence scan 74" \
	"persistence recover 0" "persistence recover 3" "persistence recover 64" \
	"persistence startup-check 0" "persistence startup-check 1" "persistence startup-check 2" \
	"doctor run 0" "doctor run 1" "doctor run 64" "console 0" "console 1" "console 2" "console 64"; do
	check_true "a report of $want" grep -qx "$want" "$TMP/exits.seen"
done

# --- the validator rejects broken reports -------------------------------------------
B=$TMP/broken; mkdir -p "$B"
G=$MINE/recover0quarantine.json
# broken NAME MESSAGE JQ: the report changed by JQ is refused, saying MESSAGE
broken() {
	jq -c "$3" "$G" > "$B/$1.json"
	$VALIDATE "$B/$1.json" > "$TMP/.val" 2>&1; _r=$?
	if [ $_r = 1 ] && grep -q "reports: 0 valid, 1 invalid" "$TMP/.val" && grep -qF -- "$2" "$TMP/.val"; then ok; else
		ko "validator accepts a broken report ($1) or does not say '$2' (exit $_r)" "$(cat "$TMP/.val")"; fi
	rm -f "$B/$1.json"
}
check_true "the report to break is valid" $VALIDATE "$G"
broken extra_key "'surprise' was unexpected" '. + {surprise: 1}'
broken extra_scan_key "'total' was unexpected" '.scan += {total: 3}'
broken no_schema_version "'schema_version' is a required property" 'del(.schema_version)'
broken schema_version_2 "'1' was expected" '.schema_version = "2"'
broken version_number "is not of type 'string'" '.papyra_version = 1'
broken unknown_type "is not one of" '.scan.anomalies[0].type = "BIT_ROT"'
broken unknown_action "is not one of" '.actions[0].action = "shred"'
broken applied_string "is not of type 'boolean'" '.actions[0].applied = "yes"'
broken drop_without_line "'line' is a required property" '(.actions[] | select(.action == "drop_line")) |= del(.line, .offset, .length)'
broken quarantine_without_to "'to' is a required property" '(.actions[] | select(.action == "quarantine_file")) |= del(.to)'
broken negative_offset "is less than the minimum of 0" '.scan.anomalies[0].offset = -1'
broken ok_with_error "then/not]" '. + {error: {message: "x"}}'
broken error_without_message "'message' is a required property" '.exit_code = 74 | . + {error: {}}'
broken exit_5 "is not one of" '.exit_code = 5'
broken recover_exit_2 "is not one of" '.exit_code = 2'
broken verify_dirty_exit_0 "anomalies/maxItems]" '.verify.anomalies = .scan.anomalies | .exit_code = 0'
broken plan_and_actions "allOf/1/not]" '. + {plan: .actions}'
broken mode_mismatch "then/oneOf]" '.recovery_mode = "repair"'
broken versions_not_first "the first keys are" '{command} + .'
# what jq cannot write: NaN, a duplicate key, no newline at the end
jq -c '.exit_code = 0' "$G" | sed 's/"exit_code": *0/"exit_code": NaN/' > "$B/nan.json"
sed 's/^{/{"exit_code": 0, /' "$G" > "$B/dup.json"
$VALIDATE "$B/dup.json" > "$TMP/.val" 2>&1
check_true "a duplicate key refused" grep -q "duplicate key 'exit_code'" "$TMP/.val"
printf '%s' "$(cat "$G")" > "$B/nonl.json"
$VALIDATE "$B/nonl.json" > "$TMP/.val" 2>&1
check_true "a report without its newline refused" grep -q "not followed by a newline" "$TMP/.val"
$VALIDATE "$B/nan.json" > "$TMP/.val" 2>&1
check_true "NaN refused as not strict JSON" grep -q "NaN is not JSON" "$TMP/.val"
rm -f "$B"/*.json
$VALIDATE "$B" > "$TMP/.val" 2>&1; RC=$?
check_rc 2 "the validator fails when it is given nothing"
