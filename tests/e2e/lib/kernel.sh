# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Part of tests/e2e/lib.sh (see there for the interface): which Debian kernels to boot, and
# fetching them. Packages come through a private apt configuration under
# $E2E_CACHE/apt (build-aux/apt-private.sh: the system's own mirror, with the suites of the
# kernel set); nothing is installed and /etc/apt is never written.

E2E_DEFAULT_KERNELS="bookworm trixie sid"
E2E_KERNELS=${E2E_KERNELS:-$E2E_DEFAULT_KERNELS}
# apt lists older than this many minutes are fetched again before a suite is resolved.
E2E_APT_MAX_AGE=${E2E_APT_MAX_AGE:-360}

# shellcheck disable=SC2086  # a list of words
e2e_kernels() { printf '%s\n' $E2E_KERNELS; }

# What a line says about the kernel it booted: "[6.12.117+deb13-amd64]", and in offline mode
# "[6.12.117+deb13-amd64, offline: cached]" so nobody takes it for a fresh resolution.
e2e_kernel_tag() {
	if [ "${E2E_OFFLINE:-0}" = 1 ]; then
		echo "[${1:-$E2E_KVER}, offline: cached]"
	else
		echo "[${1:-$E2E_KVER}]"
	fi
}

# The suites the private apt configuration must know: this system's own release (the default
# kernel), the default set's (where a package spec is looked for) and every suite spec.
_e2e_suites() {
	local s own
	# shellcheck disable=SC1091
	own=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	for s in $own $E2E_DEFAULT_KERNELS $E2E_KERNELS ${1:-}; do
		case $s in linux-image-* | [0-9]*) continue ;; esac
		echo "$s"
	done | awk '!seen[$0]++' | paste -sd' '
}

# _e2e_fresh_lists STAMP SUITE...: the lists of every SUITE were fetched (STAMP names them)
# less than $E2E_APT_MAX_AGE minutes ago. A smaller kernel set reuses the lists of a larger.
_e2e_fresh_lists() {
	local stamp=$1 s
	shift
	[ -e "$stamp" ] && [ -z "$(find "$stamp" -mmin +"$E2E_APT_MAX_AGE")" ] || return 1
	for s in "$@"; do
		grep -qw -- "$s" "$stamp" || return 1
	done
}

