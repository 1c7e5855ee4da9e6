// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions and limits: mode bits against uid/gid, CAP_IPC_OWNER and
 * CAP_SYS_ADMIN, who may remove a name, what SVM_IOC_INFO reports, the
 * per-user and system-wide limits, and exhaustion of the window.
 *
 * Every operation as another uid runs in a forked child that drops to that
 * uid/gid (no supplementary groups; a non-zero uid has no capabilities
 * left) and hands its result, and the region fd when it got one, back to
 * the test over a unix socket (SCM_RIGHTS).  The test keeps such fds so a
 * region created "as uid 1000" lives on, charged to uid 1000, after the
 * child is gone.
 */
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define KIB		1024ULL
#define GRANULE		4096ULL

#define UID_A		1000	/* an ordinary user ... */
#define GID_A		1000	/* ... and its group */
#define UID_B		2000	/* another user */
#define GID_B		2000

#define NO_CAP_DROP	(-1)

/* Result of an operation whose child could not run it or report back. */
#define CHILD_BROKE	INT_MIN

/* Most region fds one test keeps. */
#define MAX_KEPT	32

static const char * const limit_params[] = {
	"max_regions", "max_region_size", "user_max_regions", "user_max_bytes",
};

#define NR_LIMIT_PARAMS	ARRAY_SIZE(limit_params)

/* ---- running one operation as another uid ----------------------------- */

struct creds {
	uid_t	uid;
	gid_t	gid;
	int	drop_cap;	/* one more to drop, or NO_CAP_DROP */
};

enum op_kind { OP_OPEN, OP_REMOVE };

struct op {
	enum op_kind	kind;
	const char	*name;
	uint64_t	len;
	unsigned int	flags;
	unsigned int	mode;
};

/* What the child sends back; a region fd travels alongside (SCM_RIGHTS). */
struct op_result {
	int		ret;	/* >= 0: an fd was sent; else -errno */
	struct svm_open	out;
};

/* Drop cap from the effective and permitted sets of the calling thread. */
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
	if (syscall(SYS_capset, &h, d))
		return -1;
	/* Check that it is really gone. */
	if (syscall(SYS_capget, &h, d))
		return -1;
	return (d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap)) ? -1 : 0;
}

static int become(const struct creds *c)
{
	if (setgroups(0, NULL) || setresgid(c->gid, c->gid, c->gid) ||
	    setresuid(c->uid, c->uid, c->uid))
		return -1;
	if (geteuid() != c->uid || getegid() != c->gid)
		return -1;
	return c->drop_cap == NO_CAP_DROP ? 0 : drop_capability(c->drop_cap);
}

static int do_op(int dev, const struct op *op, struct svm_open *out)
{
	switch (op->kind) {
	case OP_OPEN:
		return svm_open_region(dev, op->name, op->len, op->flags,
				       op->mode, out);
	case OP_REMOVE:
		return svm_remove_name(dev, op->name);
	}
	return -EINVAL;
}

/*
 * Run op with creds c in a child and reap it.  Returns what the operation
 * returned, an open returning a region fd that now belongs to the caller,
 * or CHILD_BROKE when the child could not take the credentials or report.
 */
static int run_as(int dev, const struct creds *c, const struct op *op,
		  struct svm_open *out)
{
	struct op_result r = { .ret = CHILD_BROKE };
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return CHILD_BROKE;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return CHILD_BROKE;
	}
	if (pid == 0) {
		close(sv[0]);
		if (become(c) == 0)
			r.ret = do_op(dev, op, &r.out);
		(void)svm_send_fd(sv[1], &r, sizeof(r),
				  op->kind == OP_OPEN ? r.ret : -1);
		_exit(0);
	}
	close(sv[1]);
	if (svm_recv_fd(sv[0], &r, sizeof(r), &fd))
		r.ret = CHILD_BROKE;
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		r.ret = CHILD_BROKE;
	if (r.ret >= 0 && op->kind == OP_OPEN) {
		r.ret = fd >= 0 ? fd : CHILD_BROKE;
	} else if (fd >= 0) {
		close(fd);
		if (r.ret >= 0)
			r.ret = CHILD_BROKE;
	}
	if (out)
		*out = r.out;
	return r.ret;
}

