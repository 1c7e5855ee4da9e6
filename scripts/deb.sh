#!/bin/sh
# deb.sh: build the Debian packages of debian/ (svm-dkms, libsvmk1,
# libsvmk-sysv1, libsvmk-dev, svmk-utils) with 'dpkg-buildpackage -us -uc -b' and check
# them with lintian, which must report no error or warning (one that had to
# stay would be overridden in debian/PACKAGE.lintian-overrides, with its
# reason; none has).
#
# It builds in a copy of the working tree (the files git tracks or would,
# as they are now) in build/deb/src, so that the package's clean step
# leaves this tree's build alone; the .debs, .buildinfo and .changes land
# in build/deb/, the build's log in build/deb/build.log.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/build/deb
version=$(dpkg-parsechangelog -SVersion)
src=$out/src/svmk-$version

rm -rf "$out"
mkdir -p "$src"
files=$(git ls-files --cached --others --exclude-standard) ||
	{ echo "deb: $top is not a git checkout (git ls-files failed)" >&2; exit 1; }
for f in $files; do
	[ ! -e "$f" ] || echo "$f"
done | tar -cf - -T - | tar -xf - -C "$src"

echo "deb: building svmk $version in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	echo "deb: dpkg-buildpackage failed in $src (log: $out/build.log):" >&2
	tail -n 30 "$out/build.log" | sed 's/^/  /' >&2
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out/"
ls -1 "$out"/*.deb

changes=$(ls "$out"/*.changes)
echo "deb: lintian $changes"
if [ "$(id -u)" = 0 ]; then
	# lintian unpacks what it checks: as nobody, on a copy nobody can
	# read (this tree may be under /root, which is mode 700).
	lint=$(mktemp -d)
	trap 'rm -rf "$lint"' EXIT
	chmod 755 "$lint"
	cp "$out"/*.deb "$out"/*.buildinfo "$changes" "$lint/"
	(cd "$lint" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		env HOME="$lint" lintian --fail-on error,warning ./*.changes)
else
	lintian --fail-on error,warning "$changes"
fi
echo "deb: lintian: no errors or warnings"
