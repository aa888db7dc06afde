#!/bin/sh
# bench/redis-bench.sh PAPYRA_BINARY - the Redis row of SPEC section 11:
# `persistence scan --backend redis` in entries per second against a local
# redis-server (target: at least 200k entries/s), and the repair of a few
# thousand bad entries (pipelined XDEL batches, never a round trip each);
# then the same against a 3-master Redis Cluster (issue 10), beside it.
#
#   sh bench/redis-bench.sh build/papyra
#
# Environment:
#   REDIS_BENCH_ENTRIES  entries to load (default 200000)
#   BENCH_BUILD          where bench.sh built its helpers (default build/bench);
#                        when BENCH_BUILD/gen exists its realistic records
#                        are used, else a plain event record is repeated
#
# Starts its own redis-server on a free loopback port (no persistence to
# disk), loads the entries with one `redis-cli --pipe`, splitting records
# into the three streams by kind, measures, and stops the server by its
# pid, whatever happens; then three cluster nodes (ports below 55000: the
# bus is port + 10000), each stream piped to the master that owns it.
# Prints one line per figure.

set -u
if [ $# -lt 1 ]; then
	echo "usage: sh bench/redis-bench.sh PAPYRA_BINARY" >&2
	exit 64
fi
PAPYRA=$1
case $PAPYRA in /*) ;; *) PAPYRA=$(pwd)/$PAPYRA ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
. "$ROOT/bench/redis-start.sh"
bench_redis_work redis-bench
N=${REDIS_BENCH_ENTRIES:-200000}
BAD=2000
GEN=${BENCH_BUILD:-$ROOT/build/bench}/gen

bench_redis_start "$PIDFILE" "$WORK" || exit 69
URL=redis://127.0.0.1:$PORT/0

# records, one per line: the generator's when built, else a fixed event
records() {
	if [ -x "$GEN" ]; then
		"$GEN" --bytes $((N * 400)) | head -n "$N"
	else
		awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": {\"system\": \"local\", \"actor_id\": %d}, \"event_type\": \"ActorStarted\", \"payload\": {\"name\": \"worker-%d\"}, \"timestamp\": %d.5}\n", i % 97, i, 1767225600 + i }'
	fi
}
# XADD key <ms>-<seq> data <line>, as RESP; every (n/BAD)-th record, when
# it is an event, gets a damaged copy right after it, for the repair row
# (ONLY=KEY: that stream's commands alone, for a cluster node)
to_resp() {
	LC_ALL=C awk -v every=$((N / BAD)) -v only="${ONLY:-}" '
	function xadd(key, id, v) {
		if (only != "" && key != only) return
		printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(key), key, length(id), id, length(v), v
	}
	{
		key = "papyra:local:events"
		if ($0 ~ /"kind": ?"audit"/) key = "papyra:local:audits"
		else if ($0 ~ /"kind": ?"dead_letter"/) key = "papyra:local:dead_letters"
		xadd(key, sprintf("1767225600000-%d", NR * 2), $0)
		if (key == "papyra:local:events" && NR % every == 0)
			xadd(key, sprintf("1767225600000-%d", NR * 2 + 1), substr($0, 1, 40))
	}'
}
start=$(date +%s.%N)
records | to_resp | redis-cli -p "$PORT" --pipe >"$WORK/load.txt" 2>&1
grep -q "errors: 0," "$WORK/load.txt" || { echo "redis-bench: loading failed:" >&2; cat "$WORK/load.txt" >&2; exit 74; }
total=0
for k in events audits dead_letters; do total=$((total + $(redis-cli -p "$PORT" xlen papyra:local:$k))); done
echo "redis: loaded $total entries in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

# best of three: the first run also warms the server's allocator
best=
for run in 1 2 3; do
	t0=$(date +%s.%N)
	"$PAPYRA" persistence scan --backend redis --redis-url "$URL" >/dev/null 2>&1
	rc=$?
	t1=$(date +%s.%N)
	[ $rc -eq 2 ] || { echo "redis: persistence scan  failed (exit $rc)"; exit 1; }
	best=$(awk -v a="$t0" -v b="$t1" -v c="${best:-1e9}" 'BEGIN { d = b - a; print (d < c ? d : c) }')
done
awk -v n="$total" -v s="$best" 'BEGIN {
	printf "redis: persistence scan  %d entries in %.3f s = %.0fk entries/s  (target >= 200k entries/s; reference: newest 1000 only)\n", n, s, n / s / 1000 }'

t0=$(date +%s.%N)
"$PAPYRA" persistence recover --backend redis --redis-url "$URL" >/dev/null 2>&1
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || { echo "redis: persistence recover  failed (exit $rc)"; exit 1; }
awk -v n="$total" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v bad=$((total - N)) 'BEGIN {
	printf "redis: persistence recover  %d bad of %d entries (scan, XDEL batches, verify scan) in %.3f s\n", bad, n, s }'

# ---- big entries: 400 dead letters of 1 MB each (issue 10 item 7: before,
# one page of 1000 entries was one 414 MB reply, 414 MB RSS); pages are
# now sized by bytes (at most 32 MiB of entries), so the peak RSS is about
# one page whatever the stream's size
MEASURE=${BENCH_BUILD:-$ROOT/build/bench}/measure
if [ ! -x "$MEASURE" ]; then
	MEASURE=$WORK/measure
	${CC:-cc} -O2 -o "$MEASURE" "$ROOT/bench/measure.c" || { echo "redis-bench: cannot build bench/measure.c" >&2; exit 1; }
fi
BIG=${REDIS_BENCH_BIG:-400}
redis-cli -p "$PORT" flushall >/dev/null
LC_ALL=C awk -v n="$BIG" 'BEGIN {
	p = "x"; while (length(p) < 1000000) p = p p; p = substr(p, 1, 1000000)
	d = "{\"kind\": \"dead_letter\", \"system_id\": \"local\", \"target\": \"local:1\", \"message_type\": \"Blob\", \"payload\": \"" p "\", \"timestamp\": 1767225600.5}"
	for (i = 1; i <= n; i++)
		printf "*5\r\n$4\r\nXADD\r\n$25\r\npapyra:local:dead_letters\r\n$%d\r\n%d-0\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(i "-0"), i, length(d), d }' |
	redis-cli -p "$PORT" --pipe >"$WORK/load.txt" 2>&1
grep -q "errors: 0," "$WORK/load.txt" || { echo "redis-bench: loading the big entries failed:" >&2; cat "$WORK/load.txt" >&2; exit 74; }
"$MEASURE" -- "$PAPYRA" persistence scan --backend redis --redis-url "$URL" 2>"$WORK/measure.txt"
rc=$?
[ $rc -eq 0 ] || { echo "redis: big entries: persistence scan failed (exit $rc)"; exit 1; }
obuf=$(redis-cli -p "$PORT" info clients | tr -d '\r' | sed -n 's/^client_recent_max_output_buffer://p')
awk -v n="$BIG" -v ob="${obuf:-0}" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	END { printf "redis: persistence scan  %d dead letters of 1 MB each in %.2f s: peak RSS %.1f MiB, server output buffer %.1f MiB  (pages of at most 32 MiB; issue 10 before: 414 MB RSS, 420 MB output buffer)\n",
		n, v["wall_s"], v["maxrss_kb"] / 1024, ob / 1048576 }' "$WORK/measure.txt"
redis-cli -p "$PORT" flushall >/dev/null

# ---- the same through a 3-master Redis Cluster
NODES=
for i in 1 2 3; do
	for try in 1 2 3 4 5 6 7 8 9 10; do
		p=$(awk -v s="$$$i$try" 'BEGIN { srand(s); print 20000 + int(rand() * 35000) }')
		redis-cli -p "$p" ping >/dev/null 2>&1 && continue
		mkdir -p "$WORK/node-$p"
		if redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
			--pidfile "$WORK/node-$p/pid" --dir "$WORK/node-$p" --cluster-enabled yes \
			--cluster-config-file "$WORK/node-$p/nodes.conf" >/dev/null 2>&1; then
			NODES="$NODES $p"
			break
		fi
	done
done
set -- $NODES
[ $# -eq 3 ] || { echo "redis cluster: could not start three nodes" >&2; exit 69; }
for p in $NODES; do
	i=0
	until redis-cli -p "$p" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "redis cluster: node $p did not answer" >&2; exit 69; }
		sleep 0.05
	done
done
redis-cli --cluster create 127.0.0.1:$1 127.0.0.1:$2 127.0.0.1:$3 --cluster-replicas 0 --cluster-yes \
	>"$WORK/create.txt" 2>&1 || { echo "redis cluster: create failed" >&2; cat "$WORK/create.txt" >&2; exit 69; }
i=0
# a subshell: the exit ends the check, not the script
until (for p in $NODES; do redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' || exit 1; done); do
	i=$((i + 1)); [ $i -gt 400 ] && { echo "redis cluster: not ok after 20 s" >&2; exit 69; }
	sleep 0.05
done
CURL=redis://127.0.0.1:$1/0
owner() { for p in $NODES; do redis-cli -p "$p" exists "$1" | grep -qx '[0-9][0-9]*' && { echo "$p"; return; }; done; }
for k in events audits dead_letters; do
	ONLY=papyra:local:$k
	records | ONLY=$ONLY to_resp | redis-cli -p "$(owner "$ONLY")" --pipe >"$WORK/load.txt" 2>&1
	grep -q "errors: 0," "$WORK/load.txt" || { echo "redis cluster: loading failed:" >&2; cat "$WORK/load.txt" >&2; exit 74; }
done
ctotal=0
for k in events audits dead_letters; do ctotal=$((ctotal + $(redis-cli -c -p "$1" xlen papyra:local:$k))); done
[ "$ctotal" = "$total" ] || { echo "redis cluster: loaded $ctotal entries, not $total" >&2; exit 74; }
cbest=
for run in 1 2 3; do
	t0=$(date +%s.%N)
	"$PAPYRA" persistence scan --backend redis --redis-url "$CURL" >/dev/null 2>&1
	rc=$?
	t1=$(date +%s.%N)
	[ $rc -eq 2 ] || { echo "redis cluster: persistence scan  failed (exit $rc)"; exit 1; }
	cbest=$(awk -v a="$t0" -v b="$t1" -v c="${cbest:-1e9}" 'BEGIN { d = b - a; print (d < c ? d : c) }')
done
awk -v n="$total" -v s="$cbest" -v b="$best" 'BEGIN {
	printf "redis cluster (3 masters): persistence scan  %d entries in %.3f s = %.0fk entries/s  (standalone above: %.0fk entries/s)\n", n, s, n / s / 1000, n / b / 1000 }'
t0=$(date +%s.%N)
"$PAPYRA" persistence recover --backend redis --redis-url "$CURL" >/dev/null 2>&1
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || { echo "redis cluster: persistence recover  failed (exit $rc)"; exit 1; }
awk -v n="$total" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" -v bad=$((total - N)) 'BEGIN {
	printf "redis cluster (3 masters): persistence recover  %d bad of %d entries in %.3f s\n", bad, n, s }'
