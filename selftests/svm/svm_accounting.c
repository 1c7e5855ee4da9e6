// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounting under hostile timing: what SVM_IOC_WINDOW reports
 * for the caller's uid (regions, bytes, wiring charge) stays exact while
 * mappers mlock and leave and another user SVID-locks the same region.
 */
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN		(8UL << 20)	/* the region, and the user's limit */
#define RACE_MS		6000

/* Become uid/gid 1000 with no capabilities and RLIMIT_MEMLOCK of limit. */
static int become_user(rlim_t limit)
{
	struct rlimit rl = { limit, limit };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return -1;
	if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000))
		return -1;
	return 0;
}

/* The caller's usage, from SVM_IOC_WINDOW; -errno on failure. */
static int usage(int dev, struct svm_window *w)
{
	return svm_get_window(dev, w);
}

FIXTURE(acct) {
	int dev;
	char name[32];
};

FIXTURE_SETUP(acct)
{
	snprintf(self->name, sizeof(self->name), "acct-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(acct)
{
	svm_remove_name(self->dev, self->name);
	close(self->dev);
}

/* Run fn in a child as uid 1000 (limit LEN); its exit status or -1. */
static int as_user(int (*fn)(int dev, const char *name), const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int dev;

		if (become_user(LEN))
			_exit(255);
		dev = svm_dev_open();
		_exit(dev < 0 ? 254 : fn(dev, name));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* uid 1000's window usage is exactly what it holds. */
static int user_owns_one_region(int dev, const char *name)
{
	struct svm_window w;
	int fd;

	fd = svm_open_region(dev, name, LEN, SVM_OPEN_CREATE | SVM_OPEN_EXCL |
			     SVM_OPEN_PERSIST, 0666, NULL);
	if (fd < 0)
		return 1;
	if (usage(dev, &w) || w.user_regions != 1 || w.user_bytes != LEN ||
	    w.user_locked != 0)
		return 2;
	if (svm_wire_op(fd, SVM_WIRE_LOCK))
		return 3;
	if (usage(dev, &w) || w.user_locked != LEN)
		return 4;
	if (svm_wire_op(fd, SVM_WIRE_UNLOCK))
		return 5;
	if (usage(dev, &w) || w.user_locked != 0)
		return 6;
	close(fd);
	if (svm_remove_name(dev, name))
		return 7;
	if (usage(dev, &w) || w.user_regions != 0 || w.user_bytes != 0)
		return 8;
	return 0;
}

TEST_F(acct, window_reports_the_callers_usage)
{
	struct svm_window w;

	EXPECT_EQ(0, as_user(user_owns_one_region, self->name));
	ASSERT_EQ(0, usage(self->dev, &w));
	EXPECT_EQ(SVM_WINDOW_SIZE_VER1, w.size);
}

/*
 * POSIX mlock on a mapping that comes and goes: svm_mlock_region() is
 * mlock(2); on a module that still has SVM_WIRE_MLOCK (which charged the
 * region to the mlocker) the ioctl, so that this test shows the old race.
 */
static int posix_mlock(int fd)
{
	int ret = svm_wire_op(fd, SVM_WIRE_MLOCK);

	return ret == -EOPNOTSUPP ? svm_mlock_region(fd, 1) : ret;
}

static int user_mlock_loop(int dev, const char *name)
{
	long long end = svm_now_ms() + RACE_MS;
	int fd = svm_open_region(dev, name, 0, 0, 0, NULL);
	void *p;

	if (fd < 0)
		return 1;
	while (svm_now_ms() < end) {
		p = svm_map(fd, LEN, PROT_READ);
		if (p == MAP_FAILED)
			return 2;
		posix_mlock(fd);
		munmap(p, LEN);		/* the mlock leaves with the mapping */
	}
	return 0;
}

/* Afterwards uid 1000 can still wire its own region under its limit. */
static int user_can_wire_it(int dev, const char *name)
{
	struct svm_window w;
	int fd = svm_open_region(dev, name, 0, 0, 0, NULL), ret;

	if (fd < 0)
		return 1;
	if (usage(dev, &w) || w.user_locked != 0)
		return 2;
	ret = svm_wire_op(fd, SVM_WIRE_LOCK);
	if (ret)
		return 3;
	return svm_wire_op(fd, SVM_WIRE_UNLOCK) ? 4 : 0;
}

static int user_creates(int dev, const char *name)
{
	int fd = svm_open_region(dev, name, LEN, SVM_OPEN_CREATE |
				 SVM_OPEN_EXCL | SVM_OPEN_PERSIST, 0666, NULL);

	return fd < 0 ? 1 : 0;
}

/*
 * The race of the review: uid 1000 maps, mlocks and unmaps its region in
 * a loop while root takes and drops SVID locks on it.  No charge may be
 * left behind: nothing is wired at the end, and uid 1000 can wire the
 * region again under an RLIMIT_MEMLOCK of its size.
 */
TEST_F_TIMEOUT(acct, mlock_racing_svid_locks_leaves_no_charge, 120)
{
	struct svm_info info;
	int status, fd, err = 0;
	long long end;
	pid_t pid;

	ASSERT_EQ(0, as_user(user_creates, self->name));
	fd = svm_open_region(self->dev, self->name, 0, 0, 0, NULL);
	ASSERT_LE(0, fd);
	pid = fork();
	if (pid == 0) {
		int dev;

		if (become_user(LEN))
			_exit(255);
		dev = svm_dev_open();
		_exit(dev < 0 ? 254 : user_mlock_loop(dev, self->name));
	}
	end = svm_now_ms() + RACE_MS;
	while (svm_now_ms() < end && !err) {
		err = svm_wire_op(fd, SVM_WIRE_LOCK);
		if (!err)
			err = svm_wire_op(fd, SVM_WIRE_UNLOCK);
	}
	EXPECT_EQ(0, err);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(POLL_UNTIL(svm_wire_state(fd) == UNWIRED, 10000));
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_EQ(0, info.charged);
	EXPECT_EQ(0, as_user(user_can_wire_it, self->name));
	close(fd);
}

TEST_HARNESS_MAIN
