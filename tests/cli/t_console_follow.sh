# The console follows a live store (issue 11; SPEC §3, §7), on the
# in-process virtual screen: the key script grows or changes the store at
# a point (append:FILE:TEXT, sh:CMD) and the console looks before the next
# key, so no key is pressed for the new lines to show; later:MS moves the
# console's clock (the "being written" delay) without waiting.  Then
# `console --batch --follow` with a writer.  Real-terminal following (no
# key at all, under tmux): t_console_follow_tmux.sh.

DUMP=$TMP/follow.screen
# a script token: blanks as \s (the key script splits on blanks)
tok() { printf '%s' "$1" | sed 's/ /\\s/g'; }
REC=$(tok '{"kind": "event", "system_id": "local", "actor_address": null, "event_type": "LiveAppended", "payload": {}, "timestamp": 1767225700.5}')
# how many dumps show TEXT
dumps_with() { awk -v t="$1" '/^==== screen/{if(s)n++; s=0} index($0,t){s=1} END{if(s)n++; print n+0}' "$DUMP"; }
# fcon DIR KEYS ARGS...: the console in DIR with the key script KEYS
fcon() {
	_fd=$1 _fk=$2
	shift 2
	console_run "$_fd" 100x30 C.UTF-8 UTC "$_fk" "$@"
	check_rc 0 "console $_fk"
}

# --- appends, no key pressed ---------------------------------------------------------------
D=$(fixture json_corrupt_middle)
fcon "$D" "dump append:events.ndjson:$REC\\n dump" --path events.ndjson
dump_has "LiveAppended" "an appended record is listed"
dump_has "events 14 (+0.02/s)" "the header counts it, with the rate of the last minute"
dump_has "+1 new" "the status line says a record arrived"
check_true "the first screen had 13 events" test "$(dumps_with 'events 13 ')" = 1

