# papyra console: golden screens of the virtual terminal (the way tig tests
# its views), the refusal without a terminal, --batch, and the key table's
# man page section.  SPEC §7; STYLE.md "Tests".
#
# screen NAME CASE KEYS [SIZE]: runs the console on tests/fixtures/CASE
# with PAPYRA_TEST_SCREEN=1 and the key script KEYS (see ui/screen.h),
# then compares every `dump` with tests/screen/golden/NAME.txt.
# PAPYRA_REGEN=1 rewrites the goldens on purpose.

SCREEN_ENV="TERM=xterm-256color TZ=UTC LC_ALL=C.UTF-8 NO_COLOR=1 PAPYRA_TEST_SCREEN=1"

screen() {
	_name=$1 _case=$2 _keys=$3 _size=${4:-100x30} _loc=${5:-C.UTF-8}
	_dir=$(fixture "$_case")
	DUMP="$TMP/$_name.screen"
	console_run "$_dir" "$_size" "$_loc" UTC "$_keys" --path events.ndjson
	check_rc 0 "screen $_name"
	check_screen "$DUMP" "$_name"
}

# --- one record classifier: the console shows addresses as the listings do ---------
_d="$TMP/addr"
mkdir -p "$_d"
printf '%s\n' '{"kind": "event", "timestamp": 1, "event_type": "X", "actor_address": {"system": "sysA"}}' \
	>"$_d/events.ndjson"
(cd "$_d" && env $SCREEN_ENV PAPYRA_TEST_SIZE=100x12 PAPYRA_TEST_KEYS=dump PAPYRA_TEST_DUMP="$TMP/addr.screen" \
	"$PAPYRA" console --path events.ndjson >/dev/null 2>&1 </dev/null)
check_true "console: an address without actor_id is shown as stored, as inspect shows it" \
	grep -qF '{"system":"sys' "$TMP/addr.screen"
run inspect events --path "$_d/events.ndjson"
check_out '[1.000] X {"system":"sysA"}' "inspect: the same address"

# --- every view on a file with two corrupted lines ---------------------------
screen events json_corrupt_middle "dump"
screen audits json_corrupt_middle "2 dump"
# the demo incident: 120 audits whose counts reach four digits; the chart's
# "now N max N" labels must fit beside the bars
mkdir -p "$TMP/demofix/demo/data"
cp "$ROOT/examples/incident/events.ndjson" "$TMP/demofix/demo/data/"
FIX_SAVED=$FIX; FIX=$TMP/demofix
screen audits_demo demo "2 dump" 120x36
FIX=$FIX_SAVED
screen dead_letters json_corrupt_middle "3 dump"
screen anomalies json_corrupt_middle "4 dump"
screen files json_corrupt_middle "5 dump"
screen raw json_corrupt_middle "6 dump"
screen timeline json_corrupt_middle "7 dump"
screen tab_cycle json_corrupt_middle "Tab Tab Tab dump BTab dump"

# --- detail pane: a good record (nested payload), a corrupted line ----------
screen detail_record json_corrupt_middle "j j Enter dump Esc dump"
screen detail_corrupted json_corrupt_middle "6 e Enter dump"
screen detail_truncated json_corrupt_and_truncated "6 G Enter dump"
screen detail_unicode json_clean "G Enter dump PgDn dump"

# --- anomalies where the operator looks ---------------------------------------
screen anomaly_enter json_corrupt_middle "4 j Enter dump"
screen anomaly_jumps json_corrupt_middle "e dump e dump e dump E E dump"
screen anomaly_from_events json_corrupt_and_truncated "G e dump"

# --- search, filter, time display ---------------------------------------------
screen search json_corrupt_middle "/ text:crashed Enter dump n dump N dump / text:nothing-like-this Enter dump"
screen filter_type json_corrupt_middle "f text:type=ActorCrashed Enter dump F dump"
screen filter_actor json_corrupt_middle "3 f text:actor=local:2 Enter dump 1 dump"
screen filter_time json_corrupt_middle "f text:since=2026-01-01T00:00:05 Space text:until=1767225609.5 Enter dump"
screen filter_bad json_corrupt_middle "f text:colour=red Enter dump"
screen time_modes json_corrupt_middle "t dump t dump t dump"

