# papyra console on a rotating set and on Redis Streams (SPEC §2.2, §2.3,
# §7): golden screens of the views over every member / stream, the detail
# of damaged lines and entries, the recovery walk to the verification,
# compaction, and the proof that nothing changes before a confirmation.
#
# bscreen NAME DIR KEYS ARGS...: runs the console in DIR with the backend
# ARGS and the key script KEYS (ui/screen.h), then compares every `dump`
# with tests/screen/golden/NAME.txt (NAME "-": no golden, the dump is in
# $DUMP).  Quarantine names use a fixed epoch; the journal goes to
# $TMP/state unless --journal is given.  The Redis server's port changes
# from run to run: the dump shows it as PORT_ (as wide as any port the
# tests pick), so the goldens hold.  PAPYRA_REGEN=1 rewrites the goldens.
#
# The Redis part starts its own redis-server on a free loopback port (as
# t_redis.sh does) and stops it by its pid when the script ends, whatever
# path it ends by.

EPOCH=1767225600000
SCREEN_STATE=$TMP/state
ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
PORT=

bscreen() {
	_name=$1 _dir=$2 _keys=$3
	shift 3
	DUMP="$TMP/backends.screen"
	console_run "$_dir" "${BSIZE:-100x30}" C.UTF-8 UTC "$_keys" "$@"
	check_rc 0 "console $_name"
	[ -f "$DUMP" ] && [ -n "$PORT" ] && sed -i "s/127\.0\.0\.1:$PORT/127.0.0.1:PORT_/g" "$DUMP"
	[ "$_name" = - ] && return 0
	check_screen "$DUMP" "$_name"
}

# checksum of every file of a directory (names and bytes), to prove nothing changed
dir_sum() { (cd "$1" && find . -type f ! -path './state/*' | LC_ALL=C sort | xargs cksum); }

# --- the rotating set: every view over the members ---------------------------
D=$(fixture rot_corrupt)
ROT_SUM=$(dir_sum "$D")
bscreen rot_files "$D" "5 dump" $ROT
bscreen rot_raw "$D" "6 dump e dump e dump e dump" $ROT
bscreen rot_anomalies "$D" "4 dump j Enter dump" $ROT
bscreen rot_detail "$D" "4 j Enter Enter dump Esc G Enter dump" $ROT
bscreen rot_events "$D" "dump" $ROT
if [ "$(dir_sum "$D")" = "$ROT_SUM" ]; then ok; else ko "browsing the set changed it"; fi

# orphans and leftover temporary files are listed beside the members
D=$(fixture rot_orphan_7)
: >"$D/.rot.log.1.papyra-tmp-4242"
bscreen rot_orphan "$D" "5 dump 4 dump" $ROT

# the header says which backend and where, as the CLI location does
D=$(fixture rot_clean)
bscreen - "$D" "dump" $ROT
dump_has "papyra console  rotating: rot.log" "rotating header"
dump_has "HEALTHY" "rot_clean is healthy"
# W: the set's options in the command, which lists what w wrote, byte for byte
BSIZE=250x30 bscreen - "$D" "f text:type=ActorCrashed Enter W Esc dump w text:../rot_handoff.ndjson Enter dump" $ROT
CMD=$(handoff_shown)
check_true "rotating: W shows the set's options: $CMD" test "$CMD" = "papyra inspect events --backend rotating --path rot.log --max-files 3 --max-bytes 2048 --event-type ActorCrashed --json"
handoff_run "$D" "$CMD" "$TMP/rot_handoff.cli.ndjson"
check_true "rotating: w wrote crashes from several members" test "$(wc -l <"$TMP/rot_handoff.ndjson")" -ge 3
check_same "$TMP/rot_handoff.cli.ndjson" "$TMP/rot_handoff.ndjson" "rotating: the command lists what w wrote, in order"

# a set with nothing on disk yet is clean, as in the CLI (the console used
# to refuse every backend but json with exit 64)
mkdir -p "$TMP/emptyset"
bscreen - "$TMP/emptyset" "5 dump 6 dump" --backend rotating --path events.ndjson
dump_has "events.ndjson  (missing: clean" "empty set: the active path listed, clean"
dump_has "Every file of the set is empty or missing." "empty set: Raw says so"

