#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Carries out the build plan that an evaluation of boot.nix announced ("trace: vfio-claim-drv
# {json}" lines, see stub-pkgs.nix), so that NixOS's own builders run as written:
#   runCommand        the script runs under bash -e -o pipefail with the attributes as
#                     environment, $out set, nativeBuildInputs on PATH and the stdenv functions
#                     the stage 1 scripts call (substituteInPlace, stripDirs, nuke-refs), written
#                     here; allowedReferences is checked afterwards, as Nix does
#   substituteAll     every @name@ of the source replaced by the attribute (true -> 1,
#                     false -> "", lists space-separated), postInstall run; a @placeholder@ left
#                     over is an error
#   writeText & co    the text, executable and in bin/ as the builder's name says
#                     (writeTextFile: at its destination); passAsFile as Nix does it
#   buildEnv          a tree of symlinks into the paths (pathsToLink), then postBuild
#   makeModulesClosure  the root modules and what they need (modules.dep and softdeps, as
#                     modprobe resolves them) from the e2e rig's Debian kernel, with its index;
#                     a module that is neither there nor built in fails, as allowMissing = false
#   makeInitrd        the store closure of every object (found by scanning for store paths, as
#                     Nix finds references) under /nix/store, each `symlink` pointing at its
#                     object, as a sorted cpio (newc, owner 0) through the compressor
#   makeInitrdNG      make-initrd-ng's layout (the systemd initrd): see _build_makeInitrdNG
#   packages          nixpkgs' builds are replaced by Debian's: each stand-in is laid out like the
#                     nixpkgs package (bin/, sbin/, lib/udev/rules.d, ...), its programs patched
#                     with patchelf to an interpreter and RPATH inside the fake store, as Nix
#                     builds are, so find-libs and patchelf in extra-utils work on them unchanged
# All of it runs inside a private mount namespace whose /nix/store is the suite's fake store
# (realise_in_ns), so the paths baked into scripts and binaries are the real ones and nothing is
# written to the host's /nix (which does not even have to exist).
#
# Usage (sourced): realise_in_ns STORE WORK PLAN KROOT KVER TARGET...   builds every TARGET path
# Environment: VFIO_CLAIM_STATIC, VFIO_CLAIM_DYNAMIC (the binaries for the vfio-claim packages),
# R_BUSYBOX (Debian's dynamically linked busybox), R_LOGDIR (build logs).

realise_log() { echo "realise: $*" >&2; }

