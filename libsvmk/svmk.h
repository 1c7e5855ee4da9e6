/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libsvmk: user-space access to the svm kernel module, which hands out named
 * shared-memory regions at the same virtual address in every process.
 *
 * Conventions: every function returning int returns 0 (or a non-negative
 * value where documented) on success and a negative errno on failure; errno
 * itself is not part of the result.  svmk_strerror() explains the errnos
 * that carry an svm-specific meaning.
 *
 * A struct svmk may be shared by several threads; a struct svmk_region must
 * not be closed while another thread still uses it.
 */
#ifndef SVMK_H
#define SVMK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/svm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* svmk_open() flag: do not reserve the window in this process. */
#define SVMK_NORESERVE		(1U << 0)

struct svmk;
struct svmk_region;

/*
 * svmk_open - open the svm device.
 * @svmp: where to store the new handle
 * @flags: 0 or SVMK_NORESERVE; any other bit is -EINVAL
 *
 * Opens SVM_DEVICE (or the path in the environment variable SVMK_DEVICE,
 * ignored in set-user-ID programs), reads the window and, unless
 * SVMK_NORESERVE is given, reserves the whole window in this process with a
 * PROT_NONE placeholder so that nothing else can be placed there.
 *
 * Returns 0, -ENODEV if the device node is missing or the module is not
 * loaded, -EEXIST if something is already mapped inside the window, or
 * another negative errno.
 */
int svmk_open(struct svmk **svmp, unsigned int flags);

/*
 * svmk_close - release a handle: remove the reservation, close the device.
 * @svm: handle, or NULL (then nothing happens and 0 is returned)
 *
 * Every region opened through @svm must be closed first: returns -EBUSY
 * (and leaves the handle untouched) if one is still open.
 */
int svmk_close(struct svmk *svm);

/* svmk_fd - the file descriptor of /dev/svm behind @svm. */
int svmk_fd(const struct svmk *svm);

/*
 * svmk_window - read the window's current state and the module's limits.
 * @svm: handle
 * @w: filled in; the library sets w->size itself
 */
int svmk_window(struct svmk *svm, struct svm_window *w);

/*
 * svmk_region_open - create or open a region by name and map it.
 * @svm: handle
 * @name: region name (1..SVM_NAME_MAX-1 printable characters, no '/')
 * @length: size on create (rounded up to the granule); on open 0 or the
 *          region's size (0 with SVM_OPEN_CREATE opens an existing region
 *          only: -EINVAL if it would create one)
 * @flags: SVM_OPEN_* bits; any other bit is -EINVAL.  SVM_OPEN_CLOEXEC is
 *         always added: the region fd is close-on-exec.
 * @mode: permission bits (0..0777) used on create
 * @regp: where to store the new region
 *
 * The whole region is mapped MAP_SHARED at its fixed address, read-only if
 * SVM_OPEN_RDONLY is set, replacing this process's reservation there.  On
 * failure nothing is left open or mapped, except that a region created with
 * SVM_OPEN_PERSIST by this call keeps existing (removing it again could race
 * with another process that opened it meanwhile).
 *
 * Returns 0, -EADDRNOTAVAIL if the kernel did not map the region at its
 * address, or the errno of SVM_IOC_OPEN or mmap() (see <linux/svm.h>).
 */
int svmk_region_open(struct svmk *svm, const char *name, size_t length,
		     unsigned int flags, unsigned int mode,
		     struct svmk_region **regp);

/*
 * svmk_region_close - unmap and close a region, and free @reg.
 * @reg: region, or NULL (then nothing happens and 0 is returned)
 *
 * If the handle holds a reservation, the mapping is atomically replaced by
 * the placeholder again.  Should that replacement fail, the region is
 * unmapped anyway (leaving a hole in the reservation), @reg is still freed
 * and the replacement's errno is returned.
 */
int svmk_region_close(struct svmk_region *reg);

/* svmk_region_addr - the address the region is mapped at. */
void *svmk_region_addr(const struct svmk_region *reg);

/* svmk_region_length - the region's size in bytes (granule-rounded). */
size_t svmk_region_length(const struct svmk_region *reg);

/* svmk_region_fd - the region's file descriptor (owned by @reg). */
int svmk_region_fd(const struct svmk_region *reg);

