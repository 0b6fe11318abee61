import Foundation
import Scaling

/// Everything a simulation run is configured by: capacity, delays, policy settings, costs and
/// the walk-forward forecasting schedule. Defaults are documented in docs/simulation.md and
/// docs/configuration.md; times are seconds, costs are per interval of the trace.
package struct SimulationParameters: Sendable, Hashable, Codable {
    // MARK: Capacity

    /// Capacity units one VM (or one activated shadow) serves.
    package var unitsPerVM = 1.0
    /// Target utilisation θ: the reactive policy's target, the predictive policy's sizing
    /// utilisation and the activation trigger's threshold, so all three run VMs equally hot.
    package var targetUtilisation = 0.7
    /// Fewest and most running VMs per group (every policy).
    package var minimumVMs = 1
    package var maximumVMs = 10_000
    /// Utilisation above which an instant counts as an SLO violation (1: demand above capacity).
    package var sloUtilisation = 1.0

    // MARK: Delays

    /// Seconds from launching an on-demand VM to it serving (cold boot; the tiny real guest
    /// measured 4.7–8 s, docs/benchmarks.md; cloud VMs take minutes).
    package var launchDelay = 8.0
    /// Seconds from activating a parked shadow to it serving (measured paused resume 43 ms;
    /// a saved shadow takes about 0.65 s).
    package var activationDelay = 0.043
    /// Seconds from an interval's start until its demand is visible to live decisions (metric
    /// period and alarm evaluation).
    package var detectionDelay = 60.0
    /// Seconds between live evaluations within an interval once demand is visible.
    package var evaluationPeriod = 60.0
    /// Seconds from an interval's start until the shadow policy's live trigger sees its demand,
    /// and between its later evaluations: psm's collector interval (`[actuator.collect] interval`,
    /// 10 s), after every collection of which the actuator runs its live trigger
    /// (`ActuatorRuntime.liveTrigger`). The other policies see the metric period (`detectionDelay`).
    package var triggerDetection = 10.0

    // MARK: Reactive target tracking (shared by every policy's live scaling)

    /// Seconds after a scale-out before the next scale-out.
    package var scaleOutCooldown = 300.0
    /// Seconds after any scaling action before a scale-in.
    package var scaleInCooldown = 300.0

    // MARK: Predictive buffer

    /// Capacity above the point forecast: desired = ⌈mean × (1 + buffer) / (θ × unit)⌉.
    package var buffer = 0.1
    /// Seconds ahead of each interval its forecast capacity is launched; nil: the launch delay.
    package var schedulingBuffer: Double?

    // MARK: Shadows

    /// The sizer's critical ratio; nil: τ = c_miss / (c_miss + c_reserve) from the costs.
    package var tau: Double?
    /// The fewest and most shadows a group's pool may hold (the sizer's group bounds).
    package var minimumShadows = 0
    package var maximumShadows = 20
    /// Seconds the sizer's pool shrink waits (its hysteresis cooldown).
    package var shadowCooldown = 900.0
    /// γ of the sizer's adaptive conformal correction.
    package var aciLearningRate = 0.005
    /// The forecast quantile the trigger activates ahead on; nil: live demand only.
    package var triggerLevel: Double? = 0.5
    /// Raise the trigger's forecast level to the cost level (`AheadLevel`: activate ahead while
    /// a miss waiting for the live trigger costs more than running the shadow); false: the
    /// configured level as it is.
    package var aheadLevelFromCosts: Bool {
        get { aheadRule == .cost }
        set { aheadRule = newValue ? .cost : .fixed }
    }
    /// How the trigger's forecast level (and the running headroom's) is chosen.
    package var aheadRule = AheadRule.fixed
    /// How the sizer reads its lead window (`LeadWindow`, shared with the actuator).
    package var leadWindow = LeadWindow.maximum
    /// What a shadow's miss is priced at when the pool is sized (`PoolPricing`).
    package var poolPricing = PoolPricing.interval
    /// Launch, a launch delay ahead of each interval, what the ahead level's forecast quantile
    /// needs beyond the running VMs and the ready pool (running headroom beside the pool).
    package var aheadLaunch = true
    /// Seconds ahead the trigger looks at the forecast.
    package var activationLeadTime = 60.0
    /// Hand running capacity and the shadow unit to the sizer at the trigger's threshold θ (true),
    /// or at full capacity (false, what the actuator runtime does today).
    package var sizeAtThreshold = true

    // MARK: Costs (per interval)

    /// Cost of one running (or launching) VM for one interval.
    package var vmCost = 1.0
    /// Cost of one parked shadow for one interval (a booting shadow costs `vmCost`).
    package var shadowCost = 0.25
    /// Cost of one capacity unit of demand unserved for one interval; nil: 5 × vmCost / unitsPerVM.
    package var missCost: Double?

    // MARK: Forecasting (walk-forward)

    /// `arima`, `ets`, `theta` or `seasonal-naive`.
    package var model = "arima"
    /// `auto` (order chosen once per group by AutoARIMA, refitted at every retrain) or `p,d,q`.
    package var arimaOrder = "auto"
    /// Fourier harmonics of the season for a fixed ARIMA order.
    package var fourierHarmonics = 3
    /// Seasonal period in intervals; nil: one day when the interval divides a day, else none.
    package var season: Int?
    /// Seconds of history each fit sees; the simulation starts after the first window.
    package var trainingWindow = 3.0 * 86_400
    /// Seconds between refits.
    package var retrainEvery = 86_400.0
    /// Seconds of past walk-forward forecasts the conformal calibration is fitted on (the
    /// forecasts issued in that window whose outcome is known).
    package var calibrationWindow = 86_400.0
    /// Quantile levels the forecasts carry.
    package var levels = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99]
    /// Seconds per interval for integer-indexed traces (time-axis traces use their own step).
    package var indexInterval = 300.0

    package init() {}

    /// The miss cost in force.
    package var effectiveMissCost: Double { missCost ?? 5 * vmCost / unitsPerVM }
    /// The scheduling buffer in force.
    package var effectiveSchedulingBuffer: Double { schedulingBuffer ?? launchDelay }
    /// τ in force: the override, or the newsvendor ratio of the miss cost and the shadow cost per unit.
    package var effectiveTau: Double {
        if let tau { return tau }
        let reserve = shadowCost / unitsPerVM
        return effectiveMissCost / (effectiveMissCost + reserve)
    }

    /// Throws the first parameter out of range, naming its flag.
    package func validate() throws(SimulationError) {
        func fail(_ text: String) -> SimulationError { SimulationError(.invalidParameter, text) }
        func positive(_ v: Double, _ flag: String) throws(SimulationError) {
            guard v.isFinite, v > 0 else { throw fail("\(flag) must be positive and finite, got \(v)") }
        }
        func nonNegative(_ v: Double, _ flag: String) throws(SimulationError) {
            guard v.isFinite, v >= 0 else { throw fail("\(flag) must be ≥ 0 and finite, got \(v)") }
        }
        try positive(unitsPerVM, "--capacity-per-vm")
        guard targetUtilisation > 0, targetUtilisation <= 1 else {
            throw fail("--target-utilisation must lie in (0, 1], got \(targetUtilisation)")
        }
        guard minimumVMs >= 0, maximumVMs >= max(minimumVMs, 1) else {
            throw fail("--min-vms and --max-vms need 0 ≤ min ≤ max and max ≥ 1, got \(minimumVMs)…\(maximumVMs)")
        }
        try positive(sloUtilisation, "--slo-utilisation")
        try nonNegative(launchDelay, "--launch-delay")
        try nonNegative(activationDelay, "--activation-delay")
        try nonNegative(detectionDelay, "--detection-delay")
        try positive(evaluationPeriod, "--evaluation-period")
        try positive(triggerDetection, "--trigger-detection")
        try nonNegative(scaleOutCooldown, "--scale-out-cooldown")
        try nonNegative(scaleInCooldown, "--scale-in-cooldown")
        guard buffer.isFinite, buffer > -1 else { throw fail("--buffer must be > −1 and finite, got \(buffer)") }
        if let schedulingBuffer { try nonNegative(schedulingBuffer, "--scheduling-buffer") }
        if let tau, !(tau > 0 && tau < 1) { throw fail("--tau must lie strictly inside (0, 1), got \(tau)") }
        guard maximumShadows >= 0 else { throw fail("--max-shadows must be ≥ 0, got \(maximumShadows)") }
        guard minimumShadows >= 0, minimumShadows <= maximumShadows else {
            throw fail("--min-shadows must lie in 0…--max-shadows (\(maximumShadows)), got \(minimumShadows)")
        }
        try nonNegative(shadowCooldown, "--shadow-cooldown")
        guard aciLearningRate > 0, aciLearningRate <= 1 else {
            throw fail("--aci-rate must lie in (0, 1], got \(aciLearningRate)")
        }
        if let triggerLevel, !(triggerLevel > 0 && triggerLevel < 1) {
            throw fail("--trigger-level must lie strictly inside (0, 1), got \(triggerLevel)")
        }
        try nonNegative(activationLeadTime, "--activation-lead")
        try positive(vmCost, "--vm-cost")
        try positive(shadowCost, "--shadow-cost")
        if let missCost { try positive(missCost, "--miss-cost") }
        guard ["arima", "ets", "theta", "seasonal-naive"].contains(model) else {
            throw fail("--model must be arima, ets, theta or seasonal-naive, got \"\(model)\"")
        }
        _ = try ARIMAOrderChoice.parse(arimaOrder)
        guard fourierHarmonics >= 0 else { throw fail("--fourier-harmonics must be ≥ 0, got \(fourierHarmonics)") }
        if let season, season < 1 { throw fail("--season must be at least 1, got \(season)") }
        try positive(trainingWindow, "--training-window")
        try positive(retrainEvery, "--retrain-every")
        try nonNegative(calibrationWindow, "--calibration-window")
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 && $0 < 1 }), zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }),
              levels.count >= 2 else {
            throw fail("quantile levels must be at least two, strictly increasing inside (0, 1), got \(levels)")
        }
        try positive(indexInterval, "--interval")
    }
}

