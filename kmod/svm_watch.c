// SPDX-License-Identifier: GPL-2.0
/*
 * svm: watching a region (SVM_IOC_WATCH): who attaches, detaches and dies,
 * its wiring, its removal and its end, as records read from a watch fd.
 *
 * A watch is a struct svm_watcher behind an anonymous file, referenced by
 * that file and, until the region is destroyed, by the region's list of
 * watches; it is no holder of the region, so that the region can die and
 * say so (SVM_EVENT_DESTROYED), after which the watch reads end of file.
 *
 * Records are queued where things happen: mapper events from
 * vm_ops->open/close and ->mmap, under mmap_lock and the region's lock,
 * the others from the ioctls and the region's release.  Queuing must
 * neither sleep nor fail there, so each watch's ring is allocated when the
 * watch is made, and a record is written into it under the watch's
 * spinlock in constant time; a full ring drops its oldest record and
 * counts it, for the one SVM_EVENT_OVERFLOW record the reader gets next.
 *
 * A record names its process by a struct svm_who, which the mapper's
 * struct svm_mm shares: the pid of a fork child is not known yet when
 * dup_mmap() runs vm_ops->open (copy_process() allocates it later), so the
 * who then holds the child's task until the pid is attached to it, and a
 * reader that reaches such a record waits for the fork to finish.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/oom.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "svm_priv.h"

#define SVM_WATCH_QUEUE_MIN	4
#define SVM_WATCH_QUEUE_MAX	65536

static int svm_queue_len_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, SVM_WATCH_QUEUE_MIN,
				     SVM_WATCH_QUEUE_MAX);
}

static const struct kernel_param_ops svm_queue_len_ops = {
	.set	= svm_queue_len_set,
	.get	= param_get_uint,
};

static unsigned int svm_queue_len = 256;
module_param_cb(watch_queue_len, &svm_queue_len_ops, &svm_queue_len,
		0644);
MODULE_PARM_DESC(watch_queue_len, "Records a new watch queues before it drops the oldest (4..65536)");

unsigned int svm_user_max_watches = 128;
module_param_named(user_max_watches, svm_user_max_watches, uint, 0644);
MODULE_PARM_DESC(user_max_watches, "Most watches one uid holds (ENOSPC past it)");

/*
 * Links every watch to its region: svm_watcher.region, which the
 * region's destruction clears.  Outside every other svm lock but the
 * region's lock, which it nests (see svm_priv.h).
 */
static DEFINE_MUTEX(svm_watch_lock);

/* One queued record; pid is final unless who is set. */
struct svm_wrec {
	struct svm_who	*who;	/* held: the mapper, pid not yet known */
	u64		seq;
	u64		mono_ns, real_ns;
	pid_t		pid;	/* in the watcher's pid namespace */
	u32		type, cause, signo, source, mappers;
};

struct svm_watcher {
	struct kref		ref;	/* its file; the region while linked */
	struct list_head	node;	/* on region->watches (region->lock) */
	struct svm_region	*region; /* svm_watch_lock; NULL: destroyed */
	struct pid_namespace	*pid_ns; /* of its creator: pids are in it */
	kuid_t			uid;	/* charged one watch */
	u32			event_size;
	wait_queue_head_t	wait;

	spinlock_t		lock;	/* protects the ring and all below */
	struct svm_wrec		*ring;
	unsigned int		len, head, count;
	u64			seq;	/* the last record's */
	u64			lost;	/* dropped, not yet reported */
	u64			lost_seq; /* the first of them */
	u64			lost_mono_ns, lost_real_ns;
	bool			dead;	/* SVM_EVENT_DESTROYED queued */
};

/* ---- who a mapper is ---------------------------------------------------- */

/*
 * The process that maps r into mm: the caller, when it maps (->mmap),
 * else (fork: dup_mmap() runs vm_ops->open) mm's owner, the child, whose
 * pid comes later.
 */
struct svm_who *svm_who_new(struct mm_struct *mm, gfp_t gfp)
{
	struct svm_who *who = kzalloc(sizeof(*who), gfp);
	struct task_struct *owner;