/* svmk_region_id - the region's id, unique for the module's lifetime. */
uint64_t svmk_region_id(const struct svmk_region *reg);

/* svmk_region_created - 1 if the open of @reg created the region, else 0. */
int svmk_region_created(const struct svmk_region *reg);

/*
 * svmk_region_info - read the region's attributes (SVM_IOC_INFO).
 * @reg: region
 * @info: filled in; the library sets info->size itself
 *
 * This function, svmk_list() and svmk_find() fill sizeof(struct svm_info)
 * of this header (VER3) since LIBSVMK_1.4; programs built with an older
 * one call their LIBSVMK_1.0 versions, which fill SVM_INFO_SIZE_VER2.
 */
int svmk_region_info(const struct svmk_region *reg, struct svm_info *info);

/*
 * svmk_region_mappers - the processes mapping a region (SVM_IOC_MAPPERS).
 * @reg: region
 * @buf: array of @count entries (may be NULL if @count is 0)
 * @count: capacity of @buf
 * @total: if not NULL, set to the number of entries there are
 *
 * Returns the number of entries written (at most @count).
 */
int svmk_region_mappers(const struct svmk_region *reg, struct svm_mapper *buf,
			unsigned int count, unsigned int *total);

/*
 * svmk_region_mlockers - the processes that mlock a region: those with a
 * VM_LOCKED mapping of it (SVM_IOC_MAPPERS with SVM_MAPPERS_MLOCKED).
 * @reg: region
 * @buf: array of @count entries (may be NULL if @count is 0)
 * @count: capacity of @buf
 * @total: if not NULL, set to the number of entries there are
 *
 * Like svmk_region_mappers(), restricted to the mappers that mlock(2) the
 * region (see svmk_region_mlock()).  Returns the number of entries written.
 */
int svmk_region_mlockers(const struct svmk_region *reg, struct svm_mapper *buf,
			 unsigned int count, unsigned int *total);

/*
 * Wiring: a region is wired while any mapper mlocks it (POSIX mlock, the
 * kernel's own: mlock(2), mlockall(2), MAP_LOCKED on its mapping) or its
 * SVID lock count is above 0 (SVM_IOC_WIRE).  The two sources are
 * independent: neither ever undoes the other.  POSIX mlock is charged by
 * the kernel to the mapper's RLIMIT_MEMLOCK (VmLck); the first SVID lock
 * is charged once, to the euid that took it, against its RLIMIT_MEMLOCK
 * (unless it has CAP_IPC_LOCK), and the last unlock refunds it.
 * svm_info.svid_count, .nr_mlocked, .charged, .charged_uid and
 * SVM_REGION_WIRED in .flags show the state.
 *
 * Errors the functions below share:
 *   -ENOMEM  the charge would pass the caller's RLIMIT_MEMLOCK, or out of
 *            memory while populating (nothing is left charged or wired)
 *   -EPERM   RLIMIT_MEMLOCK is 0 and the caller lacks CAP_IPC_LOCK
 *   -EINTR   (SVID lock) a fatal signal arrived while populating
 */

/*
 * svmk_region_mlock - mlock(2) this process's mapping of @reg.
 * @reg: region, mapped by this process (as every open svmk_region is)
 *
 * Exactly mlock(reg's address, reg's length): idempotent, and one
 * svmk_region_munlock() (or munlock(2), munlockall(2)) undoes any number
 * of calls.  It belongs to this mapping: it ends when this process
 * munlocks, unmaps the region (svmk_region_close()), execs or exits,
 * however it dies; a fork child starts without it.  Since LIBSVMK_1.1 on
 * a module that retired SVM_WIRE_MLOCK (see svm(4)).
 *
 * Returns 0, -ENOMEM (over RLIMIT_MEMLOCK, or the range is not mapped),
 * -EPERM or -EAGAIN as mlock(2) says.
 */
int svmk_region_mlock(const struct svmk_region *reg);

/*
 * svmk_region_munlock - munlock(2) this process's mapping of @reg.
 * @reg: region, mapped by this process
 *
 * Unlocks only this mapping, never another mapper's and never the SVID
 * count; the region stays wired while either still holds it.  Returns 0,
 * or -ENOMEM if the range is not mapped.
 */
int svmk_region_munlock(const struct svmk_region *reg);

