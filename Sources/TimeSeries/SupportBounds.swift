/// The values a series can take: demand is never negative, a percentage never exceeds 100.
///
/// Every forecast psm hands out (`psm forecast`, the training job's backtests, calibration and
/// report, the actuator's scoring) goes through `ForecastDistribution.clamp(to:)` last, so no
/// quantile and no mean leaves the support. Clipping a quantile curve at a bound is exact for the
/// censored variable min(max(Y, lower), upper): its quantiles are the clipped quantiles of Y.
public struct SupportBounds: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The smallest possible value (nil: unbounded below).
    public var lower: Double?
    /// The largest possible value (nil: unbounded above).
    public var upper: Double?

    public init(lower: Double? = nil, upper: Double? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// No bound at all.
    public static let unbounded = SupportBounds()
    /// Demand: never negative.
    public static let nonNegative = SupportBounds(lower: 0)

    public var isUnbounded: Bool { lower == nil && upper == nil }

    /// Nil when the bounds are not finite or `lower` is not below `upper`.
    public var problem: String? {
        if let lower, !lower.isFinite { return "the lower bound must be finite, got \(lower)" }
        if let upper, !upper.isFinite { return "the upper bound must be finite, got \(upper)" }
        if let lower, let upper, !(lower < upper) { return "the lower bound \(lower) must be below the upper bound \(upper)" }
        return nil
    }

    /// `x` moved into [lower, upper]; NaN stays NaN.
    @inline(__always)
    public func clamp(_ x: Double) -> Double {
        var v = x
        if let lower, v < lower { v = lower }
        if let upper, v > upper { v = upper }
        return v
    }

    public var description: String {
        "[\(lower.map { "\($0)" } ?? "-∞"), \(upper.map { "\($0)" } ?? "∞")]"
    }
}

extension ForecastDistribution {
    /// Clips every quantile and mean into `bounds`. Clipping is monotone, so quantiles that did
    /// not cross still do not. Returns whether anything changed.
    @discardableResult
    public mutating func clamp(to bounds: SupportBounds) -> Bool {
        guard !bounds.isUnbounded else { return false }
        var changed = false
        for h in 0..<mean.count {
            let m = bounds.clamp(mean[h])
            if m != mean[h] { mean[h] = m; changed = true }
            for k in 0..<quantiles[h].count {
                let q = bounds.clamp(quantiles[h][k])
                if q != quantiles[h][k] { quantiles[h][k] = q; changed = true }
            }
        }
        return changed
    }

    /// A copy clipped into `bounds`.
    public func clamped(to bounds: SupportBounds) -> ForecastDistribution {
        var copy = self
        copy.clamp(to: bounds)
        return copy
    }
}
