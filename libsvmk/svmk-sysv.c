// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsvmk-sysv: shmget(2), shmat(2), shmdt(2) and shmctl(2) on svm
 * regions, so that every process attaches a segment at the same address
 * (svmk-sysv(7) says how it differs from Linux's SysV shm, and why).
 *
 * A segment is a region named "sysv:%08x" after its key (IPC_PRIVATE:
 * "sysv:private:PID:N"), created with SVM_OPEN_PERSIST so that the name
 * holds it until IPC_RMID; its shmid is the region's id.  The calls talk
 * to /dev/svm through <linux/svm.h> and keep no state about segments but
 * this process's attaches: the kernel keeps the rest (times, pids,
 * nattch as its mapper count), exact across processes, fork and SIGKILL.
 *
 * Process state: the /dev/svm fd, opened at the first call, O_CLOEXEC;
 * the window; from the first shmat(), a PROT_NONE placeholder over the
 * window (as libsvmk keeps, unless something is in the way), which a
 * detach puts back instead of leaving a hole; and the table of attaches
 * (address, length, and the dev/inode by which /proc/self/maps names the
 * region's mappings).  Region fds are closed as soon as the call is done:
 * a mapping holds its region.  fork() inherits all of it, exec() drops it.
 * shmctl() is in svmk-sysv-ctl.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/svm.h>

#include "svmk-sysv-priv.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define SYSV_LIST_BATCH		32

_Static_assert(sizeof(struct svm_info) >= SVM_INFO_SIZE_VER3,
	       "<linux/svm.h> has svm_info VER3");

struct sysv_attach {
	uintptr_t addr;
	size_t len;
	dev_t dev;		/* the region's inode, as /proc/self/maps */
	ino_t ino;		/* shows its mappings */
};

/* One VMA of /proc/self/maps. */
struct sysv_vma {
	uintptr_t start, end;
	unsigned long long off;
	dev_t dev;
	ino_t ino;
};

/*
 * sysv_lock protects all the state below: the device fd and what was
 * read with it, the placeholder, the attach table and the IPC_PRIVATE
 * counter.  It is the library's only lock, taken by every call that
 * reads or changes that state and by fork() (sysv_atfork_*), so that a
 * child never starts with it held; nothing that can call back into the
 * library runs under it.
 */
static pthread_mutex_t sysv_lock = PTHREAD_MUTEX_INITIALIZER;
int svmk_sysv_dev = -1;		/* /dev/svm */
static dev_t sysv_dev_dev;		/* its inode, as maps shows the */
static ino_t sysv_dev_ino;		/* placeholder */
static uint64_t sysv_base, sysv_length;	/* the window */
long svmk_sysv_page;
static bool sysv_atfork_done;
static bool sysv_reserve_tried;
static bool sysv_reserved;		/* placeholder over the window */
static struct sysv_attach *sysv_attaches;
static size_t sysv_nr, sysv_cap;
static unsigned long sysv_private_seq;

/* errno = err; returns -1: the SysV calls' failure. */
int svmk_sysv_fail(int err)
{
	errno = err;
	return -1;
}

/* ioctl() returning -errno, restarted if a signal interrupted it. */
int svmk_sysv_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static void sysv_atfork_prepare(void)
{
	pthread_mutex_lock(&sysv_lock);
}

static void sysv_atfork_release(void)
{
	pthread_mutex_unlock(&sysv_lock);
}

/*
 * Open /dev/svm and read the window, once (a failure is tried again at
 * the next call).  Without the device nothing here can work: ENOSYS, as
 * for a kernel without SysV IPC.
 */
static int sysv_init_locked(void)
{
	struct svm_window w = { .size = sizeof(w) };
	struct stat st;
	int fd;

	if (svmk_sysv_dev >= 0)
		return 0;
	if (!sysv_atfork_done) {
		if (pthread_atfork(sysv_atfork_prepare, sysv_atfork_release,
				   sysv_atfork_release))
			return -ENOMEM;
		sysv_atfork_done = true;
	}
	do {
		fd = open(SVM_DEVICE, O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -ENOSYS;
	if (fstat(fd, &st) || svmk_sysv_ioctl(fd, SVM_IOC_WINDOW, &w) < 0) {
		close(fd);
		return -ENOSYS;
	}
	sysv_dev_dev = st.st_dev;
	sysv_dev_ino = st.st_ino;
	sysv_base = w.base;
	sysv_length = w.length;
	svmk_sysv_page = sysconf(_SC_PAGESIZE);
	svmk_sysv_dev = fd;
	return 0;
}

int svmk_sysv_init(void)
{
	int ret;

	pthread_mutex_lock(&sysv_lock);
	ret = sysv_init_locked();
	pthread_mutex_unlock(&sysv_lock);
	return ret;
}

/*
 * Copy to and from the caller's buffer through the kernel, so that a bad
 * pointer is EFAULT as from the shmctl(2) system call, not SIGSEGV.
 * Where process_vm_{read,write}v() is not allowed (a seccomp filter), a
 * plain copy.
 */
int svmk_sysv_copy(void *dst, const void *src, size_t n, bool out)
{
	struct iovec here = { .iov_len = n }, there = { .iov_len = n };
	ssize_t done;

	here.iov_base = out ? (void *)src : dst;
	there.iov_base = out ? dst : (void *)src;
	done = out ? process_vm_writev(getpid(), &here, 1, &there, 1, 0) :
		     process_vm_readv(getpid(), &here, 1, &there, 1, 0);
	if (done == (ssize_t)n)
		return 0;
	if (done < 0 && (errno == ENOSYS || errno == EPERM)) {
		memcpy(dst, src, n);
		return 0;
	}
	return -EFAULT;
}

/* ---- permissions: ipcperms() of ipc/util.c ------------------------------ */

static bool sysv_capable(unsigned int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

static bool sysv_in_group(gid_t gid)
{
	gid_t groups[NGROUPS_MAX];
	int n, i;

	if (gid == getegid())
		return true;
	n = getgroups(NGROUPS_MAX, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * Whether the caller may have the access of flag (permission bits, as
 * shmget()'s shmflg & 0777) to the segment: owner bits for its owner or
 * creator, group bits for a member of its group or creator's group,
 * other bits else; CAP_IPC_OWNER allows all.
 */
bool svmk_sysv_may(const struct svm_info *info, unsigned int flag)
{
	unsigned int requested = (flag >> 6 | flag >> 3 | flag) & 7;
	unsigned int granted = info->mode;
	uid_t euid = geteuid();

	if (euid == info->cuid || euid == info->uid)
		granted >>= 6;
	else if (sysv_in_group(info->cgid) || sysv_in_group(info->gid))
		granted >>= 3;
	return !(requested & ~granted & 7) || sysv_capable(CAP_IPC_OWNER);
}

/* ---- regions ------------------------------------------------------------ */

static int sysv_info(int fd, struct svm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return svmk_sysv_ioctl(fd, SVM_IOC_INFO, info);
}

/*
 * Open the segment shmid (SVM_OPEN_ID, plus flags) and read its info:
 * the region fd, or -errno, EINVAL for no segment of that id.
 */
int svmk_sysv_open_id(int shmid, unsigned int flags, struct svm_info *info)
{
	struct svm_open op = {
		.size = sizeof(op),
		.flags = SVM_OPEN_ID | SVM_OPEN_CLOEXEC | flags,
		.id = (unsigned int)shmid,
	};
	int fd, ret;

	if (shmid <= 0)
		return -EINVAL;
	ret = svmk_sysv_init();
	if (ret < 0)
		return ret;
	fd = svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_OPEN, &op);
	if (fd < 0)
		return fd == -ENOENT ? -EINVAL : fd;
	ret = sysv_info(fd, info);
	if (!ret && !svmk_sysv_is_segment(info))
		ret = -EINVAL;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Call fn on each SysV segment of the caller's IPC namespace with an id
 * above cursor, in id order, until fn returns non-zero; up to max of
 * them (0: all).  Returns fn's non-zero return, 0 at the end, or -errno.
 */
int svmk_sysv_list(uint64_t cursor, unsigned int max,
		     int (*fn)(const struct svm_info *, void *), void *arg)
{
	struct svm_info batch[SYSV_LIST_BATCH];
	struct svm_list l = {
		.size = sizeof(l),
		.cursor = cursor,
		.entries = (uintptr_t)batch,
		.entry_size = sizeof(batch[0]),
	};
	unsigned int i, seen = 0;
	int ret;

	ret = svmk_sysv_init();
	if (ret < 0)
		return ret;
	do {
		l.count = max && max - seen < SYSV_LIST_BATCH ?
			  max - seen : SYSV_LIST_BATCH;
		memset(batch, 0, sizeof(batch));
		for (i = 0; i < l.count; i++)
			batch[i].size = sizeof(batch[i]);
		ret = svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_LIST, &l);
		if (ret < 0)
			return ret;
		for (i = 0; i < l.count; i++) {
			if (!svmk_sysv_is_segment(&batch[i]))
				continue;
			ret = fn(&batch[i], arg);
			if (ret)
				return ret;
		}
		seen += l.count;
	} while (l.count && (!max || seen < max));
	return 0;
}

/* ---- /proc/self/maps ---------------------------------------------------- */

/*
 * The VMAs of this process that overlap [start, end), into a new array
 * *vmas: their number, or -errno.
 */
static int sysv_vmas(uintptr_t start, uintptr_t end, struct sysv_vma **vmas)
{
	char buf[4096], line[128];
	struct sysv_vma *v = NULL, *grown;
	size_t len = 0, n = 0, cap = 0;
	bool skip = false;
	unsigned int maj, min;
	unsigned long a, b, ino;
	ssize_t got;
	int fd, i;

	/* Without /proc, attaches cannot be told apart: ENOSYS, as no svm. */
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? -errno : -ENOSYS;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < got; i++) {
			struct sysv_vma one;

			if (buf[i] != '\n') {
				/* Only the start of a line matters. */
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (sscanf(line, "%lx-%lx %*s %llx %x:%x %lu", &a, &b,
				   &one.off, &maj, &min, &ino) != 6) {
				skip = true;
				break;
			}
			if (b <= start || a >= end)
				continue;
			one.start = a;
			one.end = b;
			one.dev = makedev(maj, min);
			one.ino = ino;
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				grown = realloc(v, cap * sizeof(*v));
				if (!grown) {
					free(v);
					close(fd);
					return -ENOMEM;
				}
				v = grown;
			}
			v[n++] = one;
		}
		if (skip)
			break;
	}
	close(fd);
	if (got < 0 || skip) {
		free(v);
		return got < 0 ? -EIO : -EPROTO;
	}
	*vmas = v;
	return n;
}

static bool sysv_vma_is_placeholder(const struct sysv_vma *v)
{
	return v->dev == sysv_dev_dev && v->ino == sysv_dev_ino;
}

/* Whether v maps the attach a's region where a attached it. */
static bool sysv_vma_is_of(const struct sysv_vma *v,
			   const struct sysv_attach *a)
{
	return v->dev == a->dev && v->ino == a->ino &&
	       v->off == v->start - a->addr;
}

/* ---- the placeholder and the attach table (sysv_lock held) -------------- */

/*
 * The placeholder over the whole window, tried at the first shmat(): if
 * anything is in the way (libsvmk's own placeholder, say), the library
 * does without.
 */
static void sysv_reserve(void)
{
	void *want = (void *)(uintptr_t)sysv_base;
	void *p;

	if (sysv_reserve_tried)
		return;
	sysv_reserve_tried = true;
	p = mmap(want, sysv_length, PROT_NONE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, svmk_sysv_dev, 0);
	if (p == MAP_FAILED)
		return;
	if (p != want) {	/* a kernel that took the flag for a hint */
		munmap(p, sysv_length);
		return;
	}
	sysv_reserved = true;
}

/* Unmap [start, end) of the window: the placeholder back, else a hole. */
static void sysv_unmap(uintptr_t start, uintptr_t end)
{
	void *p = MAP_FAILED;

	if (sysv_reserved)
		p = mmap((void *)start, end - start, PROT_NONE,
			 MAP_SHARED | MAP_FIXED, svmk_sysv_dev, start - sysv_base);
	if (p == MAP_FAILED)
		munmap((void *)start, end - start);
}

static struct sysv_attach *sysv_attach_find(uintptr_t addr)
{
	size_t i;

	for (i = 0; i < sysv_nr; i++)
		if (sysv_attaches[i].addr == addr)
			return &sysv_attaches[i];
	return NULL;
}

static void sysv_attach_drop(struct sysv_attach *a)
{
	*a = sysv_attaches[--sysv_nr];
}

/* Record a (replacing an earlier attach at its address): 0 or -ENOMEM. */
static int sysv_attach_add(const struct sysv_attach *a)
{
	struct sysv_attach *old = sysv_attach_find(a->addr), *grown;

	if (old) {
		*old = *a;
		return 0;
	}
	if (sysv_nr == sysv_cap) {
		size_t cap = sysv_cap ? 2 * sysv_cap : 16;

		grown = realloc(sysv_attaches, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		sysv_attaches = grown;
		sysv_cap = cap;
	}
	sysv_attaches[sysv_nr++] = *a;
	return 0;
}

/* Whether [start, end) holds anything but the placeholder: 0, 1 or -errno. */
static int sysv_range_busy(uintptr_t start, uintptr_t end)
{
	struct sysv_vma *v;
	int n, i, busy = 0;

	n = sysv_vmas(start, end, &v);
	if (n < 0)
		return n;
	for (i = 0; i < n && !busy; i++)
		busy = !sysv_vma_is_placeholder(&v[i]);
	free(v);
	return busy;
}

/* ---- shmget ------------------------------------------------------------- */

/* SysV's errno for an error of SVM_IOC_OPEN creating a region. */
static int sysv_create_errno(int err)
{
	switch (err) {
	case EFBIG:
		return EINVAL;
	case ENOSPC:
	case ENFILE:
	case EUSERS:
	case EDQUOT:
	case EMLINK:
	case ENOBUFS:
		return ENOSPC;
	case EOPNOTSUPP:	/* SVM_OPEN_HUGE without THP */
		return ENOSYS;
	default:
		return err;
	}
}

/*
 * SVM_IOC_OPEN of name without access, flags added: the region's id, or
 * -errno; *created says whether this call created it.
 */
static int64_t sysv_open_name(const char *name, size_t size, int shmflg,
			      unsigned int flags, bool *created)
{
	struct svm_open op = {
		.size = sizeof(op),
		.flags = SVM_OPEN_NOACCESS | SVM_OPEN_CLOEXEC | flags,
		.name = (uintptr_t)name,
		.mode = shmflg & 0777,
	};
	struct svm_info info;
	int fd, ret = 0;

	if (flags & SVM_OPEN_CREATE) {
		op.flags |= SVM_OPEN_PERSIST;
		if (shmflg & SHM_HUGETLB)
			op.flags |= SVM_OPEN_HUGE;
		op.length = size;
	}
	fd = svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_OPEN, &op);
	if (fd < 0)
		return flags & SVM_OPEN_CREATE ? -sysv_create_errno(-fd) : fd;
	*created = op.out_flags & SVM_OPEN_CREATED;
	if (!*created) {
		/* ipcperms(), then the size, as Linux's shmget() checks. */
		ret = sysv_info(fd, &info);
		if (!ret && !svmk_sysv_may(&info, shmflg & 0777))
			ret = -EACCES;
		if (!ret && size > info.asked)
			ret = -EINVAL;
	}
	close(fd);
	return ret < 0 ? ret : (int64_t)op.id;
}

static int64_t sysv_get(const char *name, size_t size, int shmflg,
			bool excl)
{
	bool created;
	int64_t id;

	for (;;) {
		if (!excl) {
			id = sysv_open_name(name, size, shmflg, 0, &created);
			if (id != -ENOENT || !(shmflg & IPC_CREAT))
				return id;
		}
		if (size < 1) {
			/* An existing key is EEXIST first, as in Linux. */
			if (!excl)
				return -EINVAL;
			id = sysv_open_name(name, 0, 0, 0, &created);
			return id >= 0 ? -EEXIST : id == -ENOENT ? -EINVAL : id;
		}
		id = sysv_open_name(name, size, shmflg,
				    SVM_OPEN_CREATE | SVM_OPEN_EXCL, &created);
		/* Another creator won the race: open what it made. */
		if (id != -EEXIST || excl)
			return id;
	}
}

/* A new segment of IPC_PRIVATE: a name no other region has. */
static int64_t sysv_get_private(size_t size, int shmflg)
{
	char name[SVM_NAME_MAX];
	unsigned long seq;
	int64_t id;

	do {
		pthread_mutex_lock(&sysv_lock);
		seq = sysv_private_seq++;
		pthread_mutex_unlock(&sysv_lock);
		snprintf(name, sizeof(name), SYSV_PRIVATE "%d:%lu", getpid(),
			 seq);
		id = sysv_get(name, size, shmflg | IPC_CREAT, true);
	} while (id == -EEXIST);
	return id;
}

static void sysv_remove_id(uint64_t id)
{
	struct svm_remove rm = {
		.size = sizeof(rm), .flags = SVM_REMOVE_ID, .id = id,
	};

	svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_REMOVE, &rm);
}

int shmget(key_t key, size_t size, int shmflg)
{
	char name[SVM_NAME_MAX];
	int64_t id;
	int ret;

	ret = svmk_sysv_init();
	if (ret < 0)
		return svmk_sysv_fail(-ret);
	if (key == IPC_PRIVATE) {
		id = sysv_get_private(size, shmflg);
	} else {
		snprintf(name, sizeof(name), SYSV_PREFIX "%08x",
			 (unsigned int)key);
		id = sysv_get(name, size, shmflg, (shmflg & IPC_CREAT) &&
			      (shmflg & IPC_EXCL));
	}
	if (id < 0)
		return svmk_sysv_fail(-id);
	if (id > INT_MAX) {	/* not a shmid: give back what was made */
		sysv_remove_id(id);
		return svmk_sysv_fail(ENOSPC);
	}
	return id;
}

/* ---- shmat and shmdt ---------------------------------------------------- */

void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	uintptr_t addr = (uintptr_t)shmaddr;
	int prot = PROT_READ, fd, ret;
	struct sysv_attach a;
	struct svm_info info;
	struct stat st;
	void *p;

	if (shmid < 0)
		return (void *)(intptr_t)svmk_sysv_fail(EINVAL);
	if (addr % SHMLBA) {
		if (!(shmflg & SHM_RND))
			return (void *)(intptr_t)svmk_sysv_fail(EINVAL);
		addr -= addr % SHMLBA;
	}
	if (!addr && (shmflg & SHM_REMAP))
		return (void *)(intptr_t)svmk_sysv_fail(EINVAL);
	fd = svmk_sysv_open_id(shmid, shmflg & SHM_RDONLY ? SVM_OPEN_RDONLY : 0,
			  &info);
	if (fd < 0)
		return (void *)(intptr_t)svmk_sysv_fail(-fd);
	ret = -EACCES;
	if ((shmflg & SHM_EXEC) && !svmk_sysv_may(&info, S_IXUSR | S_IXGRP | S_IXOTH))
		goto out_close;
	ret = -EINVAL;
	if (addr && addr != info.addr)
		goto out_close;
	addr = info.addr;
	if (!(shmflg & SHM_RDONLY))
		prot |= PROT_WRITE;
	if (shmflg & SHM_EXEC)
		prot |= PROT_EXEC;
	ret = fstat(fd, &st) ? -errno : 0;
	if (ret < 0)
		goto out_close;
	a = (struct sysv_attach){
		.addr = addr, .len = info.length,
		.dev = st.st_dev, .ino = st.st_ino,
	};

	pthread_mutex_lock(&sysv_lock);
	sysv_reserve();
	/*
	 * One attach per process, at the segment's one address: anything
	 * mapped there but the placeholder (this segment, through another
	 * fd, the kernel would silently replace) makes it EINVAL, as
	 * Linux's shmat() finds for an address in use.
	 */
	if (!(shmflg & SHM_REMAP)) {
		ret = sysv_range_busy(addr, addr + a.len);
		if (ret) {
			ret = ret < 0 ? ret : -EINVAL;
			goto out_unlock;
		}
	}
	p = mmap((void *)addr, a.len, prot,
		 MAP_SHARED | (shmflg & SHM_REMAP ? MAP_FIXED : 0), fd, 0);
	if (p == MAP_FAILED) {
		/* EEXIST: a mapping not svm's own is in the way. */
		ret = errno == EEXIST ? -EINVAL : -errno;
		goto out_unlock;
	}
	ret = p == (void *)addr ? sysv_attach_add(&a) : -EINVAL;
	if (ret < 0)
		sysv_unmap((uintptr_t)p, (uintptr_t)p + a.len);
out_unlock:
	pthread_mutex_unlock(&sysv_lock);
out_close:
	close(fd);
	if (ret < 0)
		return (void *)(intptr_t)svmk_sysv_fail(-ret);
	return (void *)addr;
}

int shmdt(const void *shmaddr)
{
	struct sysv_attach *a;
	struct sysv_vma *v;
	int n, i, ret = -EINVAL;
	bool live = false;

	pthread_mutex_lock(&sysv_lock);
	a = sysv_attach_find((uintptr_t)shmaddr);
	if (!a)
		goto out;
	/*
	 * Live while any of its region's mappings is there (one partially
	 * unmapped or mprotect()ed is still one attach); every one of them
	 * in its range goes.
	 */
	n = sysv_vmas(a->addr, a->addr + a->len, &v);
	if (n < 0) {
		ret = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!sysv_vma_is_of(&v[i], a))
			continue;
		sysv_unmap(v[i].start, v[i].end);
		live = true;
	}
	free(v);
	sysv_attach_drop(a);
	ret = live ? 0 : -EINVAL;
out:
	pthread_mutex_unlock(&sysv_lock);
	return ret < 0 ? svmk_sysv_fail(-ret) : 0;
}
