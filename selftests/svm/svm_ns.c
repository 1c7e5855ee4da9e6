// SPDX-License-Identifier: GPL-2.0
/*
 * IPC namespaces: a region belongs to the IPC namespace it was created
 * in.  Open, remove and list by name see only the caller's namespace; an
 * fd reaches a region from anywhere; a dead namespace's names go (at the
 * next request on /dev/svm, or from the module's own work within about a
 * second), its regions living on while an fd or mapping holds them; each
 * namespace but the initial one has its own limits (ns_max_regions:
 * EMLINK, ns_max_bytes: ENOBUFS); INFO and MAPPERS speak the caller's
 * user and pid namespaces.
 *
 * The test process stays in the initial namespaces.  Each child that
 * enters new ones talks to it over a unix socket (struct msg, with a
 * region fd alongside when there is one), and waits for its word where
 * the test needs the child's namespace alive.
 */
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define PAGE		4096ULL
#define MAGIC		0x5a5a1234
#define OVERFLOW_ID	65534	/* /proc/sys/kernel/overflow{u,g}id */
#define UID_A		1000
#define GID_A		1000

/* What a child reports; v[0] is usually the first call's result. */
struct msg {
	long long v[8];
};

/* ---- talking to a child ------------------------------------------------ */

static int chan_send(int sock, const struct msg *m, int fd)
{
	return svm_send_fd(sock, m, sizeof(*m), fd);
}

/* Receive a message; *fd (when not NULL) is the fd sent with it, or -1. */
static int chan_recv(int sock, struct msg *m, int *fd)
{
	int got, ret;

	memset(m, 0, sizeof(*m));
	ret = svm_recv_fd(sock, m, sizeof(*m), &got);
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	return ret;
}

/* One child of the test: what it is given, and its end of the socket. */
struct child {
	int dev;		/* /dev/svm, inherited */
	int sock;		/* the child's end */
	int fd;			/* a region fd, inherited, or -1 */
	const char *name;
	int flags;		/* unshare() flags */
};

/* The child sends v0..v3 (the rest 0) and an fd, or -1 for none. */
static int report(struct child *c, int fd, long long v0, long long v1,
		  long long v2, long long v3)
{
	struct msg m = { .v = { v0, v1, v2, v3 } };

	return chan_send(c->sock, &m, fd);
}

/* The child waits for the test's word; 0 when it came. */
static int wait_go(struct child *c)
{
	struct msg m;

	return chan_recv(c->sock, &m, NULL);
}

static int go(int sock)
{
	struct msg m = { .v = { 1 } };

	return chan_send(sock, &m, -1);
}

/*
 * Fork a child that enters c->flags' new namespaces and runs fn, whose
 * value is its exit status (an unshare() failure is 100).  Returns the
 * pid; *sock is the test's end of the socket.
 */
static pid_t spawn(struct child *c, int (*fn)(struct child *), int *sock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		c->sock = sv[1];
		if (c->flags && unshare(c->flags))
			_exit(100);
		_exit(fn(c));
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -1;
	}
	*sock = sv[0];
	return pid;
}

/* Wait for the child; its exit status, or -1 if it did not exit. */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Run fn in a child (spawn()), take its one message, with *fd the fd that
 * came with it when fd is not NULL, and reap it: 0 when it all went and
 * the child exited 0, else -1.
 */
static int run_child(struct child *c, int (*fn)(struct child *),
		     struct msg *m, int *fd)
{
	int sock, ret;
	pid_t pid = spawn(c, fn, &sock);

	if (pid < 0)
		return -1;
	ret = chan_recv(sock, m, fd);
	if (reap(pid))
		ret = -1;
	close(sock);
	return ret;
}

/* ---- the module's view ------------------------------------------------- */

/*
 * Walk SVM_IOC_LIST of the caller's namespace: the number of regions, or
 * -errno; *found is set when one has the name or the id.
 */
