# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154  # repo, gen_dir, work, KVER, ... are run.sh's
# The image builders of the generator suite (sourced by tests/generators/run.sh, which sets
# repo, gen_dir, CACHE, KVER, KMOD and $ovl; the cases call them from build()). Each builds
# one image into OUT inside a private mount namespace (in_ns), so the host never changes.
# Read-only inputs shared by all builds: $work/initramfs-tools-hooks and $work/initcpio (our
# hooks, installed by run.sh), $MKI_TAR.
# Scratch files go to $CASE_WORK, the case's own folder: builds may run side by side.

# in_ns CMD...: CMD in a private mount namespace, with $GEN_OVL over /usr/lib and the kernel's
# config in a tmpfs over /boot, where initramfs-tools and dracut look for it (sid ships it as
# lib/modules/KVER/config only). The overlay has no upper layer: nothing can be written there.
in_ns() {
	unshare -m /bin/sh -c '
		set -e
		mount --make-rprivate /
		mount -t overlay vfio-claim-gen -o "lowerdir=$GEN_OVL:/usr/lib" /usr/lib
		mount -t tmpfs vfio-claim-gen /boot
		[ -z "${GEN_ETC:-}" ] || mount -t overlay vfio-claim-gen -o "lowerdir=$GEN_ETC:/etc" /etc
		cp "$E2E_KCONFIG" "/boot/config-$E2E_KVER"
		exec "$@"' in_ns "$@"
}

# ---- dracut ----------------------------------------------------------------------------
build_dracut() { # out flavour(shell|systemd) hook(1|0) [extra dracut args...]
	local out=$1 flavour=$2 hook=$3 mods
	shift 3
	mods="bash base udev-rules kernel-modules rootfs-block vfio-claim-test"
	[ "$hook" = 1 ] && mods="$mods vfio-claim"
	if [ "$flavour" = systemd ]; then
		mods="$mods systemd systemd-initrd dracut-systemd"
	else
		set -- --omit "systemd systemd-initrd dracut-systemd" "$@"
	fi
	mkdir -p "$CASE_WORK/dracut.conf.d"
	: >"$CASE_WORK/dracut.conf"
	# --hostonly-mode strict keeps the kernel-modules module from copying every storage and
	# file system driver (dracut falls back to non-hostonly for what it cannot probe here).
	in_ns dracut --force --quiet --no-compress --conf "$CASE_WORK/dracut.conf" \
		--confdir "$CASE_WORK/dracut.conf.d" --hostonly --hostonly-mode strict \
		--no-hostonly-cmdline --kver "$KVER" --kmoddir "$KMOD" -m "$mods" \
		--add-drivers "bochs snd_hda_intel snd_hda_codec_generic e1000e" "$@" "$out"
}

# The race image of dracut: force_drivers=bochs (rd.driver.pre, loaded by a cmdline hook
# before the pre-udev hook), the safety net for the VM's host drivers, vfio-claim = BINARY.
build_dracut_race() { # out binary
	VFIO_CLAIM=$2 VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
		build_dracut "$1" shell 1 --force-drivers bochs
}

# ---- initramfs-tools -------------------------------------------------------------------
build_itools() { # out hook(1|0) race(1|0); ITOOLS_MODULES: more lines of the modules file
	local out=$1 hook=$2 race=$3 conf
	conf=$CASE_WORK/itools-conf
	rm -rf "$conf"
	mkdir -p "$conf/hooks" "$conf/scripts/init-premount" "$conf/conf.d"
	# Our own conf dir (mkinitramfs -d): MODULES=list so that only the modules the hooks
	# name (and the modules file) go in, never the host's hardware.
	cat >"$conf/initramfs.conf" <<-EOF
		MODULES=list
		BUSYBOX=y
		COMPRESS=zstd
		COMPRESSLEVEL=1
		DEVICE=
		NFSROOT=auto
		RUNSIZE=10%
		FSTYPE=auto
	EOF
	# The modules file (loaded with a plain modprobe after init-top): bochs for the race,
	# and $ITOOLS_MODULES, the user's own list (e.g. the common recipe's vfio_pci).
	: >"$conf/modules"
	[ "$race" = 1 ] && echo bochs >>"$conf/modules"
	[ -z "${ITOOLS_MODULES:-}" ] || printf '%s\n' $ITOOLS_MODULES >>"$conf/modules"
	if [ "$hook" = 1 ]; then
		cp -r "$work/initramfs-tools-hooks/." "$conf/"
		# The race: the safety net alone (see the case list at the top).
		[ "$race" = 1 ] && rm "$conf/scripts/init-top/00-vfio-claim"
	fi
	cp "$gen_dir/initramfs-tools/hooks/vfio-claim-test" "$conf/hooks/"
	cp "$gen_dir/initramfs-tools/scripts/init-premount/zz-vfio-claim-test" \
		"$conf/scripts/init-premount/"
	in_ns mkinitramfs -d "$conf" -o "$out" "$KVER"
}

