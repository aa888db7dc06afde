# Recovery and compaction on a live store, interrupted, or failing late
# (SPEC §4 "the store is live"; issue 8).  Kill points and I/O errors are
# injected with strace (tests/deps.sh installs it).

# LeakSanitizer cannot run under ptrace (it exits 1 at the end): under the
# sanitizer build the leak check is left to the other scripts.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

ROT="--backend rotating --path rot.log --max-files 3 --max-bytes 2048"
cat_set() { for f in rot.log.2 rot.log.1 rot.log; do [ -e "$f" ] && cat "$f"; done; }

# --- a killed rotating compaction is reported, and recovery finishes it ---------
d=$(fixture rot_clean); cd "$d"
run persistence compact $ROT --max-records 20
check_rc 0 "reference compaction"
cat_set > "$TMP/ref.set"
cd "$TMP"; rm -rf rot_clean
d=$(fixture rot_clean); cd "$d"
strace -f -qq -o /dev/null -e trace=renameat2 -e inject=renameat2:signal=SIGKILL:when=2 \
	"$PAPYRA" persistence compact $ROT --max-records 20 >/dev/null 2>&1
RC=$?
check_rc 137 "compaction killed between two replacements"
run persistence scan $ROT
check_rc 2 "interrupted compaction: the scanner says so"
check_out "UNEXPECTED_FILE: .rot.log.papyra-compact (Interrupted compaction: some records may be in the set twice; papyra persistence recover finishes it)" "the intent record is reported"
run persistence compact $ROT --max-records 20
check_rc 2 "compaction refuses while the interrupted one is pending"
run persistence recover $ROT
check_rc 0 "recover finishes the compaction"
check_out "finish_compaction: .rot.log.papyra-compact" "the action is listed"
check_out "Verification scan: persistence is healthy" "healthy once finished"
cat_set > "$TMP/now.set"
check_same "$TMP/now.set" "$TMP/ref.set" "finished compaction equals the undisturbed one"
if ls -A | grep -q 'papyra'; then ko "nothing left behind" "$(ls -A)"; else ok; fi
cd "$TMP"

# --- quarantine: the copy is named only when complete, and kept once applied ----
d=$(fixture json_corrupt_and_truncated); cd "$d"
strace -f -qq -o /dev/null -e trace=write -e inject=write:signal=SIGKILL:when=1 \
	"$PAPYRA" persistence recover --path events.ndjson --mode quarantine --quarantine-dir q >/dev/null 2>&1
RC=$?
check_rc 137 "quarantine killed while copying"
if ls q | grep -q quarantine; then ko "no copy under a final name after the kill" "$(ls -A q)"; else ok; fi
check_same events.ndjson "$FIX/json_corrupt_and_truncated/data/events.ndjson" "killed copy: the data file untouched"
LEFT=$(ls -A q | grep 'papyra-tmp')
check_true "killed copy: its temp is left in the quarantine directory" test -n "$LEFT"
# the next run there removes it (its pid is gone, its lock free) and says so;
# a temp of a live process and a file that is not a quarantine temp stay
: > "q/.other.quarantine.1.papyra-tmp-$$"
: > q/.other.papyra-tmp-999999
run persistence recover --path events.ndjson --mode quarantine --quarantine-dir q
check_rc 0 "next run after a killed copy"
check_out "removed q/$LEFT (the temporary copy of a killed run)" "killed copy: the next run removes its temp, saying so"
check_true "killed copy: the temp is gone" test ! -e "q/$LEFT"
check_true "a live process's temp stays" test -e "q/.other.quarantine.1.papyra-tmp-$$"
check_true "a temp that is no quarantine copy stays" test -e q/.other.papyra-tmp-999999
cd "$TMP"; rm -rf json_corrupt_and_truncated

# the case: the sync after the switch fails (4th fsync before this
# design; the 5th now): applied, but ..., and the copy stays
d=$(fixture json_corrupt_and_truncated); cd "$d"
strace -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=5 \
	"$PAPYRA" persistence recover --path events.ndjson --mode quarantine --quarantine-dir q >"$TMP/.out" 2>"$TMP/.err"
RC=$?; ERR=$(cat "$TMP/.err")
check_rc 74 "late sync failure: I/O error"
check_err "the repair of events.ndjson was applied, but cannot sync" "late sync failure: said to be applied"
check_err "(the original is kept as q/events.ndjson.quarantine." "late sync failure: the copy is named"
check_same q/events.ndjson.quarantine.* "$FIX/json_corrupt_and_truncated/data/events.ndjson" "late sync failure: the copy is the original"
cd "$TMP"; rm -rf json_corrupt_and_truncated
# an error before the switch: nothing changed, no copy left
d=$(fixture json_corrupt_and_truncated); cd "$d"
strace -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=4 \
	"$PAPYRA" persistence recover --path events.ndjson --mode quarantine --quarantine-dir q >"$TMP/.out" 2>"$TMP/.err"
