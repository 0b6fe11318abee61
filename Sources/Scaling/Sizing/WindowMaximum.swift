import Calibration
import Foundation
import TimeSeries

/// How the sizer reads the lead window's demand (docs/actuator.md, "Lead window").
public enum LeadWindow: String, Sendable, Hashable, Codable, CaseIterable {
    /// The level-quantile of the window's maximum demand, its steps taken as independent
    /// (`WindowMaximum`): what a pool that must last the whole window is short of.
    case maximum
    /// The largest per-step quantile: the level-quantile of the maximum only when the steps move
    /// together (the sizer before issue 17).
    case largestStep = "largest-step"
}

/// The quantile of the largest demand over steps 1…n of a forecast.
///
/// A pool decided now has to last the whole lead window, so what it must cover is M = max(D_1…D_n),
/// whose CDF is P(M ≤ x) = P(D_1 ≤ x, …, D_n ≤ x). The forecast gives each step's marginal F_h,
/// not their joint law; two cases bound it. Steps that move together (comonotone) give
/// P(M ≤ x) = min_h F_h(x), whose τ-quantile is the largest per-step quantile max_h q_h(τ) — the
/// sizer's reading before issue 17, too low whenever the steps vary on their own. Steps taken as
/// independent give P(M ≤ x) = Π_h F_h(x); for positively associated demand the true quantile lies
/// between the two, so this one is the conservative side, as a miss is priced above a reserve.
/// It is solved by bisection between max_h q_h(τ) (where the product is ≤ τ) and max_h q_h(τ^(1/n))
/// (where every factor is ≥ τ^(1/n)), on the forecast's own CDF (`ForecastDistribution.cdf`:
/// linear between its levels, Gaussian tails beyond). With one step both readings are q_1(τ).
package enum WindowMaximum {
    /// x with Π_{h=1…n} F_h(x) = `level` (to 1e-9 of the bracket); nil when a step's quantile is not
    /// finite or `level` lies outside (0, 1). `extrapolated`: some step's F_h(x) lies beyond the
    /// forecast's levels (its Gaussian tail decided).
    public static func quantile(of forecast: ForecastDistribution, level: Double,
                                steps n: Int) -> (value: Double, extrapolated: Bool)? {
        guard level > 0, level < 1, n >= 1, n <= forecast.horizon else { return nil }
        let perStep = n == 1 ? level : pow(level, 1 / Double(n))
        var lo = -Double.infinity, hi = -Double.infinity
        for h in 1...n {
            guard let a = forecast.interpolatedQuantile(level: level, step: h)?.value, a.isFinite,
                  let b = forecast.interpolatedQuantile(level: perStep, step: h)?.value, b.isFinite else { return nil }
            lo = max(lo, a)
            hi = max(hi, b)
        }
        func joint(_ x: Double) -> Double {
            var p = 1.0
            for h in 1...n { p *= forecast.cdf(x, step: h) ?? 0 }
            return p
        }
        if n > 1 && hi > lo && joint(lo) < level {
            // Invariant: joint(lo) < level ≤ joint(hi).
            let tolerance = 1e-9 * max(1, abs(hi))
            var iterations = 0
            while hi - lo > tolerance, iterations < 200 {
                let mid = lo + (hi - lo) / 2
                if joint(mid) >= level { hi = mid } else { lo = mid }
                iterations += 1
            }
        } else {
            hi = lo
        }
        let top = forecast.levels.last ?? 1
        let extrapolated = (1...n).contains { (forecast.cdf(hi, step: $0) ?? 0) > top + 1e-12 }
            || forecast.interpolatedQuantile(level: level, step: 1)?.extrapolated == true
        return (hi, extrapolated)
    }
}