# --- the fake store, seen as /nix/store by everything started through realise_in_ns ---------
realise_in_ns() {
	local store=$1 work=$2
	shift 2
	mkdir -p "$work/nsroot"
	unshare -m /bin/bash -c '
		set -e
		store=$1 root=$2/nsroot here=$3
		shift 3
		mount --make-rprivate /
		mount -t tmpfs realise "$root"
		for e in /*; do
			n=${e#/}
			if [ -L "$e" ]; then
				ln -s "$(readlink "$e")" "$root/$n"
			elif [ -d "$e" ]; then
				mkdir "$root/$n"
				mount --rbind "$e" "$root/$n"
			fi
		done
		mkdir -p "$root/nix/store"
		mount --bind "$store" "$root/nix/store"
		exec chroot "$root" /bin/bash -c "cd / && . \"$here/realise.sh\" && realise_all \"\$@\"" \
			realise "$@"' realise-ns "$store" "$work" "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" "$@"
	local rc=$?
	rmdir "$work/nsroot" 2>/dev/null
	return $rc
}

# realise_all PLAN KROOT KVER TARGET...   (inside the namespace)
realise_all() {
	R_PLAN=$1 R_KROOT=$2 R_KVER=$3
	shift 3
	local t
	for t in "$@"; do
		realise "$t" || return 1
	done
}

# The plan entry of a store path, as one JSON object.
_plan_entry() { jq -c --arg o "$1" 'select(.out == $o)' "$R_PLAN" | head -1; }

# Store paths a JSON value or file mentions.
_refs_in() { grep -o '/nix/store/[0-9a-z]\{32\}-[A-Za-z0-9+._?=-]*' | sort -u; }

realise() {
	local path=$1 entry dep builder
	path=$(_store_path "$path")
	[ -e "$path" ] && return 0
	entry=$(_plan_entry "$path")
	if [ -z "$entry" ]; then
		realise_log "$path is not in the build plan"
		return 1
	fi
	builder=$(jq -r '.builder // "package"' <<<"$entry")
	# Inputs first: every store path the recorded inputs mention. A package's own inputs do
	# not matter: Debian's build stands in for it.
	[ "$builder" = package ] ||
	for dep in $(jq -c 'del(.out)' <<<"$entry" | _refs_in); do
		dep=$(_store_path "$dep")
		[ "$dep" = "$path" ] || realise "$dep" || return 1
	done
	realise_log "building $path ($builder)"
	"_build_$builder" "$path" "$entry" >"$R_LOGDIR/$(basename "$path").log" 2>&1 || {
		realise_log "building $path failed; log tail:"
		tail -n 25 "$R_LOGDIR/$(basename "$path").log" | sed 's/^/    | /' >&2
		rm -rf "$path"
		return 1
	}
}
R_LOGDIR=${R_LOGDIR:-/tmp}

# /nix/store/HASH-name/sub/path -> /nix/store/HASH-name
_store_path() { sed 's|^\(/nix/store/[^/]*\).*|\1|' <<<"$1"; }

# --- the stdenv functions stage-1.nix's scripts call -----------------------------------------
_stdenv_functions() {
	cat <<'EOF'
substituteInPlace() {
	local file=$1 text a b
	shift
	text=$(cat "$file"; printf x)
	text=${text%x}
	while [ $# -gt 0 ]; do
		case $1 in
		--replace | --replace-fail | --replace-quiet) a=$2 b=$3; shift 3 ;;
		*) echo "substituteInPlace: unsupported $1" >&2; return 1 ;;
		esac
		text=${text//"$a"/"$b"}
	done
	printf '%s' "$text" >"$file"
}
stripDirs() {
	local strip=$1 dirs=$3 flags=$4 d
	for d in $dirs; do
		[ -d "$out/$d" ] || continue
		find "$out/$d" -type f -perm -0100 -print0 -o -type f -name '*.so*' -print0 |
			xargs -r -0 -n1 "$strip" $flags 2>/dev/null || true
	done
}
EOF
}

_run_builder() { # path entry script-text
	local path=$1 entry=$2 script=$3 tmp bins v k
	tmp=$(mktemp -d /tmp/realise-build.XXXXXX)
	bins=$(jq -r '.env.nativeBuildInputs // [] | .[] + "/bin"' <<<"$entry" | tr '\n' ':')
	(
		cd "$tmp" || exit 1
		# the derivation's attributes as environment, as Nix passes them
		while IFS= read -r k; do
			v=$(jq -r --arg k "$k" '.env[$k] | if type == "array" then join(" ")
				elif type == "boolean" then (if . then "1" else "" end)
				elif . == null then "" else tostring end' <<<"$entry")
			if jq -e --arg k "$k" '.env.passAsFile // [] | index($k)' <<<"$entry" >/dev/null; then
				# passAsFile: the value in a file, its name in ${k}Path
				jq -j --arg k "$k" '.env[$k]' <<<"$entry" >"$tmp/.attr-$k"
				export "${k}Path=$tmp/.attr-$k"
			else
				export "$k=$v"
			fi
		done < <(jq -r '.env // {} | keys[]' <<<"$entry")
		export out=$path NIX_BUILD_TOP=$tmp TMPDIR=$tmp HOME=/homeless-shelter NIX_BUILD_CORES=1
		export PATH=$bins/usr/bin:/bin:/usr/sbin:/sbin STRIP=strip RANLIB=ranlib
		{
			_stdenv_functions
			printf '%s\n' "$script"
		} >"$tmp/.builder.sh"
		# no -u: stdenv runs a buildCommand without it (the systemd initrd's ubuntu.conf
		# builder reads an unset $src), and a builder's stdin is /dev/null
		bash -e -o pipefail "$tmp/.builder.sh" </dev/null
	)
	local rc=$?
	rm -rf "$tmp"
	[ $rc -eq 0 ] || return $rc
	_check_allowed_references "$path" "$entry"
}

# Nix refuses an output that refers to a path outside allowedReferences ("out" is itself).
_check_allowed_references() {
	local path=$1 entry=$2 allowed ref bad=0
	jq -e '.env.allowedReferences' <<<"$entry" >/dev/null 2>&1 || return 0
	allowed=" $(jq -r '.env.allowedReferences[]' <<<"$entry" | sed "s|^out\$|$path|" | tr '\n' ' ') "
	for ref in $(_closure_refs "$path"); do
		case $allowed in *" $ref "*) ;; *) echo "output refers to $ref, not allowed"; bad=1 ;; esac
	done
	return $bad
}

# Store paths that the files and symlinks under PATH refer to (remembered per path: a built
# store path does not change).
_closure_refs() {
	local memo=$R_LOGDIR/refs-${1##*/}
	[ -f "$memo" ] || _scan_refs "$1" >"$memo"
	cat "$memo"
}
_scan_refs() {
	{
		grep -raoh '/nix/store/[0-9a-z]\{32\}-[A-Za-z0-9+._?=-]*' "$1" 2>/dev/null
		find "$1" -type l -exec readlink {} + 2>/dev/null
		[ -L "$1" ] && readlink "$1"
	} | grep -o '^/nix/store/[^/]*' | sort -u | while read -r r; do
		[ -e "$r" ] && echo "$r"
	done
}

