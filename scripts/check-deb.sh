#!/bin/sh
# check-deb.sh: the Debian packages as a user meets them.  It installs and
# purges packages system-wide, so it runs only in the throwaway root 'make
# check-fresh' makes (marked by /etc/svmk-check-fresh), after make check
# there installed both kernels (6.1 and 6.12) with their headers:
#
#   - 'make deb' builds the packages, lintian passes them
#   - 'apt-get install ./build/deb/*.deb' installs them; DKMS builds and
#     installs svm.ko for every kernel with headers (updates/dkms, vermagic,
#     modinfo -k finds it)
#   - svmctl runs on the installed shared library; the man pages, udev,
#     modprobe.d and modules-load.d files are in place; libsvmk-sysv1's
#     library is found by its soname, and a program linked with libc alone
#     run with LD_PRELOAD=libsvmk-sysv.so.1 gets its shmget()
#   - examples/ builds with 'pkg-config --cflags --libs libsvmk' and, for
#     each kernel, runs in the guest on the svm.ko DKMS built
#     (selftests/svm/svm_examples checks their output), sysv-list (plain
#     SysV, linked with libc alone) with the package's libsvmk-sysv.so.1
#     preloaded
#   - a kernel's headers installed again (as an upgrade installs them)
#     get svm.ko built again by DKMS's hook
#   - 'apt-get purge' leaves nothing: no file of the packages, no DKMS
#     tree entry, no /usr/src/svm-*, no svm.ko
#
# Prints TAP, logs in build/deb-check/, ends with "check-deb: N passed,
# N failed"; exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
[ -e /etc/svmk-check-fresh ] || {
	echo "check-deb: /etc/svmk-check-fresh is missing: this installs and purges packages, run it through 'make check-fresh'" >&2
	exit 1
}
out=$top/build/deb-check
rm -rf "$out"
mkdir -p "$out"
version=$(sed -n 's/^VERSION = //p' libsvmk/Makefile)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
export DEBIAN_FRONTEND=noninteractive
. "$top/scripts/tap-check.sh"

# Every kernel with headers; DKMS builds for each of them.
kernels=$(for b in /lib/modules/*/build; do
	[ -d "$b/include" ] && basename "$(dirname "$b")"; done)

t_deb() {
	[ -n "$kernels" ] || { echo "no kernel headers in /lib/modules/*/build"; return 1; }
	make deb
}

