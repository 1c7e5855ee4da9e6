// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, swept: for each ioctl and for mmap, fail the 1st,
 * 2nd, ... failable allocation of the call (/proc/thread-self/fail-nth,
 * with failslab and fail_page_alloc taking every allocation, as
 * tools/testing/selftests/iommu/iommufd_fail_nth.c does) until the call
 * runs without reaching the nth.  Every call that failed must have
 * failed with its out-of-memory errno and left exactly the state it found:
 * the window, the region's counts and wiring, the module's refcount.  A
 * call that absorbed the failure (an optional allocation) must have
 * worked.  kmemleak, at the end of the guest's run, finds what leaked.
 *
 * Needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and debugfs (the
 * debug kernel); skipped elsewhere.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define NAME		"fail-nth"
#define LEN		(16UL << 12)
#define MAX_NTH		2000

static const char *const fi_dirs[] = { "failslab", "fail_page_alloc" };

/* debugfs settings changed for the sweep, and their values before. */
static struct { const char *path; char old[32]; } fi_saved[16];
static int fi_nsaved;
static int fi_ready;

static int fi_write(const char *path, const char *val, bool save)
{
	FILE *f;
	int i = fi_nsaved;

	if (save && i < (int)ARRAY_SIZE(fi_saved)) {
		f = fopen(path, "r");
		if (!f || !fgets(fi_saved[i].old, sizeof(fi_saved[i].old), f)) {
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		fi_saved[i].path = strdup(path);
		fi_nsaved++;
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(val, f);
	return fclose(f) ? -1 : 0;
}

/*
 * Let every allocation be failed (by default those that may sleep, order
 * 0 pages and highmem are spared) and keep the log quiet: the sweep looks
 * for reports from the kernel's checkers, not for its own stack dumps.
 */
static __attribute__((constructor)) void fi_setup(void)
{
	static const char *const sets[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
	};
	char path[128];
	unsigned int i;

	if (access("/proc/thread-self/fail-nth", W_OK))
		return;
	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s", sets[i][0]);
		if (fi_write(path, sets[i][1], true))
			return;
	}
	for (i = 0; i < ARRAY_SIZE(fi_dirs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose",
			 fi_dirs[i]);
		if (fi_write(path, "0", true))
			return;
	}
	fi_ready = 1;
}

static __attribute__((destructor)) void fi_restore(void)
{
	while (fi_nsaved-- > 0)
		fi_write(fi_saved[fi_nsaved].path, fi_saved[fi_nsaved].old,
			 false);
}

/*
 * Arm: the nth failable call of this thread from now fails.  Disarm:
 * returns 1 if that happened (the counter ran down to 0), 0 if the call
 * made fewer failable calls than n, and leaves injection off either way.
 * Nothing between arming and disarming may fault a page in: the buffers
 * are on the stack, already touched.
 */
static int nth_fd = -1;

static int nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

static int nth_disarm(void)
{
	char buf[16] = "";
	ssize_t r = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	if (pwrite(nth_fd, "0", 1, 0) != 1 || r < 2)
		return -1;
	return buf[0] == '0' && buf[1] == '\n';
}

/* What must be the same before a call and after it failed. */
struct state {
	uint64_t free, largest_free;
	uint32_t nr_regions;
	long refcnt;
	/* this round's region, when there is one */
	uint32_t flags, nr_fds, nr_mappers, svid, nr_mlocked;
	uint64_t charged;
};

FIXTURE(nth)
{
	int dev;	/* for looking, never under injection */
	int fd;		/* this round's region, or -1 */
	uint64_t id;	/* its id */
	void *map;	/* its mapping, or MAP_FAILED */
	int watch;	/* a watch of it, or -1 */
	int ret;	/* the call's result: >= 0, or -errno */
};

static void get_state(FIXTURE_DATA(nth) *self, struct state *s)
{
	struct svm_window w;
	struct svm_info info;

	memset(s, 0, sizeof(*s));
	if (!svm_get_window(self->dev, &w)) {
		s->free = w.free;
		s->largest_free = w.largest_free;
		s->nr_regions = w.nr_regions;
	}
	s->refcnt = svm_module_refcnt();
	if (self->fd >= 0 && !svm_get_info(self->fd, &info)) {
		s->flags = info.flags;
		s->nr_fds = info.nr_fds;
		s->nr_mappers = info.nr_mappers;
		s->svid = info.svid_count;
		s->nr_mlocked = info.nr_mlocked;
		s->charged = info.charged;
	}
}

static bool state_is(FIXTURE_DATA(nth) *self, const struct state *want)
{
	struct state s;

	get_state(self, &s);
	return !memcmp(&s, want, sizeof(s));
}

FIXTURE_SETUP(nth)
{
	self->dev = -1;
	self->fd = -1;
	self->map = MAP_FAILED;
	self->watch = -1;
	if (!fi_ready)
		SKIP(return, "needs fault injection: CONFIG_FAULT_INJECTION, %s",
		     "FAILSLAB, FAIL_PAGE_ALLOC and debugfs");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
}

/* Drop this round's region: unmapped, closed, its name removed. */
static void drop_region(FIXTURE_DATA(nth) *self)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, LEN);
	self->map = MAP_FAILED;
	if (self->watch >= 0)
		close(self->watch);
	self->watch = -1;
	if (self->fd >= 0)
		close(self->fd);
	self->fd = -1;
	svm_remove_name(self->dev, NAME);
}

