// SPDX-License-Identifier: GPL-2.0
/*
 * Atomicity: racing creators of one name, exclusive creators, create
 * against the last unmap and close, and concurrent placement.
 *
 * A "crowd" is NPROC forked children released at once: each blocks on
 * reading a start pipe until the test closes its write end, does its
 * part, writes a fixed-size report to a results pipe (atomic: smaller
 * than PIPE_BUF), and keeps what it holds until the test closes a go pipe.
 * Children never use the harness's macros and always _exit(); the test
 * checks with EXPECT_* while children live, so that it always reaches the
 * release and reaps every child, and uses ASSERT_* only before forking or
 * after reaping.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define NPROC		32
#define GRANULE		4096ULL
#define RACE_LEN	(4 * GRANULE)
#define ROUNDS		200

struct report {
	int		ret;		/* 0, or -errno of open/mmap */
	int		idx;
	uint32_t	out_flags;
	uint32_t	pad;
	uint64_t	addr;		/* svm_open.addr */
	uint64_t	len;		/* svm_open.length */
	uint64_t	id;
	uint64_t	mapped;		/* where mmap put it, or 0 */
};

/* What one child does once released; fills rep and keeps what it holds. */
typedef void (*crowd_fn)(int dev, int idx, const char *name,
			 struct report *rep);

struct crowd {
	pid_t	pids[NPROC];
	int	n;		/* children forked */
	int	start_w;	/* closed to release them */
	int	go_w;		/* closed to let them exit */
	int	res_r;		/* their reports */
};

