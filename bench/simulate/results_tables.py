#!/usr/bin/env python3
"""Markdown tables for docs/results.md from the JSON files bench/simulate/results.sh writes."""
import glob, json, os, sys

def fmt(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, int):
        return str(x)
    return f"{x:,.{digits}f}"

def row(label, m):
    share = "–" if m["activated_share"] is None else f"{100 * m['activated_share']:.0f} %"
    return (f"| {label} | {fmt(m['unserved_unit_minutes'])} | {fmt(m['violation_minutes'])} | "
            f"{fmt(m['time_to_capacity_p50_s'], 1)} / {fmt(m['time_to_capacity_p95_s'], 1)} / {fmt(m['time_to_capacity_p99_s'], 1)} | "
            f"{fmt(m['resource_cost'])} | {fmt(m['cost'])} | {fmt(m['shadow_hours'])} | {m['activations']} | {share} |")

HEADER = ("| policy | unserved unit·min | violation min | time to capacity p50 / p95 / p99 s | VM + shadow cost | "
          "total cost | shadow-hours | activations | activated |\n|---|---|---|---|---|---|---|---|---|")

def main(folder):
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        d = json.load(open(path))
        tag = os.path.basename(path)[:-5]
        g = d["groups"][0]
        p = d["parameters"]
        print(f"#### {tag}\n")
        print(f"{g['simulated_intervals']} intervals simulated; forecasts {', '.join(g['forecast_models'])}; "
              f"θ = {p['target_utilisation']}, launch {p['launch_delay_s']:g} s, τ = {p['tau']:.3f}, "
              f"miss cost {p['miss_cost']:g} per unit·interval.\n")
        print(HEADER)
        for name, m in d["policies"].items():
            print(row(f"**{name}**", m))
        for s in d["sweeps"]:
            for pt in s["points"]:
                print(row(f"{s['policy']} {s['parameter']} = {pt['value']:.3g}", pt["metrics"]))
        print()

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/sim/results")
