# Redis servers that will not do everything (issue 10, SPEC §6 exit
# codes, one rule): a read-only ACL user without +@connection (no PING,
# no SELECT for db 0: scans, inspects and the console work; a recovery is
# refused with NOPERM, exit 69, nothing applied); a replica (READONLY: 69,
# "a read-only replica"); and compact --approx-trim (XTRIM ~ LIMIT,
# repeated while it trims).  Redis Cluster: t_redis_cluster.sh.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

jqo() { printf '%s' "$OUT" | jq -e "$@" >/dev/null 2>&1; }
EV=papyra:local:events

# --- a read-only ACL user: +@read only, no +@connection ------------------------------
rcli ACL SETUSER ro on '>ropw' '~papyra:*' '+@read' >/dev/null
check_true "the read-only user may not PING" sh -c "redis-cli -p $PORT --user ro --pass ropw --no-auth-warning ping | grep -q NOPERM"
RO="--backend redis --redis-url redis://ro:ropw@127.0.0.1:$PORT/0"
load redis_corrupt
run persistence scan $RO
check_rc 2 "read-only user: scan"
check_out "Found 6 persistence anomalies:" "read-only user: every anomaly"
run persistence startup-check $RO
check_rc 1 "read-only user: startup-check"
run inspect events $RO --limit 3
check_rc 0 "read-only user: inspect events"
run persistence inspect $RO
check_rc 0 "read-only user: persistence inspect"
run console --batch $RO
check_rc 1 "read-only user: console --batch"
run persistence scan $RO --system-id nosuch
check_out "system ids under prefix 'papyra': local" "read-only user: SCAN for the other system ids"
run persistence recover $RO --format json
check_rc 69 "read-only user: recover refused (NOPERM)"
check_true "read-only user: NOPERM said, nothing applied" jqo \
	'(.error.message | test("NOPERM")) and ([.actions[] | select(.applied)] | length) == 0'
check_true "read-only user: nothing deleted" test "$(rcli xlen $EV)" = 19
run doctor run $RO --mode recover
check_rc 69 "read-only user: doctor --mode recover refused"
check_err "the ACL user lacks a permission" "read-only user: explained"
run persistence scan --backend redis --redis-url "redis://ro:ropw@127.0.0.1:$PORT/1"
check_rc 69 "read-only user: db 1 needs SELECT, which it may not run"
check_err "SELECT failed: NOPERM" "read-only user: SELECT named"

# --- a replica: READONLY ------------------------------------------------------------
replica_server() {
	exec redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$2" \
		--replicaof 127.0.0.1 "$PORT"
}
if redis_spawn RPORT replica_server; then
	_i=0
	while [ "$(redis-cli -p "$RPORT" xlen $EV 2>/dev/null)" != 19 ] && [ $_i -lt 200 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
	check_true "the replica has the data" test "$(redis-cli -p "$RPORT" xlen $EV)" = 19
	RR="--backend redis --redis-url redis://127.0.0.1:$RPORT/0"
	run persistence scan $RR
	check_rc 2 "replica: scan reads"
	for mode in repair quarantine; do
		run persistence recover $RR --mode $mode --format json
		check_rc 69 "replica: recover --mode $mode refused"
		check_true "replica ($mode): READONLY, a replica said, nothing applied" jqo \
			'(.error.message | test("READONLY.*read-only replica: point --redis-url at the master"))
			 and ([.actions[] | select(.applied)] | length) == 0'
	done
	run persistence compact $RR --max-records 1 --force
	check_rc 69 "replica: compact refused"
	check_err "read-only replica" "replica: compact explained"
	check_true "replica: the master is untouched" test "$(rcli xlen $EV)" = 19
fi

# --- compact --approx-trim: XTRIM ~ with LIMIT, repeated ----------------------------------
# 25000 entries: an approximate trim keeps whole macro nodes (100 entries by
# default), and one call evicts at most 10000, so only a repeated trim gets there
rcli flushall >/dev/null
# (RESP through --pipe: the JSON's quotes would be redis-cli's otherwise)
awk 'BEGIN { for (i = 1; i <= 25000; i++) {
	id = i "-0"; d = "{\"kind\":\"event\",\"timestamp\":" i "}"
	printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$4\r\ndata\r\n$%d\r\n%s\r\n",
		length("papyra:local:events"), "papyra:local:events", length(id), id, length(d), d } }' |
	rcli --pipe >/dev/null
check_true "25000 entries loaded" test "$(rcli xlen $EV)" = 25000
run persistence compact $R --max-records 10 --approx-trim
check_rc 0 "compact --approx-trim"
check_out "before_records: 25000" "approx: before"
n=$(rcli xlen $EV)
check_true "approx: whole macro nodes kept (more than 10), all the way down (not 15000 after one call): $n" \
	test "$n" -gt 10 -a "$n" -le 200
run persistence compact $R --max-records 10
check_rc 0 "compact, exact"
check_true "exact: 10" test "$(rcli xlen $EV)" = 10
run persistence compact --path "$TMP/x.ndjson" --max-records 1 --approx-trim
check_rc 64 "--approx-trim on a file backend"