static int open_as(int dev, uid_t uid, gid_t gid, const char *name,
		   uint64_t len, unsigned int flags, unsigned int mode)
{
	struct creds c = { .uid = uid, .gid = gid, .drop_cap = NO_CAP_DROP };
	struct op op = { .kind = OP_OPEN, .name = name, .len = len,
			 .flags = flags | SVM_OPEN_CLOEXEC, .mode = mode };

	return run_as(dev, &c, &op, NULL);
}

/* 0 for an fd (which is closed), else the -errno passed through. */
static int opened(int fd)
{
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * Open an existing region as uid/gid, read-only or read-write: 0 when it
 * works (the fd is closed at once), else -errno.
 */
static int reopen_as(int dev, uid_t uid, gid_t gid, const char *name,
		     unsigned int flags)
{
	return opened(open_as(dev, uid, gid, name, 0, flags, 0));
}

static int remove_as(int dev, uid_t uid, gid_t gid, const char *name)
{
	struct creds c = { .uid = uid, .gid = gid, .drop_cap = NO_CAP_DROP };
	struct op op = { .kind = OP_REMOVE, .name = name };

	return run_as(dev, &c, &op, NULL);
}

/* As root (uid 0, gid 0) without one capability; as reopen_as(). */
static int reopen_as_root_without(int dev, int cap, const char *name,
				  unsigned int flags)
{
	struct creds c = { .uid = 0, .gid = 0, .drop_cap = cap };
	struct op op = { .kind = OP_OPEN, .name = name,
			 .flags = flags | SVM_OPEN_CLOEXEC };

	return opened(run_as(dev, &c, &op, NULL));
}

static int remove_as_root_without(int dev, int cap, const char *name)
{
	struct creds c = { .uid = 0, .gid = 0, .drop_cap = cap };
	struct op op = { .kind = OP_REMOVE, .name = name };

	return run_as(dev, &c, &op, NULL);
}

/* ---- SVM_IOC_INFO from inside a new user namespace --------------------- */

static unsigned int read_uint_file(const char *path)
{
	unsigned int v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * SVM_IOC_INFO on fd from a child in a new user namespace.  When map_ids
 * is set, the namespace maps its uid 0 and gid 0 to uid/gid outside (the
 * test writes the maps); else it maps nothing.  Returns 0 or -1.
 */
static int info_in_userns(int fd, int map_ids, uid_t uid, gid_t gid,
			  struct svm_info *info)
{
	int ready[2], go[2], res[2], ok = -1, status;
	char path[64], map[64], c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC))
		return -1;
	if (pipe2(go, O_CLOEXEC)) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	if (pipe2(res, O_CLOEXEC)) {
		close(ready[0]);
		close(ready[1]);
		close(go[0]);
		close(go[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		struct svm_info in;

		close(ready[0]);
		close(go[1]);
		close(res[0]);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		if (write(ready[1], "u", 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) != 1)	/* maps written */
			_exit(1);
		if (svm_get_info(fd, &in))
			_exit(1);
		_exit(write(res[1], &in, sizeof(in)) == sizeof(in) ? 0 : 1);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		ok = 0;
		if (map_ids) {
			snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
			snprintf(map, sizeof(map), "0 %u 1\n", uid);
			ok |= svm_write_file(path, map);
			snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
			snprintf(map, sizeof(map), "0 %u 1\n", gid);
			ok |= svm_write_file(path, map);
		}
		if (ok == 0 && write(go[1], "g", 1) != 1)
			ok = -1;
		if (ok == 0 && read(res[0], info, sizeof(*info)) !=
		    sizeof(*info))
			ok = -1;
	}
	close(ready[0]);
	close(go[1]);
	close(res[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid ||
			!WIFEXITED(status) || WEXITSTATUS(status)))
		ok = -1;
	return pid > 0 ? ok : -1;
}

/* ---- the fixture ------------------------------------------------------- */

/*
 * Every test keeps the region fds it gets in kept[] and leaves the module
 * parameters as it found them; the teardown then
 * checks that the window is back to its starting state, free bytes and
 * nr_regions exactly as before.
 */
FIXTURE(perm) {
	pid_t owner;		/* the process running the test */
	int dev;
	struct svm_window start;
	unsigned long long params[NR_LIMIT_PARAMS];
	int kept[MAX_KEPT];
	int nr_kept;
	char name[SVM_NAME_MAX];
};

FIXTURE_SETUP(perm)
{
	unsigned int i;

	self->owner = getpid();
	self->nr_kept = 0;
	for (i = 0; i < NR_LIMIT_PARAMS; i++) {
		self->params[i] = svm_get_param(limit_params[i]);
		ASSERT_NE(0, self->params[i]);
	}
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->start));
}

