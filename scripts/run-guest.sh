#!/bin/sh
# run-guest.sh JOB KVER [IMAGE]: pack an initramfs (busybox, svm.ko, svmctl
# with its shared libraries, the test programs and examples, static or with
# their shared libraries, libsvmk-sysv) and boot under QEMU the kernel
# IMAGE, by default Debian's /boot/vmlinuz-KVER (KVER also names the output
# directory: "debug" for the debug kernel).
#
#   JOB=check  runs every test; TAP goes to build/KVER/tap.log
#   JOB=demo   runs the demonstration, shown as it goes (also in tap.log)
#   JOB=bench  runs build/bench/svm-bench with BENCH_ARGS; its progress is
#              shown as it goes, its CSV lands in tap.log.  BENCH_PERF=1
#              runs it under 'perf record' (cpu-clock; the guest has no
#              PMU) and appends 'perf report' to tap.log, and one more
#              'perf report $BENCH_PERF_REPORT' if that is set.
#
# The kernel console is kept in build/KVER/console.log.  Exits non-zero
# when QEMU fails or the guest runs past GUEST_TIMEOUT seconds (default
# 900).  GUEST_MEM is the guest's memory (default 2G), split in two NUMA
# nodes of one CPU each (node 0 gets the odd MiB): a socket per node, so
# that no CPU's siblings straddle two nodes (6.12 WARNs in topology_sane()
# otherwise).  The debug kernel has no ACPI to read QEMU's SRAT from: it
# splits its memory itself (numa=fake=2).  SVM_TESTS limits JOB=check to
# the test programs it names.  GUEST_MODULE is the module the guest loads
# (default kmod/svm.ko; a .ko.xz or .ko.gz is unpacked), and
# GUEST_EXAMPLES the directory of the example programs JOB=check runs
# (default build/examples); those dynamically linked take their shared
# libraries along.  GUEST_SYSV_LIB is the libsvmk-sysv.so.1 the guest
# preloads (default libsvmk/'s; scripts/check-deb.sh gives the package's).
set -eu

job=$1
kver=$2
image=${3:-/boot/vmlinuz-$kver}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/$kver
root=$out/root
timeout=${GUEST_TIMEOUT:-900}
mem=${GUEST_MEM:-2G}
module=${GUEST_MODULE:-$top/kmod/svm.ko}
examples=${GUEST_EXAMPLES:-$top/build/examples}
sysv_lib=${GUEST_SYSV_LIB:-$top/libsvmk/libsvmk-sysv.so.1}
append="console=ttyS0 panic=-1 no_hash_pointers"
# GUEST_MEM in MiB (a K, M, G or T suffix; none is MiB, as for QEMU), halved
# for the nodes.
mib=$(echo "$mem" | awk '
	/^[0-9]+[kK]$/ { print int($0 / 1024); exit }
	/^[0-9]+[mM]$/ { print $0 + 0; exit }
	/^[0-9]+[gG]$/ { print $0 * 1024; exit }
	/^[0-9]+[tT]$/ { print $0 * 1024 * 1024; exit }
	/^[0-9]+$/ { print $0 + 0; exit }
	{ print 0 }')
if [ "$mib" -lt 2 ]; then
	echo "run-guest: GUEST_MEM=$mem: not a size of 2M or more" >&2
	exit 1
fi
node1=$((mib / 2))
node0=$((mib - node1))
[ "$kver" != debug ] || append="$append numa=fake=2"

# guest_install FILE [PATH]: FILE (a program, or a shared object such as an
# LD_PRELOAD library) into the guest at PATH, by default its own path, and
# when it is dynamically linked every shared library it needs and the
# dynamic loader, as ldd finds them, each at its path on the host.  The
# guest has no ld.so.cache: its loader finds those in /lib/x86_64-linux-gnu,
# /usr/lib/x86_64-linux-gnu, /lib and /usr/lib, any other one only through
# LD_LIBRARY_PATH.
guest_install() {
	dst=$root${2:-$1}
	mkdir -p "$(dirname "$dst")" && cp -L "$1" "$dst" || exit 1
	# ldd fails on a static program: nothing more to copy.
	libs=$(ldd "$1" 2>/dev/null) || return 0
	case $libs in
	*"not found"*)
		echo "run-guest: $1: a shared library is missing:" >&2
		printf '%s\n' "$libs" | grep 'not found' >&2
		exit 1 ;;
	esac
	for f in $(printf '%s\n' "$libs" |
		sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^\t\(\/[^ ]*\) .*/\1/p'); do
		mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f" || exit 1
	done
}

rm -rf "$root"
mkdir -p "$root/bin" "$root/lib" "$root/tests" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tmp" "$root/etc"
echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
cp /bin/busybox "$root/bin/busybox"
case $module in
*.xz)	xz -dc "$module" >"$root/lib/svm.ko" ;;
*.gz)	gzip -dc "$module" >"$root/lib/svm.ko" ;;
*)	cp "$module" "$root/lib/svm.ko" ;;
esac
install -m 755 "$top/scripts/guest-init" "$root/init"
echo "$job" >"$root/job"
if [ -x "$top/libsvmk/svmctl" ]; then
	guest_install "$top/libsvmk/svmctl" /bin/svmctl
