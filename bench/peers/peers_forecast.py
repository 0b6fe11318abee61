#!/usr/bin/env python3
"""One statsforecast model over every series of a long CSV: the command a statsforecast user runs.

Reads series_id,timestamp,value (psm's long format), fits `--model` per series on one core
(n_jobs=1), forecasts `--horizon` steps with the 95 % interval and writes
series_id,step,mean,lo95,hi95. Timed from outside as a whole process by peers_benchmark.py,
exactly as `psm forecast` is.

Models: autoarima (default settings), autoarima-approx (approximation=True: CSS ranking of
candidates, statsforecast's fast mode), autoets, theta (OptimizedTheta, psm's default theta),
seasonal-naive.
"""
import argparse
import sys

import pandas as pd


def make(name, m):
    from statsforecast.models import AutoARIMA, AutoETS, OptimizedTheta, SeasonalNaive
    return {
        "autoarima": lambda: AutoARIMA(season_length=m, alias="model"),
        "autoarima-approx": lambda: AutoARIMA(season_length=m, approximation=True, alias="model"),
        "autoets": lambda: AutoETS(season_length=m, alias="model"),
        "theta": lambda: OptimizedTheta(season_length=m, alias="model"),
        "seasonal-naive": lambda: SeasonalNaive(season_length=m, alias="model"),
    }[name]()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--horizon", type=int, default=48)
    ap.add_argument("--season", type=int, default=24)
    a = ap.parse_args()
    from statsforecast import StatsForecast
    df = pd.read_csv(a.input).rename(columns={"series_id": "unique_id", "timestamp": "ds", "value": "y"})
    sf = StatsForecast(models=[make(a.model, a.season)], freq=1, n_jobs=1)
    fc = sf.forecast(df=df, h=a.horizon, level=[95])
    fc["step"] = fc.groupby("unique_id").cumcount() + 1
    out = fc.rename(columns={"unique_id": "series_id", "model": "mean", "model-lo-95": "lo95", "model-hi-95": "hi95"})
    out[["series_id", "step", "mean", "lo95", "hi95"]].to_csv(a.out, index=False)


if __name__ == "__main__":
    sys.exit(main())
