// SPDX-License-Identifier: GPL-2.0
/*
 * libsvmk's old symbol versions: a program built with the headers of
 * libsvmk 1.2 or 1.3 has a struct svm_info of SVM_INFO_SIZE_VER2 bytes
 * and calls svmk_region_info, svmk_list and svmk_find of LIBSVMK_1.0,
 * which must fill that much and not a byte more.  Dynamic, linked with
 * libsvmk.so.1 (the versions are the shared library's), which it finds
 * through its rpath.
 */
#include "kselftest_harness.h"
#include "svm_test.h"
#include "svmk.h"

/* What a program built with the 1.3 headers binds to. */
int old_region_info(const struct svmk_region *reg, struct svm_info *info);
int old_list(struct svmk *svm, uint64_t *cursor, void *buf,
	     unsigned int count);
int old_find(struct svmk *svm, const char *name, struct svm_info *info);
__asm__(".symver old_region_info, svmk_region_info@LIBSVMK_1.0");
__asm__(".symver old_list, svmk_list@LIBSVMK_1.0");
__asm__(".symver old_find, svmk_find@LIBSVMK_1.0");

#define VER2		SVM_INFO_SIZE_VER2
#define GUARD		0xa5
#define LEN		(64 * 1024)

/* Bytes [from, to) of buf are all GUARD. */
static bool untouched(const unsigned char *buf, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (buf[i] != GUARD)
			return false;
	return true;
}

FIXTURE(abi) {
	char name[32];
	struct svmk *svm;
	struct svmk_region *reg;
	struct svm_info now;		/* as LIBSVMK_1.4 reads it */
};

FIXTURE_SETUP(abi)
{
	snprintf(self->name, sizeof(self->name), "abi-%d", getpid());
	ASSERT_EQ(0, svmk_open(&self->svm, 0));
	ASSERT_EQ(0, svmk_region_open(self->svm, self->name, LEN,
				      SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				      &self->reg));
	ASSERT_EQ(0, svmk_region_info(self->reg, &self->now));
	ASSERT_EQ(sizeof(struct svm_info), self->now.size);
	ASSERT_EQ(1, self->now.nr_attaches);
}

FIXTURE_TEARDOWN(abi)
{
	svmk_region_close(self->reg);	/* the only holder: it goes */
	svmk_close(self->svm);
}

TEST_F(abi, old_region_info_fills_ver2_only)
{
	unsigned char buf[sizeof(struct svm_info) + 64];
	struct svm_info *in = (struct svm_info *)buf;

	memset(buf, GUARD, sizeof(buf));
	ASSERT_EQ(0, old_region_info(self->reg, in));
	EXPECT_EQ(VER2, in->size);
	EXPECT_EQ(self->now.id, in->id);
	EXPECT_EQ(LEN, in->length);
	EXPECT_STREQ(self->name, in->name);
	EXPECT_TRUE(untouched(buf, VER2, sizeof(buf)));
}

TEST_F(abi, old_list_has_entries_of_ver2_bytes)
{
	unsigned char buf[4 * VER2 + 64];
	const struct svm_info *e = NULL;
	uint64_t cursor = 0;
	int n, i;

	memset(buf, GUARD, sizeof(buf));
	n = old_list(self->svm, &cursor, buf, 4);
	ASSERT_LE(1, n);
	ASSERT_GE(4, n);
	for (i = 0; i < n; i++) {
		const struct svm_info *x = (void *)(buf + i * VER2);

		EXPECT_EQ(VER2, x->size);
		if (x->id == self->now.id)
			e = x;
	}
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->name, e->name);
	EXPECT_EQ(self->now.addr, e->addr);
	/* The array of 4 is the caller's; past it, nothing. */
	EXPECT_TRUE(untouched(buf, 4 * VER2, sizeof(buf)));
}

TEST_F(abi, old_find_fills_ver2_only)
{
	unsigned char buf[sizeof(struct svm_info) + 64];
	struct svm_info *in = (struct svm_info *)buf;

	memset(buf, GUARD, sizeof(buf));
	ASSERT_EQ(0, old_find(self->svm, self->name, in));
	EXPECT_EQ(VER2, in->size);
	EXPECT_EQ(self->now.id, in->id);
	EXPECT_TRUE(untouched(buf, VER2, sizeof(buf)));
	EXPECT_EQ(-ENOENT, old_find(self->svm, "abi-no-such-region", in));
}

/* The new versions fill VER3: the attaches the old ones cannot hold. */
TEST_F(abi, new_find_fills_ver3)
{
	struct svm_info in;

	memset(&in, GUARD, sizeof(in));
	ASSERT_EQ(0, svmk_find(self->svm, self->name, &in));
	EXPECT_EQ(sizeof(in), in.size);
	EXPECT_EQ(1, in.nr_attaches);
	EXPECT_EQ(LEN, in.asked);
	EXPECT_EQ(getpid(), in.lpid);
}

TEST_HARNESS_MAIN
