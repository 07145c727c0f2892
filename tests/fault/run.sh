#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection: the real binary (built with the libkmod/libudev seams) against fixture trees
# where the sysfs writes, the driver links, the module load, /proc/cmdline and the config file
# go wrong. One case per file in tests/fault/cases/, in the language of tests/fixture/lib.sh:
# each transcript shows one clear message per fault, the exit code, and every write (none to
# a device that was not selected); every run must end, within its time limit, without a
# crash. Faults come from the tree itself (a directory, a dangling symlink or a FIFO in place
# of an attribute), a read-only bind mount in a private mount namespace (unshare -m),
# capabilities dropped with setpriv (EACCES as root), the fake module modes of
# tests/seams/fake_module.c, and the LD_PRELOAD seam tests/fixture/shim.c for the errors only
# the kernel returns (EBUSY, ENODEV, ENOSPC, a device unplugged right after its override).
# Usage: tests/fault/run.sh [BINARY [CASE...]]     UPDATE=1 rewrites the expected files.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/fixture/lib.sh
. "$here/../fixture/lib.sh"
cases_main fault "$here/cases" "$@"