/*
 * A FIXTURE_TEARDOWN_PARENT, run by the harness's process that waits for
 * the test's: with the kselftest_harness.h of Debian's 6.12 source built
 * at -O2, a plain FIXTURE_TEARDOWN is skipped after a failed ASSERT (the
 * longjmp back into the harness clobbers its non-volatile 'child'), and the
 * parameters must be restored whatever happened.  The parent's copy of
 * self is shared with the test's.  When the test process runs it (which
 * the same clobbering can cause), it closes its fds first; otherwise they
 * went with the test process.
 */
FIXTURE_TEARDOWN_PARENT(perm)
{
	struct svm_window w = { 0 };
	unsigned int i;
	int dev;

	if (getpid() == self->owner) {
		while (self->nr_kept > 0)
			close(self->kept[--self->nr_kept]);
		close(self->dev);
	}
	for (i = 0; i < NR_LIMIT_PARAMS; i++)
		EXPECT_EQ(0, svm_set_param(limit_params[i], self->params[i]));
	dev = svm_dev_open();
	ASSERT_LE(0, dev);
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(dev, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions &&
			       w.free == self->start.free, 5000));
	EXPECT_EQ(self->start.nr_regions, w.nr_regions);
	EXPECT_EQ(self->start.free, w.free);
	close(dev);
}

/* A name unique to this test (its process) and tag. */
static const char *nm(FIXTURE_DATA(perm) *self, const char *tag)
{
	snprintf(self->name, sizeof(self->name), "perm-%d-%s", getpid(), tag);
	return self->name;
}

/* Keep fd (when it is one) until the teardown; returns fd. */
static int keep(FIXTURE_DATA(perm) *self, int fd)
{
	if (fd >= 0 && self->nr_kept < MAX_KEPT)
		self->kept[self->nr_kept++] = fd;
	return fd;
}

/* Close a kept fd now. */
static void drop(FIXTURE_DATA(perm) *self, int fd)
{
	int i;

	for (i = 0; i < self->nr_kept; i++)
		if (self->kept[i] == fd) {
			self->kept[i] = self->kept[--self->nr_kept];
			break;
		}
	close(fd);
}

/*
 * Exclusive create as the test itself (root), or as uid/gid in a child:
 * the region fd, kept (so that it is closed even when a create that should
 * fail works), or -errno.
 */
static int create_root(FIXTURE_DATA(perm) *self, const char *name,
		       uint64_t len, unsigned int mode)
{
	return keep(self, svm_open_region(self->dev, name, len,
					  SVM_OPEN_CREATE | SVM_OPEN_EXCL |
					  SVM_OPEN_CLOEXEC, mode, NULL));
}

static int create_as(FIXTURE_DATA(perm) *self, uid_t uid, gid_t gid,
		     const char *name, uint64_t len, unsigned int mode)
{
	return keep(self, open_as(self->dev, uid, gid, name, len,
				  SVM_OPEN_CREATE | SVM_OPEN_EXCL, mode));
}

/* Open by name as the test itself; 0 when it works (the fd is closed). */
static int reopen_root(FIXTURE_DATA(perm) *self, const char *name,
		       unsigned int flags)
{
	return opened(svm_open_region(self->dev, name, 0,
				      flags | SVM_OPEN_CLOEXEC, 0, NULL));
}

