// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of SysV shared memory on svm: open by id
 * (SVM_OPEN_ID), fds of no access (SVM_OPEN_NOACCESS), remove by id
 * (SVM_REMOVE_ID), the region's one SysV lock (SVM_WIRE_SYSV), and what
 * svm_info VER3 says of a region as shmctl(IPC_STAT) does of a segment
 * (atime, dtime, chtime, the length asked for, attaches, the creator's
 * group, the last attacher or detacher).
 *
 * An operation as another uid runs in a forked child that drops to uid
 * and gid 1000 (svm_as_user(): no capabilities left) and exits with the
 * errno it got, 0 for success.  Regions a test keeps persistent are
 * removed by the teardown, which checks that the window is as the test
 * found it.
 */
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN		(64 * 1024)
#define UID_A		1000	/* svm_as_user()'s uid and gid */
#define GID_B		2000
#define NRACERS		8

FIXTURE(sysvk) {
	pid_t owner;		/* the process running the test */
	int dev;
	struct svm_window start;
	char name[SVM_NAME_MAX];
	char name2[SVM_NAME_MAX];
};

FIXTURE_SETUP(sysvk)
{
	self->owner = getpid();
	snprintf(self->name, sizeof(self->name), "sysvk-%d", getpid());
	snprintf(self->name2, sizeof(self->name2), "sysvk2-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->start));
}

/*
 * Run by the harness's parent process: a plain FIXTURE_TEARDOWN can be
 * skipped after a failed ASSERT, and persistent regions outlive the test.
 */
FIXTURE_TEARDOWN_PARENT(sysvk)
{
	struct svm_window w = { 0 };
	int dev = svm_dev_open();

	if (getpid() == self->owner)
		close(self->dev);
	ASSERT_LE(0, dev);
	svm_remove_name(dev, self->name);	/* ENOENT if gone */
	svm_remove_name(dev, self->name2);
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(dev, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions &&
			       w.free == self->start.free, 5000));
	close(dev);
}

/* ---- helpers ------------------------------------------------------------ */

/* SVM_IOC_OPEN by id with flags (SVM_OPEN_ID added): fd or -errno. */
static int open_id(int dev, uint64_t id, unsigned int flags,
		   struct svm_open *out)
{
	struct svm_open a = {
		.size = sizeof(a), .id = id,
		.flags = flags | SVM_OPEN_ID | SVM_OPEN_CLOEXEC,
	};
	int fd = ioctl(dev, SVM_IOC_OPEN, &a);

	if (out)
		*out = a;
	return fd < 0 ? -errno : fd;
}

/* SVM_IOC_REMOVE with every field given: 0 or -errno. */
static int remove_raw(int dev, uint32_t size, uint32_t flags,
		      const char *name, uint64_t id)
{
	struct svm_remove a = {
		.size = size, .flags = flags, .name = (uintptr_t)name, .id = id,
	};

	return ioctl(dev, SVM_IOC_REMOVE, &a) < 0 ? -errno : 0;
}

static int remove_id(int dev, uint64_t id)
{
	return remove_raw(dev, sizeof(struct svm_remove), SVM_REMOVE_ID, NULL,
			  id);
}

/* SVM_IOC_WIRE op with flags: 0 or -errno. */
static int wire(int fd, unsigned int op, unsigned int flags)
{
	struct svm_wire a = { .size = sizeof(a), .op = op, .flags = flags };

	return ioctl(fd, SVM_IOC_WIRE, &a) < 0 ? -errno : 0;
}

static int sysv_lock(int fd)
{
	return wire(fd, SVM_WIRE_LOCK, SVM_WIRE_SYSV);
}

static int sysv_unlock(int fd)
{
	return wire(fd, SVM_WIRE_UNLOCK, SVM_WIRE_SYSV);
}

static int chmod_fd(int fd, unsigned int mode)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = SVM_SETPERM_MODE, .mode = mode,
	};

	return ioctl(fd, SVM_IOC_SETPERM, &a) < 0 ? -errno : 0;
}

/* svm_info of fd; a zeroed one if INFO fails (id 0 is never a region's). */
static struct svm_info info_of(int fd)
{
	struct svm_info info;

	if (svm_get_info(fd, &info))
		memset(&info, 0, sizeof(info));
	return info;
}

/* SVID count and SysV lock, packed: count * 10 + 1 if the lock is held. */
static int sysv_state(int fd)
{
	struct svm_info info = info_of(fd);

	return info.svid_count * 10 + !!(info.flags & SVM_REGION_SYSV_LOCK);
}

/* CLOCK_REALTIME in ns, as svm_info's times are. */
static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CLOCK_REALTIME_COARSE in ns: atime_ns and dtime_ns come from the
 * kernel's coarse clock, up to a tick behind CLOCK_REALTIME.
 */
