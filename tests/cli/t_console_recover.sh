# papyra console: the walks that change the store (SPEC §4, §5, §7; STYLE
# "Destructive actions").  Golden screens of every step of the recovery
# walk (R) and the compaction walk (c), the proof that no byte changes
# before the confirmation whatever keys come first, the file changing
# between plan and apply, and the journal.
#
# walk NAME DIR KEYS [ARGS...]: runs the console on DIR/events.ndjson (a
# WALK_SIZE terminal, default 100x30) with
# the key script KEYS (ui/screen.h; `append:FILE:TEXT` grows FILE at that
# point) and compares every `dump` with tests/screen/golden/NAME.txt
# (NAME "-": no golden, the dump is in $DUMP).  Quarantine names use a
# fixed epoch; the journal goes to $TMP/state unless --journal is given.
# PAPYRA_REGEN=1 rewrites the goldens on purpose.

EPOCH=1767225600000
SCREEN_STATE=$TMP/state

walk() {
	_name=$1 _dir=$2 _keys=$3
	shift 3
	DUMP="$TMP/walk.screen"
	console_run "$_dir" "${WALK_SIZE:-100x30}" C.UTF-8 UTC "$_keys" --path events.ndjson "$@"
	check_rc 0 "walk $_name"
	[ "$_name" = - ] && return 0
	check_screen "$DUMP" "$_name"
}

sum() { cksum <"$1"; }


# unchanged DIR SUM NAME: events.ndjson still has checksum SUM and no
# quarantine copy was made
unchanged() {
	if [ "$(sum "$1/events.ndjson")" = "$2" ]; then ok; else ko "$3: events.ndjson changed"; fi
	if [ -z "$(ls -A "$1/quarantine" 2>/dev/null)" ]; then ok; else ko "$3: a quarantine copy was made"; fi
}

# A file with more than 100 damaged lines: the typed confirmation.
big_fixture() {
	_d=$(fixture json_retention)
	_i=0
	while [ $_i -lt 101 ]; do
		echo "garbage line $_i {" >>"$_d/events.ndjson"
		_i=$((_i + 1))
	done
	echo "$_d"
}

MID_SUM=$(sum "$FIX/json_corrupt_middle/data/events.ndjson")

# --- the recovery walk, step by step --------------------------------------------
D=$(fixture json_corrupt_middle)
walk recover_choose "$D" "R dump Right dump Right dump Esc dump"
unchanged "$D" "$MID_SUM" "mode choice, Esc"
walk recover_choose_quarantine_first "$D" "R dump" --recovery-mode quarantine
walk recover_plan_repair "$D" "R Enter dump" --journal journal.ndjson
walk recover_quarantine_dir "$D" "R Right Enter dump Enter dump Esc dump"
unchanged "$D" "$MID_SUM" "quarantine plan, Esc"
walk recover_quarantine_dir_given "$D" "R Right Enter dump" --quarantine-dir q-given
: >"$D/not-a-dir"
walk recover_quarantine_dir_refused "$D" "R Right Enter Enter dump Enter dump Esc dump" --quarantine-dir not-a-dir
unchanged "$D" "$MID_SUM" "quarantine directory refused"
check_true "a refused quarantine directory is left alone" test -f "$D/not-a-dir"

# stepping: Space (same answer for the rest) then n leaves both; nothing
# left to apply; step again: leave the first, apply the second
walk recover_step "$D" "R Enter s dump Space dump n dump Enter dump s n dump y dump Enter dump Right dump Enter dump" \
	--journal journal.ndjson
check_true "stepping: line 10 (left) is still there" grep -q '"p$' "$D/events.ndjson"
check_true "stepping: line 20 (applied) is gone" sh -c "! grep -q garbage '$D/events.ndjson'"
check_true "stepping: 22 lines left" test "$(wc -l <"$D/events.ndjson")" -eq 22
check_true "stepping: the journal has the entry" grep -q '"mode":"repair".*"lines_dropped":1' "$D/journal.ndjson"

# confirmation: focus starts on Cancel, so Enter there changes nothing
D=$(fixture json_corrupt_middle)
walk recover_confirm_cancel "$D" "R Enter Enter dump Enter dump Esc dump"
unchanged "$D" "$MID_SUM" "Enter on the focused Cancel"

# a real repair: the verification screen, the views rebuilt, the journal
walk recover_repair_done "$D" "R Enter Enter Right Enter dump Esc dump 4 dump" --journal journal.ndjson
check_true "repair: 21 lines left" test "$(wc -l <"$D/events.ndjson")" -eq 21
check_true "repair: the journal entry" grep -q '"command":"console".*"mode":"repair".*"lines_dropped":2' "$D/journal.ndjson"
run persistence scan --path "$D/events.ndjson"
check_rc 0 "repair: persistence scan agrees the file is healthy"