# --- the rotating repair walk: plan, confirm, verification ---------------------
D=$(fixture rot_corrupt)
bscreen rot_recover "$D" "R dump Enter dump Enter Right Enter dump Esc 4 dump 5 dump" $ROT --journal journal.ndjson
head -n 7 "$FIX/rot_corrupt/data/rot.log.2" >"$TMP/want.2"
sed '3d' "$FIX/rot_corrupt/data/rot.log.1" >"$TMP/want.1"
sed '5d' "$FIX/rot_corrupt/data/rot.log" >"$TMP/want.0"
check_same "$D/rot.log.2" "$TMP/want.2" "rotating repair: truncated tail of rot.log.2 dropped"
check_same "$D/rot.log.1" "$TMP/want.1" "rotating repair: rot.log.1 line 3 dropped, the rest byte for byte"
check_same "$D/rot.log" "$TMP/want.0" "rotating repair: rot.log line 5 dropped, the rest byte for byte"
check_true "rotating repair journaled" grep -q '"backend":"rotating".*"mode":"repair".*"lines_dropped":3' "$D/journal.ndjson"
cd "$D" && run persistence scan $ROT
cd "$TMP" || exit 1
check_rc 0 "rotating repair: persistence scan agrees"

# quarantine: the set's own directory is refused by the backend, with its words
D=$(fixture rot_corrupt)
bscreen rot_quarantine_refused "$D" "R Right Enter Enter dump Enter Esc dump" $ROT --quarantine-dir .
if [ "$(dir_sum "$D")" = "$ROT_SUM" ]; then ok; else ko "refused quarantine directory: the set changed"; fi
# the default directory beside the set: each damaged original kept first
bscreen rot_quarantine_done "$D" "R Right Enter Enter Enter Right Enter dump" $ROT --journal journal.ndjson
for f in rot.log rot.log.1 rot.log.2; do
	check_same "$D/quarantine/$f.quarantine.$EPOCH" "$FIX/rot_corrupt/data/$f" "quarantine keeps the original $f"
done

# an orphan quarantined: moved whole (no typed confirmation: nothing is
# dropped), and the result names it an orphan, not "the original"
D=$(fixture rot_orphan_7)
bscreen rot_orphan_quarantine "$D" "R Right Enter Enter dump Enter dump Right Enter dump" $ROT --journal journal.ndjson
check_true "orphan quarantined: moved out of the set" test ! -e "$D/rot.log.7"
check_same "$D/quarantine/rot.log.7.quarantine.$EPOCH" "$FIX/rot_orphan_7/data/rot.log.7" "orphan kept byte for byte"
case "$(cat "$DUMP")" in *"Orphan rot.log.7 moved to:"*) ok ;; *) ko "quarantine result: the orphan is named an orphan" ;; esac
case "$(cat "$DUMP")" in *"Original kept at"*) ko "quarantine result: an orphan called the original" ;; *) ok ;; esac

# a member grows between the plan and the apply (the store is live, SPEC
# §4): the repair goes ahead and the appended line is kept after it
D=$(fixture rot_corrupt)
LINE='{"kind":"audit","system_id":"local","timestamp":1767225700.0}'
bscreen - "$D" "R Enter append:rot.log:$LINE\\n Enter Right Enter dump" $ROT
dump_has "Verification scan: no anomalies" "appended under the plan: repaired and verified"
{ sed '5d' "$FIX/rot_corrupt/data/rot.log"; echo "$LINE"; } >"$TMP/expected.log"
check_same "$D/rot.log" "$TMP/expected.log" "appended under the plan: repaired, the append kept"

# --- compaction over the set ------------------------------------------------------------
D=$(fixture rot_clean)
bscreen rot_compact "$D" "c dump Enter Right Enter dump" $ROT --max-records 20 --journal journal.ndjson
cd "$D" && run persistence scan $ROT --format json
cd "$TMP" || exit 1
check_true "rotating compaction keeps 20 records" test \
	"$(printf '%s' "$OUT" | jq '[.scan.files[].lines] | add')" = 20
for f in rot.log.2 rot.log.1 rot.log; do cat "$FIX/rot_clean/data/$f"; done | tail -n 20 >"$TMP/want.all"
(cd "$D" && cat rot.log.2 rot.log.1 rot.log) >"$TMP/got.all"
check_same "$TMP/got.all" "$TMP/want.all" "rotating compaction keeps the newest 20 lines byte for byte"

# --- nothing changes before the confirmation -----------------------------------------
for keys in "R" "R Enter" "R Enter s y n" "R Enter Enter" "R Enter Enter Enter" "R Right Enter Esc" \
	"R Right Enter Enter Enter" "R Right Enter Enter Enter q" "R Enter Enter Right Esc" "5 Enter R q q"; do
	D=$(fixture rot_corrupt)
	bscreen - "$D" "$keys" $ROT
	if [ "$(dir_sum "$D")" = "$ROT_SUM" ]; then ok; else ko "rotating, keys '$keys': the set changed"; fi
