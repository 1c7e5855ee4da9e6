// SPDX-License-Identifier: GPL-2.0
/*
 * svm-bench: svm against SysV shm, POSIX shm and memfd, side by side in one
 * run.  Runs as root inside the test guest ('make bench'), where it may
 * reload svm.ko (SVM_KO names it) and change module and sysctl parameters;
 * it puts them back before it exits.
 *
 *   svm-bench [-q] [-r REPS] [-b BACKEND,...] [-p PAGES] [-s SECTION[,...]]
 *
 *   cycle   create, map, touch every page, unmap, destroy (1..4096 pages)
 *   open    open an existing region by name among 10..100,000
 *   place   place a new region in a fragmented window (1 GiB .. 1 TiB)
 *   touch   touch every page of a 256 MiB region: 4 KiB pages, and huge
 *           (SVM_OPEN_HUGE, a file on a huge=within_size tmpfs)
 *   wire    wire and unwire a 256 MiB region: the SVID lock, mlock(2)
 *   kmem    kernel memory per region, over 10,000 regions
 *   pte     page-table bytes of each of 100 mappers of 1 GiB (4 KiB, huge)
 *   walk    a dependent random walk, a load a page, over 1 GiB (4 KiB, huge)
 *   mappers SVM_IOC_MAPPERS of a region with 1..2048 mappers, and with
 *           2000 more processes on the system that do not map it
 *   watch   SIGKILL of a mapper to its DETACH read from a watch, against
 *           to its pidfd readable; map/unmap with a watcher attached
 *
 * -q divides the repetition counts (never below 30) and the region counts
 * of 'open' and 'kmem' by ten, for a quick try; -r REPS forces every row
 * to REPS repetitions (a trial, below the 30 a real run needs); -b BACKEND
 * (or a comma-separated list of them) runs only that backend's rows (svm, svmk, sysv, posix, memfd, svm-huge,
 * tmpfs-huge, svm-lock, svm-mlock, mlock, shm-lock, svm-watch, pidfd,
 * svm-watch-read), to profile one with
 * perf, and -p PAGES only the cycle of that size.
 *
 * The process pins itself to CPU 0 and sets transparent hugepages to
 * "never" (for anonymous memory and shmem alike) while it runs.  Every row
 * is measured after a warm-up, the backends of a section alternating chunk
 * by chunk (run_rows()) so that a slow patch of the host hits them all
 * alike.  Results go to stdout as CSV between the lines "svm-bench: csv
 * begin" and "svm-bench: csv end":
 *
 *   section,case,backend,param,median,p99,n,unit
 *
 * median and p99 (nearest rank) are nanoseconds on CLOCK_MONOTONIC (unit
 * "ns"), picoseconds a load for the walk (unit "ps"), bytes per region for
 * the kmem section and bytes of page tables per GiB mapped for the pte
 * section (unit "B"), or kB mapped with PMDs (touch-pmd, unit "kB": the
 * least in "median", the most in "p99").  Progress goes to stderr.
 *
 * Huge pages are fixed per backend: "svm-huge" is an SVM_OPEN_HUGE region
 * (the module's huge=within_size tmpfs), "tmpfs-huge" a file on a tmpfs
 * mounted huge=within_size at HUGE_MNT; everything else gets 4 KiB pages
 * (shmem_enabled "never").  Each of those rows says how much of it was
 * mapped with PMDs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svmk.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define GIB		(1UL << 30)
#define TOUCH_BYTES	(256 * MIB)
#define SYSV_KEY_BASE	0x5e000000
#define MAX_BACKENDS	6

static int quick;
static int force_reps;		/* -r: a trial run with this many */
static const char *only;	/* -b: run this backend's rows alone */
static int only_pages;		/* -p: the cycle of this many pages alone */
static int dev = -1;		/* /dev/svm */
static int shmmni;		/* SysV segments we may have */

