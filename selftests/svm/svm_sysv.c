// SPDX-License-Identifier: GPL-2.0
/*
 * libsvmk-sysv: shmget(2), shmat(2), shmdt(2) and shmctl(2) on svm, as
 * their man pages say, and as svmk-sysv(7) says where it differs.  Built
 * twice: svm_sysv is linked with libsvmk-sysv, svm_sysv_preload
 * (SVM_SYSV_PRELOAD) with libc alone and run with LD_PRELOAD.  The calls
 * under test come from <sys/shm.h>; <linux/svm.h> only reads what the
 * kernel holds.
 */
#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define PAGE		4096UL
#define NSEC		1000000000ULL
#define TIMEOUT_MS	10000
#define CHILD_ENV	"SVM_SYSV_CHILD"
#define MAX_SEGS	8

/* ---- helpers ------------------------------------------------------------ */

/* A key no other test (or earlier run) uses. */
static key_t new_key(void)
{
	static unsigned int seq;

	return (key_t)(0x5f000000u | ((getpid() & 0xffff) << 8) | (++seq & 0xff));
}

/* svm_info of region id through SVM_IOC_LIST (no fd); 0 or -errno. */
static int region_info(uint64_t id, struct svm_info *info)
{
	struct svm_list l = {
		.size = sizeof(l), .cursor = id - 1,
		.entries = (uintptr_t)info, .entry_size = sizeof(*info),
		.count = 1,
	};
	int dev = svm_dev_open(), ret;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ret = ioctl(dev, SVM_IOC_LIST, &l) < 0 ? -errno : 0;
	close(dev);
	if (!ret && (l.count != 1 || info->id != id))
		ret = -ENOENT;
	return ret;
}

/* Regions of this IPC namespace named name. */
static int regions_named(const char *name)
{
	struct svm_info e[16];
	struct svm_list l = {
		.size = sizeof(l), .entries = (uintptr_t)e,
		.entry_size = sizeof(e[0]),
	};
	int dev = svm_dev_open(), n = 0;
	unsigned int i;

	do {
		memset(e, 0, sizeof(e));
		for (i = 0; i < 16; i++)
			e[i].size = sizeof(e[i]);
		l.count = 16;
		if (ioctl(dev, SVM_IOC_LIST, &l) < 0)
			n = -1000;
		for (i = 0; i < l.count; i++)
			n += !strcmp(e[i].name, name);
	} while (l.count && n >= 0);
	close(dev);
	return n;
}

/* shm_nattch of shmid, or -1. */
static long nattch(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) ? -1 : (long)ds.shm_nattch;
}

static long lpid(int shmid)
{
	struct shmid_ds ds;

	return shmctl(shmid, IPC_STAT, &ds) ? -1 : (long)ds.shm_lpid;
}

/* The VMAs of [start, end) in this process's maps; with path, those of it. */
static int vmas_in(uintptr_t start, uintptr_t end, const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long a, b;
	int n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &a, &b) != 2 || b <= start || a >= end)
			continue;
		n += !path || strstr(line, path);
	}
	if (f)
		fclose(f);
	return n;
}

static int status_of(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid ? status : -1;
}

/* Segments a test made, removed at its end whatever happened. */
FIXTURE(sysv) {
	int ids[MAX_SEGS];
	int nr;
};

FIXTURE_SETUP(sysv)
{
	self->nr = 0;
}

FIXTURE_TEARDOWN(sysv)
{
	while (self->nr)
		shmctl(self->ids[--self->nr], IPC_RMID, NULL);
}

/* shmget(key, size, IPC_CREAT | mode | extra), kept for teardown. */
static int make_seg(struct _test_data_sysv *self, key_t key, size_t size,
		    int flags)
{
	int id = shmget(key, size, IPC_CREAT | flags);

	if (id >= 0 && self->nr < MAX_SEGS)
		self->ids[self->nr++] = id;
	return id;
}

/*
 * The exec'd half of same_address_in_an_exec_d_process: attach the
 * segment whose shmid is in $SVM_SYSV_CHILD, print the address, check
 * the word the parent wrote there.
 */
__attribute__((constructor)) static void exec_child(void)
{
	const char *env = getenv(CHILD_ENV);
	long *p;

	if (!env)
		return;
	p = shmat(atoi(env), NULL, 0);
	if (p == (void *)-1)
		_exit(2);
	printf("%p %ld\n", (void *)p, *p);
	fflush(stdout);
	_exit(shmdt(p) ? 3 : 0);
}

/* ---- the library in use ------------------------------------------------- */

