#!/bin/sh
# Build BUILD/papyra_VERSION_ARCH.deb from `make install PREFIX=/usr` into a
# staging root (called by `make deb`).  Depends: comes from dpkg-shlibdeps
# on the installed (stripped) binary, so it names exactly the libraries the
# binary links against.  Prints the package's path.
set -eu
BUILD=${1:?usage: mkdeb.sh BUILD VERSION}
VERSION=${2:?usage: mkdeb.sh BUILD VERSION}
MAINTAINER=${DEB_MAINTAINER:-papyra maintainers <papyra@localhost>}
ARCH=$(dpkg --print-architecture)
stage=$BUILD/deb
root=$stage/root
rm -rf "$stage"
mkdir -p "$root/DEBIAN" "$stage/debian"
root_abs=$(cd "$root" && pwd)
${MAKE:-make} -s install BUILD="$BUILD" PREFIX=/usr DESTDIR="$root_abs" >/dev/null
gzip -9n "$root/usr/share/man/man1/papyra.1"
mkdir -p "$root/usr/share/doc/papyra"
gzip -9n -c README.md > "$root/usr/share/doc/papyra/README.md.gz"

# dpkg-shlibdeps wants a source package's debian/control beside it
printf 'Source: papyra\n\nPackage: papyra\nArchitecture: any\n' > "$stage/debian/control"
depends=$(cd "$stage" && dpkg-shlibdeps -O -e root/usr/bin/papyra 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk "$root/usr" | cut -f1)
cat > "$root/DEBIAN/control" <<EOT
Package: papyra
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Homepage: https://github.com/dymmond/papyra
Description: operations console and CI gate for Papyra persistence stores
 papyra checks, repairs and browses the append-only stores of Papyra (actor
 events, audits, dead letters) on NDJSON files, rotating file sets and Redis
 Streams: the same commands and exit codes as Papyra's own CLI, reports for
 pipelines (JSON, JUnit, GitHub, SARIF, GitLab Code Quality) and an ncurses
 console for incident triage.
EOT
deb=$BUILD/papyra_${VERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