FIXTURE_TEARDOWN(nth)
{
	if (self->dev >= 0) {
		drop_region(self);
		close(self->dev);
	}
	if (nth_fd >= 0)
		close(nth_fd);
	nth_fd = -1;
}

/* This round's region, fresh: nothing populated, nothing wired. */
static int new_region(FIXTURE_DATA(nth) *self, unsigned int flags)
{
	struct svm_open o;

	self->fd = svm_open_region(self->dev, NAME, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				   SVM_OPEN_CLOEXEC | flags, 0600, &o);
	self->id = o.id;
	return self->fd < 0 ? -1 : 0;
}

static int new_mapped_region(FIXTURE_DATA(nth) *self)
{
	if (new_region(self, 0))
		return -1;
	self->map = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	return self->map == MAP_FAILED ? -1 : 0;
}

static int new_region_persistent(FIXTURE_DATA(nth) *self)
{
	return new_region(self, SVM_OPEN_PERSIST);
}

static int new_region_unmapped(FIXTURE_DATA(nth) *self)
{
	return new_region(self, 0);
}

/* An SVM_OPEN_HUGE region (2 MiB), of which LEN is mapped. */
static int new_huge_mapped_region(FIXTURE_DATA(nth) *self)
{
	if (new_region(self, SVM_OPEN_HUGE))
		return -1;
	self->map = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	return self->map == MAP_FAILED ? -1 : 0;
}

/* SVM_IOC_WATCH on the region: the watch fd, or -errno. */
static int watch_of(int fd)
{
	struct svm_watch a = { .size = sizeof(a), .flags = SVM_WATCH_CLOEXEC };
	int w = ioctl(fd, SVM_IOC_WATCH, &a);

	return w < 0 ? -errno : w;
}

/* A region not mapped yet, watched: its mmap queues an ATTACH. */
static int new_watched_region(FIXTURE_DATA(nth) *self)
{
	if (new_region(self, 0))
		return -1;
	self->watch = watch_of(self->fd);
	return self->watch < 0 ? -1 : 0;
}

/* A mapped region, watched: a fork of it queues an ATTACH. */
static int new_watched_mapped_region(FIXTURE_DATA(nth) *self)
{
	if (new_mapped_region(self))
		return -1;
	self->watch = watch_of(self->fd);
	return self->watch < 0 ? -1 : 0;
}

static int new_region_locked(FIXTURE_DATA(nth) *self)
{
	return new_mapped_region(self) ?: svm_wire_op(self->fd, SVM_WIRE_LOCK);
}

/*
 * One call under test.  Each round, prepare() sets the scene (a fresh
 * region, say), call() sets self->ret, undo() reverses a call that
 * succeeded, and the region is dropped.
 */
