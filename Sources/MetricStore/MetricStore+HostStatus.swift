import GRDB

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
    public var unreachableSince: Int64?
    /// When its shadows were marked lost (nil unless lost).
    public var lostAt: Int64?
    /// The connection error of the last failed check.
    public var lastError: String?
    /// The configured cap (`[[actuator.hosts]] vcpus` / `memory_mib`); nil: no cap.
    public var capVCPUs: Int64?
    public var capMemoryMiB: Int64?
    /// What the host reported at its last answer (nil before the first).
    public var measuredVCPUs: Int64?
    public var measuredMemoryMiB: Int64?
    /// Memory free on the host at its last answer (nil when the driver cannot tell).
    public var freeMemoryMiB: Int64?
    public var measuredAt: Int64?

    public init() {}
}

/// One answer of a host (`MetricStore.recordMeasurement`).
public struct HostMeasurementRecord: Sendable, Hashable {
    /// min(measured, cap) per dimension (units: the configured units).
    public var capacity: CapacityAmount
    /// What domains not holding a reservation there take (regular VMs, activated shadows).
    public var load: CapacityAmount
    public var measuredVCPUs: Int64
    public var measuredMemoryMiB: Int64
    public var freeMemoryMiB: Int64?

    public init(capacity: CapacityAmount, load: CapacityAmount, measuredVCPUs: Int64, measuredMemoryMiB: Int64,
                freeMemoryMiB: Int64?) {
        self.capacity = capacity
        self.load = load
        self.measuredVCPUs = measuredVCPUs
        self.measuredMemoryMiB = measuredMemoryMiB
        self.freeMemoryMiB = freeMemoryMiB
    }
}

extension MetricStore {
    static let hostStatusMigration = "v9-host-status"

