#!/bin/sh
# bench-report.sh LOG OUTDIR: turn svm-bench's output (in the guest's
# tap.log) into
#   OUTDIR/results.csv  the raw rows (section,case,backend,param,median,p99,n,unit)
#   OUTDIR/results.md   the table: svm against each peer, ratio, goals
#   OUTDIR/chart.png    the chart (gnuplot, bench/chart.gp)
# print the table, and, after a run of every section, put the table and the
# chart into BENCHMARKS.md and bench/chart.png (between BENCHMARKS.md's
# results markers).  BENCH_REPORT_MD names another file to update; empty,
# none.
set -eu

log=$1
out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

# The CSV: lines between the markers, without svm-bench's progress notes.
tr -d '\r' <"$log" | sed -n '/^svm-bench: csv begin$/,/^svm-bench: csv end$/p' |
	grep -v '^svm-bench: ' >"$out/results.csv" || :
if [ "$(wc -l <"$out/results.csv")" -lt 2 ]; then
	echo "bench-report: no results in $log" >&2
	exit 1
fi

rm -f "$out"/*.dat
awk -F, -v out="$out" '
function us(ns) {
	if (ns == "") return "-"
	if (ns >= 1e9) return sprintf("%.2f s", ns / 1e9)
	if (ns >= 1e6) return sprintf("%.1f ms", ns / 1e6)
	if (ns >= 1e4) return sprintf("%.0f µs", ns / 1e3)
	return sprintf("%.1f µs", ns / 1e3)
}
# A value in its unit: "ps" a load (shown in ns), "B" bytes, else ns.
function fmt(v, u) {
	if (v == "") return "-"
	if (u == "ps") return sprintf("%.1f ns", v / 1e3)
	if (u == "x") return sprintf("%.2fx", v)
	if (u == "B") return v >= 10485760 ? sprintf("%.0f MiB", v / 1048576) : (v >= 1024 ? sprintf("%.1f KiB", v / 1024) : sprintf("%d B", v))
	return us(v)
}
function has(k) { return (k in med) }
# A short label for the chart.
function short(s) {
	gsub(/256 MiB, every page/, "256 MiB", s)
	gsub(/256 MiB, every 4 KiB, SVM_OPEN_HUGE/, "256 MiB huge", s)
	gsub(/a file on a huge=within_size tmpfs/, "huge tmpfs", s)
	gsub(/svm, 4 KiB pages/, "svm 4K", s)
	gsub(/ 256 MiB of a region/, "", s)
	gsub(/ 256 MiB \(SVM_WIRE_(UN)?LOCK\)/, "", s)
	gsub(/ \([0-9.]+% occupied\)/, "", s)
	gsub(/^svm, /, "", s); gsub(/ pages?/, "p", s); gsub(/, libsvmk/, " lib", s)
	gsub(/ window/, "", s); gsub(/% full/, "%", s)
	if (sub(/^empty /, "", s)) sub(/^[0-9]+[GT]iB/, "& 0%", s)
	gsub(/ \(again, at the end\)/, " (again)", s)
	gsub(/ names/, "", s); gsub(/ shm$/, "", s); gsub(/ \(memfd\)/, "", s)
	return s
}
# One table row: svm (key a) against a peer (key b); goal is "<= X", "< X"
# or "" (for information).
function cmp(sect, what, a, b, peer, goal, note,    r, lim, st, op) {
	if (!has(a) || !has(b) || med[b] == 0) return
	r = med[a] / med[b]
	st = ""
	if (goal != "") {
		op = substr(goal, 1, index(goal, " ") - 1)
		lim = substr(goal, index(goal, " ") + 1) + 0
		st = ((op == "<=" && r <= lim) || (op == "<" && r < lim)) ? "MET" : "MISSED"
		ngoal++
		if (st == "MISSED") nmissed++
		gl[ngoal] = short(what)
		if (!index(gl[ngoal], sect)) gl[ngoal] = sect " " gl[ngoal]
		gl[ngoal] = gl[ngoal] " / " short(peer)
		gr[ngoal] = r / lim
		gs[ngoal] = st
		goals = goals sprintf("| %s | %s | %s %s | %s %s | %.3f | %s | **%s** |\n",
			sect, what, fmt(med[a], unit[a]), "(svm)", fmt(med[b], unit[b]), "(" peer ")",
			r, goal, st)
	}
	rows[sect] = rows[sect] sprintf("| %s | %s | %s | %s | %s | %s | %.3f | %s | %s |\n",
		what, fmt(med[a], unit[a]), fmt(p99[a], unit[a]), peer, fmt(med[b], unit[b]), fmt(p99[b], unit[b]), r,
		goal == "" ? "" : goal, st == "" ? "" : "**" st "**" (note ? " " note : ""))
}
function addparam(s, p) {
	if (!((s, p) in seen)) { seen[s, p] = 1; plist[s] = plist[s] (plist[s] == "" ? "" : " ") p }
}
# An absolute goal: value v (in unit u) against limit lim, shown as limtext.
function absgoal(sect, what, label, v, u, lim, limtext,    st) {
	st = v <= lim ? "MET" : "MISSED"
	ngoal++
	if (st == "MISSED") nmissed++
	gl[ngoal] = label
	gr[ngoal] = v / lim
	gs[ngoal] = st
	goals = goals sprintf("| %s | %s | %s (svm) | %s (goal) | %.3f | <= %s | **%s** |\n",
		sect, what, fmt(v, u), fmt(lim, u), v / lim, limtext, st)
	return st
}
# "backend N kB" (or "N to M kB", least to most) for each of list, from pmdsect.
function pmdnote(pmdsect, c, p, list,    nb, B, i, k, s) {
	nb = split(list, B, " ")
	for (i = 1; i <= nb; i++) {
		k = pmdsect SUBSEP c SUBSEP B[i] SUBSEP p
		if (!has(k)) continue
		s = s (s == "" ? "" : ", ") sprintf("%s %s", B[i], med[k] == p99[k] ? med[k] " kB" : med[k] " to " p99[k] " kB")
	}
	return s
}
NR == 1 { next }
$1 == "meta" { meta[$2] = $3; metaold[$2] = $4; metav[$2] = $5; next }
{
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
	med[k] = $5; p99[k] = $6; n[k] = $7; unit[k] = $8
	addparam($1, $4)
	if ($1 == "place") addparam("fill", $2)
	if ($1 == "kmem-cache") cache[$3] = cache[$3] sprintf("%s %d B, ", $2, $5)
}
END {
	hdr = "| case | svm median | svm p99 | peer | peer median | peer p99 | svm/peer | goal | status |\n|---|---:|---:|---|---:|---:|---:|---|---|\n"

	# 1. cycle
	np = split(plist["cycle"], P, " ")
	for (i = 1; i <= np; i++) {
		p = P[i]
		for (v = 1; v <= 2; v++) {
			b = v == 1 ? "svm" : "svmk"
			a = "cycle" SUBSEP "pages" SUBSEP b SUBSEP p
			w = p " page" (p == 1 ? "" : "s") (v == 2 ? ", libsvmk" : "")
			cmp("cycle", w, a, "cycle" SUBSEP "pages" SUBSEP "memfd" SUBSEP p, "memfd", "<= 1.2")
			cmp("cycle", w, a, "cycle" SUBSEP "pages" SUBSEP "sysv" SUBSEP p, "SysV shm", "< 1")
			cmp("cycle", w, a, "cycle" SUBSEP "pages" SUBSEP "posix" SUBSEP p, "POSIX shm", "< 1")
		}
		printf "%s", p > out "/cycle.dat"
		split("svm svmk sysv posix memfd", B, " ")
		for (j = 1; j <= 5; j++)
			printf " %g", med["cycle" SUBSEP "pages" SUBSEP B[j] SUBSEP p] / 1e3 > out "/cycle.dat"
		printf "\n" > out "/cycle.dat"
	}

	# 2. open by name; "regions-again" is the first count measured again
	# after coming back down from the most.
	np = split(plist["open"], P, " ")
	o = "open" SUBSEP "regions" SUBSEP
	for (i = 1; i <= np; i++) {
		p = P[i]
		cmp("open", p " names", o "svm" SUBSEP p, o "sysv" SUBSEP p, "SysV shmget", "")
		cmp("open", p " names", o "svm" SUBSEP p, o "posix" SUBSEP p, "shm_open + close", "")
		if (!has(o "svm" SUBSEP p)) continue
		printf "%s %g %g %g\n", p, med[o "svm" SUBSEP p] / 1e3,
			med[o "sysv" SUBSEP p] / 1e3, med[o "posix" SUBSEP p] / 1e3 > out "/open.dat"
	}
	ag = "open" SUBSEP "regions-again" SUBSEP
	cmp("open", P[1] " names, again at the end", ag "svm" SUBSEP P[1], ag "sysv" SUBSEP P[1], "SysV shmget", "")
	cmp("open", P[1] " names, again at the end", ag "svm" SUBSEP P[1], ag "posix" SUBSEP P[1], "shm_open + close", "")
	cmp("open", P[np] " names", o "svm" SUBSEP P[np], o "svm" SUBSEP P[1], "svm, " P[1] " names", "<= 1.5")
	cmp("open", P[np] " names", o "svm" SUBSEP P[np], ag "svm" SUBSEP P[1], "svm, " P[1] " names (again, at the end)", "<= 1.5")

	# 3. placement: each fill against the empty window (measured first,
	# and again after the fills), each window against the 1 GiB one.
	nw = split(plist["place"], W, " ")
	nf = 0
	split(plist["fill"], FF, " ")
	for (j = 1; j in FF; j++)
		if (FF[j] !~ /again/) F[++nf] = FF[j]
	for (i = 1; i <= nw; i++) {
		pl = "place" SUBSEP
		e = pl "fill0" SUBSEP "svm" SUBSEP W[i]
		e2 = pl "fill0-again" SUBSEP "svm" SUBSEP W[i]
		for (j = 2; j <= nf; j++) {
			f = substr(F[j], 5)
			occ = "place-occupancy" SUBSEP F[j] SUBSEP "svm" SUBSEP W[i]
			what = W[i] " window, " f "% full" (has(occ) ? sprintf(" (%.2f%% occupied)", med[occ] / 1e4) : "")
			a = pl F[j] SUBSEP "svm" SUBSEP W[i]
			cmp("place", what, a, e, "svm, empty " W[i] " window", F[j] == "fill99" ? "<= 2" : "")
			if (F[j] == "fill99")
				cmp("place", what, a, e2, "svm, empty " W[i] " window (again, at the end)", "<= 2")
		}
		cmp("place", W[i] " window, empty, again at the end", e2, e, "svm, empty " W[i] " window (first)", "")
	}
	for (i = 2; i <= nw; i++)
		for (j = 1; j <= nf; j++) {
			f = substr(F[j], 5)
			cmp("place", W[i] " window, " f "% full", "place" SUBSEP F[j] SUBSEP "svm" SUBSEP W[i],
				"place" SUBSEP F[j] SUBSEP "svm" SUBSEP W[1],
				"svm, " W[1] " window, " f "% full",
				W[i] == "1TiB" && (F[j] == "fill0" || F[j] == "fill99") ? "<= 1.2" : "")
		}
	printf "fill" > out "/place.dat"
	for (i = 1; i <= nw; i++) printf " %s", W[i] > out "/place.dat"
	printf "\n" > out "/place.dat"
	for (j = 1; j <= nf; j++) {
		printf "%s", substr(F[j], 5) > out "/place.dat"
		for (i = 1; i <= nw; i++)
			printf " %g", med["place" SUBSEP F[j] SUBSEP "svm" SUBSEP W[i]] / 1e3 > out "/place.dat"
		printf "\n" > out "/place.dat"
	}

	# 4. touching, 5. wiring and unwiring
	t = "touch" SUBSEP "256MiB" SUBSEP
	cmp("touch", "256 MiB, every page", t "svm" SUBSEP "65536", t "memfd" SUBSEP "65536", "memfd", "<= 1.053", "(speed >= 0.95x)")
	hw = "256 MiB, every 4 KiB, SVM_OPEN_HUGE"
	cmp("touch", hw, t "svm-huge" SUBSEP "65536", t "tmpfs-huge" SUBSEP "65536", "a file on a huge=within_size tmpfs", "<= 1.05")
	cmp("touch", hw, t "svm-huge" SUBSEP "65536", t "svm" SUBSEP "65536", "svm, 4 KiB pages", "<= 0.1")
	cmp("touch", "256 MiB, every 4 KiB, a file on a huge=within_size tmpfs (not svm)", t "tmpfs-huge" SUBSEP "65536", t "memfd" SUBSEP "65536", "memfd, 4 KiB pages", "")
	touchpmd = pmdnote("touch-pmd", "256MiB", "65536", "svm memfd svm-huge tmpfs-huge")
	h = t
	t = "wire" SUBSEP "256MiB" SUBSEP
	cmp("wire", "wire 256 MiB (SVM_WIRE_LOCK)", t "svm-lock" SUBSEP "65536", t "mlock" SUBSEP "65536", "mlock (memfd)", "<= 1.111", "(speed >= 0.9x)")
	cmp("wire", "wire 256 MiB (SVM_WIRE_LOCK)", t "svm-lock" SUBSEP "65536", t "shm-lock" SUBSEP "65536", "SHM_LOCK + touch", "")
	cmp("wire", "mlock(2) 256 MiB of a region", t "svm-mlock" SUBSEP "65536", t "mlock" SUBSEP "65536", "mlock (memfd)", "<= 1.05")
	u = "unwire" SUBSEP "256MiB" SUBSEP
	cmp("wire", "unwire 256 MiB (SVM_WIRE_UNLOCK)", u "svm-lock" SUBSEP "65536", u "mlock" SUBSEP "65536", "munlock (memfd)", "<= 1.111", "(speed >= 0.9x)")
	cmp("wire", "unwire 256 MiB (SVM_WIRE_UNLOCK)", u "svm-lock" SUBSEP "65536", u "shm-lock" SUBSEP "65536", "SHM_UNLOCK", "")
	cmp("wire", "munlock(2) 256 MiB of a region", u "svm-mlock" SUBSEP "65536", u "mlock" SUBSEP "65536", "munlock (memfd)", "")
	# heavy.dat: svm, svm huge, tmpfs huge, svm mlock(2), memfd, SysV (ms)
	printf "touch %g %g %g 0 %g 0\n", med[h "svm" SUBSEP "65536"] / 1e6,
		med[h "svm-huge" SUBSEP "65536"] / 1e6, med[h "tmpfs-huge" SUBSEP "65536"] / 1e6,
		med[h "memfd" SUBSEP "65536"] / 1e6 > out "/heavy.dat"
	printf "wire %g 0 0 %g %g %g\n", med[t "svm-lock" SUBSEP "65536"] / 1e6,
		med[t "svm-mlock" SUBSEP "65536"] / 1e6, med[t "mlock" SUBSEP "65536"] / 1e6,
		med[t "shm-lock" SUBSEP "65536"] / 1e6 > out "/heavy.dat"
	printf "unwire %g 0 0 %g %g %g\n", med[u "svm-lock" SUBSEP "65536"] / 1e6,
		med[u "svm-mlock" SUBSEP "65536"] / 1e6, med[u "mlock" SUBSEP "65536"] / 1e6,
		med[u "shm-lock" SUBSEP "65536"] / 1e6 > out "/heavy.dat"

	# 6. kernel memory: bytes a region, absolute goal
	np = split(plist["kmem"], P, " ")
	kc = P[1]
	ka = "kmem" SUBSEP "slab-objects" SUBSEP "svm" SUBSEP kc
	if (has(ka)) {
		st = med[ka] <= 1024 ? "MET" : "MISSED"
		ngoal++
		if (st == "MISSED") nmissed++
		gl[ngoal] = "kmem B/region / 1KiB"
		gr[ngoal] = med[ka] / 1024
		gs[ngoal] = st
		goals = goals sprintf("| kmem | slab bytes a region (%s regions) | %d B (svm) | 1024 B (goal) | %.3f | <= 1 KiB | **%s** |\n",
			kc, med[ka], med[ka] / 1024, st)
	}
	krows = "| backend | slab objects | meminfo Slab | vmalloc + percpu | MemFree drop | svm/peer (slab objects) | largest caches |\n|---|---:|---:|---:|---:|---:|---|\n"
	split("svm sysv posix memfd", B, " ")
	for (j = 1; j <= 4; j++) {
		b = B[j]
		k = "kmem" SUBSEP "slab-objects" SUBSEP b SUBSEP kc
		if (!has(k)) continue
		c = cache[b]; sub(/, $/, "", c)
		krows = krows sprintf("| %s | %d B | %d B | %d B | %d B | %s | %s |\n", b, med[k],
			med["kmem" SUBSEP "meminfo-slab" SUBSEP b SUBSEP kc],
			med["kmem" SUBSEP "vmalloc+percpu" SUBSEP b SUBSEP kc],
			med["kmem" SUBSEP "memfree-drop" SUBSEP b SUBSEP kc],
			b == "svm" ? "" : sprintf("%.2f", med[ka] / med[k]), c)
		printf "%s %d\n", b, med[k] > out "/kmem.dat"
	}

	# 7. page tables per mapper: bytes per GiB mapped, absolute goal
	pk = "pte" SUBSEP "1GiB" SUBSEP
	if (has(pk "svm-huge" SUBSEP "100"))
		absgoal("pte", "page tables per GiB mapped, per mapper (100 mappers of 1 GiB), SVM_OPEN_HUGE",
			"pte huge B/GiB/mapper / 8KiB", med[pk "svm-huge" SUBSEP "100"], "B", 8192, "8 KiB")
	prows = "| region | page tables per GiB per mapper, median | most | mappers | resident in huge pages | fallen back to 4 KiB | huge/4 KiB |\n|---|---:|---:|---:|---:|---:|---:|\n"
	split("svm svm-huge", B, " ")
	for (j = 1; j <= 2; j++) {
		k = pk B[j] SUBSEP "100"
		if (!has(k)) continue
		hb = "pte-huge-bytes" SUBSEP "1GiB" SUBSEP B[j] SUBSEP
		prows = prows sprintf("| %s | %s | %s | %d | %s | %s | %s |\n",
			B[j] == "svm" ? "svm, 4 KiB pages" : "svm, SVM_OPEN_HUGE", fmt(med[k], "B"), fmt(p99[k], "B"), n[k],
			fmt(med[hb], "B"), fmt(p99[hb], "B"),
			B[j] == "svm" || !has(pk "svm" SUBSEP "100") ? "" : sprintf("%.4f", med[k] / med[pk "svm" SUBSEP "100"]))
		printf "\"%s\" %g\n", B[j] == "svm" ? "4 KiB pages" : "SVM_OPEN_HUGE", med[k] / 1024 > out "/pte.dat"
	}

	# 8. the random walk: picoseconds a load
	wk = "walk" SUBSEP "1GiB" SUBSEP
	cmp("walk", "1 GiB, a load a page, SVM_OPEN_HUGE", wk "svm-huge" SUBSEP "262144", wk "svm" SUBSEP "262144", "svm, 4 KiB pages", "")
	walkpmd = pmdnote("walk-pmd", "1GiB", "262144", "svm svm-huge")
	split("svm svm-huge", B, " ")
	for (j = 1; j <= 2; j++)
		if (has(wk B[j] SUBSEP "262144"))
			printf "\"%s\" %g\n", B[j] == "svm" ? "4 KiB pages" : "SVM_OPEN_HUGE",
				med[wk B[j] SUBSEP "262144"] / 1e3 > out "/walk.dat"

	# 9. SVM_IOC_MAPPERS against the mappers of the region (the same tasks on
	# the system), and against more tasks that map nothing (the same
	# mappers); the share of a mapper in a call in "ps" (shown in ns).
	np = split(plist["mappers"], P, " ")
	mk = "mappers" SUBSEP "call" SUBSEP "svm" SUBSEP
	mi = "mappers" SUBSEP "idle2000" SUBSEP "svm" SUBSEP "512"
	mp = "mappers-per" SUBSEP "call" SUBSEP "svm" SUBSEP
	tk = "mappers-tasks" SUBSEP
	mrows = ""
	for (i = 1; i <= np; i++) {
		p = P[i]
		if (!has(mk p)) continue
		med[mp p] = med[mk p] * 1000 / p; p99[mp p] = p99[mk p] * 1000 / p; unit[mp p] = "ps"
		mrows = mrows sprintf("| %d | %d | %s | %s | %s |\n", p, med[tk "call" SUBSEP "svm" SUBSEP ""],
			fmt(med[mk p], "ns"), fmt(p99[mk p], "ns"), fmt(med[mp p], "ps"))
	}
	if (has(mi))
		mrows = mrows sprintf("| 512, and %d more tasks that map nothing | %d | %s | %s | %s |\n", 2000,
			med[tk "idle2000" SUBSEP "svm" SUBSEP ""], fmt(med[mi], "ns"), fmt(p99[mi], "ns"),
			fmt(med[mi] * 1000 / 512, "ps"))
	mc = "mappers-ctl1" SUBSEP "idle2000" SUBSEP "svm" SUBSEP "512"
	if (has(mc))
		mrows = mrows sprintf("| 1, and %d more tasks that map nothing (control, timed after each call of the row above) | %d | %s | %s | %s |\n", 2000,
			med[tk "idle2000" SUBSEP "svm" SUBSEP ""], fmt(med[mc], "ns"), fmt(p99[mc], "ns"), fmt(med[mc] * 1000, "ps"))
	cmp("mappers", "1 mapper, 2000 more tasks on the system (control)", mc, mk "1", "1 mapper", "")
	cmp("mappers", "64 mappers, per mapper", mp "64", mp "1", "1 mapper", "")
	cmp("mappers", "512 mappers, per mapper", mp "512", mp "64", "64 mappers, per mapper", "")
	cmp("mappers", "2048 mappers, per mapper", mp "2048", mp "512", "512 mappers, per mapper", "<= 1.25")
	cmp("mappers", "512 mappers, 2000 more tasks on the system", mi, mk "512", "512 mappers", "")
	# The goal: the 512-mapper call against the 1-mapper control, with
	# and without the 2000 tasks (what more tasks cost any call is not
	# MAPPERS walking them).
	ni = "mappers-norm" SUBSEP "idle2000" SUBSEP "svm" SUBSEP "512"
	nb = "mappers-norm" SUBSEP "call" SUBSEP "svm" SUBSEP "512"
	if (has(mi) && has(mc) && has(mk "512") && has(mk "1") && med[mc] && med[mk "1"]) {
		med[ni] = med[mi] / med[mc]; p99[ni] = ""; unit[ni] = "x"
		med[nb] = med[mk "512"] / med[mk "1"]; p99[nb] = ""; unit[nb] = "x"
		cmp("mappers", "512 mappers / 1 mapper (control), 2000 more tasks on the system", ni, nb, "512 mappers / 1 mapper", "<= 1.1")
	}
	# 10. watching a region: the death of a mapper told by its DETACH against
	# its pidfd (the same kills), and what a watcher costs map/unmap
	wk = "watch" SUBSEP "kill-notify" SUBSEP
	cmp("watch", "SIGKILL of a mapper to its DETACH read from a watch", wk "svm-watch" SUBSEP "1", wk "pidfd" SUBSEP "1", "its pidfd readable (the same kills)", "<= 1.1")
	wc = "watch" SUBSEP "map-unmap" SUBSEP
	cmp("watch", "10 x mmap, touch, munmap, a watcher not reading (queue full)", wc "svm-watch" SUBSEP "10", wc "svm" SUBSEP "10", "no watcher", "<= 1.03")
	cmp("watch", "10 x mmap, touch, munmap, a watcher drained after each", wc "svm-watch-read" SUBSEP "10", wc "svm" SUBSEP "10", "no watcher", "<= 1.03")
	ck = "watch" SUBSEP "clock-read" SUBSEP "clock_gettime" SUBSEP "1"
	if (has(ck))
		rows["watch"] = rows["watch"] sprintf("| one clock_gettime(CLOCK_MONOTONIC) in this guest (a record reads the clock twice) | %s | %s | | | | | | |\n", fmt(med[ck], "ns"), fmt(p99[ck], "ns"))

	for (i = 1; i <= ngoal; i++)
		printf "\"%s\" %g %s\n", gl[i], gr[i], gs[i] > out "/goals.dat"

	md = out "/results.md"
	printf "Kernel %s, svm-bench pinned to CPU %s, transparent hugepages `%s` (anon) and `%s` (shmem) for every backend but the huge ones, SVM_OPEN_HUGE regions and files on a huge=within_size tmpfs (they were `%s` and `%s`)%s. Times are medians and 99th percentiles (nearest rank) of n repetitions after a warm-up, on CLOCK_MONOTONIC inside a QEMU TCG guest: compare ratios, not absolute times. svm-bench ran %d s.\n\n",
		meta["kernel"], meta["cpu"], meta["thp_enabled"], meta["thp_shmem_enabled"],
		metaold["thp_enabled"], metaold["thp_shmem_enabled"],
		meta["quick"] == "yes" ? " (**quick run, -q: fewer repetitions and regions**)" : (meta["forced_reps"] == "yes" ? " (**trial run, -r: " metav["forced_reps"] " repetitions**)" : ""),
		metav["runtime_s"] > md
	printf "### Goals: %d met, %d missed\n\n", ngoal - nmissed, nmissed > md
	printf "| section | what | svm | peer | ratio | goal | status |\n|---|---|---:|---:|---:|---|---|\n%s\n", goals > md
	printf "Ratios are svm time / peer time, so lower is better for svm; \"speed >= 0.95x\" is a time ratio <= 1/0.95.\n\n" > md
	printf "### 1. Create, map, touch every page, unmap, destroy\n\n%s%s\n", hdr, rows["cycle"] > md
	printf "`svm` is the raw ioctl path (SVM_IOC_OPEN, mmap, munmap, close); `libsvmk` is svmk_region_open()/svmk_region_close() in a process holding the window reservation (the mapping replaces the placeholder, the unmap puts it back).\n\n" > md
	printf "### 2. Open an existing name, with N names present\n\n%s%s\n", hdr, rows["open"] > md
	printf "svm: SVM_IOC_OPEN without CREATE, then close(); SysV: shmget() of an existing key (no descriptor to close); POSIX: shm_open() of an existing name, then close(). The first count is measured again at the end, after the names beyond it are removed, to show how far the host drifted meanwhile.\n\n" > md
	printf "### 3. Place a new %s-page region in a fragmented window\n\n%s%s\n", "4", hdr, rows["place"] > md
	printf "The window is filled first fit with 500 pairs of a large and a one-page region, then every other region (the one-page ones) is freed: 500 holes of two granules spread over the occupied span, none large enough for the new region. The occupancy in brackets is read back with SVM_IOC_WINDOW. Each new region is created (SVM_IOC_OPEN with CREATE) and destroyed again (close) per repetition. The empty window is measured again after the fills to show the drift of the host.\n\n" > md
	printf "### 4. Touch every page of 256 MiB; 5. wire and unwire 256 MiB\n\n%s%s%s\n", hdr, rows["touch"], rows["wire"] > md
	printf "The huge rows write one byte in every 4 KiB of 256 MiB, as the others do. Mapped with PMDs after each touch (kB, least to most over the repetitions): %s. mlock(2) of a region is mlock(2) of its fresh, untouched mapping, populate included, as for the memfd.\n\n", touchpmd > md
	printf "### 6. Kernel memory per region (%s regions of one page; svm: persistent regions with no fd and no mapping; SysV: segments never attached; POSIX: closed files in /dev/shm; memfd: with its open fd)\n\n%s\n", kc, krows > md
	printf "Slab objects: the change in active objects x object size over /proc/slabinfo (per-CPU slabs flushed), divided by the number of regions; the other columns cross-check it from /proc/meminfo. The window maple tree is counted (maple_node): svm has no bitmap.\n\n" > md
	printf "### 7. Page tables per mapper (100 processes each mapping the same populated 1 GiB region and reading a byte of every 4 KiB)\n\n%s\n", prows > md
	printf "The VmPTE of each mapper (/proc/PID/status) while all 100 map the region, less its VmPTE before it mapped, per GiB mapped: the PTE, PMD and PUD pages of its mapping.\n\n" > md
	printf "### 8. Random walk: one dependent load a page over 1 GiB\n\n%s%s\n", hdr, rows["walk"] > md
	printf "Times are per load: the median and 99th percentile of repetitions of 1,048,576 loads, each from the pointer the previous load read, through a random cyclic permutation of the 262,144 pages of the region (a random cache line in each). Mapped with PMDs: %s.\n", walkpmd > md
	if (mrows != "") {
		printf "\n### 9. SVM_IOC_MAPPERS against the number of mappers (one-page regions mapped by 1, 64, 512 and 2048 parked processes)\n\n" > md
		printf "| mappers of the region | tasks on the system | median | p99 | per mapper (median / mappers) |\n|---|---:|---:|---:|---:|\n%s\n", mrows > md
		printf "%s%s\n", hdr, rows["mappers"] > md
		printf "One SVM_IOC_MAPPERS call a repetition, with room for every entry. The four regions are mapped by the same 2048 children of svm-bench (child i maps each region with more than i mappers), so their rows differ in the number of mappers only; the last row is the 512-mapper region again with 2000 more children that map nothing, forked before each of its chunks and reaped after it, so it differs in the number of tasks only. The rows alternate chunk by chunk.\n" > md
	}
	if (rows["watch"] != "") {
		printf "\n### 10. Watching a region (SVM_IOC_WATCH)\n\n%s%s\n", hdr, rows["watch"] > md
		printf "A mapper (a fork child blocked in pause()) is killed with SIGKILL; the time from kill() to the read() of the watcher returning its DETACH, and to a pidfd of the child becoming readable, in the same repetitions: both fds in one epoll, one clock reading per epoll_wait() return, that of the watch only after its read(). The map/unmap rows time ten mmap, touch of a page, munmap of a 1-page region (an ATTACH and a DETACH each) without a watcher, with one that never reads (its full queue drops the oldest record at each event) and with one drained after each repetition (untimed).\n" > md
	}
}' "$out/results.csv"

cat "$out/results.md"

rm -f "$out/chart.png"
chart=yes
for f in cycle open place heavy kmem pte walk goals; do
	[ -s "$out/$f.dat" ] || { echo "bench-report: no $f data: no chart" >&2; chart=; }
done
if ! command -v gnuplot >/dev/null; then
	echo "bench-report: gnuplot missing (make deps): no chart" >&2
elif [ -n "$chart" ]; then
	gnuplot -e "dir='$out'" "$top/bench/chart.gp"
fi

# BENCHMARKS.md keeps its prose; the part between the markers is replaced,
# only by a run of every section (one with a chart).
bm=${BENCH_REPORT_MD-$top/BENCHMARKS.md}
if [ -n "$chart" ] && [ -f "$bm" ] &&
	grep -q '^<!-- results begin -->$' "$bm"; then
	awk -v md="$out/results.md" '
		/^<!-- results end -->$/ { skip = 0 }
		!skip { print }
		/^<!-- results begin -->$/ {
			print ""
			while ((getline l <md) > 0) print l
			print ""
			skip = 1
		}' "$bm" >"$bm.new" && mv "$bm.new" "$bm"
	# The chart sits in bench/ beside the file.
	[ ! -f "$out/chart.png" ] || [ ! -d "${bm%/*}/bench" ] ||
		cp "$out/chart.png" "${bm%/*}/bench/chart.png"
	echo "bench-report: updated BENCHMARKS.md and bench/chart.png"
fi
