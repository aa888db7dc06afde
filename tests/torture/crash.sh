# Torture cases without a writer (sourced by tests/torture/run.sh): the
# process killed at every syscall of an operation, I/O errors injected into
# each call, and a really full filesystem.
#
# Every case starts from a fresh seed and knows the reference result (the
# same operation run undisturbed).  After the disturbed run:
#   - every store file holds complete lines: no record of the seed is lost,
#     and a record is there twice only while the scanner reports an anomaly
#     (an interrupted compaction);
#   - without "applied" in its message, a failed run left the store as it was;
#   - every quarantine copy under a final name equals the original;
# then `recover --mode repair` and the operation again ("the next run")
# must end exactly at the reference result, with no temp file left.
#
# Kill points and faults come from strace: a first traced run lists the
# calls the operation makes; each is then hit in turn with
# inject=CALL:signal=SIGKILL:when=K or inject=CALL:error=ERRNO:when=K.
# TORTURE_STEP > 1 tries only every STEP-th occurrence (the bounded run).

CR_TRACE="openat,write,fsync,close,fcntl,flock,renameat2,unlinkat,linkat,fchown,fchmod,mkdir,sync_file_range"
CR_MAXB=1200
CR_MAXF=20
CR_STEP=${TORTURE_STEP:-1}

# cr_seed OP DIR: the store for OP in DIR
cr_seed() {
	case $1 in
	json-*compact) seed_json "$2/events.ndjson" 60 0 ;;
	json-*) seed_json "$2/events.ndjson" 60 3 ;;
	rot-*compact) seed_rot "$2/p" 60 0 $CR_MAXB ;;
	rot-*) seed_rot "$2/p" 60 3 $CR_MAXB ;;
	esac
}

# cr_opts OP: the store options of OP
cr_opts() {
	case $1 in
	json-*) echo "--path events.ndjson" ;;
	rot-*) echo "--backend rotating --path p --max-files $CR_MAXF --max-bytes $CR_MAXB" ;;
	esac
}

# cr_args OP: the command line of OP (run inside its directory)
cr_args() {
	_o=$(cr_opts "$1")
	case $1 in
	*-repair) echo "persistence recover --mode repair $_o" ;;
	*-quarantine) echo "persistence recover --mode quarantine --quarantine-dir q $_o" ;;
	*-compact) echo "persistence compact --max-records 25 $_o" ;;
	esac
}

# cr_store OP: the store's files in reading order
cr_store() {
	case $1 in
	json-*) echo events.ndjson ;;
	rot-*) set_files p $CR_MAXF ;;
	esac
}

# cr_snapshot OP DIR FILE: names and bytes of the store, one checksum
cr_snapshot() {
	(cd "$2" && for f in $(cr_store "$1"); do printf '%s ' "$f"; cksum < "$f"; done) > "$3"
}