# --- help, navigation, terminal size --------------------------------------------
screen help json_corrupt_middle "? dump PgDn dump q dump"
screen navigation json_retention "j j j dump G dump g dump PgDn dump PgUp k dump" 100x20
screen resize json_corrupt_middle "resize:80x24 dump resize:59x11 dump resize:60x12 dump resize:100x30 dump"
screen too_small json_corrupt_middle "dump q" 40x10

# keys are ignored while the terminal is too small: R Enter Enter changes nothing
screen small_ignores json_corrupt_middle "resize:59x11 R Enter Enter dump resize:100x30 dump"
check_true "too small: keys ignored, said so" grep -q "ignored until it is larger" "$DUMP"
check_true "too small: no recovery ran" cmp -s "$FIX/json_corrupt_middle/data/events.ndjson" \
	"$TMP/json_corrupt_middle/events.ndjson"
screen small_dialog json_corrupt_middle "R resize:59x11 Enter Right Enter dump resize:100x30 dump Esc"
# the plan and the detail are wrapped again for the new width
screen rewrap_plan json_corrupt_middle "R Enter resize:70x30 dump resize:100x30 dump Esc"
screen rewrap_detail json_corrupt_middle "G Enter resize:60x30 dump"

# --- prompts: editing keys, history, a pre-filled text replaced by typing ------
screen prompt_edit json_corrupt_middle \
	"/ text:craxshed Left Left Left Left Backspace Enter dump / text:rashed Home text:c End Delete Enter dump / text:nope C-u text:crashed Enter dump"
check_true "prompt: Left and Backspace edit in the middle" grep -q "/crashed: row" "$DUMP"
screen prompt_history json_corrupt_middle "/ text:started Enter / text:crashed Enter / Up Up Enter dump / Up Down Down Enter dump"
screen prompt_replace json_corrupt_middle \
	"f text:type=ActorCrashed Enter f text:actor=local:2 Enter dump f End Space text:type=Nope C-w text:type=ActorStarted Enter dump"
check_true "prompt: a pre-filled filter is replaced by typing" grep -q "filter: actor=local:2 · " "$DUMP"
check_true "prompt: Ctrl-W deletes the word before the cursor" grep -q "filter: actor=local:2 type=ActorStarted · " "$DUMP"

# --- a terminal without cursor addressing: refused, --batch named (exit 64) -----
cd "$(fixture json_corrupt_middle)" || exit 1
TERM=dumb PAPYRA_TEST_SCREEN=1 "$PAPYRA" console --path events.ndjson >"$TMP/.out" 2>"$TMP/.err" </dev/null
RC=$?; OUT=$(cat "$TMP/.out"); ERR=$(cat "$TMP/.err")
check_rc 64 "console with TERM=dumb"
check_err "cannot address the cursor" "TERM=dumb: says why"
check_err "--batch" "TERM=dumb: names --batch"
cd "$TMP" || exit 1

# --- other data -----------------------------------------------------------------
screen clean json_clean "dump 6 dump"
screen empty json_empty "dump 6 dump"
screen missing json_missing "dump 4 dump 5 dump"
screen blank_lines json_blank_lines "4 dump 6 dump"
screen crlf json_crlf "dump 6 Enter dump"
screen non_object json_non_object "4 dump 6 dump"
screen ascii json_corrupt_middle "6 e dump Enter dump" 100x30 C


