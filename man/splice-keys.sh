#!/bin/sh
# Copy man/papyra-keys.inc (generated from the console's key table by
# `papyra console --print-keys-man`) into man/papyra.1 between the markers.
set -eu
cd "$(dirname "$0")"
awk '
	/^\.\\" BEGIN KEYS/ { print; while ((getline l < "papyra-keys.inc") > 0) print l; skip = 1; next }
	/^\.\\" END KEYS/ { skip = 0 }
	!skip { print }
' papyra.1 > papyra.1.new
mv papyra.1.new papyra.1