# quarantine: the original kept under the fixed epoch
D=$(fixture json_corrupt_and_truncated)
ORIG_SUM=$(sum "$D/events.ndjson")
walk recover_quarantine_done "$D" "R Right Enter Enter Enter Right Enter dump" --journal journal.ndjson
check_true "quarantine: original kept" test -f "$D/quarantine/events.ndjson.quarantine.$EPOCH"
if [ "$(sum "$D/quarantine/events.ndjson.quarantine.$EPOCH")" = "$ORIG_SUM" ]; then ok; else
	ko "quarantine: the kept original differs from the file before"; fi
check_true "quarantine: journal names the destination" grep -q "quarantine/events.ndjson.quarantine.$EPOCH" "$D/journal.ndjson"

# more than 100 lines: the mode name must be typed; a wrong one is refused
D=$(big_fixture)
BIG_SUM=$(sum "$D/events.ndjson")
walk recover_typed "$D" "R Enter Enter dump text:repiar Enter dump Esc dump" --journal journal.ndjson
unchanged "$D" "$BIG_SUM" "typed confirmation, wrong name then Esc"
walk recover_typed_done "$D" "R Enter Enter text:repair Enter dump" --journal journal.ndjson
check_true "typed repair: the 46 records are left" test "$(wc -l <"$D/events.ndjson")" -eq 46
check_same "$D/events.ndjson" "$FIX/json_retention/data/events.ndjson" "typed repair: the good lines byte for byte"

# the smallest terminal: the buttons always show, text gives way
D=$(fixture json_corrupt_middle)
WALK_SIZE=60x12
walk recover_small "$D" "R dump Enter dump s dump Esc Enter dump resize:59x11 dump resize:60x12 Esc Esc dump"
unset WALK_SIZE
unchanged "$D" "$MID_SUM" "walk on a small terminal"

# --- Esc at every step: nothing changes ---------------------------------------------
D=$(fixture json_corrupt_middle)
walk recover_esc_mode "$D" "R Esc dump"
walk recover_esc_qdir "$D" "R Right Enter Esc dump"
walk recover_esc_plan "$D" "R Enter Esc dump"
walk recover_esc_step "$D" "R Enter s Esc dump Esc dump"
walk recover_esc_confirm "$D" "R Enter Enter Right Esc dump Esc dump"
unchanged "$D" "$MID_SUM" "Esc at every step"
walk recover_esc_result "$D" "R Enter Enter Right Enter Esc dump"
check_true "Esc on the result leaves the repair done" test "$(wc -l <"$D/events.ndjson")" -eq 21

# --- no byte changes before the confirmation, whatever keys come first -------
for keys in "R" "R Enter" "R Enter s" "R Enter s y n Space y" "R Enter s n n Enter" "R Enter Enter" \
	"R Enter Enter Enter" "R Enter Enter Left Left Enter" "R Enter Enter Tab Tab Enter" \
	"R Enter Enter y" "R Enter Enter Space a" "R Enter Enter q" "R Enter Enter r" "R Tab Tab Enter" \
	"R q" "R Right Enter Enter Enter Esc" "R Right Enter Enter Enter q" "R Right Enter Esc" \
	"j k R j k G g PgDn Enter s n n y Esc Enter Tab Tab Tab Tab Enter Esc q" \
	"R Enter Enter Right Right Enter" "R Enter Enter BTab BTab Enter" "R R R Esc Esc Esc" \
	"c" "c Enter" "R Enter e E 1 2 3 Esc" "R Enter Enter Right Esc q" "J R Enter q q"; do
	D=$(fixture json_corrupt_middle)
	walk - "$D" "$keys"
	unchanged "$D" "$MID_SUM" "keys '$keys'"
done
D=$(big_fixture)
for keys in "R Enter Enter" "R Enter Enter text:repai Enter Esc" "R Enter Enter text:REPAIR Enter q Esc" \
	"R Enter Enter text:quarantine Enter" "R Right Enter Enter Enter text:repair Enter Esc" \
	"R Enter Enter Backspace Enter Tab Enter Esc"; do
	walk - "$D" "$keys"
	unchanged "$D" "$BIG_SUM" "big file, keys '$keys'"
done
RET_SUM=$(sum "$FIX/json_retention/data/events.ndjson")
D=$(fixture json_retention)
for keys in "c" "c Enter" "c Enter Enter" "c Enter Tab Tab Enter" "c Enter Left Left Enter" "c q" \
	"c Enter Right Esc" "c Enter q" "c j k PgDn Esc"; do
	walk - "$D" "$keys" --max-records 5
	unchanged "$D" "$RET_SUM" "compaction, keys '$keys'"
