#!/bin/sh
# bench/redis-search-bench.sh PAPYRA_BINARY - a console search over Redis
# (issue 10 item 7): the time one search (/) takes over every entry of a
# stream of REDIS_SEARCH_ENTRIES events (default 1,000,000) for a text only
# the last one has, and the XRANGE/XREVRANGE round trips it cost (INFO
# commandstats).  The console runs in its screen-test mode twice, keys
# "q" (index only) and "/ text:LastOne Enter q"; the search is the
# difference of the two wall times.  Its own redis-server on a free
# loopback port (no persistence), stopped by its pid whatever happens.
#
#   sh bench/redis-search-bench.sh build/papyra
set -u
if [ $# -lt 1 ]; then
	echo "usage: sh bench/redis-search-bench.sh PAPYRA_BINARY" >&2
	exit 64
fi
PAPYRA=$1
case $PAPYRA in /*) ;; *) PAPYRA=$(pwd)/$PAPYRA ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
. "$ROOT/bench/redis-start.sh"
bench_redis_work redis-search
N=${REDIS_SEARCH_ENTRIES:-1000000}
bench_redis_start "$PIDFILE" "$WORK" || exit 69
URL=redis://127.0.0.1:$PORT/0
KEY=papyra:local:events

awk -v n="$N" -v key="$KEY" 'BEGIN { for (i = 1; i <= n; i++) {
	d = sprintf("{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": {\"system\": \"local\", \"actor_id\": %d}, \"event_type\": \"%s\", \"payload\": {\"name\": \"worker-%d\"}, \"timestamp\": %d.5}", i % 97, i == n ? "LastOne" : "ActorStarted", i, 1767225600 + i)
	id = i "-0"
	printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(key), key, length(id), id, length(d), d
} }' | redis-cli -p "$PORT" --pipe >"$WORK/load.txt" 2>&1
grep -q "errors: 0," "$WORK/load.txt" || { echo "redis-search-bench: loading failed" >&2; cat "$WORK/load.txt" >&2; exit 1; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
console() {
	env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1 PAPYRA_TEST_SCREEN=1 PAPYRA_TEST_SIZE=120x40 \
		PAPYRA_TEST_KEYS="$1" PAPYRA_TEST_DUMP="$WORK/dump" \
		"$PAPYRA" console --backend redis --redis-url "$URL" </dev/null >/dev/null 2>&1
}
reads() {
	redis-cli -p "$PORT" info commandstats | tr -d '\r' |
		awk -F'[:=,]' '$1 == "cmdstat_xrange" || $1 == "cmdstat_xrevrange" { n += $3 } END { print n + 0 }'
}
t0=$(now_ms); console q || { echo "redis-search-bench: the console failed" >&2; exit 1; }; t1=$(now_ms)
redis-cli -p "$PORT" config resetstat >/dev/null
t2=$(now_ms); console "/ text:LastOne Enter dump q"; t3=$(now_ms)
calls=$(reads)
grep -q "/LastOne: row $N of $N" "$WORK/dump" || { echo "redis-search-bench: the search did not find the last entry" >&2; exit 1; }
idx=$((t1 - t0)) all=$((t3 - t2))
echo "  redis search        $N entries: index ${idx} ms, index + search ${all} ms: search ~$((all - idx)) ms, $calls XRANGE/XREVRANGE (index and search)"
