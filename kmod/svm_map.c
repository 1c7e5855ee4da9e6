// SPDX-License-Identifier: GPL-2.0
/*
 * svm: region files, their mappings and who maps them; the window
 * placeholder.
 *
 * A region file is a file of the region's shmem inode (struct
 * svm_region holds the inode itself, no file of shmem's) with svm's own
 * file_operations (as ipc/shm.c's files are), named "svm:NAME" in
 * /proc/PID/maps.  Its VMAs sit in the shmem mapping's i_mmap tree, so
 * rmap, reclaim, migration and mincore see them as any shmem mapping, and
 * file_inode() and f_mapping agree for code that treats it as shmem (memfd
 * seals).  The inode cannot be opened again (svm_backing_fops), so
 * /proc/PID/fd and map_files give no untracked way in, and it is sealed
 * against growing and shrinking.  Faults come to svm_vm_fault().
 *
 * get_unmapped_area places every mapping at the region's address and
 * refuses (EEXIST) when anything but the caller's own placeholder or its
 * own mapping of the same region is in the way: it runs under mmap_lock
 * before mmap_region() unmaps whatever the new mapping covers, so the
 * check and the replacement are one atomic step.
 *
 * Each address space that maps a region has one struct svm_mm on the
 * region's list, counting its VMAs.  vm_ops->open/close keep the count
 * across mmap, fork, split, munmap, exec, exit and SIGKILL.  They run
 * under mmap_lock, and current is not always the mapper there (fork runs
 * them in the parent): the address space is vma->vm_mm.
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

struct svm_mm *svm_mm_find(struct svm_region *r, struct mm_struct *mm)
{
	struct svm_mm *m;

	lockdep_assert_held(&r->lock);
	list_for_each_entry(m, &r->mappers, node)
		if (m->mm == mm)
			return m;
	return NULL;
}

static int svm_mm_add(struct svm_region *r, struct mm_struct *mm, gfp_t gfp)
{
	struct svm_mm *new = kzalloc(sizeof(*new), gfp), *m;

	if (!new)
		return -ENOMEM;
	mutex_lock(&r->lock);
	m = svm_mm_find(r, mm);
	if (!m) {
		m = new;
		new = NULL;
		m->mm = mm;
		list_add_tail(&m->node, &r->mappers);
		WRITE_ONCE(r->nr_mappers, r->nr_mappers + 1);
	}
	m->nr_maps++;
	mutex_unlock(&r->lock);
	kfree(new);
	return 0;
}

static void svm_mm_del(struct svm_region *r, struct mm_struct *mm)
{
	struct svm_mm *m;

	mutex_lock(&r->lock);
	m = svm_mm_find(r, mm);
	if (m && --m->nr_maps == 0) {
		svm_wire_mm_leaves(r, m);
		list_del(&m->node);
		WRITE_ONCE(r->nr_mappers, r->nr_mappers - 1);
		kfree(m);
	}
	mutex_unlock(&r->lock);
}

/* fork and VMA splits: vm_ops->open cannot fail, the entry is tiny. */
static void svm_vm_open(struct vm_area_struct *vma)
{
	svm_mm_add(vma->vm_private_data, vma->vm_mm,
		   GFP_KERNEL | __GFP_NOFAIL);
}

static void svm_vm_close(struct vm_area_struct *vma)
{
	svm_mm_del(vma->vm_private_data, vma->vm_mm);
}

