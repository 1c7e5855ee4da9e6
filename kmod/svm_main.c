// SPDX-License-Identifier: GPL-2.0
/*
 * svm: named shared-memory regions at the same virtual address in every
 * process.  Module parameters, init and exit, and the /dev/svm device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "svm_priv.h"

unsigned long svm_window_base = 0x200000000000UL;
module_param_named(window_base, svm_window_base, ulong, 0444);
MODULE_PARM_DESC(window_base, "First address of the region window (page aligned)");

unsigned long svm_window_size = 64UL << 30;
module_param_named(window_size, svm_window_size, ulong, 0444);
MODULE_PARM_DESC(window_size, "Bytes in the region window (page aligned)");

unsigned int svm_max_regions = 65536;
module_param_named(max_regions, svm_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions, "Most live regions system-wide (ENFILE past it)");

unsigned long svm_max_region_size;
module_param_named(max_region_size, svm_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size, "Largest region in bytes (EFBIG past it; default: the window)");

unsigned int svm_user_max_regions = 16384;
module_param_named(user_max_regions, svm_user_max_regions, uint, 0644);
MODULE_PARM_DESC(user_max_regions, "Most live regions one uid owns (EUSERS past it)");

unsigned long svm_user_max_bytes;
module_param_named(user_max_bytes, svm_user_max_bytes, ulong, 0644);
MODULE_PARM_DESC(user_max_bytes, "Most region bytes one uid owns (EDQUOT past it; default: a quarter of the window)");

/* Not in the initial IPC namespace, which the limits above bound. */
unsigned int svm_ns_max_regions = 16384;
module_param_named(ns_max_regions, svm_ns_max_regions, uint, 0644);
MODULE_PARM_DESC(ns_max_regions, "Most live regions of one IPC namespace but the initial one (EMLINK past it)");

unsigned long svm_ns_max_bytes;
module_param_named(ns_max_bytes, svm_ns_max_bytes, ulong, 0644);
MODULE_PARM_DESC(ns_max_bytes, "Most region bytes of one IPC namespace but the initial one (ENOBUFS past it; default: a quarter of the window)");

static const struct file_operations svm_dev_fops = {
	.owner			= THIS_MODULE,
	.unlocked_ioctl		= svm_dev_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.mmap			= svm_dev_mmap,
	.get_unmapped_area	= svm_dev_get_unmapped_area,
	.llseek			= noop_llseek,
};

static struct miscdevice svm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "svm",
	.fops	= &svm_dev_fops,
	.mode	= 0666,
};

static int __init svm_check_params(void)
{
	unsigned long end = svm_window_base + svm_window_size;

	if (!PAGE_ALIGNED(svm_window_base) || !PAGE_ALIGNED(svm_window_size) ||
	    !svm_window_base || !svm_window_size ||
	    end < svm_window_base || end > DEFAULT_MAP_WINDOW) {
		pr_err("window_base %#lx + window_size %#lx: not page aligned or not inside [%#lx, %#lx)\n",
		       svm_window_base, svm_window_size, PAGE_SIZE,
		       DEFAULT_MAP_WINDOW);
		return -EINVAL;
	}
	if (!svm_max_region_size)
		svm_max_region_size = svm_window_size;
	if (!svm_user_max_bytes)
		svm_user_max_bytes = svm_window_size / 4;
	if (!svm_ns_max_bytes)
		svm_ns_max_bytes = svm_window_size / 4;
	return 0;
}

static int __init svm_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct svm_open) != SVM_OPEN_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct svm_remove) != SVM_REMOVE_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct svm_window) != SVM_WINDOW_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct svm_info) != SVM_INFO_SIZE_VER3);
	BUILD_BUG_ON(SVM_HUGE_SIZE != PMD_SIZE);
	BUILD_BUG_ON(sizeof(struct svm_list) != SVM_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct svm_mappers) != SVM_MAPPERS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct svm_wire) != SVM_WIRE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct svm_watch) != SVM_WATCH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct svm_event) != SVM_EVENT_SIZE_VER0);
	/* The name table hashes and compares every byte of its key. */
	BUILD_BUG_ON(sizeof(struct svm_key) !=
		     sizeof(struct svm_ns *) + SVM_NAME_MAX);

	err = svm_check_params();
	if (err)
		return err;
	err = svm_window_init();
	if (err)
		return err;
	svm_ns_init();
	err = svm_regions_init();
	if (err)
		goto out_window;
	err = misc_register(&svm_misc);
	if (err)
		goto out_regions;
	return 0;

out_regions:
	svm_regions_exit();
out_window:
	svm_ns_exit();
	svm_window_exit();
	return err;
}

static void __exit svm_exit(void)
{
	misc_deregister(&svm_misc);
	svm_ns_exit();
	svm_regions_exit();
	svm_window_exit();
}

module_init(svm_init);
module_exit(svm_exit);

MODULE_DESCRIPTION("Named shared-memory regions at fixed addresses");
MODULE_LICENSE("GPL");