# --- builders ---------------------------------------------------------------------------------
_build_runCommand() { _run_builder "$1" "$2" "$(jq -r .script <<<"$2")"; }

_text() { jq -r '.text' <<<"$1"; }
_build_writeText() { jq -j .text <<<"$2" >"$1"; }
_build_writeScript() { _build_writeText "$@" && chmod 555 "$1"; }
_build_writeScriptBin() {
	local name
	name=$(jq -r .name <<<"$2")
	mkdir -p "$1/bin" && jq -j .text <<<"$2" >"$1/bin/$name" && chmod 555 "$1/bin/$name"
}
_build_writeShellScript() {
	realise "$(_shell)" || return 1
	{ echo "#!$(_shell)/bin/bash"; _text "$2"; } >"$1" && chmod 555 "$1"
}
_build_writeShellScriptBin() {
	local name
	name=$(jq -r .name <<<"$2")
	realise "$(_shell)" || return 1
	mkdir -p "$1/bin" && { echo "#!$(_shell)/bin/bash"; _text "$2"; } >"$1/bin/$name" &&
		chmod 555 "$1/bin/$name"
}
_build_writeTextFile() {
	local dest
	dest=$1$(jq -r '.args.destination // ""' <<<"$2")
	mkdir -p "$(dirname "$dest")"
	jq -j .args.text <<<"$2" >"$dest"
	[ "$(jq -r '.args.executable // false' <<<"$2")" = true ] && chmod 555 "$dest"
	return 0
}
# runtimeShell is the bash package's: a dependency of every shell script writer.
_shell() { jq -r 'select(.name == "bash") | .out' "$R_PLAN" | head -1; }

