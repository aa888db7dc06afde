# Redis Cluster (issue 10): a real 3-master cluster started here.  Every
# command through each of the three nodes, with the same results as on a
# standalone server; system ids found by SCAN on every master; a
# hash-tagged prefix keeps the quarantine one MULTI per batch, the default
# names copy then delete (no MULTI); MOVED and ASK in the middle of a run
# (a slot migrated while papyra waits on a paused node); a node killed in
# the middle of a cross-slot quarantine, restarted from its AOF, and the
# rerun finishing with every bad entry in exactly one of source and
# quarantine; an ACL user that may not ask for the layout; db 1.
#
# Waiting is on the servers, never on time: CLIENT PAUSE WRITE holds the
# run at a known command (seen in CLIENT LIST) while the test acts.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

# AOF on (written before each reply), so a node killed with SIGKILL comes
# back with every write it acknowledged: "nothing lost" must be about us
cluster_node() {
	exec redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync no \
		--dir "$2" --cluster-enabled yes --cluster-config-file "$2/nodes.conf" \
		--cluster-node-timeout 5000
}
redis_spawn C1 cluster_node && redis_spawn C2 cluster_node && redis_spawn C3 cluster_node ||
	{ return 0 2>/dev/null || exit 0; }
NODES="$C1 $C2 $C3"
redis-cli --cluster create 127.0.0.1:$C1 127.0.0.1:$C2 127.0.0.1:$C3 --cluster-replicas 0 \
	--cluster-yes >"$TMP/create.log" 2>&1
# every node says ok, for every slot
cluster_ok() {
	for _nd in $NODES; do
		redis-cli -p "$_nd" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok' || return 1
		redis-cli -p "$_nd" cluster info | tr -d '\r' | grep -q '^cluster_slots_ok:16384' || return 1
	done
}
wait_until() { # wait_until NAME CMD...: poll CMD for up to 20 s
	_w=$1; shift
	_i=0
	while ! "$@" >/dev/null 2>&1 && [ $_i -lt 400 ]; do
		_i=$((_i + 1))
		sleep 0.05
	done
	check_true "$_w" "$@"
}
wait_until "a 3-master cluster (cluster_state:ok on every node)" cluster_ok
[ "$(grep -c . "$TMP/create.log")" -gt 0 ] || ko "redis-cli --cluster create said nothing"

EV=papyra:local:events AU=papyra:local:audits DL=papyra:local:dead_letters
QEV=papyra:local:quarantine:papyra_local_events QAU=papyra:local:quarantine:papyra_local_audits
QDL=papyra:local:quarantine:papyra_local_dead_letters
BAD_EV="1767225600015-0 1767225600016-0 1767225600017-0 1767225600018-0"

ccli() { redis-cli -c -p "$C1" "$@"; }
# the node (port) that owns KEY: the others answer MOVED
owner() {
	for _nd in $NODES; do
		redis-cli -p "$_nd" exists "$1" | grep -qx '[0-9][0-9]*' && { echo "$_nd"; return; }
	done
}
myid() { redis-cli -p "$1" cluster myid; }
stats_reset() { for _nd in $NODES; do redis-cli -p "$_nd" config resetstat >/dev/null; done; }
# INFO field of node N: stat N SECTION FIELD-PREFIX (e.g. errorstats errorstat_MOVED)
stat() { redis-cli -p "$1" info "$2" | tr -d '\r' | sed -n "s/^$3:.*count=\([0-9]*\).*/\1/p; s/^$3:calls=\([0-9]*\).*/\1/p"; }

# cload CASE [PREFIX]: the fixture through the cluster (cluster_lines)
cload() {
	for _nd in $NODES; do redis-cli -p "$_nd" flushall >/dev/null; done
	cluster_lines "$@" | ccli >"$TMP/cload.txt" 2>&1
	grep -v -e '^[0-9]*-[0-9]*$' -e '^-> Redirected' "$TMP/cload.txt" | grep -q . &&
		ko "loading $1 through the cluster" "$(cat "$TMP/cload.txt")"
	return 0
}
# XRANGE of a stream as JSON, through the cluster
xr() { ccli --json xrange "$1" - +; }
norm() { sed -e "s/127\.0\.0\.1:[0-9]*/HOST/g"; }
# a JSON report without its location, sorted keys
jnorm() { printf '%s' "$1" | jq -S 'del(.location)'; }

check_true "the streams and their quarantine streams are spread over the three nodes" test \
	"$(for k in $EV $AU $DL $QEV $QAU $QDL; do owner $k; done | sort -u | wc -l)" = 3

