# Consumer groups of the Redis streams (issue 10 item 6), against a real
# redis-server: a scan reports each stream's groups (consumers, pending,
# lag; lag null where Redis 7.0 cannot compute it) in text and JSON, and
# the pending ids whose entry no longer exists (a finding: the exit code
# stays the data's); a recovery names the entries it deletes that are
# pending in a group; --ack-deleted (flag, PAPYRA_ACK_DELETED, config key
# ack_deleted) acknowledges them once deleted, checked with XPENDING; an
# ACL user without XINFO still scans, told why the groups are missing.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

EV=papyra:local:events DL=papyra:local:dead_letters
QEV=papyra:local:quarantine:papyra_local_events
T=17672256000

# The readers of redis_corrupt: on events, "shippers" (two consumers) was
# given entries 0..16, so the bad 15 and 16 are pending and 17, 18 not yet
# delivered; "audit" was given 0..15; "idle" nothing.  On dead_letters,
# "archive" was given all seven (the bad 005 among them).
groups() {
	rcli xgroup create $EV shippers 0 >/dev/null
	rcli xgroup create $EV audit 0 >/dev/null
	rcli xgroup create $EV idle '$' >/dev/null
	rcli xgroup create $DL archive 0 >/dev/null
	rcli xreadgroup group shippers c1 count 10 streams $EV '>' >/dev/null
	rcli xreadgroup group shippers c2 count 7 streams $EV '>' >/dev/null
	rcli xreadgroup group audit c3 count 16 streams $EV '>' >/dev/null
	rcli xreadgroup group archive c4 count 100 streams $DL '>' >/dev/null
}
# pending ids of a group, one a line
pending() { rcli xpending "$1" "$2" - + 1000 | sed -n '1~4p'; }
npending() { pending "$1" "$2" | grep -c .; }

