// SPDX-License-Identifier: GPL-2.0
/*
 * svm: region lifecycle, the name table and per-user accounting.
 *
 * A region is created by the first SVM_IOC_OPEN of its name with
 * SVM_OPEN_CREATE and lives while anything references it: a region file
 * (an fd, or a mapping, which holds its file), or for a persistent region
 * its name until SVM_IOC_REMOVE.  The last reference frees the name, the
 * window granules, the per-user charge and the pages, in one place:
 * svm_region_release().  Names are per IPC namespace (svm_ns.c): the name
 * table is keyed by the namespace and the name, and each namespace lists
 * its regions by id, for SVM_IOC_LIST.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pid_namespace.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "svm_priv.h"

/*
 * svm_lock protects the name table, the namespaces (svm_ns.c) with their
 * id tables, the window, the per-user table and the named, persist_ref,
 * reap, flags, uid, gid, mode and chtime_ns fields of every region.  It is never
 * taken under mmap_lock (see svm_priv.h for the lock order).
 */
DEFINE_MUTEX(svm_lock);

static struct rhashtable svm_names;	/* named regions, by svm_key */
static DEFINE_XARRAY(svm_users);	/* struct svm_user, by global uid */
static u64 svm_next_id = 1;
static unsigned int svm_nr_regions;
static struct kmem_cache *svm_region_cache;

/*
 * The shmem mount (shm_mnt, which is not exported) that region inodes
 * live on and region files are made on; held from load to unload.
 */
struct vfsmount *svm_shm_mnt;

/*
 * SVM_OPEN_HUGE regions live on a private tmpfs instance mounted
 * huge=within_size (as i915's gemfs is), whatever shmem_enabled says;
 * NULL when the kernel cannot give huge pages.
 */
static struct vfsmount *svm_huge_mnt;

/*
 * Two file_operations of the kernel's, not exported by name: shmem's
 * (region mappings are set up by its ->mmap) and the no_open ones every
 * inode starts with (a region inode is given them: svm_region_seal()).
 */
const struct file_operations *svm_shmem_fops;
const struct file_operations *svm_no_open_fops;
static const struct file_operations svm_probe_fops;

static const struct rhashtable_params svm_name_params = {
	.key_len		= sizeof(struct svm_key),
	.key_offset		= offsetof(struct svm_region, key),
	.head_offset		= offsetof(struct svm_region, node),
	.automatic_shrinking	= true,
};

/*
 * What one uid holds, for the per-user limits; freed when it is nothing.
 * A region is charged to its creator (cuid) for its whole life: a change
 * of owner (SVM_IOC_SETPERM) moves no charge, so that no user can fill
 * another's quota by giving it regions, and the creator, who may always
 * remove the region, can always end what it is charged for.
 */
struct svm_user {
	kuid_t		uid;
	unsigned int	nr_regions;
	u64		bytes;		/* of regions it created */
	u64		locked;		/* of wiring charged to it */
	unsigned int	nr_watches;	/* its watches (user_max_watches) */
};

/*
 * tmpfs is built in (shmem cannot be a module), so get_fs_type() takes no
 * module reference for a put_filesystem() (not exported) to drop.
 */
static struct vfsmount *svm_huge_mount(void)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	char opts[] = "huge=within_size";	/* parsed in place */

	if (!type || !has_transparent_hugepage())
		return NULL;
	return vfs_kern_mount(type, SB_KERNMOUNT, "svm", opts);
}

