# SPDX-License-Identifier: GPL-2.0-or-later
# The race, mkinitcpio systemd: MODULES=(bochs), loaded by systemd-modules-load, and
# vfio-claim.service masked (rd.systemd.mask=), so only the safety net can claim.
prereq() { mki_prereq; }
build() {
	VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
		build_mkinitcpio "$IMAGE" systemd 1 1
}
APPEND="vfio-claim.ids=$IDS $NOROOT $SYSTEMD_QUIET rd.systemd.mask=vfio-claim.service"
check() {
	expect_table $HOOKED
	# a safety-net-only run: the masked service must not have started
	expect_no_log "Starting vfio-claim.service"
}
