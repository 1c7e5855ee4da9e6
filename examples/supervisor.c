// SPDX-License-Identifier: MIT
/*
 * supervisor: keep two workers on a region, and start a new one for each
 * that dies.  The kernel says who detaches from the region and why: the
 * supervisor blocks in epoll_wait() on a watch of the region (and on a
 * signalfd for SIGINT and SIGTERM), never polls a pid list and never
 * sleeps.  Whatever kills a worker, SIGKILL included, its detach comes.
 *
 *   supervisor [-r RESTARTS]
 *
 * Runs until SIGINT or SIGTERM, or with -r until RESTARTS workers have
 * been replaced and the last replacement maps the region; then it stops
 * its workers and exits 0.  It prints each worker's pid as it starts it,
 * so that a test can kill one.
 */
#define _GNU_SOURCE		/* sigabbrev_np() */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <svmk.h>

#define NR_WORKERS	2

struct shared {
	pid_t worker[NR_WORKERS];	/* written by each worker itself */
};

struct worker {
	pid_t pid;
	int attached;			/* its ATTACH was read */
};

static struct worker workers[NR_WORKERS];
static struct shared *sh;
static struct svmk_watch *watch;

/* A worker would serve requests from the region; this one waits. */
static void __attribute__((noreturn)) work(int slot)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	svmk_watch_close(watch);	/* the supervisor's, not ours */
	__atomic_store_n(&sh->worker[slot], getpid(), __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* Fork the worker of slot: the child inherits the region's mapping. */
static int start(int slot, int restart)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("supervisor: fork");
		return -1;
	}
	if (pid == 0)
		work(slot);
	workers[slot].pid = pid;
	workers[slot].attached = 0;
	if (restart)
		printf("worker %d started: pid %d (restart %d)\n", slot + 1,
		       (int)pid, restart);
	else
		printf("worker %d started: pid %d\n", slot + 1, (int)pid);
	return 0;
}

static int slot_of(pid_t pid)
{
	int i;

	for (i = 0; i < NR_WORKERS; i++)
		if (pid > 0 && workers[i].pid == pid)
			return i;
	return -1;
}

