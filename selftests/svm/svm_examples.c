// SPDX-License-Identifier: GPL-2.0
/*
 * The programs of examples/, run as a user would run them: each must exit
 * 0 and print what shows it worked.  The guest holds them in /examples
 * (statically linked); elsewhere SVM_EXAMPLES names their directory.
 */
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

TEST_HARNESS_MAIN