static uint64_t coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Create the test's region (name) persistent with mode: fd or -errno. */
static int create_persist(int dev, const char *name, uint64_t len,
			  unsigned int mode, struct svm_open *out)
{
	return svm_open_region(dev, name, len, SVM_OPEN_CREATE | SVM_OPEN_EXCL |
			       SVM_OPEN_PERSIST | SVM_OPEN_CLOEXEC, mode, out);
}

/* What a child as another uid works on. */
struct job {
	int dev;
	int fd;
	uint64_t id;
	const char *name;
	unsigned int flags;
};

/* Exits with the errno of an open of job->id with job->flags, 0 if it works. */
static int job_open_id(void *arg)
{
	struct job *j = arg;
	int fd = open_id(j->dev, j->id, j->flags, NULL);

	return fd < 0 ? -fd : 0;
}

/* The same of an open of job->name with job->flags. */
static int job_open_name(void *arg)
{
	struct job *j = arg;
	int fd = svm_open_region(j->dev, j->name, 0, j->flags | SVM_OPEN_CLOEXEC,
				 0, NULL);

	return fd < 0 ? -fd : 0;
}

static int job_remove_id(void *arg)
{
	struct job *j = arg;

	return -remove_id(j->dev, j->id);
}

static int job_chmod(void *arg)
{
	struct job *j = arg;

	return -chmod_fd(j->fd, 0600);
}

static int job_sysv_lock(void *arg)
{
	struct job *j = arg;

	return -sysv_lock(j->fd);
}

/* Create job->name persistent, mode 0, then chmod 0600 through NOACCESS. */
static int job_create_chmod_noaccess(void *arg)
{
	struct job *j = arg;
	int fd = create_persist(j->dev, j->name, LEN, 0, NULL);

	if (fd < 0)
		return 100;
	close(fd);
	fd = svm_open_region(j->dev, j->name, 0,
			     SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC, 0, NULL);
	if (fd < 0)
		return 101;
	return -chmod_fd(fd, 0600);
}

/* Create job->name persistent, mode 0600, as the caller. */
static int job_create(void *arg)
{
	struct job *j = arg;
	int fd = create_persist(j->dev, j->name, LEN, 0600, NULL);

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* In a new IPC namespace: the errno of fn(job), 0 if it works. */
static int in_new_ipc_ns(int (*fn)(void *), struct job *j)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(255);
		_exit(fn(j));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---- SVM_OPEN_ID -------------------------------------------------------- */

/* By id: the same region as by name, at the same address. */
TEST_F(sysvk, open_id_live)
{
	struct svm_open o, b;
	int fd, fd2;

	fd = svm_open_region(self->dev, self->name, LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0600, &o);
	ASSERT_LE(0, fd);
	fd2 = open_id(self->dev, o.id, 0, &b);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(o.id, b.id);
	EXPECT_EQ(o.addr, b.addr);
	EXPECT_EQ(LEN, b.length);
	EXPECT_EQ(0, b.out_flags);
	EXPECT_EQ(o.id, info_of(fd2).id);
	EXPECT_EQ(2, info_of(fd).nr_fds);
	close(fd2);
	close(fd);
}

/* A removed region that a mapping still holds is opened by its id. */
TEST_F(sysvk, open_id_removed_mapped)
{
	struct svm_open o;
	void *p;
	int fd;

	fd = svm_open_region(self->dev, self->name, LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0600, &o);
	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	fd = open_id(self->dev, o.id, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(o.id, info_of(fd).id);
	EXPECT_TRUE(info_of(fd).flags & SVM_REGION_REMOVED);
	close(fd);
	munmap(p, LEN);
}

/* The id of a region destroyed, and an id never given: ENOENT. */
TEST_F(sysvk, open_id_unknown)
{
	struct svm_open o;
	int fd;

	fd = svm_open_region(self->dev, self->name, LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0600, &o);
	ASSERT_LE(0, fd);
	close(fd);	/* not persistent: destroyed */
	EXPECT_EQ(-ENOENT, open_id(self->dev, o.id, 0, NULL));
	EXPECT_EQ(-ENOENT, open_id(self->dev, UINT64_MAX, 0, NULL));
}

TEST_F(sysvk, open_id_with_name)
{
	struct svm_open o = {
		.size = sizeof(o), .flags = SVM_OPEN_ID,
		.name = (uintptr_t)self->name,
	};
	int fd = svm_create(self->dev, self->name, LEN);
	struct svm_info info = info_of(fd);

	ASSERT_LE(0, fd);
	o.id = info.id;
	EXPECT_EQ(EINVAL, ERRNO_OF(ioctl(self->dev, SVM_IOC_OPEN, &o)));
	close(fd);
}

TEST_F(sysvk, open_id_create)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, open_id(self->dev, info_of(fd).id,
				   SVM_OPEN_CREATE, NULL));
	close(fd);
}

