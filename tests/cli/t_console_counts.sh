# papyra console: counts on screen are the store's (issue 12 item 2).
# Filters past 255 types and 65,535 actors, dead-letter groups that add up
# without a cap, "N of M match" and the empty state under a filter, and
# records without a timestamp listed (shown "—") and counted as
# `console --batch` counts them.  Goldens in tests/screen/golden/.

# screen NAME DIR KEYS [SIZE]: the console on DIR/events.ndjson with the
# key script KEYS (ui/screen.h); every dump compared with the golden.
screen() {
	_name=$1 _dir=$2 _keys=$3 _size=${4:-100x30}
	DUMP="$TMP/$_name.screen"
	console_run "$_dir" "$_size" C.UTF-8 UTC "$_keys" --path events.ndjson
	check_rc 0 "screen $_name"
	check_screen "$DUMP" "$_name"
}

# --- 70,000 actors and 300 event types: the id tables grow ------------------
BIG="$TMP/big"
mkdir -p "$BIG"
awk 'BEGIN { for (i = 0; i < 70000; i++)
	printf "{\"kind\":\"event\",\"timestamp\":%d.5,\"system_id\":\"local\",\"actor_address\":{\"system\":\"local\",\"actor_id\":%d},\"event_type\":\"Type%d\",\"payload\":{}}\n", 1767225600 + i, i, i % 300 }' >"$BIG/events.ndjson"
screen many_actors "$BIG" "f text:actor=local:69000 Enter dump F f text:type=Type299 Enter dump G dump" 100x12
dump_has "1 of 70000 events match" "actor 69,000 of 70,000 is found by the filter"
dump_has "233 of 70000 events match" "type 300 of 300 is found by the filter"

# --- dead-letter groups: every group counted, the figures add up -------------
DL="$TMP/dl"
mkdir -p "$DL"
awk 'BEGIN { for (i = 0; i < 5000; i++) for (k = 0; k <= (i < 3 ? 10 - i : 0); k++)
	printf "{\"kind\":\"dead_letter\",\"timestamp\":1767225600.%03d,\"target\":{\"system\":\"local\",\"actor_id\":%d},\"message_type\":\"Msg\",\"payload\":null}\n", k, i }' >"$DL/events.ndjson"
screen dead_groups "$DL" "3 dump" 100x24
dump_has "5000 groups, 5027 dead letters" "all 5000 groups are counted"
dump_has "4995  in 4995 other groups" "the other groups add up: 5027 - 11 - 10 - 9 - 1 - 1 = 4995"
dump_has "1  local:4 " "ties: the first targets met are shown"

# --- a filter that matches nothing says so ------------------------------------
screen filter_no_match "$(fixture json_corrupt_middle)" "3 f text:actor=local:999 Enter dump 1 dump 6 dump"
dump_has "No match for the filter: 0 of 5 dead letters (F clears it)." "dead letters: the empty state names the filter"
dump_has "0 of 13 events match" "events: N of M under the filter"

# --- records without a timestamp: listed, counted, no borrowed time -----------
NT="$TMP/nots"
mkdir -p "$NT"
cat >"$NT/events.ndjson" <<'NDJSON'
{"kind":"event","timestamp":1767225600.0,"system_id":"local","actor_address":"local:1","event_type":"ActorStarted","payload":{}}
{"kind":"event","system_id":"local","actor_address":"local:2","event_type":"ActorStarted","payload":{}}
{"kind":"event","timestamp":"yesterday","system_id":"local","actor_address":"local:3","event_type":"ActorStopped","payload":{}}
{"kind":"audit","system_id":"local","total_actors":3}
NDJSON
screen no_timestamp "$NT" "dump Enter Esc j Enter dump Esc 2 dump"
dump_has " events 3  audits 1  dead letters 0" "header counts every record"
dump_has "no timestamp: listed where it is stored" "the detail says there is no timestamp"
if grep -A2 "Line 2 " "$DUMP" | grep -q "1767225600"; then
	ko "the detail of a record without a timestamp shows the previous record's time"
else ok; fi
cd "$NT" || exit 1
run console --batch --path events.ndjson
check_out "records: 3 events, 1 audits, 0 dead letters" "console --batch counts what the header counts"
