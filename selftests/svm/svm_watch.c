// SPDX-License-Identifier: GPL-2.0
/*
 * Watching a region (SVM_IOC_WATCH): the records of attaches, detaches
 * with their causes, wiring, removal and destruction, with the right
 * pids across pid namespaces, in order and with consecutive sequence
 * numbers; overflow; permission, limits and bad arguments.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define LEN	(16 * 4096)
#define TMO	60000		/* ms: generous, for TCG on a loaded host */

/* The target of the exec test: exits at once, before main(). */
static __attribute__((constructor)) void exec_target(void)
{
	if (getenv("SVM_WATCH_EXEC"))
		_exit(0);
}

/* The next record of watch w: 1, 0 at end of file, or -errno. */
static int next_ev(int w, struct svm_event *ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = w, .events = POLLIN };
	ssize_t n;
	int got;

	memset(ev, 0xa5, sizeof(*ev));
	got = poll(&pfd, 1, timeout_ms);
	if (got < 0)
		return -errno;
	if (got == 0)
		return -ETIMEDOUT;
	n = read(w, ev, sizeof(*ev));
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	return n == sizeof(*ev) ? 1 : -EIO;
}

/* Whether watch w has nothing queued now (a non-blocking look). */
static int queue_empty(int w)
{
	struct pollfd pfd = { .fd = w, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

FIXTURE(watch) {
	int dev, fd, w;
	char name[32];
	uint64_t seq;		/* of the last record read by EV() */
	unsigned long long queue_len0, max_watches0;
};

FIXTURE_SETUP(watch)
{
	self->queue_len0 = svm_get_param("watch_queue_len");
	self->max_watches0 = svm_get_param("user_max_watches");
	snprintf(self->name, sizeof(self->name), "watch-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, NULL);
	ASSERT_LE(0, self->fd);
	self->w = svm_watch_open(self->fd, SVM_WATCH_CLOEXEC, NULL);
	ASSERT_LE(0, self->w);
	self->seq = 0;
}

FIXTURE_TEARDOWN(watch)
{
	if (self->queue_len0)
		svm_set_param("watch_queue_len", self->queue_len0);
	if (self->max_watches0)
		svm_set_param("user_max_watches", self->max_watches0);
	close(self->w);
	if (self->fd >= 0)
		close(self->fd);
	close(self->dev);
}

/* The next record of the fixture's watch is this one, with the next seq. */
#define EV(type_, pid_, cause_, signo_, mappers_) do {			\
	struct svm_event __e;						\
									\
	ASSERT_EQ(1, next_ev(self->w, &__e, TMO));			\
	EXPECT_EQ(SVM_EVENT_SIZE_VER0, __e.size);			\
	EXPECT_EQ(++self->seq, __e.seq);				\
	EXPECT_EQ(type_, __e.type);					\
	EXPECT_EQ(pid_, __e.pid);					\
	EXPECT_EQ(cause_, __e.cause);					\
	EXPECT_EQ(signo_, __e.signo);					\
	EXPECT_EQ(mappers_, __e.mappers);				\
	EXPECT_EQ(0, __e.source);					\
	EXPECT_EQ(0, __e.lost);						\
} while (0)

#define EV_WIRE(type_, pid_, source_, mappers_) do {			\
	struct svm_event __e;						\
									\
	ASSERT_EQ(1, next_ev(self->w, &__e, TMO));			\
	EXPECT_EQ(++self->seq, __e.seq);				\
	EXPECT_EQ(type_, __e.type);					\
	EXPECT_EQ(pid_, __e.pid);					\
	EXPECT_EQ(source_, __e.source);					\
	EXPECT_EQ(mappers_, __e.mappers);				\
	EXPECT_EQ(0, __e.cause);					\
} while (0)

#define ATTACH(pid, mappers)	EV(SVM_EVENT_ATTACH, pid, 0, 0, mappers)
#define DETACH(pid, cause, signo, mappers) \
	EV(SVM_EVENT_DETACH, pid, cause, signo, mappers)

/* A child that holds its inherited mapping until the pipe closes. */
static pid_t hold_child(int *go)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		if (read(pfd[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfd[0]);
	*go = pfd[1];
	return pid;
}

TEST_F(watch, map_then_munmap)
{
	struct svm_event ev;
	struct timespec mono, real;
	void *p;

	p = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ASSERT_EQ(1, next_ev(self->w, &ev, TMO));
	EXPECT_EQ(SVM_EVENT_SIZE_VER0, ev.size);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(SVM_EVENT_ATTACH, ev.type);
	EXPECT_EQ(getpid(), ev.pid);
	EXPECT_EQ(1, ev.mappers);
	/* Queued before the clocks were read, and not long before. */
	EXPECT_GE(mono.tv_sec * 1000000000ULL + mono.tv_nsec, ev.mono_ns);
	EXPECT_GE(real.tv_sec * 1000000000ULL + real.tv_nsec, ev.real_ns);
	EXPECT_LT(real.tv_sec * 1000000000ULL + real.tv_nsec,
		  ev.real_ns + 60000000000ULL);
	self->seq = 1;
	ASSERT_EQ(0, munmap(p, LEN));
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	EXPECT_TRUE(queue_empty(self->w));
}

/* A split or a second VMA in the same address space is no new mapper. */
TEST_F(watch, split_mapping_is_one_mapper)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	ASSERT_EQ(0, mprotect(p, 4096, PROT_READ));	/* two VMAs now */
	ASSERT_EQ(0, munmap(p + 4096, 4096));		/* three */
	ASSERT_EQ(0, munmap(p, LEN));
	/* The next record is the detach: the splits made none. */
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
}

TEST_F(watch, fork_child_attaches_and_exits)
{
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int go, status;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	child = hold_child(&go);
	ASSERT_LT(0, child);
	ATTACH(child, 2);
	close(go);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	DETACH(child, SVM_CAUSE_EXIT, 0, 1);
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
}

/* A fork child that exits at once: its pid comes with its attach. */
TEST_F(watch, fork_child_exiting_at_once_is_named)
{
	void *p = svm_map(self->fd, LEN, PROT_READ);
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	child = fork();
	if (child == 0)
		_exit(7);
	ASSERT_LT(0, child);
	ATTACH(child, 2);
	DETACH(child, SVM_CAUSE_EXIT, 0, 1);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	munmap(p, LEN);
}

TEST_F(watch, exec_detaches)
{
	char *argv[] = { "svm_watch", NULL };
	char *envp[] = { "SVM_WATCH_EXEC=1", NULL };
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int status;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	child = fork();
	if (child == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(99);
	}
	ASSERT_LT(0, child);
	ATTACH(child, 2);
	DETACH(child, SVM_CAUSE_EXEC, 0, 1);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	EXPECT_TRUE(queue_empty(self->w));
}

TEST_F(watch, sigkill_detaches_with_the_signal)
{
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int go, status;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	child = hold_child(&go);
	ASSERT_LT(0, child);
	ATTACH(child, 2);
	ASSERT_EQ(0, kill(child, SIGKILL));
	DETACH(child, SVM_CAUSE_SIGNAL, SIGKILL, 1);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(go);
	munmap(p, LEN);
}

TEST_F(watch, sigsegv_detaches_with_the_signal)
{
	struct rlimit none = { 0, 0 };
	volatile int *bad = NULL;
	void *p = svm_map(self->fd, LEN, PROT_READ);
	int status;
	pid_t child;

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	child = fork();
	if (child == 0) {
		setrlimit(RLIMIT_CORE, &none);	/* no core file */
		*bad = 1;
		_exit(99);
	}
	ASSERT_LT(0, child);
	ATTACH(child, 2);
	DETACH(child, SVM_CAUSE_SIGNAL, SIGSEGV, 1);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	munmap(p, LEN);
}

/* A child that maps the region itself, in a thread group: exit_group. */
static void *sleeper(void *arg)
{
	pause();
	return arg;
}

TEST_F(watch, child_mapping_itself_exits_with_a_status)
{
	pthread_t t;
	pid_t child;
	int status;

	child = fork();
	if (child == 0) {
		if (svm_map(self->fd, LEN, PROT_READ) == MAP_FAILED ||
		    pthread_create(&t, NULL, sleeper, NULL))
			_exit(99);
		exit(3);
	}
	ASSERT_LT(0, child);
	ATTACH(child, 1);
	DETACH(child, SVM_CAUSE_EXIT, 0, 0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

/*
 * A mapper in a child pid namespace is named by its pid in the watcher's
 * namespace, not by its own (1).
 */
TEST_F(watch, pid_of_a_mapper_in_a_child_pid_namespace)
{
	int pfd[2], status;
	pid_t mid, g = 0;

	ASSERT_EQ(0, pipe(pfd));
	mid = fork();
	if (mid == 0) {
		if (unshare(CLONE_NEWPID))
			_exit(90);
		g = fork();
		if (g == 0) {
			void *p = svm_map(self->fd, LEN, PROT_READ);

			if (p == MAP_FAILED || getpid() != 1)
				_exit(91);
			munmap(p, LEN);
			_exit(0);
		}
		if (write(pfd[1], &g, sizeof(g)) != sizeof(g) ||
		    waitpid(g, &status, 0) != g || !WIFEXITED(status))
			_exit(92);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_LT(0, mid);
	close(pfd[1]);
	ASSERT_EQ(sizeof(g), read(pfd[0], &g, sizeof(g)));
	close(pfd[0]);
	ASSERT_LT(1, g);
	ATTACH(g, 1);
	DETACH(g, SVM_CAUSE_UNMAP, 0, 0);
	ASSERT_EQ(mid, waitpid(mid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Check one record in a child: 0, else a distinct exit code. */
static int child_ev(int w, unsigned int type, pid_t pid, unsigned int cause,
		    unsigned int mappers, int code)
{
	struct svm_event ev;

	if (next_ev(w, &ev, TMO) != 1)
		return code;
	if (ev.type != type || ev.pid != pid || ev.cause != cause ||
	    ev.mappers != mappers)
		return code + 1;
	return 0;
}

/*
 * A watcher in a child pid namespace sees 0 for a mapper outside it, and
 * its own pid there for itself.
 */
TEST_F(watch, watcher_in_a_child_pid_namespace_sees_0_outside)
{
	int ready[2], status;
	pid_t mid;
	char c = 0;
	void *p;

	ASSERT_EQ(0, pipe(ready));
	mid = fork();
	if (mid == 0) {
		pid_t g;

		if (unshare(CLONE_NEWPID))
			_exit(90);
		g = fork();
		if (g == 0) {
			int w = svm_watch_open(self->fd, 0, NULL), err;
			void *q;

			if (w < 0 || write(ready[1], &c, 1) != 1)
				_exit(91);
			err = child_ev(w, SVM_EVENT_ATTACH, 0, 0, 1, 10);
			if (err)
				_exit(err);
			q = svm_map(self->fd, LEN, PROT_READ);
			if (q == MAP_FAILED)
				_exit(92);
			err = child_ev(w, SVM_EVENT_ATTACH, 1, 0, 2, 20);
			if (err)
				_exit(err);
			munmap(q, LEN);
			_exit(child_ev(w, SVM_EVENT_DETACH, 1,
				       SVM_CAUSE_UNMAP, 1, 30));
		}
		if (waitpid(g, &status, 0) != g || !WIFEXITED(status))
			_exit(93);
		_exit(WEXITSTATUS(status));
	}
	ASSERT_LT(0, mid);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	p = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(mid, waitpid(mid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	munmap(p, LEN);
}

#define PAIRS		10000
#define PAIR_PROCS	4

/*
 * 10,000 attach/detach pairs by 4 processes while the watch is read:
 * every record in order with consecutive sequence numbers, or an
 * OVERFLOW accounting for each gap; all 20,000 events accounted for.
 */
TEST_F_TIMEOUT(watch, ten_thousand_pairs_all_accounted_for, 900)
{
	struct svm_stream s;
	pid_t pids[PAIR_PROCS];
	int i, j, n, status;

	svm_stream_init(&s, 0);
	for (i = 0; i < PAIR_PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			for (j = 0; j < PAIRS / PAIR_PROCS; j++) {
				void *p = svm_map(self->fd, LEN, PROT_READ);

				if (p == MAP_FAILED || munmap(p, LEN))
					_exit(1);
			}
			_exit(0);
		}
		ASSERT_LT(0, pids[i]);
	}
	while (s.of_type[SVM_EVENT_ATTACH] + s.of_type[SVM_EVENT_DETACH] +
	       s.lost < 2 * PAIRS) {
		n = svm_stream_read(self->w, &s, TMO);
		ASSERT_LT(0, n) TH_LOG("%s", s.err);
	}
	for (i = 0; i < PAIR_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	EXPECT_EQ(2 * PAIRS, s.of_type[SVM_EVENT_ATTACH] +
		  s.of_type[SVM_EVENT_DETACH] + s.lost);
	EXPECT_EQ(2 * PAIRS + 1, s.next_seq);
	EXPECT_EQ(s.records, s.of_type[SVM_EVENT_ATTACH] +
		  s.of_type[SVM_EVENT_DETACH] + s.of_type[SVM_EVENT_OVERFLOW]);
	EXPECT_TRUE(queue_empty(self->w));
	ksft_print_msg("%llu records, %llu overflows, %llu lost\n",
		       (unsigned long long)s.records,
		       (unsigned long long)s.of_type[SVM_EVENT_OVERFLOW],
		       (unsigned long long)s.lost);
}

/* Map and unmap n times. */
static int cycles(int fd, int n)
{
	while (n--) {
		void *p = svm_map(fd, LEN, PROT_READ);

		if (p == MAP_FAILED || munmap(p, LEN))
			return -1;
	}
	return 0;
}

TEST_F(watch, overflow_with_a_queue_of_4)
{
	struct svm_watch a;
	struct svm_event ev;
	int w, i;

	ASSERT_EQ(-1, svm_set_param("watch_queue_len", 3));	/* min 4 */
	ASSERT_EQ(0, svm_set_param("watch_queue_len", 4));
	w = svm_watch_open(self->fd, SVM_WATCH_NONBLOCK | SVM_WATCH_CLOEXEC,
			   &a);
	ASSERT_LE(0, w);
	EXPECT_EQ(4, a.queue_len);
	EXPECT_EQ(SVM_EVENT_SIZE_VER0, a.event_size);
	ASSERT_EQ(0, cycles(self->fd, 10));		/* 20 events */

	ASSERT_EQ(sizeof(ev), read(w, &ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_OVERFLOW, ev.type);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(16, ev.lost);
	EXPECT_EQ(0, ev.pid);
	EXPECT_EQ(0, ev.mappers);
	for (i = 17; i <= 20; i++) {
		ASSERT_EQ(sizeof(ev), read(w, &ev, sizeof(ev)));
		EXPECT_EQ(i, ev.seq);
		EXPECT_EQ(i % 2 ? SVM_EVENT_ATTACH : SVM_EVENT_DETACH, ev.type);
		EXPECT_EQ(i % 2, ev.mappers);
		EXPECT_EQ(getpid(), ev.pid);
	}
	EXPECT_EQ(-1, read(w, &ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
	close(w);
}

/* An overflow while reading: the counts go on from where they were. */
TEST_F(watch, overflow_twice_keeps_the_count)
{
	struct svm_event ev[2];
	int w;

	ASSERT_EQ(0, svm_set_param("watch_queue_len", 4));
	w = svm_watch_open(self->fd, SVM_WATCH_NONBLOCK, NULL);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, cycles(self->fd, 3));		/* 1..6: 1, 2 lost */
	ASSERT_EQ(2 * sizeof(ev[0]), read(w, ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_OVERFLOW, ev[0].type);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(2, ev[0].lost);
	EXPECT_EQ(3, ev[1].seq);
	ASSERT_EQ(0, cycles(self->fd, 2));		/* 7..10: 4..6 lost */
	ASSERT_EQ(2 * sizeof(ev[0]), read(w, ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_OVERFLOW, ev[0].type);
	EXPECT_EQ(4, ev[0].seq);
	EXPECT_EQ(3, ev[0].lost);
	EXPECT_EQ(7, ev[1].seq);
	EXPECT_EQ(SVM_EVENT_ATTACH, ev[1].type);
	close(w);
}

/*
 * A watcher that never reads holds up no mapper: 2,000 events go past a
 * full queue of 256, which keeps the newest.
 */
TEST_F(watch, unread_watch_does_not_block_mappers)
{
	struct svm_event ev;
	struct svm_watch a;
	int w, i;

	ASSERT_EQ(0, svm_set_param("watch_queue_len", 256));
	w = svm_watch_open(self->fd, SVM_WATCH_NONBLOCK, &a);
	ASSERT_LE(0, w);
	ASSERT_EQ(256, a.queue_len);
	ASSERT_EQ(0, cycles(self->fd, 1000));
	ASSERT_EQ(sizeof(ev), read(w, &ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_OVERFLOW, ev.type);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(2000 - 256, ev.lost);
	for (i = 2000 - 256 + 1; i <= 2000; i++) {
		ASSERT_EQ(sizeof(ev), read(w, &ev, sizeof(ev)));
		ASSERT_EQ(i, ev.seq);
	}
	EXPECT_EQ(SVM_EVENT_DETACH, ev.type);
	EXPECT_EQ(-1, read(w, &ev, sizeof(ev)));
	close(w);
}

/* Two watches have a queue each: neither steals from the other. */
TEST_F(watch, each_watch_sees_every_event)
{
	struct svm_event ev;
	void *p;
	int w2 = svm_watch_open(self->fd, 0, NULL);

	ASSERT_LE(0, w2);
	p = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	ASSERT_EQ(1, next_ev(w2, &ev, TMO));
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(SVM_EVENT_ATTACH, ev.type);
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	close(w2);
}

/* Watches closed with records queued leave nothing: refcount, charge. */
TEST_F(watch, closing_watches_frees_everything)
{
	long refcnt = svm_module_refcnt();
	int w[64], i;

	ASSERT_LT(0, refcnt);
	for (i = 0; i < 64; i++) {
		w[i] = svm_watch_open(self->fd, SVM_WATCH_CLOEXEC, NULL);
		ASSERT_LE(0, w[i]);
	}
	EXPECT_EQ(refcnt + 64, svm_module_refcnt());
	ASSERT_EQ(0, cycles(self->fd, 300));
	for (i = 0; i < 64; i++)
		close(w[i]);
	EXPECT_EQ(refcnt, svm_module_refcnt());
	/* The charges came back: the cap admits as many again. */
	ASSERT_EQ(0, svm_set_param("user_max_watches", 65));
	for (i = 0; i < 64; i++) {
		w[i] = svm_watch_open(self->fd, SVM_WATCH_CLOEXEC, NULL);
		ASSERT_LE(0, w[i]);
	}
	for (i = 0; i < 64; i++)
		close(w[i]);
}

/* A watch is no holder: closing the last fd destroys the region. */
TEST_F(watch, removed_then_destroyed_then_end_of_file)
{
	struct pollfd pfd = { .fd = self->w, .events = POLLIN };
	struct svm_event ev;
	void *p = svm_map(self->fd, LEN, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	ASSERT_EQ(0, svm_remove_name(self->dev, self->name));
	EV(SVM_EVENT_REMOVED, getpid(), 0, 0, 1);
	close(self->fd);
	self->fd = -1;
	/* The mapping still holds it. */
	EXPECT_TRUE(queue_empty(self->w));
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	EV(SVM_EVENT_DESTROYED, 0, 0, 0, 0);
	ASSERT_EQ(1, poll(&pfd, 1, TMO));
	EXPECT_EQ(POLLIN | POLLHUP, pfd.revents);
	EXPECT_EQ(0, read(self->w, &ev, sizeof(ev)));
	EXPECT_EQ(0, read(self->w, &ev, sizeof(ev)));
}

TEST_F(watch, persistent_region_removed_is_destroyed)
{
	struct svm_event ev;
	int fd, w;

	fd = svm_open_region(self->dev, "watch-persist", LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL | SVM_OPEN_PERSIST,
			     0600, NULL);
	ASSERT_LE(0, fd);
	w = svm_watch_open(fd, 0, NULL);
	ASSERT_LE(0, w);
	close(fd);
	ASSERT_EQ(0, svm_remove_name(self->dev, "watch-persist"));
	ASSERT_EQ(1, next_ev(w, &ev, TMO));
	EXPECT_EQ(SVM_EVENT_REMOVED, ev.type);
	EXPECT_EQ(1, ev.seq);
	EXPECT_EQ(getpid(), ev.pid);
	ASSERT_EQ(1, next_ev(w, &ev, TMO));
	EXPECT_EQ(SVM_EVENT_DESTROYED, ev.type);
	EXPECT_EQ(2, ev.seq);
	EXPECT_EQ(0, next_ev(w, &ev, TMO));
	close(w);
}

/*
 * The names of a dead IPC namespace are removed by the module itself:
 * REMOVED with no process, then DESTROYED.
 */
TEST_F(watch, dead_namespace_removes_with_pid_0)
{
	struct svm_event ev;
	int sv[2], w = -1, status;
	char c;
	pid_t child;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	child = fork();
	if (child == 0) {
		int dev, fd, cw;

		if (unshare(CLONE_NEWIPC))
			_exit(90);
		dev = svm_dev_open();
		fd = svm_open_region(dev, "watch-ns", LEN,
				     SVM_OPEN_CREATE | SVM_OPEN_PERSIST, 0600,
				     NULL);
		cw = fd < 0 ? -1 : svm_watch_open(fd, 0, NULL);
		if (cw < 0 || svm_send_fd(sv[1], "w", 1, cw))
			_exit(91);
		_exit(0);
	}
	ASSERT_LT(0, child);
	ASSERT_EQ(0, svm_recv_fd(sv[0], &c, 1, &w));
	ASSERT_LE(0, w);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(1, next_ev(w, &ev, TMO));
	EXPECT_EQ(SVM_EVENT_REMOVED, ev.type);
	EXPECT_EQ(0, ev.pid);
	ASSERT_EQ(1, next_ev(w, &ev, TMO));
	EXPECT_EQ(SVM_EVENT_DESTROYED, ev.type);
	EXPECT_EQ(0, next_ev(w, &ev, TMO));
	close(w);
	close(sv[0]);
	close(sv[1]);
}

/* SVID locks: WIRED at the first, UNWIRED at the last unlock only. */
TEST_F(watch, svid_lock_wires_and_unwires)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EV_WIRE(SVM_EVENT_WIRED, getpid(), SVM_WIRE_SRC_SVID, 0);
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_TRUE(queue_empty(self->w));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EV_WIRE(SVM_EVENT_UNWIRED, getpid(), SVM_WIRE_SRC_SVID, 0);
	EXPECT_EQ(-EINVAL, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_TRUE(queue_empty(self->w));
}

/* Destruction unwires: UNWIRED (no process) before DESTROYED. */
TEST_F(watch, destroying_a_locked_region_unwires_it)
{
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	EV_WIRE(SVM_EVENT_WIRED, getpid(), SVM_WIRE_SRC_SVID, 0);
	close(self->fd);
	self->fd = -1;
	EV_WIRE(SVM_EVENT_UNWIRED, 0, SVM_WIRE_SRC_SVID, 0);
	EV(SVM_EVENT_DESTROYED, 0, 0, 0, 0);
}

/*
 * mlock(2) is seen when the module looks (SVM_IOC_INFO here); a mlocked
 * mapper's unmapping unwires the region, seen when its mapping closes.
 */
TEST_F(watch, mlock_seen_at_info_and_unmap)
{
	struct svm_info info;
	void *p = svm_map(self->fd, LEN, PROT_READ);

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	ASSERT_EQ(0, mlock(p, LEN));
	EXPECT_TRUE(queue_empty(self->w));	/* mlock(2) tells no driver */
	ASSERT_EQ(0, svm_get_info(self->fd, &info));
	EXPECT_TRUE(info.flags & SVM_REGION_WIRED);
	EV_WIRE(SVM_EVENT_WIRED, 0, SVM_WIRE_SRC_MLOCK, 1);
	/* Already wired: the SVID lock changes nothing. */
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd, SVM_WIRE_UNLOCK));
	EXPECT_TRUE(queue_empty(self->w));
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	EV_WIRE(SVM_EVENT_UNWIRED, 0, SVM_WIRE_SRC_MLOCK, 0);
}

/* MAP_LOCKED wires at once, seen shortly after the mapping opens. */
TEST_F(watch, map_locked_wires)
{
	void *p = mmap(NULL, LEN, PROT_READ, MAP_SHARED | MAP_LOCKED,
		       self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ATTACH(getpid(), 1);
	EV_WIRE(SVM_EVENT_WIRED, 0, SVM_WIRE_SRC_MLOCK, 1);
	munmap(p, LEN);
	DETACH(getpid(), SVM_CAUSE_UNMAP, 0, 0);
	EV_WIRE(SVM_EVENT_UNWIRED, 0, SVM_WIRE_SRC_MLOCK, 0);
}

TEST_F(watch, mlocked_mapper_killed_unwires)
{
	int pfd[2], go[2], status;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, pipe(go));
	child = fork();
	if (child == 0) {
		void *p = svm_map(self->fd, LEN, PROT_READ);

		if (p == MAP_FAILED || mlock(p, LEN) ||
		    write(pfd[1], "x", 1) != 1)
			_exit(90);
		if (read(go[0], &c, 1) < 0)
			_exit(91);
		_exit(0);
	}
	ASSERT_LT(0, child);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	ATTACH(child, 1);
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	EV_WIRE(SVM_EVENT_WIRED, 0, SVM_WIRE_SRC_MLOCK, 1);
	ASSERT_EQ(0, kill(child, SIGKILL));
	DETACH(child, SVM_CAUSE_SIGNAL, SIGKILL, 0);
	EV_WIRE(SVM_EVENT_UNWIRED, 0, SVM_WIRE_SRC_MLOCK, 0);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	close(pfd[0]);
	close(pfd[1]);
	close(go[0]);
	close(go[1]);
}

static int watch_as_user(void *arg)
{
	int w = svm_watch_open(*(int *)arg, 0, NULL);

	return w < 0 ? -w : 0;
}

TEST_F(watch, needs_read_permission)
{
	int fd;

	/* 0600, root's: another uid may not watch it, even holding an fd. */
	EXPECT_EQ(EACCES, svm_as_user(watch_as_user, &self->fd));
	fd = svm_open_region(self->dev, "watch-0604", LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0604, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, svm_as_user(watch_as_user, &fd));
	close(fd);
}

/* As uid 1000: max watches, then ENOSPC; one closed admits another. */
static int cap_as_user(void *arg)
{
	int fd = *(int *)arg, w[3], i;

	for (i = 0; i < 2; i++) {
		w[i] = svm_watch_open(fd, 0, NULL);
		if (w[i] < 0)
			return 10 + i;
	}
	if (svm_watch_open(fd, 0, NULL) != -ENOSPC)
		return 20;
	close(w[0]);
	w[2] = svm_watch_open(fd, 0, NULL);
	return w[2] < 0 ? 30 : 0;
}

TEST_F(watch, per_user_cap_is_enospc)
{
	int fd;

	fd = svm_open_region(self->dev, "watch-cap", LEN,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0644, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_set_param("user_max_watches", 2));
	EXPECT_EQ(0, svm_as_user(cap_as_user, &fd));
	/* Root's own watch (the fixture's) counts for root only. */
	EXPECT_EQ(0, svm_as_user(cap_as_user, &fd));
	close(fd);
}

TEST_F(watch, bad_arguments_are_einval)
{
	struct svm_watch a;
	struct {
		struct svm_watch a;
		uint32_t more[2];
	} big;
	struct svm_event ev;
	char small[SVM_EVENT_SIZE_VER0 - 1];
	char small2[SVM_EVENT_SIZE_VER0 * 3 / 2];

	memset(&a, 0, sizeof(a));
	a.size = 8;
	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WATCH, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, svm_watch_open(self->fd, 1U << 2, NULL));
	EXPECT_EQ(-EINVAL, svm_watch_open(self->fd, 1U << 31, NULL));
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.event_size = SVM_EVENT_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WATCH, &a));
	EXPECT_EQ(EINVAL, errno);
	a.event_size = SVM_EVENT_SIZE_MAX + 8;
	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WATCH, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&big, 0, sizeof(big));
	big.a.size = sizeof(big);
	big.more[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SVM_IOC_WATCH, &big));
	EXPECT_EQ(E2BIG, errno);
	/* On /dev/svm it is no request. */
	a.event_size = 0;
	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_WATCH, &a));
	EXPECT_EQ(ENOTTY, errno);
	/* A read must have room for a whole record. */
	ASSERT_EQ(0, cycles(self->fd, 1));
	EXPECT_EQ(-1, read(self->w, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	/* Whole records only: one fits in 1.5. */
	ASSERT_EQ(sizeof(ev), read(self->w, small2, sizeof(small2)));
	memcpy(&ev, small2, sizeof(ev));
	EXPECT_EQ(1, ev.seq);
}

/* A longer record than the kernel's is zero-padded; a shorter refused. */
TEST_F(watch, event_size_pads_with_zeroes)
{
	struct svm_watch a;
	unsigned char buf[2 * 96];
	struct svm_event ev;
	int w, i;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.event_size = 96;
	w = ioctl(self->fd, SVM_IOC_WATCH, &a);
	ASSERT_LE(0, w);
	EXPECT_EQ(96, a.event_size);
	ASSERT_EQ(0, cycles(self->fd, 1));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(sizeof(buf), read(w, buf, sizeof(buf)));
	memcpy(&ev, buf, sizeof(ev));
	EXPECT_EQ(SVM_EVENT_SIZE_VER0, ev.size);
	EXPECT_EQ(SVM_EVENT_ATTACH, ev.type);
	for (i = sizeof(ev); i < 96; i++)
		EXPECT_EQ(0, buf[i]);
	memcpy(&ev, buf + 96, sizeof(ev));
	EXPECT_EQ(2, ev.seq);
	EXPECT_EQ(SVM_EVENT_DETACH, ev.type);
	close(w);
}

TEST_F(watch, flags_cloexec_and_nonblock)
{
	struct svm_event ev;
	int w;

	EXPECT_EQ(FD_CLOEXEC, fcntl(self->w, F_GETFD));
	EXPECT_EQ(O_RDONLY, fcntl(self->w, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	w = svm_watch_open(self->fd, SVM_WATCH_NONBLOCK, NULL);
	ASSERT_LE(0, w);
	EXPECT_EQ(0, fcntl(w, F_GETFD));
	EXPECT_EQ(O_NONBLOCK, fcntl(w, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-1, read(w, &ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
	close(w);
	/* The fixture's blocks: poll says when to read. */
	EXPECT_TRUE(queue_empty(self->w));
}

/* A blocked read is woken by the event. */
TEST_F(watch, blocked_read_wakes_up)
{
	struct svm_event ev;
	pid_t child;

	child = fork();
	if (child == 0) {
		/* Not before the parent is likely blocked; either is fine. */
		usleep(100000);
		_exit(cycles(self->fd, 1) ? 1 : 0);
	}
	ASSERT_LT(0, child);
	ASSERT_EQ(sizeof(ev), read(self->w, &ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_ATTACH, ev.type);
	EXPECT_EQ(child, ev.pid);
	ASSERT_EQ(sizeof(ev), read(self->w, &ev, sizeof(ev)));
	EXPECT_EQ(SVM_EVENT_DETACH, ev.type);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
}

TEST_HARNESS_MAIN
