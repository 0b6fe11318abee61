import Foundation
import Hypervisor
import MetricStore
import Scaling

/// What one reconcile pass did; nothing in it is fatal (what failed is retried next pass).
public struct ReconcileReport: Sendable {
    /// Shadows newly placed and defined (their ids).
    public var created: [String] = []
    /// Shadows that reached `ready` (parked) in this pass.
    public var parked: [String] = []
    /// Shadows removed (surplus or retired).
    public var removed: [String] = []
    /// Groups whose pool could not grow: no host had room.
    public var unplaced: [String: Int] = [:]
    /// Work left for the next pass because of the rate limit.
    package var deferred = 0
    /// Failures, each naming the shadow and the step.
    public var problems: [String] = []
}

/// Brings the shadows that exist (store + hypervisor) to the pool sizes decided, level-triggered
/// like a Kubernetes controller: each pass compares desired with actual and acts on the difference,
/// so a pass that was interrupted is simply finished by the next one.
///
/// Per pass, in order: shadows left `planned`/`defining` are driven on (define → start → park),
/// `decommissioning` ones removed; then each group's pool (planned + defining + ready) is grown by
/// placing and reserving new shadows or shrunk by removing ready ones (newest first). At most
/// `maximumActions` hypervisor-changing steps run per pass (a rate limit: a forecast gone wrong
/// cannot create a hundred domains at once); the rest is reported as deferred.
public struct Reconciler: Sendable {
    public let store: any ActuatorStore
    public let inventory: Inventory
    public let hypervisors: [String: any Hypervisor]
    public var templates: [String: ShadowTemplate]
    public let clock: any WallClock
    package var retry: RetryPolicy
    /// Seconds a started shadow runs before it is parked (a real guest must boot and deflate its
    /// balloon first; 0 parks at once, as with libvirt's test driver).
    package var bootGrace: Int64
    public var maximumActions: Int
    /// The groups this actuator holds: only their shadows are driven, and every store step carries
    /// the group's fence (several actuators; all groups when leases are off).
    public var leases = LeaseBook(enabled: false)

    public init(store: any ActuatorStore, inventory: Inventory, hypervisors: [String: any Hypervisor],
                templates: [String: ShadowTemplate], clock: any WallClock, retry: RetryPolicy = RetryPolicy(),
                bootGrace: Int64 = 0, maximumActions: Int = 20) {
        self.store = store
        self.inventory = inventory
        self.hypervisors = hypervisors
        self.templates = templates
        self.clock = clock
        self.retry = retry
        self.bootGrace = bootGrace
        self.maximumActions = max(1, maximumActions)
    }

    /// One pass towards `desired` (group → pool size); groups without an entry are left alone.
    /// The difference is planned by `ReconcilePlan`; this carries it out within the rate limit.
    public func reconcile(desired: [String: Int]) async -> ReconcileReport {
        var report = ReconcileReport()
        var budget = maximumActions
        let shadows: [ShadowRecord]
        do {
            let now = clock.now()
            shadows = try store.shadows(states: [.planned, .defining, .ready, .decommissioning])
                .filter { leases.holds($0.group, at: now) }
        } catch {
            report.problems.append("cannot list shadows: \(error)")
            return report
        }
        let plan = ReconcilePlan(shadows: shadows, desired: desired, templates: templates)
        // Shadow sizes no host could take in this pass: a shadow at least as large in every
        // dimension cannot be placed either until something is removed, so it is not attempted
        // (each attempt reads every host's availability: with the hosts full, that was most of a
        // 10,000-group cycle — docs/benchmarks.md, "The whole actuator cycle").
        var noRoom = NoRoom()
        // Unfinished work first: it already holds capacity.
        for shadow in plan.unfinished {
            guard budget > 0 else { report.deferred += 1; continue }
            budget -= 1
            if shadow.state == .decommissioning {
                await remove(shadow, from: .decommissioning, &report)
                noRoom.freed(shadow)
            } else {
                await drive(shadow, &report)
            }
        }
        for change in plan.changes {
            switch change {
            case .missingTemplate(let group, _):
                report.problems.append("group \(group): no shadow template configured")
            case .grow(let group, let count, let template):
                for _ in 0..<count {
                    guard budget > 0 else { report.deferred += 1; continue }
                    if noRoom.excludes(template) {
                        report.unplaced[group, default: 0] += 1
                        break
                    }
                    budget -= 1
                    if !(await provision(group, template, &report, noRoom: &noRoom)) {
                        report.unplaced[group, default: 0] += 1
                        break
                    }
                }
            case .shrink(_, let surplus):
                for shadow in surplus {
                    guard budget > 0 else { report.deferred += 1; continue }
                    budget -= 1
                    await remove(shadow, from: .ready, &report)
                    noRoom.freed(shadow)
                }
            }
        }
        return report
    }

    /// The shadow sizes (full amount, baseline memory) no host had room for in a pass.
    struct NoRoom {
        var sizes: [(full: CapacityAmount, baselineMiB: Int64)] = []

        static func size(of template: ShadowTemplate) -> (full: CapacityAmount, baselineMiB: Int64) {
            let probe = template.record(id: "", group: "", domain: "", now: 0)
            return (probe.fullAmount, probe.baselineMemoryMiB)
        }

        /// A removed shadow's room holds any shadow no larger than it: those sizes are tried again.
        /// (Larger ones may fit too, with what its host had free before; the next pass tries them.)
        mutating func freed(_ shadow: ShadowRecord) {
            sizes.removeAll { shadow.fullAmount.fits($0.full) && shadow.baselineMemoryMiB >= $0.baselineMiB }
        }

