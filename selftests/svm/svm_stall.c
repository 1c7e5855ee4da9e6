// SPDX-License-Identifier: GPL-2.0
/*
 * No reader can stall mappers: with 512 processes mapping a region, a
 * holder of a read-only fd looping SVM_IOC_MAPPERS and SVM_IOC_WINDOW
 * must slow neither a mapper's mmap/munmap nor its fork/exit by more than
 * 2x (MAPPERS holds the region's lock only to copy its mapper list, never
 * while walking processes), and the kernel must not report a soft lockup
 * (the log scanner fails the run on one).  The idle case has a process
 * spinning on the other CPU too, making system calls that touch no svm
 * lock: the guest's CPUs are host threads, and a busy one takes host time
 * from the other whatever it does, which is not what is measured here.
 * The two cases alternate, ROUNDS times each, so that a change in the
 * host's load over the test falls on both.
 */
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define MAPPERS		512
#define ROUNDS		4
#define CYCLES		100	/* mmap+munmap cycles a round */
#define FORKS		10	/* fork+exit cycles a round */

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long median(long long *t, int n)
{
	qsort(t, n, sizeof(t[0]), cmp_ll);
	return t[n / 2];
}

/*
 * ns of CYCLES mmap+munmap cycles of the region's second page (a VMA and
 * a mapper count each time; the first page stays mapped), into t; 0 or -1.
 */
static int map_cycles(int fd, long long *t)
{
	long long t0;
	void *p;
	int i;

	for (i = 0; i < CYCLES; i++) {
		t0 = now_ns();
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
		if (p == MAP_FAILED)
			return -1;
		munmap(p, 4096);
		t[i] = now_ns() - t0;
	}
	return 0;
}

/* ns of FORKS fork + exit + wait of this mapper (->open in the child). */
static int fork_cycles(long long *t)
{
	long long t0;
	pid_t pid;
	int i;

	for (i = 0; i < FORKS; i++) {
		t0 = now_ns();
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return -1;
		t[i] = now_ns() - t0;
	}
	return 0;
}

FIXTURE(stall) {
	int dev, fd;
	char name[32];
	pid_t kids[MAPPERS];
	int nkids, hold[2];
	void *p;
};

FIXTURE_SETUP(stall)
{
	char c;
	int ready[2], i;

	snprintf(self->name, sizeof(self->name), "stall-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, 2 * 4096,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0644, NULL);
	ASSERT_LE(0, self->fd);
	self->p = svm_map(self->fd, 4096, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(self->hold));
	/* 512 mappers (each inherits the mapping), parked on a pipe. */
	for (i = 0; i < MAPPERS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(self->hold[1]);
			write(ready[1], "r", 1);
			read(self->hold[0], &c, 1);
			_exit(0);
		}
		if (pid < 0)
			break;
		self->kids[self->nkids++] = pid;
	}
	close(ready[1]);
	for (i = 0; i < self->nkids; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	ASSERT_EQ(MAPPERS, self->nkids);
	ASSERT_EQ(MAPPERS + 1, svm_get_mappers(self->fd, NULL, 0));
}

FIXTURE_TEARDOWN(stall)
{
	int i;

	close(self->hold[1]);
	for (i = 0; i < self->nkids; i++)
		waitpid(self->kids[i], NULL, 0);
	munmap(self->p, 4096);
	close(self->fd);
	close(self->dev);
}

/*
 * A reader with only a read-only fd, looping MAPPERS and WINDOW (or, for
 * the idle case, getppid()); it says so on started once its first round
 * is done.
 */
static pid_t start_reader(const char *name, int started, int idle)
{
	pid_t pid = fork();

	if (pid == 0) {
		static struct svm_mapper buf[MAPPERS + 64];
		struct svm_window w;
		int dev, fd;

		pin(1);
		dev = svm_dev_open();
		fd = svm_open_region(dev, name, 0, SVM_OPEN_RDONLY, 0, NULL);
		if (fd < 0)
			_exit(1);
		for (;;) {
			if (idle) {
				getppid();
			} else {
				svm_get_mappers(fd, buf, MAPPERS + 64);
				svm_get_window(dev, &w);
			}
			if (started >= 0) {
				write(started, "s", 1);
				close(started);
				started = -1;
			}
		}
	}
	return pid;
}

/* Start the reader (or the idle spinner) and wait for its first round. */
static pid_t start(struct __test_metadata *_metadata, const char *name,
		   int idle)
{
	int started[2];
	pid_t pid;
	char c;

	if (pipe(started))
		return -1;
	pid = start_reader(name, started[1], idle);
	close(started[1]);
	EXPECT_EQ(1, read(started[0], &c, 1));
	close(started[0]);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(stall, mappers_reader_does_not_slow_mmap_or_fork, 600)
{
	/* [0]: the idle spinner on the other CPU, [1]: the reader. */
	static long long map[2][ROUNDS * CYCLES], forks[2][ROUNDS * FORKS];
	long long map_ns[2], fork_ns[2];
	int round, busy;
	pid_t other;

	pin(0);
	for (round = 0; round < ROUNDS; round++) {
		for (busy = 0; busy < 2; busy++) {
			other = start(_metadata, self->name, !busy);
			ASSERT_LT(0, other);
			ASSERT_EQ(0, map_cycles(self->fd,
						&map[busy][round * CYCLES]));
			ASSERT_EQ(0, fork_cycles(&forks[busy][round * FORKS]));
			stop(other);
		}
	}
	for (busy = 0; busy < 2; busy++) {
		map_ns[busy] = median(map[busy], ROUNDS * CYCLES);
		fork_ns[busy] = median(forks[busy], ROUNDS * FORKS);
	}
	ksft_print_msg("mmap+munmap median: %lld ns idle, %lld ns with the reader\n",
		       map_ns[0], map_ns[1]);
	ksft_print_msg("fork+exit median: %lld ns idle, %lld ns with the reader\n",
		       fork_ns[0], fork_ns[1]);
	EXPECT_GE(2 * map_ns[0], map_ns[1]);
	EXPECT_GE(2 * fork_ns[0], fork_ns[1]);
}

TEST_HARNESS_MAIN
