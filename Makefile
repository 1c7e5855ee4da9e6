# SPDX-License-Identifier: GPL-2.0
#
# svmk: module, library, tests, and the QEMU guest that runs them.
#
#   make                  build svm.ko (for KERNEL), libsvmk, svmctl, tests
#   make check            install deps, run every test on each of KERNELS
#   make check-debug      the same on the debug kernel (KASAN, lockdep, ...)
#   make demo             install deps, boot KERNEL and run the demonstration
#   make lint             checkpatch --strict, sparse and W=1 on the module
#   make install          module (for KVER), library, headers, pkg-config
#                         file, svmctl, man pages, udev/modprobe config
#   make install-dkms     module sources to /usr/src, built by DKMS for
#                         every kernel with headers (instead of the module)
#   make uninstall        remove what install installed (uninstall-dkms:
#                         what install-dkms did)
#   make check-install    install into a scratch DESTDIR and check it, the
#                         ABI, the man pages, and DKMS builds for KERNELS
#   make bench            install deps, boot BENCH_KERNEL and benchmark svm
#                         against SysV shm, POSIX shm and memfd
#   make deb              the Debian packages (debian/) into build/deb/,
#                         checked by lintian
#   make check-fresh      make demo, make check and the packages' install,
#                         use and purge in a fresh debootstrapped bookworm
#                         root (as root; the tree is cached a day)
#
# KERNEL picks a Debian kernel series (6.1 or 6.12) or the debug kernel
# (debug: built from Debian's 6.12 source by scripts/debug-kernel.sh and
# cached outside the repository); KVER/KDIR override the exact version and
# the kbuild tree, KIMAGE the kernel the guest boots.  Install paths:
# DESTDIR, PREFIX and the directories below; see README.md.

