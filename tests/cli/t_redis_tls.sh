# TLS to Redis (rediss://, issue 10): certificates made here by openssl (a
# CA, a server certificate for localhost and 127.0.0.1, a client
# certificate, a CA that signed none of them); a real TLS-only
# redis-server; every command over it; the verification failures (exit 69
# with the reason), --redis-tls-insecure (said on stderr), client
# certificates when the server requires them, the options from the
# environment and a config file, and the misconfigurations (exit 64).

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

C=$TMP/tls
mkdir -p "$C"
# ssl: openssl quietly, failing the test when it fails
ssl() { openssl "$@" >>"$C/openssl.log" 2>&1 || ko "openssl $1" "$(tail -5 "$C/openssl.log")"; }
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
ssl req -x509 $EC -keyout "$C/ca.key" -out "$C/ca.crt" -days 2 -subj /CN=papyra-test-ca
ssl req -x509 $EC -keyout "$C/other.key" -out "$C/other.crt" -days 2 -subj /CN=papyra-other-ca
ssl req $EC -keyout "$C/server.key" -out "$C/server.csr" -subj /CN=localhost
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' > "$C/server.ext"
ssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/server.crt" -days 2 -extfile "$C/server.ext"
ssl req $EC -keyout "$C/client.key" -out "$C/client.csr" -subj /CN=papyra-client
printf 'extendedKeyUsage=clientAuth\n' > "$C/client.ext"
ssl x509 -req -in "$C/client.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
	-out "$C/client.crt" -days 2 -extfile "$C/client.ext"
cat "$C/client.crt" "$C/client.key" > "$C/client.pem"

# TLS only (no plain port), on 127.0.0.1 and 127.0.0.2 (an address the
# certificate does not name); client certificates optional for now
tls_server() {
	exec redis-server --port 0 --tls-port "$1" --bind 127.0.0.1 127.0.0.2 --save '' --appendonly no \
		--dir "$2" --tls-cert-file "$C/server.crt" --tls-key-file "$C/server.key" \
		--tls-ca-cert-file "$C/ca.crt" --tls-auth-clients optional
}
redis_spawn TPORT tls_server || { return 0 2>/dev/null || exit 0; }
PLAIN_PORT=$PORT
rcli() { redis-cli --tls --cacert "$C/ca.crt" --cert "$C/client.crt" --key "$C/client.key" -h 127.0.0.1 -p "$TPORT" "$@"; }
check_true "the TLS server answers redis-cli --tls" test "$(rcli ping)" = PONG

TURL=rediss://localhost:$TPORT/0
T="--backend redis --redis-url $TURL --redis-tls-ca $C/ca.crt"

# --- every command over TLS, verified against --redis-tls-ca ----------------------
redis_suite "TLS" $T
run persistence scan $T --format json
check_true "TLS: the location is the rediss URL" test "$(printf '%s' "$OUT" | jq -r .location)" = "$TURL"
run persistence scan --backend redis --redis-url "rediss://127.0.0.1:$TPORT/0" --redis-tls-ca "$C/ca.crt"
check_rc 0 "TLS by IP address: the certificate's IP subjectAltName matches"
PAPYRA_REDIS_TLS_CA=$C/ca.crt run persistence scan --backend redis --redis-url "$TURL"
check_rc 0 "PAPYRA_REDIS_TLS_CA"
printf '{"backend": "redis", "redis_url": "%s", "redis_tls_ca": "%s"}\n' "$TURL" "$C/ca.crt" > "$TMP/tls.json"
run persistence scan --config "$TMP/tls.json"
check_rc 0 "config key redis_tls_ca"

# --- a certificate that does not verify: 69 with the reason ----------------------
run persistence scan --backend redis --redis-url "$TURL"
check_rc 69 "no --redis-tls-ca: the test CA is not in the system store"
check_err "TLS handshake failed: certificate verify failed: self-signed certificate in certificate chain" "system store: reason"
check_err "--redis-tls-insecure skips the check" "system store: what to do"
run persistence scan --backend redis --redis-url "$TURL" --redis-tls-ca "$C/other.crt"
check_rc 69 "wrong CA"
check_err "certificate verify failed: self-signed certificate in certificate chain" "wrong CA: reason"
run doctor run --backend redis --redis-url "rediss://127.0.0.2:$TPORT/0" --redis-tls-ca "$C/ca.crt"
check_rc 69 "an address the certificate does not name"
check_err "certificate verify failed: IP address mismatch" "wrong address: reason"
run persistence scan --backend redis --redis-url "rediss://127.0.0.1:$TPORT/0" --redis-tls-ca "$C/other.crt" --format json
check_rc 69 "wrong CA, json"
check_true "wrong CA: the JSON report says why" test \
	"$(printf '%s' "$OUT" | jq -r '.error.message | test("certificate verify failed")')" = true