static int list_regions(int dev, const char *name, uint64_t id, int *found)
{
	struct svm_info buf[8];
	struct svm_list l = {
		.size = sizeof(l), .entries = (uintptr_t)buf,
		.entry_size = sizeof(buf[0]),
	};
	unsigned int i;
	int n = 0;

	*found = 0;
	for (;;) {
		l.count = 8;
		if (ioctl(dev, SVM_IOC_LIST, &l))
			return -errno;
		if (!l.count)
			return n;
		for (i = 0; i < l.count; i++)
			if ((name && !strcmp(buf[i].name, name)) ||
			    (id && buf[i].id == id))
				*found = 1;
		n += l.count;
	}
}

static int create_flags(int dev, const char *name, uint64_t len,
			unsigned int flags, struct svm_open *out)
{
	return svm_open_region(dev, name, len,
			       SVM_OPEN_CREATE | SVM_OPEN_CLOEXEC | flags,
			       0600, out);
}

static int open_existing(int dev, const char *name, struct svm_open *out)
{
	return svm_open_region(dev, name, 0, SVM_OPEN_CLOEXEC, 0, out);
}

static uint32_t info_flags(int fd)
{
	struct svm_info info;

	return svm_get_info(fd, &info) ? 0xffffffff : info.flags;
}

/* ---- the fixture ------------------------------------------------------- */

static const char * const ns_params[] = { "ns_max_regions", "ns_max_bytes" };

#define USERNS_SYSCTL	"/proc/sys/kernel/unprivileged_userns_clone"

FIXTURE(ns) {
	pid_t owner;		/* the process running the test */
	int dev;
	struct svm_window start;
	unsigned long long params[2];
	char name[SVM_NAME_MAX];
};

FIXTURE_SETUP(ns)
{
	unsigned int i;

	self->owner = getpid();
	for (i = 0; i < 2; i++) {
		self->params[i] = svm_get_param(ns_params[i]);
		ASSERT_NE(0, self->params[i]);
	}
	self->dev = svm_dev_open();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, svm_get_window(self->dev, &self->start));
}

/*
 * Run by the harness's waiting process (see svm_perm.c: a plain teardown
 * is skipped after a failed ASSERT): the parameters go back, and the
 * window is as the test found it once every child's namespace is dead.
 */
FIXTURE_TEARDOWN_PARENT(ns)
{
	struct svm_window w = { 0 };
	unsigned int i;
	int dev;

	if (getpid() == self->owner)
		close(self->dev);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, svm_set_param(ns_params[i], self->params[i]));
	dev = svm_dev_open();
	ASSERT_LE(0, dev);
	EXPECT_TRUE(POLL_UNTIL(svm_get_window(dev, &w) == 0 &&
			       w.nr_regions == self->start.nr_regions &&
			       w.free == self->start.free, 5000));
	EXPECT_EQ(self->start.nr_regions, w.nr_regions);
	EXPECT_EQ(self->start.free, w.free);
	close(dev);
}

/* A name unique to this test (its process) and tag. */
static const char *nm(FIXTURE_DATA(ns) *self, const char *tag)
{
	snprintf(self->name, sizeof(self->name), "ns-%d-%s", getpid(), tag);
	return self->name;
}

/* ---- children ---------------------------------------------------------- */

/* Count what SVM_IOC_LIST shows; v0 the count, v1 whether name is there. */
static int child_list(struct child *c)
{
	int found, n = list_regions(c->dev, c->name, 0, &found);

	return report(c, -1, n, found, 0, 0) ? 1 : 0;
}

/*
 * Create c->name (persistent) and report: v0 the fd or -errno, v1 the id,
 * v2 the address, v3 out_flags.  Then wait for the word and report what
 * SVM_IOC_LIST shows of the namespace (as child_list()).
 */
static int child_create_wait(struct child *c)
{
	struct svm_open o = { 0 };
	int fd = create_flags(c->dev, c->name, PAGE, SVM_OPEN_PERSIST, &o);
	int found, n;

	if (report(c, -1, fd < 0 ? fd : 0, o.id, o.addr, o.out_flags))
		return 1;
	if (wait_go(c))
		return 1;
	n = list_regions(c->dev, c->name, 0, &found);
	return report(c, -1, n, found, 0, 0) ? 1 : 0;
}

