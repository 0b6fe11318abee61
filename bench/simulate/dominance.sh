#!/usr/bin/env bash
# Measures the shadow policy's frontier against the other two on every bundled trace at both
# launch delays (issue 17): the sweeps of the issue (tau=0.5:0.999:12, buffer=0:0.5:6,
# target=0.5:0.95:10), every other setting at results.sh's (θ = 0.7, defaults), one JSON per run in
# OUT, then OUT/summary.json: per run, dominance.share and .area of shadow against each policy and
# each policy's lowest reachable unserved demand.
# Usage: bench/simulate/dominance.sh [path/to/psm] [OUT] [extra psm simulate flags…]
set -euo pipefail
cd "$(dirname "$0")/../.."
PSM=${1:-.build/release/psm}
OUT=${2:-out/sim/dominance}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$OUT"
SWEEPS=(--sweep tau=0.5:0.999:12 --sweep buffer=0:0.5:6 --sweep target=0.5:0.95:10)
A=Datasets/nab-aws-cloudwatch/realKnownCause/cpu_utilization_asg_misconfiguration.csv
D=Datasets/datacenter-aggregates
# The traces and capacities of docs/results.md (bench/simulate/results.sh).
RUNS=(
  "asg|$A|--capacity-per-vm 4 --season 12"
  "alibaba|$D/alibaba2018_machine_usage_days_1_to_8_grouped_300_seconds.csv|--series alibaba2018_machine_usage_days_1_to_8_grouped_300_seconds/cpu_util_percent --capacity-per-vm 2"
  "google|$D/google2019_instance_usage_grouped_300_seconds_month.csv|--series google2019_instance_usage_grouped_300_seconds_month/avg_cpu --capacity-per-vm 0.025"
  "azure|$D/azure_v2_vm_cpu_readings_month_aggregated_cpu_mem.csv|--series azure_v2_vm_cpu_readings_month_aggregated_cpu_mem/cpu_usage --capacity-per-vm 300000 --unix-timestamps"
)
for run in "${RUNS[@]}"; do
  IFS='|' read -r name file extra <<< "$run"
  for delay in 8s 3m; do
    tag="$name-launch$delay"
    # shellcheck disable=SC2086
    "$PSM" simulate --trace "$file" $extra --launch-delay "$delay" "${SWEEPS[@]}" "$@" \
      --json "$OUT/$tag.json" > "$OUT/$tag.txt" 2> "$OUT/$tag.log"
    echo "$tag: $(tail -1 "$OUT/$tag.log")" >&2
  done
done
python3 - "$OUT" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
summary = {}
for f in sorted(out.glob("*-launch*.json")):
    d = json.loads(f.read_text())
    lowest = {k: v["lowest_unserved_unit_minutes"] for k, v in d["frontiers"].items()}
    dom = {k: (None if v is None else {"share": round(v["share"], 4), "area": v["area"]}) for k, v in d["dominance"].items()}
    summary[f.stem] = {"dominance": dom, "lowest_unserved_unit_minutes": lowest,
                       "shadow_lowest_le_predictive": lowest["shadow"] <= lowest["predictive-buffer"] + 1e-9}
(out / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
print(f"{'run':22} {'share vs pb':>11} {'share vs re':>11} {'low shadow':>11} {'low pb':>9} {'low re':>9}")
for k, v in summary.items():
    s = lambda o: "none" if v["dominance"].get("shadow_vs_" + o) is None else f"{v['dominance']['shadow_vs_' + o]['share']:.3f}"
    l = v["lowest_unserved_unit_minutes"]
    print(f"{k:22} {s('predictive-buffer'):>11} {s('reactive'):>11} {l['shadow']:11.1f} {l['predictive-buffer']:9.1f} {l['reactive']:9.1f}")
PY
