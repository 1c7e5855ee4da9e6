// SPDX-License-Identifier: GPL-2.0
/*
 * The mm surface, part one: everything that reaches a region's pages or
 * its file from outside the mapping process, as syzkaller's descriptions
 * of ashmem and udmabuf do: another process's memory (process_vm_readv,
 * process_vm_writev, /proc/PID/mem, ptrace), a file opened O_DIRECT, a
 * pipe holding a page (vmsplice) and an fd passed to another uid (io_uring
 * is in svm_mmsurface_uring.c).  Each test checks the bytes moved exactly,
 * who holds the region, and at its end that the region is gone with
 * nothing left: the window, the caller's usage, the module's refcount and
 * Shmem back at the baseline (svm_mmsurface.h).
 *
 * A page reference outside any mapping holds the page, never the region.
 * A region lives while a file of it or a mapping does (uapi/linux/svm.h);
 * a pipe or a pin keeps only the pages it took, which the region's end
 * truncates out of its inode, so the region's name, window range and
 * Shmem charge go at once, the pages when the pipe or the pin lets go,
 * and a region made next at the same address starts from zeroes.
 */
#include <grp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_mmsurface.h"

/*
 * The holder: a child that maps the region of fd with prot, closes its
 * copies of the parent's region fds (its mapping is then the region's only
 * holder but what the parent keeps), fills a writable mapping with 'A' and
 * says 'r'.  "c" and a tag ask whether page 1 holds the tag's pattern
 * (answer 'y' or 'n'); 'u' unmaps (answer 'm'); 'x' exits 0.
 */
static int holder(int sock, int fd, int fd2, int prot)
{
	char *p = svm_map(fd, LEN, prot), c;

	if (p == MAP_FAILED)
		return 1;
	close(fd);
	if (fd2 >= 0)
		close(fd2);
	if (prot & PROT_WRITE)
		mms_fill(p, LEN, 'A');
	if (mms_tell(sock, 'r'))
		return 2;
	while ((c = mms_hear(sock)) == 'c')
		mms_tell(sock, mms_holds(p + PAGE, PAGE, mms_hear(sock)) ?
			 'y' : 'n');
	if (c != 'u')
		return 3;
	munmap(p, LEN);
	mms_tell(sock, 'm');
	return mms_hear(sock) == 'x' ? 0 : 4;
}

/*
 * Hand the region to a holder child, mapping it from the fixture's fd or,
 * if ro >= 0, from that read-only one; the caller keeps no fd of it.
 */
static pid_t start_holder(struct __test_metadata *_metadata,
			  FIXTURE_DATA(mms) *self, int *sock, int ro)
{
	int sv[2];
	pid_t pid;

	EXPECT_UNCHARGED(self->fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(ro >= 0 ? holder(sv[1], ro, self->fd, PROT_READ) :
				holder(sv[1], self->fd, -1,
				       PROT_READ | PROT_WRITE));
	}
	ASSERT_LT(0, pid);
	close(sv[1]);
	if (ro >= 0)
		close(ro);
	mms_drop(self);
	*sock = sv[0];
	ASSERT_EQ('r', mms_hear(*sock));
	return pid;
}

/*
 * Write the pattern of tag into the region's first len bytes through a
 * passing mapping; return a new read-only fd of it.
 */
static int fill_then_rdonly(struct __test_metadata *_metadata,
			    FIXTURE_DATA(mms) *self, size_t len, char tag)
{
	char *p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	int ro;

	ASSERT_NE(MAP_FAILED, p);
	mms_fill(p, len, tag);
	munmap(p, LEN);
	ro = mms_reopen(self, SVM_OPEN_RDONLY);
	ASSERT_LE(0, ro);
	return ro;
}

/* Whether the holder's page 1 holds the pattern of tag. */
static char holder_has(int sock, char tag)
{
	if (mms_tell(sock, 'c') || mms_tell(sock, tag))
		return 0;
	return mms_hear(sock);
}

/*
 * The holder unmaps: that is the region's end, with the child still
 * alive.  Then it exits.
 */
#define RELEASE_HOLDER(self, sock, pid) do {				\
	int __st;							\
									\
	ASSERT_EQ(0, mms_tell((sock), 'u'));				\
	ASSERT_EQ('m', mms_hear(sock));					\
	EXPECT_AT_BASE((self)->dev, &(self)->base);			\
	ASSERT_EQ(0, mms_tell((sock), 'x'));				\
	ASSERT_EQ((pid), waitpid((pid), &__st, 0));			\
	EXPECT_EQ(0, __st);						\
	close(sock);							\
} while (0)