	if (!who)
		return NULL;
	refcount_set(&who->ref, 1);
	spin_lock_init(&who->lock);
	if (mm == current->mm) {
		who->pid = get_task_pid(current, PIDTYPE_TGID);
		return who;
	}
	rcu_read_lock();
	owner = rcu_dereference(mm->owner);
	if (owner)
		get_task_struct(owner);
	rcu_read_unlock();
	who->task = owner;
	return who;
}

/*
 * who's pid, NULL while unknown.  A fork child's is taken from its task
 * once copy_process() has attached it.  who->task is valid while set: the
 * reference keeps it, and a failed fork frees the task (ignoring that
 * reference) only after mmput() of its mm has cleared it here.
 */
struct pid *svm_who_pid(struct svm_who *who, bool *pending)
{
	struct pid *pid;

	spin_lock(&who->lock);
	if (!who->pid && who->task) {
		rcu_read_lock();
		who->pid = get_pid(task_tgid(who->task));
		rcu_read_unlock();
	}
	pid = who->pid;
	if (pending)
		*pending = !pid && who->task;
	spin_unlock(&who->lock);
	return pid;
}

/* The mapper's address space is gone: its task is no longer ours to keep. */
void svm_who_forget_task(struct svm_who *who)
{
	struct task_struct *task;

	svm_who_pid(who, NULL);
	spin_lock(&who->lock);
	task = who->task;
	who->task = NULL;
	spin_unlock(&who->lock);
	if (task)
		put_task_struct(task);
}

static struct svm_who *svm_who_get(struct svm_who *who)
{
	refcount_inc(&who->ref);
	return who;
}

void svm_who_put(struct svm_who *who)
{
	if (!who || !refcount_dec_and_test(&who->ref))
		return;
	put_pid(who->pid);
	if (who->task)
		put_task_struct(who->task);
	kfree(who);
}

/*
 * Why the address space mm of the mapper who leaves, from vm_ops->close
 * of its last mapping of the region.  The caller's own address space:
 * munmap(2), mremap(2), a mapping over it.  Else it is torn down
 * (exec_mmap() or exit_mmap()), usually by the mapper itself: its exec,
 * or its exit, whose code says whether a signal ended it.  When
 * something else dropped the last reference (a /proc reader), the
 * mapper is looked at if not yet reaped.
 */
u32 svm_detach_cause(struct mm_struct *mm, struct svm_who *who, u32 *signo)
{
	struct pid *pid = svm_who_pid(who, NULL);
	struct task_struct *t;
	u32 cause = SVM_CAUSE_UNKNOWN;
	bool self;
	int code;

	*signo = 0;
	if (mm == current->mm)
		return SVM_CAUSE_UNMAP;
	self = pid && pid == task_tgid(current);
	if (self && current->in_execve)
		return SVM_CAUSE_EXEC;
	rcu_read_lock();
	t = self ? current : pid_task(pid, PIDTYPE_TGID);
	if (t && (t->flags & PF_EXITING)) {
		if (tsk_is_oom_victim(t)) {
			cause = SVM_CAUSE_OOM;
			*signo = SIGKILL;
		} else {
			/* do_group_exit() and fatal signals set the group's. */
			code = t->signal->flags & SIGNAL_GROUP_EXIT ?
			       t->signal->group_exit_code : t->exit_code;
			cause = code & 0x7f ? SVM_CAUSE_SIGNAL : SVM_CAUSE_EXIT;
			*signo = code & 0x7f;
		}
	}
	rcu_read_unlock();
	return cause;
}

/* ---- queuing -------------------------------------------------------------- */

/*
 * Write one record into w's ring, dropping the oldest when it is full;
 * returns the who of a dropped record, for the caller to put once w->lock
 * is released.
 */
