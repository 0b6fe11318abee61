import Foundation
import Hypervisor
import MetricStore
import Scaling

/// Why an activation could not start or finish.
public struct ActivationError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No such shadow, or no ready shadow in the group.
        case noShadow
        /// The shadow is not ready (someone else is activating it, or it is active already).
        case notReady
        /// A step failed; the activation was rolled back (or left for the reconciler to repair).
        case stepFailed
        /// The store could not record it.
        case store
    }
    public var kind: Kind
    public var message: String
    /// The activation's record when one was written (its outcome says how it ended).
    public var record: ActivationRecord?
    public var description: String { message }
}

/// The activation sequence (DESIGN.md, "Activation"): claim the shadow → restore it if saved →
/// scale vCPUs and memory live to the predicted size (the full size when none is given) → resume →
/// monitoring → routing → tag and record.
///
/// Every step is idempotent, so a retried request or the reconciler can run it again. The claim is
/// the store's compare-and-set (ready → activating, keyed by the activation id), so a shadow is
/// activated at most once however many callers race. A failure before the guest runs rolls back
/// (balloon back to the baseline, shadow ready again); a monitoring failure after it runs is
/// retried with backoff and then rolled back too (monitoring withdrawn, guest paused again). When
/// even the roll-back fails, the record stays `activating` and the reconciler's adoption repairs it.
/// A routing failure does not roll back: the activation succeeds with its route recorded `failed`
/// (`MetricStore.route(activation:)`), and the runtime retries the route each cycle (RouteKeeper).
public struct Activator: Sendable {
    public let store: any ActuatorStore
    /// The hypervisor of each host, by host name.
    public let hypervisors: [String: any Hypervisor]
    public let router: any TrafficRouter
    /// Routes activated VMs (names, addresses, the store's route records, failure counts).
    package let routes: RouteKeeper
    public let monitoring: any MonitoringTargets
    public let clock: any WallClock
    package var retry: RetryPolicy
    /// The groups this actuator holds: claims and outcomes carry their fence (several actuators).
    public var leases = LeaseBook(enabled: false)

    public init(store: any ActuatorStore, hypervisors: [String: any Hypervisor], router: any TrafficRouter = NoTrafficRouter(),
                monitoring: any MonitoringTargets, clock: any WallClock, retry: RetryPolicy = RetryPolicy(),
                routing: RoutingConfiguration = RoutingConfiguration(), metrics: ActuatorMetrics = ActuatorMetrics()) {
        self.store = store
        self.hypervisors = hypervisors
        self.router = router
        self.routes = RouteKeeper(router: router, settings: routing, store: store, clock: clock, metrics: metrics)
        self.monitoring = monitoring
        self.clock = clock
        self.retry = retry
    }

