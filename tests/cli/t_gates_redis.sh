# Every gate tells the truth, on Redis (issue 7; SPEC §4, §6): a recovery
# that fails after some batches were committed says how many, journals
# what was applied and reports the verification; a missing store is said,
# names the system ids that do exist, and fails under --require-data.
# Uses a real redis-server (tests/cli/redis.sh).

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

jqo() { printf '%s' "$OUT" | jq -e "$@" >/dev/null 2>&1; }
XSD=$ROOT/tests/cli/junit.xsd
EV=papyra:local:events AU=papyra:local:audits
Q=papyra:local:quarantine

# --- a partial apply: the ACL user may quarantine events but not audits ---------------
CASE=redis_corrupt; load $CASE
rcli ACL SETUSER partial on '>pw' '~papyra:local:events' '~papyra:local:audits' '~papyra:local:dead_letters' \
	"~$Q:papyra_local_events" '+@all' >/dev/null
PR="--backend redis --redis-url redis://partial:pw@127.0.0.1:$PORT/0"
run persistence recover $PR --mode quarantine --format json --journal "$TMP/j.ndjson"
check_rc 69 "partial apply: exit 69 (permission refused by the server)"
check_true "partial: 4 of 6 actions said" jqo '.error.message | test("^Recovery failed after 4 of 6 actions: .*NOPERM")'
check_true "partial: applied flags per action" jqo '[.actions[].applied] == [true, true, true, true, false, false]'
check_true "partial: the verification scan ran" jqo '.verify.anomalies | map(.path) == ["papyra:local:audits", "papyra:local:dead_letters"]'
check_true "partial: the password stays redacted" jqo '(.error.message | test("pw@") | not) and (.location | test("\\*\\*\\*"))'
check_true "partial: the events really moved" test "$(rcli xlen $Q:papyra_local_events)" = 4
check_true "partial: the bad audits entry is still there" test -n "$(rcli xrange $AU 1767225600003-0 1767225600003-0)"
check_true "partial: journaled with the error" jq -e '.status == "partial" and .actions_planned == 6 and .actions_applied == 4
	and (.dropped | length) == 4 and (.error | test("NOPERM")) and .quarantine == ["papyra:local:quarantine:papyra_local_events"]' "$TMP/j.ndjson"
load $CASE
run persistence recover $PR --mode quarantine --format github
check_true "partial github: 4 warnings, one per applied entry" test "$(printf '%s\n' "$OUT" | grep -c '^::warning file=papyra%3Alocal%3Aevents::papyra quarantine_entry')" = 4
check_out_not "::notice" "partial github: no notice"
check_out "::error::papyra persistence recover: Recovery failed after 4 of 6 actions" "partial github: the error"
load $CASE
run persistence recover $PR --mode quarantine --format junit
printf '%s\n' "$OUT" > "$TMP/p.xml"
check_true "partial junit: valid, one <error>" sh -c "xmllint --noout --schema '$XSD' '$TMP/p.xml' && test \$(xmllint --xpath 'count(//testcase/error)' '$TMP/p.xml') = 1"
check_true "partial junit: unapplied actions marked" test "$(grep -c '(not applied)' "$TMP/p.xml")" = 2
load $CASE
run doctor run $PR --mode recover --recovery-mode quarantine
check_rc 69 "partial doctor: exit 69"
check_err "Recovery failed after 4 of 6 actions" "partial doctor: text says it"
check_out "Applied before the failure:" "partial doctor: what landed"
check_out "Verification scan: 2 persistence anomalies remain" "partial doctor: the verification"

# --- missing data and other system ids -------------------------------------------------------
CASE=redis_clean; load $CASE
rcli xadd papyra:sysB:events '*' data '{}' >/dev/null
run persistence scan $R --system-id sysb
check_rc 0 "no streams for sysb: clean by default"
check_out "No data at $URL (no stream papyra:sysb:events, papyra:sysb:audits, papyra:sysb:dead_letters): nothing to check" "redis: nothing there, keys named"
check_out "system ids under prefix 'papyra': local, sysB" "redis: the existing system ids named"
run persistence scan $R --system-id sysb --format github
check_out "::warning::papyra: No data at" "redis github warning"
run persistence scan $R --system-id sysb --format junit
printf '%s\n' "$OUT" > "$TMP/m.xml"
check_true "redis junit: three skipped streams" test "$(xmllint --xpath 'count(//testcase/skipped)' "$TMP/m.xml")" = 3
for cmd in "persistence scan" "persistence startup-check" "doctor run" "console --batch"; do
	case $cmd in "persistence scan") want=2 ;; *) want=1 ;; esac
	run $cmd $R --system-id sysb --require-data --format json
	check_rc $want "redis: $cmd --require-data"
	check_true "redis: $cmd MISSING_DATA" jqo '.scan.anomalies[0].type == "MISSING_DATA"'
done
run persistence scan $R --require-data
check_rc 0 "redis: --require-data with data"
run persistence scan $R --prefix 'no*such' --system-id x
check_out "no system id has streams under prefix 'no*such'" "glob characters in the prefix are literal"
