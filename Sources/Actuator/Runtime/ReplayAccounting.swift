import Scaling

/// What a replay assumes of the world around the actuator — the delays and the regular
/// autoscaler `psm simulate` assumes (docs/simulation.md, "Accounting"), so that the two agree on
/// the same trace, policy and parameters (docs/actuator.md, "Replay").
package struct ReplayAccounting: Sendable, Hashable {
    /// Seconds from activating a ready shadow to it serving (`psm simulate --activation-delay`).
    package var activationDelay: Double
    /// Cooldowns of the regular autoscaler that launches on demand what the pool does not cover
    /// and scales those VMs in (`--scale-out-cooldown`, `--scale-in-cooldown`).
    package var scaleOutCooldown: Double
    package var scaleInCooldown: Double
    /// Utilisation above which an instant counts as an SLO violation (`--slo-utilisation`).
    package var sloUtilisation: Double

    package init(activationDelay: Double = 0.043, scaleOutCooldown: Double = 300, scaleInCooldown: Double = 300,
                sloUtilisation: Double = 1) {
        self.activationDelay = activationDelay
        self.scaleOutCooldown = scaleOutCooldown
        self.scaleInCooldown = scaleInCooldown
        self.sloUtilisation = sloUtilisation
    }
}

/// One group's world in a replay: its VMs and shadows (`Fleet`), what demand they left unserved
/// (`Meter`) and the regular autoscaler (`TargetTracking`) — the simulator's own accounting, from
/// Scaling — mirrored from what the actuator runtime did.
struct ReplayGroupBook {
    let unit: Double
    /// VMs the group runs at the start (its configured or measured running capacity): the
    /// regular autoscaler never scales in below them.
    let baseVMs: Int
    var fleet: Fleet
    var meter: Meter
    var tracking: TargetTracking
    /// Activated shadows the actuator still holds (it retires them itself: scale-in).
    var activeShadows = 0
    /// The last observed demand: a rise is measured against it.
    var lastObserved = Double.nan

    /// - Parameters:
    ///   - running: the runtime's running capacity at the start, `active` of them activated
    ///     shadows (a store an earlier run left): those are the actuator's to retire.
    init(unit: Double, running: Double, active: Int = 0, threshold: Double, launchDelay: Double, accounting a: ReplayAccounting) {
        self.unit = unit
        let own = running - Double(active) * unit
        baseVMs = own > 0 ? Int((own / unit - 1e-9).rounded(.up)) : 0
        activeShadows = active
        fleet = Fleet(unit: unit, launchDelay: launchDelay, activationDelay: a.activationDelay, initialVMs: baseVMs + active,
                      at: 0, logActions: false)
        meter = Meter(slo: a.sloUtilisation)
        tracking = TargetTracking(rule: TrackingRule(unit: unit, threshold: threshold, minimumVMs: baseVMs, maximumVMs: 10_000,
                                                     scaleOutCooldown: a.scaleOutCooldown, scaleInCooldown: a.scaleInCooldown))
    }

    /// Capacity units the regular VMs launched on demand add to the runtime's running capacity.
    var onDemandUnits: Double { Double(max(fleet.committed - baseVMs - activeShadows, 0)) * unit }

    /// Accounts up to `time` with `demand` constant (the simulator's pieces).
    mutating func advance(to time: Double, demand: Double) {
        fleet.advance(to: time, demand: demand, meter: &meter)
    }

    /// Opens a rise at `time` when `demand` needs more VMs than the last observed demand did
    /// (the simulator's rule: ⌈d / unit⌉ steps).
    mutating func observe(_ demand: Double, at time: Double) {
        guard demand.isFinite else { return }
        func vms(_ d: Double) -> Int { ActivationTrigger.shadowsNeeded(demand: d, running: 0, unit: unit, threshold: 1) }
        if lastObserved.isFinite, vms(demand) > vms(lastObserved) { meter.openRise(at: time, level: demand) }
        lastObserved = demand
    }

    /// Mirrors `count` activations the actuator made now: parked shadows first, then (a shadow
    /// the hypervisor readied sooner than the launch delay) booting ones, serving once parked.
    mutating func activated(_ count: Int) {
        guard count > 0 else { return }
        let parked = fleet.activate(count)
        fleet.activateBooting(count - parked)
        activeShadows += count
        tracking.noteScaleOut(at: fleet.now)
    }

    /// The live step after the actuator's live trigger activated `activated` shadows, with the
    /// committed VMs before it: what live demand needs beyond them comes up cold (the shadow
    /// policy's live step in `psm simulate`); with nothing needed, the regular autoscaler scales
    /// its on-demand VMs in. Returns true when a cooldown held a scale-in back.
    mutating func live(demand: Double, committedBefore: Int, activated: Int, threshold: Double) -> Bool {
        let wanted = ActivationTrigger.shadowsNeeded(demand: demand, running: Double(committedBefore) * unit, unit: unit,
                                                     threshold: threshold)
        if wanted > 0 {
            let free = max(tracking.rule.maximumVMs - fleet.committed, 0)
            let cold = min(max(wanted - activated, 0), free)
            fleet.launch(cold)
            if activated + cold > 0 { tracking.noteScaleOut(at: fleet.now) }
            return false
        }
        tracking.rule.minimumVMs = baseVMs + activeShadows
        return tracking.scaleIn(to: tracking.desired(demand), fleet: &fleet)
    }
}