    /// Activates `shadowID` under the idempotency key `activationID`. The same key again returns
    /// the activation already recorded (finished or, if it is still running elsewhere, open).
    ///
    /// `target` is the size one VM is predicted to need (`ActivationSizing`); the scale step sets it
    /// within the shadow's baseline and full size. Nil: the full size.
    public func activate(shadowID: String, activationID: String,
                         target: ActivationTarget? = nil) async throws(ActivationError) -> ActivationRecord {
        let started = ContinuousClock.now
        var latencies: [String: Double] = [:]
        func lap(_ step: String, since t: ContinuousClock.Instant) {
            let d = ContinuousClock.now - t
            latencies[step] = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        // 1. Claim.
        let claim: ActivationClaim
        // Under leases the claim carries the group's fence: refused (nothing written, no domain
        // touched) when this actuator no longer holds the group.
        let group = leases.enabled ? (try? store.shadow(id: shadowID))?.group : nil
        do {
            let now = clock.now()
            claim = try store.beginActivation(id: activationID, shadow: shadowID, at: now,
                                              fence: group.flatMap { leases.fence($0, at: now) })
        } catch {
            if let group { leases.refused(error, group: group) }
            throw ActivationError(kind: .store, message: "cannot record activation \(activationID): \(error)")
        }
        let shadow: ShadowRecord
        switch claim {
        case .existing(let record):
            return record
        case .refused(nil):
            throw ActivationError(kind: .noShadow, message: "no shadow \(shadowID)")
        case .refused(let state?):
            throw ActivationError(kind: .notReady, message: "shadow \(shadowID) is \(state.rawValue), not ready")
        case .started:
            guard let s = try? store.shadow(id: shadowID) else {
                throw ActivationError(kind: .store, message: "shadow \(shadowID) vanished after its claim")
            }
            shadow = s
        }
        lap("claim", since: started)
        guard let hypervisor = hypervisors[shadow.host] else {
            return try finish(activationID, .failed, latencies,
                              "shadow \(shadowID) is on host \(shadow.host), which this actuator has no connection to")
        }
        let domain = shadow.domainName
        let fullSize = ActivationSize(vcpus: shadow.fullVCPUs, memoryMiB: shadow.fullMemoryMiB)
        let predicted = target.flatMap { ActivationSizing.predicted($0, full: fullSize, units: shadow.reservedUnits) }
        let applied = ActivationSizing.applied(predicted, baseline: ActivationSize(vcpus: shadow.baselineVCPUs,
                                                                                   memoryMiB: shadow.baselineMemoryMiB),
                                               full: fullSize)
        let size = ResourceSize(vcpus: Int(applied.vcpus), memoryKiB: UInt64(applied.memoryMiB) * 1024)
        let baselineKiB = UInt64(shadow.baselineMemoryMiB) * 1024
        var resumed = false
        do throws(HypervisorError) {
            // 2. A saved shadow comes back first (paused on QEMU, running on the test driver).
            var t = ContinuousClock.now
            var state = try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.info(domain).state }
            if state == .saved || state == .shutoff {
                state = try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.restore(domain) }
                lap("restore", since: t)
            }
            // 3. Scale to the predicted size within baseline…full (idempotent: setting the size it
            //    has is a no-op); the record keeps what was predicted and what was set.
            t = ContinuousClock.now
            try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.setVCPUs(domain, to: size.vcpus) }
            try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.setMemory(domain, toKiB: size.memoryKiB) }
            _ = try? store.recordActivationSize(id: activationID, predicted: predicted, applied: applied)
            lap("scale", since: t)
            // 4. Running.
            t = ContinuousClock.now
            if state != .running {
                do {
                    try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.resume(domain) }
                } catch where error.code == .notPaused {
                    // Someone resumed it (or the driver restored it running): fine if it runs now.
                    guard try await hypervisor.info(domain).state == .running else { throw error }
                }
            }
            resumed = true
            lap("resume", since: t)
        } catch {
            return try await rollBack(shadow, activationID, latencies, resumed: resumed, baselineKiB: baselineKiB,
                                      hypervisor: hypervisor, reason: "\(error)")
        }
        // 5. Monitoring.
        do throws(RoutingError) {
            let t = ContinuousClock.now
            try await retry.routing { () async throws(RoutingError) in
                try await monitoring.watch(group: shadow.group, domain: domain, host: shadow.host)
            }
            lap("monitoring", since: t)
        } catch {
            return try await rollBack(shadow, activationID, latencies, resumed: true, baselineKiB: baselineKiB,
                                      hypervisor: hypervisor, reason: "\(error)")
        }
        // 6. Routing (address looked up through the hypervisor). A failure is recorded on the
        // activation's route and retried by the runtime; the VM runs and is active regardless.
        let routingStarted = ContinuousClock.now
        if await routes.route(shadow, activationID: activationID, hypervisor: hypervisor, retry: retry) == nil {
            lap("routing", since: routingStarted)
        }
        // 7. Tag it active (the store's record below is what counts; adoption repairs a stale tag).
        let t = ContinuousClock.now
        if var tag = try? await hypervisor.info(domain).metadata {
            tag.role = .active
            tag.reservationHost = nil
            try? await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.setMetadata(tag, of: domain) }
        }
        lap("tag", since: t)
        lap("total", since: started)
        return try finish(activationID, .succeeded, latencies, nil)
    }

    /// Picks the group's best ready shadow (paused before saved, then the oldest) and activates it
    /// (to `target`, or its full size). `down`: the hosts that do not answer, when the caller read
    /// them already (a pass activating in many groups reads them once); nil reads them here.
    public func activate(group: String, activationID: String, target: ActivationTarget? = nil,
                         down given: Set<String>? = nil) async throws(ActivationError) -> ActivationRecord {
        let ready: [ShadowRecord]
        do {
            ready = try store.shadows(group: group, states: [.ready])
        } catch {
            throw ActivationError(kind: .store, message: "cannot list shadows: \(error)")
        }
        // Only shadows on hosts that answer: one on an unreachable or lost host cannot be resumed.
        let down = given ?? Self.downHosts(store)
        let usable = ready.filter { !down.contains($0.host) }
        guard let first = usable.sorted(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }).first else {
            throw ActivationError(kind: .noShadow, message: ready.isEmpty ? "group \(group) has no ready shadow"
                                    : "group \(group) has no ready shadow on a host that answers (\(ready.count) on unreachable hosts)")
        }
        return try await activate(shadowID: first.id, activationID: activationID, target: target)
    }

    /// The hosts the store records as not answering (unreachable or lost).
    package static func downHosts(_ store: any ActuatorStore) -> Set<String> {
        Set(((try? store.hosts()) ?? []).filter { $0.status.state != .up }.map(\.name))
    }

    /// Undoes what ran: route and monitoring withdrawn, guest paused again, balloon back to the
    /// baseline; records `rolledBack`. If the guest cannot be parked again the record stays open
    /// for the reconciler (adoption completes a running activation, rolls back a parked one).
    private func rollBack(_ shadow: ShadowRecord, _ activationID: String, _ latencies: [String: Double], resumed: Bool,
                          baselineKiB: UInt64, hypervisor: any Hypervisor, reason: String) async throws(ActivationError) -> ActivationRecord {
        let domain = shadow.domainName
        if resumed {
            try? await router.disable(group: shadow.group, server: routes.server(of: shadow))
            try? await monitoring.unwatch(domain: domain)
            do {
                try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.suspend(domain) }
            } catch {
                throw ActivationError(kind: .stepFailed, message: "activation of \(shadow.id) failed (\(reason)) and the guest could not be paused again (\(error)); the reconciler will repair it",
                                      record: try? store.activation(id: activationID))
            }
        }
        try? await hypervisor.setMemory(domain, toKiB: baselineKiB)
        let record = try finish(activationID, .rolledBack, latencies, reason)
        throw ActivationError(kind: .stepFailed, message: "activation of \(shadow.id) rolled back: \(reason)", record: record)
    }

    private func finish(_ id: String, _ outcome: ActivationRecord.Outcome, _ latencies: [String: Double],
                        _ failure: String?) throws(ActivationError) -> ActivationRecord {
        let group = leases.enabled ? (try? store.activation(id: id))?.group : nil
        do {
            let now = clock.now()
            _ = try store.finishActivation(id: id, outcome: outcome, stepLatencies: latencies, at: now,
                                           fence: group.flatMap { leases.fence($0, at: now) })
            guard let record = try store.activation(id: id) else {
                throw ActivationError(kind: .store, message: "activation \(id) vanished")
            }
            if outcome == .failed, let failure {
                throw ActivationError(kind: .stepFailed, message: failure, record: record)
            }
            return record
        } catch let e as ActivationError {
            throw e
        } catch {
            if let group { leases.refused(error, group: group) }
            throw ActivationError(kind: .store, message: "cannot record the outcome of activation \(id): \(error)")
        }
    }
}