/* ---- plumbing ---------------------------------------------------------- */

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	va_start(ap, fmt);
	fprintf(stderr, "svm-bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "svm-bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void touch(volatile char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
}

/*
 * Let the work that creating or removing many objects leaves behind (RCU
 * callbacks freeing inodes and dentries, hash table resizing) finish
 * before anything is timed: one RCU grace period, then a pause.
 */
static void settle(void)
{
	syscall(__NR_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0);
	sleep(1);
}

static int reps(int n)
{
	if (force_reps)
		return force_reps;
	if (quick)
		n /= 10;
	return n < 30 ? 30 : n;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* Whether s is in the comma-separated list (everything if list is NULL). */
static int want(const char *list, const char *s)
{
	const char *p = list;
	size_t n = strlen(s);

	if (!list)
		return 1;
	while ((p = strstr(p, s))) {
		if ((p == list || p[-1] == ',') &&
		    (p[n] == 0 || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

/* ---- statistics and output --------------------------------------------- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void row(const char *section, const char *c, const char *backend,
		const char *param, long long median, long long p99, int n,
		const char *unit)
{
	printf("%s,%s,%s,%s,%lld,%lld,%d,%s\n", section, c, backend, param,
	       median, p99, n, unit);
	fflush(stdout);
}

/*
 * Median and nearest-rank 99th percentile of n samples, as one CSV row;
 * unit NULL is "ns".
 */
static void emit(const char *section, const char *c, const char *backend,
		 const char *param, long long *s, int n, const char *unit)
{
	long long median;
	int rank;

	qsort(s, n, sizeof(*s), cmp_ll);
	median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	rank = (99 * n + 99) / 100;	/* ceil(0.99 n) */
	row(section, c, backend, param, median, s[rank - 1], n,
	    unit ? unit : "ns");
	if (!unit)
		note("%-6s %-12s %-10s %-8s median %10.1f us  p99 %10.1f us",
		     section, c, backend, param, median / 1e3,
		     s[rank - 1] / 1e3);
	else
		note("%-6s %-12s %-10s %-8s median %10lld %s  p99 %10lld %s",
		     section, c, backend, param, median, unit, s[rank - 1],
		     unit);
}

/*
 * One benchmark row per backend: fn(arg) runs one repetition and returns
 * the nanoseconds it measured (or another unit: the row's unit), and may
 * do untimed setup around that; it may also leave a second measurement in
 * *aux (unwiring after wiring), reported as section aux_section.  enter
 * and leave, if set, run untimed around each chunk of the row, on arg.
 * c and param, if set, replace run_rows()'s for this row (rows of one
 * backend in different states, alternating).
 */
typedef long long (*rep_fn)(void *arg);

#define ROW(name, f, a)	{ .backend = (name), .fn = (f), .arg = (a) }

struct bench_row {
	const char	*backend;
	rep_fn		fn;
	void		*arg;
	void		(*enter)(void *arg);
	void		(*leave)(void *arg);
	const char	*unit;		/* NULL: "ns" */
	long long	*aux;
	const char	*aux_section;
	const char	*c, *param;
	long long	*samples, *aux_samples;
};

/*
 * n timed repetitions of each row, in chunks: chunk k runs the rows one
 * after the other (their order rotated by k), each with warm discarded
 * repetitions (warm0 in the first chunk) and then its share of the timed
 * ones back to back.  Chunks spread every row over the same stretch of
 * time, since the load on the host that runs QEMU drifts; the repetitions
 * inside a chunk find the row's code and data warm, as in steady use.
 */
static void run_rows(const char *section, const char *c, const char *param,
		     struct bench_row *rows, int nrows, int n, int chunks,
		     int warm0, int warm)
{
	int k, i, r, done[MAX_BACKENDS] = { 0 };

	for (i = 0; i < nrows; i++) {
		rows[i].samples = calloc(n, sizeof(long long));
		rows[i].aux_samples = calloc(n, sizeof(long long));
		if (!rows[i].samples || !rows[i].aux_samples)
			die("calloc");
	}
	for (k = 0; k < chunks; k++) {
		int count = n * (k + 1) / chunks - n * k / chunks;

		for (i = 0; i < nrows; i++) {
			int b = (i + k) % nrows;
			struct bench_row *row = &rows[b];

			if (!want(only, row->backend))
				continue;
			if (row->enter)
				row->enter(row->arg);
			for (r = -(k ? warm : warm0); r < count; r++) {
				long long t = row->fn(row->arg);

				if (r < 0)
					continue;
				row->samples[done[b]] = t;
				if (row->aux)
					row->aux_samples[done[b]] = *row->aux;
				done[b]++;
			}
			if (row->leave)
				row->leave(row->arg);
		}
	}
	for (i = 0; i < nrows; i++) {
		const char *rc = rows[i].c ? rows[i].c : c;
		const char *rp = rows[i].param ? rows[i].param : param;

		if (!want(only, rows[i].backend))
			continue;
		emit(section, rc, rows[i].backend, rp, rows[i].samples, n,
		     rows[i].unit);
		if (rows[i].aux)
			emit(rows[i].aux_section, rc, rows[i].backend, rp,
			     rows[i].aux_samples, n, rows[i].unit);
		free(rows[i].samples);
		free(rows[i].aux_samples);
	}
}

/* Repetitions of seconds each: one a chunk, one warm-up in all. */
#define HEAVY(n)	(n), (n), 1, 0
/* Short ones: ten chunks, each after a short warm-up. */
#define LIGHT(n)	(n), 10, 5, 2

/* ---- svm helpers ------------------------------------------------------- */

static int svm_open_fd(const char *name, uint64_t len, unsigned int flags)
{
	struct svm_open o = {
		.size = sizeof(o), .flags = flags | SVM_OPEN_CLOEXEC,
		.name = (uintptr_t)name, .length = len, .mode = 0600,
	};

	return ioctl(dev, SVM_IOC_OPEN, &o);
}

static void svm_remove(const char *name)
{
	struct svm_remove a = { .size = sizeof(a), .name = (uintptr_t)name };

	if (ioctl(dev, SVM_IOC_REMOVE, &a))
		die("SVM_IOC_REMOVE %s", name);
}

static void svm_window(struct svm_window *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	if (ioctl(dev, SVM_IOC_WINDOW, w))
		die("SVM_IOC_WINDOW");
}

static void svm_wire(int fd, unsigned int op)
{
	struct svm_wire a = { .size = sizeof(a), .op = op };

	if (ioctl(fd, SVM_IOC_WIRE, &a))
		die("SVM_IOC_WIRE %u", op);
}

static void dev_open(void)
{
	dev = open(SVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("open %s", SVM_DEVICE);
}

static void set_param(const char *name, unsigned long val)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/svm/parameters/%s", name);
	snprintf(buf, sizeof(buf), "%lu", val);
	if (write_file(path, buf))
		die("write %s", path);
}

static unsigned long get_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/svm/parameters/%s", name);
	if (read_file(path, buf, sizeof(buf)))
		die("read %s", path);
	return strtoul(buf, NULL, 0);
}

/* Unload svm.ko and load it again with params (as the selftests do). */
static void svm_reload(const char *params)
{
	const char *ko = getenv("SVM_KO");
	struct stat st;
	int fd, i;

	if (!ko)
		die("SVM_KO not set: not running in the test guest");
	close(dev);
	dev = -1;
	if (syscall(__NR_delete_module, "svm", O_NONBLOCK))
		die("rmmod svm");
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(__NR_finit_module, fd, params, 0))
		die("insmod %s %s", ko, params);
	close(fd);
	for (i = 0; i < 5000 && stat(SVM_DEVICE, &st); i++)
		usleep(1000);
	dev_open();
}

/* ---- 1. the full cycle -------------------------------------------------- */

static long long cycle_svm(void *arg)
{
	size_t len = *(size_t *)arg;
	long long t0 = now_ns();
	int fd = svm_open_fd("bench-cycle", len,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL);
	char *p;

	if (fd < 0)
		die("svm create");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("svm mmap");
	touch(p, len);
	munmap(p, len);
	close(fd);
	return now_ns() - t0;
}

static struct svmk *lib;

static long long cycle_svmk(void *arg)
{
	size_t len = *(size_t *)arg;
	long long t0 = now_ns();
	struct svmk_region *reg;
	int err;

	err = svmk_region_open(lib, "bench-cycle-lib", len,
			       SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &reg);
	if (err) {
		errno = -err;
		die("svmk_region_open");
	}
	touch(svmk_region_addr(reg), len);
	svmk_region_close(reg);
	return now_ns() - t0;
}

static long long cycle_sysv(void *arg)
{
	size_t len = *(size_t *)arg;
	long long t0 = now_ns();
	int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	char *p;

	if (id < 0)
		die("shmget");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	touch(p, len);
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	return now_ns() - t0;
}

static long long cycle_posix(void *arg)
{
	size_t len = *(size_t *)arg;
	long long t0 = now_ns();
	int fd = shm_open("/bench-cycle", O_CREAT | O_EXCL | O_RDWR, 0600);
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		die("shm_open/ftruncate");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("posix mmap");
	touch(p, len);
	munmap(p, len);
	close(fd);
	shm_unlink("/bench-cycle");
	return now_ns() - t0;
}

static long long cycle_memfd(void *arg)
{
	size_t len = *(size_t *)arg;
	long long t0 = now_ns();
	int fd = memfd_create("bench-cycle", MFD_CLOEXEC);
	char *p;

	if (fd < 0 || ftruncate(fd, len))
		die("memfd_create/ftruncate");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("memfd mmap");
	touch(p, len);
	munmap(p, len);
	close(fd);
	return now_ns() - t0;
}

static void svmk_enter(void *arg)
{
	int err = svmk_open(&lib, 0);

	(void)arg;
	if (err) {
		errno = -err;
		die("svmk_open");
	}
}

static void svmk_leave(void *arg)
{
	(void)arg;
	svmk_close(lib);
	lib = NULL;
}

static void bench_cycle(void)
{
	static const size_t pages[] = { 1, 16, 256, 4096 };
	static const int n[] = { 200, 100, 40, 30 };
	unsigned int i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		size_t len = pages[i] * PAGE;
		/*
		 * svmk: the library, whose handle reserves the window; its
		 * mapping replaces the placeholder and its unmap puts it back.
		 * The handle lives only during svmk's own chunks, so the raw
		 * svm row never runs inside a reservation.
		 */
		struct bench_row rows[] = {
			ROW("svm", cycle_svm, &len),
			{ .backend = "svmk", .fn = cycle_svmk, .arg = &len,
			  .enter = svmk_enter, .leave = svmk_leave },
			ROW("sysv", cycle_sysv, &len),
			ROW("posix", cycle_posix, &len),
			ROW("memfd", cycle_memfd, &len),
		};
		char param[32];

		if (only_pages && pages[i] != (size_t)only_pages)
			continue;
		snprintf(param, sizeof(param), "%zu", pages[i]);
		if (pages[i] >= 4096)
			run_rows("cycle", "pages", param, rows, 5,
				 HEAVY(reps(n[i])));
		else
			run_rows("cycle", "pages", param, rows, 5,
				 LIGHT(reps(n[i])));
	}
}

/* ---- 2. open by name ---------------------------------------------------- */

struct open_ctx {
	int	have;		/* regions (and peers) present */
	int	sysv;		/* SysV peers present */
	int	next;		/* rotating index of the one to open */
};

static int pick(struct open_ctx *c, int have)
{
	/* A fixed stride through all names, so no one name stays hot. */
	c->next = (int)(((long long)c->next + 7919) % have);
	return c->next;
}

static long long open_svm(void *arg)
{
	struct open_ctx *c = arg;
	char name[32];
	long long t0;
	int fd;

	snprintf(name, sizeof(name), "o-%d", pick(c, c->have));
	t0 = now_ns();
	fd = svm_open_fd(name, 0, 0);
	if (fd < 0)
		die("svm open %s", name);
	close(fd);
	return now_ns() - t0;
}

static long long open_sysv(void *arg)
{
	struct open_ctx *c = arg;
	key_t key = SYSV_KEY_BASE + pick(c, c->sysv);
	long long t0 = now_ns();

	if (shmget(key, 0, 0600) < 0)
		die("shmget existing %#x", key);
	return now_ns() - t0;
}

static long long open_posix(void *arg)
{
	struct open_ctx *c = arg;
	char name[32];
	long long t0;
	int fd;

	snprintf(name, sizeof(name), "/o-%d", pick(c, c->have));
	t0 = now_ns();
	fd = shm_open(name, O_RDWR, 0);
	if (fd < 0)
		die("shm_open %s", name);
	close(fd);
	return now_ns() - t0;
}

static void open_populate(int from, int to, int sysv_to)
{
	char name[32];
	int i, fd;

	for (i = from; i < to; i++) {
		snprintf(name, sizeof(name), "o-%d", i);
		fd = svm_open_fd(name, PAGE,
				 SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				 SVM_OPEN_PERSIST);
		if (fd < 0)
			die("svm create %s", name);
		close(fd);
		snprintf(name, sizeof(name), "/o-%d", i);
		fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0 || ftruncate(fd, PAGE))
			die("shm_open %s", name);
		close(fd);
		if (i < sysv_to &&
		    shmget(SYSV_KEY_BASE + i, PAGE, IPC_CREAT | IPC_EXCL | 0600) < 0)
			die("shmget %d", i);
	}
}

static struct open_ctx *open_c;

/* The rows of one count; SysV left out when it could not have them all. */
static void open_rows(struct bench_row *rows, int sysv)
{
	int n = 0;

	rows[n++] = (struct bench_row)ROW("svm", open_svm, open_c);
	if (sysv)
		rows[n++] = (struct bench_row)ROW("sysv", open_sysv, open_c);
	rows[n++] = (struct bench_row)ROW("posix", open_posix, open_c);
}

static void open_unlink(int i, int sysv)
{
	char name[32];

	snprintf(name, sizeof(name), "o-%d", i);
	svm_remove(name);
	snprintf(name, sizeof(name), "/o-%d", i);
	shm_unlink(name);
	if (i < sysv)
		shmctl(shmget(SYSV_KEY_BASE + i, 0, 0), IPC_RMID, NULL);
}

static void bench_open(void)
{
	static const int counts[] = { 10, 1000, 10000, 100000 };
	unsigned long old_max = get_param("max_regions");
	unsigned long old_umax = get_param("user_max_regions");
	struct bench_row rows[3];
	struct open_ctx c = { 0 };
	int i, sysv_max = shmmni - 100, k;
	char param[32];

	open_c = &c;
	k = quick ? counts[3] / 10 : counts[3];
	set_param("max_regions", k + 1000);
	set_param("user_max_regions", k + 1000);
	if (sysv_max < k)
		note("SysV: kernel.shmmni is only %d (no ipcmni_extend): SysV rows stop at %d",
		     shmmni, sysv_max);

	for (i = 0; i < 4; i++) {
		int want = quick && counts[i] > 100 ? counts[i] / 10 : counts[i];
		long long t0 = now_ns();

		open_populate(c.have, want,
			      want < sysv_max ? want : sysv_max);
		note("open: %d regions of each kind made in %.1f s", want,
		     (now_ns() - t0) / 1e9);
		c.have = want;
		c.sysv = want < sysv_max ? want : sysv_max;
		settle();
		snprintf(param, sizeof(param), "%d", want);
		open_rows(rows, c.sysv == want);
		run_rows("open", "regions", param, rows,
			 c.sysv == want ? 3 : 2, LIGHT(reps(1000)));
	}

	/*
	 * Back down to the first count and measure it again: the host's
	 * load drifts over the minute it took to get up to the most.
	 */
	for (i = c.have - 1; i >= counts[0]; i--)
		open_unlink(i, c.sysv);
	c.have = c.sysv = counts[0];
	settle();
	snprintf(param, sizeof(param), "%d", counts[0]);
	open_rows(rows, 1);
	run_rows("open", "regions-again", param, rows, 3, LIGHT(reps(1000)));
	for (i = 0; i < c.have; i++)
		open_unlink(i, c.sysv);
	set_param("max_regions", old_max);
	set_param("user_max_regions", old_umax);
}

/* ---- 3. placement ------------------------------------------------------- */

#define PLACE_PAIRS	500	/* holes left in the occupied span */
#define PLACE_PAGES	4	/* the new region: larger than any hole */

static long long place_svm(void *arg)
{
	long long t0 = now_ns();
	int fd = svm_open_fd("place-new", PLACE_PAGES * PAGE,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL);

	(void)arg;
	if (fd < 0)
		die("svm create place-new");
	close(fd);
	return now_ns() - t0;
}

static void place_create(const char *name, unsigned long pages)
{
	int fd = svm_open_fd(name, pages * PAGE,
			     SVM_OPEN_CREATE | SVM_OPEN_EXCL | SVM_OPEN_PERSIST);

	if (fd < 0)
		die("svm create %s (%lu pages)", name, pages);
	close(fd);
}

/*
 * Occupy pct % of the window's granules, fragmented: PLACE_PAIRS pairs of
 * a keeper (b pages) and a victim (1 page) are made first fit, then every
 * victim (every other region) is freed, leaving PLACE_PAIRS two-granule
 * holes spread over the occupied span; one filler region makes up the
 * rounding.  Returns the number of persistent regions left.
 */
static int place_fill(unsigned long granules, int pct, unsigned long *filler)
{
	unsigned long target = granules * pct / 100, b, rem;
	char name[32];
	int i;

	*filler = 0;
	if (!pct)
		return 0;
	b = target / PLACE_PAIRS - 1;		/* each keeper: b + 1 granules */
	/*
	 * A keeper of SVM_HUGE_SIZE or more starts on a multiple of it: make
	 * each pair (keeper, victim and their guard granules) a multiple of
	 * it, so that the next keeper starts where the victim ends and the
	 * victims' holes are the only ones.
	 */
	if (b >= SVM_HUGE_SIZE / PAGE)
		b = (b + 3) / (SVM_HUGE_SIZE / PAGE) * (SVM_HUGE_SIZE / PAGE) - 3;
	rem = target - PLACE_PAIRS * (b + 1);
	for (i = 0; i < PLACE_PAIRS; i++) {
		snprintf(name, sizeof(name), "k-%d", i);
		place_create(name, b);
		snprintf(name, sizeof(name), "v-%d", i);
		place_create(name, 1);
	}
	if (rem >= 2) {
		*filler = rem - 1;
		place_create("filler", *filler);
	}
	for (i = 0; i < PLACE_PAIRS; i++) {
		snprintf(name, sizeof(name), "v-%d", i);
		svm_remove(name);
	}
	return PLACE_PAIRS;
}

static void place_empty(int keepers, unsigned long filler)
{
	char name[32];
	int i;

	for (i = 0; i < keepers; i++) {
		snprintf(name, sizeof(name), "k-%d", i);
		svm_remove(name);
	}
	if (filler)
		svm_remove("filler");
}

static void bench_place(void)
{
	static const unsigned long windows[] = { GIB, 64 * GIB, 1024 * GIB };
	static const char *const wname[] = { "1GiB", "64GiB", "1TiB" };
	static const int fills[] = { 0, 10, 50, 90, 99 };
	struct bench_row rows[] = { ROW("svm", place_svm, NULL) };
	unsigned int w, f;
	char params[64];

	for (w = 0; w < 3; w++) {
		snprintf(params, sizeof(params), "window_size=%lu", windows[w]);
		svm_reload(params);
		set_param("user_max_bytes", windows[w]);
		for (f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
			unsigned long granules = windows[w] / PAGE, filler;
			struct svm_window win;
			long long t0 = now_ns();
			char c[32];
			int keepers;

			keepers = place_fill(granules, fills[f], &filler);
			svm_window(&win);
			settle();
			note("place: window %s filled to %d%% in %.1f s: %llu of %llu bytes free, largest free extent %llu, %u regions",
			     wname[w], fills[f], (now_ns() - t0) / 1e9,
			     (unsigned long long)win.free,
			     (unsigned long long)win.length,
			     (unsigned long long)win.largest_free,
			     win.nr_regions);
			snprintf(c, sizeof(c), "fill%d", fills[f]);
			/* The occupancy reached, in parts per million. */
			row("place-occupancy", c, "svm", wname[w],
			    (long long)((win.length - win.free) * 1000000.0 /
					win.length),
			    (long long)((win.length - win.free) * 1000000.0 /
					win.length), 1, "ppm");
			run_rows("place", c, wname[w], rows, 1,
				 reps(w == 2 ? 100 : 200), 1, 10, 0);
			place_empty(keepers, filler);
		}
		/* The empty window again, for the drift over the fills. */
		settle();
		run_rows("place", "fill0-again", wname[w], rows, 1, reps(200),
			 1, 10, 0);
	}
	svm_reload("");
}

/* ---- 4. touching every page --------------------------------------------- */

#define HUGE_MNT	"/tmp/hugetmpfs"

/* kB of field (e.g. "ShmemPmdMapped") in this process's smaps entry at addr. */
static long smaps_kb(const void *addr, const char *field)
{
	char line[256], want[64];
	unsigned long start, end;
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		die("open /proc/self/smaps");
	snprintf(want, sizeof(want), "%s: %%ld kB", field);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = start == (uintptr_t)addr;
			continue;
		}
		if (in && sscanf(line, want, &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * The memory a backend's row maps: a fresh object of len bytes, mapped
 * shared, read and write, at the address the kernel picks (a region's
 * own).  svm and svm-huge: regions (SVM_OPEN_HUGE for the second);
 * memfd; tmpfs-huge: a file on the huge=within_size tmpfs at HUGE_MNT,
 * unlinked at once.  *fdp gets the descriptor.
 */
enum { B_SVM, B_SVM_HUGE, B_TMPFS_HUGE, B_MEMFD };

static char *map_fresh(int kind, const char *name, size_t len, int *fdp)
{
	char path[64];
	int fd;
	char *p;

	switch (kind) {
	case B_SVM:
	case B_SVM_HUGE:
		fd = svm_open_fd(name, len, SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				 (kind == B_SVM_HUGE ? SVM_OPEN_HUGE : 0));
		if (fd < 0)
			die("svm create %s", name);
		break;
	case B_TMPFS_HUGE:
		snprintf(path, sizeof(path), HUGE_MNT "/%s", name);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || unlink(path) || ftruncate(fd, len))
			die("%s", path);
		break;
	default:
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, len))
			die("memfd");
		break;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s", name);
	*fdp = fd;
	return p;
}

struct touch_ctx {
	int	kind;
	long	pmd_least, pmd_most;	/* kB PMD-mapped after a touch */
	int	seen;			/* touches, warm-up ones too */
};

static long long touch_rep(void *arg)
{
	struct touch_ctx *c = arg;
	long long t0;
	long kb;
	int fd;
	char *p = map_fresh(c->kind, "bench-touch", TOUCH_BYTES, &fd);

	t0 = now_ns();
	touch(p, TOUCH_BYTES);
	t0 = now_ns() - t0;
	kb = smaps_kb(p, "ShmemPmdMapped");
	if (c->pmd_least < 0 || kb < c->pmd_least)
		c->pmd_least = kb;
	if (kb > c->pmd_most)
		c->pmd_most = kb;
	c->seen++;
	munmap(p, TOUCH_BYTES);
	close(fd);
	return t0;
}

/* The tmpfs whose huge=within_size gives a file huge pages (as svm's own). */
static void huge_mount(void)
{
	mkdir(HUGE_MNT, 0700);
	if (mount("hugetmpfs", HUGE_MNT, "tmpfs", 0, "huge=within_size"))
		die("mount tmpfs -o huge=within_size on " HUGE_MNT);
}

static void huge_umount(void)
{
	if (umount(HUGE_MNT))
		die("umount " HUGE_MNT);
	rmdir(HUGE_MNT);
}

static void bench_touch(void)
{
	static const struct { const char *name; int kind; } b[] = {
		{ "svm", B_SVM }, { "memfd", B_MEMFD },
		{ "svm-huge", B_SVM_HUGE }, { "tmpfs-huge", B_TMPFS_HUGE },
	};
	struct touch_ctx ctx[4];
	struct bench_row rows[4];
	int i;

	huge_mount();
	for (i = 0; i < 4; i++) {
		ctx[i] = (struct touch_ctx){ .kind = b[i].kind,
					     .pmd_least = -1 };
		rows[i] = (struct bench_row)ROW(b[i].name, touch_rep, &ctx[i]);
	}
	run_rows("touch", "256MiB", "65536", rows, 4, HEAVY(reps(30)));
	/* How much of each was mapped with PMDs, least and most. */
	for (i = 0; i < 4; i++)
		if (want(only, b[i].name))
			row("touch-pmd", "256MiB", b[i].name, "65536",
			    ctx[i].pmd_least, ctx[i].pmd_most, ctx[i].seen,
			    "kB");
	huge_umount();
}

/* ---- 5. wiring and unwiring --------------------------------------------- */

/*
 * Each repetition wires a fresh, untouched 256 MiB region and unwires it;
 * the unwire time is left in the context as the row's aux.
 */
enum { W_SVM_LOCK, W_SVM_MLOCK, W_MLOCK, W_SHM_LOCK, W_NR };

struct wire_ctx {
	int		kind;
	long long	unwire;		/* ns, of the last repetition */
};

static long long wire_rep(void *arg)
{
	struct wire_ctx *c = arg;
	long long t0, t1, t2;
	char *p = NULL;
	int fd = -1, id = -1;

	switch (c->kind) {
	case W_SVM_LOCK:
		/* The SVID lock: the region need not be mapped. */
		fd = svm_open_fd("bench-wire", TOUCH_BYTES,
				 SVM_OPEN_CREATE | SVM_OPEN_EXCL);
		if (fd < 0)
			die("svm create bench-wire");
		t0 = now_ns();
		svm_wire(fd, SVM_WIRE_LOCK);
		t1 = now_ns();
		svm_wire(fd, SVM_WIRE_UNLOCK);
		t2 = now_ns();
		close(fd);
		break;
	case W_SVM_MLOCK:
	case W_MLOCK:
		/*
		 * POSIX mlock of a region is mlock(2) of its mapping (what
		 * svmk_region_mlock() does), as of a memfd's: both populate
		 * the untouched mapping.
		 */
		p = map_fresh(c->kind == W_MLOCK ? B_MEMFD : B_SVM,
			      "bench-wire", TOUCH_BYTES, &fd);
		t0 = now_ns();
		if (mlock(p, TOUCH_BYTES))
			die("mlock");
		t1 = now_ns();
		if (munlock(p, TOUCH_BYTES))
			die("munlock");
		t2 = now_ns();
		munmap(p, TOUCH_BYTES);
		close(fd);
		break;
	default:
		id = shmget(IPC_PRIVATE, TOUCH_BYTES, IPC_CREAT | 0600);
		if (id < 0)
			die("shmget");
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		t0 = now_ns();
		if (shmctl(id, SHM_LOCK, NULL))
			die("SHM_LOCK");
		touch(p, TOUCH_BYTES);
		t1 = now_ns();
		if (shmctl(id, SHM_UNLOCK, NULL))
			die("SHM_UNLOCK");
		t2 = now_ns();
		shmdt(p);
		shmctl(id, IPC_RMID, NULL);
		break;
	}
	c->unwire = t2 - t1;
	return t1 - t0;
}

static void bench_wire(void)
{
	static const char *const names[W_NR] = {
		"svm-lock", "svm-mlock", "mlock", "shm-lock"
	};
	struct wire_ctx ctx[W_NR];
	struct bench_row rows[W_NR];
	int i;

	for (i = 0; i < W_NR; i++) {
		ctx[i] = (struct wire_ctx){ .kind = i };
		rows[i] = (struct bench_row){
			.backend = names[i], .fn = wire_rep, .arg = &ctx[i],
			.aux = &ctx[i].unwire, .aux_section = "unwire",
		};
	}
	/* Rows "wire" and, from aux, "unwire". */
	run_rows("wire", "256MiB", "65536", rows, W_NR, HEAVY(reps(30)));
}

/* ---- 6. kernel memory per region ---------------------------------------- */

#define MAX_CACHES	512

struct cache {
	char		name[64];
	long long	bytes;		/* active objects * object size */
};

struct kmem {
	struct cache	c[MAX_CACHES];
	int		n;
	long long	slab_kb, sunreclaim_kb, vmalloc_kb, percpu_kb;
	long long	memfree_kb;
};

static long long meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : 0;
}

static void kmem_read(struct kmem *k)
{
	static char buf[1 << 18];
	char *line, *save;
	int fd;
	ssize_t len = 0, r;

	/*
	 * Flush per-CPU slabs so that slabinfo's active counts are exact,
	 * and let RCU-deferred frees finish.
	 */
	sync();
	write_file("/proc/sys/vm/drop_caches", "2");
	usleep(200000);
	if (system("for f in /sys/kernel/slab/*/shrink; do echo 1 >$f; done 2>/dev/null"))
		note("slab shrink failed");

	fd = open("/proc/slabinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/slabinfo");
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	k->n = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long long active, total, size;
		char name[64];

		if (sscanf(line, "%63s %lld %lld %lld", name, &active, &total,
			   &size) != 4 || k->n == MAX_CACHES)
			continue;
		snprintf(k->c[k->n].name, sizeof(k->c[k->n].name), "%s", name);
		k->c[k->n++].bytes = active * size;
	}
	if (read_file("/proc/meminfo", buf, sizeof(buf)))
		die("read /proc/meminfo");
	k->slab_kb = meminfo_kb(buf, "\nSlab:");
	k->sunreclaim_kb = meminfo_kb(buf, "\nSUnreclaim:");
	k->vmalloc_kb = meminfo_kb(buf, "\nVmallocUsed:");
	k->percpu_kb = meminfo_kb(buf, "\nPercpu:");
	k->memfree_kb = meminfo_kb(buf, "MemFree:");
}