/* Regions never move; VM_DONTEXPAND already refuses growth. */
static int svm_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static vm_fault_t svm_vm_fault(struct vm_fault *vmf)
{
	struct svm_region *r = vmf->vma->vm_private_data;
	struct address_space *mapping = r->inode->i_mapping;
	struct folio *folio;
	struct page *page;

	page = shmem_read_mapping_page_gfp(mapping, vmf->pgoff,
					   mapping_gfp_mask(mapping));
	if (IS_ERR(page))
		return vmf_error(PTR_ERR(page));
	folio = page_folio(page);
	folio_lock(folio);
	/* Migrated or swapped out since the lookup: let the access retry. */
	if (unlikely(folio->mapping != mapping)) {
		folio_unlock(folio);
		put_page(page);
		return VM_FAULT_NOPAGE;
	}
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct svm_region_vm_ops = {
	.open		= svm_vm_open,
	.close		= svm_vm_close,
	.mremap		= svm_vm_mremap,
	.fault		= svm_vm_fault,
	.map_pages	= filemap_map_pages,
};

static const struct vm_operations_struct svm_placeholder_vm_ops = {
	.mremap		= svm_vm_mremap,
};

/*
 * Whether [start, end) of mm holds nothing but svm's own mappings: the
 * placeholder, or mappings of region r (of any region when r is NULL).
 */
static bool svm_range_is_ours(struct mm_struct *mm, unsigned long start,
			      unsigned long end, struct svm_region *r)
{
	VMA_ITERATOR(vmi, mm, start);
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	for_each_vma_range(vmi, vma, end) {
		if (vma->vm_ops == &svm_placeholder_vm_ops)
			continue;
		if (vma->vm_ops == &svm_region_vm_ops &&
		    (!r || vma->vm_private_data == r))
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
			       struct svm_region *r)
{
	unsigned long pages = size >> PAGE_SHIFT, target;

	if (pgoff >= pages || (len >> PAGE_SHIFT) > pages - pgoff)
		return -EINVAL;
	target = base + (pgoff << PAGE_SHIFT);
	if ((flags & MAP_FIXED) && addr != target)
		return -EINVAL;
	if (!svm_range_is_ours(current->mm, target, target + len, r))
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

	if ((flags & MAP_TYPE) == MAP_PRIVATE)
		return -EINVAL;
	return svm_place(r->addr, r->len, addr, len, pgoff, flags, r);
}

static int svm_region_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct svm_region *r = file->private_data;
	int err;

	/* svm_region_get_unmapped_area() placed it; only a shared map. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	err = svm_mm_add(r, vma->vm_mm, GFP_KERNEL);
	if (err)
		return err;
	vm_flags_set(vma, VM_DONTEXPAND);
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
	.unlocked_ioctl		= svm_region_ioctl,
	.compat_ioctl		= compat_ptr_ioctl,
	.llseek			= noop_llseek,
};

static int svm_backing_open(struct inode *inode, struct file *file)
{
	return -ENXIO;
}

/* Opens of the backing inode by path (/proc/PID/{fd,map_files}/N). */
static const struct file_operations svm_backing_fops = {
	.owner	= THIS_MODULE,
	.open	= svm_backing_open,
};

/* Close the backing shmem inode of a new region to other ways in. */
void svm_region_seal(struct svm_region *r)
{
	struct inode *inode = r->inode;

	inode->i_fop = &svm_backing_fops;
	SHMEM_I(inode)->seals |= F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;
}

/* A new file for r; takes over the caller's reference on success. */
struct file *svm_region_file(struct svm_region *r, bool rdonly)
{
	struct inode *inode = r->inode;
	char name[SVM_NAME_MAX + 4];
	struct file *file;

	snprintf(name, sizeof(name), "svm:%s", r->name);
	/*
	 * __fput() drops a reference on fops->owner: take it, as
	 * anon_inode_getfile() does (the caller's /dev/svm fd pins us).
	 */
	__module_get(THIS_MODULE);
	ihold(inode);
	file = alloc_file_pseudo(inode, svm_shm_mnt, name,
				 rdonly ? O_RDONLY : O_RDWR, &svm_region_fops);
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
 * The processes mapping r, as seen from the caller's pid namespace: one
 * entry per process whose address space maps r, then one (pid 0) per
 * address space no process has any more (being torn down); only those
 * with their mlock bit set if mlocked_only.  Fills up to max entries;
 * *total is how many there are.
 */
int svm_region_mappers(struct svm_region *r, bool mlocked_only,
		       struct svm_mapper *out, unsigned int max,
		       unsigned int *total)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *p, *t;
	struct mm_struct *mm;
	unsigned int n = 0;
	struct svm_mm *m;

	mutex_lock(&r->lock);
	list_for_each_entry(m, &r->mappers, node)
		m->seen = mlocked_only && !m->mlocked;
	rcu_read_lock();
	for_each_process(p) {
		if (p->flags & PF_KTHREAD)
			continue;
		mm = NULL;
		for_each_thread(p, t) {
			mm = READ_ONCE(t->mm);
			if (mm)
				break;
		}
		m = mm ? svm_mm_find(r, mm) : NULL;
		if (!m || (mlocked_only && !m->mlocked))
			continue;
		m->seen = true;
		if (n < max) {
			out[n].pid = task_tgid_nr_ns(p, ns);
			out[n].nr_maps = m->nr_maps;
		}
		n++;
	}
	rcu_read_unlock();
	list_for_each_entry(m, &r->mappers, node) {
		if (m->seen)
			continue;
		if (n < max) {
			out[n].pid = 0;
			out[n].nr_maps = m->nr_maps;
		}
		n++;
	}
	mutex_unlock(&r->lock);
	*total = n;
	return min(n, max);
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
			 flags, NULL);
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
