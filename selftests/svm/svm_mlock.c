// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX mlock of a region is the kernel's own: mlock(2), mlock2(2),
 * mlockall(2) and MAP_LOCKED lock a region mapping as any shared file
 * mapping, the kernel counts it (VmLck, smaps Locked, Mlocked) and charges
 * it to RLIMIT_MEMLOCK, and svm reads it back from the VMAs (INFO
 * nr_mlocked, MAPPERS_MLOCKED).  svm_wire.c has the SVID lock, the four
 * interleavings of the two sources and how a mapper's mlock ends (munmap,
 * exec, exit, SIGKILL).
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN	(256 * 4096)	/* 1 MiB */
#define LEN_KB	(LEN / 1024)

FIXTURE(region) {
	int dev, fd;
	char name[32];
	char *p;	/* the region's address, mapped read-write */
	long compact;	/* vm.compact_unevictable_allowed to restore */
};

FIXTURE_SETUP(region)
{
	snprintf(self->name, sizeof(self->name), "mlock-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0666, NULL);
	ASSERT_LE(0, self->fd);
	self->p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_EQ(0, svm_status_kb(0, "VmLck"));
	/*
	 * For exact Mlocked counts; last, since the teardown that puts it
	 * back runs only once the setup has completed.
	 */
	self->compact = svm_compact_unevictable(0);
}

/* In the parent, even if the test is killed; the child's exit unmaps. */
FIXTURE_TEARDOWN_PARENT(region)
{
	svm_compact_unevictable(self->compact);
}

/* smaps Locked: of pid's (0: this process's) mappings of the region, kB. */
static long locked_kb(FIXTURE_DATA(region) *self, pid_t pid)
{
	return svm_smaps_sum(pid, (uintptr_t)self->p,
			     (uintptr_t)self->p + LEN, "Locked");
}

/* Write one byte in each of n pages, every third page from the start. */
static void touch_pages(char *p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i * 3 * 4096] = 1;
}