_build_substituteAll() {
	local path=$1 entry=$2 src text k v left
	src=$(jq -r .args.src <<<"$entry")
	text=$(cat "$src"; printf x)
	text=${text%x}
	while IFS= read -r k; do
		case $k in src | name | postInstall | isExecutable) continue ;; esac
		v=$(jq -r --arg k "$k" '.args[$k] | if type == "array" then join(" ")
			elif type == "boolean" then (if . then "1" else "" end)
			elif . == null then "" else tostring end' <<<"$entry")
		text=${text//"@$k@"/"$v"}
	done < <(jq -r '.args | keys[]' <<<"$entry")
	printf '%s' "$text" >"$path"
	left=$(grep -o '@[a-zA-Z_][a-zA-Z0-9_]*@' "$path" | sort -u | tr '\n' ' ')
	if [ -n "$left" ]; then
		echo "placeholders left in $src: $left"
		return 1
	fi
	[ "$(jq -r '.args.isExecutable // false' <<<"$entry")" = true ] && chmod 555 "$path"
	if jq -e '.args.postInstall' <<<"$entry" >/dev/null; then
		target=$path bash -eu -o pipefail -c "$(jq -r .args.postInstall <<<"$entry")" || return 1
	fi
}

_build_buildEnv() {
	local path=$1 entry=$2 p f rel keep links
	links=$(jq -r '.args.pathsToLink // ["/"] | .[]' <<<"$entry")
	mkdir -p "$path"
	for p in $(jq -r '.args.paths[]' <<<"$entry"); do
		[ -d "$p" ] || continue
		# -L: a package's directory symlink (kmod's sbin -> bin) is merged like a directory
		(cd "$p" && find -L . ! -type d) | while read -r f; do
			rel=${f#.}
			keep=
			for l in $links; do
				case $rel in "$l" | "${l%/}"/*) keep=1 ;; esac
			done
			[ -n "$keep" ] || continue
			mkdir -p "$path$(dirname "$rel")"
			ln -sfn "$p$rel" "$path$rel"
		done
	done
	for f in $links; do mkdir -p "$path$f"; done
	if jq -e '.args.postBuild' <<<"$entry" >/dev/null; then
		out=$path bash -eu -o pipefail -c "$(jq -r .args.postBuild <<<"$entry")" || return 1
	fi
}

# The kernel's module tree: the rig's Debian kernel is what this initrd is built for.
_build_aggregateModules() { mkdir -p "$1" && ln -s "$R_KROOT/lib" "$1/lib"; }

_build_makeModulesClosure() {
	local path=$1 entry=$2 kdir=lib/modules/$R_KVER m ko fw dep missing="" list
	mkdir -p "$path/$kdir" "$path/lib/firmware"
	list=$(mktemp /tmp/realise-modules.XXXXXX)
	for m in $(jq -r '.args.rootModules[]' <<<"$entry" | sort -u); do
		# what a module needs does not change between closures: asked once per module
		dep=$R_LOGDIR/moddep-$m
		if [ ! -f "$dep" ]; then
			if ! modprobe -d "$R_KROOT" -S "$R_KVER" --show-depends "$m" >"$dep.tmp" 2>&1; then
				missing="$missing $m"
				continue
			fi
			mv "$dep.tmp" "$dep"
		fi
		awk '$1 == "insmod" { print $2 }' "$dep" >>"$list"
	done
	if [ -n "$missing" ]; then
		echo "modules not found (allowMissing = false):$missing"
		rm -f "$list"
		return 1
	fi
	for ko in $(sort -u "$list"); do
		rel=${ko#"$R_KROOT"/}
		mkdir -p "$path/$(dirname "$rel")"
		cp "$ko" "$path/$rel"
		for fw in $(modinfo -F firmware "$ko" 2>/dev/null); do
			[ -e "$R_KROOT/lib/firmware/$fw" ] || continue
			mkdir -p "$path/lib/firmware/$(dirname "$fw")"
			cp "$R_KROOT/lib/firmware/$fw" "$path/lib/firmware/$fw"
		done
	done
	rm -f "$list"
	cp "$R_KROOT/$kdir"/modules.{order,builtin,builtin.modinfo} "$path/$kdir/" 2>/dev/null
	depmod -b "$path" "$R_KVER"
}

# The store closure of PATH...: the paths themselves and, transitively, what they refer to.
_closure() {
	local -A seen=()
	local todo=("$@") p r
	while [ ${#todo[@]} -gt 0 ]; do
		p=$(_store_path "${todo[0]}")
		todo=("${todo[@]:1}")
		[ -n "${seen[$p]:-}" ] && continue
		seen[$p]=1
		echo "$p"
		for r in $(_closure_refs "$p"); do
			[ -n "${seen[$r]:-}" ] || todo+=("$r")
		done
	done
}

_build_makeInitrd() {
	local path=$1 entry=$2 st obj link comp n
	st=$(mktemp -d /tmp/realise-initrd.XXXXXX)
	mkdir -p "$st/nix/store"
	for obj in $(_closure $(jq -r '.args.contents[].object' <<<"$entry")); do
		cp -a "$obj" "$st/nix/store/"
	done
	n=$(jq '.args.contents | length' <<<"$entry")
	for ((i = 0; i < n; i++)); do
		obj=$(jq -r ".args.contents[$i].object" <<<"$entry")
		link=$(jq -r ".args.contents[$i].symlink" <<<"$entry")
		mkdir -p "$st$(dirname "$link")"
		ln -sfn "$obj" "$st$link"
	done
	_cpio_compress "$path" "$st" "$entry"
}

# The image of a staging tree: a sorted cpio (newc, owner 0) through the compressor; its
# listing goes beside the store (R_LOGDIR) for the tests.
_cpio_compress() { # path staging entry
	local path=$1 st=$2 comp
	comp=$(jq -r '.args.compressor // "zstd"' <<<"$3")
	case $comp in zstd) comp="zstd -T0" ;; gzip) comp="gzip -9n" ;; xz) comp="xz --check=crc32" ;; esac
	(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		$comp >"$path" || { rm -rf "$st"; return 1; }
	find "$st" -mindepth 1 | sed "s|^$st||" | LC_ALL=C sort >"$R_LOGDIR/$(basename "$path").files"
	rm -rf "$st"
}

# make-initrd-ng's layout: each object copied to its own store path in the image, symlinks
# followed (their targets copied too), ELF files with their interpreter and the libraries their
# RUNPATH/RPATH finds; no reference scanning (hence boot.initrd.systemd.storePaths); each
# content with a target gets a symlink to its object. Objects missing from Debian's systemd 252
# (systemd-executor, systemd-bsod: newer than 252) are left out and listed in the build log.
_ng_copy() { # staging path
	local st=$1 p=$2 t lib rp d
	{ [ -e "$st$p" ] || [ -L "$st$p" ]; } && return 0
	if [ ! -e "$p" ] && [ ! -L "$p" ]; then
		echo "make-initrd-ng: $p does not exist here; left out"
		return 0
	fi
	mkdir -p "$st$(dirname "$p")"
	if [ -L "$p" ]; then
		cp -P "$p" "$st$p"
		t=$(readlink "$p")
		case $t in /*) ;; *) t=$(dirname "$p")/$t ;; esac
		_ng_copy "$st" "$(realpath -ms "$t")"
		return
	fi
	if [ -d "$p" ]; then
		mkdir -p "$st$p"
		for t in "$p"/* "$p"/.[!.]*; do
			[ -e "$t" ] || [ -L "$t" ] || continue
			_ng_copy "$st" "$t"
		done
		return 0
	fi
	cp -p "$p" "$st$p"
	file -b "$p" | grep -q '^ELF.*dynamic' || return 0
	t=$(patchelf --print-interpreter "$p" 2>/dev/null) && _ng_copy "$st" "$t"
	rp=$(patchelf --print-rpath "$p" 2>/dev/null)
	for lib in $(patchelf --print-needed "$p" 2>/dev/null); do
		for d in ${rp//:/ }; do
			d=${d//'$ORIGIN'/$(dirname "$p")}
			if [ -e "$d/$lib" ]; then
				_ng_copy "$st" "$d/$lib"
				break
			fi
		done
	done
	return 0
}

_build_makeInitrdNG() {
	local path=$1 entry=$2 st n i obj target
	st=$(mktemp -d /tmp/realise-initrd.XXXXXX)
	n=$(jq '.args.contents | length' <<<"$entry")
	for ((i = 0; i < n; i++)); do
		obj=$(jq -r ".args.contents[$i].object" <<<"$entry")
		target=$(jq -r ".args.contents[$i].symlink // \"\"" <<<"$entry")
		_ng_copy "$st" "$obj"
		if [ -n "$target" ]; then
			mkdir -p "$st$(dirname "$target")"
			ln -sfn "$obj" "$st$target"
		fi
	done
	_cpio_compress "$path" "$st" "$entry"
}

# --- Debian's programs as nixpkgs packages ----------------------------------------------------
# glibc's own libraries (by name: ldd may print /lib or /usr/lib) go into the glibc stand-in.
_libc_files=
_is_glibc_lib() {
	[ -n "$_libc_files" ] || _libc_files=$(dpkg -L libc6 | grep '\.so' | sed 's|.*/||')
	grep -qxF "${1##*/}" <<<"$_libc_files"
}
_glibc() { jq -r 'select(.name == "glibc") | .out' "$R_PLAN" | head -1; }

# _standin_elf PKG SRC DEST: Debian's SRC as PKG/DEST, built against the fake store: its
# libraries copied into PKG/lib (glibc's into the glibc stand-in), interpreter and RPATH set.
_standin_elf() {
	local pkg=$1 src=$2 dest=$3 glibc lib tgt
	glibc=$(_glibc)
	mkdir -p "$(dirname "$pkg/$dest")"
	cp -L "$src" "$pkg/$dest"
	chmod u+w "$pkg/$dest"
	file -L "$src" | grep -q 'dynamically linked' || return 0
	for lib in $(ldd "$src" | grep -o '/[^ ]*' | sort -u); do
		case ${lib##*/} in ld-linux*) tgt=$glibc/lib ;; *) tgt=$pkg/lib ;; esac
		_is_glibc_lib "$lib" && tgt=$glibc/lib
		mkdir -p "$tgt"
		[ -e "$tgt/${lib##*/}" ] && continue
		cp -L "$lib" "$tgt/${lib##*/}"
		chmod u+w "$tgt/${lib##*/}"
		case ${lib##*/} in
		ld-linux*) ;;
		*)
			patchelf --set-rpath "$tgt:$pkg/lib:$glibc/lib" "$tgt/${lib##*/}"
			# libc.so.6 is a program too: its interpreter is the stand-in's as well
			if patchelf --print-interpreter "$tgt/${lib##*/}" >/dev/null 2>&1; then
				patchelf --set-interpreter "$glibc/lib/ld-linux-x86-64.so.2" "$tgt/${lib##*/}"
			fi
			;;
		esac
	done
	patchelf --set-interpreter "$glibc/lib/ld-linux-x86-64.so.2" \
		--set-rpath "$pkg/lib:$glibc/lib" "$pkg/$dest"
}

_build_package() {
	local path=$1 entry=$2 name f a
	name=$(jq -r .name <<<"$entry")
	# everything below is linked against the glibc stand-in
	[ "$name" = glibc ] || realise "$(_glibc)" || return 1
	mkdir -p "$path"
	case $name in
	glibc)
		mkdir -p "$path/lib"
		cp -L /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 "$path/lib/"
		;;
	busybox)
		# nixpkgs' busybox: bin/busybox, linked against glibc, and the applets in bin/ and
		# sbin/ (no usr/). Debian's busybox package is that kind of build; busybox-static
		# runs its own applets before PATH (so `modprobe` would be busybox's, not kmod's).
		mkdir -p "$path/bin" "$path/sbin"
		_standin_elf "$path" "$R_BUSYBOX" bin/busybox
		for a in $("$R_BUSYBOX" --list-full); do
			case $a in */busybox) continue ;; esac
			f=${a#usr/}
			[ -e "$path/$f" ] || ln -s ../bin/busybox "$path/$f"
		done
		# Applets stage-1-init.sh calls that Debian's busybox is built without: the
		# util-linux, procps and kbd programs of the same name stand in for them.
		_standin_elf "$path" /sbin/fsck sbin/fsck
		_standin_elf "$path" /usr/bin/pgrep bin/pgrep
		_standin_elf "$path" /usr/bin/mountpoint bin/mountpoint
		_standin_elf "$path" /usr/bin/kbd_mode bin/kbd_mode
		;;
	util-linux)
		_standin_elf "$path" /sbin/blkid sbin/blkid
		for f in mount umount sulogin fsck; do _standin_elf "$path" "$(command -v "$f")" "bin/$f"; done
		;;
	lvm2)
		_standin_elf "$path" /sbin/dmsetup bin/dmsetup
		_standin_elf "$path" /sbin/lvm bin/lvm
		mkdir -p "$path/lib/udev/rules.d"
		for f in $(dpkg -L lvm2 dmsetup | grep '/rules\.d/.*\.rules$'); do
			# nixpkgs' lvm2 rules name its own programs; Debian's name /sbin.
			sed "s|/sbin/|$path/bin/|g" "$f" >"$path/lib/udev/rules.d/${f##*/}"
		done
		;;
	systemd) _standin_systemd "$path" ;;
	kmod)
		_standin_elf "$path" /bin/kmod bin/kmod
		for f in modprobe insmod rmmod lsmod modinfo depmod; do ln -s kmod "$path/bin/$f"; done
		# nixpkgs' kmod keeps sbin/ as a link to bin/ (kernel.modprobe = /sbin/modprobe)
		ln -s bin "$path/sbin"
		;;
	e2fsprogs)
		# nixpkgs' e2fsprogs has them in bin/ (getBin) and sbin/
		for f in e2fsck tune2fs; do _standin_elf "$path" "/sbin/$f" "sbin/$f"; done
		mkdir -p "$path/bin"
		for f in e2fsck tune2fs; do ln -s "../sbin/$f" "$path/bin/$f"; done
		for f in fsck.ext2 fsck.ext3 fsck.ext4; do ln -s e2fsck "$path/bin/$f"; done
		;;
	bcache-tools)
		mkdir -p "$path/lib/udev/rules.d"
		cp /lib/udev/rules.d/69-bcache.rules "$path/lib/udev/rules.d/"
		;;
	kbd)
		_standin_elf "$path" /usr/bin/loadkeys bin/loadkeys
		_standin_elf "$path" /usr/bin/setfont bin/setfont
		mkdir -p "$path/share"
		cp -r /usr/share/keymaps "$path/share/keymaps"
		;;
	kmod-blacklist-ubuntu)
		# Ubuntu's lists cannot be fetched here; Debian's framebuffer list is the same kind.
		{ echo "## file: blacklist-framebuffer.conf"; cat /lib/modprobe.d/fbdev-blacklist.conf; } \
			>"$path/modprobe.conf"
		;;
	kmod-debian-aliases) rmdir "$path" && cp /lib/modprobe.d/aliases.conf "$path" ;;
	bash | bashInteractive) _standin_elf "$path" /bin/bash bin/bash && ln -s bash "$path/bin/sh" ;;
	coreutils | findutils | gzip | less)
		for f in $(dpkg -L "$name" | grep -E '^(/usr)?/s?bin/[^/]+$'); do
			if [ -f "$f" ] && ! [ -L "$f" ]; then _standin_elf "$path" "$f" "bin/${f##*/}" || return 1; fi
		done
		;;
	shadow) _standin_elf "$path" /usr/sbin/nologin bin/nologin ;;
	# build tools, taken from the host
	perl | patchelf) mkdir -p "$path/bin" && ln -s "/usr/bin/$name" "$path/bin/$name" ;;
	nukeReferences)
		mkdir -p "$path/bin" && _nuke_refs_script >"$path/bin/nuke-refs" &&
			chmod 555 "$path/bin/nuke-refs"
		;;
	vfio-claim-exit-*) _vfio_claim_script "$path" 'exit 1' ;;
	vfio-claim-crash-*) _vfio_claim_script "$path" 'kill -SEGV $$' ;;
	vfio-claim-dynamic-*) _standin_elf "$path" "$VFIO_CLAIM_DYNAMIC" bin/vfio-claim ;;
	vfio-claim-*) _standin_elf "$path" "$VFIO_CLAIM_STATIC" bin/vfio-claim ;;
	*) ;; # not used by stage 1 (bintools, mdadm, lndir: names in substitutions only)
	esac
}

