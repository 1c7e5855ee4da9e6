// SPDX-License-Identifier: GPL-2.0
/*
 * svmctl end to end (fork/exec of /bin/svmctl, its output read through
 * pipes, the effect checked through the raw ioctls), and the wiring
 * functions of libsvmk.
 */
#include <elf.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"
#include "svmk.h"

#define SVMCTL_PATH	"/bin/svmctl"
#define LEN		(64 * 1024)
#define POLL_MS		10000

/* ---- running svmctl ---------------------------------------------------- */

/* Who svmctl runs as: root, or uid/gid 1000 with an RLIMIT_MEMLOCK. */
struct cred {
	bool user;
	rlim_t memlock;
};

static const struct cred root = { .user = false };

struct run {
	int status;		/* exit code, or 128 + the signal */
	char out[8192];
	char err[4096];
};

/* A started svmctl: its pid and the read ends of its stdout and stderr. */
struct job {
	pid_t pid;
	int out, err;
	bool running;		/* not reaped yet */
};

static int become(const struct cred *c)
{
	struct rlimit rl = { c->memlock, c->memlock };

	if (!c->user)
		return 0;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
	    setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		return -1;
	return 0;
}

/* Start svmctl with argv (argv[0] included) as c; 0 or -1. */
static int svmctl_start(const struct cred *c, const char *const argv[],
			struct job *j)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC))
		return -1;
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	j->pid = fork();
	if (j->pid == 0) {
		if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 || become(c))
			_exit(126);
		execv(SVMCTL_PATH, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	j->out = out[0];
	j->err = err[0];
	if (j->pid < 0) {
		close(j->out);
		close(j->err);
		return -1;
	}
	j->running = true;
	return 0;
}

/* Append what fd has to buf (of cap bytes, kept NUL-terminated); 0 at EOF. */
static ssize_t read_some(int fd, char *buf, size_t cap)
{
	size_t len = strlen(buf);
	char tmp[1024];
	ssize_t n;

	n = read(fd, tmp, sizeof(tmp));
	if (n <= 0)
		return n;
	if ((size_t)n > cap - 1 - len)
		n = cap - 1 - len;
	memcpy(buf + len, tmp, n);
	buf[len + n] = '\0';
	return 1;
}

/* Read both pipes to their end, then reap the job; r->status. */
static int svmctl_finish(struct job *j, struct run *r)
{
	struct pollfd p[2] = {
		{ .fd = j->out, .events = POLLIN },
		{ .fd = j->err, .events = POLLIN },
	};
	int live = 2, status, i;

	r->out[0] = r->err[0] = '\0';
	while (live) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			if (read_some(p[i].fd, i ? r->err : r->out,
				      i ? sizeof(r->err) : sizeof(r->out)) <= 0) {
				p[i].fd = -1;
				live--;
			}
		}
	}
	close(j->out);
	close(j->err);
	if (waitpid(j->pid, &status, 0) != j->pid)
		return r->status = -1;
	j->running = false;
	if (WIFEXITED(status))
		return r->status = WEXITSTATUS(status);
	return r->status = 128 + WTERMSIG(status);
}

static int svmctl_run(const struct cred *c, struct run *r,
		      const char *const argv[])
{
	struct job j;

	r->out[0] = r->err[0] = '\0';
	if (svmctl_start(c, argv, &j))
		return r->status = -1;
	return svmctl_finish(&j, r);
}

/* SVMCTL(&run, "info", name): svmctl's exit code; output in run. */
#define SVMCTL(r, ...) \
	svmctl_run(&root, r, (const char *const []){ "svmctl", __VA_ARGS__, NULL })
#define SVMCTL_AS(c, r, ...) \
	svmctl_run(c, r, (const char *const []){ "svmctl", __VA_ARGS__, NULL })
#define SVMCTL_START(j, ...) \
	svmctl_start(&root, (const char *const []){ "svmctl", __VA_ARGS__, NULL }, j)

/* ---- the region's state, through the raw ioctls ------------------------- */

/* A region fd of name that maps nothing (svm_test.h's open, read-only). */
static int open_ro(const char *name)
{
	int dev = svm_dev_open(), fd;

	if (dev < 0)
		return -1;
	fd = svm_open_region(dev, name, 0, SVM_OPEN_RDONLY | SVM_OPEN_CLOEXEC,
			     0, NULL);
	close(dev);
	return fd;
}

/* The one pid with an mlock bit on the region, 0 if none, -1 if more. */
static pid_t mlocker(int fd)
{
	struct svm_mapper buf[4];
	struct svm_mappers a = {
		.size = sizeof(a), .flags = SVM_MAPPERS_MLOCKED,
		.entries = (uintptr_t)buf, .count = 4,
	};

	if (ioctl(fd, SVM_IOC_MAPPERS, &a) < 0 || a.total > 1)
		return -1;
	return a.total ? buf[0].pid : 0;
}

static bool __attribute__((format(printf, 2, 3)))
contains(const char *haystack, const char *fmt, ...)
{
	char needle[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(needle, sizeof(needle), fmt, ap);
	va_end(ap);
	return strstr(haystack, needle);
}

/* ---- svmctl ------------------------------------------------------------ */

/*
 * Each test has a 64K region made by "svmctl create" and removed after,
 * and at most one svmctl running in the background, killed if a test
 * fails before it has ended.
 */
FIXTURE(tool) {
	char name[32];
	char addr[32];		/* as "svmctl create" printed it */
	struct run r;
	struct job j;
};

FIXTURE_SETUP(tool)
{
	snprintf(self->name, sizeof(self->name), "tool-%d", getpid());
	self->j.running = false;
	ASSERT_EQ(0, SVMCTL(&self->r, "create", self->name, "64K",
			    "--mode", "0644")) {
		TH_LOG("create: %s", self->r.err);
	}
	ASSERT_EQ(1, sscanf(self->r.out, "%31s", self->addr));
	ASSERT_EQ(0, strncmp(self->addr, "0x", 2));
}

FIXTURE_TEARDOWN(tool)
{
	int dev = svm_dev_open();

	if (self->j.running) {
		kill(self->j.pid, SIGKILL);
		waitpid(self->j.pid, NULL, 0);
	}

	svm_remove_name(dev, self->name);	/* ENOENT once rm ran */
	close(dev);
}

/* The fixture's 64K region is root's: window says what root holds. */
TEST_F(tool, window_shows_what_the_callers_user_holds)
{
	struct svm_window w;
	int dev = svm_dev_open();

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, svm_get_window(dev, &w));
	close(dev);
	ASSERT_LE(1, w.user_regions);
	ASSERT_EQ(0, SVMCTL(&self->r, "window"));
	EXPECT_TRUE(contains(self->r.out, "your regions:     %u (uid 0)\n",
			     w.user_regions));
	EXPECT_TRUE(contains(self->r.out, "your SVID locks:  0B (0 bytes)\n"));
	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "window"));
	EXPECT_TRUE(contains(self->r.out, "\"user_regions\": %u,\n",
			     w.user_regions));
	EXPECT_TRUE(contains(self->r.out, "\"user_bytes\": %llu,\n",
			     (unsigned long long)w.user_bytes));
	EXPECT_TRUE(contains(self->r.out, "\"user_locked\": 0\n"));
}

TEST_F(tool, json_list_has_the_created_region)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "--json", "list"));
	EXPECT_TRUE(contains(self->r.out, "\"name\": \"%s\"", self->name));
	EXPECT_TRUE(contains(self->r.out, "\"addr\": %llu",
			     strtoull(self->addr, NULL, 16)));
	EXPECT_TRUE(contains(self->r.out, "\"wired\": false"));
	EXPECT_TRUE(contains(self->r.out, "\"svid_count\": 0"));
	EXPECT_TRUE(contains(self->r.out, "\"nr_mlocked\": 0"));
}

