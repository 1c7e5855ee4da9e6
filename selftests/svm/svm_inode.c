// SPDX-License-Identifier: GPL-2.0
/*
 * A region's inode may outlive the region: an O_PATH file of
 * /proc/self/fd/N, or an inotify watch through that path, holds the inode
 * without any ->open.  It must hold nothing else: the pages go with the
 * region (Shmem in /proc/meminfo comes back to where it was), so does the
 * owner's quota, opening the inode by path stays ENXIO, and the module
 * unloads while the inode lives on, which then goes without it.
 * (Regression tests: an O_PATH file kept the pages and crashed the kernel
 * once the module was gone.)
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN	(256 * 4096)	/* 1 MiB */
#define LEN_KB	(LEN / 1024)

enum { PIN_O_PATH, PIN_INOTIFY };

/* Pin the inode of region fd: an O_PATH fd, or an inotify fd watching it. */
static int pin(int fd, int how)
{
	char path[64];
	int in;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (how == PIN_O_PATH)
		return open(path, O_PATH | O_CLOEXEC);
	in = inotify_init1(IN_CLOEXEC);
	if (in >= 0 && inotify_add_watch(in, path, IN_ALL_EVENTS) < 0) {
		close(in);
		return -1;
	}
	return in;
}

/* Live regions, removed ones included. */
static int nr_regions(int dev)
{
	struct svm_window w;

	return svm_get_window(dev, &w) ? -1 : (int)w.nr_regions;
}

/* errno of open(2) of /proc/self/fd/fd with flags, 0 if it opened. */
static int reopen_errno(int fd, int flags)
{
	char path[64];
	int again;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	again = open(path, flags | O_CLOEXEC);
	if (again < 0)
		return errno;
	close(again);
	return 0;
}

FIXTURE(pin) {
	int dev, nr_regions;
	unsigned long long user_max_bytes;	/* to restore */
	char name[32];
};

FIXTURE_VARIANT(pin) {
	int how;
};

FIXTURE_VARIANT_ADD(pin, o_path) { PIN_O_PATH };
FIXTURE_VARIANT_ADD(pin, inotify) { PIN_INOTIFY };

FIXTURE_SETUP(pin)
{
	int in;

	/* The debug kernel is built without CONFIG_INOTIFY_USER. */
	if (variant->how == PIN_INOTIFY) {
		in = inotify_init1(IN_CLOEXEC);
		if (in < 0 && errno == ENOSYS)
			SKIP(return, "no inotify in this kernel (CONFIG_INOTIFY_USER)");
		ASSERT_LE(0, in);
		close(in);
	}
	snprintf(self->name, sizeof(self->name), "pin-%d", getpid());
	self->user_max_bytes = svm_get_param("user_max_bytes");
	ASSERT_NE(0, self->user_max_bytes);
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->nr_regions = nr_regions(self->dev);
	ASSERT_LE(0, self->nr_regions);
}

/*
 * In the parent (the child's fds close as it exits): the module loaded
 * again if a test failed between unload and reload, the quota restored.
 */
FIXTURE_TEARDOWN_PARENT(pin)
{
	const char *ko = getenv("SVM_KO");

	if (ko && access("/sys/module/svm", F_OK) && svm_insmod(ko, ""))
		TH_LOG("could not load %s again", ko);
	if (self->user_max_bytes &&
	    svm_set_param("user_max_bytes", self->user_max_bytes))
		TH_LOG("could not restore user_max_bytes");
}

TEST_F(pin, keeps_no_pages_once_the_region_is_gone)
{
	long shmem = svm_meminfo_kb("Shmem");
	int fd, pinned;
	char *p;

	ASSERT_LE(0, shmem);
	fd = svm_create(self->dev, self->name, LEN);
	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LEN);
	EXPECT_EQ(shmem + LEN_KB, svm_meminfo_kb("Shmem"));
	pinned = pin(fd, variant->how);
	ASSERT_LE(0, pinned);
	ASSERT_EQ(0, munmap(p, LEN));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(self->nr_regions, nr_regions(self->dev));	/* gone */
	EXPECT_EQ(shmem, svm_meminfo_kb("Shmem"));
	EXPECT_EQ(0, close(pinned));
	EXPECT_EQ(shmem, svm_meminfo_kb("Shmem"));
}

struct quota {
	const char *name;
	int how;
};

/*
 * As uid 1000 with a quota of one region of LEN: fill it, pin the region
 * and let it go, then create it again; the errno of that, or 100 + the
 * step that went wrong before.
 */
static int refill_quota_fn(void *arg)
{
	struct quota *q = arg;
	int dev = svm_dev_open(), fd, pinned;

	fd = svm_create(dev, q->name, LEN);
	if (fd < 0)
		return 101;
	if (svm_create(dev, "pin-over-quota", 4096) != -EDQUOT)
		return 102;	/* the quota is full: the test can tell */
	pinned = pin(fd, q->how);
	if (pinned < 0)
		return 103;
	close(fd);
	fd = svm_create(dev, q->name, LEN);
	return fd < 0 ? -fd : 0;
}

TEST_F(pin, leaves_the_owners_quota_free_once_the_region_is_gone)
{
	struct quota q = { self->name, variant->how };

	ASSERT_EQ(0, svm_set_param("user_max_bytes", LEN));
	EXPECT_EQ(0, svm_as_user(refill_quota_fn, &q));
	EXPECT_EQ(self->nr_regions, nr_regions(self->dev));
}

/*
 * With the region gone and nothing else of the module's in use, it
 * unloads; the pinned inode is then the kernel's alone: opening it by
 * path is ENXIO, and letting it go frees it without the module.
 */
TEST_F(pin, survives_rmmod_and_goes_without_the_module)
{
	const char *ko = getenv("SVM_KO");
	int fd, pinned;
	struct stat st;
	char *p;

	if (!ko)
		SKIP(return, "SVM_KO not set: not running in the test guest");
	fd = svm_create(self->dev, self->name, LEN);
	ASSERT_LE(0, fd);
	p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, LEN);
	pinned = pin(fd, variant->how);
	ASSERT_LE(0, pinned);
	ASSERT_EQ(0, munmap(p, LEN));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, close(self->dev));
	ASSERT_EQ(0, svm_rmmod());
	ASSERT_NE(0, access("/sys/module/svm", F_OK));
	if (variant->how == PIN_O_PATH) {
		EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDONLY));
		EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDWR));
		ASSERT_EQ(0, fstat(pinned, &st));
		EXPECT_TRUE(S_ISREG(st.st_mode));
	}
	EXPECT_EQ(0, close(pinned));
	ASSERT_EQ(0, svm_insmod(ko, ""));
	ASSERT_TRUE(POLL_UNTIL(access(SVM_DEVICE, F_OK) == 0, 5000));
}

TEST(o_path_reopen_is_enxio_before_and_after_the_region_goes)
{
	int dev = svm_dev_open(), nr, fd, pinned;

	ASSERT_LE(0, dev);
	nr = nr_regions(dev);
	fd = svm_create(dev, "pin-reopen", LEN);
	ASSERT_LE(0, fd);
	pinned = pin(fd, PIN_O_PATH);
	ASSERT_LE(0, pinned);
	EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDONLY));
	EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDWR));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(nr, nr_regions(dev));
	EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDONLY));
	EXPECT_EQ(ENXIO, reopen_errno(pinned, O_RDWR));
	close(pinned);
	close(dev);
}

TEST_HARNESS_MAIN
