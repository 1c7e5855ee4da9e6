#!/bin/sh
# The kernel-log scanner judges each sample guest log as expected:
# clean -> 0, a WARNING or a KASAN report -> 1, a log cut off mid-run -> 2.
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
echo "1..4"
expect clean 0
expect warning 1
expect kasan 1
expect cutoff 2
echo "svmk-test: end scan-log rc=$failed"
