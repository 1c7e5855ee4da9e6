// SPDX-License-Identifier: GPL-2.0
/*
 * svm: wiring, from two independent sources (uapi/linux/svm.h has the
 * table).  The region is wired while either holds it: svm_wired() is the
 * one predicate that says so, for INFO, LIST and svmctl alike.
 *
 *  - POSIX mlock is the kernel's own: mlock(2), mlock2(2), mlockall(2)
 *    and MAP_LOCKED set VM_LOCKED on a mapper's VMAs, the kernel mlocks
 *    the pages, counts them in the mapper's VmLck and Mlocked, charges its
 *    RLIMIT_MEMLOCK through mm->locked_vm, and ends it with the mapping.
 *    svm keeps no copy of that state: it reads it from the mappers' VMAs
 *    when asked (svm_mappers_get()), so the two can never disagree.
 *
 *  - The SVID lock is svm's, like SysV SHM_LOCK: a balanced count under
 *    wire_mutex.  Its first lock charges the caller once (RLIMIT_MEMLOCK,
 *    kept by the module since user_shm_lock() is not exported), flags the
 *    mapping unevictable and populates every page; its last unlock makes
 *    the pages evictable again (those some VMA still mlocks stay
 *    unevictable: the kernel keeps them on the unevictable list while
 *    mlocked) and refunds the charge, as destruction does.  One count
 *    may be the region's SysV lock (SVM_WIRE_SYSV, sysv_lock), a flag
 *    as SHM_LOCK's is: taken and dropped only by SVM_WIRE_SYSV callers,
 *    each test and change one step under wire_mutex.
 *
 * Neither source touches the other: munlock(2) never clears the SVID
 * count or the mapping's unevictable flag, and SVM_WIRE_UNLOCK never
 * clears a VM_LOCKED.
 *
 * Watches are told WIRED and UNWIRED when the predicate changes as the
 * module sees it (wired_seen).  The SVID source is ours: SVM_IOC_WIRE
 * reads the mlock state first, then says exactly whether its own change
 * moved the predicate.  mlock(2) and munlock(2) call no hook of a driver
 * for a whole VMA (mm/mlock.c: mlock_fixup() sets vm_flags in place, or
 * splits and merges, which only ->open and ->close see, without the
 * flag), so a change of the mlock source is found only when the module
 * looks at the mappers' VM_LOCKED: at SVM_IOC_INFO, SVM_IOC_LIST and
 * SVM_IOC_WIRE, and in wire_work, which a mapping with VM_LOCKED opening,
 * or any mapping closing while the region is wired, schedules (their
 * mmap_lock cannot be taken from there).
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
 * The one wiring predicate (NetBSD's uvm_map_entry_wiring_changed() asks
 * it of a change): wired while any mapper mlocks the region or the SVID
 * count is above 0.
 */
bool svm_wired(unsigned int nr_mlocked, unsigned int svid)
{
	return nr_mlocked || svid;
}

/*
 * How changing the number of mlocking mappers by mlock_delta and the SVID
 * count by svid_delta moves the region: 1 unwired -> wired, -1 wired ->
 * unwired, 0 no change.
 */
int svm_wiring_change(unsigned int nr_mlocked, unsigned int svid,
		      int mlock_delta, int svid_delta)
{
	return (int)svm_wired(nr_mlocked + mlock_delta, svid + svid_delta) -
	       (int)svm_wired(nr_mlocked, svid);
}

/*
 * The mlock source as read now: mappers with a VM_LOCKED mapping of r,
 * read under each one's mmap_lock with no svm lock held; or -EINTR.
 */
static int svm_nr_mlocked(struct svm_region *r)
{
	struct svm_mapper_snap *s;
	unsigned int n, i;
	int nr = 0;

	s = svm_mappers_get(r, true, &n);
	if (IS_ERR(s))
		return PTR_ERR(s);
	for (i = 0; i < n; i++)
		nr += s[i].mlocked;
	svm_mappers_put(s, n);
	return nr;
}

