#!/usr/bin/env python3
"""Reference values for psm's ETS and Theta engines from statsforecast.

Writes Tests/ForecastingTests/Fixtures/ets/*.json and Tests/ForecastingTests/Fixtures/theta/*.json.

ETS cases fit statsforecast's `ets_f` with a fixed model string (so parameters are comparable)
and store its parameters (smoothing parameters and the initial state), log-likelihood, AICc,
sigma2, residuals, point forecasts and 80/95 % intervals; `auto` cases also store the model
AutoETS selects ("ZZZ"). Theta cases fit `auto_theta` with one model type and store the
parameters, residuals, criterion, forecasts, statsforecast's own 200-sample intervals and the
same simulation with 40,000 samples (its method without the sampling noise).

Run: bench/peers/.venv/bin/python bench/peers/ets_theta_fixtures.py   (versions: requirements-arima.txt)
"""
import json
import os
import sys

import numpy as np
import pandas as pd
import statsforecast
from statsforecast.ets import ets_f, forecast_ets
from statsforecast.theta import auto_theta, forecast_theta, compute_pi_samples

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "ForecastingTests", "Fixtures")
DATASETS = os.environ.get("PSM_DATASETS", os.path.join(ROOT, "Datasets"))
LEVELS = [80, 95]


def clean(v):
    v = float(v)
    return None if np.isnan(v) else v


