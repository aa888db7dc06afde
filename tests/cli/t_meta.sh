# Metadata (SPEC §4): rewritten files and quarantine copies keep owner,
# group, mode, every xattr and the POSIX ACL; a data file with several
# hard links is refused (exit 64, naming the link count) unless --force.
# Needs setfattr/getfattr (attr), setfacl/getfacl (acl): tests/deps.sh.
R='{"kind": "event", "system_id": "local", "event_type": "ActorStarted", "timestamp": 1}'
mk() { printf '%s\nnot json\n%s\n' "$R" "$R" >"$1"; }
# dress FILE: an owner that is not us, a mode, a user xattr and an ACL entry
dress() {
	chown 65534:65534 "$1" || ko "chown needs root (CI runs as root)"
	chmod 640 "$1"
	setfattr -n user.origin -v "app-7" "$1" || ko "setfattr on $1"
	setfattr -n user.bin -v 0x00ff00 "$1"
	setfacl -m u:daemon:rw "$1" || ko "setfacl on $1"
}
# meta FILE: owner, mode, xattrs and ACL as text, to compare
meta() {
	stat -c '%u:%g %a' "$1"
	getfattr -d -m '^user\.' -e hex --absolute-names "$1" | grep -v '^# file'
	getfacl -c -p "$1" 2>/dev/null
}

mk e.ndjson
dress e.ndjson
meta e.ndjson >before.meta
grep -q 'user:daemon:rw-' before.meta && ok || ko "test set-up: ACL entry" "$(cat before.meta)"
run persistence recover --path e.ndjson
check_rc 0 "repair of a dressed file"
meta e.ndjson >after.meta
check_same before.meta after.meta "repair keeps owner, mode, xattrs and ACL"

mk e.ndjson
dress e.ndjson
meta e.ndjson >before.meta
run persistence recover --path e.ndjson --mode quarantine --quarantine-dir q
check_rc 0 "quarantine of a dressed file"
meta e.ndjson >after.meta
check_same before.meta after.meta "quarantine: repaired file keeps its metadata"
Q=$(ls q/e.ndjson.quarantine.* | head -1)
meta "$Q" >q.meta
check_same before.meta q.meta "quarantine copy keeps owner, mode, xattrs and ACL"

printf '%s\n%s\n%s\n' "$R" "$R" "$R" >c.ndjson
dress c.ndjson
meta c.ndjson >before.meta
run persistence compact --path c.ndjson --max-records 1
check_rc 0 "compaction of a dressed file"
[ "$(wc -l <c.ndjson)" = 1 ] && ok || ko "compaction dropped two records" "$(cat c.ndjson)"
meta c.ndjson >after.meta
check_same before.meta after.meta "compaction keeps owner, mode, xattrs and ACL"

mkdir rot
printf '%s\nbad\n' "$R" >rot/r.log
printf '%s\n' "$R" >rot/r.log.1
dress rot/r.log
meta rot/r.log >before.meta
run persistence recover --backend rotating --path rot/r.log --max-files 3
check_rc 0 "rotating repair of a dressed member"
meta rot/r.log >after.meta
check_same before.meta after.meta "rotating repair keeps the member's metadata"
printf '%s\n' "$R" "$R" "$R" >rot/r.log
dress rot/r.log
meta rot/r.log >before.meta
run persistence compact --backend rotating --path rot/r.log --max-files 3 --max-records 2
check_rc 0 "rotating compaction of a dressed set"
meta rot/r.log >after.meta
check_same before.meta after.meta "rotating compaction keeps the newest member's metadata"

# -- hard links
mk h.ndjson
ln h.ndjson other.ndjson
cp h.ndjson h.orig
for cmd in "persistence recover" "persistence startup-check --mode recover" "doctor run --mode recover"; do
	run $cmd --path h.ndjson
	check_rc 64 "hard-linked file refused: $cmd"
	check_err "h.ndjson has 2 hard links" "link count named: $cmd"
	check_same h.ndjson h.orig "refused: nothing changed ($cmd)"
done
run persistence recover --path h.ndjson --mode quarantine --quarantine-dir hq
check_rc 64 "hard-linked file refused in quarantine mode"
[ -z "$(ls hq 2>/dev/null)" ] && ok || ko "refused quarantine left a copy" "$(ls hq)"
run persistence recover --path h.ndjson --format json
check_rc 64 "refused, JSON report"
run persistence recover --path h.ndjson --force
check_rc 0 "--force rewrites a hard-linked file"
check_same other.ndjson h.orig "--force: the other name keeps the old content"
[ "$(stat -c %h h.ndjson)" = 1 ] && ok || ko "--force: the repaired name is its own file"

printf '%s\n%s\n' "$R" "$R" >hc.ndjson
ln hc.ndjson hc2.ndjson
ln hc.ndjson hc3.ndjson
run persistence compact --path hc.ndjson --max-records 1
check_rc 64 "compaction refuses a hard-linked file"
check_err "hc.ndjson has 3 hard links" "compaction names the link count"
[ "$(wc -l <hc.ndjson)" = 2 ] && ok || ko "refused compaction changed the file"
run persistence compact --path hc.ndjson --max-records 1 --force
check_rc 0 "compaction --force"
[ "$(wc -l <hc.ndjson)" = 1 ] && [ "$(wc -l <hc2.ndjson)" = 2 ] && ok || ko "compaction --force result"
