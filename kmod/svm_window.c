// SPDX-License-Identifier: GPL-2.0
/*
 * svm: the virtual-address window.
 *
 * Allocated ranges of [svm_window_base, +svm_window_size) are kept in a
 * maple tree in allocation-range mode, indexed by page (address >>
 * PAGE_SHIFT), each range's entry being its region.  The tree tracks the
 * largest gap under every node, so a first-fit search costs O(log n) in
 * the number of regions whatever the window's size and fill, and memory
 * grows with the regions, not the window: a bitmap over a 1 TiB window
 * would be 32 MiB and a linear scan.  Each region takes one more page than
 * it maps, left unmapped as a guard so an overrun faults instead of
 * reaching the next region.
 *
 * Every function here expects svm_lock to be held; the tree's own lock
 * nests inside it.
 */
#include <linux/lockdep.h>
#include <linux/maple_tree.h>

#include "svm_priv.h"

static struct maple_tree svm_va = MTREE_INIT(svm_va, MT_FLAGS_ALLOC_RANGE);
static unsigned long svm_nfree;		/* svm_lock: free pages */

static unsigned long svm_first_page(void)
{
	return svm_window_base >> PAGE_SHIFT;
}

static unsigned long svm_last_page(void)
{
	return ((svm_window_base + svm_window_size) >> PAGE_SHIFT) - 1;
}

int svm_window_init(void)
{
	svm_nfree = svm_window_size >> PAGE_SHIFT;
	return 0;
}

void svm_window_exit(void)
{
	mtree_destroy(&svm_va);
}

/*
 * Allocate nr pages, first fit, for owner; returns the address.  Built on
 * mas_empty_area() + mas_store_gfp() rather than mtree_alloc_range(),
 * whose 6.1 implementation predates its rewrite on those two.  svm_lock
 * keeps the found gap free while mas_store_gfp() drops the tree's lock to
 * allocate nodes.
 */
int svm_window_alloc(unsigned long nr, void *owner, unsigned long *addr)
{
	MA_STATE(mas, &svm_va, 0, 0);
	int err;

	lockdep_assert_held(&svm_lock);
	if (nr > svm_nfree)
		return -ENOSPC;
	mas_lock(&mas);
	err = mas_empty_area(&mas, svm_first_page(), svm_last_page(), nr);
	if (!err)
		err = mas_store_gfp(&mas, owner, GFP_KERNEL);
	mas_unlock(&mas);
	if (err)
		return err == -EBUSY ? -ENOSPC : err;
	svm_nfree -= nr;
	*addr = mas.index << PAGE_SHIFT;
	return 0;
}

void svm_window_free(unsigned long addr, unsigned long nr)
{
	lockdep_assert_held(&svm_lock);
	mtree_erase(&svm_va, addr >> PAGE_SHIFT);
	svm_nfree += nr;
}

void svm_window_stat(struct svm_window *w)
{
	MA_STATE(mas, &svm_va, 0, 0);
	unsigned long next = svm_first_page(), largest = 0;
	void *entry;

	lockdep_assert_held(&svm_lock);
	mas_lock(&mas);
	mas_for_each(&mas, entry, ULONG_MAX) {
		largest = max(largest, mas.index - next);
		next = mas.last + 1;
	}
	mas_unlock(&mas);
	largest = max(largest, svm_last_page() + 1 - next);

	w->base = svm_window_base;
	w->length = svm_window_size;
	w->granule = PAGE_SIZE;
	w->free = (u64)svm_nfree << PAGE_SHIFT;
	w->largest_free = (u64)largest << PAGE_SHIFT;
}
