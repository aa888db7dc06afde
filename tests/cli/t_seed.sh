# Every command of the user's CI/CD guide (../shared/seeds), run verbatim in
# a project laid out as the guide assumes, with the exit codes it documents.

mkdir -p "$TMP/proj/tests/fixtures/v1" "$TMP/proj/.papyra" "$TMP/backup"
cd "$TMP/proj"
cp "$FIX/json_clean/data/events.ndjson" tests/fixtures/v1/events.ndjson
cp "$FIX/json_clean/data/events.ndjson" tests/fixtures/events.ndjson
cp "$FIX/json_clean/data/events.ndjson" "$TMP/backup/events.ndjson"

# CI 2: persistence format compatibility
run persistence scan --path tests/fixtures/v1/events.ndjson
check_rc 0 "guide: scan of the v1 fixtures"
# CI 3: startup check validation
run persistence startup-check --mode FAIL_ON_ANOMALY --path tests/fixtures/events.ndjson
check_rc 0 "guide: startup-check FAIL_ON_ANOMALY, clean"
# CD 1: pre-deployment gate on the default store (.papyra/events.ndjson)
run doctor run --mode FAIL_ON_ANOMALY
check_rc 0 "guide: doctor gate, no store yet"
cp "$FIX/json_corrupt_middle/data/events.ndjson" .papyra/events.ndjson
run doctor run --mode FAIL_ON_ANOMALY
check_rc 1 "guide: doctor gate stops the deployment on corruption"
# CD 2: controlled recovery, repair then quarantine
run doctor run --mode RECOVER --recovery-mode REPAIR
check_rc 0 "guide: doctor RECOVER REPAIR"
check_out "Recovery successful" "guide: repair verified"
cp "$FIX/json_corrupt_middle/data/events.ndjson" .papyra/events.ndjson
run doctor run \
	--mode RECOVER \
	--recovery-mode QUARANTINE \
	--quarantine-dir "$TMP/var/lib/papyra/quarantine"
check_rc 0 "guide: doctor RECOVER QUARANTINE"
check_true "guide: the original is in the quarantine directory" \
	sh -c "ls '$TMP/var/lib/papyra/quarantine' | grep -q '^events.ndjson.quarantine.'"
# CD 3: blue-green check against the store
run persistence startup-check --mode fail_on_anomaly
check_rc 0 "guide: startup-check fail_on_anomaly after recovery"
# Rollbacks: validate a backup
run persistence scan --path "$TMP/backup/events.ndjson"
check_rc 0 "guide: scan of a backup"
# the minimal pipeline
run persistence scan --path tests/fixtures/events.ndjson
check_rc 0 "guide pipeline: persistence-scan"
run persistence startup-check --mode FAIL_ON_ANOMALY
check_rc 0 "guide pipeline: startup-check"
cd "$TMP"
