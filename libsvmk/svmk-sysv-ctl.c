// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libsvmk-sysv: shmctl(2) on svm regions (svmk-sysv(7)).  struct shmid_ds
 * comes from the region's svm_info (VER3); IPC_INFO and SHM_INFO from the
 * window and the list of the IPC namespace's segments.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svmk-sysv-priv.h"

/* glibc's __IPC_64, which a caller may pass in shmctl()'s cmd: ignored. */
#define SYSV_IPC_64		0x100

static void sysv_to_ds(const struct svm_info *info, struct shmid_ds *ds)
{
	const char *key = info->name + strlen(SYSV_PREFIX);

	memset(ds, 0, sizeof(*ds));
	/* Private segments have key 0, and so has one removed, as Linux. */
	if (strncmp(info->name, SYSV_PRIVATE, strlen(SYSV_PRIVATE)) &&
	    !(info->flags & SVM_REGION_REMOVED))
		ds->shm_perm.__key = (key_t)strtoul(key, NULL, 16);
	ds->shm_perm.uid = info->uid;
	ds->shm_perm.gid = info->gid;
	ds->shm_perm.cuid = info->cuid;
	ds->shm_perm.cgid = info->cgid;
	ds->shm_perm.mode = info->mode;
	if (info->flags & SVM_REGION_REMOVED)
		ds->shm_perm.mode |= SHM_DEST;
	if (info->svid_count)
		ds->shm_perm.mode |= SHM_LOCKED;
	ds->shm_segsz = info->asked;
	ds->shm_atime = info->atime_ns / 1000000000;
	ds->shm_dtime = info->dtime_ns / 1000000000;
	ds->shm_ctime = info->chtime_ns / 1000000000;
	ds->shm_cpid = info->cpid;
	ds->shm_lpid = info->lpid;
	ds->shm_nattch = info->nr_mappers;
}

static int sysv_stat(int shmid, struct shmid_ds *buf)
{
	struct svm_info info;
	struct shmid_ds ds;
	int fd;

	/* The kernel checks read permission (EACCES). */
	fd = svmk_sysv_open_id(shmid, SVM_OPEN_RDONLY, &info);
	if (fd < 0)
		return fd;
	close(fd);
	sysv_to_ds(&info, &ds);
	return svmk_sysv_copy(buf, &ds, sizeof(ds), true);
}

static int sysv_take(const struct svm_info *info, void *arg)
{
	*(struct svm_info *)arg = *info;
	return 1;
}

/* SHM_STAT, SHM_STAT_ANY: the index is the shmid. */
static int sysv_stat_index(int index, struct shmid_ds *buf, bool any)
{
	struct svm_info info;
	struct shmid_ds ds;
	int ret;

	if (index <= 0)
		return -EINVAL;
	ret = svmk_sysv_list(index - 1, 1, sysv_take, &info);
	if (ret < 0)
		return ret;
	if (!ret || info.id != (unsigned int)index)
		return -EINVAL;
	if (!any && !svmk_sysv_may(&info, S_IRUSR | S_IRGRP | S_IROTH))
		return -EACCES;
	sysv_to_ds(&info, &ds);
	ret = svmk_sysv_copy(buf, &ds, sizeof(ds), true);
	return ret < 0 ? ret : index;
}

static int sysv_set(int shmid, struct shmid_ds *buf)
{
	struct svm_setperm sp = {
		.size = sizeof(sp),
		.flags = SVM_SETPERM_UID | SVM_SETPERM_GID | SVM_SETPERM_MODE,
	};
	struct svm_info info;
	struct shmid_ds ds;
	int fd, ret;

	ret = svmk_sysv_copy(&ds, buf, sizeof(ds), false);
	if (ret < 0)
		return ret;
	fd = svmk_sysv_open_id(shmid, SVM_OPEN_NOACCESS, &info);
	if (fd < 0)
		return fd;
	sp.uid = ds.shm_perm.uid;
	sp.gid = ds.shm_perm.gid;
	sp.mode = ds.shm_perm.mode & 0777;
	ret = svmk_sysv_ioctl(fd, SVM_IOC_SETPERM, &sp);
	close(fd);
	return ret;
}

