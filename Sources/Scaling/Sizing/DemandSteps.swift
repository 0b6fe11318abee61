import Calibration
import TimeSeries

/// Step 1 of a sizing decision: the level to size at, τ from the costs as corrected online by ACI.
public struct NewsvendorTarget: Sendable, Hashable, Codable {
    /// τ = c_miss / (c_miss + c_reserve).
    package var criticalRatio: Double
    public var missCost: Double
    public var reserveCost: Double
    /// 1 − α_t of the group's adaptive-conformal state (may lie outside (0, 1)).
    package var correctedLevel: Double
    /// Share of recorded intervals whose demand the sized quantile covered; nil before the first.
    package var observedCoverage: Double?
    public var observations: Int

    package init(costs: CostModel, aci: AdaptiveConformal) {
        criticalRatio = costs.criticalRatio
        missCost = costs.missCost
        reserveCost = costs.reserveCost
        correctedLevel = aci.level
        observedCoverage = aci.observedCoverage
        observations = aci.observations
    }
}

/// Step 2: the demand quantile at the corrected level over the steps within the lead time.
///
/// A shadow asked for now is ready only after the lead time, and the next decision's shadows
/// later still, so the pool decided now must cover the peak anywhere in that window, n =
/// ⌈leadTime / step⌉ steps clipped to 1…horizon: with `LeadWindow.maximum` (the default) the
/// level-quantile of the window's maximum demand (`WindowMaximum`, steps taken as independent);
/// with `.largestStep` the largest per-step quantile, which is below it unless the steps move
/// together (ACI then corrects the shortfall from the misses it sees).
public struct DemandQuantile: Sendable, Hashable, Codable {
    /// What the forecast gave.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A finite quantile `value`.
        case finite
        /// The corrected level is ≥ 1: size at the group's maximum.
        case unboundedAbove
        /// The corrected level is ≤ 0: no reserve.
        case unboundedBelow
        /// The forecast is empty or its quantiles are not finite: hold the pool as it is.
        case unavailable
    }

    public var kind: Kind
    /// The largest quantile over the window (nil unless `kind == .finite`).
    public var value: Double?
    /// The level it was read at.
    public var level: Double
    /// The step (1-based) where the largest quantile lies.
    public var step: Int?
    /// Steps in the window and the lead time that set it, in seconds.
    package var windowSteps: Int
    package var leadTime: Int64
    /// True when the level lies beyond the forecast's levels (Gaussian tail).
    package var extrapolated: Bool
    /// What ACI is told the pool was sized at, for the update once demand is seen.
    package var sizedAt: SizingQuantile?
    /// How the window was read (nil: decoded from before issue 17, `.largestStep`).
    package var window: LeadWindow?
    /// The largest per-step quantile, when `value` is the window maximum's quantile above it.
    package var largestStep: Double?

    /// Reads the quantile at `aci`'s level off `forecast` over the lead window.
    package init(forecast: ForecastDistribution, aci: AdaptiveConformal, leadTime: Int64,
                window rule: LeadWindow = .maximum) {
        level = aci.level
        self.leadTime = leadTime
        window = rule
        let step = max(forecast.grid.step, 1)
        // Capped so an absurd lead time cannot overflow; the horizon clips it anyway.
        let lead = min(leadTime, Int64(Int32.max))
        let wanted = lead <= 0 ? 1 : Int((lead + step - 1) / step)
        windowSteps = min(max(wanted, 1), forecast.horizon)
        kind = .unavailable
        extrapolated = false
        guard windowSteps >= 1 else { return }
        var best: (value: Double, step: Int, q: SizingQuantile)?
        for h in 1...windowSteps {
            switch aci.sizingQuantile(from: forecast, step: h) {
            case .unboundedAbove?:
                kind = .unboundedAbove
                sizedAt = .unboundedAbove
                return
            case .unboundedBelow?:
                kind = .unboundedBelow
                sizedAt = .unboundedBelow
                return
            case .finite(let v, let l, let x)?:
                guard v.isFinite else { return }
                if let b = best, v <= b.value { continue }
                best = (v, h, .finite(value: v, level: l, extrapolated: x))
                extrapolated = x
            case nil:
                return
            }
        }
        if let best {
            kind = .finite
            value = best.value
            self.step = best.step
            sizedAt = best.q
            if rule == .maximum, windowSteps > 1,
               let m = WindowMaximum.quantile(of: forecast, level: level, steps: windowSteps), m.value > best.value {
                largestStep = best.value
                value = m.value
                extrapolated = extrapolated || m.extrapolated
                sizedAt = .finite(value: m.value, level: level, extrapolated: extrapolated)
            }
        }
    }
}

/// Step 3: how many shadows close the gap between the demand quantile and the running capacity.
package struct Shortfall: Sendable, Hashable, Codable {
    public var quantile: Double
    public var running: Double
    public var unit: Double
    /// q − running, in capacity units (negative when running capacity already covers q).
    package var shortUnits: Double
    /// ⌈(q − running) / unit⌉, at least 0.
    public var shadows: Int

    /// Nil when an input is not finite or the unit is not positive.
    package init?(quantile: Double, running: Double, unit: Double) {
        guard quantile.isFinite, running.isFinite, unit.isFinite, unit > 0 else { return nil }
        self.quantile = quantile
        self.running = running
        self.unit = unit
        shortUnits = quantile - running
        shadows = Self.ceilShadows(shortUnits / unit)
    }

    /// The most shadows one group can ask for; beyond it a forecast is nonsense, not demand.
    package static let maximumShadows = 1_000_000

    /// ⌈x⌉ clamped to 0…maximumShadows, with x within 1e-9 of an integer taken as it: 120 / 40 in
    /// binary floating point can land a few ulps above 3 and must not ask for a fourth shadow.
    static func ceilShadows(_ x: Double) -> Int {
        guard x > 0 else { return 0 }
        guard x < Double(maximumShadows) else { return maximumShadows }
        let nearest = x.rounded()
        return abs(x - nearest) < 1e-9 ? Int(nearest) : Int(x.rounded(.up))
    }
}