static void close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Read exactly len bytes; 0 or -1 (EOF or error). */
static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Block until every writer of fd has closed it. */
static void wait_eof(int fd)
{
	ssize_t n;
	char c;

	do
		n = read(fd, &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
}

static void crowd_child(int start_r, int go_r, int res_w, int idx,
			const char *name, crowd_fn fn)
{
	struct report rep = { .ret = -ECHILD, .idx = idx };
	int dev = svm_dev_open(), dev_errno = errno;
	ssize_t n;
	char c;

	/* Block until released: EOF is go, a byte means the test gave up. */
	do
		n = read(start_r, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0)
		_exit(4);
	if (dev >= 0)
		fn(dev, idx, name, &rep);
	else
		rep.ret = -dev_errno;
	if (write(res_w, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	close(res_w);
	/* Keep the fd and mappings until the test says go. */
	wait_eof(go_r);
	_exit(0);
}

/*
 * Fork the crowd, all blocked before fn.  Returns 0, or -1 with every
 * child forked so far already reaped.
 */
static int crowd_fork(struct crowd *c, const char *name, crowd_fn fn)
{
	int start[2], go[2], res[2], i;

	c->n = 0;
	if (pipe2(start, O_CLOEXEC))
		return -1;
	if (pipe2(go, O_CLOEXEC)) {
		close_pair(start);
		return -1;
	}
	if (pipe2(res, O_CLOEXEC)) {
		close_pair(start);
		close_pair(go);
		return -1;
	}
	for (i = 0; i < NPROC; i++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0) {
			close(start[1]);
			close(go[1]);
			close(res[0]);
			crowd_child(start[0], go[0], res[1], i, name, fn);
			_exit(3);	/* not reached */
		}
		c->pids[c->n++] = pid;
	}
	close(start[0]);
	close(go[0]);
	close(res[1]);
	c->start_w = start[1];
	c->go_w = go[1];
	c->res_r = res[0];
	if (c->n == NPROC)
		return 0;
	/* Tell those forked to give up, and reap them. */
	for (i = 0; i < c->n; i++)
		(void)!write(c->start_w, "x", 1);
	close(c->start_w);
	close(c->go_w);
	close(c->res_r);
	for (i = 0; i < c->n; i++)
		waitpid(c->pids[i], NULL, 0);
	return -1;
}

/* Release the crowd and collect one report per child; returns how many. */
static int crowd_run(struct crowd *c, struct report *reps)
{
	int n = 0;

	close(c->start_w);
	while (n < c->n && read_full(c->res_r, &reps[n], sizeof(reps[n])) == 0)
		n++;
	return n;
}

/* Let the children exit, reap them; returns how many exited with 0. */
static int crowd_finish(struct crowd *c)
{
	int i, status, clean = 0;

	close(c->go_w);
	close(c->res_r);
	for (i = 0; i < c->n; i++)
		if (waitpid(c->pids[i], &status, 0) == c->pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			clean++;
	return clean;
}

/* ---- what the children do ---------------------------------------------- */

static void open_one(int dev, const char *name, unsigned int flags,
		     struct report *rep)
{
	struct svm_open o;
	int fd = svm_open_region(dev, name, RACE_LEN, flags, 0600, &o);

	rep->ret = fd < 0 ? fd : 0;
	if (fd < 0)
		return;
	rep->out_flags = o.out_flags;
	rep->addr = o.addr;
	rep->len = o.length;
	rep->id = o.id;
	/* The fd stays open: the child holds the region until go. */
}

static void create_or_open(int dev, int idx, const char *name,
			   struct report *rep)
{
	(void)idx;
	open_one(dev, name, SVM_OPEN_CREATE, rep);
}

static void create_excl(int dev, int idx, const char *name,
			struct report *rep)
{
	(void)idx;
	open_one(dev, name, SVM_OPEN_CREATE | SVM_OPEN_EXCL, rep);
}

/* Own region name-idx of (idx % 4 + 1) granules, created and mapped. */
static void create_own_and_map(int dev, int idx, const char *name,
			       struct report *rep)
{
	char own[SVM_NAME_MAX];
	struct svm_open o;
	void *p;
	int fd;

	snprintf(own, sizeof(own), "%s-%d", name, idx);
	fd = svm_open_region(dev, own, (idx % 4 + 1) * GRANULE,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &o);
	rep->ret = fd < 0 ? fd : 0;
	if (fd < 0)
		return;
	rep->out_flags = o.out_flags;
	rep->addr = o.addr;
	rep->len = o.length;
	rep->id = o.id;
	p = svm_map(fd, o.length, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		rep->ret = -errno;
		return;
	}
	rep->mapped = (uintptr_t)p;
	memset(p, idx + 1, o.length);	/* touch it all */
}

/* ---- the fixture ------------------------------------------------------- */

FIXTURE(race) {
	int dev;
	struct svm_window start;
	char name[SVM_NAME_MAX];
};

FIXTURE_SETUP(race)
{
	snprintf(self->name, sizeof(self->name), "race-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->start));
}

FIXTURE_TEARDOWN(race)
{
	close(self->dev);
}

static int nr_regions(int dev)
{
	struct svm_window w;

	return svm_get_window(dev, &w) ? -1 : (int)w.nr_regions;
}

TEST_F(race, racing_creators_get_exactly_one_creator_and_one_region)
{
	struct report reps[NPROC];
	struct crowd c;
	int i, n, creators = 0;

	ASSERT_EQ(0, crowd_fork(&c, self->name, create_or_open));
	n = crowd_run(&c, reps);
	EXPECT_EQ(NPROC, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, reps[i].ret) TH_LOG("child %d", reps[i].idx);
		EXPECT_EQ(0, reps[i].out_flags & ~SVM_OPEN_CREATED);
		creators += !!(reps[i].out_flags & SVM_OPEN_CREATED);
		EXPECT_EQ(reps[0].addr, reps[i].addr);
		EXPECT_EQ(reps[0].id, reps[i].id);
		EXPECT_EQ(RACE_LEN, reps[i].len);
	}
	EXPECT_EQ(1, creators);
	EXPECT_EQ(self->start.nr_regions + 1, nr_regions(self->dev));
	EXPECT_EQ(NPROC, crowd_finish(&c));
	/* The children were its only holders. */
	EXPECT_TRUE(POLL_UNTIL(nr_regions(self->dev) ==
			       (int)self->start.nr_regions, 5000));
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, self->name, 0, 0, 0,
					   NULL));
}

TEST_F(race, racing_exclusive_creators_one_wins_rest_get_eexist)
{
	struct report reps[NPROC];
	struct crowd c;
	int i, n, winners = 0, eexist = 0;

	ASSERT_EQ(0, crowd_fork(&c, self->name, create_excl));
	n = crowd_run(&c, reps);
	EXPECT_EQ(NPROC, n);
	for (i = 0; i < n; i++) {
		if (reps[i].ret == 0) {
			winners++;
			EXPECT_EQ(SVM_OPEN_CREATED, reps[i].out_flags);
		} else {
			EXPECT_EQ(-EEXIST, reps[i].ret);
			eexist += reps[i].ret == -EEXIST;
		}
	}
	EXPECT_EQ(1, winners);
	EXPECT_EQ(NPROC - 1, eexist);
	EXPECT_EQ(self->start.nr_regions + 1, nr_regions(self->dev));
	EXPECT_EQ(NPROC, crowd_finish(&c));
	EXPECT_TRUE(POLL_UNTIL(nr_regions(self->dev) ==
			       (int)self->start.nr_regions, 5000));
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, self->name, 0, 0, 0,
					   NULL));
}

