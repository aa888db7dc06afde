# persistence scan / recover / startup-check / compact, doctor run:
# exit codes, key phrases, exact anomaly lists, and that refused or read-only
# commands change no byte (SPEC §3, §4, §6, §8, §10).

sum() { cat "$@" 2>/dev/null | cksum; }

# --- scan: clean and harmless cases -----------------------------------------
for case in json_clean json_empty json_crlf json_retention; do
	d=$(fixture $case)
	run persistence scan --path "$d/events.ndjson"
	check_rc 0 "scan $case"
	check_out "✔ Persistence is healthy." "scan $case"
done
run persistence scan --path "$TMP/nowhere/events.ndjson"
check_rc 0 "scan missing file is clean"

# --- scan: exact anomaly lists ------------------------------------------------
d=$(fixture json_corrupt_middle)
run persistence scan --path "$d/events.ndjson"
check_rc 2 "scan corrupt_middle"
check_out "✖ Found 2 persistence anomalies:" "scan corrupt_middle count"
check_out "✖ - CORRUPTED_LINE: $d/events.ndjson (Invalid JSON at line 10 (byte 127: unexpected end of line))" "line 10"
check_out "✖ - CORRUPTED_LINE: $d/events.ndjson (Invalid JSON at line 20 (byte 0: " "line 20"

cd "$d" && run persistence scan --path events.ndjson --format json && cd "$TMP"
check_rc 2 "scan json format"
check_out '"command": "persistence scan"' "json command"
check_out '{"type": "CORRUPTED_LINE", "path": "events.ndjson", "detail": "Invalid JSON at line 10 (byte 127: unexpected end of line)", "line": 10, "offset": 2384, "length": 127}' "json anomaly shape"
check_out '"files": [{"path": "events.ndjson", "bytes": 5099, "lines": 23}]' "json files"
check_out_not '"actions"' "scan has no actions"
check_out '"exit_code": 2}' "json exit code"
printf '%s\n' "$OUT" > "$TMP/scan.json"
check_true "json report parses" jq -e '.scan.anomalies | length == 2' "$TMP/scan.json"

d=$(fixture json_truncated_tail)
run persistence scan --path "$d/events.ndjson"
check_rc 2 "scan truncated"
check_out "- TRUNCATED_LINE: $d/events.ndjson (Line 23 missing newline)" "truncated detail"

d=$(fixture json_blank_lines)
run persistence scan --path "$d/events.ndjson"
check_rc 2 "scan blank lines"
check_out "Found 2 persistence anomalies:" "blank lines count"
check_out "(Invalid JSON at line 6 (byte 0: empty line))" "empty line"
check_out "(Invalid JSON at line 17 (byte 5: empty line))" "whitespace line"

d=$(fixture json_non_object)
run persistence scan --path "$d/events.ndjson"
check_rc 2 "scan non-object"
check_out "Found 5 persistence anomalies:" "non-object count"
check_out "Invalid JSON at line 4 (byte 0: valid JSON but not an object: number)" "42"
check_out "valid JSON but not an object: array" "[1,2]"

d=$(fixture json_corrupt_and_truncated)
run persistence scan --path "$d/events.ndjson"
check_rc 2 "scan corrupt+truncated"
check_out "Found 2 persistence anomalies:" "corrupt+truncated count"

# --- bad input ------------------------------------------------------------------
printf '\000\001\377garbage\n\357\273\277{"kind": "event"}\n{"a":1}\r{"b":2}\n' > "$TMP/garbage.ndjson"
run persistence scan --path "$TMP/garbage.ndjson"
check_rc 2 "garbage scanned"
check_out "Found 3 persistence anomalies:" "garbage lines each reported"
check_out "byte order mark" "bom reason"
check_out "trailing data after value" "bare CR joins two values"

run persistence scan --path "$TMP"
check_rc 64 "directory as --path"
check_err "is a directory" "directory message"
mkfifo "$TMP/fifo"
run persistence scan --path "$TMP/fifo"
check_rc 64 "fifo as --path never blocks"
run persistence scan --path /dev/null
check_rc 64 "device as --path"

