// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile use: seeded random operations by many processes, and a storm of
 * SIGKILLs at random points of create, map and wire.  Afterwards nothing
 * may be left: no region, the window entirely free, nothing charged,
 * Unevictable at its baseline, the module's refcount back to its base,
 * and each uid's accounting (regions, bytes, SVID charge) back to what it
 * held before.  Half the workers run as uid 1000.  A watcher of the
 * pool's first region reads its stream all along, which must be
 * consistent (svm_stream_check()) and end in DESTROYED and end of file.
 *
 * The seed is printed; SVM_SEED overrides it (CI uses the default).
 */
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define NAMES		8
#define WORKERS		6
#define OPS		300
#define KILLS		240

static unsigned int seed_from_env(void)
{
	const char *s = getenv("SVM_SEED");

	return s ? strtoul(s, NULL, 0) : 20261122;
}

static long meminfo_kb(const char *key)
{
	char line[128], fmt[64];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/sys/vm/compact_unevictable_allowed", "w");
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	f = fopen("/proc/sys/vm/compact_memory", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/sys/vm/stat_refresh", "w");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	snprintf(fmt, sizeof(fmt), "%s: %%ld kB", key);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#define USER		1000

/* Become USER, with room to mlock and SVID-lock a few regions. */
static int become_user(void)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
	    setresgid(USER, USER, USER) || setresuid(USER, USER, USER))
		return -1;
	return 0;
}

/* The watched region (struct watcher), which workers inherit, or -1. */
static int watched_fd = -1;
#define WATCHED_LEN	(16 * 4096)

/* One worker: OPS random operations on the shared pool of names. */
static void worker(unsigned int seed, int as_user)
{
	int dev, fd = -1, i;
	size_t len = 0;
	char name[16];
	char *p = NULL, *wp = NULL;

	if (as_user && become_user())
		_exit(1);
	dev = svm_dev_open();

	for (i = 0; i < OPS; i++) {
		snprintf(name, sizeof(name), "chaos-%u", rand_r(&seed) % NAMES);
		switch (rand_r(&seed) % 10) {
		case 0:		/* create or open, maybe persistent */
			if (fd >= 0)
				break;
			len = (rand_r(&seed) % 2 ? 1 : 16) * 4096;
			fd = svm_open_region(dev, name, 0, 0, 0, NULL);
			if (fd < 0)
				fd = svm_open_region(dev, name, len,
					SVM_OPEN_CREATE | (rand_r(&seed) % 4 ?
					0 : SVM_OPEN_PERSIST), 0666, NULL);
			if (fd >= 0) {
				struct svm_info info;

				len = svm_get_info(fd, &info) ? 0 : info.length;
			}
			break;
		case 1:		/* map and touch */
			if (fd >= 0 && !p && len) {
				p = svm_map(fd, len, PROT_READ | PROT_WRITE);
				if (p == MAP_FAILED)
					p = NULL;
				else
					p[rand_r(&seed) % len]++;
			}
			break;
		case 2:
			if (p) {
				munmap(p, len);
				p = NULL;
			}
			break;
		case 3:
			if (fd >= 0)
				svm_mlock_region(fd, rand_r(&seed) % 2);
			break;
		case 4:		/* balanced SVID lock, unless killed between */
			if (fd >= 0 && !svm_wire_op(fd, SVM_WIRE_LOCK))
				svm_wire_op(fd, SVM_WIRE_UNLOCK);
			break;
		case 5:
			svm_remove_name(dev, name);
			break;
		case 6:		/* a child inherits the mapping and leaves */
			if (fork() == 0) {
				if (p)
					p[0]++;
				_exit(0);
			}
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			break;
		case 9:		/* map, mlock or unmap the watched region */
			if (watched_fd < 0)
				break;
			if (!wp) {
				wp = svm_map(watched_fd, WATCHED_LEN,
					     PROT_READ | PROT_WRITE);
				if (wp == MAP_FAILED)
					wp = NULL;
				else
					wp[0]++;
			} else if (rand_r(&seed) % 3 == 0) {
				mlock(wp, WATCHED_LEN);
			} else {
				munmap(wp, WATCHED_LEN);
				wp = NULL;
			}
			break;
		case 7:
			if (fd >= 0) {
				close(fd);
				fd = -1;
			}
			break;
		case 8:		/* drop everything at once */
			if (p)
				munmap(p, len);
			p = NULL;
			if (fd >= 0)
				close(fd);
			fd = -1;
			break;
		}
	}
	_exit(0);
}

FIXTURE(chaos) {
	int dev;
	struct svm_window w0;
	long unevictable0, refcnt0;
};

/* USER's accounting, read as USER in a child: regions, bytes, locked. */
static int user_usage(struct svm_window *w)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct svm_window uw;
		int dev;

		close(pfd[0]);
		if (become_user())
			_exit(1);
		dev = svm_dev_open();
		if (dev < 0 || svm_get_window(dev, &uw) ||
		    write(pfd[1], &uw, sizeof(uw)) != sizeof(uw))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	status = read(pfd[0], w, sizeof(*w)) == sizeof(*w) ? 0 : -1;
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	return status;
}

