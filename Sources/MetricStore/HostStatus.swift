/// Whether a host answers (docs/actuator.md, "Lost hosts").
public enum HostState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its last check answered: it takes new reservations.
    case up
    /// Its last checks failed with connection errors, for less than the grace period: its shadows
    /// and reservations stay, nothing new is placed there.
    case unreachable
    /// Unreachable for longer than the grace period: its shadows were marked lost (gone), their
    /// reservations released and replacements placed elsewhere, until it answers again.
    case lost
}

/// A host's measured size, its configured cap and whether it answers.
public struct HostStatus: Sendable, Hashable, Codable {
    public var state: HostState = .up
    /// When the current run of failed checks began (nil while up).
    package var unreachableSince: Int64?
    /// When its shadows were marked lost (nil unless lost).
    package var lostAt: Int64?
    /// The connection error of the last failed check.
    package var lastError: String?
    /// The configured cap (`[[actuator.hosts]] vcpus` / `memory_mib`); nil: no cap.
    public var capVCPUs: Int64?
    public var capMemoryMiB: Int64?
    /// What the host reported at its last answer (nil before the first).
    package var measuredVCPUs: Int64?
    package var measuredMemoryMiB: Int64?
    /// Memory free on the host at its last answer (nil when the driver cannot tell).
    package var freeMemoryMiB: Int64?
    package var measuredAt: Int64?

    public init() {}
}

/// One answer of a host (`ActuatorStore.recordMeasurement`).
public struct HostMeasurementRecord: Sendable, Hashable {
    /// min(measured, cap) per dimension (units: the configured units).
    public var capacity: CapacityAmount
    /// What domains not holding a reservation there take (regular VMs, activated shadows).
    public var load: CapacityAmount
    package var measuredVCPUs: Int64
    package var measuredMemoryMiB: Int64
    package var freeMemoryMiB: Int64?

    package init(capacity: CapacityAmount, load: CapacityAmount, measuredVCPUs: Int64, measuredMemoryMiB: Int64,
                freeMemoryMiB: Int64?) {
        self.capacity = capacity
        self.load = load
        self.measuredVCPUs = measuredVCPUs
        self.measuredMemoryMiB = measuredMemoryMiB
        self.freeMemoryMiB = freeMemoryMiB
    }
}
