# Following Redis streams (issue 11, SPEC §3 Redis): entries XADDed to a
# stream while the console is open are scanned from after the last entry
# scanned, with the rules of a whole scan, and go in at the end of their
# stream's segment even when it is not the last one (events before audits
# and dead_letters), without a re-index; the anomalies are then those of
# `persistence scan`.  Deletions still re-index (t_console_follow.sh).
. "$ROOT/tests/cli/redis.sh"
redis_available || return 0
DUMP=$TMP/follow.screen
dumps_with() { awk -v t="$1" '/^==== screen/{if(s)n++; s=0} index($0,t){s=1} END{if(s)n++; print n+0}' "$DUMP"; }
fcon() {
	_fd=$1 _fk=$2
	shift 2
	console_run "$_fd" 120x30 C.UTF-8 UTC "$_fk" "$@"
	check_rc 0 "console $_fk"
}
# a key-script token running redis-cli (blanks as \s)
rsh() { printf 'sh:redis-cli -p %s %s >/dev/null' "$PORT" "$*" | sed 's/ /\\s/g'; }
GOOD='{"kind":"event","system_id":"local","actor_address":null,"event_type":"FollowedIn","payload":{},"timestamp":1767225800.5}'
AUD='{"kind":"audit","system_id":"local","action":"FollowedAudit","timestamp":1767225801.5}'

# TYPE calls the server served: a whole scan sends one per stream, following none
type_calls() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_type:calls=\([0-9]*\),.*/\1/p'; }

load redis_clean
RD=$TMP/redis-follow
mkdir -p "$RD"
rcli CONFIG RESETSTAT >/dev/null
fcon "$RD" "dump $(rsh XADD papyra:local:events '*' data "'$GOOD'") $(rsh XADD papyra:local:events '*' data '{oops') $(rsh XADD papyra:local:audits '*' data "'$AUD'") dump 6 dump 4 dump" $R
check_true "no re-index for entries appended to streams (one whole scan: 3 TYPE)" test "$(type_calls)" = 3
dump_has "events 16 " "the header counts the new events"
dump_has "FollowedIn" "the new event is listed at the end of the events"
dump_has "1 ANOMALY" "the damaged entry is an anomaly"
dump_has "Invalid JSON payload in stream entry" "the Anomalies view has it"
run persistence scan $R
check_out "Invalid JSON payload in stream entry" "a whole scan finds the same anomaly"
dump_has "events 1796" "the new entries are at the end of the events, before the audits" 
check_true "the order of the streams kept: the new audit after the old ones" sh -c "grep -n 'FollowedAudit\|audits 1767225600002-0\|{oops' '$DUMP' | head -3 | tr '\\n' ' ' | grep -q 'oops.*audits 1767225600002-0.*FollowedAudit'"

# a stream empty when the console opened gets its first entry: a segment in the middle
load redis_clean
rcli DEL papyra:local:audits >/dev/null
rcli CONFIG RESETSTAT >/dev/null
fcon "$RD" "$(rsh XADD papyra:local:audits '*' data "'$AUD'") 6 dump" $R
check_true "no re-index for a stream's first entry" test "$(type_calls)" = 3
dump_has "audits 1 " "the header counts the first audit"
check_true "its segment goes between the events and the dead letters" sh -c "grep -n 'events 1767225600014-0\|FollowedAudit\|dead_letters 1767225600000-0' '$DUMP' | tr '\\n' ' ' | grep -q 'events.*FollowedAudit.*dead_letters'"

# console --batch --follow: the new anomalies, as a whole scan words them
load redis_corrupt
BFO=$TMP/bf.out
(cd "$RD" && exec "$PAPYRA" console --batch --follow $R >"$BFO" 2>"$TMP/bf.err") &
BF=$!
wait_out() {
	_i=0
	while [ $_i -lt 200 ]; do
		grep -qF -- "$1" "$BFO" 2>/dev/null && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}
if wait_out "Following"; then ok; else ko "batch follow: started" "$(cat "$BFO" "$TMP/bf.err")"; fi
rcli XADD papyra:local:events '*' data '{bad one' >/dev/null
rcli XADD papyra:local:audits '*' data '[1]' >/dev/null
if wait_out "JSON payload is not an object"; then ok; else ko "batch follow: the new anomalies printed" "$(cat "$BFO")"; fi
kill -INT $BF
wait $BF
run persistence scan --format json $R
for d in "$(grep -o 'Invalid JSON payload in stream entry (id [0-9]*-[0-9]*' "$BFO" | tail -1)" \
	"$(grep -o 'JSON payload is not an object/dict (id [0-9]*-[0-9]*' "$BFO" | tail -1)"; do
	check_true "a whole scan has the anomaly the follower found: $d" sh -c '[ -n "$2" ] && printf "%s" "$1" | grep -qF "$2"' x "$OUT" "$d"
done

# the recovery plan from an index that took entries in: the appended damaged entry is planned
load redis_clean
fcon "$RD" "$(rsh XADD papyra:local:events '*' data '{oops') $(rsh XADD papyra:local:audits '*' data "'$AUD'") R Enter dump" $R
dump_has "Deleted (XDEL): 1 entry, 5 bytes of data" "R: the plan deletes the appended damaged entry"
dump_has "Kept: 24 records in 24 entries" "R: and keeps the others, the audit appended after it too"
