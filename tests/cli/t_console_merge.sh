# papyra console over several stores merged by time (issue 12 item 6):
# `--path a --path b` shows one timeline, each row tagged with its source
# (a, b: the legend is in the header), the anomalies and files of each
# source, no recovery or compaction across sources, no following (said on
# the status line; r re-reads every source), console --batch gating each
# source with the worst exit code, and every other command still refusing
# a repeated --path (exit 64).  Goldens in tests/screen/golden/merge_*.txt.

DUMP=$TMP/merge.screen
# mscreen NAME DIR KEYS ARGS...: the console in DIR, every dump compared
mscreen() {
	_mn=$1 _md=$2 _mk=$3
	shift 3
	console_run "$_md" 100x20 C.UTF-8 UTC "$_mk" "$@"
	check_rc 0 "screen $_mn"
	check_screen "$DUMP" "$_mn"
}
ev() { # ev TS SRC TYPE: one event (TS "" for none)
	printf '{"kind":"event",%s"system_id":"local","actor_address":{"system":"local","actor_id":1},"event_type":"%s","payload":{"src":"%s"}}\n' \
		"${1:+\"timestamp\":$1,}" "$3" "$2"
}
M="$TMP/merge"
mkdir -p "$M"
{ ev 1767225600.0 a1 ActorStarted; ev 1767225602.0 a2 ActorStopped; ev "" a3-no-ts NoTime
  ev 1767225604.0 a4 ActorStarted; } >"$M/a.ndjson"
{ ev 1767225601.0 b1 ActorStarted; ev 1767225603.0 b2 ActorCrashed; printf '{"kind":"event","timest\n'
  ev 1767225605.0 b4 ActorStopped; } >"$M/b.ndjson"
cp "$M/a.ndjson" "$TMP/a.before"; cp "$M/b.ndjson" "$TMP/b.before"

# --- one timeline, tagged; anomalies, files and Raw per source ----------------------
mscreen merge_views "$M" "dump 4 dump 5 dump 6 dump 7 Enter dump" --path a.ndjson --path b.ndjson
dump_has "merged a=a.ndjson b=b.ndjson" "the header's legend names each source"
dump_has "1 ANOMALY (b 1)" "the badge says which source has the anomaly"
dump_has "[b] b.ndjson: Invalid JSON at line 3" "the Anomalies view names the source"
dump_has "[a] a.ndjson" "the Files view lists source a"
dump_has "[b] b.ndjson" "the Files view lists source b"
dump_has "merged: not followed (r re-reads)" "the status line says the stores are not followed"
# the merged order, read off the first dump: a1 b1 a2 a3(no time, after a2) b2 a4 b4
awk '/^==== screen 2/{exit} /"src"/{ match($0, /"src":"[^"]*"/); printf "%s%s ", substr($1, 1, 1), substr($0, RSTART + 7, RLENGTH - 8) }' \
	"$DUMP" >"$TMP/order"
check_true "merged by timestamp; the record without one stays after a2 (its source's order)" \
	test "$(cat "$TMP/order")" = "aa1 bb1 aa2 aa3-no-ts bb2 aa4 bb4 "

# --- the detail names the source's file and line ----------------------------------
console_run "$M" 100x20 C.UTF-8 UTC "j Enter dump" --path a.ndjson --path b.ndjson
dump_has " b.ndjson:1  ·  byte offset 0" "the detail of b1 says b.ndjson:1"
: >"$TMP/e1.ndjson"; : >"$TMP/e2.ndjson"
console_run "$TMP" 100x20 C.UTF-8 UTC "6 dump" --path e1.ndjson --path e2.ndjson
dump_has "Every file merged here is empty or missing." "Raw over two empty files"

# --- Enter on an anomaly, e from Events: the line of that source -------------------
mscreen merge_jump "$M" "4 Enter dump 1 e dump" --path a.ndjson --path b.ndjson
dump_has "b.ndjson:3 ✖" "Enter on b's anomaly opens Raw at b.ndjson:3"

# --- recovery and compaction are refused, naming the one source to open -------------
mscreen merge_refused "$M" "4 R dump c dump" --path a.ndjson --path b.ndjson
dump_has "Recovery (R) is not done on merged stores: open the source alone (papyra console --path b.ndjson)" \
	"R names the source of the selected anomaly"
dump_has "Compaction (c) is not done on merged stores" "c is refused too"
check_same "$M/a.ndjson" "$TMP/a.before" "a is untouched"
check_same "$M/b.ndjson" "$TMP/b.before" "b is untouched"

# --- not followed: an append shows only after r, merged in place ---------------------
cp "$TMP/a.before" "$M/a.ndjson"
tok() { printf '%s' "$1" | sed 's/ /\\s/g'; }
LATE=$(tok "$(ev 1767225604.5 a5-late ActorRestarted)")
console_run "$M" 100x20 C.UTF-8 UTC "append:a.ndjson:$LATE\\n dump r dump" --path a.ndjson --path b.ndjson
check_rc 0 "merged console with an append"
awk '/^==== screen 2/{exit} {print}' "$DUMP" >"$TMP/first"
check_true "before r: the appended record is not shown (merged stores are not followed)" \
	sh -c "! grep -q a5-late '$TMP/first'"
