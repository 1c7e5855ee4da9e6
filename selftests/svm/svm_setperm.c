// SPDX-License-Identifier: GPL-2.0
/*
 * SVM_IOC_SETPERM: a region's owner, group and mode, changed as SysV's
 * shmctl(IPC_SET) changes a segment's: who may (owner, creator,
 * CAP_SYS_ADMIN), what the next open and the open fds see, what INFO
 * reports, the validation of every field, ids in the caller's user
 * namespace, and the charges (the region's stays with its creator, an
 * SVID lock's with its locker).
 *
 * An operation as another uid runs in a forked child that drops to it (no
 * supplementary groups, so no capabilities left but for uid 0) and exits
 * with 0, or with the number of the first check that failed; what it saw
 * comes back through a shared page.  Regions made by a child persist, so
 * that they outlive it; the teardown removes every name the test used and
 * checks that the window is as the test found it.
 */
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN		(64 * 1024)

#define UID_A		1000	/* an ordinary user ... */
#define GID_A		1000	/* ... and its group */
#define UID_B		2000	/* another user */
#define GID_B		2000

#define NO_CAP_DROP	(-1)

/* Exit code of a child that could not take its credentials. */
#define CHILD_BROKE	255

/* What a child saw, for the test to check: in a MAP_SHARED page. */
struct seen {
	struct svm_window w[3];
	struct svm_info info;
	int err;
};

FIXTURE(setperm) {
	pid_t owner;		/* the process running the test */
	int dev;
	struct svm_window start;
	char name[SVM_NAME_MAX];
	struct seen *seen;
	int fd;			/* the test's fd of name, or -1 */
};

FIXTURE_SETUP(setperm)
{
	self->owner = getpid();
	snprintf(self->name, sizeof(self->name), "setperm-%d", getpid());
	self->fd = -1;
	self->seen = mmap(NULL, sizeof(*self->seen), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->seen);
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->start));
}

/*
 * Run by the harness's parent process, as svm_perm.c's is: a plain
 * FIXTURE_TEARDOWN can be skipped after a failed ASSERT, and the region a
 * child made persists.  The test process's fds went with it, unless it is
 * the one running this.
 */
FIXTURE_TEARDOWN_PARENT(setperm)
{
	struct svm_window w = { 0 };
	int dev = svm_dev_open();

	if (getpid() == self->owner) {
		if (self->fd >= 0)
			close(self->fd);
		close(self->dev);
	}
	ASSERT_LE(0, dev);
	svm_remove_name(dev, self->name);	/* ENOENT if gone */
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(dev, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions &&
			       w.free == self->start.free, 5000));
	close(dev);
}

/* ---- helpers ------------------------------------------------------------ */

/* SVM_IOC_SETPERM with every field given: 0 or -errno. */
static int setperm_raw(int fd, unsigned int flags, unsigned int uid,
		       unsigned int gid, unsigned int mode)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = flags, .uid = uid, .gid = gid,
		.mode = mode,
	};

	return ioctl(fd, SVM_IOC_SETPERM, &a) < 0 ? -errno : 0;
}

static int chmod_fd(int fd, unsigned int mode)
{
	return setperm_raw(fd, SVM_SETPERM_MODE, 0, 0, mode);
}

static int chown_fd(int fd, unsigned int uid, unsigned int gid)
{
	return setperm_raw(fd, SVM_SETPERM_UID | SVM_SETPERM_GID, uid, gid, 0);
}

/* Drop cap from the effective and permitted sets. */
static int drop_capability(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	d[CAP_TO_INDEX(cap)].permitted &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

typedef int (*child_fn)(FIXTURE_DATA(setperm) *self);

/* Run fn as uid/gid (less drop_cap) in a child: its exit code. */
static int run_as(FIXTURE_DATA(setperm) *self, uid_t uid, gid_t gid,
		  int drop_cap, child_fn fn)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid) ||
		    (drop_cap != NO_CAP_DROP && drop_capability(drop_cap)))
			_exit(CHILD_BROKE);
		_exit(fn(self));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Create the test's region persistent, with mode, as the caller: fd or -errno. */
static int create_persist(FIXTURE_DATA(setperm) *self, unsigned int mode)
{
	return svm_open_region(self->dev, self->name, LEN,
			       SVM_OPEN_CREATE | SVM_OPEN_EXCL |
			       SVM_OPEN_PERSIST | SVM_OPEN_CLOEXEC, mode, NULL);
}

