import TimeSeries
import Scaling
/// The common autoscaler: target tracking on live utilisation with cooldowns and cold launches.
struct ReactivePolicy: ScalingPolicy {
    var tracking: TargetTracking

    init(parameters: SimulationParameters) {
        tracking = TargetTracking(parameters: parameters)
    }

    mutating func live(_ context: DecisionContext, demand: Double, fleet: inout Fleet) -> Bool {
        tracking.track(tracking.desired(demand), fleet: &fleet)
    }
}

/// Predictive scaling in the cloud providers' style: a point forecast plus a fixed buffer sets
/// each interval's capacity, launched a scheduling buffer ahead, with target tracking on top.
///
/// At `t_j − S` (S the scheduling buffer) the policy reads the mean of the forecast issued at
/// the last boundary before that moment, for interval j, and makes
/// P_j = ⌈mean × (1 + buffer) / (θ × unit)⌉ VMs available: it launches what is missing, and the
/// live scaling may not scale in below P_j until the next scheduled moment (AWS applies its
/// forecast as the group's minimum capacity the same way). Without a forecast it is reactive.
struct PredictiveBufferPolicy: ScalingPolicy {
    var tracking: TargetTracking
    let buffer: Double
    /// Intervals between the forecast's issue and the interval it provisions (⌈S / Δ⌉).
    let leadIntervals: Int
    let scheduleOffset: Double?
    /// The predictive minimum in force.
    private(set) var floor: Int

    init(parameters: SimulationParameters, interval: Double, buffer: Double) {
        tracking = TargetTracking(parameters: parameters)
        self.buffer = buffer
        let s = parameters.effectiveSchedulingBuffer
        let lead = s > 0 ? Int((s / interval).rounded(.up)) : 0
        leadIntervals = lead
        scheduleOffset = max(0, Double(lead) * interval - s)
        floor = parameters.minimumVMs
    }

    /// Forecast steps the policy reads (step 1 is the interval the forecast was issued for).
    static func horizon(parameters: SimulationParameters, interval: Double) -> Int {
        let s = parameters.effectiveSchedulingBuffer
        return (s > 0 ? Int((s / interval).rounded(.up)) : 0) + 1
    }

    mutating func scheduled(_ context: DecisionContext, fleet: inout Fleet) {
        let h = leadIntervals + 1
        guard let f = context.rawForecast, h <= f.horizon, f.mean[h - 1].isFinite else {
            floor = tracking.rule.minimumVMs
            return
        }
        floor = tracking.desired(max(f.mean[h - 1], 0) * (1 + buffer))
        if floor > fleet.committed {
            fleet.launch(floor - fleet.committed)
        }
    }

    mutating func live(_ context: DecisionContext, demand: Double, fleet: inout Fleet) -> Bool {
        tracking.track(max(tracking.desired(demand), floor), fleet: &fleet)
    }
}
