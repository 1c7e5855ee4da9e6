// SPDX-License-Identifier: GPL-2.0
/*
 * svm: KUnit tests of the logic user space cannot reach directly: the
 * wiring predicate's whole truth table and the window allocator's edges.
 * Built into svm.ko when the kernel has CONFIG_KUNIT (the debug kernel);
 * the suites run when the module loads and report KTAP on the console.
 */
#include <kunit/test.h>

#include "svm_priv.h"

/* --- svm_wiring_change() ------------------------------------------------ */

struct wiring_case {
	unsigned int nr_mlocked, svid;
	int mlock_delta, svid_delta;
	int change;
};

static const struct wiring_case wiring_cases[] = {
	/* unwired: any first source wires */
	{ 0, 0,  0,  0,  0 },
	{ 0, 0,  1,  0,  1 },
	{ 0, 0,  0,  1,  1 },
	{ 0, 0,  1,  1,  1 },
	/* wired by mlock bits only */
	{ 1, 0, -1,  0, -1 },	/* the last bit goes */
	{ 2, 0, -1,  0,  0 },	/* another bit remains */
	{ 1, 0,  0,  1,  0 },	/* an SVID lock adds nothing */
	{ 1, 0,  1,  0,  0 },
	{ 1, 0, -1,  1,  0 },	/* handed over from mlock to SVID */
	/* wired by the SVID count only */
	{ 0, 1,  0, -1, -1 },	/* balanced */
	{ 0, 2,  0, -1,  0 },
	{ 0, 1,  1,  0,  0 },
	{ 0, 1,  1, -1,  0 },	/* handed over from SVID to mlock */
	/* wired by both: neither alone unwires */
	{ 1, 1, -1,  0,  0 },	/* munlock never undoes SVID wiring */
	{ 1, 1,  0, -1,  0 },	/* SVID unlock never undoes an mlock bit */
	{ 1, 1, -1, -1, -1 },
	{ 3, 2,  0,  0,  0 },
};

static void svm_test_wiring_truth_table(struct kunit *test)
{
	const struct wiring_case *c;
	int i;

	for (i = 0; i < ARRAY_SIZE(wiring_cases); i++) {
		c = &wiring_cases[i];
		KUNIT_EXPECT_EQ_MSG(test, c->change,
				    svm_wiring_change(c->nr_mlocked, c->svid,
						      c->mlock_delta,
						      c->svid_delta),
				    "case %d: mlocked %u svid %u deltas %d %d",
				    i, c->nr_mlocked, c->svid, c->mlock_delta,
				    c->svid_delta);
	}
}

/* --- struct svm_va ------------------------------------------------------- */

#define BASE	0x200000000000UL
#define PAGES	16UL

static void *owner(int i)
{
	return (void *)(wiring_cases + i);	/* any distinct kernel pointers */
}

static int va_init(struct kunit *test)
{
	struct svm_va *va = kunit_kzalloc(test, sizeof(*va), GFP_KERNEL);

	if (!va)
		return -ENOMEM;
	svm_va_init(va, BASE, PAGES << PAGE_SHIFT);
	test->priv = va;
	return 0;
}

static void va_exit(struct kunit *test)
{
	svm_va_destroy(test->priv);
}

static unsigned long page(unsigned long i)
{
	return BASE + (i << PAGE_SHIFT);
}

static void svm_test_va_first_fit_from_first_page(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a, b;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(0), &a));
	KUNIT_EXPECT_EQ(test, page(0), a);
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 3, 1, owner(1), &b));
	KUNIT_EXPECT_EQ(test, page(2), b);
	KUNIT_EXPECT_EQ(test, PAGES - 5, va->nfree);
}

static void svm_test_va_exact_fit_to_last_page(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a, b;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, PAGES - 1, 1, owner(0), &a));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 1, 1, owner(1), &b));
	KUNIT_EXPECT_EQ(test, page(PAGES - 1), b);
	KUNIT_EXPECT_EQ(test, 0UL, va->nfree);
	KUNIT_EXPECT_EQ(test, 0UL, svm_va_largest_free(va));
}

static void svm_test_va_whole_window(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, PAGES, 1, owner(0), &a));
	KUNIT_EXPECT_EQ(test, page(0), a);
	KUNIT_EXPECT_EQ(test, -ENOSPC, svm_va_alloc(va, 1, 1, owner(1), &a));
	svm_va_free(va, page(0), PAGES);
	KUNIT_EXPECT_EQ(test, PAGES, va->nfree);
	KUNIT_EXPECT_EQ(test, PAGES, svm_va_largest_free(va));
}