TEST_F(tool, info_shows_the_address_and_no_wiring)
{
	struct svm_info info;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	close(fd);
	EXPECT_EQ(info.addr, strtoull(self->addr, NULL, 16));

	ASSERT_EQ(0, SVMCTL(&self->r, "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "address:    %s\n", self->addr));
	EXPECT_TRUE(contains(self->r.out, "wired:      no\n"));
	EXPECT_TRUE(contains(self->r.out, "svid locks: 0\n"));
	EXPECT_TRUE(contains(self->r.out, "mlockers: 0\n"));
	EXPECT_TRUE(contains(self->r.out, "charged:    none\n"));
}

TEST_F(tool, lock_wires_and_info_shows_one_svid_lock)
{
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL(&self->r, "lock", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: wired: yes, svid locks: 1, mlockers: 0\n",
			     self->name));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(fd));

	ASSERT_EQ(0, SVMCTL(&self->r, "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "wired:      yes\n"));
	EXPECT_TRUE(contains(self->r.out, "svid locks: 1\n"));
	EXPECT_TRUE(contains(self->r.out, "flags:      persist,wired\n"));
	EXPECT_TRUE(contains(self->r.out, "charged:    64K to uid 0 (root)\n"));

	ASSERT_EQ(0, SVMCTL(&self->r, "list"));
	EXPECT_TRUE(contains(self->r.out, " svid=1 "));

	ASSERT_EQ(0, SVMCTL(&self->r, "--json", "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "\"wired\": true"));
	EXPECT_TRUE(contains(self->r.out, "\"svid_count\": 1"));
	EXPECT_TRUE(contains(self->r.out, "\"charged\": %d", LEN));
	EXPECT_TRUE(contains(self->r.out, "\"charged_uid\": 0"));
	EXPECT_TRUE(contains(self->r.out, "\"mlockers\": []"));
	close(fd);
}

TEST_F(tool, unlock_unwires)
{
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL(&self->r, "lock", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "unlock", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: wired: no, svid locks: 0, mlockers: 0\n",
			     self->name));
	EXPECT_EQ(UNWIRED, svm_wire_state(fd));

	ASSERT_EQ(0, SVMCTL(&self->r, "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "wired:      no\n"));
	EXPECT_TRUE(contains(self->r.out, "svid locks: 0\n"));
	close(fd);
}

TEST_F(tool, unlock_when_not_locked_fails_naming_the_region)
{
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL(&self->r, "lock", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "unlock", self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "unlock", self->name));
	EXPECT_TRUE(contains(self->r.err, "unlock '%s': not SVID-locked",
			     self->name));
	EXPECT_STREQ("", self->r.out);
	EXPECT_EQ(UNWIRED, svm_wire_state(fd));
	close(fd);
}

TEST_F(tool, lock_list_and_info_show_both_sources)
{
	struct job *j = &self->j;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL_START(j, "mlock", self->name, "--for", "30"));
	ASSERT_TRUE(POLL_UNTIL(svm_wire_state(fd) == WIRED(0, 1), POLL_MS));
	ASSERT_EQ(0, SVMCTL(&self->r, "lock", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: wired: yes, svid locks: 1, mlockers: 1\n",
			     self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "list"));
	EXPECT_TRUE(contains(self->r.out, " svid=1,mlock=1 "));

	ASSERT_EQ(0, kill(j->pid, SIGTERM));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(fd));	/* the SVID lock remains */
	ASSERT_EQ(0, SVMCTL(&self->r, "unlock", self->name));
	EXPECT_EQ(UNWIRED, svm_wire_state(fd));
	close(fd);
}

TEST_F(tool, mlock_holds_the_bit_until_sigterm)
{
	struct job *j = &self->j;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL_START(j, "mlock", self->name, "--for", "30"));
	ASSERT_TRUE(POLL_UNTIL(svm_wire_state(fd) == WIRED(0, 1), POLL_MS));
	EXPECT_EQ(j->pid, mlocker(fd));

	ASSERT_EQ(0, SVMCTL(&self->r, "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "mlockers: 1 (pid %d)\n", j->pid));
	ASSERT_EQ(0, SVMCTL(&self->r, "--json", "info", self->name));
	EXPECT_TRUE(contains(self->r.out, "\"mlockers\": [%d]", j->pid));

	ASSERT_EQ(0, kill(j->pid, SIGTERM));
	EXPECT_TRUE(POLL_UNTIL(svm_wire_state(fd) == UNWIRED, POLL_MS));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
	EXPECT_TRUE(contains(self->r.out,
			     "%s wired by pid %d's mlock(2) for 30 s",
			     self->name, j->pid));
	EXPECT_TRUE(contains(self->r.out, "pid %d's mlock(2) released",
			     j->pid));
	EXPECT_EQ(0, mlocker(fd));
	close(fd);
}

TEST_F(tool, mlock_without_for_holds_until_sigint)
{
	struct job *j = &self->j;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL_START(j, "mlock", self->name));
	ASSERT_TRUE(POLL_UNTIL(svm_wire_state(fd) == WIRED(0, 1), POLL_MS));
	ASSERT_EQ(0, kill(j->pid, SIGINT));
	EXPECT_TRUE(POLL_UNTIL(svm_wire_state(fd) == UNWIRED, POLL_MS));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
	EXPECT_TRUE(contains(self->r.out,
			     "%s wired by pid %d's mlock(2); press Ctrl-C or send SIGTERM to release\n",
			     self->name, j->pid));
	close(fd);
}

TEST_F(tool, mlock_for_one_second_ends_by_itself)
{
	struct job *j = &self->j;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, SVMCTL_START(j, "mlock", self->name, "--for", "1"));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
	EXPECT_TRUE(contains(self->r.out, "wired by pid %d's mlock(2)",
			     j->pid));
	EXPECT_TRUE(contains(self->r.out, "1 s passed"));
	EXPECT_TRUE(POLL_UNTIL(svm_wire_state(fd) == UNWIRED, POLL_MS));
	close(fd);
}

TEST_F(tool, mlock_past_rlimit_memlock_fails_naming_the_limit)
{
	const struct cred user = { .user = true, .memlock = 4096 };
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "mlock", self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "mlock '%s': its 64K would pass svmctl's RLIMIT_MEMLOCK (4.0K)",
			     self->name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
	EXPECT_EQ(UNWIRED, svm_wire_state(fd));
	close(fd);
}

TEST_F(tool, lock_by_other_user_fails_naming_the_owner)
{
	const struct cred user = { .user = true, .memlock = 1 << 20 };

	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "lock", self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "lock '%s': uid 1000 is neither its owner (0) nor its creator (0)",
			     self->name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
}

/* The test process holds an mlock bit; svmctl munlock cannot clear it. */
TEST_F(tool, munlock_lists_the_mlockers_and_leaves_their_bits)
{
	struct svmk_region *reg;
	struct svmk *svm;
	int fd = open_ro(self->name);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svmk_open(&svm, 0));
	ASSERT_EQ(0, svmk_region_open(svm, self->name, 0, 0, 0, &reg));
	ASSERT_EQ(0, svmk_region_mlock(reg));

	ASSERT_EQ(0, SVMCTL(&self->r, "munlock", self->name));
	EXPECT_TRUE(contains(self->r.out, "ends when that process munlocks"));
	EXPECT_TRUE(contains(self->r.out, "mlockers: 1 (pid %d)\n",
			     getpid()));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(fd));

	EXPECT_EQ(0, svmk_region_munlock(reg));
	EXPECT_EQ(UNWIRED, svm_wire_state(fd));
	ASSERT_EQ(0, SVMCTL(&self->r, "munlock", self->name));
	EXPECT_TRUE(contains(self->r.out, "wired: no, svid locks: 0, mlockers: 0\n"));
	EXPECT_EQ(0, svmk_region_close(reg));
	EXPECT_EQ(0, svmk_close(svm));
	close(fd);
}

TEST_F(tool, rm_removes_the_region)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "rm", self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "info", self->name));
	EXPECT_TRUE(contains(self->r.err, "'%s'", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "--json", "list"));
	EXPECT_FALSE(contains(self->r.out, "\"name\": \"%s\"", self->name));
	EXPECT_GT(0, open_ro(self->name));
}