        /// Whether a shadow of `template` is at least as large as one that found no room.
        func excludes(_ template: ShadowTemplate) -> Bool {
            guard !sizes.isEmpty else { return false }
            let s = Self.size(of: template)
            return sizes.contains { s.full.fits($0.full) && s.baselineMiB >= $0.baselineMiB }
        }
    }

    /// Places, reserves, defines, starts and (boot grace permitting) parks one new shadow; a
    /// shadow no host has room for is remembered in `noRoom`.
    private func provision(_ group: String, _ template: ShadowTemplate, _ report: inout ReconcileReport,
                           noRoom: inout NoRoom) async -> Bool {
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let record = template.record(id: String(id), group: group, domain: "psm-\(group)-\(id)", now: clock.now())
        let reservation: ReservationRecord?
        do {
            reservation = try inventory.placeAndReserve(record, fence: leases.fence(group, at: clock.now()))
        } catch {
            leases.refused(error, group: group)
            report.problems.append("group \(group): cannot reserve capacity: \(error)")
            return false
        }
        guard let reservation else {
            noRoom.sizes.append((record.fullAmount, record.baselineMemoryMiB))
            return false
        }
        guard let placed = try? store.shadow(id: reservation.shadowID) else { return false }
        report.created.append(placed.id)
        await drive(placed, &report)
        return true
    }

    /// Moves a planned or defining shadow forward as far as it can go now.
    private func drive(_ shadow: ShadowRecord, _ report: inout ReconcileReport) async {
        guard let hypervisor = hypervisors[shadow.host], let template = templates[shadow.group] else {
            report.problems.append("shadow \(shadow.id): no connection to host \(shadow.host) or no template for group \(shadow.group)")
            return
        }
        let now = clock.now()
        // A lease lost during this pass: the group is another actuator's now.
        guard leases.holds(shadow.group, at: now) else { return }
        do {
            if shadow.state == .planned {
                guard try store.transition(shadow: shadow.id, from: .planned, to: .defining, at: now,
                                           fence: leases.fence(shadow.group, at: now)) else { return }
            }
            var state = try await currentState(shadow, hypervisor)
            if state == nil {
                // QEMU refuses to start when its serial log's directory is missing.
                if let dir = template.serialLogDirectory {
                    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                }
                _ = try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.define(template.spec(for: shadow)) }
                state = .shutoff
            }
            var started = shadow.state == .defining ? shadow.updatedAt : now
            if state == .shutoff || state == .crashed {
                if state == .crashed { try await hypervisor.destroy(shadow.domainName) }
                try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.start(shadow.domainName) }
                state = .running
                started = now
            }
            if state == .running || state == .blocked {
                guard now - started >= bootGrace else { return } // still booting: parked by a later pass
                try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.suspend(shadow.domainName) }
                state = .paused
            }
            if state == .paused && template.park == .save {
                try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.managedSave(shadow.domainName) }
                state = .saved
            }
            if state == .paused || state == .saved {
                let parkedAt = clock.now()
                if try store.transition(shadow: shadow.id, from: .defining, to: .ready, at: parkedAt,
                                        fence: leases.fence(shadow.group, at: parkedAt)) {
                    report.parked.append(shadow.id)
                }
            }
        } catch {
            leases.refused(error, group: shadow.group)
            report.problems.append("shadow \(shadow.id) (\(shadow.domainName) on \(shadow.host)): provisioning step failed: \(error)")
        }
    }

    /// Destroys and undefines `name` with its save image; a domain already gone is fine.
    private func removeDomain(_ name: String, _ hypervisor: any Hypervisor) async throws(HypervisorError) {
        do {
            try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.destroy(name) }
            try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.undefine(name, removingManagedSave: true) }
        } catch {
            if error.code != .notFound { throw error }
        }
    }

    /// The domain's state, nil when it is not defined.
    private func currentState(_ shadow: ShadowRecord, _ hypervisor: any Hypervisor) async throws(HypervisorError) -> DomainState? {
        do {
            return try await retry.hypervisor { () async throws(HypervisorError) in try await hypervisor.info(shadow.domainName).state }
        } catch {
            if error.code == .notFound { return nil }
            throw error
        }
    }

    /// Removes a shadow's domain (save image included) and marks it gone; `from` is the state the
    /// caller saw (a ready shadow is first claimed for removal, so an activation cannot race it).
    func remove(_ shadow: ShadowRecord, from state: ShadowState, _ report: inout ReconcileReport) async {
        guard leases.holds(shadow.group, at: clock.now()) else { return }
        do {
            if state != .decommissioning {
                let now = clock.now()
                guard try store.transition(shadow: shadow.id, from: state, to: .decommissioning, at: now,
                                           fence: leases.fence(shadow.group, at: now)) else { return }
            }
            guard let hypervisor = hypervisors[shadow.host] else {
                report.problems.append("shadow \(shadow.id): no connection to host \(shadow.host); left decommissioning")
                return
            }
            try await removeDomain(shadow.domainName, hypervisor)
            let now = clock.now()
            if try store.transition(shadow: shadow.id, from: .decommissioning, to: .gone, at: now,
                                    fence: leases.fence(shadow.group, at: now)) {
                report.removed.append(shadow.id)
            }
        } catch {
            leases.refused(error, group: shadow.group)
            report.problems.append("shadow \(shadow.id) (\(shadow.domainName)): removal failed: \(error)")
        }
    }
}
