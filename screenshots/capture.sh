#!/bin/sh
# Screenshots of `papyra console` on the demo incident, taken from a real
# terminal: tmux provides it (private server, 120x36, xterm-256color, UTC,
# C.UTF-8).  The walk is the one an operator takes: first screen, timeline,
# dead letters, audits, anomalies, the corrupted line, the raw view around
# it, the recovery plan and its confirmation (cancelled: nothing is
# applied), the help.  Each screen is kept as it was captured, colours
# included (NN-name.ans, `tmux capture-pane -e -p -N`), and drawn as an SVG
# picture by ansi2svg.awk (NN-name.svg).
#
#   sh screenshots/capture.sh build/papyra        (what `make screenshots` runs)
#
# The demo file is copied to a scratch directory first; examples/ is only
# read.  The console runs with a clean environment (no PAPYRA_* variables,
# no config file, a scratch HOME and XDG_STATE_HOME), so the pictures do not
# depend on who takes them.  Between keys the script waits for the screen
# to show what the scene needs and then to stop changing (polled, bounded),
# never for a fixed time.  The tmux server is killed at the end, also on
# failure.  New pictures replace the old ones only when all of them were
# taken and every SVG is well-formed.

set -u

die() {
	echo "capture.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: sh screenshots/capture.sh PAPYRA_BINARY"
command -v tmux >/dev/null 2>&1 || die "tmux is not installed (tests/deps.sh installs it)"

HERE=$(cd "$(dirname "$0")" && pwd) || die "cannot find the screenshots directory"
ROOT=$(dirname "$HERE")
INCIDENT=$ROOT/examples/incident/events.ndjson
case $1 in
/*) BIN=$1 ;;
*) BIN=$(pwd)/$1 ;;
esac
[ -x "$BIN" ] || die "$1: not an executable (run make first)"
[ -f "$INCIDENT" ] || die "$INCIDENT: missing"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/papyra-shots.XXXXXX") || die "mktemp failed"
case $BIN$SCRATCH in
*\'*) rm -rf "$SCRATCH"; die "paths with a single quote are not supported" ;;
esac

TM="tmux -L papyra-shots-$$ -f /dev/null"
T=shots
# tmux leaves its socket behind after kill-server: removed too
SOCK=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/papyra-shots-$$
cleanup() {
	$TM kill-server >/dev/null 2>&1
	[ -S "$SOCK" ] && rm -f "$SOCK"
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir "$SCRATCH/work" "$SCRATCH/home" "$SCRATCH/state" "$SCRATCH/out" || die "cannot make $SCRATCH"
cp "$INCIDENT" "$SCRATCH/work/events.ndjson" || die "cannot copy the demo incident"

COLS=120
ROWS=36

# The status line is off so the pane is the whole 120x36 window.
$TM start-server \; set-option -g status off \; \
	new-session -d -s $T -x $COLS -y $ROWS \
	"cd '$SCRATCH/work' && exec env -i PATH=/usr/local/bin:/usr/bin:/bin \
HOME='$SCRATCH/home' XDG_STATE_HOME='$SCRATCH/state' \
TERM=xterm-256color TZ=UTC LC_ALL=C.UTF-8 '$BIN' console --path events.ndjson" ||
	die "tmux could not start the console"

SIZE=$($TM display-message -p -t $T '#{pane_width}x#{pane_height}' 2>/dev/null)
[ "$SIZE" = "${COLS}x$ROWS" ] || die "the pane is '$SIZE', not ${COLS}x$ROWS"

# snap: the screen with its colours; -N keeps the cells at the end of a line
# that only an attribute makes visible (a reversed bar ending in spaces)
snap() {
	$TM capture-pane -e -p -N -t $T 2>/dev/null
}

# settle WHAT TEXT...: wait (at most ~10 s) until the screen shows every
# TEXT (a TEXT starting with ! must be gone instead), then (at most ~5 s
# more) until it stays the same over three polls 0.1 s apart.  Fails,
# showing the screen, when either does not happen.
settle() {
	_what=$1
	shift
	_i=0
	while :; do
		_pane=$($TM capture-pane -p -t $T 2>/dev/null) ||
			die "$_what: the console is gone (tmux pane closed)"
		_all=1
		for _t in "$@"; do
			case $_t in
			!*) case $_pane in *"${_t#!}"*) _all=0; break ;; esac ;;
			*) case $_pane in *"$_t"*) ;; *) _all=0; break ;; esac ;;
			esac
		done
		[ $_all = 1 ] && break
		_i=$((_i + 1))
		if [ $_i -ge 100 ]; then
			printf '%s\n' "$_pane" >&2
			die "$_what: the screen never matched '$_t'"
		fi
		sleep 0.1
	done
	_prev=$(snap)
	_same=0
	_i=0
	while [ $_same -lt 2 ]; do
		sleep 0.1
		_cur=$(snap)
		if [ "$_cur" = "$_prev" ]; then
			_same=$((_same + 1))
		else
			_same=0
			_prev=$_cur
		fi
		_i=$((_i + 1))
		[ $_i -ge 50 ] && die "$_what: the screen kept changing for 5 s"
	done
}

# key KEY...: send keys as the terminal would (tmux key names: Enter, Escape)
key() {
	$TM send-keys -t $T "$@" || die "tmux send-keys $* failed"
}

SHOTS=""
NSHOTS=0
# shot NN-name CAPTION: the settled screen into $SCRATCH/out/NN-name.ans;
# CAPTION goes in the window bar of the picture
shot() {
	snap >"$SCRATCH/out/$1.ans" || die "$1: capture failed"
	printf "%s\n" "$2" >"$SCRATCH/out/$1.title"
	[ -s "$SCRATCH/out/$1.ans" ] || die "$1: empty capture"
	SHOTS="$SHOTS $1"
	NSHOTS=$((NSHOTS + 1))
	echo "capture.sh: $1"
}

# (a) the first screen: header (file, health, counts), the Events view
settle "first screen" "2 ANOMALIES" "events 1394" "ActorStarted" "local:1 "
shot 01-events "the first screen: header and Events"

# from here on times in UTC (the first screen shows the default, epoch)
key t
settle "time display" "time: UTC"

# (b) the timeline: events per 2-minute bucket, the crash storm 09:40-09:46
key 7
settle "timeline" "BUCKET START" "09:42:00.000" "✖47"
shot 02-timeline "Timeline: the crash storm"

# (c) dead letters grouped by target: local:42 first
key 3
settle "dead letters" "Grouped by target and message type" "919  local:42"
shot 03-dead-letters "Dead letters, grouped by target"

# (d) the audits with their trend chart: dead letters taking off at the end
key 2
settle "audits" "Trend over 120 audits" "dead letters"
shot 04-audits "Audits and their trend chart"

# (e) the anomalies the scanner found
key 4
settle "anomalies" "CORRUPTED_LINE" "TRUNCATED_LINE" "Line 3028 missing newline"
shot 05-anomalies "Anomalies"

# (f) Enter on the first anomaly jumps to line 1515 in Raw; Enter again
# opens the detail: the bytes as stored, the error position marked
key Enter
settle "raw at the anomaly" "BYTES AS STORED" "1515 ✖"
key Enter
settle "corrupted line" "Line 1515" "byte offset 440842" "^ byte 134: unexpected end of line"
shot 06-corrupted-line "the corrupted line 1515, byte by byte"

# (g) back to Raw, line 1515 in the middle of the screen: down 15 lines
# (the view follows), then E (previous anomaly) selects 1515 again
key Escape
settle "raw again" "BYTES AS STORED" "1515 ✖"
key j j j j j j j j j j j j j j j
settle "raw scrolled" "1530 "
key E
settle "raw at line 1515" "1515 ✖" "1530 " "anomaly 1 of 2: CORRUPTED_LINE"
shot 07-raw "Raw: line 1515 marked"

# (h) R: the recovery walk; Repair is focused, Enter: the plan
key R
settle "recovery choice" "Quarantine" "Repair"
key Enter
settle "recovery plan" "Recovery plan: repair events.ndjson" "Nothing has changed yet" "Expected result"
shot 08-recovery-plan "recovery: the repair plan"

# (i) Enter: the confirmation, focus on Cancel
key Enter
settle "confirmation" "Repair 2 lines (284 bytes) in events.ndjson?" "[▸ Cancel ◂]"
shot 09-confirm "recovery: the confirmation"

# nothing is applied: Esc at the confirmation, Esc on the plan
key Escape
settle "back to the plan" "Recovery plan: repair events.ndjson" "!Repair 2 lines"
key Escape
settle "recovery cancelled" "Recovery cancelled: nothing was changed"

# (j) the help screen
key '?'
settle "help" "incident triage, recovery and compaction" "Views"
shot 10-help "help"

# leave: q closes the help, q quits
key q
settle "help closed" "BYTES AS STORED"
key q
_i=0
while $TM has-session -t $T 2>/dev/null; do
	_i=$((_i + 1))
	[ $_i -ge 50 ] && die "the console did not quit on q"
	sleep 0.1
done

cmp -s "$INCIDENT" "$SCRATCH/work/events.ndjson" ||
	die "the scratch copy changed: something was applied"

# the pictures
for s in $SHOTS; do
	LC_ALL=C awk -v cols=$COLS -v rows=$ROWS -v title="papyra console — $(cat "$SCRATCH/out/$s.title")" \
		-f "$HERE/ansi2svg.awk" "$SCRATCH/out/$s.ans" >"$SCRATCH/out/$s.svg" ||
		die "$s: ansi2svg.awk failed"
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$SCRATCH/out/$s.svg" || die "$s.svg: not well-formed XML"
	fi
done
command -v xmllint >/dev/null 2>&1 ||
	echo "capture.sh: xmllint missing (libxml2-utils): the SVGs were not checked" >&2

for s in $SHOTS; do
	cp "$SCRATCH/out/$s.ans" "$SCRATCH/out/$s.svg" "$HERE/" || die "cannot write $HERE/$s.*"
done
echo "capture.sh: $NSHOTS screenshots in $HERE"
