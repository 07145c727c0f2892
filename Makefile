# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-claim. Knobs first; `make help` lists the targets.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR     ?=
STATIC      ?=
CC          ?= cc
PKG_CONFIG  ?= pkg-config
BUILD       ?= build
# Where build-aux/static-deps.sh keeps the static libkmod, libpci and libudev it builds.
CACHE       ?= $(or $(VFIO_CLAIM_CACHE),$(HOME)/.cache/vfio-claim)
STATIC_PREFIX ?= $(CACHE)/static-deps

CFLAGS      ?= -O2 -g
WARNINGS    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
HARDENING   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong
ALL_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARNINGS) $(HARDENING) -Iinclude $(CFLAGS)

LIBS_PC     := libpci libkmod libudev
# Installs missing Debian packages (as root); DEPS=true skips it (Nix builds, other distros).
DEPS        ?= build-aux/deps.sh

SRCS        := $(wildcard src/*.c)
# The edges that tests replace with fakes (tests/seams/): libkmod and libudev.
SEAM_SRCS   := src/module.c src/wait.c
CORE_SRCS   := $(filter-out $(SEAM_SRCS),$(SRCS))
FAKE_SRCS   := $(wildcard tests/seams/*.c)
UNIT_SRCS   := $(wildcard tests/unit/*.c)
PURE_SRCS   := src/selector.c src/settings.c src/settings-kcmdline.c src/settings-config.c \
	       src/plan.c src/text.c src/root.c src/fileio.c src/log.c src/device.c \
	       src/module-options.c

ifeq ($(STATIC),1)
TARGET      := $(BUILD)/static/vfio-claim
OBJDIR      := $(BUILD)/static/obj
# Size matters in every initramfs: optimise for size, let the linker drop unused sections.
LINK_CFLAGS := -I$(STATIC_PREFIX)/include -Os -ffunction-sections -fdata-sections \
	       -fno-asynchronous-unwind-tables
LINK_LIBS    = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code \
	       $(shell cat $(STATIC_PREFIX)/ldflags 2>/dev/null) -pthread
else
TARGET      := $(BUILD)/vfio-claim
OBJDIR      := $(BUILD)/obj
LINK_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
LINK_LIBS   := $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -pthread
endif

OBJS        := $(SRCS:%.c=$(OBJDIR)/%.o)

.PHONY: all static install uninstall clean check check-unit check-fixture check-docs check-debian \
	check-e2e check-generators check-nix check-nix-boot deps demo help install-dracut \
	install-initramfs-tools install-mkinitcpio install-systemd install-modprobe install-libvirt

all: $(TARGET)

help:
	@echo "make                build $(BUILD)/vfio-claim (Debian's shared libpci/libkmod/libudev)"
	@echo "make STATIC=1       build $(BUILD)/static/vfio-claim, fully static (for the initramfs)"
	@echo "make check          every test suite; closes with 'N passed, N failed'"
	@echo "make demo           boot a VM and show the GPU pair claimed"
	@echo "make install        install the binary (PREFIX, DESTDIR)"

static:
	$(MAKE) STATIC=1

deps:
	@$(DEPS) base

$(OBJDIR)/%.o: %.c | deps-checked
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LINK_CFLAGS) -MMD -MP -c -o $@ $<

# Installs missing packages once per build tree (as root), or says which ones are missing.
.PHONY: deps-checked
deps-checked:
	@$(DEPS) base $(if $(filter 1,$(STATIC)),static)
	@if [ "$(STATIC)" = 1 ] && [ ! -f $(STATIC_PREFIX)/ldflags ]; then \
		build-aux/static-deps.sh $(STATIC_PREFIX); fi

$(TARGET): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LINK_LIBS)

# The fixture-test binary: the real program with the libkmod and libudev edges faked.
$(BUILD)/vfio-claim-test: $(CORE_SRCS:%.c=$(BUILD)/obj/%.o) $(FAKE_SRCS:%.c=$(BUILD)/obj/%.o)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libpci)

$(BUILD)/unit-tests: $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) $(PURE_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(BUILD)/obj/src/output.o
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

check-nix:
	tests/nix/run.sh

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

demo: static
	VFIO_CLAIM=$(BUILD)/static/vfio-claim tests/e2e/demo.sh

# Each suite prints PASS:/FAIL: lines; tests/tally.sh closes with "N passed, N failed".
SUITES := "$(MAKE) --no-print-directory check-unit" \
	  "$(MAKE) --no-print-directory check-fixture" \
	  "$(MAKE) --no-print-directory check-docs" \
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
CHECK_DEPS := base static e2e generators nix nix-boot fuzz man debian
check:
	@$(DEPS) $(CHECK_DEPS) || echo "check: packages missing (see above); suites will say SKIP"
	@$(MAKE) --no-print-directory $(BUILD)/unit-tests $(BUILD)/vfio-claim-test $(TARGET)
	@tests/tally.sh $(SUITES)

include mk/hardening.mk

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
