/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm: internal interfaces between the module's files.
 *
 * Lock order (outermost first):
 *
 *   mm->mmap_lock		get_unmapped_area, ->mmap, vm_ops->open/close
 *     svm_region.lock		mapper list, watch list, attach record
 *       svm_watcher.lock	(spinlock) a watch's ring
 *       svm_who.lock		(spinlock) a mapper's pid or task
 *
 *   svm_region.wire_mutex	SVM_IOC_WIRE: the SVID count and its charge
 *     svm_lock			name table, namespaces and their id tables,
 *				window tree, users
 *       svm_region.lock
 *
 *   svm_watch_lock		which region a watch is linked to
 *     svm_region.lock
 *
 * Watch events (svm_watch.c) are queued with svm_region.lock held, so
 * that they come in the order of the mapper list's changes with its
 * count, and with each watch's spinlock: under mmap_lock, from
 * vm_ops->open/close, that is all.  Queuing allocates nothing (the rings
 * are allocated when a watch is made), writes one record per watch in
 * constant time, dropping the oldest when full, and wakes readers with
 * wake_up_interruptible_poll(); readers take only the watch's spinlock,
 * never svm_region.lock, so a watcher never holds up a mapper.  The two
 * spinlocks never nest.  wire_mutex is taken before svm_region.lock to
 * queue WIRED and UNWIRED; the work that looks for changes of the mlock
 * source (svm_wire.c) takes mappers' mmap_lock with no svm lock held,
 * then wire_mutex.
 *
 * wire_mutex is never taken under mmap_lock, so it may be held while pages
 * are allocated; mmap_lock is never taken under it.  svm_lock is taken by
 * ioctls and by the release of a region file (from __fput(), without
 * mmap_lock); it is never taken under mmap_lock, and no mmap_lock is taken
 * under it.  Reading a mapper's mlock state takes that mapper's mmap_lock
 * for reading with none of these locks held (svm_mappers_get()).  None of
 * these locks is held across copy_{to,from}_user().
 *
 * The work that reaps dead IPC namespaces (svm_ns.c) takes svm_lock; it is
 * cancelled with no svm lock held.  svm_lock is dropped before the
 * mntput() that may free a dead namespace's mqueue mount (svm_ns_free())
 * and before the iput() of a destroyed region's inode.
 */
#ifndef _SVM_PRIV_H
#define _SVM_PRIV_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/svm.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

struct mm_struct;
struct svm_ns;
struct svm_user;
struct vfsmount;

/*
 * The key of the name table: names are per IPC namespace (svm_ns.c), so
 * the same name in two namespaces is two regions.  ns first, then the
 * zero-padded name: rhashtable hashes and compares all of it.
 */
struct svm_key {
	struct svm_ns		*ns;
	char			name[SVM_NAME_MAX];
};

/*
 * The process of a mapper, for watch records (svm_watch.c); shared by its
 * svm_mm and the records queued about it.  A fork child has no pid yet
 * when dup_mmap() calls vm_ops->open: until it is attached, task is the
 * child, held while its svm_mm lives.
 */
struct svm_who {
	refcount_t		ref;
	spinlock_t		lock;	/* protects the two below */
	struct pid		*pid;	/* its thread group's, once known */
	struct task_struct	*task;	/* a fork child with no pid yet */
};

/*
 * An address space mapping a region; on svm_region.mappers.  mm lives at
 * least as long as its VMAs, so as long as the entry.
 */
struct svm_mm {
	struct list_head	node;
	struct mm_struct	*mm;
	unsigned int		nr_maps; /* VMAs of the region in mm */
	struct svm_who		*who;	/* the process it belongs to */
};

/* An event to queue to a region's watches (svm_watch_queue()). */
struct svm_wev {
	u32			type, cause, signo, source;
	struct svm_who		*who;	/* a mapper's event: whose */
	struct pid		*pid;	/* else the process, or NULL */
	ktime_t			now;	/* CLOCK_MONOTONIC, 0: read it then */
};

/* One mapper as svm_mappers_get() saw it; mm is held by mmgrab(). */
struct svm_mapper_snap {
	struct mm_struct	*mm;
	unsigned int		nr_maps;
	bool			mlocked; /* a VM_LOCKED VMA of the region */
};