TEST_F(region, mlock_counts_in_vmlck_locked_and_mlocked)
{
	long mlocked = svm_meminfo_kb("Mlocked");

	ASSERT_LE(0, mlocked);
	ASSERT_EQ(0, mlock(self->p, LEN));
	EXPECT_EQ(LEN_KB, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(LEN_KB, locked_kb(self, 0));	/* every page faulted in */
	EXPECT_EQ(mlocked + LEN_KB, svm_meminfo_kb("Mlocked"));
	EXPECT_EQ(LEN / 4096, svm_resident(self->fd));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
}

TEST_F(region, munlock_unlocks_every_page_and_keeps_them)
{
	long mlocked = svm_meminfo_kb("Mlocked");

	ASSERT_EQ(0, mlock(self->p, LEN));
	ASSERT_EQ(0, munlock(self->p, LEN));
	EXPECT_EQ(0, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(0, locked_kb(self, 0));
	EXPECT_EQ(mlocked, svm_meminfo_kb("Mlocked"));
	EXPECT_EQ(LEN / 4096, svm_resident(self->fd));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/* The range is charged at once, each page locked as it is faulted in. */
TEST_F(region, mlock2_onfault_locks_pages_as_they_are_touched)
{
	long mlocked = svm_meminfo_kb("Mlocked");

	ASSERT_EQ(0, mlock2(self->p, LEN, MLOCK_ONFAULT));
	EXPECT_EQ(LEN_KB, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(0, locked_kb(self, 0));
	EXPECT_EQ(0, svm_resident(self->fd));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	touch_pages(self->p, 10);
	EXPECT_EQ(10 * 4, locked_kb(self, 0));
	EXPECT_EQ(mlocked + 10 * 4, svm_meminfo_kb("Mlocked"));
	EXPECT_EQ(10, svm_resident(self->fd));
}

TEST_F(region, mlockall_current_locks_an_existing_mapping)
{
	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	EXPECT_EQ(LEN_KB, locked_kb(self, 0));
	EXPECT_EQ(LEN / 4096, svm_resident(self->fd));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	EXPECT_EQ(1, svm_get_mlocked_mappers(self->fd, NULL, 0));
}

TEST_F(region, munlockall_unlocks_the_region)
{
	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	ASSERT_EQ(LEN_KB, locked_kb(self, 0));
	ASSERT_EQ(0, munlockall());
	EXPECT_EQ(0, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(0, locked_kb(self, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	EXPECT_EQ(0, svm_get_mlocked_mappers(self->fd, NULL, 0));
}

/*
 * Map the region again under mlockall(flags | MCL_FUTURE); returns how
 * much VmLck grew, in kB.  Between the two readings only mmap runs (the
 * readers allocate nothing; the first reading grows the stack if need be).
 */
static long map_under_mlockall(struct __test_metadata *_metadata,
			       FIXTURE_DATA(region) *self, int flags)
{
	long before;

	EXPECT_EQ(0, munmap(self->p, LEN));
	EXPECT_EQ(0, mlockall(flags | MCL_FUTURE));
	before = svm_status_kb(0, "VmLck");
	EXPECT_EQ(self->p, svm_map(self->fd, LEN, PROT_READ | PROT_WRITE));
	return svm_status_kb(0, "VmLck") - before;
}

TEST_F(region, mlockall_future_maps_a_region_locked)
{
	EXPECT_EQ(LEN_KB, map_under_mlockall(_metadata, self, MCL_CURRENT));
	EXPECT_EQ(LEN_KB, locked_kb(self, 0));	/* populated at mmap */
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
}

TEST_F(region, mcl_onfault_maps_a_region_locked_page_by_page)
{
	EXPECT_EQ(LEN_KB, map_under_mlockall(_metadata, self,
					     MCL_CURRENT | MCL_ONFAULT));
	EXPECT_EQ(0, locked_kb(self, 0));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	touch_pages(self->p, 3);
	EXPECT_EQ(3 * 4, locked_kb(self, 0));
	EXPECT_EQ(3, svm_resident(self->fd));
}

TEST_F(region, map_locked_maps_and_populates_the_region_locked)
{
	char *p;

	ASSERT_EQ(0, munmap(self->p, LEN));
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED,
		 self->fd, 0);
	ASSERT_EQ(self->p, p);
	EXPECT_EQ(LEN_KB, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(LEN_KB, locked_kb(self, 0));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
}

TEST_F(region, partial_munmap_keeps_the_rest_locked)
{
	ASSERT_EQ(0, mlock(self->p, LEN));
	ASSERT_EQ(0, munmap(self->p + LEN / 2, LEN / 2));
	EXPECT_EQ(LEN_KB / 2, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(LEN_KB / 2, locked_kb(self, 0));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, munmap(self->p, LEN / 2));
	EXPECT_EQ(0, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/* fork copies the mapping, not its VM_LOCKED: only the parent is listed. */
TEST_F(region, forked_child_maps_unlocked_and_is_not_listed)
{
	struct svm_mapper m[4];
	int go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, mlock(self->p, LEN));
	pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		_exit(0);
	}
	EXPECT_EQ(0, svm_status_kb(pid, "VmLck"));
	EXPECT_EQ(0, locked_kb(self, pid));
	EXPECT_EQ(LEN_KB, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(1, svm_maps_of(self->fd, pid));
	EXPECT_EQ(2, svm_get_mappers(self->fd, NULL, 0));
	ASSERT_EQ(1, svm_get_mlocked_mappers(self->fd, m, 4));
	EXPECT_EQ(getpid(), m[0].pid);
	EXPECT_EQ(1, m[0].nr_maps);
	write(go[1], "g", 1);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
}

/* --- RLIMIT_MEMLOCK, as uid 1000 ----------------------------------------- */

enum { BY_MLOCK, BY_MLOCK_ONFAULT, BY_MAP_LOCKED };

struct user_lock {
	const char *name;
	rlim_t limit;
	int how;
};

/*
 * As uid 1000 under an RLIMIT_MEMLOCK of u->limit, lock the whole region
 * u->how; the errno, 0 when it is locked and VmLck says so.
 */
static int user_lock_fn(void *arg)
{
	struct user_lock *u = arg;
	struct rlimit rl = { u->limit, u->limit };
	int dev = svm_dev_open(), fd, flags = MAP_SHARED, err;
	char *p;

	fd = svm_open_region(dev, u->name, 0, 0, 0, NULL);
	if (fd < 0 || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 254;
	if (u->how == BY_MAP_LOCKED)
		flags |= MAP_LOCKED;
	p = mmap(NULL, LEN, PROT_READ, flags, fd, 0);
	if (p == MAP_FAILED)
		return u->how == BY_MAP_LOCKED ? errno : 253;
	if (u->how == BY_MLOCK)
		err = ERRNO_OF(mlock(p, LEN));
	else if (u->how == BY_MLOCK_ONFAULT)
		err = ERRNO_OF(mlock2(p, LEN, MLOCK_ONFAULT));
	else
		err = 0;
	if (!err && svm_status_kb(0, "VmLck") != LEN_KB)
		return 252;
	return err;
}

TEST_F(region, mlock_up_to_the_memlock_limit_succeeds)
{
	struct user_lock u = { self->name, LEN, BY_MLOCK };

	EXPECT_EQ(0, svm_as_user(user_lock_fn, &u));
}

TEST_F(region, mlock_one_page_past_the_memlock_limit_is_enomem)
{
	struct user_lock u = { self->name, LEN - 4096, BY_MLOCK };

	EXPECT_EQ(ENOMEM, svm_as_user(user_lock_fn, &u));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, mlock2_onfault_past_the_memlock_limit_is_enomem)
{
	struct user_lock u = { self->name, LEN - 4096, BY_MLOCK_ONFAULT };

	EXPECT_EQ(ENOMEM, svm_as_user(user_lock_fn, &u));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, map_locked_up_to_the_memlock_limit_succeeds)
{
	struct user_lock u = { self->name, LEN, BY_MAP_LOCKED };

	EXPECT_EQ(0, svm_as_user(user_lock_fn, &u));
}

TEST_F(region, map_locked_past_the_memlock_limit_is_eagain)
{
	struct user_lock u = { self->name, LEN - 4096, BY_MAP_LOCKED };

	EXPECT_EQ(EAGAIN, svm_as_user(user_lock_fn, &u));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, map_locked_with_memlock_limit_0_is_eperm)
{
	struct user_lock u = { self->name, 0, BY_MAP_LOCKED };

	EXPECT_EQ(EPERM, svm_as_user(user_lock_fn, &u));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/* --- the two sources, as the kernel counts them --------------------------- */

/* munlock(2) takes the VM_LOCKED away, not the SVID lock's unevictability. */
TEST_F(region, munlock_leaves_the_svid_lock_and_unevictable_pages)
{
	long unevictable = svm_meminfo_kb("Unevictable");

	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, mlock(self->p, LEN));
	ASSERT_EQ(0, munlock(self->p, LEN));
	EXPECT_EQ(0, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	EXPECT_EQ(unevictable + LEN_KB, svm_meminfo_kb("Unevictable"));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(unevictable, svm_meminfo_kb("Unevictable"));
}

/* The last SVID unlock leaves the mapping's mlock and its pages mlocked. */
TEST_F(region, svid_unlock_leaves_vmlck_and_mlocked_pages)
{
	long mlocked = svm_meminfo_kb("Mlocked");
	long unevictable = svm_meminfo_kb("Unevictable");

	ASSERT_EQ(0, mlock(self->p, LEN));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(LEN_KB, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(LEN_KB, locked_kb(self, 0));
	EXPECT_EQ(mlocked + LEN_KB, svm_meminfo_kb("Mlocked"));
	EXPECT_EQ(unevictable + LEN_KB, svm_meminfo_kb("Unevictable"));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
}

TEST_HARNESS_MAIN
