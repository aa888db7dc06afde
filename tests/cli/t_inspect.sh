# inspect events | audits | dead-letters | summary, persistence inspect,
# metrics persistence | reset: output lines, filters, --limit/--reverse
# order, --json, retention as a logical view, damaged and odd data
# (SPEC §2.1, §5, §6, §10).

lines() { printf '%s\n' "$OUT" | grep -c .; }

# --- the four listings on the reference's own clean file ----------------------
cd "$(fixture json_clean)" || exit 1
run inspect events --path events.ndjson
check_rc 0 "events"
check_golden tests/cli/golden/inspect_events.txt "events"
run inspect audits --path events.ndjson
check_rc 0 "audits"
check_golden tests/cli/golden/inspect_audits.txt "audits"
run inspect dead-letters --path events.ndjson
check_rc 0 "dead letters"
check_golden tests/cli/golden/inspect_dead_letters.txt "dead letters"
run inspect summary --path events.ndjson
check_rc 0 "summary"
check_golden tests/cli/golden/inspect_summary.txt "summary"

# --- options: filters first, then --limit keeps the newest, --reverse flips --
run inspect events --path events.ndjson --limit 3
check_rc 0 "events --limit"
check_golden tests/cli/golden/inspect_events_limit3.txt "events --limit 3"
run inspect events --path events.ndjson --limit 3 --reverse
check_golden tests/cli/golden/inspect_events_limit3_reverse.txt "events --limit 3 --reverse"
run inspect events --path events.ndjson --reverse
check_rc 0 "events --reverse"
first=$(printf '%s\n' "$OUT" | head -1)
check_true "reverse starts with the newest" test "$first" = "ℹ [1767225610.002] ActorStopped local:4"
check_true "reverse lists all 15" test "$(lines)" = 15
run inspect events --path events.ndjson --event-type ActorCrashed
check_rc 0 "--event-type"
check_true "three crashes" test "$(lines)" = 3
check_out_not "ActorStarted" "--event-type filters"
run inspect events --path events.ndjson --event-type ActorCrashed --limit 1
check_out "ℹ [1767225609.123] ActorCrashed local:5" "filter before limit"
check_true "filter before limit: one line" test "$(lines)" = 1
run inspect events --path events.ndjson --since 1767225609.1
check_true "--since keeps 5" test "$(lines)" = 5
check_out "ℹ [1767225609.123] ActorCrashed local:5" "--since inclusive side"
check_out_not "[1767225609.000]" "--since excludes older"
# --until (a papyra extension): inclusive, with --since a closed range
run inspect events --path events.ndjson --until 1767225609.2
check_rc 0 "--until"
check_out "ℹ [1767225609.200] ActorStopped local:5" "--until inclusive side"
check_out_not "[1767225610.000]" "--until excludes newer"
check_true "--until keeps 12" test "$(lines)" = 12
run inspect events --path events.ndjson --since 1767225609.1 --until 1767225609.2
check_true "--since and --until: two" test "$(lines)" = 2
run inspect audits --path events.ndjson --until 1767225608
check_rc 0 "audits --until"
run inspect dead-letters --path events.ndjson --until yesterday
check_rc 64 "bad --until"
run inspect events --path events.ndjson --event-type NoSuchEvent
check_rc 0 "no match"
check_out "ℹ No events recorded." "no match message"
run inspect events --path events.ndjson --limit 0
check_out "ℹ No events recorded." "--limit 0"
run inspect audits --path events.ndjson --limit 1
check_out "ℹ [1767225611.000] total=0 alive=0 stopping=0 restarting=0 dead_letters=4" "audits --limit 1"
check_true "audits --limit 1: one line" test "$(lines)" = 1
run inspect audits --path events.ndjson --since 1767225608
check_true "audits --since" test "$(lines)" = 2

