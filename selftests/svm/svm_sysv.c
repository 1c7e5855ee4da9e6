// SPDX-License-Identifier: GPL-2.0
/*
 * libsvmk-sysv: shmget(2), shmat(2), shmdt(2) and shmctl(2) on svm.
 * Built twice: svm_sysv is linked with libsvmk-sysv, svm_sysv_preload
 * (SVM_SYSV_PRELOAD) only with libc and runs with LD_PRELOAD.
 */
#include <dlfcn.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "kselftest_harness.h"
#include "svm_test.h"

/* shmget is libsvmk-sysv's, not glibc's (a broken preload tests nothing). */
TEST(shmget_is_libsvmk_sysv)
{
	Dl_info dli;

	ASSERT_NE(0, dladdr((void *)shmget, &dli));
	ASSERT_NE(NULL, strstr(dli.dli_fname, "libsvmk-sysv.so"));
}

TEST_HARNESS_MAIN
