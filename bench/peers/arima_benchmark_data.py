#!/usr/bin/env python3
"""Hourly benchmark series for the ARIMA engine, from the bundled datasets.

Writes out/arima-bench/{train,test,full}.csv in psm's long CSV format (series_id,timestamp,value;
integer step timestamps). Each series is the hourly mean of its source, cut to its last
1,048 hours (1,000 to fit, 48 to score), or all of it when shorter.
"""
import os
import sys

import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATASETS = os.environ.get("PSM_DATASETS", os.path.join(ROOT, "Datasets"))
OUT = os.path.join(ROOT, "out", "arima-bench")
H = 48
N = 1000


def hourly(values, per_hour):
    v = np.asarray(values, dtype=float)
    v = v[: (len(v) // per_hour) * per_hour]
    return v.reshape(-1, per_hour).mean(axis=1)


def sources():
    nab = os.path.join(DATASETS, "nab-aws-cloudwatch", "realKnownCause")
    dc = os.path.join(DATASETS, "datacenter-aggregates")
    yield "nyc_taxi", hourly(pd.read_csv(os.path.join(nab, "nyc_taxi.csv"))["value"], 2)
    yield "machine_temperature", hourly(pd.read_csv(os.path.join(nab, "machine_temperature_system_failure.csv"))["value"], 12)
    yield "asg_cpu", hourly(pd.read_csv(os.path.join(nab, "cpu_utilization_asg_misconfiguration.csv"))["value"], 12)
    yield "azure_cpu", hourly(pd.read_csv(os.path.join(dc, "azure_v2_vm_cpu_readings_month_aggregated_cpu_mem.csv"))["cpu_usage"], 12)
    yield "google_cpu", hourly(pd.read_csv(os.path.join(dc, "google2019_instance_usage_grouped_300_seconds_month.csv"))["avg_cpu"], 12)


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = {"train": [], "test": [], "full": []}
    for name, y in sources():
        y = y[-(N + H):]
        for part, values, offset in (("train", y[:-H], 0), ("test", y[-H:], len(y) - H), ("full", y, 0)):
            rows[part] += [(name, offset + i, v) for i, v in enumerate(values)]
        print(f"{name}: {len(y) - H} + {H} hourly points")
    for part, r in rows.items():
        pd.DataFrame(r, columns=["series_id", "timestamp", "value"]).to_csv(os.path.join(OUT, part + ".csv"), index=False)


if __name__ == "__main__":
    sys.exit(main())
