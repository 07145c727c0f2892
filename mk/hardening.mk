# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing, sanitizers, fault injection and benchmarks (included by the Makefile, which defines
# CORE_SRCS, FAKE_SRCS, UNIT_SRCS, PURE_SRCS, WARNINGS, BUILD). Knobs first.
#
#   make check-sanitize      unit + fixture + fault suites under ASan+UBSan, then valgrind
#                            memcheck of the unit tests and of a few runs of the binary
#   make check-valgrind      the whole fixture suite under valgrind (slower; not in `make check`)
#   make check-fuzz-smoke    every fuzz target for FUZZ_SMOKE_SECONDS (PASS: fuzz/<target>)
#   make check-fault         the fault-injection suite (tests/fault/run.sh)
#   make fuzz                every fuzz target for FUZZ_SECONDS, with executions and crashes
#   make bench               scale, size and QEMU timing figures (bench/, see BENCHMARKS.md)
#   make soak                the QEMU race scenario SOAK_BOOTS times in a row

# The compiler of the fuzz targets (libFuzzer is clang's)
FUZZ_CC            ?= clang
# The compiler of the ASan+UBSan builds
SAN_CC             ?= clang
# How long make fuzz runs each target
FUZZ_SECONDS       ?= 300
# How long the smoke in make check runs each target
FUZZ_SMOKE_SECONDS ?= 30
# How many targets run side by side; the default is the number of CPUs
FUZZ_JOBS          ?= $(shell nproc 2>/dev/null || echo 1)
# How many boots make bench times on each kernel
BENCH_BOOTS        ?= 10
# The kernels make bench boots, one timing each (specs of tests/e2e/lib.sh, as E2E_KERNELS)
BENCH_KERNELS      ?= $(or $(E2E_KERNELS),bookworm trixie sid)
# 1: time the guest's own instructions (QEMU -icount, free of the host's load; the figures the
# targets are judged by); 0: wall clock under TCG (see BENCHMARKS.md)
BENCH_ICOUNT       ?= 1
# How many times in a row make soak boots the race scenario
SOAK_BOOTS         ?= 50

# ---- nothing to set below this line

SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
# _FORTIFY_SOURCE is off under the sanitizers: they check the same accesses, better.
# libpci's flags are asked when a recipe needs them, so that a make without libpci (make deps,
# make clean) runs no pkg-config.
SAN_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARNINGS) -U_FORTIFY_SOURCE -Iinclude -g -O1 \
	       $(SAN_FLAGS) $(shell $(PKG_CONFIG) --cflags libpci)
FUZZ_CFLAGS  = $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -Itests/fuzz

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_common.c,\
		$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%)
# Everything but main(): libFuzzer brings its own. The libkmod/libudev edges are the fakes.
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,\
		 $(filter-out src/main.c,$(CORE_SRCS)) $(FAKE_SRCS) tests/fuzz/fuzz_common.c)
FUZZ_OBJS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o) $(FUZZ_LIB_OBJS)

SAN_DIR     := $(BUILD)/asan
SAN_UNIT_OBJS    := $(UNIT_SRCS:%.c=$(SAN_DIR)/obj/%.o) $(PURE_SRCS:%.c=$(SAN_DIR)/obj/%.o) \
		    $(SAN_DIR)/obj/src/output.o
SAN_FIXTURE_OBJS := $(CORE_SRCS:%.c=$(SAN_DIR)/obj/%.o) $(FAKE_SRCS:%.c=$(SAN_DIR)/obj/%.o)
# Reports go to files (counted afterwards), so a report cannot hide behind an expected exit
# code. fast_unwind_on_malloc=0: full allocation stacks in the leak reports. No suppressions.
SAN_LOG     := log_path=$(abspath $(SAN_DIR))/report
SAN_ENV     := ASAN_OPTIONS=detect_leaks=1:exitcode=86:fast_unwind_on_malloc=0:$(SAN_LOG) \
	       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86:$(SAN_LOG)

.PHONY: check-sanitize check-valgrind check-fuzz-smoke check-fault fuzz fuzz-build bench soak \
	deps-fuzz

# clang, its sanitizer runtimes, llvm-symbolizer and valgrind: checked, never installed here
# (make check installs them; otherwise the apt-get line says how).
deps-fuzz:
	@$(DEPS) --check base fuzz

# ---- fuzzing ---------------------------------------------------------------------------
$(FUZZ_DIR)/obj/%.o: %.c | deps-fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $^ $(shell $(PKG_CONFIG) --libs libpci)

fuzz-build: $(FUZZ_BINS)

