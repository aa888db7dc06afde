# Salvage (SPEC §4 "salvage", §8 "torn record followed by appended records
# on one line"): a torn record glued to the records appended after a
# restart keeps those records, byte for byte; the prefix goes to
# quarantine with the whole original in quarantine mode.
D=$(fixture json_torn_append)
cp "$FIX/json_clean/data/events.ndjson" clean.ndjson
sed '5d;10d' clean.ndjson >expected.ndjson

run persistence scan --path "$D/events.ndjson"
check_rc 2 "scan of glued records"
check_out "Invalid JSON at line 5 (byte 91: unexpected character); a torn record followed by 1 complete record: recovery salvages it" "line 5 detail"
check_out "Invalid JSON at line 9 (byte 62: unexpected character); a torn record followed by 1 complete record" "line 9 detail"
check_out "Found 2 persistence anomalies" "two corrupted lines"

run persistence scan --path "$D/events.ndjson" --format json
check_rc 2 "scan json"
T=$(printf '%s' "$OUT" | jq -r '.scan.anomalies[0].type')
[ "$T" = CORRUPTED_LINE ] && ok || ko "salvageable line keeps type CORRUPTED_LINE" "$T"

cp "$D/events.ndjson" orig.ndjson
run persistence recover --path "$D/events.ndjson" --format json
check_rc 0 "recover salvages"
A=$(printf '%s' "$OUT" | jq -c '[.actions[] | [.action, .line, .offset, .length, .kept_offset, .kept_records, .reason]]')
O5=$(head -4 orig.ndjson | wc -c)
O9=$(head -8 orig.ndjson | wc -c)
WANT="[[\"salvage\",5,$O5,91,$((O5 + 91)),1,\"CORRUPTED_LINE\"],[\"salvage\",9,$O9,60,$((O9 + 60)),1,\"CORRUPTED_LINE\"]]"
[ "$A" = "$WANT" ] && ok || ko "salvage actions in the JSON report" "got  $A
want $WANT"
V=$(printf '%s' "$OUT" | jq -c '.verify.anomalies')
[ "$V" = "[]" ] && ok || ko "verification after salvage is clean" "$V"
check_same "$D/events.ndjson" expected.ndjson "salvaged file = clean file minus the torn records"

# the text plan line says what is dropped and kept
D=$(fixture json_torn_append)
run persistence recover --path "$D/events.ndjson"
check_rc 0 "text recover"
check_out "salvage: $D/events.ndjson line 5 (CORRUPTED_LINE: 91 bytes of a torn record dropped, 1 complete record kept)" "text plan line"
check_out "Verification scan: persistence is healthy" "text verification"

# quarantine: the whole original is preserved, prefix included
D=$(fixture json_torn_append)
run persistence recover --path "$D/events.ndjson" --mode quarantine --quarantine-dir q
check_rc 0 "quarantine salvages"
Q=$(ls q/events.ndjson.quarantine.* 2>/dev/null | head -1)
check_same "$Q" orig.ndjson "quarantine copy is the untouched original"
check_same "$D/events.ndjson" expected.ndjson "quarantine: salvaged file"

# doctor / startup-check gates salvage too
D=$(fixture json_torn_append)
run doctor run --path "$D/events.ndjson" --mode recover
check_rc 0 "doctor recover salvages"
check_same "$D/events.ndjson" expected.ndjson "doctor: salvaged file"

# several records glued, CRLF, a NUL-padded tear, a lost newline
R='{"kind": "event", "system_id": "local", "event_type": "ActorStarted", "timestamp": 7}'
{
	printf '%s\n' "$R"
	printf '{"kind": "dead_letter", "payload": {"a": [1, {"b"%s %s\n' "$R" "$R"
	printf '\0\0\0\0%s\r\n' "$R"
	printf '%s%s\n' "$R" "$R"
	printf '{"kind": "ev\n'
	printf '{"a": 1}%s\n' "$R"
} >m.ndjson
run persistence recover --path m.ndjson --format json
check_rc 0 "mixed salvage"
A=$(printf '%s' "$OUT" | jq -c '[.actions[] | [.action, .line, .length, .kept_records]]')
[ "$A" = '[["salvage",2,49,2],["salvage",3,4,1],["salvage",4,0,2],["drop_line",5,12,null],["salvage",6,8,1]]' ] && ok ||
	ko "mixed salvage actions" "$A"
# 7 records; the NUL-padded one keeps its CRLF ending
printf '%s\n%s\n%s\n%s\r\n%s\n%s\n%s\n' "$R" "$R" "$R" "$R" "$R" "$R" "$R" >want.ndjson
check_same m.ndjson want.ndjson "mixed salvage result"
run persistence scan --path m.ndjson
check_rc 0 "mixed salvage rescan is clean"

# no salvage: a complete nested object without "kind", garbage, braces only
printf '{"kind": "event", "payload": {"x": 1}\n{{{{{{{{\n{"a": 1} {"b": 2}\n' >n.ndjson
run persistence scan --path n.ndjson
check_rc 2 "no salvage scan"
check_out_not "salvages" "nothing to salvage"
run persistence recover --path n.ndjson --format json
A=$(printf '%s' "$OUT" | jq -c '[.actions[].action] | unique')
[ "$A" = '["drop_line"]' ] && ok || ko "no salvage: lines dropped" "$A"

# a long line (beyond the scanner's 2 MiB buffer): torn prefix, then a record
awk 'BEGIN { printf "{\"kind\": \"event\", \"payload\": \""; for (i = 0; i < 300000; i++) printf "0123456789"; printf "{\"kind\": \"event\", \"timestamp\": 9}\n" }' >long.ndjson
run persistence recover --path long.ndjson --format json
check_rc 0 "long line salvage"
A=$(printf '%s' "$OUT" | jq -c '[.actions[] | [.action, .length, .kept_records]]')
[ "$A" = '[["salvage",3000030,1]]' ] && ok || ko "long line salvage action" "$A"
[ "$(cat long.ndjson)" = '{"kind": "event", "timestamp": 9}' ] && ok || ko "long line salvage result" "$(head -c 200 long.ndjson)"

# the console's batch mode shows the same plan line, and applies it with --yes
D=$(fixture json_torn_append)
run console --batch --path "$D/events.ndjson" --mode recover
check_rc 1 "console --batch plan only"
check_out "salvage: $D/events.ndjson line 5 (CORRUPTED_LINE: 91 bytes of a torn record dropped, 1 complete record kept)" "batch plan line"
run console --batch --path "$D/events.ndjson" --mode recover --yes
check_rc 0 "console --batch --yes salvages"
check_same "$D/events.ndjson" expected.ndjson "console batch: salvaged file"
