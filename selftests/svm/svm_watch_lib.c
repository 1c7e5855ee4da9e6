// SPDX-License-Identifier: GPL-2.0
/*
 * libsvmk's watches (LIBSVMK_1.2): svmk_region_watch(), svmk_watch_open(),
 * svmk_watch_fd(), svmk_watch_queue_len(), svmk_watch_read(),
 * svmk_watch_close() and the names of event types, causes and sources,
 * each checked against real actions and exact values.  The kernel's side
 * of SVM_IOC_WATCH has its own tests; these are about the library.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"
#include "svmk.h"

#define LEN	(64 * 1024)

/* A region this process created and maps, and a watch of it. */
FIXTURE(watch) {
	char name[32];
	struct svmk *svm;
	struct svmk_region *reg;
	struct svmk_watch *w;
};

FIXTURE_SETUP(watch)
{
	snprintf(self->name, sizeof(self->name), "wlib-%d", getpid());
	ASSERT_EQ(0, svmk_open(&self->svm, 0));
	ASSERT_EQ(0, svmk_region_open(self->svm, self->name, LEN,
				      SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600,
				      &self->reg));
	ASSERT_EQ(0, svmk_region_watch(self->reg, SVM_WATCH_CLOEXEC, &self->w));
}

FIXTURE_TEARDOWN(watch)
{
	svmk_watch_close(self->w);
	svmk_region_close(self->reg);
	svmk_close(self->svm);
}

/* Fork a child that maps the region (inherited) and ends as how says. */
enum end { END_EXIT, END_SIGKILL };

static pid_t child_that_ends(enum end how)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (how == END_EXIT)
			_exit(3);
		for (;;)
			pause();
	}
	if (pid > 0 && how == END_SIGKILL)
		kill(pid, SIGKILL);
	return pid;
}

/* The child's status once reaped: its DETACH is queued by then. */
static int reap(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid ? status : -1;
}