static int window_of(FIXTURE_DATA(perm) *self, struct svm_window *w)
{
	return svm_get_window(self->dev, w);
}

/* ---- mode bits --------------------------------------------------------- */

TEST_F(perm, mode_0600_denies_read_to_other_uid)
{
	ASSERT_LE(0, create_root(self, nm(self, "r"), GRANULE, 0600));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_A, GID_A, self->name,
				     SVM_OPEN_RDONLY));
}

TEST_F(perm, mode_0600_denies_write_to_other_uid)
{
	ASSERT_LE(0, create_root(self, nm(self, "w"), GRANULE, 0600));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_A, GID_A, self->name, 0));
}

TEST_F(perm, mode_0644_lets_other_uid_read_but_not_write)
{
	ASSERT_LE(0, create_root(self, nm(self, "ro"), GRANULE, 0644));
	EXPECT_EQ(0, reopen_as(self->dev, UID_A, GID_A, self->name,
			       SVM_OPEN_RDONLY));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_A, GID_A, self->name, 0));
}

TEST_F(perm, mode_0660_lets_group_member_read_write)
{
	/* Created by root with egid GID_A: the region's group is GID_A. */
	ASSERT_LE(0, create_as(self, 0, GID_A, nm(self, "g"), GRANULE, 0660));
	EXPECT_EQ(0, reopen_as(self->dev, UID_B, GID_A, self->name, 0));
}

TEST_F(perm, mode_0660_denies_non_member)
{
	ASSERT_LE(0, create_as(self, 0, GID_A, nm(self, "g"), GRANULE, 0660));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_B, GID_B, self->name,
				     SVM_OPEN_RDONLY));
}

TEST_F(perm, mode_0606_lets_other_uid_read_write)
{
	ASSERT_LE(0, create_root(self, nm(self, "o"), GRANULE, 0606));
	EXPECT_EQ(0, reopen_as(self->dev, UID_A, GID_A, self->name, 0));
}

/* As ipcperms() and file modes: a group match uses the group bits only. */
TEST_F(perm, mode_0606_group_member_gets_group_bits_not_other_bits)
{
	ASSERT_LE(0, create_as(self, 0, GID_A, nm(self, "g"), GRANULE, 0606));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_B, GID_A, self->name,
				     SVM_OPEN_RDONLY));
}

TEST_F(perm, owner_opens_per_owner_bits)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "own"), GRANULE,
			       0600));
	EXPECT_EQ(0, reopen_as(self->dev, UID_A, GID_A, self->name, 0));
}

/* The owner gets the owner bits, even when group and other get more. */
TEST_F(perm, owner_bits_bind_the_owner_even_when_others_get_more)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "own"), GRANULE,
			       0466));
	EXPECT_EQ(0, reopen_as(self->dev, UID_A, GID_A, self->name,
			       SVM_OPEN_RDONLY));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_A, GID_A, self->name, 0));
}

TEST_F(perm, users_0600_region_denies_other_uid)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "own"), GRANULE,
			       0600));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_B, GID_B, self->name,
				     SVM_OPEN_RDONLY));
	EXPECT_EQ(-EACCES, reopen_as(self->dev, UID_B, GID_B, self->name, 0));
}

TEST_F(perm, root_opens_users_0600_region_with_cap_ipc_owner)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "own"), GRANULE,
			       0600));
	EXPECT_EQ(0, reopen_root(self, self->name, 0));
}

TEST_F(perm, root_opens_mode_0000_region_with_cap_ipc_owner)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "none"), GRANULE,
			       0));
	EXPECT_EQ(0, reopen_root(self, self->name, 0));
}

TEST_F(perm, uid_0_without_cap_ipc_owner_is_held_to_the_mode)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "own"), GRANULE,
			       0600));
	EXPECT_EQ(-EACCES, reopen_as_root_without(self->dev, CAP_IPC_OWNER,
						  self->name, SVM_OPEN_RDONLY));
}