static struct svm_who *svm_watch_push(struct svm_watcher *w,
				      const struct svm_wrec *rec)
{
	struct svm_who *dropped = NULL;
	struct svm_wrec *slot;

	lockdep_assert_held(&w->lock);
	if (w->count == w->len) {
		slot = &w->ring[w->head];
		if (!w->lost)
			w->lost_seq = slot->seq;
		w->lost++;
		w->lost_mono_ns = rec->mono_ns;
		w->lost_real_ns = rec->real_ns;
		dropped = slot->who;
		w->head = (w->head + 1) % w->len;
		w->count--;
	}
	slot = &w->ring[(w->head + w->count) % w->len];
	*slot = *rec;
	slot->seq = ++w->seq;
	w->count++;
	return dropped;
}

/*
 * Queue ev to every watch of r; r->lock held (the mappers count is the
 * one after the event).  Allocates nothing and never sleeps but for the
 * put of a dropped record's who.
 */
void svm_watch_queue(struct svm_region *r, const struct svm_wev *ev)
{
	struct svm_wrec rec = {
		.type = ev->type, .cause = ev->cause, .signo = ev->signo,
		.source = ev->source, .mappers = r->nr_mappers,
	};
	struct pid *pid = ev->pid;
	struct svm_watcher *w;
	struct svm_who *dropped;
	ktime_t now;

	lockdep_assert_held(&r->lock);
	if (list_empty(&r->watches))
		return;
	/*
	 * One clock reading, the caller's if it read one (a mapper's, for
	 * the attach record too): the real time is the same instant, by the
	 * timekeeper's offset (a clocksource read may cost a microsecond).
	 */
	now = ev->now ? ev->now : ktime_get();
	rec.mono_ns = ktime_to_ns(now);
	rec.real_ns = ktime_to_ns(ktime_mono_to_real(now));
	if (ev->who)
		pid = svm_who_pid(ev->who, NULL);
	list_for_each_entry(w, &r->watches, node) {
		rec.who = NULL;
		rec.pid = 0;
		if (pid)
			rec.pid = pid_nr_ns(pid, w->pid_ns);
		else if (ev->who)
			rec.who = svm_who_get(ev->who);
		spin_lock(&w->lock);
		dropped = svm_watch_push(w, &rec);
		spin_unlock(&w->lock);
		svm_who_put(dropped);
		wake_up_interruptible_poll(&w->wait, EPOLLIN | EPOLLRDNORM);
	}
}

/* Queue an event of no mapper (REMOVED, WIRED, UNWIRED) to r's watches. */
void svm_watch_event(struct svm_region *r, u32 type, u32 source,
		     struct pid *pid)
{
	struct svm_wev ev = { .type = type, .source = source, .pid = pid };

	mutex_lock(&r->lock);
	svm_watch_queue(r, &ev);
	mutex_unlock(&r->lock);
}

static void svm_watcher_free(struct kref *ref)
{
	struct svm_watcher *w = container_of(ref, struct svm_watcher, ref);
	unsigned int i;

	for (i = 0; i < w->count; i++)
		svm_who_put(w->ring[(w->head + i) % w->len].who);
	kvfree(w->ring);
	put_pid_ns(w->pid_ns);
	kfree(w);
}

/*
 * r is being freed (svm_region_release(), no svm lock held): its last
 * record, then end of file for every watch.
 */
void svm_watch_region_gone(struct svm_region *r)
{
	struct svm_wev ev = { .type = SVM_EVENT_DESTROYED };
	struct svm_watcher *w, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&svm_watch_lock);
	mutex_lock(&r->lock);
	svm_watch_queue(r, &ev);
	list_for_each_entry_safe(w, tmp, &r->watches, node) {
		list_move(&w->node, &gone);
		w->region = NULL;
		spin_lock(&w->lock);
		w->dead = true;
		spin_unlock(&w->lock);
		wake_up_interruptible_poll(&w->wait,
					   EPOLLIN | EPOLLRDNORM | EPOLLHUP);
	}
	mutex_unlock(&r->lock);
	mutex_unlock(&svm_watch_lock);
	list_for_each_entry_safe(w, tmp, &gone, node) {
		list_del_init(&w->node);
		kref_put(&w->ref, svm_watcher_free);
	}
}