/*
 * Tell r's watches if the wired state differs from what they were told
 * last, given nr_mlocked mappers with VM_LOCKED: the SVID count is always
 * known, so a change found here is the mlock source's.
 */
static void svm_wire_seen(struct svm_region *r, unsigned int nr_mlocked)
{
	bool wired = svm_wired(nr_mlocked, r->svid);

	lockdep_assert_held(&r->wire_mutex);
	if (wired == r->wired_seen)
		return;
	WRITE_ONCE(r->wired_seen, wired);
	svm_watch_event(r, wired ? SVM_EVENT_WIRED : SVM_EVENT_UNWIRED,
			SVM_WIRE_SRC_MLOCK, NULL);
}

static void svm_wire_work(struct work_struct *work)
{
	struct svm_region *r = container_of(work, struct svm_region,
					    wire_work);
	int nr = svm_nr_mlocked(r);

	if (nr < 0)
		return;
	mutex_lock(&r->wire_mutex);
	svm_wire_seen(r, nr);
	mutex_unlock(&r->wire_mutex);
}

void svm_wire_init(struct svm_region *r)
{
	INIT_WORK(&r->wire_work, svm_wire_work);
}

/*
 * Look at the mlock source soon, from anywhere (under mmap_lock too); the
 * region's release cancels it.
 */
void svm_wire_look(struct svm_region *r)
{
	schedule_work(&r->wire_work);
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

static void svm_refund(struct svm_region *r)
{
	lockdep_assert_held(&r->wire_mutex);
	if (!r->charged)
		return;
	svm_user_lock_refund(r->charged_uid, r->charged);
	WRITE_ONCE(r->charged, 0);
}

/*
 * Bring every page of r into memory.  Allocation follows the inode's
 * shared policy (mbind(2) on any mapping) and its huge page setting, as
 * a fault would.
 */
static int svm_populate(struct svm_region *r)
{
	struct address_space *mapping = r->inode->i_mapping;
	pgoff_t i = 0, n = r->len >> PAGE_SHIFT;
	struct folio *folio;
	struct page *page;

	while (i < n) {
		if (fatal_signal_pending(current))
			return -EINTR;
		page = shmem_read_mapping_page_gfp(mapping, i,
						   mapping_gfp_mask(mapping));
		if (IS_ERR(page))
			return PTR_ERR(page);
		folio = page_folio(page);
		/* A huge folio brings all its pages at once. */
		i = folio->index + folio_nr_pages(folio);
		folio_put(folio);
		cond_resched();
	}
	return 0;
}

/* Make r's pages evictable again, as SysV SHM_UNLOCK does. */
static void svm_unevictable_clear(struct svm_region *r)
{
	struct address_space *mapping = r->inode->i_mapping;
	struct folio_batch fbatch;
	pgoff_t index = 0;

	mapping_clear_unevictable(mapping);
	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
		check_move_unevictable_folios(&fbatch);
		folio_batch_release(&fbatch);
		cond_resched();
	}
}

/* The first SVID lock: charge, flag unevictable, populate; or nothing. */
static int svm_svid_wire(struct svm_region *r)
{
	int err;

	err = svm_charge(r);
	if (err)
		return err;
	mapping_set_unevictable(r->inode->i_mapping);
	err = svm_populate(r);
	if (err) {
		svm_unevictable_clear(r);
		svm_refund(r);
	}
	return err;
}

static bool svm_may_svid_lock(struct svm_region *r)
{
	kuid_t euid = current_euid();

	return uid_eq(euid, READ_ONCE(r->uid)) || uid_eq(euid, r->cuid) ||
	       capable(CAP_IPC_LOCK);
}

/*
 * SVM_IOC_WIRE: op (SVM_WIRE_*) and flags were validated by the caller.
 * With SVM_WIRE_SYSV a lock or unlock is one count, the SysV lock's,
 * taken only if not held and dropped only if held (else nothing is
 * done); a plain unlock never drops that count.
 */