/* Open and remove c->name, as it is: v0 the open's errno, v1 remove's. */
static int child_open_remove(struct child *c)
{
	int fd = open_existing(c->dev, c->name, NULL);
	int rm = svm_remove_name(c->dev, c->name);

	return report(c, -1, fd < 0 ? fd : 0, rm, 0, 0) ? 1 : 0;
}

/*
 * Create c->name (persistent) and remove it: v0 create, v1 the first
 * remove, v2 the second (ENOENT by then).
 */
static int child_create_remove(struct child *c)
{
	int fd = create_flags(c->dev, c->name, PAGE, SVM_OPEN_PERSIST, NULL);
	int rm1 = svm_remove_name(c->dev, c->name);
	int rm2 = svm_remove_name(c->dev, c->name);

	return report(c, -1, fd < 0 ? fd : 0, rm1, rm2, 0) ? 1 : 0;
}

/*
 * Create c->name (persistent), report v0 the result and v1 the id; after
 * the word, open it again by name: v0 the result, v1 the id.
 */
static int child_create_reopen(struct child *c)
{
	struct svm_open o = { 0 };
	int fd = create_flags(c->dev, c->name, PAGE, SVM_OPEN_PERSIST, &o);

	if (report(c, -1, fd < 0 ? fd : 0, o.id, 0, 0) || wait_go(c))
		return 1;
	memset(&o, 0, sizeof(o));
	fd = open_existing(c->dev, c->name, &o);
	if (report(c, -1, fd < 0 ? fd : 0, o.id, 0, 0))
		return 1;
	/* The namespace dies with the child; its name goes then. */
	return 0;
}

/*
 * Create c->name, map it, write MAGIC, send the fd; after the word,
 * report v0 what the first word of the mapping holds.
 */
static int child_create_pass(struct child *c)
{
	int fd = create_flags(c->dev, c->name, PAGE, 0, NULL);
	volatile uint32_t *p;

	if (fd < 0) {
		report(c, -1, fd, 0, 0, 0);
		return 1;
	}
	p = svm_map(fd, PAGE, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		report(c, -1, -errno, 0, 0, 0);
		return 1;
	}
	*p = MAGIC;
	if (report(c, fd, 0, 0, 0, 0) || wait_go(c))
		return 1;
	return report(c, -1, *p, 0, 0, 0) ? 1 : 0;
}

/*
 * Map the inherited c->fd and report v0 0 or -errno, v1 its first word;
 * then write MAGIC + 1 there.
 */
static int child_map_inherited(struct child *c)
{
	volatile uint32_t *p = svm_map(c->fd, PAGE, PROT_READ | PROT_WRITE);

	if (p == MAP_FAILED)
		return report(c, -1, -errno, 0, 0, 0) ? 1 : 0;
	p[0] = MAGIC + 1;
	return report(c, -1, 0, p[1], 0, 0) ? 1 : 0;
}

/*
 * Create two persistent regions: c->name-a of 3 pages and c->name-b of
 * 5, which it maps, fills with MAGIC and sends to the test (v0 0 or
 * -errno).  Exits on the word, and its namespace dies with it.
 */
static int child_two_persistent(struct child *c)
{
	char a[SVM_NAME_MAX], b[SVM_NAME_MAX];
	volatile uint32_t *p;
	int fa, fb;

	snprintf(a, sizeof(a), "%s-a", c->name);
	snprintf(b, sizeof(b), "%s-b", c->name);
	fa = create_flags(c->dev, a, 3 * PAGE, SVM_OPEN_PERSIST, NULL);
	fb = create_flags(c->dev, b, 5 * PAGE, SVM_OPEN_PERSIST, NULL);
	if (fa < 0 || fb < 0) {
		report(c, -1, fa < 0 ? fa : fb, 0, 0, 0);
		return 1;
	}
	p = svm_map(fb, 5 * PAGE, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		report(c, -1, -errno, 0, 0, 0);
		return 1;
	}
	p[0] = MAGIC;
	munmap((void *)p, 5 * PAGE);
	close(fa);
	if (report(c, fb, 0, 0, 0, 0) || wait_go(c))
		return 1;
	return 0;
}

/*
 * Create regions c->name-N of pages[N] pages (up to 4, 0 ends), their fds
 * kept open; report each result (0 or -errno).
 */
