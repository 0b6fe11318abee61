#!/usr/bin/env bash
# Issue 15's fleet check: actuators sharing one PostgreSQL (a private one, started by
# scripts/pg-test.sh) and 6 libvirt test-driver hosts (one node XML file each), 200 groups whose
# demand is replayed from the NAB CloudWatch CPU traces, a random actuator killed at random moments
# (20 times) and replaced. Prints and writes (--json OUT) the invariants, computed from libvirt and
# the database: double_activations = orphans = lost_records = 0 and takeover_s_max <= 2 * lease_s,
# else exits 1. docs/benchmarks.md, "Several actuators", says what runs and what it means.
#   bench/fleet.sh [--json OUT] [--short] [--release]
#   --short: 30 groups, 4 kills (about a minute): what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."
json="" short=0 config=debug
while (($#)); do
  case "$1" in
    --json) json="$2"; shift 2 ;;
    --short) short=1; shift ;;
    --release) config=release; shift ;;
    *) echo "usage: bench/fleet.sh [--json OUT] [--short] [--release]" >&2; exit 2 ;;
  esac
done
swift build -c "$config" --product psm-fleet-bench >&2
bin="$(swift build -c "$config" --show-bin-path)/psm-fleet-bench"
args=(--hosts 6 --actuators 3 --lease 3)
if ((short)); then args+=(--groups 30 --kills 4); else args+=(--groups 200 --kills 20); fi
[ -n "$json" ] && args+=(--json "$json")
exec scripts/pg-test.sh sh -c '"$0" --store "$PSM_TEST_POSTGRES" "$@"' "$bin" "${args[@]}"
