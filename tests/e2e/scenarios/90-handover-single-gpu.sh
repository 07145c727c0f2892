# SPDX-License-Identifier: GPL-2.0-or-later
# Single-GPU passthrough at run time (issue 12). The boot display is a card with an HDMI-style
# audio function (00:01.0 VGA + 00:01.1 HDA); bochs-drm drives it and fbcon shows the console
# on its framebuffer (vtcon1). A process holds /dev/dri/card0:
#  - doctor 00:01.0 names it, and the hand-over refuses and names it: nothing changes;
#  - with the holder gone the hand-over detaches the console and puts both functions on
#    vfio-pci, and nothing hangs;
#  - release gives them back to bochs-drm and snd_hda_intel and attaches the console again;
#  - a hand-over whose unbind fails (bochs-drm's unbind file read-only, in a private mount
#    namespace) leaves the card on its drivers with its console.
E2E_VGA=none
E2E_QEMU_EXTRA="-device VGA,bus=pcie.0,addr=0x1.0,multifunction=on
 -device ich9-intel-hda,id=vgaaudio,bus=pcie.0,addr=0x1.1
 -device hda-output,bus=vgaaudio.0,audiodev=noaud"
GUEST='
natives
vtcon() { for v in /sys/class/vtconsole/vtcon*; do
	grep -q "frame buffer" $v/name && echo "$1 ${v##*/} $(cat $v/bind)"; done; }
vtcon E2E-VTCON-BOOT
sleep 600 </dev/dri/card0 &
holder=$!
run doctor vfio-claim doctor 00:01.0
run refused vfio-claim --unbind --allow-boot-vga --addrs 00:01.0,00:01.1
kill $holder
wait $holder 2>/dev/null
run handover vfio-claim --unbind --allow-boot-vga --addrs 00:01.0,00:01.1
vtcon E2E-VTCON-HANDED
sh /e2e/pci-table.sh | sed "s/^/E2E-HANDED /"
run release vfio-claim release 00:01.0 00:01.1
vtcon E2E-VTCON-RELEASED
sh /e2e/pci-table.sh | sed "s/^/E2E-RELEASED /"
: >/tmp/unbind
run fault unshare -m sh -c "mount --bind /tmp/unbind /sys/bus/pci/drivers/bochs-drm/unbind &&
	mount -o remount,ro,bind /sys/bus/pci/drivers/bochs-drm/unbind &&
	vfio-claim --unbind --allow-boot-vga --addrs 00:01.0,00:01.1"
vtcon E2E-VTCON-FAULT
'
check() {
	expect_log "E2E-VTCON-BOOT vtcon1 1"
	expect_log "E2E-OUT doctor: problem: 0000:00:01.0 is held: sleep (pid" "/dev/dri/card0 open"
	expect_rc refused 1
	expect_log "vfio-claim[" "0000:00:01.0 [1234:1111] failed: held by sleep (pid"
	expect_rc handover 0
	expect_log "E2E-VTCON-HANDED vtcon1 0"
	expect_log "E2E-HANDED 0000:00:01.0 1234:1111 030000 vfio-pci"
	expect_log "E2E-HANDED 0000:00:01.1 8086:293e 040300 vfio-pci"
	expect_rc release 0
	expect_log "E2E-VTCON-RELEASED vtcon1 1"
	expect_log "E2E-RELEASED 0000:00:01.0 1234:1111 030000 bochs-drm"
	expect_log "E2E-RELEASED 0000:00:01.1 8086:293e 040300 snd_hda_intel"
	expect_rc fault 1
	expect_log "vfio-claim[" "cannot unbind 0000:00:01.0 from bochs-drm (Read-only file system)"
	expect_log "E2E-VTCON-FAULT vtcon1 1"
	expect_driver 0000:00:01.0 bochs-drm
	expect_driver 0000:00:01.1 snd_hda_intel
}