int svm_regions_init(void)
{
	struct file *file;
	int err;

	file = shmem_file_setup("svm", 0, VM_NORESERVE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	svm_shm_mnt = mntget(file->f_path.mnt);
	svm_shmem_fops = file->f_op;
	fput(file);
	/* The anon inode's i_fop was never set: inode_init_always()'s. */
	file = anon_inode_getfile("[svm]", &svm_probe_fops, NULL, O_RDONLY);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_mnt;
	}
	svm_no_open_fops = file_inode(file)->i_fop;
	fput(file);
	if (!svm_no_open_fops || !svm_no_open_fops->open ||
	    svm_no_open_fops->owner || !svm_shmem_fops->mmap) {
		pr_err("unexpected shmem or anon inode file operations\n");
		err = -EINVAL;
		goto out_mnt;
	}

	svm_huge_mnt = svm_huge_mount();
	if (IS_ERR(svm_huge_mnt)) {
		err = PTR_ERR(svm_huge_mnt);
		goto out_mnt;
	}

	/* Regions are made on behalf of users: charge them to their memcg. */
	svm_region_cache = KMEM_CACHE(svm_region, SLAB_ACCOUNT);
	if (!svm_region_cache) {
		err = -ENOMEM;
		goto out_huge;
	}
	err = rhashtable_init(&svm_names, &svm_name_params);
	if (err)
		goto out_cache;
	return 0;

out_cache:
	kmem_cache_destroy(svm_region_cache);
out_huge:
	if (svm_huge_mnt)
		kern_unmount(svm_huge_mnt);
out_mnt:
	mntput(svm_shm_mnt);
	return err;
}

void svm_regions_exit(void)
{
	/*
	 * Every region pins the module, so the tables and the cache are empty
	 * here.  Regions are freed at once, never through RCU.
	 */
	rhashtable_destroy(&svm_names);
	xa_destroy(&svm_users);
	kmem_cache_destroy(svm_region_cache);
	if (svm_huge_mnt)
		kern_unmount(svm_huge_mnt);
	mntput(svm_shm_mnt);
}

unsigned int svm_region_count(void)
{
	return READ_ONCE(svm_nr_regions);
}

/* uid's svm_user, created empty if it has none; svm_lock held. */
static struct svm_user *svm_user_get(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct svm_user *u;
	int err;

	lockdep_assert_held(&svm_lock);
	u = xa_load(&svm_users, key);
	if (u)
		return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return ERR_PTR(-ENOMEM);
	u->uid = uid;
	err = xa_insert(&svm_users, key, u, GFP_KERNEL);
	if (err) {
		kfree(u);
		return ERR_PTR(err);
	}
	return u;
}

static void svm_user_put_if_unused(struct svm_user *u)
{
	lockdep_assert_held(&svm_lock);
	if (u->nr_regions || u->locked || u->nr_watches)
		return;
	xa_erase(&svm_users, from_kuid(&init_user_ns, u->uid));
	kfree(u);
}

/* Check the limits for uid creating len bytes; returns its svm_user. */
static struct svm_user *svm_user_charge(kuid_t uid, u64 len)
{
	struct svm_user *u = svm_user_get(uid);

	if (IS_ERR(u))
		return u;
	if (u->nr_regions >= READ_ONCE(svm_user_max_regions)) {
		svm_user_put_if_unused(u);
		return ERR_PTR(-EUSERS);
	}
	if (u->bytes + len > READ_ONCE(svm_user_max_bytes)) {
		svm_user_put_if_unused(u);
		return ERR_PTR(-EDQUOT);
	}
	u->nr_regions++;
	u->bytes += len;
	return u;
}

static void svm_user_uncharge(struct svm_user *u, u64 len)
{
	lockdep_assert_held(&svm_lock);
	u->bytes -= len;
	u->nr_regions--;
	svm_user_put_if_unused(u);
}

/* What uid holds, for SVM_IOC_WINDOW; svm_lock held. */
void svm_user_usage(kuid_t uid, struct svm_window *w)
{
	struct svm_user *u;

	lockdep_assert_held(&svm_lock);
	u = xa_load(&svm_users, from_kuid(&init_user_ns, uid));
	if (!u)
		return;
	w->user_regions = u->nr_regions;
	w->user_bytes = u->bytes;
	w->user_locked = u->locked;
}

