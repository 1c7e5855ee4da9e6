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

TEST(rmmod_succeeds_when_idle_and_module_reloads)
{
	const char *ko = getenv("SVM_KO");
	struct stat st;

	if (!ko)
		SKIP(return, "SVM_KO not set: not running in the test guest");
	/* The fd closed by the previous test may be released a bit later. */
	ASSERT_TRUE(POLL_UNTIL(svm_rmmod() == 0 || errno != EAGAIN, 5000));
	EXPECT_EQ(-1, stat(SVM_DEVICE, &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, svm_insmod(ko));
	ASSERT_TRUE(POLL_UNTIL(stat(SVM_DEVICE, &st) == 0, 5000));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_HARNESS_MAIN