static int child_create_sizes(struct child *c, const int *pages)
{
	long long v[4] = { 0 };
	char name[SVM_NAME_MAX];
	int i;

	for (i = 0; i < 4 && pages[i]; i++) {
		snprintf(name, sizeof(name), "%s-%d", c->name, i);
		v[i] = create_flags(c->dev, name, pages[i] * PAGE, 0, NULL);
		if (v[i] >= 0)
			v[i] = 0;	/* the fds stay open until exit */
	}
	return report(c, -1, v[0], v[1], v[2], v[3]) ? 1 : 0;
}

static int child_three_regions(struct child *c)
{
	static const int pages[] = { 1, 1, 1, 0 };

	return child_create_sizes(c, pages);
}

static int child_bytes(struct child *c)
{
	static const int pages[] = { 3, 2, 1, 1 };

	return child_create_sizes(c, pages);
}

/*
 * Create c->name-0 and -1 (a page each), then have a grandchild in a
 * further new IPC namespace create c->name-2: report v0 and v1 the two
 * results, v2 the grandchild's (its exit status: 0, or the errno).
 */
static int child_nested_limit(struct child *c)
{
	char name[SVM_NAME_MAX];
	int r0, r1, r2, status;
	pid_t pid;

	snprintf(name, sizeof(name), "%s-0", c->name);
	r0 = create_flags(c->dev, name, PAGE, 0, NULL);
	snprintf(name, sizeof(name), "%s-1", c->name);
	r1 = create_flags(c->dev, name, PAGE, 0, NULL);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC))
			_exit(100);
		snprintf(name, sizeof(name), "%s-2", c->name);
		r2 = create_flags(c->dev, name, PAGE, 0, NULL);
		_exit(r2 < 0 ? -r2 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return report(c, -1, r0 < 0 ? r0 : 0, r1 < 0 ? r1 : 0,
		      WEXITSTATUS(status), 0) ? 1 : 0;
}

/*
 * As uid/gid UID_A, no capabilities: enter a new user namespace that maps
 * uid 0 to UID_A and no gid, and a new IPC namespace; create c->name and
 * report, from INFO, v0 its uid, v1 its gid, v2 its cuid, and v3 the uid
 * and gid of c->fd (the test's region, owned by root), packed
 * (uid << 32 | gid).  The new region's fd goes to the test.
 */
static int child_userns(struct child *c)
{
	struct svm_info mine, theirs;
	char map[32];
	int fd;

	if (setgroups(0, NULL) || setresgid(GID_A, GID_A, GID_A) ||
	    setresuid(UID_A, UID_A, UID_A))
		return 101;
	/* Else /proc/self would be root's, and uid_map not ours to write. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 101;
	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
		return 102;
	snprintf(map, sizeof(map), "0 %d 1\n", UID_A);
	if (svm_write_file("/proc/self/uid_map", map))
		return 103;
	fd = create_flags(c->dev, c->name, PAGE, 0, NULL);
	if (fd < 0)
		return report(c, -1, fd, 0, 0, 0) ? 1 : 104;
	if (svm_get_info(fd, &mine) || svm_get_info(c->fd, &theirs))
		return 105;
	return report(c, fd, mine.uid, mine.gid, mine.cuid,
		      (long long)theirs.uid << 32 | theirs.gid) ? 1 : 0;
}

/*
 * In a new PID (and IPC) namespace: fork the namespace's init, which
 * inherits the test's mapping of c->fd from this child, which inherited
 * it from the test.  The init reports, as seen from inside: v0 its own
 * pid, v1 the mappers in all, v2 those with pid 0, v3 the nr_maps of
 * the entry with its own pid (1), and (second message) v0 INFO's cpid.
 * This child sends the init's pid outside (v0) first, and lets the init
 * go on the test's word.
 */
static int child_pidns(struct child *c)
{
	int gate[2], status, i, zero = 0, mine = 0;
	struct svm_mapper buf[8];
	struct svm_info info;
	pid_t pid;
	char ch;
	int n;

	if (pipe2(gate, O_CLOEXEC))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		n = svm_get_mappers(c->fd, buf, 8);
		for (i = 0; i < n && i < 8; i++) {
			if (buf[i].pid == 0)
				zero++;
			if (buf[i].pid == getpid())
				mine = buf[i].nr_maps;
		}
		if (svm_get_info(c->fd, &info))
			_exit(1);
		/* Held until the test has looked from outside. */
		if (read(gate[0], &ch, 1) != 1)
			_exit(1);
		if (report(c, -1, getpid(), n, zero, mine) ||
		    report(c, -1, info.cpid, 0, 0, 0))
			_exit(1);
		_exit(0);
	}
	close(gate[0]);
	if (pid < 0)
		return 1;
	if (report(c, -1, pid, 0, 0, 0) || wait_go(c) ||
	    write(gate[1], "g", 1) != 1)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

/* ---- names are per namespace ------------------------------------------- */

TEST_F(ns, new_namespace_lists_none_of_the_parents_regions)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct svm_open o;
	struct msg m;
	int fd, found;

	c.name = nm(self, "p");
	fd = create_flags(self->dev, c.name, PAGE, 0, &o);
	ASSERT_LE(0, fd);
	ASSERT_LE(1, list_regions(self->dev, c.name, o.id, &found));
	ASSERT_EQ(1, found);
	ASSERT_EQ(0, run_child(&c, child_list, &m, NULL));
	EXPECT_EQ(0, m.v[0]);		/* no region at all */
	EXPECT_EQ(0, m.v[1]);
	close(fd);
}

