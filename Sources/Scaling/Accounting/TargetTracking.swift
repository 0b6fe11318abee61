/// The rule of target tracking: capacity per VM, the target utilisation, the VM bounds and the
/// cooldowns (`psm simulate`'s `--capacity-per-vm`, `--target-utilisation`, `--min-vms`,
/// `--max-vms`, `--scale-out-cooldown`, `--scale-in-cooldown`; a replay's regular autoscaler).
package struct TrackingRule: Sendable, Hashable {
    package var unit: Double
    package var threshold: Double
    package var minimumVMs: Int
    package var maximumVMs: Int
    package var scaleOutCooldown: Double
    package var scaleInCooldown: Double

    package init(unit: Double, threshold: Double, minimumVMs: Int, maximumVMs: Int,
                 scaleOutCooldown: Double, scaleInCooldown: Double) {
        self.unit = unit
        self.threshold = threshold
        self.minimumVMs = minimumVMs
        self.maximumVMs = maximumVMs
        self.scaleOutCooldown = scaleOutCooldown
        self.scaleInCooldown = scaleInCooldown
    }
}

/// Target tracking on utilisation with cooldowns: the live scaling every simulated policy shares,
/// and the regular autoscaler of an actuator replay (one path: docs/simulation.md, docs/actuator.md
/// "Replay").
///
/// desired = the least n with demand ≤ θ × n × unit (the activation trigger's own formula),
/// clipped to the VM bounds. A scale-out waits for `scaleOutCooldown` after the previous one; a
/// scale-in waits for `scaleInCooldown` after any scaling action, and removes VMs not yet serving first.
package struct TargetTracking: Sendable {
    package var rule: TrackingRule
    package private(set) var lastScaleOut = -Double.infinity
    package private(set) var lastAction = -Double.infinity

    package init(rule: TrackingRule) { self.rule = rule }

    package func clamp(_ n: Int) -> Int { min(max(n, rule.minimumVMs), rule.maximumVMs) }

    /// VMs that run `demand` at the target utilisation.
    package func desired(_ demand: Double) -> Int {
        clamp(ActivationTrigger.shadowsNeeded(demand: demand, running: 0, unit: rule.unit, threshold: rule.threshold))
    }

    private func elapsed(_ since: Double, _ now: Double, _ cooldown: Double) -> Bool {
        now - since >= cooldown - 1e-9
    }

    /// Moves the fleet towards `target` VMs; returns true when a cooldown held the move back.
    package mutating func track(_ target: Int, fleet: inout Fleet) -> Bool {
        let current = fleet.committed
        let now = fleet.now
        if target > current {
            guard elapsed(lastScaleOut, now, rule.scaleOutCooldown) else { return true }
            fleet.launch(target - current)
            noteScaleOut(at: now)
        } else if target < current {
            guard elapsed(lastAction, now, rule.scaleInCooldown) else { return true }
            fleet.terminate(current - target)
            lastAction = now
        }
        return false
    }

    /// Only scales in (towards `target`); true when the cooldown held it back.
    package mutating func scaleIn(to target: Int, fleet: inout Fleet) -> Bool {
        guard target < fleet.committed else { return false }
        return track(target, fleet: &fleet)
    }

    /// Records a scale-out made outside `track` (activations, forecast launches).
    package mutating func noteScaleOut(at now: Double) {
        lastScaleOut = now
        lastAction = now
    }
}