TEST_F(tool, wiring_a_missing_region_fails_naming_it)
{
	static const char *const cmds[] = { "lock", "unlock", "mlock",
					    "munlock" };
	unsigned int i;

	ASSERT_EQ(0, SVMCTL(&self->r, "rm", self->name));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(1, SVMCTL(&self->r, cmds[i], self->name));
		EXPECT_TRUE(contains(self->r.err, "%s '%s': no region",
				     cmds[i], self->name)) {
			TH_LOG("stderr: %s", self->r.err);
		}
	}
}

/* ---- chmod, chown ------------------------------------------------------- */

/* The fixture's region's INFO, through a read-only fd; 0 or -1. */
static int info_of(const char *name, struct svm_info *info)
{
	int fd = open_ro(name), ret;

	if (fd < 0)
		return -1;
	ret = svm_get_info(fd, info);
	close(fd);
	return ret ? -1 : 0;
}

TEST_F(tool, chmod_sets_the_mode_and_prints_what_it_has)
{
	struct svm_info info;

	ASSERT_EQ(0, SVMCTL(&self->r, "chmod", "0600", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: owner root (0), group root (0), mode 0600\n",
			     self->name));
	EXPECT_STREQ("", self->r.err);
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0600, info.mode);
	ASSERT_EQ(0, SVMCTL(&self->r, "chmod", "640", self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0640, info.mode);
}

TEST_F(tool, chown_takes_numbers_and_prints_what_it_has)
{
	struct svm_info info;

	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000:2000", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: owner 1000 (1000), group 2000 (2000), mode 0644\n",
			     self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(2000, info.gid);
	EXPECT_EQ(0, info.cuid);
}

TEST_F(tool, chown_user_alone_leaves_the_group)
{
	struct svm_info info;

	ASSERT_EQ(0, SVMCTL(&self->r, "chown", ":2000", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000", self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(2000, info.gid);
}

TEST_F(tool, chown_takes_names_and_user_colon_is_the_login_group)
{
	struct svm_info info;

	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000:2000", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "chown", ":root", self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(0, info.gid);
	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000:2000", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "root:", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: owner root (0), group root (0), mode 0644\n",
			     self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
}

TEST_F(tool, chown_of_an_unknown_user_fails_naming_both)
{
	struct svm_info info;

	EXPECT_EQ(1, SVMCTL(&self->r, "chown", "nosuchuser", self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "chown '%s': invalid user 'nosuchuser'\n",
			     self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "chown", "root:nosuchgroup",
			    self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "chown '%s': invalid group 'nosuchgroup'\n",
			     self->name));
	/* (uid_t)-1 is chown(2)'s "no change", never an id. */
	EXPECT_EQ(1, SVMCTL(&self->r, "chown", "4294967295", self->name));
	EXPECT_STREQ("", self->r.out);
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
}

TEST_F(tool, chmod_by_other_user_fails_naming_the_owner)
{
	const struct cred user = { .user = true, .memlock = 1 << 20 };
	struct svm_info info;

	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "chmod", "0666", self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "chmod '%s': uid 1000 is neither its owner (0) nor its creator (0) and lacks CAP_SYS_ADMIN\n",
			     self->name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "chown", "1000", self->name));
	EXPECT_TRUE(contains(self->r.err, "chown '%s': uid 1000 is neither",
			     self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0644, info.mode);
	EXPECT_EQ(0, info.uid);
}

TEST_F(tool, chmod_by_the_new_owner_works)
{
	const struct cred user = { .user = true, .memlock = 1 << 20 };
	struct svm_info info;

	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000", self->name));
	EXPECT_EQ(0, SVMCTL_AS(&user, &self->r, "chmod", "0600", self->name));
	EXPECT_TRUE(contains(self->r.out,
			     "%s: owner 1000 (1000), group root (0), mode 0600\n",
			     self->name));
	ASSERT_EQ(0, info_of(self->name, &info));
	EXPECT_EQ(0600, info.mode);
}

/* svmctl opens the region to change it: the owner needs read permission. */
TEST_F(tool, chmod_without_read_permission_says_why)
{
	const struct cred user = { .user = true, .memlock = 1 << 20 };

	ASSERT_EQ(0, SVMCTL(&self->r, "chown", "1000", self->name));
	ASSERT_EQ(0, SVMCTL(&self->r, "chmod", "0200", self->name));
	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "chmod", "0600", self->name));
	EXPECT_TRUE(contains(self->r.err,
			     "chmod '%s': svmctl opens it to change it, and its mode denies uid 1000 read permission",
			     self->name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
}

TEST_F(tool, chmod_and_chown_of_a_missing_region_fail_naming_it)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "rm", self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "chmod", "0600", self->name));
	EXPECT_TRUE(contains(self->r.err, "chmod '%s': no region",
			     self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "chown", "0:0", self->name));
	EXPECT_TRUE(contains(self->r.err, "chown '%s': no region",
			     self->name));
}

TEST(chmod_and_chown_bad_usage_exits_2)
{
	struct run r;

	EXPECT_EQ(2, SVMCTL(&r, "chmod", "0999", "a"));
	EXPECT_TRUE(contains(r.err, "chmod 'a': invalid mode '0999'"));
	EXPECT_EQ(2, SVMCTL(&r, "chmod", "01000", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "chmod", "u+x", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "chmod", "0600"));
	EXPECT_EQ(2, SVMCTL(&r, "chown", ":", "a"));
	EXPECT_TRUE(contains(r.err, "chown 'a': invalid owner ':'"));
	EXPECT_EQ(2, SVMCTL(&r, "chown", "", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "chown", "root"));
	EXPECT_EQ(2, SVMCTL(&r, "--json", "chown", "root", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "chmod", "0600", "a", "--mode", "0600"));
	EXPECT_STREQ("", r.out);
}

TEST(help_names_chmod_and_chown)
{
	struct run r;

	ASSERT_EQ(0, SVMCTL(&r, "--help"));
	EXPECT_TRUE(contains(r.out, "svmctl chmod MODE NAME\n"));
	EXPECT_TRUE(contains(r.out, "svmctl chown USER[:GROUP] NAME\n"));
}

/* ---- svmctl watch ------------------------------------------------------ */

/*
 * Read fd into buf (of cap bytes) until it holds needle, for up to
 * POLL_MS: svmctl watch says on stderr once its watch is made.
 */
static bool read_until(int fd, char *buf, size_t cap, const char *needle)
{
	long long end = svm_now_ms() + POLL_MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	buf[0] = '\0';
	while (!strstr(buf, needle)) {
		if (poll(&p, 1, end - svm_now_ms()) <= 0 ||
		    read_some(fd, buf, cap) <= 0)
			return false;
	}
	return true;
}

static bool watching(struct job *j)
{
	char err[1024];

	return read_until(j->err, err, sizeof(err), "svmctl: watching '");
}

/*
 * A child that maps the region (its own open, read-write) and then exits
 * (sigkill false) or waits to be killed; returned once it has mapped it.
 */
static pid_t mapper_child(const char *name, bool wait_for_kill)
{
	int p[2], dev, fd;
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dev = svm_dev_open();
		fd = svm_open_region(dev, name, 0, SVM_OPEN_CLOEXEC, 0, NULL);
		if (fd < 0 || svm_map(fd, LEN, PROT_READ) == MAP_FAILED)
			_exit(1);
		if (write(p[1], "m", 1) != 1)
			_exit(1);
		if (!wait_for_kill)
			_exit(0);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

/* A line's time: 2026-12-01T12:34:56.789+00:00, local ISO 8601 with ms. */
static bool iso_time_ok(const char *t)
{
	int y, mo, d, h, mi, sec, ms, zh, zm, len = 0;
	char sign;

	return sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c%2d:%2d%n", &y, &mo,
		      &d, &h, &mi, &sec, &ms, &sign, &zh, &zm, &len) == 10 &&
	       len == 29 && (sign == '+' || sign == '-') && y >= 2024;
}

/*
 * The lines of out without their times (checked), into lines[max] of
 * 128 bytes each; returns their number, or -1 if one has a bad time.
 */
