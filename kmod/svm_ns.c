// SPDX-License-Identifier: GPL-2.0
/*
 * svm: IPC namespaces.  A region belongs to the IPC namespace of the
 * process that created it, as a SysV segment does: open, remove and list
 * by name see only the caller's namespace, and when a namespace dies its
 * names are removed, as shm_exit_ns() destroys its segments.  A region is
 * reached from another namespace only through a file descriptor (fork,
 * SCM_RIGHTS).  The window, the system-wide and the per-user limits stay
 * machine-wide; each namespace but the initial one also has limits of its
 * own (ns_max_regions, ns_max_bytes).
 *
 * What a module may do with an IPC namespace is narrow: get_ipc_ns() is
 * inline, put_ipc_ns() is exported on 6.12 but not on 6.1, and no
 * notifier tells of a namespace's death.  So svm does not hold the
 * namespace.  A reference would keep it alive for as long as a
 * persistent region of it exists, which is forever (its death is what
 * should remove them), and 6.1 could not even drop one.  A namespace is
 * known instead by its mqueue mount, ns->mq_mnt, which every IPC
 * namespace has (CONFIG_POSIX_MQUEUE) and no other shares: struct svm_ns,
 * one per namespace with regions, holds a reference on that mount
 * (mntget()), which keeps the mount and its superblock, not the
 * namespace.  While it is held no new namespace can be given the same
 * mount, so the pointer is a key that is never reused under our feet,
 * where the namespace's pointer or inode number, kept without a
 * reference, could be: a new container would find a dead one's names.
 *
 * Death is polled, not notified.  When the last reference to a namespace
 * goes, put_ipc_ns() clears its mqueue superblock's s_fs_info (under
 * mq_lock, mq_clear_sbinfo(), on 6.1 as on 6.12), and nothing sets it
 * again: a NULL s_fs_info means the namespace is dead.  svm looks before
 * every request on /dev/svm (svm_ns_reap()), so a request made after a
 * namespace's last process has exited finds its regions' names gone, and
 * from a delayed work every SVM_NS_REAP_DELAY while a namespace other
 * than the initial one has regions, so that nobody has to ask.  The cost
 * is one read per such namespace at each look (none at all while only
 * the initial namespace has regions), a wakeup a second while there are
 * any, the few hundred bytes of a dead namespace's mqueue superblock kept
 * until its last region is destroyed, and a dependency on what
 * mq_clear_sbinfo() does, which is not an interface: on a kernel that
 * stopped clearing s_fs_info, the persistent regions of a dead namespace,
 * which nobody can name any more, would stay for good (and keep the
 * module loaded).
 *
 * No request can race with its own namespace's death: the caller is in
 * that namespace, and its nsproxy holds it (another thread's unshare() or
 * setns() changes that thread's nsproxy, not the caller's).  A namespace
 * seen alive by the reaper may die just after: the next look finds it.
 *
 * svm_lock protects the table, the list and every field of struct svm_ns
 * but mnt, which is set at creation.  svm_ns_nr_live is also read without
 * it, as a hint that there is nothing to look at.
 */
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "svm_compat.h"
#include "svm_priv.h"

/* How often the work looks for dead namespaces while there are any. */
#define SVM_NS_REAP_DELAY	HZ

/*
 * An IPC namespace that has regions, or the initial one.  Held by each of
 * its regions (nr_regions), freed with the last one but for the initial.
 */
struct svm_ns {
	struct vfsmount		*mnt;		/* ns->mq_mnt, held (mntget) */
	struct hlist_node	hnode;		/* svm_ns_table, until dead */
	struct list_head	live;		/* svm_ns_live, until dead */
	struct xarray		ids;		/* its regions, by id */
	unsigned int		nr_regions;	/* removed ones included */
	u64			bytes;		/* of those regions */
	bool			dead;		/* its names are gone */
};

