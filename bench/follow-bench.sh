#!/bin/sh
# Following a live store (issue 11): the delay from an append to the
# screen, and the console's CPU while it follows an idle store.
#
#   sh bench/follow-bench.sh PAPYRA [APPENDS]      (bench.sh calls it)
#
# The console runs in a real pty (a private tmux server) in tail mode
# (--follow) on a copy of tests/fixtures/json_clean, then of rot_clean as a
# rotating set, then on a Redis stream (a redis-server it starts on a free
# loopback port and stops by pid, when installed); APPENDS (default 100)
# records are appended one at a time, each as the writer does (open
# O_APPEND, write, close), and the pane is polled (tmux capture-pane, a few
# ms per look: that is the resolution) until the record's marker shows.
# Then the console is left alone for IDLE_S seconds (default 10) and its
# user + system CPU time over them is read from /proc/PID/stat.
# Measured, never asserted: the figures are printed beside the targets.
PAPYRA=${1:?usage: follow-bench.sh PAPYRA [APPENDS]}
N=${2:-100}
IDLE_S=${IDLE_S:-10}
case $PAPYRA in /*) ;; *) PAPYRA=$(pwd)/$PAPYRA ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 1
command -v tmux >/dev/null 2>&1 || { echo "follow-bench: tmux is not installed" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/papyra-follow-bench.XXXXXX") || exit 1
TM="tmux -L papyra-fbench-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; [ -s "$W/redis.pid" ] && kill "$(cat "$W/redis.pid")" 2>/dev/null; rm -rf "$W"' EXIT
# measure NAME APPEND ARGS...: the console (ARGS) in tmux in tail mode;
# APPEND K appends record K with the marker BenchMarkK.
measure() {
	name=$1 append=$2
	shift 2
	$TM kill-session -t b 2>/dev/null
	$TM new-session -d -s b -x 160 -y 40 \
		"cd '$W' && exec env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC '$PAPYRA' console --follow $*"
	i=0
	until $TM capture-pane -p -t b 2>/dev/null | grep -q HEALTHY; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "follow-bench: the console did not start ($name)" >&2; return 1; }
		sleep 0.05
	done
	PID=$($TM list-panes -t b -F '#{pane_pid}')
	k=1
	: >"$W/delays"
	while [ $k -le "$N" ]; do
		t0=$(now_us)
		$append $k
		tries=0
		until $TM capture-pane -p -t b | grep -q "BenchMark$k "; do
			tries=$((tries + 1))
			[ $tries -gt 5000 ] && { echo "follow-bench: append $k never showed ($name)" >&2; return 1; }
		done
		t1=$(now_us)
		echo $((t1 - t0)) >>"$W/delays"
		k=$((k + 1))
	done
	# idle: nothing written; CPU ticks of the console over IDLE_S seconds
	sleep 1
	c0=$(ticks)
	sleep "$IDLE_S"
	c1=$(ticks)
	sort -n "$W/delays" | awk -v name="$name" -v n="$N" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v s="$IDLE_S" '
		{ d[NR] = $1 / 1000 }
		END {
			med = (NR % 2) ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2
			cpu = 100 * c / (hz * s)
			printf "  %-9s append to screen: median %6.1f ms, max %6.1f ms over %d appends (target < 1000 ms: %s); idle CPU %5.2f %% of a core over %d s (target < 1 %%: %s)\n", name, med, d[NR], n, (d[NR] < 1000 ? "ok" : "MISSED"), cpu, s, (cpu < 1 ? "ok" : "MISSED")
		}'
}
now_us() { date +%s%6N; }
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
record() {
	printf '{"kind": "event", "system_id": "local", "actor_address": null, "event_type": "BenchMark%d", "payload": {}, "timestamp": %d.5}' \
		"$1" $((1767225700 + $1))
}
append_file() { echo "$(record "$1")" >>"$W/events.ndjson"; }
append_rot() { echo "$(record "$1")" >>"$W/rot.log"; }
append_redis() { redis-cli -p "$PORT" XADD papyra:local:events '*' data "$(record "$1")" >/dev/null; }

cp "$ROOT/tests/fixtures/json_clean/data/events.ndjson" "$W/events.ndjson"
measure json append_file --path events.ndjson || exit 1
cp "$ROOT/tests/fixtures/rot_clean/data/"* "$W/"
measure rotating append_rot --backend rotating --path rot.log --max-files 3 --max-bytes 100000000 || exit 1
if command -v redis-server >/dev/null 2>&1; then
	PORT=
	for try in 1 2 3 4 5 6 7 8 9 10; do
		p=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
		redis-cli -p "$p" ping >/dev/null 2>&1 && continue # taken by someone else
		if redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
			--pidfile "$W/redis.pid" --dir "$W" >/dev/null 2>&1; then
			PORT=$p
			break
		fi
	done
	[ -n "$PORT" ] || { echo "follow-bench: could not start redis-server" >&2; exit 1; }
	i=0
	until redis-cli -p "$PORT" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "follow-bench: redis-server did not answer" >&2; exit 1; }
		sleep 0.05
	done
	for k in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli -p "$PORT" XADD papyra:local:events '*' data "$(record $((k + 100000)))" >/dev/null
	done
	measure redis append_redis --backend redis --redis-url "redis://127.0.0.1:$PORT/0" || exit 1
else
	echo "  redis: redis-server is not installed, not measured"
fi
echo "  (delays include the poll of the pane with tmux capture-pane, a few ms each; Redis re-indexes on new entries)"