/* ---- the watch file ------------------------------------------------------- */

static bool svm_watch_ready(struct svm_watcher *w)
{
	bool ready;

	spin_lock(&w->lock);
	ready = w->count || w->lost || w->dead;
	spin_unlock(&w->lock);
	return ready;
}

enum { SVM_PEEK_NONE, SVM_PEEK_ONE, SVM_PEEK_EOF };

/*
 * Fill ev from w's next record, without taking it off the ring:
 * SVM_PEEK_ONE when there is one, SVM_PEEK_NONE when there is none,
 * SVM_PEEK_EOF at end of file, -EAGAIN when it is a fork child's ATTACH
 * whose pid the fork has not attached yet.
 */

static int svm_watch_peek(struct svm_watcher *w, struct svm_event *ev,
			  u64 *lost)
{
	struct svm_who *who = NULL;
	struct svm_wrec rec;
	struct pid *pid;
	bool pending;
	int ret;

	memset(ev, 0, sizeof(*ev));
	ev->size = SVM_EVENT_SIZE_VER0;
	spin_lock(&w->lock);
	*lost = w->lost;
	if (w->lost) {
		ev->type = SVM_EVENT_OVERFLOW;
		ev->seq = w->lost_seq;
		ev->lost = w->lost;
		ev->mono_ns = w->lost_mono_ns;
		ev->real_ns = w->lost_real_ns;
		spin_unlock(&w->lock);
		return SVM_PEEK_ONE;
	}
	if (!w->count) {
		ret = w->dead ? SVM_PEEK_EOF : SVM_PEEK_NONE;
		spin_unlock(&w->lock);
		return ret;
	}
	rec = w->ring[w->head];
	if (rec.who)
		who = svm_who_get(rec.who);
	spin_unlock(&w->lock);

	if (who) {
		pid = svm_who_pid(who, &pending);
		rec.pid = pid ? pid_nr_ns(pid, w->pid_ns) : 0;
		svm_who_put(who);
		if (pending)
			return -EAGAIN;
	}
	ev->type = rec.type;
	ev->seq = rec.seq;
	ev->pid = rec.pid;
	ev->cause = rec.cause;
	ev->signo = rec.signo;
	ev->source = rec.source;
	ev->mappers = rec.mappers;
	ev->mono_ns = rec.mono_ns;
	ev->real_ns = rec.real_ns;
	return SVM_PEEK_ONE;
}

/*
 * Take the record svm_watch_peek() gave off the ring.  If the ring
 * dropped it meanwhile it was the first one lost: the reader has it, so
 * it is lost no more.
 */
static void svm_watch_consume(struct svm_watcher *w, const struct svm_event *ev,
			      u64 lost)
{
	struct svm_who *who = NULL;

	spin_lock(&w->lock);
	if (ev->type == SVM_EVENT_OVERFLOW) {
		w->lost -= lost;
		w->lost_seq += lost;
	} else if (w->count && w->ring[w->head].seq == ev->seq) {
		who = w->ring[w->head].who;
		w->ring[w->head].who = NULL;
		w->head = (w->head + 1) % w->len;
		w->count--;
	} else if (w->lost && w->lost_seq == ev->seq) {
		w->lost--;
		w->lost_seq++;
	}
	spin_unlock(&w->lock);
	svm_who_put(who);
}

static ssize_t svm_watch_read(struct file *file, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct svm_watcher *w = file->private_data;
	size_t size = w->event_size, done = 0;
	struct svm_event ev;
	u64 lost;
	int ret;

	if (count < size)
		return -EINVAL;
	while (done + size <= count) {
		ret = svm_watch_peek(w, &ev, &lost);
		if (ret == SVM_PEEK_ONE) {
			if (copy_to_user(buf + done, &ev,
					 min(size, sizeof(ev))) ||
			    (size > sizeof(ev) &&
			     clear_user(buf + done + sizeof(ev),
					size - sizeof(ev))))
				return done ? done : -EFAULT;
			svm_watch_consume(w, &ev, lost);
			done += size;
			continue;
		}
		if (done)
			break;
		if (ret == SVM_PEEK_EOF)
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (ret == -EAGAIN) {
			/* A fork is between dup_mmap() and attach_pid(). */
			schedule_timeout_interruptible(1);
			if (signal_pending(current))
				return -ERESTARTSYS;
			continue;
		}
		ret = wait_event_interruptible(w->wait, svm_watch_ready(w));
		if (ret)
			return ret;
	}
	return done;
}

