// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings: placement at the region's address, conflicts, mapper tracking
 * across fork, exit, SIGKILL, exec, splits; the guard granule.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN	(4 * 4096)

FIXTURE(region) {
	int dev, fd;
	struct svm_open o;
	char name[32];
};

FIXTURE_SETUP(region)
{
	snprintf(self->name, sizeof(self->name), "map-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				   &self->o);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(region)
{
	close(self->fd);
	close(self->dev);
}

/* Whether touching addr faults with SIGSEGV, tested in a child. */
static int segv_on_touch(volatile char *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		(void)*addr;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

TEST_F(region, maps_at_region_address_whatever_the_hint)
{
	void *p = mmap((void *)0x10000000, LEN, PROT_READ, MAP_SHARED,
		       self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(self->o.addr, (uintptr_t)p);
	munmap(p, LEN);
	p = svm_map(self->fd, LEN, PROT_READ);
	EXPECT_EQ(self->o.addr, (uintptr_t)p);
	munmap(p, LEN);
}

TEST_F(region, offset_maps_at_region_address_plus_offset)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 2 * 4096);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(self->o.addr + 2 * 4096, (uintptr_t)p);
	munmap(p, 4096);
}

TEST_F(region, map_fixed_elsewhere_is_einval)
{
	void *p = mmap((void *)(uintptr_t)(self->o.addr + LEN * 4), LEN,
		       PROT_READ, MAP_SHARED | MAP_FIXED, self->fd, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, map_private_is_einval)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, map_longer_than_region_is_einval)
{
	EXPECT_EQ(MAP_FAILED, svm_map(self->fd, LEN + 4096, PROT_READ));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->fd, LEN));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, prot_write_on_readonly_fd_is_eacces)
{
	int ro = svm_open_region(self->dev, self->name, 0, SVM_OPEN_RDONLY,
				 0, NULL);
	void *p;

	ASSERT_LE(0, ro);
	EXPECT_EQ(MAP_FAILED, svm_map(ro, LEN, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	p = svm_map(ro, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, LEN, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, LEN);
	close(ro);
}

TEST_F(region, unrelated_mapping_in_the_way_is_eexist_and_untouched)
{
	char *q = mmap((void *)(uintptr_t)(self->o.addr + 4096), 4096,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	ASSERT_EQ((uintptr_t)self->o.addr + 4096, (uintptr_t)q);
	strcpy(q, "mine");
	EXPECT_EQ(MAP_FAILED, svm_map(self->fd, LEN, PROT_READ));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(MAP_FAILED, mmap((void *)(uintptr_t)self->o.addr, LEN,
				   PROT_READ, MAP_SHARED | MAP_FIXED,
				   self->fd, 0));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_STREQ("mine", q);
	munmap(q, 4096);
}

TEST_F(region, two_processes_share_address_and_writes)
{
	volatile int *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, (void *)p);
	p[0] = 0;
	pid = fork();
	if (pid == 0) {
		/* An unrelated open and map in the child: same address. */
		int dev, fd;
		volatile int *c;

		munmap((void *)p, LEN);
		dev = svm_dev_open();
		fd = svm_open_region(dev, self->name, 0, 0, 0, NULL);
		c = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
		if (c != p)
			_exit(1);
		c[0] = 42;
		while (c[1] != 7)
			usleep(100);
		_exit(0);
	}
	ASSERT_TRUE(POLL_UNTIL(p[0] == 42, 10000));
	p[1] = 7;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	munmap((void *)p, LEN);
}

TEST_F(region, mapper_count_follows_map_and_unmap)
{
	struct svm_info info;
	void *p = svm_map(self->fd, LEN, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(1, info.nr_mappers);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	munmap(p, LEN);
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(0, info.nr_mappers);
	EXPECT_EQ(0, svm_get_mappers(self->fd, NULL, 0));
}

TEST_F(region, forked_child_is_listed_then_leaves_on_exit)
{
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		read(go[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	EXPECT_EQ(1, svm_maps_of(self->fd, pid));
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(2, svm_get_mappers(self->fd, NULL, 0));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, svm_maps_of(self->fd, pid));
	EXPECT_EQ(1, svm_get_mappers(self->fd, NULL, 0));
	munmap(p, LEN);
}

TEST_F(region, sigkilled_mapper_leaves_the_list)
{
	int ready[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	if (pid == 0) {
		if (svm_map(self->fd, LEN, PROT_READ) == MAP_FAILED)
			_exit(1);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(1, svm_maps_of(self->fd, pid));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	/* No waitpid yet: the zombie's address space is torn down anyway. */
	EXPECT_TRUE(POLL_UNTIL(svm_get_mappers(self->fd, NULL, 0) == 0, 10000));
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
}

TEST_F(region, exec_drops_the_mapping)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		if (svm_map(self->fd, LEN, PROT_READ) == MAP_FAILED)
			_exit(1);
		write(ready[1], "r", 1);
		/* Wait for the parent to look, then exec a sleeper. */
		read(go[0], &c, 1);
		execl("/bin/sleep", "sleep", "30", NULL);
		_exit(2);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(1, svm_maps_of(self->fd, pid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_TRUE(POLL_UNTIL(svm_get_mappers(self->fd, NULL, 0) == 0, 10000));
	EXPECT_EQ(0, svm_maps_of(self->fd, pid));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

TEST_F(region, splits_by_munmap_and_mprotect_keep_count_right)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	struct svm_info info;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + 4096, 4096));		/* 2 VMAs */
	EXPECT_EQ(2, svm_maps_of(self->fd, getpid()));
	ASSERT_EQ(0, mprotect(p + 2 * 4096, 4096, PROT_READ)); /* 3 */
	EXPECT_EQ(3, svm_maps_of(self->fd, getpid()));
	ASSERT_EQ(0, munmap(p, 4096));
	EXPECT_EQ(2, svm_maps_of(self->fd, getpid()));
	ASSERT_EQ(0, munmap(p, LEN));
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(0, info.nr_mappers);
}

/* Reserve the whole window with the placeholder, as libsvmk does. */
static char *reserve(struct __test_metadata *_metadata, int dev,
		     struct svm_window *w)
{
	char *res;

	EXPECT_EQ(0, svm_get_window(dev, w));
	res = mmap((void *)(uintptr_t)w->base, w->length, PROT_NONE,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, dev, 0);
	EXPECT_EQ((uintptr_t)w->base, (uintptr_t)res);
	return res;
}

/* Whether touching addr faults with SIGBUS, tested in a child. */
static int sigbus_on_touch(volatile char *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		(void)*addr;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
}

TEST_F(region, mremap_grow_in_place_is_blocked_by_the_guard)
{
	struct svm_window w;
	char *res = reserve(_metadata, self->dev, &w);
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	p[0] = 1;
	EXPECT_EQ(MAP_FAILED, mremap(p, LEN, LEN + 4096, 0));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(1, p[0]);
	munmap(res, w.length);
}

/* MAYMOVE asks the region file for room; it offers none (no overlap). */
TEST_F(region, mremap_grow_with_maymove_is_eexist)
{
	struct svm_window w;
	char *res = reserve(_metadata, self->dev, &w);
	char *p = svm_map(self->fd, LEN / 2, PROT_READ | PROT_WRITE);

	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	p[0] = 2;
	EXPECT_EQ(MAP_FAILED, mremap(p, LEN / 2, LEN, MREMAP_MAYMOVE));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(2, p[0]);
	EXPECT_TRUE(segv_on_touch(p + LEN / 2));	/* still the placeholder */
	munmap(res, w.length);
}

TEST_F(region, mremap_dontunmap_is_eexist)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 3;
	EXPECT_EQ(MAP_FAILED, mremap(p, LEN, LEN,
				     MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(3, p[0]);
	munmap(p, LEN);
}

TEST_F(region, mremap_fixed_elsewhere_is_einval)
{
	char *p = svm_map(self->fd, LEN, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, mremap(p, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
				     (void *)0x300000000000UL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(self->o.addr, (uintptr_t)p);
	munmap(p, LEN);
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
}

/* Growing inside the region maps its own pages at their own addresses. */
TEST_F(region, mremap_grow_in_place_within_the_region)
{
	char *whole, *p;

	p = svm_map(self->fd, LEN / 2, PROT_READ | PROT_WRITE);
	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	EXPECT_EQ(p, mremap(p, LEN / 2, LEN, 0));
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	p[LEN - 1] = 4;
	/* Another fd of the region may replace this mapping. */
	whole = mmap(NULL, LEN, PROT_READ, MAP_SHARED,
		     svm_open_region(self->dev, self->name, 0, SVM_OPEN_RDONLY,
				     0, NULL), 0);
	ASSERT_EQ(p, whole);
	EXPECT_EQ(4, whole[LEN - 1]);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	munmap(whole, LEN);
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
}

/* With the guard's reservation unmapped: growing works, past the end is SIGBUS. */
TEST_F(region, mremap_grow_past_the_end_is_sigbus)
{
	struct svm_window w;
	char *res = reserve(_metadata, self->dev, &w);
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	p[LEN - 1] = 5;
	ASSERT_EQ(0, munmap(p + LEN, 2 * 4096));
	ASSERT_EQ(p, mremap(p, LEN, LEN + 2 * 4096, 0));
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_TRUE(sigbus_on_touch(p + LEN));
	EXPECT_TRUE(sigbus_on_touch(p + LEN + 4096));
	EXPECT_EQ(5, p[LEN - 1]);
	munmap(res, w.length);
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
}

TEST_F(region, mremap_shrink_unmaps_the_tail)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 6;
	EXPECT_EQ(p, mremap(p, LEN, LEN / 2, 0));
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(6, p[0]);
	EXPECT_TRUE(segv_on_touch(p + LEN / 2));
	munmap(p, LEN / 2);
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
}

/* The same fd mapped again without MAP_FIXED is refused, not stacked. */
TEST_F(region, map_again_without_map_fixed_is_eexist)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE), *q;

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAP_FAILED, svm_map(self->fd, LEN, PROT_READ));
	EXPECT_EQ(EEXIST, errno);
	q = mmap(p, LEN, PROT_READ, MAP_SHARED | MAP_FIXED, self->fd, 0);
	EXPECT_EQ(p, q);
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	munmap(p, LEN);
}

TEST_F(region, guard_granule_after_region_faults)
{
	char *p = svm_map(self->fd, LEN, PROT_READ);
	int fd2;
	struct svm_open o2;

	ASSERT_NE(MAP_FAILED, p);
	/* The next region is placed after the guard, not on it. */
	fd2 = svm_open_region(self->dev, "guard-next", 4096,
			      SVM_OPEN_CREATE, 0600, &o2);
	ASSERT_LE(0, fd2);
	EXPECT_LE(self->o.addr + LEN + 4096, o2.addr);
	EXPECT_TRUE(segv_on_touch(p + LEN));
	close(fd2);
	munmap(p, LEN);
}

TEST_F(region, touch_after_unmap_is_sigsegv)
{
	char *p = svm_map(self->fd, LEN, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	munmap(p, LEN);
	EXPECT_TRUE(segv_on_touch(p));
}

TEST_F(region, reused_address_never_shows_old_contents)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	uint64_t addr = self->o.addr;
	struct svm_open o2;
	int i, dirty = 0;
	char *q;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xa5, LEN);
	munmap(p, LEN);
	close(self->fd);	/* the last holder: the region is freed */
	self->fd = svm_open_region(self->dev, "reuse", LEN, SVM_OPEN_CREATE,
				   0600, &o2);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(addr, o2.addr);	/* first fit takes the freed place */
	q = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_EQ((uintptr_t)addr, (uintptr_t)q);
	for (i = 0; i < LEN; i++)
		dirty |= q[i];
	EXPECT_EQ(0, dirty);
	munmap(q, LEN);
}

TEST_F(region, map_files_cannot_reopen_the_backing_memory)
{
	char path[128];
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int fd;

	ASSERT_NE(MAP_FAILED, p);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)self->o.addr, (unsigned long)self->o.addr + LEN);
	fd = open(path, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->fd);
	fd = open(path, O_RDWR);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENXIO, errno);
	munmap(p, LEN);
}

