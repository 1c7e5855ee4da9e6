// SPDX-License-Identifier: MIT
/*
 * wiring: POSIX mlock(2) on a region, and what it does there.
 *
 * mlock() of a region mapping succeeds and faults every page in: the
 * region's resident count goes from 0 to all of it, so no access will
 * wait for a page to be allocated.  The kernel does not lock the mapping,
 * though: a region mapping cannot grow (it is VM_DONTEXPAND), and mlock()
 * leaves such mappings unlocked once it has populated them.  So VmLck in
 * /proc/self/status does not move, RLIMIT_MEMLOCK is not charged, and the
 * pages stay evictable.  This program shows all three numbers.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <svmk.h>

/* This process's locked memory in KiB, from /proc/self/status. */
static long vmlck_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Pages of the region in memory. */
static unsigned long long resident(struct svmk_region *reg)
{
	struct svm_info info;

	return svmk_region_info(reg, &info) ? ~0ULL : info.resident;
}

int main(void)
{
	size_t len = 1 << 20, pages = len / sysconf(_SC_PAGESIZE);
	unsigned long long r0, r1;
	long before, locked, after;
	struct svmk_region *reg;
	struct svmk *svm;
	char name[32];
	void *p;
	int err;

	snprintf(name, sizeof(name), "wired-%d", (int)getpid());
	err = svmk_open(&svm, 0);
	if (!err)
		err = svmk_region_open(svm, name, len,
				       SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &reg);
	if (err) {
		fprintf(stderr, "%s: %s\n", name, svmk_strerror(err));
		return 1;
	}
	p = svmk_region_addr(reg);

	before = vmlck_kib();
	r0 = resident(reg);
	if (mlock(p, len)) {
		perror("mlock");
		return 1;
	}
	locked = vmlck_kib();
	r1 = resident(reg);
	if (munlock(p, len)) {
		perror("munlock");
		return 1;
	}
	after = vmlck_kib();

	printf("region '%s': %zu KiB at %p\n", name, len >> 10, p);
	printf("resident pages before mlock: %llu, locked: %llu of %zu\n",
	       r0, r1, pages);
	printf("VmLck before mlock: %ld kB, locked: %ld kB, unlocked: %ld kB\n",
	       before, locked, after);
	svmk_region_close(reg);
	svmk_close(svm);
	if (r1 != pages) {
		fprintf(stderr, "wiring: mlock did not populate the region\n");
		return 1;
	}
	return 0;
}