/// How the ARIMA order is chosen.
package enum ARIMAOrderChoice: Sendable, Hashable {
    /// AutoARIMA picks it on each group's first training window.
    case auto
    /// A fixed (p, d, q) with Fourier terms for the season.
    case fixed(p: Int, d: Int, q: Int)

    /// Parses `auto` or `p,d,q` (each 0…5, d ≤ 2).
    package static func parse(_ text: String) throws(SimulationError) -> ARIMAOrderChoice {
        if text == "auto" { return .auto }
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let p = parts[0], let d = parts[1], let q = parts[2],
              (0...5).contains(p), (0...2).contains(d), (0...5).contains(q) else {
            throw SimulationError(.invalidParameter, "--arima-order must be auto or p,d,q (p, q in 0…5, d in 0…2), got \"\(text)\"")
        }
        return .fixed(p: p, d: d, q: q)
    }
}

/// How the shadow policy's trigger level (activation ahead and the running headroom) is chosen.
package enum AheadRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// `--trigger-level` as it is.
    case fixed
    /// Raised to the cost level `AheadLevel` when that is higher.
    case cost
    /// Raised to τ, the sizer's critical ratio, when that is higher (capped at `AheadLevel.defaultCeiling`).
    case tau
}

/// What the sizer prices a miss a shadow avoids at.
package enum PoolPricing: String, Sendable, Hashable, Codable, CaseIterable {
    /// A whole interval's c_miss: the pool's critical ratio is τ.
    case interval
    /// The launch delay's share of it, c_miss × S / Δ: a shadow the live trigger activates saves
    /// the cold boot the demand would otherwise wait on top of detection, no more.
    case launch
}
