#!/usr/bin/env python3
"""Reference values for psm's accuracy metrics (Sources/TimeSeries/Metrics*.swift).

An independent, vectorised numpy implementation of the M4 definitions writes
Tests/TimeSeriesTests/Fixtures/metrics.json, which the Swift tests compare against.

    python3 bench/peers/metrics_fixtures.py            # needs numpy only
    bench/peers/.venv/bin/python bench/peers/metrics_fixtures.py --cross-check

--cross-check additionally compares these references with properscoring (closed-form Gaussian
CRPS) and utilsforecast.losses when they are importable (install them into bench/peers/.venv);
the committed fixture never depends on them.

Definitions (M4 competitor's guide; Makridakis et al. 2020):
  sMAPE = 200/h * sum |y - f| / (|y| + |f|), a term with y = f = 0 counts as 0
  scale = mean |y_t - y_{t-m}| over the in-sample series (pairs with a NaN skipped)
  MASE  = MAE / scale
  MSIS  = 1/h * sum [(u - l) + 2/a (l - y) 1{y < l} + 2/a (y - u) 1{y > u}] / scale
  pinball_tau = mean max(tau (y - q), (tau - 1)(y - q))
  CRPS ~= 2/K * sum_k pinball_{tau_k}
NaN actuals are dropped from every mean (and from h).
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from statistics import NormalDist

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "TimeSeriesTests" / "Fixtures" / "metrics.json"
LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]


# ----------------------------------------------------------------------------- reference metrics

def _mask(y):
    return ~np.isnan(y)


def mae(y, f):
    m = _mask(y)
    return float(np.mean(np.abs(y[m] - f[m])))


def rmse(y, f):
    m = _mask(y)
    return float(np.sqrt(np.mean((y[m] - f[m]) ** 2)))


def smape(y, f):
    m = _mask(y)
    y, f = y[m], f[m]
    num = np.abs(y - f)
    den = np.abs(y) + np.abs(f)
    terms = np.divide(num, den, out=np.zeros_like(num), where=den != 0)
    return float(200.0 * terms.sum() / len(y))


def seasonal_scale(insample, m):
    """Returns (scale, error_code); error_code is None when the scale is usable."""
    if len(insample) < m + 1:
        return None, "insufficientInsample"
    d = insample[m:] - insample[:-m]
    d = d[~np.isnan(d)]
    if d.size == 0:
        return None, "insufficientInsample"
    s = float(np.mean(np.abs(d)))
    if s == 0:
        return None, "zeroScale"
    return s, None


def pinball_per_level(y, q, levels):
    m = _mask(y)
    u = y[m][:, None] - q[m]                     # (h, K)
    tau = np.asarray(levels)[None, :]
    return np.mean(np.maximum(tau * u, (tau - 1.0) * u), axis=0)


def coverage(y, lo, hi):
    m = _mask(y)
    y, lo, hi = y[m], lo[m], hi[m]
    return float(np.mean((y >= lo) & (y <= hi)))


def interval_score(y, lo, hi, alpha):
    m = _mask(y)
    y, lo, hi = y[m], lo[m], hi[m]
    s = (hi - lo) + (2.0 / alpha) * (lo - y) * (y < lo) + (2.0 / alpha) * (y - hi) * (y > hi)
    return float(np.mean(s))


def symmetric_pairs(levels):
    out = []
    for i, lo in enumerate(levels):
        if lo >= 0.5:
            continue
        for j, hi in enumerate(levels):
            if abs(hi - (1.0 - lo)) < 1e-9:
                out.append((i, j))
    return out


def gaussian_crps(y, mu, sigma):
    """Closed form (Gneiting & Raftery 2007): sigma [z(2Phi(z) - 1) + 2phi(z) - 1/sqrt(pi)]."""
    z = (y - mu) / sigma
    phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    Phi = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return sigma * (z * (2 * Phi - 1) + 2 * phi - 1 / math.sqrt(math.pi))


# ----------------------------------------------------------------------------- cases

def _normal_quantiles(center, sigma, levels):
    z = np.array([NormalDist().inv_cdf(t) for t in levels])
    return center[:, None] + sigma[:, None] * z[None, :]


def _seasonal_series(rng, n, m, level, amp, noise):
    t = np.arange(n)
    season = amp * np.sin(2 * np.pi * t / m) if m > 1 else 0.0
    return level + season + 0.02 * level * t / n + noise * rng.standard_normal(n)


def random_case(name, seed, n, h, m, *, nan_actuals=0, nan_insample=0, heavy=False, shift=0.0):
    rng = np.random.default_rng(seed)
    full = _seasonal_series(rng, n + h, m, 50.0, 10.0, 4.0)
    if heavy:
        full = full + 6.0 * rng.standard_t(2.5, n + h)
    full = full + shift
    insample, actuals = full[:n].copy(), full[n:].copy()
    last = insample[-m:] if m > 1 else insample[-1:]
    point = np.resize(last, h) + rng.normal(0, 2.0, h)
    sigma = rng.uniform(2.0, 9.0, h)
    quantiles = _normal_quantiles(point, sigma, LEVELS)
    if nan_actuals:
        actuals[rng.choice(h, nan_actuals, replace=False)] = np.nan
    if nan_insample:
        insample[rng.choice(n, nan_insample, replace=False)] = np.nan
    return dict(name=name, season=m, insample=insample, actuals=actuals, mean=point,
                levels=LEVELS, quantiles=quantiles, lower_index=0, upper_index=len(LEVELS) - 1)


def fixed_case(name, m, insample, actuals, mean, levels, quantiles, lower_index, upper_index):
    return dict(name=name, season=m, insample=np.asarray(insample, float),
                actuals=np.asarray(actuals, float), mean=np.asarray(mean, float), levels=levels,
                quantiles=np.asarray(quantiles, float), lower_index=lower_index, upper_index=upper_index)


def cases():
    out = [
        random_case("random_nonseasonal_seed1", 1, n=60, h=12, m=1),
        random_case("random_m12_seed2", 2, n=96, h=18, m=12),
        random_case("random_m24_seed3", 3, n=24 * 14, h=48, m=24),
        random_case("random_nan_actuals_and_insample_seed4", 4, n=70, h=21, m=7, nan_actuals=5, nan_insample=6),
        random_case("random_heavy_tails_crossing_zero_seed5", 5, n=40, h=16, m=4, heavy=True, shift=-50.0),
    ]
    # Zeros: every actual and forecast is 0 -> sMAPE's 0/0 terms count as 0.
    h = 6
    out.append(fixed_case("all_zeros", 1, [0, 1, 0, 2, 0], np.zeros(h), np.zeros(h), [0.1, 0.5, 0.9],
                          np.zeros((h, 3)), 0, 2))
    # Mixed zeros: y=0,f!=0 and y!=0,f=0 give sMAPE term 2 (x100), y=f=0 gives 0.
    out.append(fixed_case("mixed_zeros", 1, [3, 1, 4, 1, 5],
                          [0, 2, 0, 5, 0], [1, 0, 0, 4, 2], [0.1, 0.5, 0.9],
                          [[0, 1, 2], [-1, 0, 1], [0, 0, 0], [3, 4, 6], [1, 2, 3]], 0, 2))
    # Exact forecasts: every metric is 0 and coverage is 1.
    rng = np.random.default_rng(6)
    y = rng.uniform(10, 20, 10)
    out.append(fixed_case("exact_forecast", 2, rng.uniform(10, 20, 12), y, y, LEVELS,
                          np.repeat(y[:, None], len(LEVELS), axis=1), 0, len(LEVELS) - 1))
    # All outside: half the actuals above the upper bound, half below the lower one.
    lo = np.array([11.0, 13.0, -1.0, 16.0, -2.0, 9.5])
    hi = np.array([14.0, 13.5, 2.0, 20.0, 0.0, 12.0])
    y = np.array([15.0, 14.0, -3.0, 21.0, -8.0, 9.0])   # above, above, below, above, below, below
    q = np.stack([lo, (lo + hi) / 2, hi], axis=1)
    out.append(fixed_case("all_outside_intervals", 3, [1, 4, 2, 6, 3, 5, 7, 2, 4], y, (lo + hi) / 2,
                          [0.025, 0.5, 0.975], q, 0, 2))
    # Constant in-sample series: the seasonal-naive scale is 0, MASE and MSIS must error.
    out.append(fixed_case("constant_insample", 1, [5, 5, 5, 5], [5, 6, 4], [5, 5, 5], [0.25, 0.5, 0.75],
                          [[4, 5, 6], [4, 5, 6], [4, 5, 6]], 0, 2))
    # In-sample too short for the season.
    out.append(fixed_case("insample_shorter_than_season", 24, np.arange(24.0), [1, 2], [1, 2], [0.5],
                          [[1], [2]], 0, 0))
    # Many evenly spaced levels of a Gaussian forecast: the quantile CRPS approaches the closed form.
    rng = np.random.default_rng(7)
    h, K = 24, 99
    levels = [k / (K + 1) for k in range(1, K + 1)]
    mu = rng.normal(100, 10, h)
    sigma = rng.uniform(3, 12, h)
    y = mu + sigma * rng.standard_normal(h)
    c = fixed_case("gaussian_99_levels", 1, rng.normal(100, 10, 50), y, mu, levels,
                   _normal_quantiles(mu, sigma, levels), 4, K - 5)   # 0.05 / 0.95
    c["gaussian"] = dict(mu=mu, sigma=sigma)
    out.append(c)
    return out


# ----------------------------------------------------------------------------- expected values

def expected(case):
    y, f, q, levels = case["actuals"], case["mean"], case["quantiles"], case["levels"]
    li, ui = case["lower_index"], case["upper_index"]
    lo, hi = q[:, li], q[:, ui]
    alpha = 2 * levels[li] if li != ui else None
    scale, scale_error = seasonal_scale(case["insample"], case["season"])
    pin = pinball_per_level(y, q, levels)
    e = dict(
        observed=int(_mask(y).sum()),
        mae=mae(y, f), rmse=rmse(y, f), smape=smape(y, f),
        scale=scale, scale_error=scale_error,
        mase=None if scale is None else mae(y, f) / scale,
        pinball_per_level=[float(v) for v in pin],
        pinball_mean=float(np.mean(pin)),
        crps=float(2 * np.mean(pin)),
        coverage=coverage(y, lo, hi),
        interval_alpha=alpha,
        interval_score=None if alpha is None else interval_score(y, lo, hi, alpha),
        msis=None if (alpha is None or scale is None) else interval_score(y, lo, hi, alpha) / scale,
        intervals=[],
    )
    for i, j in symmetric_pairs(levels):
        a = 2 * levels[i]
        s = interval_score(y, q[:, i], q[:, j], a)
        e["intervals"].append(dict(lower_level=levels[i], upper_level=levels[j], nominal_coverage=1 - a,
                                   coverage=coverage(y, q[:, i], q[:, j]), interval_score=s,
                                   msis=None if scale is None else s / scale))
    if "gaussian" in case:
        g = case["gaussian"]
        e["crps_closed_form"] = float(np.mean(gaussian_crps(y, g["mu"], g["sigma"])))
    return e


def _json(v):
    if isinstance(v, np.ndarray):
        return [_json(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_json(x) for x in v]
    if isinstance(v, dict):
        return {k: _json(x) for k, x in v.items()}
    if isinstance(v, float) and math.isnan(v):
        return "NaN"   # JSON has no NaN; the Swift decoder maps this string back
    if isinstance(v, (np.floating,)):
        return _json(float(v))
    return v


def cross_check(all_cases):
    """Optional agreement with third-party implementations (not needed for the fixture)."""
    try:
        import properscoring as ps
        for c in all_cases:
            if "gaussian" in c:
                g = c["gaussian"]
                ref = float(np.mean(ps.crps_gaussian(c["actuals"], g["mu"], g["sigma"])))
                ours = expected(c)["crps_closed_form"]
                approx = expected(c)["crps"]
                print(f"properscoring crps_gaussian {ref:.15g} vs closed form {ours:.15g};"
                      f" quantile approximation {approx:.15g} ({approx / ours - 1:+.2%})")
                assert abs(ref - ours) <= 1e-12 * ref
    except ImportError:
        print("properscoring not installed; skipped")
    try:
        import pandas as pd
        from utilsforecast import losses as L
    except ImportError:
        print("utilsforecast not installed; skipped")
        return
    for c in all_cases:
        e = expected(c)
        y, m = c["actuals"], _mask(c["actuals"])
        h = int(m.sum())
        cols = dict(unique_id="s", ds=np.arange(h), y=y[m], f=c["mean"][m])
        for k in range(len(c["levels"])):
            cols[f"q{k}"] = c["quantiles"][m, k]
        if e["interval_alpha"] is not None:
            level = round(100 * (1 - e["interval_alpha"]))
            cols[f"f-lo-{level}"] = c["quantiles"][m, c["lower_index"]]
            cols[f"f-hi-{level}"] = c["quantiles"][m, c["upper_index"]]
        df = pd.DataFrame(cols)
        checks = {
            "mae": float(L.mae(df, ["f"])["f"].iloc[0]),
            "rmse": float(L.rmse(df, ["f"])["f"].iloc[0]),
            "smape": 200 * float(L.smape(df, ["f"])["f"].iloc[0]),
        }
        ins = c["insample"]
        if e["scale"] is not None and not np.isnan(ins).any():
            train = pd.DataFrame(dict(unique_id="s", ds=np.arange(len(ins)), y=ins))
            checks["mase"] = float(L.mase(df, ["f"], c["season"], train)["f"].iloc[0])
        for k, tau in enumerate(c["levels"]):
            # utilsforecast's quantile_loss is our pinball (mean over steps of the check function).
            got = float(L.quantile_loss(df, {"f": f"q{k}"}, q=tau)["f"].iloc[0])
            want = e["pinball_per_level"][k]
            assert abs(got - want) <= 1e-12 * max(1.0, abs(want)), (c["name"], tau, got, want)
        if e["interval_alpha"] is not None:
            checks["coverage"] = float(L.coverage(df, ["f"], level)["f"].iloc[0])
            checks["interval_score"] = float(L.winkler_score(df, ["f"], level)["f"].iloc[0])
        for name, got in checks.items():
            want = e[name]
            ok = abs(got - want) <= 1e-12 * max(1.0, abs(want))
            print(f"{c['name']:42s} {name:6s} utilsforecast {got:.15g} ours {want:.15g} {'ok' if ok else 'DIFF'}")
            assert ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cross-check", action="store_true", help="compare with properscoring/utilsforecast")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    all_cases = cases()
    doc = dict(
        generator="bench/peers/metrics_fixtures.py",
        numpy=np.__version__,
        tolerance_note="independent numpy sums (pairwise) vs sequential Swift sums of non-negative terms",
        cases=[dict(name=c["name"], season=c["season"], insample=c["insample"], actuals=c["actuals"],
                    mean=c["mean"], levels=c["levels"], quantiles=c["quantiles"],
                    lower_index=c["lower_index"], upper_index=c["upper_index"], expected=expected(c))
               for c in all_cases],
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # One case per line: readable diffs without one number per line.
    body = ",\n".join(json.dumps(_json(c), allow_nan=False) for c in doc.pop("cases"))
    head = json.dumps(_json(doc), allow_nan=False)[:-1]
    args.out.write_text(head + ', "cases": [\n' + body + "\n]}\n")
    print(f"wrote {len(all_cases)} cases to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if args.cross_check:
        cross_check(all_cases)


if __name__ == "__main__":
    main()
