/// An amount of host capacity in the three dimensions the inventory accounts: vCPUs, memory and
/// abstract capacity units (whatever the deployment sizes by, e.g. milli-vCPUs weighted by
/// CPU generation). Integers so that sums and comparisons are exact.
public struct CapacityAmount: Sendable, Hashable, Codable {
    public var vcpus: Int64
    public var memoryMiB: Int64
    public var units: Int64

    public init(vcpus: Int64 = 0, memoryMiB: Int64 = 0, units: Int64 = 0) {
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.units = units
    }

    public static let zero = CapacityAmount()

    /// Whether `other` fits into this amount in every dimension.
    package func fits(_ other: CapacityAmount) -> Bool {
        other.vcpus <= vcpus && other.memoryMiB <= memoryMiB && other.units <= units
    }

    /// Saturating, like `+`.
    package static func - (a: CapacityAmount, b: CapacityAmount) -> CapacityAmount {
        func subtract(_ x: Int64, _ y: Int64) -> Int64 {
            let (difference, overflow) = x.subtractingReportingOverflow(y)
            return overflow ? (y > 0 ? .min : .max) : difference
        }
        return CapacityAmount(vcpus: subtract(a.vcpus, b.vcpus), memoryMiB: subtract(a.memoryMiB, b.memoryMiB),
                              units: subtract(a.units, b.units))
    }

    /// Saturating: totals of absurd stored values clamp instead of trapping.
    package static func + (a: CapacityAmount, b: CapacityAmount) -> CapacityAmount {
        func add(_ x: Int64, _ y: Int64) -> Int64 {
            let (sum, overflow) = x.addingReportingOverflow(y)
            return overflow ? (y > 0 ? .max : .min) : sum
        }
        return CapacityAmount(vcpus: add(a.vcpus, b.vcpus), memoryMiB: add(a.memoryMiB, b.memoryMiB),
                              units: add(a.units, b.units))
    }
}

/// A hypervisor host as the inventory knows it.
public struct HostRecord: Sendable, Hashable, Codable {
    public var name: String
    /// The libvirt URI the actuator reaches it by.
    public var uri: String
    /// Its total capacity.
    public var capacity: CapacityAmount
    /// What regular (non-shadow) VMs use now.
    public var load: CapacityAmount
    package var labels: [String: String]
    /// A disabled host takes no new reservations (its existing ones stay).
    package var enabled: Bool
    /// Unix seconds of the last change.
    public var updatedAt: Int64
    /// Measured size, cap and reachability (written by the measurement and the host checks, not
    /// by `upsertHost`).
    public var status: HostStatus

    public init(name: String, uri: String, capacity: CapacityAmount, load: CapacityAmount = .zero,
                labels: [String: String] = [:], enabled: Bool = true, updatedAt: Int64, status: HostStatus = HostStatus()) {
        self.status = status
        self.name = name
        self.uri = uri
        self.capacity = capacity
        self.load = load
        self.labels = labels
        self.enabled = enabled
        self.updatedAt = updatedAt
    }
}

/// A shadow's lifecycle state as stored.
public enum ShadowState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Decided on, not yet defined in the hypervisor.
    case planned
    /// Being defined, booted and parked.
    case defining
    /// Parked (paused or saved), capacity reserved, waiting for activation.
    case ready
    /// Claimed by one activation, which is scaling and resuming it.
    case activating
    /// Serving as a regular member of its group; its reservation is released.
    case active
    /// Being removed from the hypervisor.
    case decommissioning
    /// No longer exists; kept for the record.
    case gone
}

/// A shadow as the store records it (sizes in vCPUs and MiB).
public struct ShadowRecord: Sendable, Hashable, Codable {
    public var id: String
    public var group: String
    /// The host holding it (and its reservation).
    public var host: String
    public var domainName: String
    public var state: ShadowState
    public var baselineVCPUs: Int64
    public var baselineMemoryMiB: Int64
    public var fullVCPUs: Int64
    public var fullMemoryMiB: Int64
    /// Capacity units its full size takes on the host.
    public var reservedUnits: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The activation that claimed it, while `activating` and after.
    public var activationID: String?
    /// When it was marked lost with its host (it is `gone` then); nil otherwise.
    package var lostAt: Int64?