static int event_lines(const char *out, char lines[][128], int max)
{
	const char *l = out, *nl;
	int n = 0;

	for (; *l && n < max; l = nl + 1) {
		nl = strchrnul(l, '\n');
		if (!iso_time_ok(l) || l[29] != ' ')
			return -1;
		snprintf(lines[n++], 128, "%.*s", (int)(nl - l - 30), l + 30);
		if (!*nl)
			break;
	}
	return n;
}

TEST_F(tool, watch_prints_attach_sigkill_remove_and_destroy_then_exits_0)
{
	struct job *j = &self->j;
	char lines[8][128], want[128];
	int dev = svm_dev_open();
	pid_t pid;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, SVMCTL_START(j, "watch", self->name));
	ASSERT_TRUE(watching(j));
	pid = mapper_child(self->name, true);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, svm_remove_name(dev, self->name));	/* it had no holder */
	close(dev);

	ASSERT_EQ(0, svmctl_finish(j, &self->r));
	ASSERT_EQ(4, event_lines(self->r.out, lines, 8)) {
		TH_LOG("stdout: %s", self->r.out);
	}
	snprintf(want, sizeof(want), "attach pid %d, mappers 1", pid);
	EXPECT_STREQ(want, lines[0]);
	snprintf(want, sizeof(want), "detach pid %d (signal SIGKILL), mappers 0",
		 pid);
	EXPECT_STREQ(want, lines[1]);
	snprintf(want, sizeof(want), "removed pid %d, mappers 0", getpid());
	EXPECT_STREQ(want, lines[2]);
	EXPECT_STREQ("destroyed, mappers 0", lines[3]);
	EXPECT_STREQ("", self->r.err);
}

/* A flat JSON object: its members' names and values (strings unquoted). */
struct member {
	char name[32];
	char value[64];
	bool string;
};

static const char *json_str(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (*s++ != '"')
		return NULL;
	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && !*++s)
			return NULL;
		if (n + 1 < cap)
			out[n++] = *s;
	}
	out[n] = '\0';
	return *s == '"' ? s + 1 : NULL;
}

/* Parse line as one object of strings, integers and nulls; -1 if not. */
static int json_object(const char *s, struct member *m, int max)
{
	int n = 0, len;

	if (*s++ != '{')
		return -1;
	while (n < max) {
		s = json_str(s, m[n].name, sizeof(m[n].name));
		if (!s || strncmp(s, ": ", 2))
			return -1;
		s += 2;
		m[n].string = *s == '"';
		if (m[n].string) {
			s = json_str(s, m[n].value, sizeof(m[n].value));
			if (!s)
				return -1;
		} else {
			len = strspn(s, "-0123456789");
			if (!len && !strncmp(s, "null", 4))
				len = 4;
			if (!len || len >= (int)sizeof(m[n].value))
				return -1;
			snprintf(m[n].value, sizeof(m[n].value), "%.*s", len, s);
			s += len;
		}
		n++;
		if (*s == '}')
			return s[1] ? -1 : n;
		if (strncmp(s, ", ", 2))
			return -1;
		s += 2;
	}
	return -1;
}

/* The value of member name, "" if it is not there. */
static const char *member(const struct member *m, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	return "";
}

TEST_F(tool, watch_json_is_an_object_a_line)
{
	static const char *const names[] = {
		"time", "real_ns", "mono_ns", "seq", "type", "pid", "cause",
		"signo", "signal", "source", "mappers", "lost",
	};
	struct job *j = &self->j;
	struct member m[4][16];
	int dev = svm_dev_open(), n[4], k, i;
	char *line, *save = NULL, pid_s[16];
	pid_t pid;

	ASSERT_LE(0, dev);
	ASSERT_EQ(0, SVMCTL_START(j, "--json", "watch", self->name));
	ASSERT_TRUE(watching(j));
	pid = mapper_child(self->name, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, svm_remove_name(dev, self->name));
	close(dev);
	ASSERT_EQ(0, svmctl_finish(j, &self->r));

	for (k = 0, line = strtok_r(self->r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), k++) {
		ASSERT_GT(4, k);
		n[k] = json_object(line, m[k], 16);
		ASSERT_EQ(12, n[k]) {
			TH_LOG("line %d: %s", k + 1, line);
		}
		for (i = 0; i < 12; i++)
			EXPECT_STREQ(names[i], m[k][i].name);
		EXPECT_TRUE(iso_time_ok(member(m[k], 12, "time")));
		snprintf(pid_s, sizeof(pid_s), "%d", k + 1);
		EXPECT_STREQ(pid_s, member(m[k], 12, "seq"));
		EXPECT_STREQ("null", member(m[k], 12, "source"));
		EXPECT_STREQ("0", member(m[k], 12, "lost"));
	}
	ASSERT_EQ(4, k);
	snprintf(pid_s, sizeof(pid_s), "%d", pid);
	EXPECT_STREQ("attach", member(m[0], 12, "type"));
	EXPECT_STREQ(pid_s, member(m[0], 12, "pid"));
	EXPECT_STREQ("null", member(m[0], 12, "cause"));
	EXPECT_STREQ("1", member(m[0], 12, "mappers"));
	EXPECT_STREQ("detach", member(m[1], 12, "type"));
	EXPECT_STREQ(pid_s, member(m[1], 12, "pid"));
	EXPECT_STREQ("exit", member(m[1], 12, "cause"));
	EXPECT_TRUE(m[1][6].string);
	EXPECT_STREQ("0", member(m[1], 12, "signo"));
	EXPECT_STREQ("null", member(m[1], 12, "signal"));
	EXPECT_STREQ("0", member(m[1], 12, "mappers"));
	EXPECT_STREQ("removed", member(m[2], 12, "type"));
	EXPECT_STREQ("destroyed", member(m[3], 12, "type"));
}

TEST_F(tool, watch_ends_at_sigint_with_exit_0)
{
	struct job *j = &self->j;

	ASSERT_EQ(0, SVMCTL_START(j, "watch", self->name));
	ASSERT_TRUE(watching(j));
	ASSERT_EQ(0, kill(j->pid, SIGINT));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
	EXPECT_STREQ("", self->r.out);
}

TEST_F(tool, watch_ends_at_sigterm_with_exit_0)
{
	struct job *j = &self->j;

	ASSERT_EQ(0, SVMCTL_START(j, "watch", self->name));
	ASSERT_TRUE(watching(j));
	ASSERT_EQ(0, kill(j->pid, SIGTERM));
	EXPECT_EQ(0, svmctl_finish(j, &self->r));
}

TEST_F(tool, watch_without_read_permission_fails_naming_the_region)
{
	const struct cred user = { .user = true, .memlock = 0 };
	char name[40];
	int dev = svm_dev_open();

	snprintf(name, sizeof(name), "%s-0600", self->name);
	ASSERT_EQ(0, SVMCTL(&self->r, "create", name, "64K"));
	EXPECT_EQ(1, SVMCTL_AS(&user, &self->r, "watch", name));
	EXPECT_TRUE(contains(self->r.err,
			     "svmctl: watch '%s': permission denied by the region's mode",
			     name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
	EXPECT_STREQ("", self->r.out);
	svm_remove_name(dev, name);
	close(dev);
}

TEST_F(tool, watch_of_a_missing_region_fails_naming_it)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "rm", self->name));
	EXPECT_EQ(1, SVMCTL(&self->r, "watch", self->name));
	EXPECT_TRUE(contains(self->r.err, "svmctl: watch '%s': no region",
			     self->name)) {
		TH_LOG("stderr: %s", self->r.err);
	}
}

TEST(watch_bad_usage_exits_2)
{
	struct run r;

	EXPECT_EQ(2, SVMCTL(&r, "watch"));
	EXPECT_EQ(2, SVMCTL(&r, "watch", "a", "b"));
	EXPECT_EQ(2, SVMCTL(&r, "-o", "NAME", "watch", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "watch", "a", "--for", "1"));
	EXPECT_STREQ("", r.out);
}