# Fills the array _e2e_apt with the private apt options, fetching the lists when the suite
# set grew or they are older than $E2E_APT_MAX_AGE minutes. The caller holds the cache lock.
# A suite whose lists apt could not fetch does not stop the others: its kernel fails to
# resolve, and the error names it.
_e2e_apt_setup() {
	local dir=$E2E_CACHE/apt suites
	suites=$(_e2e_suites "${1:-}")
	mkdir -p "$dir" || return 1
	# shellcheck disable=SC2086  # one argument a suite
	mapfile -t _e2e_apt < <("$E2E_TOP/build-aux/apt-private.sh" "$dir/root" deb $suites)
	[ ${#_e2e_apt[@]} -gt 0 ] || return 1
	# shellcheck disable=SC2086
	_e2e_fresh_lists "$dir/suites" $suites && return 0
	# Lists that failed to update are not fetched again by the same run (one try a suite set).
	[ "${_e2e_apt_tried:-}" = "$suites" ] && return 0
	_e2e_apt_tried=$suites
	e2e_log "fetching the package lists of: $suites (private apt configuration in $dir)"
	rm -f "$dir/suites"
	if apt-get "${_e2e_apt[@]}" -q update >"$dir/update.log" 2>&1 &&
		! grep -q '^[WE]: ' "$dir/update.log"; then
		echo "$suites" >"$dir/suites"
		return 0
	fi
	# No stamp: the next run fetches again.
	e2e_log "apt-get update had errors (see $dir/update.log)"
	find "$dir/root/lists" -name '*Packages*' | grep -q .
}

# The image package of a kernel spec: a package name as it is, a release as linux-image-REL,
# a suite as what linux-image-amd64 depends on in it (its -updates and -security included).
_e2e_resolve() {
	local spec=$1 ver
	case $spec in
	linux-image-* | [0-9]*)
		spec=linux-image-${spec#linux-image-}
		apt-cache "${_e2e_apt[@]}" show "$spec" >/dev/null 2>&1 && echo "$spec"
		return
		;;
	esac
	ver=$(apt-cache "${_e2e_apt[@]}" madison linux-image-amd64 2>/dev/null |
		awk -F' *[|] *' -v s="$spec" '{ split($3, w, " "); split(w[2], p, "/") }
			p[1] == s || index(p[1], s "-") == 1 { print $2 }' |
		sort -V | tail -1)
	[ -n "$ver" ] || return 1
	apt-cache "${_e2e_apt[@]}" show "linux-image-amd64=$ver" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -1 | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -1 | grep .
}

# Downloads the image package and the parts it depends on (sid splits a kernel into
# linux-binary-K, linux-modules-K and linux-base-K; the image package itself is empty)
# into DIR. Prints nothing; apt's errors go to DIR/apt.log.
_e2e_download() {
	local pkg=$1 dir=$2 kver=${1#linux-image-} parts
	parts=$(apt-cache "${_e2e_apt[@]}" depends "$pkg" 2>/dev/null |
		awk -v k="-$kver" '$1 == "Depends:" && $2 ~ /^linux-/ &&
			substr($2, length($2) - length(k) + 1) == k { print $2 }' |
		grep -Fvx "$pkg")
	# shellcheck disable=SC2086
	(cd "$dir" && apt-get "${_e2e_apt[@]}" -q download "$pkg" $parts >apt.log 2>&1)
}

# Unpacks every .deb of DIR into DIR/root and makes the tree look the same for every
# kernel: merged-/usr packages (trixie, sid) get lib -> usr/lib, so the modules are always
# under root/lib/modules/KVER; depmod; a vmlinux for PVH boots.
_e2e_unpack() {
	local dir=$1 kver=$2 deb
	for deb in "$dir"/*.deb; do
		dpkg-deb -x "$deb" "$dir/root" || return 1
	done
	rm -f "$dir"/*.deb
	[ -e "$dir/root/lib" ] || ln -s usr/lib "$dir/root/lib"
	depmod -b "$dir/root" "$kver" || return 1
	[ -e "$dir/root/lib/modules/$kver/modules.dep" ] || return 1
	_e2e_extract_vmlinux "$(_e2e_kfile "$dir/root" "$kver" vmlinuz)" "$dir/vmlinux"
	return 0
}

# A kernel file (vmlinuz, config, System.map): /boot/NAME-KVER (bookworm, trixie) or
# lib/modules/KVER/NAME (sid, no /boot).
_e2e_kfile() {
	local root=$1 kver=$2 name=$3
	if [ -e "$root/boot/$name-$kver" ]; then
		echo "$root/boot/$name-$kver"
	else
		echo "$root/lib/modules/$kver/$name"
	fi
}

# Writes an uncompressed vmlinux out of a bzImage: find the payload's compression magic and
# decompress from there. Debian kernels are xz; gzip and zstd are tried as well.
_e2e_extract_vmlinux() {
	local in=$1 out=$2 magic tool off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$in" 2>/dev/null | cut -d: -f1); do
			tail -c +$((off + 1)) "$in" | "$tool" -dc 2>/dev/null >"$out.tmp"
			if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = "177ELF" ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

e2e_fetch_kernel() {
	local spec=${1:-} own lockfd rc
	if [ -z "$spec" ]; then
		# shellcheck disable=SC1091
		own=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		spec=${VFIO_CLAIM_KERNEL_PKG:-$own}
	fi
	E2E_KERNEL_SPEC=$spec
	mkdir -p "$E2E_CACHE/kernel/by-spec" || return 1
	# One fetch at a time, even with parallel suites sharing the cache: the lists, the
	# private sources and the downloads are shared.
	exec {lockfd}>"$E2E_CACHE/kernel/.lock"
	flock "$lockfd"
	_e2e_fetch_locked "$spec"
	rc=$?
	flock -u "$lockfd"
	exec {lockfd}>&-
	[ $rc -eq 0 ] || return 1
	export E2E_KVER E2E_KROOT E2E_KERNEL E2E_VMLINUZ E2E_KCONFIG E2E_KERNEL_SPEC
	printf 'E2E_KVER=%s\nE2E_KROOT=%s\nE2E_KERNEL=%s\nE2E_VMLINUZ=%s\nE2E_KCONFIG=%s\n' \
		"$E2E_KVER" "$E2E_KROOT" "$E2E_KERNEL" "$E2E_VMLINUZ" "$E2E_KCONFIG"
	printf 'E2E_KERNEL_SPEC=%s\n' "$E2E_KERNEL_SPEC"
}

_e2e_fetch_locked() {
	local spec=$1 pkg kver dir tmp
	if [ "${E2E_OFFLINE:-0}" = 1 ]; then
		# Explicitly asked for: the kernel this spec resolved to last time, from the cache.
		case $spec in
		linux-image-*) kver=${spec#linux-image-} ;;
		[0-9]*) kver=$spec ;;
		*) kver=$(cat "$E2E_CACHE/kernel/by-spec/$spec" 2>/dev/null) ;;
		esac
		if [ -z "$kver" ] || [ ! -e "$E2E_CACHE/kernel/$kver/.complete" ]; then
			e2e_log "offline: no cached kernel for '$spec' in $E2E_CACHE/kernel"
			return 1
		fi
	else
		if ! _e2e_apt_setup "$spec"; then
			e2e_log "cannot fetch kernel '$spec': no package lists" \
				"(offline? E2E_OFFLINE=1 boots what is cached)"
			return 1
		fi
		if ! pkg=$(_e2e_resolve "$spec"); then
			case $spec in
			linux-image-* | [0-9]*)
				e2e_log "cannot fetch kernel '$spec': no package" \
					"linux-image-${spec#linux-image-} in $(_e2e_suites "$spec")" ;;
			*)
				e2e_log "cannot fetch kernel '$spec': no linux-image-amd64 in suite" \
					"'$spec' $(grep -w -- "$spec" "$E2E_CACHE/apt/update.log" \
						2>/dev/null | grep '^[WE]: ' | head -1)" ;;
			esac
			return 1
		fi
		kver=${pkg#linux-image-}
	fi
	dir=$E2E_CACHE/kernel/$kver
	if [ ! -e "$dir/.complete" ]; then
		tmp=$(mktemp -d "$E2E_CACHE/kernel/.fetch.XXXXXX") && chmod 755 "$tmp"
		e2e_log "downloading $pkg (100-130 MB, once) and unpacking it into $dir;" \
			"nothing is installed"
		if ! _e2e_download "$pkg" "$tmp" || ! _e2e_unpack "$tmp" "$kver"; then
			e2e_log "cannot fetch kernel '$spec' ($pkg):"
			grep -E '^(E|W): ' "$tmp/apt.log" 2>/dev/null | head -5 >&2
			rm -rf "$tmp"
			return 1
		fi
		rm -rf "$dir"
		mv "$tmp" "$dir" && touch "$dir/.complete"
	fi
	case $spec in
	linux-image-* | [0-9]*) ;;
	*) [ "${E2E_OFFLINE:-0}" = 1 ] || echo "$kver" >"$E2E_CACHE/kernel/by-spec/$spec" ;;
	esac
	E2E_KVER=$kver
	E2E_KROOT=$dir/root
	E2E_VMLINUZ=$(_e2e_kfile "$E2E_KROOT" "$kver" vmlinuz)
	E2E_KCONFIG=$(_e2e_kfile "$E2E_KROOT" "$kver" config)
	E2E_KERNEL=$E2E_VMLINUZ
	[ -s "$dir/vmlinux" ] && [ "${E2E_USE_VMLINUZ:-0}" != 1 ] && E2E_KERNEL=$dir/vmlinux
	return 0
}

# e2e_use_kernel FILE: takes the kernel whose e2e_fetch_kernel lines FILE holds, without
# resolving again (a suite fetches every kernel first, then boots them side by side).
e2e_use_kernel() {
	local k v
	while IFS='=' read -r k v; do
		case $k in
		E2E_KVER | E2E_KROOT | E2E_KERNEL | E2E_VMLINUZ | E2E_KCONFIG | E2E_KERNEL_SPEC)
			printf -v "$k" '%s' "$v"
			export "${k?}"
			;;
		esac
	done <"$1"
	[ -n "${E2E_KVER:-}" ] && [ -e "$E2E_KERNEL" ]
}