TEST_F(sysvk, open_id_zero)
{
	EXPECT_EQ(-EINVAL, open_id(self->dev, 0, 0, NULL));
}

/* The same permission check as by name: a 0600 region, another uid. */
TEST_F(sysvk, open_id_perm)
{
	struct job j = { .dev = self->dev };
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	j.id = info_of(fd).id;
	EXPECT_EQ(EACCES, svm_as_user(job_open_id, &j));
	j.flags = SVM_OPEN_RDONLY;
	EXPECT_EQ(EACCES, svm_as_user(job_open_id, &j));
	close(fd);
}

/* A size given on open by id must be the region's. */
TEST_F(sysvk, open_id_length)
{
	struct svm_open a = { .size = sizeof(a), .flags = SVM_OPEN_ID };
	int fd = svm_create(self->dev, self->name, LEN), fd2;

	ASSERT_LE(0, fd);
	a.id = info_of(fd).id;
	a.length = 2 * LEN;
	EXPECT_EQ(EINVAL, ERRNO_OF(ioctl(self->dev, SVM_IOC_OPEN, &a)));
	a.length = LEN;
	fd2 = ioctl(self->dev, SVM_IOC_OPEN, &a);
	EXPECT_LE(0, fd2);
	close(fd2);
	close(fd);
}

/* Another IPC namespace does not see the region by id. */
TEST_F(sysvk, open_id_other_ns)
{
	struct job j = { .dev = self->dev };
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	j.id = info_of(fd).id;
	EXPECT_EQ(0, job_open_id(&j));
	EXPECT_EQ(ENOENT, in_new_ipc_ns(job_open_id, &j));
	close(fd);
}

/* ---- SVM_OPEN_NOACCESS -------------------------------------------------- */

/* No permission bit is checked: mode 0 of root's, opened by another uid. */
TEST_F(sysvk, noaccess_no_perm)
{
	struct job j = { .dev = self->dev, .name = self->name };
	int fd = create_persist(self->dev, self->name, LEN, 0, NULL);

	ASSERT_LE(0, fd);
	j.flags = SVM_OPEN_RDONLY;
	ASSERT_EQ(EACCES, svm_as_user(job_open_name, &j));
	j.flags = SVM_OPEN_NOACCESS;
	EXPECT_EQ(0, svm_as_user(job_open_name, &j));
	j.id = info_of(fd).id;
	EXPECT_EQ(0, svm_as_user(job_open_id, &j));
	close(fd);
}

/* mmap(2) of a NOACCESS fd: EACCES, however asked, and nothing maps. */
TEST_F(sysvk, noaccess_mmap)
{
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_NOACCESS |
				 SVM_OPEN_CLOEXEC, 0600, NULL);
	struct svm_info info = info_of(fd);
	void *at = (void *)(uintptr_t)info.addr;

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_NONE, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(at, LEN, PROT_READ, MAP_SHARED | MAP_FIXED,
				   fd, 0));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(EACCES, errno);
	info = info_of(fd);
	EXPECT_EQ(0, info.nr_mappers);
	EXPECT_EQ(0, info.nr_attaches);
	close(fd);
}

/* EACCES even where something else is mapped (not EEXIST). */
TEST_F(sysvk, noaccess_mmap_occupied)
{
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_NOACCESS |
				 SVM_OPEN_CLOEXEC, 0600, NULL);
	void *at = (void *)(uintptr_t)info_of(fd).addr, *anon;

	ASSERT_LE(0, fd);
	anon = mmap(at, LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(at, anon);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	munmap(anon, LEN);
	close(fd);
}

/* INFO works on it, and its fd counts. */
TEST_F(sysvk, noaccess_info)
{
	struct svm_open o;
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0640, &o);
	int na = svm_open_region(self->dev, self->name, 0,
				 SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC, 0, NULL);
	struct svm_info info = info_of(na);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, na);
	EXPECT_EQ(o.id, info.id);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(2, info.nr_fds);
	close(na);
	close(fd);
}

/* MAPPERS does not: who maps a region is for its readers. */
TEST_F(sysvk, noaccess_mappers)
{
	int fd = svm_create(self->dev, self->name, LEN), na;
	void *p = svm_map(fd, LEN, PROT_READ);

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, p);
	na = svm_open_region(self->dev, self->name, 0,
			     SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC, 0, NULL);
	ASSERT_LE(0, na);
	EXPECT_EQ(-EACCES, svm_get_mappers(na, NULL, 0));
	EXPECT_EQ(1, svm_maps_of(fd, getpid()));
	close(na);
	munmap(p, LEN);
	close(fd);
}