/*
 * Rows for one backend: the sum of slab object bytes, then the meminfo
 * cross-checks, then each cache that moved by at least 8 bytes a region.
 */
static void kmem_report(const char *backend, struct kmem *a, struct kmem *b,
			int count)
{
	long long total = 0, d;
	char param[32];
	int i, j;

	snprintf(param, sizeof(param), "%d", count);
	for (j = 0; j < b->n; j++) {
		d = b->c[j].bytes;
		for (i = 0; i < a->n; i++)
			if (!strcmp(a->c[i].name, b->c[j].name))
				d -= a->c[i].bytes;
		total += d;
		if (d / count >= 8 || d / count <= -8)
			row("kmem-cache", b->c[j].name, backend, param,
			    d / count, d / count, count, "B");
	}
	row("kmem", "slab-objects", backend, param, total / count,
	    total / count, count, "B");
	d = (b->slab_kb - a->slab_kb) * 1024;
	row("kmem", "meminfo-slab", backend, param, d / count, d / count, count,
	    "B");
	d = (b->vmalloc_kb - a->vmalloc_kb + b->percpu_kb - a->percpu_kb) * 1024;
	row("kmem", "vmalloc+percpu", backend, param, d / count, d / count,
	    count, "B");
	d = (a->memfree_kb - b->memfree_kb) * 1024;
	row("kmem", "memfree-drop", backend, param, d / count, d / count,
	    count, "B");
	note("kmem: %s: %lld bytes of slab objects a region over %d", backend,
	     total / count, count);
}