# --- hostile bytes: nothing drawn outside its row (SPEC §7; issue 12) ----------
# a healthy record with raw C1 (U+009B), RLO (U+202E), ZWSP (U+200B), a BOM
# and a decoded NUL; a line of invalid UTF-8 longer than the screen; a
# line with a NUL byte.  Raw, detail and the plan show them escaped, each
# within its row; under LANG=C every non-ASCII byte is escaped.
mkdir -p "$TMP/hostfix/hostile/data"
H="$TMP/hostfix/hostile/data/events.ndjson"
printf '{"kind":"event","timestamp":1767225600.0,"system_id":"local","actor_address":"local:1","event_type":"Act\302\233orStarted","payload":{"note":"\342\200\256evil\342\200\213\357\273\277x"}}\n' >"$H"
printf '{"kind":"event","timestamp":1767225601.0,"system_id":"local","actor_address":"local:2","event_type":"Nul\\u0000Type","payload":{"k":"\\u202e"}}\n' >>"$H"
awk 'BEGIN { s = ""; for (i = 0; i < 60; i++) s = s "\264\235\253"; print "{\"kind\":\"event\",\"x\":\"" s "\"}" }' >>"$H"
printf '{"kind":"event","timestamp":1767225602.0,"a":"before\000after"}\n' >>"$H"
printf '{"kind":"event","timestamp":1767225603.0,"system_id":"local","actor_address":"local:3","event_type":"ActorStopped","payload":{}}\n' >>"$H"
FIX_SAVED=$FIX; FIX=$TMP/hostfix
screen hostile_events hostile "dump"
screen hostile_raw hostile "6 dump" 200x14
screen hostile_detail hostile "Enter dump Esc 6 j j Enter dump Esc j Enter dump" 80x24
screen hostile_plan hostile "R Enter dump" 100x30
screen hostile_ascii hostile "dump 6 dump j j Enter dump" 80x24 C
FIX=$FIX_SAVED

# --- no terminal: refuse, point at --batch ----------------------------------
cd "$(fixture json_corrupt_middle)" || exit 1
run console --path events.ndjson
check_rc 64 "console without a terminal"
check_err "--batch" "console without a terminal names --batch"

# --- --batch: triage summary, doctor's exit codes --------------------------
run console --batch --path events.ndjson
check_rc 1 "console --batch with anomalies"
check_out "by type: CORRUPTED_LINE 2" "console --batch counts per type"
cd "$(fixture json_clean)" || exit 1
run console --batch --path events.ndjson
check_rc 0 "console --batch healthy"
check_out "Persistence is healthy" "console --batch healthy line"
# after the summary, the inspect command lines that list each kind of
# record (the W hand-off's backend flags): each read by the shell and run,
# its records counted against the summary's; a path the shell must quote
HD="$TMP/hand off's \$dir"
mkdir -p "$HD" && cp events.ndjson "$HD/events.ndjson"
run console --batch --path "$HD/events.ndjson"
check_rc 0 "console --batch on a quoted path"
printf '%s\n' "$OUT" | sed -n 's/^ℹ     \(papyra inspect .*\)$/\1/p' >"$TMP/hcmds"
check_true "console --batch: three inspect command lines" test "$(wc -l <"$TMP/hcmds")" = 3
check_out "to list the records (one JSON object per line):" "console --batch introduces the command lines"
counts=$(printf '%s\n' "$OUT" | sed -n 's/^.*records: \([0-9]*\) events, \([0-9]*\) audits, \([0-9]*\) dead letters.*$/\1 \2 \3/p')
got=""
while IFS= read -r hcmd; do
	handoff_run "$TMP" "$hcmd"
	got="$got${got:+ }$(wc -l <"$TMP/.hout" | tr -d ' ')"
done <"$TMP/hcmds"
check_true "console --batch: the commands list the records the summary counts ($counts)" test "$got" = "$counts"
check_true "console --batch: the counts were read" test -n "$counts"
run console --batch --path "$HD/events.ndjson" --format json
check_true "console --batch --format json: no command lines in the report" sh -c "! grep -q 'papyra inspect' '$TMP/.out'"
run console --batch --path missing.ndjson
check_rc 0 "console --batch missing file is clean"
check_out_not "papyra inspect" "console --batch on no store: no command lines"
run console --batch --path .
check_rc 64 "console --batch on a directory"
run console --bogus
check_rc 64 "console unknown flag"

# (the rotating and Redis backends in the console: t_console_backends.sh)

# --- the man page's key section comes from the key table --------------------
run console --print-keys-man
check_rc 0 "console --print-keys-man"
check_out ".SS Console keys" "keys man section"
check_golden man/papyra-keys.inc "man/papyra-keys.inc is generated from the key table"