# --target matches either stored form
run inspect dead-letters --path events.ndjson --target local:4
check_rc 0 "--target"
check_out "ℹ [1767225603.000] target=local:4 type=PaymentRequest payload={\"order_id\":\"ord-000123\",\"amount_cents\":1999,\"currency\":\"EUR\"}" "--target object form"
check_true "--target one line" test "$(lines)" = 1
run inspect dead-letters --path events.ndjson --target local://4
check_out "target=local:4 type=PaymentRequest" "--target URL spelling"
run inspect dead-letters --path events.ndjson --target None
check_out "target=None type=str" "--target None"
check_true "--target None one line" test "$(lines)" = 1
run inspect dead-letters --path events.ndjson --target local:99
check_out "ℹ No dead letters recorded." "--target no match"
run inspect dead-letters --path events.ndjson --reverse --limit 2
check_golden tests/cli/golden/inspect_dead_letters_reverse2.txt "dead letters --reverse --limit 2"

# payloads are the stored bytes: NaN, big integers and escapes survive
run inspect dead-letters --path events.ndjson --limit 3 --target local:9
check_out "payload=9007199254740993" "big int payload kept"

# --- --json: one object per line, values as stored ----------------------------
run inspect events --path events.ndjson --json
check_rc 0 "events --json"
check_golden tests/cli/golden/inspect_events.json "events --json"
printf '%s\n' "$OUT" > "$TMP/ev.json"
check_true "events --json: 15 objects" test "$(grep -c '^{' "$TMP/ev.json")" = 15
run inspect audits --path events.ndjson --json
printf '%s\n' "$OUT" > "$TMP/au.json"
check_true "audits --json parses" jq -e -s 'length == 3 and .[1].registry_orphans == ["ghost-1","ghost-2"]' "$TMP/au.json"
run inspect dead-letters --path events.ndjson --json --target local:2
check_out '{"kind":"dead_letter","path":"events.ndjson","line":13,"timestamp":1767225606.0,"system_id":"local","target":"local:2","message_type":"list","payload":[1,"two",{"three":3.0},null,true,false]}' "dead letter --json"
run inspect summary --path events.ndjson --json
check_out '"dead_letters_count":4' "summary --json"
check_out_not "ℹ" "summary --json has no prefix"
run inspect events --path events.ndjson --json --event-type NoSuchEvent
check_rc 0 "--json, no match"
check_true "--json, no match: empty stdout" test -z "$OUT"