    /// Measured size, cap and reachability on `hosts`; when a shadow was lost with its host on
    /// `shadows` (all nullable or defaulted: rows from before the migration are up, uncapped,
    /// unmeasured).
    static func registerHostStatusSchema(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE hosts ADD COLUMN cap_vcpus INTEGER CHECK (cap_vcpus >= 0);
            ALTER TABLE hosts ADD COLUMN cap_memory_mib INTEGER CHECK (cap_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN measured_vcpus INTEGER CHECK (measured_vcpus >= 0);
            ALTER TABLE hosts ADD COLUMN measured_memory_mib INTEGER CHECK (measured_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN free_memory_mib INTEGER CHECK (free_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN measured_at INTEGER;
            ALTER TABLE hosts ADD COLUMN state TEXT NOT NULL DEFAULT 'up' CHECK (state IN ('up', 'unreachable', 'lost'));
            ALTER TABLE hosts ADD COLUMN unreachable_since INTEGER;
            ALTER TABLE hosts ADD COLUMN lost_at INTEGER;
            ALTER TABLE hosts ADD COLUMN last_error TEXT;
            ALTER TABLE shadows ADD COLUMN lost_at INTEGER;
            """)
    }

    static func decodeHostStatus(_ row: Row) -> HostStatus {
        var status = HostStatus()
        status.state = (row["state"] as String?).flatMap(HostState.init(rawValue:)) ?? .up
        status.unreachableSince = row["unreachable_since"]
        status.lostAt = row["lost_at"]
        status.lastError = row["last_error"]
        status.capVCPUs = row["cap_vcpus"]
        status.capMemoryMiB = row["cap_memory_mib"]
        status.measuredVCPUs = row["measured_vcpus"]
        status.measuredMemoryMiB = row["measured_memory_mib"]
        status.freeMemoryMiB = row["free_memory_mib"]
        status.measuredAt = row["measured_at"]
        return status
    }

    /// Records the host's configured cap (nil: none).
    public func setCap(vcpus: Int64?, memoryMiB: Int64?, ofHost name: String) throws(MetricStoreError) {
        try write("cannot write the cap of host \(name)") { db in
            try db.execute(sql: "UPDATE hosts SET cap_vcpus = ?, cap_memory_mib = ? WHERE name = ?",
                           arguments: [vcpus, memoryMiB, name])
        }
    }

    /// Records an answer of the host: its capacity (min of measured and cap), the load of domains
    /// without a reservation, what it reported; the host is up again. Returns the state it was in
    /// before (nil: unknown host).
    @discardableResult
    public func recordMeasurement(_ m: HostMeasurementRecord, ofHost name: String,
                                  at now: Int64) throws(MetricStoreError) -> HostState? {
        try write("cannot record the measurement of host \(name)") { db in
            guard let text = try String.fetchOne(db, sql: "SELECT state FROM hosts WHERE name = ?", arguments: [name]) else {
                return nil
            }
            try db.execute(sql: """
                UPDATE hosts SET vcpus = ?, memory_mib = ?, capacity_units = ?, load_vcpus = ?, load_memory_mib = ?,
                    load_units = ?, measured_vcpus = ?, measured_memory_mib = ?, free_memory_mib = ?, measured_at = ?,
                    state = 'up', unreachable_since = NULL, lost_at = NULL, last_error = NULL, updated_at = ?
                WHERE name = ?
                """, arguments: [max(m.capacity.vcpus, 0), max(m.capacity.memoryMiB, 0), max(m.capacity.units, 0),
                                 max(m.load.vcpus, 0), max(m.load.memoryMiB, 0), max(m.load.units, 0),
                                 max(m.measuredVCPUs, 0), max(m.measuredMemoryMiB, 0), m.freeMemoryMiB.map { max($0, 0) },
                                 now, now, name])
            return HostState(rawValue: text) ?? .up
        }
    }

    /// Records a failed check (a connection error): an up host becomes unreachable since `now`; an
    /// unreachable or lost one keeps its state and the time its failures began. Returns the host's
    /// status after the write (nil: unknown host).
    @discardableResult
    public func recordUnreachable(host name: String, error: String, at now: Int64) throws(MetricStoreError) -> HostStatus? {
        try write("cannot record host \(name) as unreachable") { db in
            try db.execute(sql: """
                UPDATE hosts SET state = CASE state WHEN 'up' THEN 'unreachable' ELSE state END,
                    unreachable_since = coalesce(unreachable_since, ?), last_error = ? WHERE name = ?
                """, arguments: [now, error, name])
            return try Row.fetchOne(db, sql: "SELECT * FROM hosts WHERE name = ?", arguments: [name]).map(Self.decodeHostStatus)
        }
    }

    /// Marks an unreachable host lost, in one transaction: every shadow recorded there that is not
    /// gone yet becomes gone with `lost_at` (its reservation released, so the reconciler places a
    /// replacement elsewhere; an open activation of it is recorded failed). Returns the shadows
    /// lost; empty (and nothing written) when the host is not unreachable (up again, or lost already).
    public func markHostLost(_ name: String, at now: Int64) throws(MetricStoreError) -> [ShadowRecord] {
        try write("cannot mark host \(name) lost", immediate: true) { db in
            try db.execute(sql: "UPDATE hosts SET state = 'lost', lost_at = ? WHERE name = ? AND state = 'unreachable'",
                           arguments: [now, name])
            guard db.changesCount > 0 else { return [] }
            let lost = try Row.fetchAll(db, sql: "SELECT * FROM shadows WHERE host = ? AND state != 'gone' ORDER BY id",
                                        arguments: [name]).map(Self.decodeShadow)
            for shadow in lost {
                try db.execute(sql: """
                    UPDATE activations SET completed_at = ?, outcome = 'failed' WHERE shadow_id = ? AND outcome IS NULL
                    """, arguments: [now, shadow.id])
                try db.execute(sql: "UPDATE shadows SET lost_at = ? WHERE id = ?", arguments: [now, shadow.id])
                _ = try Self.compareAndSet(shadow.id, from: Set(ShadowState.allCases).subtracting([.gone]), to: .gone, at: now, db)
            }
            return lost
        }
    }
}
