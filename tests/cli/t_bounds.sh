# Bounded everything (issue 8 item 6, SPEC §6 and §8): one number parser
# for flags, environment and config files; a Redis deadline that a server
# sending one byte every few seconds cannot stretch; a refused password is
# 69 for every command.
printf '{"kind": "event", "system_id": "local", "actor_address": "local:1", "event_type": "ActorStarted", "payload": {}, "timestamp": 1700000000.5}\n' >e.ndjson

# -- numbers: the same rule wherever they come from
PAPYRA_MAX_AGE_SECONDS=0x10 run inspect events --path e.ndjson
check_rc 64 "hex in PAPYRA_MAX_AGE_SECONDS"
check_err "PAPYRA_MAX_AGE_SECONDS: '0x10' is not a decimal number" "hex env message"
run inspect events --path e.ndjson --max-age-seconds 0x10
check_rc 64 "hex in --max-age-seconds"
run inspect events --path e.ndjson --max-records 0x10
check_rc 64 "hex in --max-records"
PAPYRA_MAX_AGE_SECONDS=inf run inspect events --path e.ndjson
check_rc 64 "inf in PAPYRA_MAX_AGE_SECONDS"
PAPYRA_MAX_AGE_SECONDS=nan run inspect events --path e.ndjson
check_rc 64 "nan in PAPYRA_MAX_AGE_SECONDS"
PAPYRA_MAX_RECORDS=' 5' run inspect events --path e.ndjson
check_rc 64 "leading whitespace in PAPYRA_MAX_RECORDS"
run inspect events --path e.ndjson --limit +3
check_rc 64 "leading + in --limit"
run inspect events --path e.ndjson --limit 9223372036854775808
check_rc 64 "--limit beyond int64"
check_err "is out of range" "overflow message"
run inspect events --path e.ndjson --since 1e400
check_rc 64 "--since beyond double"
run inspect events --path e.ndjson --max-records 2.5
check_rc 64 "fraction in --max-records"
check_err "is not a whole number" "fraction message"
run inspect events --path e.ndjson --max-age-seconds 1e9
check_rc 0 "an exponent is decimal"
check_out "ActorStarted" "exponent age keeps the record"

echo '{"max_records": 1e99}' >big.json
run inspect events --path e.ndjson --config big.json
check_rc 64 "1e99 max_records in a config file"
check_err "config file key max_records: '1e+99' is not a whole number" "1e99 message"
echo '{"max_records": -1e300, "max_files": 3}' >neg.json
run inspect events --path e.ndjson --config neg.json
check_rc 64 "-1e300 max_records in a config file"
echo '{"max_records": 1.5}' >frac.json
run inspect events --path e.ndjson --config frac.json
check_rc 64 "1.5 max_records in a config file"
echo '{"max_records": 1, "max_age_seconds": 1e99}' >ok.json
run inspect events --path e.ndjson --config ok.json
check_rc 0 "whole and huge-but-finite numbers in a config file"
check_out "ActorStarted" "config numbers applied"
echo '{"redis_timeout": 0}' >rt.json
run persistence scan --path e.ndjson --config rt.json
check_rc 64 "redis_timeout 0 in a config file"
PAPYRA_REDIS_TIMEOUT=abc run persistence scan --path e.ndjson
check_rc 64 "PAPYRA_REDIS_TIMEOUT not a number"
run persistence scan --path e.ndjson --redis-timeout 86401
check_rc 64 "--redis-timeout beyond a day"

# -- a server that answers one byte at a time, slowly: the deadline holds.
# tools/dribble.py prints its port, sends a byte every 2 s, and exits by
# itself after 40 s; we stop it as soon as we are done.
python3 "$ROOT/tests/cli/tools/dribble.py" 2 40 >port.txt &
DRIBBLE=$!
i=0
while [ ! -s port.txt ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
DPORT=$(cat port.txt)
if [ -z "$DPORT" ]; then
	ko "dribble server did not start (python3: sh tests/deps.sh)"
else
	run persistence scan --backend redis --redis-url "redis://127.0.0.1:$DPORT/0" --redis-timeout 1
	check_rc 69 "dribbling server: --redis-timeout 1"
	check_err "Redis at redis://127.0.0.1:$DPORT/0 timed out after 1 s" "timeout message"
	case "$ERR" in *"temporarily unavailable"*) ko "timeout says EAGAIN" "$ERR" ;; *) ok ;; esac
	PAPYRA_REDIS_TIMEOUT=0.5 run inspect events --backend redis --redis-url "redis://127.0.0.1:$DPORT/0"
	check_rc 69 "dribbling server: PAPYRA_REDIS_TIMEOUT"
	check_err "timed out after 0.5 s" "env timeout message"
	echo '{"redis_timeout": 0.5}' >rt.json
	run persistence inspect --backend redis --redis-url "redis://127.0.0.1:$DPORT/0" --config rt.json
	check_rc 69 "dribbling server: redis_timeout in a config file"
	check_err "timed out after 0.5 s" "config timeout message"