/* The owner changes the mode through a NOACCESS fd of its mode-0 region. */
TEST_F(sysvk, noaccess_setperm_owner)
{
	struct job j = { .dev = self->dev, .name = self->name };
	int fd;

	EXPECT_EQ(0, svm_as_user(job_create_chmod_noaccess, &j));
	fd = svm_open_region(self->dev, self->name, 0,
			     SVM_OPEN_RDONLY | SVM_OPEN_CLOEXEC, 0, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0600, info_of(fd).mode);
	close(fd);
}

/* A stranger's NOACCESS fd does not let it change the mode. */
TEST_F(sysvk, noaccess_setperm_stranger)
{
	struct job j = { .dev = self->dev };
	int fd = create_persist(self->dev, self->name, LEN, 0644, NULL);

	ASSERT_LE(0, fd);
	j.fd = svm_open_region(self->dev, self->name, 0,
			       SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC, 0, NULL);
	ASSERT_LE(0, j.fd);
	EXPECT_EQ(EPERM, svm_as_user(job_chmod, &j));
	EXPECT_EQ(0644, info_of(fd).mode);
	close(j.fd);
	close(fd);
}

/* WIRE works on it, for the owner. */
TEST_F(sysvk, noaccess_wire)
{
	int fd = svm_create(self->dev, self->name, LEN);
	int na = svm_open_region(self->dev, self->name, 0,
				 SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC, 0, NULL);

	ASSERT_LE(0, fd);
	ASSERT_LE(0, na);
	EXPECT_EQ(0, wire(na, SVM_WIRE_LOCK, 0));
	EXPECT_EQ(1, info_of(fd).svid_count);
	EXPECT_EQ(0, wire(na, SVM_WIRE_UNLOCK, 0));
	EXPECT_EQ(0, info_of(fd).svid_count);
	close(na);
	close(fd);
}

/* WATCH needs read access of the fd: EACCES, even for root. */
TEST_F(sysvk, noaccess_watch)
{
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_NOACCESS |
				 SVM_OPEN_CLOEXEC, 0666, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, svm_watch_open(fd, SVM_WATCH_CLOEXEC, NULL));
	close(fd);
}

TEST_F(sysvk, noaccess_rdonly)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, self->name, 0,
					   SVM_OPEN_NOACCESS | SVM_OPEN_RDONLY,
					   0, NULL));
	close(fd);
}

/* With CREATE it creates, with the mode given. */
TEST_F(sysvk, noaccess_create)
{
	struct svm_open o;
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_NOACCESS |
				 SVM_OPEN_CLOEXEC, 0604, &o);

	ASSERT_LE(0, fd);
	EXPECT_EQ(SVM_OPEN_CREATED, o.out_flags);
	EXPECT_EQ(LEN, o.length);
	EXPECT_EQ(0604, info_of(fd).mode);
	close(fd);
}

/* ---- SVM_REMOVE_ID ------------------------------------------------------ */

/* By id: the name goes, the region lives on while held. */
TEST_F(sysvk, remove_id)
{
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, remove_id(self->dev, o.id));
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, self->name, 0, 0, 0,
					   NULL));
	EXPECT_EQ(SVM_REGION_PERSIST | SVM_REGION_REMOVED, info_of(fd).flags);
	close(fd);
}

/* Twice: 0 both times, and one REMOVED event. */
TEST_F(sysvk, remove_id_twice)
{
	struct svm_event ev[4];
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o), w;

	ASSERT_LE(0, fd);
	w = svm_watch_open(fd, SVM_WATCH_CLOEXEC | SVM_WATCH_NONBLOCK, NULL);
	ASSERT_LE(0, w);
	EXPECT_EQ(0, remove_id(self->dev, o.id));
	EXPECT_EQ(0, remove_id(self->dev, o.id));
	EXPECT_EQ((ssize_t)sizeof(ev[0]), read(w, ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_REMOVED, ev[0].type);
	EXPECT_EQ(getpid(), ev[0].pid);
	close(w);
	close(fd);
}

/* A region that took the name since is not touched. */
TEST_F(sysvk, remove_id_reused_name)
{
	struct svm_open a, b;
	int fa = create_persist(self->dev, self->name, LEN, 0600, &a), fb, fd;

	ASSERT_LE(0, fa);
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	fb = create_persist(self->dev, self->name, LEN, 0600, &b);
	ASSERT_LE(0, fb);
	ASSERT_NE(a.id, b.id);
	EXPECT_EQ(0, remove_id(self->dev, a.id));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fb).flags);
	fd = svm_open_region(self->dev, self->name, 0, SVM_OPEN_CLOEXEC, 0,
			     NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(b.id, info_of(fd).id);
	close(fd);
	close(fb);
	close(fa);
}

/* SVM_REMOVE_ID needs the VER1 struct: with VER0's size, EINVAL. */
TEST_F(sysvk, remove_id_ver0)
{
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, remove_raw(self->dev, SVM_REMOVE_SIZE_VER0,
				      SVM_REMOVE_ID, NULL, o.id));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fd).flags);
	close(fd);
}