TEST_F(ns, parent_lists_none_of_a_child_namespaces_regions)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;
	int sock, found;
	pid_t pid;

	c.name = nm(self, "c");
	pid = spawn(&c, child_create_wait, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	ASSERT_EQ(0, m.v[0]);
	ASSERT_NE(0, m.v[1]);
	/* The child's namespace is alive: it waits for the word. */
	ASSERT_LE(0, list_regions(self->dev, c.name, m.v[1], &found));
	EXPECT_EQ(0, found);
	EXPECT_EQ(-ENOENT, open_existing(self->dev, c.name, NULL));
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(1, m.v[0]);		/* the child sees its own */
	EXPECT_EQ(1, m.v[1]);
	EXPECT_EQ(0, reap(pid));
	close(sock);
}

TEST_F(ns, open_of_a_parents_name_is_enoent)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;
	int fd;

	c.name = nm(self, "o");
	fd = create_flags(self->dev, c.name, PAGE, SVM_OPEN_PERSIST, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_child(&c, child_open_remove, &m, NULL));
	EXPECT_EQ(-ENOENT, m.v[0]);
	EXPECT_EQ(0, svm_remove_name(self->dev, c.name));
	close(fd);
}

TEST_F(ns, remove_of_a_parents_name_is_enoent_and_leaves_it)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;
	int fd;

	c.name = nm(self, "r");
	fd = create_flags(self->dev, c.name, PAGE, SVM_OPEN_PERSIST, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_child(&c, child_open_remove, &m, NULL));
	EXPECT_EQ(-ENOENT, m.v[1]);
	EXPECT_EQ(0, info_flags(fd) & SVM_REGION_REMOVED);
	EXPECT_EQ(0, svm_remove_name(self->dev, c.name));
	close(fd);
}

TEST_F(ns, same_name_in_a_child_namespace_is_a_distinct_region)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct svm_open o;
	struct msg m;
	int fd, sock;
	pid_t pid;

	c.name = nm(self, "d");
	fd = create_flags(self->dev, c.name, PAGE, SVM_OPEN_EXCL, &o);
	ASSERT_LE(0, fd);
	pid = spawn(&c, child_create_wait, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(0, m.v[0]);			/* no EEXIST */
	EXPECT_EQ(SVM_OPEN_CREATED, m.v[3]);
	EXPECT_NE(o.id, (uint64_t)m.v[1]);
	EXPECT_NE(o.addr, (uint64_t)m.v[2]);
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(0, reap(pid));
	close(sock);
	close(fd);
}

