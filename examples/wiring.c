// SPDX-License-Identifier: MIT
/*
 * wiring: the two wiring sources of a region, side by side.
 *
 * POSIX mlock is mlock(2) of this process's mapping, the kernel's own: any
 * number of mlocks are undone by one munlock, it ends when the process
 * unmaps or exits, and the kernel charges it to this process's locked
 * memory (VmLck), not to svm's "charged".  An SVID lock is a count on the
 * region: each lock needs its unlock, it outlives the process that took
 * it, and its first lock populates the region and is charged once against
 * RLIMIT_MEMLOCK ("charged"), until the last unlock.  Neither undoes the
 * other; the region is wired (resident and unevictable) while either
 * holds it.
 */
#include <stdio.h>
#include <unistd.h>
#include <svmk.h>

static void show(struct svmk_region *reg, const char *after)
{
	struct svm_info info;

	if (svmk_region_info(reg, &info))
		return;
	printf("%s: wired %s, svid locks %u, mlockers %u, "
	       "resident %llu of %llu pages, charged %llu KiB\n", after,
	       info.flags & SVM_REGION_WIRED ? "yes" : "no", info.svid_count,
	       info.nr_mlocked, (unsigned long long)info.resident,
	       (unsigned long long)info.length / 4096,
	       (unsigned long long)info.charged >> 10);
}

int main(void)
{
	struct svmk_region *reg;
	struct svmk *svm;
	char name[32];
	int err;

	snprintf(name, sizeof(name), "wired-%d", (int)getpid());
	err = svmk_open(&svm, 0);
	if (!err)
		err = svmk_region_open(svm, name, 1 << 20,
				       SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &reg);
	if (err) {
		fprintf(stderr, "%s: %s\n", name, svmk_strerror(err));
		return 1;
	}
	show(reg, "create");
	err = svmk_region_mlock(reg) ?: svmk_region_mlock(reg);
	show(reg, "mlock twice");
	err = err ?: svmk_region_lock(reg);
	show(reg, "SVID lock");
	err = err ?: svmk_region_munlock(reg);
	show(reg, "munlock once");
	err = err ?: svmk_region_unlock(reg);
	show(reg, "SVID unlock");
	if (err)
		fprintf(stderr, "%s: %s\n", name, svmk_strerror(err));
	svmk_region_close(reg);
	svmk_close(svm);
	return err ? 1 : 0;
}
