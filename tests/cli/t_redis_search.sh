# Console search over Redis in pages (issue 10 item 7), against a real
# redis-server: a row that is not cached is read with a page of its
# neighbours in one XRANGE (forward) or XREVRANGE (backward, N), so a
# search over 20,000 entries costs a few dozen round trips, not 20,000
# (the server's INFO commandstats counts them); progress shows and Esc
# stops it as on files; an entry deleted after the index is a gap in its
# page, never a shift of the rows after it.  Timing: bench/redis-search.sh.
. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

EV=papyra:local:events
N=20000
# load N events with ids 1-0 .. N-0; entry K's actor is local:K, only the
# first says FirstOne and only the last LastOne
load_events() {
	rcli flushall >/dev/null
	awk -v n=$N -v key=$EV 'BEGIN { for (i = 1; i <= n; i++) {
		t = i == 1 ? "FirstOne" : i == n ? "LastOne" : "Tick"
		d = sprintf("{\"kind\":\"event\",\"timestamp\":%d.5,\"system_id\":\"local\",\"actor_address\":\"local:%d\",\"event_type\":\"%s\",\"payload\":{}}", 1767225600 + i, i, t)
		id = i "-0"
		printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(key), key, length(id), id, length(d), d
	} }' | rcli --pipe >"$TMP/load.txt" 2>&1
	grep -q "errors: 0," "$TMP/load.txt" || ko "loading $N events" "$(cat "$TMP/load.txt")"
}
calls() { rcli info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p"; }
reads() { _f=$(calls xrange) _b=$(calls xrevrange); echo $((${_f:-0} + ${_b:-0})); }
# a key-script token running redis-cli (blanks as \s)
rsh() { printf 'sh:redis-cli -p %s %s >/dev/null' "$PORT" "$*" | sed 's/ /\\s/g'; }

D=$TMP/search
mkdir -p "$D"
DUMP=$TMP/search.screen
scon() {
	console_run "$D" 100x12 C.UTF-8 UTC "$1" $R
	check_rc 0 "console $1"
}
load_events
MAX=$((N / 50))

# forward: the last entry, from the top
rcli config resetstat >/dev/null
scon "/ text:LastOne Enter dump"
dump_has "/LastOne: row $N of $N" "forward search finds the last entry"
dump_has "LastOne" "the row found is shown"
R1=$(reads)
check_true "forward search: $R1 XRANGE/XREVRANGE for $N rows (< $MAX)" test "$R1" -lt $MAX

# backward: N from the top wraps to the bottom and walks back to the first
rcli config resetstat >/dev/null
scon "G / text:FirstOne Enter dump N dump"
dump_has "/FirstOne: row 1 of $N" "backward search (N) finds the first entry"
R2=$(reads)
check_true "forward then backward search: $R2 reads for $((2 * N)) rows (< $((2 * MAX)))" test "$R2" -lt $((2 * MAX))
check_true "backward search read backward (XREVRANGE)" test "0$(calls xrevrange)" -gt 0

# progress and Esc, as on files
scon "/ text:no-such-thing Enter Esc dump"
dump_has "stopped after 4096 of $N rows; the cursor did not move" "Esc stops a search over Redis"
scon "/ text:no-such-thing Enter dump"
dump_has "/no-such-thing: not found" "without Esc the search looks at every row"

# an entry deleted after the index (while the prompt is open, so the
# follower has not looked yet): a gap, the row after it is still its own.
# (The follower then re-indexes, and its message takes the status line;
# row by row, forward and backward: test_redis.c, test_live_model_pages.)
scon "/ text:local:19991\" $(rsh XDEL $EV 19990-0) Enter dump"
check_true "the row found after a deleted entry is entry 19991" grep -q "local:19991 .*<-- selected" "$DUMP"

# the text filter reads in pages too
load_events
rcli config resetstat >/dev/null
scon "f text:text=LastOne Enter dump"
dump_has "1 of $N events match" "text= filter over Redis"
R3=$(reads)
check_true "text filter: $R3 reads for $N rows (< $MAX)" test "$R3" -lt $MAX

# applied in slices (the script takes keys between them): the rows drawn
# between slices are found without reading the store again, so the
# filter costs what one pass costs (20 matches, 1000 entries apart)
rcli config resetstat >/dev/null
scon "f text:text=local:[0-9]*000\\\" Enter slice dump j dump j j slice dump"
dump_has "Filtering: 20% of lines looked at, 4 events match so far (Esc stops)" "progress over Redis"
dump_has "20 of $N events match (F clears)" "the filter over Redis finishes with the keys pressed between slices"
R4=$(reads)
check_true "text filter in slices: $R4 reads (< $((R3 * 2 + 4)))" test "$R4" -lt $((R3 * 2 + 4))

redis_stop
