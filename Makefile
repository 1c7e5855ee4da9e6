# SPDX-License-Identifier: GPL-2.0
#
# svmk: module, library, tests, and the QEMU guest that runs them.
#
#   make                  build svm.ko (for KERNEL), libsvmk, svmctl, tests
#   make check            install deps, run every test on each of KERNELS
#   make demo             install deps, boot KERNEL and run the demonstration
#   make lint             checkpatch --strict, sparse and W=1 on the module
#
# KERNEL picks a Debian kernel series (6.1 or 6.12); KVER/KDIR override the
# exact version and the kbuild tree.

KERNEL	?= 6.1
KERNELS	?= 6.1 6.12
KVER	?= $(lastword $(sort $(filter $(KERNEL).%,$(notdir $(wildcard /lib/modules/*)))))
KDIR	?= /lib/modules/$(KVER)/build

BUILD	:= build
KST	:= $(BUILD)/kselftest
KSRC	:= /usr/src/linux-source-6.12.tar.xz

TEST_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-Iuapi -Ilibsvmk -isystem $(KST) -pthread
TEST_SRCS := $(wildcard selftests/svm/*.c)
TESTS	:= $(patsubst selftests/svm/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

.PHONY: all deps module lib tests examples check demo lint clean

all: module lib tests examples $(BUILD)/demo/svm-demo

deps:
	@sh scripts/deps.sh

# kbuild tracks command lines, but a stale object from another kernel's
# headers is not worth the risk: clean when the target kernel changes.
module:
	@test -n "$(KVER)" || { echo "no kernel headers for KERNEL=$(KERNEL): run 'make deps'" >&2; exit 1; }
	@if [ "$$(cat kmod/.kver 2>/dev/null)" != "$(KVER)" ]; then \
		$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean; echo $(KVER) >kmod/.kver; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C libsvmk

tests: $(TESTS)

$(BUILD)/tests/%: selftests/svm/%.c selftests/svm/*.h $(KST)/kselftest_harness.h lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< libsvmk/libsvmk.a

$(BUILD)/demo/svm-demo: demo/svm-demo.c lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< libsvmk/libsvmk.a

# Static, for the guest; examples/Makefile builds them with pkg-config.
examples: $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c lib
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iuapi -Ilibsvmk \
		-static -o $@ $< libsvmk/libsvmk.a

# The kselftest harness comes from Debian's kernel source package.
$(KST)/kselftest_harness.h:
	@mkdir -p $(KST)
	tar -xJf $(KSRC) -C $(KST) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	@touch $@

check: deps
	@sh scripts/check.sh $(KERNELS)

demo: deps
	$(MAKE) KERNEL=$(KERNEL) all
	@sh scripts/run-guest.sh demo $(KVER)
	@grep -q '^svmk-test: end demo rc=0' $(BUILD)/$(KVER)/tap.log || \
		{ echo "demo failed: see $(BUILD)/$(KVER)/tap.log" >&2; exit 1; }
	@sh scripts/scan-log.sh $(BUILD)/$(KVER)/console.log

lint: deps
	@sh scripts/lint.sh $(KDIR)

clean:
	-$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C libsvmk clean
	-$(MAKE) -C examples clean
	rm -rf $(BUILD) kmod/.kver