# a 100 MB line without a newline and with one
{ printf '{"k": "'; head -c 100000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; } > "$TMP/huge.ndjson"
run persistence scan --path "$TMP/huge.ndjson"
check_rc 0 "100 MB single valid line"
printf '{"k": "%s' "$(head -c 3000000 /dev/zero | tr '\0' 'b')" > "$TMP/huge2.ndjson"
run persistence scan --path "$TMP/huge2.ndjson"
check_rc 2 "3 MB unterminated line"
check_out "Line 1 missing newline" "long truncated"
rm -f "$TMP/huge.ndjson" "$TMP/huge2.ndjson"

d=$(fixture json_clean); chmod 755 "$d"; chmod 000 "$d/events.ndjson"
run_unpriv persistence scan --path "$d/events.ndjson"
check_rc 2 "unreadable file"
check_out "PARTIAL_WRITE: $d/events.ndjson (File could not be read fully: Permission denied)" "unreadable is PARTIAL_WRITE, with the cause"
run_unpriv persistence recover --path "$d/events.ndjson"
check_rc 3 "an unreadable file cannot be repaired: anomalies remain"
chmod 644 "$d/events.ndjson"

# --- misuse is 64 and changes nothing ---------------------------------------------
d=$(fixture json_corrupt_middle); before=$(sum "$d"/*)
run persistence scan --path "$d/events.ndjson" --bogus
check_rc 64 "unknown flag"
check_err "unknown option '--bogus'" "unknown flag message"
check_err "usage: papyra persistence scan" "usage line"
run persistence frobnicate
check_rc 64 "unknown command"
run persistence recover --path "$d/events.ndjson" --mode bogus
check_rc 64 "bad recovery mode"
run persistence recover --path "$d/events.ndjson" --mode quarantine
check_rc 64 "quarantine without dir"
check_err "requires --quarantine-dir" "quarantine dir message"
run doctor run --path "$d/events.ndjson" --mode bogus
check_rc 64 "doctor bad mode"
run doctor run --path "$d/events.ndjson" --mode scan_only
check_rc 64 "doctor has no scan_only"
run doctor run --path "$d/events.ndjson" --mode RECOVER --recovery-mode QUARANTINE
check_rc 64 "doctor quarantine without dir"
run persistence startup-check --path "$d/events.ndjson" --mode recover --recovery-mode bogus
check_rc 64 "bad recovery-mode"
run persistence scan --path "$d/events.ndjson" --format yaml
check_rc 64 "bad format"
run persistence compact --path "$d/events.ndjson" --max-records abc
check_rc 64 "bad number"
echo '{"path": "x", "colour": "red"}' > "$TMP/bad.json"
run persistence scan --config "$TMP/bad.json"
check_rc 64 "unknown config key"
check_err "unknown key 'colour'" "config key message"
check_true "misuse changed nothing" test "$before" = "$(sum "$d"/*)"

# --- read-only and refusing commands change nothing ---------------------------------
run persistence scan --path "$d/events.ndjson"
run persistence startup-check --path "$d/events.ndjson"
check_rc 1 "startup-check default fails"
check_out "✖ Persistence anomalies detected" "startup-check phrase"
check_out "✖ - CORRUPTED_LINE: " "startup-check lists anomalies"
run persistence startup-check --mode FAIL_ON_ANOMALY --path "$d/events.ndjson"
check_rc 1 "startup-check FAIL_ON_ANOMALY"
run persistence startup-check --mode scan_only --path "$d/events.ndjson"
check_rc 0 "startup-check scan_only"
check_out "✖ Persistence anomalies detected (ignored)" "ignored phrase (the reference's error tone)"
run doctor run --mode IGNORE --path "$d/events.ndjson"
check_rc 0 "doctor ignore"
c=$(fixture json_clean)
run doctor run --path "$c/events.ndjson"
check_rc 0 "doctor healthy"
check_out "ℹ Persistence is healthy" "doctor healthy phrase (the reference's info tone)"
run doctor run --path "$d/events.ndjson"
check_rc 1 "doctor default fails"
run persistence compact --path "$d/events.ndjson" --max-records 3
check_rc 2 "compact refuses with anomalies"
check_out "Compaction refused" "compact refusal phrase"
run inspect events --path "$d/events.ndjson"
check_true "read-only commands changed nothing" test "$before" = "$(sum "$d"/*)"

# --- recover ---------------------------------------------------------------------------
d=$(fixture json_corrupt_middle)
sed '10d;20d' "$FIX/json_corrupt_middle/data/events.ndjson" > "$TMP/expected.ndjson"
run persistence recover --path "$d/events.ndjson" --journal "$TMP/journal.ndjson"
check_rc 0 "recover repair"
check_out "ℹ Recovery completed" "recover phrase"
check_out "ℹ repaired $d/events.ndjson" "repaired line"
check_same "$d/events.ndjson" "$TMP/expected.ndjson" "repair keeps every other line byte for byte"
check_true "no temp file left" test -z "$(ls -A "$d" | grep papyra-tmp)"
check_true "journal written" jq -e '.mode == "repair"' "$TMP/journal.ndjson"
run persistence scan --path "$d/events.ndjson"
check_rc 0 "clean after recover"

d=$(fixture json_corrupt_middle)
run persistence recover --path "$d/events.ndjson" --mode QUARANTINE --quarantine-dir "$TMP/q1"
check_rc 0 "recover quarantine"
check_out "ℹ quarantined $TMP/q1/events.ndjson.quarantine." "quarantined line"
check_same "$d/events.ndjson" "$TMP/expected.ndjson" "quarantine repairs the data path"
check_same "$(ls "$TMP"/q1/events.ndjson.quarantine.* | head -1)" "$FIX/json_corrupt_middle/data/events.ndjson" "original preserved"

d=$(fixture json_truncated_tail)
head -n 22 "$FIX/json_truncated_tail/data/events.ndjson" > "$TMP/expected_tail.ndjson"
run persistence recover --path "$d/events.ndjson"
check_rc 0 "recover truncated tail"
check_same "$d/events.ndjson" "$TMP/expected_tail.ndjson" "partial tail dropped"

# a complete last record without its newline is kept, newline added
d=$(fixture json_clean)
head -c -1 "$FIX/json_clean/data/events.ndjson" > "$d/events.ndjson"
run persistence scan --path "$d/events.ndjson"
check_rc 2 "complete tail still reported"
check_out "missing newline (the record is complete; repair keeps it)" "complete tail detail"
run persistence recover --path "$d/events.ndjson" --format json
check_rc 0 "recover complete tail"
check_out '"action": "append_newline"' "append_newline action"
check_same "$d/events.ndjson" "$FIX/json_clean/data/events.ndjson" "complete tail kept byte for byte"

# lone surrogates, NaN, big numbers survive untouched (the reference crashes or rewrites)
d=$(fixture json_corrupt_middle)
printf '{"kind": "event", "system_id": "local", "event_type": "X", "payload": {"s": "\\ud800", "n": NaN, "big": 1E400, "z": -0, "i": 123456789012345678901234567890}, "timestamp": 1.5}\n' >> "$d/events.ndjson"
tail -n 1 "$d/events.ndjson" > "$TMP/last.ndjson"
run persistence recover --path "$d/events.ndjson"
check_rc 0 "recover with exotic record"
tail -n 1 "$d/events.ndjson" > "$TMP/last2.ndjson"
check_same "$TMP/last.ndjson" "$TMP/last2.ndjson" "exotic record byte for byte"

# --- startup-check / doctor with recovery ----------------------------------------------
d=$(fixture json_corrupt_and_truncated)
run persistence startup-check --mode recover --path "$d/events.ndjson"
check_rc 0 "startup-check recover defaults to repair"
check_out "ℹ Recovery successful" "recovery successful"
run persistence scan --path "$d/events.ndjson"
check_rc 0 "clean after startup recover"

d=$(fixture json_blank_lines)
run doctor run --mode RECOVER --recovery-mode QUARANTINE --quarantine-dir "$TMP/q2" --path "$d/events.ndjson" --format json --output "$TMP/doctor.json"
check_rc 0 "doctor quarantine"
check_out "doctor run: healthy; report written to $TMP/doctor.json" "summary line on stdout"
check_true "doctor json: actions and verify" jq -e '(.actions | length) >= 2 and (.verify.anomalies | length) == 0 and .exit_code == 0' "$TMP/doctor.json"
check_true "doctor json: quarantine_file action" jq -e '[.actions[] | select(.action == "quarantine_file")] | length == 1' "$TMP/doctor.json"

# --- I/O errors: 74, original intact -------------------------------------------------------
d=$(fixture json_corrupt_middle); before=$(sum "$d/events.ndjson")
echo x > "$TMP/afile"
run persistence recover --path "$d/events.ndjson" --mode quarantine --quarantine-dir "$TMP/afile"
check_rc 74 "quarantine dir that is a file: I/O error"
check_true "original intact after refused quarantine" test "$before" = "$(sum "$d/events.ndjson")"
ln -s "$TMP/q3real" "$TMP/q3link"; mkdir -p "$TMP/q3real"
run persistence recover --path "$d/events.ndjson" --mode quarantine --quarantine-dir "$TMP/q3link"
check_rc 74 "quarantine dir that is a symlink: I/O error"
check_true "original intact after symlink refusal" test "$before" = "$(sum "$d/events.ndjson")"
# disk full (a file-size limit binds root too): 74, original intact, no temp left
( ulimit -f 4; "$PAPYRA" persistence recover --path "$d/events.ndjson" --mode quarantine --quarantine-dir "$TMP/qfull" >"$TMP/.out" 2>"$TMP/.err" </dev/null; echo $? >"$TMP/.rc" )
RC=$(cat "$TMP/.rc"); ERR=$(cat "$TMP/.err")
check_rc 74 "disk full during quarantine copy"
check_true "original intact after disk full" test "$before" = "$(sum "$d/events.ndjson")"
check_true "no temp file after disk full" test -z "$(ls -A "$d" | grep papyra-tmp)"
check_true "no partial quarantine copy" test -z "$(ls -A "$TMP/qfull" 2>/dev/null)"
chmod 555 "$d"
run_unpriv persistence recover --path "$d/events.ndjson"
check_rc 74 "read-only directory"
check_err "Permission denied" "read-only directory message"
chmod 755 "$d"
check_true "original intact after 74" test "$before" = "$(sum "$d/events.ndjson")"
check_true "no temp file after 74" test -z "$(ls -A "$d" | grep papyra-tmp)"

# --- compaction -------------------------------------------------------------------------------
d=$(fixture json_retention)
tail -n 5 "$FIX/json_retention/data/events.ndjson" > "$TMP/expected_ret.ndjson"
run persistence compact --path "$d/events.ndjson" --max-records 5
check_rc 0 "compact max-records"
check_out "ℹ Compaction completed" "compaction phrase"
check_out "ℹ   backend: json" "backend line"
check_out "ℹ   before_records: 46" "before_records"
check_out "ℹ   after_records: 5" "after_records"
check_out "ℹ   before_bytes: 10816" "before_bytes"
check_same "$d/events.ndjson" "$TMP/expected_ret.ndjson" "compaction keeps the newest lines byte for byte"

# --- ASCII fallback outside UTF-8 locales ----------------------------------------------------------
d=$(fixture json_clean)
OUT=$(LC_ALL=C "$PAPYRA" persistence scan --path "$d/events.ndjson" </dev/null)
check_out "ok: Persistence is healthy." "ASCII prefix"
run --version
check_rc 0 "--version"
run persistence scan --help
check_rc 0 "--help"
check_out "--path VALUE" "help lists backend options"