def azure_hourly(n):
    path = os.path.join(DATASETS, "datacenter-aggregates", "azure_v2_vm_cpu_readings_month_aggregated_cpu_mem.csv")
    v = pd.read_csv(path)["cpu_usage"].to_numpy()
    return v[: (len(v) // 12) * 12].reshape(-1, 12).mean(axis=1)[:n]


def nab(name, n, every):
    """A NAB CloudWatch series averaged over `every` 5-minute readings."""
    path = os.path.join(DATASETS, "nab-aws-cloudwatch", "realAWSCloudwatch", name)
    v = pd.read_csv(path)["value"].to_numpy()
    return v[: (len(v) // every) * every].reshape(-1, every).mean(axis=1)[:n]


def ets_case(name, y, m, model, horizon, note, auto=False):
    y = np.asarray(y, dtype=float)
    code = model.replace("d", "")
    damped = "d" in model
    fit = ets_f(y, m, model=code, damped=damped)
    fc = forecast_ets(fit, horizon, level=LEVELS)
    out = {
        "name": name, "note": note, "statsforecast": statsforecast.__version__,
        "y": y.tolist(), "m": m, "model": model, "components": fit["components"],
        "par": [clean(p) for p in fit["par"][:4]], "initial_state": [float(v) for v in fit["par"][4:]],
        "loglik": float(fit["loglik"]), "aicc": float(fit["aicc"]), "sigma2": float(fit["sigma2"]),
        "residuals": [float(v) for v in fit["residuals"]],
        "mean": [float(v) for v in fc["mean"]],
        "levels": LEVELS,
        "lo": {str(l): [float(v) for v in fc[f"lo-{l}"]] for l in LEVELS},
        "hi": {str(l): [float(v) for v in fc[f"hi-{l}"]] for l in LEVELS},
    }
    if auto:
        best = ets_f(y, m, model="ZZZ")
        out["auto_components"] = best["components"]
        out["auto_aicc"] = float(best["aicc"])
    write("ets", name, out)
    print(f"ets {name}: {fit['components']} loglik={fit['loglik']:.4f} par={np.round(fit['par'][:4], 4)}"
          + (f" auto={out['auto_components']} aicc={out['auto_aicc']:.3f}" if auto else ""))


def theta_case(name, y, m, model, horizon, note):
    y = np.asarray(y, dtype=float)
    fit = auto_theta(y, m, model=model)
    fc = forecast_theta(fit, horizon, level=LEVELS)
    par = fit["par"]
    resid = fit["residuals"][3:]
    sigma = float(np.std(resid, ddof=1))
    # Their interval method with many samples: compare against this, not the 200-sample one.
    samples = compute_pi_samples(n=fit["n"], h=horizon, states=fit["states"], sigma=sigma, alpha=par["alpha"],
                                 theta=par["theta"], mean_y=fit["mean_y"], n_samples=40000)
    seas = np.ones(horizon) if not fit.get("decompose") else np.resize(fit["seas_forecast"]["mean"], horizon)
    multiplicative = fit.get("decomposition_type") == "multiplicative"
    big = {}
    for l in LEVELS:
        lo = np.quantile(samples, (100 - l) / 200, axis=1)
        hi = np.quantile(samples, (100 + l) / 200, axis=1)
        if fit.get("decompose"):
            lo, hi = (lo * seas, hi * seas) if multiplicative else (lo + seas, hi + seas)
        big[str(l)] = {"lo": lo.tolist(), "hi": hi.tolist()}
    out = {
        "name": name, "note": note, "statsforecast": statsforecast.__version__,
        "y": y.tolist(), "m": m, "model": model,
        "alpha": float(par["alpha"]), "theta": float(par["theta"]), "initial_smoothed": float(par["initial_smoothed"]),
        "mse": float(fit["mse"]), "decompose": bool(fit.get("decompose", False)),
        "decomposition_type": fit.get("decomposition_type"),
        "seasonal": None if not fit.get("decompose") else [float(v) for v in fit["seas_forecast"]["mean"]],
        "mean": [float(v) for v in fc["mean"]],
        "levels": LEVELS,
        "lo": {str(l): [float(v) for v in fc[f"lo-{l}"]] for l in LEVELS},
        "hi": {str(l): [float(v) for v in fc[f"hi-{l}"]] for l in LEVELS},
        "simulated": big,
    }
    write("theta", name, out)
    print(f"theta {name}: {model} alpha={par['alpha']:.4f} theta={par['theta']:.4f} l0={par['initial_smoothed']:.4f} "
          f"mse={fit['mse']:.5f} decompose={out['decompose']}")


def write(kind, name, out):
    os.makedirs(os.path.join(OUT, kind), exist_ok=True)
    with open(os.path.join(OUT, kind, name + ".json"), "w") as f:
        json.dump(out, f, indent=1)


def main():
    rng = np.random.default_rng(20240716)
    # Synthetic: a local level, a local trend, a multiplicative-seasonal monthly series.
    level = 50 + np.cumsum(rng.normal(0, 1, 200)) + rng.normal(0, 2, 200)
    trend = 20 + 0.5 * np.arange(150) + np.cumsum(rng.normal(0, 0.4, 150)) + rng.normal(0, 1.5, 150)
    t = np.arange(144)
    monthly = (100 + 2 * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 12)) * np.exp(rng.normal(0, 0.03, 144))
    azure = azure_hourly(24 * 14)
    cloudwatch = nab("ec2_cpu_utilization_5f5533.csv", 24 * 10, 12)

    ets_case("level_ANN", level, 1, "ANN", 12, "local level + noise, n=200", auto=True)
    ets_case("level_MNN", level, 1, "MNN", 12, "local level + noise, n=200, multiplicative error")
    ets_case("trend_AAN", trend, 1, "AAN", 12, "local trend, n=150", auto=True)
    ets_case("trend_AAdN", trend, 1, "AAdN", 12, "local trend, damped, n=150")
    ets_case("trend_MAdN", trend, 1, "MAdN", 12, "local trend, damped, multiplicative error, n=150")
    ets_case("monthly_AAA", monthly, 12, "AAA", 24, "trend × season, m=12, n=144, additive fit")
    ets_case("monthly_MAM", monthly, 12, "MAM", 24, "trend × season, m=12, n=144", auto=True)
    ets_case("monthly_MNA", monthly, 12, "MNA", 24, "trend × season, m=12, n=144, MNA")
    ets_case("azure_AAdA", azure, 24, "AAdA", 24, "Azure 2019 cpu_usage hourly, 14 days", auto=True)
    ets_case("azure_MNM", azure, 24, "MNM", 24, "Azure 2019 cpu_usage hourly, 14 days, MNM")
    ets_case("cloudwatch_ANA", cloudwatch, 24, "ANA", 24, "NAB ec2_cpu_utilization_5f5533 hourly, 10 days", auto=True)

    theta_case("trend_OTM", trend, 1, "OTM", 12, "local trend, n=150, optimised theta")
    theta_case("trend_STM", trend, 1, "STM", 12, "local trend, n=150, standard theta")
    theta_case("level_DOTM", level, 1, "DOTM", 12, "local level, n=200, dynamic optimised theta")
    theta_case("monthly_OTM", monthly, 12, "OTM", 24, "trend × season, m=12: multiplicative adjustment")
    theta_case("azure_OTM", azure, 24, "OTM", 24, "Azure 2019 cpu_usage hourly, 14 days")
    theta_case("cloudwatch_DSTM", cloudwatch, 24, "DSTM", 24, "NAB ec2_cpu_utilization_5f5533 hourly, 10 days")


if __name__ == "__main__":
    sys.exit(main())