/* Removing it again succeeds and changes nothing (the kernel's rule). */
static int sysv_rmid(int shmid)
{
	struct svm_remove rm = { .size = sizeof(rm), .flags = SVM_REMOVE_ID };
	struct svm_info info;
	int fd, ret;

	fd = svmk_sysv_open_id(shmid, SVM_OPEN_NOACCESS, &info);
	if (fd < 0)
		return fd;
	close(fd);
	rm.id = info.id;
	ret = svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_REMOVE, &rm);
	return ret == -ENOENT ? -EINVAL : ret;
}

static int sysv_lock_op(int shmid, unsigned int op)
{
	struct svm_wire wire = {
		.size = sizeof(wire), .op = op, .flags = SVM_WIRE_SYSV,
	};
	struct svm_info info;
	int fd, ret;

	fd = svmk_sysv_open_id(shmid, SVM_OPEN_NOACCESS, &info);
	if (fd < 0)
		return fd;
	ret = svmk_sysv_ioctl(fd, SVM_IOC_WIRE, &wire);
	close(fd);
	return ret;
}

struct sysv_totals {
	int used_ids;
	uint64_t max_id, pages, resident;
};

static int sysv_add(const struct svm_info *info, void *arg)
{
	struct sysv_totals *t = arg;

	t->used_ids++;
	t->max_id = info->id;
	t->pages += info->length / svmk_sysv_page;
	t->resident += info->resident;
	return 0;
}

/* IPC_INFO, SHM_INFO: the highest index (shmid) in use, 0 if none. */
static int sysv_ipc_info(int cmd, void *buf)
{
	struct svm_window w = { .size = sizeof(w) };
	struct sysv_totals t = { 0 };
	struct shm_info si = { 0 };
	struct shminfo i = { 0 };
	int ret;

	ret = svmk_sysv_list(0, 0, sysv_add, &t);
	if (ret < 0)
		return ret;
	if (cmd == IPC_INFO) {
		ret = svmk_sysv_ioctl(svmk_sysv_dev, SVM_IOC_WINDOW, &w);
		if (ret < 0)
			return ret;
		i.shmmax = w.max_region_size;
		i.shmmin = 1;
		i.shmmni = w.max_regions;
		i.shmseg = w.max_regions;
		i.shmall = w.length / svmk_sysv_page;
		ret = svmk_sysv_copy(buf, &i, sizeof(i), true);
	} else {
		si.used_ids = t.used_ids;
		si.shm_tot = t.pages;
		si.shm_rss = t.resident;
		ret = svmk_sysv_copy(buf, &si, sizeof(si), true);
	}
	if (ret < 0)
		return ret;
	return t.max_id > INT_MAX ? INT_MAX : (int)t.max_id;
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	int ret;

	ret = svmk_sysv_init();
	if (ret < 0)
		return svmk_sysv_fail(-ret);
	switch (cmd & ~SYSV_IPC_64) {
	case IPC_STAT:
		ret = sysv_stat(shmid, buf);
		break;
	case SHM_STAT:
	case SHM_STAT_ANY:
		ret = sysv_stat_index(shmid, buf, (cmd & ~SYSV_IPC_64) ==
				      SHM_STAT_ANY);
		break;
	case IPC_SET:
		ret = sysv_set(shmid, buf);
		break;
	case IPC_RMID:
		ret = sysv_rmid(shmid);
		break;
	case SHM_LOCK:
		ret = sysv_lock_op(shmid, SVM_WIRE_LOCK);
		break;
	case SHM_UNLOCK:
		ret = sysv_lock_op(shmid, SVM_WIRE_UNLOCK);
		break;
	case IPC_INFO:
	case SHM_INFO:
		ret = sysv_ipc_info(cmd & ~SYSV_IPC_64, buf);
		break;
	default:
		ret = -EINVAL;
	}
	return ret < 0 ? svmk_sysv_fail(-ret) : ret;
}
