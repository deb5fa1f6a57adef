# Maxis: the two commands a newcomer needs.
#   make run    install missing Debian packages, build, start Maxis on the embedded SQLite default
#   make test   install, build, run every test level (unit, PostgreSQL, end to end)
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?= config/maxis.dev.toml

.PHONY: run test build deps test-deps bench clean sanitize

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_EXTRA)

build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build BUILD_TYPE=$(BUILD_TYPE)
	@scripts/run-dev $(BUILD_DIR)

test: test-deps
	@$(MAKE) --no-print-directory build
	BUILD_DIR=$(BUILD_DIR) scripts/test-all

sanitize: test-deps
	@$(MAKE) --no-print-directory test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_EXTRA=-DMAXIS_SANITIZE=ON

bench: test-deps
	@$(MAKE) --no-print-directory build
	bench/run-all $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
