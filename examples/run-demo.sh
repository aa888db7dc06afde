#!/bin/sh
# examples/run-demo.sh PAPYRA_BINARY [console options...]
#
# Opens the console on the demo incident (examples/README.md).  The console
# works on a fresh copy, build/demo/events.ndjson, made on every run, so a
# repair or quarantine done in the demo never touches the committed data.
# Without a terminal it runs the headless triage (`console --batch`) instead.
# This is what `make run` calls.

set -eu

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    echo "usage: sh examples/run-demo.sh PAPYRA_BINARY [console options...]" >&2
    exit 64
fi
PAPYRA=$1
shift
case $PAPYRA in
    /*) ;;
    */*) PAPYRA=$(pwd)/$PAPYRA ;;
    *) PAPYRA=$(command -v "$PAPYRA" 2>/dev/null || echo "$(pwd)/$PAPYRA") ;;
esac
if [ ! -x "$PAPYRA" ]; then
    echo "run-demo: $PAPYRA is not an executable; build it first with: make" >&2
    exit 69
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

SRC=examples/incident/events.ndjson
DEMO=build/demo
DATA=$DEMO/events.ndjson
if [ ! -f "$SRC" ]; then
    echo "run-demo: $SRC is missing" >&2
    exit 66
fi

mkdir -p "$DEMO"
# a fresh copy every time; also drop what an interrupted earlier demo left
rm -f "$DATA" "$DATA".copy.* "$DEMO"/.events.ndjson.papyra-tmp-*
cp "$SRC" "$DATA.copy.$$"
mv "$DATA.copy.$$" "$DATA"

if [ -t 0 ] && [ -t 1 ]; then
    exec "$PAPYRA" console --path "$DATA" "$@"
fi

echo "run-demo: no terminal on stdin/stdout, running the headless triage instead." >&2
echo "run-demo: for the interactive console run this from a terminal: sh examples/run-demo.sh $PAPYRA" >&2
exec "$PAPYRA" console --batch --path "$DATA" "$@"
