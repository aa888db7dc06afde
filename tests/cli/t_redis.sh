# The Redis Streams backend against a real redis-server (SPEC §2.3, §3, §4,
# §5, §6, §8): scan, sampling, wrong key types, an unreachable or refusing
# server (exit 69, password redacted), repair and quarantine, the gates,
# inspect, compaction, persistence inspect.
#
# Starts its own redis-server on a free loopback port (no disk writes but
# its log, in $TMP) and stops it by its pid when the script ends, whatever
# path it ends by.  A missing redis-server is a failure, not a skip:
# tests/deps.sh installs it.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

# XRANGE of a stream as JSON [[id, [field, value, ...]], ...]
xrange() { rcli --json xrange "$1" - +; }
# the fixture's entries of a stream in the same shape, minus the ids given
expected() {
	_k=$1; shift
	jq -c --arg k "$_k" '[.[$k][] | select(.[0] as $i | $ARGS.positional | index($i) | not)
		| [.[0], (.[1] | to_entries | map(.key, .value))]]' "$FIX/$CASE/data/streams.json" --args "$@"
}
same_json() {
	_a=$(printf '%s' "$1" | jq -cS .) && [ -n "$_a" ] && [ "$_a" = "$(printf '%s' "$2" | jq -cS .)" ]
}

EV=papyra:local:events AU=papyra:local:audits DL=papyra:local:dead_letters
BAD_EV="1767225600015-0 1767225600016-0 1767225600017-0 1767225600018-0"

# --- scan ------------------------------------------------------------------
CASE=redis_clean; load $CASE
run persistence scan $R
check_rc 0 "scan clean"
check_out "Persistence is healthy." "scan clean message"
run persistence scan --backend redis --redis-url "unix://$TMP/redis.sock?db=0"
check_rc 0 "scan over the unix socket"
run persistence scan $R --format json
check_true "clean: three streams, entries counted" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.files[] | [.path, .lines]]')" = \
	'[["papyra:local:events",15],["papyra:local:audits",3],["papyra:local:dead_letters",5]]'
check_true "clean: location is the URL" test "$(printf '%s' "$OUT" | jq -r .location)" = "$URL"

CASE=redis_corrupt; load $CASE
run persistence scan $R
check_rc 2 "scan corrupt"
check_out "Found 6 persistence anomalies:" "six anomalies"
check_out "- CORRUPTED_LINE: $EV (Missing 'data' field or non-string payload (id 1767225600015-0))" "missing data"
check_out "- CORRUPTED_LINE: $EV (Invalid JSON payload in stream entry (id 1767225600016-0, byte 1:" "bad JSON"
check_out "- CORRUPTED_LINE: $EV (JSON payload is not an object/dict (id 1767225600017-0: number))" "42"
check_out "- CORRUPTED_LINE: $EV (JSON payload is not an object/dict (id 1767225600018-0: array))" "[1,2]"
check_out "- CORRUPTED_LINE: $AU (JSON payload is not an object/dict (id 1767225600003-0: string))" "string"
check_out "- CORRUPTED_LINE: $DL (Invalid JSON payload in stream entry (id 1767225600005-0, byte 0: empty line))" "empty data"
check_out_not "1767225600006-0" "a valid entry with an extra field is fine"
run persistence scan $R --format json
check_true "anomalies carry id, no line/offset" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.anomalies[] | [.id, has("line"), has("offset")]] | map(select(.[1] or .[2] or (.[0] | not))) | length')" = 0
check_true "streams in order events, audits, dead_letters" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.anomalies[].path | sub("papyra:local:"; "")]')" = \
	'["events","events","events","events","audits","dead_letters"]'
run console --batch $R
check_rc 1 "console --batch on redis"
check_out "$EV line 16 (" "batch triage shows the position in the stream"

# --scan-sample-size: only the newest N per stream, still reported oldest first
run persistence scan $R --scan-sample-size 2
check_rc 2 "sample 2"
check_out "Found 4 persistence anomalies:" "sample 2 finds the newest only"
check_out_not "1767225600015-0" "sample 2 skips older corruption"
run persistence scan $R --scan-sample-size 1 --format json
check_true "sample 1" test "$(printf '%s' "$OUT" | jq -c '[.scan.anomalies[].id]')" = \
	'["1767225600018-0","1767225600003-0"]'
run persistence scan $R --scan-sample-size 1000
check_out "Found 6 persistence anomalies:" "sample larger than the stream"

# --- a key of the wrong type -------------------------------------------------
rcli set $AU "not a stream" >/dev/null
run persistence scan $R
check_rc 2 "wrong type"
check_out "- UNEXPECTED_FILE: $AU (Key holds a Redis string, not a stream)" "wrong type anomaly"
run persistence recover $R
check_rc 3 "recover leaves a foreign key alone"
check_true "the string is untouched" test "$(rcli get $AU)" = "not a stream"
check_out "Recovery attempted but anomalies still exist" "wrong type remains"

