// SPDX-License-Identifier: GPL-2.0
/*
 * The mm surface, part two: what the mapping process itself can do to a
 * region VMA, as syzkaller's descriptions of ashmem and udmabuf do:
 * userfaultfd registration, madvise(2) and mprotect(2).  A region mapping
 * is shmem's own mapping with vm_ops wrapped as ipc/shm.c wraps a SysV
 * segment's, so the kernel treats it as a SysV segment, which each test
 * that can compares it with, and not as a memfd (vma_is_shmem() is false).
 * Every test checks the data, that svm's count of the mapper's VMAs is
 * the number of VMAs /proc/self/maps shows (splits and merges seen), and
 * at its end that the region is gone with nothing left (svm_mmsurface.h).
 */
#include <linux/userfaultfd.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_mmsurface.h"

#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC	(1 << 15)	/* 6.7 */
#endif

/* VMAs this process has inside [addr, addr + len). */
static int vmas_in(uint64_t addr, size_t len)
{
	return svm_smaps_sum(0, addr, addr + len, NULL);
}

/* This process has n VMAs of the region, and svm counts n. */
#define EXPECT_MAPS(self, n) do {					\
	EXPECT_EQ((n), vmas_in((self)->o.addr, LEN));			\
	EXPECT_EQ((n), svm_maps_of((self)->fd, getpid()));		\
} while (0)

/* svm counts the VMAs of the region this process has, however many. */
#define EXPECT_COUNTED(self)						\
	EXPECT_EQ(vmas_in((self)->o.addr, LEN),				\
		  svm_maps_of((self)->fd, getpid()))

/* Whether the VmFlags of the VMA at addr (/proc/self/smaps) has flag. */
static int vm_flag(void *addr, const char *flag)
{
	char line[512], want[8];
	unsigned long start, end;
	int in = 0, found = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), " %s", flag);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &start, &end) == 2)
			in = start == (uintptr_t)addr;
		else if (in && !strncmp(line, "VmFlags:", 8))
			found = !!strstr(line, want);
	}
	fclose(f);
	return found;
}

/* mincore(2) of LEN bytes at p as a bit mask, page 0 the lowest bit. */
static int resident(void *p)
{
	unsigned char vec[LEN / PAGE];
	int i, mask = 0;

	if (mincore(p, LEN, vec))
		return -errno;
	for (i = 0; i < LEN / PAGE; i++)
		mask |= (vec[i] & 1) << i;
	return mask;
}

/* The region mapped read-write, every byte of it the pattern of tag. */
static char *map_filled(struct __test_metadata *_metadata,
			FIXTURE_DATA(mms) *self, unsigned char tag)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	mms_fill(p, LEN, tag);
	return p;
}

/*
 * The end of a test of one mapping from map_filled(): the data is all
 * there in one VMA that svm counts, then the mapping and the region go.
 */
#define END_FILLED(self, p, tag) do {					\
	EXPECT_TRUE(mms_holds((p), LEN, (tag)));			\
	EXPECT_MAPS((self), 1);						\
	munmap((p), LEN);						\
	END(self);							\
} while (0)

/* A SysV segment of LEN bytes, removed already: its mapping holds it. */
static char *sysv(void)
{
	int id = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	char *s;

	if (id < 0)
		return MAP_FAILED;
	s = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	return s == (void *)-1 ? MAP_FAILED : s;
}

/* A memfd of LEN bytes mapped shared; its fd in *mfd. */
static char *memfd(int *mfd)
{
	*mfd = memfd_create("mmv", MFD_CLOEXEC);
	if (*mfd < 0 || ftruncate(*mfd, LEN))
		return MAP_FAILED;
	return mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, *mfd, 0);
}

/*
 * A memfd of LEN bytes starting with byte first, open read-only (through
 * /proc/self/fd, as a region is by SVM_OPEN_RDONLY): the fd, or -1.
 */
static int memfd_rdonly(char first)
{
	char path[64];
	int mfd = memfd_create("mmv", MFD_CLOEXEC), ro;

	if (mfd < 0 || ftruncate(mfd, LEN) || pwrite(mfd, &first, 1, 0) != 1)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	close(mfd);
	return ro;
}

/* ---- userfaultfd ------------------------------------------------------ */

/* A userfaultfd with the features asked for: its fd or -errno. */
static int uffd_open(uint64_t features, uint64_t *offered)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK), err;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (offered)
		*offered = api.features;
	return fd;
}

