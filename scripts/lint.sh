#!/bin/sh
# lint.sh KDIR: checkpatch --strict (from Debian's kernel source package),
# sparse and W=1 over the module, and the uapi header.  Prints only problems.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
cp=$top/build/checkpatch
if [ ! -x "$cp/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$cp" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
rc=0
"$cp/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f $(ls "$top"/kmod/*.[ch] | grep -v '\.mod\.c$') || rc=1
# uapi headers cannot use BIT(): (1U << n) is the uapi idiom.
"$cp/scripts/checkpatch.pl" --strict --no-tree --quiet --no-summary \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,BIT_MACRO \
	-f "$top/uapi/linux/svm.h" || rc=1
# sparse (C=2 checks every file) and the W=1 extra warnings, as errors.
out=$(make -s -C "$kdir" M="$top" C=2 W=1 modules 2>&1 |
	grep -v '^Skipping BTF\|^  [A-Z]' || true)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	rc=1
fi
# The objects are for KDIR now: make the next 'make module' start clean.
rm -f "$top/kmod/.kver"
exit $rc
