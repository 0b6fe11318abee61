import Calibration
import TimeSeries

/// When live demand or the forecast calls for activating shadows (docs/actuator.md, "Triggers").
public struct TriggerPolicy: Sendable, Hashable, Codable {
    /// Activate when demand exceeds this share of running capacity (0 < x ≤ 1).
    package var utilisationThreshold: Double
    /// Seconds from deciding to activate to the shadow serving: the forecast activates ahead when
    /// the rise is due within this window.
    package var activationLeadTime: Int64
    /// The forecast quantile compared with the threshold (0.5 = the median); nil: live demand only.
    package var forecastLevel: Double?

    public init(utilisationThreshold: Double = 0.8, activationLeadTime: Int64 = 60,
                forecastLevel: Double? = 0.5) throws(SizingError) {
        guard utilisationThreshold > 0, utilisationThreshold <= 1 else {
            throw SizingError(.invalidPolicy, "trigger utilisation threshold must lie in (0, 1], got \(utilisationThreshold)")
        }
        guard activationLeadTime >= 0 else {
            throw SizingError(.invalidPolicy, "activation lead time must be ≥ 0 s, got \(activationLeadTime)")
        }
        if let forecastLevel, !(forecastLevel > 0 && forecastLevel < 1) {
            throw SizingError(.invalidPolicy, "trigger forecast level must lie in (0, 1), got \(forecastLevel)")
        }
        self.utilisationThreshold = utilisationThreshold
        self.activationLeadTime = activationLeadTime
        self.forecastLevel = forecastLevel
    }
}

/// What a trigger saw about one group this interval.
public struct TriggerInput: Sendable {
    public var group: String
    /// Live demand in capacity units (utilisation × capacity, or an application metric converted
    /// by the group's units-per-metric); NaN when no live value arrived.
    public var demand: Double
    /// Capacity units serving now, and what one activated shadow adds.
    public var running: Double
    public var unit: Double
    /// Parked shadows that can be activated now.
    public var readyShadows: Int
    /// The group's calibrated forecast from the next step on (nil: none).
    public var forecast: ForecastDistribution?

    public init(group: String, demand: Double, running: Double, unit: Double, readyShadows: Int,
                forecast: ForecastDistribution? = nil) {
        self.group = group
        self.demand = demand
        self.running = running
        self.unit = unit
        self.readyShadows = readyShadows
        self.forecast = forecast
    }
}

/// How many shadows to activate, and why.
public struct TriggerDecision: Sendable, Hashable, Codable {
    package enum Reason: String, Sendable, Hashable, Codable {
        case none, demand, forecast
    }
    public var group: String
    /// Shadows to activate now (at most the ready ones).
    public var activate: Int
    /// Shadows the load called for (may exceed `activate` when the pool is short: the rest is
    /// unserved until an on-demand launch arrives).
    package var wanted: Int
    package var reason: Reason
    /// The demand compared: the live value, or the forecast quantile that activated ahead.
    package var comparedDemand: Double
    /// Seconds ahead for a forecast trigger (0 for live demand).
    package var ahead: Int64
}

/// The activation trigger: a pure function of live demand, running capacity and the forecast,
/// shared by the actuator and the simulator.
public enum ActivationTrigger {
    /// Shadows needed so that `demand` stays within the threshold: the least k ≥ 0 with
    /// demand ≤ threshold × (running + k × unit).
    package static func shadowsNeeded(demand: Double, running: Double, unit: Double, threshold: Double) -> Int {
        guard demand.isFinite, running.isFinite, unit.isFinite, unit > 0, threshold > 0 else { return 0 }
        return Shortfall.ceilShadows((demand / threshold - max(running, 0)) / unit)
    }

    /// The decision for one group; `step` is the forecast's step in seconds.
    public static func evaluate(_ input: TriggerInput, policy: TriggerPolicy, step: Int64) -> TriggerDecision {
        let live = shadowsNeeded(demand: input.demand, running: input.running, unit: input.unit,
                                 threshold: policy.utilisationThreshold)
        var wanted = live
        var reason: TriggerDecision.Reason = live > 0 ? .demand : .none
        var compared = input.demand
        var ahead: Int64 = 0
        if let level = policy.forecastLevel, let forecast = input.forecast, step > 0, forecast.horizon >= 1 {
            let lead = min(policy.activationLeadTime, Int64(Int32.max))
            let steps = max(1, min(forecast.horizon, Int((lead + step - 1) / step)))
            for h in 1...steps {
                guard let q = forecast.interpolatedQuantile(level: level, step: h)?.value, q.isFinite else { continue }
                let k = shadowsNeeded(demand: q, running: input.running, unit: input.unit,
                                      threshold: policy.utilisationThreshold)
                if k > wanted {
                    wanted = k
                    reason = .forecast
                    compared = q
                    ahead = Int64(h) * step
                }
            }
        }
        return TriggerDecision(group: input.group, activate: min(wanted, max(input.readyShadows, 0)),
                               wanted: wanted, reason: reason, comparedDemand: compared, ahead: ahead)
    }
}
