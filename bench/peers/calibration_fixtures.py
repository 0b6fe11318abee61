#!/usr/bin/env python3
"""Reference values for psm's calibration (Sources/Calibration/).

An independent numpy implementation of the conformal offsets (CQR and residual quantiles, with
pooling of neighbouring steps), of PIT values read off the interpolated quantile curve with
Gaussian tails, and of an adaptive-conformal (ACI) trajectory. It writes
Tests/CalibrationTests/Fixtures/calibration.json, which the Swift tests compare at 1e-12.

    python3 bench/peers/calibration_fixtures.py      # numpy only

Where it deliberately differs in *how* it computes (so that a shared mistake is unlikely):
  * conformal ranks use exact rationals: ceil((n + 1) * Fraction(decimal level));
  * a lower one-sided offset is taken as the floor((n + 1) * tau)-th smallest of y - q
    (the same number as minus the ceil((n + 1)(1 - tau))-th smallest of q - y);
  * the CQR interval score is np.maximum over the two columns at once;
  * interpolation inside the levels is np.interp; the normal quantile/CDF is statistics.NormalDist.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from statistics import NormalDist

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "CalibrationTests" / "Fixtures" / "calibration.json"
N01 = NormalDist()


def frac(x: float) -> Fraction:
    return Fraction(repr(x))  # the decimal the level was written as


def kth(sorted_scores: np.ndarray, k: int):
    """k-th smallest (1-based), clamped to 1..n; returns (value, clamped)."""
    n = len(sorted_scores)
    i = min(max(k, 1), n)
    return float(sorted_scores[i - 1]), i != k


def min_finite(p: Fraction) -> int:
    n = 1
    while math.ceil((n + 1) * p) > n:
        n += 1
    return n


def roles(levels, pairing):
    out = []
    for k, tau in enumerate(levels):
        if abs(tau - 0.5) < 1e-9:
            out.append(("median", None))
            continue
        partner = next((j for j, t in enumerate(levels) if abs(t - (1 - tau)) < 1e-9), None) if pairing else None
        if partner is not None:
            out.append(("ilo", partner) if tau < 0.5 else ("ihi", partner))
        else:
            out.append(("upper", None) if tau > 0.5 else ("lower", None))
    return out


def required(levels, pairing, minimum):
    n = minimum
    for k, (role, j) in enumerate(roles(levels, pairing)):
        tau = frac(levels[k])
        if role == "upper":
            n = max(n, min_finite(tau))
        elif role == "lower":
            n = max(n, min_finite(1 - tau))
        elif role == "ilo":
            n = max(n, min_finite(frac(levels[j]) - tau))
    return n


def gaussian_scale(levels, q):
    s = (q[:, -1] - q[:, 0]) / (N01.inv_cdf(levels[-1]) - N01.inv_cdf(levels[0]))
    return s


def fit(levels, method, minimum, steps, actual, quant):
    levels = list(levels)
    pairing = method == "cqr"
    steps = np.asarray(steps)
    actual = np.asarray(actual, float)
    quant = np.asarray(quant, float)
    unit = gaussian_scale(levels, quant) if method == "residual-quantile" else np.ones(len(actual))
    ok = (steps >= 1) & np.isfinite(actual) & np.all(np.isfinite(quant), axis=1) & np.isfinite(unit) & (unit > 0)
    skipped = int((~ok).sum())
    steps, actual, quant, unit = steps[ok], actual[ok], quant[ok], unit[ok]
    H = int(steps.max())
    need = required(levels, pairing, minimum)
    rs = roles(levels, pairing)
    table = []
    for h in range(1, H + 1):
        # smallest symmetric window [h - w, h + w] (clipped to 1..H) holding `need` samples
        w = 0
        while True:
            lo, hi = max(1, h - w), min(H, h + w)
            mask = (steps >= lo) & (steps <= hi)
            if mask.sum() >= need or (lo == 1 and hi == H):
                break
            w += 1
        y, q, u = actual[mask], quant[mask], unit[mask]
        n = len(y)
        off = [0.0] * len(levels)
        clamped = []
        for k, (role, j) in enumerate(rs):
            tau = frac(levels[k])
            if role == "median":
                off[k] = float(np.median((y - q[:, k]) / u))
            elif role == "upper":
                v, c = kth(np.sort((y - q[:, k]) / u), math.ceil((n + 1) * tau))
                off[k] = v
                clamped += [levels[k]] if c else []
            elif role == "lower":
                v, c = kth(np.sort((y - q[:, k]) / u), math.floor((n + 1) * tau))
                off[k] = v
                clamped += [levels[k]] if c else []
            elif role == "ilo":
                e = np.maximum(q[:, k] - y, y - q[:, j]) / u
                v, c = kth(np.sort(e), math.ceil((n + 1) * (frac(levels[j]) - tau)))
                off[k], off[j] = -v, v
                clamped += [levels[k], levels[j]] if c else []
        table.append({"step": h, "offsets": off, "samples": int((steps == h).sum()), "pooled_samples": n,
                      "first_pooled_step": lo, "last_pooled_step": hi, "clamped_levels": sorted(clamped)})
    return {"steps": table, "skipped_samples": skipped}


# ----------------------------------------------------------------------------- quantile curve

def tail_scale(levels, q, outer, inner):
    if len(levels) < 2:
        return 0.0
    s = (q[outer] - q[inner]) / (N01.inv_cdf(levels[outer]) - N01.inv_cdf(levels[inner]))
    return s if math.isfinite(s) and s > 0 else 0.0


def curve_quantile(levels, q, tau):
    q = np.sort(np.asarray(q, float))
    if tau < levels[0]:
        return float(q[0] + tail_scale(levels, q, 0, 1) * (N01.inv_cdf(tau) - N01.inv_cdf(levels[0]))), True
    if tau > levels[-1]:
        return float(q[-1] + tail_scale(levels, q, -1, -2) * (N01.inv_cdf(tau) - N01.inv_cdf(levels[-1]))), True
    return float(np.interp(tau, levels, q)), False


def curve_cdf(levels, q, y):
    q = np.sort(np.asarray(q, float))
    if y < q[0]:
        s = tail_scale(levels, q, 0, 1)
        return N01.cdf(N01.inv_cdf(levels[0]) + (y - q[0]) / s) if s > 0 else 0.0
    if y > q[-1]:
        s = tail_scale(levels, q, -1, -2)
        return N01.cdf(N01.inv_cdf(levels[-1]) + (y - q[-1]) / s) if s > 0 else 1.0
    return float(np.interp(y, q, levels))  # fixtures have no ties


# ----------------------------------------------------------------------------- cases

def gaussian_rows(mu, sigma, levels):
    z = np.array([N01.inv_cdf(t) for t in levels])
    return mu[:, None] + sigma[:, None] * z[None, :]


def fit_case(name, seed, levels, method, minimum, per_step, true_scale=1.6, bias=0.3, skewed=False):
    rng = np.random.default_rng(seed)
    steps = np.repeat(np.arange(1, len(per_step) + 1), per_step)
    n = len(steps)
    mu = rng.normal(10, 3, n)
    sigma = 0.5 + 0.25 * steps + rng.uniform(0, 0.2, n)
    noise = rng.standard_t(4, n) if skewed else rng.normal(0, 1, n)
    actual = mu + bias + true_scale * sigma * noise
    quant = gaussian_rows(mu, sigma, levels)
    if method.startswith("cqr"):
        quant = quant + rng.normal(0, 0.05, quant.shape)  # a quantile model: not exactly Gaussian
        quant = np.sort(quant, axis=1)
    return {"name": name, "levels": levels, "method": method, "minimum_samples": minimum,
            "samples": [{"step": int(s), "actual": float(a), "quantiles": [float(v) for v in row]}
                        for s, a, row in zip(steps, actual, quant)],
            "expected": fit(levels, method, minimum, steps, actual, quant)}


def pit_case(name, seed, levels, n):
    rng = np.random.default_rng(seed)
    mu = rng.normal(0, 1, n)
    sigma = rng.uniform(0.5, 2, n)
    quant = gaussian_rows(mu, sigma, levels) + rng.normal(0, 0.02, (n, len(levels)))
    quant = np.sort(quant, axis=1)
    actual = mu + 1.5 * sigma * rng.normal(0, 1, n)  # many fall in the tails
    pit = [curve_cdf(levels, row, y) for row, y in zip(quant, actual)]
    probe = [0.001, 0.01, 0.03, 0.07, 0.33, 0.5, 0.77, 0.97, 0.995]
    qs = [[curve_quantile(levels, row, t)[0] for t in probe] for row in quant[:5]]
    return {"name": name, "levels": levels, "quantiles": quant.tolist(), "actuals": actual.tolist(),
            "expected_pit": pit, "probe_levels": probe, "expected_probe_quantiles": qs}


def aci_case(name, seed, T, target, gamma):
    levels = [0.5, 0.8, 0.9, 0.95, 0.99]
    rng = np.random.default_rng(seed)
    mu = 100 + 10 * np.sin(np.arange(T) / 7)
    sigma = np.full(T, 5.0)
    quant = gaussian_rows(mu, sigma, levels)
    actual = mu + 8.0 * rng.standard_normal(T)  # the model is too narrow
    alpha0 = 1 - target
    a = alpha0
    alphas, sized = [], []
    for t in range(T):
        if a <= 1e-12:  # alpha lands a few ulps off 0; psm treats |alpha| < 1e-12 as 0
            q, kind = math.inf, "above"
        elif a >= 1 - 1e-12:
            q, kind = -math.inf, "below"
        else:
            q, _ = curve_quantile(levels, quant[t], 1 - a)
            kind = "finite"
        err = 1.0 if actual[t] > q else 0.0
        sized.append(q if kind == "finite" else None)
        a = a + gamma * (alpha0 - err)
        alphas.append(a)
    return {"name": name, "levels": levels, "target_level": target, "learning_rate": gamma,
            "quantiles": quant.tolist(), "actuals": actual.tolist(),
            "expected_sized": sized, "expected_alphas": alphas}


def main():
    L7 = [0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975]
    fits = [
        fit_case("cqr_paired_seed1", 1, L7, "cqr", 50, [60, 61, 80]),
        fit_case("cqr_unpaired_pooled_seed2", 2, [0.1, 0.5, 0.8, 0.95], "cqr", 10, [5, 12, 3, 25, 0, 4]),
        fit_case("cqr_asymmetric_seed10", 10, L7, "cqr-asymmetric", 30, [45, 20, 50]),
        fit_case("cqr_heavy_tail_even_n_seed5", 5, [0.05, 0.25, 0.5, 0.75, 0.95], "cqr", 20, [40, 22, 30],
                 skewed=True),
        fit_case("residual_quantile_seed3", 3, [0.05, 0.1, 0.5, 0.9, 0.95], "residual-quantile", 30,
                 [40, 40, 41, 45]),
        fit_case("residual_quantile_pooled_seed6", 6, L7, "residual-quantile", 50, [30, 10, 70]),
        fit_case("clamped_rare_level_seed4", 4, [0.01, 0.99], "residual-quantile", 5, [8, 12]),
        fit_case("cqr_clamped_seed7", 7, [0.005, 0.995], "cqr", 5, [30, 20]),
    ]
    # a case where the model is biased and too wide: offsets negative (intervals shrink)
    fits.append(fit_case("cqr_too_wide_seed8", 8, L7, "cqr", 40, [50, 55], true_scale=0.6, bias=-0.5))
    # NaN actuals and a bad step are skipped
    bad = fit_case("cqr_with_skips_seed9", 9, [0.1, 0.9], "cqr", 10, [15, 15])
    bad["samples"][0]["actual"] = "NaN"
    bad["samples"][3]["step"] = 0
    steps = np.array([s["step"] for s in bad["samples"]])
    actual = np.array([float(s["actual"]) for s in bad["samples"]])
    quant = np.array([s["quantiles"] for s in bad["samples"]])
    bad["expected"] = fit([0.1, 0.9], "cqr", 10, steps, actual, quant)
    fits.append(bad)

    pits = [pit_case("pit_seed11", 11, L7, 200), pit_case("pit_three_levels_seed12", 12, [0.1, 0.5, 0.9], 100)]
    acis = [aci_case("aci_seed21", 21, 400, 0.95, 0.02)]
    doc = {"generator": "bench/peers/calibration_fixtures.py", "numpy": np.__version__,
           "fits": fits, "pits": pits, "acis": acis}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, allow_nan=False) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(fits)} fits, {len(pits)} PIT cases, {len(acis)} ACI runs")
    for f in fits:
        print(" ", f["name"], [(s["step"], s["pooled_samples"], s["first_pooled_step"], s["last_pooled_step"],
                                s["clamped_levels"]) for s in f["expected"]["steps"]], "skipped",
              f["expected"]["skipped_samples"])


if __name__ == "__main__":
    main()
