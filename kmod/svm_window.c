// SPDX-License-Identifier: GPL-2.0
/*
 * svm: the virtual-address window.
 *
 * One bit per granule (PAGE_SIZE) of [svm_window_base, +svm_window_size)
 * says whether it is allocated.  Regions are placed first fit; each takes
 * one more granule than it maps, left unmapped as a guard so that an
 * overrun faults instead of reaching the next region.
 *
 * Every function here expects svm_lock to be held.
 */
#include <linux/bitmap.h>
#include <linux/lockdep.h>
#include <linux/vmalloc.h>

#include "svm_priv.h"

static unsigned long *svm_bitmap;	/* svm_lock */
static unsigned long svm_nbits;		/* granules in the window */
static unsigned long svm_nfree;		/* svm_lock: clear bits */

int svm_window_init(void)
{
	svm_nbits = svm_window_size >> PAGE_SHIFT;
	svm_nfree = svm_nbits;
	svm_bitmap = vzalloc(BITS_TO_LONGS(svm_nbits) * sizeof(long));
	return svm_bitmap ? 0 : -ENOMEM;
}

void svm_window_exit(void)
{
	vfree(svm_bitmap);
}

/* Allocate nr granules; returns the first one, or -ENOSPC. */
long svm_window_alloc(unsigned long nr)
{
	unsigned long first;

	lockdep_assert_held(&svm_lock);
	if (nr > svm_nfree)
		return -ENOSPC;
	first = bitmap_find_next_zero_area(svm_bitmap, svm_nbits, 0, nr, 0);
	if (first >= svm_nbits)
		return -ENOSPC;
	bitmap_set(svm_bitmap, first, nr);
	svm_nfree -= nr;
	return first;
}

void svm_window_free(unsigned long first, unsigned long nr)
{
	lockdep_assert_held(&svm_lock);
	bitmap_clear(svm_bitmap, first, nr);
	svm_nfree += nr;
}

void svm_window_stat(struct svm_window *w)
{
	unsigned long start = 0, end, largest = 0;

	lockdep_assert_held(&svm_lock);
	while ((start = find_next_zero_bit(svm_bitmap, svm_nbits, start)) <
	       svm_nbits) {
		end = find_next_bit(svm_bitmap, svm_nbits, start);
		largest = max(largest, end - start);
		start = end;
	}
	w->base = svm_window_base;
	w->length = svm_window_size;
	w->granule = PAGE_SIZE;
	w->free = (u64)svm_nfree << PAGE_SHIFT;
	w->largest_free = (u64)largest << PAGE_SHIFT;
}
