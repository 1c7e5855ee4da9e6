/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm: differences between the kernels svm supports (6.1 to 6.12).
 */
#ifndef _SVM_COMPAT_H
#define _SVM_COMPAT_H

#include <linux/mm.h>

/* Each SVM_HAVE_* is defined by a probe of the kernel tree in kmod/Kbuild. */

#ifndef SVM_HAVE_VM_FLAGS_SET
/* vm_flags became read-only behind vm_flags_{set,clear}() in 6.3. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * SVM_HAVE_GET_POLICY_ILX: vm_ops->get_policy() takes an interleave index
 * (6.7); svm_map.c forwards either form.
 */

/*
 * A mapper is named by its address space's owner task, which the kernel
 * keeps (struct mm_struct.owner) only with memory cgroups: every Debian
 * kernel has them.
 */
#ifndef CONFIG_MEMCG
#error "svm needs CONFIG_MEMCG (mm->owner names the process of a mapper)"
#endif

/*
 * An IPC namespace is known by its mqueue mount (svm_ns.c), which only
 * kernels with POSIX message queues give it: every Debian kernel has them.
 */
#ifndef CONFIG_POSIX_MQUEUE
#error "svm needs CONFIG_POSIX_MQUEUE (an IPC namespace is known by its mqueue mount)"
#endif

#endif /* _SVM_COMPAT_H */
