// SPDX-License-Identifier: GPL-2.0
/*
 * svm: region files, their mappings and who maps them; the window
 * placeholder.
 *
 * A region file is a file of the region's shmem inode (struct
 * svm_region holds the inode itself, no file of shmem's) with svm's own
 * file_operations (as ipc/shm.c's files are), named "svm:NAME" in
 * /proc/PID/maps.  Its mappings are shmem's own: ->mmap lets shmem set the
 * VMA up and then wraps the vm_operations shmem installed, as ipc/shm.c
 * does, forwarding the fault path and the NUMA policy to them and keeping
 * only open, close and mremap for svm.  So faults go through shmem_fault()
 * with the VMA (huge pages, the inode's shared policy, memcg charging to
 * the mapping mm), the VMAs sit in the shmem mapping's i_mmap tree (rmap,
 * reclaim, migration, mincore), and mlock(2), madvise(2), mbind(2) and
 * khugepaged treat them as any shared file mapping: region VMAs carry no
 * VM_SPECIAL flag.  The inode cannot be opened again (svm_region_seal()),
 * so /proc/PID/fd and map_files give no untracked way in, and it is sealed
 * against growing and shrinking.
 *
 * get_unmapped_area places every mapping at the region's address and
 * refuses (EEXIST) when anything but the caller's own placeholder or its
 * own mapping of the same region is in the way: it runs under mmap_lock
 * before mmap_region() unmaps whatever the new mapping covers, so the
 * check and the replacement are one atomic step.  Without MAP_FIXED it
 * also refuses (EEXIST) a range where the same file is mapped already:
 * that is how mremap(2) asks for room to move or grow a VMA (of its
 * vm_file), trusting the answer to be free, and a region never moves.
 *
 * Each address space that maps a region has one struct svm_mm on the
 * region's list, counting its VMAs.  vm_ops->open/close keep the count
 * across mmap, fork, split, munmap, exec, exit and SIGKILL.  They run
 * under mmap_lock, and current is not always the mapper there (fork runs
 * them in the parent): the address space is vma->vm_mm.  The first VMA
 * of an address space and its last are the ATTACH and DETACH events of
 * the region's watches (svm_watch.c), queued there, and SysV's attach and
 * detach (svm_info's atime_ns, dtime_ns, nr_attaches, lpid), recorded
 * there with the same clock reading.
 */
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "svm_compat.h"
#include "svm_priv.h"

static const struct vm_operations_struct svm_region_vm_ops;
static const struct vm_operations_struct svm_placeholder_vm_ops;

static struct svm_mm *svm_mm_find(struct svm_region *r,
				  struct mm_struct *mm)
{
	struct svm_mm *m;

	lockdep_assert_held(&r->lock);
	list_for_each_entry(m, &r->mappers, node)
		if (m->mm == mm)
			return m;
	return NULL;
}

/*
 * An attach or a detach of r by the process by, into *when
 * (CLOCK_REALTIME) and lpid; r->lock held.  SysV keeps seconds, so the
 * coarse clock (the last tick's time, no clocksource read: that may cost
 * a microsecond) does, unless a watch queues the event: then one reading
 * serves both, in *now for svm_watch_queue().  Returns the pid lpid held
 * before, for the caller to put.
 */
static struct pid *svm_attach_note(struct svm_region *r, struct pid *by,
				   ktime_t *now, u64 *when)
{
	struct pid *old = r->lpid;

	lockdep_assert_held(&r->lock);
	if (list_empty(&r->watches)) {
		*when = ktime_get_coarse_real_ns();
	} else {
		*now = ktime_get();
		*when = ktime_to_ns(ktime_mono_to_real(*now));
	}
	r->lpid = get_pid(by);
	return old;
}

/*
 * Who makes the mapper who leave mm: the caller when mm is its own
 * (munmap(2), mremap(2), a mapping over it); else mm is torn down (exec,
 * exit, a signal) and it is the mapper, usually the caller too, but the
 * last mmput() may be another's (a /proc reader, khugepaged); the caller
 * (a failed fork's parent) when the mapper has no pid.
 */