FIXTURE_SETUP(chaos)
{
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->w0));
	self->unevictable0 = meminfo_kb("Unevictable");
	self->refcnt0 = svm_module_refcnt();
}

FIXTURE_TEARDOWN(chaos)
{
	close(self->dev);
}

/*
 * A watch of chaos-0, made here before the workers start (they open it
 * by name, and may remove it and make another), read by a thread.
 */
struct watcher {
	pthread_t thread;
	int fd, w, rc;
	struct svm_stream s;
};

static void *watcher_run(void *arg)
{
	struct watcher *wt = arg;
	int n;

	do
		n = svm_stream_read(wt->w, &wt->s, 120000);
	while (n > 0);
	wt->rc = n;
	return NULL;
}

static void watcher_start(struct __test_metadata *_metadata,
			  FIXTURE_DATA(chaos) *self, struct watcher *wt)
{
	wt->fd = svm_open_region(self->dev, "chaos-0", WATCHED_LEN,
				 SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				 SVM_OPEN_CLOEXEC, 0666, NULL);
	ASSERT_LE(0, wt->fd);
	watched_fd = wt->fd;
	wt->w = svm_watch_open(wt->fd, SVM_WATCH_CLOEXEC, NULL);
	ASSERT_LE(0, wt->w);
	svm_stream_init(&wt->s, 0);
	ASSERT_EQ(0, pthread_create(&wt->thread, NULL, watcher_run, wt));
}

/* Once every worker is gone: the region goes, the stream must end. */
static void watcher_end(struct __test_metadata *_metadata,
			struct watcher *wt)
{
	while (waitpid(-1, NULL, 0) > 0)
		;
	close(wt->fd);
	watched_fd = -1;
	ASSERT_EQ(0, pthread_join(wt->thread, NULL));
	EXPECT_EQ(0, wt->rc) TH_LOG("watch: %s", wt->s.err);
	EXPECT_TRUE(wt->s.destroyed);
	ksft_print_msg("watch: %llu records (%llu attach, %llu detach, %llu wired, %llu unwired), %llu lost\n",
		       (unsigned long long)wt->s.records,
		       (unsigned long long)wt->s.of_type[SVM_EVENT_ATTACH],
		       (unsigned long long)wt->s.of_type[SVM_EVENT_DETACH],
		       (unsigned long long)wt->s.of_type[SVM_EVENT_WIRED],
		       (unsigned long long)wt->s.of_type[SVM_EVENT_UNWIRED],
		       (unsigned long long)wt->s.lost);
	close(wt->w);
}

/* Remove the pool's names and check that nothing is left. */
static void expect_clean(struct __test_metadata *_metadata,
			 FIXTURE_DATA(chaos) *self)
{
	struct svm_window w;
	char name[16];
	int i;

	while (waitpid(-1, NULL, 0) > 0)
		;
	for (i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "chaos-%d", i);
		svm_remove_name(self->dev, name);
	}
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(self->dev, &w) == 0 &&
			       w.nr_regions == self->w0.nr_regions &&
			       w.free == self->w0.free, 10000));
	EXPECT_EQ(self->w0.largest_free, w.largest_free);
	/* Every uid holds and is charged exactly what it was before. */
	EXPECT_EQ(self->w0.user_regions, w.user_regions);
	EXPECT_EQ(self->w0.user_bytes, w.user_bytes);
	EXPECT_EQ(self->w0.user_locked, w.user_locked);
	ASSERT_EQ(0, user_usage(&w));
	EXPECT_EQ(0, w.user_regions);
	EXPECT_EQ(0, w.user_bytes);
	EXPECT_EQ(0, w.user_locked);
	EXPECT_TRUE(POLL_UNTIL(svm_module_refcnt() == self->refcnt0, 10000));
	EXPECT_GE(4, labs(meminfo_kb("Unevictable") - self->unevictable0));
}

TEST_F(chaos, seeded_random_operations_leave_nothing_behind)
{
	unsigned int seed = seed_from_env();
	struct watcher wt;
	pid_t pids[WORKERS];
	int i;

	ksft_print_msg("seed %u (set SVM_SEED to repeat)\n", seed);
	watcher_start(_metadata, self, &wt);
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(seed + i, i % 2);
	}
	/* Kill a third of them wherever they are. */
	for (i = 0; i < WORKERS; i += 3)
		kill(pids[i], SIGKILL);
	watcher_end(_metadata, &wt);
	expect_clean(_metadata, self);
}

TEST_F(chaos, kill_storm_during_create_map_and_wire_leaves_nothing)
{
	unsigned int seed = seed_from_env() ^ 0x5eed;
	struct watcher wt;
	int kills, status;
	pid_t pid;

	ksft_print_msg("seed %u, %d SIGKILLs\n", seed, KILLS);
	watcher_start(_metadata, self, &wt);
	for (kills = 0; kills < KILLS; kills++) {
		pid = fork();
		if (pid == 0)
			worker(seed + kills, kills % 2);
		/* Random jitter, so each kill lands at a different point. */
		usleep(rand_r(&seed) % 3000);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	watcher_end(_metadata, &wt);
	expect_clean(_metadata, self);
}

TEST_HARNESS_MAIN
