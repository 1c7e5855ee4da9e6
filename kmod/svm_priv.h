/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm: internal interfaces between the module's files.
 *
 * Lock order (outermost first):
 *
 *   mm->mmap_lock		get_unmapped_area, ->mmap, vm_ops->open/close
 *     svm_region.lock		a region's mapper list
 *
 *   svm_lock			name table, id table, window bitmap, users
 *
 * svm_lock is never taken under mmap_lock: it is taken by ioctls and by
 * the release of a region file, which runs from __fput() without mmap_lock.
 * Neither lock is held across copy_{to,from}_user() or anything that can
 * fault on user memory.
 */
#ifndef _SVM_PRIV_H
#define _SVM_PRIV_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/svm.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct svm_user;

struct svm_region {
	/*
	 * References: one per region file (each fd from SVM_IOC_OPEN; its
	 * mappings hold the file), one for the name of a persistent region.
	 * The last put takes svm_lock (kref_put_mutex), so a lookup under
	 * svm_lock never finds a region on its way out.
	 */
	struct kref		ref;
	struct rhash_head	node;		/* in svm_names while named */
	bool			named;		/* svm_lock */
	bool			persist_ref;	/* svm_lock: name holds a ref */
	u32			flags;		/* svm_lock: SVM_REGION_* */
	u64			id;
	char			name[SVM_NAME_MAX]; /* zero-padded key */

	/* Immutable after creation. */
	unsigned long		addr;
	unsigned long		len;
	struct file		*shmem;		/* backing pages */
	kuid_t			uid, cuid;
	kgid_t			gid;
	umode_t			mode;
	struct pid		*cpid;
	u64			ctime_ns;
	struct svm_user		*user;		/* charged for count and bytes */

	atomic_t		nr_fds;		/* open region files */

	struct mutex		lock;		/* protects the fields below */
	struct list_head	mappers;	/* struct svm_mapper */
	unsigned int		nr_mappers;
};

/* svm_main.c: module parameters, fixed after load unless noted. */
extern unsigned long svm_window_base;
extern unsigned long svm_window_size;
extern unsigned int svm_max_regions;		/* writable */
extern unsigned long svm_max_region_size;	/* writable */
extern unsigned int svm_user_max_regions;	/* writable */
extern unsigned long svm_user_max_bytes;	/* writable */

/* svm_window.c: the VA window bitmap; callers hold svm_lock. */
int svm_window_init(void);
void svm_window_exit(void);
long svm_window_alloc(unsigned long nr);
void svm_window_free(unsigned long first, unsigned long nr);
void svm_window_stat(struct svm_window *w);

/* svm_region.c: region lifecycle, names, ids, users. */
extern struct mutex svm_lock;
int svm_regions_init(void);
void svm_regions_exit(void);
struct svm_region *svm_region_get_or_create(const char *name, u64 len,
					    u32 flags, umode_t mode,
					    bool *created);
void svm_region_put(struct svm_region *r);
int svm_region_remove(const char *name);
void svm_region_fill_info(struct svm_region *r, struct svm_info *info);
int svm_region_list(u64 *cursor, struct svm_info *out, unsigned int max);
unsigned int svm_region_count(void);

/* svm_map.c: region files, mappings, mapper tracking, the placeholder. */
struct file *svm_region_file(struct svm_region *r, bool rdonly);
int svm_region_mappers(struct svm_region *r, struct svm_mapper *out,
		       unsigned int max, unsigned int *total);
unsigned long svm_dev_get_unmapped_area(struct file *file, unsigned long addr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags);
int svm_dev_mmap(struct file *file, struct vm_area_struct *vma);

/* svm_ioctl.c: the ioctl boundary. */
long svm_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long svm_region_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _SVM_PRIV_H */
