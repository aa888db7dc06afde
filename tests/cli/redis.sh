# A real redis-server for the tests that need one; sourced by t_redis.sh
# and t_console_backends.sh after lib.sh.  It starts on a free loopback
# port (a random one in 20000-60000, always five digits, retried when busy;
# the server that answers must be ours: its process id is the one in our
# pidfile), writes nothing to disk but its log in $TMP, and is stopped by
# its pid when the test script ends, whatever path it ends by.  A missing
# redis-server is a failure, not a skip: tests/deps.sh installs it.
# Provides: redis_start, redis_stop, $PORT, $URL, $R (backend flags),
# rcli (redis-cli on our port), load CASE (fixture into an empty db 0),
# redis_spawn and redis_respawn (more servers, below).
# The caller checks `redis_available || return 0` first.

redis_available() {
	if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
		ko "redis-server / redis-cli not installed: run 'sh tests/deps.sh' (Debian package redis-server)"
		return 1
	fi
	if ! redis_start; then
		ko "could not start redis-server on a free port" "$(tail -5 "$TMP/redis.log" 2>/dev/null)"
		return 1
	fi
	URL=redis://127.0.0.1:$PORT/0
	R="--backend redis --redis-url $URL"
	return 0
}

REDIS_PID=
redis_stop() {
	if [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null; then
		_i=0
		# until it stops answering (a reaped-late zombie still passes kill -0)
		while redis-cli -p "$PORT" ping >/dev/null 2>&1 && [ $_i -lt 100 ]; do
			_i=$((_i + 1))
			sleep 0.05
		done
	fi
	REDIS_PID=
	for _pid in $REDIS_MORE_PIDS; do
		kill "$_pid" 2>/dev/null && wait "$_pid" 2>/dev/null
	done
	REDIS_MORE_PIDS=
}
trap redis_stop EXIT

# redis_spawn VAR START: one more server (TLS, replica, sentinel, cluster
# node) on a free loopback port below 55000 (a cluster bus is port +
# 10000).  START is a function called with the port and a directory of
# its own (--dir: a replica's RDB must not be loaded by another server)
# that execs redis-server in the foreground (no daemonizing: the pid is
# the job's own, $!), logging to $TMP/VAR.log; ready when the log says so.
# Sets $VAR to the port and ${VAR}_PID; stopped by pid with the first one.
REDIS_MORE_PIDS=
REDIS_SPAWNS=0
redis_spawn() {
	REDIS_SPAWNS=$((REDIS_SPAWNS + 1))
	for _try in 1 2 3 4 5 6 7 8; do
		_p=$(awk -v s="$$$REDIS_SPAWNS$_try" 'BEGIN { srand(s); print 20000 + int(rand() * 35000) }')
		redis-cli -p "$_p" ping >/dev/null 2>&1 && continue
		mkdir -p "$TMP/$1.d"
		( "$2" "$_p" "$TMP/$1.d" ) >"$TMP/$1.log" 2>&1 &
		_pid=$!
		_i=0
		while [ $_i -lt 200 ] && kill -0 "$_pid" 2>/dev/null &&
			! grep -q -e 'Ready to accept connections' -e 'Sentinel ID is' "$TMP/$1.log"; do
			_i=$((_i + 1))
			sleep 0.025
		done
		if kill -0 "$_pid" 2>/dev/null && [ $_i -lt 200 ]; then
			REDIS_MORE_PIDS="$REDIS_MORE_PIDS $_pid"
			eval "$1=\$_p; ${1}_PID=\$_pid"
			return 0
		fi
		kill "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
	done
	ko "could not start $1 on a free port" "$(tail -5 "$TMP/$1.log" 2>/dev/null)"
	return 1
}

# redis_respawn VAR START: start the server of an earlier redis_spawn VAR
# again, on its port and with its directory (a node killed on purpose,
# back with its AOF and nodes.conf).  Updates ${VAR}_PID; stopped by pid
# like the others.
redis_respawn() {
	eval "_p=\$$1"
	( "$2" "$_p" "$TMP/$1.d" ) >"$TMP/$1.log" 2>&1 &
	_pid=$!
	REDIS_MORE_PIDS="$REDIS_MORE_PIDS $_pid"
	eval "${1}_PID=\$_pid"
	_i=0
	while [ $_i -lt 400 ] && kill -0 "$_pid" 2>/dev/null &&
		! grep -q 'Ready to accept connections' "$TMP/$1.log"; do
		_i=$((_i + 1))
		sleep 0.025
	done
	kill -0 "$_pid" 2>/dev/null && grep -q 'Ready to accept connections' "$TMP/$1.log" && return 0
	ko "could not restart $1 on port $_p" "$(tail -5 "$TMP/$1.log" 2>/dev/null)"
	return 1
}

redis_start() {
	for _try in 1 2 3 4 5 6 7 8; do
		_p=$(awk -v s="$$$_try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
		redis-cli -p "$_p" ping >/dev/null 2>&1 && continue
		rm -f "$TMP/redis.pid"
		redis-server --port "$_p" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
			--pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log" \
			--unixsocket "$TMP/redis.sock" --unixsocketperm 700 >/dev/null 2>&1 || continue
		_i=0
		while [ $_i -lt 100 ]; do
			if [ -s "$TMP/redis.pid" ] && redis-cli -p "$_p" ping 2>/dev/null | grep -q PONG; then
				_pid=$(redis-cli -p "$_p" info server | tr -d '\r' | sed -n 's/^process_id://p')
				if [ "$_pid" = "$(cat "$TMP/redis.pid")" ]; then
					REDIS_PID=$_pid
					PORT=$_p
					return 0
				fi
				break
			fi
			_i=$((_i + 1))
			sleep 0.05
		done
		[ -s "$TMP/redis.pid" ] && kill "$(cat "$TMP/redis.pid")" 2>/dev/null
	done
	return 1
}

rcli() { redis-cli -p "$PORT" "$@"; }
# load_as CASE ID: the fixture's streams as system ID's (papyra:ID:...), added to db 0 (a fleet)
load_as() {
	jq -j --arg s "$2" 'to_entries[] | (.key | sub("^papyra:local:"; "papyra:" + $s + ":")) as $k | .value[] |
		(["XADD", $k, .[0]] + [.[1] | to_entries[] | .key, .value]) |
		"*\(length)\r\n" + (map("$\(utf8bytelength)\r\n\(.)\r\n") | join(""))' \
		"$FIX/$1/data/streams.json" | rcli --pipe >"$TMP/load.txt" 2>&1
	grep -q "errors: 0," "$TMP/load.txt" || ko "loading $1 as $2" "$(cat "$TMP/load.txt")"
}


# Load tests/fixtures/CASE/data/streams.json into an empty db 0: XADD with
# the fixture's ids, sent as RESP through redis-cli --pipe (binary-safe).
load() {
	rcli flushall >/dev/null
	jq -j 'to_entries[] | .key as $k | .value[] |
		(["XADD", $k, .[0]] + [.[1] | to_entries[] | .key, .value]) |
		"*\(length)\r\n" + (map("$\(utf8bytelength)\r\n\(.)\r\n") | join(""))' \
		"$FIX/$1/data/streams.json" | rcli --pipe >"$TMP/load.txt" 2>&1
	grep -q "errors: 0," "$TMP/load.txt" || ko "loading $1" "$(cat "$TMP/load.txt")"
}

# cluster_lines CASE [PREFIX]: the fixture as redis-cli commands, one a
# line, every argument quoted (for redis-cli -c, which follows MOVED in
# this mode and not with --pipe); key prefix "papyra" or PREFIX.
cluster_lines() {
	jq -r --arg p "${2:-papyra}" '
		def hex: "0123456789abcdef"[(. / 16 | floor):(. / 16 | floor) + 1] + "0123456789abcdef"[(. % 16):(. % 16) + 1];
		def q: "\"" + (explode | map(if . == 92 then "\\\\" elif . == 34 then "\\\""
			elif . < 32 or . == 127 then "\\x" + hex else [.] | implode end) | join("")) + "\"";
		to_entries[] | (.key | sub("^papyra:"; $p + ":")) as $k | .value[] |
		(["XADD", $k, .[0]] + [.[1] | to_entries[] | .key, .value]) | map(q) | join(" ")' \
		"$FIX/$1/data/streams.json"
}

# redis_suite NAME FLAGS...: every command that reads or changes Redis
# works through FLAGS (a TLS server, a Sentinel...) exactly as on a plain
# server: scan, recover (repair and quarantine), startup-check, doctor,
# inspect, persistence inspect, console --batch, compact.  Seeds and
# checks with load and rcli, which the caller points at the same server.
redis_suite() {
	_sn=$1; shift
	load redis_corrupt
	run persistence scan "$@"
	check_rc 2 "$_sn: scan"
	check_out "Found 6 persistence anomalies:" "$_sn: scan finds the six"
	run persistence recover "$@"
	check_rc 0 "$_sn: recover (repair)"
	check_true "$_sn: repaired" test "$(rcli xlen papyra:local:events)" = 15
	load redis_corrupt
	run persistence recover "$@" --mode quarantine
	check_rc 0 "$_sn: recover (quarantine)"
	check_true "$_sn: quarantined" test "$(rcli xlen papyra:local:quarantine:papyra_local_events)" = 4
	load redis_corrupt
	run persistence startup-check "$@"
	check_rc 1 "$_sn: startup-check"
	run doctor run "$@" --mode recover
	check_rc 0 "$_sn: doctor run --mode recover"
	check_true "$_sn: doctor repaired" test "$(rcli xlen papyra:local:events)" = 15
	load redis_clean
	run inspect events "$@"
	check_golden tests/cli/golden/inspect_events.txt "$_sn: inspect events"
	run inspect summary "$@"
	check_golden tests/cli/golden/inspect_summary.txt "$_sn: inspect summary"
	run persistence inspect "$@"
	check_out "events_sampled: 15" "$_sn: persistence inspect"
	run console --batch "$@"
	check_rc 0 "$_sn: console --batch"
	load redis_retention
	run persistence compact "$@" --max-records 5
	check_rc 0 "$_sn: compact"
	check_true "$_sn: compacted" test "$(rcli xlen papyra:local:events)" = 5
}