TEST_F(mms, process_vm_readv_and_writev_move_a_childs_bytes_exactly)
{
	static char buf[LEN];
	struct iovec l = { buf, LEN }, r;
	int sock;
	pid_t pid;

	pid = start_holder(_metadata, self, &sock, -1);
	r.iov_base = (void *)(uintptr_t)self->o.addr;
	r.iov_len = LEN;
	EXPECT_EQ(LEN, process_vm_readv(pid, &l, 1, &r, 1, 0));
	EXPECT_TRUE(mms_holds(buf, LEN, 'A'));
	mms_fill(buf, PAGE, 'B');
	l.iov_len = PAGE;
	r.iov_base = (char *)r.iov_base + PAGE;
	r.iov_len = PAGE;
	EXPECT_EQ(PAGE, process_vm_writev(pid, &l, 1, &r, 1, 0));
	EXPECT_EQ('y', holder_has(sock, 'B'));
	mms_expect_held(_metadata, self, 1, 1);
	RELEASE_HOLDER(self, sock, pid);
}

/*
 * A read-only mapping (of an SVM_OPEN_RDONLY fd) cannot be written from
 * outside either, not even with FOLL_FORCE: GUP refuses a write to a
 * shared mapping without VM_WRITE (check_vma_flags(): no COW of a shared
 * mapping), so process_vm_writev is EFAULT, /proc/PID/mem's write EIO.
 */
TEST_F(mms, writes_into_a_childs_readonly_mapping_fail_and_change_nothing)
{
	static char buf[PAGE];
	struct iovec l = { buf, PAGE }, r;
	int ro = fill_then_rdonly(_metadata, self, LEN, 'A'), sock, mem;
	char path[64];
	pid_t pid;

	pid = start_holder(_metadata, self, &sock, ro);
	mms_fill(buf, PAGE, 'B');
	r.iov_base = (void *)(uintptr_t)(self->o.addr + PAGE);
	r.iov_len = PAGE;
	EXPECT_EQ(-1, process_vm_writev(pid, &l, 1, &r, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	EXPECT_EQ(-1, pwrite(mem, buf, PAGE, self->o.addr + PAGE));
	EXPECT_EQ(EIO, errno);
	close(mem);
	EXPECT_EQ(PAGE, process_vm_readv(pid, &l, 1, &r, 1, 0));
	EXPECT_TRUE(mms_holds(buf, PAGE, 'A'));
	EXPECT_EQ('n', holder_has(sock, 'B'));
	EXPECT_EQ('y', holder_has(sock, 'A'));
	mms_expect_held(_metadata, self, 1, 1);
	RELEASE_HOLDER(self, sock, pid);
}

/*
 * /proc/PID/mem holds the child's mm_struct, not its address space: the
 * region goes when the child unmaps, reads there are then EIO, and once
 * the child is gone they read nothing (0).
 */
TEST_F(mms, proc_pid_mem_reads_and_writes_a_childs_mapping)
{
	static char buf[LEN];
	int sock, mem, st;
	char path[64];
	pid_t pid;

	pid = start_holder(_metadata, self, &sock, -1);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, mem);
	EXPECT_EQ(LEN, pread(mem, buf, LEN, self->o.addr));
	EXPECT_TRUE(mms_holds(buf, LEN, 'A'));
	mms_fill(buf, PAGE, 'B');
	EXPECT_EQ(PAGE, pwrite(mem, buf, PAGE, self->o.addr + PAGE));
	EXPECT_EQ('y', holder_has(sock, 'B'));
	mms_expect_held(_metadata, self, 1, 1);
	ASSERT_EQ(0, mms_tell(sock, 'u'));
	ASSERT_EQ('m', mms_hear(sock));
	EXPECT_AT_BASE(self->dev, &self->base);
	EXPECT_EQ(-1, pread(mem, buf, PAGE, self->o.addr));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, mms_tell(sock, 'x'));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, pread(mem, buf, PAGE, self->o.addr));
	close(mem);
	close(sock);
	EXPECT_AT_BASE(self->dev, &self->base);
}

#define POKED	0x1122334455667788L

/*
 * The traced child maps the region, fills it with 'A', makes page 1 read
 * only and stops; once let go it checks what the tracer poked, unmaps
 * (says 'm') and exits at 'x'.
 */
