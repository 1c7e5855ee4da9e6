// SPDX-License-Identifier: GPL-2.0
/*
 * svm: wiring, from two independent sources (uapi/linux/svm.h has the
 * table): a POSIX mlock bit per mapper, idempotent, and an SVID lock count
 * per region, balanced.  The region is wired while either holds it.
 *
 * The logical state (mlock bits, SVID count, wired) lives under
 * svm_region.lock, and every change to it goes through one predicate,
 * svm_wiring_change().  Applying it (the mapping's unevictable flag, the
 * pages, the RLIMIT_MEMLOCK charge) is slow and happens under wire_mutex
 * alone, never under a lock that mmap_lock paths take:
 *
 *  - unwired -> wired happens only in SVM_IOC_WIRE: charge, flag the
 *    mapping unevictable, populate, then commit the logical change.  On
 *    failure nothing stays charged or wired.
 *  - wired -> unwired commits at once, also from vm_ops->close when the
 *    last mlocked mapper leaves (under its mmap_lock).  The page work and
 *    the refund follow under wire_mutex: inline in the ioctl, or from the
 *    region's unwire work, or at destruction.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>

#include "svm_priv.h"

/*
 * The one wiring predicate (NetBSD's uvm_map_entry_wiring_changed()): how
 * changing the number of set mlock bits by mlock_delta and the SVID count
 * by svid_delta moves the region: 1 unwired -> wired, -1 wired -> unwired,
 * 0 no change.
 */
int svm_wiring_change(unsigned int nr_mlocked, unsigned int svid,
		      int mlock_delta, int svid_delta)
{
	bool was = nr_mlocked || svid;
	bool now = nr_mlocked + mlock_delta || svid + svid_delta;

	return (int)now - (int)was;
}

static void svm_wire_commit(struct svm_region *r, struct svm_mm *m,
			    int mlock_delta, int svid_delta)
{
	lockdep_assert_held(&r->lock);
	if (mlock_delta)
		m->mlocked = mlock_delta > 0;
	r->nr_mlocked += mlock_delta;
	r->svid += svid_delta;
	WRITE_ONCE(r->wired, r->nr_mlocked || r->svid);
}

/* What op would change, for the caller; validated under r->lock. */
static int svm_wire_delta(struct svm_region *r, u32 op, struct svm_mm **m,
			  int *mlock_delta, int *svid_delta)
{
	lockdep_assert_held(&r->lock);
	*m = NULL;
	*mlock_delta = 0;
	*svid_delta = 0;
	switch (op) {
	case SVM_WIRE_MLOCK:
	case SVM_WIRE_MUNLOCK:
		*m = svm_mm_find(r, current->mm);
		if (!*m)
			return -ENOMEM;	/* as mlock(2) of an unmapped range */
		*mlock_delta = (int)(op == SVM_WIRE_MLOCK) - (int)(*m)->mlocked;
		return 0;
	case SVM_WIRE_LOCK:
		if (r->svid == UINT_MAX)
			return -EINVAL;
		*svid_delta = 1;
		return 0;
	case SVM_WIRE_UNLOCK:
		if (!r->svid)
			return -EINVAL;
		*svid_delta = -1;
		return 0;
	}
	return -EINVAL;
}

/* Charge the caller: EPERM with RLIMIT_MEMLOCK 0, ENOMEM past it. */
static int svm_charge(struct svm_region *r)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);
	bool cap = capable(CAP_IPC_LOCK);
	kuid_t uid = current_euid();
	int err;

	lockdep_assert_held(&r->wire_mutex);
	if (!cap && !limit)
		return -EPERM;
	err = svm_user_lock_charge(uid, r->len,
				   !cap && limit != RLIM_INFINITY, limit);
	if (err)
		return err;
	r->charged_uid = uid;
	WRITE_ONCE(r->charged, r->len);
	return 0;
}

/* Bring every page of r into memory. */
static int svm_populate(struct svm_region *r)
{
	struct address_space *mapping = r->inode->i_mapping;
	pgoff_t i, n = r->len >> PAGE_SHIFT;
	struct page *page;

	for (i = 0; i < n; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		page = shmem_read_mapping_page_gfp(mapping, i,
						   mapping_gfp_mask(mapping));
		if (IS_ERR(page))
			return PTR_ERR(page);
		put_page(page);
		cond_resched();
	}
	return 0;
}

