// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA policy: mbind(2) on a region mapping sets the region's shared
 * policy (its inode's, as on a memfd or a SysV segment), so pages land
 * where it says whoever faults them in, through whichever mapping, and
 * SVM_WIRE_LOCK's populate obeys it too; move_pages(2) (query mode) and
 * /proc/PID/numa_maps show where they are.  Needs two nodes (the test
 * guest has them); every test runs on a CPU of node 0, where the default
 * local policy would put every page.
 */
#include <sched.h>

#include <linux/mempolicy.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define PAGES	64
#define LEN	(PAGES * 4096)

/* mbind(2) of [p, p + LEN) to the nodes in the mask; 0 or -errno. */
static int mbind_nodes(void *p, int mode, unsigned long nodes)
{
	return syscall(__NR_mbind, p, LEN, mode, &nodes, sizeof(nodes) * 8 + 1,
		       0) ? -errno : 0;
}

/* How many pages of [p, p + LEN) are on node, from move_pages(2). */
static int pages_on(char *p, int node)
{
	int status[PAGES], i, n = 0;
	void *pages[PAGES];

	for (i = 0; i < PAGES; i++)
		pages[i] = p + i * 4096;
	if (syscall(__NR_move_pages, 0, PAGES, pages, NULL, status, 0))
		return -errno;
	for (i = 0; i < PAGES; i++)
		n += status[i] == node;
	return n;
}

/* The node of the page at p, from move_pages(2); -errno if none. */
static int node_of(char *p)
{
	void *page = p;
	int status = -1;

	if (syscall(__NR_move_pages, 0, 1, &page, NULL, &status, 0))
		return -errno;
	return status;
}

/* The /proc/self/numa_maps line of the VMA at p into buf, or "". */
static void numa_maps_of(char *p, char *buf, size_t size)
{
	struct svm_lines l;
	char line[512];

	buf[0] = '\0';
	if (svm_lines_open(&l, "/proc/self/numa_maps"))
		return;
	while (svm_lines_next(&l, line, sizeof(line)))
		if (strtoul(line, NULL, 16) == (uintptr_t)p)
			snprintf(buf, size, "%s ", line);
	close(l.fd);
}

/* Pin the caller to the first CPU of node 0: 0 or -1. */
static int pin_to_node0(void)
{
	long cpu = svm_file_value("/sys/devices/system/node/node0/cpulist");
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

FIXTURE(numa) {
	int dev, fd;
	char name[32];
	char *p;
};

FIXTURE_SETUP(numa)
{
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node: scripts/run-guest.sh boots two");
	ASSERT_EQ(0, pin_to_node0());
	snprintf(self->name, sizeof(self->name), "numa-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_create(self->dev, self->name, LEN);
	ASSERT_LE(0, self->fd);
	self->p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(numa)
{
	munmap(self->p, LEN);
	close(self->fd);
	close(self->dev);
}

/* Expect the numa_maps line of the VMA at p to hold each of want[]. */
static void expect_numa_maps(struct __test_metadata *_metadata, char *p,
			     const char *const *want, int n)
{
	char line[600];
	int i;

	numa_maps_of(p, line, sizeof(line));
	for (i = 0; i < n; i++)
		EXPECT_NE(NULL, strstr(line, want[i]))
			TH_LOG("no \"%s\" in numa_maps: %s", want[i], line);
}

TEST_F(numa, mbind_bind_puts_every_page_on_node_1)
{
	static const char *const want[] = { " bind:1 ", " N1=64 " };

	ASSERT_EQ(0, mbind_nodes(self->p, MPOL_BIND, 1UL << 1));
	memset(self->p, 1, LEN);
	EXPECT_EQ(PAGES, pages_on(self->p, 1));
	expect_numa_maps(_metadata, self->p, want, 2);
}

TEST_F(numa, mbind_preferred_puts_every_page_on_node_1)
{
	static const char *const want[] = { " prefer:1 ", " N1=64 " };

	ASSERT_EQ(0, mbind_nodes(self->p, MPOL_PREFERRED, 1UL << 1));
	memset(self->p, 1, LEN);
	EXPECT_EQ(PAGES, pages_on(self->p, 1));
	expect_numa_maps(_metadata, self->p, want, 2);
}

/* Interleaving follows the page's index in the region: every other page. */
TEST_F(numa, mbind_interleave_alternates_nodes_page_by_page)
{
	static const char *const want[] = {
		" interleave:0-1 ", " N0=32 ", " N1=32 ",
	};
	int i, alternating = 0;

	ASSERT_EQ(0, mbind_nodes(self->p, MPOL_INTERLEAVE, 3));
	memset(self->p, 1, LEN);
	EXPECT_EQ(PAGES / 2, pages_on(self->p, 0));
	EXPECT_EQ(PAGES / 2, pages_on(self->p, 1));
	for (i = 1; i < PAGES; i++)
		alternating += node_of(self->p + i * 4096) !=
			       node_of(self->p + (i - 1) * 4096);
	EXPECT_EQ(PAGES - 1, alternating);
	expect_numa_maps(_metadata, self->p, want, 3);
}

/* What a child saw through mappings of its own. */
struct seen {
	int region_on_1, memfd_on_1;	/* pages on node 1 */
	int mode;			/* get_mempolicy(MPOL_F_ADDR) */
	unsigned long nodes;
};

/*
 * The policy is the region's, not the mapping's: set through one mapping
 * that is then unmapped, it places the pages another process faults in
 * through a mapping of its own, from a new fd.  As on a memfd.
 */
TEST_F(numa, policy_binds_another_mappers_faults_as_on_a_memfd)
{
	struct seen *seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int memfd = memfd_create("svm-ref", MFD_CLOEXEC), status;
	char *m;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, seen);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, LEN));
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mbind_nodes(m, MPOL_BIND, 1UL << 1));
	ASSERT_EQ(0, mbind_nodes(self->p, MPOL_BIND, 1UL << 1));
	ASSERT_EQ(0, munmap(m, LEN));
	ASSERT_EQ(0, munmap(self->p, LEN));
	pid = fork();
	if (pid == 0) {
		int dev = svm_dev_open();
		int fd = svm_open_region(dev, self->name, 0, 0, 0, NULL);
		char *q = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
		char *n = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			       memfd, 0);

		if (q != self->p || n == MAP_FAILED)
			_exit(1);
		memset(q, 1, LEN);
		memset(n, 1, LEN);
		seen->region_on_1 = pages_on(q, 1);
		seen->memfd_on_1 = pages_on(n, 1);
		if (syscall(__NR_get_mempolicy, &seen->mode, &seen->nodes,
			    sizeof(seen->nodes) * 8 + 1, q, MPOL_F_ADDR))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	EXPECT_EQ(PAGES, seen->memfd_on_1);
	EXPECT_EQ(PAGES, seen->region_on_1);
	EXPECT_EQ(MPOL_BIND, seen->mode);
	EXPECT_EQ(1UL << 1, seen->nodes);
	close(memfd);
	munmap(seen, sizeof(*seen));
}

TEST_F(numa, svid_lock_populates_where_the_policy_says)
{
	volatile char *v = self->p;
	int i;

	ASSERT_EQ(0, mbind_nodes(self->p, MPOL_BIND, 1UL << 1));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EXPECT_EQ(PAGES, svm_resident(self->fd));
	/* Map what the lock brought in, to ask where it is. */
	for (i = 0; i < PAGES; i++)
		(void)v[i * 4096];
	EXPECT_EQ(PAGES, svm_resident(self->fd));
	EXPECT_EQ(PAGES, pages_on(self->p, 1));
	EXPECT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
}

TEST_HARNESS_MAIN
