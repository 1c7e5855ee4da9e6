// SPDX-License-Identifier: GPL-2.0
/*
 * Wiring: POSIX mlock (mlock(2) of a mapper's mapping) and the SVID lock
 * count, their independence, unevictable pages and RLIMIT_MEMLOCK
 * accounting.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN	(1024 * 4096)	/* 4 MiB */

static uint64_t charged(int fd)
{
	struct svm_info info;

	return svm_get_info(fd, &info) ? UINT64_MAX : info.charged;
}

FIXTURE(region) {
	int dev, fd;
	char name[32];
	char *p;
	long compact;	/* vm.compact_unevictable_allowed to restore */
};

FIXTURE_SETUP(region)
{
	snprintf(self->name, sizeof(self->name), "wire-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0666, NULL);
	ASSERT_LE(0, self->fd);
	self->p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
	/*
	 * For exact Unevictable counts; last, since the teardown that puts it
	 * back runs only once the setup has completed.
	 */
	self->compact = svm_compact_unevictable(0);
}

FIXTURE_TEARDOWN(region)
{
	if (self->p != MAP_FAILED)
		munmap(self->p, LEN);
	if (self->fd >= 0)
		close(self->fd);
	close(self->dev);
	svm_compact_unevictable(self->compact);
}

TEST_F(region, three_mlocks_undone_by_one_munlock)
{
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	EXPECT_EQ(0, svm_mlock_region(self->fd, 0));	/* idempotent */
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, svid_locks_are_balanced)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EXPECT_EQ(WIRED(2, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	EXPECT_EQ(-EINVAL, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/* The four interleavings: neither API ever undoes the other's wiring. */
TEST_F(region, truth_table_mlock_lock_munlock_unlock)
{
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, truth_table_mlock_lock_unlock_munlock)
{
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, truth_table_lock_mlock_munlock_unlock)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, truth_table_lock_mlock_unlock_munlock)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, unknown_op_and_flags_are_einval)
{
	struct svm_wire a = { .size = sizeof(a), .op = 5 };

	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WIRE, &a));
	EXPECT_EQ(EINVAL, errno);
	a.op = SVM_WIRE_LOCK;
	a.flags = SVM_WIRE_FLAGS + 1;	/* the first unknown flag */
	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WIRE, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, mlock_without_mapping_is_enomem)
{
	munmap(self->p, LEN);
	EXPECT_EQ(-ENOMEM, svm_mlock_region(self->fd, 1));
	EXPECT_EQ(-ENOMEM, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	self->p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
}

/* Child helpers: each maps the region, mlocks, reports, then ends some way. */
enum { END_EXIT, END_KILL, END_MUNMAP, END_EXEC, END_MUNLOCK };

static pid_t child_mlocks(const char *name, int how, int ready, int go)
{
	pid_t pid = fork();
	char c;

	if (pid)
		return pid;
	{
		int dev = svm_dev_open();
		int fd = svm_open_region(dev, name, 0, 0, 0, NULL);
		void *p = svm_map(fd, LEN, PROT_READ);

		if (p == MAP_FAILED || svm_mlock_region(fd, 1))
			_exit(1);
		write(ready, "r", 1);
		read(go, &c, 1);
		switch (how) {
		case END_MUNMAP:
			munmap(p, LEN);
			break;
		case END_EXEC:
			execl("/bin/sleep", "sleep", "30", NULL);
			_exit(2);
		case END_MUNLOCK:
			svm_mlock_region(fd, 0);
			break;
		case END_KILL:
			for (;;)
				pause();
		}
		write(ready, "d", 1);
		read(go, &c, 1);
		_exit(0);
	}
}

static void child_drops_only_its_bit(struct __test_metadata *_metadata,
				     FIXTURE_DATA(region) *self, int how)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	pid = child_mlocks(self->name, how, ready[1], go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(WIRED(0, 2), svm_wire_state(self->fd));
	EXPECT_EQ(2, svm_get_mlocked_mappers(self->fd, NULL, 0));
	if (how == END_KILL)
		kill(pid, SIGKILL);
	else
		write(go[1], "g", 1);
	if (how == END_EXIT)
		write(go[1], "g", 1);
	EXPECT_TRUE(POLL_UNTIL(svm_wire_state(self->fd) == WIRED(0, 1), 10000));
	EXPECT_EQ(1, svm_get_mlocked_mappers(self->fd, NULL, 0));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

TEST_F(region, mappers_bits_are_independent)
{
	child_drops_only_its_bit(_metadata, self, END_MUNLOCK);
}

TEST_F(region, exit_drops_only_the_exiting_mappers_bit)
{
	child_drops_only_its_bit(_metadata, self, END_EXIT);
}

TEST_F(region, sigkill_drops_only_the_killed_mappers_bit)
{
	child_drops_only_its_bit(_metadata, self, END_KILL);
}

TEST_F(region, munmap_drops_only_the_unmapping_mappers_bit)
{
	child_drops_only_its_bit(_metadata, self, END_MUNMAP);
}

TEST_F(region, exec_drops_only_the_execing_mappers_bit)
{
	child_drops_only_its_bit(_metadata, self, END_EXEC);
}

TEST_F(region, forked_child_starts_without_mlock_bit)
{
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));
	pid = fork();
	if (pid == 0) {
		read(go[0], &c, 1);
		_exit(0);
	}
	EXPECT_EQ(1, svm_maps_of(self->fd, pid));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	EXPECT_EQ(1, svm_get_mlocked_mappers(self->fd, NULL, 0));
	write(go[1], "g", 1);
	waitpid(pid, &status, 0);
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	close(go[0]);
	close(go[1]);
}