static int cmp_by_addr(const void *a, const void *b)
{
	const struct report *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

TEST_F(race, concurrent_creators_of_distinct_names_get_disjoint_ranges)
{
	struct report reps[NPROC];
	struct svm_window w;
	uint64_t taken = 0;
	struct crowd c;
	int i, n;

	ASSERT_EQ(0, crowd_fork(&c, self->name, create_own_and_map));
	n = crowd_run(&c, reps);
	EXPECT_EQ(NPROC, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, reps[i].ret) TH_LOG("child %d", reps[i].idx);
		EXPECT_EQ(SVM_OPEN_CREATED, reps[i].out_flags);
		EXPECT_EQ((reps[i].idx % 4 + 1) * GRANULE, reps[i].len);
		EXPECT_EQ(reps[i].addr, reps[i].mapped);
		EXPECT_LE(self->start.base, reps[i].addr);
		EXPECT_GE(self->start.base + self->start.length,
			  reps[i].addr + reps[i].len + GRANULE);
		taken += reps[i].len + GRANULE;
	}
	/* Each region and its guard granule clear of the next region. */
	qsort(reps, n, sizeof(reps[0]), cmp_by_addr);
	for (i = 1; i < n; i++)
		EXPECT_LE(reps[i - 1].addr + reps[i - 1].len + GRANULE,
			  reps[i].addr)
			TH_LOG("children %d and %d overlap",
			       reps[i - 1].idx, reps[i].idx);
	EXPECT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.nr_regions + NPROC, w.nr_regions);
	EXPECT_EQ(self->start.free - taken, w.free);
	EXPECT_EQ(NPROC, crowd_finish(&c));
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(self->dev, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions, 5000));
	EXPECT_EQ(self->start.free, w.free);
}

/* ---- create against the last unmap ------------------------------------- */

/*
 * The writer creates the name, maps it, fills it with the round's pattern,
 * publishes a ready word, then drops its mapping and fd (in either order,
 * so that the last reference goes by close or by munmap).  The reader
 * create-or-opens the same name at the same time, maps it read-only and
 * checks what it sees: before the ready word each byte is 0 or the
 * pattern's, after it every byte is the pattern's; a byte from another
 * round, or any other value, is a region that was not fresh.  A two-way
 * pipe barrier starts each round for both.
 */
#define READY(round)	(0x5eadd00d00000000ULL | (uint64_t)(round))