static struct pid *svm_attach_leaver(struct mm_struct *mm,
				     struct svm_who *who)
{
	struct pid *pid = NULL;

	if (mm != current->mm)
		pid = svm_who_pid(who, NULL);
	return pid ? pid : task_tgid(current);
}

/*
 * The attach record of r for svm_info, with the mappers it counts, as
 * one snapshot.
 */
void svm_attach_info(struct svm_region *r, struct svm_info *info)
{
	mutex_lock(&r->lock);
	info->nr_mappers = r->nr_mappers;
	info->atime_ns = r->atime_ns;
	info->dtime_ns = r->dtime_ns;
	info->nr_attaches = r->nr_attaches;
	info->lpid = pid_vnr(r->lpid);
	mutex_unlock(&r->lock);
}

/*
 * Count a new VMA of r in mm; the first one of an address space is its
 * ATTACH, made by the caller (the parent, for a fork child's).  A
 * VM_LOCKED one (MAP_LOCKED, mlockall(MCL_FUTURE)) may wire the region:
 * the watches are told once its mappers are looked at.
 */
static int svm_mm_add(struct svm_region *r, struct mm_struct *mm,
		      vm_flags_t vm_flags, gfp_t gfp)
{
	struct svm_mm *new = kzalloc(sizeof(*new), gfp), *m;
	struct svm_wev ev = { .type = SVM_EVENT_ATTACH };
	struct pid *old = NULL;
	bool look;

	if (!new)
		return -ENOMEM;
	/* Allocated before r->lock, which MAPPERS readers wait for. */
	new->who = svm_who_new(mm, gfp);
	if (!new->who) {
		kfree(new);
		return -ENOMEM;
	}
	mutex_lock(&r->lock);
	m = svm_mm_find(r, mm);
	if (!m) {
		m = new;
		new = NULL;
		m->mm = mm;
		list_add_tail(&m->node, &r->mappers);
		WRITE_ONCE(r->nr_mappers, r->nr_mappers + 1);
		r->nr_attaches++;
		old = svm_attach_note(r, task_tgid(current), &ev.now,
				      &r->atime_ns);
		ev.who = m->who;
		svm_watch_queue(r, &ev);
	}
	m->nr_maps++;
	look = (vm_flags & VM_LOCKED) && !list_empty(&r->watches);
	mutex_unlock(&r->lock);
	put_pid(old);
	if (new) {
		svm_who_forget_task(new->who);
		svm_who_put(new->who);
		kfree(new);
	}
	if (look)
		svm_wire_look(r);
	return 0;
}

/*
 * Uncount a VMA of r in mm; the last one of an address space is its
 * DETACH.  While the region is wired, a mapping going may unwire it.
 */
static void svm_mm_del(struct svm_region *r, struct mm_struct *mm)
{
	struct svm_wev ev = { .type = SVM_EVENT_DETACH };
	struct svm_who *who = NULL;
	struct pid *old = NULL;
	struct svm_mm *m;
	bool look;

	mutex_lock(&r->lock);
	m = svm_mm_find(r, mm);
	if (m && --m->nr_maps == 0) {
		list_del(&m->node);
		WRITE_ONCE(r->nr_mappers, r->nr_mappers - 1);
		who = m->who;
		old = svm_attach_note(r, svm_attach_leaver(mm, who), &ev.now,
				      &r->dtime_ns);
		if (!list_empty(&r->watches)) {
			ev.who = who;
			ev.cause = svm_detach_cause(mm, who, &ev.signo);
			svm_watch_queue(r, &ev);
		}
		kfree(m);
	}
	look = READ_ONCE(r->wired_seen) && !list_empty(&r->watches);
	mutex_unlock(&r->lock);
	put_pid(old);
	if (who) {
		svm_who_forget_task(who);
		svm_who_put(who);
	}
	if (look)
		svm_wire_look(r);
}

/*
 * fork and VMA splits: vm_ops->open cannot fail, the entry is tiny.  A
 * fork child's VMAs have no VM_LOCKED (dup_mmap() clears it).
 */