TEST(bad_usage_exits_2)
{
	struct run r;

	EXPECT_EQ(2, SVMCTL(&r, "frobnicate"));
	EXPECT_EQ(2, SVMCTL(&r, "lock"));
	EXPECT_EQ(2, SVMCTL(&r, "unlock", "a", "b"));
	EXPECT_EQ(2, SVMCTL(&r, "lock", "a", "--for", "3"));
	EXPECT_EQ(2, SVMCTL(&r, "mlock", "a", "--for", "-1"));
	EXPECT_EQ(2, SVMCTL(&r, "mlock", "a", "--for", "soon"));
	EXPECT_EQ(2, SVMCTL(&r, "mlock", "a", "--for"));
	EXPECT_EQ(2, SVMCTL(&r, "--json", "munlock", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "create", "a", "0"));
	EXPECT_TRUE(contains(r.err, "Try 'svmctl --help'"));
	EXPECT_STREQ("", r.out);
}

TEST(window_exits_0)
{
	struct run r;

	EXPECT_EQ(0, SVMCTL(&r, "window"));
	EXPECT_TRUE(contains(r.out, "base:"));
	EXPECT_STREQ("", r.err);
}

TEST(help_names_the_wiring_commands)
{
	struct run r;

	ASSERT_EQ(0, SVMCTL(&r, "--help"));
	EXPECT_TRUE(contains(r.out, "svmctl lock|unlock NAME\n"));
	EXPECT_TRUE(contains(r.out, "svmctl mlock NAME [--for SECONDS]\n"));
	EXPECT_TRUE(contains(r.out, "svmctl munlock NAME\n"));
	EXPECT_TRUE(contains(r.out, "svmctl [-J] watch NAME\n"));
}

/* ---- svmctl list: libsmartcols' columns and formats ---------------------- */

/*
 * Two regions of known state, the only ones listed: a persistent 64K one,
 * mode 0644, that nothing holds; and a 1.5M one, mode 0600, that the test
 * maps and holds an SVID lock on (so all of its pages are in memory).
 */
FIXTURE(listing) {
	char a[32], b[32];
	struct svmk *svm;
	struct svmk_region *reg;
	struct svm_info info[2];	/* as SVM_IOC_LIST reports them */
	struct run r;
};

#define B_LEN	(1536 * 1024)

FIXTURE_SETUP(listing)
{
	struct svm_info v[4];
	uint64_t cursor = 0;
	int dev = svm_dev_open(), fd;

	snprintf(self->a, sizeof(self->a), "list-%d-a", getpid());
	snprintf(self->b, sizeof(self->b), "list-%d-b", getpid());
	ASSERT_LE(0, dev);
	fd = svm_open_region(dev, self->a, LEN, SVM_OPEN_CREATE | SVM_OPEN_EXCL |
			     SVM_OPEN_PERSIST | SVM_OPEN_CLOEXEC, 0644, NULL);
	close(dev);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, svmk_open(&self->svm, 0));
	ASSERT_EQ(0, svmk_region_open(self->svm, self->b, B_LEN,
				      SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				      &self->reg));
	ASSERT_EQ(0, svmk_region_lock(self->reg));
	ASSERT_EQ(2, svmk_list(self->svm, &cursor, v, 4)) {
		TH_LOG("other regions are left: the listings would differ");
	}
	ASSERT_EQ(0, strcmp(v[0].name, self->a));
	memcpy(self->info, v, sizeof(self->info));
}

FIXTURE_TEARDOWN(listing)
{
	int dev = svm_dev_open();

	svmk_region_close(self->reg);	/* the last holder: b goes */
	svmk_close(self->svm);
	svm_remove_name(dev, self->a);
	close(dev);
}

TEST_F(listing, output_raw_noheadings_prints_those_columns)
{
	char want[256];

	ASSERT_EQ(0, SVMCTL(&self->r, "-o", "NAME,SIZE,MAPPERS", "--raw", "-n",
			    "list"));
	snprintf(want, sizeof(want), "%s 64K 0\n%s 1.5M 1\n", self->a,
		 self->b);
	EXPECT_STREQ(want, self->r.out);
	EXPECT_STREQ("", self->r.err);
}

TEST_F(listing, bytes_prints_sizes_in_bytes)
{
	char want[256];

	ASSERT_EQ(0, SVMCTL(&self->r, "-b", "-o", "NAME,SIZE,RESIDENT", "-r",
			    "-n", "list"));
	snprintf(want, sizeof(want), "%s 65536 0\n%s 1572864 1572864\n",
		 self->a, self->b);
	EXPECT_STREQ(want, self->r.out);
}

TEST_F(listing, plus_appends_to_the_default_columns)
{
	const struct svm_info *a = &self->info[0], *b = &self->info[1];
	char want[512];

	ASSERT_EQ(0, SVMCTL(&self->r, "-o", "+UID,CHARGED", "--raw", "list"));
	snprintf(want, sizeof(want),
		 "ID NAME ADDRESS SIZE OWNER MODE MAPPERS FDS RESIDENT WIRED FLAGS UID CHARGED\n"
		 "%llu %s 0x%llx 64K root 0644 0 0 0B - persist 0 0\n"
		 "%llu %s 0x%llx 1.5M root 0600 1 1 1.5M svid=1 wired 0 %d\n",
		 (unsigned long long)a->id, self->a, (unsigned long long)a->addr,
		 (unsigned long long)b->id, self->b, (unsigned long long)b->addr,
		 B_LEN);
	EXPECT_STREQ(want, self->r.out);
}

TEST_F(listing, pairs_quote_each_column)
{
	char want[256];

	ASSERT_EQ(0, SVMCTL(&self->r, "-P", "-o", "ID,NAME,MODE,WIRED",
			    "list"));
	snprintf(want, sizeof(want),
		 "ID=\"%llu\" NAME=\"%s\" MODE=\"0644\" WIRED=\"-\"\n"
		 "ID=\"%llu\" NAME=\"%s\" MODE=\"0600\" WIRED=\"svid=1\"\n",
		 (unsigned long long)self->info[0].id, self->a,
		 (unsigned long long)self->info[1].id, self->b);
	EXPECT_STREQ(want, self->r.out);
}

/* The fields of one region in svmctl -J list, libsmartcols' layout. */
static int json_fields(char *buf, size_t cap, const struct svm_info *in)
{
	return snprintf(buf, cap,
		"         \"id\": %llu,\n"
		"         \"name\": \"%s\",\n"
		"         \"addr\": %llu,\n"
		"         \"length\": %llu,\n"
		"         \"uid\": %u,\n"
		"         \"gid\": %u,\n"
		"         \"cuid\": %u,\n"
		"         \"cpid\": %d,\n"
		"         \"mode\": %u,\n"
		"         \"flags\": %u,\n"
		"         \"wired\": %s,\n"
		"         \"svid_count\": %u,\n"
		"         \"nr_mlocked\": %u,\n"
		"         \"charged\": %llu,\n"
		"         \"charged_uid\": %u,\n"
		"         \"nr_mappers\": %u,\n"
		"         \"nr_fds\": %u,\n"
		"         \"resident_pages\": %llu,\n"
		"         \"ctime_ns\": %llu,\n"
		"         \"atime_ns\": %llu,\n"
		"         \"dtime_ns\": %llu,\n"
		"         \"chtime_ns\": %llu,\n"
		"         \"asked\": %llu,\n"
		"         \"nr_attaches\": %llu,\n"
		"         \"cgid\": %u,\n"
		"         \"lpid\": %d\n",
		(unsigned long long)in->id, in->name,
		(unsigned long long)in->addr, (unsigned long long)in->length,
		in->uid, in->gid, in->cuid, in->cpid, in->mode, in->flags,
		in->flags & SVM_REGION_WIRED ? "true" : "false",
		in->svid_count, in->nr_mlocked,
		(unsigned long long)in->charged, in->charged_uid,
		in->nr_mappers, in->nr_fds, (unsigned long long)in->resident,
		(unsigned long long)in->ctime_ns,
		(unsigned long long)in->atime_ns,
		(unsigned long long)in->dtime_ns,
		(unsigned long long)in->chtime_ns,
		(unsigned long long)in->asked,
		(unsigned long long)in->nr_attaches, in->cgid, in->lpid);
}

