// SPDX-License-Identifier: MIT
/*
 * producer-consumer: two unrelated processes share a linked list of raw
 * pointers.  The producer builds a list of orders in a new region and
 * starts the consumer, a fresh program that inherits nothing; it opens the
 * region by name, walks the producer's pointers as they are and links in
 * an order of its own, which the producer then finds.  No offsets, no
 * relocation: the region is at the same address in both processes.
 *
 *   producer-consumer                 produce, and run a consumer
 *   producer-consumer consume NAME    (what the producer runs)
 */
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <svmk.h>

struct order {
	struct order *next;		/* a raw pointer into the region */
	int qty;
	char sym[8];
};

struct book {
	int state;			/* 1 published, 2 consumer replied */
	struct order *head;
	size_t used;			/* bump allocator over heap[] */
	struct order heap[64];
};

/* Wait until b->state reaches want, for up to 10 s. */
static int wait_state(struct book *b, int want)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 10000; i++, nanosleep(&ms, NULL))
		if (__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) >= want)
			return 0;
	return -1;
}

static void add(struct book *b, const char *sym, int qty)
{
	struct order *o = &b->heap[b->used++];

	snprintf(o->sym, sizeof(o->sym), "%s", sym);
	o->qty = qty;
	o->next = b->head;
	b->head = o;
}

static int walk(const char *who, struct book *b)
{
	struct order *o;
	int n = 0;

	for (o = b->head; o; o = o->next, n++)
		printf("%s: %-5s %4d at %p\n", who, o->sym, o->qty, (void *)o);
	return n;
}

int main(int argc, char **argv)
{
	int consumer = argc == 3 && !strcmp(argv[1], "consume");
	char name[32], *args[] = { argv[0], "consume", name, NULL };
	struct svmk_region *reg;
	struct svmk *svm;
	struct book *b;
	int err, status;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (consumer)
		snprintf(name, sizeof(name), "%s", argv[2]);
	else
		snprintf(name, sizeof(name), "orders-%d", (int)getpid());
	err = svmk_open(&svm, 0);
	if (!err)
		err = svmk_region_open(svm, name, consumer ? 0 : 1 << 20,
				       consumer ? 0 : SVM_OPEN_CREATE | SVM_OPEN_EXCL,
				       0600, &reg);
	if (err) {
		fprintf(stderr, "%s: %s\n", name, svmk_strerror(err));
		return 1;
	}
	b = svmk_region_addr(reg);

	if (consumer) {
		if (wait_state(b, 1)) {
			fprintf(stderr, "consumer: nothing published\n");
			return 1;
		}
		printf("consumer: walked %d orders\n", walk("consumer", b));
		add(b, "BUY", 7);
		__atomic_store_n(&b->state, 2, __ATOMIC_RELEASE);
	} else {
		add(b, "ACME", 100);
		add(b, "INIT", 250);
		add(b, "ZETA", 42);
		__atomic_store_n(&b->state, 1, __ATOMIC_RELEASE);
		printf("producer: region '%s' at %p, 3 orders\n", name, (void *)b);
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, NULL) ||
		    waitpid(pid, &status, 0) != pid || status != 0 ||
		    wait_state(b, 2)) {
			fprintf(stderr, "producer: the consumer failed\n");
			return 1;
		}
		printf("producer: after the consumer, %d orders\n",
		       walk("producer", b));
	}
	svmk_region_close(reg);
	svmk_close(svm);
	return 0;
}