static void bench_kmem(void)
{
	static struct kmem before, after;
	int count = quick ? 1000 : 10000, i, fd;
	int *fds = calloc(count, sizeof(int));
	char name[32];

	if (!fds)
		die("calloc");

	/* svm: persistent regions of one page, no fd, never mapped. */
	kmem_read(&before);
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "m-%d", i);
		fd = svm_open_fd(name, PAGE, SVM_OPEN_CREATE | SVM_OPEN_EXCL |
					     SVM_OPEN_PERSIST);
		if (fd < 0)
			die("svm create %s", name);
		close(fd);
	}
	kmem_read(&after);
	kmem_report("svm", &before, &after, count);
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "m-%d", i);
		svm_remove(name);
	}

	/* SysV: segments of one page, never attached. */
	kmem_read(&before);
	for (i = 0; i < count; i++)
		if ((fds[i] = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600)) < 0)
			die("shmget");
	kmem_read(&after);
	kmem_report("sysv", &before, &after, count);
	for (i = 0; i < count; i++)
		shmctl(fds[i], IPC_RMID, NULL);

	/* POSIX: one-page files in /dev/shm, closed. */
	kmem_read(&before);
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "/m-%d", i);
		fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
		if (fd < 0 || ftruncate(fd, PAGE))
			die("shm_open %s", name);
		close(fd);
	}
	kmem_read(&after);
	kmem_report("posix", &before, &after, count);
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "/m-%d", i);
		shm_unlink(name);
	}

	/* memfd: lives only as long as its fd, so the fd is counted. */
	kmem_read(&before);
	for (i = 0; i < count; i++) {
		fds[i] = memfd_create("m", MFD_CLOEXEC);
		if (fds[i] < 0 || ftruncate(fds[i], PAGE))
			die("memfd_create");
	}
	kmem_read(&after);
	kmem_report("memfd", &before, &after, count);
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
}