# --- scan: groups, consumers, pending, lag -----------------------------------------
load redis_corrupt
groups
run persistence scan $R
check_rc 2 "scan: the data's anomalies decide the exit code"
check_out "Consumer group shippers on $EV: 2 consumers, 17 pending, lag 2" "shippers"
check_out "Consumer group audit on $EV: 1 consumer, 16 pending, lag 3" "audit"
check_out "Consumer group idle on $EV: 0 consumers, 0 pending, lag 0" "a group that read nothing"
check_out "Consumer group archive on $DL: 1 consumer, 7 pending, lag 0" "dead letters"
check_out_not "no longer exist" "every pending id has its entry"
run persistence scan $R --format json
check_true "json: groups per stream, in XINFO order" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.files[] | [.path, [(.groups // [])[] | [.name, .consumers, .pending, .lag, .pending_deleted]]]]')" = \
	"[[\"$EV\",[[\"audit\",1,16,3,0],[\"idle\",0,0,0,0],[\"shippers\",2,17,2,0]]],[\"papyra:local:audits\",[]],[\"$DL\",[[\"archive\",1,7,0,0]]]]"
check_true "json: last delivered id and pending ids looked up" test \
	"$(printf '%s' "$OUT" | jq -c '.scan.files[0].groups[2] | [.last_delivered_id, .entries_read, .pending_checked]')" = \
	"[\"${T}16-0\",17,17]"
check_true "json: a stream without groups has no groups key" test \
	"$(printf '%s' "$OUT" | jq '.scan.files[1] | has("groups")')" = false

# --- the plan names pending entries; without --ack-deleted they stay pending -----------
run persistence recover $R --mode quarantine
check_rc 0 "quarantine with groups"
check_out "quarantine_entry: $EV entry ${T}15-0 (CORRUPTED_LINE; pending in group audit, shippers) -> $QEV" \
	"15 is pending in two groups"
check_out "quarantine_entry: $EV entry ${T}16-0 (CORRUPTED_LINE; pending in group shippers) -> $QEV" \
	"16 in one"
check_out "quarantine_entry: $EV entry ${T}17-0 (CORRUPTED_LINE) -> $QEV" "17 was never delivered"
check_out "quarantine_entry: $DL entry ${T}05-0 (CORRUPTED_LINE; pending in group archive)" "dead letter"
check_out "3 deleted entries are still pending in a consumer group: --ack-deleted acknowledges them" \
	"what stays pending is said"
check_true "without --ack-deleted: shippers still lists 15 and 16" test \
	"$(pending $EV shippers | grep -c "^${T}1[56]-0$")" = 2
check_true "without --ack-deleted: 17 pending in shippers" test "$(npending $EV shippers)" = 17
check_true "the quarantined entries are gone from the stream" test "$(rcli xlen $EV)" = 15
run persistence scan $R
check_rc 0 "pending ids of deleted entries are a finding, not an anomaly"
check_out "2 of its pending ids point at entries that no longer exist (oldest ${T}15-0)" "shippers: two gone"
check_out "1 of its pending ids point at entries that no longer exist (oldest ${T}05-0)" "archive: one gone"
check_out "Consumer group shippers on $EV: 2 consumers, 17 pending, lag unknown" \
	"lag unknown: entries after the last delivered one were deleted (Redis 7.0 says nil)"
run persistence scan $R --format json
check_true "json: pending_deleted, the oldest, lag null" test \
	"$(printf '%s' "$OUT" | jq -c '.scan.files[0].groups[] | select(.name == "shippers") | [.pending_deleted, .pending_deleted_first, .lag]')" = \
	"[2,\"${T}15-0\",null]"

# --- --ack-deleted: acknowledged once deleted, in every group -----------------------------
load redis_corrupt
groups
run persistence recover $R --ack-deleted --format json
check_rc 0 "repair --ack-deleted"
check_true "json: pending_in and acked per action" test \
	"$(printf '%s' "$OUT" | jq -c '[.actions[] | [.id, (.pending_in // []), .acked, .applied]]')" = \
	"[[\"${T}15-0\",[\"audit\",\"shippers\"],true,true],[\"${T}16-0\",[\"shippers\"],true,true],[\"${T}17-0\",[],false,true],[\"${T}18-0\",[],false,true],[\"${T}03-0\",[],false,true],[\"${T}05-0\",[\"archive\"],true,true]]"
check_true "XPENDING shippers: 15 and 16 acknowledged" test "$(pending $EV shippers | grep -c "^${T}1[56]-0$")" = 0
check_true "XPENDING shippers: the other 15 still pending" test "$(npending $EV shippers)" = 15
check_true "XPENDING audit: 15 acknowledged, 15 left" test "$(npending $EV audit)" = 15
check_true "XPENDING archive: 005 acknowledged" test "$(npending $DL archive)" = 6
run persistence scan $R
check_out_not "no longer exist" "after --ack-deleted nothing points at a deleted entry"

load redis_corrupt
groups
run persistence recover $R --ack-deleted
check_out "acknowledged 4 pending ids of deleted entries (--ack-deleted)" "text: how many were acknowledged"
check_out "pending in group audit, shippers" "text: the plan names the groups"

# the environment and the config file say the same; a bad boolean is a usage error
load redis_corrupt
groups
PAPYRA_ACK_DELETED=1 run doctor run $R --mode recover
check_rc 0 "doctor run with PAPYRA_ACK_DELETED=1"
check_true "PAPYRA_ACK_DELETED: acknowledged" test "$(npending $EV shippers)" = 15
load redis_corrupt
groups
printf '{"backend": "redis", "redis_url": "%s", "ack_deleted": true}\n' "$URL" >"$TMP/ack.json"
run persistence startup-check --config "$TMP/ack.json" --mode recover --format json
check_rc 0 "startup-check with ack_deleted in the config file"
check_true "config ack_deleted: acknowledged" test "$(npending $EV shippers)" = 15
PAPYRA_ACK_DELETED=maybe run persistence scan $R
check_rc 64 "PAPYRA_ACK_DELETED=maybe"
check_err "PAPYRA_ACK_DELETED: 'maybe' is not a boolean" "the bad value is named"

# console --batch --yes acknowledges too, and the console's Streams view lists the groups
load redis_corrupt
groups
run console --batch $R --mode recover --yes --ack-deleted --format json
check_rc 0 "console --batch --ack-deleted"
check_true "console --batch: acknowledged" test "$(npending $EV shippers)" = 15
load redis_corrupt
groups
DUMP="$TMP/groups.screen"
console_run "$TMP" 200x30 C.UTF-8 UTC "5 dump" $R
check_rc 0 "console: Streams view"
dump_has "$EV  [groups: audit 16 pending, lag 3; idle 0 pending, lag 0; shippers 17 pending, lag 2]" \
	"console: the stream's groups after its key"

# --- the console's recovery walk names the pending entries, and what was acknowledged -------
# gscreen NAME KEYS ARGS...: the console on the groups' streams, every dump
# compared with tests/screen/golden/NAME.txt (the port shown as PORT_).
gscreen() {
	_name=$1 _keys=$2
	shift 2
	DUMP="$TMP/groups.screen"
	EPOCH=1767225600000 SCREEN_STATE="$TMP/state" console_run "$TMP" 120x40 C.UTF-8 UTC "$_keys" "$@"
	check_rc 0 "console $_name"
	[ -f "$DUMP" ] && sed -i "s/127\.0\.0\.1:$PORT/127.0.0.1:PORT_/g" "$DUMP"
	check_screen "$DUMP" "$_name"
}
load redis_corrupt
groups
gscreen redis_groups_recover "R Enter dump Enter Right Enter dump" $R --journal cg.journal
dump_has "Pending in a consumer group (delivered, not acknowledged): 3 of these entries:" "console plan: how many"
dump_has "$EV: ${T}15-0 (audit, shippers), ${T}16-0 (shippers)" "console plan: the ids and their groups"
dump_has "$DL: ${T}05-0 (archive)" "console plan: the dead letter"
dump_has "--ack-deleted is off: they stay pending" "console plan: without --ack-deleted"
dump_has "Consumer groups: 3 deleted entries are still pending in a consumer group" "console result: left pending"
check_true "console without --ack-deleted: shippers still lists 15 and 16" test \
	"$(pending $EV shippers | grep -c "^${T}1[56]-0$")" = 2
load redis_corrupt
groups
PAPYRA_ACK_DELETED=1 gscreen redis_groups_ack "R Enter dump Enter Right Enter dump" $R --journal cg.journal
dump_has "--ack-deleted is on: once deleted, each entry is acknowledged (XACK)" "console plan: with PAPYRA_ACK_DELETED"
dump_has "Consumer groups: acknowledged 4 pending ids of deleted entries (--ack-deleted):" "console result: acked"
dump_has "$EV: ${T}15-0, ${T}16-0" "console result: the acknowledged ids of events"
check_true "console --ack-deleted: shippers acknowledged" test "$(npending $EV shippers)" = 15
check_true "console --ack-deleted: archive acknowledged" test "$(npending $DL archive)" = 6
check_true "console journal: acked_pending 4" test "$(jq -s -c '.[-1].acked_pending' "$TMP/cg.journal")" = 4

# --- a pending id whose entry was deleted by hand, on a clean store ----------------------
load redis_clean
rcli xgroup create $EV shippers 0 >/dev/null
rcli xreadgroup group shippers c1 count 100 streams $EV '>' >/dev/null
rcli xdel $EV "${T}03-0" >/dev/null
run persistence scan $R --require-data
check_rc 0 "clean data, a dangling pending id: still exit 0"
check_out "1 of its pending ids point at entries that no longer exist (oldest ${T}03-0)" "said in text"
run persistence startup-check $R --format junit
check_rc 0 "the gate passes: the data are intact"

# --- an ACL user that may not run XINFO -----------------------------------------------
load redis_corrupt
groups
rcli ACL SETUSER noxinfo on '>nxpw' '~papyra:*' '+@read' '-xinfo' >/dev/null
run persistence scan --backend redis --redis-url "redis://noxinfo:nxpw@127.0.0.1:$PORT/0"
check_rc 2 "no XINFO: the data scan goes on"
check_out "Consumer groups of $EV not read: XINFO GROUPS $EV: NOPERM" "why the groups are missing"
run persistence scan --backend redis --redis-url "redis://noxinfo:nxpw@127.0.0.1:$PORT/0" --format json
check_true "json: groups_error" test \
	"$(printf '%s' "$OUT" | jq -r '.scan.files[0].groups_error' | cut -c1-40)" = "XINFO GROUPS $EV: NOPERM"

# --- the journal says what --ack-deleted acknowledged --------------------------------------
load redis_corrupt
groups
run persistence recover $R --ack-deleted --journal "$TMP/groups.journal"
check_rc 0 "recover --ack-deleted --journal"
check_true "journal: acked_pending 4" test "$(jq -c '.acked_pending' "$TMP/groups.journal")" = 4
load redis_corrupt
run persistence recover $R --journal "$TMP/nogroups.journal"
check_true "journal: no acked_pending without --ack-deleted" test "$(jq -c 'has("acked_pending")' "$TMP/nogroups.journal")" = false
