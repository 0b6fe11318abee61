import Hypervisor
import MetricStore
import Scaling

/// What applying an adoption plan did.
package struct AdoptionReport: Sendable {
    /// Actions that took effect.
    package var applied: [AdoptionAction] = []
    /// Actions that failed, with the reason; the rest of the plan still ran.
    package var failed: [(action: AdoptionAction, reason: String)] = []
    /// Compare-and-set steps that found the record already moved (someone else did it): not errors.
    package var skipped: [AdoptionAction] = []
}

extension Adoption {
    /// Lists `host`'s domains, plans against the store and applies the plan. `only`: the groups to
    /// adopt (an actuator taking over some groups from another leaves the rest, domains and records, alone).
    /// Under leases `fence` gives each group's lease fence for the store steps and `holds` says
    /// whether the group is still held before a hypervisor step: a group lost meanwhile is left to
    /// its new holder.
    package static func run(hypervisor: any Hypervisor, host: String, store: any ActuatorStore, knownGroups: Set<String>,
                           clock: any WallClock, only: Set<String>? = nil,
                           fence: (String) -> LeaseFence? = { _ in nil }, holds: (String) -> Bool = { _ in true },
                           units: (ResourceSize) -> Int64) async throws -> AdoptionReport {
        var domains = try await hypervisor.list()
        var shadows = try store.shadows()
        if let only {
            domains = domains.filter { $0.metadata.map { only.contains($0.group) } ?? false }
            shadows = shadows.filter { only.contains($0.group) }
        }
        // Each action's group, by shadow id and by domain name.
        var groups: [String: String] = [:]
        for s in shadows { groups[s.id] = s.group }
        for d in domains { if let tag = d.metadata { groups[tag.shadowID] = tag.group; groups[d.name] = tag.group } }
        let actions = plan(storeShadows: shadows, domains: domains, host: host, knownGroups: knownGroups, units: units)
        return await apply(actions, hypervisor: hypervisor, store: store, clock: clock, groups: groups, fence: fence, holds: holds)
    }

    /// Applies the actions in order; one failing does not stop the others (each is re-planned at the
    /// next start if still needed). Every store step is a compare-and-set or records an outcome once,
    /// so applying a plan twice changes nothing the second time. `groups` maps shadow ids and
    /// domain names to their group, for `fence` and `holds` (see `run`).
    package static func apply(_ actions: [AdoptionAction], hypervisor: any Hypervisor, store: any ActuatorStore,
                             clock: any WallClock, groups: [String: String] = [:],
                             fence: (String) -> LeaseFence? = { _ in nil }, holds: (String) -> Bool = { _ in true }) async -> AdoptionReport {
        var report = AdoptionReport()
        for action in actions {
            let group = action.group ?? groups[action.subject]
            if let group, !holds(group) {
                report.skipped.append(action)
                continue
            }
            do {
                if try await perform(action, hypervisor: hypervisor, store: store, now: clock.now(), fence: group.flatMap(fence)) {
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
                        now: Int64, fence: LeaseFence? = nil) async throws -> Bool {
        switch action {
        case .adopt(let record, let reserving):
            try store.adopt(shadow: record, reserving: reserving, at: now, fence: fence)
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
            return try store.transition(shadow: id, from: from, to: to, at: now, fence: fence)
        case .completeActivation(let id, let activationID, let domain, let growTo):
            if let growTo {
                try await hypervisor.setVCPUs(domain, to: growTo.vcpus)
                try await hypervisor.setMemory(domain, toKiB: growTo.memoryKiB)
            }
            return try finish(id, activationID, .succeeded, store: store, now: now, fence: fence)
        case .rollBackActivation(let id, let activationID, let domain, let memoryKiB):
            if let memoryKiB { try await hypervisor.setMemory(domain, toKiB: memoryKiB) }
            return try finish(id, activationID, .rolledBack, store: store, now: now, fence: fence)
        case .failActivation(let id, let activationID):
            return try finish(id, activationID, .failed, store: store, now: now, fence: fence)
        case .repairMetadata(let domain, let metadata):
            try await hypervisor.setMetadata(metadata, of: domain)
            return true
        }
    }

    /// Records the outcome on the activation (once); without an activation id, moves the shadow alone.
    static func finish(_ shadowID: String, _ activationID: String?, _ outcome: ActivationRecord.Outcome,
                       store: any ActuatorStore, now: Int64, fence: LeaseFence? = nil) throws -> Bool {
        if let activationID {
            return try store.finishActivation(id: activationID, outcome: outcome, stepLatencies: [:], at: now, fence: fence)
        }
        let target: ShadowState = switch outcome {
        case .succeeded: .active
        case .rolledBack: .ready
        case .failed: .decommissioning
        }
        return try store.transition(shadow: shadowID, from: .activating, to: target, at: now, fence: fence)
    }
}

extension AdoptionAction {
    /// The group when the action carries it (a record to adopt).
    var group: String? {
        if case .adopt(let record, _) = self { return record.group }
        return nil
    }

    /// The shadow id or domain name the action is about.
    var subject: String {
        switch self {
        case .adopt(let record, _): record.id
        case .removeDomain(let name, _): name
        case .transition(let id, _, _), .completeActivation(let id, _, _, _), .rollBackActivation(let id, _, _, _),
             .failActivation(let id, _): id
        case .repairMetadata(let domain, _): domain
        }
    }
}