static void svm_vm_open(struct vm_area_struct *vma)
{
	svm_mm_add(vma->vm_private_data, vma->vm_mm, vma->vm_flags,
		   GFP_KERNEL | __GFP_NOFAIL);
}

static void svm_vm_close(struct vm_area_struct *vma)
{
	svm_mm_del(vma->vm_private_data, vma->vm_mm);
}

/*
 * A region never moves: mremap(2) asks get_unmapped_area for room first,
 * which refuses, so this only backs that up (move_vma() rolls back).
 */
static int svm_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/* The rest is shmem's (svm_region_mmap() saved its vm_ops). */
static const struct vm_operations_struct *svm_shmem_ops(struct vm_fault *vmf)
{
	struct svm_region *r = vmf->vma->vm_private_data;

	return r->shmem_vm_ops;
}

static vm_fault_t svm_vm_fault(struct vm_fault *vmf)
{
	return svm_shmem_ops(vmf)->fault(vmf);
}

static vm_fault_t svm_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				   pgoff_t end)
{
	const struct vm_operations_struct *ops = svm_shmem_ops(vmf);

	return ops->map_pages ? ops->map_pages(vmf, start, end) : 0;
}

#ifdef CONFIG_NUMA
static int svm_vm_set_policy(struct vm_area_struct *vma, struct mempolicy *mpol)
{
	struct svm_region *r = vma->vm_private_data;

	if (!r->shmem_vm_ops->set_policy)
		return 0;
	return r->shmem_vm_ops->set_policy(vma, mpol);
}

#ifdef SVM_HAVE_GET_POLICY_ILX
static struct mempolicy *svm_vm_get_policy(struct vm_area_struct *vma,
					   unsigned long addr, pgoff_t *ilx)
{
	struct svm_region *r = vma->vm_private_data;

	if (!r->shmem_vm_ops->get_policy)
		return NULL;
	return r->shmem_vm_ops->get_policy(vma, addr, ilx);
}
#else
static struct mempolicy *svm_vm_get_policy(struct vm_area_struct *vma,
					   unsigned long addr)
{
	struct svm_region *r = vma->vm_private_data;

	if (!r->shmem_vm_ops->get_policy)
		return NULL;
	return r->shmem_vm_ops->get_policy(vma, addr);
}
#endif
#endif

static const struct vm_operations_struct svm_region_vm_ops = {
	.open		= svm_vm_open,
	.close		= svm_vm_close,
	.mremap		= svm_vm_mremap,
	.fault		= svm_vm_fault,
	.map_pages	= svm_vm_map_pages,
#ifdef CONFIG_NUMA
	.set_policy	= svm_vm_set_policy,
	.get_policy	= svm_vm_get_policy,
#endif
};

static const struct vm_operations_struct svm_placeholder_vm_ops = {
	.mremap		= svm_vm_mremap,
};

/*
 * Whether [start, end) of mm holds nothing but svm's own mappings: the
 * placeholder, or mappings of region r (of any region when r is NULL)
 * other than those of the file keep.
 */
static bool svm_range_is_ours(struct mm_struct *mm, unsigned long start,
			      unsigned long end, struct svm_region *r,
			      struct file *keep)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_ops == &svm_placeholder_vm_ops)
			continue;
		if (vma->vm_ops == &svm_region_vm_ops &&
		    (!r || vma->vm_private_data == r) &&
		    (!keep || vma->vm_file != keep))
			continue;
		return false;
	}
	return true;
}

/*
 * Place [pgoff, pgoff + len) of an object that lives at [base, base + size)
 * at its one address, if nothing foreign is in the way.
 */
static unsigned long svm_place(unsigned long base, unsigned long size,
			       unsigned long addr, unsigned long len,
			       unsigned long pgoff, unsigned long flags,
			       struct svm_region *r, struct file *keep)
{
	unsigned long pages = size >> PAGE_SHIFT, target;

	if (pgoff >= pages || (len >> PAGE_SHIFT) > pages - pgoff)
		return -EINVAL;
	target = base + (pgoff << PAGE_SHIFT);
	if ((flags & MAP_FIXED) && addr != target)
		return -EINVAL;
	if (!svm_range_is_ours(current->mm, target, target + len, r, keep))
		return -EEXIST;
	return target;
}