/* Charge uid a watch: ENOSPC past user_max_watches. */
int svm_user_watch_charge(kuid_t uid)
{
	struct svm_user *u;
	int err = 0;

	mutex_lock(&svm_lock);
	u = svm_user_get(uid);
	if (IS_ERR(u)) {
		err = PTR_ERR(u);
	} else if (u->nr_watches >= READ_ONCE(svm_user_max_watches)) {
		svm_user_put_if_unused(u);
		err = -ENOSPC;
	} else {
		u->nr_watches++;
	}
	mutex_unlock(&svm_lock);
	return err;
}

void svm_user_watch_uncharge(kuid_t uid)
{
	struct svm_user *u;

	mutex_lock(&svm_lock);
	u = xa_load(&svm_users, from_kuid(&init_user_ns, uid));
	if (u) {
		u->nr_watches--;
		svm_user_put_if_unused(u);
	}
	mutex_unlock(&svm_lock);
}

/* Charge len wired bytes to uid; past limit (when capped) is -ENOMEM. */
int svm_user_lock_charge(kuid_t uid, u64 len, bool capped, u64 limit)
{
	struct svm_user *u;
	int err = 0;

	mutex_lock(&svm_lock);
	u = svm_user_get(uid);
	if (IS_ERR(u)) {
		err = PTR_ERR(u);
	} else if (capped && u->locked + len > limit) {
		svm_user_put_if_unused(u);
		err = -ENOMEM;
	} else {
		u->locked += len;
	}
	mutex_unlock(&svm_lock);
	return err;
}

void svm_user_lock_refund(kuid_t uid, u64 len)
{
	struct svm_user *u;

	mutex_lock(&svm_lock);
	u = xa_load(&svm_users, from_kuid(&init_user_ns, uid));
	if (u) {
		u->locked -= len;
		svm_user_put_if_unused(u);
	}
	mutex_unlock(&svm_lock);
}

/*
 * Called by kref_put_mutex() with svm_lock held; drops it.  Nothing maps
 * the region and no file refers to it any more.
 */
static void svm_region_release(struct kref *ref)
{
	struct svm_region *r = container_of(ref, struct svm_region, ref);
	struct svm_ns *ns = r->key.ns;

	if (r->named)
		rhashtable_remove_fast(&svm_names, &r->node, svm_name_params);
	svm_ns_erase(ns, r);
	svm_window_free(r->addr, (r->len >> PAGE_SHIFT) + 1);
	svm_user_uncharge(r->user, r->len);
	svm_ns_uncharge(ns, r->len);
	ns = svm_ns_unused(ns);
	svm_nr_regions--;
	mutex_unlock(&svm_lock);

	svm_ns_free(ns);

	/* Its last records: UNWIRED if it was wired, then DESTROYED. */
	svm_wire_destroy(r);
	svm_watch_region_gone(r);
	/*
	 * The pages go now, whatever still pins the inode (an O_PATH file or
	 * an inotify watch of /proc/PID/fd/N, which no ->open ever saw): they
	 * were charged to a region that is gone.
	 */
	shmem_truncate_range(r->inode, 0, (loff_t)-1);
	iput(r->inode);
	put_pid(r->cpid);
	put_pid(r->lpid);
	mutex_destroy(&r->wire_mutex);
	mutex_destroy(&r->lock);
	kmem_cache_free(svm_region_cache, r);
	module_put(THIS_MODULE);
}

void svm_region_put(struct svm_region *r)
{
	kref_put_mutex(&r->ref, svm_region_release, &svm_lock);
}

/*
 * Permission to open (or watch) r for want (MAY_READ, MAY_WRITE), as
 * ipcperms() does; svm_lock held (uid, gid and mode are read together).
 */