done

# --- the file grows between the plan and the apply (the store is live,
# SPEC §4): the repair goes ahead, the appended line is kept after it ------
D=$(fixture json_corrupt_middle)
LINE='{"kind":"audit","system_id":"local","timestamp":1767225700.0}'
walk recover_appended "$D" "R Enter append:events.ndjson:$LINE\\n Enter Right Enter dump" --journal journal.ndjson
{ sed '10d;20d' "$FIX/json_corrupt_middle/data/events.ndjson"; echo "$LINE"; } >"$TMP/expected.ndjson"
check_same "$D/events.ndjson" "$TMP/expected.ndjson" "appended under the plan: repaired, the append kept"
D=$(fixture json_retention)
walk compact_changed "$D" "c append:events.ndjson:$LINE\\n Enter Right Enter dump Esc dump" --max-records 5
{ cat "$FIX/json_retention/data/events.ndjson"; echo "$LINE"; } >"$TMP/expected.ndjson"
check_same "$D/events.ndjson" "$TMP/expected.ndjson" "compaction after a change: only the append is there"

# --- the compaction walk ---------------------------------------------------------------
D=$(fixture json_corrupt_middle)
walk compact_refused_anomalies "$D" "c dump Esc dump" --max-records 5
unchanged "$D" "$MID_SUM" "compaction refused with anomalies"
D=$(fixture json_retention)
walk compact_refused_no_retention "$D" "c dump Enter dump"
walk compact_nothing "$D" "c dump Esc dump" --max-records 100
walk compact_done "$D" "c dump Enter dump Right dump Enter dump Esc dump" --max-records 5 --journal journal.ndjson
tail -n 5 "$FIX/json_retention/data/events.ndjson" >"$TMP/expected.ndjson"
check_same "$D/events.ndjson" "$TMP/expected.ndjson" "compaction keeps the newest 5 records byte for byte"
check_true "compaction journaled" grep -q '"mode":"compact".*"records_before":46,"records_after":5' "$D/journal.ndjson"
D=$(fixture json_retention)
cat "$D/events.ndjson" "$D/events.ndjson" "$D/events.ndjson" >"$TMP/triple.ndjson"
mv "$TMP/triple.ndjson" "$D/events.ndjson"
walk compact_typed "$D" "c Enter dump text:compcat Enter dump text:compact Enter dump" --max-records 5 \
	--journal journal.ndjson
tail -n 5 "$FIX/json_retention/data/events.ndjson" >"$TMP/expected.ndjson"
check_same "$D/events.ndjson" "$TMP/expected.ndjson" "typed compaction keeps the newest 5"

# --- the journal: default place, the view -------------------------------------------
D=$(fixture json_corrupt_middle)
rm -rf "$TMP/state"
walk - "$D" "R Enter Enter Right Enter Esc J dump"
check_true "journal under \$XDG_STATE_HOME by default" test -s "$TMP/state/papyra/journal.ndjson"
dump_has "console              repair" "journal view lists the repair just done"
D=$(fixture json_corrupt_middle)
mkdir -p "$TMP/home"
(cd "$D" && env -u XDG_STATE_HOME HOME="$TMP/home" TERM=xterm-256color LC_ALL=C.UTF-8 PAPYRA_TEST_SCREEN=1 \
	PAPYRA_TEST_KEYS="R Enter Enter Right Enter" "$PAPYRA" console --path events.ndjson >/dev/null 2>&1 </dev/null)