static unsigned long svm_region_get_unmapped_area(struct file *file,
						  unsigned long addr,
						  unsigned long len,
						  unsigned long pgoff,
						  unsigned long flags)
{
	struct svm_region *r = file->private_data;

	/*
	 * An SVM_OPEN_NOACCESS fd: do_mmap() would refuse it for want of
	 * FMODE_READ, but only after asking here, and never calls ->mmap.
	 */
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	if ((flags & MAP_TYPE) == MAP_PRIVATE)
		return -EINVAL;
	/*
	 * Without MAP_FIXED, never offer a range where this file is mapped:
	 * mremap(2) asks so for room to move its VMA to.
	 */
	return svm_place(r->addr, r->len, addr, len, pgoff, flags, r,
			 flags & MAP_FIXED ? NULL : file);
}

static int svm_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct svm_region *r = file->private_data;
	int err;

	/* svm_region_get_unmapped_area() placed it; only a shared map. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	err = svm_mm_add(r, vma->vm_mm, vma->vm_flags, GFP_KERNEL);
	if (err)
		return err;
	/*
	 * shmem sets the VMA up; it leaves vm_flags alone, and so do we (on
	 * 6.12 a changed vm_flags makes mmap_region() retry a merge that
	 * frees this VMA without ->close).  The ->close of a failed ->mmap
	 * is never called: undo the count here.
	 */
	err = svm_shmem_fops->mmap(file, vma);
	if (err) {
		svm_mm_del(r, vma->vm_mm);
		return err;
	}
	WRITE_ONCE(r->shmem_vm_ops, vma->vm_ops);
	vma->vm_ops = &svm_region_vm_ops;
	vma->vm_private_data = r;
	return 0;
}

static int svm_region_file_release(struct inode *inode, struct file *file)
{
	struct svm_region *r = file->private_data;

	atomic_dec(&r->nr_fds);
	svm_region_put(r);
	return 0;
}

static const struct file_operations svm_region_fops = {
	.owner			= THIS_MODULE,
	.release		= svm_region_file_release,
	.mmap			= svm_region_mmap,
	.get_unmapped_area	= svm_region_get_unmapped_area,
	.fsync			= noop_fsync,	/* as shmem: memory is the store */
	.unlocked_ioctl		= svm_region_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.llseek			= noop_llseek,
};

/*
 * Close the backing shmem inode of a new region to other ways in: opens
 * by path (/proc/PID/{fd,map_files}/N) get ENXIO from the kernel's own
 * no_open file operations, which, unlike anything of the module's, stay
 * valid after it is unloaded, however long an O_PATH file or an inotify
 * watch keeps the inode.
 */
void svm_region_seal(struct svm_region *r)
{
	struct inode *inode = r->inode;

	inode->i_fop = svm_no_open_fops;
	SHMEM_I(inode)->seals |= F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;
}

/*
 * A new file for r with the access open_flags (SVM_OPEN_*) ask for; takes
 * over the caller's reference on success.  SVM_OPEN_NOACCESS gives
 * O_ACCMODE, as open(2) of flags 3 does: f_mode has neither FMODE_READ
 * nor FMODE_WRITE, the file is good for ioctl(2) only.
 */
struct file *svm_region_file(struct svm_region *r, u32 open_flags)
{
	struct inode *inode = r->inode;
	char name[SVM_NAME_MAX + 4];
	struct file *file;
	int oflags = O_RDWR;

	if (open_flags & SVM_OPEN_NOACCESS)
		oflags = O_ACCMODE;
	else if (open_flags & SVM_OPEN_RDONLY)
		oflags = O_RDONLY;

	snprintf(name, sizeof(name), "svm:%s", r->key.name);
	/*
	 * __fput() drops a reference on fops->owner: take it, as
	 * anon_inode_getfile() does (the caller's /dev/svm fd pins us).
	 */
	__module_get(THIS_MODULE);
	ihold(inode);
	file = alloc_file_pseudo(inode, r->mnt, name, oflags,
				 &svm_region_fops);
	if (IS_ERR(file)) {
		iput(inode);
		module_put(THIS_MODULE);
		return file;
	}
	file->private_data = r;
	atomic_inc(&r->nr_fds);
	return file;
}