/*
 * svmk_region_lock - take an SVID lock on @reg (like shmctl(SHM_LOCK),
 * but counted), wiring it.
 * @reg: region
 *
 * Balanced: each lock needs its own svmk_region_unlock().  The count
 * belongs to the region, not to the caller: it outlives the process and
 * ends only with balanced unlocks or the region's destruction.
 *
 * Returns 0, -EPERM if the caller is neither the region's owner nor its
 * creator and lacks CAP_IPC_LOCK, -EINVAL if the count is at its maximum,
 * or another error listed above.
 */
int svmk_region_lock(const struct svmk_region *reg);

/*
 * svmk_region_unlock - drop one SVID lock on @reg.
 * @reg: region
 *
 * The region stays wired while more SVID locks or any mapper's mlock remain.
 * Returns 0, -EINVAL if the SVID count is 0 (not locked), or -EPERM if the
 * caller is neither the region's owner nor its creator and lacks
 * CAP_IPC_LOCK.
 */
int svmk_region_unlock(const struct svmk_region *reg);

/*
 * Owner, group and mode (SVM_IOC_SETPERM), as shmctl(IPC_SET) changes them
 * on a SysV segment: allowed to the region's owner or creator, or with
 * CAP_SYS_ADMIN.  The next open of the region checks the new attributes;
 * file descriptors already open (this one too) keep the access they were
 * opened with.  The creator stays charged for the region (see
 * svm_window.user_regions).  Since LIBSVMK_1.3; a module older than 1.3.0
 * fails them with -ENOTTY.
 *
 * Errors the two functions share:
 *   -EPERM   the caller is neither the region's owner nor its creator and
 *            lacks CAP_SYS_ADMIN
 *   -EINVAL  see each function
 */

/*
 * svmk_region_chmod - set the region's permission bits.
 * @reg: region
 * @mode: the new mode, 0..0777 (else -EINVAL)
 */
int svmk_region_chmod(const struct svmk_region *reg, unsigned int mode);

/*
 * svmk_region_chown - set the region's owner and group, as chown(2) does.
 * @reg: region
 * @uid: the new owner, or (uid_t)-1 to leave it
 * @gid: the new group, or (gid_t)-1 to leave it
 *
 * uid and gid are in the caller's user namespace.  Returns -EINVAL if both
 * are -1 (nothing to change) or if one has no mapping in the caller's
 * user namespace.
 */
int svmk_region_chown(const struct svmk_region *reg, uid_t uid, gid_t gid);

/*
 * Watches (since LIBSVMK_1.2): who attaches to a region, detaches from it
 * and why (unmap, exec, exit, a signal, the OOM killer), its wiring, its
 * removal and its end, as struct svm_event records of <linux/svm.h>
 * (SVM_IOC_WATCH).  A watch is no holder of its region and outlives it:
 * after SVM_EVENT_DESTROYED, svmk_watch_read() returns 0 (end of file).
 *
 * The records are the kernel's struct svm_event itself, read straight into
 * the caller's array.  The library asks the kernel for records of
 * SVM_EVENT_SIZE_VER0 bytes, the size of struct svm_event in this header,
 * and a newer kernel fills them to that size only; should the struct ever
 * grow, the larger records come with a new symbol version of
 * svmk_watch_read(), so that a program built against this header keeps
 * getting the records it has room for.
 *
 * Errors the functions making a watch share (see <linux/svm.h>):
 *   -EACCES  no read permission on the region (checked at the call)
 *   -ENOSPC  the caller's euid holds user_max_watches watches already
 *   -EMFILE, -ENFILE, -ENOMEM  no file descriptor, no file, no memory
 *   -ENOTTY  the module predates SVM_IOC_WATCH
 */
struct svmk_watch;

/*
 * svmk_region_watch - watch a region this process has open.
 * @reg: region
 * @flags: SVM_WATCH_CLOEXEC, SVM_WATCH_NONBLOCK; any other bit is -EINVAL
 * @wp: where to store the new watch
 *
 * The watch is independent of @reg afterwards: closing @reg does not end
 * it (and this process's own unmap is then its DETACH).
 */
int svmk_region_watch(const struct svmk_region *reg, unsigned int flags,
		      struct svmk_watch **wp);

