# papyra console: from a journal entry to the file it names (issue 12
# item 8): o in the Journal (J) or in an entry's detail opens Raw at that
# file, at the line that took the first dropped line's place (the nearest
# line left), else at the file's first line; a file that is not in the
# store open here is said, not guessed.  Goldens in tests/screen/golden/.

EPOCH=1767225600000
DUMP="$TMP/journal.screen"
jscreen() {
	_jn=$1 _jd=$2 _jk=$3
	shift 3
	console_run "$_jd" 100x30 C.UTF-8 UTC "$_jk" --path events.ndjson --journal journal.ndjson "$@"
	check_rc 0 "screen $_jn"
	[ "$_jn" = - ] || check_screen "$DUMP" "$_jn"
}

# --- a repair drops lines 10 and 20; o goes to what is now line 10 (was 11) --------
D=$(fixture json_corrupt_middle)
sed -n 11p "$D/events.ndjson" >"$TMP/was11"
jscreen journal_jump "$D" "R Enter Enter Right Enter Esc J o dump"
check_true "the repair was journaled with its dropped lines" grep -q '"dropped":\[{"path":"events.ndjson","line":10' "$D/journal.ndjson"
dump_has "Raw at events.ndjson, the line that took the dropped line's place" "o says where it went"
check_true "Raw is at line 10" sh -c "awk '/<-- selected/{l=\$0} END{print l}' '$DUMP' | grep -q '^ *10 '"
sed -n 10p "$D/events.ndjson" >"$TMP/now10"
check_same "$TMP/now10" "$TMP/was11" "line 10 now is the old line 11 (the one after the dropped line)"
# the same from the entry's detail (Enter, then o)
jscreen - "$D" "J Enter o dump"
dump_has "Raw at events.ndjson, the line that took the dropped line's place" "o from the entry's detail"
# o elsewhere: it says what it is for
jscreen - "$D" "o dump"
dump_has "o opens the file of a journal entry: select one in the Journal (J) first" "o outside the Journal"

# --- a file the store open here does not hold; an entry with files and no drop -------
D=$(fixture json_clean)
cat >"$D/journal.ndjson" <<'JEOF'
{"time":"2026-01-02T03:04:05.678Z","user":"alice","command":"persistence recover","backend":"json","location":"/srv/papyra/events.ndjson","mode":"repair","files":[{"path":"/srv/papyra/events.ndjson"}],"lines_dropped":1,"dropped":[{"path":"/srv/papyra/events.ndjson","line":4,"offset":900,"reason":"CORRUPTED_LINE"}],"quarantine":[]}
{"time":"2026-01-03T10:00:00.000Z","user":"bob","command":"console","backend":"json","location":"events.ndjson","mode":"compact","files":[{"path":"events.ndjson"}],"lines_dropped":0,"dropped":[],"quarantine":[]}
{"time":"2026-01-04T10:00:00.000Z","user":"carol","command":"console","backend":"json","location":"events.ndjson","mode":"repair","files":[{"path":"events.ndjson"}],"lines_dropped":1,"dropped":[{"path":"events.ndjson","line":99,"offset":9000,"reason":"TRUNCATED_LINE"}],"quarantine":[]}
JEOF
jscreen - "$D" "J j j o dump"
dump_has "/srv/papyra/events.ndjson is not in the store open here" "a file of another store is said, not guessed"
jscreen - "$D" "J j o dump"
dump_has "Raw at events.ndjson, its first line" "no dropped line: the file's first line"
check_true "Raw is at line 1" sh -c "awk '/<-- selected/{l=\$0} END{print l}' '$DUMP' | grep -q '^ *1 '"
jscreen - "$D" "J o dump"
dump_has "Raw at events.ndjson, its last line (the dropped line was at the end)" "a dropped last line: the nearest left is the last"
check_true "Raw is at line 23, the last" sh -c "awk '/<-- selected/{l=\$0} END{print l}' '$DUMP' | grep -q '^ *23 '"
