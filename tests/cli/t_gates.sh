# Every gate tells the truth (issue 7; SPEC §3, §6, §8): --output can never
# destroy data, every exit path leaves a well-formed report, a missing store
# is said in every format and fails under --require-data, text output is
# escaped, hints for misconfiguration, option consistency, long records.

XSD=$ROOT/tests/cli/junit.xsd
sum() { cksum <"$1"; }
jqo() { printf '%s' "$OUT" | jq -e "$@" >/dev/null 2>&1; }

# --- 1. --output never names the store --------------------------------------------
d=$(fixture json_corrupt_middle); cd "$d"; S=$(sum events.ndjson)
ln -s events.ndjson link.json; ln events.ndjson hard.json
for o in events.ndjson link.json hard.json ./events.ndjson "$d/events.ndjson"; do
	for cmd in "persistence scan" "persistence recover" "doctor run --mode recover" "console --batch"; do
		run $cmd --path events.ndjson --format json --output "$o"
		check_rc 64 "$cmd --output $o refused"
	done
	check_true "--output $o: data byte-identical" test "$(sum events.ndjson)" = "$S"
done
check_true "the symlink is still a symlink" test -L link.json
run persistence scan --path events.ndjson --format json --output link.json
check_true "refusal reported in the asked format on stdout" jqo '.error.message | test("data file")'
check_err "nothing was read or written" "refusal names the rule"
# the text report too, and a report beside the data is fine
run persistence scan --path events.ndjson --output events.ndjson
check_rc 64 "text --output onto the store refused"
check_true "data intact after text refusal" test "$(sum events.ndjson)" = "$S"
run persistence scan --path events.ndjson --format json --output report.json
check_rc 2 "a report beside the store is written"
check_true "report.json parses" jq -e '.exit_code == 2' report.json
check_true "no temp file left beside the report" sh -c '! ls -A | grep -q papyra-tmp'
# the journal is protected too, and --output - is stdout
: > j.ndjson
run doctor run --mode recover --path events.ndjson --journal j.ndjson --format json --output j.ndjson
check_rc 64 "--output onto the journal refused"
check_true "journal untouched" test ! -s j.ndjson
run persistence scan --path events.ndjson --format json --output -
check_true "--output - writes the report to stdout" jqo '.exit_code == 2'
# the store file missing: its name is still its own
rm -f link.json hard.json
mkdir -p sub; run persistence scan --path sub/new.ndjson --format json --output sub/new.ndjson
check_rc 64 "--output naming a missing store's path refused"
check_true "... and nothing was created there" test ! -e sub/new.ndjson
ln -s sub/new.ndjson dangling.json
run persistence scan --path sub/new.ndjson --format json --output dangling.json
check_rc 64 "a dangling link to the store's path refused"
cd "$TMP"
# a rotating set: members, orphan-like names and hard links of members
d=$(fixture rot_clean); cd "$d"; S2=$(sum rot.log.1)
ROT="--backend rotating --path rot.log --max-files 3"
for o in rot.log rot.log.1 rot.log.2 rot.log.report.json; do
	run persistence scan $ROT --format junit --output "$o"
	check_rc 64 "rotating: --output $o refused"
done
ln rot.log.1 "$TMP/elsewhere.xml"
run persistence scan $ROT --format junit --output "$TMP/elsewhere.xml"
check_rc 64 "rotating: a hard link of a member elsewhere refused"
check_true "rotating members intact" test "$(sum rot.log.1)" = "$S2"
run persistence scan $ROT --format junit --output report.xml
check_rc 0 "rotating: a report beside the set is fine"
check_true "its JUnit is valid" xmllint --noout --schema "$XSD" report.xml
cd "$TMP"

# FIFO, directory, device as --output, --journal, --config: 64, never blocking
mkfifo "$TMP/fifo"; mkdir -p "$TMP/adir"
d=$(fixture json_corrupt_middle); S=$(sum "$d/events.ndjson")
for o in "$TMP/fifo" "$TMP/adir" /dev/null; do
	run persistence scan --path "$d/events.ndjson" --format json --output "$o"
	check_rc 64 "--output $o refused"
	run doctor run --mode recover --path "$d/events.ndjson" --journal "$o"
	check_rc 64 "--journal $o refused"
	run doctor run --path "$d/events.ndjson" --config "$o"
	check_rc 64 "--config $o refused"
