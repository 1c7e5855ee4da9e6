// SPDX-License-Identifier: GPL-2.0
/*
 * svm: the ioctl boundary.  Every argument is copied in and validated here,
 * before any state changes; no lock is held while user memory is touched.
 * The errnos of each request are documented in uapi/linux/svm.h.  Each
 * request on /dev/svm, once its arguments are valid, first removes the
 * names of the IPC namespaces that have died (svm_ns_reap()), so that no
 * request finds or counts what a dead namespace left.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svm_priv.h"

/* Most entries one SVM_IOC_LIST or SVM_IOC_MAPPERS call returns. */
#define SVM_LIST_BATCH		256
#define SVM_MAPPERS_BATCH	65536

/*
 * Copy in an extensible argument: its first __u32 is the caller's size,
 * at least min; a longer struct must be zero past what we know.
 */
static int svm_copy_in(void *karg, size_t ksize, u32 min,
		       void __user *uarg, u32 *usize)
{
	if (get_user(*usize, (u32 __user *)uarg))
		return -EFAULT;
	if (*usize < min)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, uarg, *usize);
}

static int svm_copy_out(void __user *uarg, u32 usize, const void *karg,
			size_t ksize)
{
	return copy_to_user(uarg, karg, min_t(size_t, usize, ksize)) ?
		-EFAULT : 0;
}

/* A region name: 1..SVM_NAME_MAX-1 bytes of 0x21..0x7e but '/'. */
static int svm_copy_name(char name[SVM_NAME_MAX], u64 uptr)
{
	long n, i;

	memset(name, 0, SVM_NAME_MAX);
	n = strncpy_from_user(name, u64_to_user_ptr(uptr), SVM_NAME_MAX);
	if (n < 0)
		return n;
	if (n == SVM_NAME_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned char c = name[i];

		if (c <= ' ' || c > '~' || c == '/')
			return -EINVAL;
	}
	return 0;
}

