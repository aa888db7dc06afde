# The man page: renders without warnings, documents every command the
# binary has, and carries the console keys generated from the key table.

check_true "man page renders without warnings" sh -c "man -l '$ROOT/man/papyra.1' 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"
awk '/^\.\\" BEGIN KEYS/{on=1; next} /^\.\\" END KEYS/{on=0} on' "$ROOT/man/papyra.1" > "$TMP/keys.inc"
check_same "$TMP/keys.inc" "$ROOT/man/papyra-keys.inc" "man page keys = man/papyra-keys.inc (run man/splice-keys.sh)"
run console --print-keys-man
printf '%s\n' "$OUT" > "$TMP/gen.inc"
check_same "$TMP/gen.inc" "$ROOT/man/papyra-keys.inc" "man/papyra-keys.inc = the key table"
run --help
for cmd in "persistence scan" "persistence recover" "persistence startup-check" "persistence compact" \
	"persistence inspect" "doctor run" "inspect events" "inspect audits" "inspect dead-letters" \
	"inspect summary" "metrics persistence" "metrics reset" "console"; do
	check_out "$cmd" "--help lists $cmd"
	word=${cmd##* }
	check_true "man page mentions $cmd" grep -q -- "$word" "$ROOT/man/papyra.1"
done