static int tracee(int sock, int fd)
{
	char *p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);

	if (p == MAP_FAILED || ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 1;
	close(fd);
	mms_fill(p, LEN, 'A');
	if (mprotect(p + PAGE, PAGE, PROT_READ))
		return 2;
	raise(SIGSTOP);
	if (*(long *)p != POKED || !mms_holds(p + PAGE, LEN - PAGE, 'A'))
		return 3;
	munmap(p, LEN);
	mms_tell(sock, 'm');
	return mms_hear(sock) == 'x' ? 0 : 4;
}

/* POKEDATA writes a writable page; a read-only one is EIO, as above. */
TEST_F(mms, ptrace_peeks_and_pokes_a_traced_childs_mapping)
{
	unsigned long addr = self->o.addr;
	long want, v;
	int sv[2], st;
	pid_t pid;

	EXPECT_UNCHARGED(self->fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0)
		_exit(tracee(sv[1], self->fd));
	close(sv[1]);
	mms_drop(self);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSTOPPED(st));
	ASSERT_EQ(SIGSTOP, WSTOPSIG(st));
	mms_fill(&want, sizeof(want), 'A');
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, (void *)addr, NULL);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(want, v);
	EXPECT_EQ(0, ptrace(PTRACE_POKEDATA, pid, (void *)addr, (void *)POKED));
	EXPECT_EQ(POKED, ptrace(PTRACE_PEEKDATA, pid, (void *)addr, NULL));
	EXPECT_EQ(-1, ptrace(PTRACE_POKEDATA, pid, (void *)(addr + PAGE),
			     (void *)POKED));
	EXPECT_EQ(EIO, errno);
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + PAGE), NULL);
	EXPECT_EQ(0, errno);
	mms_fill(&want, sizeof(want), 'A');	/* the same in every page */
	EXPECT_EQ(want, v);
	mms_expect_held(_metadata, self, 1, 1);
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL));
	ASSERT_EQ('m', mms_hear(sv[0]));
	EXPECT_AT_BASE(self->dev, &self->base);
	ASSERT_EQ(0, mms_tell(sv[0], 'x'));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	close(sv[0]);
}

/*
 * O_DIRECT from and into a region buffer.  The guest's only filesystem is
 * tmpfs, which takes O_DIRECT from 6.6 on (shmem_file_open() sets
 * FMODE_CAN_ODIRECT) and copies through the page cache all the same;
 * before that open(O_DIRECT) is EINVAL, after creating the file.
 */
TEST_F(mms, o_direct_io_from_and_into_a_region_buffer)
{
	char path[64], *p;
	int f;

	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	snprintf(path, sizeof(path), "/tmp/mms-odirect-%d", getpid());
	f = open(path, O_RDWR | O_CREAT | O_EXCL | O_DIRECT | O_CLOEXEC, 0600);
	if (!mms_kernel_at_least(6, 6)) {
		EXPECT_EQ(-1, f);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, unlink(path));
		munmap(p, LEN);
		END(self);
		SKIP(return, "tmpfs, the guest's only filesystem, has no O_DIRECT before 6.6 (EINVAL, checked)");
	}
	ASSERT_LE(0, f);
	mms_fill(p, LEN / 2, 'D');
	EXPECT_EQ(LEN / 2, pwrite(f, p, LEN / 2, PAGE));
	EXPECT_EQ(LEN / 2, pread(f, p + LEN / 2, LEN / 2, PAGE));
	EXPECT_TRUE(mms_holds(p + LEN / 2, LEN / 2, 'D'));
	EXPECT_EQ(PAGE, pread(f, p, PAGE, 0));	/* the hole before */
	EXPECT_TRUE(mms_zero(p, PAGE));
	close(f);
	EXPECT_EQ(0, unlink(path));
	munmap(p, LEN);
	END(self);
}

/*
 * vmsplice takes the page by reference (no SPLICE_F_GIFT): a write after
 * it shows in the pipe.  splice moves the reference to a second pipe; the
 * region is removed, unmapped and closed with that page still in the pipe:
 * the region goes at once (window, Shmem), a new region at the same
 * address reads zeroes, and the pipe still gives the old page's bytes.
 */
