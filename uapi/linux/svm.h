/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svm: named shared-memory regions at the same virtual address in every
 * process.  ioctl ABI of /dev/svm and of region file descriptors.
 *
 * Every argument struct starts with a __u32 size that user space sets to
 * sizeof() the struct it was compiled with.  The kernel accepts any size from
 * the first released layout (SVM_*_SIZE_VER0) upwards: a shorter struct than
 * the kernel's is zero-extended, a longer one must have zeroes past the part
 * the kernel knows (else E2BIG), as copy_struct_from_user() does.  Output is
 * written back only up to the caller's size.  Flags and fields marked
 * reserved must be zero (else EINVAL).
 *
 * Errors common to every ioctl:
 *   ENOTTY  unknown request, or a region request on /dev/svm (or vice versa)
 *   EFAULT  an argument or a pointer inside it is not accessible
 *   EINVAL  size below SVM_*_SIZE_VER0, unknown flag, reserved field not 0
 *   E2BIG   size larger than the kernel's struct with non-zero bytes beyond
 *   EINTR   (SVM_IOC_INFO, SVM_IOC_LIST, SVM_IOC_MAPPERS, SVM_IOC_WIRE) a
 *           fatal signal came while waiting for a mapper's mmap lock to
 *           read its mlock state
 *   ENOMEM  (SVM_IOC_INFO, SVM_IOC_LIST, SVM_IOC_MAPPERS, SVM_IOC_WIRE) out
 *           of memory
 */
#ifndef _UAPI_LINUX_SVM_H
#define _UAPI_LINUX_SVM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SVM_DEVICE		"/dev/svm"

/*
 * Region names: 1..SVM_NAME_MAX-1 bytes of printable ASCII other than space
 * and '/' (0x21..0x7e except 0x2f), NUL-terminated.
 */
#define SVM_NAME_MAX		64

/* The huge page size of SVM_OPEN_HUGE regions: a PMD on x86-64. */
#define SVM_HUGE_SIZE		(2UL << 20)

#define SVM_IOC_MAGIC		0xE5

/*
 * IPC namespaces: a region belongs to the IPC namespace of the process
 * that created it, as a SysV segment does.  SVM_IOC_OPEN, SVM_IOC_REMOVE
 * and SVM_IOC_LIST see only the names and regions of the caller's IPC
 * namespace (the caller's at the call, not that of whoever opened
 * /dev/svm); the same name in two namespaces is two regions.  A region
 * is reached from another namespace only through one of its file
 * descriptors (inherited, or passed with SCM_RIGHTS), which works there
 * as anywhere.  When a namespace dies, its names are removed as by
 * SVM_IOC_REMOVE: a region lives on while a file descriptor or mapping
 * holds it.  Every request on /dev/svm made after the namespace died
 * finds them gone (its last process has exited, and nothing else such as
 * an open /proc/PID/ns/ipc holds it); without any request the module
 * removes them itself within about a second.  The window, region ids, and
 * the system-wide and per-user limits stay machine-wide; each namespace
 * but the initial one is also bounded by the module parameters
 * ns_max_regions (EMLINK) and ns_max_bytes (ENOBUFS), which SVM_IOC_WINDOW
 * does not report.
 */

/* ---- requests on /dev/svm --------------------------------------------- */

