# The rotating backend end to end (SPEC §2.2, §3, §4, §5, §10): exact
# anomaly lists and exit codes for each rot_* fixture, recovery that only
# rewrites damaged files, orphans, the quarantine-directory refusal, the
# gates, listings across the set, and compaction byte for byte.
# Every command runs inside the fixture's copy with a relative --path, as
# the fixtures' READMEs say.

ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
# the set in reading order, oldest first
cat_set() { for f in rot.log.4 rot.log.3 rot.log.2 rot.log.1 rot.log; do [ -e "$f" ] && cat "$f"; done; }
ino() { stat -c %i "$1"; }
nl='
'

# --- scan: each fixture, exact lines --------------------------------------------
d=$(fixture rot_clean); cd "$d"
run persistence scan $ROT
check_rc 0 "scan rot_clean"
check_out "✔ Persistence is healthy." "rot_clean healthy"
run persistence scan $ROT --format json
check_out '"files": [{"path": "rot.log.2", "bytes": 1967, "lines": 8}, {"path": "rot.log.1", "bytes": 2018, "lines": 8}, {"path": "rot.log", "bytes": 12480, "lines": 53}]' "files in reading order"
run persistence inspect $ROT
check_rc 0 "persistence inspect rotating"
check_out "backend: RotatingFilePersistence" "class name"
check_out "events_sampled: 45" "events of the whole set"
cd "$TMP"

d=$(fixture rot_orphan_7); cd "$d"
run persistence scan $ROT
check_rc 2 "scan rot_orphan_7"
check_out "✖ Found 1 persistence anomalies:${nl}✖ - ORPHANED_ROTATED_FILE: rot.log.7 (Unexpected file in rotation set)" "orphan line"
printf '{"kind": "event"}\n\n' > rot.log.1
: > rot.log.10
run persistence scan $ROT
check_rc 2 "scan orphans + damage"
check_out "✖ Found 3 persistence anomalies:${nl}✖ - ORPHANED_ROTATED_FILE: rot.log.10 (Unexpected file in rotation set)${nl}✖ - ORPHANED_ROTATED_FILE: rot.log.7 (Unexpected file in rotation set)${nl}✖ - CORRUPTED_LINE: rot.log.1 (Invalid JSON at line 2 (byte 0: empty line))" "orphans first, sorted by name"
cd "$TMP"

d=$(fixture rot_corrupt); cd "$d"
run persistence scan $ROT
check_rc 2 "scan rot_corrupt"
check_out "✖ Found 3 persistence anomalies:${nl}✖ - TRUNCATED_LINE: rot.log.2 (Line 8 missing newline)${nl}✖ - CORRUPTED_LINE: rot.log.1 (Invalid JSON at line 3 (byte 86: unexpected end of line))${nl}✖ - CORRUPTED_LINE: rot.log (Invalid JSON at line 5 (byte 0: empty line))" "rot_corrupt exact, oldest file first"
run persistence scan $ROT --format github
check_out "::error file=rot.log.1,line=3::CORRUPTED_LINE" "github annotation for a rotated file"
cd "$TMP"

d=$(fixture rot_truncated_active); cd "$d"
run persistence scan $ROT
check_rc 2 "scan rot_truncated_active"
check_out "✖ Found 1 persistence anomalies:${nl}✖ - TRUNCATED_LINE: rot.log (Line 53 missing newline)" "truncated active"
cd "$TMP"

d=$(fixture rot_clean); cd "$d"
: > .rot.log.1.papyra-tmp-4242
run persistence scan $ROT
check_rc 2 "leftover temp of a rotated file"
check_out "- UNEXPECTED_FILE: .rot.log.1.papyra-tmp-4242 (Leftover temporary file from an interrupted operation)" "temp reported"
run persistence recover $ROT
check_rc 0 "recover removes the leftover temp"
check_true "temp removed" test ! -e .rot.log.1.papyra-tmp-4242
cd "$TMP"

# --- recover: repair rewrites only damaged files ------------------------------------
d=$(fixture rot_truncated_active); cd "$d"
i1=$(ino rot.log.1); i2=$(ino rot.log.2)
run persistence recover $ROT
check_rc 0 "repair rot_truncated_active"
check_out "ℹ repaired rot.log${nl}" "only the active file repaired"
check_out_not "repaired rot.log.1" "rot.log.1 untouched"
check_out "✔ Verification scan: persistence is healthy" "verified"
check_same rot.log.1 "$FIX/rot_truncated_active/data/rot.log.1" "rot.log.1 byte-identical"
check_same rot.log.2 "$FIX/rot_truncated_active/data/rot.log.2" "rot.log.2 byte-identical"
check_true "rot.log.1 same inode" test "$i1" = "$(ino rot.log.1)"
check_true "rot.log.2 same inode" test "$i2" = "$(ino rot.log.2)"
head -n 52 "$FIX/rot_truncated_active/data/rot.log" > "$TMP/want.log"
check_same rot.log "$TMP/want.log" "truncated tail dropped, the rest byte for byte"
cd "$TMP"

