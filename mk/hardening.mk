# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing, sanitizer and benchmark targets (included by the Makefile).
.PHONY: check-sanitize check-fuzz-smoke fuzz bench
check-sanitize:
	@echo "SKIP: sanitize (not written yet)"
check-fuzz-smoke:
	@echo "SKIP: fuzz-smoke (not written yet)"