/*
 * SVM_IOC_OPEN: create or open a region by name, in the caller's IPC
 * namespace.  Returns a new region file descriptor (>= 0).  mmap() of that
 * fd always maps at info.addr + offset.
 *
 * SVM_OPEN_ID opens the region whose id is given in id instead of a name
 * (name must be 0): a region of the caller's IPC namespace, removed ones
 * that still live included, as shmat(2) reaches a segment marked for
 * destruction by its shmid.  It cannot create.
 *
 * SVM_OPEN_NOACCESS returns a file descriptor that grants neither read
 * nor write (like O_PATH, or shmget(2) with no permission bits asked): no
 * permission bit of the region is checked, mmap() of it fails with
 * EACCES, and so do SVM_IOC_WATCH and SVM_IOC_MAPPERS (who maps a region
 * is for those who may read it, as IPC_STAT is); SVM_IOC_INFO (what
 * SVM_IOC_LIST shows anyone), SVM_IOC_SETPERM and SVM_IOC_WIRE work on
 * it with their own rules.  With
 * SVM_OPEN_CREATE a region that does not exist is still created (with the
 * mode given), and the fd still grants nothing.
 *
 * Creation and lookup are atomic: of N racing creators of one name exactly
 * one gets SVM_OPEN_CREATED in out_flags.
 *
 * Every region of SVM_HUGE_SIZE (2 MiB) or more is placed at a multiple of
 * it, so that transparent huge pages can map it wherever the system's
 * shmem_enabled setting (or madvise(MADV_HUGEPAGE)) allows them, as for any
 * shmem mapping.  SVM_OPEN_HUGE asks for huge pages whatever that setting:
 * the size is rounded up to a multiple of SVM_HUGE_SIZE, and the pages come
 * from the module's own tmpfs instance mounted huge=within_size, so every
 * mapper maps them with PMDs.  When no huge page can be had, the region
 * falls back to small pages for that part; svm_info says how many bytes
 * are in huge pages and how many fell back.  SVM_OPEN_HUGE (like
 * SVM_OPEN_PERSIST) only matters when the call creates the region.
 *
 * Errors:
 *   ENAMETOOLONG  the name is SVM_NAME_MAX bytes or longer
 *   EINVAL   bad name (see SVM_NAME_MAX), size 0 when the call would
 *            create the region (SVM_OPEN_CREATE with size 0 opens an
 *            existing one, as shmget(key, 0, IPC_CREAT) does), size given
 *            on open that differs from the region's size, mode above 0777,
 *            SVM_OPEN_EXCL, SVM_OPEN_PERSIST or SVM_OPEN_HUGE without
 *            SVM_OPEN_CREATE; SVM_OPEN_ID with a name, with id 0 or with
 *            SVM_OPEN_CREATE; SVM_OPEN_NOACCESS with SVM_OPEN_RDONLY
 *   EOPNOTSUPP  SVM_OPEN_HUGE, and the kernel has no transparent huge pages
 *   ENOENT   no region of that name and SVM_OPEN_CREATE not set;
 *            SVM_OPEN_ID: no live region of that id in the caller's IPC
 *            namespace
 *   EEXIST   region exists and SVM_OPEN_EXCL set
 *   EACCES   the region's mode does not allow the requested access
 *   EFBIG    size larger than the max_region_size parameter or the window
 *   ENOSPC   no free extent of the window is large enough
 *   ENFILE   the max_regions parameter (system-wide regions) is reached
 *   EUSERS   the caller's uid holds user_max_regions regions already
 *   EDQUOT   the caller's uid would exceed user_max_bytes of window
 *   EMLINK   the caller's IPC namespace, if not the initial one, holds
 *            ns_max_regions regions already
 *   ENOBUFS  the caller's IPC namespace, if not the initial one, would
 *            exceed ns_max_bytes of window
 *   ENOMEM   out of kernel memory
 *   EMFILE   the caller's file descriptor table is full
 */
#define SVM_OPEN_CREATE		(1U << 0) /* create if missing */
#define SVM_OPEN_EXCL		(1U << 1) /* with CREATE: fail if it exists */
#define SVM_OPEN_RDONLY		(1U << 2) /* fd for reading only */
#define SVM_OPEN_PERSIST	(1U << 3) /* name holds region until remove */
#define SVM_OPEN_CLOEXEC	(1U << 4) /* O_CLOEXEC on the new fd */
#define SVM_OPEN_HUGE		(1U << 5) /* with CREATE: transparent huge pages */
#define SVM_OPEN_ID		(1U << 6) /* by id (in id), not by name */
#define SVM_OPEN_NOACCESS	(1U << 7) /* fd grants no access; no check */
#define SVM_OPEN_FLAGS		0xffU

#define SVM_OPEN_CREATED	(1U << 0) /* out_flags: this call created it */

struct svm_open {
	__u32 size;		/* sizeof(struct svm_open) */
	__u32 flags;		/* SVM_OPEN_* */
	__aligned_u64 name;	/* user pointer to the NUL-terminated name */
	/*
	 * in: bytes (create: rounded up to the granule; open: 0 or the
	 * region's size); out: the region's size
	 */
	__aligned_u64 length;
	__u32 mode;		/* permission bits (0..0777) on create */
	__u32 out_flags;	/* out: SVM_OPEN_CREATED */
	__aligned_u64 addr;	/* out: the region's address */
	__aligned_u64 id;	/* out: the region's id (in: SVM_OPEN_ID) */
};

#define SVM_OPEN_SIZE_VER0	48

