#!/bin/sh
# check-install.sh KERNEL...: svmk as a user or a packager meets it.
#
#   - 'make install' into a scratch DESTDIR with PREFIX=/usr installs every
#     file where it belongs; an example builds against the installed
#     libsvmk.pc and runs with the installed shared library; 'make
#     uninstall' removes it all again
#   - the library exports exactly the symbols of libsvmk/libsvmk.abi
#   - libsvmk-sysv: its soname, pkg-config file and man page are installed,
#     it exports exactly libsvmk/libsvmk-sysv.abi, unversioned, and its
#     shmget() is the one a program linked with it or run with it in
#     LD_PRELOAD calls
#   - every man page renders without a warning (mandoc and groff)
#   - the man pages name every ioctl, errno and module parameter of the
#     module, every function of the library and every command and column
#     of svmctl; versions agree; svmctl is linked to libsmartcols
#   - DKMS builds (and, as root, installs) the module for each KERNEL
#
# The ABI and man-page checks also prove, on a broken input, that they fail.
# DKMS runs on private trees: nothing outside the scratch directory is
# touched.  Prints TAP ("ok N name", diagnostics of a failure after "#"),
# logs in build/install/, ends with "check-install: N passed, N failed";
# exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build/install
rm -rf "$out"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
root=$tmp/root
version=$(sed -n 's/^VERSION = //p' libsvmk/Makefile)
series=${1:-6.1}		# the kernel 'make install' installs for
. "$top/scripts/tap-check.sh"

# kver SERIES: the newest installed Debian kernel of a series, as make does.
kver() {
	ls /lib/modules | grep "^$1\." | sort | tail -n 1
}

# ---- make install / uninstall -------------------------------------------

t_install() {
	make install DESTDIR="$root" PREFIX=/usr KERNEL="$series"
}

# have TEST PATH: PATH (under the DESTDIR) passes test(1) TEST.
have() {
	test "$1" "$root/$2" || { echo "missing or wrong: $2 (test $1)"; bad=1; }
}