# --- the same results through each node as on a standalone server -------------------
load redis_corrupt
run persistence scan $R --format json;                  REF_SCAN=$(jnorm "$OUT")
run persistence recover $R --format json;               REF_REPAIR=$(jnorm "$OUT")
REF_EV=$(rcli --json xrange $EV - +)
load redis_corrupt
run persistence recover $R --mode quarantine --format json; REF_QUAR=$(jnorm "$OUT")
load redis_clean
run console --batch $R;                                  REF_CONSOLE=$(printf '%s' "$OUT" | norm)
run persistence inspect $R;                              REF_PINSPECT=$(printf '%s' "$OUT" | norm)
for n in $NODES; do
	CL="--backend redis --redis-url redis://127.0.0.1:$n/0"
	cload redis_corrupt
	run persistence scan $CL --format json
	check_rc 2 "node $n: scan"
	check_true "node $n: scan report as on a standalone server" test "$(jnorm "$OUT")" = "$REF_SCAN"
	run persistence recover $CL --format json
	check_rc 0 "node $n: recover (repair)"
	check_true "node $n: repair report as standalone" test "$(jnorm "$OUT")" = "$REF_REPAIR"
	check_true "node $n: the events stream as standalone after repair" test "$(xr $EV)" = "$REF_EV"
	cload redis_corrupt
	run persistence recover $CL --mode quarantine --format json
	check_rc 0 "node $n: recover (quarantine)"
	check_true "node $n: quarantine report as standalone" test "$(jnorm "$OUT")" = "$REF_QUAR"
	check_true "node $n: quarantined 4 + 1 + 1" test \
		"$(ccli xlen $QEV) $(ccli xlen $QAU) $(ccli xlen $QDL) $(ccli xlen $EV)" = "4 1 1 15"
	cload redis_clean
	run console --batch $CL
	check_rc 0 "node $n: console --batch"
	check_true "node $n: console --batch as standalone" test "$(printf '%s' "$OUT" | norm)" = "$REF_CONSOLE"
	run persistence inspect $CL
	check_true "node $n: persistence inspect as standalone" test "$(printf '%s' "$OUT" | norm)" = "$REF_PINSPECT"
done
# --- the console follows the streams on a cluster: new entries without a re-index ------
DUMP=$TMP/cfollow.screen
cload redis_clean
stats_reset
mkdir -p "$TMP/cfollow"
XB=$(printf 'sh:redis-cli -c -p %s XADD %s * data {oops >/dev/null' "$C2" "$EV" | sed 's/ /\\s/g')
console_run "$TMP/cfollow" 120x30 C.UTF-8 UTC "$XB 6 dump" --backend redis --redis-url "redis://127.0.0.1:$C1/0"
check_rc 0 "cluster: the console following"
dump_has "1 ANOMALY" "cluster: an entry XADDed while the console is open is scanned"
dump_has "events 15 " "cluster: the header"
dump_has "{oops" "cluster: the entry is listed, at the end of the events"
TY=0
for _nd in $NODES; do TY=$((TY + $(stat "$_nd" commandstats cmdstat_type | sed 's/^$/0/'))); done
check_true "cluster: no re-index (one whole scan: 3 TYPE over the nodes, $TY seen)" test "$TY" = 3
# and the whole suite (startup-check, doctor, inspect goldens, compact) through one node
load() { cload "$@"; }
rcli() { ccli "$@"; }
redis_suite "cluster" --backend redis --redis-url "redis://127.0.0.1:$C3/0"

# --- system ids: SCAN on every master -------------------------------------------------
for _nd in $NODES; do redis-cli -p "$_nd" flushall >/dev/null; done
for s in alpha beta gamma delta epsilon zeta; do ccli xadd "papyra:$s:events" '*' data '{}' >/dev/null; done
check_true "the six systems live on all three nodes" test \
	"$(for s in alpha beta gamma delta epsilon zeta; do owner papyra:$s:events; done | sort -u | wc -l)" = 3
for n in $NODES; do
	run persistence scan --backend redis --redis-url "redis://127.0.0.1:$n/0" --system-id nosuch
	check_out "system ids under prefix 'papyra': alpha, beta, delta, epsilon, gamma, zeta" \
		"node $n: every system id, whichever node holds it"
done

# --- quarantine: one MULTI per batch when the keys share a slot, copy then delete when not ----
cload redis_corrupt '{papyra}'
stats_reset
TAG="--backend redis --redis-url redis://127.0.0.1:$C1/0 --prefix {papyra}"
run persistence recover $TAG --mode quarantine
check_rc 0 "hash-tagged prefix: quarantine"
TN=$(owner '{papyra}:local:events')
check_true "hash-tagged prefix: every key in one slot" test \
	"$(owner '{papyra}:local:quarantine:{papyra}_local_events')" = "$TN"