/*
 * SVM_IOC_REMOVE: unlink a name of the caller's IPC namespace.  The region
 * lives on until its last fd and mapping are gone; a new region may take
 * the name at once.
 *
 * SVM_REMOVE_ID (VER1) removes the region whose id is given in id (name
 * must be 0) instead, as shmctl(IPC_RMID) does by shmid: a name reused by
 * a newer region is never touched.  Removing by id a region already
 * removed, that still lives, succeeds and changes nothing (as IPC_RMID of
 * a segment already marked SHM_DEST).
 *
 * Errors:
 *   ENAMETOOLONG  the name is SVM_NAME_MAX bytes or longer
 *   EINVAL   bad name; unknown flag; SVM_REMOVE_ID with a name, with id 0,
 *            or with size below SVM_REMOVE_SIZE_VER1; id not 0 without
 *            SVM_REMOVE_ID
 *   ENOENT   no region of that name in the caller's IPC namespace;
 *            SVM_REMOVE_ID: no live region of that id in it
 *   EPERM    caller is not the owner or creator and lacks CAP_SYS_ADMIN
 */
#define SVM_REMOVE_ID		(1U << 0) /* by id (VER1), not by name */
#define SVM_REMOVE_FLAGS	0x1U

struct svm_remove {
	__u32 size;		/* sizeof(struct svm_remove) */
	__u32 flags;		/* SVM_REMOVE_* */
	__aligned_u64 name;	/* user pointer to the NUL-terminated name */
	/* VER1 */
	__aligned_u64 id;	/* SVM_REMOVE_ID: the region's id */
};

#define SVM_REMOVE_SIZE_VER0	16
#define SVM_REMOVE_SIZE_VER1	24

/*
 * SVM_IOC_WINDOW: the window's state, the module's limits and (VER1) what
 * the caller's effective uid holds against them.  All of it is
 * machine-wide, whatever the caller's IPC namespace.
 */
struct svm_window {
	__u32 size;		/* sizeof(struct svm_window) */
	__u32 flags;		/* reserved, 0 */
	__aligned_u64 base;	/* first address of the window */
	__aligned_u64 length;	/* bytes */
	__aligned_u64 granule;	/* allocation unit (PAGE_SIZE) */
	__aligned_u64 free;	/* bytes not allocated (guards count used) */
	__aligned_u64 largest_free; /* largest free extent, bytes */
	__u32 nr_regions;	/* live regions, removed ones included */
	__u32 max_regions;	/* module parameter */
	__aligned_u64 max_region_size;	/* module parameter, bytes */
	__u32 user_max_regions;	/* module parameter, per uid */
	__u32 __reserved0;
	__aligned_u64 user_max_bytes;	/* module parameter, per uid */
	/* VER1: the caller's euid */
	__u32 user_regions;	/* regions it created (user_max_regions) */
	__u32 __reserved1;
	__aligned_u64 user_bytes;	/* their bytes (user_max_bytes) */
	__aligned_u64 user_locked;	/* bytes of SVID locks charged to it */
};

#define SVM_WINDOW_SIZE_VER0	80
#define SVM_WINDOW_SIZE_VER1	104

/* Region flags reported in svm_info.flags. */
#define SVM_REGION_PERSIST	(1U << 0) /* created with SVM_OPEN_PERSIST */
#define SVM_REGION_REMOVED	(1U << 1) /* name unlinked, memory still held */
#define SVM_REGION_WIRED	(1U << 2) /* populated and unevictable */
#define SVM_REGION_HUGE		(1U << 3) /* created with SVM_OPEN_HUGE */
#define SVM_REGION_SYSV_LOCK	(1U << 4) /* holds its SysV lock (SVM_WIRE_SYSV) */

