import Foundation
import Scaling
import TimeSeries

/// The policies `psm simulate` compares.
package enum PolicyKind: String, Sendable, Hashable, Codable, CaseIterable {
    case reactive
    case predictiveBuffer = "predictive-buffer"
    case shadow

    /// Parses `reactive`, `predictive-buffer`, `shadow` or `all` (comma-separated lists allowed).
    package static func parseList(_ text: String) throws(SimulationError) -> [PolicyKind] {
        var out: [PolicyKind] = []
        for part in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces).lowercased() }) {
            if part == "all" {
                out += allCases
            } else if let kind = PolicyKind(rawValue: part) {
                out.append(kind)
            } else {
                throw SimulationError(.unknownPolicy, "unknown policy \"\(part)\"; choose reactive, predictive-buffer, shadow or all")
            }
        }
        guard !out.isEmpty else {
            throw SimulationError(.unknownPolicy, "no policy given; choose reactive, predictive-buffer, shadow or all")
        }
        var seen = Set<PolicyKind>()
        return out.filter { seen.insert($0).inserted }
    }
}

/// What a policy may know when it decides: the time, and the demand and forecasts issued up to
/// now. It never receives the trace itself, so it cannot read the future.
struct DecisionContext {
    /// The interval in progress and its forecast (issued at its start, from earlier demand only).
    var interval: Int
    var forecast: ForecastDistribution?
    var rawForecast: ForecastDistribution?
    /// The demand of the last completed interval (NaN when missing).
    var lastDemand: Double
    /// Wall-clock seconds of the interval's start (trace positions on a time axis).
    var clockSeconds: Int64
}

/// A scaling policy driven by the simulator at three kinds of decision points per interval.
protocol ScalingPolicy {
    /// Seconds into every interval at which `scheduled` runs (nil: never).
    var scheduleOffset: Double? { get }
    /// When `live` first runs in an interval and how often after (nil: the metric period's
    /// `detectionDelay` and `evaluationPeriod`).
    var liveTiming: (detection: Double, period: Double)? { get }
    /// At the interval's start.
    mutating func boundary(_ context: DecisionContext, fleet: inout Fleet)
    /// At `scheduleOffset` into the interval.
    mutating func scheduled(_ context: DecisionContext, fleet: inout Fleet)
    /// When the interval's demand is visible, then every evaluation period while this returns
    /// true (a cooldown held an action back).
    mutating func live(_ context: DecisionContext, demand: Double, fleet: inout Fleet) -> Bool
}

extension ScalingPolicy {
    var scheduleOffset: Double? { nil }
    var liveTiming: (detection: Double, period: Double)? { nil }
    mutating func boundary(_ context: DecisionContext, fleet: inout Fleet) {}
    mutating func scheduled(_ context: DecisionContext, fleet: inout Fleet) {}
}

extension TargetTracking {
    /// Target tracking with the run's rule (`TargetTracking` lives in Scaling: the actuator's
    /// replay drives its regular autoscaler with it too).
    init(parameters p: SimulationParameters) {
        self.init(rule: TrackingRule(unit: p.unitsPerVM, threshold: p.targetUtilisation, minimumVMs: p.minimumVMs,
                                     maximumVMs: p.maximumVMs, scaleOutCooldown: p.scaleOutCooldown,
                                     scaleInCooldown: p.scaleInCooldown))
    }
}