done

# --- Redis Streams ---------------------------------------------------------------------------
. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }
EV=papyra:local:events AU=papyra:local:audits DL=papyra:local:dead_letters

# every stream of the db as JSON, to prove nothing changed
db_sum() { for k in $(rcli --scan | LC_ALL=C sort); do echo "$k"; rcli --json xrange "$k" - +; done | cksum; }

D=$TMP/redis-cwd
mkdir -p "$D"
load redis_corrupt
CORRUPT_SUM=$(db_sum)
bscreen redis_events "$D" "dump" $R
bscreen redis_anomalies "$D" "4 dump" $R
bscreen redis_detail "$D" "4 Enter Enter dump Esc 4 j Enter Enter dump" $R
bscreen redis_raw "$D" "6 dump" $R
bscreen redis_files "$D" "5 dump" $R
if [ "$(db_sum)" = "$CORRUPT_SUM" ]; then ok; else ko "browsing the streams changed them"; fi
# W: the server, prefix and system in the command; it lists what w wrote
BSIZE=250x30 bscreen - "$D" "f text:type=ActorCrashed Enter W Esc dump w text:redis_handoff.ndjson Enter dump" $R
CMD=$(handoff_shown | sed "s/PORT_/$PORT/")
check_true "redis: W shows the streams' options: $CMD" test "$CMD" = "papyra inspect events --backend redis --redis-url redis://127.0.0.1:$PORT/0 --prefix papyra --system-id local --event-type ActorCrashed --json"
handoff_run "$D" "$CMD"
handoff_keys "$TMP/.hout" >"$TMP/redis_handoff.cli.keys"
handoff_keys "$D/redis_handoff.ndjson" >"$TMP/redis_handoff.keys"
check_true "redis: w wrote crashes" test -s "$TMP/redis_handoff.keys"
check_same "$TMP/redis_handoff.cli.keys" "$TMP/redis_handoff.keys" "redis: the command lists the records w wrote, in order"

# Rows are fetched when drawn (XRANGE id id), not the stream on every
# redraw: a 3000-entry stream, three screens, far fewer round trips than
# entries (the index itself comes in pages of 1000).
rcli flushall >/dev/null
awk 'BEGIN { for (i = 0; i < 3000; i++) {
	d = sprintf("{\"kind\": \"event\", \"event_type\": \"ActorStarted\", \"actor_address\": \"local:%d\", \"timestamp\": %d}", i, 1767225600 + i)
	printf "*5\r\n$4\r\nXADD\r\n$19\r\npapyra:local:events\r\n$%d\r\n%d-0\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(i + 1000) + 2, i + 1000, length(d), d } }' |
	rcli --pipe >/dev/null 2>&1
rcli config resetstat >/dev/null
bscreen - "$D" "6 dump PgDn dump G dump" $R
_calls=$(rcli info commandstats | tr -d '\r' | sed -n 's/^cmdstat_xrange:calls=\([0-9]*\),.*/\1/p')
check_true "lazy rows: $_calls XRANGE calls for 3000 entries and three screens" test "${_calls:-0}" -le 90
dump_has "events 3999-0" "the last entry reached with G"

# --scan-sample-size larger than a page: the sliced scan walks back to where
# the newest 1500 of 2500 start, then pages forward; positions stay the
# stream's (bad entries at 10, 1200 and 2400: the first is not sampled)
rcli flushall >/dev/null
awk 'BEGIN { for (i = 1; i <= 2500; i++) {
	d = (i == 10 || i == 1200 || i == 2400) ? "{bad" : sprintf("{\"kind\": \"event\", \"timestamp\": %d}", i)
	printf "*5\r\n$4\r\nXADD\r\n$19\r\npapyra:local:events\r\n$%d\r\n%d-0\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(i) + 2, i, length(d), d } }' |
	rcli --pipe >/dev/null 2>&1
bscreen - "$D" "4 dump 6 dump" $R --scan-sample-size 1500
dump_has "2 ANOMALIES" "sample 1500 of 2500: the two newest bad entries"
dump_has "   1200 papyra:local:events: Invalid JSON payload in stream entry (id 1200-0" "sampled position 1200"
dump_has "   2400 papyra:local:events: Invalid JSON payload in stream entry (id 2400-0" "sampled position 2400"
dump_has "events 1001-0" "the sample starts at the 1001st entry"
if grep -q "events 1000-0" "$DUMP"; then ko "the sample holds an older entry"; else ok; fi