t_install() {
	debs=$(ls build/deb/*.deb) || return 1
	apt-get install -y --no-install-recommends $(for d in $debs; do echo "./$d"; done) || return 1
	for d in $debs; do dpkg-deb -f "$d" Package; done >"$out/packages"
	dpkg-query -W $(cat "$out/packages")
}

# dkms_module KVER: the svm.ko DKMS installed for KVER.
dkms_module() {
	ls /lib/modules/"$1"/updates/dkms/svm.ko* 2>/dev/null | head -n 1
}

t_dkms() {
	dkms status svm/"$version" -k "$1"
	dkms status svm/"$version" -k "$1" | grep -q ': installed' || return 1
	ko=$(dkms_module "$1")
	[ -n "$ko" ] || { echo "no svm.ko in /lib/modules/$1/updates/dkms"; return 1; }
	modinfo -F vermagic "$ko"
	modinfo -F vermagic "$ko" | grep -q "^$1 " || return 1
	[ "$(modinfo -k "$1" -n svm)" = "$ko" ] ||
		{ echo "modinfo -k $1 svm finds $(modinfo -k "$1" -n svm), not $ko"; return 1; }
}

t_files() {
	bad=0
	for f in /usr/bin/svmctl /usr/lib/udev/rules.d/60-svm.rules \
		/usr/lib/modprobe.d/svm.conf /usr/lib/modules-load.d/svm.conf \
		/usr/include/svmk.h /usr/include/linux/svm.h \
		"/usr/lib/$multiarch/libsvmk.a" "/usr/lib/$multiarch/libsvmk.so" \
		"/usr/lib/$multiarch/libsvmk-sysv.so.$version" \
		"/usr/lib/$multiarch/libsvmk-sysv.a" \
		"/usr/lib/$multiarch/libsvmk-sysv.so" \
		"/usr/lib/$multiarch/pkgconfig/libsvmk-sysv.pc"; do
		[ -f "$f" ] || { echo "missing: $f"; bad=1; }
	done
	for page in svm.4 svmctl.8 svmk.3 svmk_open.3 svmk_region_mlock.3 \
		svmk-sysv.7; do
		man -w "${page##*.}" "${page%.*}" ||
			{ echo "man: no page ${page%.*}(${page##*.})"; bad=1; }
	done
	ldd /usr/bin/svmctl
	# /lib is /usr/lib (merged /usr): ld.so's cache may name either.
	ldd /usr/bin/svmctl | grep -Eq "libsvmk.so.1 => (/usr)?/lib/$multiarch/libsvmk.so.1" ||
		{ echo "/usr/bin/svmctl does not load /usr/lib/$multiarch/libsvmk.so.1"; bad=1; }
	svmctl --version
	svmctl --version | grep -qx "svmctl (libsvmk) $version" ||
		{ echo "svmctl --version is not $version"; bad=1; }
	return $bad
}

# ld.so finds libsvmk-sysv.so.1 by its soname (ld.so.cache, after the
# package's ldconfig trigger), and preloaded it takes shmget from libc.
t_sysv() {
	lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libsvmk-sysv\.so\.1 .*=> //p')
	echo "ldconfig -p: libsvmk-sysv.so.1 => $lib"
	case $lib in
	/lib/$multiarch/libsvmk-sysv.so.1|/usr/lib/$multiarch/libsvmk-sysv.so.1) ;;
	*) echo "libsvmk-sysv.so.1 is not in ld.so's cache"; return 1 ;;
	esac
	mkdir -p "$out/sysv"
	cat >"$out/sysv/get.c" <<-'EOF'
	#include <stdio.h>
	#include <sys/shm.h>
	int main(void)
	{
		printf("shmget: %d\n", shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
		return 0;
	}
	EOF
	cc -o "$out/sysv/plain" "$out/sysv/get.c" || return 1
	rm -f "$out/sysv/bind".*
	LD_PRELOAD=libsvmk-sysv.so.1 LD_DEBUG=bindings \
		LD_DEBUG_OUTPUT=$out/sysv/bind "$out/sysv/plain" || return 1
	from=$(sed -n "s/.*binding file .*plain \[0\] to \([^ ]*\) \[0\]: normal symbol \`shmget'.*/\1/p" \
		"$out/sysv/bind".* | sort -u)
	echo "shmget of the preloaded plain program: $from"
	[ "${from##*/}" = libsvmk-sysv.so.1 ]
}

# Built as any program would be, from a copy of examples/.
t_example() {
	rm -rf "$out/ex"
	mkdir -p "$out/ex/bin"
	cp examples/Makefile examples/*.c "$out/ex/"
	echo "pkg-config --cflags --libs libsvmk: $(pkg-config --cflags --libs libsvmk)"
	[ "$(pkg-config --modversion libsvmk)" = "$version" ] || return 1
	make -C "$out/ex" || return 1
	for p in producer-consumer wiring fork supervisor; do
		readelf -d "$out/ex/$p" | grep -q 'NEEDED.*\[libsvmk\.so\.1\]' ||
			{ echo "$out/ex/$p is not linked to libsvmk.so.1"; return 1; }
		cp "$out/ex/$p" "$out/ex/bin/"
	done
	# Plain SysV: libc alone, libsvmk-sysv comes by LD_PRELOAD.
	if readelf -d "$out/ex/sysv-list" | grep 'NEEDED.*libsvmk'; then
		echo "$out/ex/sysv-list is linked to svm's libraries"
		return 1
	fi
	cp "$out/ex/sysv-list" "$out/ex/bin/"
}

# The guest boots KVER, loads the svm.ko DKMS built and runs the examples
# built against the packages (with their libraries), through svm_examples.
t_guest() {
	ko=$(dkms_module "$1")
	[ -n "$ko" ] || { echo "no svm.ko from DKMS for $1"; return 1; }
	[ -x build/tests/svm_examples ] ||
		{ echo "build/tests/svm_examples is missing (make check builds it)"; return 1; }
	GUEST_MODULE=$ko GUEST_EXAMPLES=$out/ex/bin SVM_TESTS=svm_examples \
		GUEST_SYSV_LIB=/usr/lib/$multiarch/libsvmk-sysv.so.1 \
		sh scripts/run-guest.sh check "deb-$1" "/boot/vmlinuz-$1" || return 1
	res=$(sh scripts/ktap-report.sh "$1" "build/deb-$1/tap.log")
	echo "$res"
	sh scripts/scan-log.sh "build/deb-$1/console.log" || return 1
	set -- $(echo "$res" | tail -n 1)	# passed failed skipped
	[ "$1" -gt 0 ] && [ "$2" = 0 ] && [ "$3" = 0 ]
}

# As an upgrade does: the module gone for KVER, its headers installed again.
t_upgrade() {
	dkms remove svm/"$version" -k "$1" || return 1
	[ -z "$(dkms_module "$1")" ] || { echo "dkms remove left $(dkms_module "$1")"; return 1; }
	apt-get install -y --reinstall "linux-headers-$1" || return 1
	t_dkms "$1"
}

t_purge() {
	pkgs=$(cat "$out/packages") || return 1
	dpkg -L $pkgs | sort -u >"$out/files" || return 1
	apt-get purge -y $pkgs || return 1
	bad=0
	for p in $pkgs; do
		s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
		case $s in ''|'un '*|'pn '*) ;; *) echo "$p is still known to dpkg: $s"; bad=1 ;; esac
	done
	while read -r f; do
		[ -d "$f" ] && [ ! -L "$f" ] && continue	# shared directories
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "left behind: $f"
			bad=1
		fi
	done <"$out/files"
	for f in /var/lib/dkms/svm /usr/src/svm-* /lib/modules/*/updates/dkms/svm.ko*; do
		[ ! -e "$f" ] || { echo "left behind: $f"; bad=1; }
	done
	if grep -l 'svm\.ko' /lib/modules/*/modules.dep; then
		echo "modules.dep still lists svm.ko"
		bad=1
	fi
	return $bad
}

echo "TAP version 13"
check "make deb builds the packages, lintian passes them" t_deb
check "apt-get install ./build/deb/*.deb" t_install
for k in $kernels; do
	check "DKMS built and installed svm.ko for $k" t_dkms "$k"
done
check "installed: svmctl on libsvmk.so.1, man pages, udev, modprobe, modules-load" t_files
check "libsvmk-sysv.so.1 by its soname, preloaded, gives shmget" t_sysv
check "examples build with pkg-config --cflags --libs libsvmk" t_example
for k in $kernels; do
	check "examples run in the guest on $k with DKMS's svm.ko" t_guest "$k"
done
for k in $kernels; do
	check "headers of $k installed again: DKMS builds svm.ko again" t_upgrade "$k"
done
check "apt-get purge leaves nothing behind" t_purge
tap_end check-deb