int svm_region_perm(struct svm_region *r, int want)
{
	kuid_t euid = current_euid();
	umode_t granted;

	lockdep_assert_held(&svm_lock);
	granted = r->mode;
	if (uid_eq(euid, r->uid) || uid_eq(euid, r->cuid))
		granted >>= 6;
	else if (in_group_p(r->gid) || in_group_p(r->cgid))
		granted >>= 3;
	if ((want & ~granted & 0007) && !capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

static struct svm_region *svm_region_create(struct svm_ns *ns,
					    const char *name, u64 len,
					    u64 asked, u32 flags, umode_t mode)
{
	struct vfsmount *mnt = svm_shm_mnt;
	struct svm_region *r;
	struct file *shmem;
	unsigned long align;
	int err;

	lockdep_assert_held(&svm_lock);
	if (len > READ_ONCE(svm_max_region_size) || len > svm_window_size)
		return ERR_PTR(-EFBIG);
	if (flags & SVM_OPEN_HUGE) {
		if (!svm_huge_mnt)
			return ERR_PTR(-EOPNOTSUPP);
		mnt = svm_huge_mnt;
	}
	if (svm_nr_regions >= READ_ONCE(svm_max_regions))
		return ERR_PTR(-ENFILE);

	r = kmem_cache_zalloc(svm_region_cache, GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kref_init(&r->ref);
	mutex_init(&r->lock);
	mutex_init(&r->wire_mutex);
	INIT_LIST_HEAD(&r->mappers);
	INIT_LIST_HEAD(&r->watches);
	svm_wire_init(r);
	r->key.ns = ns;
	memcpy(r->key.name, name, sizeof(r->key.name));
	r->len = len;
	r->asked = asked;
	r->mnt = mnt;
	if (flags & SVM_OPEN_HUGE)
		r->flags |= SVM_REGION_HUGE;
	r->uid = current_euid();
	r->cuid = r->uid;
	r->gid = current_egid();
	r->cgid = r->gid;
	r->mode = mode;
	r->ctime_ns = ktime_get_real_ns();
	r->chtime_ns = r->ctime_ns;

	r->user = svm_user_charge(r->uid, len);
	if (IS_ERR(r->user)) {
		err = PTR_ERR(r->user);
		goto out_free;
	}
	err = svm_ns_charge(ns, len);
	if (err)
		goto out_uncharge;
	/* Where a PMD could map it, as shmem aligns its own mappings. */
	align = len >= SVM_HUGE_SIZE ? SVM_HUGE_SIZE >> PAGE_SHIFT : 1;
	err = svm_window_alloc((len >> PAGE_SHIFT) + 1, align, r, &r->addr);
	if (err)
		goto out_ns;

	/*
	 * Like memfd: commit charged per page as it is allocated.  shmem
	 * makes an inode only inside a file: the region keeps the inode and
	 * lets the file go, since region files are made of the inode
	 * (svm_region_file()) and a file of shmem's own would only keep a
	 * dentry and a file alive.  Like every shmem_file_setup() inode it
	 * has no links, so its last iput() evicts it and frees the pages.
	 */
	shmem = shmem_file_setup_with_mnt(mnt, "svm", len, VM_NORESERVE);
	if (IS_ERR(shmem)) {
		/*
		 * The internal shmem mount has no inode or block limit: its
		 * ENOSPC means that no inode could be allocated.
		 */
		err = PTR_ERR(shmem) == -ENOSPC ? -ENOMEM : PTR_ERR(shmem);
		goto out_window;
	}
	r->inode = file_inode(shmem);
	svm_region_seal(r);
	r->id = svm_next_id;
	err = svm_ns_insert(ns, r);
	if (err)
		goto out_shmem;
	err = rhashtable_insert_fast(&svm_names, &r->node, svm_name_params);
	if (err)
		goto out_id;

	ihold(r->inode);	/* the inode stays, the file goes */
	fput(shmem);
	svm_next_id++;
	r->named = true;
	r->cpid = get_task_pid(current, PIDTYPE_TGID);
	if (flags & SVM_OPEN_PERSIST) {
		r->flags |= SVM_REGION_PERSIST;
		r->persist_ref = true;
		kref_get(&r->ref);
	}
	svm_nr_regions++;
	__module_get(THIS_MODULE);
	return r;

out_id:
	svm_ns_erase(ns, r);
out_shmem:
	fput(shmem);
out_window:
	svm_window_free(r->addr, (len >> PAGE_SHIFT) + 1);
out_ns:
	svm_ns_uncharge(ns, len);
out_uncharge:
	svm_user_uncharge(r->user, len);
out_free:
	mutex_destroy(&r->wire_mutex);
	mutex_destroy(&r->lock);
	kmem_cache_free(svm_region_cache, r);
	return ERR_PTR(err);
}

/*
 * The region named name in the IPC namespace ns (NULL: a namespace that
 * has no regions), or NULL.  name is zero-padded to SVM_NAME_MAX;
 * svm_lock held.
 */
static struct svm_region *svm_region_lookup(struct svm_ns *ns,
					    const char *name)
{
	struct svm_key key = { .ns = ns };

	lockdep_assert_held(&svm_lock);
	if (!ns)
		return NULL;
	memcpy(key.name, name, sizeof(key.name));
	return rhashtable_lookup_fast(&svm_names, &key, svm_name_params);
}

/*
 * May the caller open the existing region r with flags (SVM_OPEN_*), len
 * being 0 or the size it expects; svm_lock held.  SVM_OPEN_NOACCESS asks
 * for no access, so no permission bit is checked.
 */
static int svm_region_may_open(struct svm_region *r, u64 len, u32 flags)
{
	int want = (flags & SVM_OPEN_RDONLY) ? MAY_READ : MAY_READ | MAY_WRITE;

	lockdep_assert_held(&svm_lock);
	if (len && len != r->len)
		return -EINVAL;
	if (flags & SVM_OPEN_NOACCESS)
		return 0;
	return svm_region_perm(r, want);
}

/*
 * Look name up in the caller's IPC namespace, or create it there
 * (SVM_OPEN_CREATE), atomically with respect to every other open and
 * remove.  name is zero-padded to SVM_NAME_MAX and len page-aligned; both
 * were validated by the caller; asked is the length before rounding.
 * Returns the region with a reference for the caller.
 */
struct svm_region *svm_region_get_or_create(const char *name, u64 len,
					    u64 asked, u32 flags, umode_t mode,
					    bool *created)
{
	struct svm_ns *ns, *unused = NULL;
	struct svm_region *r;
	int err;

	mutex_lock(&svm_lock);
	ns = svm_ns_current();
	r = svm_region_lookup(ns, name);
	if (r) {
		err = -EEXIST;
		if (flags & SVM_OPEN_EXCL)
			goto out_err;
		err = svm_region_may_open(r, len, flags);
		if (err)
			goto out_err;
		kref_get(&r->ref);
		*created = false;
	} else if (flags & SVM_OPEN_CREATE) {
		/* Length 0 opens an existing region only, as shmget(2) does. */
		err = -EINVAL;
		if (!len)
			goto out_err;
		ns = svm_ns_current_create();
		if (IS_ERR(ns)) {
			err = PTR_ERR(ns);
			goto out_err;
		}
		r = svm_region_create(ns, name, len, asked, flags, mode);
		if (IS_ERR(r))
			unused = svm_ns_unused(ns);
		*created = true;
	} else {
		r = ERR_PTR(-ENOENT);
	}
	mutex_unlock(&svm_lock);
	svm_ns_free(unused);
	return r;

out_err:
	mutex_unlock(&svm_lock);
	return ERR_PTR(err);
}

/*
 * The region of id in the caller's IPC namespace, removed ones still held
 * included (as shmat(2) reaches a segment marked for destruction), if the
 * caller may open it with flags and len as by name.  Returns it with a
 * reference for the caller.
 */
struct svm_region *svm_region_get_by_id(u64 id, u64 len, u32 flags)
{
	struct svm_region *r = NULL;
	struct svm_ns *ns;
	int err = -ENOENT;

	mutex_lock(&svm_lock);
	ns = svm_ns_current();
	if (ns)
		r = svm_ns_find(ns, id);
	if (r)
		err = svm_region_may_open(r, len, flags);
	if (!err)
		kref_get(&r->ref);
	mutex_unlock(&svm_lock);
	return err ? ERR_PTR(err) : r;
}

/*
 * Take r's name away, svm_lock held, for the process by (NULL: the
 * reaper of a dead namespace).  True when the name held r (a persistent
 * region): the caller then owns that reference, and puts it.
 */
bool svm_region_unname(struct svm_region *r, struct pid *by)
{
	bool ref = r->persist_ref;

	lockdep_assert_held(&svm_lock);
	rhashtable_remove_fast(&svm_names, &r->node, svm_name_params);
	r->named = false;
	r->persist_ref = false;
	r->flags |= SVM_REGION_REMOVED;
	svm_watch_event(r, SVM_EVENT_REMOVED, 0, by);
	return ref;
}

/* Take r's name away; called with svm_lock held, returns without it. */
static void svm_region_unlink(struct svm_region *r)
{
	/* svm_lock is held: a final put releases (and unlocks) here. */
	if (!svm_region_unname(r, task_tgid(current)) ||
	    !kref_put(&r->ref, svm_region_release))
		mutex_unlock(&svm_lock);
}

/*
 * May the caller remove r or change its owner, group and mode: its owner,
 * its creator or CAP_SYS_ADMIN, as ipcctl_obtain_check() says for SysV's
 * IPC_RMID and IPC_SET.  svm_lock held.
 */
static bool svm_region_may_admin(struct svm_region *r)
{
	kuid_t euid = current_euid();

	lockdep_assert_held(&svm_lock);
	return uid_eq(euid, r->uid) || uid_eq(euid, r->cuid) ||
	       capable(CAP_SYS_ADMIN);
}

/*
 * Remove r, found under svm_lock (NULL: none), if the caller may; returns
 * without svm_lock.  A region removed already (found by id) stays as it
 * is, as IPC_RMID leaves a segment marked SHM_DEST.
 */
static int svm_region_remove_found(struct svm_region *r)
{
	int err = 0;

	lockdep_assert_held(&svm_lock);
	if (!r)
		err = -ENOENT;
	else if (!svm_region_may_admin(r))
		err = -EPERM;
	if (!err && r->named) {
		svm_region_unlink(r);
		return 0;
	}
	mutex_unlock(&svm_lock);
	return err;
}

/*
 * Unlink name in the caller's IPC namespace; its memory lives on until the
 * last holder leaves.
 */
int svm_region_remove(const char *name)
{
	mutex_lock(&svm_lock);
	return svm_region_remove_found(svm_region_lookup(svm_ns_current(),
							 name));
}

/*
 * Unlink the region of id in the caller's IPC namespace, whatever region
 * has its name now; a region removed already is left alone.
 */
int svm_region_remove_id(u64 id)
{
	struct svm_ns *ns;

	mutex_lock(&svm_lock);
	ns = svm_ns_current();
	return svm_region_remove_found(ns ? svm_ns_find(ns, id) : NULL);
}

/*
 * SVM_IOC_SETPERM: set what flags (SVM_SETPERM_*) select of uid, gid and
 * mode, which the caller validated, in one step under svm_lock, so that
 * every open checks either the old attributes or the new ones.  Region
 * files already open keep their access.  The charges stay where they are:
 * the region's with its creator (struct svm_user), an SVID lock's with
 * the user who took it (charged_uid).
 */
int svm_region_setperm(struct svm_region *r, u32 flags, kuid_t uid,
		       kgid_t gid, umode_t mode)
{
	int err = 0;

	mutex_lock(&svm_lock);
	if (!svm_region_may_admin(r)) {
		err = -EPERM;
		goto out;
	}
	if (flags & SVM_SETPERM_UID)
		WRITE_ONCE(r->uid, uid);
	if (flags & SVM_SETPERM_GID)
		WRITE_ONCE(r->gid, gid);
	if (flags & SVM_SETPERM_MODE)
		WRITE_ONCE(r->mode, mode);
	WRITE_ONCE(r->chtime_ns, ktime_get_real_ns());
out:
	mutex_unlock(&svm_lock);
	return err;
}

/*
 * Undo the creation of r by an SVM_IOC_OPEN that failed after it: else a
 * persistent region would outlive the error.  The caller still holds its
 * own reference.
 */
void svm_region_abandon(struct svm_region *r)
{
	mutex_lock(&svm_lock);
	if (r->named && r->persist_ref)
		svm_region_unlink(r);
	else
		mutex_unlock(&svm_lock);
}

/*
 * Fill info but its wiring fields, for the caller's namespaces; svm_lock
 * held (uid, gid and mode are read together).
 */
static void svm_region_fill_info(struct svm_region *r, struct svm_info *info)
{
	struct user_namespace *ns = current_user_ns();

	lockdep_assert_held(&svm_lock);
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->flags = READ_ONCE(r->flags);
	info->id = r->id;
	memcpy(info->name, r->key.name, sizeof(info->name));
	info->addr = r->addr;
	info->length = r->len;
	info->uid = from_kuid_munged(ns, r->uid);
	info->gid = from_kgid_munged(ns, r->gid);
	info->cuid = from_kuid_munged(ns, r->cuid);
	info->cgid = from_kgid_munged(ns, r->cgid);
	info->mode = r->mode;
	info->cpid = pid_nr_ns(r->cpid, task_active_pid_ns(current));
	info->ctime_ns = r->ctime_ns;
	info->chtime_ns = r->chtime_ns;
	info->asked = r->asked;
	info->resident = READ_ONCE(r->inode->i_mapping->nrpages);
	info->nr_fds = atomic_read(&r->nr_fds);
}

/* Bytes of r resident in huge pages, and in small pages of a huge region. */
static void svm_region_pages(struct svm_region *r, struct svm_info *info)
{
	struct address_space *mapping = r->inode->i_mapping;
	bool huge = r->flags & SVM_REGION_HUGE;
	struct folio_batch fbatch;
	pgoff_t index = 0;
	unsigned int i;

	info->page_size = huge ? SVM_HUGE_SIZE : PAGE_SIZE;
	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			if (folio_test_pmd_mappable(folio))
				info->huge_bytes += folio_size(folio);
			else if (huge)
				info->fallback_bytes += folio_size(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
}

/* What svm_region_fill_info() leaves out; no svm lock held. */
static int svm_region_fill_slow(struct svm_region *r, struct svm_info *info)
{
	svm_attach_info(r, info);
	svm_region_pages(r, info);
	return svm_wire_info(r, info);
}

/* All of info; the caller holds a reference and no svm lock. */
int svm_region_info(struct svm_region *r, struct svm_info *info)
{
	mutex_lock(&svm_lock);
	svm_region_fill_info(r, info);
	mutex_unlock(&svm_lock);
	return svm_region_fill_slow(r, info);
}

/*
 * Fill up to max entries with the regions of the caller's IPC namespace
 * (removed ones still held included) of id > *cursor, in id order.  The
 * regions are held while their mappers' mlock state is read, outside
 * svm_lock (it takes their mmap_lock); their[] has room for max.
 */
int svm_region_list(u64 *cursor, struct svm_info *out, unsigned int max,
		    struct svm_region **their)
{
	unsigned long index = *cursor;
	unsigned int n = 0, i;
	struct svm_region *r;
	struct svm_ns *ns;
	int err = 0;

	mutex_lock(&svm_lock);
	ns = svm_ns_current();
	while (ns && n < max) {
		r = svm_ns_find_after(ns, &index);
		if (!r)
			break;
		kref_get(&r->ref);
		their[n] = r;
		svm_region_fill_info(r, &out[n++]);
		*cursor = index;
	}
	mutex_unlock(&svm_lock);
	for (i = 0; i < n; i++) {
		if (!err)
			err = svm_region_fill_slow(their[i], &out[i]);
		svm_region_put(their[i]);
	}
	return err ? err : n;
}