check_true "hash-tagged prefix: one MULTI/EXEC per stream (3)" test "$(stat "$TN" commandstats cmdstat_exec)" = 3
check_true "hash-tagged prefix: quarantined" test \
	"$(ccli xlen '{papyra}:local:quarantine:{papyra}_local_events') $(ccli xlen '{papyra}:local:events')" = "4 15"
cload redis_corrupt
stats_reset
run persistence recover --backend redis --redis-url "redis://127.0.0.1:$C1/0" --mode quarantine
check_rc 0 "default names: quarantine across slots"
check_true "default names: no MULTI on any node" test \
	"$(for n in $NODES; do stat "$n" commandstats cmdstat_exec; done | tr -d '\n')" = ""
check_true "default names: XADD then XDEL, quarantined" test "$(ccli xlen $QEV) $(ccli xlen $EV)" = "4 15"
check_true "a copy keeps the original fields, source and id" test \
	"$(ccli --json xrange $QEV - + | jq -c '[.[0][1] as $f | range(0; $f | length; 2) | [$f[.], $f[. + 1]]] | map(select(.[0] != "timestamp"))')" = \
	'[["payload","{\"kind\": \"event\"}"],["data",""],["source","papyra:local:events"],["id","1767225600015-0"]]'

# --- MOVED and ASK in the middle of a run ---------------------------------------------
# The quarantine's XADD waits on the quarantine stream's paused node while
# the events slot moves to another node: the XDEL that follows meets the
# redirect.  blocked_on N CMD: N holds a client at CMD (CLIENT PAUSE).
blocked_on() { redis-cli -p "$1" client list | grep -q "flags=b.*cmd=$2"; }
# migrate_slot KEY TO: KEY's slot and KEY to node TO, half-way: the old
# node answers ASK, the new one serves it only after ASKING;
# finish_slot then tells every node (an old map meets MOVED)
migrate_slot() {
	_from=$(owner "$1") _to=$2
	_slot=$(redis-cli -p "$_from" cluster keyslot "$1")
	redis-cli -p "$_to" cluster setslot "$_slot" importing "$(myid "$_from")" >/dev/null
	redis-cli -p "$_from" cluster setslot "$_slot" migrating "$(myid "$_to")" >/dev/null
	redis-cli -p "$_from" migrate 127.0.0.1 "$_to" "" 0 5000 keys "$1" >/dev/null
}
finish_slot() {
	for _nd in $NODES; do redis-cli -p "$_nd" cluster setslot "$_slot" node "$(myid "$_to")" >/dev/null; done
}
bg_run() { "$PAPYRA" "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" </dev/null & BG=$!; }
bg_wait() { wait "$BG"; RC=$?; OUT=$(cat "$TMP/bg.out"); ERR=$(cat "$TMP/bg.err"); }
other_node() { for _nd in $NODES; do [ "$_nd" != "$1" ] && [ "$_nd" != "$2" ] && { echo "$_nd"; return; }; done; }

for how in finish ask; do
	cload redis_corrupt
	stats_reset
	QN=$(owner $QEV) FROM=$(owner $EV)
	TO=$(other_node "$QN" "$FROM")
	[ -n "$TO" ] || TO=$QN
	redis-cli -p "$QN" client pause 20000 write >/dev/null
	bg_run persistence recover --backend redis --redis-url "redis://127.0.0.1:$FROM/0" --mode quarantine
	wait_until "$how: the run waits on its first XADD" blocked_on "$QN" xadd
	migrate_slot $EV "$TO"
	[ $how = finish ] && finish_slot
	redis-cli -p "$QN" client unpause >/dev/null
	bg_wait
	check_rc 0 "$how: the quarantine followed the slot to its new node"
	[ $how = ask ] && finish_slot
	if [ $how = finish ]; then
		check_true "finish: the old node answered MOVED" test "$(stat "$FROM" errorstats errorstat_MOVED)" -ge 1
	else
		check_true "ask: the old node answered ASK" test "$(stat "$FROM" errorstats errorstat_ASK)" -ge 1
		check_true "ask: ASKING sent to the importing node" test "$(stat "$TO" commandstats cmdstat_asking)" -ge 1
	fi
	check_true "$how: the events stream is on its new node" test "$(owner $EV)" = "$TO"
	check_true "$how: quarantined once, deleted" test "$(ccli xlen $QEV) $(ccli xlen $EV)" = "4 15"
	wait_until "$how: the cluster agrees again" cluster_ok
done

