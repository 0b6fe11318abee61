#!/usr/bin/env python3
"""Synthetic demand for the `psm simulate` speed benchmark (docs/benchmarks.md).

N groups x D days of 5-minute intervals as one long CSV (series_id,timestamp,value): a daily
cycle and a weekly dip with a per-group amplitude and phase, AR(1) noise, and a few bursts a day
(1-6 intervals at 1.5-3x). Seeded, so every run writes the same file. Standard library only.
"""
import argparse, math, random, sys, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    steps = a.days * 288
    start = 1_767_225_600  # 2026-01-01T00:00:00Z
    stamps = [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 300 * i)) for i in range(steps)]
    with open(a.out, "w") as f:
        f.write("series_id,timestamp,value\n")
        for g in range(a.groups):
            base = rng.uniform(20, 200)
            amp = rng.uniform(0.2, 0.6)
            phase = rng.uniform(0, 2 * math.pi)
            weekly = rng.uniform(0.0, 0.3)
            sd = rng.uniform(0.03, 0.10) * base
            noise = 0.0
            burst_left, burst_mult = 0, 1.0
            rows = []
            for i in range(steps):
                day = 2 * math.pi * i / 288
                week = 2 * math.pi * i / (288 * 7)
                level = base * (1 + amp * math.sin(day + phase)) * (1 - weekly * (0.5 + 0.5 * math.cos(week)))
                noise = 0.7 * noise + rng.gauss(0, sd)
                if burst_left == 0 and rng.random() < 3 / 288:
                    burst_left, burst_mult = rng.randint(1, 6), rng.uniform(1.5, 3.0)
                mult = burst_mult if burst_left > 0 else 1.0
                burst_left = max(0, burst_left - 1)
                rows.append(f"g{g:04d},{stamps[i]},{max(0.0, level * mult + noise):.3f}\n")
            f.write("".join(rows))
    print(f"wrote {a.groups} groups x {steps} intervals to {a.out}", file=sys.stderr)

if __name__ == "__main__":
    main()
