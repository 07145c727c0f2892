# SPDX-License-Identifier: GPL-2.0-or-later
# 7. A late device: the VM boots with rp1 empty; vfio-claim --wait watches uevents (libudev)
# while the host hot-adds the pair through QMP; it is claimed before the native drivers load.
BOOT=(--hotplug)
GUEST='
vfio-claim --addrs 01:00.0,01:00.1 --wait 60 >/tmp/claim.out 2>&1 &
pid=$!
# hot-add only once vfio-claim is watching (it logs that it waits), at most 20 s from now
i=0
until dmesg | grep -q "vfio-claim\[.*waiting" || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
[ -e /sys/bus/pci/devices/0000:01:00.0 ] && echo "E2E-WARN pair present before hot-add"
hotplug_ready
wait $pid
rc=$?
sed "s/^/E2E-OUT claim: /" /tmp/claim.out
echo "E2E-RC claim $rc"
natives
'
check() {
	expect_log 'E2E-HOST qmp: {"return": {}}'
	expect_no_log "E2E-WARN pair present before hot-add"
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_log "vfio-claim[" "waiting up to 60 s"
}