/* Open the test's region by name: fd or -errno. */
static int reopen(FIXTURE_DATA(setperm) *self, unsigned int flags)
{
	return svm_open_region(self->dev, self->name, 0,
			       flags | SVM_OPEN_CLOEXEC, 0, NULL);
}

/* 0 if an open of the test's region with flags works (closed at once). */
static int try_open(FIXTURE_DATA(setperm) *self, unsigned int flags)
{
	int fd = reopen(self, flags);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The test creates its region as root, mode: the fd, kept in self. */
static int create_root(FIXTURE_DATA(setperm) *self, unsigned int mode)
{
	self->fd = create_persist(self, mode);
	return self->fd;
}

/* A child as UID_A creates the region (persistent) with mode 0600. */
static int create_0600(FIXTURE_DATA(setperm) *self)
{
	int fd = create_persist(self, 0600);

	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static int mode_of(int fd)
{
	struct svm_info info;

	return svm_get_info(fd, &info) ? -1 : (int)info.mode;
}

/* ---- who may ------------------------------------------------------------ */

static int owner_chmods(FIXTURE_DATA(setperm) *self)
{
	int fd = create_persist(self, 0600), ret = 0;

	if (fd < 0)
		return 1;
	if (chmod_fd(fd, 0640))
		ret = 2;
	else if (mode_of(fd) != 0640)
		ret = 3;
	close(fd);
	return ret;
}

TEST_F(setperm, owner_can_chmod)
{
	EXPECT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, owner_chmods));
}

/* UID_A creates, gives the region to UID_B, and may still change it. */
static int creator_after_chown_away(FIXTURE_DATA(setperm) *self)
{
	int fd = create_persist(self, 0600), ret = 0;
	struct svm_info *in = &self->seen->info;

	if (fd < 0)
		return 1;
	if (chown_fd(fd, UID_B, GID_B))
		ret = 2;
	else if (svm_get_info(fd, in) || in->uid != UID_B || in->cuid != UID_A)
		ret = 3;
	else if (chmod_fd(fd, 0604))
		ret = 4;
	else if (chown_fd(fd, UID_A, GID_A))
		ret = 5;
	else if (svm_get_info(fd, in))
		ret = 6;
	close(fd);
	return ret;
}

TEST_F(setperm, creator_can_still_change_it_after_a_chown_away)
{
	struct svm_info *in = &self->seen->info;

	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP,
			    creator_after_chown_away));
	EXPECT_EQ(UID_A, in->uid);
	EXPECT_EQ(GID_A, in->gid);
	EXPECT_EQ(UID_A, in->cuid);
	EXPECT_EQ(0604, in->mode);
}

/* UID_A opens root's 0666 region (the mode lets it) and tries. */
static int other_user_tries(FIXTURE_DATA(setperm) *self)
{
	int fd = reopen(self, 0), ret = 0;

	if (fd < 0)
		return 1;
	self->seen->err = chmod_fd(fd, 0777);
	if (chown_fd(fd, UID_A, GID_A) != -EPERM)
		ret = 2;
	else if (setperm_raw(fd, SVM_SETPERM_GID, 0, GID_A, 0) != -EPERM)
		ret = 3;
	close(fd);
	return ret;
}

TEST_F(setperm, other_user_gets_eperm_and_changes_nothing)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0666));
	EXPECT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP,
			    other_user_tries));
	EXPECT_EQ(-EPERM, self->seen->err);
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(0666, info.mode);
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
}

TEST_F(setperm, cap_sys_admin_changes_another_users_region)
{
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, create_0600));
	self->fd = reopen(self, 0);	/* CAP_IPC_OWNER opens it */
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, chmod_fd(self->fd, 0644));
	EXPECT_EQ(0, chown_fd(self->fd, UID_B, GID_B));
	EXPECT_EQ(0644, mode_of(self->fd));
}

static int root_without_sys_admin(FIXTURE_DATA(setperm) *self)
{
	int fd = reopen(self, 0);

	if (fd < 0)
		return 1;
	self->seen->err = chmod_fd(fd, 0644);
	close(fd);
	return 0;
}

TEST_F(setperm, uid_0_without_cap_sys_admin_gets_eperm)
{
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, create_0600));
	ASSERT_EQ(0, run_as(self, 0, 0, CAP_SYS_ADMIN,
			    root_without_sys_admin));
	EXPECT_EQ(-EPERM, self->seen->err);
}

/* ---- what the next open and the open fds see ---------------------------- */

