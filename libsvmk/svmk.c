// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsvmk: a thin layer over the ioctls of /dev/svm and of region fds.
 *
 * A handle owns the /dev/svm fd and, unless opened with SVMK_NORESERVE, a
 * PROT_NONE placeholder over the whole window.  A region owns its fd and its
 * mapping, which replaces the placeholder at the region's address; closing
 * the region puts the placeholder back in one mmap() so that nothing else
 * can slip into the hole.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svmk.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define SVMK_OPEN_FLAGS		SVMK_NORESERVE

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct svmk {
	int fd;
	bool reserved;			/* placeholder over the window */
	uint64_t base;			/* the window; it never changes */
	uint64_t length;
	atomic_uint nr_regions;		/* regions not yet closed */
};

struct svmk_watch {
	int fd;
	unsigned int queue_len;
};

struct svmk_region {
	struct svmk *svm;
	int fd;
	bool created;
	void *addr;
	size_t length;
	uint64_t id;
};

/* ioctl() returning -errno, restarted if a signal interrupted it. */
static int svm_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

static const char *svm_device_path(void)
{
	const char *path = secure_getenv("SVMK_DEVICE");

	return path && *path ? path : SVM_DEVICE;
}

static int svm_device_open(void)
{
	int fd;

	do {
		fd = open(svm_device_path(), O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd >= 0)
		return fd;
	/* No node means no module: keep ENOENT for "no such region". */
	return errno == ENOENT ? -ENODEV : -errno;
}

static int svm_window_read(int fd, struct svm_window *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	return svm_ioctl(fd, SVM_IOC_WINDOW, w);
}

/*
 * Old kernels treat MAP_FIXED_NOREPLACE as a mere hint, so check where the
 * placeholder landed as well.
 */
static int svm_reserve(struct svmk *svm)
{
	void *want = (void *)(uintptr_t)svm->base;
	void *p;

	p = mmap(want, svm->length, PROT_NONE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, svm->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p != want) {
		munmap(p, svm->length);
		return -EEXIST;
	}
	svm->reserved = true;
	return 0;
}

int svmk_open(struct svmk **svmp, unsigned int flags)
{
	struct svm_window w;
	struct svmk *svm;
	int ret;

	if (flags & ~SVMK_OPEN_FLAGS)
		return -EINVAL;

	svm = calloc(1, sizeof(*svm));
	if (!svm)
		return -ENOMEM;

	ret = svm_device_open();
	if (ret < 0)
		goto err_free;
	svm->fd = ret;

	ret = svm_window_read(svm->fd, &w);
	if (ret < 0)
		goto err_close;
	svm->base = w.base;
	svm->length = w.length;

	if (!(flags & SVMK_NORESERVE)) {
		ret = svm_reserve(svm);
		if (ret < 0)
			goto err_close;
	}
	atomic_init(&svm->nr_regions, 0);
	*svmp = svm;
	return 0;

err_close:
	close(svm->fd);
err_free:
	free(svm);
	return ret;
}

int svmk_close(struct svmk *svm)
{
	if (!svm)
		return 0;
	/* Unmapping the window would also take live regions with it. */
	if (atomic_load(&svm->nr_regions))
		return -EBUSY;
	if (svm->reserved)
		munmap((void *)(uintptr_t)svm->base, svm->length);
	close(svm->fd);
	free(svm);
	return 0;
}

int svmk_fd(const struct svmk *svm)
{
	return svm->fd;
}

int svmk_window(struct svmk *svm, struct svm_window *w)
{
	return svm_window_read(svm->fd, w);
}

int svmk_region_open(struct svmk *svm, const char *name, size_t length,
		     unsigned int flags, unsigned int mode,
		     struct svmk_region **regp)
{
	struct svm_open op = {
		.size = sizeof(op),
		.flags = flags | SVM_OPEN_CLOEXEC,
		.name = (uintptr_t)name,
		.length = length,
		.mode = mode,
	};
	struct svmk_region *reg;
	int prot = PROT_READ;
	void *want, *p;
	int ret;

	if (flags & ~SVM_OPEN_FLAGS)
		return -EINVAL;
	if (!(flags & SVM_OPEN_RDONLY))
		prot |= PROT_WRITE;

	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;

	ret = svm_ioctl(svm->fd, SVM_IOC_OPEN, &op);
	if (ret < 0)
		goto err_free;
	reg->fd = ret;

	/* The kernel places the mapping at the region's address itself. */
	want = (void *)(uintptr_t)op.addr;
	p = mmap(want, op.length, prot, MAP_SHARED, reg->fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	if (p != want) {
		munmap(p, op.length);
		ret = -EADDRNOTAVAIL;
		goto err_close;
	}

	reg->svm = svm;
	reg->created = op.out_flags & SVM_OPEN_CREATED;
	reg->addr = p;
	reg->length = op.length;
	reg->id = op.id;
	atomic_fetch_add(&svm->nr_regions, 1);
	*regp = reg;
	return 0;

err_close:
	close(reg->fd);
err_free:
	free(reg);
	return ret;
}

/* Put the window's placeholder back over a region's mapping, atomically. */
static int svm_unreserve_region(struct svmk_region *reg)
{
	struct svmk *svm = reg->svm;
	off_t off = (uintptr_t)reg->addr - svm->base;
	void *p;

	p = mmap(reg->addr, reg->length, PROT_NONE, MAP_SHARED | MAP_FIXED,
		 svm->fd, off);
	return p == MAP_FAILED ? -errno : 0;
}

int svmk_region_close(struct svmk_region *reg)
{
	struct svmk *svm;
	int ret = 0;

	if (!reg)
		return 0;
	svm = reg->svm;
	if (svm->reserved)
		ret = svm_unreserve_region(reg);
	/* No reservation, or it could not be restored: leave a hole. */
	if (!svm->reserved || ret < 0)
		munmap(reg->addr, reg->length);
	close(reg->fd);
	atomic_fetch_sub(&svm->nr_regions, 1);
	free(reg);
	return ret;
}

void *svmk_region_addr(const struct svmk_region *reg)
{
	return reg->addr;
}

size_t svmk_region_length(const struct svmk_region *reg)
{
	return reg->length;
}

int svmk_region_fd(const struct svmk_region *reg)
{
	return reg->fd;
}

uint64_t svmk_region_id(const struct svmk_region *reg)
{
	return reg->id;
}

int svmk_region_created(const struct svmk_region *reg)
{
	return reg->created;
}

/*
 * struct svm_info grows with the module (<linux/svm.h>'s VERn), and the
 * caller's struct is as large as the header it was built with says.
 * svmk_region_info(), svmk_list() and svmk_find() of LIBSVMK_1.4 fill
 * sizeof(struct svm_info) bytes (VER3); those of LIBSVMK_1.0, which
 * programs built with the headers of libsvmk 1.2 and 1.3 call, fill
 * SVM_INFO_SIZE_VER2 (see libsvmk.map).  The module writes back no more
 * than the size asked for.
 */
static int svm_info_read(const struct svmk_region *reg, struct svm_info *info,
			 size_t size)
{
	memset(info, 0, size);
	info->size = size;
	return svm_ioctl(reg->fd, SVM_IOC_INFO, info);
}

int svmk_region_info(const struct svmk_region *reg, struct svm_info *info)
{
	return svm_info_read(reg, info, sizeof(*info));
}

static int svm_mappers_read(const struct svmk_region *reg, unsigned int flags,
			    struct svm_mapper *buf, unsigned int count,
			    unsigned int *total)
{
	struct svm_mappers m = {
		.size = sizeof(m),
		.flags = flags,
		.entries = (uintptr_t)buf,
		/* the number written must fit the result */
		.count = count < INT_MAX ? count : INT_MAX,
	};
	int ret;

	ret = svm_ioctl(reg->fd, SVM_IOC_MAPPERS, &m);
	if (ret < 0)
		return ret;
	if (total)
		*total = m.total;
	return m.count;
}

int svmk_region_mappers(const struct svmk_region *reg, struct svm_mapper *buf,
			unsigned int count, unsigned int *total)
{
	return svm_mappers_read(reg, 0, buf, count, total);
}

int svmk_region_mlockers(const struct svmk_region *reg, struct svm_mapper *buf,
			 unsigned int count, unsigned int *total)
{
	return svm_mappers_read(reg, SVM_MAPPERS_MLOCKED, buf, count, total);
}

/*
 * One SVM_IOC_WIRE call, not restarted: the kernel fails it with EINTR only
 * for a fatal signal, and the caller is about to die then anyway.
 */
static int svm_wire(const struct svmk_region *reg, unsigned int op)
{
	struct svm_wire w = { .size = sizeof(w), .op = op };

	return ioctl(reg->fd, SVM_IOC_WIRE, &w) < 0 ? -errno : 0;
}

/* POSIX mlock of a region is the kernel's: mlock(2) of its mapping. */
int svmk_region_mlock(const struct svmk_region *reg)
{
	return mlock(reg->addr, reg->length) < 0 ? -errno : 0;
}

int svmk_region_munlock(const struct svmk_region *reg)
{
	return munlock(reg->addr, reg->length) < 0 ? -errno : 0;
}

int svmk_region_lock(const struct svmk_region *reg)
{
	return svm_wire(reg, SVM_WIRE_LOCK);
}

int svmk_region_unlock(const struct svmk_region *reg)
{
	return svm_wire(reg, SVM_WIRE_UNLOCK);
}

static int svm_setperm(const struct svmk_region *reg, unsigned int flags,
		       uid_t uid, gid_t gid, unsigned int mode)
{
	struct svm_setperm a = {
		.size = sizeof(a), .flags = flags, .uid = uid, .gid = gid,
		.mode = mode,
	};

	return svm_ioctl(reg->fd, SVM_IOC_SETPERM, &a);
}

int svmk_region_chmod(const struct svmk_region *reg, unsigned int mode)
{
	return svm_setperm(reg, SVM_SETPERM_MODE, 0, 0, mode);
}

/* As chown(2), -1 leaves an id as it is. */
int svmk_region_chown(const struct svmk_region *reg, uid_t uid, gid_t gid)
{
	unsigned int flags = 0;

	if (uid != (uid_t)-1)
		flags |= SVM_SETPERM_UID;
	else
		uid = 0;
	if (gid != (gid_t)-1)
		flags |= SVM_SETPERM_GID;
	else
		gid = 0;
	return svm_setperm(reg, flags, uid, gid, 0);
}

int svmk_remove(struct svmk *svm, const char *name)
{
	struct svm_remove rm = {
		.size = sizeof(rm),
		.name = (uintptr_t)name,
	};

	return svm_ioctl(svm->fd, SVM_IOC_REMOVE, &rm);
}

/* svmk_list() with entries of size bytes each. */
static int svm_list_read(struct svmk *svm, uint64_t *cursor, void *buf,
			 unsigned int count, size_t size)
{
	struct svm_list l = {
		.size = sizeof(l),
		.cursor = *cursor,
		.entries = (uintptr_t)buf,
		.entry_size = size,
		/* the number filled must fit the result */
		.count = count < INT_MAX ? count : INT_MAX,
	};
	unsigned int i;
	int ret;

	/* Otherwise "nothing filled" could not be told from the end. */
	if (!count)
		return -EINVAL;

	/* Fields an older module does not know must read as zero. */
	memset(buf, 0, (size_t)l.count * size);
	ret = svm_ioctl(svm->fd, SVM_IOC_LIST, &l);
	if (ret < 0)
		return ret;
	for (i = 0; i < l.count; i++)
		((struct svm_info *)((char *)buf + i * size))->size = size;
	*cursor = l.cursor;
	return l.count;
}

int svmk_list(struct svmk *svm, uint64_t *cursor, struct svm_info *buf,
	      unsigned int count)
{
	return svm_list_read(svm, cursor, buf, count, sizeof(*buf));
}

/* The rule of <linux/svm.h>, so that a bad name is EINVAL as in the ioctls. */
static bool svm_name_valid(const char *name)
{
	size_t len = strnlen(name, SVM_NAME_MAX);
	size_t i;

	if (len == 0 || len == SVM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e || name[i] == '/')
			return false;
	return true;
}

/* svmk_find() into the first size bytes of info. */
static int svm_find(struct svmk *svm, const char *name, struct svm_info *info,
		    size_t size)
{
	struct svm_info buf[16];
	uint64_t cursor = 0;
	int i, n;

	if (!svm_name_valid(name))
		return -EINVAL;

	while ((n = svmk_list(svm, &cursor, buf, ARRAY_SIZE(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i].flags & SVM_REGION_REMOVED ||
			    strncmp(buf[i].name, name, SVM_NAME_MAX))
				continue;
			buf[i].size = size;
			memcpy(info, &buf[i], size);
			return 0;
		}
	}
	return n < 0 ? n : -ENOENT;
}

int svmk_find(struct svmk *svm, const char *name, struct svm_info *info)
{
	return svm_find(svm, name, info, sizeof(*info));
}

/*
 * The LIBSVMK_1.0 versions, for programs built with a struct svm_info of
 * SVM_INFO_SIZE_VER2 bytes; only in the shared library (a static link
 * always has the header it was built with).
 */
#ifdef SVMK_SHARED
_Static_assert(sizeof(struct svm_info) > SVM_INFO_SIZE_VER2,
	       "svm_info VER2 compatibility: drop it if the struct shrank");

int svmk_region_info_ver2(const struct svmk_region *reg,
			  struct svm_info *info)
	__attribute__((symver("svmk_region_info@LIBSVMK_1.0")));
int svmk_list_ver2(struct svmk *svm, uint64_t *cursor, void *buf,
		   unsigned int count)
	__attribute__((symver("svmk_list@LIBSVMK_1.0")));
int svmk_find_ver2(struct svmk *svm, const char *name, struct svm_info *info)
	__attribute__((symver("svmk_find@LIBSVMK_1.0")));

int svmk_region_info_ver2(const struct svmk_region *reg,
			  struct svm_info *info)
{
	return svm_info_read(reg, info, SVM_INFO_SIZE_VER2);
}

int svmk_list_ver2(struct svmk *svm, uint64_t *cursor, void *buf,
		   unsigned int count)
{
	return svm_list_read(svm, cursor, buf, count, SVM_INFO_SIZE_VER2);
}

int svmk_find_ver2(struct svmk *svm, const char *name, struct svm_info *info)
{
	return svm_find(svm, name, info, SVM_INFO_SIZE_VER2);
}
#endif

/* ---- watches ------------------------------------------------------------ */

/*
 * The records this library asks for and hands out: struct svm_event of
 * this header.  A larger one would need a new svmk_watch_read() symbol.
 */
_Static_assert(sizeof(struct svm_event) == SVM_EVENT_SIZE_VER0,
	       "struct svm_event grew: svmk_watch_read() needs a new version");

static int svm_watch_make(int region_fd, unsigned int flags,
			  struct svmk_watch **wp)
{
	struct svm_watch a = {
		.size = sizeof(a),
		.flags = flags,
		.event_size = SVM_EVENT_SIZE_VER0,
	};
	struct svmk_watch *w;
	int ret;

	if (flags & ~SVM_WATCH_FLAGS)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	ret = svm_ioctl(region_fd, SVM_IOC_WATCH, &a);
	if (ret < 0) {
		free(w);
		return ret;
	}
	w->fd = ret;
	w->queue_len = a.queue_len;
	*wp = w;
	return 0;
}

int svmk_region_watch(const struct svmk_region *reg, unsigned int flags,
		      struct svmk_watch **wp)
{
	return svm_watch_make(reg->fd, flags, wp);
}

/*
 * A read-only open that creates nothing and maps nothing; the watch does
 * not hold the region, so closing the fd leaves the caller no holder.
 */
int svmk_watch_open(struct svmk *svm, const char *name, unsigned int flags,
		    struct svmk_watch **wp)
{
	struct svm_open op = {
		.size = sizeof(op),
		.flags = SVM_OPEN_RDONLY | SVM_OPEN_CLOEXEC,
		.name = (uintptr_t)name,
	};
	int fd, ret;

	if (flags & ~SVM_WATCH_FLAGS)
		return -EINVAL;
	fd = svm_ioctl(svm->fd, SVM_IOC_OPEN, &op);
	if (fd < 0)
		return fd;
	ret = svm_watch_make(fd, flags, wp);
	close(fd);
	return ret;
}

int svmk_watch_fd(const struct svmk_watch *w)
{
	return w->fd;
}

unsigned int svmk_watch_queue_len(const struct svmk_watch *w)
{
	return w->queue_len;
}

/*
 * One read(2), not restarted on EINTR: the wait may be long, and a caller
 * whose signal handler interrupts it wants to get control back.  The
 * kernel returns whole records only.
 */
int svmk_watch_read(struct svmk_watch *w, struct svm_event *ev,
		    unsigned int count)
{
	ssize_t n;

	if (!count)
		return -EINVAL;
	/* the number read must fit the result */
	if (count > INT_MAX)
		count = INT_MAX;
	n = read(w->fd, ev, (size_t)count * SVM_EVENT_SIZE_VER0);
	if (n < 0)
		return -errno;
	return n / SVM_EVENT_SIZE_VER0;
}

int svmk_watch_close(struct svmk_watch *w)
{
	if (!w)
		return 0;
	close(w->fd);
	free(w);
	return 0;
}

static const char *const svm_event_names[] = {
	[SVM_EVENT_ATTACH] = "attach",
	[SVM_EVENT_DETACH] = "detach",
	[SVM_EVENT_WIRED] = "wired",
	[SVM_EVENT_UNWIRED] = "unwired",
	[SVM_EVENT_REMOVED] = "removed",
	[SVM_EVENT_DESTROYED] = "destroyed",
	[SVM_EVENT_OVERFLOW] = "overflow",
};

static const char *const svm_cause_names[] = {
	[SVM_CAUSE_NONE] = "none",
	[SVM_CAUSE_UNMAP] = "unmap",
	[SVM_CAUSE_EXEC] = "exec",
	[SVM_CAUSE_EXIT] = "exit",
	[SVM_CAUSE_SIGNAL] = "signal",
	[SVM_CAUSE_OOM] = "oom",
	[SVM_CAUSE_UNKNOWN] = "unknown",
};

static const char *const svm_source_names[] = {
	[SVM_WIRE_SRC_SVID] = "svid",
	[SVM_WIRE_SRC_MLOCK] = "mlock",
};

#define NAME_OF(table, v) \
	((v) < ARRAY_SIZE(table) ? (table)[v] : NULL)

const char *svmk_event_name(unsigned int type)
{
	return NAME_OF(svm_event_names, type);
}

const char *svmk_cause_name(unsigned int cause)
{
	return NAME_OF(svm_cause_names, cause);
}

const char *svmk_source_name(unsigned int source)
{
	return NAME_OF(svm_source_names, source);
}

/* The errnos <linux/svm.h> gives a meaning, and the limits they stand for. */
static const char *const svm_errors[] = {
	[ENODEV] = "svm module not loaded, or its device node is missing",
	[ENXIO] = "svm module not loaded, or its device node is missing",
	[ENOTTY] = "not an svm device, or request unknown to the svm module",
	[E2BIG] = "argument newer than the svm module understands",
	[EINVAL] = "invalid argument (region name, size, mode, flags, a user or group ID without a mapping, or a count of 0), or unlock of a region not SVID-locked",
	[ENOENT] = "no region of that name (in this IPC namespace)",
	[EEXIST] = "region exists, or its address range is already mapped",
	[EACCES] = "permission denied by the region's mode (or by " SVM_DEVICE "'s); a watch needs read permission",
	[EPERM] = "not the region's owner or creator and without CAP_SYS_ADMIN (remove, chmod, chown) or CAP_IPC_LOCK (lock/unlock), or RLIMIT_MEMLOCK is 0 (wiring)",
	[ENOMEM] = "not mapped by this process, over RLIMIT_MEMLOCK, or out of memory",
	[EINTR] = "interrupted by a fatal signal while wiring the region's pages",
	[EFBIG] = "region larger than the window or module parameter max_region_size",
	[ENOSPC] = "no free extent of the svm window is large enough, or per-user watch limit reached (module parameter user_max_watches)",
	[ENFILE] = "system-wide region limit reached (module parameter max_regions), or the system's file table is full",
	[EUSERS] = "per-user region limit reached (module parameter user_max_regions)",
	[EDQUOT] = "per-user VA quota reached (module parameter user_max_bytes)",
	[EMLINK] = "per-namespace region limit reached (module parameter ns_max_regions)",
	[ENOBUFS] = "per-namespace VA quota reached (module parameter ns_max_bytes)",
	[EADDRNOTAVAIL] = "region could not be mapped at its fixed address",
};

const char *svmk_strerror(int err)
{
	static __thread char buf[128];

	if (err < 0 && err != INT_MIN)
		err = -err;
	if (err >= 0 && (size_t)err < ARRAY_SIZE(svm_errors) && svm_errors[err])
		return svm_errors[err];
	/* GNU strerror_r: returns a static string or fills buf. */
	return strerror_r(err, buf, sizeof(buf));
}
