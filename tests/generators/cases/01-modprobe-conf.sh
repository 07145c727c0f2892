# SPDX-License-Identifier: GPL-2.0-or-later
# The safety-net snippet generator: driver sources (default list, environment, drivers file,
# none), names (dedupe, '-' as '_', bad names, vfio_pci itself), a path with a space refused,
# and the install line as kmod runs it (/bin/sh -c): a working binary
# runs alone, a failing or missing one falls back to modprobe -b --ignore-install with the
# ids= option emptied, and of two binaries the first that exists runs.
NEEDS=none
check() {
	local out line root=$CASE_WORK/root fake=$CASE_WORK
	out=$(unset VFIO_CLAIM_HOST_DRIVERS; conf_gen --root /nonexistent)
	[ "$(grep -c '^softdep .* pre: vfio_pci$' <<<"$out")" = 6 ] ||
		echo "default list: want 6 softdeps, got: $(grep '^softdep' <<<"$out" | paste -sd' ')"
	grep -qx 'softdep snd_hda_intel pre: vfio_pci' <<<"$out" ||
		echo "default list lacks snd_hda_intel"
	out=$(VFIO_CLAIM_HOST_DRIVERS="bochs,snd-hda-intel bochs bad/name vfio_pci" conf_gen 2>&1)
	[ "$(grep '^softdep' <<<"$out" | tr '\n' ' ')" = \
		"softdep bochs pre: vfio_pci softdep snd_hda_intel pre: vfio_pci " ] ||
		echo "env list (dedupe, - to _, bad names, vfio_pci itself):" \
			"got $(grep '^softdep' <<<"$out")"
	grep -q "skipping bad driver name 'bad/name'" <<<"$out" || echo "no warning for a bad name"
	mkdir -p "$root/etc"
	printf '# mine\nnouveau # the GTX\n' >"$root/etc/vfio-claim.drivers"
	out=$(unset VFIO_CLAIM_HOST_DRIVERS; conf_gen --root "$root")
	[ "$(grep '^softdep' <<<"$out")" = "softdep nouveau pre: vfio_pci" ] ||
		echo "drivers file: got $(grep '^softdep' <<<"$out")"
	out=$(conf_gen --drivers none)
	grep -q '^softdep' <<<"$out" && echo "--drivers none still lists softdeps"
	conf_gen --binary 'a b' >/dev/null 2>&1 && echo "a path with a space was accepted"
	printf '#!/bin/sh\necho "fake $*"\nexit %s\n' 0 >"$fake/fake-ok"
	printf '#!/bin/sh\necho "fake $*"\nexit %s\n' 1 >"$fake/fake-fail"
	printf '#!/bin/sh\necho "modprobe $*"\n' >"$fake/fake-modprobe"
	chmod +x "$fake/fake-ok" "$fake/fake-fail" "$fake/fake-modprobe"
	run_line() { # conf-gen args... -> what the install line prints
		line=$(conf_gen --drivers none --modprobe "$fake/fake-modprobe" "$@" |
			sed -n 's/^install vfio_pci //p')
		sh -c "$line" 2>/dev/null
	}
	expect_line() { # want conf-gen args...
		local want=$1 got
		shift
		got=$(run_line "$@" | paste -sd'|')
		[ "$got" = "$want" ] || echo "install line with $*: want '$want', got '$got'"
	}
	expect_line "fake --modprobe" --binary "$fake/fake-ok"
	expect_line "fake --modprobe|modprobe -b --ignore-install vfio_pci ids=" \
		--binary "$fake/fake-fail"
	expect_line "modprobe -b --ignore-install vfio_pci ids=" \
		--binary /nonexistent/vfio-claim
	expect_line "fake --modprobe" --binary /nonexistent/a --binary "$fake/fake-ok"
}