/* SVM_IOC_INFO on a region fd, and the entries of SVM_IOC_LIST. */
struct svm_info {
	__u32 size;		/* sizeof(struct svm_info) */
	__u32 flags;		/* out: SVM_REGION_* */
	/* unique for the module's lifetime, across IPC namespaces */
	__aligned_u64 id;
	char name[SVM_NAME_MAX];
	__aligned_u64 addr;
	__aligned_u64 length;
	__u32 uid;		/* owner, in the caller's user namespace */
	__u32 gid;
	__u32 cuid;		/* creator */
	__u32 mode;		/* permission bits */
	/* creator pid in the caller's pid namespace, 0 if not visible */
	__s32 cpid;
	__u32 nr_mappers;	/* address spaces mapping the region */
	__aligned_u64 ctime_ns;	/* creation, CLOCK_REALTIME */
	__aligned_u64 resident;	/* pages in memory */
	__u32 nr_fds;		/* open region file descriptions */
	__u32 __reserved0;
	/* VER1: wiring (see SVM_IOC_WIRE) */
	__u32 svid_count;	/* SVID lock count */
	__u32 nr_mlocked;	/* mappers with a VM_LOCKED mapping of it */
	__aligned_u64 charged;	/* bytes charged for the SVID lock, or 0 */
	__u32 charged_uid;	/* who was charged, in the caller's userns */
	__u32 __reserved1;
	/* VER2: pages */
	__aligned_u64 page_size; /* SVM_HUGE_SIZE if SVM_REGION_HUGE, else 4096 */
	__aligned_u64 huge_bytes; /* resident in huge (PMD-size) pages */
	/*
	 * SVM_REGION_HUGE only: resident in small pages, where no huge page
	 * could be had (0 when every page came huge)
	 */
	__aligned_u64 fallback_bytes;
	/*
	 * VER3: what shmctl(IPC_STAT) reports of a SysV segment.  An attach
	 * is an address space becoming a mapper (nr_mappers counts those
	 * attached now: SysV's shm_nattch), a fork child's included; a
	 * detach is one leaving (its last mapping of the region gone, by
	 * munmap, exec, exit or a signal).  Times are CLOCK_REALTIME, 0 for
	 * never; atime_ns and dtime_ns to the kernel's tick (the coarse
	 * clock), or the event's time when a watch queued one.
	 */
	__aligned_u64 atime_ns;	/* last attach */
	__aligned_u64 dtime_ns;	/* last detach */
	/* last change: creation, then each SVM_IOC_SETPERM (shm_ctime) */
	__aligned_u64 chtime_ns;
	/* bytes asked for at creation, before rounding (shm_segsz) */
	__aligned_u64 asked;
	__aligned_u64 nr_attaches; /* attaches since creation */
	__u32 cgid;		/* creator's group, in the caller's userns */
	/*
	 * pid of the process that made the last attach or detach (for an
	 * attach through fork(2), the parent, as SysV's shm_lpid), in the
	 * caller's pid namespace; 0 if none yet or not visible there
	 */
	__s32 lpid;
};

#define SVM_INFO_SIZE_VER0	144
#define SVM_INFO_SIZE_VER1	168
#define SVM_INFO_SIZE_VER2	192
#define SVM_INFO_SIZE_VER3	240

/*
 * SVM_IOC_LIST: read svm_info of the regions of the caller's IPC namespace
 * (removed ones still held included) with id > cursor, in id order.
 * entries points to an array of count elements of entry_size bytes each
 * (at least SVM_INFO_SIZE_VER0).  On return count is the number filled and
 * cursor the last id returned; count 0 means the end.  Listing needs no
 * permission on the regions, like ipcs.
 */
struct svm_list {
	__u32 size;		/* sizeof(struct svm_list) */
	__u32 flags;		/* reserved, 0 */
	__aligned_u64 cursor;	/* in/out */
	__aligned_u64 entries;	/* user pointer */
	__u32 entry_size;	/* bytes per entry */
	__u32 count;		/* in: capacity; out: filled */
};

#define SVM_LIST_SIZE_VER0	32

/* ---- requests on a region fd ------------------------------------------ */

/*
 * SVM_IOC_MAPPERS: the address spaces that map the region, one entry each,
 * named by the pid (in the caller's pid namespace) of the process that owns
 * it (for a multi-threaded process, its tgid; processes sharing one
 * address space through CLONE_VM without CLONE_THREAD are one entry), with
 * the number of mappings (VMAs) of the region in it.  An address space
 * being torn down, or whose process the caller's namespace cannot see, is
 * reported with pid 0.  total is the number of entries there are; at most
 * count are written.  With SVM_MAPPERS_MLOCKED, only those with a VM_LOCKED
 * mapping of the region (mlock(2), mlockall(2), MAP_LOCKED), read from
 * their VMAs at the call.  The cost is linear in the region's mappers.
 *
 * Errors:
 *   EINVAL   unknown flag
 *   EACCES   the fd was opened with SVM_OPEN_NOACCESS
 *   ENOMEM   out of kernel memory
 */
#define SVM_MAPPERS_MLOCKED	(1U << 0)
#define SVM_MAPPERS_FLAGS	0x1U

struct svm_mapper {
	__s32 pid;
	__u32 nr_maps;
};

struct svm_mappers {
	__u32 size;		/* sizeof(struct svm_mappers) */
	__u32 flags;		/* SVM_MAPPERS_* */
	__aligned_u64 entries;	/* user pointer to struct svm_mapper[count] */
	__u32 count;		/* in: capacity; out: entries written */
	__u32 total;		/* out: entries there are */
};

#define SVM_MAPPERS_SIZE_VER0	24

