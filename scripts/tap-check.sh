# tap-check.sh: sourced by the check scripts that print TAP (check-install.sh,
# check-deb.sh).  They set $out, the directory of the logs, first.
#
#   check NAME FUNCTION [ARG...]   run a check, its output into a log in $out;
#                                  "ok N NAME", or "not ok" and the log's end
#   tap_end NAME                   "1..N" and "NAME: N passed, N failed
#                                  [, N skipped]"; fails if a check failed
#
# A check that prints "SKIP: why" as its last line and returns 0 is skipped.
n=0 pass=0 fail=0 skip=0

check() {
	name=$1
	shift
	n=$((n + 1))
	log=$out/$n-$(echo "$name" | tr -c 'a-zA-Z0-9.\n-' '-').log
	if "$@" >"$log" 2>&1; then
		if tail -n 1 "$log" | grep -q '^SKIP: '; then
			echo "ok $n $name # SKIP $(tail -n 1 "$log" | cut -c7-)"
			skip=$((skip + 1))
		else
			echo "ok $n $name"
			pass=$((pass + 1))
		fi
	else
		echo "not ok $n $name"
		tail -n 40 "$log" | sed 's/^/#   /'
		echo "#   (log: $log)"
		fail=$((fail + 1))
	fi
}

tap_end() {
	echo "1..$n"
	if [ $skip -gt 0 ]; then
		echo "$1: $pass passed, $fail failed, $skip skipped"
	else
		echo "$1: $pass passed, $fail failed"
	fi
	[ $fail -eq 0 ]
}
