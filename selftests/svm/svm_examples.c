// SPDX-License-Identifier: GPL-2.0
/*
 * The programs of examples/, run as a user would run them: each must exit
 * 0 and print what shows it worked.  The guest holds them in /examples
 * (statically linked, but sysv-list, an ordinary SysV program run with
 * libsvmk-sysv preloaded); elsewhere SVM_EXAMPLES names their directory
 * and SVM_SYSV_LIB the library to preload.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svm_test.h"

#define OUT_MAX		8192
#define PATH_LEN	256

/* The example's path in path[PATH_LEN]; -1 if it is not there. */
static int example_path(const char *name, char *path)
{
	const char *dir = getenv("SVM_EXAMPLES") ?: "/examples";

	snprintf(path, PATH_LEN, "%s/%s", dir, name);
	return access(path, X_OK);
}

/*
 * Run path with stdout and stderr into out[OUT_MAX]; returns its wait
 * status, or -1 if it could not be run.  Its output is echoed as KTAP
 * diagnostics.
 */
static int run_example(const char *path, char *out)
{
	const char *name = strrchr(path, '/') + 1;
	int pipefd[2], status;
	char *line, *end;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < OUT_MAX - 1 &&
	       (n = read(pipefd[0], out + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	for (line = out; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		printf("#   %s: %.*s\n", name, (int)(end - line), line);
	}
	fflush(stdout);		/* the harness ends each test with _exit() */
	return status;
}

#define NEED_EXAMPLE(name, path)					\
	do {								\
		if (example_path(name, path))				\
			SKIP(return, "%s not found (set SVM_EXAMPLES)",	\
			     path);					\
	} while (0)

TEST(producer_consumer_share_a_pointer_linked_list)
{
	char path[PATH_LEN], out[OUT_MAX];

	NEED_EXAMPLE("producer-consumer", path);
	ASSERT_EQ(0, run_example(path, out));
	EXPECT_NE(NULL, strstr(out, "consumer: walked 3 orders"));
	EXPECT_NE(NULL, strstr(out, "producer: after the consumer, 4 orders"));
}

TEST(wiring_sources_never_undo_each_other)
{
	char path[PATH_LEN], out[OUT_MAX];

	NEED_EXAMPLE("wiring", path);
	ASSERT_EQ(0, run_example(path, out));
	EXPECT_NE(NULL, strstr(out, "create: wired no, svid locks 0, "
				    "mlockers 0, resident 0 of 256 pages"));
	EXPECT_NE(NULL, strstr(out, "mlock twice: wired yes, svid locks 0, "
				    "mlockers 1, resident 256 of 256 pages, "
				    "charged 0 KiB"));
	EXPECT_NE(NULL, strstr(out, "SVID lock: wired yes, svid locks 1, "
				    "mlockers 1, resident 256 of 256 pages, "
				    "charged 1024 KiB"));
	EXPECT_NE(NULL, strstr(out, "munlock once: wired yes, svid locks 1, "
				    "mlockers 0"));
	EXPECT_NE(NULL, strstr(out, "SVID unlock: wired no, svid locks 0, "
				    "mlockers 0, resident 256 of 256 pages, "
				    "charged 0 KiB"));
}

TEST(fork_child_is_a_mapper_until_it_exits)
{
	char path[PATH_LEN], out[OUT_MAX];

	NEED_EXAMPLE("fork", path);
	ASSERT_EQ(0, run_example(path, out));
	EXPECT_NE(NULL, strstr(out, "child running: 2 mapper(s)"));
	EXPECT_NE(NULL, strstr(out, "child reaped: 1 mapper(s)"));
}

/* A started example: its pid and the read end of its stdout and stderr. */
struct started {
	pid_t pid;
	int out;
	size_t len;
};

static int start_example(const char *path, char *const argv[],
			 struct started *st)
{
	int pipefd[2];

	if (pipe(pipefd))
		return -1;
	fflush(stdout);
	st->pid = fork();
	if (st->pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(path, argv);
		_exit(127);
	}
	close(pipefd[1]);
	st->out = pipefd[0];
	st->len = 0;
	return st->pid < 0 ? -1 : 0;
}

/*
 * Read its output into out[OUT_MAX] until needle is in it (NULL: until
 * the end), for up to 20 s; true if it came.
 */
static bool read_output(struct started *st, char *out, const char *needle)
{
	long long end = svm_now_ms() + 20000;
	struct pollfd p = { .fd = st->out, .events = POLLIN };
	ssize_t n;

	out[st->len] = '\0';
	while (!needle || !strstr(out, needle)) {
		if (st->len >= OUT_MAX - 1 ||
		    poll(&p, 1, end - svm_now_ms()) <= 0)
			return false;
		n = read(st->out, out + st->len, OUT_MAX - 1 - st->len);
		if (n <= 0)
			return !needle;
		st->len += n;
		out[st->len] = '\0';
	}
	return true;
}

/* Echo out as KTAP diagnostics, as run_example() does. */
static void echo_output(const char *name, const char *out)
{
	const char *line, *end;

	for (line = out; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		printf("#   %s: %.*s\n", name, (int)(end - line), line);
	}
	fflush(stdout);
}

/*
 * Two workers start; the test SIGKILLs the first.  The supervisor learns
 * it from its watch alone, says who died and how, starts another, sees
 * it attach and, with -r 1, stops.
 */
TEST(supervisor_restarts_a_sigkilled_worker)
{
	char path[PATH_LEN], out[OUT_MAX], want[128];
	char *argv[] = { "supervisor", "-r", "1", NULL };
	struct started st;
	int w1, w2, w3, status;
	const char *p;

	NEED_EXAMPLE("supervisor", path);
	ASSERT_EQ(0, start_example(path, argv, &st));
	/* Both started and mapping: the second attach leaves 3 mappers. */
	ASSERT_TRUE(read_output(&st, out, " attached: 3 mappers\n")) {
		kill(st.pid, SIGKILL);
		echo_output("supervisor", out);
	}
	p = strstr(out, "worker 1 started: pid ");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "worker 1 started: pid %d", &w1));
	p = strstr(out, "worker 2 started: pid ");
	ASSERT_EQ(1, sscanf(p, "worker 2 started: pid %d", &w2));
	ASSERT_EQ(0, kill(w1, SIGKILL));

	snprintf(want, sizeof(want), "supervisor: 1 restart, stopping\n");
	EXPECT_TRUE(read_output(&st, out, want));
	EXPECT_TRUE(read_output(&st, out, NULL));
	close(st.out);
	ASSERT_EQ(st.pid, waitpid(st.pid, &status, 0));
	echo_output("supervisor", out);
	EXPECT_EQ(0, status);

	snprintf(want, sizeof(want),
		 "worker %d died: killed by signal 9 (SIGKILL)\n", w1);
	EXPECT_NE(NULL, strstr(out, want));
	p = strstr(out, "worker 1 started: pid ");
	p = p ? strstr(p + 1, "worker 1 started: pid ") : NULL;
	ASSERT_NE(NULL, p);
	ASSERT_EQ(1, sscanf(p, "worker 1 started: pid %d (restart 1)", &w3));
	EXPECT_NE(w1, w3);
	EXPECT_NE(w2, w3);
	snprintf(want, sizeof(want), "worker %d attached: ", w3);
	EXPECT_NE(NULL, strstr(out, want));
	/* The restarted worker is gone with the supervisor. */
	EXPECT_EQ(-1, kill(w3, 0));
}