awk '/^==== screen 2/{s=1} s && /"src"/{ match($0, /"src":"[^"]*"/); printf "%s ", substr($0, RSTART + 7, RLENGTH - 8) }' \
	"$DUMP" >"$TMP/order"
check_true "after r: the appended record is merged in place (between a4 and b4, not after b4)" \
	test "$(cat "$TMP/order")" = "a1 b1 a2 a3-no-ts b2 a4 a5-late b4 "
cp "$TMP/a.before" "$M/a.ndjson"
# r keeps the cursor on the same record, in the merged order
console_run "$M" 100x20 C.UTF-8 UTC "j j r dump k k j j j j r dump" --path a.ndjson --path b.ndjson
check_rc 0 "merged console, r"
check_true "after r the cursor is still on a2 (found before b is indexed)" \
	sh -c "awk '/^==== screen 2/{exit} /<-- selected/' '$DUMP' | grep -q '\"a2\"'"
check_true "after r the cursor is still on b2" sh -c "awk '/^==== screen 2/{s=1} s && /<-- selected/' '$DUMP' | grep -q '\"b2\"'"

# --- marks written out in the merged order; never beside either store ---------------
rm -f "$M/out.ndjson"
console_run "$M" 100x20 C.UTF-8 UTC "m m m w text:out.ndjson Enter dump" --path a.ndjson --path b.ndjson
check_rc 0 "merged console, w"
{ sed -n 1p "$M/a.ndjson"; sed -n 1p "$M/b.ndjson"; sed -n 2p "$M/a.ndjson"; } >"$TMP/want.ndjson"
check_same "$M/out.ndjson" "$TMP/want.ndjson" "the marked lines are written in the merged order (a1 b1 a2), byte for byte"
rm -f "$M/out.ndjson"
console_run "$M" 100x20 C.UTF-8 UTC "m w text:b.ndjson.x Enter dump" --path a.ndjson --path b.ndjson
dump_has "Not written: b.ndjson.x would be read as part of the store" "w refuses a name beside the second store too"
check_true "nothing written beside b" test ! -e "$M/b.ndjson.x"

# --- two rotating sets, merged ------------------------------------------------------
fixture rot_clean >/dev/null; fixture rot_corrupt >/dev/null
console_run "$TMP" 120x20 C.UTF-8 UTC "4 dump 5 dump 1 dump" --backend rotating --max-files 3 --max-bytes 2048 \
	--path rot_clean/rot.log --path rot_corrupt/rot.log
check_rc 0 "two rotating sets merged"
dump_has "3 ANOMALIES (b 3)" "the badge: the damage is rot_corrupt's"
dump_has "[b] rot_corrupt/rot.log.2: Line 8 missing newline" "the Anomalies view names b's member"
dump_has "[a] rot_clean/rot.log.1" "the Files view lists a's members"
dump_has "[b] rot_corrupt/rot.log" "the Files view lists b's members"
dump_has "events 89  audits 18  dead letters 29" "the counts are both sets'"

# --- console --batch over two sources -----------------------------------------------
run console --batch --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 1 "console --batch over two sources exits with the worst code (b's)"
check_out "== a: $M/a.ndjson ==" "a's summary under its heading"
check_out "== b: $M/b.ndjson ==" "b's summary under its heading"
check_out "merged: 2 stores, exit codes a=0 b=1; the worst: 1" "the codes of every source"
run console --batch --mode ignore --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 0 "console --batch --mode ignore over two sources"
run console --batch --path "$M/a.ndjson" --path "$M/a.ndjson"
check_rc 0 "two clean sources: 0"
run console --batch --format json --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 64 "console --batch over several stores: text only"
run console --batch --mode recover --yes --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 64 "console --batch --yes over several stores is refused"
check_same "$M/b.ndjson" "$TMP/b.before" "b is untouched after the refused --yes"
run console --batch --follow --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 64 "console --batch --follow over several stores is refused"
run console --batch --backend redis --path "$M/a.ndjson" --path "$M/b.ndjson"
check_rc 64 "merging Redis stores is refused"

# --- every other command still refuses a repeated --path ------------------------------
for cmd in "persistence scan" "persistence recover" "persistence startup-check" "persistence compact" \
	"persistence inspect" "doctor run" "inspect events" "inspect summary" "metrics persistence"; do
	# shellcheck disable=SC2086
	run $cmd --path "$M/a.ndjson" --path "$M/b.ndjson"
	check_rc 64 "$cmd: --path given twice"
	check_err "option '--path' given twice" "$cmd says why"
done
