#!/usr/bin/env python3
"""Reference values for psm's ARIMA engine from statsmodels' SARIMAX.

Writes Tests/ForecastingTests/Fixtures/arima/*.json. Each case holds the series (and regressors),
the orders, statsmodels' MLE (parameters, log-likelihood), the log-likelihood at a fixed probe
parameter vector, and level forecasts (mean and standard error) at the MLE.

Conventions matched on the Swift side:
  * simple_differencing=True: the likelihood is that of the differenced series (and differenced
    regressors), with a stationary initialisation of the ARMA part.
  * A constant or drift is passed as a regressor column (regression with ARMA errors), not
    statsmodels' `trend=`, which puts the intercept in the state equation.
  * Forecasts come from the same parameters in a model *without* simple differencing and with
    use_exact_diffuse=True (the differencing states are then in the state vector with an exact
    diffuse start, so forecasts are of levels and do not depend on an approximate prior).

Run: bench/peers/.venv/bin/python bench/peers/arima_fixtures.py   (versions: requirements-arima.txt)
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import statsmodels
from statsmodels.tsa.statespace.sarimax import SARIMAX

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "ForecastingTests", "Fixtures", "arima")
DATASETS = os.environ.get("PSM_DATASETS", os.path.join(ROOT, "Datasets"))


def arma_sample(rng, n, ar=(), ma=(), burn=200):
    e = rng.standard_normal(n + burn)
    x = np.zeros(n + burn)
    for t in range(n + burn):
        v = e[t]
        for i, a in enumerate(ar):
            if t - i - 1 >= 0:
                v += a * x[t - i - 1]
        for j, m in enumerate(ma):
            if t - j - 1 >= 0:
                v += m * e[t - j - 1]
        x[t] = v
    return x[burn:]


def seasonal_sample(rng, n, s):
    """(1 - 0.5B)(1 - B^24) u = (1 + 0.3B)(1 - 0.6B^24) e, plus a level."""
    e = rng.standard_normal(n + 5 * s)
    w = np.zeros_like(e)
    for t in range(len(e)):
        w[t] = e[t] + 0.3 * (e[t - 1] if t >= 1 else 0) - 0.6 * (e[t - s] if t >= s else 0) \
            - 0.18 * (e[t - s - 1] if t >= s + 1 else 0) + 0.5 * (w[t - 1] if t >= 1 else 0)
    u = np.zeros_like(w)
    pattern = 3 * np.sin(2 * np.pi * np.arange(s) / s)
    for t in range(len(w)):
        u[t] = w[t] + (u[t - s] if t >= s else pattern[t % s] + 10)
    return u[-n:]


def azure_hourly(n):
    path = os.path.join(DATASETS, "datacenter-aggregates", "azure_v2_vm_cpu_readings_month_aggregated_cpu_mem.csv")
    df = pd.read_csv(path)
    v = df["cpu_usage"].to_numpy()
    hourly = v[: (len(v) // 12) * 12].reshape(-1, 12).mean(axis=1)
    return hourly[:n]


def case(name, y, order, seasonal=(0, 0, 0, 0), exog=None, exog_names=None, probe=None, horizon=12, note=""):
    y = np.asarray(y, dtype=float)
    kw = dict(order=order, seasonal_order=seasonal, exog=exog, trend="n",
              enforce_stationarity=True, enforce_invertibility=True)
    model = SARIMAX(y, simple_differencing=True, **kw)
    fit = model.fit(disp=False, maxiter=1000, method="lbfgs", pgtol=1e-10, factr=10)
    params = fit.params
    names = model.param_names
    out = {
        "name": name,
        "note": note,
        "statsmodels": statsmodels.__version__,
        "y": [None if np.isnan(v) else float(v) for v in y],
        "order": list(order),
        "seasonal": list(seasonal),
        "exog": None if exog is None else np.asarray(exog, dtype=float).tolist(),
        "exog_names": exog_names or [],
        "param_names": names,
        "params": [float(p) for p in params],
        "loglik": float(fit.llf),
        "nobs": int(fit.nobs),
    }
    if probe is not None:
        out["probe_params"] = [float(p) for p in probe]
        out["probe_loglik"] = float(model.loglike(np.asarray(probe)))
    # Level forecasts at the MLE, differencing in the state.
    levels = SARIMAX(y, simple_differencing=False, use_exact_diffuse=True, **kw)
    res = levels.smooth(params)
    future = None
    if exog is not None:
        ex = np.asarray(exog, dtype=float)
        future = future_exog(ex, horizon)
        out["future_exog"] = future.tolist()
    fc = res.get_forecast(horizon, exog=future)
    out["forecast_mean"] = [float(v) for v in fc.predicted_mean]
    out["forecast_se"] = [float(v) for v in fc.se_mean]
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(out, f, indent=1)
    print(f"{name}: llf={fit.llf:.6f} params={dict(zip(names, np.round(params, 5)))}")


def future_exog(ex, horizon):
    # Continue each column: a drift column grows by one, dummies repeat their last pattern.
    n = len(ex)
    rows = []
    for h in range(horizon):
        row = []
        for j in range(ex.shape[1]):
            col = ex[:, j]
            if np.allclose(np.diff(col), 1):
                row.append(col[-1] + h + 1)
            else:
                row.append(col[n - 24 + (h % 24)] if n >= 24 else col[-1])
        rows.append(row)
    return np.array(rows)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240601)

    # 1. ARMA(2,1) around a mean of 50: the mean is a column of ones.
    y = 50 + arma_sample(rng, 300, ar=(0.6, -0.3), ma=(0.4,))
    ones = np.ones((300, 1))
    case("arma21_mean", y, (2, 0, 1), exog=ones, exog_names=["const"],
         probe=[49.5, 0.5, -0.2, 0.3, 1.3], note="ARMA(2,1) with a mean, n=300")

    # 2. ARIMA(1,1,1) with regressors: a promotion dummy and a daily-cycle calendar column.
    n = 360
    t = np.arange(n)
    promo = ((t % 50) >= 40).astype(float)
    daily = np.cos(2 * np.pi * t / 24)
    u = np.cumsum(arma_sample(rng, n, ar=(0.5,), ma=(-0.3,)))
    y = 100 + 4 * promo + 2.5 * daily + u
    X = np.column_stack([promo, daily])
    case("arima111_xreg", y, (1, 1, 1), exog=X, exog_names=["promo", "daily"],
         probe=[3.5, 2.0, 0.4, -0.2, 0.9], note="ARIMA(1,1,1), regressors promo and daily, n=360")

    # 3. Seasonal, s = 24: SARIMA(1,0,1)(0,1,1)[24].
    y = seasonal_sample(rng, 480, 24)
    case("sarima_101_011_24", y, (1, 0, 1), (0, 1, 1, 24),
         probe=[0.4, 0.2, -0.5, 1.1], horizon=48, note="SARIMA(1,0,1)(0,1,1)[24], n=480")

    # 4. Seasonal AR and MA, s = 24, with a missing run.
    y = seasonal_sample(rng, 480, 24)
    y[100:106] = np.nan
    y[300] = np.nan
    case("sarima_100_111_24_nan", y, (1, 0, 0), (1, 1, 1, 24),
         probe=[0.45, -0.1, -0.5, 1.05], horizon=24, note="SARIMA(1,0,0)(1,1,1)[24] with NaN runs, n=480")

    # 5. Real data: Azure 2019 CPU, hourly means of 5-minute readings, 480 h.
    y = azure_hourly(480)
    case("azure_cpu_hourly", y, (2, 0, 0), (0, 1, 1, 24),
         probe=[0.8, 0.05, -0.6, 1.0e10], horizon=24, note="Azure 2019 cpu_usage hourly, SARIMA(2,0,0)(0,1,1)[24]")

    # 6. Drift: ARIMA(0,1,1) with drift as a regressor t (differences to 1).
    n = 250
    y = 5 + 0.3 * np.arange(n) + np.cumsum(arma_sample(rng, n, ma=(0.5,)))
    drift = np.arange(n, dtype=float).reshape(-1, 1)
    case("arima011_drift", y, (0, 1, 1), exog=drift, exog_names=["drift"],
         probe=[0.25, 0.4, 1.1], note="ARIMA(0,1,1) with drift (regressor t), n=250")


if __name__ == "__main__":
    sys.exit(main())