/* VER0 by name still works. */
TEST_F(sysvk, remove_ver0_name)
{
	int fd = create_persist(self->dev, self->name, LEN, 0600, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, remove_raw(self->dev, SVM_REMOVE_SIZE_VER0, 0,
				self->name, 0));
	EXPECT_EQ(SVM_REGION_PERSIST | SVM_REGION_REMOVED, info_of(fd).flags);
	close(fd);
}

TEST_F(sysvk, remove_id_with_name)
{
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, remove_raw(self->dev, sizeof(struct svm_remove),
				      SVM_REMOVE_ID, self->name, o.id));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fd).flags);
	close(fd);
}

TEST_F(sysvk, remove_id_zero)
{
	EXPECT_EQ(-EINVAL, remove_id(self->dev, 0));
}

/* An id without SVM_REMOVE_ID: EINVAL, nothing removed. */
TEST_F(sysvk, remove_name_with_id)
{
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, remove_raw(self->dev, sizeof(struct svm_remove), 0,
				      self->name, o.id));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fd).flags);
	close(fd);
}

TEST_F(sysvk, remove_unknown_flag)
{
	EXPECT_EQ(-EINVAL, remove_raw(self->dev, sizeof(struct svm_remove),
				      SVM_REMOVE_ID << 1, self->name, 0));
}

/* The id of a destroyed region, of none, of another namespace's: ENOENT. */
TEST_F(sysvk, remove_id_unknown)
{
	struct svm_open o;
	int fd = svm_open_region(self->dev, self->name, LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0600, &o);

	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(-ENOENT, remove_id(self->dev, o.id));
	EXPECT_EQ(-ENOENT, remove_id(self->dev, UINT64_MAX));
}

TEST_F(sysvk, remove_id_other_ns)
{
	struct job j = { .dev = self->dev };
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0600, &o);

	ASSERT_LE(0, fd);
	j.id = o.id;
	EXPECT_EQ(ENOENT, in_new_ipc_ns(job_remove_id, &j));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fd).flags);
	close(fd);
}

/* Not the owner or creator, no CAP_SYS_ADMIN: EPERM, removed or not. */
TEST_F(sysvk, remove_id_eperm)
{
	struct job j = { .dev = self->dev };
	struct svm_open o;
	int fd = create_persist(self->dev, self->name, LEN, 0666, &o);

	ASSERT_LE(0, fd);
	j.id = o.id;
	EXPECT_EQ(EPERM, svm_as_user(job_remove_id, &j));
	EXPECT_EQ(SVM_REGION_PERSIST, info_of(fd).flags);
	ASSERT_EQ(0, remove_id(self->dev, o.id));
	EXPECT_EQ(EPERM, svm_as_user(job_remove_id, &j));
	close(fd);
}

/* ---- SVM_WIRE_SYSV ------------------------------------------------------ */

/* Locked twice: one count, the lock held. */
TEST_F(sysvk, sysv_lock_twice)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(11, sysv_state(fd));
	EXPECT_TRUE(info_of(fd).flags & SVM_REGION_WIRED);
	close(fd);
}

TEST_F(sysvk, sysv_unlock)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(0, sysv_unlock(fd));
	EXPECT_EQ(0, sysv_state(fd));
	EXPECT_EQ(0, info_of(fd).charged);
	EXPECT_FALSE(info_of(fd).flags & SVM_REGION_WIRED);
	close(fd);
}

TEST_F(sysvk, sysv_unlock_not_held)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sysv_unlock(fd));
	EXPECT_EQ(0, sysv_state(fd));
	ASSERT_EQ(0, wire(fd, SVM_WIRE_LOCK, 0));
	EXPECT_EQ(0, sysv_unlock(fd));
	EXPECT_EQ(10, sysv_state(fd));
	close(fd);
}

/* A plain lock and the SysV lock: 2; the SysV unlock leaves the plain. */
TEST_F(sysvk, sysv_unlock_keeps_plain)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wire(fd, SVM_WIRE_LOCK, 0));
	ASSERT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(21, sysv_state(fd));
	EXPECT_EQ(0, sysv_unlock(fd));
	EXPECT_EQ(10, sysv_state(fd));
	EXPECT_EQ(LEN, info_of(fd).charged);
	close(fd);
}

/* Plain unlocks never drop the SysV lock: EINVAL when it is all there is. */
TEST_F(sysvk, plain_unlock_keeps_sysv)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wire(fd, SVM_WIRE_LOCK, 0));
	ASSERT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(0, wire(fd, SVM_WIRE_UNLOCK, 0));
	EXPECT_EQ(11, sysv_state(fd));
	EXPECT_EQ(-EINVAL, wire(fd, SVM_WIRE_UNLOCK, 0));
	EXPECT_EQ(11, sysv_state(fd));
	EXPECT_EQ(LEN, info_of(fd).charged);
	close(fd);
}