/* ---- remove ------------------------------------------------------------ */

TEST_F(perm, remove_by_other_uid_is_eperm_and_keeps_the_name)
{
	/* Write permission on the region does not grant removing it. */
	ASSERT_LE(0, create_root(self, nm(self, "rm"), GRANULE, 0666));
	EXPECT_EQ(-EPERM, remove_as(self->dev, UID_B, GID_B, self->name));
	EXPECT_EQ(0, reopen_root(self, self->name, 0));
}

TEST_F(perm, remove_of_users_region_by_other_uid_is_eperm)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "rm"), GRANULE,
			       0666));
	EXPECT_EQ(-EPERM, remove_as(self->dev, UID_B, GID_A, self->name));
	EXPECT_EQ(0, reopen_root(self, self->name, SVM_OPEN_RDONLY));
}

TEST_F(perm, remove_by_owner_unlinks_the_name)
{
	struct svm_info info;
	int fd;

	fd = create_as(self, UID_A, GID_A, nm(self, "rm"), GRANULE, 0600);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, remove_as(self->dev, UID_A, GID_A, self->name));
	EXPECT_EQ(-ENOENT, reopen_root(self, self->name, 0));
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_EQ(SVM_REGION_REMOVED, info.flags);
}

TEST_F(perm, remove_by_root_of_other_uids_region_works)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "rm"), GRANULE,
			       0600));
	EXPECT_EQ(0, svm_remove_name(self->dev, self->name));
	EXPECT_EQ(-ENOENT, reopen_root(self, self->name, 0));
}

TEST_F(perm, remove_by_uid_0_without_cap_sys_admin_is_eperm)
{
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "rm"), GRANULE,
			       0666));
	EXPECT_EQ(-EPERM, remove_as_root_without(self->dev, CAP_SYS_ADMIN,
						 self->name));
	EXPECT_EQ(0, reopen_root(self, self->name, 0));
}

/* ---- info -------------------------------------------------------------- */

TEST_F(perm, info_reports_creator_uid_and_gid)
{
	struct svm_info info;
	int fd;

	fd = create_as(self, UID_A, GID_A, nm(self, "info"), GRANULE, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_EQ(UID_A, info.uid);
	EXPECT_EQ(GID_A, info.gid);
	EXPECT_EQ(UID_A, info.cuid);
	EXPECT_EQ(0640, info.mode);
}

TEST_F(perm, info_maps_ids_into_the_callers_user_namespace)
{
	struct svm_info info;
	int fd;

	fd = create_as(self, UID_A, GID_A, nm(self, "ns"), GRANULE, 0600);
	ASSERT_LE(0, fd);
	/* Inside: uid 0 is UID_A outside, gid 0 is GID_A. */
	ASSERT_EQ(0, info_in_userns(fd, 1, UID_A, GID_A, &info));
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0, info.cuid);
}

TEST_F(perm, info_shows_unmapped_ids_as_overflow_ids)
{
	unsigned int ouid = read_uint_file("/proc/sys/kernel/overflowuid");
	unsigned int ogid = read_uint_file("/proc/sys/kernel/overflowgid");
	struct svm_info info;
	int fd;

	ASSERT_NE(0, ouid);
	ASSERT_NE(0, ogid);
	fd = create_as(self, UID_A, GID_A, nm(self, "ns"), GRANULE, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, info_in_userns(fd, 0, 0, 0, &info));
	EXPECT_EQ(ouid, info.uid);
	EXPECT_EQ(ogid, info.gid);
	EXPECT_EQ(ouid, info.cuid);
}

/* ---- per-user region count --------------------------------------------- */

/* UID_A creates n regions (kept) named tag0..; returns how many worked. */
static int fill_user_regions(FIXTURE_DATA(perm) *self, const char *tag,
			     int n)
{
	char name[SVM_NAME_MAX];
	int i, ok = 0;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "perm-%d-%s%d", getpid(), tag, i);
		if (create_as(self, UID_A, GID_A, name, GRANULE, 0600) >= 0)
			ok++;
	}
	return ok;
}