TEST_F(ns, remove_in_a_child_namespace_leaves_the_parents_region)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct svm_open o, again;
	struct msg m;
	int fd, fd2;

	c.name = nm(self, "rc");
	fd = create_flags(self->dev, c.name, PAGE, SVM_OPEN_PERSIST, &o);
	ASSERT_LE(0, fd);
	close(fd);		/* only the name holds it now */
	ASSERT_EQ(0, run_child(&c, child_create_remove, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(0, m.v[1]);
	EXPECT_EQ(-ENOENT, m.v[2]);
	fd2 = open_existing(self->dev, c.name, &again);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(o.id, again.id);
	EXPECT_EQ(0, svm_remove_name(self->dev, c.name));
	close(fd2);
}

TEST_F(ns, remove_in_the_parent_leaves_a_child_namespaces_region)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;
	long long id;
	int fd, sock;
	pid_t pid;

	c.name = nm(self, "rp");
	fd = create_flags(self->dev, c.name, PAGE, SVM_OPEN_PERSIST, NULL);
	ASSERT_LE(0, fd);
	pid = spawn(&c, child_create_reopen, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	ASSERT_EQ(0, m.v[0]);
	id = m.v[1];
	EXPECT_EQ(0, svm_remove_name(self->dev, c.name));
	EXPECT_EQ(-ENOENT, svm_remove_name(self->dev, c.name));
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(id, m.v[1]);
	EXPECT_EQ(0, reap(pid));
	close(sock);
	close(fd);
}

/* ---- file descriptors cross namespaces --------------------------------- */

TEST_F(ns, fd_passed_over_scm_rights_maps_across_namespaces)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	volatile uint32_t *p;
	struct msg m;
	int fd, sock;
	pid_t pid;

	c.name = nm(self, "scm");
	pid = spawn(&c, child_create_pass, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, &fd));
	ASSERT_EQ(0, m.v[0]);
	ASSERT_LE(0, fd);
	p = svm_map(fd, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAGIC, p[0]);
	p[0] = MAGIC + 7;
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(MAGIC + 7, m.v[0]);
	EXPECT_EQ(0, reap(pid));
	close(sock);
	munmap((void *)p, PAGE);
	close(fd);
}

TEST_F(ns, fd_inherited_before_unshare_maps_in_the_new_namespace)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	volatile uint32_t *p;
	struct msg m;

	c.name = nm(self, "inh");
	c.fd = create_flags(self->dev, c.name, PAGE, 0, NULL);
	ASSERT_LE(0, c.fd);
	p = svm_map(c.fd, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	p[1] = MAGIC;
	ASSERT_EQ(0, munmap((void *)p, PAGE));	/* the child maps the fd */
	ASSERT_EQ(0, run_child(&c, child_map_inherited, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(MAGIC, m.v[1]);
	p = svm_map(c.fd, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(MAGIC + 1, p[0]);
	munmap((void *)p, PAGE);
	close(c.fd);
}

/* ---- a dead namespace's names go --------------------------------------- */

/*
 * The child's namespace dies as it exits (before the test can reap it):
 * the very next request on /dev/svm finds its names gone, the region no
 * one holds destroyed, and the one the test maps alive until unmapped.
 */
TEST_F(ns, dead_namespace_names_are_gone_at_the_next_request)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct svm_window w;
	volatile uint32_t *p;
	struct msg m;
	int fd, sock;
	pid_t pid;

	c.name = nm(self, "dead");
	pid = spawn(&c, child_two_persistent, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, &fd));
	ASSERT_EQ(0, m.v[0]);
	ASSERT_LE(0, fd);
	p = svm_map(fd, 5 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.nr_regions + 2, w.nr_regions);
	EXPECT_EQ(SVM_REGION_PERSIST, info_flags(fd));
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, reap(pid));
	close(sock);

	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.nr_regions + 1, w.nr_regions);
	EXPECT_EQ(self->start.free - 6 * PAGE, w.free);
	EXPECT_EQ(SVM_REGION_PERSIST | SVM_REGION_REMOVED, info_flags(fd));
	EXPECT_EQ(MAGIC, p[0]);
	p[4 * PAGE / 4] = MAGIC;	/* the last page still works */
	EXPECT_EQ(MAGIC, p[4 * PAGE / 4]);
	close(fd);			/* the mapping holds it */
	EXPECT_EQ(MAGIC, p[0]);
	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.nr_regions + 1, w.nr_regions);
	munmap((void *)p, 5 * PAGE);
	ASSERT_EQ(0, svm_get_window(self->dev, &w));
	EXPECT_EQ(self->start.nr_regions, w.nr_regions);
	EXPECT_EQ(self->start.free, w.free);
}