check_true "journal under ~/.local/state without XDG_STATE_HOME" test -s "$TMP/home/.local/state/papyra/journal.ndjson"
D=$(fixture json_clean)
cat >"$D/journal.ndjson" <<'EOF'
{"time":"2026-01-02T03:04:05.678Z","epoch":1767323045.678,"user":"alice","uid":1000,"host":"db1","pid":41,"command":"persistence recover","backend":"json","location":"/srv/papyra/events.ndjson","mode":"repair","files":[{"path":"/srv/papyra/events.ndjson","bytes_before":5099,"bytes_after":4950,"lines_before":23,"lines_after":21}],"records_before":21,"records_after":21,"bytes_before":5099,"bytes_after":4950,"lines_dropped":2,"dropped":[],"quarantine":[]}
not a journal entry
{"time":"2026-01-03T10:00:00.000Z","epoch":1767434400.0,"user":"bob","uid":1001,"host":"db1","pid":77,"command":"console","backend":"json","location":"events.ndjson","mode":"compact","files":[],"records_before":46,"records_after":5,"bytes_before":10816,"bytes_after":1016,"lines_dropped":41,"dropped":[],"quarantine":[]}
{"time":"2026-01-04T12:30:00.250Z","epoch":1767529800.25,"user":"carol","uid":1002,"host":"db2","pid":99,"command":"console","backend":"json","location":"events.ndjson","mode":"quarantine","files":[{"path":"events.ndjson","bytes_before":5011,"bytes_after":4910,"lines_before":23,"lines_after":21}],"records_before":21,"records_after":21,"bytes_before":5011,"bytes_after":4910,"lines_dropped":2,"dropped":[],"quarantine":["q/events.ndjson.quarantine.1"]}
EOF
walk journal_view "$D" "J dump j dump Esc dump" --journal journal.ndjson
# Enter on an entry: what it did (files, bytes, dropped lines, quarantine destinations)
walk journal_entry "$D" "J Enter dump Esc dump" --journal journal.ndjson
dump_has "Quarantine destinations: 1" "journal entry: the quarantine destinations"
dump_has "events.ndjson  5011 -> 4910 bytes" "journal entry: the file and its bytes"

walk journal_empty "$D" "J dump" --journal none.ndjson

# typed confirmation by the lines dropped: 51 garbage lines must be typed for
D=$(fixture json_retention)
_i=0
while [ $_i -lt 51 ]; do echo "garbage $_i {" >>"$D/events.ndjson"; _i=$((_i + 1)); done
walk - "$D" "R Enter Enter dump Esc Esc Esc" --journal journal.ndjson
dump_has "type repair and press Enter" "51 lines dropped: the mode name must be typed"

# a change that could not be journaled is never made
D=$(fixture json_corrupt_middle)
: >"$D/not-a-dir"
walk recover_journal_refused "$D" "R dump Enter dump" --journal not-a-dir/journal.ndjson
unchanged "$D" "$MID_SUM" "recovery refused: journal cannot be written"
D=$(fixture json_retention)
# a journal that is not a regular file is refused before the console opens
(cd "$D" && PAPYRA_TEST_SCREEN=1 PAPYRA_TEST_SIZE=100x30 PAPYRA_TEST_KEYS="c dump Enter Enter Right Enter" \
	PAPYRA_TEST_DUMP="$TMP/walk.screen" "$PAPYRA" console --path events.ndjson --journal . --max-records 5 \
	>"$TMP/.out" 2>"$TMP/.err" </dev/null)
RC=$?; OUT=$(cat "$TMP/.out"); ERR=$(cat "$TMP/.err")
check_rc 64 "compaction refused: journal is a directory"
check_err "--journal . is a directory" "journal directory named"
unchanged "$D" "$RET_SUM" "compaction refused: journal cannot be written"

# --- recovery with nothing to do; bad options ---------------------------------------
D=$(fixture json_clean)
walk recover_healthy "$D" "R dump"
RC=0
env PAPYRA_TEST_SCREEN=1 "$PAPYRA" console --recovery-mode bogus --path events.ndjson >"$TMP/.out" 2>"$TMP/.err" </dev/null || RC=$?
ERR=$(cat "$TMP/.err")
check_rc 64 "console --recovery-mode bogus"
check_err "repair, quarantine" "console --recovery-mode bogus names the modes"

# --- the preview counts what compaction does (core/compact.c's rules) ------------
for flags in "--max-records 5" "--max-total-bytes 3000" "--max-records 20 --max-total-bytes 2000" \
	"--max-total-bytes 0" "--max-records 0" "--max-age-seconds 1" "--max-age-seconds 1000000000" \
	"--max-age-seconds 1000000000 --max-records 30 --max-total-bytes 5000"; do
	D=$(fixture json_retention)
	# shellcheck disable=SC2086
	walk - "$D" "c dump" $flags
	cp "$D/events.ndjson" "$TMP/cc.ndjson"
	# shellcheck disable=SC2086
	run persistence compact --path "$TMP/cc.ndjson" $flags
	_br=$(printf '%s\n' "$OUT" | sed -n 's/.*before_records: //p')
	_ar=$(printf '%s\n' "$OUT" | sed -n 's/.*after_records: //p')
	_bb=$(printf '%s\n' "$OUT" | sed -n 's/.*before_bytes: //p')
	_ab=$(printf '%s\n' "$OUT" | sed -n 's/.*after_bytes: //p')
	if [ "$_br" = "$_ar" ]; then
		dump_has "Would go:        nothing" "preview with $flags"
	else
		dump_has "Would go:   $(printf '%6d' $((_br - _ar))) records, $((_bb - _ab)) bytes" "preview with $flags"
	fi
done