TEST_F(listing, json_has_every_field_of_every_region)
{
	const struct svm_info *a = &self->info[0], *b = &self->info[1];
	char fa[1536], fb[1536], want[3328];
	struct svm_info v[4];
	uint64_t cursor = 0;

	/* What the fixture made, as the fields below must show it. */
	ASSERT_EQ(LEN, a->length);
	ASSERT_EQ(0644, a->mode);
	ASSERT_EQ(SVM_REGION_PERSIST, a->flags);
	ASSERT_EQ(0, a->nr_mappers);
	ASSERT_EQ(SVM_REGION_WIRED, b->flags);
	ASSERT_EQ(1, b->svid_count);
	ASSERT_EQ(B_LEN, b->charged);
	ASSERT_EQ(1, b->nr_mappers);
	ASSERT_EQ(LEN, a->asked);
	ASSERT_EQ(B_LEN, b->asked);
	ASSERT_EQ(1, b->nr_attaches);
	ASSERT_EQ(getpid(), b->lpid);

	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "list"));
	/*
	 * svmctl's fork inherited b's mapping and its exec dropped it: an
	 * attach and a detach (VER3's times, attaches and lpid) since the
	 * fixture read them, none after svmctl began.
	 */
	ASSERT_EQ(2, svmk_list(self->svm, &cursor, v, 4));
	ASSERT_EQ(2, v[1].nr_attaches);
	ASSERT_NE(getpid(), v[1].lpid);
	json_fields(fa, sizeof(fa), &v[0]);
	json_fields(fb, sizeof(fb), &v[1]);
	snprintf(want, sizeof(want),
		 "{\n   \"regions\": [\n      {\n%s      },{\n%s      }\n   ]\n}\n",
		 fa, fb);
	EXPECT_STREQ(want, self->r.out);
}

TEST_F(listing, json_sizes_are_strings_or_with_bytes_numbers)
{
	char want[512];

	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "-o", "NAME,SIZE", "list"));
	snprintf(want, sizeof(want),
		 "{\n   \"regions\": [\n"
		 "      {\n         \"name\": \"%s\",\n         \"size\": \"64K\"\n"
		 "      },{\n         \"name\": \"%s\",\n         \"size\": \"1.5M\"\n"
		 "      }\n   ]\n}\n", self->a, self->b);
	EXPECT_STREQ(want, self->r.out);

	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "-b", "-o", "NAME,SIZE", "list"));
	snprintf(want, sizeof(want),
		 "{\n   \"regions\": [\n"
		 "      {\n         \"name\": \"%s\",\n         \"size\": 65536\n"
		 "      },{\n         \"name\": \"%s\",\n         \"size\": 1572864\n"
		 "      }\n   ]\n}\n", self->a, self->b);
	EXPECT_STREQ(want, self->r.out);
}

TEST(unknown_column_fails_naming_it)
{
	struct run r;

	EXPECT_EQ(1, SVMCTL(&r, "-o", "NAME,NOSUCH,SIZE", "list"));
	EXPECT_STREQ("svmctl: unknown column: NOSUCH\n", r.err);
	EXPECT_STREQ("", r.out);
}

TEST(list_options_elsewhere_and_two_formats_are_bad_usage)
{
	struct run r;

	EXPECT_EQ(2, SVMCTL(&r, "-o", "NAME", "info", "a"));
	EXPECT_TRUE(contains(r.err, "svmctl: --output applies to list only\n"));
	EXPECT_EQ(2, SVMCTL(&r, "-b", "window"));
	EXPECT_EQ(2, SVMCTL(&r, "--raw", "info", "a"));
	EXPECT_EQ(2, SVMCTL(&r, "-J", "-P", "list"));
	EXPECT_TRUE(contains(r.err, "--json, --pairs and --raw are mutually exclusive\n"));
	EXPECT_EQ(2, SVMCTL(&r, "-r", "--pairs", "list"));
	EXPECT_STREQ("", r.out);
}

TEST(help_describes_each_column)
{
	struct run r;

	ASSERT_EQ(0, SVMCTL(&r, "--help"));
	EXPECT_TRUE(contains(r.out, "\nAvailable output columns (list):\n"));
	EXPECT_TRUE(contains(r.out, "\n           SIZE  size (human-readable unless --bytes)\n"));
	EXPECT_TRUE(contains(r.out, "\n RESIDENT_PAGES  pages in memory now\n"));
	EXPECT_TRUE(contains(r.out, "\nDefault columns: ID,NAME,ADDRESS,SIZE,"));
}

/* ---- svmctl list --sysv, and the SysV fields of info ------------------- */

/*
 * The SysV segments of libsvmk-sysv are regions named sysv:KEY (8 hex
 * digits) or sysv:private:...; made here with the raw ioctls, as the
 * library would:
 *   key  0x0000002a, 4000 bytes asked, mode 0640, nothing else;
 *   priv an IPC_PRIVATE one of 8192 bytes, mode 0600, SVID-locked;
 *   dest 0x00000063, 12288 bytes, removed while the test holds it and
 *        SVID-locked;
 * and two regions list --sysv must leave out: "sysv:2a" (not 8 digits)
 * and "sysvx-<pid>".  None persists: the fixture's fds hold them, so
 * that they go with the test process even when the setup fails (the
 * harness runs no teardown then).
 */
FIXTURE(sysv) {
	char priv[48], other[48], bad[48];
	int fd[5];			/* key, priv, dest, other, bad */
	struct svm_info info[3];
	struct run r;
};

#define SYSV_KEY	"sysv:0000002a"
#define SYSV_DEST	"sysv:00000063"

FIXTURE_SETUP(sysv)
{
	const unsigned int create = SVM_OPEN_CREATE | SVM_OPEN_EXCL |
				    SVM_OPEN_CLOEXEC;
	const char *names[5] = {
		SYSV_KEY, self->priv, SYSV_DEST, self->other, self->bad,
	};
	const uint64_t asked[5] = { 4000, 8192, 12288, LEN, LEN };
	const unsigned int mode[5] = { 0640, 0600, 0600, 0600, 0600 };
	int dev = svm_dev_open(), i;

	for (i = 0; i < 5; i++)
		self->fd[i] = -1;
	snprintf(self->priv, sizeof(self->priv), "sysv:private:%d-1", getpid());
	snprintf(self->other, sizeof(self->other), "sysvx-%d", getpid());
	snprintf(self->bad, sizeof(self->bad), "sysv:2a");
	ASSERT_LE(0, dev);
	for (i = 0; i < 5; i++) {
		self->fd[i] = svm_open_region(dev, names[i], asked[i], create,
					      mode[i], NULL);
		ASSERT_LE(0, self->fd[i]) {
			TH_LOG("create %s: %s", names[i],
			       strerror(-self->fd[i]));
		}
	}
	ASSERT_EQ(0, svm_wire_op(self->fd[1], SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_wire_op(self->fd[2], SVM_WIRE_LOCK));
	ASSERT_EQ(0, svm_remove_name(dev, SYSV_DEST));
	close(dev);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, svm_get_info(self->fd[i], &self->info[i]));
	ASSERT_EQ(4000, self->info[0].asked) {
		TH_LOG("the module does not report svm_info VER3's asked");
	}
}

FIXTURE_TEARDOWN(sysv)
{
	int i;

	for (i = 0; i < 5; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);	/* the last holder: it goes */
}

TEST_F(sysv, list_prints_the_segments_as_ipcs)
{
	char want[512];

	ASSERT_EQ(0, SVMCTL(&self->r, "-n", "--raw", "list", "--sysv"));
	snprintf(want, sizeof(want),
		 "0x0000002a %llu root 640 4000 0 \n"
		 "0x00000000 %llu root 600 8192 0 locked\n"
		 "0x00000000 %llu root 600 12288 0 dest\\x20locked\n",
		 (unsigned long long)self->info[0].id,
		 (unsigned long long)self->info[1].id,
		 (unsigned long long)self->info[2].id);
	EXPECT_STREQ(want, self->r.out) {
		TH_LOG("other sysv: regions are left, or the lines differ");
	}
	EXPECT_STREQ("", self->r.err);
}

