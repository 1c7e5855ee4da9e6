#!/bin/sh
# ktap-report.sh LABEL TAP_LOG: print one line per test from the KTAP output
# of the guest's test programs (between "svmk-test: begin/end" markers), and
# on the last line "pass fail skip" counts.  A program that exits non-zero
# without a failing test, or reports fewer tests than it planned, counts as
# one more failure.
exec awk -v label="$1" '
function flush() {
	if (prog == "")
		return
	if (ran < plan) {
		printf "FAIL %s %s: %d of %d tests never reported\n", label, prog, plan - ran, plan
		fail++
	} else if (rc != 0 && rc != 4 && !progfail) {
		printf "FAIL %s %s: exited with status %d\n", label, prog, rc
		fail++
	}
	prog = ""
}
/^svmk-test: begin / { flush(); prog = $3; plan = 0; ran = 0; rc = -1; progfail = 0; next }
/^svmk-test: end / { sub(/.*rc=/, ""); rc = $0 + 0; flush(); next }
prog != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
prog != "" && /^(not )?ok [0-9]+ / {
	ok = ($1 == "ok")
	line = $0
	sub(/^(not )?ok [0-9]+ /, "", line)
	ran++
	if (ok && line ~ /# [Ss][Kk][Ii][Pp]/) {
		printf "SKIP %s %s: %s\n", label, prog, line; skip++
	} else if (ok) {
		printf "PASS %s %s: %s\n", label, prog, line; pass++
	} else {
		printf "FAIL %s %s: %s\n", label, prog, line; fail++; progfail = 1
	}
}
END {
	if (prog != "") {
		printf "FAIL %s %s: never finished\n", label, prog
		fail++
	}
	printf "%d %d %d\n", pass, fail, skip
}' "$2"
