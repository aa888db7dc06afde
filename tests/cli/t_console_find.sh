# papyra console: finding the records of an incident (issue 12 items 3-5).
# Search like lnav (a regular expression over the raw line and the columns
# shown, every match highlighted, wrap-around said, Esc stops a long
# search), filters that include and exclude, go to a time, marks and the
# hand-off of marked or filtered records to an NDJSON file byte for byte.
# Goldens in tests/screen/golden/; dumps list highlighted columns.

# screen NAME DIR KEYS [SIZE [TZ]]: the console on DIR/events.ndjson with
# the key script KEYS (ui/screen.h); every dump compared with the golden.
screen() {
	_name=$1 _dir=$2 _keys=$3 _size=${4:-100x30} _tz=${5:-UTC}
	DUMP="$TMP/$_name.screen"
	console_run "$_dir" "$_size" C.UTF-8 "$_tz" "$_keys" --path events.ndjson
	check_rc 0 "screen $_name"
	[ "$_name" = - ] || check_screen "$DUMP" "$_name"
}

MID=$(fixture json_corrupt_middle)

# --- search: what the columns show, regular expressions, highlight, wrap ------
# the file stores {"system": "local", "actor_id": 4}; the ACTOR column says local:4
screen search_shown "$MID" "/ text:local:4 Enter dump n n dump"
dump_has "/local:4: row 6 of 13" "search finds what the ACTOR column shows"
dump_has "search hit the bottom, continued from the top" "wrap-around is said"
screen search_regex "$MID" "/ text:actor(crashed|stopped) Enter dump 6 / text:^.{2}kind.{4}dead_letter Enter dump / text:[oops Enter dump"
dump_has "<-- match" "matches are highlighted"
dump_has "/^.{2}kind.{4}dead_letter: row 7 of 23" "an anchored expression over the raw line"
dump_has "not a valid regular expression: searched as text" "an invalid expression is searched as text"
# a long search shows progress and stops on Esc
BIG="$TMP/big"
mkdir -p "$BIG"
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"kind\":\"event\",\"timestamp\":%d.5,\"system_id\":\"local\",\"actor_address\":\"local:%d\",\"event_type\":\"Tick\",\"payload\":{}}\n", 1767225600 + i, i }' >"$BIG/events.ndjson"
screen - "$BIG" "/ text:no-such-thing Enter Esc dump" 100x12
dump_has "stopped after 4096 of 20000 rows; the cursor did not move" "Esc stops a long search"
screen - "$BIG" "/ text:no-such-thing Enter dump" 100x12
dump_has "/no-such-thing: not found" "without Esc the search runs to the end"

# --- a text= filter is applied in slices: progress, keys between slices, Esc ---
# 20,000 lines (18,000 events, 2,000 audits): the test slices are 4096 lines,
# so the filter takes 5; `slice` in the script takes keys between them
SL="$TMP/slices"
mkdir -p "$SL"
awk 'BEGIN { for (i = 0; i < 20000; i++) if (i % 10 == 9)
	printf "{\"kind\":\"audit\",\"timestamp\":%d.5,\"system_id\":\"local\",\"total_actors\":%d}\n", 1767225600 + i, i
	else printf "{\"kind\":\"event\",\"timestamp\":%d.5,\"system_id\":\"local\",\"actor_address\":\"local:%d\",\"event_type\":\"Type%d\",\"payload\":{\"note\":\"%s\"}}\n", 1767225600 + i, i, i % 7, i % 13 == 0 ? "needle" : "hay" }' >"$SL/events.ndjson"
WANT=$(grep -c '"needle"' "$SL/events.ndjson")
screen filter_slices "$SL" "f text:text=needle Enter slice dump j dump Esc dump" 100x12
dump_has "284 of 18000 events match so far" "after one slice: the matches so far, said to be partial"
dump_has "Filtering: 20% of lines looked at, 284 events match so far (Esc stops)" "progress on the status line"
dump_has "Filtering: 40% of lines looked at, 568 events match so far" "keys are handled between slices (j), the filter goes on"
dump_has "Filter text=needle stopped at 40% of lines (568 matches so far) and removed" "Esc stops and removes the filter"
if tail -12 "$DUMP" | grep -q "filter:"; then ko "the filter is still in the header after Esc" "$(tail -12 "$DUMP")"; else ok; fi
screen - "$SL" "f text:text=needle Enter slice w dump" 100x12
dump_has "w: the filter is still being applied" "w refuses a selection not complete yet"
if grep -q "to a new NDJSON file" "$DUMP"; then ko "w asked for a file while the filter was being applied"; else ok; fi
# local:19994 holds a needle, past the rows of the first slices
screen - "$SL" "f text:text=needle Enter slice / text:local:19994 Enter dump" 160x12
dump_has "/local:19994: not found in the rows found so far (the filter is still being applied)" "a search over part of the rows says so"
# without `slice` the script sees the filter done; the count is grep's; w byte for byte
screen - "$SL" "f text:text=needle Enter dump w text:$TMP/slices.ndjson Enter dump" 120x12
dump_has "$WANT of 18000 events match (F clears)" "the finished count is grep -c's ($WANT)"
dump_has "Wrote $WANT lines" "w after the filter is done"
grep '"needle"' "$SL/events.ndjson" >"$TMP/slices.want"
check_same "$TMP/slices.ndjson" "$TMP/slices.want" "w wrote the filtered rows byte for byte"
screen - "$SL" "f text:text=needle Enter slice Esc f Up Enter dump" 120x12
dump_has "$WANT of 18000 events match (F clears)" "f then Up brings a stopped filter back, and it runs to the end"

