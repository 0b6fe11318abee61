#!/usr/bin/env bash
# The real-VM suite in one command (docs/realvm.md): starts libvirtd + builds the guest
# (scripts/realvm.sh up, guest), runs Tests/RealVMTests with PSM_REAL_VMS=1, and always tears
# everything down (scripts/realvm.sh down), also when a test fails or the run is interrupted.
# Extra arguments go to `swift test` (e.g. --skip-build). Exit status: the tests'.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'scripts/realvm.sh down' EXIT
scripts/realvm.sh up
scripts/realvm.sh guest
PSM_REAL_VMS=1 swift test --filter RealVMTests "$@"