TEST_F(mms, vmsplice_page_outlives_its_region_in_a_pipe)
{
	uint64_t addr = self->o.addr;
	static char buf[PAGE];
	struct iovec iov;
	int a[2], b[2];
	char *p;

	p = svm_map(self->fd, LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	mms_fill(p, PAGE, 'V');
	ASSERT_EQ(0, pipe(a));
	ASSERT_EQ(0, pipe(b));
	iov.iov_base = p;
	iov.iov_len = PAGE;
	EXPECT_EQ(PAGE, vmsplice(a[1], &iov, 1, 0));
	p[0] = 'w';
	EXPECT_EQ(PAGE, splice(a[0], NULL, b[1], NULL, PAGE, 0));
	close(a[0]);
	close(a[1]);
	EXPECT_EQ(0, svm_remove_name(self->dev, self->name));
	munmap(p, LEN);
	END(self);

	self->fd = svm_open_region(self->dev, self->name, LEN,
				   SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				   &self->o);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(addr, self->o.addr);
	p = svm_map(self->fd, LEN, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_TRUE(mms_zero(p, LEN));
	munmap(p, LEN);
	mms_drop(self);

	EXPECT_EQ(PAGE, read(b[0], buf, PAGE));
	EXPECT_EQ('w', buf[0]);
	EXPECT_TRUE(mms_holds(buf + 1, PAGE - 1, 'V' + 7));
	close(b[0]);
	close(b[1]);
	EXPECT_AT_BASE(self->dev, &self->base);
}

/* ---- SCM_RIGHTS to another uid --------------------------------------- */

static int send_fd(int sock, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *h;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

/*
 * The receiver, uid/gid 1000 without capabilities: the 0600 region's name
 * is closed to it (EACCES), the fd it is passed is not: mmap() checks only
 * the fd's own access mode, as for any file.  It waits for the sender to
 * have let go of everything ('s'), maps and checks, says 'm', and at 'c'
 * lets go itself and says 'd'.
 */
static int receiver(int sock, int dev, const char *name, int rdonly)
{
	struct svm_window w;
	char *p;
	int fd;

	if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000))
		return 1;
	fd = recv_fd(sock);
	if (fd < 0 || mms_hear(sock) != 's')
		return 2;
	if (svm_open_region(dev, name, 0, SVM_OPEN_RDONLY, 0, NULL) != -EACCES)
		return 3;
	p = svm_map(fd, LEN, PROT_READ | PROT_WRITE);
	if (rdonly) {
		if (p != MAP_FAILED || errno != EACCES)
			return 4;
		p = svm_map(fd, LEN, PROT_READ);
		if (p == MAP_FAILED || !mprotect(p, LEN, PROT_WRITE) ||
		    errno != EACCES)
			return 5;
	} else {
		if (p == MAP_FAILED)
			return 6;
		mms_fill(p + PAGE, PAGE, 'B');
	}
	if (!mms_holds(p, PAGE, 'A'))
		return 7;
	/* Nothing is charged to the receiver, which cannot take an SVID lock. */
	if (svm_get_window(dev, &w) || w.user_regions || w.user_bytes ||
	    w.user_locked || svm_wire_op(fd, SVM_WIRE_LOCK) != -EPERM)
		return 8;
	if (mms_tell(sock, 'm') || mms_hear(sock) != 'c')
		return 9;
	munmap(p, LEN);
	close(fd);
	return mms_tell(sock, 'd') ? 10 : 0;
}

static void pass_fd(struct __test_metadata *_metadata,
		    FIXTURE_DATA(mms) *self, int rdonly)
{
	int ro = fill_then_rdonly(_metadata, self, PAGE, 'A'), fd, sv[2], st;
	pid_t pid;
	char *p;

	EXPECT_UNCHARGED(self->fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	if (pid == 0) {
		/* Only the fd passed to it is the receiver's. */
		close(sv[0]);
		close(ro);
		close(self->fd);
		_exit(receiver(sv[1], self->dev, self->name, rdonly));
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fd(sv[0], rdonly ? ro : self->fd));
	close(ro);
	mms_drop(self);
	ASSERT_EQ(0, mms_tell(sv[0], 's'));
	ASSERT_EQ('m', mms_hear(sv[0]));
	mms_expect_held(_metadata, self, 1, 1);
	if (!rdonly) {
		fd = mms_reopen(self, SVM_OPEN_RDONLY);
		ASSERT_LE(0, fd);
		p = svm_map(fd, LEN, PROT_READ);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_TRUE(mms_holds(p + PAGE, PAGE, 'B'));
		munmap(p, LEN);
		close(fd);
	}
	ASSERT_EQ(0, mms_tell(sv[0], 'c'));
	ASSERT_EQ('d', mms_hear(sv[0]));
	EXPECT_AT_BASE(self->dev, &self->base);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	close(sv[0]);
}

TEST_F(mms, scm_rights_fd_maps_for_another_uid_and_holds_the_region)
{
	pass_fd(_metadata, self, 0);
}

TEST_F(mms, scm_rights_rdonly_fd_stays_readonly_for_another_uid)
{
	pass_fd(_metadata, self, 1);
}

TEST_HARNESS_MAIN
