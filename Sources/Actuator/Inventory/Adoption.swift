import Hypervisor
import MetricStore

/// One step that brings the store and a host's domains back into agreement after a restart.
package enum AdoptionAction: Sendable, Hashable {
    /// Record a psm domain the store does not know; with a reservation when it is parked.
    case adopt(ShadowRecord, reserving: Bool)
    /// Destroy and undefine the domain (save image included).
    case removeDomain(String, reason: String)
    /// Compare-and-set the record's state (entering `active` or `gone` releases its reservation).
    case transition(shadowID: String, from: ShadowState, to: ShadowState)
    /// The activation got as far as resuming: grow to `growTo` if still short, then record success once.
    case completeActivation(shadowID: String, activationID: String?, domain: String, growTo: ResourceSize?)
    /// The activation stopped with the domain parked: shrink its balloon back to `memoryKiB` (when
    /// grown), record the roll-back once; the shadow is ready again.
    case rollBackActivation(shadowID: String, activationID: String?, domain: String, memoryKiB: UInt64?)
    /// The activation cannot finish (the domain is off): record the failure once.
    case failActivation(shadowID: String, activationID: String?)
    /// Write psm's metadata so that it agrees with the store (role, reservation host).
    case repairMetadata(domain: String, ShadowMetadata)
}