struct call {
	int (*prepare)(FIXTURE_DATA(nth) *self);
	void (*call)(FIXTURE_DATA(nth) *self);
	void (*undo)(FIXTURE_DATA(nth) *self);
	int err, err2;	/* the errnos an allocation failure may give */
	bool allocates;	/* the call makes failable allocations */
};

static void sweep(struct __test_metadata *_metadata,
		  FIXTURE_DATA(nth) *self, const struct call *c)
{
	unsigned int n, failed = 0, absorbed = 0;
	struct state empty, before;
	int injected;

	get_state(self, &empty);
	for (n = 1; n <= MAX_NTH; n++) {
		if (c->prepare)
			ASSERT_EQ(0, c->prepare(self));
		get_state(self, &before);

		ASSERT_EQ(0, nth_arm(n));
		c->call(self);
		injected = nth_disarm();
		ASSERT_LE(0, injected);

		if (self->ret < 0) {
			ASSERT_TRUE(injected)
				TH_LOG("n=%u: %s without an injected failure",
				       n, strerror(-self->ret));
			ASSERT_TRUE(-self->ret == c->err ||
				    -self->ret == c->err2)
				TH_LOG("n=%u: %s", n, strerror(-self->ret));
			failed++;
		} else {
			if (c->undo)
				c->undo(self);
			absorbed += injected;
		}
		/* A refund of a charge is deferred: wait for it. */
		if (self->ret < 0 || c->undo)
			ASSERT_TRUE(POLL_UNTIL(state_is(self, &before), 10000))
				TH_LOG("n=%u: the call %s, and changed the state",
				       n, self->ret < 0 ? "failed" :
				       "absorbed a failure");
		drop_region(self);
		ASSERT_TRUE(POLL_UNTIL(state_is(self, &empty), 10000))
			TH_LOG("n=%u: something is left", n);
		if (!injected)
			break;
	}
	ASSERT_GE(MAX_NTH, n) TH_LOG("still failing after %u tries", MAX_NTH);
	ksft_print_msg("%u allocations: %u made the call fail, %u were absorbed\n",
		       n - 1, failed, absorbed);
	/* A call that allocates must have been made to fail. */
	if (c->allocates)
		EXPECT_LT(0, failed);
}

