# Torture cases with a live writer (sourced by tests/torture/run.sh).
#
# live_case NAME RUNS BACKEND OP [WRITER OPTIONS...]
#   BACKEND json | rotating;  OP repair | quarantine | compact
# Each run seeds a fresh store (500 records; for recovery 3 corrupted lines
# among them), starts tests/torture/writer.c on it, runs the operation while
# the writer appends (and, on a rotating set, rotates), stops the writer and
# checks with tests/torture/check.c that every record written is in the
# store exactly once (for compaction: the newest ones, without a hole), and
# after a quarantine that each corrupted line is in the quarantine copies
# exactly once.  Outcomes: "ok" (exit 0, nothing lost), "refused:RC" (the
# operation said no, nothing lost), "LOST" (exit 0 yet lines lost or
# duplicated: a failure), "refused+LOST:RC" (a failure).

LIVE_SEED=500
LIVE_MAXB=4000
LIVE_MAXF=50

live_run() {
	_name=$1 _backend=$2 _op=$3
	shift 3
	_d=$WORK/live
	rm -rf "$_d"
	mkdir -p "$_d"
	(
		cd "$_d" || exit 1
		_bad=3
		[ "$_op" = compact ] && _bad=0
		if [ "$_backend" = rotating ]; then
			seed_rot p "$LIVE_SEED" "$_bad" "$LIVE_MAXB"
			_opts="--backend rotating --path p --max-files $LIVE_MAXF --max-bytes $LIVE_MAXB"
			_wopts="--mode rotating --max-files $LIVE_MAXF --max-bytes $LIVE_MAXB"
			_watch=p
		else
			seed_json events.ndjson "$LIVE_SEED" "$_bad"
			_opts="--path events.ndjson"
			_wopts=""
			_watch=events.ndjson
		fi
		_size0=$(stat -c %s "$_watch")
		# shellcheck disable=SC2086
		"$TBIN/writer" --path "$_watch" --report w.rep --first $((LIVE_SEED + 1)) $_wopts "$@" &
		_wpid=$!
		wait_growth "$_watch" "$_size0"
		case $_op in
		repair) set -- persistence recover --mode repair $_opts ;;
		quarantine) set -- persistence recover --mode quarantine --quarantine-dir q $_opts ;;
		compact) set -- persistence compact --max-records 300 $_opts ;;
		esac
		"$PAPYRA" "$@" > out 2> err
		_rc=$?
		sleep 0.0$(rand 3)
		kill -TERM "$_wpid"
		wait "$_wpid"
		read -r _first _last < w.rep
		if [ "$_first" = error ]; then
			tally "$_name" "WRITER-ERROR"
			fail_note "$_name" "writer: $(cat w.rep)"
			exit 0
		fi
		if [ "$_backend" = rotating ]; then _files=$(set_files p "$LIVE_MAXF"); else _files=events.ndjson; fi
		_expect=all
		[ "$_op" = compact ] && _expect=tail
		_q=""
		if [ "$_rc" = 0 ] && [ "$_op" = quarantine ]; then
			for f in q/*; do [ -f "$f" ] && _q="$_q --quarantine $f"; done
		fi
		_b=0
		[ "$_rc" = 0 ] && _b=$_bad
		# shellcheck disable=SC2086
		_verdict=$("$TBIN/check" --expect $_expect --last "$_last" --bad $_b $_q $_files)
		_ok=$?
		if [ "$_rc" = 0 ] && [ $_ok = 0 ]; then
			tally "$_name" ok
		elif [ $_ok = 0 ]; then
			tally "$_name" "refused:$_rc"
			echo "$_name rc=$_rc $(head -c 300 err)" >> "$WORK/refusals"
		else
			if [ "$_rc" = 0 ]; then tally "$_name" LOST; else tally "$_name" "refused+LOST:$_rc"; fi
			fail_note "$_name" "exit $_rc: $_verdict; stderr: $(head -c 300 err)"
			[ -n "${TORTURE_KEEP:-}" ] && cp -r "$_d" "$WORK/kept.$_name.$(rand 10000)"
		fi
		grep -h "caught up" out err 2>/dev/null | sed -n 's/.*caught up \([0-9]*\).*/\1/p' | head -1 >> "$WORK/caught.$_name"
	)
}

live_case() {
	_lname=$1 _runs=$2
	shift 2
	repeat "$_runs" live_run "$_lname" "$@"
}
