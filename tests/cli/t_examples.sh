# The example pipelines (examples/ci/) and the user's CI/CD guide
# (../shared/seeds, copied in tests/cli/seed_guide.md) can never rot: every
# `papyra ...` command in them is extracted (tests/cli/extract_commands.py)
# and run as written, on a clean and on a damaged store, and must exit as
# the README's exit-code table says.  Absolute paths (/var/lib/papyra,
# /backup) are taken under a scratch root; relative ones from a project
# laid out as the examples assume.

PY=/usr/bin/python3 # python3-yaml is a Debian package: Debian's python
GUIDE=$ROOT/tests/cli/seed_guide.md
SEED=$ROOT/../shared/seeds/000_5f52d1871a30b23b.txt
if [ -f "$SEED" ]; then
	check_same "$SEED" "$GUIDE" "tests/cli/seed_guide.md is the guide in shared/seeds"
fi
files="$ROOT/examples/ci/github-actions.yml $ROOT/examples/ci/gitlab-ci.yml $ROOT/examples/ci/k8s-init-container.yaml $GUIDE"
for f in $files; do
	if "$PY" "$ROOT/tests/cli/extract_commands.py" "$f" > "$TMP/cmds.$(basename "$f")" 2>"$TMP/ex.err"; then
		check_true "$(basename "$f"): has papyra commands" test -s "$TMP/cmds.$(basename "$f")"
	else
		ko "$(basename "$f"): commands cannot be extracted" "$(cat "$TMP/ex.err")"
	fi
done
cat "$TMP"/cmds.* > "$TMP/all.jsonl"
check_true "the guide's nine commands are found" test "$(grep -c . "$TMP/cmds.seed_guide.md")" = 9
check_true "every example file type is covered" test "$(cut -d'"' -f4 "$TMP/all.jsonl" | sort -u | wc -l)" = 4

