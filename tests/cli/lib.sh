# Helpers for the black-box CLI tests; sourced by tests/cli/run.sh.
# Each t_*.sh runs in its own scratch directory $TMP with:
#   $PAPYRA  the binary under test     $FIX  tests/fixtures (absolute)
#   $ROOT    the repository root
# run ARGS...          runs $PAPYRA ARGS, sets $OUT $ERR $RC (no stdin)
# check_rc N NAME      exit code
# check_out S NAME     stdout contains S;  check_out_not S NAME
# check_err S NAME     stderr contains S
# check_golden F NAME  stdout equals the file F (PAPYRA_REGEN=1 rewrites it;
#                      quarantine timestamps are masked)
# check_same A B NAME  two files are byte-identical
# fixture CASE         copies tests/fixtures/CASE/data/. into $TMP/CASE, prints the dir
# Every --format json report that run/run_unpriv produce is kept in
# $REPORTS_DIR; run.sh validates them all against the schema at the end.

run() {
	"$PAPYRA" "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
	keep_json_report "$@"
}

# keep_json_report ARGS...: after a run with --format json (any case, also
# --format=json), copy its report — the --output file when the summary line
# says it was written there, else stdout — to $REPORTS_DIR with the command
# line beside it (.args).  No report: --output said "NOT written" (exit 74),
# or nothing on stdout (a command without --format, --help).
keep_json_report() {
	[ -n "${REPORTS_DIR:-}" ] || return 0
	_kr_fmt= _kr_out= _kr_prev=
	for _kr_a in "$@"; do
		case $_kr_prev in --format) _kr_fmt=$_kr_a ;; --output) _kr_out=$_kr_a ;; esac
		case $_kr_a in --format=*) _kr_fmt=${_kr_a#--format=} ;; --output=*) _kr_out=${_kr_a#--output=} ;; esac
		_kr_prev=$_kr_a
	done
	[ "$(printf '%s' "$_kr_fmt" | tr 'A-Z' 'a-z')" = json ] || return 0
	_kr_src=$TMP/.out
	case $OUT in
	*"report NOT written to "*) return 0 ;;
	*"report written to $_kr_out (exit "*) [ -n "$_kr_out" ] && [ "$_kr_out" != - ] && _kr_src=$_kr_out ;;
	esac
	[ -s "$_kr_src" ] || return 0
	_kr_f=$(mktemp --suffix=.json "$REPORTS_DIR/${T_FILE:-t}.XXXXXX") || return 0
	cp "$_kr_src" "$_kr_f"
	printf 'papyra %s\n' "$*" > "$_kr_f.args"
	return 0
}

# run_unpriv ARGS...  like run, but as an unprivileged user when we are root
#                     (permission checks cannot fail for root; CI runs as root)
run_unpriv() {
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$TMP"
		setpriv --reuid=65534 --regid=65534 --clear-groups "$PAPYRA" "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null
	else
		"$PAPYRA" "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null
	fi
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
	keep_json_report "$@"
}

ok() { T_PASS=$((T_PASS + 1)); }
ko() {
	T_FAIL=$((T_FAIL + 1))
	echo "  FAIL [$T_FILE] $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /' | head -20
	return 0
}

