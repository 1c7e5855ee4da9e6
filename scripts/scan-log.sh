#!/bin/sh
# scan-log.sh CONSOLE_LOG: judge a guest's kernel console log.
#   exit 0  the guest finished and the kernel reported nothing wrong
#   exit 1  the log holds a BUG, WARNING, Oops, GPF, KASAN, UBSAN, KFENCE,
#           lockdep, RCU, hung-task or kmemleak report or a failed KUnit
#           case (printed, first 20),
#           or kmemleak or lockdep switched itself off (so the rest of
#           the run went unchecked)
#   exit 2  the guest never reached its end marker (hung, panicked, cut off)
set -u
log=$1
pattern='BUG:|WARNING:|Oops|general protection fault|KASAN:|UBSAN:|KFENCE:'
pattern="$pattern|possible circular locking|possible recursive locking"
pattern="$pattern|INFO: trying to register non-static key"
pattern="$pattern|suspicious RCU usage|INFO: task .* blocked"
pattern="$pattern|unreferenced object|suspected memory leak|Kernel panic"
pattern="$pattern|Kernel memory leak detector disabled|Kmemleak disabled"
pattern="$pattern|svmk-guest: lockdep turned itself off"
# A KUnit case that failed (the suites run at every load of svm.ko).
pattern="$pattern|\\] +not ok [0-9]+ |EXPECTATION FAILED|ASSERTION FAILED"

if grep -aEq "$pattern" "$log"; then
	echo "kernel log: reports found in $log:"
	grep -aE "$pattern" "$log" | head -n 20 | sed 's/^/  /'
	exit 1
fi
if ! grep -aq '^svmk-guest: done' "$log"; then
	echo "kernel log: the guest did not finish (hung or cut off): $log"
	exit 2
fi
echo "kernel log: clean"
exit 0
