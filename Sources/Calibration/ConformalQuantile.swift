import Foundation

/// The finite-sample-adjusted empirical quantiles that conformal calibration takes of its scores.
enum ConformalQuantile {
    /// ⌈x⌉, treating x within 1e-9 of an integer as that integer.
    ///
    /// (n + 1)·τ is computed in binary floating point: (99 + 1) · 0.9 is 90.00000000000001, and a
    /// plain `ceil` would give rank 91 where the decimal level 0.9 means 90.
    static func ceilRank(_ x: Double) -> Int {
        let nearest = x.rounded()
        return abs(x - nearest) < 1e-9 ? Int(nearest) : Int(x.rounded(.up))
    }

    /// The k-th smallest of the scores (1-based), with k clamped to 1…n; `clamped` says whether
    /// it had to be (the exact conformal quantile would be ±∞: too few samples for this level).
    static func orderStatistic(_ sorted: [Double], rank k: Int) -> (value: Double, clamped: Bool) {
        let i = min(max(k, 1), sorted.count)
        return (sorted[i - 1], i != k)
    }

    /// The ⌈(n + 1)·p⌉-th smallest score: the conformal quantile that gives coverage ≥ p
    /// (Romano, Patterson & Candès 2019, Theorem 1; Vovk et al. 2005).
    static func upper(_ sorted: [Double], level p: Double) -> (value: Double, clamped: Bool) {
        orderStatistic(sorted, rank: ceilRank(Double(sorted.count + 1) * p))
    }

    /// The sample median (mean of the two middle values for even n).
    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count, m = n / 2
        return n % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }

    /// The smallest n for which ⌈(n + 1)·p⌉ ≤ n, i.e. the conformal quantile at p is finite.
    static func minimumFiniteCount(level p: Double) -> Int {
        var n = 1
        // p < 1, so the loop ends by n ≈ 1/(1 − p); the cap guards a level within 1e-9 of 1.
        while ceilRank(Double(n + 1) * p) > n && n < 10_000_000 { n += 1 }
        return n
    }
}