KERNEL	?= 6.1
KERNELS	?= 6.1 6.12
ifeq ($(KERNEL),debug)
KVER	?= debug
KDIR	?= $(shell sh scripts/debug-kernel.sh --dir)
KIMAGE	?= $(KDIR)/arch/x86/boot/bzImage
endif
KVER	?= $(lastword $(sort $(filter $(KERNEL).%,$(notdir $(wildcard /lib/modules/*)))))
KDIR	?= /lib/modules/$(KVER)/build
KIMAGE	?= /boot/vmlinuz-$(KVER)

BUILD	:= build
KST	:= $(BUILD)/kselftest
KSRC	:= /usr/src/linux-source-6.12.tar.xz

TEST_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
	-Iuapi -Ilibsvmk -isystem $(KST) -pthread
TEST_SRCS := $(wildcard selftests/svm/*.c)
TESTS	:= $(patsubst selftests/svm/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))

VERSION	:= $(shell sed -n 's/^VERSION = //p' libsvmk/Makefile)
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
LIBDIR	?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
# udev, modprobe and systemd-modules-load read only /etc and /usr/lib (and
# /run), so these do not follow PREFIX.
UDEVRULESDIR ?= /usr/lib/udev/rules.d
MODPROBEDIR ?= /usr/lib/modprobe.d
MODULESLOADDIR ?= /usr/lib/modules-load.d
DKMSSRCDIR ?= /usr/src/svm-$(VERSION)
# Not "updates", where DKMS puts its copy (which depmod prefers).
INSTALL_MOD_DIR ?= extra

# kbuild and the library's make run in other directories.
DEST	:= $(abspath $(DESTDIR))
MODDIR	:= $(DEST)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
LIBVARS	:= DESTDIR=$(DEST) PREFIX=$(PREFIX) BINDIR=$(BINDIR) LIBDIR=$(LIBDIR) \
	INCLUDEDIR=$(INCLUDEDIR)
# Every exported function has a man page: a link to svmk(3).
MAN3LINKS := $(shell sed -n 's/@@.*//p' libsvmk/libsvmk.abi)

# make bench runs on Debian's 6.12 kernel unless KERNEL= is given.
BENCH_KERNEL ?= $(if $(filter command line,$(origin KERNEL)),$(KERNEL),6.12)

.PHONY: all deps module lib tests examples check check-debug debug-kernel \
	demo demo-run lint lint-run clean \
	install uninstall install-module uninstall-module install-lib \
	uninstall-lib install-man uninstall-man install-config \
	uninstall-config install-dkms-src install-dkms uninstall-dkms \
	need-root depmod check-install deb check-fresh bench bench-run

all: module lib tests examples $(BUILD)/demo/svm-demo $(BUILD)/bench/svm-bench

deps:
	@sh scripts/deps.sh

# The debug kernel's tree is built (once, then cached) before svm.ko.
debug-kernel:
	@sh scripts/debug-kernel.sh >/dev/null

ifeq ($(KERNEL),debug)
module: debug-kernel
endif

# kbuild tracks command lines, but a stale object from another kernel's
# headers is not worth the risk: clean when the kbuild tree changes.
module:
	@test -n "$(KVER)" || { echo "no kernel headers for KERNEL=$(KERNEL): run 'make deps'" >&2; exit 1; }
	@if [ "$$(cat kmod/.kver 2>/dev/null)" != "$(KDIR)" ]; then \
		$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean; echo $(KDIR) >kmod/.kver; fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C libsvmk

tests: $(TESTS) $(BUILD)/tests/svm_sysv_preload

$(BUILD)/tests/%: selftests/svm/%.c selftests/svm/*.h $(KST)/kselftest_harness.h lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< libsvmk/libsvmk.a

# libsvmk-sysv's tests are dynamic, twice: svm_sysv linked with it (found
# through its rpath, where scripts/run-guest.sh puts it in the guest too),
# svm_sysv_preload with libc alone, which scripts/guest-init runs with
# LD_PRELOAD (as every program named *_preload).
$(BUILD)/tests/svm_sysv: selftests/svm/svm_sysv.c selftests/svm/*.h \
		$(KST)/kselftest_harness.h lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< -Llibsvmk -lsvmk-sysv \
		-Wl,-rpath,$(CURDIR)/libsvmk

$(BUILD)/tests/svm_sysv_preload: selftests/svm/svm_sysv.c selftests/svm/*.h \
		$(KST)/kselftest_harness.h lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -DSVM_SYSV_PRELOAD -o $@ $<

$(BUILD)/demo/svm-demo: demo/svm-demo.c lib
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $< libsvmk/libsvmk.a

# Static, for the guest; examples/Makefile builds them with pkg-config.
examples: $(EXAMPLES)

$(BUILD)/examples/%: examples/%.c lib
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -Iuapi -Ilibsvmk \
		-static -o $@ $< libsvmk/libsvmk.a

# An ordinary SysV program, dynamic and linked with libc alone: the guest
# runs it under LD_PRELOAD=libsvmk-sysv.so.1 (selftests/svm/svm_examples.c).
$(BUILD)/examples/sysv-list: examples/sysv-list.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -o $@ $<

$(BUILD)/bench/svm-bench: bench/svm-bench.c lib
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
		-Iuapi -Ilibsvmk -static -o $@ $< libsvmk/libsvmk.a

# The kselftest harness comes from Debian's kernel source package.
$(KST)/kselftest_harness.h:
	@mkdir -p $(KST)
	tar -xJf $(KSRC) -C $(KST) --strip-components=4 --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	@touch $@

check: deps
	@sh scripts/check.sh $(KERNELS)

check-debug: deps
	@sh scripts/check.sh debug

# KVER, KDIR and KIMAGE come from what deps installs: a target that needs
# them runs deps, then itself again in a new make (a value computed while
# this make read the Makefile predates the kernels deps installed).
demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@sh scripts/run-guest.sh demo $(KVER) $(KIMAGE)
	@grep -q '^svmk-test: end demo rc=0' $(BUILD)/$(KVER)/tap.log || \
		{ echo "demo failed: see $(BUILD)/$(KVER)/tap.log" >&2; exit 1; }
	@sh scripts/scan-log.sh $(BUILD)/$(KVER)/console.log

# The benchmark guest; scripts/bench-report.sh turns its CSV into the table
# (build/bench/results.md), build/bench/chart.png and BENCHMARKS.md.
bench: deps
	@$(MAKE) --no-print-directory KERNEL=$(BENCH_KERNEL) bench-run

bench-run: module lib $(BUILD)/bench/svm-bench
	@GUEST_TIMEOUT=$${GUEST_TIMEOUT:-3600} sh scripts/run-guest.sh bench $(KVER)
	@grep -q '^svmk-test: end bench rc=0' $(BUILD)/$(KVER)/tap.log || \
		{ echo "bench failed: see $(BUILD)/$(KVER)/tap.log" >&2; exit 1; }
	@sh scripts/scan-log.sh $(BUILD)/$(KVER)/console.log
	@sh scripts/bench-report.sh $(BUILD)/$(KVER)/tap.log $(BUILD)/bench

lint: deps
	@$(MAKE) --no-print-directory lint-run

lint-run:
	@sh scripts/lint.sh $(KDIR)

check-install: deps
	@sh scripts/check-install.sh $(KERNELS)

# The Debian packages, into build/deb/ (scripts/deb.sh; deps.sh deb
# installs debian/control's Build-Depends and lintian).
deb:
	@sh scripts/deps.sh deb
	@sh scripts/deb.sh

# make demo, make check and the packages' install, use and purge in a
# fresh debootstrapped bookworm root (scripts/check-fresh.sh).
check-fresh:
	@sh scripts/deps.sh fresh
	@sh scripts/check-fresh.sh

# ---- install -------------------------------------------------------------

# Installing into / needs root; a staged install (DESTDIR) does not.  The
# first prerequisite of every target that writes outside PREFIX.
need-root:
	@if [ -z "$(DEST)" ] && [ "$$(id -u)" != 0 ]; then \
		echo "make $(MAKECMDGOALS): writing under / needs root:" \
			"use sudo, or stage it with DESTDIR=DIR" >&2; exit 1; fi

install: install-module install-lib install-man install-config
uninstall: uninstall-module uninstall-lib uninstall-man uninstall-config

# Debian's kernel headers ask for modules to be signed with a key that is
# not shipped; sign only when KDIR has the key (DKMS signs with its own).
install-module: need-root module
	@key=$$(sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"/\1/p' $(KDIR)/.config); \
	case $$key in ''|pkcs11:*) nosign= ;; \
	*) [ -f "$(KDIR)/$$key" ] && nosign= || nosign=CONFIG_MODULE_SIG_ALL= ;; esac; \
	[ -z "$$nosign" ] || echo "install-module: $(KDIR) has no signing key: svm.ko stays unsigned"; \
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DEST) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $$nosign modules_install
	@$(MAKE) -s depmod

uninstall-module: need-root
	rm -f $(foreach z,'' .xz .gz .zst,$(MODDIR)/kmod/svm.ko$(z))
	@rmdir $(MODDIR)/kmod $(MODDIR) 2>/dev/null || true
	@$(MAKE) -s depmod

# depmod only where a kernel's module tree is (/, or a whole image): in a
# staging DESTDIR it would write a modules.dep of svm.ko alone.
depmod:
	@if [ -d "$(DEST)/lib/modules/$(KVER)/kernel" ]; then \
		echo "  DEPMOD  $(DEST)/lib/modules/$(KVER)"; \
		depmod $(if $(DEST),-b $(DEST)) $(KVER); \
	else \
		echo "depmod: no module tree for $(KVER) in $(DEST)/lib/modules: run 'depmod $(KVER)' where it is installed"; \
	fi

install-lib: lib
	$(MAKE) -C libsvmk $(LIBVARS) install

uninstall-lib:
	$(MAKE) -C libsvmk $(LIBVARS) uninstall

install-man:
	install -d $(DEST)$(MANDIR)/man3 $(DEST)$(MANDIR)/man4 \
		$(DEST)$(MANDIR)/man7 $(DEST)$(MANDIR)/man8
	install -m 644 man/svmk.3 $(DEST)$(MANDIR)/man3/
	install -m 644 man/svm.4 $(DEST)$(MANDIR)/man4/
	install -m 644 man/svmk-sysv.7 $(DEST)$(MANDIR)/man7/
	install -m 644 man/svmctl.8 $(DEST)$(MANDIR)/man8/
	for f in $(MAN3LINKS); do \
		echo '.so man3/svmk.3' >$(DEST)$(MANDIR)/man3/$$f.3 || exit 1; done

uninstall-man:
	rm -f $(DEST)$(MANDIR)/man3/svmk.3 $(DEST)$(MANDIR)/man4/svm.4 \
		$(DEST)$(MANDIR)/man7/svmk-sysv.7 $(DEST)$(MANDIR)/man8/svmctl.8 \
		$(patsubst %,$(DEST)$(MANDIR)/man3/%.3,$(MAN3LINKS))

install-config: need-root
	install -D -m 644 config/udev/60-svm.rules $(DEST)$(UDEVRULESDIR)/60-svm.rules
	install -D -m 644 config/modprobe.d/svm.conf $(DEST)$(MODPROBEDIR)/svm.conf
	install -D -m 644 config/modules-load.d/svm.conf $(DEST)$(MODULESLOADDIR)/svm.conf
	@if [ -z "$(DEST)" ] && command -v udevadm >/dev/null; then \
		udevadm control --reload 2>/dev/null || true; fi

uninstall-config: need-root
	rm -f $(DEST)$(UDEVRULESDIR)/60-svm.rules $(DEST)$(MODPROBEDIR)/svm.conf \
		$(DEST)$(MODULESLOADDIR)/svm.conf

# What DKMS builds from: dkms.conf and the module's sources only.
install-dkms-src: need-root
	install -d $(DEST)$(DKMSSRCDIR)/kmod $(DEST)$(DKMSSRCDIR)/uapi/linux
	install -m 644 dkms.conf Kbuild $(DEST)$(DKMSSRCDIR)/
	install -m 644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.[ch])) \
		$(DEST)$(DKMSSRCDIR)/kmod/
	install -m 644 uapi/linux/svm.h $(DEST)$(DKMSSRCDIR)/uapi/linux/

# Register with DKMS and build for every kernel that has headers; DKMS
# builds it again for each kernel installed later (AUTOINSTALL).  A module
# 'make install' put in place goes: DKMS refuses to install next to an
# identical one, and one copy per kernel is less confusing anyway.
install-dkms: install-dkms-src
	@if [ -n "$(DEST)" ]; then \
		echo "install-dkms: sources staged in $(DEST)$(DKMSSRCDIR); run 'dkms add svm/$(VERSION)' on the target"; \
		exit 0; fi; \
	command -v dkms >/dev/null || { echo "install-dkms: dkms is not installed" >&2; exit 1; }; \
	[ -n "$$(dkms status svm/$(VERSION))" ] || dkms add svm/$(VERSION) || exit 1; \
	for b in /lib/modules/*/build; do \
		[ -d "$$b" ] || continue; \
		k=$${b#/lib/modules/}; k=$${k%/build}; \
		for m in /lib/modules/$$k/$(INSTALL_MOD_DIR)/kmod/svm.ko*; do \
			[ ! -e "$$m" ] || { echo "install-dkms: removing $$m"; rm -f "$$m"; }; \
		done; \
		rmdir /lib/modules/$$k/$(INSTALL_MOD_DIR)/kmod \
			/lib/modules/$$k/$(INSTALL_MOD_DIR) 2>/dev/null; \
		dkms install svm/$(VERSION) -k $$k || exit 1; \
	done

uninstall-dkms: need-root
	@if [ -z "$(DEST)" ] && command -v dkms >/dev/null && \
	    [ -n "$$(dkms status svm/$(VERSION))" ]; then \
		dkms remove svm/$(VERSION) --all; fi
	rm -rf $(DEST)$(DKMSSRCDIR)

clean:
	-$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C libsvmk clean
	-$(MAKE) -C examples clean
	rm -rf $(BUILD) kmod/.kver