# --- the Redis repair walk: entry ids, XDEL, verification ------------------------------
load redis_corrupt
bscreen redis_recover "$D" "R dump Enter dump Enter Right Enter dump Esc 5 dump" $R --journal journal.ndjson
check_true "repair: events keep 15 entries" test "$(rcli xlen $EV)" = 15
check_true "repair: audits keep 3 entries" test "$(rcli xlen $AU)" = 3
check_true "repair: dead letters keep 6 entries (the valid one with an extra field stays)" test "$(rcli xlen $DL)" = 6
check_true "repair: the journal lists the ids" grep -q '"backend":"redis".*"id":"1767225600015-0"' "$D/journal.ndjson"
check_true "repair: Redis measures no bytes, the console journals null like the CLI" test \
	"$(jq -s -c '.[-1] | [.bytes_before, .bytes_after, .records_before, .records_after, .status]' "$D/journal.ndjson")" = \
	'[null,null,24,24,"complete"]'
run persistence scan $R
check_rc 0 "repair: persistence scan agrees the streams are healthy"

# quarantine: no directory asked; each entry copied to its quarantine stream
load redis_corrupt
bscreen redis_quarantine "$D" "R Right Enter dump Enter Right Enter dump" $R --journal journal.ndjson
check_true "quarantine: 4 entries copied from events" test "$(rcli xlen papyra:local:quarantine:papyra_local_events)" = 4
check_true "quarantine: the entry without data keeps its field and names its id" test \
	"$(rcli --json xrange papyra:local:quarantine:papyra_local_events - + | jq -c '.[0][1] as $f |
		[range(0; $f | length; 2) | {($f[.]): $f[. + 1]}] | add | [.payload, .source, .id]')" = \
	'["{\"kind\": \"event\"}","papyra:local:events","1767225600015-0"]'
run persistence scan $R
check_rc 0 "quarantine: persistence scan agrees"

# stepping: leave the first entry, apply the rest; the verification reports it
load redis_corrupt
bscreen - "$D" "R Enter s n Space y Enter Right Enter dump" $R --journal journal.ndjson
dump_has "Verification scan: 1 anomaly remains" "stepping: the entry left is reported"
check_true "stepping: the entry left is still there" test "$(rcli xlen $EV)" = 16

# --- Redis compaction: XTRIM stream by stream ------------------------------------------
load redis_retention
bscreen redis_compact "$D" "c dump Enter Right Enter dump" $R --max-records 5 --journal journal.ndjson
check_true "compaction: each stream keeps its newest 5" test \
	"$(rcli xlen $EV) $(rcli xlen $AU) $(rcli xlen $DL)" = "5 5 5"
check_true "compaction journaled with null bytes (not measurable)" test \
	"$(jq -s -c '.[-1] | [.mode, .bytes_before, .bytes_after]' "$D/journal.ndjson")" = '["compact",null,null]'

# --- nothing changes before the confirmation -----------------------------------------------
load redis_corrupt
for keys in "R" "R Enter" "R Enter s y n" "R Enter Enter" "R Enter Enter Enter" "R Right Enter Esc" \
	"R Right Enter Enter Enter" "R Enter Enter Right Esc" "R Enter s Esc Enter Tab Tab Enter q"; do
	bscreen - "$D" "$keys" $R
	if [ "$(db_sum)" = "$CORRUPT_SUM" ]; then ok; else ko "redis, keys '$keys': the streams changed"; fi
done

# --- the header shows the URL with the password redacted ----------------------------------
rcli config set requirepass s3cret >/dev/null
bscreen - "$D" "dump" --backend redis --redis-url "redis://:s3cret@127.0.0.1:$PORT/0"
dump_has "papyra console  redis: redis://:***@127.0.0.1:PORT_/0" "header: URL with the password redacted"
if grep -q s3cret "$DUMP"; then ko "the password shows on screen"; else ok; fi
rcli -a s3cret --no-auth-warning config set requirepass "" >/dev/null

# --- an unreachable server: exit 69, before the terminal is taken ---------------------------
RC=0
env PAPYRA_TEST_SCREEN=1 PAPYRA_TEST_KEYS=q "$PAPYRA" console --backend redis --redis-url redis://:secret@127.0.0.1:1/0 \
	>"$TMP/.out" 2>"$TMP/.err" </dev/null || RC=$?
ERR=$(cat "$TMP/.err")
check_rc 69 "console on an unreachable Redis"
check_err "redis://:***@127.0.0.1:1/0" "the password is redacted"

redis_stop