check_rc() {
	if [ "$RC" = "$1" ]; then ok; else ko "$2: exit $RC, expected $1" "stdout: $OUT
stderr: $ERR"; fi
}
check_out() {
	case "$OUT" in *"$1"*) ok ;; *) ko "$2: stdout lacks '$1'" "$OUT" ;; esac
}
check_out_not() {
	case "$OUT" in *"$1"*) ko "$2: stdout has '$1'" "$OUT" ;; *) ok ;; esac
}
check_err() {
	case "$ERR" in *"$1"*) ok ;; *) ko "$2: stderr lacks '$1'" "$ERR" ;; esac
}
check_golden() {
	# quarantine names carry the time of the run: compare them without it
	sed -i -E 's/\.quarantine\.[0-9]+/.quarantine.<ms>/g' "$TMP/.out"
	if [ "${PAPYRA_REGEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$ROOT/$1")"
		cp "$TMP/.out" "$ROOT/$1"
		ok
		return
	fi
	if cmp -s "$TMP/.out" "$ROOT/$1"; then ok; else
		ko "$2: stdout differs from $1" "$(diff "$ROOT/$1" "$TMP/.out" | head -20)"
	fi
}
# check_screen DUMP NAME: a console screen dump equals
# tests/screen/golden/NAME.txt (PAPYRA_REGEN=1 rewrites it on purpose)
check_screen() {
	_golden="tests/screen/golden/$2.txt"
	if [ "${PAPYRA_REGEN:-}" = 1 ]; then
		mkdir -p "$ROOT/tests/screen/golden"
		cp "$1" "$ROOT/$_golden"
		ok
	elif cmp -s "$1" "$ROOT/$_golden"; then
		ok
	else
		ko "screen $2 differs from $_golden" "$(diff "$ROOT/$_golden" "$1" 2>&1 | head -20)"
	fi
}
# console_run DIR SIZE LOC TZ KEYS ARGS...: `papyra console ARGS` in DIR on
# the in-process virtual screen (PAPYRA_TEST_SCREEN=1, ui/screen.h) with the
# key script KEYS; pinned TERM, NO_COLOR, size, locale and zone, so dumps do
# not depend on the machine.  Dumps go to $DUMP; with $EPOCH set the clock
# of quarantine names is fixed; with $SCREEN_STATE set it is the console's
# XDG_STATE_HOME (its default journal).  Sets RC, OUT, ERR.
console_run() {
	_cdir=$1 _csize=$2 _cloc=$3 _ctz=$4 _ckeys=$5
	shift 5
	rm -f "$DUMP"
	(cd "$_cdir" && env TERM=xterm-256color TZ="$_ctz" LC_ALL="$_cloc" NO_COLOR=1 PAPYRA_TEST_SCREEN=1 \
		PAPYRA_TEST_SIZE="$_csize" PAPYRA_TEST_KEYS="$_ckeys" PAPYRA_TEST_DUMP="$DUMP" \
		${EPOCH:+PAPYRA_TEST_EPOCH_MS=$EPOCH} ${SCREEN_STATE:+XDG_STATE_HOME=$SCREEN_STATE} \
		"$PAPYRA" console "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null)
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}
# dump_has TEXT NAME: the last console run's dumps show TEXT
dump_has() {
	if grep -qF -- "$1" "$DUMP"; then ok; else ko "$2: screen lacks '$1'" "$(tail -5 "$DUMP")"; fi
}
check_same() {
	if cmp -s "$1" "$2"; then ok; else ko "$3: $1 and $2 differ" "$(cmp "$1" "$2" 2>&1)"; fi
}
check_true() {
	# check_true NAME CMD... : passes when CMD succeeds
	_n=$1; shift
	if "$@" >/dev/null 2>"$TMP/.true_err"; then ok; else ko "$_n: '$*' failed" "$(cat "$TMP/.true_err")"; fi
}

fixture() {
	rm -rf "$TMP/$1"
	mkdir -p "$TMP/$1"
	cp -R "$FIX/$1/data/." "$TMP/$1/"
	chmod -R u+w "$TMP/$1"
	echo "$TMP/$1"
}

# consoles_stopped NAME: after a test's tmux sessions are killed, no
# console of $PAPYRA started in $TMP may still run.  Each is found by PID
# (its working directory under $TMP), given up to 3 s to leave on the
# hang-up, then killed and reported: one left spinning would hold a core
# for the rest of the run.
consoles_stopped() {
	_exe=$(readlink -f "$PAPYRA") _dir=$(readlink -f "$TMP")
	for _t in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
		_left=""
		for _p in /proc/[0-9]*; do
			[ "$(readlink "$_p/exe" 2>/dev/null)" = "$_exe" ] || continue
			case "$(readlink "$_p/cwd" 2>/dev/null)" in "$_dir"/*) _left="$_left ${_p#/proc/}" ;; esac
		done
		[ -z "$_left" ] && break
		sleep 0.1
	done
	if [ -z "$_left" ]; then ok; else
		kill -9 $_left 2>/dev/null
		ko "$1: console(s) still running 3 s after their terminal went away, killed:$_left"
	fi
}

# --- the console's hand-off to scripts (W) ---------------------------------
# handoff_shown: the command W put on the status line (the last one dumped)
handoff_shown() {
	sed -n 's/^ Same selection: //p' "$DUMP" | tail -1 | sed 's/  \[not expressible: .*//; s/ *$//'
}
# handoff_run DIR CMD [OUT]: the shown command, read by the shell (its
# quoting), run in DIR with this papyra; stdout in $TMP/.hout, exit code in
# HRC; with OUT, the stored lines its records name (handoff_lines) in OUT
handoff_run() {
	case $2 in
	"papyra inspect "*) ;;
	*) ko "W shows an inspect command" "$2"; return 1 ;;
	esac
	(cd "$1" && eval "\"\$PAPYRA\" ${2#papyra }") >"$TMP/.hout" 2>"$TMP/.herr"
	HRC=$?
	[ "$HRC" = 0 ] || ko "the shown command runs: $2" "$(cat "$TMP/.herr")"
	[ -z "${3:-}" ] || handoff_lines "$1" "$3"
}
# handoff_lines DIR OUT: the stored lines the --json records name (their
# "path" and "line", read in DIR), byte for byte, into OUT
handoff_lines() {
	(cd "$1" && /usr/bin/python3 -c '
import json, sys
out = sys.stdout.buffer
for rec in sys.stdin:
    r = json.loads(rec)
    with open(r["path"], "rb") as f:
        out.write(f.read().split(b"\n")[r["line"] - 1] + b"\n")
' <"$TMP/.hout" >"$2")
}
# handoff_keys FILE: each record of the NDJSON FILE (the command's --json
# output, or what w wrote) as "timestamp type" (event_type or message_type),
# to compare stores whose records name no file line (Redis)
handoff_keys() {
	/usr/bin/python3 -c '
import json, sys
for rec in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(rec)
    print(repr(float(r.get("timestamp"))), r.get("event_type") or r.get("message_type") or "-")
' "$1"
}
