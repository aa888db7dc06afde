# Redis Cluster over TLS (issue 10): three TLS-only masters (no plain
# port; the cluster bus over TLS too), a certificate for 127.0.0.1 made
# here by openssl.  The nodes papyra reaches through the slot map are
# opened with the URL's TLS settings and password: scan, quarantine across
# slots (three nodes involved) and compact, through one node.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

C=$TMP/tls
mkdir -p "$C"
ssl() { openssl "$@" >>"$C/openssl.log" 2>&1 || ko "openssl $1" "$(tail -5 "$C/openssl.log")"; }
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
ssl req -x509 $EC -keyout "$C/ca.key" -out "$C/ca.crt" -days 2 -subj /CN=papyra-test-ca
ssl req $EC -keyout "$C/node.key" -out "$C/node.csr" -subj /CN=localhost
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$C/node.ext"
ssl x509 -req -in "$C/node.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/node.crt" -days 2 -extfile "$C/node.ext"

PW=cluster-secret
tls_node() {
	exec redis-server --port 0 --tls-port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$2" \
		--tls-cert-file "$C/node.crt" --tls-key-file "$C/node.key" --tls-ca-cert-file "$C/ca.crt" \
		--tls-auth-clients no --tls-cluster yes --requirepass "$PW" --masterauth "$PW" \
		--cluster-enabled yes --cluster-config-file "$2/nodes.conf"
}
redis_spawn T1 tls_node && redis_spawn T2 tls_node && redis_spawn T3 tls_node ||
	{ return 0 2>/dev/null || exit 0; }
tcli() { redis-cli --tls --cacert "$C/ca.crt" -a "$PW" --no-auth-warning -h 127.0.0.1 "$@"; }
tcli -p "$T1" --cluster create 127.0.0.1:$T1 127.0.0.1:$T2 127.0.0.1:$T3 --cluster-replicas 0 \
	--cluster-yes >"$TMP/create.log" 2>&1
tls_ok() {
	for _nd in $T1 $T2 $T3; do
		tcli -p "$_nd" cluster info 2>/dev/null | tr -d '\r' | grep -q '^cluster_state:ok' || return 1
	done
}
_i=0
while ! tls_ok && [ $_i -lt 400 ]; do _i=$((_i + 1)); sleep 0.05; done
check_true "a TLS-only 3-master cluster" tls_ok

# the redis_suite seeding, through the TLS cluster
load() {
	for _nd in $T1 $T2 $T3; do tcli -p "$_nd" flushall >/dev/null; done
	cluster_lines "$1" | tcli -c -p "$T1" >"$TMP/load.txt" 2>&1
	grep -v -e '^[0-9]*-[0-9]*$' -e '^-> Redirected' "$TMP/load.txt" | grep -q . &&
		ko "loading $1 through the TLS cluster" "$(cat "$TMP/load.txt")"
	return 0
}
rcli() { tcli -c -p "$T1" "$@"; }
check_true "the streams are in different hash slots" test \
	"$(for k in events audits dead_letters; do tcli -p "$T1" cluster keyslot papyra:local:$k; done | sort -u | wc -l)" = 3

TU="--backend redis --redis-url rediss://:$PW@127.0.0.1:$T2/0 --redis-tls-ca $C/ca.crt"
redis_suite "TLS cluster" $TU
run persistence scan --backend redis --redis-url "rediss://127.0.0.1:$T2/0" --redis-tls-ca "$C/ca.crt"
check_rc 69 "TLS cluster without the password"
check_err "NOAUTH" "TLS cluster without the password: NOAUTH said"
