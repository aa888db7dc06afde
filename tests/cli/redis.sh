# A real redis-server for the tests that need one; sourced by t_redis.sh
# and t_console_backends.sh after lib.sh.  It starts on a free loopback
# port (a random one in 20000-60000, always five digits, retried when busy;
# the server that answers must be ours: its process id is the one in our
# pidfile), writes nothing to disk but its log in $TMP, and is stopped by
# its pid when the test script ends, whatever path it ends by.  A missing
# redis-server is a failure, not a skip: tests/deps.sh installs it.
# Provides: redis_start, redis_stop, $PORT, $URL, $R (backend flags),
# rcli (redis-cli on our port), load CASE (fixture into an empty db 0).
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
}
trap redis_stop EXIT

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
