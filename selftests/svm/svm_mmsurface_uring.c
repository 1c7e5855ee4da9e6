// SPDX-License-Identifier: GPL-2.0
/*
 * The mm surface, part three: io_uring, by raw system calls.  A buffer
 * registered with IORING_REGISTER_BUFFERS is a long-term pin
 * (pin_user_pages(FOLL_WRITE | FOLL_LONGTERM)) of the region's pages, a
 * file registered with IORING_REGISTER_FILES a reference to a region file.
 * The first holds the pages, never the region: munmap and close end the
 * region at once (its pages truncated out of its inode), the pinned pages
 * go with the ring.  The second holds the region until the ring goes, in
 * a kernel worker.  Each test ends with the region gone and nothing left
 * (svm_mmsurface.h).
 */
#include <linux/io_uring.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_mmsurface.h"

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
};

static int ring_register(struct ring *r, unsigned int op, void *arg,
			 unsigned int nr)
{
	return syscall(__NR_io_uring_register, r->fd, op, arg, nr) ? -errno : 0;
}

/* Unmap the rings (which hold the ring's file) and close it. */
static void ring_exit(struct ring *r)
{
	munmap(r->sqes, r->sqes_len);
	if (r->cq != r->sq)
		munmap(r->cq, r->cq_len);
	munmap(r->sq, r->sq_len);
	close(r->fd);
}

static int ring_init(struct ring *r)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		r->sq_len = r->cq_len = r->sq_len > r->cq_len ? r->sq_len :
							       r->cq_len;
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_SQ_RING);
	r->cq = p.features & IORING_FEAT_SINGLE_MMAP ? r->sq :
		mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -ENOMEM;
	r->sq_tail = (unsigned int *)((char *)r->sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq + p.cq_off.cqes);
	return 0;
}

/* IORING_OP_READ_FIXED of len bytes of fd into buf (registered buffer 0). */
static int ring_read_fixed(struct ring *r, int fd, void *buf, unsigned int len)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->buf_index = 0;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) != 1)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Register [p, p + len) as buffer 0 and unregister it: 0 or -errno. */
static int ring_try_buffer(struct ring *r, void *p, size_t len)
{
	struct iovec iov = { p, len };
	int err = ring_register(r, IORING_REGISTER_BUFFERS, &iov, 1);
	long pinned;

	if (err)
		return err;
	pinned = svm_status_kb(0, "VmPin");
	err = ring_register(r, IORING_UNREGISTER_BUFFERS, NULL, 0);
	return err ? err : pinned == (long)(len >> 10) ? 0 : -EBADE;
}

/*
 * What IORING_REGISTER_BUFFERS (pin_user_pages(FOLL_WRITE|FOLL_LONGTERM))
 * makes of a region, next to a SysV segment, whose mapping ipc/shm.c
 * wraps the same way, and a memfd.  6.1's io_pin_pages() takes file pages
 * only from a VMA with shmem's own vm_ops (vma_is_shmem()) or hugetlbfs,
 * so a region, like a SysV segment, is EOPNOTSUPP there; from 6.5 GUP
 * decides, and shmem needs no dirty tracking: all three pin.  The pin is
 * accounted once, in VmPin (mm->pinned_vm), and gone at unregister.
 */
TEST_F(mms, io_uring_registers_a_region_buffer_as_a_sysv_segment)
{
	int want = mms_kernel_at_least(6, 5) ? 0 : -EOPNOTSUPP, shmid, mfd;
	struct ring r;
	char *p, *s, *m;

	ASSERT_EQ(0, ring_init(&r));
	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	shmid = shmget(IPC_PRIVATE, LEN, IPC_CREAT | 0600);
	ASSERT_LE(0, shmid);
	s = shmat(shmid, NULL, 0);
	ASSERT_NE((void *)-1, s);
	shmctl(shmid, IPC_RMID, NULL);
	mfd = memfd_create("mms", MFD_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, LEN));
	m = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, m);

	EXPECT_EQ(want, ring_try_buffer(&r, p, LEN));
	EXPECT_EQ(want, ring_try_buffer(&r, s, LEN));
	EXPECT_EQ(0, ring_try_buffer(&r, m, LEN));
	EXPECT_TRUE(POLL_UNTIL(svm_status_kb(0, "VmPin") == 0, GONE_MS));

	munmap(m, LEN);
	close(mfd);
	shmdt(s);
	munmap(p, LEN);
	ring_exit(&r);
	END(self);
}