static int uffd_register(int uffd, void *p, size_t len, uint64_t mode)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len }, .mode = mode,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/*
 * vma_can_userfault() takes anonymous, hugetlb and shmem VMAs, shmem
 * meaning shmem's own vm_ops (vma_is_shmem()); MINOR mode takes only the
 * last two.  A region, like a SysV segment, is neither: UFFDIO_REGISTER is
 * EINVAL for it in MISSING, MINOR and (synchronous) WP mode alike, on 6.1
 * and 6.12, where a memfd registers.  Nothing changes on the VMA.
 */
static void uffd_as_sysv(struct __test_metadata *_metadata,
			 FIXTURE_DATA(mms) *self, uint64_t features,
			 uint64_t mode)
{
	int uffd = uffd_open(features, NULL), mfd;
	char *p, *s, *m;

	ASSERT_LE(0, uffd);
	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	s = sysv();
	ASSERT_NE(MAP_FAILED, s);
	m = memfd(&mfd);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-EINVAL, uffd_register(uffd, p, LEN, mode));
	EXPECT_EQ(-EINVAL, uffd_register(uffd, s, LEN, mode));
	EXPECT_EQ(0, uffd_register(uffd, m, LEN, mode));
	EXPECT_MAPS(self, 1);
	p[0] = 1;
	EXPECT_EQ(1, p[0]);
	close(uffd);
	munmap(m, LEN);
	close(mfd);
	shmdt(s);
	munmap(p, LEN);
	END(self);
}

TEST_F(mms, userfaultfd_missing_is_einval_as_on_sysv_shm)
{
	uffd_as_sysv(_metadata, self, 0, UFFDIO_REGISTER_MODE_MISSING);
}

TEST_F(mms, userfaultfd_minor_is_einval_as_on_sysv_shm)
{
	uffd_as_sysv(_metadata, self, UFFD_FEATURE_MINOR_SHMEM,
		     UFFDIO_REGISTER_MODE_MINOR);
}

TEST_F(mms, userfaultfd_wp_is_einval_as_on_sysv_shm)
{
	uffd_as_sysv(_metadata, self, 0, UFFDIO_REGISTER_MODE_WP);
}

/*
 * Asynchronous WP (UFFD_FEATURE_WP_ASYNC, 6.7) takes any VMA: a region
 * registers as a SysV segment does.  Registering the middle pages splits
 * the mapping in three, write protection and a write to a protected page
 * go through, and closing the userfaultfd clears the VMAs again: svm's
 * count follows every split and merge.  6.1 has no such feature (EINVAL).
 */
TEST_F(mms, userfaultfd_async_wp_registers_as_on_sysv_shm)
{
	struct uffdio_writeprotect wp = {
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	uint64_t offered = 0;
	int uffd = uffd_open(0, &offered);
	char *p, *s;

	ASSERT_LE(0, uffd);
	close(uffd);
	uffd = uffd_open(UFFD_FEATURE_WP_ASYNC, NULL);
	if (!mms_kernel_at_least(6, 7)) {
		EXPECT_EQ(0, offered & UFFD_FEATURE_WP_ASYNC);
		EXPECT_EQ(-EINVAL, uffd);
		END(self);
		SKIP(return, "no UFFD_FEATURE_WP_ASYNC before 6.7 (EINVAL, checked)");
	}
	ASSERT_LE(0, uffd);
	p = map_filled(_metadata, self, 'W');
	s = sysv();
	ASSERT_NE(MAP_FAILED, s);
	EXPECT_EQ(0, uffd_register(uffd, p + PAGE, 2 * PAGE,
				   UFFDIO_REGISTER_MODE_WP));
	EXPECT_EQ(0, uffd_register(uffd, s + PAGE, 2 * PAGE,
				   UFFDIO_REGISTER_MODE_WP));
	EXPECT_MAPS(self, 3);
	wp.range.start = (uintptr_t)p + PAGE;
	wp.range.len = 2 * PAGE;
	EXPECT_EQ(0, ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));
	wp.range.start = (uintptr_t)s + PAGE;
	EXPECT_EQ(0, ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));
	p[PAGE] = 'x';
	s[PAGE] = 'x';
	EXPECT_EQ('x', p[PAGE]);
	EXPECT_TRUE(mms_holds(p + PAGE + 1, PAGE - 1, 'W' + 7));
	close(uffd);
	EXPECT_COUNTED(self);
	EXPECT_EQ('x', p[PAGE]);
	shmdt(s);
	munmap(p, LEN);
	END(self);
}

/* ---- madvise ---------------------------------------------------------- */

