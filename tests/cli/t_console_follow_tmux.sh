# The console follows a live store in a real terminal (issue 11): tmux
# gives the pty, another process writes, and no key is pressed.  Each wait
# polls the pane up to a deadline (never a fixed sleep).  A private tmux
# server (-L) is used and killed at the end; Redis is a real redis-server
# (tests/cli/redis.sh).

if ! command -v tmux >/dev/null 2>&1; then
	ko "tmux is not installed (tests/deps.sh installs it)"
else
	TM="tmux -L papyra-follow-$$ -f /dev/null"
	# No leak check in a console that tmux hangs up: LeakSanitizer's ptrace
	# tracer then deadlocks at exit and leaves the process spinning (seen
	# under make test-san); the in-process screen tests check leaks.
	CENV="env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	REC='{"kind": "event", "system_id": "local", "actor_address": null, "event_type": "LiveAppended", "payload": {}, "timestamp": 1767225700.5}'

	# pane_has SESSION TEXT NAME: poll the pane until TEXT shows (at most ~5 s)
	pane_has() {
		_i=0
		while [ $_i -lt 50 ]; do
			PANE=$($TM capture-pane -p -t "$1" 2>/dev/null)
			case "$PANE" in *"$2"*) ok; return 0 ;; esac
			sleep 0.1
			_i=$((_i + 1))
		done
		ko "$3: pane lacks '$2'" "$PANE"
	}
	start() { # start SESSION DIR ARGS...
		_s=$1 _d=$2
		shift 2
		$TM new-session -d -s "$_s" -x 120 -y 30 "cd '$_d' && $CENV '$PAPYRA' console $*; echo \"exit=\$?\"; sleep 30"
	}

	# --- a single file: appends, damage, truncation -------------------------------------
	D=$(fixture json_corrupt_middle)
	start js "$D" --path events.ndjson
	pane_has js "2 ANOMALIES" "tmux follow: console up"
	echo "$REC" >>"$D/events.ndjson"
	pane_has js "LiveAppended" "tmux follow: an appended record shows without a key"
	pane_has js "events 14" "tmux follow: the header counts it"
	echo '{oops' >>"$D/events.ndjson"
	pane_has js "3 ANOMALIES" "tmux follow: a damaged line appended later reaches the header"
	printf '{"kind": "ev' >>"$D/events.ndjson"
	pane_has js "1 line being written" "tmux follow: an unterminated tail is being written"
	pane_has js "4 ANOMALIES" "tmux follow: after the delay it is TRUNCATED_LINE"
	truncate -s 1000 "$D/events.ndjson"
	pane_has js "was truncated" "tmux follow: a truncation is said"
	$TM send-keys -t js q
	pane_has js "exit=0" "tmux follow: q quits"
	$TM kill-session -t js 2>/dev/null

	# --- without inotify: the stat poll alone (PAPYRA_FOLLOW_POLL=1) ------------------------
	D=$(fixture json_corrupt_middle)
	CENV_SAVED=$CENV
	CENV="$CENV PAPYRA_FOLLOW_POLL=1"
	start po "$D" --path events.ndjson
	CENV=$CENV_SAVED
	pane_has po "2 ANOMALIES" "tmux poll: console up"
	echo "$REC" >>"$D/events.ndjson"
	pane_has po "LiveAppended" "tmux poll: an append shows by the stat poll alone"
	$TM kill-session -t po 2>/dev/null

	# --- tail mode from the command line ---------------------------------------------------
	D=$(fixture json_corrupt_middle)
	start tl "$D" --path events.ndjson --follow
	pane_has tl "2 ANOMALIES" "tmux tail: console up"
	echo "$REC" >>"$D/events.ndjson"
	pane_has tl "TAIL +1" "tmux tail: --follow keeps the newest record selected"
	$TM kill-session -t tl 2>/dev/null

	# --- a rotating set rotates while open ---------------------------------------------------
	D=$(fixture rot_clean)
	start rot "$D" --backend rotating --path rot.log --max-files 3 --max-bytes 2048
	pane_has rot "HEALTHY" "tmux rotation: console up"
	(cd "$D" && rm rot.log.2 && mv rot.log.1 rot.log.2 && mv rot.log rot.log.1 && echo "$REC" >rot.log)
	pane_has rot "events 40 " "tmux rotation: the set is indexed again (the oldest member gone, the new record in)"
	$TM send-keys -t rot 6 G
	pane_has rot "rot.log:1      {\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, \"event_type\": \"LiveAppended\"" \
		"tmux rotation: the new active file is listed"
	$TM kill-session -t rot 2>/dev/null

	# --- Redis: XADD and DEL while open --------------------------------------------------------
	. "$ROOT/tests/cli/redis.sh"
	if redis_available; then
		load redis_clean
		N0=$(rcli xlen papyra:local:events)
		RD=$TMP/redis-tmux
		mkdir -p "$RD"
		start rd "$RD" $R
		pane_has rd "events $N0 " "tmux Redis: console up"
		rcli xadd papyra:local:events '*' data '{oops' >/dev/null
		pane_has rd "1 ANOMALY" "tmux Redis: an XADD shows without a key"
		rcli del papyra:local:events >/dev/null
		pane_has rd "was deleted" "tmux Redis: DEL of a stream is said"
		pane_has rd "events 0 " "tmux Redis: its records are gone"
		$TM kill-session -t rd 2>/dev/null
	fi
	$TM kill-server 2>/dev/null
	consoles_stopped "tmux follow"
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/papyra-follow-$$"
fi
