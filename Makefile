# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

APT_PACKAGES := libnghttp2-dev libssl-dev liblmdb-dev libcrypt-dev libprotobuf-c-dev protobuf-c-compiler \
	etcd-server etcd-client golang-go golang-etcd-server-dev nghttp2-client
PYTHON_MODULES := google.protobuf:protobuf grpc:grpcio grpc_tools:grpcio-tools etcd3gw:etcd3gw
DATA_DIR ?= ./default.swift-etcd
# SWIFT_TESTS=0, FUZZ_TESTS=0 or INTEROP_TESTS=0 skips that part of `make test`.
SWIFT_TESTS ?= 1
FUZZ_TESTS ?= 1
INTEROP_TESTS ?= 1
# `make test`'s short fuzz pass: every target for this many seconds, its seed corpus first (every
# input that once crashed or leaked is in it).
TEST_FUZZ_SECONDS ?= 4

# `make fuzz`: every libFuzzer target for FUZZ_SECONDS each (Fuzz/README.md).
FUZZ_SECONDS ?= 10

.PHONY: deps build run test test-swift test-interop fuzz

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@missing=""; for m in $(PYTHON_MODULES); do python3 -c "import $${m%%:*}" 2>/dev/null || missing="$$missing $${m#*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing python packages:$$missing"; \
		python3 -m pip install -q $$missing || python3 -m pip install -q --user --break-system-packages $$missing; fi

build: deps
	swift build -c release --product swift-etcd

run: build
	./.build/release/swift-etcd --name default --data-dir $(DATA_DIR) \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379

test: deps
	@if [ "$(SWIFT_TESTS)" = 1 ]; then $(MAKE) --no-print-directory test-swift; fi
	@if [ "$(FUZZ_TESTS)" = 1 ]; then FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) Fuzz/run.sh; fi
	@if [ "$(INTEROP_TESTS)" = 1 ]; then $(MAKE) --no-print-directory test-interop; fi

test-swift:
	swift build --build-tests
	swift test --skip-build

test-interop: build
	interop/run-all.sh

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh
