#!/usr/bin/env python3
"""psm's forecasters against statsforecast's on the same hourly series (issue 16, item 7).

Series: the five of arima_benchmark_data.py (hourly means of bundled data, last 1,000 + 48 h)
and every realAWSCloudwatch series of the NAB set, hourly means of their 5-minute points (about
290 + 48 h each). The last 48 hours of each are held out; season 24.

Every model runs as the whole command a user waits for, over all series in one file, on one
core (psm --jobs 1, statsforecast n_jobs=1), --repeats times; seconds per series = median wall
time / series, and the median CPU time (user + system of the command) / series, which a loaded
machine inflates much less; the load average after each model is printed. statsforecast's numba kernels are cached on disk (NIXTLA_NUMBA_CACHE=1) and
warmed by an untimed first run, so its compile time is not counted: its fastest honest mode.
Scores over the 48 held-out hours, averaged over series: MASE (in-sample seasonal-naive MAE,
m = 24), sMAPE (M4), MSIS and coverage of the central 95 % interval.

Run: bench/peers/peers.sh (makes the venv), or
     bench/peers/.venv/bin/python bench/peers/peers_benchmark.py --psm .build/release/psm --repeats 3
"""
import argparse
import glob
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from arima_benchmark_data import DATASETS, hourly, sources  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "out", "peers-bench")
H, M, N = 48, 24, 1000
PEERS = ["seasonal-naive", "autoarima", "autoarima-approx", "autoets", "theta"]
PSM = ["seasonal-naive", "arima", "ets", "theta", "auto"]


def all_sources():
    yield from sources()
    for path in sorted(glob.glob(os.path.join(DATASETS, "nab-aws-cloudwatch", "realAWSCloudwatch", "*.csv"))):
        name = os.path.splitext(os.path.basename(path))[0]
        yield name, hourly(pd.read_csv(path)["value"], 12)


def write_data(only):
    os.makedirs(OUT, exist_ok=True)
    train, test = [], []
    for name, y in all_sources():
        if only and name not in only:
            continue
        y = y[-(N + H):]
        if len(y) < 3 * M + H:
            continue
        train += [(name, i, v) for i, v in enumerate(y[:-H])]
        test += [(name, len(y) - H + i, v) for i, v in enumerate(y[-H:])]
    pd.DataFrame(train, columns=["series_id", "timestamp", "value"]).to_csv(os.path.join(OUT, "train.csv"), index=False)
    pd.DataFrame(test, columns=["series_id", "timestamp", "value"]).to_csv(os.path.join(OUT, "test.csv"), index=False)


def scores(train, test, mean, lo, hi):
    scale = np.mean(np.abs(train[M:] - train[:-M]))
    mase = np.mean(np.abs(test - mean)) / scale
    denom = np.abs(test) + np.abs(mean)
    smape = 200 * np.mean(np.where(denom > 0, np.abs(test - mean) / np.where(denom > 0, denom, 1), 0))
    cover = np.mean((test >= lo) & (test <= hi))
    a = 0.05
    msis = np.mean((hi - lo) + 2 / a * (lo - test) * (test < lo) + 2 / a * (test - hi) * (test > hi)) / scale
    return mase, smape, msis, cover


def command(kind, model, psm, out, extra=()):
    src = os.path.join(OUT, "train.csv")
    if kind == "psm":
        return [psm, "forecast", "--input", src, "--horizon", str(H), "--season", str(M), "--model", model,
                "--quantiles", "0.025,0.5,0.975", "--jobs", "1", "--out", out, *extra]
    return [sys.executable, os.path.join(os.path.dirname(__file__), "peers_forecast.py"), "--model", model,
            "--input", src, "--out", out, "--horizon", str(H), "--season", str(M)]


