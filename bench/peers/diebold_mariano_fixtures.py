#!/usr/bin/env python3
"""Reference values for DieboldMariano.test (Sources/Evaluation/DieboldMariano.swift).

A hand-written numpy implementation of the Diebold-Mariano test with the Harvey-Leybourne-Newbold
correction: d = lossA - lossB, Newey-West long-run variance with h-1 lags and Bartlett weights
(1 - k/h), autocovariances with divisor T; DM = mean(d) / sqrt(V/T); HLN factor
sqrt((T + 1 - 2h + h(h-1)/T) / T); two-sided p-value from scipy.stats.t with T-1 degrees of freedom.

Writes Tests/EvaluationTests/Fixtures/diebold_mariano.json.

--cross-check: the standard error sqrt(V/T) is compared with statsmodels' HAC standard error of the
intercept of an OLS of d on a constant (cov_type="HAC", maxlags=h-1, Bartlett kernel, no small-sample
correction), an independent implementation of the same estimator.
"""
import json
import pathlib
import sys

import numpy as np
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/EvaluationTests/Fixtures/diebold_mariano.json"


def newey_west_variance(d, h):
    t = len(d)
    e = d - d.mean()
    v = e @ e / t
    for k in range(1, h):
        v += 2 * (1 - k / h) * (e[k:] @ e[:-k]) / t
    return v


def dm_test(a, b, h):
    d = np.asarray(a, float) - np.asarray(b, float)
    t = len(d)
    v = newey_west_variance(d, h)
    dm = d.mean() / np.sqrt(v / t)
    hln = np.sqrt((t + 1 - 2 * h + h * (h - 1) / t) / t)
    stat = dm * hln
    p = 2 * stats.t.sf(abs(stat), df=t - 1)
    return dict(statistic=float(stat), pValue=float(p), meanDifference=float(d.mean()), count=t)


def cases():
    rng = np.random.default_rng(20261129)
    out = []
    for t, h, shift, rho in [(40, 1, 0.0, 0.0), (60, 6, 0.3, 0.5), (120, 12, 0.05, 0.8),
                             (25, 3, -0.4, 0.2), (200, 24, 0.1, 0.6), (10, 2, 1.0, 0.0)]:
        # AR(1)-correlated loss differences, as multi-step forecast errors are.
        e = rng.normal(size=t)
        d = np.empty(t)
        d[0] = e[0]
        for i in range(1, t):
            d[i] = rho * d[i - 1] + e[i]
        b = np.abs(rng.normal(2, 1, size=t))
        a = b + d + shift
        out.append(dict(lossA=a.tolist(), lossB=b.tolist(), horizon=h, **dm_test(a, b, h)))
    return out


def cross_check(cs):
    import statsmodels.api as sm
    worst = 0.0
    for c in cs:
        d = np.asarray(c["lossA"]) - np.asarray(c["lossB"])
        h = c["horizon"]
        fit = sm.OLS(d, np.ones((len(d), 1))).fit(cov_type="HAC", cov_kwds=dict(maxlags=h - 1, use_correction=False))
        ours = np.sqrt(newey_west_variance(d, h) / len(d))
        worst = max(worst, abs(fit.bse[0] - ours) / ours)
    print(f"HAC standard error vs statsmodels: worst relative difference {worst:.2e}")
    assert worst < 1e-10


if __name__ == "__main__":
    cs = cases()
    if "--cross-check" in sys.argv:
        cross_check(cs)
    OUT.write_text(json.dumps(cs, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cs)} cases)")
