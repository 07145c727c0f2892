# SPDX-License-Identifier: GPL-2.0-or-later
# wait= with a selected address that never comes (and nothing else selected): the boot waits
# once, in the early run, and not again in the trampoline that the first host driver's softdep
# runs once udev starts. The console's driver (bochs-drm on the boot VGA) must come up within
# WAIT + 15 s of the kernel's start. (Before issue 9 the trampoline waited the full wait= again,
# holding the lock: the console came up after twice the wait.)
WAIT=20
build() { VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS build_itools "$IMAGE" 1 0; }
APPEND="vfio-claim.addrs=0000:07:00.0 vfio-claim.wait=$WAIT $NOROOT"
check() {
	local t
	expect_table $UNHOOKED
	expect_log "vfio-claim" "waiting up to $WAIT s"
	# when bochs-drm took the console, in seconds since the kernel started
	t=$(sed -n 's/^VFIO-CLAIM-GEN-KMSG \[ *\([0-9]*\)\.[0-9]*\] .*Initialized bochs-drm.* for 0000:00:01\.0.*/\1/p' \
		"$LOG" | head -1)
	if [ -z "$t" ]; then
		echo "    no 'Initialized bochs-drm ... for 0000:00:01.0' line in the kernel log"
	elif [ "$t" -gt $((WAIT + 15)) ]; then
		echo "    the console's driver came up at $t s, more than wait=$WAIT + 15 s"
	fi
	[ "$(grep -c 'waiting up to' "$LOG")" -le 1 ] ||
		echo "    more than one run waited: $(grep 'waiting up to' "$LOG" | tr '\n' ' ')"
}
