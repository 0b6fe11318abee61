#!/usr/bin/env bash
# The README's second command: set up and run every test.
# With PSM_REAL_VMS=1 (CI sets it) the real-VM suite runs too: libvirtd with QEMU (TCG) and tiny
# guests, started and torn down by scripts/realvm-test.sh (docs/realvm.md).
# With PSM_API_FUZZ=1 schemathesis fuzzes the real psm-actuator's API too (bench/api-fuzz.sh --real,
# about 30 s; it installs schemathesis from PyPI into bench/peers/.venv, so CI leaves it off).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
python3 scripts/check-dependencies.py
swift build --build-tests
# The Benchmarks package (bench executables and the opt-in benchmark tests, docs/architecture.md)
# keeps compiling against psm's public API; its benchmarks themselves run by hand.
swift build --package-path Benchmarks --scratch-path .build --disable-build-manifest-caching --build-tests
# scripts/pg-test.sh: a private PostgreSQL for the PostgresStore half of ActuatorStoreTests.
# The real-VM suite runs below, with its daemon.
scripts/pg-test.sh env -u PSM_REAL_VMS swift test --skip-build --parallel
# The fleet check's short version (bench/fleet.sh --short, psm-fleet-bench from the Benchmarks package
# built into .build: 3 actuators sharing a private PostgreSQL
# and 6 test-driver hosts, 30 groups, 4 random kills; about 45 s; docs/benchmarks.md).
bench/fleet.sh --short
# The fuzzers' short deterministic stage (docs/fuzzing.md): each target's corpus, every saved crash
# input, then 5,000 mutated inputs per target from a fixed seed; well under a minute.
scripts/fuzz.sh --ci --skip-build
# What a user runs first: `psm demo` on the bundled data and `psm-actuator explain`, its summary
# checked (scripts/smoke-demo.sh; a few minutes on the debug build).
scripts/smoke-demo.sh --skip-build
if [ "${PSM_REAL_VMS:-0}" = 1 ]; then
  scripts/realvm-test.sh --skip-build
fi
if [ "${PSM_API_FUZZ:-0}" = 1 ]; then
  bench/api-fuzz.sh --real
fi