/* A shared file mapping: DONTNEED drops the PTEs, the pages stay. */
TEST_F(mms, madv_dontneed_keeps_the_data)
{
	char *p = map_filled(_metadata, self, 'N');

	EXPECT_EQ(0, madvise(p, LEN, MADV_DONTNEED));
	EXPECT_EQ(LEN / PAGE, svm_resident(self->fd));
	EXPECT_EQ(0xf, resident(p));	/* mincore sees the page cache */
	END_FILLED(self, p, 'N');
}

/* MADV_FREE is for private anonymous memory only. */
TEST_F(mms, madv_free_is_einval)
{
	char *p = map_filled(_metadata, self, 'F');

	EXPECT_EQ(-1, madvise(p, LEN, MADV_FREE));
	EXPECT_EQ(EINVAL, errno);
	END_FILLED(self, p, 'F');
}

/*
 * COLD deactivates, PAGEOUT reclaims what it can: shmem pages go only to
 * swap, and the guest has none, so all stay, with their data.
 */
TEST_F(mms, madv_cold_and_pageout_keep_the_data)
{
	char *p = map_filled(_metadata, self, 'P');

	EXPECT_EQ(0, madvise(p, LEN, MADV_COLD));
	EXPECT_EQ(0, madvise(p, LEN, MADV_PAGEOUT));
	EXPECT_EQ(LEN / PAGE, svm_resident(self->fd));
	END_FILLED(self, p, 'P');
}

/*
 * A region's pages cannot be punched out: MADV_REMOVE is fallocate(2),
 * which a region file lacks (EOPNOTSUPP); a mapping without write access
 * is refused before that (EACCES).
 */
TEST_F(mms, madv_remove_is_eopnotsupp)
{
	char *p = map_filled(_metadata, self, 'R');
	int ro;

	EXPECT_EQ(-1, madvise(p, LEN, MADV_REMOVE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(LEN / PAGE, svm_resident(self->fd));
	EXPECT_TRUE(mms_holds(p, LEN, 'R'));
	munmap(p, LEN);
	ro = mms_reopen(self, SVM_OPEN_RDONLY);
	ASSERT_LE(0, ro);
	p = svm_map(ro, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, madvise(p, LEN, MADV_REMOVE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(mms_holds(p, LEN, 'R'));
	munmap(p, LEN);
	close(ro);
	END(self);
}

/* POPULATE_READ and POPULATE_WRITE (5.14) fault pages in, no more. */
TEST_F(mms, madv_populate_read_and_write_make_pages_resident)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, resident(p));
	EXPECT_EQ(0, svm_resident(self->fd));
	EXPECT_EQ(0, madvise(p, 2 * PAGE, MADV_POPULATE_READ));
	EXPECT_EQ(0x3, resident(p));
	EXPECT_EQ(2, svm_resident(self->fd));
	EXPECT_EQ(0, madvise(p + 3 * PAGE, PAGE, MADV_POPULATE_WRITE));
	EXPECT_EQ(0xb, resident(p));
	EXPECT_EQ(3, svm_resident(self->fd));
	EXPECT_TRUE(mms_zero(p, LEN));
	EXPECT_MAPS(self, 1);
	munmap(p, LEN);
	END(self);
}

/*
 * MADV_DONTFORK: the child has no mapping of the region (nothing is at its
 * address, a touch is SIGSEGV) and is no mapper; the parent's stays.
 */
TEST_F(mms, madv_dontfork_leaves_the_child_without_the_mapping)
{
	char *p = map_filled(_metadata, self, 'K');
	int sv[2], st;
	pid_t pid;

	EXPECT_EQ(0, madvise(p, LEN, MADV_DONTFORK));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		mms_tell(sv[1], 'r');
		if (mms_hear(sv[1]) != 'g')
			_exit(1);
		_exit(*(volatile char *)p);
	}
	ASSERT_EQ('r', mms_hear(sv[0]));
	EXPECT_EQ(1, svm_get_mappers(self->fd, NULL, 0));
	EXPECT_EQ(1, svm_maps_of(self->fd, getpid()));
	EXPECT_EQ(0, svm_maps_of(self->fd, pid));
	ASSERT_EQ(0, mms_tell(sv[0], 'g'));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGSEGV, WTERMSIG(st));
	close(sv[0]);
	close(sv[1]);
	END_FILLED(self, p, 'K');
}

/*
 * MADV_WIPEONFORK is for private anonymous memory: EINVAL on a shared
 * mapping (MADV_KEEPONFORK, which clears it, succeeds), and a child sees
 * the data.
 */