/*
 * The owner takes every bit away from itself: its next open is refused,
 * while the fd it has keeps read and write, for a new mapping too.
 */
static int chmod_0_keeps_the_open_fd(FIXTURE_DATA(setperm) *self)
{
	int fd = create_persist(self, 0600), ret = 0;
	char *p;

	if (fd < 0)
		return 1;
	if (chmod_fd(fd, 0)) {
		ret = 2;
	} else if (try_open(self, SVM_OPEN_RDONLY) != -EACCES) {
		ret = 3;
	} else {
		p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED) {
			ret = 4;
		} else {
			p[0] = 'x';
			ret = p[0] == 'x' ? 0 : 5;
			munmap(p, LEN);
		}
	}
	close(fd);
	return ret;
}

TEST_F(setperm, next_open_checks_the_new_mode_and_open_fds_keep_access)
{
	EXPECT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP,
			    chmod_0_keeps_the_open_fd));
}

static int open_rw(FIXTURE_DATA(setperm) *self)
{
	self->seen->err = try_open(self, 0);
	return 0;
}

TEST_F(setperm, chown_gives_the_new_owner_the_owner_bits)
{
	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, open_rw));
	EXPECT_EQ(-EACCES, self->seen->err);
	ASSERT_EQ(0, chown_fd(self->fd, UID_A, GID_B));
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, open_rw));
	EXPECT_EQ(0, self->seen->err);
}

TEST_F(setperm, chgrp_gives_the_group_the_group_bits)
{
	ASSERT_LE(0, create_root(self, 0660));
	ASSERT_EQ(0, run_as(self, UID_B, GID_A, NO_CAP_DROP, open_rw));
	EXPECT_EQ(-EACCES, self->seen->err);
	ASSERT_EQ(0, setperm_raw(self->fd, SVM_SETPERM_GID, 0, GID_A, 0));
	ASSERT_EQ(0, run_as(self, UID_B, GID_A, NO_CAP_DROP, open_rw));
	EXPECT_EQ(0, self->seen->err);
}

/* ---- what INFO and LIST report ------------------------------------------ */

TEST_F(setperm, chown_changes_info_uid_and_gid_only)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0640));
	ASSERT_EQ(0, chown_fd(self->fd, UID_A, GID_B));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(UID_A, info.uid);
	EXPECT_EQ(GID_B, info.gid);
	EXPECT_EQ(0, info.cuid);
	EXPECT_EQ(0640, info.mode);
}

TEST_F(setperm, uid_alone_leaves_gid_and_mode)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0640));
	ASSERT_EQ(0, setperm_raw(self->fd, SVM_SETPERM_UID, UID_A, 0, 0));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(UID_A, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0640, info.mode);
}

TEST_F(setperm, all_three_at_once)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, setperm_raw(self->fd, SVM_SETPERM_FLAGS, UID_B, GID_A,
				 0604));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(UID_B, info.uid);
	EXPECT_EQ(GID_A, info.gid);
	EXPECT_EQ(0604, info.mode);
}

TEST_F(setperm, list_reports_the_change)
{
	struct svm_info buf[256];
	struct svm_list l = {
		.size = sizeof(l), .entries = (uintptr_t)buf,
		.entry_size = sizeof(buf[0]), .count = 256,
	};
	bool found = false;
	unsigned int i;

	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, setperm_raw(self->fd, SVM_SETPERM_FLAGS, UID_A, GID_B,
				 0640));
	ASSERT_EQ(0, ioctl(self->dev, SVM_IOC_LIST, &l));
	for (i = 0; i < l.count; i++) {
		if (strcmp(buf[i].name, self->name))
			continue;
		found = true;
		EXPECT_EQ(UID_A, buf[i].uid);
		EXPECT_EQ(GID_B, buf[i].gid);
		EXPECT_EQ(0640, buf[i].mode);
	}
	EXPECT_TRUE(found);
}

TEST_F(setperm, removed_region_can_still_be_changed)
{
	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	EXPECT_EQ(0, chmod_fd(self->fd, 0644));
	EXPECT_EQ(0644, mode_of(self->fd));
}

/* ---- validation --------------------------------------------------------- */

TEST_F(setperm, mode_above_0777_is_einval)
{
	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(-EINVAL, chmod_fd(self->fd, 01000));
	EXPECT_EQ(-EINVAL, chmod_fd(self->fd, 04755));
	EXPECT_EQ(0600, mode_of(self->fd));
}