/*
 * With no request on /dev/svm at all, the module's work removes a dead
 * namespace's names within about a second: the region held by an fd is
 * marked removed (SVM_IOC_INFO is a region request, no such look), and
 * the one no one holds is destroyed, which the module's reference count
 * shows.
 */
TEST_F(ns, dead_namespace_names_are_gone_without_a_request)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	long refcnt = svm_module_refcnt();
	struct msg m;
	int fd, sock;
	pid_t pid;

	ASSERT_LT(0, refcnt);
	c.name = nm(self, "work");
	pid = spawn(&c, child_two_persistent, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, &fd));
	ASSERT_EQ(0, m.v[0]);
	ASSERT_LE(0, fd);
	/* Two regions and the fd's file (svm_region_file() takes one). */
	EXPECT_EQ(refcnt + 3, svm_module_refcnt());
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, reap(pid));
	close(sock);

	EXPECT_TRUE(POLL_UNTIL(info_flags(fd) & SVM_REGION_REMOVED, 5000));
	EXPECT_TRUE(POLL_UNTIL(svm_module_refcnt() == refcnt + 2, 5000));
	EXPECT_EQ(refcnt + 2, svm_module_refcnt());
	close(fd);
	EXPECT_TRUE(POLL_UNTIL(svm_module_refcnt() == refcnt, 5000));
	EXPECT_EQ(refcnt, svm_module_refcnt());
}

/* ---- per-namespace limits ---------------------------------------------- */

TEST_F(ns, namespace_region_limit_is_emlink)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;

	ASSERT_EQ(0, svm_set_param("ns_max_regions", 2));
	c.name = nm(self, "lim");
	ASSERT_EQ(0, run_child(&c, child_three_regions, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(0, m.v[1]);
	EXPECT_EQ(-EMLINK, m.v[2]);
}

TEST_F(ns, namespace_byte_limit_is_enobufs)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;

	ASSERT_EQ(0, svm_set_param("ns_max_bytes", 4 * PAGE));
	c.name = nm(self, "bytes");
	/* 3, 2, 1 and 1 pages */
	ASSERT_EQ(0, run_child(&c, child_bytes, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(-ENOBUFS, m.v[1]);
	EXPECT_EQ(0, m.v[2]);			/* exactly the limit */
	EXPECT_EQ(-ENOBUFS, m.v[3]);
}

TEST_F(ns, namespace_limits_count_each_namespace_apart)
{
	struct child c = { .dev = self->dev, .flags = CLONE_NEWIPC };
	struct msg m;

	ASSERT_EQ(0, svm_set_param("ns_max_regions", 1));
	c.name = nm(self, "apart");
	ASSERT_EQ(0, run_child(&c, child_nested_limit, &m, NULL));
	EXPECT_EQ(0, m.v[0]);
	EXPECT_EQ(-EMLINK, m.v[1]);
	EXPECT_EQ(0, m.v[2]);		/* the grandchild's namespace */
}

TEST_F(ns, namespace_limits_do_not_bound_the_initial_namespace)
{
	char name[SVM_NAME_MAX];
	int fds[3], i;

	ASSERT_EQ(0, svm_set_param("ns_max_regions", 1));
	ASSERT_EQ(0, svm_set_param("ns_max_bytes", PAGE));
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "ns-%d-init-%d", getpid(), i);
		fds[i] = create_flags(self->dev, name, 2 * PAGE, 0, NULL);
		EXPECT_LE(0, fds[i]);
	}
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- INFO and MAPPERS in the caller's namespaces ----------------------- */

TEST_F(ns, info_ids_are_translated_into_an_unprivileged_user_namespace)
{
	struct child c = { .dev = self->dev, .flags = 0 };
	unsigned long long userns_clone = 1;
	struct svm_info info;
	struct msg m;
	int mine, sock, have_sysctl;
	pid_t pid;

	/* Debian's switch for unprivileged user namespaces (1 by default). */
	have_sysctl = access(USERNS_SYSCTL, F_OK) == 0;
	if (have_sysctl) {
		FILE *f = fopen(USERNS_SYSCTL, "r");

		ASSERT_NE(NULL, f);
		ASSERT_EQ(1, fscanf(f, "%llu", &userns_clone));
		fclose(f);
		ASSERT_EQ(0, svm_write_file(USERNS_SYSCTL, "1\n"));
	}
	c.fd = create_flags(self->dev, nm(self, "root"), PAGE, 0, NULL);
	ASSERT_LE(0, c.fd);
	c.name = nm(self, "user");
	pid = spawn(&c, child_userns, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, &mine));
	EXPECT_EQ(0, reap(pid));
	close(sock);
	if (have_sysctl && userns_clone != 1) {
		char v[24];

		snprintf(v, sizeof(v), "%llu\n", userns_clone);
		EXPECT_EQ(0, svm_write_file(USERNS_SYSCTL, v));
	}
	ASSERT_LE(0, mine);
	EXPECT_EQ(0, m.v[0]);			/* UID_A is its uid 0 */
	EXPECT_EQ(OVERFLOW_ID, m.v[1]);		/* no gid is mapped */
	EXPECT_EQ(0, m.v[2]);
	EXPECT_EQ((long long)OVERFLOW_ID << 32 | OVERFLOW_ID, m.v[3]);
	/* From here, the same region is UID_A's. */
	ASSERT_EQ(0, svm_get_info(mine, &info));
	EXPECT_EQ(UID_A, info.uid);
	EXPECT_EQ(GID_A, info.gid);
	EXPECT_EQ(UID_A, info.cuid);
	close(mine);
	close(c.fd);
}