# A project as the examples assume it, with every store clean or damaged.
SR=$TMP/root # stands for /
setup() {
	rm -rf "$TMP/proj" "$SR"
	mkdir -p "$TMP/proj/tests/fixtures/v1" "$TMP/proj/.papyra" "$SR/var/lib/papyra" "$SR/backup"
	src=$FIX/json_clean/data/events.ndjson
	[ "$1" = damaged ] && src=$FIX/json_corrupt_middle/data/events.ndjson
	for s in tests/fixtures/v1 tests/fixtures .papyra; do cp "$src" "$TMP/proj/$s/events.ndjson"; done
	cp "$src" "$SR/var/lib/papyra/events.ndjson"
	cp "$src" "$SR/backup/events.ndjson"
}
# The README's exit codes, for a clean or a damaged (repairable) store.
expected() { # SCENARIO COMMAND MODE
	case "$2" in
	"persistence scan") [ "$1" = clean ] && echo 0 || echo 2 ;;
	"persistence recover") echo 0 ;;
	"persistence startup-check" | "doctor run" | "console")
		case $3 in
		"" | fail_on_anomaly) [ "$1" = clean ] && echo 0 || echo 1 ;;
		ignore | scan_only | recover) echo 0 ;;
		*) echo "?" ;;
		esac ;;
	*) echo "?" ;;
	esac
}
# to the scratch root: an absolute path, or one after "NAME="
rooted() { case $1 in /*) printf '%s' "$SR$1" ;; *) printf '%s' "$1" ;; esac; }

# one command per line: file, env, argv separated by \036 (not blank, so an
# empty env stays a field), the words of argv by \037
jq -r '[.file, (.env | to_entries | map("\(.key)=\(.value)") | join(" ")), (.argv[1:] | join("\u001f"))] | join("\u001e")' \
	"$TMP/all.jsonl" > "$TMP/all.tsv"
n=0
while IFS="$(printf '\036')" read -r file env args; do
	n=$((n + 1))
	for scen in clean damaged; do
		setup $scen
		cd "$TMP/proj"
		# rebuild argv: words split on \037, absolute paths rooted
		set --
		_rest=$args
		while :; do
			_w=${_rest%%$(printf '\037')*}
			set -- "$@" "$(rooted "$_w")"
			[ "$_w" = "$_rest" ] && break
			_rest=${_rest#*$(printf '\037')}
		done
		cmd="$1 $2"
		case $1 in console) cmd=console ;; esac
		mode=$(printf '%s\n' "$@" | awk 'p { print tolower($0); exit } $0 == "--mode" { p = 1 }')
		want=$(expected $scen "$cmd" "$mode")
		label="$(basename "$file"): papyra $* [$scen]"
		if [ "$want" = "?" ]; then
			ko "$label: no documented exit code for '$cmd' --mode '$mode'"
			continue
		fi
		envs=""
		for kv in $env; do envs="$envs ${kv%%=*}=$(rooted "${kv#*=}")"; done
		env $envs "$PAPYRA" "$@" >"$TMP/.out" 2>"$TMP/.err" </dev/null
		RC=$?; OUT=$(cat "$TMP/.out"); ERR=$(cat "$TMP/.err")
		check_rc "$want" "$label"
		# a report it writes is a valid one
		out=$(printf '%s\n' "$@" | awk 'p { print; exit } $0 == "--output" { p = 1 }')
		fmt=$(printf '%s\n' "$@" | awk 'p { print; exit } $0 == "--format" { p = 1 }')
		if [ -n "$out" ]; then
			case $fmt in
			sarif) check_true "$label: SARIF report" jq -e --argjson w "$want" '.version == "2.1.0" and .runs[0].invocations[0].exitCode == $w' "$out" ;;
			gitlab) check_true "$label: GitLab report" jq -e --arg s $scen 'type == "array" and ((length > 0) == ($s == "damaged"))' "$out" ;;
			junit) check_true "$label: JUnit report" xmllint --noout --schema "$ROOT/tests/cli/junit.xsd" "$out" ;;
			*) check_true "$label: report written" test -s "$out" ;;
			esac
		elif [ "$fmt" = github ] && [ $scen = damaged ]; then
			check_out "::error file=" "$label: annotations"
		fi
		# the store it looked at is the one the example means: --path, else
		# PAPYRA_PATH from the container's env, else the default
		store=$(printf '%s\n' "$@" | awk 'p { print; exit } $0 == "--path" { p = 1 }')
		for kv in $env; do [ "${kv%%=*}" = PAPYRA_PATH ] && [ -z "$store" ] && store=$(rooted "${kv#*=}"); done
		if [ -z "$fmt" ] && [ $scen = damaged ]; then
			check_out "CORRUPTED_LINE: ${store:-.papyra/events.ndjson}" "$label: reads ${store:-the default store}"
		fi
		# a recovery leaves the store it was pointed at clean
		if [ "$mode" = recover ] && [ $scen = damaged ]; then
			env $envs "$PAPYRA" persistence scan "$@" >/dev/null 2>&1 </dev/null; _r=$?
			# (scan takes the backend options; the gate's own flags make it a usage error)
			[ $_r = 64 ] && { _p=$(printf '%s\n' "$@" | awk 'p { print; exit } $0 == "--path" { p = 1 }')
				env $envs "$PAPYRA" persistence scan ${_p:+--path "$_p"} >/dev/null 2>&1 </dev/null; _r=$?; }
			[ $_r = 0 ] && ok || ko "$label: store not clean after recovery (scan exit $_r)"
		fi
		cd "$TMP"
	done
done < "$TMP/all.tsv"
check_true "all $n commands ran" test "$n" -ge 15
# the README's excerpt of the GitHub workflow is the workflow's own text
sed -n '/^## Use it in CI/,/^## Backends/p' "$ROOT/README.md" | sed -n 's/^ *run: //p' > "$TMP/readme_runs"
check_true "README's CI excerpt has commands" test -s "$TMP/readme_runs"
while read -r line; do
	grep -qF -- "run: $line" "$ROOT/examples/ci/github-actions.yml" || ko "README CI excerpt not in examples/ci/github-actions.yml: $line"
done < "$TMP/readme_runs"