TEST_F(setperm, no_flag_is_einval)
{
	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, 0, 0, 0, 0));
}

TEST_F(setperm, unknown_flag_is_einval_and_changes_nothing)
{
	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_MODE | 0x8, 0, 0,
				       0644));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_MODE | (1U << 31),
				       0, 0, 0644));
	EXPECT_EQ(0600, mode_of(self->fd));
}

TEST_F(setperm, field_not_selected_must_be_zero)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_MODE, UID_A, 0,
				       0644));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_MODE, 0, GID_A,
				       0644));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_UID, UID_A, 0,
				       0644));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(0, info.uid);
}

TEST_F(setperm, reserved_field_is_einval)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = SVM_SETPERM_MODE, .mode = 0644,
		.__reserved0 = 1,
	};

	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(EINVAL, ERRNO_OF(ioctl(self->fd, SVM_IOC_SETPERM, &a)));
	EXPECT_EQ(0600, mode_of(self->fd));
}

TEST_F(setperm, size_below_ver0_is_einval)
{
	struct svm_setperm a = {
		.size = SVM_SETPERM_SIZE_VER0 - 4, .flags = SVM_SETPERM_MODE,
		.mode = 0644,
	};

	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(EINVAL, ERRNO_OF(ioctl(self->fd, SVM_IOC_SETPERM, &a)));
	EXPECT_EQ(0600, mode_of(self->fd));
}

TEST_F(setperm, longer_struct_is_e2big_unless_zero_past_the_end)
{
	struct {
		struct svm_setperm a;
		uint64_t more;
	} big = {
		.a = { .size = sizeof(big), .flags = SVM_SETPERM_MODE,
		       .mode = 0644 },
		.more = 1,
	};

	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(E2BIG, ERRNO_OF(ioctl(self->fd, SVM_IOC_SETPERM, &big)));
	EXPECT_EQ(0600, mode_of(self->fd));
	big.more = 0;
	EXPECT_EQ(0, ERRNO_OF(ioctl(self->fd, SVM_IOC_SETPERM, &big)));
	EXPECT_EQ(0644, mode_of(self->fd));
}

TEST_F(setperm, setperm_on_dev_svm_is_enotty)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = SVM_SETPERM_MODE, .mode = 0644,
	};

	EXPECT_EQ(ENOTTY, ERRNO_OF(ioctl(self->dev, SVM_IOC_SETPERM, &a)));
}

TEST_F(setperm, unmapped_uid_or_gid_is_einval_and_changes_nothing)
{
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0600));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_UID, UINT32_MAX,
				       0, 0));
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_GID, 0,
				       UINT32_MAX, 0));
	/* A valid uid with an invalid gid changes neither. */
	EXPECT_EQ(-EINVAL, setperm_raw(self->fd, SVM_SETPERM_FLAGS, UID_A,
				       UINT32_MAX, 0644));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0600, info.mode);
}

/*
 * As UID_A, in a user namespace of its own that maps its uid 0 to UID_A
 * (an unprivileged user may map itself): uid 0 there is UID_A outside,
 * uid 5 there has no mapping.
 */
static int chown_in_userns(FIXTURE_DATA(setperm) *self)
{
	int fd = create_persist(self, 0600), ret = 0;
	char map[32];

	if (fd < 0)
		return 1;
	snprintf(map, sizeof(map), "0 %d 1\n", UID_A);
	/* The drop from root made /proc/self root's: make it ours again. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || unshare(CLONE_NEWUSER) ||
	    svm_write_file("/proc/self/setgroups", "deny\n") ||
	    svm_write_file("/proc/self/uid_map", map) ||
	    svm_write_file("/proc/self/gid_map", map))
		ret = 2;
	else if (setperm_raw(fd, SVM_SETPERM_UID, 5, 0, 0) != -EINVAL)
		ret = 3;
	else if (setperm_raw(fd, SVM_SETPERM_UID | SVM_SETPERM_GID, 0, 0, 0))
		ret = 4;
	else if (svm_get_info(fd, &self->seen->info))
		ret = 5;
	close(fd);
	return ret;
}

TEST_F(setperm, ids_are_the_callers_user_namespaces)
{
	struct svm_info info;

	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, chown_in_userns));
	EXPECT_EQ(0, self->seen->info.uid);	/* as seen inside */
	EXPECT_EQ(0, self->seen->info.gid);
	self->fd = reopen(self, SVM_OPEN_RDONLY);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(UID_A, info.uid);		/* as seen outside */
	EXPECT_EQ(GID_A, info.gid);
}

