# Report formats (json, junit, github) for every pipeline command, and
# `console --batch` goldens for each fixture and flag set (SPEC §6, §7).

XSD=$ROOT/tests/cli/junit.xsd
sum() { cksum "$@" 2>/dev/null; }

# --- junit: valid against the schema, one case per file, failures carry anomalies
d=$(fixture json_corrupt_middle); cd "$d"
for cmd in "persistence scan" "persistence startup-check" "doctor run" "console --batch"; do
	run $cmd --path events.ndjson --format junit --output "$TMP/r.xml"
	check_true "$cmd junit valid" xmllint --noout --schema "$XSD" "$TMP/r.xml"
	check_true "$cmd junit one failing case" test "$(xmllint --xpath 'count(//testcase[failure])' "$TMP/r.xml")" = 1
	check_true "$cmd junit names the anomalies" grep -q 'CORRUPTED_LINE: events.ndjson line 10' "$TMP/r.xml"
	check_out "report written to $TMP/r.xml" "$cmd summary line"
done
run persistence recover --path events.ndjson --format junit
check_rc 0 "recover junit"
printf '%s\n' "$OUT" > "$TMP/rec.xml"
check_true "recover junit valid" xmllint --noout --schema "$XSD" "$TMP/rec.xml"
check_true "recover junit: verified clean" test "$(xmllint --xpath 'count(//failure)' "$TMP/rec.xml")" = 0
check_true "recover junit: actions in system-out" grep -q 'drop_line events.ndjson line 10' "$TMP/rec.xml"
cd "$TMP"

# markup and invalid UTF-8 in a path stay valid XML
mkdir -p "$TMP/x&<y>"; printf 'garbage \377\n' > "$TMP/x&<y>/ev.ndjson"
run persistence scan --path "$TMP/x&<y>/ev.ndjson" --format junit
printf '%s\n' "$OUT" > "$TMP/m.xml"
check_true "markup in paths escaped" xmllint --noout --schema "$XSD" "$TMP/m.xml"

# --- github annotations, line by line
d=$(fixture json_corrupt_and_truncated); cd "$d"
run persistence scan --path events.ndjson --format github
check_rc 2 "github scan exit"
check_true "github: exactly two annotations" test "$(printf '%s\n' "$OUT" | grep -c '^::error ')" = 2
check_out "::error file=events.ndjson,line=6::CORRUPTED_LINE Invalid JSON at line 6 (byte 40: unexpected end of line)" "github corrupted line"
check_out "::error file=events.ndjson,line=23::TRUNCATED_LINE Line 23 missing newline" "github truncated line"
run doctor run --mode recover --path events.ndjson --format github
check_rc 0 "github doctor recover"
check_out "::warning file=events.ndjson,line=6::papyra drop_line (CORRUPTED_LINE)" "github: an applied drop is a warning"
check_out_not "::notice file=events.ndjson,line=6" "github: no notice for a drop"
check_out_not "::error" "github: clean after recovery"
cd "$TMP"
mkdir -p "$TMP/a,b:c"; printf 'x\n' > "$TMP/a,b:c/e.ndjson"
run persistence scan --path "$TMP/a,b:c/e.ndjson" --format github
check_out "a%2Cb%3Ac/e.ndjson,line=1::" "github property escaping"

# --- console --batch goldens ---------------------------------------------------------
for case in json_clean json_empty json_missing json_corrupt_middle json_truncated_tail json_blank_lines json_non_object json_crlf json_corrupt_and_truncated; do
	d=$(fixture $case); cd "$d"
	run console --batch --path events.ndjson
	check_golden "tests/cli/golden/batch_$case.txt" "batch $case"
	case $case in json_clean|json_empty|json_missing|json_crlf) check_rc 0 "batch $case exit" ;; *) check_rc 1 "batch $case exit" ;; esac
	cd "$TMP"
done

d=$(fixture json_corrupt_middle); cd "$d"; before=$(sum events.ndjson)
run console --batch --path events.ndjson --mode ignore
check_rc 0 "batch ignore"
check_golden tests/cli/golden/batch_ignore.txt "batch ignore golden"
run console --batch --path events.ndjson --mode recover --recovery-mode quarantine --quarantine-dir q
check_rc 1 "batch recover without --yes only shows the plan"
check_golden tests/cli/golden/batch_plan_only.txt "batch plan golden"
check_true "batch without --yes changed nothing" test "$before" = "$(sum events.ndjson)"
check_true "a plan shown creates no quarantine directory" test ! -e q
run console --batch --path events.ndjson --mode recover --format json
check_true "batch plan-only json has plan, no actions" sh -c "printf '%s' '$OUT' | jq -e '.plan and (has(\"actions\") | not)'"
run console --batch --path events.ndjson --mode recover --yes --journal "$TMP/j.ndjson"
check_rc 0 "batch recover --yes"
check_out "ℹ Recovery successful" "batch recovered"
check_true "batch journaled" jq -e '.command == "console"' "$TMP/j.ndjson"
run persistence scan --path events.ndjson
check_rc 0 "clean after batch recovery"
run console --batch --path events.ndjson --mode bogus
check_rc 64 "batch bad mode"
run console --batch --path events.ndjson --mode recover --recovery-mode quarantine --yes
check_rc 64 "batch quarantine without dir"
cd "$TMP"

# --- the demo incident, end to end headless -----------------------------------------------
cp "$ROOT/examples/incident/events.ndjson" "$TMP/demo.ndjson"
run console --batch --path "$TMP/demo.ndjson"
check_rc 1 "demo: anomalies"
check_out "records: 1394 events, 120 audits, 1512 dead letters" "demo: counts per kind"
check_out "line 1515" "demo: corrupted line"
check_out "line 3028" "demo: truncated tail"