static int neg_errno(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

static void undo_close(FIXTURE_DATA(nth) *self)
{
	close(self->ret);
}

/* ---- /dev/svm ---- */

static void call_dev_open(FIXTURE_DATA(nth) *self)
{
	self->ret = neg_errno(open(SVM_DEVICE, O_RDWR | O_CLOEXEC));
}

TEST_F_TIMEOUT(nth, open_dev, 600)
{
	static const struct call c = {
		.call = call_dev_open,
		.undo = undo_close,
		.err = ENOMEM,
		.err2 = ENFILE,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_create(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_open_region(self->dev, NAME, LEN,
				    SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				    SVM_OPEN_CLOEXEC, 0600, NULL);
}

TEST_F_TIMEOUT(nth, ioctl_open_create, 600)
{
	static const struct call c = {
		.call = call_create,
		.undo = undo_close,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_create_huge(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_open_region(self->dev, NAME, LEN,
				    SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				    SVM_OPEN_HUGE | SVM_OPEN_CLOEXEC, 0600, NULL);
}

TEST_F_TIMEOUT(nth, ioctl_open_create_huge, 600)
{
	static const struct call c = {
		.call = call_create_huge,
		.undo = undo_close,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_create_persist(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_open_region(self->dev, NAME, LEN,
				    SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				    SVM_OPEN_PERSIST | SVM_OPEN_CLOEXEC,
				    0600, NULL);
}

static void undo_create_persist(FIXTURE_DATA(nth) *self)
{
	close(self->ret);
	svm_remove_name(self->dev, NAME);
}

TEST_F_TIMEOUT(nth, ioctl_open_create_persistent, 600)
{
	static const struct call c = {
		.call = call_create_persist,
		.undo = undo_create_persist,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_open_existing(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_open_region(self->dev, NAME, 0, SVM_OPEN_CLOEXEC, 0,
				    NULL);
}

TEST_F_TIMEOUT(nth, ioctl_open_existing, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_open_existing,
		.undo = undo_close,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* A removed name is gone: nothing to undo, the round's drop checks it. */
static void call_remove(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_remove_name(self->dev, NAME);
}

TEST_F_TIMEOUT(nth, ioctl_remove, 600)
{
	static const struct call c = {
		.prepare = new_region_persistent,
		.call = call_remove,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

/* Open by id, of a region mapped (and held) by this process. */
static void call_open_id(FIXTURE_DATA(nth) *self)
{
	struct svm_open a = {
		.size = sizeof(a), .id = self->id,
		.flags = SVM_OPEN_ID | SVM_OPEN_CLOEXEC,
	};

	self->ret = neg_errno(ioctl(self->dev, SVM_IOC_OPEN, &a));
}

TEST_F_TIMEOUT(nth, ioctl_open_id, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_open_id,
		.undo = undo_close,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_open_noaccess(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_open_region(self->dev, NAME, 0, SVM_OPEN_NOACCESS |
				    SVM_OPEN_CLOEXEC, 0, NULL);
}

TEST_F_TIMEOUT(nth, ioctl_open_noaccess, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_open_noaccess,
		.undo = undo_close,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

static void call_remove_id(FIXTURE_DATA(nth) *self)
{
	struct svm_remove a = {
		.size = sizeof(a), .flags = SVM_REMOVE_ID, .id = self->id,
	};

	self->ret = neg_errno(ioctl(self->dev, SVM_IOC_REMOVE, &a));
}

TEST_F_TIMEOUT(nth, ioctl_remove_id, 600)
{
	static const struct call c = {
		.prepare = new_region_persistent,
		.call = call_remove_id,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

static void call_window(FIXTURE_DATA(nth) *self)
{
	struct svm_window w = { .size = sizeof(w) };

	self->ret = neg_errno(ioctl(self->dev, SVM_IOC_WINDOW, &w));
}

TEST_F_TIMEOUT(nth, ioctl_window, 600)
{
	static const struct call c = {
		.prepare = new_region_unmapped,
		.call = call_window,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

static void call_list(FIXTURE_DATA(nth) *self)
{
	struct svm_info entries[4];
	struct svm_list l = {
		.size = sizeof(l), .entries = (uintptr_t)entries,
		.entry_size = sizeof(entries[0]), .count = 4,
	};

	memset(entries, 0, sizeof(entries));
	self->ret = neg_errno(ioctl(self->dev, SVM_IOC_LIST, &l));
}

TEST_F_TIMEOUT(nth, ioctl_list, 600)
{
	static const struct call c = {
		.prepare = new_region_unmapped,
		.call = call_list,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

/* ---- region fds ---- */

static void call_info(FIXTURE_DATA(nth) *self)
{
	struct svm_info info;

	self->ret = svm_get_info(self->fd, &info);
}

TEST_F_TIMEOUT(nth, ioctl_info, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_info,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

static void call_mappers(FIXTURE_DATA(nth) *self)
{
	struct svm_mapper buf[4];
	int n;

	memset(buf, 0, sizeof(buf));
	n = svm_get_mappers(self->fd, buf, 4);
	self->ret = n < 0 ? n : 0;
}

TEST_F_TIMEOUT(nth, ioctl_mappers, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_mappers,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

static void call_lock(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_wire_op(self->fd, SVM_WIRE_LOCK);
}

static void call_unlock(FIXTURE_DATA(nth) *self)
{
	self->ret = svm_wire_op(self->fd, SVM_WIRE_UNLOCK);
}

static void call_sysv_lock(FIXTURE_DATA(nth) *self)
{
	struct svm_wire a = {
		.size = sizeof(a), .op = SVM_WIRE_LOCK, .flags = SVM_WIRE_SYSV,
	};

	self->ret = neg_errno(ioctl(self->fd, SVM_IOC_WIRE, &a));
}

static void call_sysv_unlock(FIXTURE_DATA(nth) *self)
{
	struct svm_wire a = {
		.size = sizeof(a), .op = SVM_WIRE_UNLOCK, .flags = SVM_WIRE_SYSV,
	};

	self->ret = neg_errno(ioctl(self->fd, SVM_IOC_WIRE, &a));
}

/* The SysV lock: a failed take leaves it not held (flags, count). */
TEST_F_TIMEOUT(nth, ioctl_wire_sysv_lock, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_sysv_lock,
		.undo = call_sysv_unlock,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* Wiring a fresh region: populating it is where most allocations are. */
TEST_F_TIMEOUT(nth, ioctl_wire_lock, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_lock,
		.undo = call_unlock,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/*
 * A huge page that cannot be had falls back to small ones, by design:
 * the populate may absorb every failure, and must then leave the state
 * right; one that fails must be ENOMEM with nothing charged or wired.
 */
TEST_F_TIMEOUT(nth, ioctl_wire_lock_huge, 600)
{
	static const struct call c = {
		.prepare = new_huge_mapped_region,
		.call = call_lock,
		.undo = call_unlock,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

TEST_F_TIMEOUT(nth, ioctl_wire_unlock, 600)
{
	static const struct call c = {
		.prepare = new_region_locked,
		.call = call_unlock,
		.undo = call_lock,
		.err = ENOMEM,
	};

	sweep(_metadata, self, &c);
}

static void call_watch(FIXTURE_DATA(nth) *self)
{
	self->ret = watch_of(self->fd);
}

/* The watch, its ring, its file and fd, its charge to the user. */
TEST_F_TIMEOUT(nth, ioctl_watch, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_watch,
		.undo = undo_close,
		.err = ENOMEM,
		.err2 = ENFILE,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* ---- mmap ---- */

static void call_mmap(FIXTURE_DATA(nth) *self)
{
	self->map = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	self->ret = self->map == MAP_FAILED ? -errno : 0;
}

static void undo_mmap(FIXTURE_DATA(nth) *self)
{
	munmap(self->map, LEN);
	self->map = MAP_FAILED;
}

TEST_F_TIMEOUT(nth, mmap_region, 600)
{
	static const struct call c = {
		.prepare = new_region_unmapped,
		.call = call_mmap,
		.undo = undo_mmap,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* Queuing the ATTACH allocates nothing; naming its process does. */
TEST_F_TIMEOUT(nth, mmap_region_watched, 600)
{
	static const struct call c = {
		.prepare = new_watched_region,
		.call = call_mmap,
		.undo = undo_mmap,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* The reservation of the window where the region will be. */
static void call_mmap_reservation(FIXTURE_DATA(nth) *self)
{
	struct svm_window w;
	void *p;

	self->ret = svm_get_window(self->dev, &w);
	if (self->ret)
		return;
	p = mmap((void *)(uintptr_t)w.base, LEN, PROT_NONE, MAP_SHARED,
		 self->dev, 0);
	self->ret = p == MAP_FAILED ? -errno : 0;
	self->map = p;
}

TEST_F_TIMEOUT(nth, mmap_reservation, 600)
{
	static const struct call c = {
		.call = call_mmap_reservation,
		.undo = undo_mmap,
		.err = ENOMEM,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

/* A mapper forks: the child's copy of the mapping is a second mapper. */
static void call_fork(FIXTURE_DATA(nth) *self)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	self->ret = neg_errno(pid);
}

static void undo_fork(FIXTURE_DATA(nth) *self)
{
	waitpid(self->ret, NULL, 0);
}

TEST_F_TIMEOUT(nth, fork_of_a_mapper, 600)
{
	static const struct call c = {
		.prepare = new_mapped_region,
		.call = call_fork,
		.undo = undo_fork,
		.err = ENOMEM,
		.err2 = EAGAIN,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

TEST_F_TIMEOUT(nth, fork_of_a_watched_mapper, 600)
{
	static const struct call c = {
		.prepare = new_watched_mapped_region,
		.call = call_fork,
		.undo = undo_fork,
		.err = ENOMEM,
		.err2 = EAGAIN,
		.allocates = true,
	};

	sweep(_metadata, self, &c);
}

TEST_HARNESS_MAIN
