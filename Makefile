# ioc-edge — the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
NODE ?= node
export LOG_LEVEL ?= warn

.PHONY: setup deps system-packages build proto models demo lint test soak bench fuzz install clean config-reference api-reference cli-reference docs

## setup: npm dependencies, Debian packages (ffmpeg, rtsp-server-perl, chromium) and the model
setup: deps system-packages models

deps:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

system-packages:
	@bash scripts/system-packages.sh

## build: type-check and compile TypeScript to dist/, and build the operator console into dist/console
build: deps
	@npx tsc -p tsconfig.json
	@bash scripts/build-console.sh

proto:
	@bash scripts/gen-proto.sh

## models: fetch the detector model and verify it against models/manifest.json
models: deps
	@$(NODE) --import tsx scripts/fetch-model.ts

## demo: coordinator + three district edge agents + simulated sensors + a real RTSP camera
demo: setup build
	@$(NODE) dist/scripts/demo.js

## lint: Biome lint and format check, and a type-check of the sources and test/ (tsconfig.test.json)
lint: deps
	@bash scripts/lint.sh

## test: lint and type-check, then the whole suite (unit, integration, end-to-end) with real processes and services
test: setup build
	@bash scripts/lint.sh || { echo "0 passed, 1 failed"; exit 1; }
	@bash scripts/run-tests.sh

soak: build
	@IOC_SOAK_LONG=1 npx tap --timeout=1800 test/e2e/soak.test.ts

bench: setup build
	@bash scripts/run-bench.sh

## fuzz: long fuzz runs, each printing JSON (inputs, crashes, peak RSS): the HTTP API (FUZZ_ARGS,
## e.g. "--requests 50000 --seed 7"), the EdgeLink gRPC server and the sensor MQTT broker
## (FUZZ_INPUTS each, default 10000)
fuzz: build
	@$(NODE) --import tsx bench/fuzz-api.ts $(FUZZ_ARGS)
	@$(NODE) --import tsx bench/fuzz-grpc.ts --inputs $${FUZZ_INPUTS:-10000}
	@$(NODE) --import tsx bench/mqtt-fuzz.ts --inputs $${FUZZ_INPUTS:-10000} | tail -n 1

## install: install this build as the ioc-edge service on this box (as root); INSTALL_ARGS="--config firmware-config/<site>.yaml" or "--dry-run"
install: build models
	@bash deploy/install.sh $(INSTALL_ARGS)

config-reference:
	@$(NODE) --import tsx scripts/config-reference.ts

api-reference:
	@$(NODE) --import tsx scripts/api-reference.ts

cli-reference:
	@$(NODE) --import tsx scripts/cli-reference.ts

## docs: regenerate the config, API and CLI references from the code
docs: config-reference api-reference cli-reference

clean:
	rm -rf dist .tap .demo test-artifacts