TEST_F(sysv, list_header_names_the_columns_of_ipcs)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "--raw", "list", "--sysv"));
	EXPECT_EQ(0, strncmp(self->r.out,
			     "KEY SHMID OWNER PERMS BYTES NATTCH STATUS\n", 42));
}

TEST_F(sysv, list_plus_columns_and_pairs)
{
	char want[512];

	ASSERT_EQ(0, SVMCTL(&self->r, "-P", "-o", "+NAME,NR_FDS", "--sysv",
			    "list"));
	snprintf(want, sizeof(want),
		 "KEY=\"0x0000002a\" SHMID=\"%llu\" OWNER=\"root\" PERMS=\"640\" BYTES=\"4000\" NATTCH=\"0\" STATUS=\"\" NAME=\"%s\" NR_FDS=\"1\"\n"
		 "KEY=\"0x00000000\" SHMID=\"%llu\" OWNER=\"root\" PERMS=\"600\" BYTES=\"8192\" NATTCH=\"0\" STATUS=\"locked\" NAME=\"%s\" NR_FDS=\"1\"\n"
		 "KEY=\"0x00000000\" SHMID=\"%llu\" OWNER=\"root\" PERMS=\"600\" BYTES=\"12288\" NATTCH=\"0\" STATUS=\"dest locked\" NAME=\"%s\" NR_FDS=\"1\"\n",
		 (unsigned long long)self->info[0].id, SYSV_KEY,
		 (unsigned long long)self->info[1].id, self->priv,
		 (unsigned long long)self->info[2].id, SYSV_DEST);
	EXPECT_STREQ(want, self->r.out);
}

TEST_F(sysv, list_o_and_bytes_choose_the_columns)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "-b", "-n", "-r", "-o",
			    "KEY,SIZE,ASKED,FLAGS", "list", "--sysv"));
	EXPECT_STREQ("0x0000002a 4096 4000 -\n"
		     "0x00000000 8192 8192 wired\n"
		     "0x00000000 12288 12288 removed,wired\n",
		     self->r.out);
}

TEST_F(sysv, json_list_has_the_ipcs_fields)
{
	char want[1024];

	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "list", "--sysv"));
	snprintf(want, sizeof(want),
		 "{\n   \"segments\": [\n"
		 "      {\n         \"key\": \"0x0000002a\",\n         \"shmid\": %llu,\n"
		 "         \"owner\": \"root\",\n         \"perms\": 416,\n"
		 "         \"bytes\": 4000,\n         \"nattch\": 0,\n"
		 "         \"status\": null\n"
		 "      },{\n         \"key\": \"0x00000000\",\n         \"shmid\": %llu,\n"
		 "         \"owner\": \"root\",\n         \"perms\": 384,\n"
		 "         \"bytes\": 8192,\n         \"nattch\": 0,\n"
		 "         \"status\": \"locked\"\n"
		 "      },{\n         \"key\": \"0x00000000\",\n         \"shmid\": %llu,\n"
		 "         \"owner\": \"root\",\n         \"perms\": 384,\n"
		 "         \"bytes\": 12288,\n         \"nattch\": 0,\n"
		 "         \"status\": \"dest locked\"\n"
		 "      }\n   ]\n}\n",
		 (unsigned long long)self->info[0].id,
		 (unsigned long long)self->info[1].id,
		 (unsigned long long)self->info[2].id);
	EXPECT_STREQ(want, self->r.out);
}

/* A mapping made and gone: one attach, one detach, by this process. */
TEST_F(sysv, info_shows_attaches_the_last_pid_and_the_asked_size)
{
	struct svmk_region *reg;
	struct svm_info in;
	struct svmk *svm;
	char when[64];
	time_t t;

	ASSERT_EQ(0, svmk_open(&svm, 0));
	ASSERT_EQ(0, svmk_region_open(svm, SYSV_KEY, 0, 0, 0, &reg));
	svmk_region_close(reg);
	svmk_close(svm);
	ASSERT_EQ(0, svm_get_info(self->fd[0], &in));
	ASSERT_EQ(1, in.nr_attaches);
	ASSERT_NE(0, in.atime_ns);
	ASSERT_LE(in.atime_ns, in.dtime_ns);

	ASSERT_EQ(0, SVMCTL(&self->r, "info", SYSV_KEY));
	EXPECT_TRUE(contains(self->r.out, "\nattaches:   1 since creation\n"));
	EXPECT_TRUE(contains(self->r.out, "\nlast pid:   %d\n", getpid()));
	EXPECT_TRUE(contains(self->r.out, "\nasked:      3.9K (4000 bytes)\n"));
	EXPECT_TRUE(contains(self->r.out, "\ncreator:    root (0), group root (0), pid %d\n",
			     getpid()));
	EXPECT_TRUE(contains(self->r.out, "\nsysv lock:  no\n"));
	t = in.dtime_ns / 1000000000;
	ASSERT_NE(0, strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z",
			      localtime(&t)));
	EXPECT_TRUE(contains(self->r.out, "\ndetached:   %s\n", when));

	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "info", SYSV_KEY));
	EXPECT_TRUE(contains(self->r.out, ",\n  \"atime_ns\": %llu,\n  \"dtime_ns\": %llu,\n  \"chtime_ns\": %llu,\n  \"asked\": 4000,\n  \"nr_attaches\": 1,\n  \"cgid\": 0,\n  \"lpid\": %d,\n",
			     (unsigned long long)in.atime_ns,
			     (unsigned long long)in.dtime_ns,
			     (unsigned long long)in.chtime_ns, getpid()));
}

TEST_F(sysv, info_of_a_region_never_mapped_says_never)
{
	ASSERT_EQ(0, SVMCTL(&self->r, "info", self->priv));
	EXPECT_TRUE(contains(self->r.out, "\nattached:   never\n"));
	EXPECT_TRUE(contains(self->r.out, "\ndetached:   never\n"));
	EXPECT_TRUE(contains(self->r.out, "\nlast pid:   none, or not visible in this pid namespace\n"));
	EXPECT_TRUE(contains(self->r.out, "\nattaches:   0 since creation\n"));
}

/* SVM_WIRE_SYSV: the region's one SysV lock, a flag of its own. */
TEST_F(sysv, the_sysv_lock_shows_in_flags_and_info)
{
	struct svm_wire w = {
		.size = sizeof(w), .op = SVM_WIRE_LOCK, .flags = SVM_WIRE_SYSV,
	};

	ASSERT_EQ(0, ioctl(self->fd[0], SVM_IOC_WIRE, &w));
	ASSERT_EQ(0, SVMCTL(&self->r, "info", SYSV_KEY));
	EXPECT_TRUE(contains(self->r.out, "\nflags:      wired,sysv-lock\n"));
	EXPECT_TRUE(contains(self->r.out, "\nsysv lock:  yes\n"));
	ASSERT_EQ(0, SVMCTL(&self->r, "-n", "-r", "-o", "KEY,STATUS,FLAGS",
			    "list", "--sysv"));
	EXPECT_TRUE(contains(self->r.out,
			     "0x0000002a locked wired,sysv-lock\n"));
	ASSERT_EQ(0, SVMCTL(&self->r, "-J", "info", SYSV_KEY));
	EXPECT_TRUE(contains(self->r.out, "\n  \"flags\": %u,\n",
			     SVM_REGION_WIRED | SVM_REGION_SYSV_LOCK));
	w.op = SVM_WIRE_UNLOCK;
	ASSERT_EQ(0, ioctl(self->fd[0], SVM_IOC_WIRE, &w));
}

TEST(sysv_applies_to_list_only)
{
	struct run r;

	EXPECT_EQ(2, SVMCTL(&r, "--sysv", "info", "a"));
	EXPECT_TRUE(contains(r.err, "svmctl: --sysv applies to list only\n"));
	EXPECT_STREQ("", r.out);
}

