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

/// Target tracking on utilisation with cooldowns: the live scaling every policy shares.
///
/// desired = the least n with demand ≤ θ × n × unit (the activation trigger's own formula),
/// clipped to the VM bounds. A scale-out waits for `scaleOutCooldown` after the previous one; a
/// scale-in waits for `scaleInCooldown` after any scaling action, and removes VMs not yet serving first.
struct TargetTracking {
    let parameters: SimulationParameters
    private(set) var lastScaleOut = -Double.infinity
    private(set) var lastAction = -Double.infinity

    init(parameters: SimulationParameters) { self.parameters = parameters }

    func clamp(_ n: Int) -> Int { min(max(n, parameters.minimumVMs), parameters.maximumVMs) }

    /// VMs that run `demand` at the target utilisation.
    func desired(_ demand: Double) -> Int {
        clamp(ActivationTrigger.shadowsNeeded(demand: demand, running: 0, unit: parameters.unitsPerVM,
                                              threshold: parameters.targetUtilisation))
    }

    private func elapsed(_ since: Double, _ now: Double, _ cooldown: Double) -> Bool {
        now - since >= cooldown - 1e-9
    }

    /// Moves the fleet towards `target` VMs; returns true when a cooldown held the move back.
    mutating func track(_ target: Int, fleet: inout Fleet) -> Bool {
        let current = fleet.committed
        let now = fleet.now
        if target > current {
            guard elapsed(lastScaleOut, now, parameters.scaleOutCooldown) else { return true }
            fleet.launch(target - current)
            noteScaleOut(at: now)
        } else if target < current {
            guard elapsed(lastAction, now, parameters.scaleInCooldown) else { return true }
            fleet.terminate(current - target)
            lastAction = now
        }
        return false
    }

    /// Only scales in (towards `target`); true when the cooldown held it back.
    mutating func scaleIn(to target: Int, fleet: inout Fleet) -> Bool {
        guard target < fleet.committed else { return false }
        return track(target, fleet: &fleet)
    }

    /// Records a scale-out made outside `track` (activations, forecast launches).
    mutating func noteScaleOut(at now: Double) {
        lastScaleOut = now
        lastAction = now
    }
}