check-fuzz-smoke: $(FUZZ_BINS)
	@tests/fuzz/run.sh --dir $(FUZZ_DIR) --seconds $(FUZZ_SMOKE_SECONDS) --jobs $(FUZZ_JOBS) \
		$(FUZZ_TARGETS)

fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh --dir $(FUZZ_DIR) --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS) \
		--keep-corpus $(FUZZ_TARGETS)

# ---- sanitizers ------------------------------------------------------------------------
$(SAN_DIR)/obj/%.o: %.c | deps-fuzz
	@mkdir -p $(dir $@)
	$(SAN_CC) $(SAN_CFLAGS) -MMD -MP -c -o $@ $<

$(SAN_DIR)/obj/tests/%.o: SAN_CFLAGS += -Wno-missing-field-initializers

$(SAN_DIR)/unit-tests: $(SAN_UNIT_OBJS)
	$(SAN_CC) $(SAN_FLAGS) -o $@ $^

$(SAN_DIR)/vfio-claim-test: $(SAN_FIXTURE_OBJS)
	$(SAN_CC) $(SAN_FLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libpci)

# A report file that holds only this line is no finding: the runtime could not find
# llvm-symbolizer (Debian's llvm package, in `deps.sh fuzz`) to name the frames of a stack it
# walked for a suppression.
SAN_NOT_A_FINDING := WARNING: invalid path to external symbolizer!

# Each suite's PASS:/FAIL: lines get an "asan/" prefix. A sanitizer report fails the run even
# where the suite expected a non-zero exit code: the reports land in files and are counted.
check-sanitize: $(SAN_DIR)/unit-tests $(SAN_DIR)/vfio-claim-test $(BUILD)/unit-tests \
		$(BUILD)/vfio-claim-test
	@rc=0; rm -f $(SAN_DIR)/report.*; \
	for suite in "unit $(SAN_DIR)/unit-tests" \
		     "fixture tests/fixture/run.sh $(SAN_DIR)/vfio-claim-test" \
		     "fault tests/fault/run.sh $(SAN_DIR)/vfio-claim-test"; do \
		name=$${suite%% *}; \
		$(SAN_ENV) $${suite#* } >$(SAN_DIR)/$$name.log 2>&1 || rc=1; \
		sed -E 's/^(PASS|FAIL|SKIP): /\1: asan\//' $(SAN_DIR)/$$name.log; \
	done; \
	reports=$$(grep -lvxF '$(SAN_NOT_A_FINDING)' $(SAN_DIR)/report.* 2>/dev/null); \
	if [ -n "$$reports" ]; then \
		echo "FAIL: asan/reports ($$(echo "$$reports" | wc -l) sanitizer report(s):" \
			"$$(echo $$reports))"; head -40 $$reports; rc=1; \
	else echo "PASS: asan/reports (no sanitizer report)"; fi; \
	tests/fault/valgrind.sh $(BUILD) || rc=1; \
	exit $$rc

check-valgrind: $(BUILD)/unit-tests $(BUILD)/vfio-claim-test
	@tests/fault/valgrind.sh --full $(BUILD)

# ---- fault injection -------------------------------------------------------------------
check-fault: $(BUILD)/vfio-claim-test
	@tests/fault/run.sh $(BUILD)/vfio-claim-test

# ---- benchmarks ------------------------------------------------------------------------
bench: $(BUILD)/vfio-claim-test $(BUILD)/vfio-claim $(BUILD)/plan-bench
	@bench/scale.sh $(BUILD)
	@$(MAKE) --no-print-directory STATIC=1
	@bench/size.sh $(BUILD)/static/vfio-claim
	@for k in $(BENCH_KERNELS); do \
		ICOUNT=$(BENCH_ICOUNT) KERNEL=$$k BOOTS=$(BENCH_BOOTS) \
			bench/boot.sh $(BUILD)/static/vfio-claim || exit 1; \
	done

soak:
	@$(MAKE) --no-print-directory STATIC=1
	@BOOTS=$(SOAK_BOOTS) bench/soak.sh $(BUILD)/static/vfio-claim

# The planner timed on its own, over the product's objects (-O2), libkmod/libudev faked.
BENCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out src/main.c,$(CORE_SRCS)) $(FAKE_SRCS))
$(BUILD)/plan-bench: $(BUILD)/obj/bench/plan_bench.o $(BENCH_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libpci)

# The headers each of these objects was compiled with (-MMD), as the Makefile does for its own.
-include $(sort $(FUZZ_OBJS:.o=.d) $(SAN_UNIT_OBJS:.o=.d) $(SAN_FIXTURE_OBJS:.o=.d) \
	 $(BUILD)/obj/bench/plan_bench.d)