done
check_err "is not a regular file" "config refusal says why"
check_true "a FIFO --journal refused before the repair" test "$(sum "$d/events.ndjson")" = "$S"
PAPYRA_CONFIG=$TMP/fifo run persistence scan --path "$d/events.ndjson"
check_rc 64 "\$PAPYRA_CONFIG naming a FIFO refused"

# --- 2. a report on every exit path ----------------------------------------------
d=$(fixture json_clean); cd "$d"
for f in json junit github; do
	run persistence scan --path events.ndjson --format $f --output "r64.$f" --bogus
	check_rc 64 "$f: unknown option"
	run doctor run --path events.ndjson --mode nope --format $f --output "m64.$f"
	check_rc 64 "$f: bad mode"
	run doctor run --backend redis --redis-url redis://127.0.0.1:1/0 --format $f --output "r69.$f"
	check_rc 69 "$f: redis unreachable"
done
for c in r64 m64 r69; do
	check_true "$c json parses with error and exit code" jq -e '.error.message and (.exit_code == 64 or .exit_code == 69)' "$c.json"
	check_true "$c junit valid" xmllint --noout --schema "$XSD" "$c.junit"
	check_true "$c junit one <error>" test "$(xmllint --xpath 'count(//testcase/error)' "$c.junit")" = 1
	check_true "$c github ::error::" grep -q '^::error::papyra ' "$c.github"
done
check_true "the early error names the option" jq -e '.error.message | test("--bogus")' r64.json
check_true "the bad mode is named" grep -q "invalid mode" m64.github
check_true "69 names the URL" jq -e '.error.message | test("127.0.0.1:1")' r69.json
run doctor run --backend redis --redis-url redis://127.0.0.1:1/0 --format json
check_true "69 without --output: the report on stdout" jqo '.exit_code == 69 and .error.message'
run persistence scan --path events.ndjson --format json --max-files 0
check_rc 64 "bad configuration"
check_true "bad configuration reported" jqo '.exit_code == 64 and (.error.message | test("max-files"))'
: > existing.json
run persistence scan --path events.ndjson --format json --output existing.json --bogus
check_true "an early error never replaces an existing file" test ! -s existing.json
check_true "... it goes to stdout instead" jqo '.exit_code == 64'
cd "$TMP"

# a recovery that fails (read-only directory): 74, nothing applied, verified
d=$(fixture json_corrupt_middle); S=$(sum "$d/events.ndjson")
chmod 555 "$d"; : > "$TMP/j74.ndjson"; chmod 666 "$TMP/j74.ndjson"; chmod 777 "$TMP"
run_unpriv doctor run --mode recover --path "$d/events.ndjson" --format json --journal "$TMP/j74.ndjson"
check_rc 74 "read-only directory: exit 74"
check_true "74: error says how many actions were applied" jqo '.error.message | test("^Recovery failed after 0 of 2 actions")'
check_true "74: every action applied=false" jqo '[.actions[].applied] == [false, false]'
check_true "74: the verification scan is reported" jqo '.verify.anomalies | length == 2'
check_true "74: the journal records the failure" jq -e '.status == "failed" and .actions_applied == 0 and (.error | test("Permission denied"))' "$TMP/j74.ndjson"
run_unpriv doctor run --mode recover --path "$d/events.ndjson"
check_err "Recovery failed after 0 of 2 actions" "74: text says it"
check_out "Verification scan: 2 persistence anomalies remain" "74: text shows the verification"
run_unpriv doctor run --mode recover --path "$d/events.ndjson" --format github
check_out_not "::notice" "74: no notice for an action not applied"
check_out_not "::warning file=" "74: no drop announced"
check_out "::error::papyra doctor run: Recovery failed after 0 of 2 actions" "74: github ::error::"
mkdir -p "$TMP/out74"; chmod 777 "$TMP/out74"
run_unpriv doctor run --mode recover --path "$d/events.ndjson" --format junit --output "$TMP/out74/r74.xml"
check_true "74: junit valid with an <error>" sh -c "xmllint --noout --schema '$XSD' '$TMP/out74/r74.xml' && test \$(xmllint --xpath 'count(//error)' '$TMP/out74/r74.xml') = 1"
chmod 755 "$d"
check_true "74: data untouched" test "$(sum "$d/events.ndjson")" = "$S"
# an applied recovery: every action applied=true, drops are warnings
run doctor run --mode recover --path "$d/events.ndjson" --format json --journal "$TMP/jok.ndjson"
check_true "applied actions carry applied=true" jqo '[.actions[].applied] == [true, true]'
check_true "journal: status complete" jq -e '.status == "complete" and .actions_applied == 2' "$TMP/jok.ndjson"
cp "$FIX/json_corrupt_middle/data/events.ndjson" "$d/events.ndjson"
run console --batch --mode recover --path "$d/events.ndjson" --format json
check_true "a plan only shown: applied=false" jqo '[.plan[].applied] == [false, false]'

