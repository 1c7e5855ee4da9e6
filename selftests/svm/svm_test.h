/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the svm selftests.
 */
#ifndef _SVM_TEST_H
#define _SVM_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/svm.h>

/* errno of a failed call, or 0 when it succeeded. */
#define ERRNO_OF(call)	((call) < 0 ? errno : 0)

static inline int svm_dev_open(void)
{
	return open(SVM_DEVICE, O_RDWR | O_CLOEXEC);
}

/*
 * SVM_IOC_OPEN: returns the region fd or -errno; fills *out when non-NULL.
 */
static inline int svm_open_region(int dev, const char *name, uint64_t len,
				  unsigned int flags, unsigned int mode,
				  struct svm_open *out)
{
	struct svm_open a = {
		.size = sizeof(a), .flags = flags, .length = len, .mode = mode,
		.name = (uintptr_t)name,
	};
	int fd = ioctl(dev, SVM_IOC_OPEN, &a);

	if (out)
		*out = a;
	return fd < 0 ? -errno : fd;
}

static inline int svm_create(int dev, const char *name, uint64_t len)
{
	return svm_open_region(dev, name, len, SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC,
			       0600, NULL);
}

static inline int svm_remove_name(int dev, const char *name)
{
	struct svm_remove a = { .size = sizeof(a), .name = (uintptr_t)name };

	return ioctl(dev, SVM_IOC_REMOVE, &a) < 0 ? -errno : 0;
}

static inline int svm_get_info(int fd, struct svm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, SVM_IOC_INFO, info) < 0 ? -errno : 0;
}

/* INFO resident: the region's pages in memory, or UINT64_MAX. */
static inline uint64_t svm_resident(int fd)
{
	struct svm_info info;

	return svm_get_info(fd, &info) ? UINT64_MAX : info.resident;
}

static inline int svm_get_window(int dev, struct svm_window *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	return ioctl(dev, SVM_IOC_WINDOW, w) < 0 ? -errno : 0;
}

/* Mapper entries of the region fd into buf[max]; returns the total. */
static inline int svm_get_mappers(int fd, struct svm_mapper *buf,
				  unsigned int max)
{
	struct svm_mappers a = {
		.size = sizeof(a), .entries = (uintptr_t)buf, .count = max,
	};

	return ioctl(fd, SVM_IOC_MAPPERS, &a) < 0 ? -errno : (int)a.total;
}

/* The same, of the mappers with a VM_LOCKED mapping of it (mlock(2)). */
static inline int svm_get_mlocked_mappers(int fd, struct svm_mapper *buf,
					  unsigned int max)
{
	struct svm_mappers a = {
		.size = sizeof(a), .flags = SVM_MAPPERS_MLOCKED,
		.entries = (uintptr_t)buf, .count = max,
	};

	return ioctl(fd, SVM_IOC_MAPPERS, &a) < 0 ? -errno : (int)a.total;
}

/* Number of mappings pid has of the region, 0 if it is not listed. */
static inline int svm_maps_of(int fd, pid_t pid)
{
	struct svm_mapper buf[64];
	int n = svm_get_mappers(fd, buf, 64), i;

	for (i = 0; i < n && i < 64; i++)
		if (buf[i].pid == pid)
			return buf[i].nr_maps;
	return 0;
}

/* SVM_IOC_WIRE op (SVM_WIRE_*) on a region fd: 0 or -errno. */
static inline int svm_wire_op(int fd, unsigned int op)
{
	struct svm_wire a = { .size = sizeof(a), .op = op };

	return ioctl(fd, SVM_IOC_WIRE, &a) < 0 ? -errno : 0;
}

/*
 * POSIX mlock of a region: mlock(2) (lock) or munlock(2) of this process's
 * mapping of it, at its address for its whole length.  0 or -errno.
 */
static inline int svm_mlock_region(int fd, int lock)
{
	struct svm_info info;
	void *addr;
	int ret;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (ioctl(fd, SVM_IOC_INFO, &info) < 0)
		return -errno;
	addr = (void *)(uintptr_t)info.addr;
	ret = lock ? mlock(addr, info.length) : munlock(addr, info.length);
	return ret < 0 ? -errno : 0;
}