# cr_verdict CASE OP DIR RC ERRFILE: the checks after a disturbed run;
# prints nothing when they hold, else why
cr_verdict() {
	_op=$2 _dir=$3 _rc=$4 _errf=$5
	cd "$_dir" || return
	_expect=all
	case $_op in *compact) _expect=tail ;; esac
	# shellcheck disable=SC2046
	_v=$("$TBIN/check" --expect $_expect --last 60 $(cr_store "$_op"))
	case $_v in
	ok*) ;;
	*duplicated*)
		case $_v in *lost*) echo "after the run: $_v" ;; esac
		# shellcheck disable=SC2046
		"$PAPYRA" persistence scan $(cr_opts "$_op") >/dev/null 2>&1
		[ $? = 2 ] || echo "records twice and the scanner says healthy: $_v"
		;;
	*) echo "after the run: $_v" ;;
	esac
	cr_snapshot "$_op" "$_dir" "$WORK/cr.now"
	if [ "$_rc" = 137 ] || [ "$_rc" = 2 ] || [ "$_rc" = 3 ]; then
		# killed, or verified with anomalies left (a file could not be
		# read): each file is whole, the original or the result
		while read -r _l; do
			grep -qxF "$_l" "$WORK/cr.orig" || grep -qxF "$_l" "$WORK/cr.ref" ||
				echo "exit $_rc: $(echo "$_l" | cut -d' ' -f1) is neither the original nor the result"
		done < "$WORK/cr.now"
	elif [ "$_rc" != 0 ] && ! grep -q "applied" "$_errf"; then
		cmp -s "$WORK/cr.now" "$WORK/cr.orig" ||
			echo "exit $_rc without 'applied', yet the store is not the original"
	fi
	for q in q/*; do
		[ -f "$q" ] || continue
		_same=0
		for o in "$WORK/cr.origdir"/*; do cmp -s "$q" "$o" && _same=1; done
		[ $_same = 1 ] || echo "quarantine copy $q differs from every original"
	done
	# the next run finishes the job
	: > "$WORK/cr.next"
	case $_op in
	# shellcheck disable=SC2046
	*compact) "$PAPYRA" persistence recover --mode repair $(cr_opts "$_op") > "$WORK/cr.next" 2>&1 ;;
	esac
	# shellcheck disable=SC2046
	"$PAPYRA" $(cr_args "$_op") >> "$WORK/cr.next" 2>&1
	_nrc=$?
	cr_snapshot "$_op" "$_dir" "$WORK/cr.now"
	if ! cmp -s "$WORK/cr.now" "$WORK/cr.ref"; then
		echo "the next run (exit $_nrc) did not end at the reference result: $(tail -c 300 "$WORK/cr.next")"
	fi
	ls -A | grep -q 'papyra-tmp\|papyra-compact' && echo "left behind: $(ls -A | grep 'papyra-tmp\|papyra-compact' | head -3)"
	[ -d q ] && ls -A q | grep -q 'papyra-tmp' && echo "left behind in q: $(ls -A q | grep 'papyra-tmp' | head -3)"
	case $_op in
	*-quarantine) ls q 2>/dev/null | grep -q quarantine || echo "no quarantine copy after the next run" ;;
	esac
}

# cr_prepare OP: the reference result, the original, and the calls OP makes
cr_prepare() {
	_op=$1
	rm -rf "$WORK/cr" "$WORK/cr.origdir"
	mkdir -p "$WORK/cr" "$WORK/cr.origdir"
	cr_seed "$_op" "$WORK/cr"
	cp "$WORK/cr"/* "$WORK/cr.origdir/"
	cr_snapshot "$_op" "$WORK/cr" "$WORK/cr.orig"
	# shellcheck disable=SC2046
	(cd "$WORK/cr" && strace -f -qq -e trace=$CR_TRACE -o "$WORK/cr.trace" "$PAPYRA" $(cr_args "$_op") > /dev/null 2>&1)
	cr_snapshot "$_op" "$WORK/cr" "$WORK/cr.ref"
	awk '{ sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); n[$0]++ } END { for (s in n) print s, n[s] }' \
		"$WORK/cr.trace" | grep -v '^+++\|^---' | sort > "$WORK/cr.calls"
}

# cr_disturb CASE OP INJECT: one run of OP under strace -e inject=INJECT
cr_disturb() {
	_case=$1 _op=$2
	rm -rf "$WORK/cr"
	mkdir -p "$WORK/cr"
	cr_seed "$_op" "$WORK/cr"
	# shellcheck disable=SC2046
	(cd "$WORK/cr" && strace -f -qq -o /dev/null -e trace="${3%%:*}" -e inject="$3" "$PAPYRA" $(cr_args "$_op") \
		> "$WORK/cr.out" 2> "$WORK/cr.err")
	_rc=$?
	_why=$(cr_verdict "$_case" "$_op" "$WORK/cr" "$_rc" "$WORK/cr.err")
	if [ -z "$_why" ]; then
		case $_rc in
		0) tally "$_case" ok ;;
		137) tally "$_case" killed+finished ;;
		*) if grep -q applied "$WORK/cr.err"; then tally "$_case" "applied-but:$_rc"; else tally "$_case" "refused:$_rc"; fi ;;
		esac
	else
		tally "$_case" FAIL
		fail_note "$_case" "inject=$3 (exit $_rc): $_why; stderr: $(head -c 200 "$WORK/cr.err")"
		[ -n "${TORTURE_KEEP:-}" ] && cp -r "$WORK/cr" "$WORK/kept.$_case.$(rand 10000)"
	fi
}

# TORTURE_OPS narrows the operations (e.g. "json-quarantine" while working on one)
CR_OPS=${TORTURE_OPS:-"json-repair json-quarantine json-compact rot-repair rot-quarantine rot-compact"}

crash_all() {
	for op in $CR_OPS; do
		cr_prepare "$op"
		while read -r call n; do
			k=1
			while [ "$k" -le "$n" ]; do
				cr_disturb "kill-$op" "$op" "$call:signal=SIGKILL:when=$k"
				k=$((k + CR_STEP))
			done
		done < "$WORK/cr.calls"
	done
}

# the errors each call can meet on a real disk
cr_errors() {
	case $1 in
	write) echo "ENOSPC EIO EDQUOT" ;;
	fsync) echo "EIO ENOSPC" ;;
	openat) echo "ENOSPC EIO EDQUOT" ;;
	renameat2) echo "EIO EXDEV ENOSPC" ;;
	linkat) echo "EXDEV EIO" ;;
	unlinkat) echo "EIO" ;;
	mkdir) echo "ENOSPC EIO" ;;
	close) echo "EIO" ;;
	esac
}

fault_all() {
	for op in $CR_OPS; do
		cr_prepare "$op"
		while read -r call n; do
			errs=$(cr_errors "$call")
			[ -n "$errs" ] || continue
			for err in $errs; do
				k=1
				while [ "$k" -le "$n" ]; do
					cr_disturb "fault-$op" "$op" "$call:error=$err:when=$k"
					k=$((k + CR_STEP))
				done
			done
		done < "$WORK/cr.calls"
	done
}

# A real full filesystem: a small tmpfs, filled up to leave SPACE bytes.
fullfs_all() {
	mnt="$WORK/mnt"
	mkdir -p "$mnt"
	if ! mount -t tmpfs -o size=256k tmpfs "$mnt" 2>"$WORK/mount.err"; then
		tally fullfs FAIL
		fail_note fullfs "cannot mount a tmpfs (root needed): $(cat "$WORK/mount.err")"
		return
	fi
	for op in $CR_OPS; do
		cr_prepare "$op"
		for space in 0 512 2048 4096 8192 16384; do
			rm -rf "$mnt"/*
			mkdir -p "$mnt/cr"
			cr_seed "$op" "$mnt/cr"
			# fill the filesystem, then give SPACE bytes back
			dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
			truncate -s "-$space" "$mnt/fill"
			# shellcheck disable=SC2046
			(cd "$mnt/cr" && "$PAPYRA" $(cr_args "$op") > "$WORK/cr.out" 2> "$WORK/cr.err")
			_rc=$?
			rm -f "$mnt/fill"
			_why=$(cr_verdict "fullfs-$op" "$op" "$mnt/cr" "$_rc" "$WORK/cr.err")
			if [ -z "$_why" ]; then
				if [ $_rc = 0 ]; then tally "fullfs-$op" ok; elif grep -q applied "$WORK/cr.err"; then
					tally "fullfs-$op" "applied-but:$_rc"; else tally "fullfs-$op" "refused:$_rc"; fi
			else
				tally "fullfs-$op" FAIL
				fail_note "fullfs-$op" "free=$space (exit $_rc): $_why; stderr: $(head -c 200 "$WORK/cr.err")"
			fi
		done
	done
	umount "$mnt"
}
