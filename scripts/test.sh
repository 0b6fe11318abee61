#!/usr/bin/env bash
# The README's second command: set up and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
python3 scripts/check-dependencies.py
swift build --build-tests
swift test --skip-build --parallel