/*
 * The initial namespace is never freed nor reaped, is bounded only by
 * the machine-wide limits, and is found without the table.  Its mount
 * is not held: it never goes away.
 */
static struct svm_ns svm_ns_initial;

static DEFINE_HASHTABLE(svm_ns_table, 6);	/* other live ones, by mnt */
static LIST_HEAD(svm_ns_live);			/* the same, to be looked at */
static unsigned int svm_ns_nr_live;		/* on svm_ns_live */

static void svm_ns_reap_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(svm_ns_work, svm_ns_reap_work);

void svm_ns_init(void)
{
	/*
	 * init_ipc_ns is not exported on 6.1; init_task's nsproxy is
	 * init_nsproxy, never switched.
	 */
	svm_ns_initial.mnt = init_task.nsproxy->ipc_ns->mq_mnt;
	xa_init(&svm_ns_initial.ids);
}

/*
 * Every region pins the module, so every namespace but the initial one is
 * gone here; the work may still be queued, or running (its region puts
 * may have dropped the last module reference).
 */
void svm_ns_exit(void)
{
	cancel_delayed_work_sync(&svm_ns_work);
	xa_destroy(&svm_ns_initial.ids);
}

/*
 * The caller's mqueue mount.  A task has no nsproxy once it is exiting,
 * but only live tasks make requests.
 */
static struct vfsmount *svm_ns_current_mnt(void)
{
	return current->nsproxy->ipc_ns->mq_mnt;
}

/* The caller's namespace, or NULL if it has no regions; svm_lock held. */
struct svm_ns *svm_ns_current(void)
{
	struct vfsmount *mnt = svm_ns_current_mnt();
	struct svm_ns *ns;

	lockdep_assert_held(&svm_lock);
	if (mnt == svm_ns_initial.mnt)
		return &svm_ns_initial;
	hash_for_each_possible(svm_ns_table, ns, hnode, (unsigned long)mnt)
		if (ns->mnt == mnt)
			return ns;
	return NULL;
}

/*
 * The caller's namespace, made when it has none.  A new one has no
 * regions: svm_ns_unused() says when to free it after a failed create.
 */
struct svm_ns *svm_ns_current_create(void)
{
	struct svm_ns *ns = svm_ns_current();
	struct vfsmount *mnt;

	if (ns)
		return ns;
	ns = kzalloc(sizeof(*ns), GFP_KERNEL_ACCOUNT);
	if (!ns)
		return ERR_PTR(-ENOMEM);
	mnt = svm_ns_current_mnt();
	ns->mnt = mntget(mnt);
	xa_init(&ns->ids);
	hash_add(svm_ns_table, &ns->hnode, (unsigned long)mnt);
	list_add_tail(&ns->live, &svm_ns_live);
	WRITE_ONCE(svm_ns_nr_live, svm_ns_nr_live + 1);
	/* Not queued again while it is queued. */
	schedule_delayed_work(&svm_ns_work, SVM_NS_REAP_DELAY);
	return ns;
}

/* Count a new region of len bytes in ns, if its limits allow it. */
int svm_ns_charge(struct svm_ns *ns, u64 len)
{
	lockdep_assert_held(&svm_lock);
	if (ns != &svm_ns_initial) {
		if (ns->nr_regions >= READ_ONCE(svm_ns_max_regions))
			return -EMLINK;
		if (ns->bytes + len > READ_ONCE(svm_ns_max_bytes))
			return -ENOBUFS;
	}
	ns->nr_regions++;
	ns->bytes += len;
	return 0;
}

void svm_ns_uncharge(struct svm_ns *ns, u64 len)
{
	lockdep_assert_held(&svm_lock);
	ns->bytes -= len;
	ns->nr_regions--;
}

/* List r (r->id set) among the regions of its namespace ns. */
int svm_ns_insert(struct svm_ns *ns, struct svm_region *r)
{
	lockdep_assert_held(&svm_lock);
	return xa_insert(&ns->ids, r->id, r, GFP_KERNEL);
}

