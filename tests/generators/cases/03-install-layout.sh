# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh all modprobe into a DESTDIR: every file in its place, the paths filled in, the
# init-top script executable, and --uninstall leaves nothing behind.
NEEDS=none
check() {
	local d=$CASE_WORK/destdir f
	PREFIX=/usr DESTDIR=$d "$repo/initramfs-hooks/install.sh" all modprobe >/dev/null ||
		{ echo "install.sh all modprobe failed"; return; }
	for f in usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh \
		usr/lib/dracut/modules.d/90vfio-claim/vfio-claim-pre-udev.sh \
		usr/share/initramfs-tools/hooks/vfio-claim \
		usr/share/initramfs-tools/scripts/init-top/00-vfio-claim \
		usr/lib/initcpio/install/vfio-claim usr/lib/initcpio/install/sd-vfio-claim \
		usr/lib/initcpio/hooks/vfio-claim usr/lib/systemd/system/vfio-claim.service \
		usr/lib/vfio-claim/vfio-claim-modprobe-conf usr/lib/vfio-claim/vfio-claim.service \
		etc/modprobe.d/00-vfio-claim.conf; do
		[ -s "$d/$f" ] || echo "missing $f"
	done
	grep -rl '@[A-Z]*@' "$d" | sed 's/^/placeholder left in /'
	grep -q 'VFIO_CLAIM_LIBDIR:-/usr/lib/vfio-claim}' \
		"$d/usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh" || echo "LIBDIR not filled in"
	[ -x "$d/usr/share/initramfs-tools/scripts/init-top/00-vfio-claim" ] ||
		echo "init-top script not executable"
	PREFIX=/usr DESTDIR=$d "$repo/initramfs-hooks/install.sh" --uninstall all modprobe >/dev/null
	f=$(find "$d" -type f)
	[ -z "$f" ] || echo "left after --uninstall: $f"
}
