# Shell completions (`papyra --print-completion bash|zsh`), generated from
# the command tables: every command and every option that `--help` lists
# completes, option values come from the help's "a | b" lists and are
# accepted by the command, and paths complete where a FILE or DIR goes.

run --print-completion bash
check_rc 0 "bash completion generated"
printf '%s\n' "$OUT" > "$TMP/papyra.bash"
run --print-completion zsh
check_rc 0 "zsh completion generated"
printf '%s\n' "$OUT" > "$TMP/_papyra"
run --print-completion fish
check_rc 64 "unknown shell"
check_true "bash script parses" bash -n "$TMP/papyra.bash"
check_true "zsh script parses" zsh -n "$TMP/_papyra"

# bash: what _papyra offers for the words given (the last one is completed)
bcomp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _papyra; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$TMP/papyra.bash" papyra "$@" 2>&1
}
# zsh: the option specs _papyra hands to _arguments (or the names to
# _describe) for the words given, with the completion system's functions
# replaced by ones that print their arguments
zcomp() {
	zsh -f -c 'compdef() { :; }; compadd() { print -rl -- "$@"; }
		_describe() { print -rl -- "${(@P)4}"; }
		_arguments() { print -rl -- "$@"; }
		words=(papyra "${@:2}"); CURRENT=$#words; fpath=(); . "$1"; _papyra' _ "$TMP/_papyra" "$@" 2>&1
}

commands=$("$PAPYRA" --help | grep -v '^  papyra ' | sed -n 's/^  \([a-z][a-z -]*[a-z]\)  .*/\1/p')
check_true "--help lists commands" test "$(printf '%s\n' "$commands" | wc -l)" -ge 13
bcomp "" > "$TMP/top.txt"
zcomp "" > "$TMP/ztop.txt"
for g in $(printf '%s\n' "$commands" | cut -d' ' -f1 | sort -u); do
	check_true "bash: group $g" grep -qx "$g" "$TMP/top.txt"
	check_true "zsh: group $g" grep -q "^$g:" "$TMP/ztop.txt"
done
check_true "bash: --version at the top" grep -qx -- "--version" "$TMP/top.txt"

printf '%s\n' "$commands" > "$TMP/commands.txt"
# (loops read files, not pipes: a pipe's subshell would lose the counts)
while read -r cmd; do
	set -- $cmd
	if [ $# = 2 ]; then
		bcomp "$1" "" > "$TMP/bsub.txt"
		check_true "bash: $1 offers $2" grep -qx "$2" "$TMP/bsub.txt"
		zcomp "$1" "" > "$TMP/zsub.txt"
		check_true "zsh: $1 offers $2" grep -q "^$2:" "$TMP/zsub.txt"
	fi
	"$PAPYRA" $cmd --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' > "$TMP/opts.txt"
	check_true "$cmd --help lists options" test -s "$TMP/opts.txt"
	bcomp $cmd -- > "$TMP/b.txt"
	zcomp $cmd -- > "$TMP/z.txt"
	while read -r o; do
		grep -qx -- "$o" "$TMP/b.txt" || ko "bash: $cmd lacks $o" "$(head -3 "$TMP/b.txt")"
		grep -q -- "^\(([^)]*)\)\{0,1\}$o\[" "$TMP/z.txt" || ko "zsh: $cmd lacks $o" "$(head -3 "$TMP/z.txt")"
	done < "$TMP/opts.txt"
	ok
	check_true "bash: $cmd offers nothing it does not take" sh -c "sort -u '$TMP/b.txt' | grep -v -x -F -f '$TMP/opts.txt' | grep -q . && exit 1 || exit 0"
	# values: each one the completion offers is one the command accepts
	"$PAPYRA" $cmd --help | sed -n 's/^  \(--[a-z-]*\) [A-Z]* *.* | .*/\1/p' > "$TMP/choice_opts.txt"
	while read -r o; do
		vals=$(bcomp $cmd "$o" "")
		check_true "bash: $cmd $o offers values" test -n "$vals"
		for v in $vals; do
			extra=""
			grep -qx -- --quarantine-dir "$TMP/opts.txt" && [ "$o" != --quarantine-dir ] && extra="--quarantine-dir $TMP/q"
			[ "$o" = --recovery-mode ] && extra="$extra --mode recover"
			[ "$cmd" = console ] && extra="$extra --batch"
			[ "$o" = --backend ] && [ "$v" = redis ] && continue # needs a server: t_redis.sh
			run $cmd "$o" "$v" --path "$TMP/none.ndjson" $extra
			[ "$RC" != 64 ] || ko "$cmd $o $v: refused (exit 64)" "$ERR"
		done
		zcomp $cmd "$o" "" | grep -q -- "^$o\[.*:(\(.* \)*$(printf '%s' "$vals" | head -1)\( .*\)*)$" ||
			ko "zsh: $cmd $o lacks its values"
	done < "$TMP/choice_opts.txt"
done < "$TMP/commands.txt"

check_true "bash: --format values" test "$(bcomp persistence scan --format "" | tr '\n' ' ')" = "text json junit github sarif gitlab "
check_true "bash: doctor --mode values" test "$(bcomp doctor run --mode "" | tr '\n' ' ')" = "fail_on_anomaly ignore recover "
check_true "bash: a prefix narrows" test "$(bcomp persistence recover --mode q)" = quarantine
check_true "bash: --backend values" test "$(bcomp inspect events --backend "" | tr '\n' ' ')" = "json rotating redis "
mkdir -p "$TMP/w/sub.d"; : > "$TMP/w/events.ndjson"; cd "$TMP/w"
check_true "bash: --path completes files" test "$(bcomp persistence scan --path ev)" = events.ndjson
check_true "bash: --output completes files" test "$(bcomp doctor run --output ev)" = events.ndjson
check_true "bash: --quarantine-dir completes directories" test "$(bcomp doctor run --quarantine-dir "")" = sub.d
check_true "bash: a free value offers nothing" test -z "$(bcomp inspect events --limit "")"
check_true "bash: after a flag, options again" sh -c "printf '%s\n' \"\$0\" | grep -qx -- --output" "$(bcomp persistence scan --strict --o)"
cd "$TMP"
check_true "zsh: --path is a file" sh -c "printf '%s\n' \"\$0\" | grep -q -- '^--path\[.*\]:VALUE:_files$'" "$(zcomp persistence scan --path "")"
check_true "zsh: --quarantine-dir is a directory" sh -c "printf '%s\n' \"\$0\" | grep -q -- '^--quarantine-dir\[.*\]:DIR:_files -/$'" "$(zcomp doctor run "")"
check_true "zsh: a quote in help is escaped" sh -c "printf '%s\n' \"\$0\" | grep -q -- \"console's key bindings\"" "$(zcomp console "")"
