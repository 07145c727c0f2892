# SPDX-License-Identifier: GPL-2.0-or-later
# Control, no vfio-claim: the native drivers load as udev would load them. The pair we want
# for a guest stays on the host drivers; this is what happens without the product.
NEEDS_BINARY=0
GUEST='natives'
check() {
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
}