/* ---- 7. page tables per mapper ------------------------------------------ */

#define BIG_BYTES	GIB		/* pte and walk */
#define PTE_MAPPERS	100

/* VmPTE of process pid in kB (0 for this one), from /proc/PID/status. */
static long vmpte_kb(pid_t pid)
{
	char path[64], buf[4096];
	const char *v;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	if (read_file(path, buf, sizeof(buf)) || !(v = strstr(buf, "\nVmPTE:")))
		die("VmPTE of %s", path);
	return strtol(v + 7, NULL, 10);
}

static void region_info(int fd, struct svm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, SVM_IOC_INFO, info))
		die("SVM_IOC_INFO");
}

/*
 * PTE_MAPPERS processes map the same populated BIG_BYTES region and read
 * a byte of every 4 KiB page of it (faulting it in, around each fault as
 * shmem maps), then wait until all have; each one's VmPTE, read from
 * /proc/PID/status once all are mapping, less its VmPTE before it mapped,
 * is the page tables its mapping cost: reported in bytes per GiB mapped.
 */
static void pte_backend(const char *backend, int kind)
{
	long long *s = calloc(PTE_MAPPERS, sizeof(long long));
	pid_t pid[PTE_MAPPERS];
	int res[2], go[2], fd, i, status;
	long before[PTE_MAPPERS];
	struct svm_info info;
	char *p, c;

	if (!s || pipe(res) || pipe(go))
		die("pte setup");
	/* Populate it (untimed), then this process stops mapping it. */
	p = map_fresh(kind, "bench-pte", BIG_BYTES, &fd);
	touch(p, BIG_BYTES);
	munmap(p, BIG_BYTES);
	region_info(fd, &info);
	for (i = 0; i < PTE_MAPPERS; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (!pid[i]) {
			volatile char *q;
			long kb = vmpte_kb(0);
			unsigned long off, sum = 0;

			close(res[0]);
			close(go[1]);
			q = mmap(NULL, BIG_BYTES, PROT_READ, MAP_SHARED, fd, 0);
			if (q == MAP_FAILED)
				_exit(1);
			for (off = 0; off < BIG_BYTES; off += PAGE)
				sum += q[off];
			if (write(res[1], &kb, sizeof(kb)) != sizeof(kb))
				_exit(2);
			/* Until the parent closes go: all map at once. */
			_exit(read(go[0], &c, 1) < 0 || sum == 1);
		}
		if (read(res[0], &before[i], sizeof(before[i])) !=
		    sizeof(before[i]))
			die("mapper %d", i);
	}
	close(res[0]);
	close(res[1]);
	close(go[0]);
	for (i = 0; i < PTE_MAPPERS; i++)
		s[i] = (vmpte_kb(pid[i]) - before[i]) * 1024 * (long long)GIB /
		       BIG_BYTES;
	close(go[1]);
	for (i = 0; i < PTE_MAPPERS; i++)
		if (waitpid(pid[i], &status, 0) != pid[i] || status)
			die("mapper %d exited with %#x", i, status);
	note("pte: %s: %llu of %lu bytes resident, %llu in huge pages, %llu fallen back to 4 KiB",
	     backend, (unsigned long long)info.resident * PAGE, BIG_BYTES,
	     (unsigned long long)info.huge_bytes,
	     (unsigned long long)info.fallback_bytes);
	row("pte-huge-bytes", "1GiB", backend, "", info.huge_bytes,
	    info.fallback_bytes, 1, "B");
	close(fd);
	/* Bytes of page tables per GiB mapped, per mapper; p99 is the most. */
	qsort(s, PTE_MAPPERS, sizeof(*s), cmp_ll);
	row("pte", "1GiB", backend, "100", s[PTE_MAPPERS / 2],
	    s[PTE_MAPPERS - 1], PTE_MAPPERS, "B");
	note("pte: %s: VmPTE %lld B per GiB mapped per mapper (median), %lld most, %lld least",
	     backend, s[PTE_MAPPERS / 2], s[PTE_MAPPERS - 1], s[0]);
	free(s);
}

static void bench_pte(void)
{
	if (want(only, "svm"))
		pte_backend("svm", B_SVM);
	settle();
	if (want(only, "svm-huge"))
		pte_backend("svm-huge", B_SVM_HUGE);
}

/* ---- 8. a TLB-bound random walk ------------------------------------------ */

