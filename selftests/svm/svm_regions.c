// SPDX-License-Identifier: GPL-2.0
/*
 * Regions: names, sizes, flags and argument structs, create/open/remove.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

FIXTURE(dev) {
	int dev;
};

FIXTURE_SETUP(dev)
{
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->dev);
}

TEST_F(dev, name_null_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, svm_create(self->dev, NULL, 4096));
}

TEST_F(dev, name_empty_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "", 4096));
}

TEST_F(dev, name_63_bytes_is_accepted)
{
	char name[64];
	struct svm_info info;
	int fd;

	memset(name, 'a', 63);
	name[63] = 0;
	fd = svm_create(self->dev, name, 4096);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_STREQ(name, info.name);
	close(fd);
}

TEST_F(dev, name_64_bytes_is_enametoolong)
{
	char name[65];

	memset(name, 'a', 64);
	name[64] = 0;
	EXPECT_EQ(-ENAMETOOLONG, svm_create(self->dev, name, 4096));
}

TEST_F(dev, name_unterminated_at_end_of_mapping_is_efault)
{
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	memset(page + 4096 - 10, 'x', 10);	/* no NUL before the hole */
	EXPECT_EQ(-EFAULT, svm_create(self->dev, page + 4096 - 10, 4096));
	munmap(page, 4096);
}

TEST_F(dev, name_with_slash_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "a/b", 4096));
}

TEST_F(dev, name_with_space_or_control_or_high_byte_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "a b", 4096));
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "a\tb", 4096));
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "a\x7f", 4096));
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "caf\xc3\xa9", 4096));
}

TEST_F(dev, size_zero_on_create_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_create(self->dev, "zero", 0));
	/* Nothing was made: the name is still free. */
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, "zero", 0, 0, 0, NULL));
}

TEST_F(dev, create_with_size_zero_opens_an_existing_region)
{
	struct svm_open out;
	int fd, fd2;

	fd = svm_open_region(self->dev, "zero-open", 8192, SVM_OPEN_CREATE,
			     0600, NULL);
	ASSERT_LE(0, fd);
	fd2 = svm_open_region(self->dev, "zero-open", 0, SVM_OPEN_CREATE,
			      0600, &out);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, out.out_flags);
	EXPECT_EQ(8192, out.length);
	close(fd2);
	close(fd);
}

TEST_F(dev, create_excl_with_size_zero_of_an_existing_region_is_eexist)
{
	int fd;

	fd = svm_open_region(self->dev, "zero-excl", 4096, SVM_OPEN_CREATE,
			     0600, NULL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, svm_open_region(self->dev, "zero-excl", 0,
					   SVM_OPEN_CREATE | SVM_OPEN_EXCL,
					   0600, NULL));
	close(fd);
}

TEST_F(dev, size_unaligned_is_rounded_up_to_a_page)
{
	struct svm_open out;
	int fd;

	fd = svm_open_region(self->dev, "unaligned", 5000,
			     SVM_OPEN_CREATE, 0600, &out);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8192, out.length);
	EXPECT_EQ(0, out.addr % 4096);
	close(fd);
}

TEST_F(dev, size_larger_than_window_is_efbig)
{
	struct svm_window w;

	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(-EFBIG, svm_create(self->dev, "huge", w.length + 4096));
	EXPECT_EQ(-EFBIG, svm_create(self->dev, "huge", UINT64_MAX));
	EXPECT_EQ(-EFBIG, svm_create(self->dev, "huge", UINT64_MAX - 100));
}

TEST_F(dev, size_larger_than_max_region_size_is_efbig)
{
	unsigned long long old = svm_get_param("max_region_size");

	ASSERT_EQ(0, svm_set_param("max_region_size", 1 << 20));
	EXPECT_EQ(-EFBIG, svm_create(self->dev, "big", (1 << 20) + 1));
	EXPECT_EQ(0, svm_set_param("max_region_size", old));
}

