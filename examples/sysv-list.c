// SPDX-License-Identifier: MIT
/*
 * sysv-list: an ordinary SysV shared-memory program that keeps a linked
 * list of raw pointers in a segment.  Nothing in it is svm's: run it with
 * LD_PRELOAD=libsvmk-sysv.so.1 (or link it with -lsvmk-sysv) and every
 * process attaches the segment at the same address, so the pointers one
 * process stored are valid in the next.
 *
 *   sysv-list put KEY      create the segment of KEY, store the list 1..5
 *   sysv-list walk KEY     attach it and follow the pointers
 *   sysv-list rm KEY       remove the segment
 *
 * KEY is a number (0x prefix for hex).  Under plain glibc, walk usually
 * finds the segment at another address and says so instead of crashing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>

#define NODES	5

struct node {
	struct node *next;
	long value;
};

struct list {
	struct list *self;	/* where put attached it */
	struct node *head;
	struct node nodes[NODES];
};

static int put(int id)
{
	struct node **link;
	struct list *l;
	int i;

	l = shmat(id, NULL, 0);
	if (l == (void *)-1) {
		fprintf(stderr, "sysv-list: shmat(%d): %s\n", id, strerror(errno));
		return 1;
	}
	l->self = l;
	link = &l->head;
	for (i = 0; i < NODES; i++) {
		l->nodes[i].value = (i + 1) * 10;
		*link = &l->nodes[i];
		link = &l->nodes[i].next;
	}
	*link = NULL;
	printf("put: %d values at %p\n", NODES, (void *)l);
	return shmdt(l) ? 1 : 0;
}

static int walk(int id)
{
	struct list *l;
	struct node *n;
	int count = 0;

	l = shmat(id, NULL, SHM_RDONLY);
	if (l == (void *)-1) {
		fprintf(stderr, "sysv-list: shmat(%d): %s\n", id, strerror(errno));
		return 1;
	}
	if (l->self != l) {
		fprintf(stderr, "sysv-list: the list was put at %p, attached at %p: its pointers do not hold here\n",
			(void *)l->self, (void *)l);
		return 1;
	}
	printf("walk: at %p:", (void *)l);
	for (n = l->head; n; n = n->next) {
		printf(" %ld", n->value);
		count++;
	}
	printf("\nwalk: %d values\n", count);
	return shmdt(l) ? 1 : 0;
}

int main(int argc, char **argv)
{
	char *end;
	key_t key;
	int id;

	if (argc != 3) {
		fprintf(stderr, "usage: sysv-list put|walk|rm KEY\n");
		return 2;
	}
	errno = 0;
	key = (key_t)strtoul(argv[2], &end, 0);
	if (errno || *end || !*argv[2] || key == IPC_PRIVATE) {
		fprintf(stderr, "sysv-list: %s: not a key (a number, not 0)\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "put"))
		id = shmget(key, sizeof(struct list), IPC_CREAT | 0600);
	else
		id = shmget(key, 0, 0);
	if (id < 0) {
		fprintf(stderr, "sysv-list: shmget(%#x): %s\n", (unsigned int)key,
			strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "put"))
		return put(id);
	if (!strcmp(argv[1], "walk"))
		return walk(id);
	if (!strcmp(argv[1], "rm")) {
		if (shmctl(id, IPC_RMID, NULL)) {
			fprintf(stderr, "sysv-list: shmctl(%d, IPC_RMID): %s\n", id,
				strerror(errno));
			return 1;
		}
		printf("rm: segment %d of key %#x removed\n", id, (unsigned int)key);
		return 0;
	}
	fprintf(stderr, "usage: sysv-list put|walk|rm KEY\n");
	return 2;
}
