# The layering of the code (issue 9, STYLE "The shape of the program"):
# the front ends (ui/, src/) ask the store interface and its traits, never
# which backend it is; no core module includes a header of a module that
# includes its own; core/ knows nothing of the terminal.
cd "$ROOT" || exit 1

kinds=$(grep -rnE 'MS_(FILE|ROTATING|REDIS)|BK_(JSON|ROTATING|REDIS)|"(backend_json|backend_rotating|backend_redis|redis_store)\.h"|strcmp\([^)]*ops->name' ui src)
if [ -z "$kinds" ]; then ok; else ko "ui/ and src/ branch on the backend kind" "$kinds"; fi
names=$(grep -rn 'b->ops->name\|backend->ops->name\|(\*b)->ops->name' ui src)
if [ -z "$names" ]; then ok; else ko "ui/ and src/ read a backend's name other than through backend_name()" "$names"; fi

# header include cycles in core/ (a -> b -> ... -> a)
cycles=$(for h in core/*.h; do
	n=$(basename "$h")
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$h" | while read -r d; do
		[ -f "core/$d" ] && echo "$n $d"
	done
done | awk '{ e[$1] = e[$1] " " $2 } END {
	for (s in e) { n = 0; q[n++] = s; delete seen; seen[s] = 1
		for (i = 0; i < n; i++) { split(e[q[i]], d, " ")
			for (k in d) { if (d[k] == s) print s " reaches itself"; else if (!(d[k] in seen)) { seen[d[k]] = 1; q[n++] = d[k] } } } } }')
if [ -z "$cycles" ]; then ok; else ko "include cycles in core/" "$cycles"; fi

# modules of core/ that include each other's headers
pairs=$(for c in core/*.c; do
	a=$(basename "$c" .c)
	sed -n 's/^#include "\([^"]*\)\.h".*/\1/p' "$c" | while read -r b; do
		[ "$a" != "$b" ] && [ -f "core/$b.c" ] && grep -q "^#include \"$a.h\"" "core/$b.c" && echo "$a <-> $b"
	done
done | sort -u)
if [ -z "$pairs" ]; then ok; else ko "core/ modules that include each other" "$pairs"; fi

curses=$(grep -ln 'curses' core/*.c core/*.h)
if [ -z "$curses" ]; then ok; else ko "core/ includes curses" "$curses"; fi
