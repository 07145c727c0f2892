# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Part of tests/e2e/lib.sh (see there for the interface): the busybox initramfs of the e2e
# suite, written as cpio newc without root.

# Appends a cpio newc archive holding /dev/console (char 5:1): without it the kernel has no
# console to give /init (devtmpfs is not mounted yet), and cpio cannot create device nodes
# without root. The kernel accepts concatenated archives.
_e2e_cpio_entry() { # name mode rdevmajor rdevminor
	local name=$1 namesize=$((${#1} + 1)) hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$((0x7000 + RANDOM))" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}
_e2e_cpio_console() {
	_e2e_cpio_entry dev $((0040755)) 0 0
	_e2e_cpio_entry dev/console $((0020600)) 5 1
	_e2e_cpio_entry TRAILER!!! 0 0 0
}

e2e_build_initramfs() {
	local out=$1 bin='' scenario='' omit=() adds=() st ko a m kdir
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--binary) bin=$2; shift 2 ;;
		--scenario) scenario=$2; shift 2 ;;
		--omit) omit+=("$2"); shift 2 ;;
		--add) adds+=("$2"); shift 2 ;;
		*) e2e_log "e2e_build_initramfs: unknown option $1"; return 2 ;;
		esac
	done
	[ -n "${E2E_KVER:-}" ] || e2e_fetch_kernel >/dev/null || return 1
	st=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-initramfs.XXXXXX") || return 1
	kdir=lib/modules/$E2E_KVER
	mkdir -p "$st"/{bin,sbin,etc,proc,sys,dev,run,tmp,e2e,"$kdir"}
	cp /bin/busybox "$st/bin/busybox"
	for a in $("$st/bin/busybox" --list); do
		case $a in busybox) continue ;; esac
		ln -s busybox "$st/bin/$a"
	done
	# `modprobe`, `insmod`, `poweroff` are reached through /bin on PATH; /sbin/modprobe
	# is what the kernel's request_module() runs.
	ln -s ../bin/busybox "$st/sbin/modprobe"
	install -m 0755 "$E2E_DIR/guest/init" "$st/init"
	install -m 0755 "$E2E_DIR/guest/pci-table.sh" "$st/e2e/pci-table.sh"
	[ -n "$scenario" ] && install -m 0644 "$scenario" "$st/e2e/scenario"
	if [ -n "$bin" ]; then
		install -m 0755 "$bin" "$st/sbin/vfio-claim" || { rm -rf "$st"; return 1; }
		if ! file -L "$bin" | grep -q 'statically linked'; then
			# Development aid only: scenario 5 fails on such an image.
			e2e_log "warning: $bin is dynamic; copying its shared libraries into the image"
			ldd "$bin" | grep -o '/[^ ]*' | while read -r a; do
				mkdir -p "$st$(dirname "$a")"
				cp -L "$a" "$st$a"
			done
			[ -e "$st/lib64" ] || ln -s lib "$st/lib64"
		fi
	fi
	# shellcheck disable=SC2086  # a list of module names
	for ko in $(e2e_modules_closure $E2E_MODULES); do
		m=$(e2e_module_name "$ko")
		for a in "${omit[@]}"; do
			[ "$m" = "${a//-/_}" ] && continue 2
		done
		mkdir -p "$st/$kdir/$(dirname "$ko")"
		cp "$E2E_KROOT/$kdir/$ko" "$st/$kdir/$ko"
	done
	cp "$E2E_KROOT/$kdir"/modules.{order,builtin,builtin.modinfo} "$st/$kdir/" 2>/dev/null
	depmod -b "$st" "$E2E_KVER" || { rm -rf "$st"; return 1; }
	for a in "${adds[@]}"; do
		mkdir -p "$st/$(dirname "${a#*:}")"
		cp -a "${a%%:*}" "$st/${a#*:}"
	done
	{
		(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) &&
			_e2e_cpio_console
	} >"$out.tmp" && mv "$out.tmp" "$out"
	a=$?
	rm -rf "$st"
	return $a
}
