# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-claim. Knobs first; `make help` lists the targets.

# ---- knobs: set them on the command line (make STATIC=1 PREFIX=/usr) or in the environment
# The installation prefix (the README's recipes install with PREFIX=/usr)
PREFIX      ?= /usr/local
# The binary's folder (the Debian package uses /usr/sbin)
BINDIR      ?= $(PREFIX)/bin
# The manual pages' folder: vfio-claim(8) in man8, vfio-claim.conf(5) in man5
MANDIR      ?= $(PREFIX)/share/man
# The bash completion's folder
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# A staging root put before every installed path (package builds); empty installs for real
DESTDIR     ?=
# 1: build $(BUILD)/static/vfio-claim, fully static, for the initramfs; empty: $(BUILD)/vfio-claim
STATIC      ?=
# The C compiler
CC          ?= cc
# Optimisation and debugging flags; the warnings and hardening flags below are always added
CFLAGS      ?= -O2 -g
# Flags for every link (Nix's static build passes -static here)
LDFLAGS     ?=
# The pkg-config that finds libpci, libkmod and libudev (Nix's static build adds --static)
PKG_CONFIG  ?= pkg-config
# Where objects, binaries and test output go
BUILD       ?= build
# The cache of downloads and builds kept between runs (kernels, static libraries, Debian roots)
CACHE       ?= $(or $(VFIO_CLAIM_CACHE),$(HOME)/.cache/vfio-claim)
# Where build-aux/static-deps.sh keeps the static libkmod, libpci and libudev for STATIC=1
STATIC_PREFIX ?= $(CACHE)/static-deps
# The Debian package tool of `make deps`, `demo`, `check` (and of the checks before STATIC=1
# and the fuzz builds); DEPS=true turns it off (Nix builds, other distributions)
DEPS        ?= build-aux/deps.sh
# The clang-format `make format-check` runs: the version .clang-format is tuned for
CLANG_FORMAT ?= clang-format-14

# ---- nothing to set below this line
WARNINGS    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
HARDENING   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong
ALL_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARNINGS) $(HARDENING) -Iinclude $(CFLAGS)

LIBS_PC     := libpci libkmod libudev