#define WALK_LOADS	(1 << 20)	/* a repetition */

struct walk_ctx {
	int	kind;
	int	fd;
	char	*p;
	void	**cur;			/* where the walk goes on */
	long	pmd_kb;			/* kB PMD-mapped, the least */
};

/* xorshift64: the same walk for every backend. */
static uint64_t walk_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * A fresh BIG_BYTES region holding one pointer in each 4 KiB page, at a
 * random cache line of it, to the next page of a random cyclic permutation
 * of all the pages (Sattolo's shuffle): every load depends on the one
 * before, and each goes to another page, so that the walk is bound by the
 * TLB (and its misses' page-table walks).  Writing the pointers in page
 * order populates the region.
 */
static void walk_enter(void *arg)
{
	struct walk_ctx *c = arg;
	size_t n = BIG_BYTES / PAGE, i, j;
	uint32_t *next = malloc(n * sizeof(*next)), t;
	uint16_t *line = malloc(n * sizeof(*line));
	uint64_t x = 88172645463325252ULL;
	long kb;

	if (!next || !line)
		die("malloc");
	for (i = 0; i < n; i++) {
		next[i] = i;
		line[i] = walk_rand(&x) % (PAGE / 64) * 64;
	}
	for (i = n - 1; i > 0; i--) {
		j = walk_rand(&x) % i;
		t = next[i];
		next[i] = next[j];
		next[j] = t;
	}
	c->p = map_fresh(c->kind, "bench-walk", BIG_BYTES, &c->fd);
	for (i = 0; i < n; i++)
		*(void **)(c->p + i * PAGE + line[i]) =
			c->p + (size_t)next[i] * PAGE + line[next[i]];
	c->cur = (void **)(c->p + line[0]);
	kb = smaps_kb(c->p, "ShmemPmdMapped");
	if (c->pmd_kb < 0 || kb < c->pmd_kb)
		c->pmd_kb = kb;
	free(next);
	free(line);
}

static void walk_leave(void *arg)
{
	struct walk_ctx *c = arg;

	munmap(c->p, BIG_BYTES);
	close(c->fd);
}

/* WALK_LOADS dependent loads; picoseconds a load. */
static long long walk_rep(void *arg)
{
	struct walk_ctx *c = arg;
	void **q = c->cur;
	long long t0 = now_ns();
	long i;

	for (i = 0; i < WALK_LOADS; i++)
		q = *q;
	t0 = now_ns() - t0;
	c->cur = q;
	return t0 * 1000 / WALK_LOADS;
}

static void bench_walk(void)
{
	static const char *const names[] = { "svm", "svm-huge" };
	struct walk_ctx ctx[2] = { { .kind = B_SVM, .pmd_kb = -1 },
				   { .kind = B_SVM_HUGE, .pmd_kb = -1 } };
	struct bench_row rows[2];
	int i;

	for (i = 0; i < 2; i++)
		rows[i] = (struct bench_row){
			.backend = names[i], .fn = walk_rep, .arg = &ctx[i],
			.enter = walk_enter, .leave = walk_leave,
			.unit = "ps",
		};
	/* Three chunks: each builds the walk (populates 1 GiB) anew. */
	run_rows("walk", "1GiB", "262144", rows, 2, reps(30), 3, 2, 2);
	for (i = 0; i < 2; i++)
		if (want(only, names[i]))
			row("walk-pmd", "1GiB", names[i], "262144",
			    ctx[i].pmd_kb, ctx[i].pmd_kb, 1, "kB");
}

/* ---- 9. SVM_IOC_MAPPERS against the number of mappers ------------------- */

#define MAPPERS_NR	4
#define MAPPERS_MOST	2048		/* of the largest region */
#define MAPPERS_IDLE	2000		/* processes that map none of them */

static const int mappers_counts[MAPPERS_NR] = { 1, 64, 512, MAPPERS_MOST };
static const char *const mappers_params[MAPPERS_NR] = {
	"1", "64", "512", "2048"
};

/*
 * Children parked on the read end of a pipe (hold) until its write end
 * closes; each says on ready that it got there.
 */
struct park {
	pid_t	*pid;
	int	n;
	int	hold[2], ready[2];
};

static void park_init(struct park *p, int most)
{
	p->pid = calloc(most, sizeof(*p->pid));
	p->n = 0;
	if (!p->pid || pipe2(p->hold, O_CLOEXEC) || pipe2(p->ready, O_CLOEXEC))
		die("park setup");
}

/*
 * Fork children until n are parked: each inherits this process's mappings
 * (a mapper of every region mapped here at its fork), closes its copy of
 * the write end, says it is ready and blocks in read() until EOF, touching
 * nothing else.  Returns once all are ready: none is still starting up on
 * the CPU this process is pinned to (and they inherit) while it measures.
 */
static void park_fork(struct park *p, int n)
{
	int from = p->n;
	pid_t pid;
	char c = 0;

	while (p->n < n) {
		pid = fork();
		if (pid < 0)
			die("fork (%d processes parked)", p->n);
		if (!pid) {
			close(p->hold[1]);
			if (write(p->ready[1], &c, 1) != 1)
				_exit(2);
			_exit(read(p->hold[0], &c, 1) != 0);
		}
		p->pid[p->n++] = pid;
	}
	for (; from < n; from++)
		if (read(p->ready[0], &c, 1) != 1)
			die("parked child not ready");
}

/* EOF to every parked child; reap them all. */
static void park_release(struct park *p)
{
	int i, status;

	close(p->hold[0]);
	close(p->hold[1]);
	close(p->ready[0]);
	close(p->ready[1]);
	for (i = 0; i < p->n; i++)
		if (waitpid(p->pid[i], &status, 0) != p->pid[i] || status)
			die("parked child %d exited with %#x", (int)p->pid[i],
			    status);
	free(p->pid);
	p->pid = NULL;
	p->n = 0;
}

/* Processes (threads) on the system, from /proc/loadavg. */
static long nr_tasks(void)
{
	char buf[128], *slash;

	if (read_file("/proc/loadavg", buf, sizeof(buf)) ||
	    !(slash = strchr(buf, '/')))
		die("read /proc/loadavg");
	return strtol(slash + 1, NULL, 10);
}

struct mappers_ctx {
	int			fd;	/* the region, not mapped here */
	unsigned int		want;	/* its mappers */
	struct svm_mapper	*buf;	/* room for all of them */
	struct park		*idle;	/* the idle row: these, in its chunks */
	struct mappers_ctx	*ctl;	/* the idle row: 1 mapper, as control */
	long long		ctl_ns;	/* its call, after each of this one */
	long			tasks;	/* on the system, the most seen */
};

/* One SVM_IOC_MAPPERS call, room for every entry; they must all be there. */
static long long mappers_rep(void *arg)
{
	struct mappers_ctx *c = arg;
	struct svm_mappers a = {
		.size = sizeof(a), .entries = (uintptr_t)c->buf,
		.count = c->want,
	};
	long long t0 = now_ns();

	if (ioctl(c->fd, SVM_IOC_MAPPERS, &a))
		die("SVM_IOC_MAPPERS");
	t0 = now_ns() - t0;
	if (a.total != c->want || a.count != c->want) {
		errno = 0;
		die("SVM_IOC_MAPPERS: %u mappers, %u written, want %u",
		    a.total, a.count, c->want);
	}
	return t0;
}

/*
 * The idle row: the 512-mapper call, then the 1-mapper one as a control
 * (aux): whether more tasks slow any call, not only MAPPERS of many.
 */
static long long mappers_idle_rep(void *arg)
{
	struct mappers_ctx *c = arg;
	long long t = mappers_rep(c);

	c->ctl_ns = mappers_rep(c->ctl);
	return t;
}

static void mappers_tasks(struct mappers_ctx *c)
{
	long n = nr_tasks();

	if (n > c->tasks)
		c->tasks = n;
}

/* The idle row's chunks: MAPPERS_IDLE more processes, mapping nothing. */
static void mappers_idle_enter(void *arg)
{
	struct mappers_ctx *c = arg;
	long long t0 = now_ns();

	park_init(c->idle, MAPPERS_IDLE);
	park_fork(c->idle, MAPPERS_IDLE);
	mappers_tasks(c);
	note("mappers: %d idle processes forked in %.1f s", MAPPERS_IDLE,
	     (now_ns() - t0) / 1e9);
	settle();
}

static void mappers_idle_leave(void *arg)
{
	struct mappers_ctx *c = arg;

	park_release(c->idle);
	settle();
}

/*
 * Four one-page regions with 1, 64, 512 and 2048 mappers: this process
 * maps them all and forks the children in ascending order of the counts,
 * unmapping each region once it has its count, so that child i maps every
 * region with more than i mappers and this process maps none.  The four
 * are measured with the same 2048 children on the system, alternating
 * chunk by chunk: the number of mappers changes, nothing else.  A fifth
 * row is the 512-mapper region again with MAPPERS_IDLE more processes
 * that map nothing (forked before each of its chunks, reaped after it):
 * the number of processes changes, nothing else.  Each of its repetitions
 * also times the 1-mapper call, as a control (section "mappers-ctl1").
 */
static void bench_mappers(void)
{
	struct mappers_ctx ctx[MAPPERS_NR + 1];
	struct bench_row rows[MAPPERS_NR + 1];
	struct park kids, idle = { 0 };
	void *map[MAPPERS_NR];
	char name[32];
	long long t0 = now_ns();
	long tasks0 = nr_tasks();
	int i;

	for (i = 0; i < MAPPERS_NR; i++) {
		snprintf(name, sizeof(name), "bench-mappers-%d",
			 mappers_counts[i]);
		ctx[i] = (struct mappers_ctx){ .want = mappers_counts[i] };
		ctx[i].fd = svm_open_fd(name, PAGE,
					SVM_OPEN_CREATE | SVM_OPEN_EXCL);
		ctx[i].buf = calloc(mappers_counts[i], sizeof(*ctx[i].buf));
		if (ctx[i].fd < 0 || !ctx[i].buf)
			die("svm create %s", name);
		map[i] = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ctx[i].fd, 0);
		if (map[i] == MAP_FAILED)
			die("mmap %s", name);
	}
	park_init(&kids, MAPPERS_MOST);
	for (i = 0; i < MAPPERS_NR; i++) {
		park_fork(&kids, mappers_counts[i]);
		munmap(map[i], PAGE);
	}
	ctx[MAPPERS_NR] = ctx[2];
	ctx[MAPPERS_NR].idle = &idle;
	for (i = 0; i <= MAPPERS_NR; i++) {
		rows[i] = (struct bench_row)ROW("svm", mappers_rep, &ctx[i]);
		rows[i].param = mappers_params[i < MAPPERS_NR ? i : 2];
	}
	ctx[MAPPERS_NR].ctl = &ctx[0];
	rows[MAPPERS_NR].fn = mappers_idle_rep;
	rows[MAPPERS_NR].aux = &ctx[MAPPERS_NR].ctl_ns;
	rows[MAPPERS_NR].aux_section = "mappers-ctl1";
	rows[MAPPERS_NR].c = "idle2000";
	rows[MAPPERS_NR].enter = mappers_idle_enter;
	rows[MAPPERS_NR].leave = mappers_idle_leave;
	mappers_tasks(&ctx[0]);
	note("mappers: %d mappers forked in %.1f s, %ld tasks on the system (%ld before)",
	     kids.n, (now_ns() - t0) / 1e9, ctx[0].tasks, tasks0);
	settle();

	/* Five chunks: each of the idle row's forks MAPPERS_IDLE processes. */
	run_rows("mappers", "call", "", rows, MAPPERS_NR + 1, reps(500), 5, 5,
		 2);
	/* The tasks on the system while each kind of row ran. */
	row("mappers-tasks", "call", "svm", "", ctx[0].tasks, ctx[0].tasks, 1,
	    "tasks");
	if (want(only, "svm"))
		row("mappers-tasks", "idle2000", "svm", "",
		    ctx[MAPPERS_NR].tasks, ctx[MAPPERS_NR].tasks, 1, "tasks");
	park_release(&kids);
	for (i = 0; i < MAPPERS_NR; i++) {
		close(ctx[i].fd);
		free(ctx[i].buf);
	}
	settle();
}

/* ---- 9. watching a region ------------------------------------------------ */

/* A watch of the region fd (SVM_IOC_WATCH): its fd, non-blocking. */
static int watch_open(int fd)
{
	struct svm_watch a = {
		.size = sizeof(a),
		.flags = SVM_WATCH_CLOEXEC | SVM_WATCH_NONBLOCK,
	};
	int w = ioctl(fd, SVM_IOC_WATCH, &a);

	if (w < 0)
		die("SVM_IOC_WATCH");
	return w;
}

/* Read what the watch has queued; 1 if it held pid's DETACH. */
static int watch_drain(int w, pid_t pid)
{
	struct svm_event ev[64];
	int found = 0, i;
	ssize_t n;

	while ((n = read(w, ev, sizeof(ev))) > 0)
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++)
			found |= ev[i].type == SVM_EVENT_DETACH &&
				 ev[i].pid == pid;
	if (n < 0 && errno != EAGAIN)
		die("read watch");
	return found;
}