/*
 * A registered buffer in a region pins its pages, not the region: after
 * munmap and close the region is gone (window, Shmem) while the ring still
 * reads into the old pages, which a new region at the same address never
 * shows; the pin (VmPin) goes with the ring.
 */
TEST_F(mms, io_uring_fixed_buffer_pins_pages_not_the_region)
{
	static char buf[PAGE];
	struct iovec iov;
	int pfd[2], err;
	struct ring r;
	char *p;

	ASSERT_EQ(0, ring_init(&r));
	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	iov.iov_base = p;
	iov.iov_len = LEN;
	err = ring_register(&r, IORING_REGISTER_BUFFERS, &iov, 1);
	if (!mms_kernel_at_least(6, 5)) {
		EXPECT_EQ(-EOPNOTSUPP, err);
		munmap(p, LEN);
		ring_exit(&r);
		END(self);
		SKIP(return, "io_uring before 6.5 pins no file pages but shmem_vm_ops' (EOPNOTSUPP, checked)");
	}
	ASSERT_EQ(0, err);
	EXPECT_EQ(LEN >> 10, svm_status_kb(0, "VmPin"));
	EXPECT_EQ(0, svm_status_kb(0, "VmLck"));
	ASSERT_EQ(0, pipe(pfd));
	mms_fill(buf, PAGE, 'F');
	ASSERT_EQ(PAGE, write(pfd[1], buf, PAGE));
	EXPECT_EQ(PAGE, ring_read_fixed(&r, pfd[0], p + PAGE, PAGE));
	EXPECT_TRUE(mms_holds(p + PAGE, PAGE, 'F'));
	munmap(p, LEN);
	END(self);

	mms_fill(buf, PAGE, 'G');
	ASSERT_EQ(PAGE, write(pfd[1], buf, PAGE));
	EXPECT_EQ(PAGE, ring_read_fixed(&r, pfd[0], p, PAGE));
	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				   &self->o);
	ASSERT_LE(0, self->fd);
	p = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_EQ((uintptr_t)iov.iov_base, (uintptr_t)p);
	EXPECT_TRUE(mms_zero(p, LEN));
	munmap(p, LEN);
	mms_drop(self);
	EXPECT_EQ(LEN >> 10, svm_status_kb(0, "VmPin"));
	ring_exit(&r);
	EXPECT_TRUE(POLL_UNTIL(svm_status_kb(0, "VmPin") == 0, GONE_MS));
	close(pfd[0]);
	close(pfd[1]);
	EXPECT_AT_BASE(self->dev, &self->base);
}

/*
 * A region fd registered with IORING_REGISTER_FILES is a region file the
 * ring holds: the region lives on after close() until the ring goes (its
 * teardown runs in a kernel worker).
 */
TEST_F(mms, io_uring_fixed_file_holds_the_region_until_the_ring_goes)
{
	struct ring r;

	ASSERT_EQ(0, ring_init(&r));
	ASSERT_EQ(0, ring_register(&r, IORING_REGISTER_FILES, &self->fd, 1));
	EXPECT_UNCHARGED(self->fd);
	mms_drop(self);
	mms_expect_held(_metadata, self, 0, 1);
	ring_exit(&r);
	EXPECT_AT_BASE(self->dev, &self->base);
}

/*
 * The holder of a ring that has the region as a fixed file (and, where
 * io_uring takes it, a registered buffer in it) and a mapping of it is
 * SIGKILLed: the region goes with the ring.
 */
TEST_F(mms, io_uring_holder_killed_releases_the_region)
{
	int fd = self->fd, sv[2], st;
	pid_t pid;

	EXPECT_UNCHARGED(fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		struct iovec iov = { NULL, LEN };
		struct ring r;

		iov.iov_base = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
		if (iov.iov_base == MAP_FAILED || ring_init(&r) ||
		    ring_register(&r, IORING_REGISTER_FILES, &fd, 1))
			_exit(1);
		if (mms_kernel_at_least(6, 5) &&
		    ring_register(&r, IORING_REGISTER_BUFFERS, &iov, 1))
			_exit(2);
		close(fd);
		mms_tell(sv[1], 'r');
		for (;;)
			pause();
	}
	close(sv[1]);
	mms_drop(self);
	ASSERT_EQ('r', mms_hear(sv[0]));
	mms_expect_held(_metadata, self, 1, 1);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	close(sv[0]);
	EXPECT_AT_BASE(self->dev, &self->base);
}

TEST_HARNESS_MAIN
