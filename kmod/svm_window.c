// SPDX-License-Identifier: GPL-2.0
/*
 * svm: the virtual-address window.
 *
 * Allocated ranges of [svm_window_base, +svm_window_size) are kept in a
 * maple tree in allocation-range mode, indexed by page (address >>
 * PAGE_SHIFT), each range's entry being its owner.  The tree tracks the
 * largest gap under every node, so a first-fit search costs O(log n) in
 * the number of regions whatever the window's size and fill, and memory
 * grows with the regions, not the window: a bitmap over a 1 TiB window
 * would be 32 MiB and a linear scan.  Each region takes one more page than
 * it maps, left unmapped as a guard so an overrun faults instead of
 * reaching the next region.
 *
 * struct svm_va is one such window; the module has one (svm_window_*,
 * under svm_lock) and the KUnit tests make their own.  The tree's own
 * lock nests inside whatever serializes the caller.
 */
#include <linux/lockdep.h>
#include <linux/maple_tree.h>

#include "svm_priv.h"

void svm_va_init(struct svm_va *va, unsigned long base, unsigned long size)
{
	mt_init_flags(&va->mt, MT_FLAGS_ALLOC_RANGE);
	va->first = base >> PAGE_SHIFT;
	va->last = ((base + size) >> PAGE_SHIFT) - 1;
	va->nfree = size >> PAGE_SHIFT;
}

void svm_va_destroy(struct svm_va *va)
{
	mtree_destroy(&va->mt);
}

/*
 * Allocate nr pages, first fit at a multiple of align pages (a power of
 * two), for owner; returns the address.  Built on mas_empty_area() +
 * mas_store_gfp() rather than mtree_alloc_range(), whose 6.1
 * implementation predates its rewrite on those two.  Each candidate is the
 * lowest gap of nr pages from min on, rounded up to align: taken if it is
 * free there, else the search goes on from the next aligned page, so it
 * costs O(log n) per region in the way.  The caller's lock keeps the found
 * gap free while mas_store_gfp() drops the tree's lock to allocate nodes.
 */
int svm_va_alloc(struct svm_va *va, unsigned long nr, unsigned long align,
		 void *owner, unsigned long *addr)
{
	MA_STATE(mas, &va->mt, 0, 0);
	unsigned long min = va->first, start;
	int err;

	if (!nr || nr > va->nfree)
		return -ENOSPC;
	mas_lock(&mas);
	for (;;) {
		err = -ENOSPC;
		if (min > va->last || va->last - min < nr - 1)
			break;
		mas_reset(&mas);
		err = mas_empty_area(&mas, min, va->last, nr);
		if (err)
			break;
		start = ALIGN(mas.index, align);
		if (start == mas.index)
			break;
		err = -ENOSPC;
		if (start > va->last || va->last - start < nr - 1)
			break;
		mas_reset(&mas);
		err = mas_empty_area(&mas, start, start + nr - 1, nr);
		if (!err)
			break;
		min = start + align;
	}
	if (!err)
		err = mas_store_gfp(&mas, owner, GFP_KERNEL);
	mas_unlock(&mas);
	/* mas_empty_area() finding no gap is EBUSY. */
	if (err)
		return err == -EBUSY ? -ENOSPC : err;
	va->nfree -= nr;
	*addr = mas.index << PAGE_SHIFT;
	return 0;
}

void svm_va_free(struct svm_va *va, unsigned long addr, unsigned long nr)
{
	mtree_erase(&va->mt, addr >> PAGE_SHIFT);
	va->nfree += nr;
}

/*
 * The largest free extent, in pages, from the tree's gap tracking: the
 * largest n for which mas_empty_area() finds room, by bisection.  That is
 * O(log(window) * log(regions)), with the tree's spinlock held for one
 * search at a time, never for a walk of the whole tree; the caller's lock
 * keeps the tree still between searches.
 */
unsigned long svm_va_largest_free(struct svm_va *va)
{
	MA_STATE(mas, &va->mt, 0, 0);
	unsigned long lo = 0, hi = va->nfree, mid;
	int err;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		mas_lock(&mas);
		mas_reset(&mas);
		err = mas_empty_area(&mas, va->first, va->last, mid);
		mas_unlock(&mas);
		if (err)
			hi = mid - 1;
		else
			lo = mid;
	}
	return lo;
}

static struct svm_va svm_window;	/* svm_lock */

int svm_window_init(void)
{
	svm_va_init(&svm_window, svm_window_base, svm_window_size);
	return 0;
}

void svm_window_exit(void)
{
	svm_va_destroy(&svm_window);
}

int svm_window_alloc(unsigned long nr, unsigned long align, void *owner,
		     unsigned long *addr)
{
	lockdep_assert_held(&svm_lock);
	return svm_va_alloc(&svm_window, nr, align, owner, addr);
}

void svm_window_free(unsigned long addr, unsigned long nr)
{
	lockdep_assert_held(&svm_lock);
	svm_va_free(&svm_window, addr, nr);
}

void svm_window_stat(struct svm_window *w)
{
	lockdep_assert_held(&svm_lock);
	w->base = svm_window_base;
	w->length = svm_window_size;
	w->granule = PAGE_SIZE;
	w->free = (u64)svm_window.nfree << PAGE_SHIFT;
	w->largest_free = (u64)svm_va_largest_free(&svm_window) << PAGE_SHIFT;
}