fi
if [ "$job" = demo ]; then
	cp "$top/build/demo/svm-demo" "$root/bin/svm-demo"
	install -m 755 "$top/demo/demo.sh" "$root/bin/demo.sh"
elif [ "$job" = bench ]; then
	cp "$top/build/bench/svm-bench" "$root/bin/svm-bench"
	echo "${BENCH_ARGS:-}" >"$root/bench-args"
	# SysV shm past 32768 segments (the 100,000-name rows).
	append="$append ipcmni_extend"
	if [ -n "${BENCH_PERF:-}" ]; then
		# The host's perf and the shared libraries it needs.
		guest_install "$(command -v perf)"
		# BENCH_PERF_REPORT: options of one more perf report.
		echo "${BENCH_PERF_REPORT:-}" >"$root/perf"
	fi
else
	# SVM_TESTS="svm_wire svm_dev" runs only these test programs (static,
	# or dynamic with their libraries).  libsvmk-sysv goes in /lib, for
	# the programs guest-init runs with LD_PRELOAD.
	for t in ${SVM_TESTS:-$(ls "$top/build/tests")}; do
		guest_install "$top/build/tests/$t" "/tests/$t"
	done
	guest_install "$sysv_lib" /lib/libsvmk-sysv.so.1
	# selftests/svm/svm_examples runs them.
	mkdir -p "$root/examples"
	for f in "$examples"/*; do
		guest_install "$f" "/examples/${f##*/}"
	done
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"

: >"$out/console.log"
: >"$out/tap.log"
# The demo and the benchmark's progress are shown as they run.
follow=
case $job in
demo)	tail -f "$out/tap.log" & follow=$! ;;
bench)	tail -f --pid=$$ "$out/tap.log" | grep --line-buffered -v '^[a-z-]*,' &
	follow=$! ;;
esac
rc=0
timeout --foreground -k 10 "$timeout" \
	qemu-system-x86_64 -machine q35 -cpu max \
	-smp 2,sockets=2,cores=1,threads=1 -m "${mib}M" \
	-object memory-backend-ram,id=m0,size="${node0}M" \
	-object memory-backend-ram,id=m1,size="${node1}M" \
	-numa node,nodeid=0,cpus=0,memdev=m0 \
	-numa node,nodeid=1,cpus=1,memdev=m1 \
	-nodefaults -display none -no-reboot \
	-kernel "$image" -initrd "$out/initramfs.gz" \
	-append "$append" \
	-serial "file:$out/console.log" -serial "file:$out/tap.log" \
	</dev/null || rc=$?
[ -z "$follow" ] || { sleep 0.2; kill $follow 2>/dev/null || :; }
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "run-guest: guest on $kver ran past ${timeout}s; console: $out/console.log" >&2
	exit 1
elif [ $rc != 0 ]; then
	echo "run-guest: qemu failed ($rc) on $kver; console: $out/console.log" >&2
	exit 1
fi