# --- unavailable server: 69, URL shown, password never ----------------------
run persistence scan --backend redis --redis-url redis://127.0.0.1:1/0
check_rc 69 "refused connection"
check_err "redis://127.0.0.1:1/0" "the URL is named"
check_err "Connection refused" "the reason is named"
run doctor run --backend redis --redis-url "redis://ops:hunter2@127.0.0.1:1/0"
check_rc 69 "doctor: server down"
check_err "redis://ops:***@127.0.0.1:1/0" "password redacted"
case "$ERR$OUT" in *hunter2*) ko "password leaked" "$ERR" ;; *) ok ;; esac
rcli config set requirepass s3cr3t >/dev/null
run persistence scan $R
check_rc 69 "no password, server wants one"
check_err "NOAUTH" "NOAUTH named"
run persistence startup-check --backend redis --redis-url "redis://:wrong@127.0.0.1:$PORT/0"
check_rc 69 "wrong password"
check_err "refused the credentials" "wrong password message"
check_err "redis://:***@127.0.0.1:$PORT/0" "wrong password redacted"
case "$ERR" in *wrong@*) ko "password leaked" "$ERR" ;; *) ok ;; esac
run persistence scan --backend redis --redis-url "redis://:s3cr3t@127.0.0.1:$PORT/0"
check_rc 2 "right password"
rcli -a s3cr3t --no-auth-warning config set requirepass "" >/dev/null
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$PORT/99"
check_rc 69 "SELECT of a db the server does not have"
run persistence scan --backend redis --redis-url "rediss://127.0.0.1:$PORT/0"
check_rc 69 "TLS to a plain port: unavailable"
check_err "TLS handshake timed out (does the server speak TLS on this port?)" "TLS to a plain port: said"

# --- recover: repair ------------------------------------------------------------
CASE=redis_corrupt; load $CASE
run persistence recover $R --format json --journal "$TMP/journal.ndjson"
check_rc 0 "repair"
check_true "journaled" test "$(jq -r .backend "$TMP/journal.ndjson")" = redis
check_true "journal: Redis measures no bytes (null, as the console writes)" test \
	"$(jq -c '[.bytes_before, .bytes_after]' "$TMP/journal.ndjson")" = '[null,null]'
check_true "repair: delete_entry actions with ids" test \
	"$(printf '%s' "$OUT" | jq -c '[.actions[] | select(.action == "delete_entry") | .id] | length')" = 6
check_true "repair: verified clean" test "$(printf '%s' "$OUT" | jq -c '.verify.anomalies')" = "[]"
check_true "events: bad entries gone, others untouched" same_json "$(xrange $EV)" "$(expected $EV $BAD_EV)"
check_true "audits: bad entry gone" same_json "$(xrange $AU)" "$(expected $AU 1767225600003-0)"
check_true "dead letters: empty one gone, extra field kept" same_json "$(xrange $DL)" "$(expected $DL 1767225600005-0)"
run persistence scan $R
check_rc 0 "clean after repair"

CASE=redis_corrupt; load $CASE
run persistence recover $R
check_rc 0 "repair (text)"
check_out "Recovery completed" "recovery completed"
check_out "repaired $EV" "repaired events"
check_out "repaired $DL" "repaired dead letters"
check_out "Verification scan: persistence is healthy" "verification"
check_out "delete_entry: $EV entry " "plan text names the entry id"
check_true "journal lists the dropped entry ids" test \
	"$(jq -s -c '[.[-1].dropped[] | select(.id != null)] | length' "$TMP/journal.ndjson")" = 6

# --- recover: quarantine (no directory needed) --------------------------------------
CASE=redis_corrupt; load $CASE
Q=papyra:local:quarantine
run persistence recover $R --mode quarantine
check_rc 0 "quarantine"
check_out "quarantined $Q:papyra_local_events" "quarantine stream named"
check_true "events: bad entries moved out" same_json "$(xrange $EV)" "$(expected $EV $BAD_EV)"
check_true "four quarantined events" test "$(rcli xlen $Q:papyra_local_events)" = 4
qjson=$(xrange $Q:papyra_local_events)
# each quarantined entry as an object; compare with the originals' fields
got=$(printf '%s' "$qjson" | jq -c '[.[] | .[1] as $f | [range(0; $f | length; 2)] | map({key: $f[.], value: $f[. + 1]}) | from_entries]')
want=$(jq -c --arg k $EV '[.[$k][] | select(.[0] | IN("1767225600015-0","1767225600016-0","1767225600017-0","1767225600018-0"))
	| .[1] + (if .[1] | has("data") then {} else {data: ""} end) + {source: $k, id: .[0]}]' "$FIX/$CASE/data/streams.json")