TEST_F(region, svid_count_outlives_its_locker)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(svm_wire_op(self->fd, SVM_WIRE_LOCK) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
}

TEST_F(region, wiring_populates_every_page)
{
	unsigned char vec[LEN / 4096];
	int i, resident = 0;

	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, mincore(self->p, LEN, vec));
	for (i = 0; i < LEN / 4096; i++)
		resident += vec[i] & 1;
	EXPECT_EQ(LEN / 4096, resident);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
}

TEST_F(region, unevictable_follows_wiring)
{
	long base = svm_meminfo_kb("Unevictable");

	ASSERT_LE(0, base);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EXPECT_GE(4, labs(svm_meminfo_kb("Unevictable") - base - LEN / 1024));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_GE(4, labs(svm_meminfo_kb("Unevictable") - base));
}

TEST_F(region, destroying_a_wired_region_unwires_it)
{
	long base = svm_meminfo_kb("Unevictable");

	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EXPECT_GE(4, labs(svm_meminfo_kb("Unevictable") - base - LEN / 1024));
	munmap(self->p, LEN);
	close(self->fd);	/* last holder: destroyed with its SVID lock */
	EXPECT_GE(4, labs(svm_meminfo_kb("Unevictable") - base));
	self->fd = svm_create(self->dev, "wire-after", 4096);
	self->p = svm_map(self->fd, 4096, PROT_READ);
}