# ---- mkinitcpio ------------------------------------------------------------------------
# mkinitcpio 41 from $MKI_TAR (Debian has no package), installed by hand into a cache folder
# (its meson build wants meson >= 1.4), placeholders filled in as meson would. Sets MKI.
mki_install() {
	local sum dir tmp f
	[ -f "$MKI_TAR" ] || return 1
	sum=$(sha256sum "$MKI_TAR" | cut -c1-16)
	dir=$CACHE/mkinitcpio/$sum
	MKI=$dir
	[ -e "$dir/.complete" ] && return 0
	mkdir -p "$CACHE/mkinitcpio" || return 1
	tmp=$(mktemp -d "$CACHE/mkinitcpio/.inst.XXXXXX") || return 1
	(
		set -e
		mkdir "$tmp/src"
		tar -xJf "$MKI_TAR" -C "$tmp/src"
		mkdir -p "$tmp/bin" "$tmp/initcpio/install" "$tmp/initcpio/hooks" \
			"$tmp/initcpio/udev" "$tmp/etc"
		subst() {
			sed -e 's|@VERSION@|41|g' -e 's|@SYSCONFDIR@|/etc|g' \
				-e 's|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g' \
				-e 's|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g' \
				-e 's|@BINDIR@|/usr/bin:/usr/sbin|g' \
				-e 's|@UDEVD_PATH@|/usr/lib/systemd/systemd-udevd|g' \
				-e 's|@TMPFILES_PATH@|/usr/bin/systemd-tmpfiles|g' \
				-e 's|@VCONSOLE_CONF@|/etc/vconsole.conf|g' \
				-e 's|@MKINITCPIO_HOOKS@|base udev|g' "$1" >"$2"
		}
		s=$tmp/src
		for f in mkinitcpio lsinitcpio; do subst "$s/$f" "$tmp/bin/$f"; done
		chmod 755 "$tmp/bin/"*
		for f in functions init init_functions shutdown; do
			subst "$s/$f" "$tmp/initcpio/$f"
		done
		for f in "$s"/install/*; do
			[ "${f##*/}" = meson.build ] || subst "$f" "$tmp/initcpio/install/${f##*/}"
		done
		for f in "$s"/hooks/*; do
			[ "${f##*/}" = meson.build ] || subst "$f" "$tmp/initcpio/hooks/${f##*/}"
		done
		for f in "$s"/udev/*.rules; do subst "$f" "$tmp/initcpio/udev/${f##*/}"; done
		subst "$s/mkinitcpio.conf" "$tmp/etc/mkinitcpio.conf"
		# install/base takes busybox from /usr/lib/initcpio/busybox.
		cp /bin/busybox "$tmp/initcpio/busybox"
		rm -rf "$s"
	) || { rm -rf "$tmp"; return 1; }
	rm -rf "$dir"
	mv "$tmp" "$dir" && touch "$dir/.complete"
}

build_mkinitcpio() { # out flavour(busybox|systemd) hook(1|0) race(1|0)
	local out=$1 flavour=$2 hook=$3 race=$4 conf hooks modules=
	conf=$CASE_WORK/mkinitcpio.conf
	if [ "$flavour" = systemd ]; then
		hooks="base systemd"
		[ "$hook" = 1 ] && hooks="$hooks sd-vfio-claim"
	else
		hooks="base"
		[ "$hook" = 1 ] && hooks="$hooks vfio-claim"
		hooks="$hooks udev"
	fi
	hooks="$hooks vfio-claim-test"
	[ "$race" = 1 ] && modules=bochs
	printf 'MODULES=(%s)\nBINARIES=()\nFILES=()\nHOOKS=(%s)\nCOMPRESSION=cat\n' \
		"$modules" "$hooks" >"$conf"
	# mkinitcpio exits 1 on Debian for a few Arch-only files (see its README); the image is
	# judged by booting it, so only a missing image is a build failure.
	rm -f "$out"
	in_ns "$MKI/bin/mkinitcpio" -c "$conf" -k "$KVER" \
		-r "$E2E_KROOT" -D /usr/lib/initcpio -D "$work/initcpio" \
		-D "$gen_dir/mkinitcpio" -g "$out" || true
	[ -s "$out" ]
}