TEST_F(perm, user_region_limit_is_eusers)
{
	ASSERT_EQ(0, svm_set_param("user_max_regions", 3));
	ASSERT_EQ(3, fill_user_regions(self, "n", 3));
	EXPECT_EQ(-EUSERS, create_as(self, UID_A, GID_A, nm(self, "n3"),
				     GRANULE, 0600));
}

TEST_F(perm, user_region_limit_does_not_bind_other_uids)
{
	ASSERT_EQ(0, svm_set_param("user_max_regions", 3));
	ASSERT_EQ(3, fill_user_regions(self, "n", 3));
	EXPECT_LE(0, create_root(self, nm(self, "root"), GRANULE, 0600));
	EXPECT_LE(0, create_as(self, UID_B, GID_B, nm(self, "b"), GRANULE,
			       0600));
}

TEST_F(perm, closing_a_region_refunds_the_user_region_count)
{
	ASSERT_EQ(0, svm_set_param("user_max_regions", 3));
	ASSERT_EQ(3, fill_user_regions(self, "n", 3));
	ASSERT_EQ(-EUSERS, create_as(self, UID_A, GID_A, nm(self, "n3"),
				     GRANULE, 0600));
	drop(self, self->kept[0]);
	EXPECT_LE(0, create_as(self, UID_A, GID_A, nm(self, "n3"), GRANULE,
			       0600));
}

/* ---- per-user bytes ---------------------------------------------------- */

TEST_F(perm, user_byte_limit_counts_regions_held)
{
	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a"), 64 * KIB,
			       0600));
	EXPECT_EQ(-EDQUOT, create_as(self, UID_A, GID_A, nm(self, "b"),
				     4 * KIB, 0600));
}

TEST_F(perm, user_byte_limit_refuses_one_region_past_it)
{
	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	EXPECT_EQ(-EDQUOT, create_as(self, UID_A, GID_A, nm(self, "a"),
				     68 * KIB, 0600));
}

/* The charge is the page-rounded size, without the guard granule. */
TEST_F(perm, user_byte_limit_charges_the_rounded_size)
{
	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a"),
			       60 * KIB + 1, 0600));
	EXPECT_EQ(-EDQUOT, create_as(self, UID_A, GID_A, nm(self, "b"), 1,
				     0600));
}

TEST_F(perm, refused_create_charges_nothing)
{
	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a"), 32 * KIB,
			       0600));
	ASSERT_EQ(-EDQUOT, create_as(self, UID_A, GID_A, nm(self, "b"),
				     36 * KIB, 0600));
	EXPECT_LE(0, create_as(self, UID_A, GID_A, nm(self, "b"), 32 * KIB,
			       0600));
}

TEST_F(perm, user_byte_limit_is_per_uid)
{
	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a"), 64 * KIB,
			       0600));
	EXPECT_LE(0, create_as(self, UID_B, GID_B, nm(self, "b"), 64 * KIB,
			       0600));
}

TEST_F(perm, closing_a_region_refunds_the_user_bytes)
{
	int fd;

	ASSERT_EQ(0, svm_set_param("user_max_bytes", 64 * KIB));
	fd = create_as(self, UID_A, GID_A, nm(self, "a"), 64 * KIB, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EDQUOT, create_as(self, UID_A, GID_A, nm(self, "b"),
				     4 * KIB, 0600));
	drop(self, fd);
	EXPECT_LE(0, create_as(self, UID_A, GID_A, nm(self, "b"), 64 * KIB,
			       0600));
}

/* ---- system-wide region count ------------------------------------------ */

TEST_F(perm, global_region_limit_is_enfile)
{
	ASSERT_EQ(0, svm_set_param("max_regions",
				   self->start.nr_regions + 2));
	ASSERT_LE(0, create_root(self, nm(self, "g0"), GRANULE, 0600));
	ASSERT_LE(0, create_root(self, nm(self, "g1"), GRANULE, 0600));
	EXPECT_EQ(-ENFILE, create_root(self, nm(self, "g2"), GRANULE, 0600));
	/* System-wide: another uid is refused just the same. */
	EXPECT_EQ(-ENFILE, create_as(self, UID_A, GID_A, nm(self, "g3"),
				     GRANULE, 0600));
}

