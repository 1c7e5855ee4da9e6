#!/bin/sh
# debug-kernel.sh [--dir]: build the debug kernel (KASAN, lockdep, kmemleak,
# UBSAN, KFENCE, fault injection, KUnit) from Debian's linux-source-6.12 and
# print its kbuild tree, the KDIR to build svm.ko against; the image is
# KDIR/arch/x86/boot/bzImage.  With --dir only print where the tree is (or
# would be), building nothing.
#
# The config is tinyconfig, then the fragments merged with the kernel's
# scripts/kconfig/merge_config.sh, then olddefconfig; every option the
# fragments ask for is checked to have stuck.  The tree is cached outside
# the repository in ${SVMK_CACHE:-/var/cache/svmk}/debug-kernel-HASH, HASH
# covering the source package's version, the compiler, this script and the
# fragments: a second run builds nothing.  Progress and errors go to stderr.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
src=/usr/src/linux-source-6.12.tar.xz
cache=${SVMK_CACHE:-/var/cache/svmk}
frags="$top/kconfig/guest.config $top/selftests/svm/config $top/kconfig/debug.config"

hash=$({
	dpkg-query -W -f='${Version}\n' linux-source-6.12
	gcc --version | head -n 1
	cat "$0" $frags
} | sha256sum | cut -c 1-16)
dir=$cache/debug-kernel-$hash
log=$dir.log

if [ "${1:-}" = --dir ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
# One build per tree, however many runs want it at once.
exec 9>"$dir.lock"
if ! flock -n 9; then
	echo "debug-kernel: waiting for another build of $dir" >&2
	flock 9
fi
if [ -f "$dir/.svmk-built" ]; then
	echo "$dir"
	exit 0
fi

# fail MESSAGE: say what broke, show the end of the log, stop.
fail() {
	echo "debug-kernel: $1 (log: $log)" >&2
	tail -n 30 "$log" | sed 's/^/  /' >&2
	exit 1
}

start=$(date +%s)
echo "debug-kernel: building in $dir (about 6 min on 2 cores; log: $log)" >&2
rm -rf "$dir"
mkdir -p "$dir"
: >"$log"
tar -xJf "$src" -C "$dir" --strip-components=1 >>"$log" 2>&1 ||
	fail "cannot unpack $src"

kmake() {
	make -C "$dir" ARCH=x86_64 "$@" >>"$log" 2>&1
}
kmake tinyconfig || fail "make tinyconfig failed"
(cd "$dir" && scripts/kconfig/merge_config.sh -m .config $frags) >>"$log" 2>&1 ||
	fail "merge_config.sh failed"
kmake olddefconfig || fail "make olddefconfig failed"

# Every "CONFIG_X=v" must be in .config as asked, every "# CONFIG_X is not
# set" must not be set: a dependency that is not met (tinyconfig's
# SLUB_TINY rules out KASAN) drops an option without a word.
bad=$(awk '
FNR == NR { have[$0] = 1; next }
/^CONFIG_[A-Za-z0-9_]+=/ {
	if (!($0 in have)) {
		name = $0; sub(/=.*/, "", name)
		printf "  %s: wanted %s (%s)\n", name, $0, FILENAME
	}
	next
}
/^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
	for (v in have)
		if (index(v, $2 "=") == 1)
			printf "  %s: wanted not set, got %s (%s)\n", $2, v, FILENAME
}' "$dir/.config" $frags)
if [ -n "$bad" ]; then
	echo "debug-kernel: options that did not stick after olddefconfig:" >&2
	printf '%s\n' "$bad" >&2
	echo "debug-kernel: fix the fragments; the tree is left in $dir" >&2
	exit 1
fi

# bzImage, then modules once: it writes the Module.symvers an out-of-tree
# module links against.
kmake -j"$(nproc)" bzImage modules || fail "the kernel build failed"
[ -f "$dir/arch/x86/boot/bzImage" ] && [ -f "$dir/Module.symvers" ] ||
	fail "the build left no bzImage or Module.symvers"
touch "$dir/.svmk-built"
echo "debug-kernel: built $(make -s -C "$dir" kernelrelease) in $(($(date +%s) - start)) s" >&2
echo "$dir"