# --- filters: include and exclude, several at once, text, listed in the header -
screen filter_exclude "$MID" "f text:!type=ActorStarted Enter dump"
dump_has "filter: !type=ActorStarted · 8 of 13 events match" "exclude: everything but ActorStarted"
screen filter_several "$MID" "f text:type=ActorCrashed Space text:type=ActorStopped Space text:!actor=local:5 Enter dump"
dump_has "5 of 13 events match" "two types (either) without actor 5"
screen filter_text "$MID" "f text:text=timeout|shutdown Space text:!text=local:1 Enter dump"
dump_has "2 of 13 events match" "text= a regular expression over the line, !text= excludes"

# --- times in the zone shown, the displayed form typed back; go to time --------
# TZ=CET-1: local time is UTC+1 (a POSIX zone, no tzdata needed)
screen filter_time_local "$MID" "t t f text:since=2026-01-01 Space text:01:00:05.000 Enter dump F f text:since=2026-01-01T00:00:05Z Enter dump" 100x30 CET-1
dump_has "filter: since=2026-01-01 01:00:05.000 · 6 of 13 events match" "local time, as shown, with a space and a fraction"
dump_has "filter: since=2026-01-01T00:00:05Z · 6 of 13 events match" "Z reads UTC whatever the screen shows"
screen goto_time "$MID" "t t T text:2026-01-01 Space text:01:00:04 Enter dump 6 T text:1767225609.1 Enter dump T text:2027-01-01 Enter dump" 100x30 CET-1
dump_has "Go to time 2026-01-01 01:00:04: row 7 of 13, at 2026-01-01 01:00:04.000" "go to time in local time"
dump_has "Go to time 1767225609.1: row 17 of 23" "go to time in Raw, epoch seconds"
dump_has "no row at or after it" "go to a time past the end"

# --- marks and the hand-off: m, u/U, w to a new file, byte for byte ----------
MK=$(fixture json_corrupt_middle)
screen marks "$MK" "j m j j m g u dump u dump U dump 6 G m dump w text:../evidence.ndjson Enter dump"
dump_has "Wrote 3 lines (" "w writes the marked lines"
sed -n '2p;6p;23p' "$FIX/json_corrupt_middle/data/events.ndjson" >"$TMP/want.ndjson"
check_same "$TMP/evidence.ndjson" "$TMP/want.ndjson" "marked lines written byte for byte, in storage order"
# never overwriting, never into the store
echo keep >"$TMP/taken.ndjson"
screen - "$MK" "m w text:$TMP/taken.ndjson Enter dump w text:$MK/events.ndjson.evidence Enter dump" 250x30
dump_has "File exists (w never overwrites: choose a new name)" "w refuses an existing file"
check_true "the existing file is untouched" test "$(cat "$TMP/taken.ndjson")" = keep
dump_has "would be read as part of the store" "w refuses a name the store would take in"
check_true "nothing written beside the store" test ! -e "$MK/events.ndjson.evidence"
# no marks: the rows the filter shows
screen - "$MK" "f text:type=ActorCrashed Enter w text:$TMP/crashes.ndjson Enter dump" 250x30
dump_has "Wrote 3 lines" "w without marks writes the filtered rows"
dump_has "each as stored (W: the same from the command line)" "w without marks points at W"
grep '"ActorCrashed"' "$FIX/json_corrupt_middle/data/events.ndjson" >"$TMP/want2.ndjson"
check_same "$TMP/crashes.ndjson" "$TMP/want2.ndjson" "filtered rows written byte for byte"

