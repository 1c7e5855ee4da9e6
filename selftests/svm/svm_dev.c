// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/svm device: node, unknown requests, module unload.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "svm_test.h"

TEST(device_node_is_world_usable_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(SVM_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = svm_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(SVM_IOC_MAGIC, 0x3f), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('T', 0x01), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(rmmod_refused_while_device_open)
{
	int fd = svm_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, svm_rmmod());
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/* Unload (refused while anything holds the module) and load with params. */
static int reload(const char *params)
{
	const char *ko = getenv("SVM_KO");
	struct stat st;

	if (!ko || svm_rmmod())
		return -1;
	if (stat(SVM_DEVICE, &st) == 0 || errno != ENOENT)
		return -1;
	if (svm_insmod(ko, params))
		return -1;
	return POLL_UNTIL(stat(SVM_DEVICE, &st) == 0, 5000) ? 0 : -1;
}

TEST(rmmod_succeeds_when_idle_and_module_reloads)
{
	struct stat st;

	if (!getenv("SVM_KO"))
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_EQ(0, reload(""));
	ASSERT_EQ(0, stat(SVM_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(rmmod_refused_while_a_region_fd_is_open)
{
	int dev = svm_dev_open(), fd;

	if (!getenv("SVM_KO"))
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_LE(0, dev);
	fd = svm_create(dev, "pin-fd", 4096);
	ASSERT_LE(0, fd);
	close(dev);
	EXPECT_EQ(-1, svm_rmmod());
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
	EXPECT_EQ(0, reload(""));
}

TEST(rmmod_refused_while_a_region_is_mapped)
{
	int dev = svm_dev_open(), fd;
	void *p;

	if (!getenv("SVM_KO"))
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_LE(0, dev);
	fd = svm_create(dev, "pin-map", 4096);
	ASSERT_LE(0, fd);
	p = svm_map(fd, 4096, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	close(dev);
	EXPECT_EQ(-1, svm_rmmod());
	EXPECT_EQ(EAGAIN, errno);
	munmap(p, 4096);
	EXPECT_EQ(0, reload(""));
}

TEST(rmmod_refused_while_a_persistent_region_exists)
{
	int dev = svm_dev_open(), fd;

	if (!getenv("SVM_KO"))
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_LE(0, dev);
	fd = svm_open_region(dev, "pin-name", 4096,
			     SVM_OPEN_CREATE | SVM_OPEN_PERSIST, 0600, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	close(dev);
	EXPECT_EQ(-1, svm_rmmod());
	EXPECT_EQ(EAGAIN, errno);
	dev = svm_dev_open();
	ASSERT_LE(0, dev);
	EXPECT_EQ(0, svm_remove_name(dev, "pin-name"));
	close(dev);
	EXPECT_EQ(0, reload(""));
}

TEST(one_tib_window_loads_and_places_regions)
{
	struct svm_window w;
	struct svm_open o;
	int dev, fd;
	char *p;

	if (!getenv("SVM_KO"))
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_EQ(0, reload("window_size=1099511627776"));
	dev = svm_dev_open();
	ASSERT_LE(0, dev);
	ASSERT_EQ(0, svm_get_window(dev, &w));
	EXPECT_EQ(1ULL << 40, w.length);
	EXPECT_EQ(1ULL << 40, w.largest_free);
	/* 256 GiB is the default per-user quota: a quarter of the window. */
	fd = svm_open_region(dev, "tib", 200ULL << 30, SVM_OPEN_CREATE, 0600, &o);
	ASSERT_LE(0, fd);
	p = svm_map(fd, 200ULL << 30, PROT_READ | PROT_WRITE);
	ASSERT_EQ((uintptr_t)o.addr, (uintptr_t)p);
	p[(200ULL << 30) - 1] = 1;	/* the last page is backed on demand */
	EXPECT_EQ(1, p[(200ULL << 30) - 1]);
	munmap(p, 200ULL << 30);
	close(fd);
	close(dev);
	EXPECT_EQ(0, reload(""));
}

TEST(bad_window_parameters_refuse_to_load)
{
	const char *ko = getenv("SVM_KO");
	struct stat st;

	if (!ko)
		SKIP(return, "SVM_KO not set: not running in the test guest");
	ASSERT_EQ(0, svm_rmmod());
	EXPECT_EQ(-1, svm_insmod(ko, "window_size=12345"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, svm_insmod(ko, "window_base=0x7fffffff0000"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, svm_insmod(ko, ""));
	ASSERT_TRUE(POLL_UNTIL(stat(SVM_DEVICE, &st) == 0, 5000));
}

TEST_HARNESS_MAIN