/*
 * Wiring: two independent sources.
 *
 *                 POSIX mlock                    SVID lock
 *   how           mlock(2), mlock2(2),           SVM_WIRE_LOCK and
 *                 mlockall(2), MAP_LOCKED on a   SVM_WIRE_UNLOCK on the
 *                 mapping of the region: the     region, like SysV
 *                 kernel's own VM_LOCKED         SHM_LOCK/SHM_UNLOCK
 *   state         per mapping (VMA) of each      one count per region
 *                 mapper
 *   repeat calls  idempotent: one munlock(2)     balanced: each lock needs
 *                 undoes any number of mlocks    its unlock; unlock at 0 is
 *                                                EINVAL
 *   charged to    the mapper's RLIMIT_MEMLOCK    the euid that took the
 *                 (mm->locked_vm, VmLck), by     first lock, once, against
 *                 the kernel                     its RLIMIT_MEMLOCK unless
 *                                                it has CAP_IPC_LOCK
 *   ends when     munlock(2)/munlockall(2), or   balanced unlocks, or
 *                 when the mapping goes (munmap, the region is destroyed
 *                 exec, exit, SIGKILL); a fork
 *                 child starts without it
 *   never touches the SVID count                 any mapping's VM_LOCKED
 *
 * The region is wired (SVM_REGION_WIRED) while any mapper has a VM_LOCKED
 * mapping of it or the SVID count is above 0.  The first SVID lock
 * populates every page and makes the pages unevictable; the last unlock
 * makes them evictable again (pages a VM_LOCKED mapping holds stay mlocked
 * and unevictable) and refunds the charge, as destruction does.  Pages
 * resident before the first SVID lock move to the unevictable list when
 * reclaim next sees them, as with SysV SHM_LOCK.
 *
 * SVM_IOC_WIRE: SVM_WIRE_LOCK and SVM_WIRE_UNLOCK need the region's owner
 * or creator, or CAP_IPC_LOCK.  SVM_WIRE_MLOCK and SVM_WIRE_MUNLOCK are
 * retired (they kept a mlock bit of svm's own): POSIX mlock of a region is
 * mlock(2) of its mapping.
 *
 * SVM_WIRE_SYSV makes SVM_WIRE_LOCK and SVM_WIRE_UNLOCK act on the
 * region's one SysV lock, a flag as SysV's SHM_LOCK and SHM_UNLOCK are: a
 * region holds it or not (SVM_REGION_SYSV_LOCK), and while it does, it
 * is one count of the SVID count.  SVM_WIRE_LOCK | SVM_WIRE_SYSV takes it
 * (one SVM_WIRE_LOCK) unless the region holds it already, and then
 * succeeds doing nothing; SVM_WIRE_UNLOCK | SVM_WIRE_SYSV drops it (one
 * SVM_WIRE_UNLOCK) if the region holds it, and else succeeds doing
 * nothing.  Test and change are one step under the region's lock, so
 * racing callers take or drop it once.  Counts taken without
 * SVM_WIRE_SYSV are never dropped by it, nor it by them.
 *
 * Errors:
 *   EINVAL     unknown op or flag; SVM_WIRE_UNLOCK (without SVM_WIRE_SYSV)
 *              with the count at 0, or with the SysV lock the only count
 *   EOPNOTSUPP SVM_WIRE_MLOCK or SVM_WIRE_MUNLOCK (use mlock(2))
 *   ENOMEM     the charge would pass RLIMIT_MEMLOCK; out of memory while
 *              populating (nothing is left charged or wired)
 *   EPERM      RLIMIT_MEMLOCK is 0 and the caller lacks CAP_IPC_LOCK;
 *              lock/unlock by other than owner, creator or CAP_IPC_LOCK
 *   EINTR      a fatal signal arrived while populating
 */
#define SVM_WIRE_MLOCK		1	/* retired: EOPNOTSUPP */
#define SVM_WIRE_MUNLOCK	2	/* retired: EOPNOTSUPP */
#define SVM_WIRE_LOCK		3
#define SVM_WIRE_UNLOCK		4

#define SVM_WIRE_SYSV		(1U << 0) /* the region's one SysV lock */
#define SVM_WIRE_FLAGS		0x1U

struct svm_wire {
	__u32 size;		/* sizeof(struct svm_wire) */
	__u32 op;		/* SVM_WIRE_* */
	__u32 flags;		/* SVM_WIRE_SYSV */
	__u32 __reserved0;
};

#define SVM_WIRE_SIZE_VER0	16

