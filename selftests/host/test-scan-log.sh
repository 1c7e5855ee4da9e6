#!/bin/sh
# The kernel-log scanner judges each sample guest log as expected:
# clean -> 0, a report -> 1, a log cut off mid-run -> 2.
#
# debug-clean is a real debug-kernel run of the whole suite (its boot
# announces kasan, kfence, lockdep and kmemleak: none of that may count).
# lockdep, lockdep-nonstatic-key and kmemleak are real reports from the
# debug kernel, provoked by bugs planted in a scratch copy of the module
# (svm_bugs(), never committed); kmemleak-off and lockdep-off are the
# checkers switching themselves off.  kunit is the KUnit output of a
# real debug-kernel run (all passed); kunit-fail is the same with one case
# edited into a failure, in KUnit's own format.
# Prints KTAP between the markers scripts/ktap-report.sh reads.
dir=$(cd "$(dirname "$0")" && pwd)
scan=$dir/../../scripts/scan-log.sh
n=0 failed=0

expect() {
	n=$((n + 1))
	sh "$scan" "$dir/logs/$1.log" >/dev/null
	rc=$?
	if [ $rc -eq "$2" ]; then
		echo "ok $n scan_log.$1"
	else
		echo "not ok $n scan_log.$1 # exit $rc, expected $2"
		failed=1
	fi
}

echo "svmk-test: begin scan-log"
echo "TAP version 13"
echo "1..12"
expect clean 0
expect debug-clean 0
expect warning 1
expect kasan 1
expect lockdep 1
expect lockdep-nonstatic-key 1
expect lockdep-off 1
expect kmemleak 1
expect kmemleak-off 1
expect kunit 0
expect kunit-fail 1
expect cutoff 2
echo "svmk-test: end scan-log rc=$failed"