TEST_F(watch, fd_is_close_on_exec_and_blocking_as_asked)
{
	struct svmk_watch *nb;
	int fd = svmk_watch_fd(self->w);

	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, svmk_region_watch(self->reg, SVM_WATCH_NONBLOCK, &nb));
	EXPECT_EQ(0, fcntl(svmk_watch_fd(nb), F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_NONBLOCK, fcntl(svmk_watch_fd(nb), F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, svmk_watch_close(nb));
}

TEST_F(watch, queue_len_is_the_module_parameter)
{
	EXPECT_EQ(svm_get_param("watch_queue_len"),
		  svmk_watch_queue_len(self->w));
}

TEST_F(watch, unknown_flag_is_einval)
{
	struct svmk_watch *w = NULL;

	EXPECT_EQ(-EINVAL, svmk_region_watch(self->reg, 1U << 2, &w));
	EXPECT_EQ(-EINVAL, svmk_watch_open(self->svm, self->name, 1U << 31,
					   &w));
	EXPECT_EQ(NULL, w);
}

TEST_F(watch, read_of_no_room_is_einval)
{
	struct svm_event ev;

	EXPECT_EQ(-EINVAL, svmk_watch_read(self->w, &ev, 0));
}

TEST_F(watch, nonblocking_read_of_an_empty_queue_is_eagain)
{
	struct svm_event ev;

	ASSERT_EQ(0, fcntl(svmk_watch_fd(self->w), F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, svmk_watch_read(self->w, &ev, 1));
}

TEST_F(watch, read_fills_the_array_with_a_fork_childs_attach_and_detach)
{
	struct svm_event ev[4];
	pid_t pid = child_that_ends(END_EXIT);

	ASSERT_LT(0, pid);
	ASSERT_EQ(3 << 8, reap(pid));
	memset(ev, 0xa5, sizeof(ev));
	ASSERT_EQ(2, svmk_watch_read(self->w, ev, 4));

	EXPECT_EQ(SVM_EVENT_SIZE_VER0, ev[0].size);
	EXPECT_EQ(SVM_EVENT_ATTACH, ev[0].type);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(pid, ev[0].pid);
	EXPECT_EQ(SVM_CAUSE_NONE, ev[0].cause);
	EXPECT_EQ(2, ev[0].mappers);

	EXPECT_EQ(SVM_EVENT_DETACH, ev[1].type);
	EXPECT_EQ(2, ev[1].seq);
	EXPECT_EQ(pid, ev[1].pid);
	EXPECT_EQ(SVM_CAUSE_EXIT, ev[1].cause);
	EXPECT_EQ(0, ev[1].signo);
	EXPECT_EQ(1, ev[1].mappers);
	EXPECT_LE(ev[0].mono_ns, ev[1].mono_ns);
	EXPECT_LT(0, ev[1].real_ns);
	/* The library never writes past what it read. */
	EXPECT_EQ(0xa5a5a5a5, ev[2].size);
}

TEST_F(watch, sigkill_is_a_detach_by_signal_9)
{
	struct svm_event ev[2];
	pid_t pid = child_that_ends(END_SIGKILL);
	int status;

	ASSERT_LT(0, pid);
	status = reap(pid);
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(2, svmk_watch_read(self->w, ev, 2));
	EXPECT_EQ(SVM_EVENT_DETACH, ev[1].type);
	EXPECT_EQ(pid, ev[1].pid);
	EXPECT_EQ(SVM_CAUSE_SIGNAL, ev[1].cause);
	EXPECT_EQ(SIGKILL, ev[1].signo);
	EXPECT_STREQ("signal", svmk_cause_name(ev[1].cause));
}

TEST_F(watch, a_short_array_gets_the_rest_at_the_next_read)
{
	struct svm_event ev;
	pid_t pid = child_that_ends(END_EXIT);

	ASSERT_LT(0, pid);
	reap(pid);
	ASSERT_EQ(1, svmk_watch_read(self->w, &ev, 1));
	EXPECT_EQ(SVM_EVENT_ATTACH, ev.type);
	ASSERT_EQ(1, svmk_watch_read(self->w, &ev, 1));
	EXPECT_EQ(SVM_EVENT_DETACH, ev.type);
	EXPECT_EQ(2, ev.seq);
}

/* The watch outlives the region handle: its unmap and its end come. */
TEST_F(watch, remove_and_close_end_in_destroyed_and_end_of_file)
{
	struct svm_event ev[4];

	ASSERT_EQ(0, svmk_remove(self->svm, self->name));
	ASSERT_EQ(0, svmk_region_close(self->reg));
	self->reg = NULL;
	ASSERT_EQ(3, svmk_watch_read(self->w, ev, 4));
	EXPECT_EQ(SVM_EVENT_REMOVED, ev[0].type);
	EXPECT_EQ(getpid(), ev[0].pid);
	EXPECT_EQ(1, ev[0].mappers);
	EXPECT_EQ(SVM_EVENT_DETACH, ev[1].type);
	EXPECT_EQ(SVM_CAUSE_UNMAP, ev[1].cause);
	EXPECT_EQ(0, ev[1].mappers);
	EXPECT_EQ(SVM_EVENT_DESTROYED, ev[2].type);
	EXPECT_EQ(3, ev[2].seq);
	EXPECT_EQ(0, svmk_watch_read(self->w, ev, 4));
	EXPECT_EQ(0, svmk_watch_read(self->w, ev, 4));
}

/* By name, the watcher holds nothing: the last other holder ends it. */
TEST_F(watch, watch_open_holds_nothing)
{
	struct svmk_watch *w;
	struct svm_event ev[4];
	struct svm_info info;

	ASSERT_EQ(0, svmk_watch_open(self->svm, self->name, 0, &w));
	ASSERT_EQ(0, svmk_region_info(self->reg, &info));
	EXPECT_EQ(1, info.nr_fds);		/* the fixture's own */
	EXPECT_EQ(1, info.nr_mappers);
	ASSERT_EQ(0, svmk_region_close(self->reg));
	self->reg = NULL;
	ASSERT_EQ(2, svmk_watch_read(w, ev, 4));
	EXPECT_EQ(SVM_EVENT_DETACH, ev[0].type);
	EXPECT_EQ(SVM_EVENT_DESTROYED, ev[1].type);
	EXPECT_EQ(0, svmk_watch_read(w, ev, 4));
	EXPECT_EQ(0, svmk_watch_close(w));
}

TEST_F(watch, watch_open_of_a_missing_or_bad_name_fails)
{
	struct svmk_watch *w;

	EXPECT_EQ(-ENOENT, svmk_watch_open(self->svm, "wlib-no-such", 0, &w));
	EXPECT_EQ(-EINVAL, svmk_watch_open(self->svm, "a/b", 0, &w));
}

/* As uid 1000, the region is root's 0600: both ways are EACCES. */
static int unprivileged_watch(void *arg)
{
	FIXTURE_DATA(watch) *self = arg;
	struct svmk_watch *w;

	if (svmk_region_watch(self->reg, 0, &w) != -EACCES)
		return 1;
	if (svmk_watch_open(self->svm, self->name, 0, &w) != -EACCES)
		return 2;
	return 0;
}

TEST_F(watch, without_read_permission_is_eacces)
{
	EXPECT_EQ(0, svm_as_user(unprivileged_watch, self));
}

TEST_F(watch, past_user_max_watches_is_enospc)
{
	unsigned long long old = svm_get_param("user_max_watches");
	struct svmk_watch *w = NULL;
	int err;

	/* The fixture holds one: the limit is reached. */
	ASSERT_EQ(0, svm_set_param("user_max_watches", 1));
	err = svmk_region_watch(self->reg, 0, &w);
	EXPECT_EQ(0, svm_set_param("user_max_watches", old));
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_NE(NULL, strstr(svmk_strerror(err), "user_max_watches"));
	if (!err)
		svmk_watch_close(w);
}

/* A queue of 4 and six events: the two oldest dropped, one OVERFLOW. */
TEST_F(watch, a_full_queue_reads_as_overflow_then_the_rest)
{
	unsigned long long old = svm_get_param("watch_queue_len");
	struct svm_event ev[8];
	struct svmk_watch *w;
	int i, err;

	ASSERT_EQ(0, svm_set_param("watch_queue_len", 4));
	err = svmk_region_watch(self->reg, 0, &w);
	EXPECT_EQ(0, svm_set_param("watch_queue_len", old));
	ASSERT_EQ(0, err);
	EXPECT_EQ(4, svmk_watch_queue_len(w));
	for (i = 0; i < 3; i++)
		reap(child_that_ends(END_EXIT));
	ASSERT_EQ(5, svmk_watch_read(w, ev, 8));
	EXPECT_EQ(SVM_EVENT_OVERFLOW, ev[0].type);
	EXPECT_EQ(1, ev[0].seq);
	EXPECT_EQ(2, ev[0].lost);
	EXPECT_EQ(0, ev[0].pid);
	for (i = 1; i < 5; i++)
		EXPECT_EQ(2 + i, ev[i].seq);
	EXPECT_EQ(SVM_EVENT_DETACH, ev[4].type);
	EXPECT_STREQ("overflow", svmk_event_name(ev[0].type));
	svmk_watch_close(w);
}

TEST(close_of_null_is_0)
{
	EXPECT_EQ(0, svmk_watch_close(NULL));
}

TEST(event_names)
{
	EXPECT_EQ(NULL, svmk_event_name(0));
	EXPECT_STREQ("attach", svmk_event_name(SVM_EVENT_ATTACH));
	EXPECT_STREQ("detach", svmk_event_name(SVM_EVENT_DETACH));
	EXPECT_STREQ("wired", svmk_event_name(SVM_EVENT_WIRED));
	EXPECT_STREQ("unwired", svmk_event_name(SVM_EVENT_UNWIRED));
	EXPECT_STREQ("removed", svmk_event_name(SVM_EVENT_REMOVED));
	EXPECT_STREQ("destroyed", svmk_event_name(SVM_EVENT_DESTROYED));
	EXPECT_STREQ("overflow", svmk_event_name(SVM_EVENT_OVERFLOW));
	EXPECT_EQ(NULL, svmk_event_name(SVM_EVENT_OVERFLOW + 1));
	EXPECT_EQ(NULL, svmk_event_name(~0U));
}

TEST(cause_names)
{
	EXPECT_STREQ("none", svmk_cause_name(SVM_CAUSE_NONE));
	EXPECT_STREQ("unmap", svmk_cause_name(SVM_CAUSE_UNMAP));
	EXPECT_STREQ("exec", svmk_cause_name(SVM_CAUSE_EXEC));
	EXPECT_STREQ("exit", svmk_cause_name(SVM_CAUSE_EXIT));
	EXPECT_STREQ("signal", svmk_cause_name(SVM_CAUSE_SIGNAL));
	EXPECT_STREQ("oom", svmk_cause_name(SVM_CAUSE_OOM));
	EXPECT_STREQ("unknown", svmk_cause_name(SVM_CAUSE_UNKNOWN));
	EXPECT_EQ(NULL, svmk_cause_name(SVM_CAUSE_UNKNOWN + 1));
}

TEST(source_names)
{
	EXPECT_EQ(NULL, svmk_source_name(0));
	EXPECT_STREQ("svid", svmk_source_name(SVM_WIRE_SRC_SVID));
	EXPECT_STREQ("mlock", svmk_source_name(SVM_WIRE_SRC_MLOCK));
	EXPECT_EQ(NULL, svmk_source_name(SVM_WIRE_SRC_MLOCK + 1));
}

TEST(strerror_explains_the_watch_errnos)
{
	EXPECT_NE(NULL, strstr(svmk_strerror(-ENOSPC), "user_max_watches"));
	EXPECT_NE(NULL, strstr(svmk_strerror(-EACCES), "read permission"));
}

TEST_HARNESS_MAIN