/* shmget is libsvmk-sysv's, not glibc's: a broken preload tests nothing. */
TEST(shmget_is_libsvmk_sysv)
{
	Dl_info dli;

	ASSERT_NE(0, dladdr((void *)shmget, &dli));
	ASSERT_NE(NULL, strstr(dli.dli_fname, "libsvmk-sysv.so"));
	ASSERT_NE(0, dladdr((void *)shmctl, &dli));
	ASSERT_NE(NULL, strstr(dli.dli_fname, "libsvmk-sysv.so"));
}

TEST_F(sysv, shmid_is_the_region_id_named_after_the_key)
{
	struct svm_info info;
	key_t key = new_key();
	char name[SVM_NAME_MAX];
	int id;

	id = make_seg(self, key, 10000, 0600);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, region_info(id, &info));
	snprintf(name, sizeof(name), "sysv:%08x", (unsigned int)key);
	EXPECT_STREQ(name, info.name);
	EXPECT_EQ(10000, info.asked);
	EXPECT_EQ(12288, info.length);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(SVM_REGION_PERSIST, info.flags & SVM_REGION_PERSIST);
	/* No fd of it is left open: the name holds it. */
	EXPECT_EQ(0, info.nr_fds);
}

/* ---- shmget ------------------------------------------------------------- */

TEST_F(sysv, shmget_again_gives_the_same_shmid)
{
	key_t key = new_key();
	int id = make_seg(self, key, PAGE, 0600);

	ASSERT_LT(0, id);
	EXPECT_EQ(id, shmget(key, PAGE, IPC_CREAT | 0600));
	EXPECT_EQ(id, shmget(key, 0, 0));
	EXPECT_EQ(id, shmget(key, 1, 0400));
}