# Debian's systemd 252 and udev as nixpkgs' systemd package: the programs the initrd lists, the
# upstream units in example/systemd/system (what generateUnits copies) with their /lib/systemd
# paths pointing into the package, as nixpkgs' units point into its store path, udev's programs,
# rules and .link files.
_standin_systemd() {
	local path=$1 f
	for f in /lib/systemd/systemd /lib/systemd/systemd-*; do
		if [ -f "$f" ] && ! [ -L "$f" ] && file -b "$f" | grep -q ELF; then
			_standin_elf "$path" "$f" "lib/systemd/${f##*/}" || return 1
		fi
	done
	ln -s ../../bin/udevadm "$path/lib/systemd/systemd-udevd"
	for f in /lib/systemd/system-generators/systemd-*; do
		_standin_elf "$path" "$f" "lib/systemd/system-generators/${f##*/}"
	done
	for f in udevadm systemctl journalctl systemd-tmpfiles systemd-escape systemd-ask-password \
		systemd-tty-ask-password-agent systemd-machine-id-setup systemd-notify systemd-sysusers; do
		_standin_elf "$path" "$(command -v "$f")" "bin/$f"
	done
	for f in /lib/udev/*; do
		[ -f "$f" ] || continue
		if file -b "$f" | grep -q ELF; then
			_standin_elf "$path" "$f" "lib/udev/${f##*/}"
		else
			cp -p "$f" "$path/lib/udev/${f##*/}"
		fi
	done
	mkdir -p "$path/lib/udev/rules.d" "$path/lib/systemd/network" "$path/lib/modprobe.d" \
		"$path/example/systemd"
	cp /lib/udev/rules.d/*.rules "$path/lib/udev/rules.d/"
	cp /lib/systemd/network/*.link "$path/lib/systemd/network/"
	cp /lib/modprobe.d/systemd.conf "$path/lib/modprobe.d/"
	cp -a /lib/systemd/system "$path/example/systemd/system"
	# /bin/... stays: the initrd's /bin has those programs (initrd-bin-env).
	find "$path/example/systemd/system" -type f \
		-exec sed -i "s#/lib/systemd/#$path/lib/systemd/#g" {} +
}

# A vfio-claim that answers --version (extra-utils tests it) and then fails as told.
_vfio_claim_script() {
	mkdir -p "$1/bin"
	printf '#!/bin/sh\n[ "$1" = --version ] && { echo "vfio-claim 0 (stand-in)"; exit 0; }\n%s\n' \
		"echo 'vfio-claim stand-in: failing on purpose' >&2; $2" >"$1/bin/vfio-claim"
	chmod 555 "$1/bin/vfio-claim"
}

# nuke-refs [-e PATH]... FILE...: replaces the hash of every store path in FILE with e's,
# except the paths given with -e (what nixpkgs' nukeReferences does).
_nuke_refs_script() {
	cat <<'EOF'
#!/bin/bash
keep=()
while [ "${1:-}" = -e ]; do keep+=("$(basename "$2" | cut -c1-32)"); shift 2; done
for f in "$@"; do
	[ -L "$f" ] && continue
	KEEP="${keep[*]}" perl -pi -e 'BEGIN { %k = map { $_ => 1 } split / /, $ENV{KEEP} }
		s{/nix/store/([0-9a-z]{32})-}{ $k{$1} ? $& : "/nix/store/" . ("e" x 32) . "-" }ge' "$f"
done
EOF
}
