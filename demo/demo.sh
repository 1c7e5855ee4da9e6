#!/bin/sh
# The svmk demonstration, run inside the guest by 'make demo'.
set -u
name=demo-list

say() { printf '\n== %s\n' "$*"; }

# poll CMD...: retry a condition for up to 10 s.
poll() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 1000 ] || { echo "demo: timed out waiting for: $*"; exit 1; }
		usleep 10000
	done
}
mapped_by() { svmctl info $name 2>/dev/null | grep -q "pid $1:"; }
not_mapped_by() { ! mapped_by "$1"; }
region_gone() { ! svmctl list | grep -q " $name "; }

say "svm.ko is loaded: /dev/svm and the address window"
ls -l /dev/svm
svmctl window

say "process A (producer) creates region '$name' and builds a linked list in it"
svm-demo produce $name &
a=$!
poll mapped_by $a

say "process B (consumer), started separately, maps '$name' and follows A's raw pointers"
svm-demo consume $name &
b=$!
poll mapped_by $b

say "svmctl lists the region with both mappers"
svmctl list
svmctl info $name

say "kill -9 A ($a): the kernel drops it from the mapper list by itself"
kill -9 $a
poll not_mapped_by $a
svmctl info $name

say "B ($b) unmaps and exits: it was the last holder, so the region is freed"
kill -TERM $b
wait $b
poll region_gone
svmctl list
svmctl window
say "done: the window is free again"