TEST(help_names_sysv_and_its_columns)
{
	struct run r;

	ASSERT_EQ(0, SVMCTL(&r, "--help"));
	EXPECT_TRUE(contains(r.out, "svmctl [-J|-P|-r] [-n] [-b] [-o COLS] list [--sysv]\n"));
	EXPECT_TRUE(contains(r.out, "\nDefault columns with --sysv: KEY,SHMID,OWNER,PERMS,BYTES,NATTCH,STATUS\n"));
}

/* The guest runs the dynamically linked svmctl, as installed ones are. */
TEST(svmctl_is_dynamically_linked)
{
	char interp[64] = "";
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(SVMCTL_PATH, O_RDONLY | O_CLOEXEC), i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(eh), pread(fd, &eh, sizeof(eh), 0));
	for (i = 0; i < eh.e_phnum; i++) {
		ASSERT_EQ(sizeof(ph), pread(fd, &ph, sizeof(ph),
					    eh.e_phoff + i * sizeof(ph)));
		if (ph.p_type == PT_INTERP && ph.p_filesz < sizeof(interp))
			ASSERT_LT(0, pread(fd, interp, ph.p_filesz,
					   ph.p_offset));
	}
	close(fd);
	EXPECT_STREQ("/lib64/ld-linux-x86-64.so.2", interp);
	EXPECT_EQ(0, access(interp, X_OK));
}

/* ---- libsvmk ----------------------------------------------------------- */

FIXTURE(lib) {
	struct svmk *svm;
	struct svmk_region *reg;
	int fd;
};

FIXTURE_SETUP(lib)
{
	char name[32];

	snprintf(name, sizeof(name), "lib-%d", getpid());
	ASSERT_EQ(0, svmk_open(&self->svm, 0));
	ASSERT_EQ(0, svmk_region_open(self->svm, name, LEN,
				      SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				      &self->reg));
	self->fd = svmk_region_fd(self->reg);
}

FIXTURE_TEARDOWN(lib)
{
	svmk_region_close(self->reg);
	svmk_close(self->svm);
}

TEST_F(lib, mlock_twice_munlock_once_unwires)
{
	ASSERT_EQ(0, svmk_region_mlock(self->reg));
	ASSERT_EQ(0, svmk_region_mlock(self->reg));
	EXPECT_EQ(WIRED(0, 1), svm_wire_state(self->fd));
	ASSERT_EQ(0, svmk_region_munlock(self->reg));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	EXPECT_EQ(0, svmk_region_munlock(self->reg));	/* idempotent */
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(lib, mlockers_lists_this_process)
{
	struct svm_mapper buf[4];
	unsigned int total = 99;

	EXPECT_EQ(0, svmk_region_mlockers(self->reg, buf, 4, &total));
	EXPECT_EQ(0, total);
	ASSERT_EQ(0, svmk_region_mlock(self->reg));
	ASSERT_EQ(1, svmk_region_mlockers(self->reg, buf, 4, &total));
	EXPECT_EQ(1, total);
	EXPECT_EQ(getpid(), buf[0].pid);
	EXPECT_EQ(1, buf[0].nr_maps);
	/* No room: only the total. */
	EXPECT_EQ(0, svmk_region_mlockers(self->reg, NULL, 0, &total));
	EXPECT_EQ(1, total);
	/* Every mapper, the mlock bit or not. */
	EXPECT_EQ(1, svmk_region_mappers(self->reg, buf, 4, NULL));
	ASSERT_EQ(0, svmk_region_munlock(self->reg));
	EXPECT_EQ(0, svmk_region_mlockers(self->reg, buf, 4, &total));
	EXPECT_EQ(0, total);
}

TEST_F(lib, svid_locks_are_balanced_and_unlock_at_zero_is_einval)
{
	ASSERT_EQ(0, svmk_region_lock(self->reg));
	ASSERT_EQ(0, svmk_region_lock(self->reg));
	EXPECT_EQ(WIRED(2, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svmk_region_unlock(self->reg));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svmk_region_unlock(self->reg));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	EXPECT_EQ(-EINVAL, svmk_region_unlock(self->reg));
}

TEST_F(lib, mlock_and_svid_lock_never_undo_each_other)
{
	struct svm_info info;

	ASSERT_EQ(0, svmk_region_mlock(self->reg));
	ASSERT_EQ(0, svmk_region_lock(self->reg));
	ASSERT_EQ(0, svmk_region_munlock(self->reg));
	EXPECT_EQ(WIRED(1, 0), svm_wire_state(self->fd));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(LEN, info.charged);
	EXPECT_EQ(0, info.charged_uid);
	ASSERT_EQ(0, svmk_region_unlock(self->reg));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(0, info.charged);
}

/*
 * A fork child keeps the mapping but not the mlock bit; as uid 1000 it has
 * no CAP_IPC_LOCK.  Exit code: the first check that failed, 0 if none.
 */
static int unprivileged_wiring(struct svmk_region *reg)
{
	const struct cred small = { .user = true, .memlock = 4096 };
	struct rlimit zero = { 0, 0 };

	if (become(&small))
		return 10;
	if (svmk_region_mlock(reg) != -ENOMEM)
		return 1;
	if (svmk_region_lock(reg) != -EPERM)
		return 2;
	if (svmk_region_unlock(reg) != -EPERM)
		return 3;
	if (setrlimit(RLIMIT_MEMLOCK, &zero) ||
	    svmk_region_mlock(reg) != -EPERM)
		return 4;
	if (svmk_region_munlock(reg) != 0)
		return 5;
	return 0;
}

TEST_F(lib, unprivileged_errors_are_enomem_and_eperm)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_wiring(self->reg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(UNWIRED, svm_wire_state(self->fd));
}

TEST_F(lib, chmod_sets_the_mode_and_the_fd_keeps_working)
{
	struct svm_info info;

	ASSERT_EQ(0, svmk_region_chmod(self->reg, 0));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(0, info.mode);
	*(volatile char *)svmk_region_addr(self->reg) = 1;
	EXPECT_EQ(-EINVAL, svmk_region_chmod(self->reg, 01000));
	ASSERT_EQ(0, svmk_region_chmod(self->reg, 0600));
}

TEST_F(lib, chown_minus_one_leaves_that_id)
{
	struct svm_info info;

	ASSERT_EQ(0, svmk_region_chown(self->reg, 1000, (gid_t)-1));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(0, info.gid);
	ASSERT_EQ(0, svmk_region_chown(self->reg, (uid_t)-1, 2000));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(1000, info.uid);
	EXPECT_EQ(2000, info.gid);
	EXPECT_EQ(-EINVAL, svmk_region_chown(self->reg, (uid_t)-1, (gid_t)-1));
}

static int unprivileged_chmod(struct svmk_region *reg)
{
	const struct cred user = { .user = true, .memlock = 4096 };

	if (become(&user))
		return 10;
	return svmk_region_chmod(reg, 0666) == -EPERM ? 0 : 1;
}

TEST_F(lib, chmod_by_other_user_is_eperm)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_chmod(self->reg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(strerror_explains_the_wiring_errnos)
{
	EXPECT_TRUE(contains(svmk_strerror(-ENOMEM), "RLIMIT_MEMLOCK"));
	EXPECT_TRUE(contains(svmk_strerror(-ENOMEM), "not mapped"));
	EXPECT_TRUE(contains(svmk_strerror(-ENOMEM), "out of memory"));
	EXPECT_TRUE(contains(svmk_strerror(ENOMEM), "RLIMIT_MEMLOCK"));
	EXPECT_TRUE(contains(svmk_strerror(-EPERM), "CAP_IPC_LOCK"));
	EXPECT_TRUE(contains(svmk_strerror(-EPERM), "RLIMIT_MEMLOCK is 0"));
	EXPECT_TRUE(contains(svmk_strerror(-EINTR), "signal"));
	EXPECT_TRUE(contains(svmk_strerror(-EPERM), "chmod, chown"));
}

TEST_HARNESS_MAIN