TEST_F(dev, open_existing_with_other_size_is_einval)
{
	int fd = svm_create(self->dev, "sized", 8192), fd2;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "sized", 4096, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "sized", 16384,
					   SVM_OPEN_CREATE, 0600, NULL));
	fd2 = svm_open_region(self->dev, "sized", 8192, 0, 0, NULL);
	EXPECT_LE(0, fd2);
	close(fd2);
	fd2 = svm_open_region(self->dev, "sized", 0, 0, 0, NULL);
	EXPECT_LE(0, fd2);
	close(fd2);
	close(fd);
}

TEST_F(dev, unknown_flag_bits_are_einval)
{
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "f", 4096,
					   SVM_OPEN_CREATE | (1U << 6), 0600, NULL));
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "f", 4096,
					   SVM_OPEN_CREATE | (1U << 31), 0600, NULL));
}

TEST_F(dev, excl_or_persist_without_create_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "f", 4096,
					   SVM_OPEN_EXCL, 0600, NULL));
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "f", 4096,
					   SVM_OPEN_PERSIST, 0600, NULL));
}

TEST_F(dev, mode_above_0777_is_einval)
{
	EXPECT_EQ(-EINVAL, svm_open_region(self->dev, "m", 4096,
					   SVM_OPEN_CREATE, 01777, NULL));
}

TEST_F(dev, reserved_fields_must_be_zero)
{
	struct svm_remove rm = { .size = sizeof(rm),
				 .flags = SVM_REMOVE_FLAGS + 1,
				 .name = (uintptr_t)"x" };
	struct svm_window w = { .size = sizeof(w), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_REMOVE, &rm));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_WINDOW, &w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, struct_size_below_ver0_is_einval)
{
	struct svm_window w = { .size = SVM_WINDOW_SIZE_VER0 - 8 };

	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_WINDOW, &w));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, struct_size_longer_with_zero_tail_works)
{
	struct { struct svm_window w; uint64_t tail[4]; } big = {
		.w.size = sizeof(big),
	};

	ASSERT_EQ(0, ioctl(self->dev, SVM_IOC_WINDOW, &big));
	EXPECT_EQ(4096, big.w.granule);
	EXPECT_EQ(0, big.tail[0]);
}

TEST_F(dev, struct_size_longer_with_nonzero_tail_is_e2big)
{
	struct { struct svm_window w; uint64_t tail[4]; } big = {
		.w.size = sizeof(big), .tail[3] = 1,
	};

	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_WINDOW, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, bad_argument_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_OPEN, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_WINDOW, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, region_ioctls_on_device_and_device_ioctls_on_region_are_enotty)
{
	struct svm_info info = { .size = sizeof(info) };
	struct svm_window w = { .size = sizeof(w) };
	int fd = svm_create(self->dev, "cross", 4096);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(self->dev, SVM_IOC_INFO, &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, SVM_IOC_WINDOW, &w));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F(dev, create_then_open_gives_same_region)
{
	struct svm_open a, b;
	int fd1, fd2;

	fd1 = svm_open_region(self->dev, "same", 4096, SVM_OPEN_CREATE, 0600, &a);
	ASSERT_LE(0, fd1);
	EXPECT_EQ(SVM_OPEN_CREATED, a.out_flags);
	fd2 = svm_open_region(self->dev, "same", 4096, SVM_OPEN_CREATE, 0600, &b);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, b.out_flags);
	EXPECT_EQ(a.addr, b.addr);
	EXPECT_EQ(a.id, b.id);
	close(fd1);
	close(fd2);
}

TEST_F(dev, exclusive_create_of_existing_is_eexist)
{
	int fd = svm_create(self->dev, "excl", 4096);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, svm_open_region(self->dev, "excl", 4096,
					   SVM_OPEN_CREATE | SVM_OPEN_EXCL,
					   0600, NULL));
	close(fd);
}

TEST_F(dev, open_missing_without_create_is_enoent)
{
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, "missing", 0, 0, 0, NULL));
}