TEST_F(sysvk, sysv_unknown_flag)
{
	int fd = svm_create(self->dev, self->name, LEN);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, wire(fd, SVM_WIRE_LOCK, SVM_WIRE_SYSV << 1));
	EXPECT_EQ(0, sysv_state(fd));
	close(fd);
}

/* Charged once, to the locker, however often it is taken. */
TEST_F(sysvk, sysv_charge_once)
{
	int fd = svm_create(self->dev, self->name, LEN);
	struct svm_window w;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sysv_lock(fd));
	ASSERT_EQ(0, sysv_lock(fd));
	EXPECT_EQ(LEN, info_of(fd).charged);
	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.user_locked + LEN, w.user_locked);
	ASSERT_EQ(0, sysv_unlock(fd));
	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.user_locked, w.user_locked);
	close(fd);
}

/* Another uid may not take it, held or not: EPERM. */
TEST_F(sysvk, sysv_lock_eperm)
{
	struct job j = { .dev = self->dev };

	j.fd = svm_open_region(self->dev, self->name, LEN,
			       SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC, 0666, NULL);
	ASSERT_LE(0, j.fd);
	EXPECT_EQ(EPERM, svm_as_user(job_sysv_lock, &j));
	EXPECT_EQ(0, sysv_state(j.fd));
	ASSERT_EQ(0, sysv_lock(j.fd));
	EXPECT_EQ(EPERM, svm_as_user(job_sysv_lock, &j));
	close(j.fd);
}

/* N processes racing to take it: it is taken once, charged once. */
TEST_F(sysvk, sysv_lock_race)
{
	int fd = svm_create(self->dev, self->name, LEN), go[2], i, status;
	pid_t pids[NRACERS];
	char c;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < NRACERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(100);
			_exit(-sysv_lock(fd));
		}
	}
	close(go[0]);
	close(go[1]);	/* every racer reads end of file at once */
	for (i = 0; i < NRACERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_EQ(11, sysv_state(fd));
	EXPECT_EQ(LEN, info_of(fd).charged);
	close(fd);
}

/* ---- svm_info VER3 ------------------------------------------------------ */

/* asked is the length asked for, length the rounded one. */
TEST_F(sysvk, info_asked)
{
	int fd = svm_create(self->dev, self->name, 100), fd2;
	struct svm_info info = info_of(fd);

	ASSERT_LE(0, fd);
	EXPECT_EQ(100, info.asked);
	EXPECT_EQ(4096, info.length);
	fd2 = svm_open_region(self->dev, self->name, 0, SVM_OPEN_CLOEXEC, 0,
			      NULL);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(100, info_of(fd2).asked);
	close(fd2);
	close(fd);
}

/* cgid is the creator's group, whatever the group becomes. */
TEST_F(sysvk, info_cgid)
{
	struct job j = { .dev = self->dev, .name = self->name };
	struct svm_setperm a = {
		.size = sizeof(a), .flags = SVM_SETPERM_GID, .gid = GID_B,
	};
	struct svm_info info;
	int fd;

	ASSERT_EQ(0, svm_as_user(job_create, &j));
	fd = svm_open_region(self->dev, self->name, 0, SVM_OPEN_CLOEXEC, 0,
			     NULL);
	ASSERT_LE(0, fd);
	info = info_of(fd);
	EXPECT_EQ(UID_A, info.cgid);
	EXPECT_EQ(UID_A, info.gid);
	ASSERT_EQ(0, ioctl(fd, SVM_IOC_SETPERM, &a));
	info = info_of(fd);
	EXPECT_EQ(UID_A, info.cgid);
	EXPECT_EQ(GID_B, info.gid);
	close(fd);
}

/* chtime is the creation time at first. */
TEST_F(sysvk, info_chtime_creation)
{
	uint64_t t0 = real_ns();
	int fd = svm_create(self->dev, self->name, LEN);
	uint64_t t1 = real_ns();
	struct svm_info info = info_of(fd);

	ASSERT_LE(0, fd);
	EXPECT_EQ(info.ctime_ns, info.chtime_ns);
	EXPECT_LE(t0, info.chtime_ns);
	EXPECT_GE(t1, info.chtime_ns);
	close(fd);
}

/* Each SETPERM sets it; mapping, wiring and removal do not. */
TEST_F(sysvk, info_chtime_setperm)
{
	int fd = create_persist(self->dev, self->name, LEN, 0600, NULL);
	uint64_t t0, t1, ch;
	void *p;

	ASSERT_LE(0, fd);
	t0 = real_ns();
	ASSERT_EQ(0, chmod_fd(fd, 0640));
	t1 = real_ns();
	ch = info_of(fd).chtime_ns;
	EXPECT_LE(t0, ch);
	EXPECT_GE(t1, ch);
	p = svm_map(fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, LEN);
	ASSERT_EQ(0, sysv_lock(fd));
	ASSERT_EQ(0, sysv_unlock(fd));
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	EXPECT_EQ(ch, info_of(fd).chtime_ns);
	close(fd);
}