/*
 * SVM_IOC_SETPERM: change the region's owner uid, group and mode, as
 * shmctl(IPC_SET) changes a SysV segment's.  flags say which of uid, gid
 * and mode to set (at least one); a field not selected must be 0.  uid
 * and gid are in the caller's user namespace.  Allowed to the region's
 * owner or creator (cuid), or with CAP_SYS_ADMIN.  Everything is checked
 * before anything changes, and the selected fields change together, at
 * once: the next SVM_IOC_OPEN checks the new ones, while file descriptors
 * already open keep the access they were opened with (as SysV attaches
 * do).  The creator (cuid) never changes, and stays charged for the
 * region against user_max_regions and user_max_bytes (SVM_IOC_WINDOW's
 * user_regions, user_bytes): giving a region away cannot fill another
 * user's quota.  An SVID lock stays charged to the user who took it.
 * It works on a removed region too, while it lives, and through an fd
 * opened with SVM_OPEN_NOACCESS.  Each change sets svm_info's chtime_ns.
 *
 * Errors:
 *   EINVAL   no flag, unknown flag, a field not selected is not 0, mode
 *            above 0777, uid or gid has no mapping in the caller's user
 *            namespace (such as (__u32)-1)
 *   EPERM    the caller is neither the region's owner nor its creator and
 *            lacks CAP_SYS_ADMIN
 */
#define SVM_SETPERM_UID		(1U << 0) /* set uid */
#define SVM_SETPERM_GID		(1U << 1) /* set gid */
#define SVM_SETPERM_MODE	(1U << 2) /* set mode */
#define SVM_SETPERM_FLAGS	0x7U

struct svm_setperm {
	__u32 size;		/* sizeof(struct svm_setperm) */
	__u32 flags;		/* SVM_SETPERM_* */
	__u32 uid;		/* the new owner, in the caller's userns */
	__u32 gid;		/* the new group, in the caller's userns */
	__u32 mode;		/* the new permission bits, 0..0777 */
	__u32 __reserved0;
};

#define SVM_SETPERM_SIZE_VER0	24

/*
 * SVM_IOC_WATCH: watch the region for who attaches, detaches and dies,
 * and for its wiring and end.  Returns a new watch file descriptor (>= 0),
 * "[svm_watch]" in /proc/PID/fd.  Each watch has its own queue and read
 * position, so several watchers do not steal each other's events; the
 * region fd keeps its mmap(2) semantics.  A watch does not hold the region:
 * it is no holder (SVM_EVENT_DESTROYED would never come otherwise), and it
 * outlives the region while its fd is open.
 *
 * The watch fd is poll(2)/epoll(7)-readable (EPOLLIN) while records are
 * queued, and at end of file.  read(2) returns whole records of
 * event_size bytes (struct svm_event, see below), as many as fit; a
 * buffer smaller than one record is EINVAL.  With no record queued it
 * blocks (EAGAIN with SVM_WATCH_NONBLOCK, or O_NONBLOCK set later with
 * fcntl(2)).  Once the region is destroyed, SVM_EVENT_DESTROYED is the last
 * record and read(2) then returns 0 (end of file), and poll(2) reports
 * EPOLLIN | EPOLLHUP.
 *
 * Records are queued as things happen, from the mapping paths themselves,
 * into a ring of the watch_queue_len module parameter's records (default
 * 256, at least 4, read when the watch is made; returned in queue_len).
 * A full ring drops its oldest record: the next read(2) then first returns
 * one SVM_EVENT_OVERFLOW record whose lost says how many were dropped and
 * whose seq is the first dropped one's, as inotify's IN_Q_OVERFLOW does.
 * seq counts every event of the watch, from 1: a record after an overflow
 * has seq equal to the overflow's seq + lost, every other record the seq
 * of the one before + 1.  A mapper never waits for a watcher: queuing
 * costs a constant time per watch and allocates nothing.
 *
 * read(2) of a watch fd fails with EINVAL (count below one record), EAGAIN
 * (nothing queued, non-blocking), EINTR (a signal came while blocked) or
 * EFAULT.  write(2), mmap(2) and ioctl(2) on it are not supported.
 *
 * Errors:
 *   EINVAL   unknown flag, event_size neither 0 nor in
 *            SVM_EVENT_SIZE_VER0..SVM_EVENT_SIZE_MAX
 *   EACCES   the caller (its euid and groups, at the call) has no read
 *            permission on the region, as for SVM_OPEN_RDONLY; the fd
 *            was opened with SVM_OPEN_NOACCESS
 *   ENOSPC   the caller's euid has user_max_watches watches already (a
 *            module parameter, default 128), as inotify's max_user_watches
 *   ENOMEM   out of kernel memory
 *   EMFILE   the caller's file descriptor table is full
 *   ENFILE   the system's file table is full
 */
#define SVM_WATCH_CLOEXEC	(1U << 0) /* O_CLOEXEC on the watch fd */
#define SVM_WATCH_NONBLOCK	(1U << 1) /* O_NONBLOCK on the watch fd */
#define SVM_WATCH_FLAGS		0x3U