D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:{oops\\n dump 4 dump" --path events.ndjson
dump_has "3 ANOMALIES" "a damaged line appended later: the header"
dump_has "Invalid JSON at line 24" "a damaged line appended later: the Anomalies view"
run persistence scan --path "$D/events.ndjson"
check_out "Found 3 persistence anomalies" "after following, a whole scan finds the same anomalies"

# --- a last line being written ---------------------------------------------------------------
D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:$(tok '{"kind": "event",') dump 4 dump" --path events.ndjson
dump_has "1 line being written (17 bytes)" "an unterminated tail is shown as being written"
check_true "being written: not an anomaly yet" test "$(dumps_with '3 ANOMALIES')" = 0
D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:$(tok '{"kind": "event",') later:1900 dump later:200 4 dump" --path events.ndjson
check_true "before the delay: still being written" test "$(dumps_with 'being written')" = 1
dump_has "TRUNCATED_LINE" "unchanged for the delay: TRUNCATED_LINE"
D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:$(tok '{"kind": "event",') later:2500 append:events.ndjson:$(tok ' "event_type": "Done", "timestamp": 5}')\\n 4 dump 1 dump" --path events.ndjson
dump_has "2 ANOMALIES" "the tail went on after all: the TRUNCATED_LINE is taken back"
dump_has "Done" "the completed record is listed"

# --- tail mode ---------------------------------------------------------------------------------
D=$(fixture json_corrupt_middle)
fcon "$D" "L append:events.ndjson:$REC\\n dump" --path events.ndjson
dump_has "LiveAppended     None           {}   <-- selected" "tail mode: the newest record is selected"
dump_has "TAIL +1" "tail mode: the status line says it is on and what arrived"
D=$(fixture json_corrupt_middle)
fcon "$D" "L k append:events.ndjson:$REC\\n dump" --path events.ndjson
check_true "a movement key leaves tail mode" test "$(dumps_with 'TAIL +')" = 0
D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:$REC\\n dump" --path events.ndjson --follow
dump_has "LiveAppended     None           {}   <-- selected" "--follow starts in tail mode"

# --- change of identity: truncation, replacement, rescan ---------------------------------------
D=$(fixture json_corrupt_middle)
CUT=$(head -5 "$D/events.ndjson" | wc -c)
fcon "$D" "6 G Enter sh:truncate\\s-s\\s$CUT\\sevents.ndjson dump" --path events.ndjson
dump_has "events.ndjson was truncated (5099 to $CUT bytes): re-indexing; the selected record is gone" \
	"truncation: the banner, and the selection gone with its line"
check_true "truncation: no detail of the old index is left open" test "$(dumps_with 'BYTES AS STORED')" = 1
dump_has "HEALTHY" "truncation: the header follows (the damaged lines were cut)"

D=$(fixture json_corrupt_middle)
head -5 "$D/events.ndjson" >"$D/other.ndjson"
fcon "$D" "6 j j sh:mv\\sother.ndjson\\sevents.ndjson dump" --path events.ndjson
dump_has "events.ndjson was replaced by another file: re-indexing" "replacement: the banner"

D=$(fixture json_corrupt_middle)
fcon "$D" "r dump" --path events.ndjson
dump_has "Re-indexing the store (r)" "r re-indexes"

# --- a rotating set rotates under the console -------------------------------------------------
ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
D=$(fixture rot_clean)
ROTATE='sh:rm\srot.log.2\s&&\smv\srot.log.1\srot.log.2\s&&\smv\srot.log\srot.log.1'
fcon "$D" "6 G k $ROTATE dump append:rot.log:$REC\\n dump G dump" $ROT
dump_has "The set rotated (rot.log is a new file, the others moved along): re-indexing" "rotation: the banner"
dump_has "rot.log.1:52   {" "rotation: the line moved to rot.log.1 with its file"
dump_has "rot.log.1:52   {\"system_id\": \"local\", \"actor_address\": {\"system\": \"local\", \"actor_id\": 204}, \"event_   <-- selected" \
	"rotation: the selection stays on the same record"
dump_has "rot.log:1      {\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, \"event_type\": \"LiveApp" "rotation: the new active file is followed"

D=$(fixture rot_clean)
fcon "$D" "6 G k k m $ROTATE dump" $ROT
dump_has "»ot.log.1:51   {" "rotation: a marked record stays marked where it went"

# --- the recovery plan comes from the store as it is now ---------------------------------------
D=$(fixture json_corrupt_middle)
fcon "$D" "append:events.ndjson:{oops R Enter dump" --path events.ndjson
dump_has "Re-indexing before the plan" "R: a line being written is classified before planning"
dump_has "3 lines" "R: the plan has the tail too"

# --- Redis: XADD and DEL under the console -----------------------------------------------------
. "$ROOT/tests/cli/redis.sh"
if redis_available; then
	load redis_clean
	RD=$TMP/redis-follow
	mkdir -p "$RD"
	N0=$(rcli xlen papyra:local:events)
	XADD="sh:redis-cli\\s-p\\s$PORT\\sXADD\\spapyra:local:events\\s*\\sdata\\s{oops >/dev/null"
	fcon "$RD" "6 m $(printf '%s' "$XADD" | sed 's/ /\\s/g') dump" $R
	dump_has "events $N0" "Redis: the record count before"
	dump_has "1 ANOMALY" "Redis: an entry added with XADD shows, damaged"
	dump_has "»vents 1767225600000-0" "Redis: a mark survives the re-index an XADD makes"
	fcon "$RD" "sh:redis-cli\\s-p\\s$PORT\\sDEL\\spapyra:local:events\\s>/dev/null dump" $R
	dump_has "Stream papyra:local:events was deleted: re-indexing" "Redis: DEL of a stream, the banner"
	dump_has "events 0 " "Redis: the deleted stream's records are gone"
	load redis_clean
	fcon "$RD" "sh:redis-cli\\s-p\\s$PORT\\sFLUSHDB\\s>/dev/null dump" $R
	dump_has "Every stream is gone" "Redis: FLUSHDB"
fi

# --- console --batch --follow: one line per new anomaly, the gate's exit code ------------------
D=$(fixture json_corrupt_middle)
(cd "$D" && exec "$PAPYRA" console --batch --follow --path events.ndjson >"$TMP/bf.out" 2>"$TMP/bf.err") &
BF=$!
wait_out() {
	_i=0
	while [ $_i -lt 100 ]; do
		grep -qF -- "$1" "$TMP/bf.out" 2>/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
if wait_out "Following events.ndjson"; then ok; else ko "batch follow: started" "$(cat "$TMP/bf.out" "$TMP/bf.err")"; fi
echo '{oops' >>"$D/events.ndjson"
if wait_out "New anomaly: CORRUPTED_LINE: events.ndjson (Invalid JSON at line 24"; then ok; else
	ko "batch follow: the new anomaly is printed" "$(cat "$TMP/bf.out")"; fi
kill -INT $BF
wait $BF
RC=$?
check_rc 1 "batch follow: SIGINT exits with the gate's code (anomalies: 1)"
check_true "batch follow: the old anomalies are not repeated" test "$(grep -c 'New anomaly' "$TMP/bf.out")" = 1

# a rotation under batch follow: said, and only what the new scan adds is printed
D=$(fixture rot_corrupt)
(cd "$D" && exec "$PAPYRA" console --batch --follow $ROT >"$TMP/bf.out" 2>"$TMP/bf.err") &
BF=$!
if wait_out "Following rot.log"; then ok; else ko "batch follow rotating: started" "$(cat "$TMP/bf.out" "$TMP/bf.err")"; fi
BEFORE=$(grep -c 'New anomaly' "$TMP/bf.out")
(cd "$D" && rm -f rot.log.2 && mv rot.log.1 rot.log.2 && mv rot.log rot.log.1 && echo '{oops' >rot.log)
if wait_out "New anomaly: CORRUPTED_LINE: rot.log (Invalid JSON at line 1"; then ok; else
	ko "batch follow rotating: the new file's anomaly" "$(cat "$TMP/bf.out")"; fi
check_true "batch follow rotating: the rotation is said" grep -q "rotated\|appeared\|removed\|replaced" "$TMP/bf.out"
kill -TERM $BF
wait $BF
RC=$?
check_rc 1 "batch follow rotating: SIGTERM exits with the gate's code"
check_true "batch follow rotating: no anomaly printed before the rotation" test "$BEFORE" = 0
check_true "batch follow rotating: the anomalies that moved with their files are not new" \
	test "$(grep -c 'New anomaly' "$TMP/bf.out")" = 1

D=$(fixture json_clean)
run console --batch --follow --duration 0.3 --path "$D/events.ndjson"
check_rc 0 "batch follow --duration on a healthy file: exit 0"
check_out "Stopped following: 0 anomalies" "batch follow --duration: the closing line"
run console --batch --follow --mode recover --path "$D/events.ndjson"
check_rc 64 "batch follow: --mode recover is refused"
run console --duration 3 --path "$D/events.ndjson"
check_rc 64 "--duration without --batch --follow is refused"

# --- the Timeline grows live ---------------------------------------------------------------------
D=$(fixture json_corrupt_middle)
CRASH=$(tok '{"kind": "event", "event_type": "ActorCrashed", "actor_address": null, "timestamp": 1767225611.5}')
fcon "$D" "7 append:events.ndjson:$CRASH\\n dump" --path events.ndjson
dump_has " 1767225611.500                  1 ✖1" "the Timeline takes in an appended crash"
