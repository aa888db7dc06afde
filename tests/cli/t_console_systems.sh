# The console over a fleet (issue 10 item 4): with --system-id a pattern
# the interactive console opens on its Systems view (per system: streams,
# entries, anomalies, entries pending in consumer groups), Enter switches
# the console to a system (its store indexed, the header names it), S
# comes back to the systems.  Real redis-server (tests/cli/redis.sh),
# golden screens (tests/screen/golden/console_systems*.txt).
. "$ROOT/tests/cli/redis.sh"
redis_available || return 0
DUMP=$TMP/systems.screen
SD=$TMP/systems
mkdir -p "$SD"
rcli flushall >/dev/null
load_as redis_clean pay-1
load_as redis_corrupt pay-2
load_as redis_clean pay-3
load_as redis_corrupt ops-1
# pay-1: a consumer group that read 2 entries and acknowledged none
rcli XGROUP CREATE papyra:pay-1:events billing 0 >/dev/null
rcli XREADGROUP GROUP billing w1 COUNT 2 STREAMS papyra:pay-1:events '>' >/dev/null
# screen NAME KEYS: the console on the fleet, its last dump against the golden NAME
screen_of() {
	console_run "$SD" 100x24 C.UTF-8 UTC "$2" $R --system-id 'pay-*'
	check_rc 0 "console --system-id 'pay-*': $2"
	sed -i "s/127\.0\.0\.1:$PORT/127.0.0.1:PORT_/g" "$DUMP"
	check_screen "$DUMP" "$1"
}
screen_of console_systems "dump"
dump_has "pay-1  (open)" "the first system is open"
check_true "ops-1 does not match pay-*" sh -c "! grep -q ops-1 '$DUMP'"
screen_of console_systems_open "j Enter dump"
dump_has "system pay-2" "Enter: the header names the system open"
dump_has "6 ANOMALIES" "Enter: the console is on pay-2's store"
screen_of console_systems_back "j Enter S dump"
dump_has "pay-2  (open)" "S: back on the systems, pay-2 open"
console_run "$SD" 100x24 C.UTF-8 UTC "j Enter 4 dump" $R --system-id 'pay-*'
dump_has "papyra:pay-2:events" "the Anomalies view is pay-2's"
# r in the Systems view scans every system again: an entry added to pay-3
# shows only after r (entries 23 -> 24, and the damaged entry an anomaly)
screen_of console_systems_refresh \
	"sh:redis-cli\\s-p\\s$PORT\\sXADD\\spapyra:pay-3:events\\s'*'\\sdata\\snot-json\\s>/dev/null dump r dump"
check_true "before r: pay-3's figures as at the start" test \
	"$(grep -c '         3         23          0          0  pay-3' "$DUMP")" = 1
dump_has "         3         24          1          0  pay-3" "after r: pay-3's new entry counted"
dump_has "Scanned the 3 systems again (r)" "r says what it did"
check_true "the entry was added" test "$(rcli xlen papyra:pay-3:events)" = 16
console_run "$SD" 100x24 C.UTF-8 UTC "S dump" $R
dump_has "One system: give --system-id a pattern" "S without a fleet says how to get one"
# a pattern that matches nothing: the plain console, which names the ids there are
console_run "$SD" 100x24 C.UTF-8 UTC "dump" $R --system-id 'nope-*'
check_rc 0 "a pattern that matches nothing opens the plain console"
# the scan of the fleet shows its progress and Esc stops it between two
# systems (middump: a dump at the scan's look for Esc); the systems it
# did not reach keep their figures, marked stale, never shown as fresh.
# At the start: pay-1 scanned, the other two "not scanned" (no figures).
screen_of console_systems_start_esc "middump middump Esc dump"
check_true "mid-scan: the progress on the status line" test \
	"$(grep -c 'Scanning systems: 2 of 3 (pay-2)... Esc stops' "$DUMP")" = 1
dump_has "Stopped scanning the systems after 1 of 3 (Esc): the other 2 marked (r scans again)" \
	"Esc at the start says where the scan stopped"
dump_has "         3         23          0          2  pay-1  (open)" "pay-1 was scanned before Esc"
dump_has "         -          -          -          -  pay-3  (not scanned: r scans)" "pay-3 not scanned: no figures"
# r stopped after pay-1: pay-3's new entry (24 -> 25) is not counted, its old figures marked stale
screen_of console_systems_refresh_esc \
	"sh:redis-cli\\s-p\\s$PORT\\sXADD\\spapyra:pay-3:events\\s'*'\\sdata\\snot-json\\s>/dev/null r middump middump Esc dump r dump"
check_true "mid-refresh: the progress on the status line" test \
	"$(grep -c 'Scanning systems: 2 of 3 (pay-2)... Esc stops' "$DUMP")" = 1
check_true "after Esc: pay-3's figures as of the earlier scan, marked stale" test \
	"$(grep -c '         3         24          1          0  pay-3  (stale: as of an earlier scan; r scans again)' "$DUMP")" = 1
check_true "after Esc: pay-1 rescanned, not marked" test "$(grep -c 'pay-1.*stale' "$DUMP")" = 0
dump_has "         3         25          2          0  pay-3" "a whole r after it: pay-3 fresh"
check_true "a whole r clears the stale marks" test "$(grep -c 'stale' "$DUMP")" = 2
