// SPDX-License-Identifier: MIT
/*
 * fork: a child inherits its parent's region mapping, at the same address
 * of course, so pointers into the region stay valid across fork().  The
 * kernel counts the child as a mapper from the moment it exists and drops
 * it as it exits: nobody keeps or cleans a pid list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <svmk.h>

struct shared {
	int turn;			/* 1 child replied, 2 parent checked */
	struct shared *self;		/* a pointer into the region */
	char msg[64];
};

/* Wait until sh->turn reaches want, for up to 10 s. */
static int wait_turn(struct shared *sh, int want)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++, nanosleep(&ms, NULL))
		if (__atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE) >= want)
			return 0;
	return -1;
}

/* Print the region's mappers; returns how many there are. */
static int mappers(const char *when, struct svmk_region *reg)
{
	struct svm_mapper m[8];
	int i, n = svmk_region_mappers(reg, m, 8, NULL);

	printf("%s: %d mapper(s):", when, n);
	for (i = 0; i < n; i++)
		printf(" pid %d", m[i].pid);
	printf("\n");
	return n;
}

int main(void)
{
	struct svmk_region *reg;
	struct shared *sh;
	struct svmk *svm;
	int err, status;
	char name[32];
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(name, sizeof(name), "fork-%d", (int)getpid());
	err = svmk_open(&svm, 0);
	if (!err)
		err = svmk_region_open(svm, name, 4096,
				       SVM_OPEN_CREATE | SVM_OPEN_EXCL, 0600, &reg);
	if (err) {
		fprintf(stderr, "%s: %s\n", name, svmk_strerror(err));
		return 1;
	}
	sh = svmk_region_addr(reg);
	sh->self = sh;
	printf("parent %d: region '%s' at %p\n", (int)getpid(), name, (void *)sh);
	mappers("before fork", reg);

	pid = fork();
	if (pid == 0) {
		/* The same address: the parent's pointer is valid here. */
		snprintf(sh->self->msg, sizeof(sh->msg), "hello from child %d",
			 (int)getpid());
		__atomic_store_n(&sh->turn, 1, __ATOMIC_RELEASE);
		_exit(wait_turn(sh, 2) ? 1 : 0);
	}
	if (pid < 0 || wait_turn(sh, 1))
		return 1;
	printf("parent: child wrote \"%s\"\n", sh->msg);
	if (mappers("child running", reg) != 2)
		return 1;
	__atomic_store_n(&sh->turn, 2, __ATOMIC_RELEASE);
	if (waitpid(pid, &status, 0) != pid || status != 0)
		return 1;
	/* The child's address space is gone before waitpid() returns. */
	if (mappers("child reaped", reg) != 1)
		return 1;
	svmk_region_close(reg);
	svmk_close(svm);
	return 0;
}