struct lu_report {
	int		failed_round;	/* -1 when all rounds passed */
	int		what;		/* LU_* */
	int64_t		value;		/* errno, offset or byte */
	/* The reader's counts of what it saw, and of regions it created. */
	int		zeros, partial, full, created;
};

enum {
	LU_OK, LU_BARRIER, LU_OPEN, LU_ADDR, LU_MAP, LU_NOT_FRESH,
	LU_GARBAGE_READY, LU_GARBAGE_BYTE, LU_TORN_AFTER_READY,
};

static const char * const lu_what[] = {
	"ok", "barrier", "open", "address", "mmap", "writer found old data",
	"bad ready word", "byte neither 0 nor pattern",
	"byte not pattern after ready",
};

static uint8_t lu_byte(int round, uint64_t off)
{
	return (uint8_t)((round * 131 + off) % 255 + 1);	/* never 0 */
}

/* Both sides of a round start together: send a byte, wait for one. */
static int barrier(int to_peer, int from_peer)
{
	char c = 'b';

	if (write(to_peer, &c, 1) != 1)
		return -1;
	return read_full(from_peer, &c, 1);
}

static void lu_fail(int res_w, struct lu_report *r, int round, int what,
		    int64_t value)
{
	r->failed_round = round;
	r->what = what;
	r->value = value;
	(void)!write(res_w, r, sizeof(*r));
	_exit(1);
}

static void lu_writer(int dev, const char *name, int to_peer, int from_peer,
		      int res_w)
{
	struct lu_report r = { .failed_round = -1 };
	uint64_t off;
	volatile uint8_t *p;
	struct svm_open o;
	int round, fd;

	for (round = 0; round < ROUNDS; round++) {
		if (barrier(to_peer, from_peer))
			lu_fail(res_w, &r, round, LU_BARRIER, 0);
		fd = svm_open_region(dev, name, RACE_LEN, SVM_OPEN_CREATE,
				     0600, &o);
		if (fd < 0)
			lu_fail(res_w, &r, round, LU_OPEN, fd);
		p = svm_map(fd, RACE_LEN, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED)
			lu_fail(res_w, &r, round, LU_MAP, -errno);
		if ((uintptr_t)p != o.addr)
			lu_fail(res_w, &r, round, LU_ADDR, (int64_t)o.addr);
		/* Fresh this round: nobody but this writer writes. */
		if (*(volatile uint64_t *)p != 0)
			lu_fail(res_w, &r, round, LU_NOT_FRESH,
				(int64_t)*(volatile uint64_t *)p);
		for (off = 8; off < RACE_LEN; off++)
			p[off] = lu_byte(round, off);
		__atomic_store_n((uint64_t *)p, READY(round),
				 __ATOMIC_RELEASE);
		if (round & 1) {
			close(fd);
			munmap((void *)p, RACE_LEN);	/* the last ref */
		} else {
			munmap((void *)p, RACE_LEN);
			close(fd);			/* the last ref */
		}
	}
	(void)!write(res_w, &r, sizeof(r));
	_exit(0);
}