# --- the same selection from the command line (W) ------------------------------
# (handoff_shown, handoff_run, handoff_lines: tests/cli/lib.sh)
# every term expressible: the command lists exactly the rows w writes
screen handoff_events "$MK" "f text:type=actorcrashed Space text:since=2026-01-01 Space text:00:00:02.5 Space text:until=1767225609.2 Enter W dump Esc dump"
dump_has "--path events.ndjson --event-type ActorCrashed" "W: type= as --event-type, spelt as stored"
dump_has "--since 1767225602.5 --until 1767225609.2 --json" "W: the time range as --since and --until"
dump_has "Every term is expressible" "W says when the command is exact"
screen - "$MK" "f text:type=actorcrashed Space text:since=2026-01-01 Space text:00:00:02.5 Space text:until=1767225609.2 Enter W Esc dump w text:../handoff.ndjson Enter dump" 250x30
CMD=$(handoff_shown)
check_true "W shows the command: $CMD" test "$CMD" = "papyra inspect events --path events.ndjson --event-type ActorCrashed --since 1767225602.5 --until 1767225609.2 --json"
handoff_run "$MK" "$CMD" "$TMP/handoff.cli.ndjson"
check_true "the command lists records" test -s "$TMP/handoff.cli.ndjson"
check_same "$TMP/handoff.cli.ndjson" "$TMP/handoff.ndjson" "the shown command lists the records w wrote, in order"

# dead letters: actor= is --target (None: no target); audits: --until
screen - "$MK" "3 f text:actor=None Enter W Esc dump w text:../handoff_dead.ndjson Enter dump" 250x30
CMD=$(handoff_shown)
check_true "dead letters: --target: $CMD" test "$CMD" = "papyra inspect dead-letters --path events.ndjson --target None --json"
handoff_run "$MK" "$CMD" "$TMP/handoff_dead.cli.ndjson"
check_same "$TMP/handoff_dead.cli.ndjson" "$TMP/handoff_dead.ndjson" "dead letters: the command lists what w wrote"
screen - "$MK" "2 f text:until=1767225608 Space text:type=ActorCrashed Enter W dump Esc dump w text:../handoff_audits.ndjson Enter dump" 250x30
dump_has "type= does not apply to audits" "audits: type= is said to apply to neither"
CMD=$(handoff_shown)
check_true "audits: --until: $CMD" test "$CMD" = "papyra inspect audits --path events.ndjson --until 1767225608 --json"
handoff_run "$MK" "$CMD" "$TMP/handoff_audits.cli.ndjson"
check_same "$TMP/handoff_audits.cli.ndjson" "$TMP/handoff_audits.ndjson" "audits: the command lists what w wrote"

# what no option expresses is listed, and the command lists more (a superset)
screen handoff_left "$MK" "f text:type=ActorCrashed Space text:type=ActorStopped Space text:!text=timeout Enter m W dump Esc dump"
dump_has "Not expressible, so the command lists more than this view:" "W lists the terms with no option"
dump_has "type=ActorCrashed; type=ActorStopped; !text=timeout; 1 marked row (w writes" "W lists the terms and the marks"
screen - "$MK" "f text:type=ActorCrashed Space text:type=ActorStopped Space text:!text=timeout Enter W Esc dump w text:../handoff_left.ndjson Enter dump" 250x30
dump_has "[not expressible: type=ActorCrashed; type=ActorStopped; !text=timeout]" "the status line lists them too"
CMD=$(handoff_shown)
check_true "nothing expressible but the store: $CMD" test "$CMD" = "papyra inspect events --path events.ndjson --json"
handoff_run "$MK" "$CMD" "$TMP/handoff_left.cli.ndjson"
check_true "w wrote some rows" test -s "$TMP/handoff_left.ndjson"
check_true "every row w wrote is in the command's listing" sh -c 'grep -vxF -f "$1" "$2" | grep -q . && exit 1; exit 0' - "$TMP/handoff_left.cli.ndjson" "$TMP/handoff_left.ndjson"
check_true "and the command lists more" test "$(wc -l <"$TMP/handoff_left.cli.ndjson")" -gt "$(wc -l <"$TMP/handoff_left.ndjson")"

# a path with spaces and quotes, run from elsewhere: the shell reads it back
QD="$TMP/q dir/it's \"x\" \$HOME"
mkdir -p "$QD"
cp "$MK/events.ndjson" "$QD/events.ndjson"
console_run "$QD" 250x30 C.UTF-8 UTC "f text:type=ActorCrashed Enter W Esc dump w text:$TMP/handoff_q.ndjson Enter dump" --path "$QD/events.ndjson"
check_rc 0 "console on a quoted path"
CMD=$(handoff_shown)
handoff_run "$TMP" "$CMD" "$TMP/handoff_q.cli.ndjson"
check_true "the quoted path's command lists records" test -s "$TMP/handoff_q.cli.ndjson"
check_same "$TMP/handoff_q.cli.ndjson" "$TMP/handoff_q.ndjson" "a quoted path: the command lists what w wrote"

# a view without a listing says so
screen - "$MK" "6 W dump"
dump_has "No command line for this view: the Raw view" "Raw has no inspect listing"
