// SPDX-License-Identifier: GPL-2.0
/*
 * Regions are real shared memory: a region mapping is shmem's own, so
 * msync(2)/fsync(2), smaps, madvise(2), VMA splits and merges and
 * transparent huge pages behave as on a memfd, which each test uses as the
 * reference where one makes the expectation exact.  svm_numa.c has the
 * NUMA policy, svm_mlock.c mlock(2), svm_inode.c the region's inode.
 */
#include "kselftest_harness.h"
#include "svm_test.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define PAGES	16
#define LEN	(PAGES * 4096)
#define HPAGE	(2UL << 20)

/* A memfd of len bytes mapped read-write at a multiple of align. */
static char *memfd_map(size_t len, size_t align, int *fdp)
{
	int fd = memfd_create("svm-ref", MFD_CLOEXEC);
	char *res, *at, *p;

	if (fd < 0 || ftruncate(fd, len))
		return MAP_FAILED;
	res = mmap(NULL, len + align, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	at = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (at > res)
		munmap(res, at - res);
	munmap(at + len, res + len + align - (at + len));
	*fdp = fd;
	return p;
}

static long smaps_kb(char *p, size_t len, const char *key)
{
	return svm_smaps_sum(0, (uintptr_t)p, (uintptr_t)p + len, key);
}

/* VMAs of this process in [p, p + len), as /proc/self/smaps lists them. */
static int vmas_in(char *p, size_t len)
{
	return svm_smaps_sum(0, (uintptr_t)p, (uintptr_t)p + len, NULL);
}

/* --- the mappings are shmem's: a region and a memfd, side by side -------- */

FIXTURE(shm) {
	int dev, fd, memfd;
	char name[32];
	char *p, *m;	/* the region and a memfd of the same size */
};

FIXTURE_SETUP(shm)
{
	snprintf(self->name, sizeof(self->name), "shm-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_create(self->dev, self->name, LEN);
	ASSERT_LE(0, self->fd);
	self->p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
	self->m = memfd_map(LEN, 4096, &self->memfd);
	ASSERT_NE(MAP_FAILED, self->m);
}

FIXTURE_TEARDOWN(shm)
{
	munmap(self->m, LEN);
	munmap(self->p, LEN);
	close(self->memfd);
	close(self->fd);
	close(self->dev);
}

/* --- msync(2) and fsync(2): the memory is the store ----------------------- */

static int by_ms_sync(int fd, char *p)
{
	(void)fd;
	return ERRNO_OF(msync(p, LEN, MS_SYNC));
}

static int by_ms_async(int fd, char *p)
{
	(void)fd;
	return ERRNO_OF(msync(p, LEN, MS_ASYNC));
}

static int by_ms_invalidate(int fd, char *p)
{
	(void)fd;
	return ERRNO_OF(msync(p, LEN, MS_INVALIDATE));
}

static int by_fsync(int fd, char *p)
{
	(void)p;
	return ERRNO_OF(fsync(fd));
}

static int by_fdatasync(int fd, char *p)
{
	(void)p;
	return ERRNO_OF(fdatasync(fd));
}

/* call (by_*) on dirty pages succeeds on the memfd, so on the region. */
static void expect_synced_by(struct __test_metadata *_metadata,
			     FIXTURE_DATA(shm) *self,
			     int (*call)(int fd, char *p))
{
	memset(self->m, 7, LEN);
	memset(self->p, 7, LEN);
	EXPECT_EQ(0, call(self->memfd, self->m));
	EXPECT_EQ(0, call(self->fd, self->p));
	EXPECT_EQ(7, self->p[0]);
	EXPECT_EQ(7, self->p[LEN - 1]);
	EXPECT_EQ(PAGES, svm_resident(self->fd));
}

TEST_F(shm, msync_ms_sync_succeeds_as_on_a_memfd)
{
	expect_synced_by(_metadata, self, by_ms_sync);
}

TEST_F(shm, msync_ms_async_succeeds_as_on_a_memfd)
{
	expect_synced_by(_metadata, self, by_ms_async);
}

TEST_F(shm, msync_ms_invalidate_succeeds_as_on_a_memfd)
{
	expect_synced_by(_metadata, self, by_ms_invalidate);
}

TEST_F(shm, fsync_succeeds_as_on_a_memfd)
{
	expect_synced_by(_metadata, self, by_fsync);
}

TEST_F(shm, fdatasync_succeeds_as_on_a_memfd)
{
	expect_synced_by(_metadata, self, by_fdatasync);
}

/* As on any shared file mapping: the pages of a locked VMA stay. */
TEST_F(shm, msync_invalidate_of_an_mlocked_mapping_is_ebusy)
{
	ASSERT_EQ(0, mlock(self->m, LEN));
	ASSERT_EQ(0, mlock(self->p, LEN));
	EXPECT_EQ(-1, msync(self->m, LEN, MS_INVALIDATE));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, msync(self->p, LEN, MS_INVALIDATE));
	EXPECT_EQ(EBUSY, errno);
}

/* --- smaps, VMAs and madvise(2) ------------------------------------------ */

static const char *const smaps_keys[] = {
	"Rss", "Pss", "Shared_Clean", "Shared_Dirty", "Private_Clean",
	"Private_Dirty", "Anonymous", "Locked",
};

/* Each smaps_keys[] value of the region's and the memfd's mappings agree. */
static void expect_smaps_like_memfd(struct __test_metadata *_metadata,
				    FIXTURE_DATA(shm) *self)
{
	unsigned int i;

	for (i = 0; i < sizeof(smaps_keys) / sizeof(smaps_keys[0]); i++)
		EXPECT_EQ(smaps_kb(self->m, LEN, smaps_keys[i]),
			  smaps_kb(self->p, LEN, smaps_keys[i]))
			TH_LOG("smaps %s", smaps_keys[i]);
}

TEST_F(shm, smaps_counts_touched_pages_as_for_a_memfd)
{
	memset(self->p, 1, 5 * 4096);
	memset(self->m, 1, 5 * 4096);
	EXPECT_EQ(5 * 4, smaps_kb(self->p, LEN, "Rss"));
	EXPECT_EQ(5 * 4, smaps_kb(self->p, LEN, "Private_Dirty"));
	expect_smaps_like_memfd(_metadata, self);
}

/* fork copies no page table of a shared mapping: the child faults them. */
TEST_F(shm, smaps_counts_pages_shared_with_a_child_as_for_a_memfd)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	memset(self->p, 1, 5 * 4096);
	memset(self->m, 1, 5 * 4096);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		volatile char *p = self->p, *m = self->m;
		int i;

		for (i = 0; i < 5; i++)
			c = p[i * 4096] + m[i * 4096];
		write(ready[1], &c, 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(5 * 4, smaps_kb(self->p, LEN, "Shared_Dirty"));
	EXPECT_EQ(0, smaps_kb(self->p, LEN, "Private_Dirty"));
	EXPECT_EQ(5 * 4 / 2, smaps_kb(self->p, LEN, "Pss"));
	expect_smaps_like_memfd(_metadata, self);
	write(go[1], "g", 1);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* VmFlags of the VMA at p in /proc/self/smaps into buf. */
static void vm_flags_of(char *p, char *buf, size_t size)
{
	unsigned long a, b;
	struct svm_lines l;
	char line[512];
	int in = 0;

	buf[0] = '\0';
	if (svm_lines_open(&l, "/proc/self/smaps"))
		return;
	while (svm_lines_next(&l, line, sizeof(line))) {
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
			in = a == (uintptr_t)p;
		else if (in && !strncmp(line, "VmFlags:", 8))
			snprintf(buf, size, "%s", line + 8);
	}
	close(l.fd);
}

/* No VM_DONTEXPAND ("de") or other flag of svm's own on the VMA. */
TEST_F(shm, vm_flags_are_those_of_a_memfd_mapping)
{
	char region[512], memfd[512];

	vm_flags_of(self->p, region, sizeof(region));
	vm_flags_of(self->m, memfd, sizeof(memfd));
	ASSERT_NE('\0', memfd[0]);
	EXPECT_STREQ(memfd, region);
	EXPECT_EQ(NULL, strstr(region, " de"));
}

TEST_F(shm, mapper_count_follows_an_mprotect_split_and_back)
{
	ASSERT_EQ(0, mprotect(self->p + 4 * 4096, 4 * 4096, PROT_READ));
	EXPECT_EQ(3, vmas_in(self->p, LEN));
	EXPECT_EQ(3, svm_maps_of(self->fd, getpid()));
	ASSERT_EQ(0, mprotect(self->p + 4 * 4096, 4 * 4096,
			      PROT_READ | PROT_WRITE));
	EXPECT_EQ(vmas_in(self->p, LEN), svm_maps_of(self->fd, getpid()));
}

/* mlock(2) of the middle splits the VMA; munlock may merge it back. */
TEST_F(shm, mapper_count_follows_an_mlock_split_and_munlock)
{
	ASSERT_EQ(0, mlock(self->p + 4 * 4096, 4 * 4096));
	EXPECT_EQ(3, vmas_in(self->p, LEN));
	EXPECT_EQ(3, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, munlock(self->p + 4 * 4096, 4 * 4096));
	EXPECT_EQ(vmas_in(self->p, LEN), svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/*
 * Unlocking the first half of the locked middle: 6.12 moves the boundary
 * between two VMAs (no VMA is made or freed, no open or close runs); 6.1
 * splits.  Either way the count is what the maps show.
 */
TEST_F(shm, mapper_count_follows_a_partial_munlock)
{
	ASSERT_EQ(0, mlock(self->p + 4 * 4096, 4 * 4096));
	ASSERT_EQ(0, munlock(self->p + 4 * 4096, 2 * 4096));
	EXPECT_LE(3, vmas_in(self->p, LEN));
	EXPECT_EQ(vmas_in(self->p, LEN), svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	EXPECT_EQ(2 * 4, smaps_kb(self->p, LEN, "Locked"));
}

/* Mapping a hole again with the same fd: 6.12 may extend the VMA before it. */
TEST_F(shm, mapper_count_follows_refilling_a_hole)
{
	char *q;

	self->p[5 * 4096] = 42;
	ASSERT_EQ(0, munmap(self->p + 5 * 4096, 4096));
	EXPECT_EQ(2, svm_maps_of(self->fd, getpid()));
	q = mmap(self->p + 5 * 4096, 4096, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, self->fd, 5 * 4096);
	ASSERT_EQ(self->p + 5 * 4096, q);
	EXPECT_EQ(42, *q);
	EXPECT_EQ(vmas_in(self->p, LEN), svm_maps_of(self->fd, getpid()));
}

TEST_F(shm, forked_child_has_as_many_mappings_as_its_maps_show)
{
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, mprotect(self->p + 4 * 4096, 4 * 4096, PROT_READ));
	ASSERT_EQ(0, munmap(self->p + 12 * 4096, 4096));
	ASSERT_EQ(4, vmas_in(self->p, LEN));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		_exit(vmas_in(self->p, LEN));
	}
	EXPECT_EQ(4, svm_maps_of(self->fd, pid));
	EXPECT_EQ(4, svm_maps_of(self->fd, getpid()));
	write(go[1], "g", 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(4, WEXITSTATUS(status));
	EXPECT_EQ(0, svm_maps_of(self->fd, pid));
	close(go[0]);
	close(go[1]);
}

/* Write page i's number in it, at both mappings. */
static void fill(FIXTURE_DATA(shm) *self)
{
	int i;

	for (i = 0; i < PAGES; i++) {
		self->p[i * 4096] = i + 1;
		self->m[i * 4096] = i + 1;
	}
}

/* Pages whose number is not in them, at p; 0 when all read back. */
static int lost_pages(char *p)
{
	int i, lost = 0;

	for (i = 0; i < PAGES; i++)
		lost += p[i * 4096] != i + 1;
	return lost;
}

TEST_F(shm, madv_dontneed_unmaps_and_the_data_reads_back)
{
	fill(self);
	EXPECT_EQ(0, madvise(self->m, LEN, MADV_DONTNEED));
	EXPECT_EQ(0, madvise(self->p, LEN, MADV_DONTNEED));
	EXPECT_EQ(0, smaps_kb(self->m, LEN, "Rss"));
	EXPECT_EQ(0, smaps_kb(self->p, LEN, "Rss"));
	EXPECT_EQ(PAGES, svm_resident(self->fd));	/* the pages stay */
	EXPECT_EQ(0, lost_pages(self->m));
	EXPECT_EQ(0, lost_pages(self->p));
	EXPECT_EQ(PAGES * 4, smaps_kb(self->p, LEN, "Rss"));
}

/* Without swap, shmem pages stay: advice taken, data kept. */
TEST_F(shm, madv_cold_and_pageout_keep_the_data)
{
	fill(self);
	EXPECT_EQ(0, madvise(self->m, LEN, MADV_COLD));
	EXPECT_EQ(0, madvise(self->p, LEN, MADV_COLD));
	EXPECT_EQ(0, madvise(self->m, LEN, MADV_PAGEOUT));
	EXPECT_EQ(0, madvise(self->p, LEN, MADV_PAGEOUT));
	EXPECT_EQ(PAGES, svm_resident(self->fd));
	EXPECT_EQ(0, lost_pages(self->m));
	EXPECT_EQ(0, lost_pages(self->p));
}

/* Pages of [p, p + LEN) mincore(2) says are resident. */
static int mincore_pages(char *p)
{
	unsigned char vec[PAGES];
	int i, n = 0;

	if (mincore(p, LEN, vec))
		return -1;
	for (i = 0; i < PAGES; i++)
		n += vec[i] & 1;
	return n;
}

static void expect_populated_by(struct __test_metadata *_metadata,
				FIXTURE_DATA(shm) *self, int advice)
{
	EXPECT_EQ(0, mincore_pages(self->p));
	EXPECT_EQ(0, madvise(self->m, LEN, advice));
	EXPECT_EQ(0, madvise(self->p, LEN, advice));
	EXPECT_EQ(PAGES, mincore_pages(self->m));
	EXPECT_EQ(PAGES, mincore_pages(self->p));
	EXPECT_EQ(PAGES, svm_resident(self->fd));
	EXPECT_EQ(PAGES * 4, smaps_kb(self->p, LEN, "Rss"));
	expect_smaps_like_memfd(_metadata, self);
}

TEST_F(shm, madv_populate_read_populates)
{
	expect_populated_by(_metadata, self, MADV_POPULATE_READ);
}

TEST_F(shm, madv_populate_write_populates)
{
	expect_populated_by(_metadata, self, MADV_POPULATE_WRITE);
}

/* --- transparent huge pages on an ordinary region ------------------------ */

#define THP		"/sys/kernel/mm/transparent_hugepage"
#define SHMEM_ENABLED	THP "/shmem_enabled"
#define HLEN		(2 * HPAGE)
#define HLEN_KB		((long)(HLEN / 1024))

/* The [selected] word of shmem_enabled into buf, or "". */
static void shmem_enabled(char *buf, size_t size)
{
	char line[128], *sel, *end;
	struct svm_lines l;

	buf[0] = '\0';
	if (svm_lines_open(&l, SHMEM_ENABLED))
		return;
	if (svm_lines_next(&l, line, sizeof(line)) &&
	    (sel = strchr(line, '[')) && (end = strchr(sel, ']'))) {
		*end = '\0';
		snprintf(buf, size, "%s", sel + 1);
	}
	close(l.fd);
}

/* A 4 MiB region and a 2 MiB-aligned memfd of 4 MiB, and shmem_enabled. */
struct hp {
	char saved[32];	/* shmem_enabled to restore */
	int dev, fd, memfd;
	char *p, *m;
};

static void hp_setup(struct __test_metadata *_metadata, struct hp *h)
{
	struct svm_open o;

	if (access(THP "/enabled", F_OK) || access(SHMEM_ENABLED, W_OK))
		SKIP(return, "no transparent huge pages in this kernel");
	shmem_enabled(h->saved, sizeof(h->saved));
	ASSERT_NE('\0', h->saved[0]);
	h->dev = svm_dev_open();
	ASSERT_LE(0, h->dev);
	h->fd = svm_open_region(h->dev, "thp", HLEN,
				SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &o);
	ASSERT_LE(0, h->fd);
	/*
	 * Huge pages need the region 2 MiB-aligned.  Until every region of
	 * 2 MiB or more is, the first one after the window base is.
	 */
	ASSERT_EQ(0, o.addr % HPAGE);
	h->p = svm_map(h->fd, HLEN, PROT_READ | PROT_WRITE);
	ASSERT_EQ(o.addr, (uintptr_t)h->p);
	h->m = memfd_map(HLEN, HPAGE, &h->memfd);
	ASSERT_NE(MAP_FAILED, h->m);
}

/* Run in the parent: shmem_enabled comes back even if the test is killed. */
static void hp_restore(struct __test_metadata *_metadata, struct hp *h)
{
	char line[40];

	snprintf(line, sizeof(line), "%s\n", h->saved);
	if (h->saved[0] && svm_write_file(SHMEM_ENABLED, line))
		TH_LOG("could not restore shmem_enabled to %s", h->saved);
}

static void set_shmem_enabled(struct __test_metadata *_metadata,
			      const char *setting)
{
	char line[40], now[32];

	snprintf(line, sizeof(line), "%s\n", setting);
	ASSERT_EQ(0, svm_write_file(SHMEM_ENABLED, line));
	shmem_enabled(now, sizeof(now));
	ASSERT_STREQ(setting, now);
}

FIXTURE(thp) {
	struct hp h;
};

FIXTURE_VARIANT(thp) {
	const char *setting;	/* shmem_enabled while the pages fault in */
	int madv_hugepage;
	long pmd_kb;		/* ShmemPmdMapped then */
};

FIXTURE_VARIANT_ADD(thp, always) { "always", 0, HLEN_KB };
FIXTURE_VARIANT_ADD(thp, advise_and_madv_hugepage) { "advise", 1, HLEN_KB };
FIXTURE_VARIANT_ADD(thp, advise) { "advise", 0, 0 };
FIXTURE_VARIANT_ADD(thp, never) { "never", 0, 0 };
FIXTURE_VARIANT_ADD(thp, never_and_madv_hugepage) { "never", 1, 0 };

FIXTURE_SETUP(thp)
{
	hp_setup(_metadata, &self->h);
}

FIXTURE_TEARDOWN_PARENT(thp)
{
	hp_restore(_metadata, &self->h);
}

TEST_F(thp, touched_region_is_pmd_mapped_as_the_setting_says)
{
	struct hp *h = &self->h;

	set_shmem_enabled(_metadata, variant->setting);
	if (variant->madv_hugepage) {
		ASSERT_EQ(0, madvise(h->m, HLEN, MADV_HUGEPAGE));
		ASSERT_EQ(0, madvise(h->p, HLEN, MADV_HUGEPAGE));
	}
	memset(h->m, 1, HLEN);
	memset(h->p, 1, HLEN);
	EXPECT_EQ(variant->pmd_kb, smaps_kb(h->m, HLEN, "ShmemPmdMapped"));
	EXPECT_EQ(variant->pmd_kb, smaps_kb(h->p, HLEN, "ShmemPmdMapped"));
	EXPECT_EQ(HLEN_KB, smaps_kb(h->p, HLEN, "Rss"));
	EXPECT_EQ(HLEN / 4096, svm_resident(h->fd));
}

/*
 * MADV_COLLAPSE of 4 KiB pages, under any shmem_enabled but deny: it
 * frees the page tables, and the next touch maps the huge pages by PMD.
 */
FIXTURE(collapse) {
	struct hp h;
};

FIXTURE_VARIANT(collapse) {
	const char *setting;
};

FIXTURE_VARIANT_ADD(collapse, advise) { "advise" };
FIXTURE_VARIANT_ADD(collapse, always) { "always" };
FIXTURE_VARIANT_ADD(collapse, never) { "never" };

FIXTURE_SETUP(collapse)
{
	hp_setup(_metadata, &self->h);
}

FIXTURE_TEARDOWN_PARENT(collapse)
{
	hp_restore(_metadata, &self->h);
}

static int collapse(char *p)
{
	int i, err;

	/* EAGAIN: a page was busy (an LRU batch, a reference); try again. */
	for (i = 0; i < 10; i++) {
		err = ERRNO_OF(madvise(p, HLEN, MADV_COLLAPSE));
		if (err != EAGAIN)
			break;
	}
	return err;
}

static void read_every_page(char *p)
{
	volatile char *v = p;
	size_t i;

	for (i = 0; i < HLEN; i += 4096)
		(void)v[i];
}

TEST_F(collapse, madv_collapse_maps_4k_pages_by_pmd)
{
	struct hp *h = &self->h;

	set_shmem_enabled(_metadata, "never");
	memset(h->m, 1, HLEN);
	memset(h->p, 1, HLEN);
	ASSERT_EQ(0, smaps_kb(h->p, HLEN, "ShmemPmdMapped"));
	set_shmem_enabled(_metadata, variant->setting);
	EXPECT_EQ(0, collapse(h->m));
	EXPECT_EQ(0, collapse(h->p));
	read_every_page(h->m);
	read_every_page(h->p);
	EXPECT_EQ(HLEN_KB, smaps_kb(h->m, HLEN, "ShmemPmdMapped"));
	EXPECT_EQ(HLEN_KB, smaps_kb(h->p, HLEN, "ShmemPmdMapped"));
	EXPECT_EQ(1, h->p[HLEN - 1]);
	EXPECT_EQ(HLEN / 4096, svm_resident(h->fd));
}

TEST_HARNESS_MAIN
