#!/usr/bin/env bash
# CI's smoke stage: what a user runs first, on the bundled data — `psm demo` (train two VM groups,
# replay the held-out days through the actuator on libvirt's test driver) and `psm-actuator
# explain` on what it wrote — then checks the demo's summary. It uses the build the test command
# just made (debug unless --release), so it checks behaviour, not speed (docs/benchmarks.md has
# the release figures).
#
#   scripts/smoke-demo.sh [--release] [--skip-build]
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=debug
build=true
for arg in "$@"; do
  case "$arg" in
    --release) configuration=release ;;
    --skip-build) build=false ;;
    *) echo "smoke-demo: unknown option $arg" >&2; exit 2 ;;
  esac
done
if [ "$build" = true ]; then
  swift build -c "$configuration" --product psm >&2
  swift build -c "$configuration" --product psm-actuator >&2
fi
bin=$(swift build -c "$configuration" --show-bin-path)
out=$(mktemp -d "${TMPDIR:-/tmp}/psm-smoke.XXXXXX")
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
"$bin/psm" demo --out "$out/demo" >"$out/demo.log" 2>&1 || { tail -50 "$out/demo.log" >&2; echo "smoke-demo: psm demo failed" >&2; exit 1; }
"$bin/psm-actuator" explain web --config "$out/demo/psm.toml" >"$out/explain.txt" 2>&1 \
  || { cat "$out/explain.txt" >&2; echo "smoke-demo: psm-actuator explain failed" >&2; exit 1; }
python3 - "$out/demo/summary.json" "$out/explain.txt" <<'PY'
import json, math, sys
summary = json.load(open(sys.argv[1]))
explain = open(sys.argv[2]).read()
problems = []
def need(ok, what):
    if not ok: problems.append(what)
need(summary.get("groups") == 2, f"groups {summary.get('groups')} != 2")
need(summary.get("intervals") == 1152, f"intervals {summary.get('intervals')} != 1152 (4 held-out days of 5-minute steps)")
need(summary.get("dry_run") is False, "the demo must change domains, not dry-run")
need(summary.get("problems") == 0, f"problems {summary.get('problems')}: {summary.get('problem_examples')}")
need(summary.get("shadows_created", 0) > 0, "no shadow was created")
need(summary.get("activations", 0) > 0, "no shadow was activated")
need(summary.get("activation_failures") == 0, f"activation failures {summary.get('activation_failures')}")
for key in ["cost", "vm_cost", "shadow_cost", "reserve_cost", "miss_cost", "unserved_unit_minutes", "decision_ms_p50", "decision_ms_p99"]:
    v = summary.get(key)
    need(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0, f"{key} = {v!r}")
need(abs(summary["cost"] - summary["vm_cost"] - summary["shadow_cost"] - summary["miss_cost"]) < 1e-6 * max(1, summary["cost"]),
     "cost != vm_cost + shadow_cost + miss_cost")
need("web" in explain and len(explain.splitlines()) >= 5, "explain printed too little:\n" + explain)
if problems:
    print("smoke-demo: the demo's summary is wrong:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print("smoke-demo: ok: " + ", ".join(f"{k} {summary[k]:.2f}" if isinstance(summary[k], float) else f"{k} {summary[k]}"
      for k in ["groups", "intervals", "shadows_created", "activations", "unserved_unit_minutes", "cost"]))
PY
echo "smoke-demo: $(($(date +%s) - start)) s" >&2