TEST_F(dev, last_close_frees_name_and_window)
{
	struct svm_window before, after;
	int fd;

	ASSERT_EQ(0, svm_get_window(self->dev, &before));
	fd = svm_create(self->dev, "transient", 1 << 20);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(self->dev, &after) == 0 &&
			       after.nr_regions == before.nr_regions, 5000));
	EXPECT_EQ(before.free, after.free);
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, "transient", 0, 0, 0, NULL));
}

TEST_F(dev, persistent_region_outlives_its_fds_until_removed)
{
	struct svm_window before, after;
	struct svm_open a;
	int fd;

	ASSERT_EQ(0, svm_get_window(self->dev, &before));
	fd = svm_open_region(self->dev, "persist", 4096,
			     SVM_OPEN_CREATE | SVM_OPEN_PERSIST, 0600, &a);
	ASSERT_LE(0, fd);
	close(fd);
	fd = svm_open_region(self->dev, "persist", 0, 0, 0, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(0, svm_remove_name(self->dev, "persist"));
	EXPECT_EQ(-ENOENT, svm_remove_name(self->dev, "persist"));
	EXPECT_EQ(-ENOENT, svm_open_region(self->dev, "persist", 0, 0, 0, NULL));
	ASSERT_EQ(0, svm_get_window(self->dev, &after));
	EXPECT_EQ(before.nr_regions, after.nr_regions);
	EXPECT_EQ(before.free, after.free);
}

TEST_F(dev, remove_while_mapped_unlinks_name_but_keeps_memory)
{
	struct svm_info info;
	int fd, fd2;
	char *p;

	fd = svm_open_region(self->dev, "rmmapped", 4096,
			     SVM_OPEN_CREATE | SVM_OPEN_PERSIST, 0600, NULL);
	ASSERT_LE(0, fd);
	p = svm_map(fd, 4096, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	strcpy(p, "still here");
	ASSERT_EQ(0, svm_remove_name(self->dev, "rmmapped"));
	/* The name is free at once: a new region can take it. */
	fd2 = svm_open_region(self->dev, "rmmapped", 4096,
			      SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, NULL);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, svm_get_info(fd2, &info));
	EXPECT_NE((uintptr_t)p, info.addr);
	EXPECT_STREQ("still here", p);
	close(fd2);
	EXPECT_EQ(0, munmap(p, 4096));
}

TEST_F(dev, info_reports_the_region)
{
	struct svm_info info;
	struct svm_open a;
	int fd;

	fd = svm_open_region(self->dev, "info", 3 * 4096,
			     SVM_OPEN_CREATE, 0640, &a);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	EXPECT_STREQ("info", info.name);
	EXPECT_EQ(a.id, info.id);
	EXPECT_EQ(a.addr, info.addr);
	EXPECT_EQ(3 * 4096, info.length);
	EXPECT_EQ(0640, info.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(getgid(), info.gid);
	EXPECT_EQ(getuid(), info.cuid);
	EXPECT_EQ(getpid(), info.cpid);
	EXPECT_EQ(0, info.nr_mappers);
	EXPECT_EQ(1, info.nr_fds);
	EXPECT_EQ(0, info.resident);
	EXPECT_EQ(0, info.flags);
	EXPECT_LT(0, info.ctime_ns);
	close(fd);
}

TEST_F(dev, list_walks_every_region_with_a_cursor)
{
	struct svm_info buf[2];
	struct svm_list l = {
		.size = sizeof(l), .entries = (uintptr_t)buf,
		.entry_size = sizeof(buf[0]), .count = 2,
	};
	int fds[5], i, seen = 0;
	char name[16];

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "list%d", i);
		fds[i] = svm_create(self->dev, name, 4096);
		ASSERT_LE(0, fds[i]);
	}
	for (;;) {
		l.count = 2;
		ASSERT_EQ(0, ioctl(self->dev, SVM_IOC_LIST, &l));
		if (!l.count)
			break;
		for (i = 0; i < (int)l.count; i++)
			if (!strncmp(buf[i].name, "list", 4))
				seen++;
	}
	EXPECT_EQ(5, seen);
	for (i = 0; i < 5; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
