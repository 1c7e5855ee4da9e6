#!/bin/sh
# check-fresh.sh: the README's commands on a machine nobody set up.  In a
# clean Debian bookworm root (debootstrap --variant=minbase, plus git and
# make, with the stock sources bookworm, bookworm-updates and
# bookworm-security) it clones this checkout's committed HEAD to
# /root/svmk, then runs there as root, in a chroot with the host's /proc,
# /sys, /dev and /dev/pts bound in: 'make demo', 'make check', and
# scripts/check-deb.sh ('make deb', the packages installed, used in the
# guest and purged).  make's deps step installs the rest with apt.  Each
# step's output is shown and kept in build/fresh/; the logs of the clone's
# build/ are copied to build/fresh/clone/.  Ends with a summary and
# "check-fresh: N passed, N failed" (one per step); exits non-zero if a
# step failed.
#
# The bootstrapped tree is cached outside the repository, one a day, as
# ${SVMK_CACHE:-/var/cache/svmk}/fresh-bookworm-DATE.tar.gz: a second run
# the same day downloads nothing to make it.  The root is made in
# ${SVMK_FRESH_TMP:-/var/tmp} and deleted at the end, on failure or
# interrupt too, after everything mounted under it is unmounted; if
# anything is still mounted there it is left alone.  SVMK_FRESH_KEEP=1
# keeps it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cache=${SVMK_CACHE:-/var/cache/svmk}
tarball=$cache/fresh-bookworm-$(date +%Y%m%d).tar.gz
mirror=http://deb.debian.org/debian
out=$top/build/fresh
clone=/root/svmk		# in the root

[ "$(id -u)" = 0 ] ||
	{ echo "check-fresh: run as root (debootstrap, mount and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
	{ echo "check-fresh: debootstrap is not installed: sh scripts/deps.sh fresh" >&2; exit 1; }
head=$(git rev-parse HEAD) ||
	{ echo "check-fresh: $top is not a git checkout" >&2; exit 1; }
[ -z "$(git status --porcelain)" ] ||
	echo "check-fresh: $top has uncommitted changes; only HEAD $head is tested"
rm -rf "$out"
mkdir -p "$out" "$cache"
root=$(mktemp -d "${SVMK_FRESH_TMP:-/var/tmp}/svmk-fresh.XXXXXX") || exit 1
chmod 755 "$root"	# it is /: users such as _apt and man go through it

# mounted_under DIR: the mount points at or under DIR, deepest first.
mounted_under() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts |
		sort -r
}

# in_root: the PIDs of the processes whose root directory is the root.
in_root() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" != "$root" ] || echo "${p#/proc/}"
	done
}

# Whatever happened: stop what still runs in the root (a guest of an
# interrupted step), unmount, and delete the root only when nothing is
# mounted under it any more (rm -rf would go on into the host's /dev).
cleanup() {
	trap '' INT TERM HUP
	pids=$(in_root)
	if [ -n "$pids" ]; then
		echo "check-fresh: stopping what still runs in $root:" $pids >&2
		kill $pids 2>/dev/null
		i=0
		while [ -n "$(in_root)" ] && [ $i -lt 100 ]; do
			sleep 0.1	# polls the condition; 10 s at most
			i=$((i + 1))
		done
		pids=$(in_root)
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
	fi
	if [ -d "$root$clone/build" ]; then
		mkdir -p "$out/clone"
		(cd "$root$clone/build" && find . -name '*.log' | cpio -pdm --quiet "$out/clone")
	fi
	for m in $(mounted_under "$root"); do
		umount "$m" || echo "check-fresh: cannot unmount $m" >&2
	done
	left=$(mounted_under "$root")
	if [ -n "$left" ]; then
		echo "check-fresh: still mounted, so $root is NOT deleted:" $left >&2
	elif [ -n "${SVMK_FRESH_KEEP:-}" ]; then
		echo "check-fresh: the root is kept in $root"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'echo "check-fresh: interrupted" >&2; exit 130' INT
trap 'echo "check-fresh: terminated" >&2; exit 143' TERM
trap 'echo "check-fresh: hung up" >&2; exit 129' HUP

summary= pass=0 fail=0

# result NAME RC SECONDS [NOTE]: count a step and add it to the summary.
result() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)) st=ok
	else
		fail=$((fail + 1)) st=FAIL
	fi
	echo "== check-fresh: $st $1 ($3 s)"
	summary="$summary$(printf '  %-4s %-12s %5s s  %s' "$st" "$1" "$3" "${4:-}")