void svm_ns_erase(struct svm_ns *ns, struct svm_region *r)
{
	lockdep_assert_held(&svm_lock);
	xa_erase(&ns->ids, r->id);
}

/* ns's region of id, removed ones still held included; or NULL. */
struct svm_region *svm_ns_find(struct svm_ns *ns, u64 id)
{
	lockdep_assert_held(&svm_lock);
	return xa_load(&ns->ids, id);
}

/* ns's region with the lowest id above *id, which it sets; or NULL. */
struct svm_region *svm_ns_find_after(struct svm_ns *ns, unsigned long *id)
{
	lockdep_assert_held(&svm_lock);
	return xa_find_after(&ns->ids, id, ULONG_MAX, XA_PRESENT);
}

/*
 * Take ns out of the table and off the list, for good: it died (its names
 * are removed next), or it has no region left (it is freed next).
 */
static void svm_ns_kill(struct svm_ns *ns)
{
	lockdep_assert_held(&svm_lock);
	ns->dead = true;
	hash_del(&ns->hnode);
	list_del(&ns->live);
	WRITE_ONCE(svm_ns_nr_live, svm_ns_nr_live - 1);
}

/*
 * ns when it has no region left and is not the initial namespace: it is
 * out of the table then, and the caller frees it with svm_ns_free() once
 * it has dropped svm_lock (the mntput() may free the mount of a dead
 * namespace).  Otherwise NULL.
 */
struct svm_ns *svm_ns_unused(struct svm_ns *ns)
{
	lockdep_assert_held(&svm_lock);
	if (ns == &svm_ns_initial || ns->nr_regions)
		return NULL;
	if (!ns->dead)
		svm_ns_kill(ns);
	return ns;
}

/* Free what svm_ns_unused() returned (NULL is nothing); no lock held. */
void svm_ns_free(struct svm_ns *ns)
{
	if (!ns)
		return;
	mntput(ns->mnt);
	xa_destroy(&ns->ids);
	kfree(ns);
}

/*
 * Whether the namespace is dead: put_ipc_ns() cleared its mqueue
 * superblock's s_fs_info when its last reference went, and a superblock
 * is never given a namespace again.  A plain store there, under mq_lock.
 */
static bool svm_ns_is_dead(struct svm_ns *ns)
{
	return !READ_ONCE(ns->mnt->mnt_sb->s_fs_info);
}

/*
 * Remove the names of every namespace that has died, as SVM_IOC_REMOVE
 * would: a region lives on while a file or mapping holds it, and is
 * destroyed now if only its persistent name did.  The names go under
 * svm_lock; the names' references are dropped after it, since the last
 * one destroys the region (svm_region_release() takes svm_lock).
 */
void svm_ns_reap(void)
{
	struct svm_region *r, *tmp;
	struct svm_ns *ns, *next;
	unsigned long id;
	LIST_HEAD(puts);

	if (!READ_ONCE(svm_ns_nr_live))
		return;
	mutex_lock(&svm_lock);
	list_for_each_entry_safe(ns, next, &svm_ns_live, live) {
		if (!svm_ns_is_dead(ns))
			continue;
		/* Its regions hold it: it stays until the puts below. */
		svm_ns_kill(ns);
		xa_for_each(&ns->ids, id, r)
			if (r->named && svm_region_unname(r, NULL))
				list_add_tail(&r->reap, &puts);
	}
	mutex_unlock(&svm_lock);
	list_for_each_entry_safe(r, tmp, &puts, reap)
		svm_region_put(r);
}

/* Look again in a while, as long as there is a namespace to look at. */
static void svm_ns_reap_work(struct work_struct *work)
{
	svm_ns_reap();
	mutex_lock(&svm_lock);
	if (svm_ns_nr_live)
		schedule_delayed_work(&svm_ns_work, SVM_NS_REAP_DELAY);
	mutex_unlock(&svm_lock);
}
