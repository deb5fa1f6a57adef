# Maxis: the two commands a newcomer needs.
#   make run    install missing Debian packages, build, start Maxis on the embedded SQLite default
#   make test   install, build, run every test level (unit, PostgreSQL, end to end)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?= config/maxis.dev.toml

.PHONY: run test build deps test-deps bench clean sanitize fuzz

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA)

build:
	@scripts/node-deps
	@$(MAKE) --no-print-directory $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build BUILD_TYPE=$(BUILD_TYPE)
	@PORT=$(PORT) scripts/run-dev $(BUILD_DIR)

test: test-deps
	@$(MAKE) --no-print-directory build
	BUILD_DIR=$(BUILD_DIR) scripts/test-all

sanitize: test-deps
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_EXTRA=-DMAXIS_SANITIZE=ON

bench: test-deps
	@$(MAKE) --no-print-directory build
	bench/run-all $(BUILD_DIR)

# libFuzzer harnesses, built with clang in build-fuzz; FUZZ_SECONDS per harness. A harness's seeds in
# fuzz/corpus/NAME are read along with what earlier runs found (build-fuzz/corpus/NAME).
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= command_line config sql_script query http
fuzz:
	@scripts/install-deps --fuzz
	@scripts/node-deps
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
		-DMAXIS_BUILD_FUZZ=ON -DMAXIS_BUILD_TESTS=OFF -DMAXIS_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_HARNESSES))
	@for h in $(FUZZ_HARNESSES); do \
		echo "== fuzz_$$h ($(FUZZ_SECONDS) s)"; mkdir -p build-fuzz/corpus/$$h; \
		if ! build-fuzz/bin/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=build-fuzz/ build-fuzz/corpus/$$h \
			$$( [ -d fuzz/corpus/$$h ] && echo fuzz/corpus/$$h ) \
			> build-fuzz/fuzz_$$h.log 2>&1; then tail -n 40 build-fuzz/fuzz_$$h.log; exit 1; fi; \
		tail -n 2 build-fuzz/fuzz_$$h.log; \
	done

clean:
	rm -rf $(BUILD_DIR)
