/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libsvmk-sysv's internals shared by svmk-sysv.c (state, shmget, shmat,
 * shmdt) and svmk-sysv-ctl.c (shmctl).  Hidden: the library exports only
 * the four SysV calls (libsvmk-sysv.map).
 */
#ifndef SVMK_SYSV_PRIV_H
#define SVMK_SYSV_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/svm.h>

#define SYSV_PREFIX		"sysv:"
#define SYSV_PRIVATE		"sysv:private:"

#define SYSV_HIDDEN		__attribute__((visibility("hidden")))

/* /dev/svm once svmk_sysv_init() succeeded (it never changes then). */
extern int svmk_sysv_dev SYSV_HIDDEN;
extern long svmk_sysv_page SYSV_HIDDEN;

/* errno = err; returns -1. */
SYSV_HIDDEN int svmk_sysv_fail(int err);
/* ioctl() returning -errno, restarted after EINTR. */
SYSV_HIDDEN int svmk_sysv_ioctl(int fd, unsigned long req, void *arg);
/* Open /dev/svm and read the window, once: 0 or -ENOSYS. */
SYSV_HIDDEN int svmk_sysv_init(void);
/* Copy to (out) or from the caller's buffer: 0, or -EFAULT. */
SYSV_HIDDEN int svmk_sysv_copy(void *dst, const void *src, size_t n,
			       bool out);
/* ipcperms(): whether the caller has flag's access (0..0777) to it. */
SYSV_HIDDEN bool svmk_sysv_may(const struct svm_info *info,
			       unsigned int flag);
/* The region fd of segment shmid, opened with flags; its info in *info. */
SYSV_HIDDEN int svmk_sysv_open_id(int shmid, unsigned int flags,
				  struct svm_info *info);
/* fn on each segment with an id above cursor, up to max (0: all). */
SYSV_HIDDEN int svmk_sysv_list(uint64_t cursor, unsigned int max,
			       int (*fn)(const struct svm_info *, void *),
			       void *arg);

/* Whether a region is a SysV segment: its name says so. */
static inline bool svmk_sysv_is_segment(const struct svm_info *info)
{
	return !strncmp(info->name, SYSV_PREFIX, strlen(SYSV_PREFIX));
}

#endif /* SVMK_SYSV_PRIV_H */
