import Hypervisor
import MetricStore
import Scaling

/// What applying an adoption plan did.
public struct AdoptionReport: Sendable {
    /// Actions that took effect.
    public var applied: [AdoptionAction] = []
    /// Actions that failed, with the reason; the rest of the plan still ran.
    public var failed: [(action: AdoptionAction, reason: String)] = []
    /// Compare-and-set steps that found the record already moved (someone else did it): not errors.
    public var skipped: [AdoptionAction] = []
}

extension Adoption {
    /// Lists `host`'s domains, plans against the store and applies the plan. `only`: the groups to
    /// adopt (an actuator taking over some groups from another leaves the rest, domains and records, alone).
    public static func run(hypervisor: any Hypervisor, host: String, store: any ActuatorStore, knownGroups: Set<String>,
                           clock: any WallClock, only: Set<String>? = nil,
                           units: (ResourceSize) -> Int64) async throws -> AdoptionReport {
        var domains = try await hypervisor.list()
        var shadows = try store.shadows()
        if let only {
            domains = domains.filter { $0.metadata.map { only.contains($0.group) } ?? false }
            shadows = shadows.filter { only.contains($0.group) }
        }
        let actions = plan(storeShadows: shadows, domains: domains, host: host, knownGroups: knownGroups, units: units)
        return await apply(actions, hypervisor: hypervisor, store: store, clock: clock)
    }

    /// Applies the actions in order; one failing does not stop the others (each is re-planned at the
    /// next start if still needed). Every store step is a compare-and-set or records an outcome once,
    /// so applying a plan twice changes nothing the second time.
    public static func apply(_ actions: [AdoptionAction], hypervisor: any Hypervisor, store: any ActuatorStore,
                             clock: any WallClock) async -> AdoptionReport {
        var report = AdoptionReport()
        for action in actions {
            do {
                if try await perform(action, hypervisor: hypervisor, store: store, now: clock.now()) {
                    report.applied.append(action)
                } else {
                    report.skipped.append(action)
                }
            } catch {
                report.failed.append((action, "\(error)"))
            }
        }
        return report
    }

    /// Performs one action; false when a compare-and-set found nothing to do.
    static func perform(_ action: AdoptionAction, hypervisor: any Hypervisor, store: any ActuatorStore,
                        now: Int64) async throws -> Bool {
        switch action {
        case .adopt(let record, let reserving):
            try store.adopt(shadow: record, reserving: reserving, at: now)
            return true
        case .removeDomain(let name, _):
            do {
                try await hypervisor.destroy(name)
                try await hypervisor.undefine(name, removingManagedSave: true)
            } catch where error.code == .notFound {
                return false
            }
            return true
        case .transition(let id, let from, let to):
            return try store.transition(shadow: id, from: from, to: to, at: now)
        case .completeActivation(let id, let activationID, let domain, let growTo):
            if let growTo {
                try await hypervisor.setVCPUs(domain, to: growTo.vcpus)
                try await hypervisor.setMemory(domain, toKiB: growTo.memoryKiB)
            }
            return try finish(id, activationID, .succeeded, store: store, now: now)
        case .rollBackActivation(let id, let activationID, let domain, let memoryKiB):
            if let memoryKiB { try await hypervisor.setMemory(domain, toKiB: memoryKiB) }
            return try finish(id, activationID, .rolledBack, store: store, now: now)
        case .failActivation(let id, let activationID):
            return try finish(id, activationID, .failed, store: store, now: now)
        case .repairMetadata(let domain, let metadata):
            try await hypervisor.setMetadata(metadata, of: domain)
            return true
        }
    }

    /// Records the outcome on the activation (once); without an activation id, moves the shadow alone.
    static func finish(_ shadowID: String, _ activationID: String?, _ outcome: ActivationRecord.Outcome,
                       store: any ActuatorStore, now: Int64) throws -> Bool {
        if let activationID {
            return try store.finishActivation(id: activationID, outcome: outcome, at: now)
        }
        let target: ShadowState = switch outcome {
        case .succeeded: .active
        case .rolledBack: .ready
        case .failed: .decommissioning
        }
        return try store.transition(shadow: shadowID, from: .activating, to: target, at: now)
    }
}
