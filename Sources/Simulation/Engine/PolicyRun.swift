import Scaling

/// What one policy did to one group: the raw totals behind `PolicyMetrics`.
package struct PolicyOutcome: Sendable {
    package var policy: PolicyKind
    package var group: String
    /// Unit·seconds of demand above capacity; seconds in violation; seconds with known demand.
    package var unservedUnitSeconds = 0.0
    /// The same in VMs' worth of capacity (unit·seconds ÷ units per VM).
    package var unservedVMSeconds = 0.0
    package var violationSeconds = 0.0
    package var observedSeconds = 0.0
    package var simulatedSeconds = 0.0
    /// Seconds from each rise to capacity covering it (censored rises count to the trace's end).
    package var timesToCapacity: [Double] = []
    package var rises = 0
    package var censoredRises = 0
    /// Costs in the trace's cost unit (per-interval prices × intervals).
    package var vmCost = 0.0
    package var shadowCost = 0.0
    package var unservedCost = 0.0
    package var vmHours = 0.0
    package var shadowHours = 0.0
    package var launches = 0
    package var activations = 0
    package var shadowsCreated = 0
    /// Every action, when asked for (tests of the walk-forward guarantee).
    package var actions: [FleetAction]?
    /// Capacity at the end of every simulated interval and the unserved unit·seconds in it, when asked for (plots).
    package var capacity: [Double]?
    package var unserved: [Double]?
}

/// Replays one group's trace through one policy.
///
/// Per interval i (time t_i): a rise is opened when ⌈d_i / unit⌉ > ⌈d_j / unit⌉, d_j the last
/// observed demand before i; the policy
/// decides at t_i with the demand up to i − 1 and the forecast issued at t_i; at its schedule
/// offset if it has one; and once d_i is visible, at t_i + detection delay, then every
/// evaluation period while a cooldown holds it back (the policy's own `liveTiming` when it has
/// one: the shadow policy's live trigger sees demand at the collector's interval). The fleet is accounted piece by piece.
enum PolicyRun {
    struct Options {
        var logActions = false
        var keepSeries = false
    }

    static func run<P: ScalingPolicy>(_ policy: inout P, kind: PolicyKind, trace: GroupTrace, stream: ForecastStream,
                                      parameters p: SimulationParameters, start: Int, clockStart: Int64,
                                      options: Options = Options()) -> PolicyOutcome {
        let interval = trace.interval
        let n = trace.count
        var outcome = PolicyOutcome(policy: kind, group: trace.group)
        guard start >= 1, start < n else { return outcome }
        let tracking = TargetTracking(parameters: p)
        var fleet = Fleet(unit: p.unitsPerVM, launchDelay: p.launchDelay, activationDelay: p.activationDelay,
                          initialVMs: tracking.desired(trace.demand[..<start].last(where: \.isFinite) ?? 0),
                          at: 0, logActions: options.logActions)
        var meter = Meter(slo: p.sloUtilisation)
        let timing = policy.liveTiming ?? (p.detectionDelay, p.evaluationPeriod)
        let live = liveOffsets(interval: interval, detection: timing.detection, period: timing.period)
        let schedule = policy.scheduleOffset
        if options.keepSeries {
            outcome.capacity = []
            outcome.unserved = []
        }
        // The last observed demand: a rise is measured against it, across a gap if need be.
        var lastObserved = trace.demand[..<start].last(where: \.isFinite) ?? .nan
        for i in start..<n {
            let t = Double(i - start) * interval
            let d = trace.demand[i], previous = trace.demand[i - 1]
            fleet.advance(to: t, demand: d, meter: &meter)
            if d.isFinite {
                if lastObserved.isFinite, vms(d, p.unitsPerVM) > vms(lastObserved, p.unitsPerVM) {
                    meter.openRise(at: t, level: d)
                }
                lastObserved = d
            }
            let before = meter.unservedUnitSeconds
            let context = DecisionContext(interval: i, forecast: stream.forecast(at: i), rawForecast: stream.rawForecast(at: i),
                                          lastDemand: previous,
                                          clockSeconds: clockStart + Int64((Double(i - start) * interval).rounded()))
            policy.boundary(context, fleet: &fleet)
            var scheduleDone = schedule == nil
            var watching = d.isFinite
            for offset in live {
                if !scheduleDone, let s = schedule, s <= offset {
                    fleet.advance(to: t + s, demand: d, meter: &meter)
                    policy.scheduled(context, fleet: &fleet)
                    scheduleDone = true
                }
                guard watching else { continue }
                fleet.advance(to: t + offset, demand: d, meter: &meter)
                watching = policy.live(context, demand: d, fleet: &fleet)
            }
            if !scheduleDone, let s = schedule {
                fleet.advance(to: t + s, demand: d, meter: &meter)
                policy.scheduled(context, fleet: &fleet)
            }
            fleet.advance(to: t + interval, demand: d, meter: &meter)
            if options.keepSeries {
                outcome.capacity?.append(fleet.capacity)
                outcome.unserved?.append(meter.unservedUnitSeconds - before)
            }
        }
        let end = Double(n - start) * interval
        meter.finish(at: end)

        outcome.unservedUnitSeconds = meter.unservedUnitSeconds
        outcome.unservedVMSeconds = meter.unservedUnitSeconds / p.unitsPerVM
        outcome.violationSeconds = meter.violationSeconds
        outcome.observedSeconds = meter.observedSeconds
        outcome.simulatedSeconds = end
        outcome.timesToCapacity = meter.timesToCapacity
        outcome.rises = meter.rises
        outcome.censoredRises = meter.censored
        outcome.vmCost = p.vmCost * fleet.vmSeconds / interval
        outcome.shadowCost = (p.vmCost * fleet.shadowBootSeconds + p.shadowCost * fleet.shadowParkedSeconds) / interval
        outcome.unservedCost = p.effectiveMissCost * meter.unservedUnitSeconds / interval
        outcome.vmHours = fleet.vmSeconds / 3600
        outcome.shadowHours = (fleet.shadowBootSeconds + fleet.shadowParkedSeconds) / 3600
        outcome.launches = fleet.launches
        outcome.activations = fleet.activations
        outcome.shadowsCreated = fleet.shadowsCreated
        outcome.actions = fleet.actions
        return outcome
    }

    /// VMs a demand needs at full utilisation: rises are counted in these steps.
    static func vms(_ demand: Double, _ unit: Double) -> Int {
        ActivationTrigger.shadowsNeeded(demand: demand, running: 0, unit: unit, threshold: 1)
    }

    /// Live evaluation times within an interval: detection, detection + period, … (< interval).
    static func liveOffsets(interval: Double, detection: Double, period: Double) -> [Double] {
        var out: [Double] = []
        var t = detection
        while t < interval - 1e-9, out.count < 10_000 {
            out.append(t)
            t += period
        }
        return out
    }
}