/*
 * Once r is logically unwired: make its pages evictable again, as SysV
 * SHM_UNLOCK does, and refund the charge.
 */
static void svm_unwire_apply(struct svm_region *r)
{
	struct address_space *mapping = r->inode->i_mapping;
	struct folio_batch fbatch;
	pgoff_t index = 0;

	lockdep_assert_held(&r->wire_mutex);
	if (READ_ONCE(r->wired) || !r->charged)
		return;
	mapping_clear_unevictable(mapping);
	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
		check_move_unevictable_folios(&fbatch);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	svm_user_lock_refund(r->charged_uid, r->charged);
	WRITE_ONCE(r->charged, 0);
}

static bool svm_may_svid_lock(struct svm_region *r)
{
	kuid_t euid = current_euid();

	return uid_eq(euid, r->uid) || uid_eq(euid, r->cuid) ||
	       capable(CAP_IPC_LOCK);
}

/* SVM_IOC_WIRE: op (SVM_WIRE_*) was validated by the caller. */
int svm_wire(struct svm_region *r, u32 op)
{
	int mlock_delta, svid_delta, change, err;
	struct svm_mm *m;

	if ((op == SVM_WIRE_LOCK || op == SVM_WIRE_UNLOCK) &&
	    !svm_may_svid_lock(r))
		return -EPERM;

	mutex_lock(&r->wire_mutex);
	/*
	 * A mapper that left may have unwired r with the refund still in the
	 * unwire work: settle it first, or a new charge would replace the
	 * record of the old one and the old one would never be refunded.
	 */
	svm_unwire_apply(r);
	mutex_lock(&r->lock);
	err = svm_wire_delta(r, op, &m, &mlock_delta, &svid_delta);
	change = err ? 0 : svm_wiring_change(r->nr_mlocked, r->svid,
					     mlock_delta, svid_delta);
	if (!err && change <= 0)
		svm_wire_commit(r, m, mlock_delta, svid_delta);
	mutex_unlock(&r->lock);
	if (err || change <= 0) {
		if (change < 0)
			svm_unwire_apply(r);
		goto out;
	}

	/*
	 * unwired -> wired.  Nothing else can wire r meanwhile (wire_mutex);
	 * the caller may stop mapping it, so its op is checked again.
	 */
	err = svm_charge(r);
	if (err)
		goto out;
	mapping_set_unevictable(r->inode->i_mapping);
	err = svm_populate(r);
	mutex_lock(&r->lock);
	if (!err)
		err = svm_wire_delta(r, op, &m, &mlock_delta, &svid_delta);
	if (!err)
		svm_wire_commit(r, m, mlock_delta, svid_delta);
	mutex_unlock(&r->lock);
	if (err)
		svm_unwire_apply(r);
out:
	mutex_unlock(&r->wire_mutex);
	return err;
}

/* vm_ops->close, r->lock held: mapper m leaves and loses its mlock bit. */
void svm_wire_mm_leaves(struct svm_region *r, struct svm_mm *m)
{
	lockdep_assert_held(&r->lock);
	if (!m->mlocked)
		return;
	if (svm_wiring_change(r->nr_mlocked, r->svid, -1, 0) < 0)
		schedule_work(&r->unwire_work);
	svm_wire_commit(r, m, -1, 0);
}

void svm_unwire_work(struct work_struct *work)
{
	struct svm_region *r = container_of(work, struct svm_region,
					    unwire_work);

	mutex_lock(&r->wire_mutex);
	svm_unwire_apply(r);
	mutex_unlock(&r->wire_mutex);
}

/* Destruction always fully unwires; nothing else refers to r any more. */
void svm_wire_destroy(struct svm_region *r)
{
	cancel_work_sync(&r->unwire_work);
	mutex_lock(&r->wire_mutex);
	WRITE_ONCE(r->wired, false);
	svm_unwire_apply(r);
	mutex_unlock(&r->wire_mutex);
}
