# papyra console in a real terminal: tmux provides the pty (no terminal
# needed here, root or not).  What only a real pty shows: the first screen
# on a real TERM, keys through the terminal driver, a resize by the
# terminal, quitting, and leaving on a hang-up instead of spinning.
# A private tmux server (-L) is used and killed at the end.

if ! command -v tmux >/dev/null 2>&1; then
	ko "tmux is not installed (tests/deps.sh installs it)"
else
	TM="tmux -L papyra-test-$$ -f /dev/null"
	# No leak check in a console that tmux hangs up: LeakSanitizer's ptrace
	# tracer then deadlocks at exit and leaves the process spinning (seen
	# under make test-san); the in-process screen tests check leaks.
	CENV="env TERM=xterm-256color LC_ALL=C.UTF-8 TZ=UTC ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	DIR=$(fixture json_corrupt_middle)

	# wait_for TEXT: poll the pane until TEXT shows (at most ~5 s)
	wait_for() {
		_i=0
		while [ $_i -lt 50 ]; do
			PANE=$($TM capture-pane -p -t pt 2>/dev/null)
			case "$PANE" in *"$1"*) return 0 ;; esac
			sleep 0.1
			_i=$((_i + 1))
		done
		return 1
	}
	pane_has() {
		if wait_for "$1"; then ok; else ko "$2: pane lacks '$1'" "$PANE"; fi
	}

	$TM new-session -d -s pt -x 100 -y 30 \
		"cd '$DIR' && $CENV '$PAPYRA' console --path events.ndjson; echo \"exit=\$?\"; sleep 30"
	pane_has "2 ANOMALIES" "tmux: header health"
	pane_has "ActorStarted" "tmux: events listed"
	$TM send-keys -t pt 6
	pane_has "#@!garbage}{not json" "tmux: raw view"
	$TM send-keys -t pt e
	pane_has "anomaly 1 of 2" "tmux: e jumps to the first anomaly"
	$TM send-keys -t pt Enter
	pane_has "^ byte 127: unexpected end of line" "tmux: detail marks the error"
	$TM send-keys -t pt Escape
	$TM resize-window -t pt -x 50 -y 10 2>/dev/null || $TM resize-pane -t pt -x 50 -y 10
	pane_has "Terminal too small" "tmux: too-small message after a resize"
	$TM resize-window -t pt -x 90 -y 25 2>/dev/null || $TM resize-pane -t pt -x 90 -y 25
	pane_has "BYTES AS STORED" "tmux: back to the view after growing"
	# prompt editing through the terminal driver: Ctrl-U, Left, Backspace
	$TM send-keys -t pt 1 / n o p e C-u c r a x s h e d Left Left Left Left BSpace Enter
	pane_has "/crashed: row 4 of 13" "tmux: prompt keys (Ctrl-U, Left, Backspace) through a real pty"
	$TM send-keys -t pt f t y p e = A c t o r S t a r t e d Enter
	pane_has "5 of 13 events match" "tmux: filter through a real pty"
	$TM send-keys -t pt F
	$TM send-keys -t pt '?'
	pane_has "this help" "tmux: help"
	$TM send-keys -t pt q
	$TM send-keys -t pt q
	pane_has "exit=0" "tmux: q quits with exit 0"

	# a real repair through the pty: R, repair, the plan, confirm (focus
	# starts on Cancel: Right moves it), the verification, then quit
	RDIR=$(fixture json_corrupt_middle)
	$TM new-session -d -s rep -x 100 -y 30 \
		"cd '$RDIR' && $CENV XDG_STATE_HOME='$TMP/state' '$PAPYRA' console --path events.ndjson; echo \"exit=\$?\"; sleep 30"
	tm_has() {
		_i=0
		while [ $_i -lt 50 ]; do
			PANE=$($TM capture-pane -p -t rep 2>/dev/null)
			case "$PANE" in *"$1"*) ok; return 0 ;; esac
			sleep 0.1
			_i=$((_i + 1))
		done
		ko "$2: pane lacks '$1'" "$PANE"
	}
	tm_has "2 ANOMALIES" "tmux repair: console up"
	$TM send-keys -t rep R
	tm_has "Quarantine" "tmux repair: mode choice"
	$TM send-keys -t rep Enter
	tm_has "Recovery plan: repair" "tmux repair: the plan"
	$TM send-keys -t rep Enter
	tm_has "Repair 2 lines (149 bytes) in events.ndjson?" "tmux repair: the confirmation names verb and count"
	$TM send-keys -t rep Right
	sleep 0.2
	$TM send-keys -t rep Enter
	tm_has "Verification scan: no anomalies" "tmux repair: verified"
	tm_has "HEALTHY" "tmux repair: the header follows the new file"
	$TM send-keys -t rep Escape
	sleep 0.2
	$TM send-keys -t rep q
	tm_has "exit=0" "tmux repair: q quits with exit 0"
	check_true "tmux repair: 21 lines on disk" test "$(wc -l <"$RDIR/events.ndjson")" -eq 21
	check_true "tmux repair: the garbage line is gone" sh -c "! grep -q garbage '$RDIR/events.ndjson'"
	check_true "tmux repair: journaled" grep -q '"mode":"repair"' "$TMP/state/papyra/journal.ndjson"
	$TM kill-session -t rep 2>/dev/null

	# a terminal without cursor addressing: refused with the --batch hint, exit 64
	$TM new-session -d -s dumb -x 100 -y 30 \
		"cd '$DIR' && env TERM=dumb LC_ALL=C.UTF-8 '$PAPYRA' console --path events.ndjson; echo \"exit=\$?\"; sleep 30"
	_i=0
	while [ $_i -lt 50 ]; do
		PANE=$($TM capture-pane -p -t dumb 2>/dev/null)
		case "$PANE" in *exit=*) break ;; esac
		sleep 0.1
		_i=$((_i + 1))
	done
	case "$PANE" in *"exit=64"*) ok ;; *) ko "tmux: TERM=dumb exits 64" "$PANE" ;; esac
	case "$PANE" in *"--batch"*) ok ;; *) ko "tmux: TERM=dumb names --batch" "$PANE" ;; esac
	$TM kill-session -t dumb 2>/dev/null

	# a hang-up (the terminal goes away) ends the console, no spinning
	$TM new-session -d -s hup -x 100 -y 30 \
		"cd '$DIR' && exec $CENV '$PAPYRA' console --path events.ndjson"
	sleep 0.5
	PID=$($TM list-panes -t hup -F '#{pane_pid}' 2>/dev/null)
	$TM kill-session -t hup
	_gone=0
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		if [ -z "$PID" ] || ! kill -0 "$PID" 2>/dev/null; then _gone=1; break; fi
		sleep 0.1
	done
	if [ $_gone = 1 ]; then ok; else
		ko "tmux: console still running 2 s after its terminal went away (pid $PID)"
		kill "$PID" 2>/dev/null
	fi
	$TM kill-server 2>/dev/null
	consoles_stopped "tmux"
	# kill-server leaves its socket file behind
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/papyra-test-$$"
fi
