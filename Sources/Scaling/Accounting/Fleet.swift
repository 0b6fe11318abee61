/// What a policy did, for the decision log (tests use it to check walk-forward).
package struct FleetAction: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Hashable, Codable {
        /// On-demand VMs launched (cold boot).
        case launch
        /// VMs terminated.
        case terminate
        /// Parked shadows activated.
        case activate
        /// Shadows created (they boot, then park).
        case provision
        /// Shadows removed from the pool.
        case removeShadows
    }
    /// Seconds since the start of the simulation.
    public var time: Double
    public var kind: Kind
    public var count: Int

    package init(time: Double, kind: Kind, count: Int) {
        self.time = time
        self.kind = kind
        self.count = count
    }
}

/// One group's VMs and shadows under one policy, and the accounting of what they cost and serve.
///
/// Accounting (docs/simulation.md, "Accounting"):
/// - a VM is billed at the VM rate from the moment it is launched (or its shadow activated)
///   until it is terminated, booting included; it serves from launch + launch delay (or
///   activation + activation delay);
/// - a shadow is billed at the VM rate while it boots (the launch delay) and at the shadow rate
///   once parked, until it is activated or removed; only a parked shadow can be activated;
/// - capacity is units per VM × serving VMs, piecewise constant between events; the meter
///   integrates unserved demand and violation time over those pieces exactly.
package struct Fleet {
    public let unit: Double
    public let launchDelay: Double
    package let activationDelay: Double
    /// VMs serving now.
    package private(set) var serving = 0
    /// Times at which launched or activating VMs start serving, ascending.
    package private(set) var arriving: [Double] = []
    /// Shadows parked and ready to activate.
    package private(set) var parked = 0
    /// Times at which booting shadows park, ascending.
    package private(set) var provisioning: [Double] = []
    /// The time everything is accounted up to.
    package private(set) var now: Double

    // Totals.
    package private(set) var vmSeconds = 0.0
    package private(set) var shadowBootSeconds = 0.0
    package private(set) var shadowParkedSeconds = 0.0
    package private(set) var launches = 0
    package private(set) var activations = 0
    package private(set) var shadowsCreated = 0
    package private(set) var actions: [FleetAction]?

    package init(unit: Double, launchDelay: Double, activationDelay: Double, initialVMs: Int, at start: Double, logActions: Bool) {
        self.unit = unit
        self.launchDelay = launchDelay
        self.activationDelay = activationDelay
        serving = max(initialVMs, 0)
        now = start
        actions = logActions ? [] : nil
    }

    /// Running VMs, serving or on their way (what a scaler counts as its current capacity).
    package var committed: Int { serving + arriving.count }
    /// Shadows in the pool, parked or booting.
    public var pool: Int { parked + provisioning.count }
    public var capacity: Double { Double(serving) * unit }

    /// Accounts from `now` to `time` with `demand` constant, in pieces between arrivals.
    public mutating func advance(to time: Double, demand: Double, meter: inout Meter) {
        promote()
        while now < time {
            // After `promote`, every queued time lies after `now`, so each piece has a length.
            let end = min(time, arriving.first ?? .infinity, provisioning.first ?? .infinity)
            let dt = end - now
            vmSeconds += Double(serving + arriving.count) * dt
            shadowBootSeconds += Double(provisioning.count) * dt
            shadowParkedSeconds += Double(parked) * dt
            meter.piece(from: now, to: end, capacity: capacity, demand: demand)
            now = end
            promote()
        }
    }

    /// VMs and shadows whose delay has passed start serving or park.
    private mutating func promote() {
        var k = 0
        while k < arriving.count, arriving[k] <= now { k += 1 }
        if k > 0 { arriving.removeFirst(k); serving += k }
        k = 0
        while k < provisioning.count, provisioning[k] <= now { k += 1 }
        if k > 0 { provisioning.removeFirst(k); parked += k }
    }

    /// Launches `count` on-demand VMs now.
    public mutating func launch(_ count: Int) {
        guard count > 0 else { return }
        for _ in 0..<count { insert(now + launchDelay, into: &arriving) }
        launches += count
        log(.launch, count)
    }

    /// Activates up to `count` parked shadows now; returns how many were.
    @discardableResult
    public mutating func activate(_ count: Int) -> Int {
        let n = min(max(count, 0), parked)
        guard n > 0 else { return 0 }
        parked -= n
        for _ in 0..<n { insert(now + activationDelay, into: &arriving) }
        activations += n
        log(.activate, n)
        return n
    }

    /// Activates up to `count` shadows still booting (the earliest to park first); each serves
    /// once it would have parked, plus the activation delay. The simulator never does this (it
    /// activates parked shadows only); a replay does when the actuator activated a shadow its
    /// hypervisor made ready sooner than the launch delay the accounting charges (libvirt's test
    /// driver defines and pauses at once). Returns how many were.
    @discardableResult
    package mutating func activateBooting(_ count: Int) -> Int {
        let n = min(max(count, 0), provisioning.count)
        guard n > 0 else { return 0 }
        for t in provisioning.prefix(n) { insert(max(t, now) + activationDelay, into: &arriving) }
        provisioning.removeFirst(n)
        activations += n
        log(.activate, n)
        return n
    }

    /// Terminates `count` VMs now, those not yet serving first (the latest to arrive first).
    package mutating func terminate(_ count: Int) {
        var left = min(max(count, 0), committed)
        guard left > 0 else { return }
        log(.terminate, left)
        while left > 0, !arriving.isEmpty { arriving.removeLast(); left -= 1 }
        serving -= left
    }

    /// Starts `count` new shadows now; they park after the launch delay.
    public mutating func provision(_ count: Int) {
        guard count > 0 else { return }
        for _ in 0..<count { insert(now + launchDelay, into: &provisioning) }
        shadowsCreated += count
        log(.provision, count)
    }

    /// Removes `count` shadows from the pool, booting ones first.
    package mutating func removeShadows(_ count: Int) {
        var left = min(max(count, 0), pool)
        guard left > 0 else { return }
        log(.removeShadows, left)
        while left > 0, !provisioning.isEmpty { provisioning.removeLast(); left -= 1 }
        parked -= left
    }

    private func insert(_ t: Double, into list: inout [Double]) {
        // Delays are constant, so new times are never earlier than those queued: append keeps order.
        if let last = list.last, last > t {
            let i = list.firstIndex { $0 > t } ?? list.count
            list.insert(t, at: i)
        } else {
            list.append(t)
        }
    }

    private mutating func log(_ kind: FleetAction.Kind, _ count: Int) {
        if actions != nil { actions?.append(FleetAction(time: now, kind: kind, count: count)) }
    }
}