/* The SVID lock is charged by svm; mlock(2) by the kernel, to VmLck. */
TEST_F(region, svid_charge_is_taken_once_and_refunded)
{
	struct svm_info info;

	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(LEN, info.charged);
	EXPECT_EQ(0, info.charged_uid);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));	/* no second charge */
	EXPECT_EQ(LEN, charged(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 1));	/* the other source */
	EXPECT_EQ(LEN, charged(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(0, charged(self->fd));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_mlock_region(self->fd, 0));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, wire_mlock_ops_are_retired)
{
	EXPECT_EQ(-EOPNOTSUPP, svm_wire_op(self->fd, SVM_WIRE_MLOCK));
	EXPECT_EQ(-EOPNOTSUPP, svm_wire_op(self->fd, SVM_WIRE_MUNLOCK));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, madvise_remove_on_wired_region_is_refused)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	self->p[0] = 7;
	EXPECT_EQ(-1, madvise(self->p, LEN, MADV_REMOVE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(7, self->p[0]);
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
}

/* --- as an unprivileged uid --------------------------------------------- */

struct user_wire {
	const char *name;
	rlim_t limit;
	unsigned int op;
};

/*
 * Map the region as uid 1000 under an RLIMIT_MEMLOCK; return -errno of op
 * (SVM_WIRE_MLOCK: mlock(2) of the mapping).
 */
static int user_wire_fn(void *arg)
{
	struct user_wire *u = arg;
	struct rlimit rl = { u->limit, u->limit };
	int dev = svm_dev_open(), fd;

	fd = svm_open_region(dev, u->name, 0, 0, 0, NULL);
	if (fd < 0 || svm_map(fd, LEN, PROT_READ) == MAP_FAILED)
		return 254;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 253;
	if (u->op == SVM_WIRE_MLOCK)
		return -svm_mlock_region(fd, 1);
	return -svm_wire_op(fd, u->op);
}

TEST_F(region, unprivileged_with_memlock_limit_0_is_eperm)
{
	struct user_wire u = { self->name, 0, SVM_WIRE_MLOCK };

	EXPECT_EQ(EPERM, svm_as_user(user_wire_fn, &u));
	EXPECT_EQ(0, charged(self->fd));
}

TEST_F(region, unprivileged_below_region_size_is_enomem)
{
	struct user_wire u = { self->name, LEN / 2, SVM_WIRE_MLOCK };

	EXPECT_EQ(ENOMEM, svm_as_user(user_wire_fn, &u));
	EXPECT_EQ(0, charged(self->fd));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, unprivileged_within_limit_mlocks_until_it_exits)
{
	struct user_wire u = { self->name, 2 * LEN, SVM_WIRE_MLOCK };

	/* The child's mlock goes with its mapping when it exits. */
	EXPECT_EQ(0, svm_as_user(user_wire_fn, &u));
	ASSERT_TRUE(POLL_UNTIL(svm_wire_state(self->fd) == UNWIRED, 10000));
	EXPECT_EQ(0, charged(self->fd));
}

/* A child's mlock bit ends with it; rewiring at once must not charge twice. */
static int rewire_after_exit_fn(void *arg)
{
	struct user_wire *u = arg;
	struct rlimit rl = { LEN, LEN };
	int dev = svm_dev_open(), fd, i, status;
	pid_t pid;

	fd = svm_open_region(dev, u->name, 0, 0, 0, NULL);
	if (fd < 0 || svm_map(fd, LEN, PROT_READ) == MAP_FAILED)
		return 254;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 253;
	for (i = 0; i < 200; i++) {
		pid = fork();
		if (pid == 0)
			_exit(svm_mlock_region(fd, 1) ? 1 : 0);
		if (waitpid(pid, &status, 0) != pid || status)
			return 252;
		if (svm_mlock_region(fd, 1) || svm_mlock_region(fd, 0))
			return 1;
	}
	return 0;
}

/* 200 rounds of populating the region: slow under KASAN. */
TEST_F_TIMEOUT(region, rewiring_as_a_mapper_leaves_is_charged_once, 600)
{
	struct user_wire u = { self->name, 0, 0 };

	EXPECT_EQ(0, svm_as_user(rewire_after_exit_fn, &u));
	EXPECT_TRUE(POLL_UNTIL(charged(self->fd) == 0, 10000));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(region, cap_ipc_lock_bypasses_the_limit)
{
	struct rlimit old, zero = { 0, 0 };

	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &zero));
	EXPECT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EXPECT_EQ(LEN, charged(self->fd));
	EXPECT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_EQ(0, svm_mlock_region(self->fd, 1));	/* the kernel's, too */
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	EXPECT_EQ(0, svm_mlock_region(self->fd, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
}

TEST_F(region, svid_lock_by_non_owner_is_eperm)
{
	struct user_wire u = { self->name, 2 * LEN, SVM_WIRE_LOCK };

	EXPECT_EQ(EPERM, svm_as_user(user_wire_fn, &u));
	u.op = SVM_WIRE_UNLOCK;
	EXPECT_EQ(EPERM, svm_as_user(user_wire_fn, &u));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

/* --- many processes at once ---------------------------------------------- */

/* 3200 mlock(2)s, munlocks and SVID locks of 4 MiB: slow under KASAN. */
TEST_F_TIMEOUT(region, random_wiring_with_kills_ends_clean, 600)
{
	long base = svm_meminfo_kb("Unevictable");
	pid_t pids[8];
	int i;

	for (i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			unsigned int seed = 1234 + i, n;

			for (n = 0; n < 400; n++) {
				switch (rand_r(&seed) % 4) {
				case 0:
					svm_mlock_region(self->fd, 1);
					break;
				case 1:
					svm_mlock_region(self->fd, 0);
					break;
				case 2:
					if (!svm_wire_op(self->fd, SVM_WIRE_LOCK))
						svm_wire_op(self->fd, SVM_WIRE_UNLOCK);
					break;
				case 3:
					self->p[(rand_r(&seed) % 1024) * 4096]++;
					break;
				}
			}
			_exit(0);
		}
	}
	/* Kill half of them wherever they are. */
	for (i = 0; i < 8; i += 2)
		kill(pids[i], SIGKILL);
	for (i = 0; i < 8; i++)
		waitpid(pids[i], NULL, 0);
	/* SVID locks of killed children outlive them: balance them. */
	for (i = 0; svm_wire_op(self->fd, SVM_WIRE_UNLOCK) == 0; i++)
		;
	EXPECT_GE(4, i);
	EXPECT_TRUE(POLL_UNTIL(svm_wire_state(self->fd) == UNWIRED, 10000));
	EXPECT_TRUE(POLL_UNTIL(charged(self->fd) == 0, 10000));
	EXPECT_EQ(0, svm_get_mlocked_mappers(self->fd, NULL, 0));
	/*
	 * That is all of svm's state.  The kernel's own is counted once the
	 * region is gone: 6.1's mlock_count is best effort (mm/mlock.c), so
	 * mlock(2) racing munlock(2) in other address spaces may leave a page
	 * PG_mlocked in no VM_LOCKED VMA, unevictable until it is freed.
	 * Freeing the region frees every page it had, stranded ones too.
	 */
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	ASSERT_EQ(0, munmap(self->p, LEN));
	ASSERT_EQ(0, close(self->fd));
	self->p = MAP_FAILED;
	self->fd = -1;
	EXPECT_TRUE(POLL_UNTIL(svm_meminfo_kb("Unevictable") == base, 10000));
}

TEST_HARNESS_MAIN
