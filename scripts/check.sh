#!/bin/sh
# check.sh KERNEL...: the whole test suite.  Runs the host-side tests, then
# for each Debian kernel series (6.1, 6.12) or "debug" (the debug kernel,
# built or taken from its cache by scripts/debug-kernel.sh) builds
# everything, boots it under QEMU and runs every selftest.  Prints one line
# per test and ends with "N passed, N failed[, N skipped]".  Exits non-zero
# on any failure, a guest that does not finish, or a kernel report in a
# guest's log.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0 fail=0 skip=0

# tally LINES: print all but the last line, add the last ("p f s") in.
tally() {
	printf '%s\n' "$1" | sed '$d'
	set -- $(printf '%s\n' "$1" | tail -n 1)
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
}

for t in selftests/host/test-*.sh; do
	tally "$(sh "$t" | sh scripts/ktap-report.sh host /dev/stdin)"
done

for k in "$@"; do
	image= timeout=${GUEST_TIMEOUT:-900}
	if [ "$k" = debug ]; then
		kver=debug
		if ! kdir=$(sh scripts/debug-kernel.sh); then
			echo "FAIL debug kernel build"
			fail=$((fail + 1))
			continue
		fi
		image=$kdir/arch/x86/boot/bzImage
		# KASAN, lockdep and kmemleak under emulation: about 3 min here.
		timeout=${GUEST_TIMEOUT:-1800}
	else
		kver=$(ls /lib/modules | grep "^$k\." | sort | tail -n 1)
	fi
	log=$top/build/$kver/build.log
	mkdir -p "$top/build/$kver"
	if [ -z "$kver" ] || ! make -s KERNEL="$k" all >"$log" 2>&1; then
		echo "FAIL $k build: see $log"
		tail -n 20 "$log" | sed 's/^/  /'
		fail=$((fail + 1))
		continue
	fi
	echo "== $kver: booting the guest"
	if ! GUEST_TIMEOUT=$timeout sh scripts/run-guest.sh check "$kver" $image; then
		fail=$((fail + 1))
	fi
	tally "$(sh scripts/ktap-report.sh "$k" "build/$kver/tap.log")"
	if ! sh scripts/scan-log.sh "build/$kver/console.log"; then
		echo "FAIL $k kernel log: see build/$kver/console.log"
		fail=$((fail + 1))
	fi
done

if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
