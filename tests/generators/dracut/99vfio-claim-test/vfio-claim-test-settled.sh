#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only: dracut initqueue/settled hook, see module-setup.sh.
sh /usr/lib/vfio-claim-test/report.sh dracut-shell