/* Before any attach: no times, no attacher. */
TEST_F(sysvk, info_never_attached)
{
	int fd = svm_create(self->dev, self->name, LEN);
	struct svm_info info = info_of(fd);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, info.atime_ns);
	EXPECT_EQ(0, info.dtime_ns);
	EXPECT_EQ(0, info.nr_attaches);
	EXPECT_EQ(0, info.lpid);
	close(fd);
}

/* mmap: atime, lpid the caller, one attach; no detach yet. */
TEST_F(sysvk, info_attach)
{
	int fd = svm_create(self->dev, self->name, LEN);
	struct svm_info info;
	uint64_t t0, t1;
	void *p;

	ASSERT_LE(0, fd);
	t0 = coarse_ns();
	p = svm_map(fd, LEN, PROT_READ);
	t1 = real_ns();
	ASSERT_NE(MAP_FAILED, p);
	info = info_of(fd);
	EXPECT_LE(t0, info.atime_ns);
	EXPECT_GE(t1, info.atime_ns);
	EXPECT_EQ(0, info.dtime_ns);
	EXPECT_EQ(1, info.nr_attaches);
	EXPECT_EQ(1, info.nr_mappers);
	EXPECT_EQ(getpid(), info.lpid);
	munmap(p, LEN);
	close(fd);
}

/* munmap: dtime, lpid the caller; the attach count stays. */
TEST_F(sysvk, info_detach)
{
	int fd = svm_create(self->dev, self->name, LEN);
	struct svm_info info;
	uint64_t t0, t1, at;
	void *p;

	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	at = info_of(fd).atime_ns;
	t0 = coarse_ns();
	ASSERT_EQ(0, munmap(p, LEN));
	t1 = real_ns();
	info = info_of(fd);
	EXPECT_LE(t0, info.dtime_ns);
	EXPECT_GE(t1, info.dtime_ns);
	EXPECT_EQ(at, info.atime_ns);
	EXPECT_EQ(1, info.nr_attaches);
	EXPECT_EQ(0, info.nr_mappers);
	EXPECT_EQ(getpid(), info.lpid);
	close(fd);
}

/*
 * Attaches are address spaces becoming mappers: a split, a second
 * mapping or a second fd's mapping are none; unmapping all and mapping
 * again is one more.
 */
TEST_F(sysvk, info_nr_attaches)
{
	int fd = svm_create(self->dev, self->name, LEN), fd2;
	char *p, *q;

	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + 4096, 4096, PROT_READ));
	fd2 = svm_open_region(self->dev, self->name, 0, SVM_OPEN_CLOEXEC, 0,
			      NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, munmap(p + LEN - 4096, 4096));
	q = mmap(p + LEN - 4096, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, fd2,
		 LEN - 4096);
	ASSERT_EQ(p + LEN - 4096, q);
	EXPECT_EQ(1, info_of(fd).nr_attaches);
	ASSERT_EQ(0, munmap(p, LEN));
	EXPECT_EQ(0, info_of(fd).nr_mappers);
	p = svm_map(fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(2, info_of(fd).nr_attaches);
	munmap(p, LEN);
	close(fd2);
	close(fd);
}

/* A fork child's attach: counted, and made by the parent (shm_lpid). */
TEST_F(sysvk, info_fork_attach)
{
	int fd = svm_create(self->dev, self->name, LEN), ready[2], go[2];
	struct svm_info info;
	uint64_t t0, t1;
	pid_t child;
	void *p;
	char c;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	p = svm_map(fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	t0 = coarse_ns();
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(go[1]);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 2);
	}
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	t1 = real_ns();
	info = info_of(fd);
	EXPECT_EQ(2, info.nr_mappers);
	EXPECT_EQ(2, info.nr_attaches);
	EXPECT_EQ(getpid(), info.lpid);
	EXPECT_LE(t0, info.atime_ns);
	EXPECT_GE(t1, info.atime_ns);
	close(go[1]);
	waitpid(child, NULL, 0);
	munmap(p, LEN);
	close(fd);
}