# --- 3. missing data, in every format; --require-data --------------------------------
mkdir -p "$TMP/empty"; cd "$TMP/empty"
run doctor run --mode fail_on_anomaly
check_rc 0 "missing store: healthy by default"
check_out "No data at .papyra/events.ndjson: nothing to check" "text says nothing was there"
run doctor run --format json
check_true "json: missing, the note and the path" jqo '.scan.missing == true and (.scan.note | test("No data at .papyra/events.ndjson")) and .scan.files[0].path == ".papyra/events.ndjson"'
run doctor run --format junit
printf '%s\n' "$OUT" > "$TMP/miss.xml"
check_true "junit: valid" xmllint --noout --schema "$XSD" "$TMP/miss.xml"
check_true "junit: <skipped>" test "$(xmllint --xpath 'count(//testcase/skipped)' "$TMP/miss.xml")" = 1
run doctor run --format github
check_out "::warning::papyra: No data at .papyra/events.ndjson: nothing to check" "github: ::warning::"
check_out_not "persistence is healthy" "github: no 'healthy' notice for nothing"
for cmd in "persistence scan" "persistence startup-check" "doctor run" "console --batch"; do
	case $cmd in "persistence scan") want=2 ;; *) want=1 ;; esac
	run $cmd --require-data
	check_rc $want "$cmd --require-data on a missing json store"
	check_out "MISSING_DATA" "$cmd names MISSING_DATA"
	PAPYRA_REQUIRE_DATA=1 run $cmd
	check_rc $want "$cmd with PAPYRA_REQUIRE_DATA=1"
	run $cmd --backend rotating --path rot.log --require-data
	check_rc $want "$cmd --require-data on a missing rotating set"
done
printf '{"require_data": true}\n' > papyra.json
run persistence scan
check_rc 2 "config key require_data"
PAPYRA_REQUIRE_DATA=0 run persistence scan
check_rc 0 "the environment wins over the config file"
rm papyra.json
PAPYRA_REQUIRE_DATA=1 run persistence compact
check_rc 0 "PAPYRA_REQUIRE_DATA does not touch compact (no such flag there)"
PAPYRA_REQUIRE_DATA=1 run persistence recover
check_rc 0 "... nor recover"
PAPYRA_REQUIRE_DATA=maybe run persistence scan
check_rc 64 "a bad PAPYRA_REQUIRE_DATA is a usage error"
run doctor run --mode recover --require-data --format json
check_rc 2 "recover on a missing required store: anomalies remain"
check_true "MISSING_DATA in the verification too" jqo '.verify.anomalies[0].type == "MISSING_DATA"'
run persistence scan --require-data --format junit
printf '%s\n' "$OUT" > "$TMP/req.xml"
check_true "junit with MISSING_DATA: a failure, not skipped" sh -c "test \$(xmllint --xpath 'count(//failure)' '$TMP/req.xml') = 1 && test \$(xmllint --xpath 'count(//skipped)' '$TMP/req.xml') = 0"
d=$(fixture json_clean)
run persistence scan --path "$d/events.ndjson" --require-data
check_rc 0 "--require-data with data: clean"
check_out "Checked json store $d/events.ndjson" "text names what was checked"
PAPYRA_SETTINGS_MODULE=myapp.settings run doctor run
check_err "PAPYRA_SETTINGS_MODULE=myapp.settings is set, but papyra does not read Python settings" "settings module warning"
check_err "PAPYRA_BACKEND, PAPYRA_PATH" "the warning names the variables"
cd "$TMP"