static void svm_test_va_larger_than_window(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a;

	KUNIT_EXPECT_EQ(test, -ENOSPC, svm_va_alloc(va, PAGES + 1, 1, owner(0), &a));
	KUNIT_EXPECT_EQ(test, -ENOSPC, svm_va_alloc(va, 0, 1, owner(0), &a));
	KUNIT_EXPECT_EQ(test, PAGES, va->nfree);
}

/* A region of n pages takes n + 1: its guard stays out of others' reach. */
static void svm_test_va_guard_page_is_not_handed_out(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a, b;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 3 + 1, 1, owner(0), &a));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 1 + 1, 1, owner(1), &b));
	KUNIT_EXPECT_EQ(test, a + ((3 + 1) << PAGE_SHIFT), b);
}

static void svm_test_va_fragmented_first_fit(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a[4], b;
	int i;

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(i), &a[i]));
	svm_va_free(va, a[0], 2);	/* holes of 2 at pages 0 and 4 */
	svm_va_free(va, a[2], 2);
	KUNIT_EXPECT_EQ(test, PAGES - 4, va->nfree);
	KUNIT_EXPECT_EQ(test, PAGES - 8, svm_va_largest_free(va));
	/* 3 fits no hole: it goes after the last range. */
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 3, 1, owner(5), &b));
	KUNIT_EXPECT_EQ(test, page(8), b);
	/* 2 takes the first hole, then the second. */
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(6), &b));
	KUNIT_EXPECT_EQ(test, page(0), b);
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(7), &b));
	KUNIT_EXPECT_EQ(test, page(4), b);
}

static void svm_test_va_free_joins_neighbours(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a[3], b;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 4, 1, owner(i), &a[i]));
	svm_va_free(va, a[0], 4);
	svm_va_free(va, a[1], 4);
	KUNIT_EXPECT_EQ(test, 8UL, svm_va_largest_free(va));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 8, 1, owner(4), &b));
	KUNIT_EXPECT_EQ(test, page(0), b);
}

/* BASE is 8-page aligned: an aligned request skips to the next multiple. */
static void svm_test_va_aligned_skips_to_a_multiple(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a, b, c;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 1, 1, owner(0), &a));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 5, 8, owner(1), &b));
	KUNIT_EXPECT_EQ(test, page(8), b);
	/* The slack before it stays free for unaligned requests. */
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 7, 1, owner(2), &c));
	KUNIT_EXPECT_EQ(test, page(1), c);
}

/* A gap large enough but with no aligned room is passed over. */
static void svm_test_va_aligned_passes_unaligned_gaps(struct kunit *test)
{
	struct svm_va *va = test->priv;
	unsigned long a, b, c;

	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(0), &a));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 4, 1, owner(1), &b));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 2, 1, owner(2), &c));
	svm_va_free(va, b, 4);			/* pages 2..5 free: none at 8k */
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 4, 4, owner(3), &b));
	KUNIT_EXPECT_EQ(test, page(8), b);
	KUNIT_EXPECT_EQ(test, -ENOSPC, svm_va_alloc(va, 5, 8, owner(4), &b));
	KUNIT_ASSERT_EQ(test, 0, svm_va_alloc(va, 4, 2, owner(4), &b));
	KUNIT_EXPECT_EQ(test, page(2), b);
}

static struct kunit_case svm_wiring_cases[] = {
	KUNIT_CASE(svm_test_wiring_truth_table),
	{}
};

static struct kunit_case svm_va_cases[] = {
	KUNIT_CASE(svm_test_va_first_fit_from_first_page),
	KUNIT_CASE(svm_test_va_exact_fit_to_last_page),
	KUNIT_CASE(svm_test_va_whole_window),
	KUNIT_CASE(svm_test_va_larger_than_window),
	KUNIT_CASE(svm_test_va_guard_page_is_not_handed_out),
	KUNIT_CASE(svm_test_va_fragmented_first_fit),
	KUNIT_CASE(svm_test_va_free_joins_neighbours),
	KUNIT_CASE(svm_test_va_aligned_skips_to_a_multiple),
	KUNIT_CASE(svm_test_va_aligned_passes_unaligned_gaps),
	{}
};

static struct kunit_suite svm_wiring_suite = {
	.name = "svm_wiring",
	.test_cases = svm_wiring_cases,
};

static struct kunit_suite svm_va_suite = {
	.name = "svm_va",
	.init = va_init,
	.exit = va_exit,
	.test_cases = svm_va_cases,
};

kunit_test_suites(&svm_wiring_suite, &svm_va_suite);
