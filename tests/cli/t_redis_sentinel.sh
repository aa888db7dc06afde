# Redis Sentinel (redis-sentinel://, issue 10): a real sentinel watching
# our master; every command through it; sentinels tried in turn (a dead
# one first); a sentinel that does not know the master, none reachable, a
# plain Redis given as a sentinel (69, each one named); the sentinels' own
# password (--sentinel-password) apart from the master's (the URL's); a
# Sentinel's port given as redis:// (64, with the URL to write instead);
# TLS to the sentinel and the master (rediss-sentinel://).

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

SPW=sentinel-secret
# a sentinel needs a config file it can rewrite
sentinel_server() {
	cat > "$2/sentinel.conf" <<CONF
port $1
bind 127.0.0.1
dir $2
requirepass $SPW
sentinel monitor mymaster 127.0.0.1 $PORT 1
sentinel down-after-milliseconds mymaster 60000
CONF
	exec redis-server "$2/sentinel.conf" --sentinel
}
redis_spawn SPORT sentinel_server || { return 0 2>/dev/null || exit 0; }
scli() { redis-cli -p "$SPORT" -a "$SPW" --no-auth-warning "$@"; }
check_true "the sentinel names our master" test "$(scli sentinel get-master-addr-by-name mymaster | tr '\n' ' ')" = "127.0.0.1 $PORT "

S="--backend redis --redis-url redis-sentinel://127.0.0.1:$SPORT/mymaster --sentinel-password $SPW"
redis_suite "Sentinel" $S
run persistence scan $S --format json
check_true "Sentinel: the location is the sentinel URL" test \
	"$(printf '%s' "$OUT" | jq -r .location)" = "redis-sentinel://127.0.0.1:$SPORT/mymaster"
PAPYRA_SENTINEL_PASSWORD=$SPW run persistence scan --backend redis --redis-url "redis+sentinel://127.0.0.1:1,127.0.0.1:$SPORT/mymaster/0"
check_rc 0 "a dead sentinel first, then ours (redis+sentinel://, PAPYRA_SENTINEL_PASSWORD, db 0)"
printf '{"backend": "redis", "redis_url": "redis-sentinel://127.0.0.1:%s/mymaster", "sentinel_password": "%s"}\n' \
	"$SPORT" "$SPW" > "$TMP/s.json"
run persistence scan --config "$TMP/s.json"
check_rc 0 "config key sentinel_password"

# --- the master's password is the URL's, the sentinels' is their own -------------------
rcli config set requirepass master-secret >/dev/null
run persistence scan --backend redis --redis-url "redis-sentinel://:master-secret@127.0.0.1:$SPORT/mymaster" --sentinel-password $SPW
check_rc 0 "the URL's password goes to the master"
run persistence scan $S
check_rc 69 "the master wants a password the URL does not give"
check_err "NOAUTH" "master without its password: said"
rcli -a master-secret --no-auth-warning config set requirepass "" >/dev/null
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$SPORT/mymaster"
check_rc 69 "the sentinel wants a password"
check_err "sentinel 127.0.0.1:$SPORT: NOAUTH" "no sentinel password: the sentinel named"
check_err "(--sentinel-password)" "no sentinel password: what to set"

# --- no usable master: 69, every sentinel named --------------------------------------
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$SPORT/nosuch" --sentinel-password $SPW
check_rc 69 "a master the sentinel does not know"
check_err "sentinel 127.0.0.1:$SPORT does not know a master named 'nosuch'" "unknown master: said"
run doctor run --backend redis --redis-url "redis-sentinel://127.0.0.1:1,127.0.0.1:2/mymaster"
check_rc 69 "no sentinel reachable"
check_err "no sentinel gave a usable master 'mymaster'" "none reachable: said"
check_err "sentinel 127.0.0.1:1: Connection refused" "none reachable: the first named"
check_err "sentinel 127.0.0.1:2: Connection refused" "none reachable: the second named"
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$PORT/mymaster"
check_rc 69 "a plain Redis given as a sentinel"
check_err "127.0.0.1:$PORT is not a Sentinel" "plain Redis as a sentinel: said"
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$SPORT"
check_rc 64 "a sentinel URL without the master's name"
check_err "missing the master's name" "no master name: said"

# --- a Sentinel's port given as redis:// ------------------------------------------------
for u in "redis://:$SPW@127.0.0.1:$SPORT/0" "redis://:$SPW@127.0.0.1:$SPORT/2"; do
	run persistence scan --backend redis --redis-url "$u" --format json
	check_rc 64 "a Sentinel given as $u"
	check_err "this is a Redis Sentinel, watching mymaster; use redis-sentinel://host:port/MASTER" "Sentinel as redis:// ($u): said"
	check_true "Sentinel as redis:// ($u): the report says it too" test \
		"$(printf '%s' "$OUT" | jq -r '.error.message | test("this is a Redis Sentinel")')" = true
done

# --- the sentinel names a replica (a failover under way): the next one is asked ---------
replica_server() {
	exec redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$2" \
		--replicaof 127.0.0.1 "$PORT"
}
redis_spawn RPORT replica_server || { return 0 2>/dev/null || exit 0; }
liar_server() {
	cat > "$2/liar.conf" <<CONF
port $1
bind 127.0.0.1
dir $2
requirepass $SPW
sentinel monitor mymaster 127.0.0.1 $RPORT 1
sentinel down-after-milliseconds mymaster 60000
CONF
	exec redis-server "$2/liar.conf" --sentinel
}
redis_spawn LPORT liar_server || { return 0 2>/dev/null || exit 0; }
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$LPORT,127.0.0.1:$SPORT/mymaster" --sentinel-password $SPW
check_rc 0 "a sentinel that names a replica is passed over"
run persistence scan --backend redis --redis-url "redis-sentinel://127.0.0.1:$LPORT/mymaster" --sentinel-password $SPW
check_rc 69 "only a sentinel that names a replica"
check_err "sentinel 127.0.0.1:$LPORT named 127.0.0.1:$RPORT, which says it is a slave" "replica named: said"

redis_stop
check_true "the sentinel stopped" sh -c "! kill -0 $SPORT_PID 2>/dev/null"