TEST_F(region, madvise_remove_is_refused)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	EXPECT_EQ(-1, madvise(p, LEN, MADV_REMOVE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(1, p[0]);
	munmap(p, LEN);
}

TEST_F(region, ftruncate_and_seals_cannot_change_the_region)
{
	struct svm_info info;

	EXPECT_EQ(-1, ftruncate(self->fd, LEN / 2));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, ftruncate(self->fd, LEN * 2));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, fcntl(self->fd, F_ADD_SEALS, F_SEAL_WRITE));
	EXPECT_EQ(EPERM, errno);
	/* The seals are the backing inode's own, not memory beside it. */
	EXPECT_EQ(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW,
		  fcntl(self->fd, F_GET_SEALS));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(LEN, info.length);
}

TEST_F(region, maps_names_the_region)
{
	char line[256], want[64];
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int found = 0;
	FILE *f;

	ASSERT_NE(MAP_FAILED, p);
	snprintf(want, sizeof(want), "/svm:%s", self->name);
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strtoul(line, NULL, 16) == self->o.addr && strstr(line, want))
			found = 1;
	fclose(f);
	EXPECT_TRUE(found);
	munmap(p, LEN);
}

TEST_F(region, placeholder_reserves_and_restores_atomically)
{
	struct svm_window w;
	char *res, *p, *again;

	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	res = mmap((void *)(uintptr_t)w.base, w.length, PROT_NONE,
		   MAP_SHARED | MAP_FIXED_NOREPLACE, self->dev, 0);
	ASSERT_EQ((uintptr_t)w.base, (uintptr_t)res);
	EXPECT_TRUE(segv_on_touch((char *)(uintptr_t)self->o.addr));
	/* A region replaces only the placeholder. */
	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	p[0] = 5;
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	/* Unmap by putting the placeholder back over it. */
	again = mmap(p, LEN, PROT_NONE, MAP_SHARED | MAP_FIXED, self->dev,
		     self->o.addr - w.base);
	ASSERT_EQ(p, again);
	EXPECT_EQ(0, svm_maps_of(self->fd, getpid()));
	EXPECT_TRUE(segv_on_touch(p));
	/* The placeholder cannot be made accessible. */
	EXPECT_EQ(-1, mprotect(res, 4096, PROT_READ));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(res, 4096, PROT_READ,
				   MAP_SHARED | MAP_FIXED, self->dev, 0));
	EXPECT_EQ(EACCES, errno);
	munmap(res, w.length);
}

TEST_HARNESS_MAIN