TEST_F(ns, mappers_pids_inside_a_pid_namespace_are_its_own)
{
	struct child c = {
		.dev = self->dev, .flags = CLONE_NEWPID | CLONE_NEWIPC,
	};
	volatile uint32_t *p;
	struct msg m;
	int sock;
	pid_t pid;

	c.fd = create_flags(self->dev, nm(self, "pid"), PAGE, 0, NULL);
	ASSERT_LE(0, c.fd);
	p = svm_map(c.fd, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pid = spawn(&c, child_pidns, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));	/* the init's pid */
	ASSERT_LT(0, m.v[0]);
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(1, m.v[0]);		/* the namespace's init */
	EXPECT_EQ(3, m.v[1]);		/* the test, the child, the init */
	EXPECT_EQ(2, m.v[2]);		/* the two outside: pid 0 */
	EXPECT_EQ(1, m.v[3]);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(0, m.v[0]);		/* the creator is outside too */
	EXPECT_EQ(0, reap(pid));
	close(sock);
	munmap((void *)p, PAGE);
	close(c.fd);
}

TEST_F(ns, mappers_pids_of_a_child_pid_namespace_are_the_parents)
{
	struct child c = {
		.dev = self->dev, .flags = CLONE_NEWPID | CLONE_NEWIPC,
	};
	volatile uint32_t *p;
	pid_t pid, init;
	struct msg m;
	int sock;

	c.fd = create_flags(self->dev, nm(self, "pid2"), PAGE, 0, NULL);
	ASSERT_LE(0, c.fd);
	p = svm_map(c.fd, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pid = spawn(&c, child_pidns, &sock);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	init = m.v[0];
	ASSERT_LT(1, init);		/* its pid in the test's namespace */
	EXPECT_EQ(1, svm_maps_of(c.fd, getpid()));
	EXPECT_EQ(1, svm_maps_of(c.fd, pid));
	EXPECT_EQ(1, svm_maps_of(c.fd, init));
	EXPECT_EQ(3, svm_get_mappers(c.fd, NULL, 0));
	ASSERT_EQ(0, go(sock));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	ASSERT_EQ(0, chan_recv(sock, &m, NULL));
	EXPECT_EQ(0, reap(pid));
	close(sock);
	munmap((void *)p, PAGE);
	close(c.fd);
}

TEST_HARNESS_MAIN