int svm_wire(struct svm_region *r, u32 op, u32 flags)
{
	bool sysv = flags & SVM_WIRE_SYSV, lock = op == SVM_WIRE_LOCK;
	int err = 0, nr, change;

	/* Retired: POSIX mlock of a region is mlock(2) of its mapping. */
	if (op == SVM_WIRE_MLOCK || op == SVM_WIRE_MUNLOCK)
		return -EOPNOTSUPP;
	if (!svm_may_svid_lock(r))
		return -EPERM;
	/* wire_mutex is never held across a mapper's mmap_lock. */
	nr = svm_nr_mlocked(r);
	if (nr < 0)
		return nr;

	mutex_lock(&r->wire_mutex);
	svm_wire_seen(r, nr);
	/* The SysV lock held already, or not held: nothing to do. */
	if (sysv && r->sysv_lock == lock)
		goto out;
	change = svm_wiring_change(nr, r->svid, 0, lock ? 1 : -1);
	if (lock) {
		if (r->svid == UINT_MAX)
			err = -EINVAL;
		else if (!r->svid)
			err = svm_svid_wire(r);
		if (!err)
			WRITE_ONCE(r->svid, r->svid + 1);
	} else if (!sysv && r->svid <= r->sysv_lock) {
		/* At 0, or the SysV lock is all there is. */
		err = -EINVAL;
	} else {
		if (r->svid == 1) {
			svm_unevictable_clear(r);
			svm_refund(r);
		}
		WRITE_ONCE(r->svid, r->svid - 1);
	}
	if (!err && sysv)
		WRITE_ONCE(r->sysv_lock, lock);
	if (!err && change) {
		WRITE_ONCE(r->wired_seen, change > 0);
		svm_watch_event(r, change > 0 ? SVM_EVENT_WIRED :
				SVM_EVENT_UNWIRED, SVM_WIRE_SRC_SVID,
				task_tgid(current));
	}
out:
	mutex_unlock(&r->wire_mutex);
	return err;
}

/*
 * The wiring fields of info: the SVID source and its charge, and how many
 * mappers mlock the region, read from their VMAs; no lock held.
 */
int svm_wire_info(struct svm_region *r, struct svm_info *info)
{
	struct svm_mapper_snap *s;
	unsigned int n, i;

	s = svm_mappers_get(r, true, &n);
	if (IS_ERR(s))
		return PTR_ERR(s);
	info->nr_mlocked = 0;
	for (i = 0; i < n; i++)
		info->nr_mlocked += s[i].mlocked;
	svm_mappers_put(s, n);

	mutex_lock(&r->wire_mutex);
	svm_wire_seen(r, info->nr_mlocked);
	info->svid_count = r->svid;
	if (r->sysv_lock)
		info->flags |= SVM_REGION_SYSV_LOCK;
	info->charged = r->charged;
	info->charged_uid = r->charged ?
			    from_kuid_munged(current_user_ns(), r->charged_uid) : 0;
	mutex_unlock(&r->wire_mutex);
	if (svm_wired(info->nr_mlocked, info->svid_count))
		info->flags |= SVM_REGION_WIRED;
	return 0;
}

/*
 * Destruction always fully unwires; nothing else refers to r any more
 * but its watches, told UNWIRED if they were told WIRED: of the SVID
 * source if it held the region, else of the mlock source, the last
 * mlocking mapper having left unseen.
 */
void svm_wire_destroy(struct svm_region *r)
{
	cancel_work_sync(&r->wire_work);
	mutex_lock(&r->wire_mutex);
	if (r->wired_seen) {
		r->wired_seen = false;
		svm_watch_event(r, SVM_EVENT_UNWIRED, r->svid ?
				SVM_WIRE_SRC_SVID : SVM_WIRE_SRC_MLOCK, NULL);
	}
	r->svid = 0;
	r->sysv_lock = false;
	svm_refund(r);
	mutex_unlock(&r->wire_mutex);
}