d=$(fixture rot_corrupt); cd "$d"
run persistence recover $ROT
check_rc 0 "repair rot_corrupt"
check_out "ℹ repaired rot.log.2${nl}ℹ repaired rot.log.1${nl}ℹ repaired rot.log" "all three repaired, oldest first"
sed '8d' "$FIX/rot_corrupt/data/rot.log.2" > "$TMP/w2"
sed '3d' "$FIX/rot_corrupt/data/rot.log.1" > "$TMP/w1"
sed '5d' "$FIX/rot_corrupt/data/rot.log" > "$TMP/w0"
check_same rot.log.2 "$TMP/w2" "rot.log.2 minus its truncated tail"
check_same rot.log.1 "$TMP/w1" "rot.log.1 minus line 3"
check_same rot.log "$TMP/w0" "rot.log minus the empty line"
cd "$TMP"

d=$(fixture rot_corrupt); cd "$d"
run persistence recover $ROT --mode quarantine --quarantine-dir "$TMP/qc"
check_rc 0 "quarantine rot_corrupt"
check_same "$(ls "$TMP"/qc/rot.log.1.quarantine.* | head -1)" "$FIX/rot_corrupt/data/rot.log.1" "damaged original preserved"
check_true "three originals preserved" test "$(ls "$TMP/qc" | wc -l)" -eq 3
cd "$TMP"

# --- orphans: repair leaves them (exit 3), quarantine moves them ----------------------
d=$(fixture rot_orphan_7); cd "$d"
run persistence recover $ROT
check_rc 3 "repair leaves the orphan"
check_out "✖ Recovery attempted but anomalies still exist${nl}✖ - ORPHANED_ROTATED_FILE: rot.log.7 (Unexpected file in rotation set)" "orphan remains"
check_same rot.log.7 "$FIX/rot_orphan_7/data/rot.log.7" "orphan untouched"
check_same rot.log "$FIX/rot_orphan_7/data/rot.log" "healthy file untouched"

run persistence recover $ROT --mode quarantine --quarantine-dir .
check_rc 64 "quarantine dir = set dir"
check_err "own directory" "refusal says why"
run persistence recover $ROT --mode quarantine --quarantine-dir "$d/"
check_rc 64 "quarantine dir = set dir (absolute, slash)"
run persistence recover $ROT --mode quarantine --quarantine-dir sub/x/../..
check_rc 64 "quarantine dir = set dir (not existing yet)"
check_true "refused before creating anything" test ! -e sub
check_true "orphan still there after refusals" test -e rot.log.7

run persistence recover $ROT --mode quarantine --quarantine-dir "$TMP/q7"
check_rc 0 "quarantine moves the orphan"
check_out "ℹ quarantined $TMP/q7/rot.log.7.quarantine." "quarantined line"
check_out "✔ Verification scan: persistence is healthy" "verified after quarantine"
check_true "orphan gone from the set" test ! -e rot.log.7
check_true "named <name>.quarantine.<ms>" sh -c "ls '$TMP/q7' | grep -qx 'rot\.log\.7\.quarantine\.[0-9]*'"
check_same "$(ls "$TMP"/q7/rot.log.7.quarantine.* | head -1)" "$FIX/rot_orphan_7/data/rot.log.7" "orphan bytes preserved"
check_same rot.log.1 "$FIX/rot_orphan_7/data/rot.log.1" "members untouched by quarantine"
run persistence scan $ROT
check_rc 0 "rescan clean"
cd "$TMP"

# --- gates -----------------------------------------------------------------------------
d=$(fixture rot_orphan_7); cd "$d"
run persistence startup-check $ROT
check_rc 1 "startup-check fails on orphan"
check_out "Persistence anomalies detected${nl}✖ - ORPHANED_ROTATED_FILE: rot.log.7" "startup-check lists it"
run persistence startup-check $ROT --mode ignore
check_rc 0 "startup-check ignore"
run persistence startup-check $ROT --mode recover
check_rc 2 "startup-check recover (repair) leaves the orphan"
run doctor run $ROT --mode recover --recovery-mode quarantine --quarantine-dir .
check_rc 64 "doctor refuses the set's own directory"
run doctor run $ROT --mode recover --recovery-mode quarantine --quarantine-dir "$TMP/qd"
check_rc 0 "doctor quarantine recovers"
cd "$TMP"

d=$(fixture rot_clean); cd "$d"
run doctor run $ROT
check_rc 0 "doctor healthy"
check_out "Persistence is healthy" "doctor phrase"
cd "$TMP"
d=$(fixture rot_corrupt); cd "$d"
run doctor run $ROT
check_rc 1 "doctor finds damage"
run doctor run $ROT --mode recover
check_rc 0 "doctor repairs"
cd "$TMP"