/*
 * sysv-list, run as three programs with LD_PRELOAD=libsvmk-sysv.so.1:
 * the list put stores raw pointers, which the walk follows at the same
 * address in another process.
 */
TEST(sysv_list_walks_raw_pointers_under_ld_preload)
{
	const char *lib = getenv("SVM_SYSV_LIB") ?: "/lib/libsvmk-sysv.so.1";
	char path[PATH_LEN], out[OUT_MAX], key[16], *put_at, *walk_at;
	char *argv[] = { "sysv-list", NULL, key, NULL };
	const char *verbs[] = { "put", "walk", "rm" };
	char outs[3][OUT_MAX];
	struct started st;
	int i, status;

	NEED_EXAMPLE("sysv-list", path);
	if (access(lib, R_OK))
		SKIP(return, "%s not found (set SVM_SYSV_LIB)", lib);
	ASSERT_EQ(0, setenv("LD_PRELOAD", lib, 1));
	snprintf(key, sizeof(key), "%#x", 0x51500000 | (getpid() & 0xffff));
	for (i = 0; i < 3; i++) {
		argv[1] = (char *)verbs[i];
		ASSERT_EQ(0, start_example(path, argv, &st));
		EXPECT_TRUE(read_output(&st, out, NULL));
		close(st.out);
		status = -1;
		waitpid(st.pid, &status, 0);
		echo_output("sysv-list", out);
		EXPECT_EQ(0, status);
		strcpy(outs[i], out);
	}
	unsetenv("LD_PRELOAD");
	put_at = strstr(outs[0], "put: 5 values at 0x");
	walk_at = strstr(outs[1], "walk: at 0x");
	ASSERT_NE(NULL, put_at);
	ASSERT_NE(NULL, walk_at);
	/* The same address in both processes. */
	EXPECT_EQ(strtoul(put_at + 17, NULL, 16), strtoul(walk_at + 9, NULL, 16));
	EXPECT_NE(NULL, strstr(outs[1], ": 10 20 30 40 50\nwalk: 5 values\n"));
	EXPECT_NE(NULL, strstr(outs[2], "rm: segment "));
}

TEST_HARNESS_MAIN