/* ---- the charges -------------------------------------------------------- */

/* What the caller's euid holds: into seen->w[0]. */
static int read_usage(FIXTURE_DATA(setperm) *self)
{
	return svm_get_window(self->dev, &self->seen->w[0]) ? 1 : 0;
}

/*
 * UID_A's usage before (w[0]) and after (w[1]) creating the region, and
 * after giving it to UID_B (w[2]).
 */
static int create_and_give_away(FIXTURE_DATA(setperm) *self)
{
	struct seen *s = self->seen;
	int fd, ret = 0;

	if (svm_get_window(self->dev, &s->w[0]))
		return 1;
	fd = create_persist(self, 0600);
	if (fd < 0)
		return 2;
	if (svm_get_window(self->dev, &s->w[1]))
		ret = 3;
	else if (chown_fd(fd, UID_B, GID_B))
		ret = 4;
	else if (svm_get_window(self->dev, &s->w[2]))
		ret = 5;
	close(fd);
	return ret;
}

TEST_F(setperm, the_creator_stays_charged_after_chown)
{
	struct svm_window before_b, a[3];

	ASSERT_EQ(0, run_as(self, UID_B, GID_B, NO_CAP_DROP, read_usage));
	before_b = self->seen->w[0];
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP,
			    create_and_give_away));
	memcpy(a, self->seen->w, sizeof(a));
	EXPECT_EQ(a[0].user_regions + 1, a[1].user_regions);
	EXPECT_EQ(a[0].user_bytes + LEN, a[1].user_bytes);
	EXPECT_EQ(a[1].user_regions, a[2].user_regions);
	EXPECT_EQ(a[1].user_bytes, a[2].user_bytes);

	/* The new owner is charged nothing. */
	ASSERT_EQ(0, run_as(self, UID_B, GID_B, NO_CAP_DROP, read_usage));
	EXPECT_EQ(before_b.user_regions, self->seen->w[0].user_regions);
	EXPECT_EQ(before_b.user_bytes, self->seen->w[0].user_bytes);

	/* The region's end refunds its creator. */
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	ASSERT_EQ(0, run_as(self, UID_A, GID_A, NO_CAP_DROP, read_usage));
	EXPECT_EQ(a[0].user_regions, self->seen->w[0].user_regions);
	EXPECT_EQ(a[0].user_bytes, self->seen->w[0].user_bytes);
}

/* The new owner may create up to its limit whatever it was given. */
static int create_own(FIXTURE_DATA(setperm) *self)
{
	char name[SVM_NAME_MAX];
	int fd;

	snprintf(name, sizeof(name), "setperm-%d-b", getppid());
	fd = svm_open_region(self->dev, name, LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL | SVM_OPEN_CLOEXEC,
			     0600, NULL);
	self->seen->err = fd < 0 ? fd : 0;
	if (fd >= 0)
		close(fd);
	return 0;
}

TEST_F(setperm, a_given_region_does_not_count_against_the_new_owner)
{
	unsigned long long max = svm_get_param("user_max_regions");
	struct svm_window w;

	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, chown_fd(self->fd, UID_B, GID_B));
	ASSERT_EQ(0, run_as(self, UID_B, GID_B, NO_CAP_DROP, read_usage));
	w = self->seen->w[0];
	ASSERT_EQ(0, svm_set_param("user_max_regions", w.user_regions + 1));
	EXPECT_EQ(0, run_as(self, UID_B, GID_B, NO_CAP_DROP, create_own));
	EXPECT_EQ(0, svm_set_param("user_max_regions", max));
	EXPECT_EQ(0, self->seen->err);
}

TEST_F(setperm, an_svid_lock_stays_charged_to_its_locker)
{
	struct svm_window w0, w1;
	struct svm_info info;

	ASSERT_LE(0, create_root(self, 0600));
	ASSERT_EQ(0, svm_get_window(self->dev, &w0));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, chown_fd(self->fd, UID_A, GID_A));
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_EQ(LEN, info.charged);
	EXPECT_EQ(0, info.charged_uid);
	ASSERT_EQ(0, svm_get_window(self->dev, &w1));
	EXPECT_EQ(w0.user_locked + LEN, w1.user_locked);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	ASSERT_EQ(0, svm_get_window(self->dev, &w1));
	EXPECT_EQ(w0.user_locked, w1.user_locked);
}

TEST_HARNESS_MAIN