# --- a node killed in the middle of a cross-slot quarantine --------------------------------
count_in() { # count_in STREAM ID FIELD: entries of STREAM whose id (or field `id`) is ID
	ccli --json xrange "$1" - + | jq --arg i "$2" --arg f "$3" \
		'[.[] | select(if $f == "" then .[0] == $i else (.[1] as $x | [range(0; $x | length; 2) | select($x[.] == "id") | $x[. + 1]] | index($i)) != null end)] | length'
}
one_place() { # one_place SRC QUAR ID...
	_s=$1 _q=$2; shift 2
	for _id in "$@"; do
		_nd=$(( $(count_in "$_s" "$_id" "") + $(count_in "$_q" "$_id" id) ))
		[ "$_nd" = 1 ] || { echo "$_id: $(count_in "$_s" "$_id" "") in $_s, $(count_in "$_q" "$_id" id) in $_q" >&2; return 1; }
	done
}
node_var() { for _v in C1 C2 C3; do eval "[ \"\$$_v\" = \"$1\" ]" && { echo $_v; return; }; done; }
kill_node() { # kill_node PORT: SIGKILL, and wait until the port is free
	_v=$(node_var "$1"); eval "kill -9 \$${_v}_PID; wait \$${_v}_PID 2>/dev/null"
	_i=0
	while redis-cli -p "$1" ping >/dev/null 2>&1 && [ $_i -lt 200 ]; do _i=$((_i + 1)); sleep 0.05; done
}

# (1) the audits' node dies after the events batch and the audits copy, before its XDEL
cload redis_corrupt
SN=$(owner $AU)
check_true "kill 1: the events, the audits and their copies not all on one node" test \
	"$(owner $EV)" != "$SN" -a "$(owner $QEV)" != "$SN" -a "$(owner $QAU)" != "$SN"
JOURNAL=$TMP/journal.jsonl
redis-cli -p "$SN" client pause 30000 write >/dev/null
bg_run persistence recover --backend redis --redis-url "redis://127.0.0.1:$(owner $QAU)/0" \
	--mode quarantine --journal "$JOURNAL" --format json
wait_until "kill 1: the run waits on the audits' XDEL" blocked_on "$SN" xdel
check_true "kill 1: the audits entry is already copied" test "$(ccli xlen $QAU)" = 1
kill_node "$SN"
bg_wait
check_rc 69 "kill 1: the node's death is exit 69"
printf '%s' "$OUT" >"$TMP/kill1.json"
check_true "kill 1: the events batch applied, the audits one not, and said so" jq -e \
	'(.error.message | test("connection lost.*1 entry of papyra:local:audits is in papyra:local:quarantine:papyra_local_audits as well"))
	 and ([.actions[] | select(.applied) | .path] | unique) == ["papyra:local:events"]' "$TMP/kill1.json"
check_true "kill 1: the journal says partial, four applied" test \
	"$(tail -1 "$JOURNAL" | jq -c '[.status, .actions_applied]')" = '["partial",4]'
redis_respawn "$(node_var "$SN")" cluster_node
wait_until "kill 1: the node is back, the cluster ok" cluster_ok
check_true "kill 1: the AOF kept the audits entry and its copy" test "$(ccli xlen $AU) $(ccli xlen $QAU)" = "4 1"
run persistence recover --backend redis --redis-url "redis://127.0.0.1:$C2/0" --mode quarantine --journal "$JOURNAL"
check_rc 0 "kill 1: the rerun finishes"
check_true "kill 1: every bad event in exactly one place" one_place $EV $QEV $BAD_EV
check_true "kill 1: the bad audit in exactly one place (not copied twice)" one_place $AU $QAU 1767225600003-0
check_true "kill 1: the bad dead letter in exactly one place" one_place $DL $QDL 1767225600005-0
check_true "kill 1: 4 + 1 + 1 quarantined, the good entries kept" test \
	"$(ccli xlen $QEV) $(ccli xlen $QAU) $(ccli xlen $QDL) $(ccli xlen $EV) $(ccli xlen $AU) $(ccli xlen $DL)" = "4 1 1 15 3 6"
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$C1/0"
check_rc 0 "kill 1: healthy after the rerun"