TEST_F(perm, open_of_existing_region_works_at_global_limit)
{
	struct svm_open o;

	ASSERT_EQ(0, svm_set_param("max_regions",
				   self->start.nr_regions + 2));
	ASSERT_LE(0, create_root(self, nm(self, "g0"), GRANULE, 0600));
	ASSERT_LE(0, create_root(self, nm(self, "g1"), GRANULE, 0600));
	ASSERT_EQ(-ENFILE, create_root(self, nm(self, "g2"), GRANULE, 0600));
	EXPECT_EQ(0, reopen_root(self, nm(self, "g0"), 0));
	/* Create-or-open of an existing name opens it. */
	EXPECT_LE(0, keep(self, svm_open_region(self->dev, nm(self, "g1"),
						GRANULE, SVM_OPEN_CREATE |
						SVM_OPEN_CLOEXEC, 0600, &o)));
	EXPECT_EQ(0, o.out_flags);
}

/* ---- the window -------------------------------------------------------- */

/* Each region takes its page-rounded size and one guard granule. */
TEST_F(perm, window_free_drops_by_size_plus_guard_and_returns)
{
	static const uint64_t sizes[] = { GRANULE, 5000, 1 << 20 };
	struct svm_window before, w;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t rounded = (sizes[i] + GRANULE - 1) & ~(GRANULE - 1);
		char tag[16];

		snprintf(tag, sizeof(tag), "acct%u", i);
		ASSERT_EQ(0, window_of(self, &before));
		fd = create_root(self, nm(self, tag), sizes[i], 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, window_of(self, &w));
		EXPECT_EQ(before.free - rounded - GRANULE, w.free);
		EXPECT_EQ(before.nr_regions + 1, w.nr_regions);
		drop(self, fd);
		EXPECT_TRUE(POLL_UNTIL(window_of(self, &w) == 0 &&
				       w.nr_regions == before.nr_regions,
				       5000));
		EXPECT_EQ(before.free, w.free);
		EXPECT_EQ(before.largest_free, w.largest_free);
	}
}

/*
 * Fill the window's one free extent with one region; returns its fd (kept)
 * and sets *before to the window as it was and *big to the region's size.
 * The region is far larger than the guest's memory: its backing is
 * VM_NORESERVE, so only the pages it gets are charged (none here).
 */
static int fill_window(struct __test_metadata *_metadata,
		       FIXTURE_DATA(perm) *self, struct svm_window *before,
		       uint64_t *big)
{
	int fd;

	ASSERT_EQ(0, window_of(self, before));
	ASSERT_EQ(0, svm_set_param("user_max_bytes", before->length));
	/* One free extent only, or other holes would still take regions. */
	ASSERT_EQ(before->free, before->largest_free)
		TH_LOG("the window is fragmented by regions of other tests");
	ASSERT_LE(2 * GRANULE, before->largest_free);
	/* The region's guard granule is the extent's last. */
	*big = before->largest_free - GRANULE;
	fd = create_root(self, nm(self, "big"), *big, 0600);
	ASSERT_LE(0, fd);
	return fd;
}

TEST_F(perm, full_window_is_enospc)
{
	struct svm_window before, w;
	uint64_t big;

	fill_window(_metadata, self, &before, &big);
	ASSERT_EQ(0, window_of(self, &w));
	EXPECT_EQ(before.free - big - GRANULE, w.free);
	EXPECT_EQ(0, w.free);
	EXPECT_EQ(0, w.largest_free);
	EXPECT_EQ(before.nr_regions + 1, w.nr_regions);
	EXPECT_EQ(-ENOSPC, create_root(self, nm(self, "small"), GRANULE,
				       0600));
	ASSERT_EQ(0, window_of(self, &w));
	EXPECT_EQ(before.nr_regions + 1, w.nr_regions);
}