# --- strict JSON by default; --json-raw keeps NaN / Infinity as stored ---------
# node's JSON.parse is the strict parser pipelines meet
jsparse() { node -e 'const l = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
	for (const x of l) JSON.parse(x); console.log(l.length)' <"$1"; }
run inspect events --path events.ndjson --json-raw
check_golden tests/cli/golden/inspect_events_raw.json "events --json-raw: the stored text"
printf '%s\n' "$OUT" > "$TMP/raw.json"
check_true "--json-raw is not strict JSON (NaN)" sh -c "! node -e 'JSON.parse(process.argv[1])' '$(grep NaN "$TMP/raw.json")' 2>/dev/null"
for k in events audits dead-letters summary; do
	run inspect $k --path events.ndjson --json
	printf '%s\n' "$OUT" > "$TMP/strict.json"
	check_true "inspect $k --json: every line passes JSON.parse" jsparse "$TMP/strict.json"
done
run inspect events --path events.ndjson --json
check_out '"metrics":{"latency_ms":"NaN","p99_ms":"Infinity","floor":"-Infinity","zero":-0.0,"tiny":5e-324,"huge":1.7976931348623157e+308}' "the three words become strings, numbers keep their digits"
cd "$TMP" || exit 1
# the words only outside strings; in a timestamp and in audit counters too
cat > "$TMP/words.ndjson" <<'EOT'
{"kind":"event","timestamp":NaN,"event_type":"NaN Infinity","actor_address":"-Infinity","payload":{"s":"a \" NaN","n":[-Infinity,1E400,NaN]}}
{"kind":"audit","timestamp":-Infinity,"total_actors":Infinity,"alive_actors":1,"stopping_actors":0,"restarting_actors":0,"registry_size":1,"registry_orphans":[],"registry_dead":[],"dead_letters_count":NaN}
EOT
run inspect events --path "$TMP/words.ndjson" --json
check_out '"timestamp":"NaN"' "NaN timestamp as a string"
check_out '"actor_address":"-Infinity","event_type":"NaN Infinity","payload":{"s":"a \" NaN","n":["-Infinity",1E400,"NaN"]}' "strings untouched, words quoted"
run inspect summary --path "$TMP/words.ndjson" --json
check_out '"timestamp":"-Infinity","system_id":"local","total_actors":"Infinity"' "audit words quoted"
check_out '"dead_letters_count":"NaN"' "audit NaN quoted"
printf '%s\n' "$OUT" > "$TMP/w.json"
check_true "summary with words passes JSON.parse" jsparse "$TMP/w.json"
run inspect events --path "$TMP/words.ndjson" --json-raw
check_out '"timestamp":NaN' "--json-raw: as stored"
cd "$(fixture json_clean)" || exit 1
cd "$TMP" || exit 1

# --- retention is a logical view of the listing (SPEC §5) ---------------------
d=$(fixture json_retention)
run inspect events --path "$d/events.ndjson" --max-records 5
check_rc 0 "retention events"
check_true "newest 5 records hold 3 events" test "$(lines)" = 3
check_out "ℹ [1767229210.000] ActorStopped local:102" "retention keeps the newest"
run inspect summary --path "$d/events.ndjson" --max-records 5
check_out "ℹ Dead letters: " "retention summary"
run inspect dead-letters --path "$d/events.ndjson" --max-records 5
check_true "retention: one dead letter" test "$(lines)" = 1
run inspect audits --path "$d/events.ndjson" --max-records 1
check_true "retention: last record is an audit" test "$(lines)" = 1
run inspect events --path "$d/events.ndjson" --max-records 1
check_out "ℹ No events recorded." "retention can leave nothing"
run inspect events --path "$d/events.ndjson"
check_true "no retention: every event" test "$(lines)" -gt 20
run persistence inspect --path "$d/events.ndjson" --max-records 5 --max-age-seconds 3600
check_rc 0 "persistence inspect retention"
check_out "ℹ retention: max_records=5 max_age_seconds=3600.0 max_total_bytes=None" "retention line"

# --- damaged data still lists; corruption is the scanner's business -----------
d=$(fixture json_corrupt_middle)
run inspect events --path "$d/events.ndjson"
check_rc 0 "corrupt middle lists"
check_out "ℹ [1767225609.123] ActorCrashed local:5" "records after the damage"
run inspect summary --path "$d/events.ndjson"
check_rc 0 "corrupt middle summary"
check_out "ℹ Actors: total=0 alive=0 stopping=0 restarting=0" "summary past damage"
d=$(fixture json_truncated_tail)
run inspect audits --path "$d/events.ndjson"
check_rc 0 "truncated tail lists"
d=$(fixture json_crlf)
run inspect events --path "$d/events.ndjson" --limit 1
check_out "ℹ [1767225610.002] ActorStopped local:4" "CRLF lines list"

# --- odd records: string timestamp, no timestamp, unknown kind, addresses -----
cat > "$TMP/odd.ndjson" <<'EOF'
{"kind": "event", "system_id": "local", "actor_address": "local://7", "event_type": "ActorStarted", "payload": {}, "timestamp": "2026-01-01T00:00:00Z"}
{"kind": "event", "actor_address": "local:8", "event_type": "NoTimestamp"}
{"kind": "telemetry", "event_type": "UnknownKind", "timestamp": 5}
{"kind": "event", "actor_address": "local:9", "event_type": "Esc\u001b[2Jape\nd", "timestamp": 6}
{"kind": "dead_letter", "target": "local:4", "message_type": "M", "payload": {"n": 1E400, "s": "\ud800"}, "timestamp": 7}
{"kind": "dead_letter", "target": "local://4", "message_type": "N", "timestamp": 8}
EOF
run inspect events --path "$TMP/odd.ndjson"
check_rc 0 "odd events"
check_out 'ℹ ["2026-01-01T00:00:00Z"] ActorStarted local://7' "string timestamp shown raw"
check_out_not "NoTimestamp" "record without timestamp skipped"
check_out_not "UnknownKind" "unknown kind skipped"
check_out 'ℹ [6.000] Esc\x1b[2Jape\nd local:9' "control characters escaped"
run inspect events --path "$TMP/odd.ndjson" --since 0
check_out_not "2026-01-01" "string timestamp never matches --since"
run inspect events --path "$TMP/odd.ndjson" --json --limit 1 --event-type ActorStarted
check_out '"timestamp":"2026-01-01T00:00:00Z"' "--json raw string timestamp"
run inspect dead-letters --path "$TMP/odd.ndjson" --target local:4
check_true "--target matches both string forms" test "$(lines)" = 2
check_out 'payload={"n":1E400,"s":"\ud800"}' "payload bytes kept"
check_out "target=local://4 type=N payload=null" "string target shown as stored"

# a record longer than the scanner's buffer is listed like any other (SPEC §8)
awk 'BEGIN { printf "{\"kind\": \"event\", \"event_type\": \"Huge\", \"timestamp\": 1, \"payload\": \""
	for (i = 0; i < 3200; i++) printf "%01000d", 0
	printf "\"}\n{\"kind\": \"event\", \"actor_address\": \"local:1\", \"event_type\": \"Small\", \"timestamp\": 2}\n" }' > "$TMP/long.ndjson"