SRCS        := $(wildcard src/*.c)
# The edges that tests replace with fakes (tests/seams/): libkmod and libudev.
SEAM_SRCS   := src/module.c src/wait.c
CORE_SRCS   := $(filter-out $(SEAM_SRCS),$(SRCS))
FAKE_SRCS   := $(wildcard tests/seams/*.c)
UNIT_SRCS   := $(wildcard tests/unit/*.c)
PURE_SRCS   := src/selector.c src/settings.c src/settings-kcmdline.c src/settings-config.c \
	       src/plan.c src/text.c src/root.c src/fileio.c src/log.c src/device.c \
	       src/handover-record.c src/framebuffer.c src/module-options.c
# What make format-check reads: every C file of the program, its tests and benchmarks.
FORMAT_SRCS := $(SRCS) $(wildcard include/*.h tests/*/*.c tests/*/*.h bench/*.c)

ifeq ($(STATIC),1)
TARGET      := $(BUILD)/static/vfio-claim
OBJDIR      := $(BUILD)/static/obj
# Size matters in every initramfs: optimise for size, let the linker drop unused sections.
LINK_CFLAGS := -I$(STATIC_PREFIX)/include -Os -ffunction-sections -fdata-sections \
	       -fno-asynchronous-unwind-tables
LINK_LIBS    = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
	       $(shell cat $(STATIC_PREFIX)/ldflags) -pthread
else
TARGET      := $(BUILD)/vfio-claim
OBJDIR      := $(BUILD)/obj
# Asked when a recipe needs them, after libs-found has checked that pkg-config finds them.
LINK_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC))
LINK_LIBS    = $(shell $(PKG_CONFIG) --libs $(LIBS_PC)) -pthread
endif

# The program's objects (static or not), and those of the test binaries (never static).
OBJS         := $(SRCS:%.c=$(OBJDIR)/%.o)
FIXTURE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o) $(FAKE_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_OBJS    := $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) $(PURE_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(BUILD)/obj/src/output.o

.PHONY: all static install uninstall clean check check-unit check-fixture check-docs check-debian \
	check-e2e check-generators check-nix check-nix-boot deps demo help install-dracut \
	install-initramfs-tools install-mkinitcpio install-systemd install-modprobe install-libvirt \
	format-check libs-found

all: $(TARGET)

help:
	@echo "make                build $(BUILD)/vfio-claim (Debian's shared libpci/libkmod/libudev)"
	@echo "make STATIC=1       build $(BUILD)/static/vfio-claim, fully static (for the initramfs)"
	@echo "make deps           install the Debian packages make needs (as root; STATIC=1 too)"
	@echo "make check          every test suite; closes with 'N passed, N failed'"
	@echo "make format-check   clang-format finds nothing to change (part of make check)"
	@echo "make demo           boot a VM and show the GPU pair claimed"
	@echo "make install        install the binary (PREFIX, DESTDIR)"

static:
	$(MAKE) STATIC=1

# The only build target that installs packages (as root; otherwise it prints the apt-get line).
deps:
	@$(DEPS) base $(if $(filter 1,$(STATIC)),static)

$(OBJDIR)/%.o: %.c | libs-found
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LINK_CFLAGS) -MMD -MP -c -o $@ $<

# Before compiling: are the libraries there? A plain make installs nothing; a missing library
# stops it with pkg-config's error and the apt-get line (make deps installs them). STATIC=1
# checks for the packages that build the static libraries, then builds them once.
libs-found:
ifeq ($(STATIC),1)
	@$(DEPS) --check base static
	@build-aux/static-deps.sh $(STATIC_PREFIX)
else
	@PKG_CONFIG='$(PKG_CONFIG)' build-aux/deps.sh --libs $(LIBS_PC)
endif

# A static binary is linked again when static-deps.sh rebuilt its libraries (a new recipe).
$(TARGET): $(OBJS) $(if $(filter 1,$(STATIC)),$(STATIC_PREFIX)/.stamp)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LINK_LIBS)

$(STATIC_PREFIX)/.stamp: | libs-found ;

# The fixture-test binary: the real program with the libkmod and libudev edges faked.
$(BUILD)/vfio-claim-test: $(FIXTURE_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libpci)

$(BUILD)/unit-tests: $(UNIT_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

# Scenario tables leave unused fields out on purpose.
$(BUILD)/obj/tests/%.o: ALL_CFLAGS += -Wno-missing-field-initializers

install: $(TARGET)
	install -D -m 0755 $(TARGET) $(DESTDIR)$(BINDIR)/vfio-claim
	install -D -m 0644 man/vfio-claim.8 $(DESTDIR)$(MANDIR)/man8/vfio-claim.8
	install -D -m 0644 man/vfio-claim.conf.5 $(DESTDIR)$(MANDIR)/man5/vfio-claim.conf.5
	install -D -m 0644 completion/vfio-claim.bash $(DESTDIR)$(BASHCOMPDIR)/vfio-claim

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vfio-claim $(DESTDIR)$(MANDIR)/man8/vfio-claim.8 \
		$(DESTDIR)$(MANDIR)/man5/vfio-claim.conf.5 $(DESTDIR)$(BASHCOMPDIR)/vfio-claim
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' \
		initramfs-hooks/install.sh --uninstall all modprobe libvirt

# The hooks for each initramfs generator; they expect the binary in $(BINDIR).
install-dracut install-initramfs-tools install-mkinitcpio install-systemd install-modprobe \
install-libvirt:
	DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' BINDIR='$(BINDIR)' \
		initramfs-hooks/install.sh $(@:install-%=%)

check-unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

check-fixture: $(BUILD)/vfio-claim-test
	tests/fixture/run.sh $(BUILD)/vfio-claim-test

check-e2e: static
	VFIO_CLAIM=$(BUILD)/static/vfio-claim tests/e2e/run.sh

check-generators: static
	VFIO_CLAIM=$(BUILD)/static/vfio-claim tests/generators/run.sh

# The module evaluated in real NixOS; the binary reads the config lines it writes.
check-nix: $(BUILD)/vfio-claim
	VFIO_CLAIM=$(BUILD)/vfio-claim tests/nix/run.sh

# NixOS's real stage 1 (scripted and systemd initrd) booted in the e2e VM: tests/nix/README.md.
check-nix-boot: static
	@$(MAKE) --no-print-directory STATIC= all
	VFIO_CLAIM=$(BUILD)/static/vfio-claim VFIO_CLAIM_DYNAMIC=$(BUILD)/vfio-claim tests/nix/boot.sh

# The Debian package: build, install into a debootstrap'ed Debian 12 root, boot, purge.
check-debian:
	@tests/debian/run.sh

# The manual pages (lint, every --help option documented) and the bash completion.
check-docs: $(BUILD)/vfio-claim
	@tests/docs/run.sh $(BUILD)/vfio-claim

# Installs what it needs, as the README says: the static build's packages here, QEMU's in demo.sh.
demo:
	@$(DEPS) base static
	@$(MAKE) --no-print-directory STATIC=1
	VFIO_CLAIM=$(BUILD)/static/vfio-claim tests/e2e/demo.sh

# One result line, "PASS: format" or "FAIL: format" with the files and the command that fixes them.
format-check:
	@CLANG_FORMAT='$(CLANG_FORMAT)' tests/format/run.sh $(FORMAT_SRCS)

# Each suite prints PASS:/FAIL: lines; tests/tally.sh closes with "N passed, N failed".
SUITES := "$(MAKE) --no-print-directory check-unit" \
	  "$(MAKE) --no-print-directory check-fixture" \
	  "$(MAKE) --no-print-directory check-docs" \
	  "$(MAKE) --no-print-directory format-check" \
	  "$(MAKE) --no-print-directory check-fault" \
	  "$(MAKE) --no-print-directory check-sanitize" \
	  "$(MAKE) --no-print-directory check-fuzz-smoke" \
	  "$(MAKE) --no-print-directory check-nix" \
	  "$(MAKE) --no-print-directory check-nix-boot" \
	  "$(MAKE) --no-print-directory check-e2e" \
	  "$(MAKE) --no-print-directory check-generators" \
	  "$(MAKE) --no-print-directory check-debian"

# `make check` first installs the packages of every suite (as root; otherwise deps.sh prints
# the apt-get line, and each suite that lacks something says SKIP with the reason).
CHECK_DEPS := base static e2e generators nix nix-boot fuzz man debian format
check:
	@$(DEPS) $(CHECK_DEPS) || echo "check: packages missing (see above); suites will say SKIP"
	@$(MAKE) --no-print-directory $(BUILD)/unit-tests $(BUILD)/vfio-claim-test $(TARGET)
	@tests/tally.sh $(SUITES)

include mk/hardening.mk

clean:
	rm -rf $(BUILD)

# What each object was compiled from (-MMD): its headers, so that editing one rebuilds it.
-include $(sort $(OBJS:.o=.d) $(FIXTURE_OBJS:.o=.d) $(UNIT_OBJS:.o=.d))