RC=$?; ERR=$(cat "$TMP/.err")
check_rc 74 "early sync failure: I/O error"
case $ERR in *applied*) ko "early sync failure: not said to be applied" "$ERR" ;; *) ok ;; esac
check_same events.ndjson "$FIX/json_corrupt_and_truncated/data/events.ndjson" "early sync failure: data file untouched"
if [ -n "$(ls -A q)" ]; then ko "early sync failure: no copy left" "$(ls -A q)"; else ok; fi
cd "$TMP"

# --- the verification scan cannot read the directory: applied, but ----------------
d=$(fixture rot_corrupt); cd "$d"
# which openat is the verification scan's reading of the directory: the last one
strace -f -qq -e trace=openat -o "$TMP/trace" "$PAPYRA" persistence recover $ROT >/dev/null 2>&1
K=$(grep -n 'O_NONBLOCK|O_CLOEXEC|O_DIRECTORY' "$TMP/trace" | tail -1 | cut -d: -f1)
cd "$TMP"; rm -rf rot_corrupt; d=$(fixture rot_corrupt); cd "$d"
strace -f -qq -o /dev/null -e trace=openat -e inject=openat:error=EIO:when="$K" \
	"$PAPYRA" persistence recover $ROT >"$TMP/.out" 2>"$TMP/.err"
RC=$?; ERR=$(cat "$TMP/.err")
check_rc 74 "verification scan unreadable: I/O error"
check_err "the change was applied, but the verification scan failed: cannot read directory" "verification failure after the change: said to be applied"
cd "$TMP"

# --- a multi-file recovery failing on its second file says what changed ---------
d=$(fixture rot_corrupt); cd "$d"
# repair syncs each file 4 times (temp, temp after the last catch-up, after
# the drain, directory), then the journal's line for that file once: the
# 6th sync is the second file's, before its switch
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:error=EIO:when=6 \
	"$PAPYRA" persistence recover $ROT --journal journal.ndjson >"$TMP/.out" 2>"$TMP/.err"
RC=$?; ERR=$(cat "$TMP/.err")
check_rc 74 "second file fails: I/O error"
check_err "applied before this error: repaired rot.log.2; the rest is unchanged" "second file fails: the changed file is named"
check_same rot.log.1 "$FIX/rot_corrupt/data/rot.log.1" "second file fails: it is untouched"
if cmp -s rot.log.2 "$FIX/rot_corrupt/data/rot.log.2"; then ko "second file fails: the first one is repaired"; else ok; fi
J=$(jq -c '[.status, [.files[].path]]' journal.ndjson 2>&1 | tr '\n' ' ')
if [ "$J" = '["in_progress",["rot.log.2"]] ["partial",["rot.log.2"]] ' ]; then ok; else
	ko "second file fails: a line as the first file is in place, then the partial apply" "$J"; fi
cd "$TMP"

# --- killed between two files: the journal already says which one is in place ---
d=$(fixture rot_corrupt); cd "$d"
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGKILL:when=6 \
	"$PAPYRA" persistence recover $ROT --journal journal.ndjson >/dev/null 2>&1
RC=$?
check_rc 137 "killed between two files"
check_same rot.log.1 "$FIX/rot_corrupt/data/rot.log.1" "killed between two files: the second untouched"
if cmp -s rot.log.2 "$FIX/rot_corrupt/data/rot.log.2"; then ko "killed between two files: the first one is repaired"; else ok; fi
J=$(jq -c '[.status, .actions_applied, [.files[].path], [.dropped[].path]]' journal.ndjson 2>&1 | tr '\n' ' ')
if [ "$J" = '["in_progress",1,["rot.log.2"],["rot.log.2"]] ' ]; then ok; else
	ko "killed between two files: the journal names the file in place" "$J"; fi
run persistence recover $ROT --journal journal.ndjson
check_rc 0 "killed between two files: the next run finishes"
if [ "$(jq -r .status journal.ndjson | tail -1)" = complete ]; then ok; else ko "killed between two files: the next run journals complete" "$(cat journal.ndjson)"; fi
cd "$TMP"

# --- an application holding its descriptor open: refused, nothing changed ---------
d=$(fixture json_corrupt_middle); cd "$d"
(exec 3>>events.ndjson; "$PAPYRA" persistence recover --path events.ndjson >"$TMP/.out" 2>"$TMP/.err")
RC=$?; ERR=$(cat "$TMP/.err")
check_rc 74 "writer holding the file open: refused"
check_err "stayed open for writing by another process" "holding writer: says why"
check_same events.ndjson "$FIX/json_corrupt_middle/data/events.ndjson" "holding writer: nothing changed"
cd "$TMP"

# --- no lease (not the file's owner): the weaker drain, said so --------------------
if [ "$(id -u)" = 0 ]; then
	d=$(fixture json_corrupt_middle); cd "$d"
	chmod 777 "$d"; chmod 666 events.ndjson
	run_unpriv persistence recover --path events.ndjson
	check_rc 0 "no lease: still repaired"
	check_out "note: no lease on events.ndjson (not its owner)" "no lease: said so"
	cd "$TMP"
fi