fi
kill "$DRIBBLE" 2>/dev/null
wait "$DRIBBLE" 2>/dev/null

# -- refused credentials: 69 for every command, the password hidden
. "$ROOT/tests/cli/redis.sh"
if redis_available; then
	rcli config set requirepass sekret >/dev/null
	BAD="--backend redis --redis-url redis://:wrong@127.0.0.1:$PORT/0"
	for cmd in "inspect events" "inspect audits" "inspect dead-letters" "inspect summary" \
		"persistence inspect" "persistence scan" "metrics persistence" "doctor run"; do
		run $cmd $BAD
		check_rc 69 "refused password: $cmd"
		check_err "redis://:***@127.0.0.1:$PORT/0 refused the credentials" "refused password message: $cmd"
	done
	rcli -a sekret config set requirepass '' >/dev/null 2>&1
fi

# -- names at NAME_MAX: a 247-character data file is repairable; its temp
# name is shortened (".<first 215 bytes>~<FNV-1a 64 hex>.papyra-tmp-<pid>")
# and a leftover one is still found and removed.
LONG=$(awk 'BEGIN { for (i = 0; i < 240; i++) printf "e"; print ".ndjson" }')
[ ${#LONG} = 247 ] && ok || ko "test set-up: a 247-character name" "${#LONG}"
mkdir ln
printf '%s\nbad\n' '{"kind": "event", "timestamp": 1}' >"ln/$LONG"
run persistence recover --path "ln/$LONG"
check_rc 0 "repair of a 247-character file name"
check_out "Verification scan: persistence is healthy" "long name verified"
printf 'bad\n' >>"ln/$LONG"
run persistence recover --path "ln/$LONG" --mode quarantine --quarantine-dir lq
check_rc 0 "quarantine of a 247-character file name"
[ "$(ls lq | wc -l)" = 1 ] && ok || ko "long name: one quarantine copy" "$(ls lq)"
STEM=$(python3 -c '
import sys
n = sys.argv[1].encode()
h = 14695981039346656037
for b in n:
    h = ((h ^ b) * 1099511628211) % (1 << 64)
print(n[:215].decode() + "~%016x" % h)' "$LONG")
printf 'partial' >"ln/.$STEM.papyra-tmp-999999"
run persistence scan --path "ln/$LONG"
check_rc 2 "leftover temp of a long name is seen"
check_out "UNEXPECTED_FILE: ln/.$STEM.papyra-tmp-999999 (Leftover temporary file" "long-name leftover reported"
run persistence recover --path "ln/$LONG"
check_rc 0 "leftover temp of a long name removed"
[ ! -e "ln/.$STEM.papyra-tmp-999999" ] && ok || ko "long-name leftover still there"
mkdir lr
printf '%s\n' '{"kind": "event", "timestamp": 1}' >"lr/$LONG"
printf '%s\n' '{"kind": "event", "timestamp": 0}' >"lr/$LONG.1"
STEM1=$(python3 -c '
import sys
n = sys.argv[1].encode()
h = 14695981039346656037
for b in n:
    h = ((h ^ b) * 1099511628211) % (1 << 64)
print(n[:215].decode() + "~%016x" % h)' "$LONG.1")
printf 'partial' >"lr/.$STEM1.papyra-tmp-999999"
run persistence scan --backend rotating --path "lr/$LONG" --max-files 3
check_rc 2 "rotating: leftover temp of a long member name is seen"
check_out "UNEXPECTED_FILE: lr/.$STEM1.papyra-tmp-999999" "rotating long-name leftover reported"
check_out_not "ORPHANED_ROTATED_FILE" "the leftover is not an orphan"
run persistence recover --backend rotating --path "lr/$LONG" --max-files 3
check_rc 0 "rotating: long-name leftover removed"
[ ! -e "lr/.$STEM1.papyra-tmp-999999" ] && ok || ko "rotating long-name leftover still there"