static __poll_t svm_watch_poll(struct file *file, poll_table *pt)
{
	struct svm_watcher *w = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &w->wait, pt);
	spin_lock(&w->lock);
	if (w->count || w->lost)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (w->dead)
		mask = EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	spin_unlock(&w->lock);
	return mask;
}

/* Take w off its region's list, if the region is still there. */
static void svm_watch_unlink(struct svm_watcher *w)
{
	struct svm_region *r;

	mutex_lock(&svm_watch_lock);
	r = w->region;
	if (r) {
		mutex_lock(&r->lock);
		list_del_init(&w->node);
		mutex_unlock(&r->lock);
		w->region = NULL;
	}
	mutex_unlock(&svm_watch_lock);
	if (r)
		kref_put(&w->ref, svm_watcher_free);
}

static int svm_watch_release(struct inode *inode, struct file *file)
{
	struct svm_watcher *w = file->private_data;

	svm_watch_unlink(w);
	svm_user_watch_uncharge(w->uid);
	kref_put(&w->ref, svm_watcher_free);
	return 0;
}

static const struct file_operations svm_watch_fops = {
	.owner		= THIS_MODULE,
	.release	= svm_watch_release,
	.read		= svm_watch_read,
	.poll		= svm_watch_poll,
	.llseek		= noop_llseek,
};

/*
 * A new watch of r for the caller, whose read permission the caller
 * checked: charged to its euid, returned as a new fd (flags O_CLOEXEC,
 * O_NONBLOCK).  *event_size (0: the kernel's) and *queue_len are
 * validated, and say what the watch got.
 */
int svm_watch_new(struct svm_region *r, unsigned int flags, u32 event_size,
		  u32 queue_len)
{
	kuid_t uid = current_euid();
	struct svm_watcher *w;
	struct file *file;
	int fd, err;

	err = svm_user_watch_charge(uid);
	if (err)
		return err;
	err = -ENOMEM;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w)
		goto out_uncharge;
	w->ring = kvcalloc(queue_len, sizeof(*w->ring), GFP_KERNEL_ACCOUNT);
	if (!w->ring)
		goto out_free;
	kref_init(&w->ref);
	INIT_LIST_HEAD(&w->node);
	init_waitqueue_head(&w->wait);
	spin_lock_init(&w->lock);
	w->len = queue_len;
	w->event_size = event_size;
	w->uid = uid;
	w->pid_ns = get_pid_ns(task_active_pid_ns(current));

	fd = get_unused_fd_flags(flags & O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto out_ns;
	}
	file = anon_inode_getfile("[svm_watch]", &svm_watch_fops, w,
				  O_RDONLY | (flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out_fd;
	}
	/* The caller's fd holds r: it cannot be going away. */
	mutex_lock(&svm_watch_lock);
	mutex_lock(&r->lock);
	kref_get(&w->ref);
	w->region = r;
	list_add_tail(&w->node, &r->watches);
	mutex_unlock(&r->lock);
	mutex_unlock(&svm_watch_lock);
	fd_install(fd, file);
	return fd;

out_fd:
	put_unused_fd(fd);
out_ns:
	put_pid_ns(w->pid_ns);
	kvfree(w->ring);
out_free:
	kfree(w);
out_uncharge:
	svm_user_watch_uncharge(uid);
	return err;
}

/* The length of a new watch's ring: the parameter, as set (4..65536). */
u32 svm_watch_queue_len(void)
{
	return clamp_t(u32, READ_ONCE(svm_queue_len),
		       SVM_WATCH_QUEUE_MIN, SVM_WATCH_QUEUE_MAX);
}