/// What the actuator does at start with what libvirt reports against what the store recorded.
///
/// Rules (docs/actuator.md, "Adoption"): domains without psm metadata are never touched; a psm
/// domain is matched to its record by shadow id. Only records of `host` (the host the domains were
/// listed from) can be found missing, so one host's listing never marks another's shadows gone.
/// A host that was lost and answers again: a parked shadow lost with it is removed (it was
/// replaced), an activated one still running is adopted as a member (it serves; scale-in retires
/// it when it is not needed), so no capacity is counted twice.
/// An interrupted activation with the domain still parked is **rolled back** rather than resumed:
/// the demand that triggered it may be over, and the next decision cycle activates again if not,
/// through a fresh, recorded activation.
package enum Adoption {
    /// The actions, in the order to apply them.
    ///
    /// - Parameters:
    ///   - host: the host `domains` were listed from.
    ///   - knownGroups: groups the configuration manages; an unrecorded domain of another group is removed.
    ///   - units: capacity units of a full size (for adopted shadows' reservations).
    package static func plan(storeShadows: [ShadowRecord], domains: [DomainInfo], host: String,
                            knownGroups: Set<String>, units: (ResourceSize) -> Int64) -> [AdoptionAction] {
        var actions: [AdoptionAction] = []
        let records = Dictionary(storeShadows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // psm's domains by shadow id; a duplicate (same id twice) keeps the record's domain name or
        // else the first name, and the others are removed so that the shadow cannot run twice.
        var byShadow: [String: DomainInfo] = [:]
        for domain in domains.sorted(by: { $0.name < $1.name }) {
            guard let tag = domain.metadata else { continue }
            if let kept = byShadow[tag.shadowID] {
                let preferNew = records[tag.shadowID]?.domainName == domain.name
                let loser = preferNew ? kept : domain
                if preferNew { byShadow[tag.shadowID] = domain }
                actions.append(.removeDomain(loser.name, reason: "duplicate of shadow \(tag.shadowID)"))
            } else {
                byShadow[tag.shadowID] = domain
            }
        }
        for (shadowID, domain) in byShadow.sorted(by: { $0.key < $1.key }) {
            guard let tag = domain.metadata else { continue }
            if let record = records[shadowID], record.state != .gone {
                guard record.host == host else { continue } // another host's record: not ours to judge
                actions += reconcile(record, with: domain, tag: tag)
            } else if let record = records[shadowID], record.lostAt != nil, record.host == host,
                      domain.state != .running, domain.state != .blocked {
                // Lost with its host and replaced elsewhere since: adopting it again would grow the
                // pool past its size (and the shrink would then remove a healthy replacement).
                actions.append(.removeDomain(domain.name, reason: "shadow \(shadowID) was lost with host \(host) and replaced"))
            } else {
                actions += adopt(domain, tag: tag, host: host, knownGroups: knownGroups, units: units,
                                 existing: records[shadowID])
            }
        }
        for record in storeShadows.sorted(by: { $0.id < $1.id }) where record.host == host && byShadow[record.id] == nil {
            actions += missing(record)
        }
        return actions
    }

    /// A psm domain without a (live) record.
    static func adopt(_ domain: DomainInfo, tag: ShadowMetadata, host: String, knownGroups: Set<String>,
                      units: (ResourceSize) -> Int64, existing: ShadowRecord?) -> [AdoptionAction] {
        guard knownGroups.contains(tag.group) else {
            return [.removeDomain(domain.name, reason: "group '\(tag.group)' is not configured")]
        }
        let running = domain.state == .running || domain.state == .blocked
        let parked = domain.state == .paused || domain.state == .saved
        guard running || parked else {
            return [.removeDomain(domain.name, reason: "unrecorded shadow found \(domain.state), neither parked nor running")]
        }
        let full = CapacityAmount(tag.full, units: max(units(tag.full), 0))
        let baseline = CapacityAmount(tag.baseline, units: 0)
        let record = ShadowRecord(id: tag.shadowID, group: tag.group, host: host, domainName: domain.name,
                                  state: running ? .active : .ready, baselineVCPUs: baseline.vcpus,
                                  baselineMemoryMiB: baseline.memoryMiB, fullVCPUs: full.vcpus,
                                  fullMemoryMiB: full.memoryMiB, reservedUnits: full.units,
                                  createdAt: existing?.createdAt ?? tag.createdAt, updatedAt: tag.createdAt)
        var actions: [AdoptionAction] = [.adopt(record, reserving: !running)]
        if let repaired = expectedMetadata(tag, state: record.state, host: host) {
            actions.append(.repairMetadata(domain: domain.name, repaired))
        }
        return actions
    }

    /// A record with its domain present.
    static func reconcile(_ record: ShadowRecord, with domain: DomainInfo, tag: ShadowMetadata) -> [AdoptionAction] {
        let running = domain.state == .running || domain.state == .blocked
        let parked = domain.state == .paused || domain.state == .saved
        var actions: [AdoptionAction] = []
        var state = record.state
        switch record.state {
        case .planned, .defining:
            if parked {
                actions.append(.transition(shadowID: record.id, from: record.state, to: .ready))
                state = .ready
            } else {
                return removeAndForget(record, domain, reason: "provisioning was interrupted (domain \(domain.state))")
            }
        case .ready:
            if running {
                // Resumed outside psm: it serves now, so its reservation is running load.
                actions.append(.transition(shadowID: record.id, from: .ready, to: .active))
                state = .active
            } else if !parked {
                if tag.role == .active {
                    // Activated, tagged, then its commit was lost (a power loss under the default
                    // process durability, which also stopped the domain): it is a member now.
                    actions.append(.transition(shadowID: record.id, from: .ready, to: .active))
                    state = .active
                } else {
                    return removeAndForget(record, domain, reason: "parked shadow lost its state (domain \(domain.state))")
                }
            }
        case .activating:
            if running {
                let full = tag.full
                let short = domain.vcpus < full.vcpus || domain.memoryKiB < full.memoryKiB
                actions.append(.completeActivation(shadowID: record.id, activationID: record.activationID,
                                                   domain: domain.name, growTo: short ? full : nil))
                state = .active
            } else if parked {
                // A paused domain's balloon target goes back to the baseline whatever libvirt reports:
                // QEMU reports the balloon's *actual* size, which does not move while the guest is
                // paused, so a target raised before the crash is invisible (RealVMTests,
                // rolledBackAfterScalingTheShadowIsParkedAtItsBaseline). Setting it is idempotent.
                // A saved domain was never scaled (the activation restores it first).
                let paused = domain.state == .paused
                actions.append(.rollBackActivation(shadowID: record.id, activationID: record.activationID,
                                                   domain: domain.name, memoryKiB: paused ? tag.baseline.memoryKiB : nil))
                state = .ready
            } else if tag.role == .active {
                // Tagged active (the activation's last step on the domain) before its record was
                // committed; the domain stopped since (power loss): the activation happened.
                actions.append(.completeActivation(shadowID: record.id, activationID: record.activationID,
                                                   domain: domain.name, growTo: nil))
                state = .active
            } else {
                actions.append(.failActivation(shadowID: record.id, activationID: record.activationID))
                actions.append(.removeDomain(domain.name, reason: "activation stopped with the domain \(domain.state)"))
                actions.append(.transition(shadowID: record.id, from: .decommissioning, to: .gone))
                return actions
            }
        case .active:
            break // a regular member of its group now: its lifecycle is not the adopter's
        case .decommissioning:
            return removeAndForget(record, domain, reason: "decommissioning was interrupted")
        case .gone:
            return []
        }
        if let repaired = expectedMetadata(tag, state: state, host: record.host) {
            actions.append(.repairMetadata(domain: domain.name, repaired))
        }
        return actions
    }

    /// A record of this host whose domain libvirt does not list.
    static func missing(_ record: ShadowRecord) -> [AdoptionAction] {
        switch record.state {
        case .planned, .gone:
            return [] // not defined yet / nothing left
        case .activating:
            return [.failActivation(shadowID: record.id, activationID: record.activationID),
                    .transition(shadowID: record.id, from: .decommissioning, to: .gone)]
        case .defining, .ready, .active, .decommissioning:
            return [.transition(shadowID: record.id, from: record.state, to: .gone)]
        }
    }

    static func removeAndForget(_ record: ShadowRecord, _ domain: DomainInfo, reason: String) -> [AdoptionAction] {
        [.removeDomain(domain.name, reason: reason), .transition(shadowID: record.id, from: record.state, to: .gone)]
    }

    /// The metadata the domain should carry for `state` on `host`, or nil when `tag` already does:
    /// a reserved shadow names its host, an active one is `active` without a reservation host.
    static func expectedMetadata(_ tag: ShadowMetadata, state: ShadowState, host: String) -> ShadowMetadata? {
        var expected = tag
        if state == .active {
            expected.role = .active
            expected.reservationHost = nil
        } else {
            expected.role = .shadow
            expected.reservationHost = host
        }
        return expected == tag ? nil : expected
    }
}
