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
# start_console TRIES TEXT ARGS...: the console (ARGS) in tmux in tail
# mode, until it shows TEXT (TRIES looks, 50 ms apart); PID is its process.
start_console() {
	tries=$1 text=$2
	shift 2
	$TM kill-session -t b 2>/dev/null
	$TM new-session -d -s b -x 160 -y 40 \
		"cd '$W' && exec env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC '$PAPYRA' console --follow $*"
	i=0
	until $TM capture-pane -p -t b 2>/dev/null | grep -q "$text"; do
		i=$((i + 1))
		[ $i -gt "$tries" ] && return 1
		sleep 0.05
	done
	PID=$($TM list-panes -t b -F '#{pane_pid}')
}
# shows TEXT TRIES: the pane shows TEXT within TRIES looks (as fast as tmux answers)
shows() {
	tries=0
	until $TM capture-pane -p -t b | grep -q "$1"; do
		tries=$((tries + 1))
		[ $tries -gt "$2" ] && return 1
	done
	return 0
}
# measure NAME APPEND ARGS...: the console (ARGS) in tmux in tail mode;
# APPEND K appends record K with the marker BenchMarkK.
measure() {
	name=$1 append=$2
	shift 2
	start_console 200 HEALTHY "$@" || { echo "follow-bench: the console did not start ($name)" >&2; return 1; }
	k=1
	: >"$W/delays"
	while [ $k -le "$N" ]; do
		t0=$(now_us)
		$append $k
		shows "BenchMark$k " 5000 || { echo "follow-bench: append $k never showed ($name)" >&2; return 1; }
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
# LARGE=N (e.g. 500000): a stream of N events (and 3 audits after it, so
# the events are not the last segment) is loaded, the console indexes it,
# then a writer adds STEADY_RATE entries a second (default 20) for
# STEADY_S seconds (default 20); the console's CPU over them, the time to
# index, and the delay of the writer's last entry to the screen.
steady_large() {
	redis-cli -p "$PORT" FLUSHDB >/dev/null
	awk -v n="$LARGE" 'BEGIN {
		for (i = 1; i <= n; i++) {
			d = sprintf("{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, \"event_type\": \"Bulk\", \"payload\": {\"i\": %d}, \"timestamp\": %d.5}", i, 1767000000 + i)
			printf "*5\r\n$4\r\nXADD\r\n$19\r\npapyra:local:events\r\n$1\r\n*\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", length(d), d
		}
	}' | redis-cli -p "$PORT" --pipe >/dev/null || return 1
	for k in 1 2 3; do
		redis-cli -p "$PORT" XADD papyra:local:audits '*' data '{"kind": "audit", "system_id": "local", "timestamp": 1767000000.5}' >/dev/null
	done
	t0=$(now_us)
	start_console 6000 "events $LARGE " --backend redis --redis-url "redis://127.0.0.1:$PORT/0" ||
		{ echo "follow-bench: the console did not index $LARGE entries" >&2; return 1; }
	t1=$(now_us)
	rate=${STEADY_RATE:-20} secs=${STEADY_S:-20}
	c0=$(ticks)
	e0=$(now_us)
	k=1
	while [ $k -le $((rate * secs)) ]; do
		append_redis $((k + 200000))
		sleep "$(awk -v r="$rate" 'BEGIN { print 1 / r }')"
		k=$((k + 1))
	done
	last=$((k - 1 + 200000))
	w0=$(now_us)
	# at most 60 s: a console that cannot keep up is measured too
	seen=1
	until $TM capture-pane -p -t b | grep -q "BenchMark$last "; do
		[ $(($(now_us) - w0)) -gt 60000000 ] && { seen=0; break; }
	done
	w1=$(now_us)
	c1=$(ticks)
	e1=$(now_us)
	awk -v n="$LARGE" -v ix="$((t1 - t0))" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v s="$secs" -v r="$rate" -v w="$((w1 - w0))" -v el="$((e1 - e0))" -v seen="$seen" 'BEGIN {
		printf "  redis %d entries: indexed in %.1f s; a writer at %d/s for %d s: console CPU %.1f %% of a core over %.1f s, its last entry on screen %s\n", n, ix / 1e6, r, s, 100 * c / (hz * el / 1e6), el / 1e6, seen ? sprintf("%.0f ms after the writer stopped", w / 1000) : "not yet 60 s after the writer stopped"
	}'
}
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
	. "$ROOT/bench/redis-start.sh"
	bench_redis_start "$W/redis.pid" "$W" || exit 1
	for k in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli -p "$PORT" XADD papyra:local:events '*' data "$(record $((k + 100000)))" >/dev/null
	done
	measure redis append_redis --backend redis --redis-url "redis://127.0.0.1:$PORT/0" || exit 1
	[ "${LARGE:-0}" -gt 0 ] && { steady_large || exit 1; }
else
	echo "  redis: redis-server is not installed, not measured"
fi
echo "  (delays include the poll of the pane with tmux capture-pane, a few ms each)"
