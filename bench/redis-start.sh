# Sourced by the bench scripts: start a redis-server of our own on a free
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