/* "killed by signal 9 (SIGKILL)": why the event says it detached. */
static void print_death(const struct svm_event *ev, int status)
{
	const char *sig = sigabbrev_np(ev->signo);

	printf("worker %d died: ", ev->pid);
	switch (ev->cause) {
	case SVM_CAUSE_SIGNAL:
		printf("killed by signal %u (SIG%s)\n", ev->signo,
		       sig ? sig : "?");
		break;
	case SVM_CAUSE_OOM:
		printf("killed by the OOM killer (SIGKILL)\n");
		break;
	case SVM_CAUSE_EXIT:
		printf("exited with status %d\n",
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		break;
	default:	/* unmap, exec: no worker any more, so it was killed */
		printf("detached (%s), so stopped\n",
		       svmk_cause_name(ev->cause) ?: "?");
		break;
	}
}

/*
 * A worker's address space left the region: it is dead, or no worker
 * any more (it unmapped the region or called execve()).  Reap it and
 * start another.  Returns 1 if one was restarted.
 */
static int detached(const struct svm_event *ev, int *restarts)
{
	int slot = slot_of(ev->pid), status = 0;

	if (slot < 0)
		return 0;
	/* Its memory is gone; it is a zombie now or in a moment. */
	if (ev->cause == SVM_CAUSE_UNMAP || ev->cause == SVM_CAUSE_EXEC)
		kill(ev->pid, SIGKILL);
	while (waitpid(ev->pid, &status, 0) < 0 && errno == EINTR)
		;
	print_death(ev, status);
	workers[slot].pid = 0;
	if (start(slot, ++*restarts))
		return -1;
	return 1;
}

/*
 * The queue overflowed: a detach may be among the lost events.  The
 * kernel's list of mappers says which workers are still there; one that
 * is not is no worker any more: stop it (if still alive) and replace it.
 */
static int recheck(struct svmk_region *reg, int *restarts)
{
	struct svm_mapper m[NR_WORKERS + 16];
	int i, k, n, found;

	n = svmk_region_mappers(reg, m, NR_WORKERS + 16, NULL);
	if (n < 0)
		return n;
	for (i = 0; i < NR_WORKERS; i++) {
		for (k = 0, found = 0; k < n; k++)
			found |= m[k].pid == workers[i].pid;
		if (found)
			continue;
		kill(workers[i].pid, SIGKILL);
		while (waitpid(workers[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		printf("worker %d died: its detach was among the lost events\n",
		       (int)workers[i].pid);
		if (start(i, ++*restarts))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct epoll_event ee = { .events = EPOLLIN }, got;
	struct svm_event ev[16];
	struct svmk_region *reg;
	struct svmk *svm;
	int max = -1, restarts = 0, stop = 0, err, sfd, ep, i, n, opt;
	sigset_t sigs;
	char name[32];

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			goto usage;
		max = atoi(optarg);
		if (max < 0)
			goto usage;
	}
	if (optind != argc) {
usage:
		fprintf(stderr, "usage: supervisor [-r RESTARTS]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Signals are read from a signalfd: blocked from the start. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);

	snprintf(name, sizeof(name), "supervisor-%d", (int)getpid());
	err = svmk_open(&svm, 0);
	if (!err)
		err = svmk_region_open(svm, name, 4096,
				       SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &reg);
	if (!err)
		err = svmk_region_watch(reg, SVM_WATCH_CLOEXEC |
					SVM_WATCH_NONBLOCK, &watch);
	if (err) {
		fprintf(stderr, "supervisor: %s: %s\n", name, svmk_strerror(err));
		return 1;
	}
	sh = svmk_region_addr(reg);
	printf("supervisor %d: region '%s' at %p, watched\n", (int)getpid(),
	       name, (void *)sh);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ee.data.fd = svmk_watch_fd(watch);
	if (sfd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ee.data.fd, &ee))
		return 1;
	ee.data.fd = sfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ee))
		return 1;

	for (i = 0; i < NR_WORKERS; i++)
		if (start(i, 0))
			return 1;

	while (!stop) {
		if (epoll_wait(ep, &got, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (got.data.fd == sfd)
			break;
		/* Non-blocking: read until the queue is empty. */
		while (!stop && (n = svmk_watch_read(watch, ev, 16)) > 0) {
			for (i = 0; i < n; i++) {
				int slot = slot_of(ev[i].pid);

				if (ev[i].type == SVM_EVENT_ATTACH && slot >= 0) {
					workers[slot].attached = 1;
					printf("worker %d attached: %u mappers\n",
					       ev[i].pid, ev[i].mappers);
				} else if (ev[i].type == SVM_EVENT_DETACH) {
					if (detached(&ev[i], &restarts) < 0)
						return 1;
				} else if (ev[i].type == SVM_EVENT_OVERFLOW) {
					printf("%llu events lost\n",
					       (unsigned long long)ev[i].lost);
					if (recheck(reg, &restarts) < 0)
						return 1;
				}
			}
			/* Stop once the last replacement maps the region. */
			if (max >= 0 && restarts >= max) {
				stop = 1;
				for (i = 0; i < NR_WORKERS; i++)
					stop &= workers[i].attached;
			}
		}
		if (!stop && n < 0 && n != -EAGAIN) {
			fprintf(stderr, "supervisor: read: %s\n",
				svmk_strerror(n));
			return 1;
		}
	}

	printf("supervisor: %d restart%s, stopping\n", restarts,
	       restarts == 1 ? "" : "s");
	for (i = 0; i < NR_WORKERS; i++)
		if (workers[i].pid > 0)
			kill(workers[i].pid, SIGTERM);
	for (i = 0; i < NR_WORKERS; i++)
		if (workers[i].pid > 0)
			waitpid(workers[i].pid, NULL, 0);
	svmk_watch_close(watch);
	svmk_region_close(reg);
	svmk_close(svm);
	return 0;
}