TEST_F(mms, madv_wipeonfork_is_einval)
{
	char *p = map_filled(_metadata, self, 'O');
	int st;
	pid_t pid;

	EXPECT_EQ(-1, madvise(p, LEN, MADV_WIPEONFORK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, madvise(p, LEN, MADV_KEEPONFORK));
	pid = fork();
	if (pid == 0)
		_exit(mms_holds(p, LEN, 'O') ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	END_FILLED(self, p, 'O');
}

/*
 * MADV_HUGEPAGE and MADV_NOHUGEPAGE set VM_HUGEPAGE/VM_NOHUGEPAGE ("hg",
 * "nh" in smaps): on one page that splits the mapping; svm counts it.
 */
TEST_F(mms, madv_hugepage_and_nohugepage_split_and_count)
{
	char *p = map_filled(_metadata, self, 'H');

	EXPECT_EQ(0, madvise(p + PAGE, PAGE, MADV_HUGEPAGE));
	EXPECT_EQ(1, vm_flag(p + PAGE, "hg"));
	EXPECT_EQ(0, vm_flag(p, "hg"));
	EXPECT_MAPS(self, 3);
	EXPECT_EQ(0, madvise(p + PAGE, PAGE, MADV_NOHUGEPAGE));
	EXPECT_EQ(1, vm_flag(p + PAGE, "nh"));
	EXPECT_EQ(0, vm_flag(p + PAGE, "hg"));
	EXPECT_MAPS(self, 3);
	EXPECT_EQ(0, madvise(p, LEN, MADV_NOHUGEPAGE));
	EXPECT_COUNTED(self);
	EXPECT_EQ(1, vm_flag(p, "nh"));
	EXPECT_TRUE(mms_holds(p, LEN, 'H'));
	munmap(p, LEN);
	EXPECT_MAPS(self, 0);
	END(self);
}

/* ---- mprotect --------------------------------------------------------- */

/*
 * An SVM_OPEN_RDONLY fd maps without VM_MAYWRITE: mprotect(PROT_WRITE) is
 * EACCES, as on a memfd opened O_RDONLY.
 */
TEST_F(mms, mprotect_write_on_a_rdonly_fd_mapping_is_eacces)
{
	int ro = mms_reopen(self, SVM_OPEN_RDONLY), mro = memfd_rdonly(0);
	char *p, *m;

	ASSERT_LE(0, ro);
	ASSERT_LE(0, mro);
	p = svm_map(ro, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	m = mmap(NULL, LEN, PROT_READ, MAP_SHARED, mro, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-1, mprotect(p, LEN, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(m, LEN, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_MAPS(self, 1);
	munmap(m, LEN);
	close(mro);
	munmap(p, LEN);
	close(ro);
	END(self);
}

/*
 * PROT_EXEC as on a memfd: both live on the kernel's internal shmem mount,
 * which is not noexec, and need only read access, so an SVM_OPEN_RDONLY
 * fd maps PROT_EXEC, mprotect() adds PROT_EXEC, and code in it runs;
 * PROT_WRITE stays EACCES.
 */
#define RET	((char)0xc3)	/* x86-64 ret */

TEST_F(mms, prot_exec_as_on_a_memfd)
{
	int ro = mms_reopen(self, SVM_OPEN_RDONLY), mro = memfd_rdonly(RET);
	char *p, *m;

	ASSERT_LE(0, ro);
	ASSERT_LE(0, mro);
	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = RET;
	munmap(p, LEN);

	p = svm_map(ro, LEN, PROT_READ | PROT_EXEC);
	ASSERT_EQ(self->o.addr, (uintptr_t)p);
	m = mmap(NULL, LEN, PROT_READ | PROT_EXEC, MAP_SHARED, mro, 0);
	ASSERT_NE(MAP_FAILED, m);
	((void (*)(void))p)();
	((void (*)(void))m)();
	EXPECT_EQ(1, vm_flag(p, "ex"));
	EXPECT_EQ(0, mprotect(p, PAGE, PROT_READ));
	EXPECT_EQ(0, mprotect(m, PAGE, PROT_READ));
	EXPECT_MAPS(self, 2);
	EXPECT_EQ(0, mprotect(p, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(0, mprotect(m, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_COUNTED(self);
	EXPECT_EQ(-1, mprotect(p, LEN, PROT_READ | PROT_WRITE | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect(m, LEN, PROT_READ | PROT_WRITE | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(m, LEN);
	close(mro);
	munmap(p, LEN);
	close(ro);
	END(self);
}

TEST_HARNESS_MAIN