check_true "every original field (data empty when it had none), plus source and id" same_json \
	"$(printf '%s' "$got" | jq -c 'map(del(.timestamp))')" "$want"
check_true "quarantine entries carry a timestamp" test \
	"$(printf '%s' "$got" | jq '[.[] | select(.timestamp | test("^[0-9]+\\.[0-9]+$"))] | length')" = 4
check_true "missing-data entry kept its payload field" test \
	"$(printf '%s' "$got" | jq -r '.[0].payload')" = '{"kind": "event"}'
check_true "dead letter quarantined" test "$(rcli xlen $Q:papyra_local_dead_letters)" = 1
run persistence recover $R --mode quarantine --quarantine-prefix ops:q
check_rc 0 "nothing left to quarantine"

# --- the gates -------------------------------------------------------------------
CASE=redis_corrupt; load $CASE
run persistence startup-check $R
check_rc 1 "startup-check fails on anomalies"
check_out "Persistence anomalies detected" "startup-check message"
run doctor run $R --mode ignore
check_rc 0 "doctor ignore"
run doctor run $R --mode recover --recovery-mode quarantine
check_rc 0 "doctor recover"
check_out "Recovery successful" "doctor recovered"
run persistence startup-check $R
check_rc 0 "startup-check clean"
check_out "Persistence is healthy" "startup-check healthy"

# --- inspect: the same lines as the same records in a file ------------------------
CASE=redis_clean; load $CASE
run inspect events $R
check_rc 0 "inspect events"
check_golden tests/cli/golden/inspect_events.txt "redis events = file events"
run inspect audits $R
check_golden tests/cli/golden/inspect_audits.txt "redis audits"
run inspect dead-letters $R
check_golden tests/cli/golden/inspect_dead_letters.txt "redis dead letters"
run inspect summary $R
check_golden tests/cli/golden/inspect_summary.txt "redis summary"
run inspect events $R --limit 2 --reverse
check_true "events --limit 2 --reverse" test "$(printf '%s\n' "$OUT" | wc -l)" = 2
run persistence inspect $R
check_rc 0 "persistence inspect"
check_out "backend: RedisStreamsPersistence" "class name"
check_out "events_sampled: 15" "events sampled"
check_out "dead_letters_sampled: 5" "dead letters sampled"

# --- compaction -----------------------------------------------------------------
CASE=redis_retention; load $CASE
run persistence compact $R --max-records 5
check_rc 0 "compact --max-records 5"
check_out "Compaction completed" "compaction completed"
check_out "backend: redis" "compaction backend"
check_out "before_records: 69" "before records"
check_out "after_records: 15" "after records"
check_out "before_bytes: None" "bytes unknown"
for k in $EV $AU $DL; do
	check_true "$k trimmed to 5" test "$(rcli xlen $k)" = 5
done
check_true "the newest are kept" test "$(rcli --json xrange $EV - + | jq -r '.[0][0]')" = \
	"$(jq -r --arg k $EV '.[$k][-5][0]' "$FIX/$CASE/data/streams.json")"
load $CASE
run persistence compact $R --max-total-bytes 100
check_rc 0 "compact by size"
check_out "max_total_bytes was not applied" "size retention: said, not silently ignored"
load $CASE
run persistence compact $R --max-age-seconds 1000000000
check_rc 0 "compact by a long age"
check_out "after_records: 69" "a long age keeps everything"
# MINID by the entry ids (2026-01-01): all older than a second, given a sane clock
if [ "$(date +%s)" -gt 1767225700 ]; then
	run persistence compact $R --max-age-seconds 1 --max-records 3
	check_rc 0 "compact by age"
	check_out "after_records: 0" "age 1 s trims every stream"
fi
CASE=redis_corrupt; load $CASE
run persistence compact $R --max-records 1
check_rc 2 "compaction refuses while anomalies exist"
check_true "nothing trimmed" test "$(rcli xlen $EV)" = 19

# --- core checks that need a live server (tests/unit/test_redis.c) -----------------
UNIT=$(dirname "$PAPYRA")/tests/test_redis
if [ -x "$UNIT" ]; then
	rcli flushall >/dev/null
	if PAPYRA_TEST_REDIS_URL=redis://127.0.0.1:$PORT/9 "$UNIT" >"$TMP/unit.txt" 2>&1 &&
		! grep -q SKIPPED "$TMP/unit.txt"; then ok; else ko "test_redis live group" "$(tail -20 "$TMP/unit.txt")"; fi
else
	echo "  note [$T_FILE] $UNIT not built (make unit): live core checks not run"
fi

redis_stop
check_true "redis-server stopped" sh -c "! redis-cli -p $PORT ping >/dev/null 2>&1"
