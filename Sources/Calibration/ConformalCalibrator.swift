/// Fits per-step conformal corrections of quantile forecasts from backtest samples.
///
/// For every horizon step h and level τ it computes an additive offset c_{h,τ} such that
/// q̂_τ + c_{h,τ} (CQR) or q̂_τ + σ̂_h·c_{h,τ} (residual quantiles) has the conformal finite-sample
/// coverage guarantee on exchangeable data. docs/calibration.md gives the formulas.
package struct ConformalCalibrator: Sendable, Hashable {
    /// How each level is calibrated.
    enum Role: Sendable, Hashable {
        /// τ = 0.5: shifted by the median residual.
        case median
        /// τ > 0.5 on its own: scores y − q̂_τ at level τ.
        case upper
        /// τ < 0.5 on its own: scores q̂_τ − y at level 1 − τ.
        case lower
        /// The lower end of the central interval (τ, 1 − τ) whose upper end is at `partner`.
        case intervalLower(partner: Int)
        /// The upper end of a central interval; computed together with its lower end.
        case intervalUpper
    }

    package let levels: [Double]
    package let method: CalibrationMethod
    /// Fewest samples a step is calibrated from before neighbouring steps are pooled in.
    package let minimumSamples: Int
    let roles: [Role]

    /// - Parameters:
    ///   - levels: the forecasts' quantile levels, strictly increasing in (0, 1).
    ///   - method: `.conformalQuantileRegression` (or its asymmetric variant) for quantile models
    ///     (LSTM), `.residualQuantile` for Gaussian state-space forecasts (ARIMA); the latter
    ///     needs at least two levels.
    ///   - minimumSamples: the pooling threshold (default 50; see `requiredSamples`).
    package init(levels: [Double], method: CalibrationMethod = .conformalQuantileRegression,
                minimumSamples: Int = 50) throws(CalibrationError) {
        try CalibrationError.checkLevels(levels)
        guard minimumSamples >= 1 else {
            throw CalibrationError(.invalidParameter, "minimumSamples must be at least 1, got \(minimumSamples)")
        }
        guard method != .residualQuantile || levels.count >= 2 else {
            throw CalibrationError(.invalidLevels, "residual-quantile calibration needs two levels to measure the scale")
        }
        self.levels = levels
        self.method = method
        self.minimumSamples = minimumSamples
        self.roles = Self.roles(levels, pairing: method == .conformalQuantileRegression)
    }

    static func roles(_ levels: [Double], pairing: Bool) -> [Role] {
        levels.indices.map { k in
            let tau = levels[k]
            if abs(tau - 0.5) < 1e-9 { return .median }
            if pairing, let j = levels.firstIndex(where: { abs($0 - (1 - tau)) < 1e-9 }) {
                return tau < 0.5 ? .intervalLower(partner: j) : .intervalUpper
            }
            return tau > 0.5 ? .upper : .lower
        }
    }

    /// The pooled sample count a step needs: `minimumSamples`, or more when a level's conformal
    /// quantile would otherwise be infinite (e.g. 39 for a one-sided 0.975, 19 for a 95 % interval).
    package var requiredSamples: Int {
        var n = minimumSamples
        for (k, role) in roles.enumerated() {
            let tau = levels[k]
            switch role {
            case .median, .intervalUpper: continue
            case .upper: n = max(n, ConformalQuantile.minimumFiniteCount(level: tau))
            case .lower: n = max(n, ConformalQuantile.minimumFiniteCount(level: 1 - tau))
            case .intervalLower(let j): n = max(n, ConformalQuantile.minimumFiniteCount(level: levels[j] - tau))
            }
        }
        return n
    }

    /// A usable sample reduced to what scoring needs.
    struct Point {
        var actual: Double
        var quantiles: [Double]
        /// σ̂ for residual quantiles, 1 for CQR.
        var unit: Double
    }

    /// Fits the table. Steps run 1…H, H the largest step among the usable samples; a step with
    /// fewer than `requiredSamples` pools in steps h ± 1, h ± 2, … until it has enough (or
    /// all steps are pooled). Unusable samples are counted in `skippedSamples`, never fatal.
    package func fit(_ samples: [CalibrationSample]) throws(CalibrationError) -> CalibrationTable {
        var byStep: [Int: [Point]] = [:]
        var skipped = 0
        for sample in samples {
            guard let point = point(sample) else { skipped += 1; continue }
            byStep[sample.step, default: []].append(point)
        }
        guard let horizon = byStep.keys.max() else {
            throw CalibrationError(.insufficientData, "no usable calibration sample among \(samples.count)")
        }
        let required = requiredSamples
        var steps: [StepCalibration] = []
        for h in 1...horizon {
            var first = h, last = h
            var pool = byStep[h] ?? []
            // Widen symmetrically (clipped to 1…H) until the pool is large enough.
            while pool.count < required && (first > 1 || last < horizon) {
                if first > 1 { first -= 1; pool += byStep[first] ?? [] }
                if last < horizon { last += 1; pool += byStep[last] ?? [] }
            }
            let (offsets, clamped) = offsets(pool)
            steps.append(StepCalibration(step: h, offsets: offsets, samples: byStep[h]?.count ?? 0,
                                         pooledSamples: pool.count, firstPooledStep: first,
                                         lastPooledStep: last, clampedLevels: clamped))
        }
        return CalibrationTable(method: method, levels: levels, minimumSamples: minimumSamples,
                                steps: steps, skippedSamples: skipped)
    }

    func point(_ sample: CalibrationSample) -> Point? {
        guard sample.step >= 1, sample.actual.isFinite, sample.quantiles.count == levels.count,
              sample.quantiles.allSatisfy(\.isFinite) else { return nil }
        var unit = 1.0
        if method == .residualQuantile {
            guard let s = CalibrationTable.scale(lowerLevel: levels[0], lower: sample.quantiles[0],
                                                 upperLevel: levels[levels.count - 1],
                                                 upper: sample.quantiles[levels.count - 1]) else { return nil }
            unit = s
        }
        return Point(actual: sample.actual, quantiles: sample.quantiles, unit: unit)
    }

    /// Offsets per level from one pool (non-empty), and the levels whose rank had to be clamped.
    func offsets(_ pool: [Point]) -> ([Double], [Double]) {
        var offsets = [Double](repeating: 0, count: levels.count)
        var clamped: [Double] = []
        for (k, role) in roles.enumerated() {
            let tau = levels[k]
            switch role {
            case .median:
                offsets[k] = ConformalQuantile.median(pool.map { ($0.actual - $0.quantiles[k]) / $0.unit }.sorted())
            case .upper:
                let q = ConformalQuantile.upper(pool.map { ($0.actual - $0.quantiles[k]) / $0.unit }.sorted(), level: tau)
                offsets[k] = q.value
                if q.clamped { clamped.append(tau) }
            case .lower:
                let q = ConformalQuantile.upper(pool.map { ($0.quantiles[k] - $0.actual) / $0.unit }.sorted(), level: 1 - tau)
                offsets[k] = -q.value
                if q.clamped { clamped.append(tau) }
            case .intervalLower(let j):
                // CQR score: how far y falls outside [q̂_lo, q̂_hi] (negative inside).
                let scores = pool.map { max($0.quantiles[k] - $0.actual, $0.actual - $0.quantiles[j]) / $0.unit }
                let q = ConformalQuantile.upper(scores.sorted(), level: levels[j] - tau)
                offsets[k] = -q.value
                offsets[j] = q.value
                if q.clamped { clamped += [tau, levels[j]] }
            case .intervalUpper:
                continue
            }
        }
        return (offsets, clamped.sorted())
    }
}
