#!/usr/bin/env bash
# Issue 15's fleet check: psm-actuator processes sharing one PostgreSQL (a private one, started by
# scripts/pg-test.sh) and 6 libvirt test-driver hosts, each served by a libvirtd of its own (no
# hypervisor driver loaded: only libvirt's built-in test driver, reached as
# test+unix:///default?socket=…, so every actuator sees the same domains); 200 groups whose demand
# is replayed from the NAB CloudWatch CPU traces; a random actuator SIGKILLed at random moments
# (20 times) and replaced by a new process. Prints and writes (--json OUT) the invariants, computed
# from libvirt and the database: double_activations = orphans = lost_records = 0 and
# takeover_s_max <= 2 * lease_s, else exits 1. docs/benchmarks.md, "Several actuators".
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
# psm-fleet-bench is in the Benchmarks package (docs/architecture.md), built into the main
# package's .build so that the dependencies and psm-actuator are compiled once.
swift build -c "$config" --product psm-actuator >&2
swift build --package-path Benchmarks --scratch-path "$PWD/.build" --disable-build-manifest-caching -c "$config" --product psm-fleet-bench >&2
bin="$(swift build -c "$config" --show-bin-path)"

libvirtd=$(command -v libvirtd || echo /usr/sbin/libvirtd)
[ -x "$libvirtd" ] || { echo "bench/fleet.sh: libvirtd not found (scripts/setup.sh installs libvirt-daemon)" >&2; exit 1; }
work="$(mktemp -d -t psm-fleet-hosts-XXXXXX)"
daemons=()
cleanup() {
  for p in "${daemons[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${daemons[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/drivers"  # empty: the daemons load no hypervisor driver module
hosts=()
for h in 1 2 3 4 5 6; do
  d="$work/h$h"
  mkdir "$d"
  printf 'unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\nunix_sock_rw_perms = "0700"\n' "$d" > "$d/libvirtd.conf"
  LIBVIRT_DRIVER_DIR="$work/drivers" XDG_RUNTIME_DIR="$d" XDG_CONFIG_HOME="$d" XDG_CACHE_HOME="$d" \
    "$libvirtd" -f "$d/libvirtd.conf" -p "$d/pid" > "$d/log" 2>&1 &
  daemons+=($!)
  hosts+=(--host "test+unix:///default?socket=$d/libvirt-sock")
done
for h in 1 2 3 4 5 6; do
  for _ in $(seq 300); do [ -S "$work/h$h/libvirt-sock" ] && break; sleep 0.1; done
  [ -S "$work/h$h/libvirt-sock" ] || { echo "bench/fleet.sh: libvirtd for h$h did not start:" >&2; tail -20 "$work/h$h/log" >&2; exit 1; }
done

args=(--actuator "$bin/psm-actuator" --actuators 3 --lease 3 "${hosts[@]}")
if ((short)); then args+=(--groups 30 --kills 4); else args+=(--groups 200 --kills 20); fi
[ -n "$json" ] && args+=(--json "$json")
scripts/pg-test.sh sh -c '"$0" --store "$PSM_TEST_POSTGRES" "$@"' "$bin/psm-fleet-bench" "${args[@]}"