/*
 * (a) kill(SIGKILL) of a mapper (a fork child, blocked in pause()) to the
 * watcher's read() returning its DETACH, against the same kill to a pidfd
 * of the child becoming readable: both fds in one epoll, the same t0, in
 * each repetition.  The kernel queues the DETACH when the dying child's
 * address space goes (exit_mm()), the pidfd is readable once it is a
 * zombie (exit_notify()).  One clock reading per epoll_wait() return: the
 * pidfd takes it as it is, the watch only after its read(2) returned the
 * DETACH, so a pidfd reported in the same return is not charged for the
 * watch's read.
 */
static void watch_kill(int fd)
{
	int n = reps(200), warm = 5, w, ep, pfd, r, k, i, sync[2];
	long long *sw = calloc(n, sizeof(long long));
	long long *sp = calloc(n, sizeof(long long));
	struct epoll_event ee = { .events = EPOLLIN }, got[2];
	long long t0, t, tw, tp;
	char c;
	pid_t pid;

	if (!sw || !sp || pipe2(sync, O_CLOEXEC))
		die("watch kill setup");
	w = watch_open(fd);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ee.data.fd = w;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w, &ee))
		die("epoll");
	for (r = -warm; r < n; r++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			/* The mapping is the parent's, inherited. */
			if (write(sync[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		if (read(sync[0], &c, 1) != 1)
			die("read sync");
		watch_drain(w, 0);		/* its ATTACH */
		pfd = syscall(SYS_pidfd_open, pid, 0);
		ee.data.fd = pfd;
		if (pfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ee))
			die("pidfd_open");
		tw = tp = -1;
		t0 = now_ns();
		kill(pid, SIGKILL);
		while (tw < 0 || tp < 0) {
			k = epoll_wait(ep, got, 2, 10000);
			t = now_ns();
			if (k <= 0)
				die("epoll_wait: no DETACH or pidfd");
			for (i = 0; i < k; i++)
				if (got[i].data.fd == pfd && tp < 0) {
					tp = t - t0;
					epoll_ctl(ep, EPOLL_CTL_DEL, pfd, NULL);
				}
			for (i = 0; i < k; i++)
				if (got[i].data.fd == w && tw < 0 &&
				    watch_drain(w, pid))
					tw = now_ns() - t0;
		}
		if (waitpid(pid, NULL, 0) != pid)
			die("waitpid");
		close(pfd);
		if (r >= 0) {
			sw[r] = tw;
			sp[r] = tp;
		}
	}
	emit("watch", "kill-notify", "svm-watch", "1", sw, n, NULL);
	emit("watch", "kill-notify", "pidfd", "1", sp, n, NULL);
	close(ep);
	close(w);
	close(sync[0]);
	close(sync[1]);
	free(sw);
	free(sp);
}

/*
 * (b) What a watcher costs a mapper: mmap, touch and munmap of a 1-page
 * region, ten times a repetition, each an ATTACH and a DETACH (svm-bench
 * holds the region's fd, no other mapping of it): no watcher; a watcher
 * that never reads, whose full queue drops its oldest record at each
 * event; a watcher drained (untimed) after each repetition.
 */
struct wcycle_ctx {
	int fd;
	int watched, reads;
	int w;
};

#define WCYCLE_MAPS	10

static long long wcycle_rep(void *arg)
{
	struct wcycle_ctx *c = arg;
	long long t0 = now_ns(), t;
	char *p;
	int i;

	for (i = 0; i < WCYCLE_MAPS; i++) {
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->fd, 0);
		if (p == MAP_FAILED)
			die("watch cycle mmap");
		p[0] = 1;
		munmap(p, PAGE);
	}
	t = now_ns() - t0;
	if (c->reads)
		watch_drain(c->w, 0);
	return t;
}

