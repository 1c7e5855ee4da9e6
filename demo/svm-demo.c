// SPDX-License-Identifier: GPL-2.0
/*
 * svm-demo: two unrelated processes share a linked list of raw pointers.
 *
 *   svm-demo produce NAME   create region NAME, build a list in it, wait
 *   svm-demo consume NAME   open NAME, follow the producer's pointers, wait
 *
 * Both wait for SIGTERM, then unmap and exit.  demo.sh runs the show.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svmk.h"

#define NODES 8

struct node {
	struct node	*next;
	int		value;
	char		label[16];
};

struct shared {
	volatile int	ready;
	struct node	*head;		/* a raw pointer into the region */
	struct node	nodes[NODES];
};

static int fail(const char *what, const char *name, int err)
{
	fprintf(stderr, "svm-demo: %s '%s': %s\n", what, name,
		svmk_strerror(err));
	return 1;
}

static void wait_for_sigterm(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
}

static void produce(struct shared *sh)
{
	int i;

	for (i = 0; i < NODES; i++) {
		sh->nodes[i].value = (i + 1) * 11;
		snprintf(sh->nodes[i].label, sizeof(sh->nodes[i].label),
			 "node-%d", i);
		sh->nodes[i].next = i + 1 < NODES ? &sh->nodes[i + 1] : NULL;
	}
	sh->head = &sh->nodes[0];
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	printf("  producer %d: built a %d-node list at %p, head %p\n",
	       getpid(), NODES, (void *)sh, (void *)sh->head);
}

static int consume(struct shared *sh)
{
	int n = 0, waited = 0;
	struct node *p;

	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE)) {
		if (++waited > 10000)
			return -1;
		usleep(1000);
	}
	printf("  consumer %d: following raw pointers from head %p:",
	       getpid(), (void *)sh->head);
	for (p = sh->head; p; p = p->next, n++)
		printf(" %s=%d", p->label, p->value);
	printf("\n  consumer %d: followed %d pointers, no translation\n",
	       getpid(), n);
	return n;
}

int main(int argc, char **argv)
{
	struct svmk_region *reg;
	struct svmk *svm;
	int producer, err;

	if (argc != 3 || (strcmp(argv[1], "produce") &&
			  strcmp(argv[1], "consume"))) {
		fprintf(stderr, "usage: svm-demo produce|consume NAME\n");
		return 2;
	}
	producer = !strcmp(argv[1], "produce");
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = svmk_open(&svm, 0);
	if (err)
		return fail("open", SVM_DEVICE, err);
	err = svmk_region_open(svm, argv[2], producer ? 1 << 20 : 0,
			       producer ? SVM_OPEN_CREATE | SVM_OPEN_EXCL : 0,
			       0600, &reg);
	if (err)
		return fail(producer ? "create" : "open", argv[2], err);
	if (producer)
		produce(svmk_region_addr(reg));
	else if (consume(svmk_region_addr(reg)) != NODES)
		return fail("read list in", argv[2], -ETIMEDOUT);
	wait_for_sigterm();
	svmk_region_close(reg);
	svmk_close(svm);
	return 0;
}
