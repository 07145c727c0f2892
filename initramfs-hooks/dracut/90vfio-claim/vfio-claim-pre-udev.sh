#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dracut pre-udev hook (shell initrd): claim the selected devices before udevd starts and
# coldplug loads host drivers. Sourced by dracut's init: no exit, no set -e.
# vfio-claim reads rd.vfio-claim.* / vfio-claim.* itself and logs to /dev/kmsg.

if [ -x /usr/sbin/vfio-claim ]; then
	/usr/sbin/vfio-claim --kmsg
	vfio_claim_rc=$?
	if [ "$vfio_claim_rc" -ne 0 ]; then
		warn "vfio-claim: exit $vfio_claim_rc; run 'vfio-claim doctor' after boot for why"
	fi
	unset vfio_claim_rc
fi