TEST_F(perm, freeing_the_region_that_filled_the_window_makes_room)
{
	struct svm_window before, w;
	uint64_t big;
	int fd;

	fd = fill_window(_metadata, self, &before, &big);
	ASSERT_EQ(-ENOSPC, create_root(self, nm(self, "small"), GRANULE,
				       0600));
	drop(self, fd);
	ASSERT_TRUE(POLL_UNTIL(window_of(self, &w) == 0 &&
			       w.nr_regions == before.nr_regions, 5000));
	EXPECT_EQ(before.free, w.free);
	EXPECT_EQ(before.largest_free, w.largest_free);
	EXPECT_LE(0, create_root(self, nm(self, "small"), GRANULE, 0600));
	ASSERT_EQ(0, window_of(self, &w));
	EXPECT_EQ(before.free - 2 * GRANULE, w.free);
}

/* Enough free bytes in total, but no one extent large enough. */
TEST_F(perm, fragmented_window_without_a_large_enough_extent_is_enospc)
{
	struct svm_window before, w;
	int fd[3], i;

	ASSERT_EQ(0, window_of(self, &before));
	ASSERT_EQ(0, svm_set_param("user_max_bytes", before.length));
	ASSERT_EQ(before.free, before.largest_free);
	ASSERT_LE(8 * GRANULE, before.largest_free);
	/*
	 * One region that takes all but 6 granules (placed first: at the
	 * window's 2 MiB-aligned base, as regions of 2 MiB or more are) ...
	 */
	ASSERT_LE(0, create_root(self, nm(self, "rest"),
				 before.largest_free - 7 * GRANULE, 0600));
	/* ... then three 1-granule regions (2 granules with the guard). */
	for (i = 0; i < 3; i++) {
		char tag[8];

		snprintf(tag, sizeof(tag), "f%d", i);
		fd[i] = create_root(self, nm(self, tag), GRANULE, 0600);
		ASSERT_LE(0, fd[i]);
	}
	ASSERT_EQ(0, window_of(self, &w));
	ASSERT_EQ(0, w.free);
	/* Two holes of 2 granules each: 4 free, 2 the largest. */
	drop(self, fd[0]);
	drop(self, fd[2]);
	ASSERT_TRUE(POLL_UNTIL(window_of(self, &w) == 0 &&
			       w.free == 4 * GRANULE, 5000));
	EXPECT_EQ(2 * GRANULE, w.largest_free);
	/* 2 granules + guard = 3: fits in the total, not in any hole. */
	EXPECT_EQ(-ENOSPC, create_root(self, nm(self, "two"), 2 * GRANULE,
				       0600));
	/* 1 granule + guard fits a hole. */
	EXPECT_LE(0, create_root(self, nm(self, "one"), GRANULE, 0600));
}

/* Regions of several uids, refused creates and removes leave nothing. */
TEST_F(perm, window_returns_to_start_after_all_regions_close)
{
	struct svm_window w;

	ASSERT_EQ(0, svm_set_param("user_max_regions", 2));
	ASSERT_LE(0, create_root(self, nm(self, "r"), 3 * GRANULE, 0600));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a0"),
			       5 * GRANULE, 0644));
	ASSERT_LE(0, create_as(self, UID_A, GID_A, nm(self, "a1"), GRANULE,
			       0600));
	ASSERT_EQ(-EUSERS, create_as(self, UID_A, GID_A, nm(self, "a2"),
				     GRANULE, 0600));
	ASSERT_EQ(0, svm_remove_name(self->dev, nm(self, "a1")));
	ASSERT_EQ(0, window_of(self, &w));
	EXPECT_EQ(self->start.nr_regions + 3, w.nr_regions);
	EXPECT_EQ(self->start.free - 12 * GRANULE, w.free);
	while (self->nr_kept > 0)
		drop(self, self->kept[0]);
	EXPECT_TRUE(POLL_UNTIL(window_of(self, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions, 5000));
	EXPECT_EQ(self->start.free, w.free);
	EXPECT_EQ(self->start.largest_free, w.largest_free);
}

TEST_HARNESS_MAIN
