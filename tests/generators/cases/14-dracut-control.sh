# SPDX-License-Identifier: GPL-2.0-or-later
# Control, dracut without the hook: the pair ends on bochs-drm / snd_hda_intel.
build() { build_dracut "$IMAGE" shell 0; }
APPEND=$DRACUT_APPEND
check() { expect_table $UNHOOKED; }