struct svm_watch {
	__u32 size;		/* sizeof(struct svm_watch) */
	__u32 flags;		/* SVM_WATCH_* */
	/*
	 * in: bytes per record read(2) returns, 0 for sizeof(struct
	 * svm_event); bytes past what the kernel fills are zero.  out: the
	 * size used.
	 */
	__u32 event_size;
	__u32 queue_len;	/* out: records the queue holds */
};

#define SVM_WATCH_SIZE_VER0	16

/* Event types (svm_event.type). */
#define SVM_EVENT_ATTACH	1 /* an address space maps the region */
#define SVM_EVENT_DETACH	2 /* its last mapping of the region went */
#define SVM_EVENT_WIRED		3 /* the region became wired */
#define SVM_EVENT_UNWIRED	4 /* the region stopped being wired */
#define SVM_EVENT_REMOVED	5 /* its name was unlinked */
#define SVM_EVENT_DESTROYED	6 /* the region is freed; last record */
#define SVM_EVENT_OVERFLOW	7 /* lost records were dropped */

/* Why an address space detached (svm_event.cause, SVM_EVENT_DETACH). */
#define SVM_CAUSE_NONE		0 /* not a DETACH */
#define SVM_CAUSE_UNMAP		1 /* munmap(2), mremap(2), MAP_FIXED over it */
#define SVM_CAUSE_EXEC		2 /* the process called execve(2) */
#define SVM_CAUSE_EXIT		3 /* the process exited (exit(2), exit_group) */
#define SVM_CAUSE_SIGNAL	4 /* the process was killed by signal */
#define SVM_CAUSE_OOM		5 /* the OOM killer killed the process */
#define SVM_CAUSE_UNKNOWN	6 /* the process was gone before its memory */

/* What changed the wiring (svm_event.source, SVM_EVENT_[UN]WIRED). */
#define SVM_WIRE_SRC_SVID	1 /* SVM_WIRE_LOCK/UNLOCK, or destruction */
#define SVM_WIRE_SRC_MLOCK	2 /* VM_LOCKED mappings, as svm saw them */

/*
 * One record read(2) returns from a watch fd.
 *
 * pid is the process the event is about, in the pid namespace of the
 * process that made the watch (0 when it is not visible there, and for
 * events about no process): ATTACH the process that mapped the region (a
 * fork child for a mapping inherited through fork(2)), DETACH the process
 * whose address space left, WIRED/UNWIRED with SVM_WIRE_SRC_SVID the
 * caller of SVM_IOC_WIRE, REMOVED the caller of SVM_IOC_REMOVE (0 when a
 * dead IPC namespace's names are removed).  An address space is one
 * mapper whatever the threads or CLONE_VM processes sharing it; a mapping
 * split in two, or mapped twice, makes no event.
 *
 * DETACH: cause says why.  SVM_CAUSE_SIGNAL gives the signal in signo (SIGKILL,
 * SIGSEGV, ...), SVM_CAUSE_OOM gives SIGKILL.  The cause is read from the
 * process when its address space goes, which is at its exit or exec
 * unless something else held the address space a while (a reader of
 * /proc/PID/mem or /proc/PID/cmdline, ptrace): then the process is read
 * if it was not yet reaped, else the cause is SVM_CAUSE_UNKNOWN.
 *
 * WIRED/UNWIRED report the region's wired state (SVM_REGION_WIRED) as
 * the module sees it change.  SVM_WIRE_SRC_SVID: exactly when
 * SVM_IOC_WIRE or the region's destruction changes it.  SVM_WIRE_SRC_MLOCK:
 * mlock(2), munlock(2), mlockall(2) and munlockall(2) change a mapping's
 * VM_LOCKED without telling any driver, so such a change is reported only
 * when the module next looks at the mappers' VM_LOCKED: shortly after a
 * mapping of the region with VM_LOCKED opens (MAP_LOCKED,
 * mlockall(MCL_FUTURE)) or any mapping closes while the region is wired
 * (a mlocked mapper unmapping, exiting or killed), and at SVM_IOC_INFO,
 * SVM_IOC_LIST and SVM_IOC_WIRE.  A mlock(2) and munlock(2) in between
 * are not seen at all.
 *
 * mappers: the region's number of mappers (address spaces) after the
 * event.  mono_ns and real_ns: when it was queued, on CLOCK_MONOTONIC and
 * CLOCK_REALTIME.  An OVERFLOW record has only seq, lost and the times
 * (of the last drop) set; pid, cause, signo, source and mappers are 0.
 */
