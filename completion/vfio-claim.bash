# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Bash completion for vfio-claim: its commands, its options, and PCI addresses and IDs from
# sysfs (under DIR when the command line has --root DIR, as vfio-claim itself would read).
# Installed as $(PREFIX)/share/bash-completion/completions/vfio-claim; it needs nothing of the
# bash-completion package. Words are taken from COMP_LINE, split at blanks only: bash itself
# also splits at ':' and '=', which every PCI address and "ADDR=ID" contains.

_vfio_claim_commands="claim status release doctor groups suggest"
_vfio_claim_options="--ids --addrs --addresses --config --no-cmdline --unbind --allow-boot-vga
--group --wait --strict --stop-units --domain --dry-run --json --modprobe --root --kmsg --quiet
--verbose --help --version"

# The devices' addresses under ROOT/sys, one a line; with "ids", their vendor:device IDs.
_vfio_claim_devices() {
	local root=$1 what=$2 d v i
	for d in "$root"/sys/bus/pci/devices/*; do
		[ -e "$d" ] || continue
		if [ "$what" = ids ]; then
			read -r v <"$d/vendor" && read -r i <"$d/device" &&
				printf '%s:%s\n' "${v#0x}" "${i#0x}"
		else
			printf '%s\n' "${d##*/}"
		fi
	done | sort -u
}

# COMPREPLY from the candidates in $2 for the last item of the comma list $1.
_vfio_claim_list() {
	local cur=$1 head='' c
	case $cur in *,*) head=${cur%,*}, ;; esac
	COMPREPLY=()
	for c in $2; do
		case $c in "${cur##*,}"*) COMPREPLY+=("$head$c") ;; esac
	done
}

_vfio_claim() {
	local line=${COMP_LINE:0:COMP_POINT} cur='' prev='' cmd='' root='' pre='' w i
	local -a words
	read -ra words <<<"$line"
	case $line in
	*[[:space:]]) ;;
	*) cur=${words[${#words[@]} - 1]}; unset 'words[${#words[@]}-1]' ;;
	esac
	[ ${#words[@]} -gt 1 ] && prev=${words[${#words[@]} - 1]}
	for ((i = 1; i < ${#words[@]}; i++)); do
		w=${words[i]}
		case $w in
		--root=*) root=${w#--root=} ;;
		--root) root=${words[i + 1]:-} ;;
		esac
		case " $_vfio_claim_commands " in
		*" $w "*) [ -z "$cmd" ] && cmd=$w ;;
		esac
	done
	root=${root%/}
	COMPREPLY=()
	case $cur in
	--*=*) prev=${cur%%=*}; pre=$prev=; cur=${cur#*=} ;;
	esac
	case $prev in
	--ids) _vfio_claim_list "$cur" "$(_vfio_claim_devices "$root" ids)" ;;
	--addrs | --addresses) _vfio_claim_list "$cur" "$(_vfio_claim_devices "$root" addrs)" ;;
	--config) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	--root) mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	--wait | --stop-units | --domain) ;;
	*)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_vfio_claim_options" -- "$cur")
		elif [ "$cmd" = release ] || [ "$cmd" = suggest ] || [ "$cmd" = doctor ]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_vfio_claim_devices "$root" addrs)" \
				-- "$cur")
		elif [ -z "$cmd" ]; then
			mapfile -t COMPREPLY < <(compgen -W "$_vfio_claim_commands" -- "$cur")
		fi
		;;
	esac
	# bash replaces only what follows the last ':' or '=' of the word typed: each reply
	# starts after that point
	w=$pre$cur
	w=${w%"${w##*[:=]}"}
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=$pre${COMPREPLY[i]}
		COMPREPLY[i]=${COMPREPLY[i]#"$w"}
	done
	return 0
}

complete -F _vfio_claim vfio-claim