# (2) the quarantine stream's node dies while the events' copies wait on it
cload redis_corrupt
QN=$(owner $QEV)
redis-cli -p "$QN" client pause 30000 write >/dev/null
bg_run persistence recover --backend redis --redis-url "redis://127.0.0.1:$(owner $EV)/0" --mode quarantine
wait_until "kill 2: the run waits on the copies" blocked_on "$QN" xadd
kill_node "$QN"
bg_wait
check_rc 69 "kill 2: exit 69"
check_true "kill 2: nothing deleted" test "$(ccli xlen $EV)" = 19
redis_respawn "$(node_var "$QN")" cluster_node
wait_until "kill 2: the node is back, the cluster ok" cluster_ok
run persistence recover --backend redis --redis-url "redis://127.0.0.1:$C3/0" --mode quarantine
check_rc 0 "kill 2: the rerun"
check_true "kill 2: every bad event in exactly one place" one_place $EV $QEV $BAD_EV
check_true "kill 2: 4 quarantined, 15 kept" test "$(ccli xlen $QEV) $(ccli xlen $EV)" = "4 15"

# --- a user that may not ask for the layout; db 1 ---------------------------------------
cload redis_corrupt
for n in $NODES; do redis-cli -p "$n" acl setuser ro on '>ropw' '~papyra:*' '+@read' >/dev/null; done
run persistence scan --backend redis --redis-url "redis://ro:ropw@127.0.0.1:$(owner $AU)/0"
check_rc 69 "no +cluster|slots: the key on another node is MOVED"
check_err "grant it +cluster|slots" "no +cluster|slots: said what to grant"
for n in $NODES; do redis-cli -p "$n" acl setuser ro '+cluster|slots' >/dev/null; done
run persistence scan --backend redis --redis-url "redis://ro:ropw@127.0.0.1:$(owner $AU)/0"
check_rc 2 "with +cluster|slots: the read-only user scans the cluster"
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$C1/1"
check_rc 69 "cluster: db 1"
check_err "a Redis Cluster has db 0 only" "cluster: db 1 explained"

# --- consumer groups: each lives with its stream's key, on that key's node --------------
cload redis_corrupt
ccli xgroup create $EV shippers 0 >/dev/null
ccli xreadgroup group shippers c1 count 17 streams $EV '>' >/dev/null
ccli xgroup create $DL archive 0 >/dev/null
ccli xreadgroup group archive c2 count 100 streams $DL '>' >/dev/null
for n in $NODES; do
	run persistence scan --backend redis --redis-url "redis://127.0.0.1:$n/0"
	check_out "Consumer group shippers on $EV: 1 consumer, 17 pending, lag 2" "groups through node $n"
	check_out "Consumer group archive on $DL: 1 consumer, 7 pending, lag 0" "dead letters' group through node $n"
done
run persistence recover --backend redis --redis-url "redis://127.0.0.1:$(owner $AU)/0" --mode quarantine \
	--ack-deleted --format json
check_rc 0 "cluster: quarantine --ack-deleted"
check_true "cluster: the pending entries named and acknowledged" test \
	"$(printf '%s' "$OUT" | jq -c '[.actions[] | select(.pending_in) | [.id, .pending_in, .acked]]')" = \
	'[["1767225600015-0",["shippers"],true],["1767225600016-0",["shippers"],true],["1767225600005-0",["archive"],true]]'
check_true "cluster: XPENDING shippers 15 left" test "$(ccli xpending $EV shippers | head -1)" = 15
check_true "cluster: XPENDING archive 6 left" test "$(ccli xpending $DL archive | head -1)" = 6

# --- a fleet: the pattern is matched by SCAN on every master ------------------------------
cload redis_corrupt
for s in c-1 c-2 c-3; do
	cluster_lines redis_clean | sed "s/^\"XADD\" \"papyra:local:/\"XADD\" \"papyra:$s:/" | ccli >/dev/null 2>&1
done
check_true "the fleet's streams live on more than one node" test \
	"$(for s in c-1 c-2 c-3 local; do owner papyra:$s:events; done | sort -u | wc -l)" -gt 1
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$C2/0" --system-id '*' --format json
check_rc 2 "cluster fleet: scan"
check_true "cluster fleet: every system, from every master" test \
	"$(printf '%s' "$OUT" | jq -c '[.systems[] | [.system_id, .exit_code]]')" = '[["c-1",0],["c-2",0],["c-3",0],["local",2]]'
run persistence recover --backend redis --redis-url "redis://127.0.0.1:$C3/0" --system-id '*' --mode quarantine
check_rc 0 "cluster fleet: quarantine"
check_out "Fleet: 4 systems matching '*': 4 healthy; exit 0" "cluster fleet: verified"
check_true "cluster fleet: local's bad events quarantined" test "$(ccli xlen $QEV) $(ccli xlen $EV)" = "4 15"
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$C1/0" --system-id 'c-[12]'
check_rc 0 "cluster fleet: a bracket pattern"
check_out "Fleet: 2 systems matching 'c-[12]': 2 healthy; exit 0" "cluster fleet: c-1 and c-2 only"
