#!/usr/bin/env bash
# The README's second command: set up and run every test.
# With PSM_REAL_VMS=1 (CI sets it) the real-VM suite runs too: libvirtd with QEMU (TCG) and tiny
# guests, started and torn down by scripts/realvm-test.sh (docs/realvm.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
python3 scripts/check-dependencies.py
swift build --build-tests
swift test --skip-build --parallel
if [ "${PSM_REAL_VMS:-0}" = 1 ]; then
  scripts/realvm-test.sh --skip-build
fi