# --- a replaced file a process kept writing after the switch (core/kept.h) ---------
# The drain gave up (tests/torture/held.sh makes that happen with a real
# writer): the old file is kept as .<P>.papyra-kept-<ms>-<offset>, never
# removed unread.  Here one is made by hand: bytes 0-3 were drained already.
d=$(fixture json_clean); cd "$d"
K=.events.ndjson.papyra-kept-1700000000000-4
printf 'OLD\n{"kind": "event", "n": 1}\n{"kind": "event", "n": 2}' > "$K"
cp events.ndjson "$TMP/orig.ndjson"
run persistence scan --path events.ndjson
check_rc 2 "kept file: the scanner reports it"
check_out "UNEXPECTED_FILE: $K (Replaced file a process kept writing after a recovery: 51 bytes (2 lines) after byte 4 are not in events.ndjson yet" "kept file: path, bytes and lines after the offset"
run persistence startup-check --path events.ndjson
check_rc 1 "kept file: startup-check does not call the store healthy"
# still open for writing: the whole lines go, the file stays under its new offset
(exec 3>>"$K"; "$PAPYRA" persistence recover --path events.ndjson >"$TMP/.out" 2>"$TMP/.err")
RC=$?; OUT=$(cat "$TMP/.out")
check_rc 3 "kept file held open: drained, not removed, anomaly left"
check_out "note: .events.ndjson.papyra-kept-1700000000000-30 is kept (a process still has it open for writing)" "kept file held open: says so"
{ cat "$TMP/orig.ndjson"; printf '{"kind": "event", "n": 1}\n'; } > "$TMP/want.ndjson"
check_same events.ndjson "$TMP/want.ndjson" "kept file held open: its whole lines appended byte for byte"
# closed: the rest (an unterminated record gets its newline), then removed
run persistence recover --path events.ndjson
check_rc 0 "kept file closed: drained and removed"
check_out "drain_kept: .events.ndjson.papyra-kept-1700000000000-30" "kept file closed: the action is listed"
check_out "Verification scan: persistence is healthy" "kept file closed: healthy"
printf '{"kind": "event", "n": 2}\n' >> "$TMP/want.ndjson"
check_same events.ndjson "$TMP/want.ndjson" "kept file closed: every line is in the store once"
if ls -A | grep -q 'papyra'; then ko "kept file closed: nothing left behind" "$(ls -A)"; else ok; fi
cd "$TMP"

# a rotating set: the kept file drains into P, the active file
d=$(fixture rot_clean); cd "$d"
printf '{"kind": "event", "n": 3}\n' > .rot.log.papyra-kept-1700000000000-0
cat_set > "$TMP/want.set"; printf '{"kind": "event", "n": 3}\n' >> "$TMP/want.set"
run persistence scan $ROT
check_rc 2 "rotating kept file: reported"
run persistence recover $ROT
check_rc 0 "rotating kept file: drained"
cat_set > "$TMP/now.set"
check_same "$TMP/now.set" "$TMP/want.set" "rotating kept file: its line appended to P"
cd "$TMP"

# --- killed at the switch: the replaced file is never only under a temp name -----
# live_names_swap links it under its kept name just before the exchange.
# Kill points: the exchange itself (renameat2 #1), and the first fcntl after
# it (the drain's lease), found from a traced undisturbed run.
d=$(fixture json_corrupt_middle); cd "$d"
strace -f -qq -e trace=fcntl,renameat2 -o "$TMP/ktrace" "$PAPYRA" persistence recover --path events.ndjson >/dev/null 2>&1
AFTER=$(awk '/renameat2/ { print n + 1; exit } /fcntl/ { n++ }' "$TMP/ktrace")
cd "$TMP"; rm -rf json_corrupt_middle
WANT=$(($(grep -c . "$FIX/json_corrupt_middle/data/events.ndjson") - 2)) # its 2 damaged lines dropped
for INJ in renameat2:signal=SIGKILL:when=1 "fcntl:signal=SIGKILL:when=$AFTER"; do
	d=$(fixture json_corrupt_middle); cd "$d"
	WHEN="killed at ${INJ%%:*}"
	strace -f -qq -o /dev/null -e trace="${INJ%%:*}" -e inject="$INJ" \
		"$PAPYRA" persistence recover --path events.ndjson >/dev/null 2>&1
	RC=$?
	check_rc 137 "$WHEN"
	if ls -A | grep -q 'papyra-kept'; then ok; else ko "$WHEN: the replaced file has its kept name" "$(ls -A)"; fi
	run persistence scan --path events.ndjson
	check_rc 2 "$WHEN: reported"
	run persistence recover --path events.ndjson
	check_rc 0 "$WHEN: the next run ends healthy"
	check_out "drain_kept: .events.ndjson.papyra-kept-" "$WHEN: the kept name is handled"
	if ls -A | grep -q 'papyra'; then ko "$WHEN: nothing left behind" "$(ls -A)"; else ok; fi
	N=$(grep -c . events.ndjson)
	if [ "$N" = "$WANT" ]; then ok; else ko "$WHEN: every record once" "$N lines, want $WANT"; fi
	cd "$TMP"; rm -rf json_corrupt_middle
done
