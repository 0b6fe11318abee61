#!/bin/sh
# The opt-in benchmark tests (Benchmarks/Tests/BenchmarkTests, PSM_BENCH=1), in the Benchmarks
# package, release build with testable imports (some use `@testable import`):
#   PSM_BENCH=1 bench/tests.sh --filter NAME [--skip-build]
# BENCH_SCRATCH sets the build folder (default .build, shared with the main package's builds).
set -e
cd "$(dirname "$0")/.."
exec swift test --package-path Benchmarks --scratch-path "${BENCH_SCRATCH:-.build}" --disable-build-manifest-caching \
    -c release -Xswiftc -enable-testing "$@"