TEST_F(sysv, ipc_excl_on_an_existing_key_is_eexist)
{
	key_t key = new_key();

	ASSERT_LT(0, make_seg(self, key, PAGE, 0600));
	EXPECT_EQ(-1, shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

/* Size 0 with IPC_EXCL: EEXIST for an existing key, as Linux finds the key first. */
TEST_F(sysv, ipc_excl_of_size_0_on_an_existing_key_is_eexist)
{
	key_t key = new_key();

	ASSERT_LT(0, make_seg(self, key, PAGE, 0600));
	EXPECT_EQ(-1, shmget(key, 0, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

TEST(missing_key_without_ipc_creat_is_enoent)
{
	EXPECT_EQ(-1, shmget(new_key(), PAGE, 0600));
	EXPECT_EQ(ENOENT, errno);
}

TEST(creating_size_0_is_einval)
{
	EXPECT_EQ(-1, shmget(new_key(), 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmget(IPC_PRIVATE, 0, 0600));
	EXPECT_EQ(EINVAL, errno);
}

TEST(creating_past_shmmax_is_einval)
{
	struct shminfo si;

	ASSERT_LE(0, shmctl(0, IPC_INFO, (struct shmid_ds *)&si));
	EXPECT_EQ(-1, shmget(new_key(), si.shmmax + 1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sysv, existing_segment_with_a_larger_size_is_einval)
{
	key_t key = new_key();
	int id = make_seg(self, key, 5000, 0600);

	ASSERT_LT(0, id);
	EXPECT_EQ(id, shmget(key, 5000, 0600));
	/* shm_segsz is what was asked for, not the rounded 8192. */
	EXPECT_EQ(-1, shmget(key, 5001, 0600));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sysv, ipc_private_always_creates_a_new_segment)
{
	struct shmid_ds ds;
	int a, b;

	a = shmget(IPC_PRIVATE, PAGE, 0600);
	ASSERT_LT(0, a);
	self->ids[self->nr++] = a;
	b = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_LT(0, b);
	self->ids[self->nr++] = b;
	EXPECT_NE(a, b);
	ASSERT_EQ(0, shmctl(a, IPC_STAT, &ds));
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
}

/* 32 processes race to create one key: one region, one shmid for all. */
TEST_F(sysv, racing_creators_get_one_segment)
{
	int pipefd[2], go[2], i, id, first = -1, same = 0;
	key_t key = new_key();
	char name[SVM_NAME_MAX];
	pid_t pids[32];
	char c;

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 32; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(1);
			id = shmget(key, PAGE, IPC_CREAT | 0600);
			_exit(write(pipefd[1], &id, sizeof(id)) == sizeof(id) ? 0 : 1);
		}
		ASSERT_LT(0, pids[i]);
	}
	close(go[1]);		/* all start together */
	close(pipefd[1]);
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(sizeof(id), read(pipefd[0], &id, sizeof(id)));
		if (first < 0)
			first = id;
		same += id == first;
	}
	for (i = 0; i < 32; i++)
		EXPECT_EQ(0, status_of(pids[i]));
	ASSERT_LT(0, first);
	self->ids[self->nr++] = first;
	EXPECT_EQ(32, same);
	snprintf(name, sizeof(name), "sysv:%08x", (unsigned int)key);
	EXPECT_EQ(1, regions_named(name));
}

TEST_F(sysv, shm_hugetlb_rounds_the_region_to_2_mib)
{
	struct svm_info info;
	struct shmid_ds ds;
	int id;

	id = make_seg(self, new_key(), PAGE, SHM_HUGETLB | 0600);
	if (id < 0 && errno == ENOSYS)
		SKIP(return, "no transparent huge pages");
	ASSERT_LT(0, id);
	ASSERT_EQ(0, region_info(id, &info));
	EXPECT_EQ(SVM_REGION_HUGE, info.flags & SVM_REGION_HUGE);
	EXPECT_EQ(SVM_HUGE_SIZE, info.length);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(PAGE, ds.shm_segsz);
}

/* ---- permissions (the guest runs as root: a child becomes uid 1000) ----- */

static int unpriv_checks(void *arg)
{
	int id = *(int *)arg;
	key_t key = ((int *)arg)[1];
	struct shmid_ds ds;

	if (shmget(key, 0, 0600) != -1 || errno != EACCES)
		return 1;
	if (shmget(key, 0, 0) != id)	/* no permission asked for */
		return 2;
	if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
		return 3;
	if (shmat(id, NULL, SHM_RDONLY) != (void *)-1 || errno != EACCES)
		return 4;
	if (shmctl(id, IPC_STAT, &ds) != -1 || errno != EACCES)
		return 5;
	if (shmctl(id, SHM_STAT, &ds) != -1 || errno != EACCES)
		return 6;
	if (shmctl(id, SHM_STAT_ANY, &ds) != id || ds.shm_perm.mode != 0600)
		return 7;
	if (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM)
		return 8;
	return 0;
}

TEST_F(sysv, a_stranger_gets_eacces_and_eperm)
{
	int arg[2];

	arg[1] = new_key();
	arg[0] = make_seg(self, arg[1], PAGE, 0600);
	ASSERT_LT(0, arg[0]);
	EXPECT_EQ(0, svm_as_user(unpriv_checks, arg));
}

static int read_only_for_others(void *arg)
{
	int id = *(int *)arg;
	void *p;

	if (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES)
		return 1;
	p = shmat(id, NULL, SHM_RDONLY);
	if (p == (void *)-1)
		return 2;
	if (shmat(id, NULL, SHM_RDONLY | SHM_EXEC) != (void *)-1 ||
	    errno != EACCES)
		return 3;
	return shmdt(p) ? 4 : 0;
}

TEST_F(sysv, mode_0644_lets_others_attach_read_only)
{
	int id = make_seg(self, new_key(), PAGE, 0644);

	ASSERT_LT(0, id);
	EXPECT_EQ(0, svm_as_user(read_only_for_others, &id));
}

static int exec_for_others(void *arg)
{
	int id = *(int *)arg;
	void *p = shmat(id, NULL, SHM_EXEC);

	if (p == (void *)-1)
		return 1;
	if (vmas_in((uintptr_t)p, (uintptr_t)p + PAGE, "rwxs") != 1)
		return 2;
	return shmdt(p) ? 3 : 0;
}

TEST_F(sysv, shm_exec_with_execute_permission_maps_prot_exec)
{
	int id = make_seg(self, new_key(), PAGE, 0777);

	ASSERT_LT(0, id);
	EXPECT_EQ(0, svm_as_user(exec_for_others, &id));
}

/* Root's CAP_IPC_OWNER passes any mode, as in the kernel's SysV IPC. */
TEST_F(sysv, cap_ipc_owner_overrides_the_mode)
{
	key_t key = new_key();
	int id = make_seg(self, key, PAGE, 0);
	struct shmid_ds ds;
	void *p;

	ASSERT_LT(0, id);
	EXPECT_EQ(id, shmget(key, 0, 0666));
	p = shmat(id, NULL, SHM_EXEC);
	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.shm_perm.mode);
	EXPECT_EQ(0, shmdt(p));
}

static int group_access(void *arg)
{
	int id = *(int *)arg;
	key_t key = ((int *)arg)[1];
	void *p;

	/*
	 * Group bits rw-, owner and other bits none: uid 1000 is in group
	 * 1000.  The bits asked for count in every class, as ipcperms().
	 */
	if (shmget(key, 0, 0060) != id || shmget(key, 0, 0400) != id)
		return 1;
	if (shmget(key, 0, 0100) != -1 || errno != EACCES)
		return 2;
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		return 3;
	return shmdt(p) ? 4 : 0;
}

TEST_F(sysv, group_bits_apply_to_members_of_its_group)
{
	struct shmid_ds ds;
	int arg[2];

	arg[1] = new_key();
	arg[0] = make_seg(self, arg[1], PAGE, 0600);
	ASSERT_LT(0, arg[0]);
	ASSERT_EQ(0, shmctl(arg[0], IPC_STAT, &ds));
	ds.shm_perm.gid = 1000;
	ds.shm_perm.mode = 0060;
	ASSERT_EQ(0, shmctl(arg[0], IPC_SET, &ds));
	EXPECT_EQ(0, svm_as_user(group_access, arg));
}

/*
 * A member of the creator's group (cgid) has the group bits even once
 * IPC_SET gave the segment another group, as ipcperms() grants them.
 */
TEST_F(sysv, group_bits_apply_to_the_creators_group)
{
	key_t key = new_key();
	int id = make_seg(self, key, PAGE, 0600);
	gid_t creator = getegid();
	struct shmid_ds ds;
	pid_t pid;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	ds.shm_perm.gid = 2000;
	ds.shm_perm.mode = 0060;
	ASSERT_EQ(0, shmctl(id, IPC_SET, &ds));
	pid = fork();
	if (pid == 0) {
		void *p;

		if (setgroups(1, &creator) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(10);
		if (shmget(key, 0, 0060) != id)
			_exit(1);
		p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			_exit(2);
		_exit(shmdt(p) || shmctl(id, IPC_STAT, &ds) ? 3 : 0);
	}
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, status_of(pid));
}

/* ---- shmat -------------------------------------------------------------- */

TEST_F(sysv, shmat_null_attaches_at_the_region_address)
{
	struct svm_info info;
	int id = make_seg(self, new_key(), PAGE, 0600);
	long *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, region_info(id, &info));
	EXPECT_EQ(info.addr, (uintptr_t)p);
	*p = 42;
	EXPECT_EQ(1, info.nr_mappers);
	EXPECT_EQ(0, shmdt(p));
}

TEST(shmat_of_an_unknown_shmid_is_einval)
{
	EXPECT_EQ((void *)-1, shmat(INT_MAX, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((void *)-1, shmat(-1, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
}

/* A region not made by shmget is no segment. */
TEST(a_region_not_named_sysv_is_einval)
{
	struct svm_open op;
	struct shmid_ds ds;
	int dev = svm_dev_open(), fd;

	fd = svm_open_region(dev, "not-sysv", PAGE, SVM_OPEN_CREATE |
			     SVM_OPEN_CLOEXEC, 0600, &op);
	ASSERT_LE(0, fd);
	EXPECT_EQ((void *)-1, shmat(op.id, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(op.id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(op.id, SHM_STAT_ANY, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(op.id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	close(dev);
}

static sigjmp_buf segv_jmp;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jmp, 1);
}

TEST_F(sysv, shm_rdonly_attach_faults_on_write)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	volatile long *p;
	int faulted = 0;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(0, *p);
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(segv_jmp, 1))
		faulted = 1;
	else
		*p = 1;
	signal(SIGSEGV, SIG_DFL);
	EXPECT_EQ(1, faulted);
	EXPECT_EQ(0, shmdt((void *)p));
}

TEST_F(sysv, shm_rnd_rounds_down_to_shmlba)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	struct svm_info info;
	char *p;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, region_info(id, &info));
	p = (char *)(uintptr_t)info.addr + 100;
	EXPECT_EQ((void *)-1, shmat(id, p, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((void *)(uintptr_t)info.addr, shmat(id, p, SHM_RND));
	EXPECT_EQ(0, shmdt((void *)(uintptr_t)info.addr));
}

TEST_F(sysv, shmat_at_another_address_is_einval)
{
	int id = make_seg(self, new_key(), 2 * PAGE, 0600);
	struct svm_info info;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, region_info(id, &info));
	EXPECT_EQ((void *)-1, shmat(id, (void *)(uintptr_t)(info.addr + PAGE), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((void *)-1, shmat(id, (void *)(uintptr_t)(info.addr + PAGE),
				    SHM_REMAP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, nattch(id));
}

TEST_F(sysv, a_second_attach_is_einval_without_shm_remap)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	long *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	*p = 7;
	EXPECT_EQ((void *)-1, shmat(id, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((void *)-1, shmat(id, p, SHM_RDONLY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(7, *p);
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(-1, shmdt(p));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(sysv, shm_remap_replaces_the_attach)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	long *p;

	ASSERT_LT(0, id);
	EXPECT_EQ((void *)-1, shmat(id, NULL, SHM_REMAP));
	EXPECT_EQ(EINVAL, errno);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	*p = 9;
	EXPECT_EQ(p, shmat(id, p, SHM_REMAP | SHM_RDONLY));
	EXPECT_EQ(9, *p);
	EXPECT_EQ(1, vmas_in((uintptr_t)p, (uintptr_t)p + PAGE, "r--s"));
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0, nattch(id));
	EXPECT_EQ(-1, shmdt(p));
}

/* ---- shmdt -------------------------------------------------------------- */

TEST_F(sysv, shmdt_of_no_attach_is_einval)
{
	int id = make_seg(self, new_key(), 2 * PAGE, 0600);
	char *p;

	EXPECT_EQ(-1, shmdt(&id));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	EXPECT_EQ(-1, shmdt(p + PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(sysv, shmdt_of_a_munmapped_attach_is_einval)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	char *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(0, nattch(id));
	EXPECT_EQ(-1, shmdt(p));
	EXPECT_EQ(EINVAL, errno);
}

/* What is left of a partially munmapped attach goes; the placeholder is back. */
TEST_F(sysv, shmdt_of_a_partly_munmapped_attach_detaches_the_rest)
{
	int id = make_seg(self, new_key(), 3 * PAGE, 0600);
	uintptr_t a;
	char *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	a = (uintptr_t)p;
	ASSERT_EQ(0, munmap(p + PAGE, PAGE));
	ASSERT_EQ(0, mprotect(p + 2 * PAGE, PAGE, PROT_READ));
	EXPECT_EQ(2, vmas_in(a, a + 3 * PAGE, "svm:sysv:"));
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0, nattch(id));
	EXPECT_EQ(0, vmas_in(a, a + 3 * PAGE, "svm:sysv:"));
	/* Placeholder over what was attached; the munmapped hole stays. */
	EXPECT_EQ(2, vmas_in(a, a + 3 * PAGE, "/dev/svm"));
}

TEST_F(sysv, shmdt_of_a_head_munmapped_attach_still_detaches)
{
	int id = make_seg(self, new_key(), 2 * PAGE, 0600);
	char *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, munmap(p, PAGE));
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0, nattch(id));
}

/* ---- shm_nattch and shm_lpid, kept by the kernel ------------------------ */

TEST_F(sysv, twenty_children_attach_and_detach)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	int ready[2], go[2], i;
	pid_t pids[20];
	char c;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	EXPECT_EQ(0, nattch(id));
	for (i = 0; i < 20; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			void *p = shmat(id, NULL, 0);

			close(go[1]);
			if (p == (void *)-1 || write(ready[1], "r", 1) != 1)
				_exit(1);
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			_exit(shmdt(p) ? 3 : 0);
		}
		ASSERT_LT(0, pids[i]);
	}
	close(go[0]);
	for (i = 0; i < 20; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(20, nattch(id));
	close(go[1]);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(0, status_of(pids[i]));
	EXPECT_EQ(0, nattch(id));
}

TEST_F(sysv, a_fork_child_is_one_more_attach)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	int ready[2], go[2];
	pid_t pid;
	void *p;
	char c;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(getpid(), lpid(id));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
			_exit(1);
		/* The child inherited the attach and detaches it. */
		_exit(shmdt(p) ? 2 : 0);
	}
	ASSERT_LT(0, pid);
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(2, nattch(id));
	/* shm_lpid of an attach through fork is the parent, as Linux. */
	EXPECT_EQ(getpid(), lpid(id));
	close(go[1]);
	EXPECT_EQ(0, status_of(pid));
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(pid, lpid(id));
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(sysv, a_sigkilled_attacher_detaches)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	int ready[2];
	pid_t pid;
	char c;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	if (pid == 0) {
		if (shmat(id, NULL, 0) == (void *)-1 || write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(2);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(1, nattch(id));
	EXPECT_EQ(pid, lpid(id));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_TRUE(WIFSIGNALED(status_of(pid)));
	EXPECT_TRUE(POLL_UNTIL(nattch(id) == 0, TIMEOUT_MS));
	EXPECT_EQ(pid, lpid(id));
}

/* The shmid and the address hold in a process that was exec'd. */
TEST_F(sysv, same_address_in_an_exec_d_process)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	char env[32], out[128];
	int pipefd[2];
	long *p, v;
	void *addr;
	ssize_t n;
	pid_t pid;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	*p = 123456;
	ASSERT_EQ(0, pipe(pipefd));
	snprintf(env, sizeof(env), "%d", id);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		setenv(CHILD_ENV, env, 1);
		execl("/proc/self/exe", "svm_sysv", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	n = read(pipefd[0], out, sizeof(out) - 1);
	ASSERT_LT(0, n);
	out[n] = '\0';
	EXPECT_EQ(0, status_of(pid));
	ASSERT_EQ(2, sscanf(out, "%p %ld", &addr, &v));
	EXPECT_EQ((void *)p, addr);
	EXPECT_EQ(123456, v);
	EXPECT_EQ(pid, lpid(id));
	EXPECT_EQ(0, shmdt(p));
}

/* ---- IPC_RMID ----------------------------------------------------------- */

TEST_F(sysv, ipc_rmid_while_attached_marks_shm_dest)
{
	key_t key = new_key();
	int id = make_seg(self, key, PAGE, 0600);
	struct shmid_ds ds;
	int ready[2];
	long *p;
	pid_t pid;
	char c;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	*p = 5;
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(key, ds.shm_perm.__key);
	EXPECT_EQ(0, ds.shm_perm.mode & SHM_DEST);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(SHM_DEST | 0600, ds.shm_perm.mode);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
	/* The key is free: a new shmget makes a new segment. */
	EXPECT_EQ(-1, shmget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	/* Still attachable by its shmid, from another process too. */
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	if (pid == 0) {
		long *q;

		shmdt(p);
		q = shmat(id, NULL, 0);
		_exit(q == p && *q == 5 && write(ready[1], "r", 1) == 1 ? 0 : 1);
	}
	EXPECT_EQ(0, status_of(pid));
	ASSERT_EQ(1, read(ready[0], &c, 1));
	/* A second IPC_RMID succeeds. */
	EXPECT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(0, shmdt(p));
	/* Gone with the last detach. */
	EXPECT_EQ((void *)-1, shmat(id, NULL, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	self->nr--;
}

TEST(ipc_rmid_of_no_segment_is_einval)
{
	EXPECT_EQ(-1, shmctl(INT_MAX, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- IPC_STAT ----------------------------------------------------------- */

TEST_F(sysv, ipc_stat_reports_the_segment)
{
	key_t key = new_key();
	time_t t0 = time(NULL), t1;
	struct shmid_ds ds;
	int id;
	void *p;

	id = make_seg(self, key, 5000, 0640);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	t1 = time(NULL);
	EXPECT_EQ(key, ds.shm_perm.__key);
	EXPECT_EQ(geteuid(), ds.shm_perm.uid);
	EXPECT_EQ(getegid(), ds.shm_perm.gid);
	EXPECT_EQ(geteuid(), ds.shm_perm.cuid);
	EXPECT_EQ(getegid(), ds.shm_perm.cgid);
	EXPECT_EQ(0640, ds.shm_perm.mode);
	EXPECT_EQ(5000, ds.shm_segsz);
	EXPECT_EQ(getpid(), ds.shm_cpid);
	EXPECT_EQ(0, ds.shm_lpid);
	EXPECT_EQ(0, ds.shm_nattch);
	EXPECT_EQ(0, ds.shm_atime);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_LE(t0, ds.shm_ctime);
	EXPECT_GE(t1, ds.shm_ctime);

	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_LE(t0, ds.shm_atime);
	EXPECT_GE(time(NULL), ds.shm_atime);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_EQ(1, ds.shm_nattch);
	EXPECT_EQ(getpid(), ds.shm_lpid);
	ASSERT_EQ(0, shmdt(p));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_LE(ds.shm_atime, ds.shm_dtime);
	EXPECT_GE(time(NULL), ds.shm_dtime);
	EXPECT_EQ(0, ds.shm_nattch);
}

TEST_F(sysv, ipc_stat_into_a_bad_buffer_is_efault)
{
	int id = make_seg(self, new_key(), PAGE, 0600);

	ASSERT_LT(0, id);
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, (struct shmid_ds *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, shmctl(id, IPC_SET, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST(unknown_command_is_einval)
{
	struct shmid_ds ds;

	EXPECT_EQ(-1, shmctl(0, 99, &ds));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- IPC_SET ------------------------------------------------------------ */

TEST_F(sysv, ipc_set_changes_owner_mode_and_ctime)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	struct svm_info before, after;
	struct shmid_ds ds;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, region_info(id, &before));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	ds.shm_perm.uid = 2000;
	ds.shm_perm.gid = 3000;
	ds.shm_perm.mode = SHM_DEST | 0664;	/* only 0777 is taken */
	ASSERT_EQ(0, shmctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(2000, ds.shm_perm.uid);
	EXPECT_EQ(3000, ds.shm_perm.gid);
	EXPECT_EQ(0, ds.shm_perm.cuid);
	EXPECT_EQ(0664, ds.shm_perm.mode);
	ASSERT_EQ(0, region_info(id, &after));
	EXPECT_LT(before.chtime_ns, after.chtime_ns);
	ds.shm_perm.uid = (uid_t)-1;
	EXPECT_EQ(-1, shmctl(id, IPC_SET, &ds));
	EXPECT_EQ(EINVAL, errno);
}

struct set_arg {
	int id;
	uid_t to;
	int want_errno;
};

/* IPC_SET of owner uid to arg->to, as uid 1000: 0 when it went as wanted. */
static int set_owner(void *arg)
{
	struct set_arg *a = arg;
	struct shmid_ds ds;
	int ret;

	if (shmctl(a->id, IPC_STAT, &ds))
		return 10;
	ds.shm_perm.uid = a->to;
	ret = shmctl(a->id, IPC_SET, &ds);
	if (a->want_errno)
		return ret == -1 && errno == a->want_errno ? 0 : 1;
	return ret;
}

/* The owner and the creator may; anyone else gets EPERM. */
TEST_F(sysv, ipc_set_by_owner_creator_and_stranger)
{
	int id = make_seg(self, new_key(), PAGE, 0644);
	struct set_arg a = { .id = id };
	struct shmid_ds ds;

	ASSERT_LT(0, id);
	/* A stranger (uid 1000). */
	a.to = 1000;
	a.want_errno = EPERM;
	EXPECT_EQ(0, svm_as_user(set_owner, &a));
	/* Given to 1000, which as owner gives it to 2000. */
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	ds.shm_perm.uid = 1000;
	ASSERT_EQ(0, shmctl(id, IPC_SET, &ds));
	a.to = 2000;
	a.want_errno = 0;
	EXPECT_EQ(0, svm_as_user(set_owner, &a));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(2000, ds.shm_perm.uid);
	/* Now 1000 is neither owner nor creator. */
	a.to = 1000;
	a.want_errno = EPERM;
	EXPECT_EQ(0, svm_as_user(set_owner, &a));
}

static int create_and_give_away(void *arg)
{
	int id = shmget(*(key_t *)arg, PAGE, IPC_CREAT | 0644);
	struct shmid_ds ds;

	if (id < 0 || shmctl(id, IPC_STAT, &ds))
		return 1;
	ds.shm_perm.uid = 2000;
	if (shmctl(id, IPC_SET, &ds))
		return 2;
	/* Still its creator: it may set it again, and remove it. */
	ds.shm_perm.mode = 0600;
	if (shmctl(id, IPC_SET, &ds))
		return 3;
	return shmctl(id, IPC_RMID, NULL) ? 4 : 0;
}

TEST(the_creator_keeps_ipc_set_and_ipc_rmid)
{
	key_t key = new_key();
	struct shminfo si;

	/* The library opens /dev/svm while still root. */
	ASSERT_LE(0, shmctl(0, IPC_INFO, (struct shmid_ds *)&si));
	EXPECT_EQ(0, svm_as_user(create_and_give_away, &key));
	EXPECT_EQ(-1, shmget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* ---- SHM_LOCK and SHM_UNLOCK -------------------------------------------- */

static int mode_of(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) ? -1 : (int)ds.shm_perm.mode;
}

TEST_F(sysv, shm_lock_is_a_flag)
{
	int id = make_seg(self, new_key(), 4 * PAGE, 0600);
	struct svm_info info;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, shmctl(id, SHM_LOCK, NULL));
	EXPECT_EQ(SHM_LOCKED | 0600, mode_of(id));
	ASSERT_EQ(0, region_info(id, &info));
	EXPECT_EQ(SVM_REGION_SYSV_LOCK, info.flags & SVM_REGION_SYSV_LOCK);
	EXPECT_EQ(4, info.resident);
	/* Twice is still one lock: one unlock ends it. */
	ASSERT_EQ(0, shmctl(id, SHM_LOCK, NULL));
	ASSERT_EQ(0, region_info(id, &info));
	EXPECT_EQ(1, info.svid_count);
	ASSERT_EQ(0, shmctl(id, SHM_UNLOCK, NULL));
	EXPECT_EQ(0600, mode_of(id));
	ASSERT_EQ(0, shmctl(id, SHM_UNLOCK, NULL));
	EXPECT_EQ(0600, mode_of(id));
}

/* mlock(2) of an attach and SHM_LOCK never undo each other. */
TEST_F(sysv, shm_lock_and_mlock_are_independent)
{
	int id = make_seg(self, new_key(), 4 * PAGE, 0600);
	long vmlck;
	char *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	vmlck = svm_status_kb(0, "VmLck");
	ASSERT_EQ(0, mlock(p, 4 * PAGE));
	EXPECT_EQ(vmlck + 16, svm_status_kb(0, "VmLck"));
	ASSERT_EQ(0, shmctl(id, SHM_LOCK, NULL));
	ASSERT_EQ(0, shmctl(id, SHM_UNLOCK, NULL));
	/* Unlocking the segment leaves the mlock. */
	EXPECT_EQ(vmlck + 16, svm_status_kb(0, "VmLck"));
	EXPECT_EQ(0600, mode_of(id));
	ASSERT_EQ(0, shmctl(id, SHM_LOCK, NULL));
	ASSERT_EQ(0, munlock(p, 4 * PAGE));
	/* munlock leaves the segment's lock. */
	EXPECT_EQ(SHM_LOCKED | 0600, mode_of(id));
	EXPECT_EQ(vmlck, svm_status_kb(0, "VmLck"));
	ASSERT_EQ(0, shmctl(id, SHM_UNLOCK, NULL));
	EXPECT_EQ(0, shmdt(p));
}

static int lock_as_stranger(void *arg)
{
	int id = *(int *)arg;

	if (shmctl(id, SHM_LOCK, NULL) != -1 || errno != EPERM)
		return 1;
	return shmctl(id, SHM_UNLOCK, NULL) != -1 || errno != EPERM ? 2 : 0;
}

TEST_F(sysv, shm_lock_by_a_stranger_is_eperm)
{
	int id = make_seg(self, new_key(), PAGE, 0666);

	ASSERT_LT(0, id);
	EXPECT_EQ(0, svm_as_user(lock_as_stranger, &id));
}

/* ---- IPC_INFO, SHM_INFO, SHM_STAT, SHM_STAT_ANY ------------------------- */

TEST_F(sysv, ipc_info_reports_the_module_limits)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	struct svm_window w;
	struct shminfo si;
	int dev = svm_dev_open();

	ASSERT_LT(0, id);
	ASSERT_EQ(0, svm_get_window(dev, &w));
	close(dev);
	EXPECT_LE(id, shmctl(0, IPC_INFO, (struct shmid_ds *)&si));
	EXPECT_EQ(w.max_region_size, si.shmmax);
	EXPECT_EQ(1, si.shmmin);
	EXPECT_EQ(w.max_regions, si.shmmni);
	EXPECT_EQ(w.max_regions, si.shmseg);
	EXPECT_EQ(w.length / PAGE, si.shmall);
}

TEST_F(sysv, shm_info_counts_the_segments)
{
	struct shm_info before, after;
	int a, b, top;
	char *p;

	top = shmctl(0, SHM_INFO, (struct shmid_ds *)&before);
	ASSERT_LE(0, top);
	a = make_seg(self, new_key(), 3 * PAGE, 0600);
	b = make_seg(self, new_key(), 5000, 0600);
	ASSERT_LT(0, a);
	ASSERT_LT(a, b);
	p = shmat(a, NULL, 0);
	ASSERT_NE((void *)-1, p);
	p[0] = p[PAGE] = 1;
	EXPECT_EQ(b, shmctl(0, SHM_INFO, (struct shmid_ds *)&after));
	EXPECT_EQ(before.used_ids + 2, after.used_ids);
	EXPECT_EQ(before.shm_tot + 5, after.shm_tot);
	EXPECT_EQ(before.shm_rss + 2, after.shm_rss);
	EXPECT_EQ(0, after.shm_swp);
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(sysv, shm_stat_takes_the_shmid_as_index)
{
	int id = make_seg(self, new_key(), PAGE, 0600);
	struct shmid_ds ds, st;

	ASSERT_LT(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	memset(&st, 0xff, sizeof(st));
	EXPECT_EQ(id, shmctl(id, SHM_STAT, &st));
	EXPECT_EQ(0, memcmp(&ds, &st, sizeof(ds)));
	memset(&st, 0xff, sizeof(st));
	EXPECT_EQ(id, shmctl(id, SHM_STAT_ANY, &st));
	EXPECT_EQ(0, memcmp(&ds, &st, sizeof(ds)));
	EXPECT_EQ(-1, shmctl(-1, SHM_STAT, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(INT_MAX, SHM_STAT_ANY, &st));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- the placeholder ---------------------------------------------------- */

TEST_F(sysv, shmdt_puts_the_placeholder_back)
{
	int id = make_seg(self, new_key(), 2 * PAGE, 0600);
	uintptr_t a;
	void *p;

	ASSERT_LT(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_NE((void *)-1, p);
	a = (uintptr_t)p;
	EXPECT_EQ(1, vmas_in(a, a + 2 * PAGE, "svm:sysv:"));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(1, vmas_in(a, a + 2 * PAGE, NULL));
	EXPECT_EQ(1, vmas_in(a, a + 2 * PAGE, "/dev/svm"));
}

TEST_HARNESS_MAIN