run inspect events --path "$TMP/long.ndjson"
check_rc 0 "long line"
check_out "ℹ [2.000] Small local:1" "records after a long line"
check_out "ℹ [1.000] Huge None" "the 3.2 MB record is listed"
check_true "nothing said about skipping" test -z "$ERR"
run persistence inspect --path "$TMP/long.ndjson"
check_out "ℹ events_sampled: 2" "long line still counted"

# --reverse over more output than it keeps in memory (spills to a temp file)
awk 'BEGIN { for (i = 0; i < 200000; i++)
	printf "{\"kind\": \"event\", \"actor_address\": {\"system\": \"local\", \"actor_id\": %d}, \"event_type\": \"ActorStartedWithAQuiteLongTypeNameToFillTheLine\", \"timestamp\": %d}\n", i, i }' > "$TMP/many.ndjson"
"$PAPYRA" inspect events --path "$TMP/many.ndjson" > "$TMP/fwd.txt"
"$PAPYRA" inspect events --path "$TMP/many.ndjson" --reverse > "$TMP/rev.txt"
awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$TMP/fwd.txt" > "$TMP/fwd_rev.txt"
check_same "$TMP/rev.txt" "$TMP/fwd_rev.txt" "--reverse of 200000 events"
"$PAPYRA" inspect events --path "$TMP/many.ndjson" --reverse --limit 100000 > "$TMP/rev_lim.txt"
head -100000 "$TMP/fwd_rev.txt" > "$TMP/fwd_rev_lim.txt"
check_same "$TMP/rev_lim.txt" "$TMP/fwd_rev_lim.txt" "--reverse --limit 100000"

# --limit whose newest records do not fit in memory counts first, then prints
awk 'BEGIN { for (r = 0; r < 12; r++) {
	printf "{\"kind\": \"dead_letter\", \"target\": \"local:%d\", \"timestamp\": %d, \"payload\": \"", r, r
	for (i = 0; i < 1000; i++) printf "%01000d", r
	printf "\"}\n" } }' > "$TMP/wide.ndjson"
