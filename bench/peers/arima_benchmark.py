#!/usr/bin/env python3
"""psm's automatic ARIMA against statsforecast's AutoARIMA, side by side in one run.

For each hourly series in out/arima-bench (make it with arima_benchmark_data.py): automatic order
search + fit + 48-step forecast with season 24, timed per series (median of --repeats runs), then
scored on the 48 held-out hours: MASE (scale: in-sample seasonal-naive MAE, m = 24), sMAPE (M4),
95 % interval coverage and MSIS. psm runs as `psm forecast --model arima` on a one-series file
(wall time of the whole process, so start-up and CSV I/O count against psm).

Run: bench/peers/.venv/bin/python bench/peers/arima_benchmark.py --psm .build/release/psm
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "out", "arima-bench")
H, M = 48, 24


def scores(train, test, mean, lo, hi):
    scale = np.mean(np.abs(train[M:] - train[:-M]))
    mase = np.mean(np.abs(test - mean)) / scale
    smape = 200 * np.mean(np.abs(test - mean) / (np.abs(test) + np.abs(mean)))
    cover = np.mean((test >= lo) & (test <= hi))
    alpha = 0.05
    msis = np.mean((hi - lo) + 2 / alpha * (lo - test) * (test < lo) + 2 / alpha * (test - hi) * (test > hi)) / scale
    return mase, smape, cover, msis


def run_statsforecast(y):
    from statsforecast.models import AutoARIMA
    start = time.perf_counter()
    model = AutoARIMA(season_length=M)
    model.fit(y)
    out = model.predict(h=H, level=[95])
    elapsed = time.perf_counter() - start
    return elapsed, out["mean"], out["lo-95"], out["hi-95"], str(model.model_.get("arma", ""))


def run_psm(psm, name):
    src = os.path.join(DATA, f"train-{name}.csv")
    dst = os.path.join(DATA, f"fc-{name}.csv")
    start = time.perf_counter()
    subprocess.run([psm, "forecast", "--input", src, "--horizon", str(H), "--season", str(M), "--model", "arima",
                    "--quantiles", "0.025,0.5,0.975", "--out", dst], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    fc = pd.read_csv(dst)
    return elapsed, fc["mean"].to_numpy(), fc["q0.025"].to_numpy(), fc["q0.975"].to_numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psm", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    train = pd.read_csv(os.path.join(DATA, "train.csv"))
    test = pd.read_csv(os.path.join(DATA, "test.csv"))
    names = list(dict.fromkeys(train["series_id"]))
    # numba compiles statsforecast's kernels on first use: warm up so compile time is not counted.
    run_statsforecast(np.sin(np.arange(200) * 2 * np.pi / M) + np.random.default_rng(0).standard_normal(200))
    rows = []
    for name in names:
        y = train.loc[train.series_id == name, "value"].to_numpy(float)
        t = test.loc[test.series_id == name, "value"].to_numpy(float)
        part = train[train.series_id == name]
        part.to_csv(os.path.join(DATA, f"train-{name}.csv"), index=False)
        sf_times, psm_times = [], []
        for _ in range(args.repeats):
            sf_t, sf_mean, sf_lo, sf_hi, sf_arma = run_statsforecast(y)
            sf_times.append(sf_t)
            psm_t, psm_mean, psm_lo, psm_hi = run_psm(args.psm, name)
            psm_times.append(psm_t)
        sf = scores(y, t, np.asarray(sf_mean), np.asarray(sf_lo), np.asarray(sf_hi))
        ps = scores(y, t, psm_mean, psm_lo, psm_hi)
        sn = scores(y, t, y[-M:][np.arange(H) % M], y[-M:][np.arange(H) % M], y[-M:][np.arange(H) % M])
        row = dict(series=name, n=len(y), sf_s=statistics.median(sf_times), psm_s=statistics.median(psm_times),
                   sf_mase=sf[0], psm_mase=ps[0], snaive_mase=sn[0], sf_smape=sf[1], psm_smape=ps[1],
                   sf_cov95=sf[2], psm_cov95=ps[2], sf_msis=sf[3], psm_msis=ps[3], sf_arma=sf_arma)
        row["speedup"] = row["sf_s"] / row["psm_s"]
        rows.append(row)
        print(f"{name}: n={len(y)} statsforecast {row['sf_s']:.2f} s psm {row['psm_s']:.2f} s "
              f"(×{row['speedup']:.1f}) MASE sf {sf[0]:.3f} psm {ps[0]:.3f} snaive {sn[0]:.3f} sf arma={sf_arma}", flush=True)
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(df.drop(columns=["sf_arma"]).round(3).to_string(index=False))
    print(f"median speedup ×{df.speedup.median():.1f}; mean MASE statsforecast {df.sf_mase.mean():.3f} "
          f"psm {df.psm_mase.mean():.3f} seasonal naive {df.snaive_mase.mean():.3f}")


if __name__ == "__main__":
    sys.exit(main())
