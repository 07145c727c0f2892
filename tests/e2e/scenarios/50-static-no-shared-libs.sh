# SPDX-License-Identifier: GPL-2.0-or-later
# 5. The static binary in an initramfs with no shared library at all (no ld.so, no libc.so):
# the image is checked on the host, then the binary claims the pair from /etc/vfio-claim.conf.
CONF=$(mktemp)
printf '# e2e\naddrs = 01:00.0\n' >"$CONF"
BUILD=(--add "$CONF:etc/vfio-claim.conf")
GUEST='
run libs sh -c "ls /lib/*.so* /lib64/ld-* /lib/x86_64-linux-gnu 2>/dev/null | wc -l"
run version vfio-claim --version
run claim vfio-claim
'
check() {
	rm -f "$CONF"
	expect_static_image
	expect_log "E2E-OUT libs: 0"
	expect_rc version 0
	expect_rc claim 0
	expect_table bochs-drm vfio-pci vfio-pci e1000e
}