static void lu_reader(int dev, const char *name, int to_peer, int from_peer,
		      int res_w)
{
	struct lu_report r = { .failed_round = -1 };
	volatile uint8_t *p;
	struct svm_open o;
	uint64_t ready, off;
	int round, fd, nonzero;
	volatile unsigned long spin;

	for (round = 0; round < ROUNDS; round++) {
		if (barrier(to_peer, from_peer))
			lu_fail(res_w, &r, round, LU_BARRIER, 0);
		/* Vary when the open lands in the writer's sequence. */
		for (spin = 0; spin < (round % 16) * 4000UL; spin++)
			;
		fd = svm_open_region(dev, name, RACE_LEN,
				     SVM_OPEN_CREATE | SVM_OPEN_RDONLY, 0600,
				     &o);
		if (fd < 0)
			lu_fail(res_w, &r, round, LU_OPEN, fd);
		r.created += !!(o.out_flags & SVM_OPEN_CREATED);
		p = svm_map(fd, RACE_LEN, PROT_READ);
		if (p == MAP_FAILED)
			lu_fail(res_w, &r, round, LU_MAP, -errno);
		if ((uintptr_t)p != o.addr)
			lu_fail(res_w, &r, round, LU_ADDR, (int64_t)o.addr);
		ready = __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
		if (ready != 0 && ready != READY(round))
			lu_fail(res_w, &r, round, LU_GARBAGE_READY,
				(int64_t)ready);
		nonzero = 0;
		for (off = 8; off < RACE_LEN; off++) {
			uint8_t b = p[off];

			if (ready && b != lu_byte(round, off))
				lu_fail(res_w, &r, round, LU_TORN_AFTER_READY,
					(int64_t)off);
			if (b && b != lu_byte(round, off))
				lu_fail(res_w, &r, round, LU_GARBAGE_BYTE,
					(int64_t)off);
			nonzero += !!b;
		}
		if (ready)
			r.full++;
		else if (nonzero)
			r.partial++;
		else
			r.zeros++;
		munmap((void *)p, RACE_LEN);
		close(fd);
	}
	(void)!write(res_w, &r, sizeof(r));
	_exit(0);
}

TEST_F(race, create_against_last_unmap_never_sees_a_stale_region)
{
	int w2r[2], r2w[2], wres[2], rres[2], status;
	struct lu_report wr = { .failed_round = -2 }, rd = wr;
	pid_t writer, reader;

	ASSERT_EQ(0, pipe2(w2r, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(r2w, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(wres, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rres, O_CLOEXEC));
	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		/* A dead peer then gives EPIPE, which is reported. */
		signal(SIGPIPE, SIG_IGN);
		close(w2r[0]);
		close(r2w[1]);
		close(wres[0]);
		close_pair(rres);
		lu_writer(self->dev, self->name, w2r[1], r2w[0], wres[1]);
	}
	reader = fork();
	if (reader == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(r2w[0]);
		close(w2r[1]);
		close(rres[0]);
		close_pair(wres);
		lu_reader(self->dev, self->name, r2w[1], w2r[0], rres[1]);
	}
	/* Only the children hold the barrier pipes: a death ends the other. */
	close_pair(w2r);
	close_pair(r2w);
	close(wres[1]);
	close(rres[1]);
	if (reader < 0)
		kill(writer, SIGKILL);
	EXPECT_LE(0, reader);
	EXPECT_EQ(0, read_full(wres[0], &wr, sizeof(wr)));
	EXPECT_EQ(0, read_full(rres[0], &rd, sizeof(rd)));
	close(wres[0]);
	close(rres[0]);
	EXPECT_EQ(writer, waitpid(writer, &status, 0));
	EXPECT_EQ(0, status);
	if (reader > 0) {
		EXPECT_EQ(reader, waitpid(reader, &status, 0));
		EXPECT_EQ(0, status);
	}
	EXPECT_EQ(-1, wr.failed_round)
		TH_LOG("writer, round %d: %s (%lld)", wr.failed_round,
		       wr.failed_round >= 0 ? lu_what[wr.what] : "no report",
		       (long long)wr.value);
	EXPECT_EQ(-1, rd.failed_round)
		TH_LOG("reader, round %d: %s (%lld)", rd.failed_round,
		       rd.failed_round >= 0 ? lu_what[rd.what] : "no report",
		       (long long)rd.value);
	TH_LOG("reader saw zeros %d, partial %d, full %d; created %d of %d",
	       rd.zeros, rd.partial, rd.full, rd.created, ROUNDS);
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, self->name, 0, 0, 0,
					   NULL));
	EXPECT_TRUE(POLL_UNTIL(nr_regions(self->dev) ==
			       (int)self->start.nr_regions, 5000));
}

TEST_HARNESS_MAIN