struct svm_region {
	/*
	 * References: one per region file (each fd from SVM_IOC_OPEN; its
	 * mappings hold the file), one for the name of a persistent region.
	 * The last put takes svm_lock (kref_put_mutex), so a lookup under
	 * svm_lock never finds a region on its way out.
	 */
	struct kref		ref;
	u32			flags;		/* svm_lock: SVM_REGION_* */
	struct rhash_head	node;		/* in svm_names while named */
	bool			named;		/* svm_lock */
	bool			persist_ref;	/* svm_lock: name holds a ref */
	/* svm_lock: on a reaper's list, to drop the name's ref (svm_ns.c) */
	struct list_head	reap;

	/*
	 * svm_lock: set by SVM_IOC_SETPERM (written with WRITE_ONCE(), so
	 * a lockless reader uses READ_ONCE()); chtime_ns is the creation
	 * time, then that of the last SVM_IOC_SETPERM.
	 */
	umode_t			mode;
	kuid_t			uid;
	kgid_t			gid;
	u64			chtime_ns;

	/* Immutable after creation. */
	kuid_t			cuid;
	kgid_t			cgid;
	u64			asked;		/* bytes asked for, unrounded */
	u64			id;
	/* key.ns: the IPC namespace it was created in, held by the region */
	struct svm_key		key;
	unsigned long		addr;
	unsigned long		len;
	struct inode		*inode;		/* shmem: the pages; held */
	struct vfsmount		*mnt;		/* the inode's */
	struct pid		*cpid;
	u64			ctime_ns;
	struct svm_user		*user;		/* cuid's: charged count, bytes */

	atomic_t		nr_fds;		/* open region files */

	/* What shmem's mmap installs; every mapping forwards to it. */
	const struct vm_operations_struct *shmem_vm_ops;

	/*
	 * Protects the mapper list and its count, the watch list, and the
	 * attach record (SysV's shm_atime, shm_dtime, shm_lpid): when an
	 * address space last became a mapper or left, how many ever
	 * became one, and who made the last of these (held; for a fork
	 * child's attach, the parent).
	 */
	struct mutex		lock;
	struct list_head	mappers;	/* struct svm_mm */
	unsigned int		nr_mappers;
	struct list_head	watches;	/* struct svm_watcher */
	u64			atime_ns, dtime_ns; /* CLOCK_REALTIME, 0: never */
	u64			nr_attaches;
	struct pid		*lpid;

	/*
	 * The SVID source of wiring.  The POSIX source is no state of ours:
	 * it is the kernel's VM_LOCKED on the mappers' VMAs (svm_wire.c).
	 */
	struct mutex		wire_mutex;	/* protects the five below */
	unsigned int		svid;		/* SVID lock count */
	bool			sysv_lock;	/* one of svid: SVM_WIRE_SYSV's */
	u64			charged;	/* bytes; 0 when svid is 0 */
	kuid_t			charged_uid;
	bool			wired_seen;	/* as watches were told */
	/* Looks at the mappers' mlock state for the watches (svm_wire.c). */
	struct work_struct	wire_work;
};

/* svm_main.c: module parameters, fixed after load unless noted. */
extern unsigned long svm_window_base;
extern unsigned long svm_window_size;
extern unsigned int svm_max_regions;		/* writable */
extern unsigned long svm_max_region_size;	/* writable */
extern unsigned int svm_user_max_regions;	/* writable */
extern unsigned long svm_user_max_bytes;	/* writable */
extern unsigned int svm_ns_max_regions;		/* writable */
extern unsigned long svm_ns_max_bytes;		/* writable */

/* svm_window.c: the VA window allocator. */
struct svm_va {
	struct maple_tree	mt;	/* allocated ranges, by page */
	unsigned long		first, last; /* pages of the window */
	unsigned long		nfree;	/* free pages */
};

void svm_va_init(struct svm_va *va, unsigned long base, unsigned long size);
void svm_va_destroy(struct svm_va *va);
int svm_va_alloc(struct svm_va *va, unsigned long nr, unsigned long align,
		 void *owner, unsigned long *addr);
void svm_va_free(struct svm_va *va, unsigned long addr, unsigned long nr);
unsigned long svm_va_largest_free(struct svm_va *va);

/* The module's window; callers hold svm_lock. */
int svm_window_init(void);
void svm_window_exit(void);
int svm_window_alloc(unsigned long nr, unsigned long align, void *owner,
		     unsigned long *addr);
void svm_window_free(unsigned long addr, unsigned long nr);
void svm_window_stat(struct svm_window *w);

