# Scan pages sized by bytes as well as count (issue 10 item 7), against a
# real redis-server: 40 entries of 1 MB are read in pages of at most 32
# MiB (two XRANGE calls where a count of 1000 would be one), every entry
# is scanned once and a bad one among them is found at its position, with
# and without --scan-sample-size.  Memory is measured by make bench
# (bench/redis-bench.sh), never asserted here.

. "$ROOT/tests/cli/redis.sh"
redis_available || { return 0 2>/dev/null || exit 0; }

DL=papyra:local:dead_letters
rcli flushall >/dev/null
LC_ALL=C awk 'BEGIN {
	p = "x"; while (length(p) < 1000000) p = p p; p = substr(p, 1, 1000000)
	for (i = 1; i <= 40; i++) {
		d = i == 37 ? "{\"kind\": \"dead_letter\", \"payload\": \"" p "\"" : \
			"{\"kind\": \"dead_letter\", \"system_id\": \"local\", \"payload\": \"" p "\", \"timestamp\": 1767225600.5}"
		printf "*5\r\n$4\r\nXADD\r\n$25\r\n%s\r\n$%d\r\n%d-0\r\n$4\r\ndata\r\n$%d\r\n%s\r\n", "papyra:local:dead_letters", length(i "-0"), i, length(d), d
	} }' | rcli --pipe >"$TMP/load.txt" 2>&1
grep -q "errors: 0," "$TMP/load.txt" || ko "loading 40 entries of 1 MB" "$(cat "$TMP/load.txt")"

xrange_calls() { rcli info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p"; }

rcli config resetstat >/dev/null
run persistence scan $R --format json
check_rc 2 "big entries: the truncated one is found"
check_true "big entries: every entry scanned once" test "$(printf '%s' "$OUT" | jq '.scan.files[2].lines')" = 40
check_true "big entries: the bad one at its id" test \
	"$(printf '%s' "$OUT" | jq -c '[.scan.anomalies[] | .id]')" = '["37-0"]'
check_true "big entries: two pages of at most 32 MiB, not one of 40 MB ($(xrange_calls xrange) XRANGE)" \
	test "$(xrange_calls xrange)" = 2

rcli config resetstat >/dev/null
run persistence scan $R --scan-sample-size 35 --format json
check_rc 2 "sample of 35 big entries"
check_true "sample: the newest 35 scanned" test "$(printf '%s' "$OUT" | jq '.scan.files[2].lines')" = 35
check_true "sample: walked back in pages too ($(xrange_calls xrevrange) XREVRANGE)" test "$(xrange_calls xrevrange)" -ge 4

run persistence recover $R
check_rc 0 "big entries: repair"
check_true "big entries: 39 left" test "$(rcli xlen $DL)" = 39