/* The module's reference count (/sys/module/svm/refcnt), -1 if unknown. */
static inline long svm_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/svm/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Wired flag, SVID count and number of mlocking mappers, packed. */
static inline int svm_wire_state(int fd)
{
	struct svm_info info;

	if (svm_get_info(fd, &info))
		return -1;
	return (info.flags & SVM_REGION_WIRED ? 100 : 0) +
	       info.svid_count * 10 + info.nr_mlocked;
}

#define WIRED(svid, mlocked)	(100 + (svid) * 10 + (mlocked))
#define UNWIRED			0

/* Map a region fd at its address (the kernel places it). */
static inline void *svm_map(int fd, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

/* Write the string s to the file at path (a /proc or /sys knob): 0 or -1. */
static inline int svm_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Write v to a module parameter; returns 0 or -1. */
static inline int svm_set_param(const char *param, unsigned long long v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/svm/parameters/%s", param);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%llu\n", v) < 0 ? -1 : 0;
	return fclose(f) ? -1 : ret;
}

static inline unsigned long long svm_get_param(const char *param)
{
	unsigned long long v = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/svm/parameters/%s", param);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* Unload and reload the module; the path comes from $SVM_KO. */
static inline int svm_rmmod(void)
{
	return syscall(__NR_delete_module, "svm", O_NONBLOCK);
}

static inline int svm_insmod(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(__NR_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

/*
 * Lines of a /proc or /sys file, read with read(2) into a fixed buffer: no
 * stdio and no allocation, so that reading VmLck under mlockall(MCL_FUTURE)
 * maps nothing that would count in it.
 */
struct svm_lines {
	int fd;
	size_t len, pos;
	char buf[4096];
};

static inline int svm_lines_open(struct svm_lines *l, const char *path)
{
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	l->len = 0;
	l->pos = 0;
	return l->fd < 0 ? -1 : 0;
}

/* The next line, NUL-terminated without its newline; 0 at the end. */
static inline int svm_lines_next(struct svm_lines *l, char *line, size_t size)
{
	size_t n = 0;
	ssize_t got;
	char c;

	for (;;) {
		if (l->pos == l->len) {
			got = read(l->fd, l->buf, sizeof(l->buf));
			if (got <= 0) {
				line[n] = '\0';
				return n > 0;
			}
			l->len = got;
			l->pos = 0;
		}
		c = l->buf[l->pos++];
		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = c;
	}
	line[n] = '\0';
	return 1;
}

/* The number after "key:" if line is key's, else -1. */
static inline long svm_key_value(const char *line, const char *key)
{
	size_t k = strlen(key);

	if (strncmp(line, key, k) || line[k] != ':')
		return -1;
	return strtol(line + k + 1, NULL, 10);
}

/* key's value in a file of "key: N" lines (kB in most of /proc), or -1. */
static inline long svm_proc_value(const char *path, const char *key)
{
	struct svm_lines l;
	char line[256];
	long v = -1;

	if (svm_lines_open(&l, path))
		return -1;
	while (v < 0 && svm_lines_next(&l, line, sizeof(line)))
		v = svm_key_value(line, key);
	close(l.fd);
	return v;
}

/* The number a one-line file (a sysctl) holds, or -1. */
static inline long svm_file_value(const char *path)
{
	struct svm_lines l;
	char line[64];
	long v = -1;

	if (svm_lines_open(&l, path))
		return -1;
	if (svm_lines_next(&l, line, sizeof(line)))
		v = strtol(line, NULL, 10);
	close(l.fd);
	return v;
}

/* key ("VmLck", ...) in /proc/PID/status, pid 0 for this process; kB. */
static inline long svm_status_kb(pid_t pid, const char *key)
{
	char path[64] = "/proc/self/status";

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return svm_proc_value(path, key);
}

/*
 * key over the VMAs of pid (0: this process) that lie in [start, end), from
 * /proc/PID/smaps, summed (kB); with key NULL, the number of those VMAs.
 */
static inline long svm_smaps_sum(pid_t pid, uintptr_t start, uintptr_t end,
				 const char *key)
{
	char path[64] = "/proc/self/smaps", line[512];
	unsigned long a, b;
	struct svm_lines l;
	long sum = 0, v;
	int in = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	if (svm_lines_open(&l, path))
		return -1;
	while (svm_lines_next(&l, line, sizeof(line))) {
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
			in = a >= start && b <= end;
			sum += in && !key;
		} else if (in && key && (v = svm_key_value(line, key)) >= 0) {
			sum += v;
		}
	}
	close(l.fd);
	return sum;
}

#define SVM_COMPACT_UNEVICTABLE	"/proc/sys/vm/compact_unevictable_allowed"

/*
 * Set vm.compact_unevictable_allowed; returns what it was, to set back.
 * Tests that count Unevictable or Mlocked exactly hold it at 0 while they
 * run: a page compaction migrates is off the LRU lists a while, and a
 * munlock meanwhile can leave it on the unevictable list (mm/migrate.c
 * says as much), until reclaim happens to find it.
 */
static inline long svm_compact_unevictable(long allowed)
{
	long old = svm_file_value(SVM_COMPACT_UNEVICTABLE);

	svm_write_file(SVM_COMPACT_UNEVICTABLE, allowed ? "1\n" : "0\n");
	return old;
}

/*
 * key of /proc/meminfo in kB, exact: compaction first drains every CPU's
 * LRU and mlock batches (where fresh pages wait before an LRU list counts
 * them), and must not migrate unevictable pages, which would batch them
 * again; stat_refresh then folds the per-CPU counter deltas.
 */
static inline long svm_meminfo_kb(const char *key)
{
	long allowed = svm_compact_unevictable(0);

	svm_write_file("/proc/sys/vm/compact_memory", "1\n");
	svm_compact_unevictable(allowed);
	svm_write_file("/proc/sys/vm/stat_refresh", "1\n");
	return svm_proc_value("/proc/meminfo", key);
}

/* Run fn in a child as uid/gid 1000 (no capabilities); its exit status. */
static inline int svm_as_user(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(255);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Send len bytes of buf as one message on a unix socket, with fd
 * (SCM_RIGHTS) unless it is negative.  0 when all of it went, else -1.
 */
static inline int svm_send_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

/*
 * Receive one message of len bytes into buf; *fd is the fd that came with
 * it (close-on-exec), or -1.  0 when a whole message came, else -1.
 */
static inline int svm_recv_fd(int sock, void *buf, size_t len, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*fd = -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	for (cmsg = CMSG_FIRSTHDR(&msg); n > 0 && cmsg;
	     cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return n == (ssize_t)len ? 0 : -1;
}

/* Milliseconds on CLOCK_MONOTONIC, for polling with a deadline. */
static inline long long svm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Poll until cond is true or timeout_ms passes; evaluates to the final
 * value of cond.  Sleeps 1 ms between tries.
 */
#define POLL_UNTIL(cond, timeout_ms) ({					\
	long long __end = svm_now_ms() + (timeout_ms);			\
	int __ok;							\
	while (!(__ok = !!(cond)) && svm_now_ms() < __end)		\
		usleep(1000);						\
	__ok;								\
})

/* SVM_IOC_WATCH on a region fd: the watch fd, or -errno; *out if set. */
static inline int svm_watch_open(int fd, unsigned int flags,
				 struct svm_watch *out)
{
	struct svm_watch a = { .size = sizeof(a), .flags = flags };
	int w = ioctl(fd, SVM_IOC_WATCH, &a);

	if (out)
		*out = a;
	return w < 0 ? -errno : w;
}

/*
 * What a reader of a watch checks of its stream: consecutive sequence
 * numbers, an OVERFLOW accounting for each gap, the mapper count moving
 * by one with each ATTACH and DETACH (known again after an overflow),
 * valid fields, nothing after DESTROYED.
 */
struct svm_stream {
	uint64_t next_seq;	/* seq the next record must have */
	uint64_t records;	/* read, OVERFLOW records included */
	uint64_t lost;		/* the OVERFLOW records' sum */
	uint64_t of_type[8];	/* records by SVM_EVENT_* */
	int mappers;		/* after the last record; -1 unknown */
	int destroyed;		/* DESTROYED read */
	char err[160];
};

static inline void svm_stream_init(struct svm_stream *s, int mappers)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = 1;
	s->mappers = mappers;
}

static inline int svm_stream_fail(struct svm_stream *s,
				  const struct svm_event *ev, const char *what)
{
	snprintf(s->err, sizeof(s->err),
		 "%s: seq %llu (want %llu) type %u pid %d cause %u signo %u mappers %u (had %d) lost %llu",
		 what, (unsigned long long)ev->seq,
		 (unsigned long long)s->next_seq, ev->type, ev->pid, ev->cause,
		 ev->signo, ev->mappers, s->mappers,
		 (unsigned long long)ev->lost);
	return -1;
}

/* Check one record: 0, or -1 with s->err saying what is wrong. */
static inline int svm_stream_check(struct svm_stream *s,
				   const struct svm_event *ev)
{
	int want = s->mappers;

	if (s->destroyed)
		return svm_stream_fail(s, ev, "record after DESTROYED");
	if (ev->size != SVM_EVENT_SIZE_VER0)
		return svm_stream_fail(s, ev, "bad size");
	if (ev->seq != s->next_seq)
		return svm_stream_fail(s, ev, "sequence gap");
	if (ev->type < SVM_EVENT_ATTACH || ev->type > SVM_EVENT_OVERFLOW)
		return svm_stream_fail(s, ev, "bad type");
	s->records++;
	s->of_type[ev->type]++;
	if (ev->type == SVM_EVENT_OVERFLOW) {
		if (!ev->lost || ev->pid || ev->mappers)
			return svm_stream_fail(s, ev, "bad overflow");
		s->next_seq += ev->lost;
		s->lost += ev->lost;
		s->mappers = -1;
		return 0;
	}
	s->next_seq++;
	if (ev->lost || !ev->mono_ns || !ev->real_ns)
		return svm_stream_fail(s, ev, "bad lost or time");
	if (ev->type == SVM_EVENT_ATTACH && want >= 0)
		want++;
	if (ev->type == SVM_EVENT_DETACH && want >= 0)
		want--;
	if (want >= 0 && (int)ev->mappers != want)
		return svm_stream_fail(s, ev, "mappers do not add up");
	s->mappers = ev->mappers;
	if (ev->type == SVM_EVENT_DETACH) {
		if (ev->cause < SVM_CAUSE_UNMAP || ev->cause > SVM_CAUSE_UNKNOWN)
			return svm_stream_fail(s, ev, "bad cause");
		if ((ev->cause == SVM_CAUSE_SIGNAL) != !!ev->signo &&
		    ev->cause != SVM_CAUSE_OOM)
			return svm_stream_fail(s, ev, "bad signal");
	} else if (ev->cause || ev->signo) {
		return svm_stream_fail(s, ev, "cause without DETACH");
	}
	if ((ev->type == SVM_EVENT_WIRED || ev->type == SVM_EVENT_UNWIRED) !=
	    !!ev->source)
		return svm_stream_fail(s, ev, "bad source");
	if (ev->type == SVM_EVENT_DESTROYED) {
		if (ev->mappers)
			return svm_stream_fail(s, ev, "destroyed while mapped");
		s->destroyed = 1;
	}
	return 0;
}

/*
 * Read what watch w has within timeout_ms and check it: the number of
 * records read, 0 at end of file, -1 on an error (s->err) or timeout.
 */
static inline int svm_stream_read(int w, struct svm_stream *s, int timeout_ms)
{
	struct svm_event evs[64];
	struct pollfd pfd = { .fd = w, .events = POLLIN };
	ssize_t n;
	int i, got;

	got = poll(&pfd, 1, timeout_ms);
	if (got <= 0) {
		snprintf(s->err, sizeof(s->err), "poll: %s",
			 got ? strerror(errno) : "timed out");
		return -1;
	}
	n = read(w, evs, sizeof(evs));
	if (n < 0 && errno == EAGAIN)
		return svm_stream_read(w, s, timeout_ms);
	if (n < 0 || n % sizeof(evs[0])) {
		snprintf(s->err, sizeof(s->err), "read: %zd, %s", n,
			 n < 0 ? strerror(errno) : "a part of a record");
		return -1;
	}
	for (i = 0; i < n / (ssize_t)sizeof(evs[0]); i++)
		if (svm_stream_check(s, &evs[i]))
			return -1;
	if (n == 0 && !s->destroyed) {
		snprintf(s->err, sizeof(s->err), "end of file before DESTROYED");
		return -1;
	}
	return n / sizeof(evs[0]);
}

#endif /* _SVM_TEST_H */