# --- 4. misconfiguration hints -----------------------------------------------------
d=$(fixture rot_clean); cd "$d"
PAPYRA_BACKEND=rotating run persistence scan --path rot.log
check_rc 0 "--path keeps selecting json (as in Papyra)"
check_err "PAPYRA_BACKEND=rotating was ignored: pass --backend rotating" "env backend ignored: said"
check_err "rot.log.1 exists beside rot.log" "rotated siblings: said"
printf '{"backend": "rotating"}\n' > papyra.json
run persistence scan --path rot.log
check_err "backend 'rotating' of config file papyra.json was ignored" "config backend ignored: said"
rm papyra.json
run persistence scan --backend rotating --path rot.log --max-files 3
check_true "no hint when the backend is right" test -z "$ERR"
cd "$TMP"

# --- 5. output hygiene ---------------------------------------------------------------
mkdir -p "$TMP/hostile"; cd "$TMP/hostile"
f=$(printf 'inj\n::warning title=x::y.ndjson')
printf 'garbage\n' > "$f"
for cmd in "persistence scan" "doctor run" "console --batch" "persistence recover"; do
	run $cmd --path "$f"
	check_true "$cmd: no line starts with ::" sh -c '! grep -q "^::" "$1/.out" && ! grep -q "^::" "$1/.err"' - "$TMP"
	check_out 'inj\n::warning title=x::y.ndjson' "$cmd: the newline shown escaped"
done
g=$(printf 'c1\302\233x\033[2J\342\200\256\377.ndjson')
printf 'garbage\n' > "$g"
run persistence scan --path "$g"
check_out 'c1\u009bx\x1b[2J\u202e\xff.ndjson' "C1, ESC, bidi override and invalid UTF-8 escaped"
run persistence scan --path "$f" --format junit
printf '%s\n' "$OUT" > "$TMP/h.xml"
check_true "junit: valid with a newline in a name" xmllint --noout --schema "$XSD" "$TMP/h.xml"
check_true "junit: the newline is a character reference in attributes" grep -q 'name="inj&#10;::warning' "$TMP/h.xml"
check_true "junit: classname per command" grep -q 'classname="papyra.persistence-scan"' "$TMP/h.xml"
run doctor run --path "$f" --format junit
check_out 'classname="papyra.doctor-run"' "junit: doctor classname"
cd "$TMP"
# unreadable file: PARTIAL_WRITE with the cause
d=$(fixture json_clean); chmod 000 "$d/events.ndjson"
run_unpriv persistence scan --path "$d/events.ndjson"
check_out "PARTIAL_WRITE: $d/events.ndjson (File could not be read fully: Permission denied)" "unreadable: the cause"
chmod 644 "$d/events.ndjson"
# github: capped per file, then the count of the rest; the step summary
awk 'BEGIN { for (i = 0; i < 130; i++) print "bad " i }' > "$TMP/many.ndjson"
run persistence scan --path "$TMP/many.ndjson" --format github
check_true "github: 50 annotations then one summary" test "$(printf '%s\n' "$OUT" | grep -c '^::error file=')" = 51
check_out "::error file=$TMP/many.ndjson::papyra: 80 more persistence anomalies in $TMP/many.ndjson" "github: the rest counted"
GITHUB_STEP_SUMMARY=$TMP/summary.md run doctor run --mode recover --path "$TMP/many.ndjson" --format github
check_true "step summary appended" grep -q '^### papyra doctor run: exit 0' "$TMP/summary.md"
check_true "step summary: actions applied" grep -q '| actions applied | 130 of 130 |' "$TMP/summary.md"
check_true "github: drops are warnings" test "$(printf '%s\n' "$OUT" | grep -c '^::warning file=')" = 130
GITHUB_STEP_SUMMARY=$TMP/summary.md run persistence scan --path "$TMP/summary.md" --format github
check_err "no step summary written" "a step summary that is the store is left alone"