static void wcycle_enter(void *arg)
{
	struct wcycle_ctx *c = arg;
	int i;

	if (!c->watched)
		return;
	c->w = watch_open(c->fd);
	/* The one that never reads starts full, as it stays. */
	for (i = 0; !c->reads && i < 30; i++)
		wcycle_rep(c);
}

static void wcycle_leave(void *arg)
{
	struct wcycle_ctx *c = arg;

	if (c->watched)
		close(c->w);
}

static void watch_cycle(int fd)
{
	struct wcycle_ctx ctx[3] = {
		{ .fd = fd }, { .fd = fd, .watched = 1 },
		{ .fd = fd, .watched = 1, .reads = 1 },
	};
	static const char *const names[] = {
		"svm", "svm-watch", "svm-watch-read",
	};
	struct bench_row rows[3];
	char param[16];
	int i;

	for (i = 0; i < 3; i++)
		rows[i] = (struct bench_row){
			.backend = names[i], .fn = wcycle_rep, .arg = &ctx[i],
			.enter = wcycle_enter, .leave = wcycle_leave,
		};
	snprintf(param, sizeof(param), "%d", WCYCLE_MAPS);
	run_rows("watch", "map-unmap", param, rows, 3, LIGHT(reps(300)));
}

/*
 * What one clock reading costs in this guest (clock_gettime(2) of
 * CLOCK_MONOTONIC, a system call when the clocksource is the HPET, as
 * under TCG): each queued record reads the clock twice (mono_ns, real_ns).
 */
static void watch_clock(void)
{
	int n = reps(200), r, i;
	long long *s = calloc(n, sizeof(long long)), t0;

	if (!s)
		die("calloc");
	for (r = -5; r < n; r++) {
		t0 = now_ns();
		for (i = 0; i < 100; i++)
			now_ns();
		if (r >= 0)
			s[r] = (now_ns() - t0) / 100;
	}
	emit("watch", "clock-read", "clock_gettime", "1", s, n, NULL);
	free(s);
}

static void bench_watch(void)
{
	int kfd, cfd;
	void *p;

	kfd = svm_open_fd("bench-watch-kill", PAGE,
			  SVM_OPEN_CREATE | SVM_OPEN_EXCL);
	cfd = svm_open_fd("bench-watch-cycle", PAGE,
			  SVM_OPEN_CREATE | SVM_OPEN_EXCL);
	if (kfd < 0 || cfd < 0)
		die("svm create (watch)");
	/* The killed children inherit this mapping: each is a mapper. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, kfd, 0);
	if (p == MAP_FAILED)
		die("svm mmap (watch)");
	if (want(only, "svm-watch") || want(only, "pidfd"))
		watch_kill(kfd);
	munmap(p, PAGE);
	watch_cycle(cfd);
	if (want(only, "clock_gettime"))
		watch_clock();
	close(kfd);
	close(cfd);
}

/* ---- main --------------------------------------------------------------- */

static const char *const thp_files[] = {
	"/sys/kernel/mm/transparent_hugepage/enabled",
	"/sys/kernel/mm/transparent_hugepage/shmem_enabled",
};
static char thp_old[2][128];

/* "always [madvise] never" -> "madvise" */
static const char *thp_selected(char *s)
{
	char *a = strchr(s, '['), *b = a ? strchr(a, ']') : NULL;

	if (!b)
		return s;
	*b = 0;
	return a + 1;
}

static void thp_set(void)
{
	const char *now;
	char buf[128];
	int i;

	for (i = 0; i < 2; i++) {
		if (read_file(thp_files[i], buf, sizeof(buf))) {
			note("%s: missing", thp_files[i]);
			continue;
		}
		snprintf(thp_old[i], sizeof(thp_old[i]), "%s", thp_selected(buf));
		if (write_file(thp_files[i], "never"))
			die("write never to %s", thp_files[i]);
		read_file(thp_files[i], buf, sizeof(buf));
		now = thp_selected(buf);
		row("meta", i ? "thp_shmem_enabled" : "thp_enabled", now,
		    thp_old[i], 0, 0, 0, "-");
		note("THP %s: was %s, now %s for every backend but the huge ones",
		     thp_files[i], thp_old[i], now);
	}
}

static void thp_restore(void)
{
	int i;

	for (i = 0; i < 2; i++)
		if (thp_old[i][0])
			write_file(thp_files[i], thp_old[i]);
}

static char shmmni_old[32];

/*
 * SysV allows kernel.shmmni segments; past 32768 it takes the kernel's
 * ipcmni_extend (run-guest.sh boots the bench guest with it).
 */
static void shmmni_raise(void)
{
	static const int tries[] = { 200000, 32768 };
	char buf[32];
	int i;

	if (read_file("/proc/sys/kernel/shmmni", shmmni_old, sizeof(shmmni_old)))
		die("read kernel.shmmni");
	shmmni = atoi(shmmni_old);
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "%d", tries[i]);
		if (!write_file("/proc/sys/kernel/shmmni", buf)) {
			shmmni = tries[i];
			break;
		}
	}
	note("kernel.shmmni: was %s, now %d", shmmni_old, shmmni);
}

/* In this order: placement reloads the module, so it comes last. */
static const struct {
	const char	*name;
	void		(*fn)(void);
} all[] = {
	{ "cycle", bench_cycle },
	{ "open", bench_open },
	{ "kmem", bench_kmem },
	{ "touch", bench_touch },
	{ "wire", bench_wire },
	{ "pte", bench_pte },
	{ "walk", bench_walk },
	{ "mappers", bench_mappers },
	{ "watch", bench_watch },
	{ "place", bench_place },
};

int main(int argc, char **argv)
{
	const char *sections = NULL;
	struct rlimit rl = { 1 << 16, 1 << 16 };
	long long t0 = now_ns();
	char kernel[128] = "", only_row[128] = "";
	cpu_set_t cpus;
	unsigned int i;
	int opt;

	while ((opt = getopt(argc, argv, "b:p:qr:s:")) != -1) {
		switch (opt) {
		case 'b':
			only = optarg;
			break;
		case 'p':
			only_pages = atoi(optarg);
			break;
		case 'q':
			quick = 1;
			break;
		case 'r':
			force_reps = atoi(optarg);
			break;
		case 's':
			sections = optarg;
			break;
		default:
			fprintf(stderr, "usage: svm-bench [-q] [-r REPS] [-b BACKEND,...] [-p PAGES] [-s cycle,open,kmem,touch,wire,pte,walk,mappers,watch,place]\n");
			return 2;
		}
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("sched_setaffinity");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit NOFILE");
	dev_open();

	printf("svm-bench: csv begin\n");
	printf("section,case,backend,param,median,p99,n,unit\n");
	read_file("/proc/sys/kernel/osrelease", kernel, sizeof(kernel));
	row("meta", "kernel", kernel, "", 0, 0, 0, "-");
	row("meta", "cpu", "0", "pinned", 0, 0, 0, "-");
	row("meta", "quick", quick ? "yes" : "no", "", 0, 0, 0, "-");
	row("meta", "forced_reps", force_reps ? "yes" : "no", "", force_reps,
	    0, 0, "-");
	/* A list's commas would split the field: spaces instead. */
	for (i = 0; only && only[i] && i < sizeof(only_row) - 1; i++)
		only_row[i] = only[i] == ',' ? ' ' : only[i];
	row("meta", "only", only_row, "", 0, 0, 0, "-");
	thp_set();
	shmmni_raise();

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		long long t1 = now_ns();

		if (!want(sections, all[i].name))
			continue;
		all[i].fn();
		t1 = now_ns() - t1;
		note("%s: %.1f s", all[i].name, t1 / 1e9);
		row("meta", "section_s", all[i].name, "", t1 / 1000000000LL, 0,
		    0, "s");
	}

	thp_restore();
	write_file("/proc/sys/kernel/shmmni", shmmni_old);
	row("meta", "runtime_s", "svm-bench", "",
	    (now_ns() - t0) / 1000000000LL, 0, 0, "s");
	printf("svm-bench: csv end\n");
	return 0;
}
