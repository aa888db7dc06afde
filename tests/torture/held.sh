# Torture cases with an application that holds the replaced file open past
# the drain (sourced by tests/torture/run.sh; SPEC §4: no appended line is
# ever lost; core/kept.h).
#
# held_case NAME RUNS BACKEND MODE
#   BACKEND json | rotating;  MODE repair | quarantine | compact (the second
#   run is then a recovery: it drains the kept file, or finishes the rotating
#   compaction, whose record keeps the old member)
# Each run seeds a store with 3 damaged lines and starts tests/torture/writer.c
# with --latch: its open that waits on the recovery's lease (the switch is
# slowed: each fsync by 300 ms with strace, so that one does; a slow exchange
# would widen the window for the rotations live_names_swap checks for)
# returns the replaced file, which it keeps open and writes to.  The recovery must say "applied, but"
# and name the kept file; the scanner must report it; once the writer has
# written 10 more records through its descriptor and closed it, a second
# recovery must drain them, remove the kept file and end healthy with every
# record written in the store exactly once.  Outcomes: "ok"; "missed" (the
# writer's open did not meet the lease: nothing proved, counted, and a
# failure when every run of a case misses); "FAIL:<why>".

HELD_SEED=300
HELD_CHUNK=4000
# the writer does not rotate during a run: the active file P, which holds
# the last damaged line, stays P and is the one repaired under the writer
HELD_MAXB=1000000
HELD_MAXF=50

held_run() {
	_name=$1 _backend=$2 _mode=$3
	_d=$WORK/held
	rm -rf "$_d"
	mkdir -p "$_d"
	(
		cd "$_d" || exit 1
		_bad=3 _expect=all _second=$_mode
		[ "$_mode" = compact ] && _bad=0 _expect=tail _second=repair
		if [ "$_backend" = rotating ]; then
			seed_rot p "$HELD_SEED" "$_bad" "$HELD_CHUNK"
			_opts="--backend rotating --path p --max-files $HELD_MAXF --max-bytes $HELD_MAXB"
			_wopts="--mode rotating --max-files $HELD_MAXF --max-bytes $HELD_MAXB"
			_watch=p
		else
			seed_json events.ndjson "$HELD_SEED" "$_bad"
			_opts="--path events.ndjson"
			_wopts=""
			_watch=events.ndjson
		fi
		_q=""
		[ "$_mode" = quarantine ] && _q="--quarantine-dir q"
		_size0=$(stat -c %s "$_watch")
		# shellcheck disable=SC2086
		"$TBIN/writer" --path "$_watch" --report w.rep --first $((HELD_SEED + 1)) $_wopts --latch go &
		_wpid=$!
		wait_growth "$_watch" "$_size0"
		# shellcheck disable=SC2086
		if [ "$_mode" = compact ]; then set -- compact --max-records 200; else set -- recover --mode "$_mode" $_q; fi
		strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=300000 \
			"$PAPYRA" persistence "$@" $_opts > out 2> err
		_rc=$?
		if ! grep -q '^held' w.rep 2>/dev/null; then
			kill -TERM "$_wpid"
			wait "$_wpid"
			tally "$_name" missed
			exit 0
		fi
		_why=""
		_said="applied, but .* is kept as"
		[ "$_mode$_backend" = compactrotating ] && _said="applied, but .* still open for writing"
		[ "$_rc" = 74 ] && grep -q "$_said" err ||
			_why="first run: exit $_rc, $(head -c 300 err)"
		# shellcheck disable=SC2086
		"$PAPYRA" persistence scan $_opts > scan.out 2>&1
		_src=$?
		_said="Replaced file a process kept writing"
		[ "$_mode$_backend" = compactrotating ] && _said="Interrupted compaction"
		[ -z "$_why" ] && { [ "$_src" = 2 ] && grep -q "$_said" scan.out; } ||
			_why="${_why:-the scan does not report the kept file (exit $_src): $(head -c 300 scan.out)}"
		touch go
		wait "$_wpid"
		read -r _first _last < w.rep
		# shellcheck disable=SC2086
		"$PAPYRA" persistence recover --mode "$_second" $_q $_opts > out2 2> err2
		_rc2=$?
		_said="drained [0-9]* lines"
		[ "$_mode$_backend" = compactrotating ] && _said="finish_compaction"
		[ -z "$_why" ] && { [ "$_rc2" = 0 ] && grep -q "$_said" out2; } ||
			_why="${_why:-second run: exit $_rc2, $(head -c 300 out2) $(head -c 300 err2)}"
		if [ "$_backend" = rotating ]; then _files=$(set_files p "$HELD_MAXF"); else _files=events.ndjson; fi
		# shellcheck disable=SC2086
		_v=$("$TBIN/check" --expect $_expect --last "$_last" --bad $_bad $_files) || _why="${_why:-check: $_v}"
		ls -A | grep -q 'papyra' && _why="${_why:-left behind: $(ls -A | grep papyra | head -3)}"
		if [ -z "$_why" ]; then
			tally "$_name" ok
		else
			tally "$_name" FAIL
			fail_note "$_name" "$_why"
			[ -n "${TORTURE_KEEP:-}" ] && cp -r "$_d" "$WORK/kept.$_name.$(rand 10000)"
		fi
	)
}

held_case() {
	_hname=$1 _runs=$2
	shift 2
	repeat "$_runs" held_run "$_hname" "$@"
	if ! grep -q "^$_hname ok$" "$WORK/tally"; then
		tally "$_hname" FAIL
		fail_note "$_hname" "the writer never held the replaced file in $_runs runs: nothing was proved"
	fi
}
