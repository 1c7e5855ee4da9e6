#!/bin/sh
# deps.sh [deb] [fresh]: install from Debian's packages everything svmk's
# build and tests use; "deb" adds what 'make deb' builds the packages with,
# "fresh" what 'make check-fresh' bootstraps its root with.  Idempotent:
# when every package is present it returns in well under a second.
set -eu

# libsmartcols-dev: svmctl prints its tables through libsmartcols.  flex,
# bison, bc and libelf-dev (objtool) build the debug kernel from
# linux-source-6.12 (scripts/debug-kernel.sh); gnuplot-nox draws make
# bench's chart.
pkgs="build-essential sparse kmod cpio gzip xz-utils busybox-static qemu-system-x86
dkms mandoc groff-base man-db pkgconf libsmartcols-dev
linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-source-6.12 flex bison bc libelf-dev
gnuplot-nox"
for set in "$@"; do
	case $set in
	# debian/control's Build-Depends (dpkg-buildpackage checks them),
	# and lintian.
	deb)	pkgs="$pkgs debhelper dh-dkms dpkg-dev fakeroot lintian" ;;
	fresh)	pkgs="$pkgs debootstrap" ;;
	*)	echo "deps: unknown package set '$set' (known: deb, fresh)" >&2; exit 2 ;;
	esac
done

# One dpkg-query for all: the packages installed, then those missing.
installed=" $(dpkg-query -W -f='${Status} ${Package}\n' $pkgs 2>/dev/null |
	sed -n 's/^install ok installed //p' | tr '\n' ' ')"
missing=
for p in $pkgs; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
[ "$(id -u)" = 0 ] || { echo "deps: run as root (or: sudo $0)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The guest boots /boot/vmlinuz directly; the host initrd is never used.
# INITRD=No makes the kernel's postinst hook skip building it (minutes).
INITRD=No \
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
