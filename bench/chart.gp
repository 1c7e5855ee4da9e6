# gnuplot -e "dir='build/bench'" bench/chart.gp: the benchmark chart, from
# the .dat files scripts/bench-report.sh writes into dir.
set terminal pngcairo size 1800,1750 font "sans,11" noenhanced
set output dir."/chart.png"
set multiplot layout 3,3 title "svm against SysV shm, POSIX shm and memfd (QEMU TCG guest: compare ratios, not absolute times)" font "sans,14"

set grid ytics
set key default; set key top left
set style fill solid 0.85 border -1
set style data histograms
set style histogram clustered gap 1
set boxwidth 0.9

# 1. the full cycle
set title "1. create, map, touch, unmap, destroy (median)"
set xlabel "pages"
set ylabel "µs (log scale)"
set logscale y
plot dir."/cycle.dat" using 2:xtic(1) title "svm" lc rgb "#d62728", \
     '' using 3 title "svm (libsvmk)" lc rgb "#ff9896", \
     '' using 4 title "SysV shm" lc rgb "#1f77b4", \
     '' using 5 title "POSIX shm" lc rgb "#2ca02c", \
     '' using 6 title "memfd" lc rgb "#9467bd"

# 2. open by name
set title "2. open an existing name (median)"
set xlabel "names present"
set ylabel "µs"
unset logscale y
set logscale x
set yrange [0:*]
set style data linespoints
plot dir."/open.dat" using 1:2 title "svm SVM_IOC_OPEN + close" lw 2 pt 7 lc rgb "#d62728", \
     '' using 1:3 title "SysV shmget" lw 2 pt 5 lc rgb "#1f77b4", \
     '' using 1:4 title "shm_open + close" lw 2 pt 9 lc rgb "#2ca02c"
unset logscale x
set yrange [*:*]

# 3. placement
set title "3. place a new region, fragmented window (median)"
set xlabel "window occupied (%)"
set ylabel "µs (log scale)"
set logscale y
set key default; set key top left
set key autotitle columnhead
plot for [i=2:4] dir."/place.dat" using 1:i title columnhead(i)." window" lw 2 pt 7
set key noautotitle
unset logscale y

# 4-5. touching and wiring
set title "4-5. 256 MiB: touch every page, wire, unwire (median)"
set xlabel ""
set ylabel "ms (log scale)"
set logscale y
set yrange [10:*]
set style data histograms
set key bmargin center horizontal maxrows 3
plot dir."/heavy.dat" using 2:xtic(1) title "svm (4 KiB; SVM_WIRE_LOCK)" lc rgb "#d62728", \
     '' using 3 title "svm SVM_OPEN_HUGE" lc rgb "#ff7f0e", \
     '' using 4 title "file on a huge=within_size tmpfs" lc rgb "#bcbd22", \
     '' using 5 title "svm mlock(2), munlock(2)" lc rgb "#ff9896", \
     '' using 6 title "memfd (touch, mlock, munlock)" lc rgb "#9467bd", \
     '' using 7 title "SysV (SHM_LOCK + touch, SHM_UNLOCK)" lc rgb "#1f77b4"
unset logscale y
set yrange [*:*]
set key default

# 6. kernel memory
set title "6. kernel memory per region (slab objects)"
set ylabel "bytes"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set key default; set key top right
set style data boxes
plot dir."/kmem.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#7f7f7f", \
     1024 with lines lw 2 dt 2 lc rgb "#d62728" title "goal: 1 KiB", \
     '' using 0:2:(sprintf("%d", $2)) with labels offset 0,1 notitle
set yrange [*:*]
set offsets 0, 0, 0, 0

# 7. page tables per mapper
set title "7. page tables per GiB mapped, per mapper (100 mappers, median)"
set ylabel "KiB (log scale)"
set logscale y
set yrange [1:*]
set offsets 0, 0, graph 0.12, 0
set key default; set key top right
plot dir."/pte.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#7f7f7f", \
     8 with lines lw 2 dt 2 lc rgb "#d62728" title "goal: 8 KiB (huge)", \
     '' using 0:2:(sprintf("%.0f", $2)) with labels offset 0,1 notitle
unset logscale y
set yrange [*:*]

# 8. the random walk
set title "8. random walk over 1 GiB, a load a page (median)"
set ylabel "ns a load"
set yrange [0:*]
plot dir."/walk.dat" using 0:2:xtic(1) with boxes notitle lc rgb "#7f7f7f", \
     '' using 0:2:(sprintf("%.1f", $2)) with labels offset 0,1 notitle
set yrange [*:*]
set offsets 0, 0, 0, 0

# goals
set title "goals: ratio / limit (below 1 = met)"
set ylabel ""
set xlabel ""
set style data boxes
set logscale x
set xrange [0.1:*]
set yrange [-0.7:*] reverse
set ytics nomirror font "sans,8"
unset grid
set grid xtics
set key default; set key bmargin center horizontal
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lw 2 dt 2 lc rgb "black"
plot dir."/goals.dat" using 2:0:(0.1):(strcol(3) eq "MET" ? $2 : 0.1):($0-0.35):($0+0.35):ytic(1) \
	with boxxyerror title "met" lc rgb "#2ca02c", \
     '' using 2:0:(0.1):(strcol(3) eq "MISSED" ? $2 : 0.1):($0-0.35):($0+0.35) \
	with boxxyerror title "missed" lc rgb "#d62728"
unset arrow 1

unset multiplot
