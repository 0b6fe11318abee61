#!/usr/bin/env bash
# The real-VM suite in one command (docs/realvm.md): starts libvirtd + builds the guest
# (scripts/realvm.sh up, guest), runs Tests/RealVMTests with PSM_REAL_VMS=1, and always tears
# everything down (scripts/realvm.sh down): when the tests pass, fail, or the script is
# interrupted (SIGINT/SIGTERM stop the test run at once instead of waiting for it).
# Extra arguments go to `swift test` (e.g. --skip-build). Exit status: the tests'.
set -uo pipefail
cd "$(dirname "$0")/.."
# One run at a time on this machine: runs share libvirtd, the psm-realvm-* domain names and the
# daemons' pid files, and a run's final `down` would pull them from under another run.
exec 9>/run/psm-realvm-test.lock
if ! flock -n 9; then
    echo "realvm-test: another real-VM run holds /run/psm-realvm-test.lock; waiting for it" >&2
    flock 9
fi
child=
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$child" ]; then
        # The test run has its own process group (set -m): stop swift test and its test runner.
        kill -INT -- "-$child" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$child" 2>/dev/null
    fi
    scripts/realvm.sh down
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scripts/realvm.sh up || exit 1
scripts/realvm.sh guest || exit 1
set -m
PSM_REAL_VMS=1 swift test --filter RealVMTests "$@" &
child=$!
set +m
wait "$child"
status=$?
child=
exit "$status"