static long svm_ioc_open(void __user *uarg)
{
	char name[SVM_NAME_MAX];
	struct svm_region *r;
	struct svm_open a;
	struct file *file;
	bool created;
	int fd, err;
	u32 usize;

	err = svm_copy_in(&a, sizeof(a), SVM_OPEN_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if ((a.flags & ~SVM_OPEN_FLAGS) || a.mode & ~0777)
		return -EINVAL;
	if (!(a.flags & SVM_OPEN_CREATE) &&
	    (a.flags & (SVM_OPEN_EXCL | SVM_OPEN_PERSIST | SVM_OPEN_HUGE)))
		return -EINVAL;
	if ((a.flags & SVM_OPEN_NOACCESS) && (a.flags & SVM_OPEN_RDONLY))
		return -EINVAL;
	/* By id: no name, and nothing to create. */
	if ((a.flags & SVM_OPEN_ID) &&
	    (a.name || !a.id || (a.flags & SVM_OPEN_CREATE)))
		return -EINVAL;
	if (a.length > svm_window_size)
		return -EFBIG;
	if (!(a.flags & SVM_OPEN_ID)) {
		err = svm_copy_name(name, a.name);
		if (err)
			return err;
	}
	/* Make sure the result can be written before creating anything. */
	if (svm_copy_out(uarg, usize, &a, sizeof(a)))
		return -EFAULT;
	svm_ns_reap();

	fd = get_unused_fd_flags(a.flags & SVM_OPEN_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0)
		return fd;
	created = false;
	if (a.flags & SVM_OPEN_ID)
		r = svm_region_get_by_id(a.id, PAGE_ALIGN(a.length), a.flags);
	else
		r = svm_region_get_or_create(name, a.flags & SVM_OPEN_HUGE ?
					     ALIGN(a.length, SVM_HUGE_SIZE) :
					     PAGE_ALIGN(a.length), a.length,
					     a.flags, a.mode, &created);
	if (IS_ERR(r)) {
		err = PTR_ERR(r);
		goto out_fd;
	}
	file = svm_region_file(r, a.flags);
	if (IS_ERR(file)) {
		if (created)
			svm_region_abandon(r);
		svm_region_put(r);
		err = PTR_ERR(file);
		goto out_fd;
	}
	a.length = r->len;
	a.addr = r->addr;
	a.id = r->id;
	a.out_flags = created ? SVM_OPEN_CREATED : 0;
	if (svm_copy_out(uarg, usize, &a, sizeof(a))) {
		if (created)
			svm_region_abandon(r);
		fput(file);
		err = -EFAULT;
		goto out_fd;
	}
	fd_install(fd, file);
	return fd;

out_fd:
	put_unused_fd(fd);
	return err;
}

static long svm_ioc_remove(void __user *uarg)
{
	char name[SVM_NAME_MAX];
	struct svm_remove a;
	u32 usize;
	int err;

	err = svm_copy_in(&a, sizeof(a), SVM_REMOVE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (a.flags & ~SVM_REMOVE_FLAGS)
		return -EINVAL;
	if (a.flags & SVM_REMOVE_ID) {
		if (usize < SVM_REMOVE_SIZE_VER1 || a.name || !a.id)
			return -EINVAL;
		svm_ns_reap();
		return svm_region_remove_id(a.id);
	}
	if (a.id)
		return -EINVAL;
	err = svm_copy_name(name, a.name);
	if (err)
		return err;
	svm_ns_reap();
	return svm_region_remove(name);
}

static long svm_ioc_window(void __user *uarg)
{
	struct svm_window w;
	u32 usize;
	int err;

	err = svm_copy_in(&w, sizeof(w), SVM_WINDOW_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (w.flags)
		return -EINVAL;
	svm_ns_reap();
	memset(&w, 0, sizeof(w));
	w.size = usize;
	mutex_lock(&svm_lock);
	svm_window_stat(&w);
	svm_user_usage(current_euid(), &w);
	mutex_unlock(&svm_lock);
	w.nr_regions = svm_region_count();
	w.max_regions = READ_ONCE(svm_max_regions);
	w.max_region_size = READ_ONCE(svm_max_region_size);
	w.user_max_regions = READ_ONCE(svm_user_max_regions);
	w.user_max_bytes = READ_ONCE(svm_user_max_bytes);
	return svm_copy_out(uarg, usize, &w, sizeof(w));
}

static long svm_ioc_list(void __user *uarg)
{
	struct svm_region **their;
	struct svm_info *buf;
	struct svm_list a;
	char __user *dst;
	int n, i, err;
	u32 usize;

	err = svm_copy_in(&a, sizeof(a), SVM_LIST_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (a.flags || a.entry_size < SVM_INFO_SIZE_VER0)
		return -EINVAL;
	svm_ns_reap();
	a.count = min(a.count, SVM_LIST_BATCH);
	buf = kvmalloc_array(max(a.count, 1U), sizeof(*buf), GFP_KERNEL);
	their = kvmalloc_array(max(a.count, 1U), sizeof(*their), GFP_KERNEL);
	n = -ENOMEM;
	if (buf && their)
		n = svm_region_list(&a.cursor, buf, a.count, their);
	kvfree(their);
	if (n < 0) {
		kvfree(buf);
		return n;
	}

	dst = u64_to_user_ptr(a.entries);
	err = 0;
	for (i = 0; i < n && !err; i++, dst += a.entry_size) {
		buf[i].size = min_t(u32, a.entry_size, sizeof(*buf));
		if (copy_to_user(dst, &buf[i], buf[i].size) ||
		    clear_user(dst + buf[i].size, a.entry_size - buf[i].size))
			err = -EFAULT;
	}
	kvfree(buf);
	if (err)
		return err;
	a.count = n;
	return svm_copy_out(uarg, usize, &a, sizeof(a));
}

long svm_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SVM_IOC_OPEN:
		return svm_ioc_open(uarg);
	case SVM_IOC_REMOVE:
		return svm_ioc_remove(uarg);
	case SVM_IOC_WINDOW:
		return svm_ioc_window(uarg);
	case SVM_IOC_LIST:
		return svm_ioc_list(uarg);
	default:
		return -ENOTTY;
	}
}

static long svm_ioc_info(struct svm_region *r, void __user *uarg)
{
	struct svm_info info;
	u32 usize;
	int err;

	err = svm_copy_in(&info, sizeof(info), SVM_INFO_SIZE_VER0, uarg,
			  &usize);
	if (err)
		return err;
	if (info.flags)
		return -EINVAL;
	err = svm_region_info(r, &info);
	if (err)
		return err;
	info.size = usize;
	return svm_copy_out(uarg, usize, &info, sizeof(info));
}

static long svm_ioc_mappers(struct file *file, void __user *uarg)
{
	struct svm_region *r = file->private_data;
	bool mlocked_only;
	struct svm_mapper_snap *snap;
	struct svm_mapper *buf = NULL;
	struct svm_mappers a;
	unsigned int nr, i, n = 0;
	u32 usize;
	int err;

	err = svm_copy_in(&a, sizeof(a), SVM_MAPPERS_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (a.flags & ~SVM_MAPPERS_FLAGS)
		return -EINVAL;
	/* Who maps it is for its readers, as IPC_STAT is: no NOACCESS fd. */
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	mlocked_only = a.flags & SVM_MAPPERS_MLOCKED;
	a.count = min(a.count, SVM_MAPPERS_BATCH);
	if (a.count) {
		buf = kvmalloc_array(a.count, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	snap = svm_mappers_get(r, mlocked_only, &nr);
	if (IS_ERR(snap)) {
		kvfree(buf);
		return PTR_ERR(snap);
	}
	a.total = 0;
	for (i = 0; i < nr; i++) {
		if (mlocked_only && !snap[i].mlocked)
			continue;
		if (n < a.count) {
			buf[n].pid = svm_mapper_pid(&snap[i]);
			buf[n].nr_maps = snap[i].nr_maps;
			n++;
		}
		a.total++;
	}
	svm_mappers_put(snap, nr);
	if (n && copy_to_user(u64_to_user_ptr(a.entries), buf,
			      n * sizeof(*buf)))
		err = -EFAULT;
	kvfree(buf);
	if (err)
		return err;
	a.count = n;
	return svm_copy_out(uarg, usize, &a, sizeof(a));
}

static long svm_ioc_wire(struct svm_region *r, void __user *uarg)
{
	struct svm_wire a;
	u32 usize;
	int err;

	err = svm_copy_in(&a, sizeof(a), SVM_WIRE_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if ((a.flags & ~SVM_WIRE_FLAGS) || a.__reserved0 ||
	    a.op < SVM_WIRE_MLOCK || a.op > SVM_WIRE_UNLOCK)
		return -EINVAL;
	return svm_wire(r, a.op, a.flags);
}

/*
 * The fields flags does not select must be 0; uid and gid are the
 * caller's user namespace's, and must map.
 */
static long svm_ioc_setperm(struct svm_region *r, void __user *uarg)
{
	struct user_namespace *ns = current_user_ns();
	kuid_t uid = INVALID_UID;
	kgid_t gid = INVALID_GID;
	struct svm_setperm a;
	u32 usize;
	int err;

	err = svm_copy_in(&a, sizeof(a), SVM_SETPERM_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (!a.flags || (a.flags & ~SVM_SETPERM_FLAGS) || a.__reserved0 ||
	    a.mode & ~0777)
		return -EINVAL;
	if ((!(a.flags & SVM_SETPERM_UID) && a.uid) ||
	    (!(a.flags & SVM_SETPERM_GID) && a.gid) ||
	    (!(a.flags & SVM_SETPERM_MODE) && a.mode))
		return -EINVAL;
	if (a.flags & SVM_SETPERM_UID) {
		uid = make_kuid(ns, a.uid);
		if (!uid_valid(uid))
			return -EINVAL;
	}
	if (a.flags & SVM_SETPERM_GID) {
		gid = make_kgid(ns, a.gid);
		if (!gid_valid(gid))
			return -EINVAL;
	}
	return svm_region_setperm(r, a.flags, uid, gid, a.mode);
}

static long svm_ioc_watch(struct file *file, void __user *uarg)
{
	struct svm_region *r = file->private_data;
	unsigned int flags = 0;
	struct svm_watch a;
	u32 usize;
	int err;

	err = svm_copy_in(&a, sizeof(a), SVM_WATCH_SIZE_VER0, uarg, &usize);
	if (err)
		return err;
	if (a.flags & ~SVM_WATCH_FLAGS)
		return -EINVAL;
	if (!a.event_size)
		a.event_size = sizeof(struct svm_event);
	if (a.event_size < SVM_EVENT_SIZE_VER0 ||
	    a.event_size > SVM_EVENT_SIZE_MAX)
		return -EINVAL;
	/* An SVM_OPEN_NOACCESS fd grants no read. */
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	/*
	 * The permission of a read-only open, by the caller's creds now;
	 * svm_lock, as SVM_IOC_SETPERM may be changing uid, gid and mode.
	 */
	mutex_lock(&svm_lock);
	err = svm_region_perm(r, MAY_READ);
	mutex_unlock(&svm_lock);
	if (err)
		return err;
	a.queue_len = svm_watch_queue_len();
	/* Make sure the result can be written before creating anything. */
	if (svm_copy_out(uarg, usize, &a, sizeof(a)))
		return -EFAULT;
	if (a.flags & SVM_WATCH_CLOEXEC)
		flags |= O_CLOEXEC;
	if (a.flags & SVM_WATCH_NONBLOCK)
		flags |= O_NONBLOCK;
	return svm_watch_new(r, flags, a.event_size, a.queue_len);
}

long svm_region_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct svm_region *r = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SVM_IOC_INFO:
		return svm_ioc_info(r, uarg);
	case SVM_IOC_MAPPERS:
		return svm_ioc_mappers(file, uarg);
	case SVM_IOC_WIRE:
		return svm_ioc_wire(r, uarg);
	case SVM_IOC_SETPERM:
		return svm_ioc_setperm(r, uarg);
	case SVM_IOC_WATCH:
		return svm_ioc_watch(file, uarg);
	default:
		return -ENOTTY;
	}
}