struct svm_event {
	__u32 size;		/* bytes the kernel filled: SVM_EVENT_SIZE_VER0 */
	__u32 type;		/* SVM_EVENT_* */
	__aligned_u64 seq;	/* 1, 2, ... per watch (OVERFLOW: first lost) */
	__s32 pid;		/* see above, in the watcher's pid namespace */
	__u32 cause;		/* DETACH: SVM_CAUSE_*; else SVM_CAUSE_NONE */
	__u32 signo;		/* DETACH SIGNAL, OOM: the signal; else 0 */
	__u32 source;		/* WIRED, UNWIRED: SVM_WIRE_SRC_*; else 0 */
	__u32 mappers;		/* address spaces mapping it, after the event */
	__u32 __reserved0;
	__aligned_u64 lost;	/* OVERFLOW: records dropped; else 0 */
	__aligned_u64 mono_ns;	/* CLOCK_MONOTONIC */
	__aligned_u64 real_ns;	/* CLOCK_REALTIME */
	__aligned_u64 __reserved1[2];
};

#define SVM_EVENT_SIZE_VER0	80
#define SVM_EVENT_SIZE_MAX	1024	/* most event_size a watch accepts */

/*
 * mmap() of a region fd maps it at its address, as a shmem mapping: faults,
 * transparent huge pages, NUMA policy (mbind(2) sets the region's shared
 * policy, which every mapper's faults and SVM_WIRE_LOCK's populate obey),
 * mlock(2), madvise(2), msync(2)/fsync(2) (which succeed: the memory is the
 * store) and memcg charging behave as on a SysV segment or a memfd.
 *   EINVAL   not MAP_SHARED; MAP_FIXED at an address other than the region's;
 *            offset or offset + length beyond the region
 *   EACCES   PROT_WRITE on an fd opened with SVM_OPEN_RDONLY; any mmap()
 *            of an fd opened with SVM_OPEN_NOACCESS (before any other check)
 *   EEXIST   something other than the caller's own /dev/svm reservation is
 *            mapped in the way (it is left untouched); or, without MAP_FIXED,
 *            the same open file description (fd, or a dup of it) is
 *            mapped there already: MAP_FIXED at the region's address, or
 *            another fd of the region, replaces the caller's own mapping
 * A region never moves or grows into another region: mremap() that would
 * move a mapping fails with EINVAL (MREMAP_FIXED) or EEXIST (MREMAP_MAYMOVE,
 * MREMAP_DONTUNMAP: no other address is offered), and growth in place
 * fails with ENOMEM while the guard page and the reservation after the
 * region are mapped; if the caller unmapped them, growth in place succeeds
 * but an access past the region's end gets SIGBUS, and a mapping of the
 * region whose range it now covers fails with EEXIST.  Shrinking is
 * munmap() of the tail.
 * A region's size and pages are fixed: MADV_REMOVE and fallocate() fail
 * with EOPNOTSUPP, ftruncate() with EPERM (the region is sealed against
 * growing and shrinking), F_ADD_SEALS with EPERM.  The region cannot be
 * reopened through /proc/PID/fd or /proc/PID/map_files (ENXIO), also not
 * through an O_PATH file of them, which keeps no pages once the region is
 * destroyed and stays harmless after the module is unloaded.
 *
 * mmap() of /dev/svm (the reservation): PROT_NONE only, at base + offset for
 * any page-aligned sub-range of the window; it may replace the caller's
 * region mappings (to unmap one atomically) but nothing else (EEXIST).
 *   EINVAL   offset/length outside the window, or address != base + offset
 *   EACCES   PROT_READ, PROT_WRITE or PROT_EXEC requested
 */

#define SVM_IOC_OPEN	_IO(SVM_IOC_MAGIC, 0x01) /* struct svm_open */
#define SVM_IOC_REMOVE	_IO(SVM_IOC_MAGIC, 0x02) /* struct svm_remove */
#define SVM_IOC_WINDOW	_IO(SVM_IOC_MAGIC, 0x03) /* struct svm_window */
#define SVM_IOC_LIST	_IO(SVM_IOC_MAGIC, 0x04) /* struct svm_list */
#define SVM_IOC_INFO	_IO(SVM_IOC_MAGIC, 0x40) /* struct svm_info */
#define SVM_IOC_MAPPERS	_IO(SVM_IOC_MAGIC, 0x41) /* struct svm_mappers */
#define SVM_IOC_WIRE	_IO(SVM_IOC_MAGIC, 0x42) /* struct svm_wire */
#define SVM_IOC_WATCH	_IO(SVM_IOC_MAGIC, 0x43) /* struct svm_watch */
#define SVM_IOC_SETPERM	_IO(SVM_IOC_MAGIC, 0x44) /* struct svm_setperm */

#endif /* _UAPI_LINUX_SVM_H */
