# Helpers shared by the torture cases (sourced by tests/torture/run.sh).
#   $PAPYRA  the binary under test      $TBIN  directory with writer and check
#   $WORK    a scratch directory        tally CASE OUTCOME  counts one run

# rand N: a number in 0..N-1
rand() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{ print $1 % n }'; }

# seed_lines FIRST LAST BAD: NDJSON records seq FIRST..LAST, with BAD
# corrupted lines ("BAD-k" markers) spread through the middle, the last of
# them after the last record (in the active file of a rotating set, where
# the writer appends after it)
seed_lines() {
	awk -v a="$1" -v b="$2" -v bad="$3" 'BEGIN {
		step = int((b - a + 1) / (bad + 1)); k = 0
		for (i = a; i <= b; i++) {
			printf "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": \"local:%d\", \"event_type\": \"ActorStarted\", \"payload\": {\"seq\": %d, \"pad\": \"%s\"}, \"timestamp\": %d.5}\n", i % 7, i, substr("........................................", 1, i % 40), 1700000000 + i
			# the last one at the very end: in the active file of a rotating set
			if (bad > k && step > 0 && ((k < bad - 1 && (i - a + 1) % step == 0) || (k == bad - 1 && i == b))) { k++; printf "{\"kind\": \"event\", \"BAD-%d\": tru\n", k }
		}
	}'
}

# seed_json FILE LAST BAD: a single-file store
seed_json() { seed_lines 1 "$2" "$3" > "$1"; }

# seed_rot P LAST BAD MAXBYTES: a rotating set, chunked oldest first the way
# the writer fills it (P.k ... P.1, then P)
seed_rot() {
	seed_lines 1 "$2" "$3" | awk -v p="$1" -v max="$4" '
		{ line[NR] = $0; n = NR }
		END {
			c = 0; size = 0
			for (i = 1; i <= n; i++) {
				l = length(line[i]) + 1
				if (size > 0 && size + l > max) { c++; size = 0 }
				chunk[i] = c; size += l
			}
			for (i = 1; i <= n; i++) {
				k = c - chunk[i]
				f = k ? p "." k : p
				print line[i] > f
			}
		}'
}

# set_files P F: the members of P's set that exist, oldest first
set_files() {
	_i=$(($2 - 1))
	while [ "$_i" -ge 1 ]; do
		[ -e "$1.$_i" ] && printf '%s\n' "$1.$_i"
		_i=$((_i - 1))
	done
	[ -e "$1" ] && printf '%s\n' "$1"
}

# wait_growth FILE [SIZE]: until FILE holds more than SIZE bytes (default
# 0: it exists and is non-empty), at most ~5 s (the writer started)
wait_growth() {
	_n=0
	while [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -le "${2:-0}" ] && [ "$_n" -lt 500 ]; do
		sleep 0.01
		_n=$((_n + 1))
	done
}

# repeat N CMD...: run CMD N times
repeat() {
	_rn=$1 _ri=0
	shift
	while [ "$_ri" -lt "$_rn" ]; do
		"$@"
		_ri=$((_ri + 1))
	done
}
# tally CASE OUTCOME: one run of CASE ended as OUTCOME
tally() { echo "$1 $2" >> "$WORK/tally"; }

# fail_note CASE TEXT: remember why a run failed
fail_note() { echo "  FAIL [$1] $2" | tee -a "$WORK/failures" >&2; }