"
}

# bootstrap: the root from today's tarball, or debootstrap it and make
# the tarball.  One bootstrap at a time per cache.
bootstrap() {
	exec 9>"$cache/fresh-bookworm.lock"
	if ! flock -n 9; then
		echo "check-fresh: waiting for another bootstrap in $cache"
		flock 9
	fi
	if [ -f "$tarball" ]; then
		echo "check-fresh: unpacking $tarball"
		tar -xzpf "$tarball" --numeric-owner -C "$root" &&
			chmod 755 "$root" || return 1
		msg="from $tarball"
	else
		echo "check-fresh: debootstrap bookworm (minbase, git, make) into $root"
		debootstrap --variant=minbase --include=git,make bookworm \
			"$root" "$mirror" || return 1
		cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
		EOF
		rm -f "$root"/var/cache/apt/archives/*.deb
		[ -z "$(mounted_under "$root")" ] ||
			{ echo "check-fresh: debootstrap left mounts under $root" >&2; return 1; }
		rm -f "$cache"/fresh-bookworm-*.tar.gz
		tar -czf "$tarball.tmp" --numeric-owner -C "$root" . &&
			mv "$tarball.tmp" "$tarball" || return 1
		msg="bootstrapped, cached in $tarball"
	fi
	exec 9>&-
	# The host's name server; the marker lets scripts/check-deb.sh run.
	rm -f "$root/etc/resolv.conf"
	cp /etc/resolv.conf "$root/etc/resolv.conf" &&
		touch "$root/etc/svmk-check-fresh" && echo "$msg"
}

# The committed HEAD, checked out alone in a clone of this checkout.
clone() {
	git clone -q --no-checkout "$top" "$root$clone" &&
		git -C "$root$clone" fetch -q "$top" HEAD &&
		git -C "$root$clone" checkout -q --detach FETCH_HEAD &&
		[ "$(git -C "$root$clone" rev-parse HEAD)" = "$head" ] &&
		git -C "$root$clone" log -1 --format='%h %s'
}

# /dev/pts too, for apt's pseudo-terminal.
mount_root() {
	for d in proc sys dev dev/pts; do
		mount --bind "/$d" "$root/$d" ||
			{ echo "check-fresh: cannot bind /$d to $root/$d" >&2; return 1; }
	done
}

# host_step NAME FUNCTION: a step on the host, its output into NAME.log;
# its last line goes into the summary.
host_step() {
	start=$(date +%s)
	"$2" >"$out/$1.log" 2>&1
	rc=$?
	[ $rc = 0 ] || tail -n 20 "$out/$1.log" | sed 's/^/  /'
	result "$1" $rc $(($(date +%s) - start)) "$(tail -n 1 "$out/$1.log")"
	return $rc
}

# step NAME COMMAND: COMMAND in the clone, in the root, as a new user's
# root shell would run it; shown as it goes and kept in NAME.log.  In the
# background so that a signal is handled at once (cleanup stops it).
step() {
	log=$out/$(echo "$1" | tr ' ' '-').log
	echo "== check-fresh: $1 (log: $log)"
	start=$(date +%s)
	{
		chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd $clone && $2" </dev/null 2>&1
		echo $? >"$log.rc"
	} | tee "$log" &
	wait $!
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	rm -f "$log.rc"
	result "$1" "$rc" $(($(date +%s) - start)) \
		"$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
}

echo "check-fresh: testing $head in $root"
if host_step bootstrap bootstrap && host_step clone clone &&
	host_step mount mount_root; then
	step "make demo" "make demo"
	step "make check" "make check"
	step "packages" "sh scripts/check-deb.sh"
fi

echo "check-fresh: summary ($head)"
printf '%s' "$summary"
echo "check-fresh: $pass passed, $fail failed"
[ $fail = 0 ]