"$PAPYRA" inspect dead-letters --path "$TMP/wide.ndjson" | tail -10 > "$TMP/wide_all.txt"
"$PAPYRA" inspect dead-letters --path "$TMP/wide.ndjson" --limit 10 > "$TMP/wide_lim.txt"
check_same "$TMP/wide_lim.txt" "$TMP/wide_all.txt" "--limit past the memory bound"
"$PAPYRA" inspect dead-letters --path "$TMP/wide.ndjson" --limit 10 --reverse | awk '{ print $2, $3 }' > "$TMP/wide_rev.txt"
check_true "--limit --reverse past the memory bound" test "$(head -1 "$TMP/wide_rev.txt")" = "[11.000] target=local:11"

# --- empty and missing stores ---------------------------------------------------
d=$(fixture json_empty)
for what in "events:No events recorded." "audits:No audit reports recorded." \
	"dead-letters:No dead letters recorded." "summary:No audit data available."; do
	run inspect "${what%%:*}" --path "$d/events.ndjson"
	check_rc 0 "empty ${what%%:*}"
	check_out "ℹ ${what#*:}" "empty ${what%%:*}"
	run inspect "${what%%:*}" --path "$TMP/nowhere/events.ndjson"
	check_rc 0 "missing ${what%%:*}"
	check_out "ℹ ${what#*:}" "missing ${what%%:*}"
done

# --- persistence inspect ----------------------------------------------------------
cd "$(fixture json_clean)" || exit 1
run persistence inspect --path events.ndjson
check_rc 0 "persistence inspect"
check_golden tests/cli/golden/inspect_persistence.txt "persistence inspect"
run persistence inspect --path events.ndjson --show-metrics
check_rc 0 "persistence inspect --show-metrics"
check_golden tests/cli/golden/inspect_persistence_metrics.txt "persistence inspect --show-metrics"
run persistence inspect --path events.ndjson --limit 5
check_out "ℹ events_sampled: 5 (capped)" "capped events"
check_out "ℹ audits_sampled: 3" "uncapped audits"
check_out_not "audits_sampled: 3 (capped)" "3 < 5 is not capped"
check_out "ℹ dead_letters_sampled: 5 (capped)" "capped at the limit exactly"

# --- metrics ----------------------------------------------------------------------
run metrics persistence --path events.ndjson
check_rc 0 "metrics persistence"
check_golden tests/cli/golden/inspect_metrics.txt "metrics persistence"
cd "$TMP" || exit 1
d=$(fixture json_corrupt_middle)
run metrics persistence --path "$d/events.ndjson" --json
check_rc 0 "metrics --json"
printf '%s\n' "$OUT" > "$TMP/m.json"
check_true "metrics count this run's scan" jq -e '.scans == 1 and .anomalies_detected == 2 and .scan_errors == 0 and (keys | length) == 10' "$TMP/m.json"
run metrics reset
check_rc 0 "metrics reset"
check_out "ℹ Metrics reset" "metrics reset message"
run metrics reset --json
check_rc 0 "metrics reset --json"
printf '%s\n' "$OUT" > "$TMP/r.json"
check_true "metrics reset --json: all zero" jq -e '[.[]] | add == 0' "$TMP/r.json"

# --- usage errors ---------------------------------------------------------------
run inspect events --path "$FIX/json_clean/data/events.ndjson" --limit -1
check_rc 64 "negative --limit"
run inspect events --path "$FIX/json_clean/data/events.ndjson" --since yesterday
check_rc 64 "bad --since"
run inspect audits --path "$FIX/json_clean/data/events.ndjson" --event-type X
check_rc 64 "audits take no --event-type"
run inspect summary --path "$FIX/json_clean/data/events.ndjson" --limit 2
check_rc 64 "summary takes no --limit"
run inspect events --path "$FIX/json_clean/data"
check_rc 64 "a directory as --path"
run persistence inspect --path "$FIX/json_clean/data/events.ndjson" --limit x
check_rc 64 "persistence inspect bad --limit"
