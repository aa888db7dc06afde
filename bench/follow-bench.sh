#!/bin/sh
# Following a live store (issue 11): the delay from an append to the
# screen, and the console's CPU while it follows an idle store.
#
#   sh bench/follow-bench.sh PAPYRA [APPENDS]      (bench.sh calls it)
#
# The console runs in a real pty (a private tmux server) in tail mode
# (--follow) on a copy of tests/fixtures/json_clean; APPENDS (default 100)
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
trap '$TM kill-server 2>/dev/null; rm -rf "$W"' EXIT
cp "$ROOT/tests/fixtures/json_clean/data/events.ndjson" "$W/events.ndjson"
$TM new-session -d -s b -x 160 -y 40 \
	"cd '$W' && exec env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC '$PAPYRA' console --path events.ndjson --follow"
# wait for the first screen
i=0
until $TM capture-pane -p -t b 2>/dev/null | grep -q HEALTHY; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "follow-bench: the console did not start" >&2; exit 1; }
	sleep 0.05
done
PID=$($TM list-panes -t b -F '#{pane_pid}')
now_us() { date +%s%6N; }
k=1
: >"$W/delays"
while [ $k -le "$N" ]; do
	mark="BenchMark$k"
	t0=$(now_us)
	printf '{"kind": "event", "system_id": "local", "actor_address": null, "event_type": "%s", "payload": {}, "timestamp": %d.5}\n' \
		"$mark" $((1767225700 + k)) >>"$W/events.ndjson"
	tries=0
	until $TM capture-pane -p -t b | grep -q "$mark "; do
		tries=$((tries + 1))
		[ $tries -gt 5000 ] && { echo "follow-bench: append $k never showed" >&2; exit 1; }
	done
	t1=$(now_us)
	echo $((t1 - t0)) >>"$W/delays"
	k=$((k + 1))
done
# idle: nothing written; CPU ticks of the console over IDLE_S seconds
sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
c0=$(ticks)
sleep "$IDLE_S"
c1=$(ticks)
hz=$(getconf CLK_TCK)
sort -n "$W/delays" | awk -v n="$N" -v c="$((c1 - c0))" -v hz="$hz" -v s="$IDLE_S" '
	{ d[NR] = $1 / 1000 }
	END {
		med = (NR % 2) ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2
		cpu = 100 * c / (hz * s)
		printf "  append to screen    median %6.1f ms, max %6.1f ms over %d appends   target < 1000 ms   %s\n", med, d[NR], n, (d[NR] < 1000 ? "ok" : "MISSED")
		printf "  idle following CPU  %6.2f %% of a core over %d s (%d ticks of 1/%d s)   target < 1 %%   %s\n", cpu, s, c, hz, (cpu < 1 ? "ok" : "MISSED")
		printf "  (delays include the poll of the pane with tmux capture-pane, a few ms each)\n"
	}'
