#!/bin/sh
# bench-report.sh turns a real make bench run's output (logs/bench-tap.log:
# the CSV of the full run BENCHMARKS.md reports, every section, the huge,
# mlock(2), page-table and walk rows too) into its CSV, table and chart,
# and leaves BENCHMARKS.md alone when told to, or when a section is missing.
# Prints KTAP between the markers scripts/ktap-report.sh reads.
dir=$(cd "$(dirname "$0")" && pwd)
report=$dir/../../scripts/bench-report.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

check() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n bench_report.$1"
	else
		echo "not ok $n bench_report.$1"
		failed=1
	fi
}

echo "svmk-test: begin bench-report"
echo "TAP version 13"
echo "1..8"
printf '# before\n<!-- results begin -->\nold\n<!-- results end -->\n# after\n' \
	>"$tmp/md"
cp "$tmp/md" "$tmp/md.orig"
BENCH_REPORT_MD=$tmp/md sh "$report" "$dir/logs/bench-tap.log" "$tmp/out" \
	>"$tmp/stdout" 2>"$tmp/stderr"
check runs "[ $? -eq 0 ]"
check csv_has_every_row "[ \$(wc -l <'$tmp/out/results.csv') -eq 146 ]"
check table_counts_goals "grep -qx '### Goals: 26 met, 16 missed' '$tmp/out/results.md'"
check table_has_kmem_row "grep -q '^| kmem | slab bytes a region (10000 regions) | 1161 B (svm) | 1024 B (goal) | 1.134 | <= 1 KiB | \*\*MISSED\*\* |$' '$tmp/out/results.md'"
check table_has_pte_row "grep -q '^| pte | page tables per GiB mapped, per mapper (100 mappers of 1 GiB), SVM_OPEN_HUGE | 8.0 KiB (svm) | 8.0 KiB (goal) | 1.000 | <= 8 KiB | \*\*MET\*\* |$' '$tmp/out/results.md'"
if command -v gnuplot >/dev/null; then
	check chart_is_a_png "[ \"\$(head -c 4 '$tmp/out/chart.png' | tail -c 3)\" = PNG ]"
else
	echo "ok $((n = n + 1)) bench_report.chart_is_a_png # SKIP no gnuplot"
fi
{ printf '# before\n<!-- results begin -->\n\n'; cat "$tmp/out/results.md"
  printf '\n<!-- results end -->\n# after\n'; } >"$tmp/md.want"
check markdown_gets_the_table_keeps_its_prose "cmp -s '$tmp/md' '$tmp/md.want'"
# Without the place section there is no chart, and the file stays as it was.
cp "$tmp/md.orig" "$tmp/md2"
grep -v '^place,' "$dir/logs/bench-tap.log" >"$tmp/partial.log"
BENCH_REPORT_MD=$tmp/md2 sh "$report" "$tmp/partial.log" "$tmp/out2" \
	>/dev/null 2>&1
check partial_run_leaves_markdown "cmp -s '$tmp/md2' '$tmp/md.orig'"
echo "svmk-test: end bench-report rc=$failed"