/*
 * svmk_watch_open - watch a region by name without opening it for good:
 * it is opened read-only, not mapped, watched and closed again, so the
 * caller is no mapper and no holder of it.
 * @svm: handle (SVMK_NORESERVE is enough)
 * @name: region name
 * @flags, @wp: as for svmk_region_watch()
 *
 * Returns 0, -ENOENT if there is no such region, -EINVAL for an invalid
 * name or flag, or an error listed above.
 */
int svmk_watch_open(struct svmk *svm, const char *name, unsigned int flags,
		    struct svmk_watch **wp);

/*
 * svmk_watch_fd - the watch's file descriptor (owned by @w), readable
 * (EPOLLIN) while records are queued and at end of file, for the caller's
 * poll(2) or epoll(7).
 */
int svmk_watch_fd(const struct svmk_watch *w);

/*
 * svmk_watch_queue_len - how many records the watch's queue holds before
 * it drops the oldest (the module's watch_queue_len when it was made).
 */
unsigned int svmk_watch_queue_len(const struct svmk_watch *w);

/*
 * svmk_watch_read - read the next queued records.
 * @w: watch
 * @ev: array of @count records
 * @count: capacity of @ev, at least 1 (else -EINVAL)
 *
 * Blocks until a record is queued, unless the watch is non-blocking
 * (SVM_WATCH_NONBLOCK, or O_NONBLOCK set on its fd).  Returns the number
 * of records read (1..@count), 0 at end of file (the region is destroyed
 * and its SVM_EVENT_DESTROYED was read), -EAGAIN (non-blocking, nothing
 * queued) or -EINTR (a signal handler interrupted the wait: not restarted,
 * so that the caller can stop waiting).  After a full queue dropped
 * records, an SVM_EVENT_OVERFLOW record comes first, lost giving their
 * number.
 */
int svmk_watch_read(struct svmk_watch *w, struct svm_event *ev,
		    unsigned int count);

/*
 * svmk_watch_close - close the watch and free @w.
 * @w: watch, or NULL (then nothing happens)
 *
 * Returns 0.
 */
int svmk_watch_close(struct svmk_watch *w);

/*
 * svmk_event_name - the name of an event type (SVM_EVENT_*): "attach",
 * "detach", "wired", "unwired", "removed", "destroyed", "overflow"; NULL
 * for a type this library does not know.
 */
const char *svmk_event_name(unsigned int type);

/*
 * svmk_cause_name - the name of a DETACH cause (SVM_CAUSE_*): "none",
 * "unmap", "exec", "exit", "signal", "oom", "unknown"; NULL for a cause
 * this library does not know.
 */
const char *svmk_cause_name(unsigned int cause);

/*
 * svmk_source_name - the name of a wiring source (SVM_WIRE_SRC_*):
 * "svid", "mlock"; NULL for a source this library does not know.
 */
const char *svmk_source_name(unsigned int source);

/*
 * svmk_remove - unlink a region's name (SVM_IOC_REMOVE).  The memory lives
 * on until the last file descriptor and mapping are gone.
 */
int svmk_remove(struct svmk *svm, const char *name);

/*
 * svmk_list - read the next regions in id order (one SVM_IOC_LIST call).
 * @svm: handle
 * @cursor: 0 to start; updated to continue after the last entry returned
 * @buf: array of @count entries, filled in (each entry's size is set)
 * @count: capacity of @buf, at least 1 (else -EINVAL)
 *
 * Returns the number of entries filled, 0 at the end.  Removed regions that
 * are still held are listed too (SVM_REGION_REMOVED).  No permission on the
 * regions is needed.
 */
int svmk_list(struct svmk *svm, uint64_t *cursor, struct svm_info *buf,
	      unsigned int count);

/*
 * svmk_find - look a live (not removed) region up by name through
 * svmk_list(); needs no permission on the region.
 * @svm: handle
 * @name: region name
 * @info: filled in with the region's attributes
 *
 * Returns 0, -ENOENT if there is no such region, -EINVAL if @name is not a
 * valid region name.
 */
int svmk_find(struct svmk *svm, const char *name, struct svm_info *info);

/*
 * svmk_strerror - describe an error returned by this library.
 * @err: errno value, negative or positive
 *
 * For errnos with an svm-specific meaning the text names the limit or
 * module parameter involved; otherwise it is strerror()'s text.  The string
 * must not be modified; it stays valid until the calling thread calls
 * svmk_strerror() again.  Thread-safe.
 */
const char *svmk_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* SVMK_H */