# --- listings across the set, oldest file first ------------------------------------------
d=$(fixture rot_clean); cd "$d"
cat_set > "$TMP/all.ndjson"
jq -r 'select(.kind == "event") | "\(.event_type) \(.actor_address.system):\(.actor_address.actor_id)"' \
	"$TMP/all.ndjson" > "$TMP/want_events"
run inspect events $ROT
check_rc 0 "inspect events"
printf '%s\n' "$OUT" | sed 's/^[^]]*\] //' > "$TMP/got_events"
check_same "$TMP/got_events" "$TMP/want_events" "events in reading order across the set"
first=$(head -n 1 rot.log.2 | jq -r '.timestamp')
check_true "first event is rot.log.2's first line" test "$(printf '%s\n' "$OUT" | head -n 1)" = "ℹ [$first] ActorStarted local:1"
run inspect events $ROT --limit 2 --reverse
want=$(tail -n 2 "$TMP/want_events" | tac)
got=$(printf '%s\n' "$OUT" | sed 's/^[^]]*\] //')
check_true "newest events come from rot.log, reversed" test "$got" = "$want"
cd "$TMP"

# --- compaction --------------------------------------------------------------------------
# refused while anomalies exist
d=$(fixture rot_corrupt); cd "$d"
run persistence compact $ROT --max-records 5
check_rc 2 "compact refuses on damage"
check_same rot.log.1 "$FIX/rot_corrupt/data/rot.log.1" "refusal changes nothing"
cd "$TMP"

# nothing to drop, layout already right: nothing changes
d=$(fixture rot_clean); cd "$d"
i0=$(ino rot.log)
run persistence compact $ROT
check_rc 0 "compact without retention"
check_out "backend: rotating" "report backend"
check_out "before_records: 69${nl}ℹ   after_records: 69" "nothing dropped"
check_same rot.log "$FIX/rot_clean/data/rot.log" "rot.log unchanged"
check_same rot.log.2 "$FIX/rot_clean/data/rot.log.2" "rot.log.2 unchanged"
check_true "not even rewritten" test "$i0" = "$(ino rot.log)"
cd "$TMP"

# --max-records 20: the newest 20 lines in reading order, re-chunked by 2048
d=$(fixture rot_clean); cd "$d"
cat_set | tail -n 20 > "$TMP/kept"
rm -f "$TMP"/exp.*
LC_ALL=C awk -v max=2048 -v files=3 -v out="$TMP/exp" '
	BEGIN { ord = 0 }
	{ n = length($0) + 1
	  if (cl && cb + n > max && ord < files - 1) { ord++; cb = 0; cl = 0 }
	  print > (out "." ord); cb += n; cl++ }
	END { print ord + 1 > (out ".n") }' "$TMP/kept"
run persistence compact $ROT --max-records 20
check_rc 0 "compact --max-records 20"
check_out "ℹ Compaction completed${nl}ℹ   backend: rotating${nl}ℹ   before_records: 69${nl}ℹ   after_records: 20${nl}ℹ   before_bytes: 16465${nl}ℹ   after_bytes: $(wc -c < "$TMP/kept")" "compaction report"
nt=$(cat "$TMP/exp.n")
check_true "three chunks" test "$nt" = 3
check_same rot.log.2 "$TMP/exp.0" "oldest chunk in rot.log.2"
check_same rot.log.1 "$TMP/exp.1" "next chunk in rot.log.1"
check_same rot.log "$TMP/exp.2" "newest chunk in rot.log"
cat_set > "$TMP/after"
check_same "$TMP/after" "$TMP/kept" "exactly the newest 20 lines, byte for byte"
run persistence scan $ROT
check_rc 0 "compacted set is clean"
check_true "no temp files left" sh -c '! ls -a | grep -q papyra-tmp'
cd "$TMP"

# more data than max_files chunks: nothing is lost, the active file holds the rest
d=$(fixture rot_clean); cd "$d"
cat_set > "$TMP/before"
run persistence compact --backend rotating --path rot.log --max-files 3 --max-bytes 500
check_rc 0 "compact into small chunks"
check_out "after_records: 69" "no record dropped"
cat_set > "$TMP/after"
check_same "$TMP/after" "$TMP/before" "concatenation unchanged"
check_true "rot.log.2 within max_bytes" test "$(wc -c < rot.log.2)" -le 500
check_true "rot.log.1 within max_bytes" test "$(wc -c < rot.log.1)" -le 500
check_true "rot.log holds the rest" test "$(wc -c < rot.log)" -gt 500
run persistence compact --backend rotating --path rot.log --max-files 3 --max-bytes 100000
check_rc 0 "compact into one file"
check_same rot.log "$TMP/before" "everything in the active file"
check_true "rotated files removed" test ! -e rot.log.1 -a ! -e rot.log.2
run persistence compact --backend rotating --path rot.log --max-files 5 --max-bytes 3000
check_rc 0 "compact spread over five files"
cat_set > "$TMP/after"
check_same "$TMP/after" "$TMP/before" "concatenation unchanged after spreading"
check_true "rot.log.4 written" test -e rot.log.4
cd "$TMP"
