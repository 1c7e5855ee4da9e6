/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture and helpers of the mm-surface tests (svm_mmsurface.c,
 * svm_mmsurface_uring.c, svm_mmsurface_vma.c): the invariants every test
 * ends with, and the little a parent needs to drive a child step by step.
 * Include it after kselftest_harness.h.
 *
 * Each test takes a baseline first and, at its end, checks that what it
 * did left nothing behind: the window (live regions, free bytes, and what
 * the caller's uid holds: regions, bytes, SVID-lock charge) and the
 * module's reference count are back to the baseline exactly, and
 * /proc/meminfo's Shmem is back within two pages.  A region goes when its
 * last holder does, which for some paths is a kernel worker (io_uring's
 * ring teardown, a delayed fput): the check polls for it.
 */
#ifndef _SVM_MMSURFACE_H
#define _SVM_MMSURFACE_H

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "svm_test.h"

#define PAGE		4096
#define LEN		(4 * PAGE)	/* every test's region */
/* How long a region may take to go once its last holder has. */
#define GONE_MS		10000

struct mms_base {
	struct svm_window w;
	long refcnt;
	long shmem_kb;
};

static inline void mms_base_take(int dev, struct mms_base *b)
{
	svm_get_window(dev, &b->w);
	b->refcnt = svm_module_refcnt();
	b->shmem_kb = svm_meminfo_kb("Shmem");
}

/* Whether the window and the module's refcount are at the baseline. */
static inline int mms_at_base(int dev, const struct mms_base *b)
{
	struct svm_window w;

	return !svm_get_window(dev, &w) && w.nr_regions == b->w.nr_regions &&
	       w.free == b->w.free && w.user_regions == b->w.user_regions &&
	       w.user_bytes == b->w.user_bytes &&
	       w.user_locked == b->w.user_locked &&
	       svm_module_refcnt() == b->refcnt;
}

/* Live regions now, or -1. */
static inline int mms_nr_regions(int dev)
{
	struct svm_window w;

	return svm_get_window(dev, &w) ? -1 : (int)w.nr_regions;
}

/*
 * Back to the baseline: wait for the last holder to be gone (it may be a
 * kernel worker), then check every field, each with its own message.
 */
#define EXPECT_AT_BASE(dev, b) do {					\
	struct svm_window __w;						\
	long __kb;							\
									\
	POLL_UNTIL(mms_at_base((dev), (b)), GONE_MS);			\
	ASSERT_EQ(0, svm_get_window((dev), &__w));			\
	EXPECT_EQ((b)->w.nr_regions, __w.nr_regions);			\
	EXPECT_EQ((b)->w.free, __w.free);				\
	EXPECT_EQ((b)->w.largest_free, __w.largest_free);		\
	EXPECT_EQ((b)->w.user_regions, __w.user_regions);		\
	EXPECT_EQ((b)->w.user_bytes, __w.user_bytes);			\
	EXPECT_EQ((b)->w.user_locked, __w.user_locked);			\
	EXPECT_LT(0, (b)->refcnt);					\
	EXPECT_EQ((b)->refcnt, svm_module_refcnt());			\
	__kb = svm_meminfo_kb("Shmem");					\
	EXPECT_LE(0, __kb);						\
	EXPECT_GE((b)->shmem_kb + 8, __kb);				\
	EXPECT_LE((b)->shmem_kb - 8, __kb);				\
} while (0)

/* Nothing is charged for the SVID lock of the region of fd. */
#define EXPECT_UNCHARGED(fd) do {					\
	struct svm_info __i;						\
									\
	ASSERT_EQ(0, svm_get_info((fd), &__i));				\
	EXPECT_EQ(0, __i.charged);					\
	EXPECT_EQ(0, __i.svid_count);					\
	EXPECT_EQ(0, __i.flags & SVM_REGION_WIRED);			\
} while (0)

/* One byte each way over a socketpair, to step a child along. */
static inline int mms_tell(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* The next byte from fd, 0 at EOF or on error. */
static inline char mms_hear(int fd)
{
	char c = 0;

	return read(fd, &c, 1) == 1 ? c : 0;
}

/* Whether the running kernel is major.minor or later. */
static inline int mms_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Byte i of the pattern tag fills a test buffer with.  Its period, 256,
 * divides PAGE, so every page of a filled buffer holds the same bytes.
 */
static inline unsigned char mms_pat(unsigned long i, unsigned char tag)
{
	return (unsigned char)(i * 7 + tag);
}

static inline void mms_fill(void *p, size_t len, unsigned char tag)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = mms_pat(i, tag);
}

/* Whether p holds the pattern of tag. */
static inline int mms_holds(const void *p, size_t len, unsigned char tag)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != mms_pat(i, tag))
			return 0;
	return 1;
}

/* Whether len bytes at p are all zero. */
static inline int mms_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return 0;
	return 1;
}

/*
 * Each test starts with the baseline taken and a new region of LEN bytes,
 * not persistent (its fds and mappings hold it), open read-write in fd.
 */
FIXTURE(mms) {
	int dev, fd;
	char name[32];
	struct svm_open o;
	struct mms_base base;
};

FIXTURE_SETUP(mms)
{
	snprintf(self->name, sizeof(self->name), "mms-%d", getpid());
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	mms_base_take(self->dev, &self->base);
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				   &self->o);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(mms)
{
	if (self->fd >= 0)
		close(self->fd);
	svm_remove_name(self->dev, self->name);
	close(self->dev);
}

/* Another fd of the region, by name (flags: SVM_OPEN_RDONLY or 0). */
static inline int mms_reopen(FIXTURE_DATA(mms) *self, unsigned int flags)
{
	return svm_open_region(self->dev, self->name, 0, flags, 0, NULL);
}

/* The test lets go of the fixture's fd. */
static inline void mms_drop(FIXTURE_DATA(mms) *self)
{
	close(self->fd);
	self->fd = -1;
}

/*
 * The region is alive although the caller may hold nothing of it: look at
 * it through a new fd (which nr_fds counts too).  nr_fds counts open file
 * descriptions, and a mapping holds the one it was made from (vm_file):
 * a child that maps and closes its fd leaves 1 there.
 */
static inline void mms_expect_held(struct __test_metadata *_metadata,
				   FIXTURE_DATA(mms) *self,
				   unsigned int mappers, unsigned int fds)
{
	int fd = mms_reopen(self, 0);
	struct svm_info info;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_EQ(mappers, info.nr_mappers);
	EXPECT_EQ(fds + 1, info.nr_fds);
	EXPECT_EQ(0, info.charged);
	EXPECT_EQ((int)self->base.w.nr_regions + 1,
		  mms_nr_regions(self->dev));
	close(fd);
}

/* The test's last fd goes (its mappings went already): back to baseline. */
#define END(self) do {							\
	EXPECT_UNCHARGED((self)->fd);					\
	mms_drop(self);							\
	EXPECT_AT_BASE((self)->dev, &(self)->base);			\
} while (0)

#endif /* _SVM_MMSURFACE_H */