# --- 6. consistency ---------------------------------------------------------------------
d=$(fixture json_clean)
run persistence scan --path "$d/events.ndjson" --format JSON
check_true "--format is case-insensitive" jqo '.exit_code == 0'
run persistence scan --path "$d/events.ndjson" --format JunIT
check_rc 0 "--format JunIT"
run persistence startup-check --help
check_out "scan_only" "startup-check --help lists scan_only"
run doctor run --mode ignore --mode recover --path "$d/events.ndjson"
check_rc 64 "a flag given twice"
check_err "option '--mode' given twice" "twice: said"
run persistence scan --fromat json
check_rc 64 "unknown option"
check_err "did you mean '--format'?" "nearest option suggested"
run help doctor run
check_rc 0 "papyra help doctor run"
check_out "usage: papyra doctor run" "help shows the command's usage"
run help
check_out "commands:" "papyra help"
run help bogus
check_rc 64 "help of an unknown command"
run version
check_out "papyra " "papyra version"
run persistence startup-check --mode recover --path "$d/events.ndjson" --format json
check_true "recovery_mode said on clean data" jqo '.recovery_mode == "repair"'
run persistence recover --path "$d/events.ndjson" --format json
check_true "recover: recovery_mode" jqo '.recovery_mode == "repair"'

# --- 7. listings stream records of any length ----------------------------------------------
awk 'BEGIN { for (i = 1; i <= 5; i++) {
	printf "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": \"local:%d\", \"event_type\": \"ActorStarted\", \"payload\": {\"x\": \"", i
	n = (i == 3) ? 3 * 1048576 : 8; s = "a"; while (length(s) < n) s = s s; printf "%s", substr(s, 1, n)
	printf "\"}, \"timestamp\": %d}\n", 1767225600 + i } }' > "$TMP/long.ndjson"
run inspect events --path "$TMP/long.ndjson"
check_true "all 5 events listed, the 3 MiB one too" test "$(printf '%s\n' "$OUT" | grep -c ActorStarted)" = 5
check_out "[1767225603.000] ActorStarted local:3" "the long record's line"
run inspect events --path "$TMP/long.ndjson" --json --limit 1 --reverse
run inspect events --path "$TMP/long.ndjson" --json
check_true "--json carries the whole 3 MiB payload" test "$(printf '%s\n' "$OUT" | sed -n 3p | jq '.payload.x | length')" = 3145728
run inspect events --path "$TMP/long.ndjson" --limit 3 --reverse
check_true "--limit/--reverse include the long record" test "$(printf '%s\n' "$OUT" | head -1 | grep -c 'local:5')$(printf '%s\n' "$OUT" | tail -1 | grep -c 'local:3')" = 11
run persistence inspect --path "$TMP/long.ndjson"
check_out "events_sampled: 5" "persistence inspect counts it"
# a 64 MiB record: an event line does not show the payload, so it is never read
{ printf '{"kind": "event", "actor_address": "local:9", "event_type": "Big", "payload": {"x": "'
  head -c 67108864 /dev/zero | tr '\0' 'b'; printf '"}, "timestamp": 1}\n'; } > "$TMP/big.ndjson"
case $PAPYRA in */san/*) sanitized=1 ;; *) sanitized= ;; esac # ASan's shadow memory is not ours
if command -v /usr/bin/time >/dev/null 2>&1 && [ -z "$sanitized" ]; then
	/usr/bin/time -f '%M' "$PAPYRA" inspect events --path "$TMP/big.ndjson" >"$TMP/.out" 2>"$TMP/.rss"
	check_true "64 MiB record listed" grep -q 'Big local:9' "$TMP/.out"
	check_true "memory stays small (< 32 MiB RSS)" test "$(tail -1 "$TMP/.rss")" -lt 32768
else
	run inspect events --path "$TMP/big.ndjson"
	check_out "Big local:9" "64 MiB record listed"
fi
rm -f "$TMP/big.ndjson"
cd "$TMP"
