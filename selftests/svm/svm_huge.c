// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages: SVM_OPEN_HUGE regions (the module's huge=within_size tmpfs),
 * 2 MiB placement of every region of 2 MiB or more, and what svm_info says
 * about huge and fallen-back pages.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define HUGE	SVM_HUGE_SIZE

/* kB of field (e.g. "ShmemPmdMapped") in the smaps entry of addr; -1 if none. */
static long smaps_kb(void *addr, const char *field)
{
	char line[256], want[64];
	unsigned long start, end;
	int in = 0;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%s: %%ld kB", field);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (uintptr_t)addr;
			continue;
		}
		if (in && sscanf(line, want, &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int thp_available(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

FIXTURE(huge) {
	int dev, fd;
	struct svm_open o;
	char name[32];
};

FIXTURE_SETUP(huge)
{
	if (!thp_available())
		SKIP(return, "no transparent huge pages in this kernel");
	snprintf(self->name, sizeof(self->name), "huge-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, 3 << 20,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				   SVM_OPEN_HUGE, 0600, &self->o);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(huge)
{
	close(self->fd);
	close(self->dev);
}

TEST_F(huge, size_rounds_up_and_address_is_aligned)
{
	struct svm_info info;

	EXPECT_EQ(2 * HUGE, self->o.length);
	EXPECT_EQ(0, self->o.addr % HUGE);
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(SVM_REGION_HUGE, info.flags & SVM_REGION_HUGE);
	EXPECT_EQ(HUGE, info.page_size);
	EXPECT_EQ(0, info.huge_bytes);
	EXPECT_EQ(0, info.fallback_bytes);
}

TEST_F(huge, touched_pages_are_huge_and_pmd_mapped)
{
	struct svm_info info;
	char *p = svm_map(self->fd, 2 * HUGE, PROT_READ | PROT_WRITE);

	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	p[0] = 1;
	p[HUGE] = 2;
	EXPECT_EQ(2 * HUGE / 1024, smaps_kb(p, "ShmemPmdMapped"));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(2 * HUGE, info.huge_bytes);
	EXPECT_EQ(0, info.fallback_bytes);
	EXPECT_EQ(2 * HUGE / 4096, info.resident);
	munmap(p, 2 * HUGE);
}

/* Another process maps the same huge pages with PMDs too. */
TEST_F(huge, every_mapper_maps_with_pmds)
{
	char *p = svm_map(self->fd, 2 * HUGE, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	memset(p, 7, 2 * HUGE);
	pid = fork();
	if (pid == 0) {
		int dev = svm_dev_open();
		int fd = svm_open_region(dev, self->name, 0, 0, 0, NULL);
		char *q;

		munmap(p, 2 * HUGE);	/* not the inherited mapping */
		q = svm_map(fd, 2 * HUGE, PROT_READ);
		if (q != p || q[5] != 7 || q[HUGE + 5] != 7)
			_exit(1);
		_exit(smaps_kb(q, "ShmemPmdMapped") == 2 * HUGE / 1024 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	munmap(p, 2 * HUGE);
}

/* The SVID lock's populate takes huge pages as a fault would. */
TEST_F(huge, svid_lock_populates_huge_pages)
{
	struct svm_info info;

	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(2 * HUGE, info.huge_bytes);
	EXPECT_EQ(0, info.fallback_bytes);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
}

/* Write v to a debugfs fault-injection attribute; 0 or -1. */
static int fail_attr(const char *attr, const char *v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/fail_page_alloc/%s",
		 attr);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(v, f) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

static int make_it_fail(int on)
{
	FILE *f = fopen("/proc/self/make-it-fail", "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%d\n", on) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

/*
 * When no huge page can be had the fault falls back to a small page, and
 * svm_info counts it (fail_page_alloc refuses this task's first
 * allocation of order 9 or more: the debug kernel has fault injection).
 */
TEST_F(huge, fallback_to_small_pages_is_counted)
{
	struct svm_info info;
	char *p;

	if (fail_attr("min-order", "9\n"))
		SKIP(return, "needs fault injection (CONFIG_FAIL_PAGE_ALLOC, debugfs)");
	ASSERT_EQ(0, fail_attr("task-filter", "Y\n"));
	ASSERT_EQ(0, fail_attr("ignore-gfp-wait", "N\n"));
	ASSERT_EQ(0, fail_attr("ignore-gfp-highmem", "N\n"));
	ASSERT_EQ(0, fail_attr("verbose", "0\n"));
	ASSERT_EQ(0, fail_attr("interval", "1\n"));
	ASSERT_EQ(0, fail_attr("probability", "100\n"));
	ASSERT_EQ(0, fail_attr("times", "1\n"));
	p = svm_map(self->fd, 2 * HUGE, PROT_READ | PROT_WRITE);
	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	ASSERT_EQ(0, make_it_fail(1));
	p[0] = 1;			/* its huge page fails: a small one */
	ASSERT_EQ(0, make_it_fail(0));
	p[HUGE] = 2;			/* a huge one */
	fail_attr("probability", "0\n");
	fail_attr("min-order", "1\n");
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(HUGE, info.huge_bytes);
	EXPECT_EQ(4096, info.fallback_bytes);
	munmap(p, 2 * HUGE);
}

TEST(huge_without_create_is_einval)
{
	int dev = svm_dev_open();

	ASSERT_LE(0, dev);
	EXPECT_EQ(-EINVAL, svm_open_region(dev, "huge-nocreate", 0,
					   SVM_OPEN_HUGE, 0, NULL));
	close(dev);
}

/* A region of 2 MiB or more lands on a multiple of 2 MiB, huge or not. */
TEST(large_regions_are_placed_2mib_aligned)
{
	struct svm_open small, large;
	struct svm_info info;
	int dev = svm_dev_open(), a, b;

	ASSERT_LE(0, dev);
	a = svm_open_region(dev, "align-small", 4096,
			    SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &small);
	ASSERT_LE(0, a);
	b = svm_open_region(dev, "align-large", 4 << 20,
			    SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &large);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, large.addr % HUGE);
	ASSERT_EQ(0, svm_get_info(b, &info));
	EXPECT_EQ(0, info.flags & SVM_REGION_HUGE);
	EXPECT_EQ(4096, info.page_size);
	EXPECT_EQ(0, info.fallback_bytes);
	close(b);
	close(a);
	close(dev);
}

TEST_HARNESS_MAIN