    public init(id: String, group: String, host: String, domainName: String, state: ShadowState,
                baselineVCPUs: Int64, baselineMemoryMiB: Int64, fullVCPUs: Int64, fullMemoryMiB: Int64,
                reservedUnits: Int64, createdAt: Int64, updatedAt: Int64, activationID: String? = nil,
                lostAt: Int64? = nil) {
        self.lostAt = lostAt
        self.id = id
        self.group = group
        self.host = host
        self.domainName = domainName
        self.state = state
        self.baselineVCPUs = baselineVCPUs
        self.baselineMemoryMiB = baselineMemoryMiB
        self.fullVCPUs = fullVCPUs
        self.fullMemoryMiB = fullMemoryMiB
        self.reservedUnits = reservedUnits
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.activationID = activationID
    }

    /// What its reservation holds: its full size.
    package var fullAmount: CapacityAmount {
        CapacityAmount(vcpus: fullVCPUs, memoryMiB: fullMemoryMiB, units: reservedUnits)
    }
}

/// Host capacity held for one shadow's full size.
public struct ReservationRecord: Sendable, Hashable, Codable {
    public var host: String
    public var shadowID: String
    package var amount: CapacityAmount
    public var createdAt: Int64

    public init(host: String, shadowID: String, amount: CapacityAmount, createdAt: Int64) {
        self.host = host
        self.shadowID = shadowID
        self.amount = amount
        self.createdAt = createdAt
    }
}

/// One activation of a shadow, keyed by the caller's idempotency id.
public struct ActivationRecord: Sendable, Hashable, Codable {
    /// How an activation ended.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// The shadow runs at full size and serves.
        case succeeded
        /// The shadow was parked again and is ready for another attempt.
        case rolledBack
        /// The shadow could not be activated nor parked again.
        case failed
    }

    public var id: String
    public var shadowID: String
    public var group: String
    package var requestedAt: Int64
    package var completedAt: Int64?
    public var outcome: Outcome?
    /// Seconds each step took (e.g. `setMemory`, `resume`).
    package var stepLatencies: [String: Double]
    /// The size the caller asked for (the forecast's share of one VM, or the API's capacity), before
    /// clamping; nil when none was asked for (the full size) or not yet recorded.
    public var predicted: ActivationSize?
    /// The size the scale step set: `predicted` within the shadow's baseline and full size, or the
    /// full size; nil until the scale step ran.
    public var applied: ActivationSize?

    public init(id: String, shadowID: String, group: String, requestedAt: Int64, completedAt: Int64? = nil,
                outcome: Outcome? = nil, stepLatencies: [String: Double] = [:],
                predicted: ActivationSize? = nil, applied: ActivationSize? = nil) {
        self.id = id
        self.shadowID = shadowID
        self.group = group
        self.requestedAt = requestedAt
        self.completedAt = completedAt
        self.outcome = outcome
        self.stepLatencies = stepLatencies
        self.predicted = predicted
        self.applied = applied
    }
}

/// A VM's size as an activation sets it: vCPUs and memory (MiB).
public struct ActivationSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var vcpus: Int64
    public var memoryMiB: Int64

    public init(vcpus: Int64, memoryMiB: Int64) {
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
    }

    public var description: String { "\(vcpus) vCPU, \(memoryMiB) MiB" }
}

/// Per host: what shadows hold there — the query a regular scheduler uses to avoid flagged capacity.
package struct HostReservations: Sendable, Hashable, Codable {
    public var host: String
    package var reserved: CapacityAmount
    /// The shadows holding it, sorted.
    package var shadowIDs: [String]

    public init(host: String, reserved: CapacityAmount, shadowIDs: [String]) {
        self.host = host
        self.reserved = reserved
        self.shadowIDs = shadowIDs
    }
}

/// The result of `MetricStore.reserve(shadow:on:)`.
public enum ReservationOutcome: Sendable, Hashable {
    /// The shadow and its reservation were written.
    case reserved(ReservationRecord)
    /// Nothing was written: the host's free capacity (shown) cannot hold the shadow's full size.
    case insufficientCapacity(free: CapacityAmount)
    /// Nothing was written: no host has that name.
    case unknownHost
    /// Nothing was written: the host takes no new reservations.
    case hostDisabled
}

/// The result of `MetricStore.beginActivation(id:shadow:at:)`.
public enum ActivationClaim: Sendable, Hashable {
    /// This call claimed the shadow (ready → activating) and recorded the activation.
    case started(ActivationRecord)
    /// An activation with this id exists already (a retried request): nothing was written.
    case existing(ActivationRecord)
    /// Nothing was written: the shadow is not ready (its state shown; nil when it does not exist).
    case refused(ShadowState?)
}