/* svm_region.c: region lifecycle, names, ids, users. */
extern struct mutex svm_lock;
extern struct vfsmount *svm_shm_mnt;
extern const struct file_operations *svm_shmem_fops;
extern const struct file_operations *svm_no_open_fops;
int svm_region_perm(struct svm_region *r, int want);
int svm_user_watch_charge(kuid_t uid);
void svm_user_watch_uncharge(kuid_t uid);
int svm_user_lock_charge(kuid_t uid, u64 len, bool capped, u64 limit);
void svm_user_lock_refund(kuid_t uid, u64 len);
void svm_user_usage(kuid_t uid, struct svm_window *w);
int svm_regions_init(void);
void svm_regions_exit(void);
struct svm_region *svm_region_get_or_create(const char *name, u64 len,
					    u64 asked, u32 flags, umode_t mode,
					    bool *created);
struct svm_region *svm_region_get_by_id(u64 id, u64 len, u32 flags);
void svm_region_put(struct svm_region *r);
int svm_region_remove(const char *name);
int svm_region_remove_id(u64 id);
int svm_region_setperm(struct svm_region *r, u32 flags, kuid_t uid,
		       kgid_t gid, umode_t mode);
void svm_region_abandon(struct svm_region *r);
bool svm_region_unname(struct svm_region *r, struct pid *by);
int svm_region_info(struct svm_region *r, struct svm_info *info);
int svm_region_list(u64 *cursor, struct svm_info *out, unsigned int max,
		    struct svm_region **their);
unsigned int svm_region_count(void);

/* svm_ns.c: IPC namespaces, their limits and the reaping of dead ones. */
void svm_ns_init(void);
void svm_ns_exit(void);
struct svm_ns *svm_ns_current(void);
struct svm_ns *svm_ns_current_create(void);
int svm_ns_charge(struct svm_ns *ns, u64 len);
void svm_ns_uncharge(struct svm_ns *ns, u64 len);
int svm_ns_insert(struct svm_ns *ns, struct svm_region *r);
void svm_ns_erase(struct svm_ns *ns, struct svm_region *r);
struct svm_region *svm_ns_find(struct svm_ns *ns, u64 id);
struct svm_region *svm_ns_find_after(struct svm_ns *ns, unsigned long *id);
struct svm_ns *svm_ns_unused(struct svm_ns *ns);
void svm_ns_free(struct svm_ns *ns);
void svm_ns_reap(void);

/* svm_wire.c: wiring and its accounting. */
bool svm_wired(unsigned int nr_mlocked, unsigned int svid);
int svm_wiring_change(unsigned int nr_mlocked, unsigned int svid,
		      int mlock_delta, int svid_delta);
int svm_wire(struct svm_region *r, u32 op, u32 flags);
int svm_wire_info(struct svm_region *r, struct svm_info *info);
void svm_wire_destroy(struct svm_region *r);

void svm_wire_init(struct svm_region *r);
void svm_wire_look(struct svm_region *r);

/* svm_watch.c: watches of a region and their events. */
extern unsigned int svm_user_max_watches;		/* writable */
u32 svm_watch_queue_len(void);
int svm_watch_new(struct svm_region *r, unsigned int flags, u32 event_size,
		  u32 queue_len);
void svm_watch_queue(struct svm_region *r, const struct svm_wev *ev);
void svm_watch_event(struct svm_region *r, u32 type, u32 source,
		     struct pid *pid);
void svm_watch_region_gone(struct svm_region *r);
struct svm_who *svm_who_new(struct mm_struct *mm, gfp_t gfp);
struct pid *svm_who_pid(struct svm_who *who, bool *pending);
void svm_who_forget_task(struct svm_who *who);
void svm_who_put(struct svm_who *who);
u32 svm_detach_cause(struct mm_struct *mm, struct svm_who *who, u32 *signo);

/* svm_map.c: region files, mappings, mapper tracking, the placeholder. */
void svm_region_seal(struct svm_region *r);
struct file *svm_region_file(struct svm_region *r, u32 open_flags);
void svm_attach_info(struct svm_region *r, struct svm_info *info);
struct svm_mapper_snap *svm_mappers_get(struct svm_region *r, bool mlock,
					unsigned int *nr);
void svm_mappers_put(struct svm_mapper_snap *s, unsigned int nr);
pid_t svm_mapper_pid(struct svm_mapper_snap *s);
unsigned long svm_dev_get_unmapped_area(struct file *file, unsigned long addr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags);
int svm_dev_mmap(struct file *file, struct vm_area_struct *vma);

/* svm_ioctl.c: the ioctl boundary. */
long svm_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long svm_region_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _SVM_PRIV_H */