t_tree() {
	k=$(kver "$series")
	bad=0
	ko=$(ls "$root/lib/modules/$k/extra/kmod/"svm.ko* 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then
		echo "missing: lib/modules/$k/extra/kmod/svm.ko"
		bad=1
	elif ! modinfo -F vermagic "$ko" | grep -q "^$k "; then
		echo "$ko: vermagic is not $k: $(modinfo -F vermagic "$ko")"
		bad=1
	fi
	have -f usr/include/svmk.h
	have -f usr/include/linux/svm.h
	cmp libsvmk/svmk.h "$root/usr/include/svmk.h" || bad=1
	cmp uapi/linux/svm.h "$root/usr/include/linux/svm.h" || bad=1
	have -f usr/lib/libsvmk.a
	have -f "usr/lib/libsvmk.so.$version"
	[ "$(readlink "$root/usr/lib/libsvmk.so.1")" = "libsvmk.so.$version" ] ||
		{ echo "usr/lib/libsvmk.so.1 is not a link to libsvmk.so.$version"; bad=1; }
	[ "$(readlink "$root/usr/lib/libsvmk.so")" = libsvmk.so.1 ] ||
		{ echo "usr/lib/libsvmk.so is not a link to libsvmk.so.1"; bad=1; }
	readelf -d "$root/usr/lib/libsvmk.so.$version" |
		grep -q 'SONAME.*\[libsvmk\.so\.1\]' ||
		{ echo "libsvmk.so.$version: soname is not libsvmk.so.1"; bad=1; }
	have -f usr/lib/pkgconfig/libsvmk.pc
	have -f usr/lib/libsvmk-sysv.a
	have -f "usr/lib/libsvmk-sysv.so.$version"
	[ "$(readlink "$root/usr/lib/libsvmk-sysv.so.1")" = "libsvmk-sysv.so.$version" ] ||
		{ echo "usr/lib/libsvmk-sysv.so.1 is not a link to libsvmk-sysv.so.$version"; bad=1; }
	[ "$(readlink "$root/usr/lib/libsvmk-sysv.so")" = libsvmk-sysv.so.1 ] ||
		{ echo "usr/lib/libsvmk-sysv.so is not a link to libsvmk-sysv.so.1"; bad=1; }
	readelf -d "$root/usr/lib/libsvmk-sysv.so.$version" |
		grep -q 'SONAME.*\[libsvmk-sysv\.so\.1\]' ||
		{ echo "libsvmk-sysv.so.$version: soname is not libsvmk-sysv.so.1"; bad=1; }
	# Only libc (and ld.so): a preloaded library must not drag others in.
	needed=$(readelf -d "$root/usr/lib/libsvmk-sysv.so.$version" |
		sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	[ "$needed" = "libc.so.6 " ] ||
		{ echo "libsvmk-sysv.so.$version needs $needed, not libc.so.6 alone"; bad=1; }
	have -f usr/lib/pkgconfig/libsvmk-sysv.pc
	have -x usr/bin/svmctl
	"$root/usr/bin/svmctl" --version | grep -qx "svmctl (libsvmk) $version" ||
		{ echo "svmctl --version is not $version"; bad=1; }
	# Dynamic: Debian has no static libsmartcols (libsvmk is linked in).
	readelf -d "$root/usr/bin/svmctl" |
		grep -q 'NEEDED.*\[libsmartcols\.so\.1\]' ||
		{ echo "usr/bin/svmctl is not linked to libsmartcols.so.1"; bad=1; }
	have -f usr/share/man/man3/svmk.3
	have -f usr/share/man/man4/svm.4
	have -f usr/share/man/man7/svmk-sysv.7
	have -f usr/share/man/man8/svmctl.8
	for f in $(sed -n 's/@@.*//p' libsvmk/libsvmk.abi); do
		have -f "usr/share/man/man3/$f.3"
		grep -qx '\.so man3/svmk\.3' "$root/usr/share/man/man3/$f.3" ||
			{ echo "man3/$f.3 does not source man3/svmk.3"; bad=1; }
	done
	have -f usr/lib/udev/rules.d/60-svm.rules
	have -f usr/lib/modprobe.d/svm.conf
	have -f usr/lib/modules-load.d/svm.conf
	grep -qx svm "$root/usr/lib/modules-load.d/svm.conf" ||
		{ echo "modules-load.d/svm.conf does not load svm"; bad=1; }
	echo "installed:"
	(cd "$root" && find . ! -type d | sort)
	return $bad
}

# pkg-config as for a sysroot: the .pc file's paths, under the DESTDIR.
pc() {
	PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
		pkg-config "$@"
}

t_pkgconfig() {
	pc --print-errors --exists libsvmk || return 1
	v=$(pc --modversion libsvmk)
	flags=$(echo $(pc --cflags --libs libsvmk))	# spaces normalized
	echo "pkg-config --modversion: $v; --cflags --libs: $flags"
	[ "$v" = "$version" ] &&
		[ "$flags" = "-I$root/usr/include -L$root/usr/lib -lsvmk" ]
}

t_pkgconfig_sysv() {
	pc --print-errors --exists libsvmk-sysv || return 1
	v=$(pc --modversion libsvmk-sysv)
	libs=$(echo $(pc --libs libsvmk-sysv))
	echo "pkg-config --modversion: $v; --libs: $libs"
	[ "$v" = "$version" ] && [ "$libs" = "-L$root/usr/lib -lsvmk-sysv" ]
}

# Built as any program would be: a copy of examples/, away from the tree.
t_example() {
	mkdir -p "$tmp/ex"
	cp examples/Makefile examples/*.c "$tmp/ex/"
	PKG_CONFIG_LIBDIR=$root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
		make -C "$tmp/ex" || return 1
	prog=$tmp/ex/producer-consumer
	readelf -d "$prog" | grep -q 'NEEDED.*\[libsvmk\.so\.1\]' ||
		{ echo "$prog is not linked to libsvmk.so.1"; return 1; }
	LD_LIBRARY_PATH=$root/usr/lib ldd "$prog" |
		grep "libsvmk.so.1 => $root/usr/lib/libsvmk.so.1" || return 1
	# It runs on the installed library; with no module here, it says so.
	LD_LIBRARY_PATH=$root/usr/lib "$prog" >"$tmp/ex/out" 2>&1
	rc=$?
	cat "$tmp/ex/out"
	if [ -e /dev/svm ]; then
		[ $rc = 0 ]
	else
		[ $rc = 1 ] && grep -q 'svm module not loaded' "$tmp/ex/out"
	fi
}

t_uninstall() {
	make uninstall DESTDIR="$root" PREFIX=/usr KERNEL="$series" || return 1
	left=$(cd "$root" && find . ! -type d)
	[ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
}

# Run as nobody when root: 'make install-config' must refuse before it
# writes a file (nobody could not write there anyway).
t_not_root() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || { echo "SKIP: no setpriv"; return 0; }
		msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
			make -s install-config 2>&1)
	else
		msg=$(make -s install-config 2>&1)
	fi
	echo "$msg"
	echo "$msg" | grep -q 'writing under / needs root'
}

# ---- the library's ABI --------------------------------------------------

# Both libraries: libsvmk.abi and libsvmk-sysv.abi.
t_abi() {
	make -s -C libsvmk check-abi
}

# The installed libsvmk-sysv exports the four functions of its .abi, with
# no version: a preloaded definition versioned otherwise than glibc's
# would not interpose it (libsvmk/libsvmk-sysv.map says why).
t_sysv_abi() {
	lib=$root/usr/lib/libsvmk-sysv.so.$version
	nm -D --defined-only --with-symbol-versions "$lib" |
		awk '{ print $NF }' | LC_ALL=C sort >"$tmp/sysv.abi" || return 1
	cat "$tmp/sysv.abi"
	diff -u libsvmk/libsvmk-sysv.abi "$tmp/sysv.abi" || return 1
	[ "$(sort libsvmk/libsvmk-sysv.abi | tr '\n' ' ')" = "shmat shmctl shmdt shmget " ] ||
		{ echo "libsvmk-sysv.abi is not shmat, shmctl, shmdt, shmget"; return 1; }
	if readelf -V "$lib" | grep -q 'Version definition'; then
		echo "$lib defines symbol versions"
		return 1
	fi
}

# BINARY's shmget, as ld.so binds it (LD_DEBUG=bindings): the library
# that defines it, whether or not a module is there to make it work.
shmget_from() {
	LD_LIBRARY_PATH=$root/usr/lib LD_DEBUG=bindings LD_DEBUG_OUTPUT=$tmp/bind "$@" \
		>/dev/null 2>&1
	sed -n "s/.*binding file .* \[0\] to \([^ ]*\) \[0\]: normal symbol \`shmget'.*/\1/p" \
		"$tmp"/bind.* | sort -u
	rm -f "$tmp"/bind.*
}

# A program linked with -lsvmk-sysv (pkg-config), and one linked with libc
# alone and run with LD_PRELOAD, both call libsvmk-sysv's shmget().
t_sysv_interposes() {
	mkdir -p "$tmp/sysv"
	cat >"$tmp/sysv/get.c" <<-'EOF'
	#include <stdio.h>
	#include <sys/shm.h>
	int main(void)
	{
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
		printf("shmget: %d\n", id);
		return 0;
	}
	EOF
	cc -o "$tmp/sysv/linked" "$tmp/sysv/get.c" $(pc --libs libsvmk-sysv) || return 1
	cc -o "$tmp/sysv/plain" "$tmp/sysv/get.c" || return 1
	readelf -d "$tmp/sysv/linked" | grep -q 'NEEDED.*\[libsvmk-sysv\.so\.1\]' ||
		{ echo "linked is not linked to libsvmk-sysv.so.1"; return 1; }
	linked=$(shmget_from "$tmp/sysv/linked")
	preloaded=$(shmget_from env LD_PRELOAD=libsvmk-sysv.so.1 "$tmp/sysv/plain")
	plain=$(shmget_from "$tmp/sysv/plain")
	echo "shmget of: linked $linked; plain, preloaded $preloaded; plain $plain"
	lib=$root/usr/lib/libsvmk-sysv.so.1
	[ "$linked" = "$lib" ] && [ "$preloaded" = "$lib" ] &&
		[ "${plain##*/}" = libc.so.6 ]
}

# The comparison fails on a symbol exported but not listed, and vice versa.
t_abi_catches() {
	grep -v '^svmk_fd@@' libsvmk/libsvmk.abi >"$tmp/added.abi"
	{ cat libsvmk/libsvmk.abi; echo 'svmk_gone@@LIBSVMK_1.0'; } |
		LC_ALL=C sort >"$tmp/removed.abi"
	for f in added removed; do
		if make -s -C libsvmk check-abi ABI_LIST="$tmp/$f.abi"; then
			echo "check-abi passed with a symbol $f"
			return 1
		fi
	done
}

# ---- man pages -----------------------------------------------------------

# lint PAGE: mandoc's warnings (its exit status) and groff's (its output).
lint() {
	ok=0
	mandoc -T lint -W warning "$1" || ok=1
	w=$(groff -man -Tutf8 -ww -z "$1" 2>&1)
	[ -z "$w" ] || { echo "$w"; ok=1; }
	return $ok
}

t_man() {
	bad=0
	for f in man/*.[1-8]; do
		lint "$f" || bad=1
	done
	return $bad
}

t_man_catches() {
	cat >"$tmp/broken.3" <<-'EOF'
	.TH BROKEN 3 2026-11-22
	.SH NAME
	broken \- a page with mistakes
	.SH DESCRIPTION
	.XY an undefined macro
	\fBno font change ends this
	EOF
	mandoc -T lint -W warning "$tmp/broken.3" &&
		{ echo "mandoc passed a broken page"; return 1; }
	[ -n "$(groff -man -Tutf8 -ww -z "$tmp/broken.3" 2>&1)" ] ||
		{ echo "groff passed a broken page"; return 1; }
	! lint "$tmp/broken.3"
}

# Every ioctl, errno and module parameter the module has is documented,
# every function the library exports, and svmctl's commands and columns.
t_docs() {
	bad=0
	for x in $(grep -o 'SVM_IOC_[A-Z_]*' uapi/linux/svm.h | grep -v MAGIC | sort -u); do
		grep -qx "\.B $x" man/svm.4 || { echo "svm.4: no entry for $x"; bad=1; }
	done
	# An errno the module only compares against (err == -EBUSY ?
	# -ENOSPC : err) is one it translates, not one it returns.
	errnos=$( (grep -ow 'E[A-Z0-9]\{3,\}' uapi/linux/svm.h
		sed 's/[=!]=[[:space:]]*-E[A-Z0-9]*//g' kmod/*.c |
			grep -o '\-E[A-Z0-9]\{3,\}' | sed 's/.*-//') | sort -u)
	for e in $errnos; do
		# only words that are errno names
		grep -qw "define[[:space:]]*$e" /usr/include/asm-generic/errno*.h ||
			continue
		sed -n '/^\.SH ERRORS/,/^\.SH /p' man/svm.4 | grep -qx "\.B $e" ||
			{ echo "svm.4 ERRORS: no entry for $e"; bad=1; }
	done
	for p in $(sed -n 's/.*module_param_named(\([a-z_]*\),.*/\1/p' kmod/*.c); do
		grep -qx "\.B $p" man/svm.4 ||
			{ echo "svm.4: no entry for module parameter $p"; bad=1; }
		grep -q "^# $p " config/modprobe.d/svm.conf &&
			grep -q "^#options svm.* $p=" config/modprobe.d/svm.conf ||
			{ echo "modprobe.d/svm.conf: $p not documented"; bad=1; }
	done
	for f in $(sed -n 's/@@.*//p' libsvmk/libsvmk.abi); do
		grep -q "^\.SS .*\b$f()" man/svmk.3 ||
			{ echo "svmk.3: no section for $f()"; bad=1; }
	done
	for c in $(sed -n 's/^\t{ "\([a-z]*\)", [0-9],.*/\1/p' libsvmk/svmctl.c); do
		grep -Eq "^\.BI? $c( |$)" man/svmctl.8 ||
			{ echo "svmctl.8: no entry for command $c"; bad=1; }
	done
	# Every column of svmctl list, an entry (.TP) of its page's COLUMNS.
	cols=$(sed -n '/^\.SH COLUMNS/,/^\.SH /{/^\.TP/{n;p;};}' man/svmctl.8)
	for c in $(sed -n 's/^\t\[COL_[A-Z_]*\] = { "\([A-Z_]*\)",.*/\1/p' libsvmk/svmctl.c); do
		echo "$cols" | grep -Eq "^\.BR? ([A-Z_]+ \", \" )?$c( |$)" ||
			{ echo "svmctl.8 COLUMNS: no entry for column $c"; bad=1; }
	done
	# svmk-sysv(7) names each function of libsvmk-sysv.
	for f in $(cat libsvmk/libsvmk-sysv.abi); do
		grep -q "^\.BR $f (2)" man/svmk-sysv.7 ||
			{ echo "svmk-sysv.7: no mention of $f(2)"; bad=1; }
	done
	for f in man/*.[1-8]; do
		grep -q "^\.TH .* \"svmk $version\"" "$f" ||
			{ echo "$f: .TH does not say svmk $version"; bad=1; }
	done
	grep -qx "PACKAGE_VERSION=\"$version\"" dkms.conf ||
		{ echo "dkms.conf: PACKAGE_VERSION is not $version"; bad=1; }
	return $bad
}

# ---- DKMS ----------------------------------------------------------------

dkms_() {
	mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub \
		dkms "$@" --sourcetree "$tmp/dkms-src/usr/src" \
		--dkmstree "$tmp/dkms" -m svm -v "$version"
}

t_dkms_add() {
	make install-dkms-src DESTDIR="$tmp/dkms-src" || return 1
	find "$tmp/dkms-src" -type f | sort
	mkdir -p "$tmp/dkms"
	dkms_ add
}

t_dkms() {
	k=$(kver "$1")
	[ -n "$k" ] || { echo "no kernel of series $1 in /lib/modules"; return 1; }
	dkms_ build -k "$k" || return 1
	ko=$(ls "$tmp/dkms/svm/$version/$k/"*/module/svm.ko* | head -n 1)
	modinfo -F vermagic "$ko"
	modinfo -F vermagic "$ko" | grep -q "^$k " || return 1
	[ "$(id -u)" = 0 ] || { echo "SKIP: built; 'dkms install' needs root"; return 0; }
	mkdir -p "$tmp/modules/$k"
	dkms_ install -k "$k" --installtree "$tmp/modules" --no-depmod || return 1
	ls "$tmp/modules/$k/updates/dkms/"svm.ko*
}

echo "TAP version 13"
check "make install DESTDIR PREFIX=/usr" t_install
check "installed tree: module, headers, libraries, pc, svmctl, man, config" t_tree
check "pkg-config --cflags --libs libsvmk from the DESTDIR" t_pkgconfig
check "pkg-config --libs libsvmk-sysv from the DESTDIR" t_pkgconfig_sysv
check "libsvmk-sysv exports shmget, shmat, shmdt, shmctl unversioned" t_sysv_abi
check "libsvmk-sysv's shmget: linked with it, and by LD_PRELOAD" t_sysv_interposes
check "example builds with pkg-config and runs on the installed library" t_example
check "make uninstall leaves nothing behind" t_uninstall
check "install into / refuses without root" t_not_root
check "libsvmk and libsvmk-sysv export exactly their .abi" t_abi
check "ABI check fails on an added or a removed symbol" t_abi_catches
check "man pages render without warnings" t_man
check "man page lint fails on a broken page" t_man_catches
check "man pages document every ioctl, errno, parameter, function, column" t_docs
check "dkms add from 'make install-dkms-src'" t_dkms_add
for k in "$@"; do
	check "dkms build and install for $(kver "$k")" t_dkms "$k"
done
tap_end check-install
