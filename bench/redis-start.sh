# Sourced by the bench scripts.
#
# bench_redis_work NAME: the tools a Redis bench needs are there (else exit
# 69), its scratch directory WORK and the pid file PIDFILE of its server,
# and a trap that stops the server (and cluster nodes, WORK/node-*/pid)
# by pid and removes WORK whatever happens.
bench_redis_work() {
	for tool in redis-server redis-cli awk; do
		command -v $tool >/dev/null 2>&1 || { echo "$1: $tool is missing (sh tests/deps.sh installs it)" >&2; exit 69; }
	done
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/papyra-$1.XXXXXX") || exit 74
	PIDFILE=$WORK/redis.pid
	trap bench_redis_stop EXIT
	trap 'exit 130' INT TERM
}
bench_redis_stop() {
	[ -s "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null
	for f in "$WORK"/node-*/pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	rm -rf "$WORK"
}

# bench_redis_start PIDFILE DIR: start a redis-server of our own on a free
# loopback port, with its pid file at $1 and its directory $2; sets PORT.
# Returns 69 (EX_UNAVAILABLE) when none could be started or it never
# answered; the caller stops it by the pid file.
bench_redis_start() {
	PORT=
	for try in 1 2 3 4 5 6 7 8 9 10; do
		p=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
		redis-cli -p "$p" ping >/dev/null 2>&1 && continue # taken by someone else
		if redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
			--pidfile "$1" --dir "$2" >/dev/null 2>&1; then
			PORT=$p
			break
		fi
	done
	[ -n "$PORT" ] || { echo "bench: could not start redis-server" >&2; return 69; }
	i=0
	until redis-cli -p "$PORT" ping >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 100 ] && { echo "bench: redis-server did not answer" >&2; return 69; }
		sleep 0.05
	done
}