/* A process that exits with the region mapped: the detach is its own. */
TEST_F(sysvk, info_exit_detach)
{
	int fd = svm_create(self->dev, self->name, LEN), status;
	struct svm_info info;
	uint64_t t0;
	pid_t child;

	ASSERT_LE(0, fd);
	t0 = coarse_ns();
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(svm_map(fd, LEN, PROT_READ) == MAP_FAILED);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(POLL_UNTIL(info_of(fd).dtime_ns != 0, 5000));
	info = info_of(fd);
	EXPECT_EQ(child, info.lpid);
	EXPECT_EQ(0, info.nr_mappers);
	EXPECT_EQ(1, info.nr_attaches);
	EXPECT_LE(t0, info.atime_ns);
	EXPECT_LE(info.atime_ns, info.dtime_ns);
	close(fd);
}

/*
 * A fork child leaving: the attach was the parent's, the detach is the
 * child's, whose exit tears its copy of the mapping down.
 */
TEST_F(sysvk, info_fork_child_exit)
{
	int fd = svm_create(self->dev, self->name, LEN), status;
	struct svm_info info;
	uint64_t t0;
	pid_t child;
	void *p;

	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	t0 = coarse_ns();
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_TRUE(POLL_UNTIL(info_of(fd).nr_mappers == 1, 5000));
	info = info_of(fd);
	EXPECT_EQ(child, info.lpid);
	EXPECT_EQ(2, info.nr_attaches);
	EXPECT_LE(t0, info.dtime_ns);
	munmap(p, LEN);
	close(fd);
}

/* An attacher killed by SIGKILL: lpid is the killed process, dtime set. */
TEST_F(sysvk, info_sigkill_detach)
{
	int fd = svm_create(self->dev, self->name, LEN), ready[2];
	struct svm_info info;
	uint64_t t0;
	pid_t child;
	char c;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		if (svm_map(fd, LEN, PROT_READ) == MAP_FAILED ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(child, info_of(fd).lpid);
	t0 = coarse_ns();
	ASSERT_EQ(0, kill(child, SIGKILL));
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	ASSERT_TRUE(POLL_UNTIL(info_of(fd).nr_mappers == 0, 5000));
	info = info_of(fd);
	EXPECT_EQ(child, info.lpid);
	EXPECT_LE(t0, info.dtime_ns);
	EXPECT_EQ(1, info.nr_attaches);
	close(fd);
}

/* A VER2 caller gets 192 bytes, nothing past them. */
TEST_F(sysvk, info_ver2)
{
	union {
		struct svm_info info;
		unsigned char b[sizeof(struct svm_info)];
	} u;
	int fd = svm_create(self->dev, self->name, 100);
	size_t i, touched = 0;

	ASSERT_LE(0, fd);
	memset(&u, 0xaa, sizeof(u));
	memset(&u, 0, SVM_INFO_SIZE_VER2);	/* what a VER2 caller passes */
	u.info.size = SVM_INFO_SIZE_VER2;
	ASSERT_EQ(0, ioctl(fd, SVM_IOC_INFO, &u));
	EXPECT_EQ(SVM_INFO_SIZE_VER2, u.info.size);
	EXPECT_EQ(4096, u.info.length);
	EXPECT_EQ(4096, u.info.page_size);
	for (i = SVM_INFO_SIZE_VER2; i < sizeof(u); i++)
		touched += u.b[i] != 0xaa;
	EXPECT_EQ(0, touched);
	close(fd);
}

/* LIST entries of VER3 carry the new fields; VER2 entries stop at 192. */
TEST_F(sysvk, list_ver3_ver2)
{
	union {
		struct svm_info info;
		unsigned char b[sizeof(struct svm_info)];
	} u;
	struct svm_list l = { .size = sizeof(l), .count = 1 };
	int fd = svm_create(self->dev, self->name, 100);
	struct svm_info info = info_of(fd);
	size_t i, touched = 0;

	ASSERT_LE(0, fd);
	l.cursor = info.id - 1;
	l.entries = (uintptr_t)&u;
	l.entry_size = sizeof(u.info);
	ASSERT_EQ(0, ioctl(self->dev, SVM_IOC_LIST, &l));
	ASSERT_EQ(1, l.count);
	EXPECT_EQ(info.id, u.info.id);
	EXPECT_EQ(100, u.info.asked);
	EXPECT_EQ(info.chtime_ns, u.info.chtime_ns);
	EXPECT_EQ(SVM_INFO_SIZE_VER3, u.info.size);

	memset(&u, 0xaa, sizeof(u));
	l.cursor = info.id - 1;
	l.count = 1;
	l.entry_size = SVM_INFO_SIZE_VER2;
	ASSERT_EQ(0, ioctl(self->dev, SVM_IOC_LIST, &l));
	ASSERT_EQ(1, l.count);
	EXPECT_EQ(info.id, u.info.id);
	EXPECT_EQ(SVM_INFO_SIZE_VER2, u.info.size);
	for (i = SVM_INFO_SIZE_VER2; i < sizeof(u); i++)
		touched += u.b[i] != 0xaa;
	EXPECT_EQ(0, touched);
	close(fd);
}

TEST_HARNESS_MAIN