# --- --redis-tls-insecure: works, and says so every run ---------------------------------
load redis_corrupt
run persistence scan --backend redis --redis-url "rediss://127.0.0.2:$TPORT/0" --redis-tls-insecure
check_rc 2 "--redis-tls-insecure connects to a certificate that does not verify"
check_err "papyra: warning: --redis-tls-insecure: the Redis server's TLS certificate is NOT verified" "insecure: said"
PAPYRA_REDIS_TLS_INSECURE=yes run persistence scan --backend redis --redis-url "$TURL"
check_rc 2 "PAPYRA_REDIS_TLS_INSECURE=yes"
check_err "is NOT verified" "insecure from the environment: said"
printf '{"backend": "redis", "redis_url": "%s", "redis_tls_insecure": true}\n' "$TURL" > "$TMP/insecure.json"
run persistence scan --config "$TMP/insecure.json"
check_rc 2 "config key redis_tls_insecure: true"
check_err "is NOT verified" "insecure from a config file: said"
PAPYRA_REDIS_TLS_INSECURE=maybe run persistence scan --backend redis --redis-url "$TURL"
check_rc 64 "PAPYRA_REDIS_TLS_INSECURE=maybe is not a boolean"
run persistence scan --backend redis --redis-url "$TURL" --redis-tls-insecure=1
check_rc 64 "--redis-tls-insecure takes no value"

# --- misconfigurations: 64, before any connection ------------------------------------
run persistence scan --backend redis --redis-url "redis://127.0.0.1:$PLAIN_PORT/0" --redis-tls-ca "$C/ca.crt"
check_rc 64 "TLS options with a plain URL"
check_err "need a TLS URL" "TLS options with a plain URL: said"
run persistence scan $T --redis-tls-ca "$C/nope.crt" 2>/dev/null
check_rc 64 "--redis-tls-ca given twice"
run persistence scan --backend redis --redis-url "$TURL" --redis-tls-ca "$C/nope.crt"
check_rc 64 "a missing CA file"
check_err "--redis-tls-ca $C/nope.crt: No such file or directory" "missing CA file: said"
run persistence scan --backend redis --redis-url "$TURL" --redis-tls-ca "$C"
check_rc 64 "a directory as the CA file"
run persistence scan $T --redis-tls-key "$C/client.key"
check_rc 64 "a key without a certificate"
run persistence scan $T --redis-tls-cert "$C/client.crt" --redis-tls-key "$C/other.key"
check_rc 64 "a key that does not match the certificate"
check_err "does not match the certificate" "mismatched key: said"
run persistence scan $T --redis-tls-cert "$C/ca.key"
check_rc 64 "a certificate file that holds no certificate"

# --- the server requires client certificates ------------------------------------------
rcli config set tls-auth-clients yes >/dev/null
load redis_corrupt
run persistence scan $T
check_rc 69 "no client certificate, the server requires one"
check_err "does the server require a client certificate? --redis-tls-cert FILE" "no client certificate: said"
run persistence scan $T --redis-tls-cert "$C/client.crt" --redis-tls-key "$C/client.key"
check_rc 2 "with a client certificate"
run persistence scan $T --redis-tls-cert "$C/client.pem"
check_rc 2 "certificate and key in one PEM file"
PAPYRA_REDIS_TLS_CERT=$C/client.crt PAPYRA_REDIS_TLS_KEY=$C/client.key run persistence recover $T
check_rc 0 "PAPYRA_REDIS_TLS_CERT / _KEY: recover over TLS with a client certificate"
run persistence scan $T --redis-tls-cert "$C/other.crt" --redis-tls-key "$C/other.key"
check_rc 69 "a client certificate the server's CA did not sign"
rcli config set tls-auth-clients optional >/dev/null

# --- the deadline covers the TLS handshake ------------------------------------------------
kill -STOP "$TPORT_PID"
run persistence scan $T --redis-timeout 1
kill -CONT "$TPORT_PID"
check_rc 69 "a TLS server that does not answer the handshake"
check_err "TLS handshake timed out" "handshake deadline: said"
check_true "the server still answers afterwards" test "$(rcli ping)" = PONG

# --- a Sentinel over TLS (rediss-sentinel://): TLS to the sentinel and the master ----------
# (the sentinel reaches the master over TLS too, with its certificate as a client's)
tls_sentinel() {
	cat > "$2/sentinel.conf" <<CONF
port 0
tls-port $1
bind 127.0.0.1
dir $2
tls-cert-file $C/server.crt
tls-key-file $C/server.key
tls-ca-cert-file $C/ca.crt
tls-auth-clients optional
tls-replication yes
sentinel monitor mymaster 127.0.0.1 $TPORT 1
sentinel down-after-milliseconds mymaster 60000
CONF
	exec redis-server "$2/sentinel.conf" --sentinel
}
if redis_spawn TSPORT tls_sentinel; then
	redis_suite "TLS Sentinel" --backend redis --redis-url "rediss-sentinel://localhost:$TSPORT/mymaster" \
		--redis-tls-ca "$C/ca.crt"
	run persistence scan --backend redis --redis-url "rediss-sentinel://localhost:$TSPORT/mymaster" \
		--redis-tls-ca "$C/other.crt"
	check_rc 69 "TLS Sentinel: a sentinel whose certificate does not verify"
	check_err "sentinel localhost:$TSPORT: TLS handshake failed: certificate verify failed" "TLS Sentinel: said"
fi

redis_stop
check_true "the TLS server stopped" sh -c "! kill -0 $TPORT_PID 2>/dev/null"
