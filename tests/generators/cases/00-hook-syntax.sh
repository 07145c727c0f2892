# SPDX-License-Identifier: GPL-2.0-or-later
# Every shell file of the hooks and of the test hooks parses: with dash for /bin/sh and
# mkinitcpio's ash (busybox) files, which allows no bashism, with bash for the bash ones.
NEEDS=none
check() {
	local f first n=0
	while IFS= read -r f; do
		first=$(head -1 "$repo/$f")
		n=$((n + 1))
		case $first in
		'#!/bin/bash'*) bash -n "$repo/$f" 2>&1 || echo "bash -n $f failed" ;;
		'#!/bin/sh'* | '#!/usr/bin/ash'*)
			dash -n "$repo/$f" 2>&1 || echo "dash -n $f failed" ;;
		esac
	done < <(cd "$repo" && git ls-files initramfs-hooks tests/generators 2>/dev/null ||
		find initramfs-hooks tests/generators -type f)
	# A parse check that never ran would pass silently.
	[ "$n" -gt 0 ] || echo "no hook files found under $repo/initramfs-hooks"
}