/*
 * Whether mm maps r with VM_LOCKED (mlock(2), mlockall(2), MAP_LOCKED):
 * 1 or 0, or -EINTR when a fatal signal ends the wait for mm's lock.
 */
static int svm_mm_mlocked(struct mm_struct *mm, struct svm_region *r)
{
	struct vm_area_struct *vma;
	int locked = 0;

	/* An address space on its way out is unlocked with its VMAs. */
	if (!mmget_not_zero(mm))
		return 0;
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	{
		VMA_ITERATOR(vmi, mm, r->addr);

		for_each_vma_range(vmi, vma, r->addr + r->len) {
			if (vma->vm_ops == &svm_region_vm_ops &&
			    vma->vm_private_data == r &&
			    (vma->vm_flags & VM_LOCKED)) {
				locked = 1;
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	mmput(mm);
	return locked;
}

/*
 * A snapshot of r's mappers: *nr entries, each address space held by
 * mmgrab() until svm_mappers_put().  With mlock, each entry's mlocked is
 * read from the address space's own VMAs, under its mmap_lock taken for
 * reading (killably: -EINTR) with no svm lock held: the POSIX wiring
 * source is the kernel's mlock state, not a copy of it.  Costs O(mappers
 * of r), whatever the number of processes; r->lock is held only to copy
 * the list.
 */
struct svm_mapper_snap *svm_mappers_get(struct svm_region *r, bool mlock,
					unsigned int *nr)
{
	unsigned int want = READ_ONCE(r->nr_mappers), n = 0, i;
	struct svm_mapper_snap *s;
	struct svm_mm *m;
	int locked;

	for (;;) {
		s = kvmalloc_array(max(want, 1U), sizeof(*s), GFP_KERNEL);
		if (!s)
			return ERR_PTR(-ENOMEM);
		mutex_lock(&r->lock);
		if (r->nr_mappers <= want)
			break;
		want = r->nr_mappers;
		mutex_unlock(&r->lock);
		kvfree(s);
	}
	list_for_each_entry(m, &r->mappers, node) {
		mmgrab(m->mm);
		s[n].mm = m->mm;
		s[n].nr_maps = m->nr_maps;
		s[n].mlocked = false;
		n++;
	}
	mutex_unlock(&r->lock);

	for (i = 0; mlock && i < n; i++) {
		locked = svm_mm_mlocked(s[i].mm, r);
		if (locked < 0) {
			svm_mappers_put(s, n);
			return ERR_PTR(locked);
		}
		s[i].mlocked = locked;
		cond_resched();
	}
	*nr = n;
	return s;
}

void svm_mappers_put(struct svm_mapper_snap *s, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		mmdrop(s[i].mm);
	kvfree(s);
}

/*
 * The process of an address space, in the caller's pid namespace: its
 * owner (the kernel keeps it for memcg), 0 when the caller cannot see it
 * or when no process has the address space any more (being torn down).
 */
pid_t svm_mapper_pid(struct svm_mapper_snap *s)
{
	struct task_struct *owner;
	pid_t pid = 0;

	rcu_read_lock();
	owner = rcu_dereference(s->mm->owner);
	if (owner)
		pid = task_tgid_nr_ns(owner, task_active_pid_ns(current));
	rcu_read_unlock();
	return pid;
}

/*
 * The placeholder: /dev/svm mapped PROT_NONE over (part of) the window, so
 * that nothing else in the process lands there.  It can never become
 * accessible, and it may replace the caller's region mappings, which is
 * how a region is unmapped atomically.
 */
unsigned long svm_dev_get_unmapped_area(struct file *file, unsigned long addr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags)
{
	return svm_place(svm_window_base, svm_window_size, addr, len, pgoff,
			 flags, NULL, NULL);
}

int svm_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))
		return -EACCES;
	vm_flags_clear(vma, VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &svm_placeholder_vm_ops;
	return 0;
}
