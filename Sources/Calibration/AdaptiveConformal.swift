import TimeSeries

/// The demand level the actuator sizes at this interval, as adapted by `AdaptiveConformal`.
public enum SizingQuantile: Sendable, Hashable, Codable {
    /// Size for `value`, the forecast quantile at `level` (interpolated or extrapolated).
    case finite(value: Double, level: Double, extrapolated: Bool)
    /// α_t ≤ 0 (within 1e-12): the adapted set is the whole line (q = +∞); size at the largest quantile the
    /// actuator allows (its cap). Never counted as a miss.
    case unboundedAbove
    /// α_t ≥ 1 (within 1e-12): the adapted set is empty (q = −∞); no reserve is asked for. Always a miss.
    case unboundedBelow

    /// Whether demand `y` stays at or below this quantile.
    package func covers(_ y: Double) -> Bool {
        switch self {
        case .finite(let value, _, _): y <= value
        case .unboundedAbove: true
        case .unboundedBelow: false
        }
    }
}

/// Adaptive conformal inference (Gibbs & Candès 2021) for a one-sided upper quantile.
///
/// The actuator sizes at the forecast quantile of level 1 − α_t and, once the demand y_t is seen,
/// updates α_{t+1} = α_t + γ (α − err_t), err_t = 1{y_t > q̂_{1−α_t}}. Misses lower α_t (a higher
/// quantile next time), covered intervals raise it. Whatever the forecasts do, the long-run miss
/// rate satisfies |(1/T) Σ err_t − α| ≤ (max(α_1, 1 − α_1) + γ) / (γ T) (their Proposition 4.1).
///
/// α_t is not clamped to [0, 1]: the recursion keeps it in [−γ, 1 + γ] by itself, and clamping
/// would break the telescoping sum that the bound rests on. Levels outside (0, 1) are handled by
/// `SizingQuantile.unboundedAbove` / `.unboundedBelow`. The state is Codable for persistence.
public struct AdaptiveConformal: Sendable, Hashable, Codable {
    /// α, the target miss rate (1 − the newsvendor critical ratio τ).
    package private(set) var targetMiscoverage: Double
    /// γ, the step size.
    package private(set) var learningRate: Double
    /// α_t, the current working miss rate.
    package private(set) var alpha: Double
    /// Outcomes recorded so far, and how many of them were misses.
    package private(set) var observations: Int
    package private(set) var misses: Int

    /// Starts at α_1 = α for sizing quantile `targetLevel` τ = 1 − α.
    ///
    /// - Parameter learningRate: γ; 0.005 is the default (docs/calibration.md explains why).
    package init(targetLevel: Double, learningRate: Double = 0.005) throws(CalibrationError) {
        guard targetLevel > 0 && targetLevel < 1 else {
            throw CalibrationError(.invalidParameter, "the target level must lie in (0, 1), got \(targetLevel)")
        }
        guard learningRate > 0 && learningRate <= 1 else {
            throw CalibrationError(.invalidParameter, "the learning rate must lie in (0, 1], got \(learningRate)")
        }
        targetMiscoverage = 1 - targetLevel
        self.learningRate = learningRate
        alpha = 1 - targetLevel
        observations = 0
        misses = 0
    }

    /// 1 − α_t, the level sized at now (may lie outside (0, 1)).
    public var level: Double { 1 - alpha }

    /// The share of recorded outcomes that were covered; nil before the first.
    package var observedCoverage: Double? {
        observations == 0 ? nil : 1 - Double(misses) / Double(observations)
    }

    /// The quantile to size at for step `h` of `forecast`; nil when `h` is out of range.
    package func sizingQuantile(from forecast: ForecastDistribution, step h: Int) -> SizingQuantile? {
        guard h >= 1 && h <= forecast.horizon else { return nil }
        // α_t is a running sum of multiples of γ and lands a few ulps off an exact 0 (or 1), where
        // Φ⁻¹ is ill-conditioned; within `Self.edge` it is treated as the edge itself.
        if alpha <= Self.edge { return .unboundedAbove }
        if alpha >= 1 - Self.edge { return .unboundedBelow }
        guard let q = forecast.interpolatedQuantile(level: level, step: h) else { return nil }
        return .finite(value: q.value, level: level, extrapolated: q.extrapolated)
    }

    /// |α_t| (or |1 − α_t|) below which the level counts as exactly 1 (or 0).
    package static let edge = 1e-12

    /// Records demand `actual` against the quantile that was sized at; a NaN actual is ignored.
    /// Returns whether it was a miss (nil when ignored).
    @discardableResult
    package mutating func update(actual: Double, sizedAt quantile: SizingQuantile) -> Bool? {
        guard !actual.isNaN else { return nil }
        let miss = !quantile.covers(actual)
        update(miss: miss)
        return miss
    }

    /// Records one outcome: `miss` is err_t.
    package mutating func update(miss: Bool) {
        alpha += learningRate * (targetMiscoverage - (miss ? 1 : 0))
        observations += 1
        if miss { misses += 1 }
    }

    private enum CodingKeys: String, CodingKey {
        case targetMiscoverage, learningRate, alpha, observations, misses
    }

    /// Decodes a persisted state, rejecting impossible parameters and pulling a corrupted α_t
    /// back into [−γ, 1 + γ], the range the recursion can reach.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        targetMiscoverage = try c.decode(Double.self, forKey: .targetMiscoverage)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        guard targetMiscoverage > 0 && targetMiscoverage < 1, learningRate > 0 && learningRate <= 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "ACI state needs α in (0, 1) and γ in (0, 1], got α = \(targetMiscoverage), γ = \(learningRate)"))
        }
        let stored = try c.decode(Double.self, forKey: .alpha)
        alpha = stored.isFinite ? min(max(stored, -learningRate), 1 + learningRate) : targetMiscoverage
        observations = max(0, try c.decode(Int.self, forKey: .observations))
        misses = min(max(0, try c.decode(Int.self, forKey: .misses)), observations)
    }
}
