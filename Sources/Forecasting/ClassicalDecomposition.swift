/// Classical seasonal decomposition by moving averages, as statsmodels' `seasonal_decompose`
/// (two-sided filter, no extrapolation): the trend is the centred moving average of order m
/// (2×m for even m), the seasonal indices the per-position means of the detrended series,
/// normalised to sum 0 (additive) or average 1 (multiplicative).
///
/// Used by ETS (initial seasonal states) and Theta (seasonal adjustment), both of which follow
/// statsforecast in calling statsmodels for this step.
struct ClassicalDecomposition {
    /// The m seasonal indices, index 0 for the first observation's position.
    var indices: [Double]
    var multiplicative: Bool

    /// The seasonal component at step `t` (0 = the first observation).
    func seasonal(at t: Int) -> Double {
        let m = indices.count
        return indices[((t % m) + m) % m]
    }

    /// Decomposes `y` (finite values, at least 2m of them); nil when a position has no value.
    init?(_ y: [Double], period m: Int, multiplicative: Bool) {
        let n = y.count
        guard m >= 2, n >= 2 * m else { return nil }
        var weights: [Double]
        if m % 2 == 0 {
            weights = [Double](repeating: 1 / Double(m), count: m + 1)
            weights[0] = 0.5 / Double(m)
            weights[m] = 0.5 / Double(m)
        } else {
            weights = [Double](repeating: 1 / Double(m), count: m)
        }
        let half = weights.count / 2
        var sums = [Double](repeating: 0, count: m), counts = [Int](repeating: 0, count: m)
        for t in half..<(n - half) {
            var trend = 0.0
            for (k, w) in weights.enumerated() { trend += w * y[t - half + k] }
            let detrended = multiplicative ? y[t] / trend : y[t] - trend
            guard detrended.isFinite else { continue }
            sums[t % m] += detrended
            counts[t % m] += 1
        }
        guard counts.allSatisfy({ $0 > 0 }) else { return nil }
        var averages = (0..<m).map { sums[$0] / Double(counts[$0]) }
        let mean = averages.reduce(0, +) / Double(m)
        averages = averages.map { multiplicative ? $0 / mean : $0 - mean }
        guard averages.allSatisfy(\.isFinite) else { return nil }
        indices = averages
        self.multiplicative = multiplicative
    }
}