def read(kind, out):
    fc = pd.read_csv(out)
    if kind == "psm":
        fc = fc.rename(columns={"q0.025": "lo95", "q0.975": "hi95"})
    return {k: g.sort_values("step") for k, g in fc.groupby("series_id")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psm", default=os.path.join(ROOT, ".build", "release", "psm"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="series names to keep")
    ap.add_argument("--models", nargs="*", help="kind:model entries to run, e.g. psm:auto sf:autoets")
    ap.add_argument("--psm-args", default="", help="extra arguments of every psm command, e.g. '--lstm-seeds 1'")
    ap.add_argument("--tag", default="", help="suffix of the forecast and per-series files (runs side by side)")
    a = ap.parse_args()
    os.environ["NIXTLA_NUMBA_CACHE"] = "1"
    write_data(set(a.only or []))
    train = pd.read_csv(os.path.join(OUT, "train.csv"))
    test = pd.read_csv(os.path.join(OUT, "test.csv"))
    names = list(dict.fromkeys(train["series_id"]))
    entries = [("sf", m) for m in PEERS] + [("psm", m) for m in PSM]
    if a.models:
        entries = [tuple(e.split(":", 1)) for e in a.models]
    rows, per_series = [], []
    for kind, model in entries:
        out = os.path.join(OUT, f"fc-{kind}-{model}{a.tag}.csv")
        cmd = command(kind, model, a.psm, out, a.psm_args.split() if kind == "psm" else ())
        if kind == "sf":
            subprocess.run(cmd, check=True, capture_output=True)  # untimed: fills numba's cache
        times, cpus = [], []
        for _ in range(a.repeats):
            start = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run(cmd, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if p.returncode not in (0, 1) or not os.path.exists(out):
                print(p.stderr[-2000:], file=sys.stderr)
                raise SystemExit(f"{kind} {model} failed")
        fc = read(kind, out)
        s = []
        for name in names:
            y = train.loc[train.series_id == name, "value"].to_numpy(float)
            t = test.loc[test.series_id == name, "value"].to_numpy(float)
            if name not in fc:
                print(f"{kind} {model}: no forecast for {name}", file=sys.stderr)
                continue
            f = fc[name]
            sc = scores(y, t, f["mean"].to_numpy(), f["lo95"].to_numpy(), f["hi95"].to_numpy())
            s.append(sc)
            per_series.append(dict(series=name, model=f"{kind}:{model}", mase=sc[0], smape=sc[1], msis=sc[2], cov95=sc[3]))
        s = np.array(s)
        row = dict(model=f"{kind}:{model}", series=len(s), mase=s[:, 0].mean(), median_mase=np.median(s[:, 0]),
                   smape=s[:, 1].mean(), msis=s[:, 2].mean(), cov95=s[:, 3].mean(),
                   s_per_series=statistics.median(times) / len(names), cpu_per_series=statistics.median(cpus) / len(names),
                   runs=" ".join(f"{x:.2f}" for x in times), load=" ".join(f"{x:.1f}" for x in os.getloadavg()))
        rows.append(row)
        print(f"{row['model']}: MASE {row['mase']:.3f} (median {row['median_mase']:.3f}) sMAPE {row['smape']:.2f} "
              f"MSIS {row['msis']:.2f} cov95 {row['cov95']:.3f} {row['s_per_series']:.3f} s/series (runs {row['runs']} s), "
              f"CPU {row['cpu_per_series']:.3f} s/series, load {row['load']}",
              flush=True)
    df = pd.DataFrame(rows)
    pd.DataFrame(per_series).pivot(index="series", columns="model", values="mase").round(3).to_csv(
        os.path.join(OUT, f"mase-per-series{a.tag}.csv"))
    pd.DataFrame(per_series).round(4).to_csv(os.path.join(OUT, f"scores-per-series{a.tag}.csv"), index=False)
    pd.set_option("display.width", 200)
    print(df.round(3).to_string(index=False))
    print(f"{len(names)} series, horizon {H}, season {M}; per-series MASE in {os.path.join(OUT, f'mase-per-series{a.tag}.csv')}")


if __name__ == "__main__":
    sys.exit(main())
